"""The command line: commands, options, exit codes, and printing diagnostics.

Exit codes: 0 ok, 1 content errors, 2 usage or config errors, 3 environment
(disk, permissions, another build running), 4 internal bug.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import FrameType

from blogkit import __version__
from blogkit.commands.checks import check_external_links, run_checks
from blogkit.commands.placeholders import check_placeholders, post_placeholder_texts
from blogkit.commands.progress_line import TerminalProgress
from blogkit.commands.scaffold import CI_KINDS, DEFAULT_HANDLE, ScaffoldError, init_site, new_author, new_post
from blogkit.core.config import CONFIG_FILE, SiteConfig
from blogkit.core.diagnostics import ConfigError, Location, Report, Severity
from blogkit.core.fields import in_range, parse_when
from blogkit.core.outputs import OutputTree
from blogkit.core.progress import SILENT
from blogkit.core.report_formats import FORMATS, display_path, print_diagnostics
from blogkit.engine.build import BuildOptions, BuildResult, build_site, build_time, collector_paused, load_only
from blogkit.load.config import load_config
from blogkit.load.site import load_authors, read_front_matter
from blogkit.load.source_lines import LineReader
from blogkit.migrate import GENERATORS
from blogkit.publish.write import SiteLocked, StagingTree, UnsafeOutput, check_output_dir, publish, site_lock
from blogkit.review.diff_report import DIFF_FORMATS, format_diff, headline

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_BUG = 0, 1, 2, 3, 4


class Terminated(BaseException):
    """SIGTERM (or SIGHUP) arrived: unwind like Ctrl-C so no half-written output is left behind."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="blogkit", description="Build a company engineering-blog hub from per-engineer Markdown posts.")
    main.add_argument("--version", action="version", version=f"blogkit {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def site_command(name: str, help_text: str, *, preview: bool = False) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("site", nargs="?", default=".", metavar="SITE", help="the site folder (default: the current folder)")
        if preview:
            command.add_argument(
                "--no-drafts", dest="preview_all", action="store_false", help="show only what will ship: no drafts, no scheduled posts"
            )
        shown = " (the default of serve)" if preview else ""
        command.add_argument("--drafts", action="store_true", help=f"include posts marked draft: true{shown}")
        command.add_argument("--future", action="store_true", help=f"include posts dated in the future{shown}")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument(
            "--format", choices=FORMATS, default="text", help="how to print problems: text, github (Actions annotations) or json"
        )
        command.add_argument(
            "-j", "--jobs", type=int, default=None, metavar="N", help="worker processes for rendering (default: one per core)"
        )
        command.add_argument("-q", "--quiet", action="store_true", help="print only problems")
        command.add_argument(
            "--no-cache", dest="cache", action="store_false", help="neither read nor write the build cache (SITE/.blogkit-cache)"
        )
        return command

    build = site_command("build", "build the site into a folder of static files")
    build.add_argument("-o", "--output", metavar="OUT", help="the output folder (default: SITE/public)")
    build.add_argument("--fetch", action="store_true", help="run `blogkit fetch` first (engineers' own feeds), then build")
    check = site_command("check", "validate the site, its links (--external: to other sites too), images and tags, publishing nothing")
    check.add_argument(
        "--external",
        action="store_true",
        help="also ask other sites whether the posts' links to them still lead somewhere (uses the network; answers are kept "
        "in SITE/.blogkit-fetched/links.json for links.external_days)",
    )
    check.add_argument("--allow-private", action="store_true", help="with --external: also ask addresses on loopback and private networks")
    check.add_argument(
        "--against", metavar="OUT", help="a previous build to compare feeds with, for back-dated posts (default: SITE/public if it exists)"
    )

    serve = site_command(
        "serve",
        "preview the site: build it with its drafts and scheduled posts (marked), serve it, rebuild and reload the browser on every change",
        preview=True,
    )
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--poll", action="store_true", help="poll for changes instead of using OS events (network drives, containers)")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")

    fetch = commands.add_parser(
        "fetch",
        help="download what the build shows from elsewhere: engineers' own blogs (profiles' feed:)",
        description="download what the build shows from elsewhere into SITE/.blogkit-fetched/: the only command that uses the network",
    )
    fetch.add_argument("site", nargs="?", default=".", metavar="SITE", help="the site folder (default: the current folder)")
    fetch.add_argument("--strict", action="store_true", help="a feed that cannot be fetched is an error (exit code 1)")
    fetch.add_argument("--format", choices=FORMATS, default="text", help="how to print problems: text, github or json")
    fetch.add_argument("-q", "--quiet", action="store_true", help="print only problems")

    diff = commands.add_parser(
        "diff",
        help="what a pull request changes on the site: two built folders compared, by URL",
        description="compare two built folders (the base branch's build and the pull request's) and list the pages "
        "added, changed and removed: posts (and what changed in each), pages, listing pages, feeds and assets",
    )
    diff.add_argument("old", metavar="OLD", help="the base branch's build (e.g. public-base)")
    diff.add_argument("new", metavar="NEW", help="the pull request's build")
    diff.add_argument(
        "--format",
        choices=DIFF_FORMATS,
        default="text",
        help="text, github (Markdown for a pull request comment) or json (a change a line)",
    )
    diff.add_argument("--preview-url", default="", metavar="URL", help="where NEW is deployed for preview: pages link there (github)")
    diff.add_argument(
        "--full-url", default="", metavar="URL", help="where the full diff can be read, linked when it is too long for one comment (github)"
    )

    owners = commands.add_parser(
        "codeowners",
        help="write CODEOWNERS: each engineer reviews their own posts, the editors the rest",
        description="write the repository's CODEOWNERS from the profiles: each engineer's posts folder and profile to their GitHub "
        "handle (a profile link to github.com), co-authored posts to every author, the rest of the site to codeowners.editors",
    )
    owners.add_argument("site", nargs="?", default=".", metavar="SITE", help="the site folder (default: the current folder)")
    owners.add_argument("--format", choices=FORMATS, default="text", help="how to print problems: text, github or json")

    plan = commands.add_parser(
        "plan", help="list the scheduled posts and when the next one appears", description="list future posts and their dates"
    )
    plan.add_argument("site", nargs="?", default=".", metavar="SITE", help="the site folder (default: the current folder)")
    plan.add_argument("--at", metavar="TIME", help="plan as of this date-time (default: now, or SOURCE_DATE_EPOCH)")
    plan.add_argument("--next", action="store_true", help="print only the next publication time (nothing if none is scheduled)")
    plan.add_argument("--format", choices=("text", "json"), default="text", help="text (one line per post) or json (for scripts)")

    init = commands.add_parser("init", help="create a new hub with one author and one post", description="create a new hub")
    init.add_argument("dir", metavar="DIR", help="a new or empty folder")
    init.add_argument("--title", default="Engineering at Example", help="the hub's title")
    init.add_argument("--handle", default="your-handle", help="the first author's handle")
    init.add_argument(
        "--ci",
        choices=CI_KINDS,
        default="",
        help="also write CI workflows: github (check, build, diff and comment on pull requests; publish main; a daily issue of dead links)",
    )

    importing = commands.add_parser(
        "import",
        help="bring a Zola, Hugo or Jekyll blog over as a new blogkit site",
        description="read a Zola, Hugo or Jekyll site and write a blogkit site folder that keeps its URLs, anchors and feeds",
    )
    importing.add_argument("generator", choices=GENERATORS, metavar="GENERATOR", help="zola, hugo or jekyll")
    importing.add_argument("source", metavar="SOURCE", help="the old site's folder (the one holding its config)")
    importing.add_argument("dest", metavar="DEST", help="a new or empty folder for the blogkit site")
    importing.add_argument(
        "--section",
        action="append",
        default=[],
        metavar="NAME",
        help="a section to bring over (repeatable; default: the sections that hold dated posts)",
    )
    importing.add_argument("--language", default="", metavar="CODE", help="the language to bring over (default: the site's default)")
    importing.add_argument("--format", choices=FORMATS, default="text", help="how to print problems: text, github or json")
    importing.add_argument("-q", "--quiet", action="store_true", help="print only problems")

    new = commands.add_parser("new", help="create a post or an author profile", description="create a post or an author profile")
    kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True, help="post or author")
    new_post_cmd = kinds.add_parser("post", help='a draft post dated today: blogkit new post "Title"')
    new_post_cmd.add_argument("title", metavar="TITLE", help="the post's title; its file name and URL are made from it")
    new_post_cmd.add_argument("--author", metavar="HANDLE", help="whose folder (default: the only author, or $BLOGKIT_AUTHOR)")
    new_post_cmd.add_argument("--tags", metavar="TAG", nargs="+", default=[], help="tags of the post")
    new_post_cmd.add_argument("--site", default=".", metavar="SITE", help="the site folder (default: the current folder)")
    new_author_cmd = kinds.add_parser("author", help="a profile: blogkit new author ada-okafor")
    new_author_cmd.add_argument(
        "handle", metavar="HANDLE", help="lowercase letters, digits and dashes: the profile's file name and the author's URL"
    )
    new_author_cmd.add_argument("--name", help="the display name (default: from the handle)")
    new_author_cmd.add_argument("--site", default=".", metavar="SITE", help="the site folder (default: the current folder)")
    return main


