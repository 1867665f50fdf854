"""The default theme: head tags, JSON-LD, accessibility hooks, no third-party resources."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import EXAMPLE_SITE, build, diagnostics, post

GOLDEN_HUB = Path(__file__).parent / "golden" / "hub" / "site"


@pytest.fixture(scope="module")
def hub():
    result = build(GOLDEN_HUB)
    assert not result.report.diagnostics
    return result


def page(result, path: str) -> str:
    data = result.outputs.files[path].content
    assert isinstance(data, bytes)
    return data.decode()


class Resources(HTMLParser):
    """Every URL a page loads by itself (not links a reader follows)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "video", "audio", "source", "embed") and a.get("src"):
            self.loaded.append(a["src"])
        if tag == "link" and a.get("rel") in ("stylesheet", "icon", "preload", "modulepreload") and a.get("href"):
            self.loaded.append(a["href"])


def test_post_page_has_json_ld_with_every_author(hub):
    html = page(hub, "2025/06/tracing-bundle/index.html")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Tracing <everything> & nothing"
    assert [a["name"] for a in data["author"]] == ["Li Wei", "Ada Okafor"]
    assert all(a["@type"] == "Person" for a in data["author"])
    assert "<" not in block.group(1), "tojson escapes markup inside the script element"


def test_post_page_with_an_svg_cover_has_no_svg_social_card(hub):
    """Link previews show rasters only: an SVG cover is shown on the page, not offered as the card
    (the site's brand.social_card is, when it has one: see test_images)."""
    html = page(hub, "2025/06/tracing-bundle/index.html")
    assert "og:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert 'class="post-cover"' not in html, "the body shows the cover: it is not shown twice"
    assert '<img src="/engineering/2025/06/tracing-bundle/flame.svg" alt="A flame graph" width="10" height="4"' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<link rel="canonical" href="https://example.com/engineering/2025/06/tracing-bundle/">' in html


def test_every_page_has_a_skip_link_viewport_title_and_description(hub):
    for path in ("index.html", "authors/li-wei/index.html", "tags/go/index.html", "archive/index.html", "404.html"):
        html = page(hub, path)
        assert '<a class="skip-link" href="#main">Skip to content</a>' in html
        assert '<main id="main">' in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert re.search(r"<title>[^<]+</title>", html)
        assert '<meta name="description"' in html


def test_no_page_loads_a_third_party_resource(hub):
    for path, output in hub.outputs.files.items():
        if not path.endswith(".html") or not isinstance(output.content, bytes):
            continue
        parser = Resources()
        parser.feed(output.content.decode())
        external = [url for url in parser.loaded if re.match(r"^(https?:)?//", url) and "//example.com/" not in url]
        assert external == [], (path, external)


def test_code_blocks_get_a_copy_button_script_only_on_posts(hub):
    assert 'src="/engineering/assets/copy.js" defer' in page(hub, "2025/04/compaction-2/index.html")
    assert "copy.js" not in page(hub, "index.html")


def test_stylesheet_has_dark_mode_print_and_no_web_fonts():
    css = (Path(__file__).parent.parent / "themes/default/static/assets/style.css").read_text()
    assert "color-scheme: light dark" in css and "--bg: light-dark(#ffffff, #12151c)" in css and "@media print" in css
    assert ':root[data-theme="dark"] { color-scheme: dark; }' in css, "the reader's choice overrides the system's"
    assert "@font-face" not in css and "@import" not in css


def test_long_posts_get_a_nested_table_of_contents():
    result = build(EXAMPLE_SITE)
    html = page(result, "2024/02/lsm-compaction/index.html")
    toc = html[html.index('<nav class="toc"') : html.index("</nav>", html.index('<nav class="toc"'))]
    nested = (
        r'<li><a href="#write-amplification">Write amplification</a>\s*<ol><li><a href="#measuring-it">Measuring it</a></li></ol>\s*</li>'
    )
    assert re.search(nested, toc)


def test_site_templates_override_theme_partials():
    html = page(build(EXAMPLE_SITE), "index.html")
    assert "written by the engineers who build KestrelDB" in html


