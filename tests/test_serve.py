"""`blogkit serve`: the real server on a free loopback port, real file changes, a small SSE client.

Every wait polls with a deadline; nothing here sleeps longer than a quiet period needs.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import io
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from watchdog.events import FileClosedEvent, FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEvent

from blogkit.commands.cli import main
from blogkit.core.bodies import BodySource, RenderedBody
from blogkit.core.config import MarkdownConfig
from blogkit.core.diagnostics import Diagnostic, Location, Severity
from blogkit.core.outputs import Cached, CopyFile
from blogkit.engine import bodies as engine_bodies
from blogkit.engine import session as session_module
from blogkit.engine.build import BuildOptions, BuildResult, build_site
from blogkit.engine.rendering import RenderStats
from blogkit.engine.session import Session
from blogkit.serve.httpd import BadPath, Snapshot, allowed_hosts, content_type, host_name, inject, overlay_html, site_path
from blogkit.serve.server import DevServer, rendered_counts
from blogkit.serve.watch import ChangeRecorder, Watcher, is_editor_temp
from conftest import NOW, REPO, build, post, write_site

DEADLINE = 10.0
POST = "posts/ada/2026-03-01-hello.md"
POST_URL = "/2026/03/hello/"
SITE = {
    "authors/bo.yaml": "name: Bo Lindqvist\nteam: storage\n",
    "teams.yaml": "storage:\n  name: Storage\n",
    "tags.yaml": "Kubernetes:\n  aliases: [k8s]\n  description: Running things.\n",
    POST: post("title: Hello\ntags: [k8s, storage]", "First words.\n"),
    "posts/ada/2026-03-02-second.md": post("title: Second\nseries: Intro", "Read [the first](2026-03-01-hello.md).\n"),
    "posts/bo/2026-03-03-third.md": post("title: Third\nseries: Intro\ntags: [storage]", "## One\n\nText.\n"),
    "pages/about.md": post("title: About", "About us.\n"),
    "static/img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
}


# -- helpers -------------------------------------------------------------------------------------


class Events:
    """A Server-Sent Events client: a thread reads the stream line by line into a queue."""

    def __init__(self, port: int) -> None:
        self.queue: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        self.conn.request("GET", "/__blogkit__/events")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"
        threading.Thread(target=self._read, daemon=True).start()
        name, _ = self.next()
        assert name == "hello"

    def _read(self) -> None:
        name, data = "", ""
        try:
            for raw in iter(self.response.readline, b""):
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: ") :]
                elif line.startswith("data: "):
                    data = line[len("data: ") :]
                elif not line and name:
                    self.queue.put((name, json.loads(data)))
                    name, data = "", ""
        except OSError:
            pass

    def next(self, timeout: float = DEADLINE) -> tuple[str, dict[str, object]]:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s") from None

    def none_within(self, seconds: float) -> bool:
        try:
            self.queue.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.conn.close()


@contextmanager
def serving(root: Path, **options: object) -> Iterator[DevServer]:
    build_options = BuildOptions(jobs=1, now=NOW, drafts=bool(options.pop("drafts", False)))
    server = DevServer(str(root), build_options, port=0, out=io.StringIO(), **options)  # type: ignore[arg-type]
    server.start()
    server.serve_in_background()
    try:
        yield server
    finally:
        server.close()


def get(server: DevServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def edit(root: Path, name: str, text: str) -> None:
    """Save as editors do: write a temporary file beside it, then rename it over the file."""
    target = root / name
    temp = target.parent / f".{target.name}.tmp"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, target)


def log(server: DevServer) -> str:
    assert isinstance(server.out, io.StringIO)
    return server.out.getvalue()


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", SITE)


# -- serving -------------------------------------------------------------------------------------


def test_serves_the_build_from_memory_with_types_and_the_reload_script(site_root: Path) -> None:
    with serving(site_root) as server:
        status, headers, body = get(server, "/")
        assert status == 200
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert headers["cache-control"] == "no-store"
        assert re.search(rb'<script src="/__blogkit__/reload\.js" data-version="[^"]+"></script></body>', body)
        assert body.count(b"__blogkit__") == 1
        expected_types = {
            POST_URL: "text/html; charset=utf-8",
            "/assets/style.css": "text/css; charset=utf-8",
            "/img/logo.svg": "image/svg+xml",
            "/feed.xml": "application/atom+xml; charset=utf-8",
            "/rss.xml": "application/rss+xml; charset=utf-8",
            "/feed.json": "application/feed+json; charset=utf-8",
            "/sitemap.xml": "application/xml; charset=utf-8",
            "/robots.txt": "text/plain; charset=utf-8",
            "/__blogkit__/reload.js": "text/javascript; charset=utf-8",
        }
        for path, kind in expected_types.items():
            status, headers, body = get(server, path)
            assert (path, status, headers["content-type"]) == (path, 200, kind)
            assert int(headers["content-length"]) == len(body)
        status, headers, body = get(server, "/about")
        assert (status, headers["location"]) == (301, "/about/")
        status, headers, body = get(server, "/nothing/here/")
        assert status == 404 and b"<h1" in body and b"__blogkit__/reload.js" in body
        status, headers, body = get(server, "/", "HEAD")
        assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    assert not (site_root / "public").exists()


def test_build_output_never_has_the_reload_script(site_root: Path) -> None:
    result = build(site_root)
    assert not any(b"__blogkit__" in o.content for o in result.outputs.files.values() if isinstance(o.content, bytes))


def test_serves_under_the_base_url_path(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {**SITE, "blogkit.yaml": "title: Hub\nbase_url: https://example.com/blog/\ntimezone: UTC\n"})
    with serving(root) as server:
        assert server.url.endswith("/blog/")
        status, _, body = get(server, "/blog/")
        assert status == 200 and b'href="/blog/2026/03/hello/"' in body
        assert get(server, "/blog/2026/03/hello/")[0] == 200
        for path in ("/", "/blog"):
            status, headers, _ = get(server, path)
            assert (status, headers["location"]) == (302, "/blog/")
        assert get(server, "/2026/03/hello/")[0] == 404


@pytest.mark.parametrize(
    "target",
    [
        "/..%2f..%2fetc/passwd",
        "/%2e%2e/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/a\\b",
        "/%5c..%5cetc",
        "/%00",
        "/index.html%00.css",
        "/%ff",
        "http://evil.example/",
        "/static/../../etc/passwd",
    ],
)
def test_hostile_paths_are_refused(site_root: Path, target: str) -> None:
    with serving(site_root) as server:
        status, _, body = get(server, target)
    assert 400 <= status < 500
    assert b"root:" not in body


@pytest.mark.parametrize(
    "host, status", [("evil.example", 421), ("evil.example:8000", 421), ("localhost:1", 200), ("127.0.0.1", 200), ("[::1]:9", 200)]
)
def test_serve_answers_only_loopback_host_names(site_root: Path, host: str, status: int) -> None:
    """serve: a page on another site whose name resolves to this machine (DNS rebinding) reads nothing, drafts included."""
    with serving(site_root) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)
        try:
            conn.request("GET", "/", headers={"Host": host})
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
    assert response.status == status
    assert (b"<html" in body) == (status == 200)


def test_slow_clients_never_block_the_accept_loop(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """serve: connections that send nothing hold their threads; the next client is answered at once all the same."""
    monkeypatch.setattr("blogkit.serve.httpd.MAX_THREADS", 4)
    with serving(site_root) as server:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(6)]
        try:
            time.sleep(0.3)
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3)
            conn.request("GET", "/")
            status = conn.getresponse().status
            conn.close()
        finally:
            for s in idle:
                s.close()
    assert status in (200, 503)


def test_allowed_hosts_follow_the_bound_address() -> None:
    assert allowed_hosts("0.0.0.0") is None
    assert allowed_hosts("192.0.2.7") == frozenset({"localhost", "127.0.0.1", "::1", "192.0.2.7"})
    assert host_name("[::1]:8000") == "::1" and host_name("Example.COM:80") == "example.com" and host_name("::1") == "::1"


def test_site_path_decodes_and_checks() -> None:
    assert site_path("/a%20b/c.html?x=1#y") == "/a b/c.html"
    assert site_path("/tags/c%2B%2B/") == "/tags/c++/"
    for bad in ("/..", "/a/../b", "/%2e", "/a%2fb", "/a%5cb", "/a\\b", "/a%00", "relative", "/%c3%28", "/a%0ab"):
        with pytest.raises(BadPath):
            site_path(bad)


def test_content_types() -> None:
    assert content_type("tags/go/feed.xml") == "application/atom+xml; charset=utf-8"
    assert content_type("img/a.PNG") == "image/png"
    assert content_type("a.webp") == "image/webp"
    assert content_type("data.json") == "application/json"
    assert content_type("blob") == "application/octet-stream"


def test_inject_goes_before_the_last_body_tag() -> None:
    snapshot = Snapshot(version="v1")
    page = inject(b"<html><body><p>a</body> text</body></html>", snapshot)
    assert page == b'<html><body><p>a</body> text<script src="/__blogkit__/reload.js" data-version="v1"></script></body></html>'
    assert inject(b"<p>no body", snapshot).endswith(b"</script>")


def test_overlay_escapes_everything() -> None:
    problem = Diagnostic(Severity.ERROR, Location("posts/a<b>.md", 3, 8), "bad <script>", "write <x>", "title: <script>alert(1)")
    html = overlay_html((problem,))
    assert "posts/a&lt;b&gt;.md:3:8" in html
    assert "<script>" not in html and "bad &lt;script&gt;" in html and "write &lt;x&gt;" in html
    assert "title: &lt;script&gt;alert(1)\n  |        ^" in html
    assert overlay_html(()) == ""


def test_fifty_concurrent_clients_are_served(site_root: Path) -> None:
    with serving(site_root) as server:
        paths = ["/", POST_URL, "/feed.xml", "/assets/style.css", "/tags/"] * 10
        with ThreadPoolExecutor(max_workers=50) as pool:
            results = list(pool.map(functools.partial(get, server), paths))
    assert [status for status, _, _ in results] == [200] * 50
    assert len({len(body) for path, (_, _, body) in zip(paths, results, strict=True) if path == "/"}) == 1


# -- live reload ---------------------------------------------------------------------------------


def test_editing_a_post_sends_reload_and_serves_the_new_text(site_root: Path) -> None:
    with serving(site_root) as server:
        events = Events(server.port)
        edit(site_root, POST, post("title: Hello again", "Fresh words.\n"))
        name, data = events.next()
        assert name == "reload" and data["problems"] == 0
        status, _, body = get(server, POST_URL)
        assert status == 200 and b"Fresh words." in body and b"Hello again" in body
        assert f'data-version="{data["version"]}"'.encode() in body
        events.close()


def test_a_broken_post_shows_the_overlay_and_fixing_it_clears_it(site_root: Path) -> None:
    with serving(site_root) as server:
        events = Events(server.port)
        (site_root / POST).write_text("---\ntitle: Hello\ndate: <b>soon</b>\n---\nText.\n", encoding="utf-8")
        name, data = events.next()
        assert name == "problems" and data["problems"] == 1  # the date; links to the broken post are not reported again
        overlay = str(data["overlay"])
        where = "posts/ada/2026-03-01-hello.md:3:7"
        assert f'<code class="blogkit-where">{where}</code>: <strong class="blogkit-error">error</strong>: ' in overlay
        assert "  | date: &lt;b&gt;soon&lt;/b&gt;\n  |       ^" in overlay and "<b>" not in overlay
        assert f"{where}: error:" in log(server)  # the terminal has it too, with the source line
        assert "  | date: <b>soon</b>" in log(server)
        # the last good build is still served, with the overlay over every page
        for path in (POST_URL, "/"):
            status, _, body = get(server, path)
            assert status == 200 and b'id="blogkit-overlay"' in body and where.encode() in body
        assert b"First words." in get(server, POST_URL)[2]
        edit(site_root, POST, post("title: Hello", "Fixed words.\n"))
        name, data = events.next()
        assert name == "reload" and data["overlay"] == ""
        status, _, body = get(server, POST_URL)
        assert status == 200 and b"Fixed words." in body and b"blogkit-overlay" not in body
        events.close()


def test_a_post_over_the_render_budget_is_shown_as_a_problem_while_the_server_answers(site_root: Path) -> None:
    config = "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\nlimits:\n  render_seconds: 1\n"
    write_site(site_root, {"blogkit.yaml": config}, base=False)
    table = "| " + " | ".join(f"c{i}" for i in range(2000)) + " |\n|" + "---|" * 2000 + "\n"
    table += ("| " + " | ".join("x" for _ in range(2000)) + " |\n") * 200
    with serving(site_root) as server:
        events = Events(server.port)
        edit(site_root, POST, post("title: Hello", table))
        name, data = events.next()
        assert name == "problems" and "took longer than 1 s (limits.render_seconds in blogkit.yaml)" in str(data["overlay"])
        assert get(server, POST_URL)[0] == 200, "the last good build is still served"
        edit(site_root, POST, post("title: Hello", "Short again.\n"))
        assert events.next()[0] == "reload"
        assert b"Short again." in get(server, POST_URL)[2]
        events.close()


def test_what_fetch_brings_while_serving_is_shown_at_once(site_root: Path) -> None:
    write_site(site_root, {"authors/ada.yaml": "name: Ada\nfeed: https://ada.example.dev/atom.xml\n"}, base=False)
    entry = {"id": "urn:x", "title": "Written elsewhere", "link": "https://ada.example.dev/x/", "summary": "S.",
             "published": "2026-02-01T10:00:00+00:00", "updated": "2026-02-01T10:00:00+00:00", "content_html": "", "tags": []}  # fmt: skip
    data = json.dumps({"format": 1, "url": "https://ada.example.dev/atom.xml", "etag": "", "last_modified": "", "entries": [entry]})
    with serving(site_root) as server:
        events = Events(server.port)
        folder = site_root / ".blogkit-fetched" / "feeds"
        folder.mkdir(parents=True)  # the first fetch makes the folder: it is watched from then on
        (folder / ".fetch-1").write_text(data, encoding="utf-8")
        (folder / ".fetch-1").rename(folder / "ada.json")  # as `blogkit fetch` writes
        deadline = time.monotonic() + DEADLINE
        while b"Written elsewhere" not in get(server, "/")[2] and time.monotonic() < deadline:
            assert events.next()[0] == "reload"
        assert b"Written elsewhere" in get(server, "/")[2]
        events.close()


def test_a_broken_config_or_template_never_stops_the_server(site_root: Path) -> None:
    with serving(site_root) as server:
        events = Events(server.port)
        config = (site_root / "blogkit.yaml").read_text()
        edit(site_root, "blogkit.yaml", config + "paginate: [\n")
        name, data = events.next()
        assert name == "problems" and re.search(r"blogkit\.yaml:\d+:\d+", str(data["overlay"]))
        assert get(server, "/")[0] == 200
        edit(site_root, "blogkit.yaml", config)
        assert events.next()[0] == "reload"
        (site_root / "templates").mkdir()
        edit(site_root, "templates/post.html", "{% extends 'base.html' %}\n{% block content %}{% for %}{% endblock %}\n")
        name, data = events.next()
        assert name == "problems" and "templates/post.html:2" in str(data["overlay"])
        assert b"First words." in get(server, POST_URL)[2]
        os.remove(site_root / "templates" / "post.html")
        assert events.next()[0] == "reload"
        assert b"First words." in get(server, POST_URL)[2]
        events.close()


def test_a_deleted_post_is_gone(site_root: Path) -> None:
    with serving(site_root) as server:
        events = Events(server.port)
        assert get(server, "/2026/03/third/")[0] == 200
        os.remove(site_root / "posts" / "bo" / "2026-03-03-third.md")
        assert events.next()[0] == "reload"
        status, headers, _ = get(server, "/2026/03/third/")
        assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
        events.close()


def test_an_editor_save_storm_gives_one_rebuild(site_root: Path) -> None:
    with serving(site_root) as server:
        events = Events(server.port)
        builds = server.builds
        folder = site_root / "posts" / "ada"
        (folder / ".2026-03-01-hello.md.swp").write_bytes(b"vim swap")
        (folder / "4913").write_text("")
        os.remove(folder / "4913")
        os.replace(folder / "2026-03-01-hello.md", folder / "2026-03-01-hello.md~")
        (folder / ".2026-03-01-hello.md.tmp").write_text(post("title: Stormy", "Saved.\n"))
        os.replace(folder / ".2026-03-01-hello.md.tmp", folder / "2026-03-01-hello.md")
        (folder / "2026-03-01-hello.md").write_text(post("title: Stormy", "Saved twice.\n"))
        os.remove(folder / ".2026-03-01-hello.md.swp")
        assert events.next()[0] == "reload"
        assert events.none_within(0.5)
        assert server.builds == builds + 1
        assert b"Saved twice." in get(server, POST_URL)[2]
        events.close()


def test_hidden_backup_and_output_files_do_not_rebuild(site_root: Path) -> None:
    with serving(site_root) as server:
        events = Events(server.port)
        builds = server.builds
        (site_root / "posts" / "ada" / ".#2026-03-01-hello.md").write_text("lock")
        (site_root / "posts" / "ada" / "2026-03-01-hello.md~").write_text("backup")
        (site_root / "public").mkdir()
        (site_root / "public" / "index.html").write_text("old build")
        (site_root / "notes.txt").write_text("not part of the site")
        assert events.none_within(0.4)
        assert server.builds == builds
        events.close()


def test_polling_sees_changes_too(site_root: Path) -> None:
    with serving(site_root, poll=True) as server:
        events = Events(server.port)
        edit(site_root, POST, post("title: Hello", "Polled words.\n"))
        assert events.next()[0] == "reload"
        assert b"Polled words." in get(server, POST_URL)[2]
        events.close()


def test_a_new_source_folder_is_watched(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {POST: post("title: Hello")})
    with serving(root) as server:
        events = Events(server.port)
        (root / "pages").mkdir()
        edit(root, "pages/about.md", post("title: About", "About us.\n"))
        assert events.next()[0] == "reload"
        edit(root, "pages/about.md", post("title: About", "About them.\n"))
        assert events.next()[0] == "reload"
        assert b"About them." in get(server, "/about/")[2]
        events.close()


def test_pages_asked_for_before_the_first_build_reload_when_it_is_done(site_root: Path) -> None:
    server = DevServer(str(site_root), BuildOptions(jobs=1, now=NOW), port=0, out=io.StringIO())
    server.serve_in_background()
    try:
        status, _, body = get(server, "/")
        assert status == 503 and b"Building the site" in body and b"__blogkit__/reload.js" in body
        events = Events(server.port)
        server.start()
        assert events.next()[0] == "reload"
        assert get(server, "/")[0] == 200
        events.close()
    finally:
        server.close()


def test_a_site_broken_from_the_start_is_served_once_fixed(site_root: Path) -> None:
    (site_root / POST).write_text("---\ntitle: Hello\ndate: someday\n---\nText.\n", encoding="utf-8")
    with serving(site_root) as server:
        status, _, body = get(server, "/")
        assert status == 503 and b"posts/ada/2026-03-01-hello.md:3:7" in body and b"does not build yet" in body
        events = Events(server.port)
        edit(site_root, POST, post("title: Hello", "Fixed.\n"))
        assert events.next()[0] == "reload"
        assert b"Fixed." in get(server, POST_URL)[2]
        events.close()


def test_drafts_are_served_with_the_preview_banner(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {POST: post("title: Hello\ndraft: true")})
    with serving(root, drafts=True) as server:
        status, _, body = get(server, POST_URL)
    assert status == 200 and b"Preview only" in body


# -- incremental rebuilds ------------------------------------------------------------------------


def _without_index(contents: dict[str, object]) -> dict[str, object]:
    return {path: data for path, data in contents.items() if not path.startswith("pagefind/")}


def _contents(result: BuildResult, session: Session | None = None) -> dict[str, object]:
    """Each output file's bytes (a copied file by its source), whether held, copied or cached."""
    found: dict[str, object] = {}
    for name, output in result.outputs.files.items():
        content = output.content
        if isinstance(content, Cached):
            assert session is not None
            content = session.stored(content.key)
        found[name] = content.source if isinstance(content, CopyFile) else content
    return found


