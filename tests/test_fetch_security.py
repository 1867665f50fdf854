"""What other websites and hand-edited `.blogkit-fetched/` files can make `fetch`, `build` and `check` do.

Each regression test is named after the attack it pins; servers are loopback servers this test
starts. The property test at the end feeds hostile structures through all three commands and
asks only that none of them ends with a traceback (exit code 4).
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blogkit.load.outside import feeds_folder, replies_file
from conftest import run_cli, write_site

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
JSON_FEED = "application/feed+json"


class Server:
    """A loopback server answering each path with the (body, content type, extra headers) a test sets."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[bytes, str, dict[str, str]]] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path not in outer.answers:
                    self.send_response(404)
                    self.end_headers()
                    return
                body, kind, headers = outer.answers[self.path]
                self.send_response(int(headers.get("status", "200")))
                self.send_header("Content-Type", kind)
                for name, value in headers.items():
                    if name != "status":
                        self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path: str, body: bytes, kind: str = "application/atom+xml", **headers: str) -> str:
        self.answers[path] = (body, kind, headers)
        return f"{self.url}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def atom_entry(n: int, title: str = "", link: str = "", published: str = "") -> str:
    return (
        f'<entry><id>urn:ada:{n}</id><title>{title or f"Post {n}"}</title><link href="{link or f"/posts/{n}/"}"/>'
        f'<published>{published or f"2026-02-{n:02d}T10:00:00Z"}</published><content type="html">&lt;p&gt;Text.&lt;/p&gt;</content></entry>'
    )


def atom(*entries: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Ada</title><id>urn:ada</id><updated>2026-03-01T00:00:00Z</updated>{''.join(entries)}</feed>"
    )


def profile_site(root: Path, feed: str, **files: str) -> Path:
    return write_site(root, {"authors/ada.yaml": f"name: Ada Okafor\nfeed: {feed}\n", **files})


def fetched_feed(root: Path) -> Path:
    return Path(feeds_folder(str(root))) / "ada.json"


def built_texts(out: Path) -> dict[str, str]:
    kinds = (".html", ".xml", ".json", ".opml", ".txt")
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.suffix in kinds}


# -- 1. XML entities anywhere in the document, in any encoding feedparser decodes --------------------

DOCTYPE = '<!DOCTYPE feed [<!ENTITY big "' + "x" * 1000 + '">]>'
LATE_ENTITIES = atom(atom_entry(1, title="&big;" * 100), prolog="<!--" + " " * 70000 + "-->" + DOCTYPE)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(LATE_ENTITIES.encode(), id="after-a-70-KB-comment"),
        pytest.param(LATE_ENTITIES.replace("utf-8", "utf-16").encode("utf-16"), id="utf-16"),
        pytest.param(LATE_ENTITIES.replace("utf-8", "utf-32").encode("utf-32"), id="utf-32"),
        pytest.param(LATE_ENTITIES.replace("utf-8", "unicode_escape").replace("<!ENTITY", "\\x3c!ENTITY").encode(), id="unicode-escape"),
    ],
)
def test_entity_declarations_anywhere_and_in_any_encoding_are_refused(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str], body: bytes
) -> None:
    root = profile_site(tmp_path / "site", server.answer("/laughs.xml", body))
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0, err
    assert f"authors/ada.yaml:2:7: warning: cannot fetch the feed of 'ada' ({server.url}/laughs.xml): it declares XML entities" in err
    assert not fetched_feed(root).exists(), "nothing was expanded into the fetched folder"
    assert run_cli(["fetch", str(root), "--strict", "-q"], capsys)[0] == 1


# -- 2. control characters ------------------------------------------------------------------------