def test_a_theme_that_overrides_one_template_falls_back_to_the_default_theme(site):
    """A theme that overrides one template: the rest, templates and assets, come from the default theme."""
    files = {
        "blogkit.yaml": "title: T\nbase_url: https://hub.example/\ntheme: my-theme\n",
        "my-theme/templates/partials/footer.html": "<footer><p>My theme's footer</p></footer>\n",
        "my-theme/static/assets/extra.css": "body { color: teal; }\n",
        "posts/ada/2026-01-01-a.md": post("title: A\n"),
    }
    result = build(site(files))
    assert not result.report.errors, diagnostics(result)
    home = result.outputs.files["index.html"].content.decode()
    assert "My theme's footer" in home and "<!DOCTYPE html>" in home
    assert "assets/style.css" in result.outputs and "assets/extra.css" in result.outputs


def test_author_tag_and_team_pages_are_paginated(site):
    """Author, tag and team pages are paginated like the hub: 25 posts make three pages of 10, 10 and 5."""
    files = {f"posts/ada/2026-01-{i:02d}-p{i}.md": post(f"title: P{i}\ntags: [go]\n") for i in range(1, 26)}
    files["teams.yaml"] = "storage: {name: Storage}\n"
    files["authors/ada.yaml"] = "name: Ada Okafor\nteam: storage\n"
    result = build(site(files))
    assert not result.report.errors, diagnostics(result)
    for base in ("authors/ada/", "tags/go/", "teams/storage/"):
        pages = [result.outputs.files[f"{base}{sub}index.html"].content.decode() for sub in ("", "page/2/", "page/3/")]
        assert f"{base}page/4/index.html" not in result.outputs
        assert [p.count('class="post-card"') for p in pages] == [10, 10, 5], base
        assert "Page 2 of 3" in pages[1] and f'href="/{base}page/3/" rel="next"' in pages[1] and f'href="/{base}" rel="prev"' in pages[1]
        assert ": page 3" in pages[2].split("</title>")[0]


def test_cards_trim_long_summaries_at_a_sentence_or_a_word_and_never_end_on_a_colon() -> None:
    from blogkit.render.pages import CARD_SUMMARY_CHARS, card_summary

    sentences = "This sentence is long enough to count for something real. " * 8
    trimmed = card_summary(sentences)
    assert len(trimmed) <= CARD_SUMMARY_CHARS and trimmed.endswith("real.") and "…" not in trimmed
    words = card_summary("word " * 100)
    assert words.endswith("word…") and len(words) <= CARD_SUMMARY_CHARS + 1
    assert card_summary("Here is how:") == "Here is how…"
    assert card_summary("Short and sweet.") == "Short and sweet."


def test_an_authors_own_page_leaves_the_byline_out_of_cards_by_them_alone(site) -> None:
    root = site(
        {
            "authors/bo.yaml": "name: Bo Lindqvist\n",
            "posts/ada/2026-03-01-solo.md": "---\ntitle: Solo\n---\nText.\n",
            "posts/ada/2026-03-02-pair.md": "---\ntitle: Pair\nauthors: [ada, bo]\n---\nText.\n",
        }
    )
    result = build(root)
    author = result.outputs.files["authors/ada/index.html"].content.decode()  # type: ignore[union-attr]
    assert author.count('class="post-meta__authors"') == 1, "only the post written with Bo names its authors"
    hub = result.outputs.files["index.html"].content.decode()  # type: ignore[union-attr]
    assert hub.count('class="post-meta__authors"') == 2


def test_an_avatar_that_cannot_load_leaves_the_initials_not_a_broken_image(site) -> None:
    root = site(
        {"authors/ada.yaml": "name: Ada Okafor\navatar: https://img.example/ada.png\n", "posts/ada/2026-03-01-a.md": post("title: A")}
    )
    html = build(root).outputs.files["authors/ada/index.html"].content.decode()  # type: ignore[union-attr]
    assert re.search(
        r'<span class="avatar avatar--initials avatar--photo"[^>]*>AO<img data-initials="AO" src="https://img.example/ada.png" alt=""', html
    )
    css = (Path(EXAMPLE_SITE).parent / "themes" / "default" / "static" / "assets" / "style.css").read_text(encoding="utf-8")
    assert ".avatar--photo img::before { content: attr(data-initials);" in css