@pytest.mark.parametrize("cache", [True, False], ids=["disk cache", "no cache"])
def test_incremental_rebuilds_equal_full_builds(site_root: Path, cache: bool) -> None:
    options = BuildOptions(jobs=1, now=NOW, cache=cache)
    session = Session(str(site_root), options)

    def same_as_full_build(changed: set[str]) -> BuildResult:
        result = session.build(changed)
        result = session.settle() or result  # the search index, made in the background
        full = build_site(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True)
        assert _contents(result, session) == _contents(full)
        assert [(d.location, d.message) for d in result.report.sorted()] == [(d.location, d.message) for d in full.report.sorted()]
        return result

    previous = same_as_full_build(set())
    changes = [
        (POST, post("title: Hello\ntags: [k8s, storage]", "First words, edited.\n"), True),
        (POST, post("title: Renamed\ntags: [k8s, storage]\nsummary: Short.", "First words, edited.\n\n## A heading\n"), False),
        (POST, post("title: Renamed again\ntags: [k8s, storage]\nsummary: Short.", "Other words.\n\n## A heading\n"), True),
        (POST, post("title: Renamed\ntags: [go]\ndate: 2026-03-05", "Moved to the top.\n"), False),
        # a broken link is reported by the patch, and the edits that follow (fixing it) are patched in too
        (
            "posts/bo/2026-03-03-third.md",
            post("title: Third\nseries: Intro\ntags: [storage]", "## One\n\nText, [bad](nowhere.md).\n"),
            True,
        ),
        (
            "posts/bo/2026-03-03-third.md",
            post("title: Third\nseries: Intro\ntags: [storage]", "## One\n\nText, [bad](nowhere.md)\n"),
            True,
        ),
        ("posts/bo/2026-03-03-third.md", post("title: Third\nseries: Intro\ntags: [storage]", "## One\n\nText again.\n"), True),
        ("posts/bo/2026-03-03-third.md", post("title: Third!\nseries: Intro\ntags: [storage]", "## One\n\nText again.\n"), True),
        ("authors/bo.yaml", "name: Bo L.\nteam: storage\n", False),
        ("tags.yaml", "Kubernetes:\n  aliases: [k8s]\n  description: Running other things.\n", False),
        ("teams.yaml", "storage:\n  name: Storage team\n", False),
        ("posts/bo/2026-03-04-fourth.md", post("title: Fourth\nseries: Intro", "New.\n"), False),
        ("posts/ada/2026-03-02-second.md", post("title: Second\nseries: Intro", "Read [the first](2026-03-01-hello.md#nope).\n"), True),
        ("templates/partials/footer.html", "<footer>{{ site.posts|length }} posts</footer>\n", False),
        ("posts/ada/2026-03-02-second.md", post("title: Second, fixed\nseries: Intro", "Read [the first](2026-03-01-hello.md).\n"), False),
        ("posts/ada/2026-03-02-second.md", post("title: Second, again\nseries: Intro", "Read [the first](2026-03-01-hello.md).\n"), True),
        ("pages/about.md", post("title: About us", "About.\n"), False),
        ("static/img/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="2"/>', True),
    ]
    for name, text, patched in changes:
        write_site(site_root, {name: text}, base=False)
        result = same_as_full_build({name})
        total = previous.stats.rendered + previous.stats.reused
        previous = result
        # an edit of posts' own values renders only the pages and feeds that show them; others build everything
        assert session.patched is patched, name
        if patched:
            assert result.stats.rendered < total and result.stats.rendered + result.stats.reused == total, name
    os.remove(site_root / "posts" / "bo" / "2026-03-04-fourth.md")
    same_as_full_build({"posts/bo/2026-03-04-fourth.md"})


def test_an_edited_post_renders_only_its_body_and_the_pages_that_show_it(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    posts = {f"posts/ada/2026-02-{day:02d}-p{day}.md": post(f"title: Post {day}", f"Body {day}.\n") for day in range(1, 29)}
    write_site(site_root, posts, base=False)
    session = Session(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False))
    first = session.build(set())
    total = first.stats.rendered
    rendered = site_root.parent / "rendered.txt"  # bodies render in worker processes: they note each in a file
    render_body = engine_bodies.render_body

    def noting(source: BodySource, settings: MarkdownConfig) -> RenderedBody:
        with rendered.open("a", encoding="utf-8") as f:
            f.write(source.text)
        return render_body(source, settings)

    monkeypatch.setattr(engine_bodies, "render_body", noting)
    write_site(site_root, {"posts/ada/2026-02-10-p10.md": post("title: Post 10", "Body ten.\n")}, base=False)
    result = session.build({"posts/ada/2026-02-10-p10.md"})
    assert rendered.read_text(encoding="utf-8") == "Body ten.\n"
    assert 0 < result.stats.rendered < total / 4
    assert session.patched and result.stats.rendered + result.stats.reused == total
    # its page, the hub's and its author's pages that list it, the archive, its alias-free feeds: not the other posts' pages
    assert b"Body ten." in _contents(result)["2026/02/p10/index.html"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("shown", "page", "expected"),
    [
        ("posts|map(attribute='extra.mood', default='')|join(', ')", "tags/kubernetes/index.html", b"<p>tense</p>"),
        ("posts|sort(attribute='extra.rank,title')|map(attribute='title')|join(', ')", "tags/storage/index.html", b"<p>Third, Hello</p>"),
    ],
    ids=["dotted path", "list of names"],
)
def test_a_patched_edit_of_extra_shows_on_a_list_page_reading_it_through_a_filters_attribute_names(
    site_root: Path, shown: str, page: str, expected: bytes
) -> None:
    # the tag page named `extra.mood` (or `extra.rank,title`) only as a whole: an edit of `extra` alone left it stale
    files = {
        "templates/tag.html": "{% extends 'base.html' %}{% block content %}<p>{{ " + shown + " }}</p>{% endblock %}\n",
        POST: post("title: Hello\ntags: [k8s, storage]\nextra: {mood: calm, rank: 1}"),
        "posts/bo/2026-03-03-third.md": post("title: Third\nseries: Intro\ntags: [storage]\nextra: {rank: 2}", "## One\n\nText.\n"),
    }
    write_site(site_root, files, base=False)
    session = Session(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False))
    session.build(set())
    write_site(site_root, {POST: post("title: Hello\ntags: [k8s, storage]\nextra: {mood: tense, rank: 3}")}, base=False)
    served = session.build({POST})
    assert session.patched
    assert expected in _contents(served)[page]  # type: ignore[operator]
    assert _contents(served) == _contents(build_site(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True))


