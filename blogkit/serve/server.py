"""`blogkit serve`: build, serve, watch, rebuild, reload the browser.

Threads: the main thread runs the HTTP server's accept loop (`blogkit.serve.httpd`); the
watchdog observer records changed paths (`blogkit.serve.watch`); one builder thread
rebuilds after each burst of changes with the session's engine (`blogkit.engine.session`),
then swaps the served snapshot (one reference) and wakes the event streams, whose
browsers reload. A build with errors keeps the last good site served, prints its
problems and shows them over every page until a build succeeds again.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import replace
from types import FrameType
from typing import TextIO

from blogkit.core.config import CONFIG_FILE
from blogkit.core.diagnostics import ConfigError, Diagnostic, Location, Severity, in_order, with_source_lines
from blogkit.core.report_formats import print_diagnostics
from blogkit.engine.build import BuildOptions, BuildResult, build_time
from blogkit.engine.rendering import RenderStats
from blogkit.engine.session import Session
from blogkit.load.config import load_config
from blogkit.load.source_lines import LineReader
from blogkit.serve.httpd import Live, PreviewServer
from blogkit.serve.watch import Builder, ChangeRecorder, Watcher

EXIT_OK, EXIT_USAGE = 0, 2
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


class DevServer:
    """One site served (from the build cache, or memory with --no-cache) and rebuilt on change.

    Binding happens in the constructor (an `OSError` when the port is taken), the
    first build in `start()`; `serve_in_background()` answers requests; `close()`
    stops everything.
    """

    def __init__(
        self,
        site: str,
        options: BuildOptions,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        poll: bool = False,
        strict: bool = False,
        quiet: bool = False,
        fmt: str = "text",
        site_arg: str | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.root = os.path.abspath(site)
        self.options = replace(options, now=options.now or build_time())  # one reference time for the session
        self.strict, self.quiet, self.fmt = strict, quiet, fmt
        self.site_arg = site_arg if site_arg is not None else site
        self.out = out or sys.stderr
        self.live = Live()
        self.session = Session(self.root, self.options)
        self.session.on_search = self.search_ready
        self.recorder = ChangeRecorder(self.root)
        self.watcher = Watcher(self.recorder, poll=poll)
        self.builder = Builder(self.recorder, self.rebuild, self.collect_garbage)
        self.builds = 0  # builds finished, the first included
        self.theme_dir: str | None = None
        self.httpd = PreviewServer((host, port), self.live)  # raises OSError when the port is taken
        self._thread: threading.Thread | None = None
        self._gc_was_enabled: bool | None = None  # set while automatic collection is off
        self._last: list[Diagnostic] = []  # the diagnostics of the last build, to tell which are new
        self._shown = ""  # what the last build shows besides what will ship, as printed

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.httpd.server_address[0])
        shown = "127.0.0.1" if host == "0.0.0.0" else "[::1]" if host == "::" else f"[{host}]" if ":" in host else host  # noqa: S104
        base = self.live.snapshot.base_path
        if not self.live.snapshot.built:  # before the first build: the path of base_url, as far as the config can be read
            try:
                base = load_config(self.root).base_path
            except ConfigError:
                base = "/"
        return f"http://{shown}:{self.port}{base}"

    def start(self) -> None:
        """Watch, then build once (in this thread), then rebuild on every change."""
        self.watcher.start()
        self.rebuild(set())
        # A full garbage collection walks every object of a big site (0.5 s for 10,000 posts):
        # not in the middle of a rebuild, where it would delay the reload, but when calm.
        gc.collect()
        gc.freeze()
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        self.session.idle()
        self.builder.start()

    def collect_garbage(self) -> bool:
        """Calm after a rebuild: collect garbage, put a finished search index in place and have the
        next edit's renderer ready. Returns whether to be called again (an index is being made)."""
        gc.collect()
        return self.session.idle()

    def search_ready(self, result: BuildResult, problems: list[Diagnostic]) -> None:
        """A search index made after its build: served from now on, without reloading pages."""
        if problems:
            self._print(problems)
            return
        self.live.update(result.outputs.files)

    def serve_in_background(self) -> None:
        """Answer requests in a thread; before the first build, with a page that reloads when it is done."""
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.25}, name="blogkit-http", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt here)."""
        while self._thread is not None and self._thread.is_alive():
            time.sleep(0.5)

    def close(self) -> None:
        self.live.close()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.builder.stop()
        self.session.close()
        self.watcher.stop()
        self.httpd.server_close()
        if self._gc_was_enabled is not None:
            gc.unfreeze()
            if self._gc_was_enabled:
                gc.enable()
            self._gc_was_enabled = None

    # -- building ---------------------------------------------------------------------------
    def rebuild(self, changed: set[str]) -> None:
        """Build again after `changed`; serve the result if it has no errors, else show them."""
        started = time.perf_counter()
        self.watcher.sync(self.theme_dir)
        if self.watcher.notice:
            print(f"blogkit: note: {self.watcher.notice}", file=self.out)
            self.watcher.notice = ""
        what = _describe(changed)
        try:
            result = self.session.build(changed)
        except ConfigError as exc:
            self._failed(tuple(exc.diagnostics), what)
            return
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server: report it, keep serving
            traceback.print_exc(file=self.out)
            problem = Diagnostic(
                Severity.ERROR,
                Location("(blogkit)"),
                f"internal error: {type(exc).__name__}: {exc}",
                "this is a bug in blogkit; please report it with the traceback printed in the terminal",
            )
            self._failed((problem,), what)
            return
        if result.config.theme_dir != self.theme_dir:
            self.theme_dir = result.config.theme_dir
            self.watcher.sync(self.theme_dir)
        diagnostics = result.report.diagnostics
        failing = (Severity.ERROR, Severity.WARNING) if self.strict else (Severity.ERROR,)
        problems = tuple(sorted((d for d in diagnostics if d.severity in failing), key=in_order))
        # every problem, and the warnings and notes this build found anew: not the same ones after every save
        anew, self._last = found_anew(self._last, diagnostics), list(diagnostics)
        self._print(sorted({id(d): d for d in (*problems, *anew)}.values(), key=in_order))
        if problems:
            self._failed(problems, what, printed=True)
            return
        self.live.publish(result.outputs.files, result.config.base_path, self.session.stored)
        self.builds += 1
        if not self.quiet:
            seconds = time.perf_counter() - started
            if what:
                print(f"blogkit: rebuilt in {seconds:.2f} s{what}: {rendered_counts(result.stats)}", file=self.out)
            else:
                print(f"blogkit: built {_summary(result)} in {seconds:.1f} s", file=self.out)
            if not self.session.patched and (shown := self._showing(result)) != self._shown:  # a patch adds or drops no post
                self._shown = shown
                print(f"blogkit: {shown}", file=self.out)

    def _showing(self, result: BuildResult) -> str:
        """What the preview shows besides what will ship: 'showing 2 drafts and 1 scheduled post, marked; ...'."""
        site = result.site
        if site is None:
            return ""
        if self.options.drafts or self.options.future:
            drafts = sum(1 for post in site.posts if post.draft)
            scheduled = sum(1 for post in site.posts if post.future and not post.draft)
        else:
            published = {post.source for post in site.posts}
            left = [m for m in result.posts_read if m.source.path not in published]
            drafts = sum(1 for m in left if m.draft)
            scheduled = sum(1 for m in left if not m.draft and m.date > (result.now or m.date))
        counted = [_count(drafts, "draft")] * bool(drafts) + [_count(scheduled, "scheduled post")] * bool(scheduled)
        if self.options.drafts or self.options.future:
            if not counted:
                return "showing what will ship: there are no drafts or scheduled posts"
            return f"showing {' and '.join(counted)}, marked; --no-drafts shows what will ship"
        left_out = f" (left out: {' and '.join(counted)})" if counted else ""
        return f"showing what will ship: no drafts, no scheduled posts{left_out}"

    def _failed(self, problems: tuple[Diagnostic, ...], what: str, *, printed: bool = False) -> None:
        problems = tuple(with_source_lines(list(problems), LineReader(self.root)))
        if not printed:
            self._print(list(problems))
        self.live.fail(problems)
        self.builds += 1
        count = len(problems)
        served = "still serving the last good build" if self.live.snapshot.built else "nothing to serve until it builds"
        print(f"blogkit: {count} problem{'' if count == 1 else 's'}{what}; {served}", file=self.out)

    def _print(self, diagnostics: list[Diagnostic]) -> None:
        if diagnostics:
            print_diagnostics(diagnostics, LineReader(self.root), self.site_arg, self.fmt, self.out)


def found_anew(previous: Sequence[Diagnostic], current: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics of `current` that `previous` lacks, by place and message. A patch carries over the
    diagnostics of the posts it left alone as the same objects: only the others are compared, so that a
    save in a hub with thousands of warnings does not pay for every one of them."""
    kept = {id(d) for d in previous}  # `previous` is alive: an id in it is one of its objects
    fresh = [d for d in current if id(d) not in kept]
    paths = {d.location.path for d in fresh}
    before = {(d.location, d.message) for d in previous if d.location.path in paths}
    return [d for d in fresh if (d.location, d.message) not in before]