def run() -> None:
    """The `blogkit` command: `main`, then the process ends without freeing, object by object, the
    heap a large build leaves (0.8 s of a warm build of 10,000 posts), and without resuming the
    garbage collector a build or check paused, whose first pass would walk every object the build
    made (0.4 s). Output is flushed first; with threads still running (none should be), it exits
    the usual way."""
    code = main(ending=True)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            pass
    if threading.active_count() > 1:
        sys.exit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None, *, ending: bool = False) -> int:
    """Run a command; `ending`: the process ends right after (`run`)."""
    args = parser().parse_args(argv)
    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _dispatch(args, ending)
    except KeyboardInterrupt:
        print("blogkit: interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    except Terminated as exc:
        print("blogkit: terminated; the previous output is unchanged", file=sys.stderr)
        return 128 + exc.signum
    except Exception:  # noqa: BLE001 - the last line of defence: a bug, not a user mistake
        traceback.print_exc()
        print("blogkit: internal error: this is a bug in blogkit; please report it with the traceback above", file=sys.stderr)
        return EXIT_BUG
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signum)


def _dispatch(args: argparse.Namespace, ending: bool = False) -> int:
    if args.command == "serve":
        from blogkit.serve.server import serve_command  # watchdog and the server load only for `serve`

        return serve_command(args)
    if args.command in ("build", "check"):
        with collector_paused(resume=not ending):  # until the report is written: its passes over a large build's heap cost seconds
            return _build_or_check(args)
    if args.command == "plan":
        return _plan(args)
    if args.command == "fetch":
        return _fetch(args)
    if args.command == "import":
        return _import(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "codeowners":
        return _codeowners(args)
    try:
        if args.command == "init":
            for path in init_site(args.dir, title=args.title, handle=args.handle, ci=args.ci):
                print(f"created {path}")
            print(f"next: blogkit serve {args.dir}   (a preview at http://127.0.0.1:8000/ that reloads as you write)")
            print(f"      blogkit new post 'My first post' --site {args.dir}")
            return EXIT_OK
        config = load_config(args.site)
        if args.kind == "author":
            print(f"created {new_author(config, args.handle, args.name)}")
        else:
            author = args.author or os.environ.get("BLOGKIT_AUTHOR") or _only_author(config.root)
            made = new_post(config, args.title, author=author, tags=args.tags, now=build_time())
            serve = "blogkit serve" + ("" if os.path.samefile(args.site, ".") else f" {args.site}")
            print(f"created {made.path} (a draft)")
            print(f"preview: {serve}, then http://127.0.0.1:8000{config.base_path}{made.site_path} (drafts are shown, marked)")
            print("publish: set `draft: false` in its front matter (or remove the line)")
        return EXIT_OK
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics, LineReader(os.path.abspath(args.site)), args.site)
        print(f"blogkit: {_plural(len(exc.diagnostics), 'error')} in {CONFIG_FILE}; nothing was created", file=sys.stderr)
        return EXIT_USAGE
    except ScaffoldError as exc:
        print(f"blogkit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _only_author(root: str) -> str:
    folder = os.path.join(root, "authors")
    handles = sorted(name[:-5] for name in os.listdir(folder) if name.endswith(".yaml")) if os.path.isdir(folder) else []
    if len(handles) == 1:
        return handles[0]
    if not handles:
        raise ScaffoldError("the site has no author yet: create one with `blogkit new author HANDLE`")
    shown = ", ".join(handles[:20]) + (f" and {len(handles) - 20} more" if len(handles) > 20 else "")
    raise ScaffoldError(f"which author? pass --author HANDLE (or set BLOGKIT_AUTHOR); the handles are: {shown}")


def _build_or_check(args: argparse.Namespace) -> int:
    if args.command != "build" or not os.path.isdir(args.site):
        return _build_or_check_locked(args)
    try:
        with site_lock(os.path.abspath(args.site)):
            return _build_or_check_locked(args)
    except SiteLocked as exc:
        print(f"blogkit: error: {exc}", file=sys.stderr)
        print("blogkit: nothing was published by this build", file=sys.stderr)
        return EXIT_ENVIRONMENT


def _build_or_check_locked(args: argparse.Namespace) -> int:
    # A feed that cannot be fetched keeps its last copy and is a warning of the fetch that never fails
    # the build, --strict or not: one engineer's blog being down must not stop the hub.
    if getattr(args, "fetch", False) and _fetch(args, strict=False) == EXIT_USAGE:
        return EXIT_USAGE  # blogkit.yaml cannot be read: the fetch said so, and nothing is built
    jobs = {"jobs": args.jobs} if args.jobs else {}
    building = args.command == "build"
    options = BuildOptions(
        drafts=args.drafts,
        future=args.future,
        cache=args.cache,
        search_index=building,
        check_left_out=not building,
        look_for=post_placeholder_texts(),
        **jobs,
    )
    site_root = os.path.abspath(args.site)
    out_dir = None
    if args.command == "build":
        out_dir = os.path.abspath(args.output) if args.output else os.path.join(site_root, "public")
        try:
            check_output_dir(out_dir, site_root)
        except UnsafeOutput as exc:
            print(f"blogkit: error: {exc}", file=sys.stderr)
            print("blogkit: nothing was published", file=sys.stderr)
            return EXIT_USAGE
    staged: list[StagingTree] = []

    def staging(report: Report) -> OutputTree:  # a build streams its output into a staging folder
        staged.append(StagingTree(report, out_dir))  # type: ignore[arg-type]
        return staged[-1]

    try:
        return _build_and_publish(args, options, site_root, out_dir, staging if out_dir else OutputTree)
    except OSError as exc:
        print(f"blogkit: error: cannot write the output to {out_dir}: {exc.strerror or exc}", file=sys.stderr)
        print("  hint: check the disk space and the folder's permissions", file=sys.stderr)
        print("blogkit: nothing was published; the previous output is unchanged", file=sys.stderr)
        return EXIT_ENVIRONMENT
    finally:
        for tree in staged:
            tree.discard()  # nothing when it was published: the folder is the output now


def _build_and_publish(
    args: argparse.Namespace, options: BuildOptions, site_root: str, out_dir: str | None, output: Callable[[Report], OutputTree]
) -> int:
    started = time.perf_counter()
    on_terminal = sys.stderr.isatty() and not args.quiet and args.format == "text"
    try:
        result = build_site(site_root, options, output=output, progress=TerminalProgress(sys.stderr) if on_terminal else SILENT)
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics, LineReader(site_root), args.site, args.format)
        print(f"blogkit: {_stopped(args.command, _plural(len(exc.diagnostics), 'error') + ' in ' + CONFIG_FILE)}", file=sys.stderr)
        return EXIT_USAGE
    report = result.report
    if result.site is not None:
        check_placeholders(result.site, report, result.posts_holding)
    if args.command == "check" and not report.errors:
        against = args.against or os.path.join(site_root, "public")
        report.extend(run_checks(result, against if os.path.isdir(against) else None).diagnostics)
        if args.external:
            external, found = check_external_links(result, allow_private=args.allow_private)
            report.extend(external.diagnostics)
            if found and not args.quiet:
                print(f"blogkit: {found}", file=sys.stderr)
    failed = _report(report, site_root, args)
    if failed:
        print(f"blogkit: {_stopped(args.command, failed)}", file=sys.stderr)
        return EXIT_CONTENT
    if out_dir is None:
        if not args.quiet:
            warned = len(report.warnings)
            found = f"{_plural(warned, 'warning')}, no errors" if warned else "no problems found"
            print(f"blogkit: {_summary(result)}: {found}", file=sys.stderr)
        return EXIT_OK
    publish(result.outputs, out_dir)
    if not args.quiet:
        seconds = time.perf_counter() - started
        wrote = f"wrote {len(result.outputs)} files to {os.path.relpath(out_dir)} in {seconds:.1f} s"
        wrote += f" with {_plural(len(report.warnings), 'warning')}" if report.warnings else ""
        print(f"blogkit: {_summary(result)}: {wrote}{_left_out(result, options)}", file=sys.stderr)
    return EXIT_OK


