"""`blogkit import jekyll` on whole small sites written inline: each a pattern real Jekyll blogs use,
read the way Jekyll read it, and built with `--strict` after the import."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from importing import assert_anchor, assert_answers, assert_feed, page_at

from blogkit.migrate.jekyll_listings import jekyll_slug
from conftest import build, diagnostics, run_cli

BASE = "https://blog.plover.example/"
CONFIG = "title: Plover\nurl: https://blog.plover.example\n"


def jekyll(root: Path, files: dict[str, str], config: str = "") -> Path:
    files = {"_config.yml": CONFIG + config, **files}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def imported(tmp_path: Path, capsys, files: dict[str, str], config: str = "") -> tuple[Path, str, object]:
    """Import the site, check that its import builds with --strict; (the new site, the report, the build)."""
    source = jekyll(tmp_path / "old", files, config)
    dest = tmp_path / "new"
    code, _, err = run_cli(["import", "jekyll", str(source), str(dest)], capsys)
    assert code == 0, err
    result = build(dest)
    assert [d for d in diagnostics(result) if ": note: " not in d] == []  # what `build --strict` needs (a note fails no build)
    return dest, err, result


def post(front: str, body: str = "Text.\n") -> str:
    return f"---\n{front.strip()}\n---\n{body}"


def test_duplicate_keys_are_read_as_ruby_read_them_the_last_wins_each_reported_at_its_line(tmp_path, capsys):
    dest, report, _ = imported(
        tmp_path,
        capsys,
        {
            "_data/authors.yml": "ana:\n  name: Ana Old\nbo:\n  name: Bo Chen\nana:\n  name: Ana Lima\n",
            "_posts/2024-03-01-raft.md": post("title: First\ntitle: Raft notes\nauthor: ana"),
        },
        "title: Plover Engineering\n",
    )
    assert "_config.yml:3: warning: the key 'title' is given again (first on line 1); as Jekyll did, the last value is kept" in report
    assert "_data/authors.yml:5: warning: the key 'ana' is given again (first on line 1)" in report
    assert "_posts/2024-03-01-raft.md:3: warning: the key 'title' is given again (first on line 2)" in report
    assert (dest / "authors/ana.yaml").read_text() == "name: Ana Lima\n"
    written = (dest / "posts/ana/2024-03-01-raft.md").read_text()
    assert written.startswith("---\ntitle: Raft notes\n") and written.count("title:") == 1
    assert "title: Plover Engineering\n" in (dest / "blogkit.yaml").read_text()


def test_authors_from_config_and_data_are_one_profile_whether_written_author_or_authors(tmp_path, capsys):
    dest, _, _ = imported(
        tmp_path,
        capsys,
        {
            "_data/authors.yml": "bo:\n  name: Bo Chen\n  thumbnail: /img/authors/bo.svg\n",
            "img/authors/bo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>',
            "_posts/2024-03-01-one.md": post("title: One\nauthor: ana"),
            "_posts/2024-03-02-two.md": post("title: Two\nauthors: [ana, bo]"),
            "_posts/2024-03-03-three.md": post("title: Three\nauthor: [bo]"),
        },
        "authors:\n  ana:\n    name: Ana Lima\n    site: https://ana.example\n    twitter: analima\n    byline: Works on storage.\n",
    )
    assert sorted(p.name for p in (dest / "authors").iterdir()) == ["ana.yaml", "bo.yaml"]
    assert (dest / "authors/ana.yaml").read_text() == (
        "name: Ana Lima\nbio: Works on storage.\nlinks:\n- label: Twitter\n  url: https://twitter.com/analima\n"
        "- label: Website\n  url: https://ana.example\n"
    )
    assert (dest / "authors/bo.yaml").read_text() == "name: Bo Chen\navatar: img/authors/bo.svg\n"
    assert "authors:\n- ana\n- bo\n" in (dest / "posts/ana/2024-03-02-two.md").read_text()


def test_octopress_category_pages_and_their_feeds_answer_at_their_old_urls(tmp_path, capsys):
    _, _, result = imported(
        tmp_path,
        capsys,
        {
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana\ncategories: [Next.js, Open_Source]"),
            "_posts/2024-03-02-two.md": post("title: Two\nauthor: Ana\ncategories: [Open_Source]"),
        },
        "permalink: /blog/:year/:month/:day/:title/\ncategory_dir: blog/categories\npaginate: 1\npaginate_path: /blog/:num/\n",
    )
    assert_answers(
        result,
        ["/blog/2024/03/01/one/", "/blog/categories/", "/blog/categories/next-js/", "/blog/categories/open-source/", "/blog/2/"],
        BASE,
    )
    assert_feed(result, "/blog/categories/open-source/atom.xml", {BASE + "blog/2024/03/01/one", BASE + "blog/2024/03/02/two"})


def test_pages_folder_listed_in_include_comes_over_and_liquid_listing_pages_lead_to_blogkits_own(tmp_path, capsys):
    dest, report, result = imported(
        tmp_path,
        capsys,
        {
            "_pages/about.md": post("title: About\npermalink: /about/", "Hello.\n"),
            "_pages/categories.md": post(
                "title: Categories\npermalink: /categories/", "{% for category in site.categories %}x{% endfor %}\n"
            ),
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana\ncategories: [rust]", "See [about](/about/).\n"),
            "favicon.ico": "ico",
            "google0123.html": "google-site-verification: google0123.html\n",
            "index.html": post("layout: home", "{% for post in paginator.posts %}x{% endfor %}\n"),
            "events.html": post("title: Events", "<p>{{ site.title }}</p>\n"),
            "authors.html": post("title: Authors", "{% assign people = site.data.authors | sort %}{% for a in people %}x{% endfor %}\n"),
            "css/main.scss": post("", "body { color: red; }\n"),
            "README.md": "How to run the blog.\n",
            "Templates/Post.md": post("title: A post template", "Write here.\n"),
        },
        "permalink: /:title/\ninclude: ['_pages']\n",
    )
    assert (dest / "pages/about.md").read_text() == "---\ntitle: About\n---\nHello.\n"
    # a permalink style ending in '/' makes Jekyll write pages as folders too: authors.html was /authors/
    assert_answers(result, ["/about/", "/categories/", "/authors/", "/favicon.ico", "/google0123.html", "/README.md", "/one/"], BASE)
    assert "events.html:1: warning: the page is HTML with Liquid; it is not imported" in report
    assert "css/main.scss:1: warning: the stylesheet Jekyll made from this Sass is not kept" in report
    assert "Templates/Post.md:1: warning: the old URL /Templates/Post/ differs from the page's new one, /templates/post/, only" in report


def test_liquid_listing_pages_of_a_style_without_a_slash_lead_from_the_files_jekyll_wrote(tmp_path, capsys):
    """`permalink: /:title` (as a real company blog has): Jekyll's URL for authors.html is /authors, written as authors.html."""
    _, report, result = imported(
        tmp_path,
        capsys,
        {
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana"),
            "authors.html": post("title: Authors", "{% assign people = site.data.authors | sort %}{% for a in people %}x{% endfor %}\n"),
            "tags.html": post("title: Tags", "{% for tag in site.tags %}x{% endfor %}\n"),
        },
        "permalink: /:title\n",
    )
    assert page_at(result, "/authors.html", BASE)[0] == "authors/index.html"
    assert page_at(result, "/tags.html", BASE)[0] == "tags/index.html"
    assert "is answered by a page of the new site" not in report


