"""`blogkit fetch`: engineers' own blogs from a loopback server this test starts, never the network.

The catalogue's AGG entries by id: bounded requests (AGG-01), what is not a feed (AGG-02), hostile
HTML and URLs (AGG-03), XML entities (AGG-04).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from blogkit.core.diagnostics import Report
from blogkit.core.model import Author
from blogkit.fetch.client import FetchLimits
from blogkit.fetch.outside import feeds_folder, fetch_feeds
from conftest import build, run_cli, write_site

LIMITS = FetchLimits(connect_seconds=2, read_seconds=0.5, total_seconds=2, max_bytes=256 * 1024, max_redirects=3)


def atom(*entries: str, title: str = "Ada's blog") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:ada</id><updated>2026-03-01T00:00:00Z</updated>{''.join(entries)}</feed>"
    ).encode()


def entry(n: int, *, tags: tuple[str, ...] = ("go",), content: str = "<p>Text.</p>", link: str = "", title: str = "") -> str:
    categories = "".join(f'<category term="{t}"/>' for t in tags)
    return (
        f"<entry><id>urn:ada:{n}</id><title>{title or f'Post {n}'}</title>"
        f'<link href="{link or f"/posts/{n}/"}"/><published>2026-02-{n:02d}T10:00:00Z</published>'
        f'<updated>2026-02-{n:02d}T10:00:00Z</updated>{categories}<content type="html">{content}</content></entry>'
    )


HOSTILE = atom(
    entry(
        1,
        title="Item &lt;img src=x onerror=alert(1)&gt;",
        content=(
            "&lt;p onclick='x()' id='config' style='color:red'&gt;Hi &lt;a href='javascript:alert(1)'&gt;j&lt;/a&gt; "
            "&lt;a href='/rel/'&gt;rel&lt;/a&gt;&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
            "&lt;form action='https://evil.example/'&gt;&lt;input name='password'&gt;&lt;/form&gt;"
            "&lt;iframe src='https://evil.example/'&gt;&lt;/iframe&gt;&lt;img src='https://track.example/p.gif'&gt;"
        ),
    ),
    entry(2, link="javascript:alert(2)"),
    title="T&lt;script&gt;alert(1)&lt;/script&gt;",
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&" + chr(97 + i).encode() + b";") * 10) for i in range(9))
    + b']><feed xmlns="http://www.w3.org/2005/Atom"><title>&j;</title></feed>'
)


def status(n: int, **fields: object) -> dict[str, object]:
    account = {"display_name": f"Reader {n}", "acct": f"reader{n}@example.social", "url": f"https://example.social/@reader{n}",
               "avatar": "https://track.example/a.png"}  # fmt: skip
    return {"id": str(n), "url": f"https://example.social/@reader{n}/{n}", "created_at": f"2026-03-0{n}T10:00:00.000Z",
            "visibility": "public", "content": f"<p>Reply {n}</p>", "account": account, **fields}  # fmt: skip


CONTEXT = {
    "ancestors": [],
    "descendants": [
        status(2),
        status(1, content="<p>First <script>alert(1)</script><a href='javascript:x()'>x</a></p>"),
        status(3, visibility="direct"),
        status(4, visibility="private"),
        status(5, url="javascript:alert(1)"),
    ],
}


def sky(n: int, text: str, *, replies: list[object] | None = None, handle: str = "") -> dict[str, object]:
    handle = handle or f"reader{n}.bsky.social"
    post = {"uri": f"at://did:plc:r{n}/app.bsky.feed.post/3k{n}", "author": {"handle": handle, "displayName": f"Sky {n}",
            "avatar": "https://track.example/a.png"}, "record": {"text": text, "createdAt": f"2026-03-0{n}T10:00:00.000Z"}}  # fmt: skip
    return {"$type": "app.bsky.feed.defs#threadViewPost", "post": post, "replies": replies or []}


BLUESKY_THREAD = {
    "thread": {
        **sky(1, "The post itself"),
        "replies": [
            sky(2, "Nice <script>alert(1)</script>\n\nSecond paragraph", replies=[sky(3, "A reply to a reply")]),
            {"$type": "app.bsky.feed.defs#blockedPost", "uri": "at://x/app.bsky.feed.post/1", "blocked": True},
            sky(4, "javascript:alert(1) as text is only text", handle="javascript:alert(1)"),
        ],
    }
}
GITHUB_COMMENTS = [
    {"html_url": "https://github.com/o/r/issues/5#issuecomment-1", "created_at": "2026-03-02T10:00:00Z",
     "user": {"login": "octo", "html_url": "https://github.com/octo"},
     "body_html": "<p>Agreed <img src='https://track.example/p.gif'> <a href='javascript:x()'>x</a></p>"},
    {"html_url": "javascript:alert(1)", "created_at": "2026-03-03T10:00:00Z", "user": {"login": "evil"}, "body_html": "<p>no</p>"},
]  # fmt: skip
GITHUB_DISCUSSION = {"data": {"repository": {"discussion": {"comments": {"nodes": [
    {"url": "https://github.com/o/r/discussions/7#discussioncomment-1", "createdAt": "2026-03-02T10:00:00Z",
     "bodyHTML": "<p>Question <iframe src='https://evil.example/'></iframe></p>", "author": {"login": "asker", "url": "https://github.com/asker"},
     "replies": {"nodes": [{"url": "https://github.com/o/r/discussions/7#discussioncomment-2", "createdAt": "2026-03-03T10:00:00Z",
                            "bodyHTML": "<p>Answer</p>", "author": {"login": "ada", "url": "https://github.com/ada"}}]}},
]}}}}}  # fmt: skip


WEBMENTIONS = {"type": "feed", "children": [
    {"type": "entry", "wm-property": "in-reply-to", "url": "https://blog.example/reply", "published": "2026-03-02T10:00:00+00:00",
     "author": {"name": "Blogger <b>B</b>", "url": "https://blog.example/", "photo": "https://track.example/me.png"},
     "content": {"html": "<p>My reply <script>alert(1)</script><img src='https://track.example/p.gif'></p>", "text": "My reply"}},
    {"type": "entry", "wm-property": "like-of", "url": "https://liker.example/like", "published": "2026-03-03T10:00:00+00:00",
     "author": {"name": "Liker"}},
    {"type": "entry", "wm-property": "mention-of", "wm-source": "https://other.example/post", "wm-received": "2026-03-04T10:00:00Z",
     "author": {"url": "https://other.example/"}, "content": {"text": "It mentions <you>"}},
    {"type": "entry", "wm-property": "in-reply-to", "wm-private": True, "url": "https://secret.example/",
     "published": "2026-03-05T10:00:00Z", "author": {"name": "Private"}, "content": {"text": "private"}},
]}  # fmt: skip


class Server:
    """A loopback HTTP server with the endpoints the tests need; it counts conditional requests."""

    def __init__(self) -> None:
        self.conditional = 0
        self.headers: list[dict[str, str]] = []  # of each API request
        self.body = atom(entry(1), entry(2, tags=("cooking",)), entry(3))
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path
                if path == "/ok.xml":
                    if self.headers.get("If-None-Match") == '"v1"':
                        outer.conditional += 1
                        self.send_response(304)
                        self.end_headers()
                        return
                    self.reply(outer.body, etag='"v1"')
                elif path == "/slow.xml":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/atom+xml")
                    self.end_headers()
                    self.wfile.write(b"<?xml")
                    self.wfile.flush()
                    time.sleep(5)
                elif path == "/huge.xml":
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(1024):
                            self.wfile.write(b"x" * 65536)
                    except OSError:
                        pass
                elif path == "/loop.xml":
                    self.send_response(302)
                    self.send_header("Location", "/loop.xml")
                    self.end_headers()
                elif path == "/to-file.xml":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                elif path == "/500.xml":
                    self.send_response(500)
                    self.end_headers()
                elif path == "/page.xml":
                    self.reply(b"<!DOCTYPE html><html><body><p>Not a feed</p></body></html>")
                elif path == "/garbage.xml":
                    self.reply(bytes(range(256)) * 10)
                elif path == "/hostile.xml":
                    self.reply(HOSTILE)
                elif path == "/laughs.xml":
                    self.reply(BILLION_LAUGHS)
                elif path == "/api/v1/statuses/111/context":
                    self.reply(json.dumps(CONTEXT).encode())
                elif path == "/api/v1/statuses/222/context":
                    self.reply(b"<html>not json</html>")
                elif path.startswith("/xrpc/app.bsky.feed.getPostThread?uri=at%3A%2F%2Fada.bsky.social%2Fapp.bsky.feed.post%2F3kabc"):
                    self.reply(json.dumps(BLUESKY_THREAD).encode())
                elif path.startswith("/api/mentions.jf2?target=https%3A%2F%2Fhub.example%2F2026%2F03%2Fhello%2F&"):
                    self.reply(json.dumps(WEBMENTIONS).encode())
                elif path == "/repos/o/r/issues/5/comments?per_page=100":
                    outer.headers.append(dict(self.headers))
                    self.reply(json.dumps(GITHUB_COMMENTS).encode())
                else:
                    self.send_response(404)
                    self.end_headers()

            def do_POST(self) -> None:
                outer.headers.append(dict(self.headers))
                query = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                if self.path == "/graphql" and query["variables"] == {"owner": "o", "name": "r", "number": 7}:
                    self.reply(json.dumps(GITHUB_DISCUSSION).encode())
                else:
                    self.send_response(400)
                    self.end_headers()

            def reply(self, body: bytes, etag: str = "") -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml")
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def author(handle: str, feed: str, **extra: object) -> Author:
    return replace(Author(handle, handle.title(), f"authors/{handle}.yaml", feed=feed), **extra)


def fetched(root: Path, handle: str) -> dict[str, object]:
    return json.loads((Path(feeds_folder(str(root))) / f"{handle}.json").read_text(encoding="utf-8"))


def warnings(report: Report) -> list[str]:
    return [d.message for d in report.warnings]


def test_a_profiles_feed_is_fetched_filtered_and_then_asked_for_conditionally(tmp_path: Path, server: Server) -> None:
    report = Report()
    ada = author("ada", f"{server.url}/ok.xml", feed_tags=("Go",))
    [result] = fetch_feeds(str(tmp_path), [ada], report, limits=LIMITS)
    assert result.status == "fetched" and result.entries == 2 and not report.diagnostics
    data = fetched(tmp_path, "ada")
    assert [e["id"] for e in data["entries"]] == ["urn:ada:3", "urn:ada:1"], "newest first; the cooking post is not engineering"  # type: ignore[index]
    assert data["entries"][0]["link"] == f"{server.url}/posts/3/"  # type: ignore[index]
    assert data["etag"] == '"v1"'
    [again] = fetch_feeds(str(tmp_path), [ada], report, limits=LIMITS)
    assert again.status == "unchanged" and again.entries == 2 and server.conditional == 1


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/slow.xml", "timed out"),
        ("/huge.xml", "larger than 256 KiB"),
        ("/loop.xml", "more than 3 redirects"),
        ("/to-file.xml", "is not an http or https URL"),
        ("/500.xml", "HTTP 500"),
    ],
)
def test_AGG_01_requests_are_bounded_and_a_failing_feed_keeps_the_last_copy(tmp_path: Path, server: Server, path: str, reason: str) -> None:
    report = Report()
    fetch_feeds(str(tmp_path), [author("ada", f"{server.url}/ok.xml")], report, limits=LIMITS)
    before = fetched(tmp_path, "ada")
    started = time.monotonic()
    results = fetch_feeds(
        str(tmp_path), [author("ada", f"{server.url}/ok.xml"), author("bo", f"{server.url}{path}")], report, limits=LIMITS
    )
    assert time.monotonic() - started < 10, "bounded: the test server would hold a request far longer"
    assert [r.status for r in results] == ["unchanged", "failed"], "one failing feed does not stop the others"
    assert any(reason in w for w in warnings(report)), warnings(report)
    [again] = fetch_feeds(str(tmp_path), [author("ada", f"{server.url}{path}")], report, limits=LIMITS)
    assert again.status == "failed" and again.entries == 3, "a feed that moved and fails keeps what the old address gave"
    assert fetched(tmp_path, "ada")["entries"] == before["entries"], "the last good copy stays on disk"


@pytest.mark.parametrize("path", ["/page.xml", "/garbage.xml"])
def test_AGG_02_what_is_not_a_feed_is_a_warning_and_keeps_the_last_copy(tmp_path: Path, server: Server, path: str) -> None:
    report = Report()
    ada = author("ada", f"{server.url}/ok.xml")
    fetch_feeds(str(tmp_path), [ada], report, limits=LIMITS)
    before = fetched(tmp_path, "ada")
    [result] = fetch_feeds(str(tmp_path), [author("ada", f"{server.url}{path}")], report, limits=LIMITS)
    assert result.status == "failed" and any("not a feed" in w for w in warnings(report)), warnings(report)
    assert fetched(tmp_path, "ada")["entries"] == before["entries"]


def test_AGG_03_hostile_html_and_urls_are_cleaned(tmp_path: Path, server: Server) -> None:
    report = Report()
    fetch_feeds(str(tmp_path), [author("ada", f"{server.url}/hostile.xml")], report, limits=LIMITS)
    entries = {e["id"]: e for e in fetched(tmp_path, "ada")["entries"]}  # type: ignore[union-attr]
    first, second = entries["urn:ada:1"], entries["urn:ada:2"]
    assert first["title"] == "Item", "markup in a title is text: the image is gone, not escaped into view"
    html = first["content_html"]
    for bad in ("<script", "alert(1)", "onclick", "javascript:", "<form", "<input", "<iframe", "id=", "style=", "track.example"):
        assert bad not in html, (bad, html)
    assert f'href="{server.url}/rel/"' in html and 'rel="nofollow ugc noopener"' in html, "relative links made absolute"
    assert "<a>j</a>" in html or (">j</a>" in html and "hostile.xml" not in html), "the javascript: link keeps its text, without a link"
    assert second["link"] == "", "a javascript: link is dropped, never published"


def test_AGG_04_feeds_declaring_entities_are_refused(tmp_path: Path, server: Server) -> None:
    report = Report()
    started = time.monotonic()
    [result] = fetch_feeds(str(tmp_path), [author("ada", f"{server.url}/laughs.xml")], report, limits=LIMITS)
    assert time.monotonic() - started < 5
    assert result.status == "failed" and any("declares XML entities" in w for w in warnings(report))
    assert not (Path(feeds_folder(str(tmp_path))) / "ada.json").exists()


def test_the_command_reports_at_the_profile_and_strict_fails(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(
        tmp_path / "site",
        {
            "authors/ada.yaml": f"name: Ada\nfeed: {server.url}/ok.xml\nfeed_tags: [go]\n",
            "authors/bo.yaml": f"name: Bo\nfeed: {server.url}/500.xml\n",
        },
    )
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0
    assert "authors/bo.yaml:2:7: warning: cannot fetch the feed of 'bo'" in err and "HTTP 500" in err
    assert "2 feeds: 1 fetched, 0 unchanged, 1 failed; 2 entries kept in" in err
    assert fetched(root, "ada")["entries"]
    code, _, err = run_cli(["fetch", str(root), "--strict"], capsys)
    assert code == 1


# -- what the build makes of the fetched folder ------------------------------------------------------


def page(result: object, name: str) -> str:
    return result.outputs.files[name].content.decode()  # type: ignore[attr-defined]


def write_fetched(root: Path, handle: str, entries: list[dict[str, object]]) -> None:
    folder = Path(feeds_folder(str(root)))
    folder.mkdir(parents=True, exist_ok=True)
    data = {"format": 1, "url": "https://ada.example.dev/atom.xml", "etag": "", "last_modified": "", "entries": entries}
    (folder / f"{handle}.json").write_text(json.dumps(data), encoding="utf-8")


def outside_entry(n: int, **fields: object) -> dict[str, object]:
    return {
        "id": f"urn:ada:{n}", "title": f"Outside {n}", "link": f"https://ada.example.dev/{n}/", "summary": f"Summary {n}.",
        "published": f"2026-02-{n:02d}T10:00:00+00:00", "updated": f"2026-02-{n:02d}T10:00:00+00:00",
        "content_html": "<p>Text.</p>", "tags": ["go"], **fields,
    }  # fmt: skip


SITE_WITH_FEED = {
    "authors/ada.yaml": "name: Ada Okafor\nfeed: https://ada.example.dev/atom.xml\n",
    "posts/ada/2026-03-01-hello.md": "---\ntitle: Hello\n---\nText.\n",
}


def test_fetched_posts_appear_on_the_hub_and_the_authors_page_linking_to_the_originals(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", SITE_WITH_FEED)
    write_fetched(root, "ada", [outside_entry(1), outside_entry(2)])
    result = build(root)
    assert not result.report.diagnostics
    hub = page(result, "index.html")
    assert hub.index("Outside 2") < hub.index("Outside 1"), "newest first"
    assert '<a class="elsewhere__title" href="https://ada.example.dev/2/" rel="nofollow ugc noopener">Outside 2</a>' in hub
    assert "on Ada Okafor’s blog" in hub
    author = page(result, "authors/ada/index.html")
    assert "On Ada Okafor’s own blog" in author and "Outside 1" in author
    assert "Outside" not in page(result, "2026/03/hello/index.html")


def test_a_site_without_fetched_data_builds_as_before(tmp_path: Path) -> None:
    result = build(write_site(tmp_path / "site", SITE_WITH_FEED))
    assert not result.report.diagnostics and 'class="elsewhere' not in page(result, "index.html")


def test_AGG_03_fetched_data_edited_by_hand_is_cleaned_again_when_built(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", SITE_WITH_FEED)
    hostile = outside_entry(
        1,
        title="<script>alert(1)</script>Hi <b>there</b>",
        summary="<img src=x onerror=alert(1)>Summary",
        content_html="<form><input name=password></form><p onclick=x()>t</p>",
    )
    write_fetched(root, "ada", [hostile, outside_entry(2, link="javascript:alert(1)"), outside_entry(3, published="yesterday")])
    result = build(root)
    hub = page(result, "index.html")
    for bad in ("<script>", "alert(1)", "onerror", "<form", "<input", "onclick", "javascript:"):
        assert bad not in hub, bad
    assert ">Hi there</a>" in hub and "Summary" in hub
    assert "Outside 2" not in hub and "Outside 3" not in hub, "no safe link, or no date: not shown"


def test_an_outside_post_that_is_one_of_the_hubs_own_is_shown_once(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", SITE_WITH_FEED)
    write_fetched(root, "ada", [outside_entry(1, link="https://hub.example/2026/03/hello/"), outside_entry(2)])
    hub = page(build(root), "index.html")
    assert "Outside 1" not in hub and "Outside 2" in hub


def test_a_fetched_file_that_is_not_one_is_a_warning_at_it(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", SITE_WITH_FEED)
    Path(feeds_folder(str(root))).mkdir(parents=True)
    (Path(feeds_folder(str(root))) / "ada.json").write_text("[1, 2]", encoding="utf-8")
    result = build(root)
    assert [f"{d.location.path}: {d.message}" for d in result.report.warnings] == [
        ".blogkit-fetched/feeds/ada.json: not a file `blogkit fetch` wrote (or one of another version)"
    ]


def test_outside_posts_are_entries_of_the_hub_and_author_feeds_with_their_content_only_when_allowed(tmp_path: Path) -> None:
    import feedparser

    root = write_site(tmp_path / "site", SITE_WITH_FEED)
    write_fetched(root, "ada", [outside_entry(1, content_html="<p>Whole <b>text</b>.</p>")])
    result = build(root)
    hub = feedparser.parse(result.outputs.files["feed.xml"].content)
    [elsewhere] = [e for e in hub.entries if e.link == "https://ada.example.dev/1/"]
    assert elsewhere.id == "urn:ada:1" and elsewhere.title == "Outside 1" and "content" not in elsewhere
    assert any(
        e.link == "https://ada.example.dev/1/" for e in feedparser.parse(result.outputs.files["authors/ada/feed.xml"].content).entries
    )
    (root / "authors" / "ada.yaml").write_text("name: Ada Okafor\nfeed: https://ada.example.dev/atom.xml\nfeed_content: full\n")
    result = build(root)
    hub = feedparser.parse(result.outputs.files["feed.xml"].content)
    [elsewhere] = [e for e in hub.entries if e.link == "https://ada.example.dev/1/"]
    assert elsewhere.content[0].value == "<p>Whole <b>text</b>.</p>"
    author_feed = feedparser.parse(result.outputs.files["authors/ada/feed.xml"].content)
    assert all("content" not in e for e in author_feed.entries), "author feeds carry summaries (feeds.full_content)"


def test_build_with_fetch_fetches_then_builds(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path / "site", {**SITE_WITH_FEED, "authors/ada.yaml": f"name: Ada Okafor\nfeed: {server.url}/ok.xml\n"})
    code, _, err = run_cli(["build", str(root), "--fetch", "-o", str(tmp_path / "out")], capsys)
    assert code == 0 and "1 feed: 1 fetched" in err
    assert "Post 3" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    (root / "authors" / "ada.yaml").write_text(f"name: Ada Okafor\nfeed: {server.url}/500.xml\n")

    # One engineer's blog down stopped the hub: `build --fetch --strict` exited 1 and built nothing.
    code, _, err = run_cli(["build", str(root), "--fetch", "--strict", "-o", str(tmp_path / "strict")], capsys)
    assert code == 0, err
    assert "authors/ada.yaml:2:7: warning: " in err and "HTTP 500" in err, "the failed fetch is reported at the profile"
    assert "1 feed: 0 fetched, 0 unchanged, 1 failed" in err
    assert "Post 3" in (tmp_path / "strict" / "index.html").read_text(encoding="utf-8"), "the last copy is kept and built"
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "HTTP 500" in err, "`blogkit fetch` reports a failure; only --strict makes it exit 1"
    assert run_cli(["fetch", str(root), "--strict"], capsys)[0] == 1


def test_whatever_stops_a_build_says_so_in_its_last_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_site(tmp_path / "site", {"posts/ada/2026-03-01-a.md": "---\ntitle: A\ntgas: [x]\n---\nText.\n"})
    code, _, err = run_cli(["build", str(root), "--strict", "--fetch"], capsys)
    assert code == 1 and err.splitlines()[-1] == "blogkit: nothing was published: 1 warning, errors under --strict"
    code, _, err = run_cli(["check", str(root), "--strict"], capsys)
    assert code == 1 and err.splitlines()[-1] == "blogkit: 1 warning, errors under --strict: nothing would be published"
    (root / "posts/ada/2026-03-01-b.md").write_text("---\ntags: [x]\n---\n")
    code, _, err = run_cli(["check", str(root)], capsys)
    assert code == 1 and err.splitlines()[-1] == "blogkit: 1 error, 1 warning: nothing would be published"
    (root / "blogkit.yaml").write_text("title: T\nbase_url: https://hub.example/\ntheem: dark\n")
    for command in (["build", str(root)], ["build", str(root), "--fetch"]):
        code, _, err = run_cli(command, capsys)
        assert code == 2 and err.splitlines()[-1] == "blogkit: nothing was published: 1 error in blogkit.yaml", command
    code, _, err = run_cli(["check", str(root)], capsys)
    assert code == 2 and err.splitlines()[-1] == "blogkit: 1 error in blogkit.yaml: nothing would be published"


def test_replies_to_a_fediverse_thread_are_fetched_and_shown_under_the_post(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    thread = f"{server.url}/@ada/111"
    config = "title: Hub\nbase_url: https://hub.example/\ndiscussion:\n  replies: true\n"
    root = write_site(
        tmp_path / "site",
        {
            "blogkit.yaml": config,
            "posts/ada/2026-03-01-hello.md": f"---\ntitle: Hello\ndiscussion: {thread}\n---\nText.\n",
            "posts/ada/2026-03-02-broken.md": f"---\ntitle: Broken\ndiscussion: {server.url}/@ada/222\n---\nText.\n",
        },
    )
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "0 feeds and 2 threads: 1 fetched, 0 unchanged, 1 failed; 0 entries and 2 replies kept in" in err, err
    assert "posts/ada/2026-03-02-broken.md: warning: cannot fetch the replies of" in err and "not a thread's replies" in err
    html = build(root).outputs.files["2026/03/hello/index.html"].content.decode()  # type: ignore[union-attr]
    assert '<h3 class="replies__title" id="replies-title">2 replies</h3>' in html
    assert html.index("Reply 2") > html.index("First"), "oldest first"
    for bad in ("alert(1)", "javascript:", "track.example", "Reply 3", "Reply 4"):
        assert bad not in html, bad
    assert 'href="https://example.social/@reader1"' in html and ">R</span>" in html, (
        "the author, linked, with an initial and no remote avatar"
    )
    (root / "blogkit.yaml").write_text("title: Hub\nbase_url: https://hub.example/\n")
    html = build(root).outputs.files["2026/03/hello/index.html"].content.decode()  # type: ignore[union-attr]
    assert "replies__title" not in html, "replies are shown only when the site asks for them"


def test_replies_from_bluesky_and_github_are_fetched_cleaned_and_shown(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from blogkit.fetch import replies

    monkeypatch.setattr(replies, "BLUESKY_API", f"{server.url}/xrpc/app.bsky.feed.getPostThread")
    monkeypatch.setattr(replies, "GITHUB_API", server.url)
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    threads = {
        "sky": "https://bsky.app/profile/ada.bsky.social/post/3kabc",
        "issue": "https://github.com/o/r/issues/5",
        "discussion": "https://github.com/o/r/discussions/7",
    }
    files = {"blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\ndiscussion:\n  replies: true\n"}
    for day, (name, url) in enumerate(threads.items(), start=1):
        files[f"posts/ada/2026-03-0{day}-{name}.md"] = f"---\ntitle: {name}\ndiscussion: {url}\n---\nText.\n"
    root = write_site(tmp_path / "site", files)
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "3 threads: 3 fetched" in err, err
    assert [h.get("Authorization") for h in server.headers] == ["Bearer t0ken", "Bearer t0ken"]
    assert server.headers[0]["Accept"] == "application/vnd.github.html+json", "GitHub renders the comments' Markdown"
    pages = {name: build(root).outputs.files[f"2026/03/{name}/index.html"].content.decode() for name in threads}  # type: ignore[union-attr]
    sky = pages["sky"]
    assert ">3 replies</h3>" in sky, "a reply to a reply counts; a blocked post does not"
    assert "Second paragraph" in sky and "A reply to a reply" in sky and "The post itself" not in sky
    assert 'href="https://bsky.app/profile/reader2.bsky.social/post/3k2"' in sky
    assert "&lt;script&gt;" in sky and "<script>alert" not in sky, "Bluesky's text is text"
    assert 'href="javascript:' not in sky and "track.example" not in sky
    issue = pages["issue"]
    assert ">1 reply</h3>" in issue and "Agreed" in issue and "track.example" not in issue and "javascript:" not in issue
    discussion = pages["discussion"]
    assert ">2 replies</h3>" in discussion and "Answer" in discussion and "evil.example" not in discussion


def test_github_discussions_without_a_token_are_a_warning(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from blogkit.fetch import replies

    monkeypatch.setattr(replies, "GITHUB_API", server.url)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    files = {
        "blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\ndiscussion:\n  replies: true\n",
        "posts/ada/2026-03-01-d.md": "---\ntitle: D\ndiscussion: https://github.com/o/r/discussions/7\n---\nText.\n",
    }
    root = write_site(tmp_path / "site", files)
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0, err
    assert "posts/ada/2026-03-01-d.md: warning: cannot fetch the replies of https://github.com/o/r/discussions/7" in err
    assert "set GITHUB_TOKEN" in err and not server.headers, "nothing is asked without a token"


def test_check_reports_fetched_data_older_than_the_configured_age(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_site(
        tmp_path / "site",
        {
            "blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\nfetch:\n  max_age_days: 3\n",
            "authors/ada.yaml": f"name: Ada Okafor\nfeed: {server.url}/ok.xml\n",
            "authors/bo.yaml": f"name: Bo\nfeed: {server.url}/never.xml\n",
        },
    )
    code, _, err = run_cli(["check", str(root)], capsys)
    assert "authors/ada.yaml: warning: the feed of 'ada' has never been fetched" in err
    assert "hint: run `blogkit fetch` to download it (and on a schedule in CI: docs/ci.md)" in err and "max_age_days" not in err
    run_cli(["fetch", str(root)], capsys)
    checked = json.loads((root / ".blogkit-fetched" / "checked.json").read_text())["checked"]
    assert set(checked) == {"feeds/ada.json"}, "a failed fetch is not a check"
    _, _, err = run_cli(["check", str(root)], capsys)
    assert "'ada'" not in err and "authors/bo.yaml: warning: the feed of 'bo' has never been fetched" in err
    checked["feeds/ada.json"] = "2020-01-01T00:00:00+00:00"
    (root / ".blogkit-fetched" / "checked.json").write_text(json.dumps({"format": 1, "checked": checked}))
    code, _, err = run_cli(["check", str(root), "--strict"], capsys)
    assert code == 1 and "authors/ada.yaml: warning: the feed of 'ada' was last fetched" in err
    (root / "blogkit.yaml").write_text("title: Hub\nbase_url: https://hub.example/\nfetch:\n  max_age_days: 0\n")
    _, _, err = run_cli(["check", str(root)], capsys)
    assert "last fetched" not in err and "never been fetched" not in err, "0: never"


def test_webmentions_received_by_a_service_are_fetched_and_shown_as_replies(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (
        "title: Hub\nbase_url: https://hub.example/\ndiscussion:\n  replies: true\n  webmentions:\n"
        f"    endpoint: https://webmention.io/hub.example/webmention\n    api: {server.url}/api/mentions.jf2\n"
    )
    root = write_site(tmp_path / "site", {"blogkit.yaml": config, "posts/ada/2026-03-01-hello.md": "---\ntitle: Hello\n---\nText.\n"})
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "1 thread: 1 fetched" in err, err
    html = build(root).outputs.files["2026/03/hello/index.html"].content.decode()  # type: ignore[union-attr]
    assert '<link rel="webmention" href="https://webmention.io/hub.example/webmention">' in html
    assert ">2 replies</h3>" in html, "a reply and a mention; not the like, not the private one"
    assert "My reply" in html and "It mentions &lt;you&gt;" in html and ">Blogger B</a>" in html, "names are text"
    assert 'href="https://other.example/"' in html, "an author without a name is named by their site"
    for bad in ("alert(1)", "track.example", "Liker", "private"):
        assert bad not in html, bad


def test_webmentions_need_an_api_unless_the_service_is_webmention_io(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = "title: Hub\nbase_url: https://hub.example/\ndiscussion:\n  webmentions:\n    endpoint: https://mentions.example/in\n"
    root = write_site(tmp_path / "site", {"blogkit.yaml": config})
    code, _, err = run_cli(["build", str(root), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and "blogkit.yaml:5:15: error: webmentions need an `api` to read them from" in err, err
