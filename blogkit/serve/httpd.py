"""The preview web server of `blogkit serve`: the last good build, from memory and the build cache.

- `Live` holds what is served: one `Snapshot` reference, replaced whole after each
  build (readers never see half a site), and a condition the event streams wait on.
- Request paths are checked before any lookup: percent-encoded `..` and slashes,
  backslashes and NUL get 400; only files of the build exist, under the base URL's path.
- Every HTML response gets the live-reload script before `</body>` (and the error
  overlay while the last build failed): added here, never by `blogkit build`.
- `/__blogkit__/events` is a Server-Sent Events stream: `hello` on connect, `reload`
  when a new build is served, `problems` when a build failed.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import os
import posixpath
import shutil
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from blogkit.core.diagnostics import Diagnostic
from blogkit.core.feedformats import FEED_FORMATS
from blogkit.core.outputs import Cached, CopyFile, Output

RESERVED = "/__blogkit__/"
MAX_THREADS = 256  # requests handled at once; past that a connection is answered 503 at once
MAX_STREAMS = 32  # open event streams (browser tabs); each holds a thread
REQUEST_SECONDS = 10.0  # the longest a client may take to send a request's head
KEEPALIVE_SECONDS = 15.0

_TEXT = "; charset=utf-8"
_TYPES = {
    ".html": "text/html" + _TEXT, ".htm": "text/html" + _TEXT, ".css": "text/css" + _TEXT, ".js": "text/javascript" + _TEXT,
    ".mjs": "text/javascript" + _TEXT, ".json": "application/json", ".map": "application/json", ".xml": "application/xml" + _TEXT,
    ".xsl": "application/xslt+xml", ".txt": "text/plain" + _TEXT, ".md": "text/markdown" + _TEXT, ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".avif": "image/avif", ".ico": "image/x-icon", ".woff2": "font/woff2", ".woff": "font/woff", ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json", ".mp4": "video/mp4", ".webm": "video/webm", ".wasm": "application/wasm",
}  # fmt: skip
_FEED_TYPES = {f.file: f.media_type + _TEXT for f in FEED_FORMATS.values()}


def _nothing_stored(key: str) -> bytes | None:
    return None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What is served: the files of the last good build, and the problems of the latest build."""

    files: Mapping[str, Output] = field(default_factory=dict)
    base_path: str = "/"
    version: str = ""  # changes whenever other files are served: pages reload when it differs from theirs
    built: bool = False  # False until a build succeeded
    problems: tuple[Diagnostic, ...] = ()
    overlay: str = ""  # the problems as HTML, "" when the latest build succeeded
    sequence: int = 0  # counts every change, served files or problems
    stored: Callable[[str], bytes | None] = _nothing_stored  # the bytes of a `Cached` page or feed, from the build cache


class Live:
    """The served snapshot, swapped as one reference, and a condition for the event streams."""

    def __init__(self) -> None:
        self._run = f"{int(time.time() * 1000):x}"  # a new server makes every open page reload
        self._builds = 0
        self._snapshot = Snapshot(version=f"{self._run}.0")
        self._changed = threading.Condition()
        self._streams = 0
        self.closing = False

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def publish(self, files: Mapping[str, Output], base_path: str, stored: Callable[[str], bytes | None] = _nothing_stored) -> Snapshot:
        with self._changed:
            self._builds += 1
            old = self._snapshot
            self._snapshot = Snapshot(files, base_path, f"{self._run}.{self._builds}", True, (), "", old.sequence + 1, stored)
            self._changed.notify_all()
            return self._snapshot

    def update(self, files: Mapping[str, Output]) -> Snapshot:
        """Serve `files` in place of the last good build's, as the same version: open pages do not
        reload (files made after their build, such as its search index)."""
        with self._changed:
            old = self._snapshot
            if not old.built:
                return old
            self._snapshot = replace(old, files=files)
            return self._snapshot

    def fail(self, problems: tuple[Diagnostic, ...]) -> Snapshot:
        with self._changed:
            old = self._snapshot
            self._snapshot = replace(old, problems=problems, overlay=overlay_html(problems), sequence=old.sequence + 1)
            self._changed.notify_all()
            return self._snapshot

    def wait(self, sequence: int, timeout: float) -> Snapshot:
        """The snapshot once its sequence differs from `sequence`, or after `timeout` seconds."""
        with self._changed:
            self._changed.wait_for(lambda: self._snapshot.sequence != sequence or self.closing, timeout)
            return self._snapshot

    def open_stream(self) -> bool:
        with self._changed:
            if self._streams >= MAX_STREAMS or self.closing:
                return False
            self._streams += 1
            return True

    def close_stream(self) -> None:
        with self._changed:
            self._streams -= 1

    def close(self) -> None:
        with self._changed:
            self.closing = True
            self._changed.notify_all()


