"""A newcomer's first hour, as the README tells it: `init`, `new author`, `new post`, `serve` shows
the draft, a typo in one of its links is reported by `serve` and `check`, fix it, publish the post,
`build` succeeds and the post is on the hub."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_serve import Events, _get_port, edit, serve_command

from conftest import NOW, run_cli


def test_a_newcomers_first_hour(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))  # 2026-11-01, as serve_command's clock
    hub = tmp_path / "hub"
    code, out, _ = run_cli(["init", str(hub), "--handle", "jane-doe"], capsys)
    assert code == 0 and f"blogkit serve {hub}" in out
    assert 'name: "Jane Doe"' in (hub / "authors/jane-doe.yaml").read_text(), "the profile is named from the handle"
    assert ".blogkit-cache/" in (hub / ".gitignore").read_text()

    assert run_cli(["new", "author", "li-wei", "--site", str(hub)], capsys)[0] == 0
    code, out, _ = run_cli(["new", "post", "My first post", "--author", "jane-doe", "--site", str(hub)], capsys)
    assert code == 0
    path = hub / "posts/jane-doe/2026-11-01-my-first-post.md"
    assert f"created {path} (a draft)" in out and "http://127.0.0.1:8000/2026/11/my-first-post/" in out
    assert "publish: set `draft: false`" in out
    url = "/2026/11/my-first-post/"
    name = "posts/jane-doe/2026-11-01-my-first-post.md"

    with serve_command(hub, patient=True) as (port, lines):
        assert "blogkit: showing 1 draft, marked; --no-drafts shows what will ship" in lines
        status, page = _get_port(port, url)
        assert status == 200 and b"My first post" in page and b"badge--draft" in page, "serve shows the new draft, marked"
        assert b"My first post" in _get_port(port, "/")[1], "and lists it on the hub"

        events = Events(port)
        text = path.read_text()
        edit(hub, name, text.replace("Write here.", "Read [about us](/abot/) first."))
        kind, data = events.next()
        assert kind == "problems", (kind, data)
        overlay = str(data["overlay"])
        where = re.search(rf"{re.escape(name)}:(\d+):(\d+)", overlay)
        assert where is not None and "/abot/" in overlay and "/about/" in overlay, overlay  # located, with a did-you-mean
        events.close()

    code, out, err = run_cli(["check", str(hub)], capsys)
    assert code == 1 and f"{name}:{where[1]}:{where[2]}: error:" in out + err and "/about/" in out + err

    path.write_text(path.read_text().replace("/abot/", "/about/"))
    assert run_cli(["check", str(hub)], capsys)[0] == 0
    assert run_cli(["build", str(hub), "-q"], capsys)[0] == 0
    assert not (hub / "public" / url.strip("/") / "index.html").exists(), "a draft is never published"

    path.write_text(path.read_text().replace("draft: true", "draft: false"))
    code, _, err = run_cli(["build", str(hub)], capsys)
    assert code == 0, err
    assert (hub / "public" / url.strip("/") / "index.html").is_file()
    assert "My first post" in (hub / "public/index.html").read_text(), "the post is on the hub"
    assert "My first post" in (hub / "public/feed.xml").read_text()