def test_a_hand_written_feed_keeps_its_old_url_and_its_guids(tmp_path, capsys):
    template = (
        '---\nlayout: null\n---\n<?xml version="1.0"?>\n<rss version="2.0"><channel>{% for post in site.posts %}<item>'
        '<guid isPermaLink="true">{{ post.url | prepend: site.url }}</guid></item>{% endfor %}</channel></rss>\n'
    )
    _, _, result = imported(
        tmp_path,
        capsys,
        {"rss.xml": template, "_posts/2024-03-01-Big-News.md": post("title: Big news\nauthor: Ana")},
        "permalink: /:title\n",
    )
    assert_answers(result, ["/Big-News", "/Big-News.html"], BASE)  # Jekyll's :title keeps the file name's case; it wrote .html
    assert_feed(result, "/rss.xml", {BASE + "Big-News"})


IMAGE_INCLUDE = '<a href="{{ include.url }}">\n  <img src="{{ include.url }}" alt="{{ include.title }}">\n</a>\n'
GH_COMMENTS = '<p>Reply on <a href="https://github.com/plover/blog/issues/{{ page.comment_id }}">the issue</a>.</p>\n'


def test_comment_threads_videos_image_includes_series_and_canonical_are_kept(tmp_path, capsys):
    body = (
        "Intro.\n\n"
        '<iframe width="560" src="https://www.youtube-nocookie.com/embed/AbCdEf123?rel=0" title="Our talk" allowfullscreen></iframe>\n\n'
        '<div class="video"><iframe src="https://player.vimeo.com/video/4242"></iframe></div>\n\n'
        '{% include expanded_img.html url="/images/arch.svg" title="The architecture" %}\n\n'
        '<iframe src="https://docs.example.com/slides"></iframe>\n\n'
        '{% expanded_img left /images/arch.svg 300 "The plan" %}\n\n'
        '{% include video.html url="/images/demo.mp4" title="The demo" %}\n\n'
        '<script src="https://player.vimeo.com/api/player.js"></script>\n'
    )
    dest, report, _ = imported(
        tmp_path,
        capsys,
        {
            "_includes/gh_comments.html": GH_COMMENTS,
            "_includes/expanded_img.html": IMAGE_INCLUDE,
            "_includes/video.html": '<div>\n<video controls>\n  <source src="{{ include.url }}" type="video/mp4">\n</video>\n</div>\n',
            "images/demo.mp4": "mp4",
            "images/arch.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>',
            "_posts/2024-03-01-one.md": post(
                "title: One\nauthor: Ana\ncomment_id: 362\nseries: Storage\ncanonical_url: https://medium.example/one\ncss: |\n  h1 {}",
                body,
            ),
        },
    )
    written = (dest / "posts/ana/2024-03-01-one.md").read_text()
    assert "discussion: https://github.com/plover/blog/issues/362\n" in written
    assert "series: Storage\n" in written and "canonical: https://medium.example/one\n" in written
    assert "[Watch the video on YouTube: Our talk](https://www.youtube.com/watch?v=AbCdEf123)" in written
    assert '<a href="https://vimeo.com/4242">Watch the video on Vimeo</a>' in written
    assert "![The architecture](/images/arch.svg)" in written and "![The plan](/images/arch.svg)" in written
    assert "_posts/2024-03-01-one.md:18: warning: the embedded page 'https://docs.example.com/slides' is kept as a link" in report
    assert "_posts/2024-03-01-one.md:7: warning: the post's per-post CSS ('css') is not kept" in report
    assert "[Watch the video: The demo](/images/demo.mp4)" in written
    assert "_posts/2024-03-01-one.md:24: warning: the post's <script> is not kept" in report
    assert "iframe" not in written and "<script" not in written