BELL_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Ada\x07",
    "items": [
        {"id": "1\x00", "url": "https://ada.example.dev/\x1b1/", "title": "Bell\x07 \x1b[31mred\x1b[0m \x85next \x9fend",
         "summary": "Sum\x01mary\x0b", "content_html": "<p>T\x07ext &#7; &#x1b;[2J</p>", "tags": ["go\x1b"],
         "date_published": "2026-02-01T10:00:00Z", "authors": [{"name": "Ada\x07"}]},
    ],
}  # fmt: skip
BELL_CONTEXT = {
    "descendants": [
        {"url": "https://example.social/@r/1\x07", "created_at": "2026-03-02T10:00:00Z", "visibility": "public",
         "content": "<p>Re\x1b[31mply\x07</p>", "account": {"display_name": "Rea\x07der\x1b", "url": "https://example.social/@r"}},
    ]
}  # fmt: skip


def test_control_characters_from_a_feed_and_its_replies_reach_no_built_file(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = server.answer("/bell.json", json.dumps(BELL_FEED).encode(), JSON_FEED)
    server.answer("/api/v1/statuses/111/context", json.dumps(BELL_CONTEXT).encode(), "application/json")
    config = "title: Hub\nbase_url: https://hub.example/\ntimezone: UTC\ndiscussion:\n  replies: true\n"
    post = f"---\ntitle: Hello\ndiscussion: {server.url}/@ada/111\n---\nText.\n"
    root = profile_site(tmp_path / "site", feed, **{"blogkit.yaml": config, "posts/ada/2026-03-01-hello.md": post})
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "1 feed and 1 thread: 2 fetched" in err, err
    for path in (root / ".blogkit-fetched").rglob("*.json"):
        assert not CONTROLS.search(json.loads(path.read_text(encoding="utf-8")).__repr__().encode().decode("unicode_escape")), path
    entry = json.loads(fetched_feed(root).read_text(encoding="utf-8"))["entries"][0]
    assert entry["title"] == "Bell [31mred[0m next end" and entry["link"] == "https://ada.example.dev/1/"
    code, _, err = run_cli(["build", str(root), "-o", str(tmp_path / "out"), "-q"], capsys)
    assert code == 0, err
    texts = built_texts(tmp_path / "out")
    assert "Bell [31mred" in texts["index.html"] and "Rea" in texts["2026/03/hello/index.html"]
    assert not [(name, m.group()) for name, text in texts.items() if (m := CONTROLS.search(text))]


def test_control_characters_written_into_the_fetched_folder_by_hand_reach_no_built_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = profile_site(tmp_path / "site", "https://ada.example.dev/atom.xml")
    entry = {
        "id": "urn:\x07", "title": "Hand\x07 \x1b]0;title\x07edited", "link": "https://ada.example.dev/\x001/", "summary": "S\x1b[2J",
        "published": "2026-02-01T10:00:00+00:00", "updated": "2026-02-01T10:00:00+00:00", "content_html": "<p>x\x08&#x9b;y</p>",
        "tags": ["t\x7f"],
    }  # fmt: skip
    fetched_feed(root).parent.mkdir(parents=True)
    fetched_feed(root).write_text(json.dumps({"format": 1, "url": "https://ada.example.dev/atom.xml", "entries": [entry]}))
    code, _, err = run_cli(["build", str(root), "-o", str(tmp_path / "out"), "-q"], capsys)
    assert code == 0, err
    texts = built_texts(tmp_path / "out")
    assert "Hand ]0;titleedited" in texts["index.html"]
    assert not [(name, m.group()) for name, text in texts.items() if (m := CONTROLS.search(text))]


# -- 3. JSON Feed ---------------------------------------------------------------------------------

JSON_FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Ada's blog",
    "home_page_url": "https://ada.example.dev/",
    "items": [
        {"id": 2, "url": "/posts/2/", "title": "Two <b>bold</b> & more", "content_html": "<p>Hi <script>alert(1)</script>"
         "<a href='javascript:alert(1)'>j</a> <a href='/rel/'>rel</a><img src='https://track.example/p.gif'></p>",
         "summary": "A <summary>", "date_published": "2026-02-02T10:00:00+01:00", "date_modified": "2026-02-03T10:00:00Z",
         "tags": ["go", 5, "rust"], "authors": [{"name": "Ada"}], "image": "https://track.example/i.png"},
        {"id": "urn:ada:1", "url": "https://ada.example.dev/posts/1/", "title": "One", "content_text": "Line <one>\n\nPara two",
         "date_published": "2026-02-01T10:00:00Z"},
        {"id": "js", "url": "javascript:alert(1)", "title": "No link", "content_text": "x", "date_published": "2026-02-04T10:00:00Z"},
        {"id": "late", "url": "/late/", "title": "Overflow", "date_published": "9999-12-31T23:00:00-05:00"},
        {"id": "future", "url": "/future/", "title": "Future", "date_published": "2030-01-01T00:00:00Z"},
        "not an item",
    ],
}  # fmt: skip
JSON_FEED_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Ada's old blog",
    "items": [{"id": "a", "url": "https://ada.example.dev/a/", "title": "Old", "content_html": "<p>Old</p>",
               "date_published": "2026-01-05T00:00:00Z", "author": {"name": "Ada"}}],
}  # fmt: skip


