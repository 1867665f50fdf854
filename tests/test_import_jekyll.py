"""`blogkit import jekyll`: _posts, _drafts, _data/authors.yml, permalink and redirect_from, Liquid, jekyll-feed and jekyll-archives."""

from __future__ import annotations

import pytest
from importing import (
    assert_anchor,
    assert_answers,
    assert_feed,
    assert_reproducible_and_refuses_non_empty,
    import_site,
    strict_build,
)

BASE = "https://engineering.kestrel.example/"


class _Quiet:
    def readouterr(self):
        return "", ""


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    dest = tmp_path_factory.mktemp("jekyll") / "site"
    report = import_site("jekyll", dest, _Quiet())
    return dest, report, strict_build(dest)


def test_the_report_counts_everything_and_names_each_warning_at_its_line(tmp_path, capsys):
    report = import_site("jekyll", tmp_path / "site", capsys)
    assert "imported 3 posts, 1 draft, 1 page, 3 authors, 1 team, 3 tags" in report
    assert "releases/_posts/2024-01-10-kestreldb-2.md:11: warning: the Liquid tag '{% include youtube.html id=\"abc123\" %}'" in report
    assert "_drafts/sharding.md:1: warning: the draft has no date: it is dated like the newest post" in report
    assert "_posts/2022-05-01-old-html-post.html:1: warning: the page is not Markdown; it is not imported" in report
    assert "_config.yml:14:5: warning: jekyll-redirect-from also wrote /redirects.json" in report


def test_every_old_url_answers(imported):
    _, _, result = imported
    assert_answers(
        result,
        [
            "/engineering/2023/11/02/raft-snapshots.html",
            "/raft-snapshots/",  # redirect_from
            "/releases/2024/01/10/kestreldb-2.html",
            "/category/engineering/",
            "/category/releases/",
            "/tag/raft/",
            "/about/",
            "/assets/img/snap.png",
        ],
        BASE,
    )


def test_every_old_feed_url_serves_the_old_ids(imported):
    _, _, result = imported
    raft = BASE + "engineering/2023/11/02/raft-snapshots"
    release = BASE + "releases/2024/01/10/kestreldb-2"
    assert_feed(result, "/feed.xml", {raft, release})  # jekyll-feed's path is blogkit's own
    assert_feed(result, "/feed/engineering.xml", {raft})
    assert_feed(result, "/feed/releases.xml", {release})


def test_liquid_links_and_kramdown_anchors(imported):
    dest, _, result = imported
    assert_anchor(result, "/engineering/2023/11/02/raft-snapshots.html", "ways-to-snapshot", BASE)
    release = (dest / "posts/dana-ruiz/2024-01-10-kestreldb-2.md").read_text()
    assert "[snapshots three ways](../ada/2023-11-02-raft-snapshots.md#ways-to-snapshot)" in release
    assert "Read the docs at https://docs.kestrel.example." in release
    raft = (dest / "posts/ada/2023-11-02-raft-snapshots.md").read_text()
    assert "```ruby\ncluster.snapshot(every: 10_000)\n```" in raft
    assert "\n<!-- more -->\n" in raft
    assert "See [about us](../../pages/about.md)." in raft  # the top-level page comes over
    assert (dest / "pages/about.md").read_text() == "---\ntitle: About\n---\nThe KestrelDB engineering team.\n"
    assert "markdown:\n  heading_ids: kramdown\n" in (dest / "blogkit.yaml").read_text()


def test_authors_from_data_and_free_text(imported):
    dest, _, _ = imported
    assert (dest / "authors/ada.yaml").read_text() == (
        "name: Ada Okafor\nbio: Works on the storage engine.\nteam: storage\nlinks:\n- label: GitHub\n  url: https://github.com/adaok\n"
    )
    assert (dest / "authors/dana-ruiz.yaml").read_text() == "name: Dana Ruiz\nbio: Kestrel Labs\n"
    assert (dest / "teams.yaml").read_text() == "storage:\n  name: Storage\n  url: https://kestrel.example/teams/storage\n"
    assert "draft: true" in (dest / "posts/bo/2024-01-10-sharding.md").read_text()


def test_importing_twice_is_byte_identical_and_a_non_empty_folder_is_refused(imported, tmp_path, capsys):
    dest, _, _ = imported
    assert_reproducible_and_refuses_non_empty("jekyll", dest, tmp_path, capsys)