def test_tag_spellings_that_shared_one_page_become_one_tag(tmp_path, capsys):
    dest, _, result = imported(
        tmp_path,
        capsys,
        {
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana\ntags: Dev-Ops kafka"),
            "_posts/2024-03-02-two.md": post("title: Two\nauthor: Ana\ntags: [Dev Ops]"),
            "_posts/2024-03-03-three.md": post("title: Three\nauthor: Ana\ntags: [dev-ops]"),
        },
        "plugins: [jekyll-archives]\njekyll-archives:\n  enabled: [tags]\n",
    )
    assert "tags:\n- Dev-Ops\n- kafka\n" in (dest / "posts/ana/2024-03-01-one.md").read_text()
    assert (dest / "tags.yaml").read_text() == "Dev Ops:\n  aliases:\n  - Dev-Ops\n"
    assert_answers(result, ["/tag/dev-ops/", "/tag/kafka/", "/tags/dev-ops/"], BASE)


def test_a_post_dated_in_the_future_was_not_published_by_jekyll_and_is_a_draft(tmp_path, capsys):
    dest, report, result = imported(
        tmp_path,
        capsys,
        {
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana\ncategories: [Engineering]"),
            "_posts/2999-01-01-template.md": post("title: Template\nauthor: Ana\ndate: 2999-01-01\ncategories: [Category 1]"),
        },
        "plugins: [jekyll-archives]\njekyll-archives:\n  enabled: [categories]\n  permalinks:\n    category: /categories/:name/\n",
    )
    assert "_posts/2999-01-01-template.md:4: warning: the post is dated in the future, and Jekyll published no such post" in report
    assert "draft: true" in (dest / "posts/ana/2999-01-01-template.md").read_text()
    assert "/categories/category-1/" not in (dest / "blogkit.yaml").read_text()
    assert_answers(result, ["/categories/engineering/"], BASE)