def test_json_feeds_1_1_and_1_0_are_read_and_cleaned_like_atom(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    root = profile_site(tmp_path / "site", server.answer("/feed.json", json.dumps(JSON_FEED_11).encode(), JSON_FEED))
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "1 feed: 1 fetched, 0 unchanged, 0 failed; 3 entries kept" in err, err
    assert (
        "authors/ada.yaml:2:7: warning: 1 entry of the feed of 'ada' left out: a date that cannot be read, or outside the years 2 to 9998"
    ) in err
    entries = {e["id"]: e for e in json.loads(fetched_feed(root).read_text(encoding="utf-8"))["entries"]}
    assert list(entries) == ["js", "2", "urn:ada:1"], "newest first; the overflowing and future ones are left out"
    two = entries["2"]
    assert two["title"] == "Two <b>bold</b> & more", "a JSON Feed title is text: its markup is kept as text"
    assert two["link"] == f"{server.url}/posts/2/" and two["published"] == "2026-02-02T09:00:00+00:00"
    assert two["updated"] == "2026-02-03T10:00:00+00:00" and two["summary"] == "A <summary>" and two["tags"] == ["go", "rust"]
    for bad in ("<script", "alert(1)", "javascript:", "track.example"):
        assert bad not in two["content_html"], bad
    assert f'href="{server.url}/rel/"' in two["content_html"] and 'rel="nofollow ugc noopener"' in two["content_html"]
    assert entries["urn:ada:1"]["content_html"] == "<p>Line &lt;one&gt;</p><p>Para two</p>", "content_text is text"
    assert entries["js"]["link"] == "", "a javascript: URL is dropped, as in Atom"
    code, _, err = run_cli(["build", str(root), "-o", str(tmp_path / "out"), "-q"], capsys)
    hub = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert code == 0 and ">Two bold &amp; more</a>" in hub and "No link" not in hub, "the build reads a title as text again: no tag"
    # JSON Feed 1.0, served as application/json; and one found by its first byte whatever its type says
    server.answer("/old.json", json.dumps(JSON_FEED_10).encode(), "application/json")
    server.answer("/typed-as-xml", b"\n " + json.dumps(JSON_FEED_10).encode(), "application/atom+xml")
    for path in ("/old.json", "/typed-as-xml"):
        (root / "authors" / "ada.yaml").write_text(f"name: Ada Okafor\nfeed: {server.url}{path}\n")
        code, _, err = run_cli(["fetch", str(root)], capsys)
        entries = json.loads(fetched_feed(root).read_text(encoding="utf-8"))["entries"]
        assert code == 0 and [e["title"] for e in entries] == ["Old"], err


@pytest.mark.parametrize(
    "body, reason",
    [
        ("[" * 100_000 + "]" * 100_000, "not a feed (line 1, column 65: nested more than 64 deep)"),
        (
            '{"version": "https://jsonfeed.org/version/1.1", "items": [' + "1" * 5000 + "]}",
            "not a feed (line 1, column 59: a number of more than 4300 digits)",
        ),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "not a feed (a JSON Feed without a list of 'items')"),
        ('{"version": 1.1, "items": []}', "not a feed (JSON, but its 'version' is not https://jsonfeed.org/version/1.1"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": [}', "not a feed (line 1, column 59: not JSON: Expecting value)"),
    ],
)
def test_a_json_feed_nested_too_deep_or_malformed_is_a_located_warning(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str], body: str, reason: str
) -> None:
    root = profile_site(tmp_path / "site", server.answer("/bad.json", body.encode(), JSON_FEED))
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "Traceback" not in err, err
    assert f"authors/ada.yaml:2:7: warning: cannot fetch the feed of 'ada' ({server.url}/bad.json): it is {reason}" in err, err


