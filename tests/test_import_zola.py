"""`blogkit import zola`: the fixture site comes over whole: every old URL, anchor and feed answers."""

from __future__ import annotations

import pytest
from importing import assert_anchor, assert_answers, assert_feed, assert_reproducible_and_refuses_non_empty, import_site, strict_build

BASE = "https://blog.kestrel.example/"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    dest = tmp_path_factory.mktemp("zola") / "site"
    capsys = _NoCapture()
    report = import_site("zola", dest, capsys)
    return dest, report, strict_build(dest)


class _NoCapture:
    def readouterr(self):
        return "", ""


def test_the_report_counts_everything_and_names_each_warning_at_its_line(tmp_path, capsys):
    report = import_site("zola", tmp_path / "site", capsys)
    assert "imported 4 posts, 1 draft, 1 page, 3 authors, 1 team, 5 tags" in report
    assert "content/blog/2024-04-10-compaction.md:17: warning: the shortcode '{{ note(" in report


def test_every_old_url_answers(imported):
    _, _, result = imported
    assert_answers(
        result,
        [
            "/blog/raft-in-practice/",
            "/posts/raft/",  # its own alias
            "/blog/compaction/",
            "/releases/kestreldb-2-0/",  # Zola slugifies a written slug too (slugify.paths = "on")
            "/blog/",
            "/blog/page/2/",  # the section was paginated, one post a page
            "/releases/",
            "/tags/",
            "/tags/databases/",
            "/tags/raft/",
            "/authors/",
            "/about/",
            "/images/logo.png",
            "/blog/raft-in-practice/diagram.png",
        ],
        BASE,
    )


def test_every_old_feed_url_serves_the_old_ids(imported):
    _, _, result = imported
    raft, compaction, release = (BASE + p for p in ("blog/raft-in-practice/", "blog/compaction/", "releases/kestreldb-2-0/"))
    assert_feed(result, "/atom.xml", {raft, compaction, release})
    assert_feed(result, "/blog/atom.xml", {raft, compaction})
    assert_feed(result, "/releases/atom.xml", {release})
    assert_feed(result, "/tags/databases/atom.xml", {raft, compaction})
    assert_feed(result, "/tags/raft/atom.xml", {raft})


def test_old_anchors_and_internal_links_resolve(imported):
    dest, _, result = imported
    assert_anchor(result, "/blog/raft-in-practice/", "why-zurich-s-log-matters", BASE)
    assert_anchor(result, "/blog/compaction/", "results", BASE)
    compaction = (dest / "posts/bo-chen/2024-04-10-compaction.md").read_text()
    assert "(../ada-okafor/2024-03-01-raft-in-practice/index.md#why-zurich-s-log-matters)" in compaction
    assert "[about us](../../pages/about.md)" in compaction  # the top-level page comes over
    assert "[Watch the video on YouTube](https://www.youtube.com/watch?v=dQw4w9WgXcQ)" in compaction
    assert "x = \"{{ youtube(id='no') }}\"" in compaction  # code is left as it is


def test_co_authors_teams_drafts_and_bundles(imported):
    dest, _, _ = imported
    raft = (dest / "posts/ada-okafor/2024-03-01-raft-in-practice/index.md").read_text()
    assert "authors:\n- ada-okafor\n- bo-chen\n" in raft
    assert "id: https://blog.kestrel.example/blog/raft-in-practice/" in raft
    assert (dest / "posts/ada-okafor/2024-03-01-raft-in-practice/diagram.png").is_file()
    assert "storage:\n  name: Storage\n  url: https://kestrel.example/teams/storage\n" in (dest / "teams.yaml").read_text()
    assert "draft: true" in (dest / "posts/ada-okafor/2024-05-02-tiering.md").read_text()
    assert (dest / "authors/jose-diaz.yaml").read_text() == "name: José Díaz\n"
    assert "markdown:\n  heading_ids: zola\n" in (dest / "blogkit.yaml").read_text()


def test_importing_twice_is_byte_identical_and_a_non_empty_folder_is_refused(imported, tmp_path, capsys):
    dest, _, _ = imported
    assert_reproducible_and_refuses_non_empty("zola", dest, tmp_path, capsys)