def test_permalink_styles_collections_permalink_and_scoped_defaults(tmp_path, capsys):
    for style, url in (
        ("pretty", "/engineering/2024/03/01/One-Step/"),
        ("date", "/engineering/2024/03/01/One-Step.html"),
        ("ordinal", "/engineering/2024/061/One-Step.html"),
        ("none", "/engineering/One-Step.html"),
        ("/:year/:slug/", "/2024/one-step/"),
    ):
        folder = tmp_path / style.strip("/").replace(":", "").replace("/", "-")
        _, _, result = imported(
            folder,
            capsys,
            {"_posts/2024-03-01-One-Step.md": post("title: One step\nauthor: Ana\ncategories: [Engineering]")},
            f"permalink: {style}\n",
        )
        assert_answers(result, [url], BASE)
    dest, _, result = imported(
        tmp_path / "defaults",
        capsys,
        {
            "_posts/2024-03-01-one.md": post("title: One\ncategories: [Ops]"),
            "_posts/ops/2024-03-02-two.md": post("title: Two\nauthor: Bo"),
        },
        "permalink: date\ncollections:\n  posts:\n    permalink: /articles/:title/\n"
        "defaults:\n  - scope: {path: '', type: posts}\n    values: {author: Ana}\n"
        "  - scope: {path: _posts/ops}\n    values: {author: Cy, tags: [oncall]}\n",
    )
    assert_answers(result, ["/articles/one/", "/articles/two/"], BASE)
    assert (dest / "posts/ana/2024-03-01-one.md").exists()
    two = (dest / "posts/bo/2024-03-02-two.md").read_text()  # its own front matter wins over the defaults
    assert "- oncall\n" in two


def test_a_name_anchors_still_land(tmp_path, capsys):
    _, _, result = imported(
        tmp_path,
        capsys,
        {
            "_posts/2024-03-01-one.md": post(
                "title: One\nauthor: Ana", 'See [setup](#setup).\n\n<a name="setup"></a>\n## Setting up\n\nText.\n'
            )
        },
    )
    assert_anchor(result, "/2024/03/01/one.html", "setup", BASE)


def test_importing_no_post_from_a_folder_of_dated_articles_is_an_error_with_a_hint(tmp_path, capsys):
    source = jekyll(tmp_path / "old", {"posts/2024-03-01-one.md": post("title: One"), "posts/2024-03-02-two.md": post("title: Two")})
    code, _, err = run_cli(["import", "jekyll", str(source), str(tmp_path / "new")], capsys)
    assert code == 1
    assert "posts/2024-03-01-one.md: error: no post was imported, though the site holds 2 dated article(s)" in err
    assert "hint: Jekyll reads posts only from `_posts/`" in err
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("written", "mode", "cased", "slug"),
    [
        ("Dev Ops", "default", False, "dev-ops"),
        ("a_-b  c", "default", False, "a-b-c"),  # one '-' for each run, '_' included
        ("Next.js", "default", False, "next-js"),
        ("Cocoa-Architecture:-Router-Pattern", "pretty", True, "Cocoa-Architecture-Router-Pattern"),
        ("snake_case: v1.2", "pretty", True, "snake_case-v1.2"),  # pretty keeps '_' and '.'
        ("--Big News--", "default", True, "Big-News"),
    ],
)
def test_jekyll_slugs(written, mode, cased, slug):
    assert jekyll_slug(written, mode, cased) == slug