# -- 4. extreme dates, deep nesting and wrong types in the fetched folder ---------------------------


def replies_site(thread: str) -> dict[str, str]:
    """A site showing replies, whose one post's thread is `thread` (on a loopback server: `fetch` asks it)."""
    return {
        "blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\ndiscussion:\n  replies: true\nfetch:\n  max_age_days: 3\n",
        "posts/ada/2026-03-01-hello.md": f"---\ntitle: Hello\ndiscussion: {thread}\n---\nText.\n",
    }


def entry(n: int, **fields: object) -> dict[str, object]:
    return {"id": f"urn:ada:{n}", "title": f"Outside {n}", "link": f"https://ada.example.dev/{n}/", "summary": "",
            "published": f"2026-02-0{n}T10:00:00+00:00", "updated": f"2026-02-0{n}T10:00:00+00:00", "content_html": "", "tags": [],
            **fields}  # fmt: skip


def write_folder(root: Path, thread: str, feed: object, replies: object, checked: object) -> None:
    files = (
        (fetched_feed(root), feed),
        (Path(replies_file(str(root), thread)), replies),
        (root / ".blogkit-fetched" / "checked.json", checked),
    )
    for path, data in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1), encoding="utf-8")


@pytest.mark.parametrize("command", ["build", "check", "fetch"])
def test_dates_past_the_calendars_ends_and_json_nested_100000_deep_are_located_warnings(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    feed = server.answer("/feed.xml", atom(atom_entry(1)).encode())
    thread = server.answer("/api/v1/statuses/111/context", b"{}", status="500").replace("/api/v1/statuses/111/context", "/@ada/111")
    root = profile_site(tmp_path / "site", feed, **replies_site(thread))
    entries = [entry(1, published="9999-12-31T23:00-05:00"), entry(2, updated="0001-01-01T00:00+01:00"), entry(3, title=["x"])]
    reply = {"url": "https://example.social/@r/1", "author": "R", "author_url": "", "date": "9999-12-31T23:00-05:00", "html": ""}
    checked = {"format": 1, "checked": {"feeds/ada.json": "0001-01-01T00:00+01:00"}}
    write_folder(root, thread, {"format": 1, "url": feed, "entries": entries}, {"format": 1, "url": thread, "replies": [reply]}, checked)
    args = [command, str(root)] + (["-o", str(tmp_path / "out")] if command == "build" else [])
    code, _, err = run_cli(args, capsys)
    assert code == 0 and "Traceback" not in err, err
    feed_file, replies_path = ".blogkit-fetched/feeds/ada.json", Path(replies_file(str(root), thread)).relative_to(root).as_posix()
    if command != "fetch":
        assert f"{feed_file}:10:17: warning: entry 1: 'published' '9999-12-31T23:00-05:00' is outside the years 2 to 9998" in err, err
        assert f"{feed_file}:21:15: warning: entry 2: 'updated' '0001-01-01T00:00+01:00' is outside the years 2 to 9998" in err
        assert f"{feed_file}:27:13: warning: entry 3: 'title' must be text, not a list" in err
        assert f"{replies_path}:9:12: warning: reply 1: 'date' '9999-12-31T23:00-05:00' is outside the years 2 to 9998" in err
    if command != "build":
        assert ".blogkit-fetched/checked.json:4:21: warning: when 'feeds/ada.json' was checked '0001-01-01T00:00+01:00' is outside" in err
    write_folder(
        root, thread, "[" * 100_000 + "]" * 100_000, "{" + '"a":{' * 100_000, '{"format": 1, "checked": {"x": ' + "9" * 5000 + "}}"
    )
    code, _, err = run_cli(args, capsys)
    assert code == 0 and "Traceback" not in err, err
    assert f"{feed_file}:1:65: warning: cannot read what was fetched: nested more than 64 deep" in err
    assert f"{replies_path}:1:321: warning: cannot read what was fetched: nested more than 64 deep" in err
    if command != "build":
        assert ".blogkit-fetched/checked.json:1:32: warning: cannot read what was fetched: a number of more than 4300 digits" in err


def test_servers_answers_that_broke_the_client_are_failures(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    """A redirect to a URL urllib cannot split, a Content-Length no integer holds, a hand-edited ETag
    with a line break, and replies dated past the calendar's end: each a warning, never exit 4."""
    server.answer("/bracket.xml", b"", status="302", Location="http://[::1/feed.xml")
    server.answer("/port.xml", b"", status="302", Location="http://127.0.0.1:99999999999/feed.xml")
    server.answer("/length.xml", atom(atom_entry(1)).encode(), **{"Content-Length": "\u00b2"})
    server.answer("/etag.xml", atom(atom_entry(1)).encode())
    server.answer("/api/v1/statuses/111/context", json.dumps({"descendants": [
        {"url": "https://example.social/@r/1", "created_at": "9999-12-31T23:00:00-05:00", "visibility": "public",
         "content": "<p>late</p>", "account": {"display_name": "Late"}},
        {"url": "https://example.social/@r/2", "created_at": "2026-03-02T10:00:00Z", "visibility": "public",
         "content": "<p>kept</p>", "account": {"display_name": ["wrong"], "acct": "kept@example.social"}},
    ]}).encode(), "application/json")  # fmt: skip
    for path, reason in (("/bracket.xml", "not a URL"), ("/port.xml", "is not an http or https URL")):
        root = profile_site(tmp_path / path.strip("/."), f"{server.url}{path}")
        code, _, err = run_cli(["fetch", str(root)], capsys)
        assert code == 0 and reason in err and "Traceback" not in err, err
    root = profile_site(tmp_path / "length", f"{server.url}/length.xml")
    assert run_cli(["fetch", str(root)], capsys)[0] == 0
    post = f"---\ntitle: Hello\ndiscussion: {server.url}/@ada/111\n---\nText.\n"
    config = "title: Hub\nbase_url: https://hub.example/\ndiscussion:\n  replies: true\n"
    root = profile_site(tmp_path / "etag", f"{server.url}/etag.xml", **{"blogkit.yaml": config, "posts/ada/2026-03-01-hello.md": post})
    fetched_feed(root).parent.mkdir(parents=True)
    old = {"format": 1, "url": f"{server.url}/etag.xml", "etag": '"v1"\r\nX-Injected: 1', "last_modified": ["x"], "entries": 7}
    fetched_feed(root).write_text(json.dumps(old))
    code, _, err = run_cli(["fetch", str(root)], capsys)
    assert code == 0 and "1 feed and 1 thread: 2 fetched" in err and "Traceback" not in err, err
    assert ".blogkit-fetched/feeds/ada.json: warning: not a file `blogkit fetch` wrote" in err, "entries that are no list"
    [kept] = json.loads(Path(replies_file(str(root), f"{server.url}/@ada/111")).read_text())["replies"]
    assert kept["author"] == "kept@example.social" and kept["date"] == "2026-03-02T10:00:00+00:00"


# -- the property: hostile structures through fetch, build and check --------------------------------

RAW = {  # texts json.dumps cannot write: put in place of a marker string after dumping
    "@deep": "[" * 100_000 + "]" * 100_000,
    "@digits": "9" * 5000,
    "@huge": "1e999999",
    "@nan": "NaN",
    "@open": '{"a":' * 70 + "1" + "}" * 70,
}
DATES = ["9999-12-31T23:00-05:00", "0001-01-01T00:00+01:00", "9999-12-31T23:59:59.999999-23:59", "2026-02-30T00:00Z",
         "2026-01-01T00:00:00", "", "1970-01-01T00:00Z", "+002026-01-01"]  # fmt: skip
hostile_text = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["\x00", "\x07", "\x1b[2J", "\x85", "\u202e", "javascript:alert(1)", "http://[::1", "https://a.example:99999/"]),
    st.sampled_from(DATES),
    st.sampled_from(list(RAW)),
)
leaf = st.one_of(hostile_text, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), st.just(10**4000))
KEYS = ["id", "title", "link", "url", "published", "updated", "date", "summary", "content_html", "content_text", "tags",
        "html", "author", "author_url", "date_published", "created_at", "visibility", "content", "account", "items",
        "descendants", "version"]  # fmt: skip
