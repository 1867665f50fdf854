"""`blogkit check --external`: link rot, against servers on this machine only."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from blogkit.fetch import linkrot
from blogkit.fetch.client import FetchLimits
from conftest import post, run_cli

P = "posts/ada/2026-03-01-links.md"


class Server:
    """A loopback web server whose answers each test path names; it counts requests and how many
    were under way at once."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.busy = 0  # requests received and not yet being answered
        self.most_at_once = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                server.answer(self, "HEAD")

            def do_GET(self) -> None:
                server.answer(self, "GET")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        with self.lock:
            self.requests[(method, handler.path)] += 1
            count = self.requests[(method, handler.path)]
            self.busy += 1
            self.most_at_once = max(self.most_at_once, self.busy)
        try:
            self.route(handler, method, handler.path, count)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.answered(handler)

    def answered(self, h: BaseHTTPRequestHandler) -> None:
        """A request is no longer under way once its answer starts: the client may send its next one as
        soon as it has read this one, before this thread gets back from writing it."""
        with self.lock:
            if not getattr(h, "answering", False):
                h.answering = True  # type: ignore[attr-defined]
                self.busy -= 1

    def route(self, h: BaseHTTPRequestHandler, method: str, path: str, count: int) -> None:
        time.sleep(0.02)  # long enough for two requests to one host to overlap, were they sent at once
        redirects = {"/moved": (301, "/new-home"), "/chain": (302, "/chain-2"), "/chain-2": (301, "/ok"), "/loop": (301, "/loop")}
        redirects |= {"/perm": (301, "/perm-2"), "/perm-2": (308, "/new-home"), "/to-gone": (301, "/gone")}
        if path in redirects:
            status, where = redirects[path]
            self.reply(h, status, Location=where)
        elif path in ("/ok", "/new-home") or path.startswith("/ok-"):
            self.reply(h, 200)
        elif path == "/gone":
            self.reply(h, 404)
        elif path == "/removed":
            self.reply(h, 410)
        elif path == "/no-head":
            self.reply(h, 405 if method == "HEAD" else 200)
        elif path == "/robots":
            self.reply(h, 403)
        elif path == "/linkedin":
            self.reply(h, 999)
        elif path == "/busy":
            self.reply(h, 429, **({"Retry-After": "1"} if count == 1 else {})) if count == 1 else self.reply(h, 200)
        elif path == "/always-busy":
            self.reply(h, 429, **{"Retry-After": "3600"})
        elif path == "/slow":
            time.sleep(3)
            self.reply(h, 200)
        elif path == "/drip":
            self.answered(h)
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(40):
                h.wfile.write(b"X")
                h.wfile.flush()
                time.sleep(0.1)
        else:
            self.reply(h, 500)

    def reply(self, h: BaseHTTPRequestHandler, status: int, **headers: str) -> None:
        self.answered(h)
        h.send_response(status)
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(linkrot, "LINK_LIMITS", FetchLimits(connect_seconds=1, read_seconds=0.5, total_seconds=1.5, max_redirects=5))
    running = Server()
    yield running
    running.close()


def links_site(site, server: Server, paths: list[str], config: str = "") -> Path:
    body = "Intro.\n\n" + "".join(f"See [{p}]({server.url}{p}) here.\n\n" for p in paths)
    base = "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n" + config
    return site({"blogkit.yaml": base, P: post("title: Links\n", body)})


