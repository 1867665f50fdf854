"""`blogkit import hugo`: a Docsy-style site (docs and a blog, two languages) brings its blog over whole."""

from __future__ import annotations

import feedparser
import pytest
from importing import (
    assert_anchor,
    assert_answers,
    assert_feed,
    assert_reproducible_and_refuses_non_empty,
    import_site,
    strict_build,
)

BASE = "https://kestrel.example/"


class _Quiet:
    def readouterr(self):
        return "", ""


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    dest = tmp_path_factory.mktemp("hugo") / "site"
    report = import_site("hugo", dest, _Quiet())
    return dest, report, strict_build(dest)


def test_the_report_counts_everything_and_names_each_warning_at_its_line(tmp_path, capsys):
    report = import_site("hugo", tmp_path / "site", capsys)
    assert "imported 4 posts, 1 draft, 0 pages, 4 authors, 1 team, 5 tags" in report
    assert "content/en/blog/2024/release-2-4.md:19: warning: the shortcode '{{< alert title=\"Note\" >}}'" in report


def test_every_old_url_answers(imported):
    _, _, result = imported
    assert_answers(
        result,
        [
            "/blog/2024/planner-rewrite/",
            "/blog/planner/",
            "/blog/2024/release-2-4/",
            "/blog/",
            "/blog/news/",  # a section inside the blog (Docsy's news)
            "/blog/news/fosdem/",
            "/tags/",
            "/tags/query-planner/",
            "/categories/",
            "/categories/engineering/",
            "/authors/ana/",
            "/img/logo.png",
            "/blog/2024/planner-rewrite/plan.svg",
        ],
        BASE,
    )


def test_every_old_feed_url_serves_the_old_ids(imported):
    _, _, result = imported
    planner, release = BASE + "blog/2024/planner-rewrite/", BASE + "blog/2024/release-2-4/"
    assert_feed(result, "/index.xml", {planner, release})
    fosdem = BASE + "blog/news/fosdem/"
    assert_feed(result, "/blog/index.xml", {planner, release, fosdem})
    assert_feed(result, "/blog/news/index.xml", {fosdem})
    assert_feed(result, "/tags/query-planner/index.xml", {planner})
    assert_feed(result, "/categories/engineering/index.xml", {planner})
    assert_feed(result, "/authors/ana/index.xml", {planner, release})


def test_a_feed_of_terms_answers_with_the_term_pages_it_listed(imported, tmp_path, capsys):
    """Hugo's /tags/index.xml lists the tag pages, not posts: it answers with them, their ids kept; the categories'
    feed lists the tag pages too, whose URLs are not the old ones, and the import says so once."""
    _, _, result = imported
    report = import_site("hugo", tmp_path / "site", capsys)
    assert_feed(result, "/tags/index.xml", {BASE + "tags/query-planner/"})
    assert_feed(result, "/authors/index.xml", {BASE + "authors/ana/"})
    listed = feedparser.parse(result.outputs.files["tags/index.xml"].content).entries
    assert all(entry.id.startswith(BASE + "tags/") for entry in listed)  # no post: its readers follow new tags
    assert "listed the tags" not in report
    assert report.count("the old feed /categories/index.xml listed the categories pages, whose URLs are blogkit's tags pages now") == 1


def test_refs_shortcodes_params_and_pages_left_behind(imported):
    dest, _, result = imported
    assert_anchor(result, "/blog/2024/planner-rewrite/", "cost-model", BASE)
    release = (dest / "posts/chris-doe/2024-03-05-release-2-4.md").read_text()
    assert "[new planner](../ana/2024-02-14-planner-rewrite/index.md#cost-model)" in release
    assert "Code is at https://github.com/kestrel/kestreldb." in release
    assert '```go\ndb.Open("kestrel://localhost")\n```' in release
    assert "[See the post on X](https://x.com/kestreldb/status/1234567890)" in release
    planner = (dest / "posts/ana/2024-02-14-planner-rewrite/index.md").read_text()
    assert "KestrelDB 2.4 ships" in planner
    assert "![A query plan](plan.svg)\n\n*The plan the new planner picks*" in planner
    assert "[requirements](https://kestrel.example/docs/install/#requirements)" in planner  # docs stay on the old site


def test_links_by_old_url_become_links_to_the_files(imported):
    dest, _, _ = imported
    fosdem = (dest / "posts/bo/2024-01-20-fosdem.md").read_text()
    assert "[the 2.4 release](../chris-doe/2024-03-05-release-2-4.md)" in fosdem
    assert "[planning queries](../ana/2024-02-14-planner-rewrite/index.md#cost-model)" in fosdem  # absolute, with its anchor
    assert "tags:\n- News\n" in fosdem  # the blog section holds every post: it is the hub, not a tag
    assert "authors:\n- bo\n- dana-ruiz\n" in fosdem  # "Bo Chen" is the author data's bo


def test_authors_keys_and_free_text_are_one_person_when_the_source_says_so(imported):
    dest, _, _ = imported
    assert (dest / "authors/ana.yaml").read_text() == (
        "name: Ana Lima\nbio: Works on the query planner.\nteam: query-engine\nlinks:\n- label: GitHub\n  url: https://github.com/analima\n"
    )
    assert (dest / "authors/chris-doe.yaml").read_text() == "name: Chris Doe\nbio: Acme Corp\n"
    release = (dest / "posts/chris-doe/2024-03-05-release-2-4.md").read_text()
    assert "authors:\n- chris-doe\n- ana\n" in release


def test_only_the_chosen_language_and_sections_come_over(imported, tmp_path, capsys):
    dest, _, _ = imported
    assert not list(dest.rglob("*bonjour*"))
    french = tmp_path / "fr"
    import_site("hugo", french, capsys, "--language", "fr")
    assert [p.name for p in (french / "posts").rglob("*.md")] == ["2024-03-06-bonjour.md"]
    assert "https://kestrel.example/fr/blog/2024/bonjour/" in next((french / "posts").rglob("*.md")).read_text()


def test_importing_twice_is_byte_identical_and_a_non_empty_folder_is_refused(imported, tmp_path, capsys):
    dest, _, _ = imported
    assert_reproducible_and_refuses_non_empty("hugo", dest, tmp_path, capsys)