value = st.recursive(
    leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5), max_leaves=12
)
item = st.dictionaries(st.sampled_from(KEYS), value, max_size=8)
items = st.one_of(st.lists(item, max_size=4), value)


def dumped(data: object) -> str:
    text = json.dumps(data)
    for marker, raw in RAW.items():
        text = text.replace(json.dumps(marker), raw)
    return text


@pytest.fixture(scope="module")
def hostile_site() -> Iterator[tuple[Server, Path]]:
    """One site and one server for every example: a warm build cache keeps the examples to a fraction of a second."""
    running = Server()
    with tempfile.TemporaryDirectory() as folder:
        yield running, profile_site(Path(folder) / "site", running.url + "/feed.json", **replies_site(running.url + "/@ada/111"))
    running.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(entries=items, replies=items, checked=value, answer=items, fmt=st.sampled_from([1, 1, 1, "1", 2, None]))
def test_hostile_structures_never_end_fetch_build_or_check_with_a_traceback(
    hostile_site: tuple[Server, Path], entries: object, replies: object, checked: object, answer: object, fmt: object
) -> None:
    running, root = hostile_site
    url, thread = running.url + "/feed.json", running.url + "/@ada/111"
    write_folder(
        root,
        thread,
        dumped({"format": fmt, "url": url, "etag": answer if isinstance(answer, str) else "", "entries": entries}),
        dumped({"format": fmt, "url": thread, "replies": replies}),
        dumped({"format": fmt, "checked": checked}),
    )
    running.answer("/feed.json", dumped({"version": "https://jsonfeed.org/version/1.1", "items": answer}).encode(), JSON_FEED)
    running.answer("/api/v1/statuses/111/context", dumped({"descendants": answer}).encode(), "application/json")
    for args in (["build", str(root), "-o", str(root.parent / "out"), "-q"], ["check", str(root), "-q"], ["fetch", str(root), "-q"]):
        code, err = _run(args)
        assert code != 4 and "Traceback" not in err, (args[0], err[-3000:])