def test_lines_of_liquid_after_a_rewritten_iframe_are_lines_of_the_file(tmp_path, capsys):
    body = (
        '<iframe src="https://www.youtube.com/embed/AbCdEf123?rel=0&amp;showinfo=0&amp;controls=1" width="560"></iframe>\n{% raw_thing %}\n'
    )
    _, report, _ = imported(tmp_path, capsys, {"_posts/2024-03-01-one.md": post("title: One\nauthor: Ana", body)})
    assert "_posts/2024-03-01-one.md:6: warning: the Liquid tag '{% raw_thing %}' cannot be translated" in report


def test_a_gem_theme_that_brings_jekyll_feed_keeps_its_feed_and_says_so_in_one_line(tmp_path, capsys):
    files = {"_posts/2024-01-15-raft.md": post("title: Raft\nauthor: ana"), "index.md": "---\nlayout: home\n---\n"}
    _, err, result = imported(tmp_path, capsys, files, "theme: minima\n")
    assert err.count("the theme 'minima' is a gem, not in the site, that brings jekyll-feed") == 1
    assert_feed(result, "/feed.xml", {BASE + "2024/01/15/raft"})  # jekyll-feed's id: the post's id, no trailing slash


SERIES_PLUGIN = 'series = site.posts.docs.flat_map { |p| p.data["series"] }.compact.uniq\n'
PODCAST = (
    '---\nlayout: null\n---\n<?xml version="1.0"?>\n<rss version="2.0"><channel>\n'
    "{% for episode in site.podcast.episodes %}<item><guid>{{ episode.url }}</guid></item>{% endfor %}\n</channel></rss>\n"
)


def test_series_pages_of_a_series_plugin_lead_to_the_series_first_post_and_a_podcast_feed_is_reported(tmp_path, capsys):
    dest, report, result = imported(
        tmp_path,
        capsys,
        {
            "_plugins/series_index.rb": SERIES_PLUGIN,
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana\nseries: Raft in Practice"),
            "_posts/2024-04-01-two.md": post("title: Two\nauthor: Ana\nseries: Raft in Practice"),
            "_posts/2024-05-01-three.md": post("title: Three\nauthor: Ana"),
            "podcast.xml": PODCAST,
        },
        "permalink: /blog/:year/:month/:day/:title/\n",
    )
    file, _ = page_at(result, "/series/raft-in-practice/", BASE)
    assert file == "2024/03/one/index.html"  # its page lists the whole series, in order
    assert "podcast.xml:6: warning: the feed lists site.podcast.episodes, not posts: no feed of blogkit can stand for it" in report
    assert "podcast.xml" not in (dest / "blogkit.yaml").read_text()


def test_jekyll_archives_date_pages_lead_to_their_year_on_the_archive_page(tmp_path, capsys):
    dest, _, result = imported(
        tmp_path,
        capsys,
        {
            "_posts/2023-12-31-old.md": post("title: Old\nauthor: Ana\ncategories: [Ops]\ntags: [Raft]"),
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana\ntags: [Raft]"),
            "_drafts/later.md": post("title: Later\nauthor: Ana\ndate: 2022-01-01"),
        },
        "plugins: [jekyll-archives]\njekyll-archives:\n  enabled: all\n  permalinks:\n    year: /years/:year/\n    tag: /:type/:name/\n",
    )
    assert_answers(result, ["/tag/raft/", "/category/ops/"], BASE)
    for old, year in (("/years/2023/", 2023), ("/2023/12/", 2023), ("/2023/12/31/", 2023), ("/years/2024/", 2024), ("/2024/03/01/", 2024)):
        content = result.outputs.files[old.lstrip("/") + "index.html"].content
        assert isinstance(content, bytes)
        assert f'url={BASE}archive/#year-{year}"'.encode() in content, old
    assert b'id="year-2023"' in page_at(result, "/archive/", BASE)[1]
    assert "/years/2022/" not in (dest / "blogkit.yaml").read_text()  # a draft: Jekyll published no page of its year