def _describe(changed: set[str]) -> str:
    if not changed:
        return ""
    shown = sorted(changed)
    return f" ({', '.join(shown[:3])}{f' and {len(shown) - 3} more' if len(shown) > 3 else ''})"


def rendered_counts(stats: RenderStats) -> str:
    """'17 pages and feeds rendered, 22 unchanged'; '1 page or feed rendered, ...'."""
    what = "page or feed" if stats.rendered == 1 else "pages and feeds"
    return f"{stats.rendered} {what} rendered, {stats.reused} unchanged"


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(result: BuildResult) -> str:
    site = result.site
    if site is None:
        return "the site"
    authors = {handle for post in site.posts for handle in post.authors}
    return f"{_count(len(site.posts), 'post')} by {_count(len(authors), 'author')}"


# -- the command -------------------------------------------------------------------------------


def serve_command(args: argparse.Namespace) -> int:
    """`blogkit serve [SITE] [--port N] [--host H] [--no-drafts] [--poll] [--open]`."""
    site_root = os.path.abspath(args.site)
    if not os.path.isfile(os.path.join(site_root, CONFIG_FILE)):
        print(f"blogkit: error: no {CONFIG_FILE} in '{args.site}'", file=sys.stderr)
        print("  hint: pass the site folder, or create one with `blogkit init DIR`", file=sys.stderr)
        return EXIT_USAGE
    # drafts and scheduled posts are shown, marked, unless --no-drafts (--drafts and --future are the default)
    everything = args.preview_all
    options = BuildOptions(drafts=everything, future=everything, cache=args.cache, **({"jobs": args.jobs} if args.jobs else {}))
    try:
        server = DevServer(
            site_root, options, host=args.host, port=args.port, poll=args.poll, strict=args.strict,
            quiet=args.quiet, fmt=args.format, site_arg=args.site,
        )  # fmt: skip
    except OSError as exc:
        _cannot_listen(args.host, args.port, exc)
        return EXIT_USAGE
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        if args.host not in _LOOPBACK:
            drafts = ", drafts and scheduled posts included (--no-drafts leaves them out)" if everything else ""
            print(
                f"blogkit: warning: listening on {args.host}: anyone who can reach this machine sees the preview{drafts}", file=sys.stderr
            )
        server.serve_in_background()
        shows = "drafts and scheduled posts included, marked" if everything else "what will ship: no drafts, no scheduled posts"
        # the address first: a browser opened now shows that the site is building, and reloads when it is built
        print(f"blogkit: serving {server.url} with {shows} (Ctrl-C to stop); building it first", file=sys.stderr, flush=True)
        server.start()
        if args.open:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("blogkit: stopped", file=sys.stderr)
    return EXIT_OK


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM and SIGHUP stop the server as Ctrl-C does: cleanly, exit code 0


def _cannot_listen(host: str, port: int, exc: OSError) -> None:
    if exc.errno == errno.EADDRINUSE:
        print(f"blogkit: error: port {port} on {host} is already in use", file=sys.stderr)
        free = _free_port(host, port)
        suggestion = f"blogkit serve --port {free}" if free else "blogkit serve --port 0 (any free port)"
        print(f"  hint: stop the other server, or use a free port: {suggestion}", file=sys.stderr)
    elif exc.errno == errno.EACCES:
        print(f"blogkit: error: not allowed to listen on port {port}", file=sys.stderr)
        print("  hint: ports below 1024 need privileges; use e.g. --port 8000", file=sys.stderr)
    else:
        print(f"blogkit: error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        print("  hint: --host takes an address of this machine, e.g. 127.0.0.1 or ::1", file=sys.stderr)


def _free_port(host: str, port: int) -> int | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in range(port + 1, min(port + 50, 65536)):
        with socket.socket(family, socket.SOCK_STREAM) as probe, contextlib.suppress(OSError):
            probe.bind((host, candidate))
            return candidate
    return None