def test_serve_renders_edits_with_the_worker_for_edits(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker kept for edited posts is made for edits: its lexing never pays a compiling spike in one save."""
    made: list[dict[str, object]] = []
    real = session_module.body_renderers

    def noting(*args: object, **kwargs: object) -> object:
        made.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(session_module, "body_renderers", noting)
    session = Session(str(site_root), BuildOptions(jobs=1, now=NOW))
    session.build(set())
    write_site(site_root, {POST: post("title: Hello\ntags: [k8s, storage]", "```python\nx = 1\n```\n")}, base=False)
    session.build({POST})
    assert session.patched and made == [{"edits": True}]


def test_a_pages_extra_reaches_its_template_and_an_edit_of_it_shows(site_root: Path) -> None:
    """`extra` on a page is free data for the site's templates, as on a post: a template reads it,
    and serve renders the page again when only `extra` changed."""
    files = {
        "templates/page.html": "{% extends 'base.html' %}{% block content %}"
        "<p>{{ page.extra.owner }} / {{ page.extra.get('room', '-') }}</p>{% endblock %}\n",
        "pages/about.md": post("title: About\nextra: {owner: Storage team}", "Who we are.\n"),
    }
    write_site(site_root, files, base=False)
    session = Session(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False))
    assert b"<p>Storage team / -</p>" in _contents(session.build(set()))["about/index.html"]  # type: ignore[operator]
    write_site(site_root, {"pages/about.md": post("title: About\nextra: {owner: Platform, room: 4B}", "Who we are.\n")}, base=False)
    served = session.build({"pages/about.md"})
    assert b"<p>Platform / 4B</p>" in _contents(served)["about/index.html"]  # type: ignore[operator]
    assert _contents(served) == _contents(build_site(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True))


def test_a_second_session_starts_from_the_first_ones_cache(site_root: Path) -> None:
    first = Session(str(site_root), BuildOptions(jobs=1, now=NOW)).build(set())
    again = Session(str(site_root), BuildOptions(jobs=1, now=NOW))
    second = again.build(set())
    assert first.stats.rendered > 0 and second.stats.rendered == 0 and second.stats.reused == first.stats.rendered
    page = second.outputs.files["2026/03/hello/index.html"].content
    assert isinstance(page, Cached), "served from the cache folder, not held in memory"
    assert b"First words." in (again.stored(page.key) or b"")
    assert isinstance(
        Session(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False)).build(set()).outputs.files["404.html"].content, bytes
    )


def test_a_page_the_cache_lost_is_a_503_that_says_so(site_root: Path) -> None:
    with serving(site_root) as server:
        snapshot = server.live.snapshot
        server.live.publish(snapshot.files, snapshot.base_path, lambda key: None)  # as if another process swept it away
        status, _, body = get(server, POST_URL)
    assert status == 503 and b"being built again" in body


def test_watcher_relevance() -> None:
    recorder = ChangeRecorder("/site")
    assert recorder.relevant("/site/posts/ada/2026-03-01-x.md") == "posts/ada/2026-03-01-x.md"
    assert recorder.relevant("/site/blogkit.yaml") == "blogkit.yaml"
    assert recorder.relevant("/site/templates/base.html") == "templates/base.html"
    assert recorder.relevant("/site/i18n/de.yaml") == "i18n/de.yaml"
    assert recorder.relevant("/site/.blogkit-fetched/feeds/ada.json") == ".blogkit-fetched/feeds/ada.json"
    for ignored in ("/site/public/index.html", "/site/.git/index", "/site/.blogkit-fetched/feeds/.fetch-x1",
                    "/site/.blogkit-cache/index.json", "/site/posts/ada/.x.md.swp", "/site/posts/ada/x.md~",
                    "/site/posts/ada/4913", "/site/notes.txt", "/elsewhere/posts/a.md", "/site/posts/ada/#x.md#"):  # fmt: skip
        assert recorder.relevant(ignored) is None, ignored
    recorder.theme = "themes/mine"
    assert recorder.relevant("/site/themes/mine/templates/base.html") == "themes/mine/templates/base.html"
    assert is_editor_temp("x.md___jb_tmp___") and not is_editor_temp("2026-03-01-x.md")


def test_a_rebuild_prints_the_problems_and_the_warnings_found_anew_not_the_same_ones_again(site_root: Path) -> None:
    out = io.StringIO()
    server = DevServer(str(site_root), BuildOptions(jobs=1, now=NOW), port=0, out=out)
    try:
        said = out.getvalue

        def clear() -> None:
            out.seek(0)
            out.truncate()

        warned = "posts/ada/2026-03-02-second.md"
        edit(site_root, warned, post("title: Second\nseries: Intro\ntagz: [x]", "Read [the first](2026-03-01-hello.md).\n"))
        server.rebuild(set())
        assert said().count("unknown key 'tagz'") == 1
        clear()
        edit(site_root, POST, post("title: Hello\ntags: [k8s, storage]", "Other words.\n"))
        server.rebuild({POST})  # patched in: the other post's warning is the same one
        assert server.session.patched and "tagz" not in said() and "rebuilt in" in said()
        clear()
        edit(site_root, warned, post("title: Second\nseries: Intro\ntagz: [x]\nsumary: s", "Read [the first](2026-03-01-hello.md).\n"))
        server.rebuild({warned})  # the edited post's old warning again, and a new one
        assert "tagz" not in said() and said().count("unknown key 'sumary'") == 1
        clear()
        edit(site_root, POST, post("title: Hello\ntags: [k8s, storage]", "A [broken](2026-03-09-nothing.md) link.\n"))
        server.rebuild({POST})  # an error is printed, and printed again while it stays
        server.rebuild({POST})
        assert said().count("2026-03-09-nothing.md") >= 2 and "tagz" not in said() and "sumary" not in said()
    finally:
        server.close()


def test_a_rebuild_counts_what_it_rendered_in_words_that_agree_with_the_number() -> None:
    assert rendered_counts(RenderStats(1, 183)) == "1 page or feed rendered, 183 unchanged"
    assert rendered_counts(RenderStats(17, 22)) == "17 pages and feeds rendered, 22 unchanged"


def test_a_burst_that_left_its_file_whole_ends_sooner() -> None:
    """A save whose last event is a close after writing, or a rename into place, is over: the rebuild
    need not wait the whole quiet period. A file still being written, or moved away, waits for it."""
    recorder, stop = ChangeRecorder("/site"), threading.Event()
    post_file, temp = "/site/posts/ada/2026-03-01-x.md", "/site/posts/ada/.2026-03-01-x.md.part"

    def waited(*events: FileSystemEvent, quiet: float) -> float:
        for event in events:
            recorder.on_any_event(event)
        started = time.monotonic()
        assert recorder.wait_for_burst(stop, quiet=quiet, settled=0.01)
        assert recorder.take() == {"posts/ada/2026-03-01-x.md"}
        return time.monotonic() - started

    assert waited(FileModifiedEvent(post_file), FileClosedEvent(post_file), quiet=20) < 10
    assert waited(FileCreatedEvent(temp), FileClosedEvent(temp), FileMovedEvent(temp, post_file), quiet=20) < 10
    assert waited(FileModifiedEvent(post_file), quiet=0.3) >= 0.3
    assert waited(FileMovedEvent(post_file, post_file + "~"), quiet=0.3) >= 0.3
    assert waited(FileModifiedEvent(post_file), FileClosedEvent("/site/public/index.html"), quiet=0.3) >= 0.3


def test_the_watcher_hears_a_file_closed_after_writing(tmp_path: Path) -> None:
    """On Linux the system says when a file written in place is closed: that is what ends a save early."""
    root = write_site(tmp_path / "site", SITE)
    recorder = ChangeRecorder(str(root))
    watcher = Watcher(recorder)
    watcher.start()
    try:
        time.sleep(0.1)
        with (root / POST).open("a", encoding="utf-8") as f:
            f.write("More words.\n")
            f.flush()
            assert recorder.event.wait(5)
            recorder.event.clear()
            assert not recorder.settled  # written, not closed yet
        assert recorder.event.wait(5)
        deadline = time.monotonic() + 5
        while not recorder.settled and time.monotonic() < deadline:
            time.sleep(0.01)
        assert recorder.settled
    finally:
        watcher.stop()


# -- the command ---------------------------------------------------------------------------------


def test_a_taken_port_is_a_usage_error_with_a_free_port_suggested(site_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", str(site_root), "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in err
    assert re.search(r"hint: .*blogkit serve --port \d+", err)


def test_serve_without_a_site_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path), "--port", "0"]) == 2
    assert "no blogkit.yaml" in capsys.readouterr().err


@contextmanager
def serve_command(root: Path, *args: str, patient: bool = False) -> Iterator[tuple[int, list[str]]]:
    """`blogkit serve` in a process of its own: (its port, its lines up to the first build's), then Ctrl-C.
    `patient`: press Ctrl-C again if the first is not heard within a few seconds (a Ctrl-C that lands
    while the first build's search index and workers start can go unheard: a gap of its own)."""
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from blogkit.commands.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    process = subprocess.Popen(
        [sys.executable, "-c", code, "serve", str(root), "--port", "0", "-j", "1", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its workers with it: whatever is left running at the end is stopped, never waited for
    )
    assert process.stderr is not None
    lines: list[str] = []
    port = ""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line.rstrip("\n"))
        if match := re.search(r"serving http://127\.0\.0\.1:(\d+)/", line):
            port = match.group(1)  # printed before the first build
        if "blogkit: showing" in line and port:  # the line after the first build's
            break
    else:
        process.kill()
        raise AssertionError("\n".join(lines))
    try:
        yield int(port), lines
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=5 if patient else DEADLINE)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=DEADLINE)
        finally:
            # A worker forked in the moment of the Ctrl-C can outlive serve, holding its stderr: stopped here,
            # so that reading the rest of stderr ends (the server's own exit is what this asserts).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        _, rest = process.communicate(timeout=DEADLINE)
        assert process.returncode == 0
        assert "Traceback" not in rest and "blogkit: stopped" in rest, rest


def _get_port(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_ctrl_c_stops_the_server_cleanly(site_root: Path) -> None:
    with serve_command(site_root) as (port, _):
        assert _get_port(port, "/")[0] == 200


def test_the_new_post_is_visible_in_the_preview_drafts_and_scheduled_posts_are_shown_marked_by_default(tmp_path: Path) -> None:
    """`blogkit new post` wrote a draft, and `serve` (without --drafts) answered its URL with a 404."""
    root = write_site(
        tmp_path / "site",
        {
            POST: post("title: Hello\ndraft: true\ntags: [x]", "Draftword.\n"),
            "posts/ada/2026-03-02-shipped.md": post("title: Shipped\ntags: [x]"),
            "posts/ada/2031-01-01-later.md": post("title: Later\ntags: [x]"),
        },
    )
    with serve_command(root, patient=True) as (port, lines):
        assert "with drafts and scheduled posts included, marked" in lines[0]
        assert "blogkit: showing 1 draft and 1 scheduled post, marked; --no-drafts shows what will ship" in lines
        status, page = _get_port(port, POST_URL)
        assert status == 200 and b"Preview only" in page and b"badge--draft" in page
        assert _get_port(port, "/2031/01/later/")[0] == 200
        for listing in ("/", "/authors/ada/", "/tags/x/", "/archive/"):
            html = _get_port(port, listing)[1].decode()
            assert ">Draft</span>" in html and ">Scheduled</span>" in html, listing
        for feed in ("/feed.xml", "/rss.xml", "/feed.json", "/authors/ada/feed.xml", "/tags/x/feed.json"):
            data = _get_port(port, feed)[1]
            assert b"Shipped" in data and b"Hello" not in data and b"Later" not in data, feed
    with serve_command(root, "--no-drafts", patient=True) as (port, lines):
        assert "blogkit: showing what will ship: no drafts, no scheduled posts (left out: 1 draft and 1 scheduled post)" in lines
        assert _get_port(port, POST_URL)[0] == 404
        assert _get_port(port, "/2031/01/later/")[0] == 404
    with serve_command(root, "--drafts", "--future", patient=True) as (port, lines):
        assert _get_port(port, POST_URL)[0] == 200, "--drafts and --future are still accepted"


def test_a_no_op_save_of_a_post_with_an_alias_bomb_rebuilds_at_once(tmp_path: Path) -> None:
    """serve: comparing the old and new values of a post is linear in what the post holds, aliases and all."""
    bomb = "title: Bomb\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for n, name in enumerate("bcdefghij"):
        bomb += f"  {name}: &{name} [" + ", ".join([f"*{'abcdefghij'[n]}"] * 10) + "]\n"
    root = tmp_path / "site"
    (root / "authors").mkdir(parents=True)
    (root / "posts" / "ada").mkdir(parents=True)
    (root / "blogkit.yaml").write_text("title: T\nbase_url: https://hub.example/\n")
    (root / "authors" / "ada.yaml").write_text("name: Ada\n")
    target = root / "posts" / "ada" / "2026-01-01-bomb.md"
    target.write_text(f"---\n{bomb}---\nText.\n")
    with serving(root) as server:
        target.write_text(f"---\n{bomb}---\nText.\n")  # the same text, saved again: a new file for the memo
        done = threading.Event()
        worker = threading.Thread(target=lambda: (server.rebuild({"posts/ada/2026-01-01-bomb.md"}), done.set()), daemon=True)
        worker.start()
        assert done.wait(60), "the rebuild never finished"
        assert server.live.snapshot.built


def test_a_client_trickling_its_request_is_cut_off(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """serve: a client sending a byte every few seconds (slowloris) loses its connection at the deadline."""
    monkeypatch.setattr("blogkit.serve.httpd.REQUEST_SECONDS", 1.0)
    with serving(site_root) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(b"GET / HTTP/1.0\r\n")
            cut = False
            for _ in range(10):
                time.sleep(0.4)
                try:
                    s.sendall(b"X: y\r\n")
                    if s.recv(1, socket.MSG_DONTWAIT) == b"":
                        cut = True
                        break
                except BlockingIOError:
                    continue
                except OSError:
                    cut = True
                    break
        assert cut, "the connection stayed open past the deadline"
        assert get(server, "/")[0] == 200


LISTING_BODIES = {  # a post page that shows the text of each post it lists, as `p` or by rebinding `post`
    "p": "{% for p in related|list + more_by|list %}<div class=more>{{ p.html|safe }}</div>{% endfor %}",
    "post": "{% for post in related|list + more_by|list %}<div class=more>{{ post.html|safe }}</div>{% endfor %}",
}


@pytest.mark.parametrize("shown", [None, "p", "post"])
def test_an_edit_of_a_posts_text_renders_again_the_other_post_pages_listing_it_only_where_they_show_its_text(
    site_root: Path, shown: str | None
) -> None:
    """The second post's page lists the first (a related post, or another of its author's) by title: an edit
    of the first one's text leaves it as it is, unless its template shows the text of the posts it lists."""
    files: dict[str, str] = {}
    if shown:
        body = "{{ post.html|safe }}" + LISTING_BODIES[shown]
        files["templates/post.html"] = "{% extends 'base.html' %}{% block content %}" + body + "{% endblock %}\n"
    write_site(site_root, files, base=False)
    session = Session(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False))
    session.build(set())
    write_site(site_root, {POST: post("title: Hello\ntags: [k8s, storage]", "First words.\n\nEdited words.\n")}, base=False)
    served = session.build({POST})  # a paragraph added: the summary stays, which cards show
    assert session.patched
    second = _contents(served)["2026/03/second/index.html"]
    assert isinstance(second, bytes) and (b"Edited words." in second) == bool(shown)
    full = _contents(build_site(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True))
    assert _without_index(_contents(served)) == _without_index(full)  # the index is made once things are calm
    if not shown:  # the post's own page and what shows its text (the hub's feeds); not the second post's page
        assert served.stats.rendered <= 4, served.stats


def test_a_page_left_as_it_was_by_one_edit_shows_it_when_a_later_edit_renders_it_again(site_root: Path) -> None:
    """The second post's page lists the first by title: an edit of the first one's text leaves that page as it
    was (its route keeps the post as it was), and a later edit of its title renders it with both edits."""
    session = Session(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False))
    session.build(set())
    edits = [("Hello", "First words.\n\nA second paragraph.\n"), ("Hello again", "First words.\n\nA second paragraph.\n")]
    for title, body in edits:
        write_site(site_root, {POST: post(f"title: {title}\ntags: [k8s, storage]", body)}, base=False)
        served = session.build({POST})
        assert session.patched
        full = _contents(build_site(str(site_root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True))
        assert _without_index(_contents(served)) == _without_index(full)
    second = _contents(served)["2026/03/second/index.html"]
    assert isinstance(second, bytes) and b"Hello again" in second