class BadPath(ValueError):
    """A request path that could escape the site or that no file can have."""


def site_path(target: str) -> str:
    """The decoded path of a request target, checked: '/a%20b/' -> '/a b/'."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        raise BadPath(target)
    parts = []
    for raw in path.split("/"):
        try:
            part = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            raise BadPath(target) from None
        if part in (".", "..") or any(c in part for c in "/\\\x00") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in part):
            raise BadPath(target)
        parts.append(part)
    return "/".join(parts)


def content_type(name: str) -> str:
    base = posixpath.basename(name)
    if base in _FEED_TYPES:
        return _FEED_TYPES[base]
    ext = posixpath.splitext(base)[1].lower()
    if ext in _TYPES:
        return _TYPES[ext]
    guessed = mimetypes.guess_type(base)[0]
    return guessed or "application/octet-stream"


def inject(html: bytes, snapshot: Snapshot) -> bytes:
    """The page with the reload script (and the overlay, while the build is failing) before `</body>`."""
    script = f'<script src="{RESERVED}reload.js" data-version="{escape(snapshot.version)}"></script>'
    extra = (snapshot.overlay + script).encode("utf-8")
    at = html.lower().rfind(b"</body>")
    return html + extra if at < 0 else html[:at] + extra + html[at:]


def overlay_html(problems: tuple[Diagnostic, ...]) -> str:
    if not problems:
        return ""
    items = []
    for d in problems:
        source = ""
        if d.source_line and d.location.column:
            source = f"<pre>  | {escape(d.source_line)}\n  | {' ' * (d.location.column - 1)}^</pre>"
        hint = f'<p class="blogkit-hint">hint: {escape(d.hint)}</p>' if d.hint else ""
        items.append(
            f'<li><code class="blogkit-where">{escape(str(d.location))}</code>: '
            f'<strong class="blogkit-{d.severity.value}">{d.severity.value}</strong>: {escape(d.message)}{source}{hint}</li>'
        )
    count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
    return (
        f'<div id="blogkit-overlay" role="alert"><style>{_OVERLAY_CSS}</style>'
        f'<p class="blogkit-head"><strong>blogkit: the site does not build: {count}</strong> '
        f"(showing the last good build; fix the file and save to reload)"
        f' <button type="button" data-blogkit-close aria-label="Hide these problems">Hide</button></p>'
        f"<ol>{''.join(items)}</ol></div>"
    )


_OVERLAY_CSS = (
    "#blogkit-overlay{position:fixed;inset:0 0 auto 0;z-index:2147483647;max-height:75vh;overflow:auto;margin:0;"
    "padding:1rem 1.25rem;background:#1b1b1f;color:#f1f1f3;border-bottom:4px solid #e5484d;box-shadow:0 8px 24px #0008;"
    "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left}"
    "#blogkit-overlay *{font:inherit;color:inherit;background:none;margin:0;padding:0;border:0}"
    "#blogkit-overlay ol{list-style:none}#blogkit-overlay li{padding:.6rem 0;border-top:1px solid #3a3a40}"
    "#blogkit-overlay .blogkit-head{padding-bottom:.5rem}#blogkit-overlay pre{white-space:pre;overflow-x:auto;color:#c8c8d0}"
    "#blogkit-overlay .blogkit-where{color:#7cc4ff}#blogkit-overlay .blogkit-error{color:#ff8589;font-weight:bold}"
    "#blogkit-overlay .blogkit-warning{color:#ffd27a;font-weight:bold}#blogkit-overlay .blogkit-hint{color:#a9e5a0}"
    "#blogkit-overlay button{float:right;padding:.1rem .6rem;border:1px solid #66666e;border-radius:4px;cursor:pointer}"
)

RELOAD_JS = """\
// blogkit serve: reload when a new build is served; show the problems of a failed build.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = script ? script.getAttribute("data-version") : "";
  function show(html) {
    var old = document.getElementById("blogkit-overlay");
    if (old) old.remove();
    if (html) document.body.insertAdjacentHTML("beforeend", html);
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-blogkit-close]")) show("");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") show("");
  });
  if (!window.EventSource) return;
  var events = new EventSource("/__blogkit__/events");
  function update(event) {
    var state = JSON.parse(event.data);
    if (state.version !== version) {
      events.close();
      location.reload();
    } else {
      show(state.overlay);
    }
  }
  ["hello", "reload", "problems"].forEach(function (name) { events.addEventListener(name, update); });
})();
"""

_NOT_BUILT = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blogkit</title></head><body><p>{}</p></body></html>'


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def allowed_hosts(bound: str) -> frozenset[str] | None:
    """The `Host` names a preview answers to: loopback names and the address it was bound to;
    None (any) when bound to every address, as asked for with `--host 0.0.0.0`."""
    if bound in ("0.0.0.0", "::", ""):  # noqa: S104 - the user's explicit choice
        return None
    return _LOOPBACK_NAMES | {bound.lower().strip("[]")}


def host_name(header: str) -> str:
    """'localhost:8000' -> 'localhost'; '[::1]:8000' -> '::1'."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class PreviewServer(ThreadingHTTPServer):
    """A threaded server with a bound on threads: past it, connections are refused at once, so
    that clients holding connections open never stall the accept loop for everyone else."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], live: Live) -> None:
        self.live = live
        self.allowed_hosts = allowed_hosts(address[0])
        self._slots = threading.BoundedSemaphore(MAX_THREADS)
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # without HTTPServer's reverse DNS lookup of the host
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):  # every thread busy: refuse at once, never stall the accept loop
            with contextlib.suppress(OSError):
                request.settimeout(1)
                request.sendall(b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n")
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except Exception:  # the thread did not start: it will not release its slot
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away: nothing to report
        traceback.print_exc()
        print("blogkit: internal error while answering a request: this is a bug in blogkit", file=sys.stderr)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.0"  # one request per connection: no idle keep-alive threads
    server_version = "blogkit"
    timeout = 5  # seconds without progress on a connection before it is dropped: slow clients free their thread

    def setup(self) -> None:
        super().setup()
        # however slowly a client trickles its request in, it has REQUEST_SECONDS to finish the head
        self._deadline = threading.Timer(REQUEST_SECONDS, self._cut_off)
        self._deadline.daemon = True
        self._deadline.start()

    def _cut_off(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        self._deadline.cancel()  # the head is in: answering (and event streams) may take as long as they need
        return parsed

    def finish(self) -> None:
        self._deadline.cancel()
        super().finish()

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for build problems, not for a line per request

    def _answer(self, *, head: bool) -> None:
        allowed = self.server.allowed_hosts
        if allowed is not None and host_name(self.headers.get("Host", "")) not in allowed:
            # a page of another site whose name now resolves to this machine (DNS rebinding) reads nothing
            self._plain(HTTPStatus.MISDIRECTED_REQUEST, "this preview answers only to localhost and the --host it was given\n", head)
            return
        try:
            path = site_path(self.path)
        except BadPath:
            self._plain(HTTPStatus.BAD_REQUEST, "bad request path\n", head)
            return
        if path.startswith(RESERVED):
            self._reserved(path[len(RESERVED) :], head)
            return
        snapshot = self.server.live.snapshot
        base = snapshot.base_path
        query = self.path[len(self.path.split("?", 1)[0]) :]
        if not path.startswith(base):
            if path + "/" == base or path == "/":
                self._redirect(base + query, HTTPStatus.FOUND)
            else:
                self._not_found(snapshot, head)
            return
        rel = path[len(base) :]
        name = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        output = snapshot.files.get(name)
        if output is None and not rel.endswith("/") and f"{rel}/index.html" in snapshot.files:
            self._redirect(path + "/" + query, HTTPStatus.MOVED_PERMANENTLY)
            return
        if output is None:
            if not snapshot.built:
                text = "The site does not build yet: fix the problems and save." if snapshot.problems else "Building the site&hellip;"
                self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html" + _TEXT, inject(_NOT_BUILT.format(text).encode(), snapshot), head)
            else:
                self._not_found(snapshot, head)
            return
        self._file(HTTPStatus.OK, name, output, snapshot, head)

    def _file(self, status: HTTPStatus, name: str, output: Output, snapshot: Snapshot, head: bool) -> None:
        kind = content_type(name)
        content = output.content
        if isinstance(content, Cached):
            found = snapshot.stored(content.key)
            if found is None:  # the cache lost it (another process swept it, or a disk error): the next build makes it again
                self._plain(HTTPStatus.SERVICE_UNAVAILABLE, "this page is being built again: reload in a moment\n", head)
                return
            content = found
        if isinstance(content, CopyFile):
            try:
                source = open(content.source, "rb")  # closed below, after streaming
            except OSError:
                self._plain(HTTPStatus.NOT_FOUND, "not found\n", head)
                return
            with source:
                if not kind.startswith("text/html"):
                    self._stream(status, kind, source, os.fstat(source.fileno()).st_size, head)
                    return
                content = source.read()
        if kind.startswith("text/html"):
            content = inject(content, snapshot)
        self._send(status, kind, content, head)

    def _not_found(self, snapshot: Snapshot, head: bool) -> None:
        page = snapshot.files.get("404.html")
        if page is None:
            self._plain(HTTPStatus.NOT_FOUND, "not found\n", head)
        else:
            self._file(HTTPStatus.NOT_FOUND, "404.html", page, snapshot, head)

    def _reserved(self, name: str, head: bool) -> None:
        if name == "reload.js":
            self._send(HTTPStatus.OK, _TYPES[".js"], RELOAD_JS.encode("utf-8"), head)
        elif name == "events" and not head:
            self._events()
        else:
            self._plain(HTTPStatus.NOT_FOUND, "not found\n", head)

    def _events(self) -> None:
        live = self.server.live
        if not live.open_stream():
            self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
            self._headers("text/plain" + _TEXT, 0, {"Retry-After": "5"})
            return
        try:
            self.send_response(HTTPStatus.OK)
            self._headers("text/event-stream", None, {})
            snapshot = live.snapshot
            self.wfile.write(b"retry: 1000\n\n" + _event("hello", snapshot))
            self.wfile.flush()
            sent = snapshot
            while not live.closing:
                snapshot = live.wait(sent.sequence, KEEPALIVE_SECONDS)
                if live.closing:
                    break
                if snapshot.sequence == sent.sequence:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    self.wfile.write(_event("reload" if snapshot.version != sent.version else "problems", snapshot))
                    sent = snapshot
                self.wfile.flush()
        except (ConnectionError, TimeoutError):
            pass
        finally:
            live.close_stream()

    def _redirect(self, location: str, status: HTTPStatus) -> None:
        self.send_response(status)
        self._headers("text/plain" + _TEXT, 0, {"Location": location})

    def _plain(self, status: HTTPStatus, text: str, head: bool) -> None:
        self._send(status, "text/plain" + _TEXT, text.encode("utf-8"), head)

    def _send(self, status: HTTPStatus, kind: str, content: bytes, head: bool) -> None:
        self.send_response(status)
        self._headers(kind, len(content), {})
        if not head:
            self.wfile.write(content)

    def _stream(self, status: HTTPStatus, kind: str, source: Any, size: int, head: bool) -> None:
        self.send_response(status)
        self._headers(kind, size, {})
        if not head:
            shutil.copyfileobj(source, self.wfile)

    def _headers(self, kind: str, length: int | None, extra: dict[str, str]) -> None:
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()


def _event(name: str, snapshot: Snapshot) -> bytes:
    data = json.dumps({"version": snapshot.version, "problems": len(snapshot.problems), "overlay": snapshot.overlay})
    return f"event: {name}\ndata: {data}\n\n".encode()
