"""`blogkit import zola` on the shapes real Zola blogs take: dates only in `path`, two blogs in one
site, aliases from the site's root, paginated sections; each imported site builds with --strict."""

from __future__ import annotations

from importing import assert_answers, assert_feed, strict_build

from conftest import run_cli, write_site

BASE = "https://notes.example/"
CONFIG = f'base_url = "{BASE.rstrip("/")}"\ntitle = "Notes"\ngenerate_feeds = true\nfeed_filenames = ["feed.xml"]\n'


def _site(root, files):
    return write_site(root, {"config.toml": CONFIG, **files}, base=False)


def _import(source, dest, capsys, *extra):
    code, _, err = run_cli(["import", "zola", str(source), str(dest), *extra], capsys)
    return code, err


TWO_BLOGS = {
    "content/_index.md": '+++\ntitle = "Main"\ngenerate_feeds = true\n+++\n',
    "content/Warm-Caches.md": '+++\npath = "2019/04/02/Warm-Caches"\ntitle = "Warm caches"\nauthors = ["Ines Varga"]\n'
    'aliases = ["2019/04/02/Warm-Caches.html"]\n+++\nWe warm them.\n',
    "content/cold-start.md": '+++\npath = "2020/11/30/cold-start"\ntitle = "Cold start"\nauthors = ["Ines Varga"]\n+++\n'
    "See [warm caches](@/Warm-Caches.md).\n",
    "content/inner/_index.md": '+++\ntitle = "Inner Notes"\ngenerate_feeds = true\n+++\n',
    "content/inner/triage.md": '+++\npath = "inner/2021/01/05/triage"\ntitle = "Triage"\nauthors = ["Oto Kerr"]\n+++\nWeekly.\n',
}


def test_dates_in_path_make_posts_of_both_blogs_and_every_old_url_answers(tmp_path, capsys):
    source = _site(tmp_path / "old", TWO_BLOGS)
    code, err = _import(source, tmp_path / "new", capsys)
    assert code == 0, err
    assert "imported 3 posts" in err
    result = strict_build(tmp_path / "new")
    assert_answers(
        result,
        ["/2019/04/02/Warm-Caches/", "/2019/04/02/Warm-Caches.html", "/2020/11/30/cold-start/", "/inner/2021/01/05/triage/", "/inner/"],
        BASE,
    )
    assert_feed(result, "/feed.xml", {BASE + "2019/04/02/Warm-Caches/", BASE + "2020/11/30/cold-start/"})
    assert_feed(result, "/inner/feed.xml", {BASE + "inner/2021/01/05/triage/"})
    triage = next((tmp_path / "new/posts").rglob("*triage.md")).read_text()
    assert "- Inner Notes" in triage  # the second blog is a tag; the root section is the hub, no tag
    warm = next((tmp_path / "new/posts").rglob("*warm-caches.md")).read_text()
    assert "tags:" not in warm


def test_a_section_without_dated_pages_is_reported_not_dropped_silently(tmp_path, capsys):
    files = {
        **TWO_BLOGS,
        "content/guides/_index.md": '+++\ntitle = "Guides"\n+++\n',
        "content/guides/setup.md": '+++\ntitle = "Setup"\n+++\nx\n',
    }
    code, err = _import(_site(tmp_path / "old", files), tmp_path / "new", capsys)
    assert code == 0, err
    assert "content/guides/_index.md:1: warning: the 1 pages of the section 'guides' are not imported: none of its pages is dated" in err


