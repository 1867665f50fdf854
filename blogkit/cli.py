"""The command line: commands, options, exit codes, and printing diagnostics.

Exit codes: 0 ok, 1 content errors, 2 usage or config errors, 3 environment
(disk, permissions), 4 internal bug.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from blogkit import __version__
from blogkit.build import BuildOptions, BuildResult, build_site
from blogkit.diagnostics import ConfigError, Diagnostic, LineReader, Report, with_source_lines
from blogkit.write import UnsafeOutput, check_output_dir, publish

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_BUG = 0, 1, 2, 3, 4


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="blogkit", description="Build a company engineering-blog hub from per-engineer Markdown posts.")
    main.add_argument("--version", action="version", version=f"blogkit {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def site_command(name: str, help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("site", nargs="?", default=".", metavar="SITE", help="the site folder (default: the current folder)")
        command.add_argument("--drafts", action="store_true", help="include posts marked draft: true")
        command.add_argument("--future", action="store_true", help="include posts dated in the future")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument(
            "-j", "--jobs", type=int, default=None, metavar="N", help="worker processes for rendering (default: one per core)"
        )
        command.add_argument("-q", "--quiet", action="store_true", help="print only problems")
        return command

    build = site_command("build", "build the site into a folder of static files")
    build.add_argument("-o", "--output", metavar="OUT", help="the output folder (default: SITE/public)")
    site_command("check", "validate the site without writing anything")
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("blogkit: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the last line of defence: a bug, not a user mistake
        traceback.print_exc()
        print("blogkit: internal error: this is a bug in blogkit; please report it with the traceback above", file=sys.stderr)
        return EXIT_BUG


def _run(args: argparse.Namespace) -> int:
    options = BuildOptions(drafts=args.drafts, future=args.future, **({"jobs": args.jobs} if args.jobs else {}))
    site_root = os.path.abspath(args.site)
    out_dir = None
    if args.command == "build":
        out_dir = os.path.abspath(args.output) if args.output else os.path.join(site_root, "public")
        try:
            check_output_dir(out_dir, site_root)
        except UnsafeOutput as exc:
            print(f"blogkit: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        result = build_site(site_root, options)
    except ConfigError as exc:
        print_diagnostics(exc.diagnostics, site_root)
        return EXIT_USAGE
    failed = _report(result, site_root, strict=args.strict)
    if failed:
        print(f"blogkit: {failed}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    if out_dir is None:
        if not args.quiet:
            print(f"blogkit: {_summary(result)}: no problems found")
        return EXIT_OK
    try:
        publish(result.outputs, out_dir)
    except OSError as exc:
        print(f"blogkit: error: cannot write the output to {out_dir}: {exc.strerror or exc}", file=sys.stderr)
        print("  hint: check the disk space and the folder's permissions; the previous output is unchanged", file=sys.stderr)
        return EXIT_ENVIRONMENT
    if not args.quiet:
        print(f"blogkit: {_summary(result)}: wrote {len(result.outputs)} files to {os.path.relpath(out_dir)}")
    return EXIT_OK


def _report(result: BuildResult, site_root: str, *, strict: bool) -> str:
    """Print every diagnostic; returns why the build failed, or '' when it did not."""
    report: Report = result.report
    print_diagnostics(report.sorted(), site_root)
    errors, warnings = len(report.errors), len(report.warnings)
    if errors:
        return f"{_plural(errors, 'error')}" + (f" and {_plural(warnings, 'warning')}" if warnings else "")
    if warnings and strict:
        return f"{_plural(warnings, 'warning')} (--strict makes warnings errors)"
    return ""


def _summary(result: BuildResult) -> str:
    site = result.site
    if site is None:
        return "built"
    return f"{_plural(len(site.posts), 'post')} by {_plural(len(site.authors), 'author')}, {_plural(len(site.tags), 'tag')}"


def print_diagnostics(diagnostics: Sequence[Diagnostic], site_root: str) -> None:
    for diagnostic in with_source_lines(list(diagnostics), LineReader(site_root)):
        print(diagnostic.format_text(), file=sys.stderr)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