def external(root: Path, capsys, *extra: str) -> tuple[int, list[dict], str]:
    code, out, err = run_cli(["check", str(root), "--external", "--allow-private", "--format", "json", *extra], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    return code, [r for r in rows if "link '" in r["message"]], err


def line_of(paths: list[str], path: str) -> int:
    return 6 + 2 * paths.index(path)  # the front matter is 3 lines, then "Intro.", a blank line, then a link every 2 lines


def test_every_kind_of_answer(site, server, capsys):
    paths = ["/ok", "/gone", "/removed", "/moved", "/perm", "/chain", "/loop", "/no-head", "/robots", "/linkedin", "/to-gone"]
    root = links_site(site, server, paths)
    code, rows, err = external(root, capsys)
    assert code == 0  # warnings
    found = {r["message"].split("' ", 1)[0].rsplit("/", 1)[1]: (r["severity"], r["message"].split("' ", 1)[1], r["line"]) for r in rows}
    robots = "(the server turns robots away; check it in a browser)"
    assert found == {
        "gone": ("warning", "is dead: HTTP 404 Not Found", line_of(paths, "/gone")),
        "removed": ("warning", "is dead: HTTP 410 Gone", line_of(paths, "/removed")),
        "moved": ("warning", f"has moved to {server.url}/new-home", line_of(paths, "/moved")),
        "perm": ("warning", f"has moved to {server.url}/new-home", line_of(paths, "/perm")),
        "loop": ("warning", "is dead: more than 5 redirects", line_of(paths, "/loop")),
        "robots": ("note", f"could not be checked: HTTP 403 Forbidden {robots}", line_of(paths, "/robots")),
        "linkedin": ("note", f"could not be checked: HTTP 999 {robots}", line_of(paths, "/linkedin")),
        "to-gone": ("warning", "is dead: HTTP 404 Not Found", line_of(paths, "/to-gone")),
    }
    gone = next(r for r in rows if r["message"].endswith("HTTP 404 Not Found") and "/gone'" in r["message"])
    assert (gone["path"].split("/site/")[-1], gone["line"], gone["column"]) == (P, line_of(paths, "/gone"), 13)
    assert gone["hint"] == f"link to where it is now, or to an archived copy: https://web.archive.org/web/{server.url}/gone"
    assert server.requests[("HEAD", "/no-head")] == 1 and server.requests[("GET", "/no-head")] == 1  # HEAD refused: GET
    assert server.requests[("GET", "/ok")] == 0  # HEAD was enough
    assert server.most_at_once == 1  # one host: one request at a time
    assert "blogkit: 11 links to other sites: 4 dead, 2 moved, 2 not checked" in err
    assert run_cli(["check", str(root), "--external", "--allow-private", "--strict", "-q"], capsys)[0] == 1  # errors under --strict


def test_a_chain_of_temporary_redirects_to_a_page_is_no_move(site, server, capsys):
    root = links_site(site, server, ["/chain"])
    assert external(root, capsys)[1] == []
    assert server.requests[("HEAD", "/chain-2")] == 1 and server.requests[("HEAD", "/ok")] == 1


def test_429_waits_for_retry_after_then_asks_again(site, server, capsys):
    root = links_site(site, server, ["/busy", "/always-busy"])
    started = time.monotonic()
    _, rows, _ = external(root, capsys)
    assert time.monotonic() - started >= 1  # it waited the second Retry-After asked for
    assert server.requests[("HEAD", "/busy")] == 2
    assert [(r["severity"], r["message"].split("' ", 1)[1]) for r in rows] == [
        ("note", "could not be checked: HTTP 429 Too Many Requests (rate limited, retry after 3600)")
    ]
    assert server.requests[("HEAD", "/always-busy")] == 1  # an hour is not waited for


def test_a_server_that_never_answers_or_drips_is_not_waited_for(site, server, capsys):
    root = links_site(site, server, ["/slow", "/drip"])
    started = time.monotonic()
    _, rows, _ = external(root, capsys)
    assert time.monotonic() - started < 8  # 1.5 s for each, and the build
    assert sorted((r["severity"], r["message"].split("' ", 1)[1].split(" (")[0]) for r in rows) == [
        ("note", "could not be checked: timed out"),
        ("note", "could not be checked: timed out"),
    ]


def test_a_second_run_within_the_cache_time_makes_no_request(site, server, capsys):
    paths = ["/ok", "/gone", "/moved"]
    root = links_site(site, server, paths)
    first = external(root, capsys)[1]
    asked = sum(server.requests.values())
    assert asked >= 3
    kept = json.loads((root / ".blogkit-fetched" / "links.json").read_text())
    assert [entry["url"] for entry in kept["links"]] == sorted(server.url + p for p in paths)
    second = external(root, capsys)[1]
    assert sum(server.requests.values()) == asked  # nothing asked again
    assert second == first  # and the same findings, from what was kept


def test_after_the_cache_time_links_are_asked_again(site, server, capsys):
    root = links_site(site, server, ["/ok"], "links: {external_days: 0}\n")
    external(root, capsys)
    external(root, capsys)
    assert server.requests[("HEAD", "/ok")] == 2


def test_the_ignore_list_leaves_links_unasked(site, server, capsys):
    root = links_site(site, server, ["/gone", "/ok-x"], f'links: {{external_ignore: ["{server.url}/gone"]}}\n')
    assert external(root, capsys)[1] == []
    assert server.requests[("HEAD", "/gone")] == 0 and server.requests[("HEAD", "/ok-x")] == 1


def test_private_addresses_are_refused_without_allow_private(site, server, capsys):
    root = links_site(site, server, ["/gone"])
    _, out, _ = run_cli(["check", str(root), "--external", "--format", "json"], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["severity"], r["message"].split("' ", 1)[1]) for r in rows if "link '" in r["message"]] == [
        ("note", "could not be checked: 127.0.0.1 is a loopback address, which is not asked (--allow-private asks)")
    ]
    assert sum(server.requests.values()) == 0


def test_check_without_external_asks_nothing(site, server, capsys):
    root = links_site(site, server, ["/gone"])
    code, _, _ = run_cli(["check", str(root), "--allow-private"], capsys)
    assert code == 0 and sum(server.requests.values()) == 0
    assert not (root / ".blogkit-fetched" / "links.json").exists()


def test_links_in_code_are_not_links(site, server, capsys):
    body = f"Run `curl {server.url}/gone`:\n\n```\ncurl {server.url}/gone\n```\n"
    root = site({P: post("title: Code\n", body)})
    assert external(root, capsys)[1] == [] and sum(server.requests.values()) == 0


def test_a_site_without_links_to_other_sites_gets_no_file(site, capsys):
    root = site({P: post("title: Inside\n", "See [the tags](/tags/).\n")})
    assert external(root, capsys)[1] == []
    assert not (root / ".blogkit-fetched").exists()