def test_imported_0_posts_from_a_site_with_pages_is_an_error_with_a_hint(tmp_path, capsys):
    files = {"content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n', "content/blog/a.md": '+++\ntitle = "A"\n+++\nx\n'}
    code, err = _import(_site(tmp_path / "old", files), tmp_path / "new", capsys, "--section", "blog")
    assert code == 1
    assert "error: no post was imported from the 1 pages of the site" in err
    assert "hint: a post is dated by its 'date', its file name" in err
    assert not (tmp_path / "new").exists()


def test_aliases_are_paths_from_the_site_root_and_page_1_of_a_paginated_section_answers(tmp_path, capsys):
    files = {
        "content/_index.md": '+++\ntitle = "Newsletter"\npaginate_by = 1\n+++\n',
        "content/2018-03-15-issue-1.md": '+++\ntitle = "Issue 1"\naliases = ["2018-03-15/"]\n+++\nOne.\n',
        "content/2018-04-15-issue-2.md": '+++\ntitle = "Issue 2"\n+++\nTwo.\n',
    }
    code, err = _import(_site(tmp_path / "old", files), tmp_path / "new", capsys)
    assert code == 0, err
    assert "cannot be kept as an alias" not in err
    result = strict_build(tmp_path / "new")
    assert_answers(result, ["/issue-1/", "/2018-03-15/", "/page/1/", "/page/2/"], BASE)


def test_a_written_slug_is_slugified_as_zola_does_and_kept_as_written_with_slugify_paths_safe(tmp_path, capsys):
    files = {
        "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n',
        "content/blog/x.md": '+++\ntitle = "X"\ndate = 2024-01-02\nslug = "Big--News v2.0"\n+++\nx\n',
    }
    code, err = _import(_site(tmp_path / "on", files), tmp_path / "new-on", capsys)
    assert code == 0, err
    assert "/blog/big-news-v2-0/" in next((tmp_path / "new-on/posts").rglob("*.md")).read_text()
    safe = write_site(tmp_path / "safe", {"config.toml": CONFIG + '[slugify]\npaths = "safe"\n', **files}, base=False)
    code, err = _import(safe, tmp_path / "new-safe", capsys)
    assert code == 0, err
    assert "/blog/Big--News-v2.0/" in next((tmp_path / "new-safe/posts").rglob("*.md")).read_text()


def test_a_bundle_svg_with_a_plain_doctype_is_written_without_it_so_the_build_publishes_it(tmp_path, capsys):
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'
    )
    files = {
        "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n',
        "content/blog/2024-02-03-flow/index.md": '+++\ntitle = "Flow"\n+++\n![the flow](flow.svg)\n',
        "content/blog/2024-02-03-flow/flow.svg": svg,
    }
    code, err = _import(_site(tmp_path / "old", files), tmp_path / "new", capsys)
    assert code == 0, err
    assert "content/blog/2024-02-03-flow/flow.svg:1: warning: the SVG's DOCTYPE line is left out" in err
    written = next((tmp_path / "new/posts").rglob("flow.svg")).read_text()
    assert "DOCTYPE" not in written and "<rect" in written
    strict_build(tmp_path / "new")


WEIGHTED = {
    "content/blog/_index.md": '+++\ntitle = "Blog"\nsort_by = "weight"\n+++\n',
    "content/blog/2024-03-05-news.md": '+++\ntitle = "News"\nweight = 3\n[taxonomies]\nauthors = ["Ines Varga"]\n+++\nNews.\n',
    "content/blog/intro.md": '+++\ntitle = "Intro"\nweight = 1\n[taxonomies]\nauthors = ["Ines Varga"]\n+++\nFirst.\n',
    "content/blog/setup.md": '+++\ntitle = "Setup"\nweight = 2\nupdated = 2023-11-20\n[taxonomies]\nauthors = ["Ines Varga"]\n+++\nThen.\n',
    "content/course/_index.md": '+++\ntitle = "Course"\nsort_by = "title"\n+++\n',
    "content/course/basics.md": '+++\ntitle = "Basics"\n[taxonomies]\nauthors = ["Ines Varga"]\n+++\nBasics.\n',
}


def test_undated_pages_of_a_section_sorted_by_weight_or_title_import_dated_and_reported(tmp_path, capsys):
    code, err = _import(_site(tmp_path / "old", WEIGHTED), tmp_path / "new", capsys)
    assert code == 0, err
    posts = sorted(p.name for p in (tmp_path / "new/posts/ines-varga").iterdir())
    assert posts == ["2023-11-20-setup.md", "2024-03-05-intro.md", "2024-03-05-news.md"]
    assert (
        "content/blog/intro.md:1: warning: the page has no date (its section is sorted by weight): it is dated 2024-03-05, the date" in err
    )
    assert (
        "content/blog/setup.md:1: warning: the page has no date (its section is sorted by weight): it is dated 2023-11-20, its 'upd" in err
    )
    assert (
        "content/course/_index.md:1: warning: the 1 pages of the section 'course' are not imported: none of its pages is dated (it is so"
        in err
    )
    result = strict_build(tmp_path / "new")
    assert_answers(result, ["/blog/intro/", "/blog/setup/", "/blog/news/"], BASE)

    code, err = _import(_site(tmp_path / "old", WEIGHTED), tmp_path / "again", capsys, "--section", "blog", "--section", "course")
    assert code == 0, err
    assert (tmp_path / "again/posts/ines-varga/2024-03-05-basics.md").is_file()


def test_undated_pages_of_a_section_sorted_by_date_are_still_left_out_and_reported(tmp_path, capsys):
    files = {**WEIGHTED, "content/blog/_index.md": '+++\ntitle = "Blog"\nsort_by = "date"\n+++\n'}
    code, err = _import(_site(tmp_path / "old", files), tmp_path / "new", capsys)
    assert code == 0, err
    assert "content/blog/intro.md:1: warning: the page has no date; it is left out" in err
    assert sorted(p.name for p in (tmp_path / "new/posts/ines-varga").iterdir()) == ["2024-03-05-news.md"]