def test_pages_that_are_not_posts_are_copied_kept_as_pages_or_reported(tmp_path, capsys):
    dest, report, result = imported(
        tmp_path,
        capsys,
        {
            "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana"),
            "CNAME": "blog.plover.example\n",
            "robots.txt": "User-agent: *\nDisallow: /drafts/\n",
            "404.html": "<h1>Lost</h1>\n",
            "join.html": post("layout: default\ntitle: Join us", "<h1>Join us</h1>\n<p>We hire.</p>\n"),
            "about/team.md": post("title: The team", "We are four.\n"),
            "assets/app.js": post("", "var site = '{{ site.url }}';\n"),
            "blog/archives/index.html": post("title: Archives", "{% for post in site.posts %}{{ post.title }}{% endfor %}\n"),
            "Templates/Post.md": post("title: A post template", "Write here.\n"),
        },
    )
    assert_answers(result, ["/Templates/Post.html", "/templates/post/"], BASE)
    assert page_at(result, "/blog/archives/", BASE)[0] == "archive/index.html"  # every post by date: blogkit's archive page
    assert_answers(result, ["/join.html", "/join/", "/about/team.html", "/about/team/"], BASE)
    assert "CNAME" in result.outputs.files
    robots = result.outputs.files["robots.txt"].content
    assert isinstance(robots, bytes) and b"Disallow: /drafts/" in robots  # kept as the theme's robots.txt template
    assert "404.html: warning: blogkit writes its own /404.html; the old site's is not copied" in report
    assert "assets/app.js:1: warning: the file is made by a Liquid template; it is not imported" in report
    assert (dest / "pages/join.md").read_text() == "---\ntitle: Join us\n---\n<h1>Join us</h1>\n<p>We hire.</p>\n"