def _run(args: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    from blogkit.commands.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    return code, err.getvalue()


def test_a_feed_on_the_public_web_cannot_redirect_fetch_inside_the_network(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """A redirect from a public address to a loopback, private or link-local one is not followed
    (a CI runner's neighbours); 127.0.0.1 plays the public web here, `localhost` the inside."""
    from blogkit.fetch import client

    real = client._inside_address
    monkeypatch.setattr(client, "_inside_address", lambda host: None if host == "127.0.0.1" else real(host))
    port = server.url.rsplit(":", 1)[1]
    server.answer("/inside.xml", atom(atom_entry(1)).encode())
    server.answer("/feed.xml", b"", status="302", Location=f"http://localhost:{port}/inside.xml")
    failed = client.get(f"{server.url}/feed.xml")
    assert isinstance(failed, client.FetchFailure)
    assert failed.reason == "redirected from the public web to localhost, a loopback address, which is not followed"
    monkeypatch.setattr(client, "_inside_address", real)
    fetched = client.get(f"{server.url}/feed.xml")  # a feed inside the network may redirect within it
    assert isinstance(fetched, client.Fetched) and fetched.url.endswith("/inside.xml")


def test_a_link_local_address_is_never_asked() -> None:
    from blogkit.fetch import client

    failed = client.get("http://169.254.169.254/latest/meta-data/")
    assert isinstance(failed, client.FetchFailure) and "link-local" in failed.reason