def _report(report: Report, site_root: str, args: argparse.Namespace) -> str:
    """Print every diagnostic; returns why the build failed, or '' when it did not."""
    diagnostics = report.sorted()
    if args.quiet:
        diagnostics = [d for d in diagnostics if d.severity is not Severity.NOTE]
    print_diagnostics(diagnostics, LineReader(site_root), args.site, args.format)
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        return f"{_plural(errors, 'error')}" + (f", {_plural(warnings, 'warning')}" if warnings else "")
    if warnings and getattr(args, "strict", False):
        return f"{_plural(warnings, 'warning')}, errors under --strict"
    return ""


def _stopped(command: str, why: str) -> str:
    """The last line of a build or check that found problems: 'nothing was published: 2 errors'."""
    if command == "check":
        return f"{why}: nothing would be published"
    if command == "build":
        return f"nothing was published: {why}"
    return why


def _fetch(args: argparse.Namespace, *, strict: bool | None = None) -> int:
    """`blogkit fetch`, or the fetch of `build --fetch` (`strict=False`: its failures are warnings).
    Exit code 0, also when a feed cannot be fetched (a warning; it keeps its last copy), 1 for that
    under --strict, 2 when blogkit.yaml cannot be read."""
    from blogkit.fetch.outside import fetch_feeds  # the network code loads only for `fetch`
    from blogkit.fetch.replies import ThreadResult, fetch_replies
    from blogkit.fetch.store import note_checked
    from blogkit.load.outside import FETCHED_FOLDER

    try:
        config = load_config(args.site)
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics, LineReader(os.path.abspath(args.site)), args.site, args.format)
        print(f"blogkit: {_stopped(args.command, _plural(len(exc.diagnostics), 'error') + ' in ' + CONFIG_FILE)}", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    sources, profiles = load_authors(config, report)
    feeds = fetch_feeds(config.root, profiles.authors.values(), report)
    threads: list[ThreadResult] = []
    if config.discussion.replies:  # the threads of every post that is or will be published
        published = [m for m in read_front_matter(config, profiles, sources) if not m.draft]
        webmentions = config.discussion.webmentions
        urls = config.urls
        threads = fetch_replies(
            config.root,
            [(m.source.path, url) for m in published for url in m.discussion],
            report,
            mentioned=[(m.source.path, urls.absolute(m.path)) for m in published] if webmentions else (),
            webmention_api=webmentions.api if webmentions else "",
        )
    checked = [r.path for r in feeds if r.status != "failed"] + [r.path for r in threads if r.status != "failed"]
    note_checked(config.root, checked, datetime.now(UTC), report)
    failed = _report(report, config.root, argparse.Namespace(**{**vars(args), "strict": args.strict if strict is None else strict}))
    if not args.quiet:
        statuses = [r.status for r in feeds] + [r.status for r in threads]
        counts = ", ".join(f"{statuses.count(status)} {status}" for status in ("fetched", "unchanged", "failed"))
        entries, replies = sum(r.entries for r in feeds), sum(r.replies for r in threads)
        what = f"{_plural(len(feeds), 'feed')}" + (f" and {_plural(len(threads), 'thread')}" if config.discussion.replies else "")
        kept = f"{entries} {'entry' if entries == 1 else 'entries'}" + (
            f" and {replies} {'reply' if replies == 1 else 'replies'}" if config.discussion.replies else ""
        )
        print(f"blogkit: {what}: {counts}; {kept} kept in {os.path.relpath(os.path.join(config.root, FETCHED_FOLDER))}", file=sys.stderr)
    return EXIT_CONTENT if failed else EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    """`blogkit diff OLD NEW`: 0 when both folders could be compared (changed or not), 2 when one is no folder."""
    from blogkit.review.built import NotABuild
    from blogkit.review.diff import diff_builds

    try:
        diff = diff_builds(args.old, args.new)
    except NotABuild as exc:
        print(f"blogkit: error: {exc}", file=sys.stderr)
        print("  hint: give two folders built by `blogkit build` (the base branch's, then the pull request's)", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(format_diff(diff, args.format, preview_url=args.preview_url, full_url=args.full_url))
    if args.format != "text":
        print(f"blogkit: {headline(diff)}", file=sys.stderr)
    return EXIT_OK


def _codeowners(args: argparse.Namespace) -> int:
    """`blogkit codeowners`: 0 when written (engineers without a handle are warnings), 2 when the
    config cannot be read, 3 when the file cannot be written."""
    from blogkit.review import codeowners

    try:
        config = load_config(args.site)
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics, LineReader(os.path.abspath(args.site)), args.site, args.format)
        print(f"blogkit: {_plural(len(exc.diagnostics), 'error')} in {CONFIG_FILE}; CODEOWNERS was not written", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    block = _codeowners_block(config, report)
    repo_root = codeowners.repository_root(config.root)
    path = codeowners.codeowners_path(repo_root)
    try:
        with open(path, encoding="utf-8") as f:
            existing = f.read()
    except FileNotFoundError:
        existing = ""
    except OSError as exc:
        print(f"blogkit: error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    _report(report, config.root, argparse.Namespace(site=args.site, quiet=True, format=args.format, strict=False))
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(codeowners.merged(existing, block))
    except OSError as exc:
        print(f"blogkit: error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    rules = block.count("\n") - 2
    missing = f"; {_plural(len(report.warnings), 'warning')}" if report.warnings else ""
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    print(f"blogkit: wrote {_plural(rules, 'rule')} to {shown}{missing}", file=sys.stderr)
    return EXIT_OK


def _codeowners_block(config: SiteConfig, report: Report) -> str:
    """The CODEOWNERS block of a site: its profiles and every post's authors, read as `fetch` reads them."""
    from blogkit.review import codeowners

    sources, profiles = load_authors(config, report)
    posts = read_front_matter(config, profiles, sources)
    block = codeowners.site_block(config, profiles.authors, posts, frozenset({DEFAULT_HANDLE}), report)
    if not config.codeowners.editors:
        report.warning(
            Location(CONFIG_FILE),
            "no editors team: the rest of the site (pages, templates, the config) has no reviewer in CODEOWNERS",
            'set codeowners.editors in blogkit.yaml, e.g. codeowners: {editors: "@acme/blog-editors"}',
        )
    return block


_IMPORTED = (("posts", "post"), ("drafts", "draft"), ("pages", "page"), ("authors", "author"), ("teams", "team"), ("tags", "tag"))


def _import(args: argparse.Namespace) -> int:
    from blogkit.migrate.importer import DestinationError, import_site  # the importers load only for `import`
    from blogkit.migrate.reading import SourceError

    try:
        imported = import_site(args.generator, args.source, args.dest, args.section, args.language)
    except SourceError as exc:
        print(f"blogkit: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return EXIT_USAGE
    except DestinationError as exc:
        print(f"blogkit: error: {exc}", file=sys.stderr)
        print("  hint: choose a new folder; the import never mixes its files with others", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"blogkit: error: cannot write {args.dest}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    print_diagnostics(imported.diagnostics, LineReader(imported.site.root), args.source, args.format)
    plan = imported.plan
    if plan is None:
        errors = sum(1 for d in imported.diagnostics if d.severity is Severity.ERROR)
        print(f"blogkit: {_plural(errors, 'error')} in the {args.generator} site; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        counts = plan.counts
        shown = ", ".join(
            _plural(counts[key], word)
            for key, word in (
                ("posts", "post"),
                ("drafts", "draft"),
                ("pages", "page"),
                ("authors", "author"),
                ("teams", "team"),
                ("tags", "tag"),
            )
        )
        kept = (("aliases", "alias"), ("redirects", "redirect"), ("feeds", "old feed URL"))
        urls = ", ".join(_plural(counts[key], word) for key, word in kept)
        print(f"blogkit: imported {shown}; kept {urls}; {_plural(len(imported.diagnostics), 'warning')}", file=sys.stderr)
        found = f"the old site has {_plural(plan.broken_links, 'broken link')}" if plan.broken_links else "old posts' links"
        print(
            f"blogkit: {found}: blogkit.yaml sets links.broken: note, so a link the old site already broke fails no build "
            "(--strict too) and build and check show each; fix them, then remove that setting",
            file=sys.stderr,
        )
        if found_lint := plan.lint_findings:
            broken = ", ".join(f"{rule} {count}" for rule, count in sorted(found_lint.items(), key=lambda item: (-item[1], item[0])))
            print(
                f"blogkit: the old posts break {_plural(len(found_lint), 'rule')} of the content lint ({broken}): blogkit.yaml "
                "sets each to note under lint:, so they fail no build (--strict too) and build and check show each; "
                "fix them, then remove those lines (docs/lint.md)",
                file=sys.stderr,
            )
        print(f"next: blogkit check {args.dest}   then   blogkit build {args.dest}", file=sys.stderr)
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.site)
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics, LineReader(os.path.abspath(args.site)), args.site)
        print(f"blogkit: {_plural(len(exc.diagnostics), 'error')} in {CONFIG_FILE}", file=sys.stderr)
        return EXIT_USAGE
    now = build_time()
    if args.at:
        parsed = parse_when(args.at, config.zone)
        if parsed is None or not in_range(parsed, config.zone):
            print(f"blogkit: error: --at '{args.at}' is not a date like 2026-03-01T09:00", file=sys.stderr)
            return EXIT_USAGE
        now = parsed
    result = load_only(config.root, BuildOptions(future=True, now=now))
    if result.report.errors:
        _report(result.report, config.root, argparse.Namespace(site=args.site, quiet=True, format="text", strict=False))
        return EXIT_CONTENT
    scheduled = sorted((m for m in result.posts_read if m.date > now and not m.draft), key=lambda m: (m.date, m.source.path))
    if args.format == "json":
        print(json.dumps({"now": now.isoformat(), "next": scheduled[0].date.isoformat() if scheduled else None, "scheduled": [
            {"date": m.date.isoformat(), "title": m.title, "path": display_path(args.site, m.source.path), "url": config.base_url + m.path}
            for m in scheduled
        ]}, ensure_ascii=False, indent=2))  # fmt: skip
    elif args.next:
        if scheduled:
            print(scheduled[0].date.isoformat())
    elif not scheduled:
        print(f"nothing scheduled after {_local(now, config.zone)}")
    else:
        for meta in scheduled:
            print(f"{_local(meta.date, config.zone)}  {display_path(args.site, meta.source.path)}  {meta.title}")
        print(f"next: {scheduled[0].date.isoformat()} ({_plural(len(scheduled), 'post')} scheduled)")
    return EXIT_OK


def _local(when: datetime, zone: object) -> str:
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")  # type: ignore[arg-type]


def _summary(result: BuildResult) -> str:
    site = result.site
    if site is None:
        return "built"
    writers = {handle for post in site.posts for handle in post.authors}  # authors with a post published, not every profile
    return f"{_plural(len(site.posts), 'post')} by {_plural(len(writers), 'author')}, {_plural(len(site.tags), 'tag')}"


def _left_out(result: BuildResult, options: BuildOptions) -> str:
    """'; left out 2 drafts and 1 future post (--drafts, --future)' when the build left any out."""
    published = {post.source for post in result.site.posts} if result.site is not None else set()
    left = [m for m in result.posts_read if m.source.path not in published]
    drafts = sum(1 for m in left if m.draft)
    future = sum(1 for m in left if not m.draft and result.now is not None and m.date > result.now)
    parts = [_plural(drafts, "draft")] * bool(drafts) + [_plural(future, "future post")] * bool(future)
    flags = ["--drafts"] * bool(drafts) + ["--future"] * bool(future)
    return f"; left out {' and '.join(parts)} ({', '.join(flags)} to show them)" if parts else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 'es' if word.endswith('s') else 's'}"
