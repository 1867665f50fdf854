"""`blogkit diff OLD NEW`: what a pull request changes on the published site, by URL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from blogkit.publish.write import publish
from blogkit.review import diff_report
from conftest import REPO, build, post, run_cli, write_site

GOLDEN = REPO / "tests" / "golden" / "diff"

SITE = {
    "authors/mei.yaml": "name: Mei Chen\n",
    "posts/ada/2026-03-01-raft.md": post("title: Raft in practice\ntags: [Go, Storage]\n", "Raft keeps replicas in step.\n"),
    "posts/ada/2026-04-01-compaction.md": post("title: Compaction\ntags: [Storage]\n", "Segments are merged.\n"),
    "posts/mei/2026-05-01-queries.md": post("title: Query planning\ntags: [Go]\n", "Plans are trees.\n"),
    "pages/about.md": post("title: About\n", "We build databases.\n"),
}


def built(tmp_path: Path, name: str, files: dict[str, str | None]) -> Path:
    """The site of SITE changed by `files` (None deletes one), built into tmp_path/name."""
    root = tmp_path / f"{name}-site"
    write_site(root, {k: v for k, v in {**SITE, **files}.items() if v is not None})
    result = build(root, search_index=False)
    assert not result.report.errors, result.report.errors
    out = tmp_path / name
    publish(result.outputs, str(out))
    return out


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return built(tmp_path, "base", {})


def diff(old: Path, new: Path, capsys, *extra: str) -> str:
    code, out, _ = run_cli(["diff", str(old), str(new), *extra], capsys)
    assert code == 0
    return out


def test_a_pull_request_that_changes_nothing_says_no_page_changes(tmp_path, base, capsys):
    head = built(tmp_path, "head", {})
    assert diff(base, head, capsys) == "no page changes\n"
    assert "No page changes." in diff(base, head, capsys, "--format", "github")
    assert diff(base, head, capsys, "--format", "json") == ""


def test_a_post_edit_is_listed_with_what_changed_and_listing_pages_are_counted(tmp_path, base, capsys):
    head = built(
        tmp_path,
        "head",
        {"posts/ada/2026-03-01-raft.md": post("title: Raft, in practice\ntags: [Go, Storage]\n", "Raft keeps replicas in step, mostly.\n")},
    )
    lines = diff(base, head, capsys).splitlines()
    assert lines[0] == "posts:"
    assert lines[1] == "  changed  /2026/03/raft/  title: 'Raft in practice' → 'Raft, in practice'; text"
    assert lines[2].startswith("  and ")
    assert lines[2].endswith("more posts changed, not in their own values (links to other posts, a template)")
    assert any(line.startswith("listing pages: ") and line.endswith(" changed") for line in lines)
    assert not any("/tags/" in line or "sitemap" in line for line in lines)


def test_a_text_edit_alone_says_text_and_leaves_its_neighbours_out(tmp_path, base, capsys):
    edited = post("title: Compaction\ntags: [Storage]\n", "Segments merge.\n")
    head = built(tmp_path, "head", {"posts/ada/2026-04-01-compaction.md": edited})
    rows = [json.loads(line) for line in diff(base, head, capsys, "--format", "json").splitlines()]
    posts = [r for r in rows if r["group"] == "posts"]
    assert [(r["url"], r["fields"]) for r in posts] == [("/2026/04/compaction/", {"text": True})]


def test_a_new_post_is_added_with_its_title_and_its_new_tag_page_is_listed(tmp_path, base, capsys):
    new = post("title: Vector search\ntags: [Search]\n", "Nearest neighbours.\n")
    head = built(tmp_path, "head", {"posts/mei/2026-06-01-vectors.md": new})
    out = diff(base, head, capsys)
    assert "  added    /2026/06/vectors/  Vector search\n" in out
    assert "  added    /tags/search/\n" in out
    assert "  added    /tags/search/feed.xml\n" in out


def test_a_deleted_post_is_removed_with_its_old_title(tmp_path, base, capsys):
    head = built(tmp_path, "head", {"posts/mei/2026-05-01-queries.md": None})
    out = diff(base, head, capsys)
    assert "  removed  /2026/05/queries/  Query planning\n" in out
    assert "  removed  /authors/mei/" not in out  # her profile stays, with no post


def test_a_tag_rename_shows_on_each_post_and_moves_the_tag_pages(tmp_path, base, capsys):
    head = built(
        tmp_path,
        "head",
        {
            "posts/ada/2026-03-01-raft.md": post("title: Raft in practice\ntags: [Golang, Storage]\n", "Raft keeps replicas in step.\n"),
            "posts/mei/2026-05-01-queries.md": post("title: Query planning\ntags: [Golang]\n", "Plans are trees.\n"),
        },
    )
    out = diff(base, head, capsys)
    assert "  changed  /2026/03/raft/  tags: +Golang, -Go\n" in out
    assert "  changed  /2026/05/queries/  tags: +Golang, -Go\n" in out
    assert "  added    /tags/golang/\n" in out and "  removed  /tags/go/\n" in out


def test_a_config_change_that_touches_every_page_is_summarised_not_listed(tmp_path, base, capsys):
    config = "title: Test Hub of Many\nbase_url: https://hub.example/\ntimezone: UTC\n"
    head = built(tmp_path, "head", {"blogkit.yaml": config})
    out = diff(base, head, capsys)
    first = out.splitlines()[0]
    assert first.startswith("every page changed: something every page shows (a template, a config value, the menu) (3 posts, ")
    assert "/2026/03/raft/" not in out and "/about/" not in out  # no page listed one by one
    assert "pages: " in out
    comment = diff(base, head, capsys, "--format", "github")
    assert "**Every page changed: something every page shows (a template, a config value, the menu) (3 posts, " in comment


def test_the_github_comment_matches_its_golden_file(tmp_path, base, capsys, request):
    head = built(
        tmp_path,
        "head",
        {
            "posts/ada/2026-03-01-raft.md": post("title: Raft in practice\ntags: [Go, Consensus]\n", "Raft keeps replicas in step.\n"),
            "posts/mei/2026-05-01-queries.md": None,
            "posts/mei/2026-06-01-vectors.md": post("title: Vector search\ntags: [Go]\n", "Nearest neighbours.\n"),
            "pages/about.md": post("title: About\n", "We build databases and tools.\n"),
        },
    )
    comment = diff(base, head, capsys, "--format", "github", "--preview-url", "https://pr-7.preview.example/")
    golden = GOLDEN / "comment.md"
    if request.config.getoption("--update-golden"):
        golden.write_text(comment, encoding="utf-8")
    assert comment == golden.read_text(encoding="utf-8")


def test_titles_in_the_comment_are_text_never_markup_or_mentions(tmp_path, base, capsys):
    title = '"@eng/everyone <img src=x onerror=alert(1)> [x](https://evil.example) | `code`"'
    head = built(tmp_path, "head", {"posts/mei/2026-06-01-odd.md": post(f"title: {title}\n", "Text.\n")})
    comment = diff(base, head, capsys, "--format", "github")
    line = next(line for line in comment.splitlines() if "/2026/06/odd/" in line)
    assert "@\u2060eng" in line and "@eng" not in line
    assert "<img" not in line and "&lt;img" in line
    assert "\\[x\\](https://evil.example)" in line and "\\|" in line and "\\`code\\`" in line


def test_a_comment_too_long_for_github_is_summarised_with_a_link(tmp_path, base, capsys, monkeypatch):
    head = built(tmp_path, "head", {"posts/mei/2026-05-01-queries.md": None})
    whole = diff(base, head, capsys, "--format", "github")
    monkeypatch.setattr(diff_report, "COMMENT_LIMIT", len(whole) - 1)
    comment = diff(base, head, capsys, "--format", "github", "--full-url", "https://ci.example/runs/1")
    assert len(comment) < len(whole)
    assert comment.startswith(diff_report.COMMENT_MARKER + "\n")
    assert "posts: 2 changed, 1 removed;" in comment and "[the full list](https://ci.example/runs/1)" in comment
    assert "/2026/05/queries/" not in comment


def test_bookkeeping_is_not_a_change(tmp_path, base, capsys):
    head = built(tmp_path, "head", {})
    (head / "pagefind").mkdir()
    (head / "pagefind" / "pagefind.js").write_text("index")
    (head / "sitemap.xml").write_text("<urlset/>")
    (head / ".stamp").write_text("built at noon")
    assert diff(base, head, capsys) == "no page changes\n"


def test_symbolic_links_in_a_build_are_not_followed(tmp_path, base, capsys):
    head = built(tmp_path, "head", {})
    secret = tmp_path / "secret.txt"
    secret.write_text("the runner's token")
    os.symlink(secret, head / "leak.txt")
    os.symlink(tmp_path, head / "outside")
    out = diff(base, head, capsys, "--format", "json")
    assert out == ""


def test_a_folder_that_is_not_there_is_a_usage_error(tmp_path, base, capsys):
    code, _, err = run_cli(["diff", str(base), str(tmp_path / "nowhere")], capsys)
    assert code == 2
    assert "is not a folder" in err and "hint:" in err


def test_pages_that_are_not_ours_are_compared_without_a_traceback(tmp_path, base, capsys):
    head = built(tmp_path, "head", {})
    (head / "odd").mkdir()
    (head / "odd" / "index.html").write_bytes(b'\xff\xfe<html><script type=\'application/ld+json\'>{"@type": "BlogPosting"')
    (head / "odd2.html").write_bytes(
        b'<script type="application/ld+json">{"@type": "BlogPosting", "headline": 3, "author": ["x", {"name": 4}], "keywords": {}}</script>'
    )
    rows = [json.loads(line) for line in diff(base, head, capsys, "--format", "json").splitlines()]
    assert [(r["group"], r["status"], r["url"], r["title"]) for r in rows] == [
        ("posts", "added", "/odd2.html", None),
        ("pages", "added", "/odd/", None),
    ]


def test_a_post_at_a_new_address_is_moved_not_removed_and_added(tmp_path, base, capsys):
    raft = post("title: Raft in practice\ndate: 2026-04-15\ntags: [Go, Storage]\n", "Raft keeps replicas in step.\n")
    head = built(tmp_path, "head", {"posts/ada/2026-03-01-raft.md": raft})
    out = diff(base, head, capsys)
    assert "  moved    /2026/04/raft/  from /2026/03/raft/; date: '2026-03-01T00:00:00+00:00' → '2026-04-15T00:00:00+00:00'\n" in out
    assert "removed  /2026/03/raft/" not in out and "added    /2026/04/raft/" not in out
    rows = [json.loads(line) for line in diff(base, head, capsys, "--format", "json").splitlines()]
    moved = next(r for r in rows if r["status"] == "moved")
    assert (moved["url"], moved["from"], list(moved["fields"])) == ("/2026/04/raft/", "/2026/03/raft/", ["date"])
    comment = diff(base, head, capsys, "--format", "github", "--preview-url", "https://pr.example/")
    assert "- moved [Raft in practice](https://pr.example/2026/04/raft/) (/2026/04/raft/, was /2026/03/raft/): date: " in comment