def _jekyll_with(plugin: str) -> bool:
    ruby = shutil.which("ruby")
    if not shutil.which("jekyll") or not ruby:
        return False
    return subprocess.run([ruby, "-e", f"require 'jekyll'; require '{plugin}'"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _jekyll_with("jekyll-archives"), reason="Jekyll with jekyll-archives is not installed")
def test_every_page_jekyll_archives_published_answers_after_the_import(tmp_path, capsys):
    """Judged by Jekyll itself: the fixture is built with Jekyll and jekyll-archives, and every page it wrote answers."""
    files = {
        "_layouts/archive.html": "{{ content }}\n",
        "_posts/2023-12-31-old.md": post("title: Old\nauthor: Ana\ncategories: [Ops]\ntags: [Raft, Dev Ops]"),
        "_posts/2024-03-01-one.md": post("title: One\nauthor: Ana\ncategories: [Ops]\ntags: [Raft]"),
        "_posts/2024-03-09-two.md": post("title: Two\nauthor: Bo\ntags: [Kafka]"),
    }
    config = (
        "plugins: [jekyll-archives]\njekyll-archives:\n  enabled: [year, month, day, categories, tags]\n"
        "  permalinks:\n    year: /:year/\n    month: /:year/:month/\n    day: /:year/:month/:day/\n    tag: /tags/:name/\n"
    )
    source = jekyll(tmp_path / "old", files, config)
    built = tmp_path / "jekyll-out"
    env = {**os.environ, "JEKYLL_NO_BUNDLER_REQUIRE": "true"}
    done = subprocess.run(
        ["jekyll", "build", "-s", str(source), "-d", str(built), "--disable-disk-cache"], capture_output=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    published = sorted("/" + str(p.relative_to(built).parent).replace(os.sep, "/") + "/" for p in built.rglob("index.html"))
    assert "/2024/03/" in published and "/tags/dev-ops/" in published and "/category/ops/" in published
    dest = tmp_path / "new"
    code, _, err = run_cli(["import", "jekyll", str(source), str(dest)], capsys)
    assert code == 0, err
    result = build(dest)
    assert [d for d in diagnostics(result) if ": note: " not in d] == []
    missing = [url for url in published if url.lstrip("/") + "index.html" not in result.outputs.files]
    assert missing == []


CATEGORY_FEED = (
    '---\nlayout: null\n---\n<feed xmlns="http://www.w3.org/2005/Atom"><id>{{ site.url }}/</id>\n'
    "{% for post in site.categories[page.category] limit: 5 %}<entry><id>{{ site.url }}{{ post.id }}</id></entry>{% endfor %}</feed>\n"
)


URL_IDS_FEED = (  # a feed at the top whose entry ids are the posts' URLs, where the category feeds give their Jekyll ids
    '---\nlayout: null\n---\n<rss version="2.0"><channel>{% for post in site.posts limit:10 %}<item>\n'
    "<guid>{{ post.url | prepend: site.url }}</guid></item>{% endfor %}</channel></rss>\n"
)


def _import_disagreeing_feeds(tmp_path, capsys, feed_path: str):  # type: ignore[no-untyped-def]
    files = {
        "_includes/category_feed.xml": CATEGORY_FEED,
        feed_path: URL_IDS_FEED,
        "_posts/2024-03-01-One-Step.md": post("title: One\nauthor: Ana\ncategories: [Ops, Raft]"),
    }
    dest, report, result = imported(tmp_path, capsys, files, "permalink: /blog/:year/:month/:day/:title/\ncategory_dir: blog/categories\n")
    assert "gave the posts' URLs as entry ids" not in report
    assert "id: https://blog.plover.example/blog/2024/03/01/One-Step\n" in (dest / "posts/ana/2024-03-01-one-step.md").read_text()
    assert_feed(result, "/blog/categories/raft/atom.xml", {BASE + "blog/2024/03/01/One-Step"})  # posts keep the more feeds' ids
    assert_feed(result, f"/{feed_path}", {BASE + "blog/2024/03/01/One-Step/"})  # and the other feed its URL ids
    return dest, report, result


def test_when_the_feeds_disagree_on_entry_ids_each_keeps_its_own_even_at_blogkits_own_feed_url(tmp_path, capsys):
    """The RSS feed at /feed.xml, where blogkit's own Atom feed of the hub would be, keeps its URL and its URL ids,
    and blogkit's Atom feeds are left out, said once."""
    dest, report, result = _import_disagreeing_feeds(tmp_path, capsys, "feed.xml")
    assert (
        "warning: the old feed /feed.xml is where blogkit's own Atom feed of the hub is, with another format: it keeps serving "
        "the old feed, and blogkit publishes no Atom feeds (feeds.formats: rss, json)" in report
    )
    assert "feeds:\n  formats:\n  - rss\n  - json\n" in (dest / "blogkit.yaml").read_text()
    assert feedparser.parse(result.outputs.files["feed.xml"].content).version == "rss20"


def test_a_feed_that_gave_the_posts_urls_keeps_them_where_the_others_gave_jekyll_ids(tmp_path, capsys):
    """At its own URL (not blogkit's hub feed's), the minority feed keeps its ids too: `legacy_feeds` ids: url."""
    dest, report, _ = _import_disagreeing_feeds(tmp_path, capsys, "index.xml")
    assert "  ids: url\n" in (dest / "blogkit.yaml").read_text()
    assert "feeds.formats" not in report


def test_pages_that_only_redirected_become_redirects_to_where_they_led_each_reported_at_its_line(tmp_path, capsys):
    files = {
        "_posts/2024-01-02-moved-out.md": post(
            "title: Moved out\nauthor: Ana\nredirect_to: https://elsewhere.example/moved-out/?a=1&b=2\nredirect_from: [/old-moved/]"
        ),
        "_posts/2024-01-03-renamed.md": post("title: Renamed\nauthor: Ana\nredirect_to: /2024/01/04/kept.html"),
        "_posts/2024-01-04-kept.md": post(
            "title: Kept\nauthor: Ana",
            "See [the moved one]({% post_url 2024-01-02-moved-out %}) and [renamed](/2024/01/03/renamed.html).\n",
        ),
        "_posts/2024-01-05-absolute.md": post(f"title: Absolute\nauthor: Ana\nredirect_to: '{BASE}2024/01/04/kept.html#part'"),
        "_posts/2024-01-06-nowhere.md": post("title: Nowhere\nauthor: Ana\nredirect_to: /gone/"),
        "_posts/2024-01-07-secret.md": post("title: Secret\nauthor: Ana\nredirect_to:\n  - https://ana:pw@elsewhere.example/"),
        "about.md": post("title: About\nredirect_to: https://plover.example/about/"),
    }
    new, err, result = imported(tmp_path, capsys, files, "plugins: [jekyll-feed, jekyll-redirect-from]\n")
    assert [p.name for p in (new / "posts").rglob("*.md")] == ["2024-01-04-kept.md"]
    assert not (new / "pages").exists()
    assert_answers(result, ["/2024/01/03/renamed.html"], BASE)  # to the kept post's new URL
    moved_out = result.outputs.files["2024/01/02/moved-out.html"].content
    assert b'<link rel="canonical" href="https://elsewhere.example/moved-out/?a=1&amp;b=2">' in moved_out
    assert b'url=https://plover.example/about/"' in result.outputs.files["about.html"].content
    assert b"url=https://elsewhere.example/moved-out/" in result.outputs.files["old-moved/index.html"].content
    assert b'url=https://blog.plover.example/2024/01/kept/#part"' in result.outputs.files["2024/01/05/absolute.html"].content
    kept = (new / "posts/ana/2024-01-04-kept.md").read_text()
    assert "See [the moved one](/2024/01/02/moved-out.html) and [renamed](/2024/01/03/renamed.html)." in kept  # they answer
    lines = [line.split("/old/", 1)[1] for line in err.splitlines() if "/old/" in line and "redirect" in line]
    assert lines == [
        "_config.yml:3:24: warning: jekyll-redirect-from also wrote /redirects.json, the list of the old site's redirects (each old "
        "URL and the address it led to) for other programs; it is not kept",
        "_posts/2024-01-02-moved-out.md:4:14: warning: redirect_to: this page led its readers to "
        "https://elsewhere.example/moved-out/?a=1&b=2; it is not imported, and its old URL /2024/01/02/moved-out.html (and 1 more) "
        "leads there (a redirect in blogkit.yaml)",
        "_posts/2024-01-03-renamed.md:4:14: warning: redirect_to: this page led its readers to /2024/01/04/kept.html; it is not "
        "imported, and its old URL /2024/01/03/renamed.html leads to its new URL, /2024/01/kept/ (a redirect in blogkit.yaml)",
        "_posts/2024-01-05-absolute.md:4:14: warning: redirect_to: this page led its readers to /2024/01/04/kept.html#part; it is "
        "not imported, and its old URL /2024/01/05/absolute.html leads to its new URL, /2024/01/kept/#part (a redirect in blogkit.yaml)",
        "_posts/2024-01-06-nowhere.md:4:14: warning: redirect_to: this page led its readers to /gone/, which no page of the new site "
        "answers; it is not imported, and its old URL /2024/01/06/nowhere.html answers no more",
        "_posts/2024-01-07-secret.md:4: warning: redirect_to: this page led its readers to https://ana:pw@elsewhere.example/, an "
        "address that must not contain user credentials (user@ or user:password@); it is not imported, and its old URL "
        "/2024/01/07/secret.html answers no more",
        "about.md:3:14: warning: redirect_to: this page led its readers to https://plover.example/about/; it is not imported, and "
        "its old URL /about.html leads there (a redirect in blogkit.yaml)",
    ]


def test_an_old_url_a_post_keeps_is_no_redirect_of_a_page_that_only_led_elsewhere(tmp_path, capsys):
    files = {
        "_posts/2024-01-02-kept.md": post("title: Kept\nauthor: Ana\nredirect_from: [/shared/]"),
        "_posts/2024-01-03-gone.md": post("title: Gone\nauthor: Ana\nredirect_to: https://elsewhere.example/\nredirect_from: [/shared/]"),
        "_posts/2024-01-04-twin.md": post("title: Twin\nauthor: Ana\nredirect_to: https://twin.example/\nredirect_from: [/Shared/]"),
    }
    _, _, result = imported(tmp_path, capsys, files)  # one page at /shared/, not three: the build refuses two
    assert b"url=https://blog.plover.example/2024/01/kept/" in result.outputs.files["shared/index.html"].content
    assert b"url=https://elsewhere.example/" in result.outputs.files["2024/01/03/gone.html"].content


def test_a_pages_redirect_from_urls_answer(tmp_path, capsys):
    files = {
        "about.md": post("title: About\nredirect_from: [/about-us/, /company.html]"),
        "_posts/2024-01-02-a.md": post("title: A\nauthor: Ana"),
    }
    _, _, result = imported(tmp_path, capsys, files)
    assert_answers(result, ["/about.html", "/about-us/", "/company.html"], BASE)
