"""Feeds, read back with real parsers: feedparser for Atom and RSS, the JSON Feed 1.1 rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest

from conftest import build, post

GOLDEN_HUB = Path(__file__).parent / "golden" / "hub" / "site"


def content(result, path: str) -> bytes:
    data = result.outputs.files[path].content
    assert isinstance(data, bytes), path
    return data


@pytest.fixture(scope="module")
def hub():
    result = build(GOLDEN_HUB)
    assert not result.report.diagnostics
    return result


def feed_paths(result) -> dict[str, list[str]]:
    paths: dict[str, list[str]] = {"atom": [], "rss": [], "json": []}
    for path in result.outputs.files:
        for fmt, name in (("atom", "feed.xml"), ("rss", "rss.xml"), ("json", "feed.json")):
            if path == name or path.endswith("/" + name):
                paths[fmt].append(path)
    return paths


def test_every_scope_has_three_feeds(hub):
    site = hub.site
    scopes = 1 + len(site.authors) + len(site.tags) + len(site.teams)
    assert {fmt: len(paths) for fmt, paths in feed_paths(hub).items()} == {"atom": scopes, "rss": scopes, "json": scopes}


LINKED = ("https://example.com/engineering/", "https://li.example.org/")  # the hub's posts, and one from an engineer's own blog


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_feeds_parse_cleanly(hub, fmt):
    for path in feed_paths(hub)[fmt]:
        parsed = feedparser.parse(content(hub, path))
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
        for entry in parsed.entries:
            assert entry.link.startswith(LINKED), entry.link
            assert entry.id


def test_json_feeds_follow_json_feed_1_1(hub):
    for path in feed_paths(hub)["json"]:
        feed = json.loads(content(hub, path))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["title"] and feed["feed_url"] == "https://example.com/engineering/" + path
        assert "author" not in feed
        for item in feed["items"]:
            assert isinstance(item["id"], str) and (item.get("content_html") or "content_text" in item)
            assert item["url"].startswith(LINKED), item["url"]
            assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", item["date_published"])
            assert "author" not in item and item["authors"]


def test_co_authored_post_credits_every_author_in_every_format(hub):
    atom = feedparser.parse(content(hub, "feed.xml"))
    entry = next(e for e in atom.entries if e.title.startswith("Tracing"))
    assert [a.name for a in entry.authors] == ["Li Wei", "Ada Okafor"]
    assert [a.href for a in entry.authors] == [
        "https://example.com/engineering/authors/li-wei/",
        "https://example.com/engineering/authors/ada-okafor/",
    ]
    rss = content(hub, "rss.xml").decode()
    item = rss[rss.index("<title>Tracing") :]
    item = item[: item.index("</item>")]
    assert re.findall(r"<dc:creator>(.*?)</dc:creator>", item) == ["Li Wei", "Ada Okafor"]
    feed = json.loads(content(hub, "feed.json"))
    item_json = next(i for i in feed["items"] if i["title"].startswith("Tracing"))
    assert [a["name"] for a in item_json["authors"]] == ["Li Wei", "Ada Okafor"]


def test_entry_content_is_ready_for_syndication(hub):
    feed = json.loads(content(hub, "feed.json"))
    item = next(i for i in feed["items"] if i["title"] == "Compaction, part 1: why")
    html = item["content_html"]
    assert 'href="https://example.com/engineering/2025/03/compaction/#fn1"' in html, "fragments are absolute"
    assert "footnote-item" in html, "footnotes intact"
    assert "heading-anchor" not in html and "<script" not in html
    assert not re.search(r'(?:href|src)="/', html), "no root-relative URLs"
    assert item["summary"] == "Compaction keeps reads fast."
    bundle = next(i for i in feed["items"] if i["title"].startswith("Tracing"))
    assert 'src="https://example.com/engineering/2025/06/tracing-bundle/flame.svg"' in bundle["content_html"]
    assert bundle["image"] == "https://example.com/engineering/2025/06/tracing-bundle/flame.svg"


def test_drafts_and_future_posts_never_appear(hub):
    for paths in feed_paths(hub).values():
        for path in paths:
            data = content(hub, path)
            assert b"Not ready" not in data and b"From the future" not in data


def test_updated_comes_from_content_not_the_clock(hub):
    atom = feedparser.parse(content(hub, "feed.xml"))
    entry = next(e for e in atom.entries if e.title == "Compaction, part 2: how")
    assert entry.published == "2025-04-01T09:30:00+02:00"
    assert entry.updated == "2025-04-03T00:00:00+02:00"
    assert atom.feed.updated == "2025-08-01T08:00:00+00:00", "the feed's updated is its newest entry's (Li Wei's own blog)"


def test_renamed_post_keeps_its_id(site):
    before = build(site({"posts/ada/2026-01-01-old-name.md": post("title: A\n")}))
    old_id = json.loads(content(before, "feed.json"))["items"][0]["id"]
    (Path(before.config.root) / "posts/ada/2026-01-01-old-name.md").rename(Path(before.config.root) / "posts/ada/2026-01-01-new-name.md")
    (Path(before.config.root) / "posts/ada/2026-01-01-new-name.md").write_text(post("title: A\naliases: [/2026/01/old-name/]\n"))
    after = build(Path(before.config.root))
    item = json.loads(content(after, "feed.json"))["items"][0]
    assert item["url"] == "https://hub.example/2026/01/new-name/"
    assert item["id"] == old_id == "https://hub.example/2026/01/old-name/"
    rss = content(after, "rss.xml").decode()
    assert '<guid isPermaLink="false">https://hub.example/2026/01/old-name/</guid>' in rss


def test_front_matter_id_is_the_entry_id(site):
    result = build(site({"posts/ada/2026-01-01-a.md": post("title: A\nid: post-0042\n")}))
    assert json.loads(content(result, "feed.json"))["items"][0]["id"] == "urn:blogkit:post-0042"
    assert feedparser.parse(content(result, "feed.xml")).entries[0].id == "urn:blogkit:post-0042"


def test_characters_illegal_in_xml_are_removed(site):
    result = build(site({"posts/ada/2026-01-01-a.md": post('title: "Bell \\a and \\x0b tab"\n', "Text with \x0c form feed.\n")}))
    for path in ("feed.xml", "rss.xml"):
        data = content(result, path)
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", data)
        assert not feedparser.parse(data).bozo
    assert "\x0c" not in json.loads(content(result, "feed.json"))["items"][0]["content_html"]


def test_feed_formats_and_entry_count_are_configurable(site):
    files = {f"posts/ada/2026-01-{d:02d}-p{d}.md": post(f"title: P{d}\n") for d in range(1, 6)}
    files["blogkit.yaml"] = "title: T\nbase_url: https://hub.example/\nfeeds:\n  formats: [atom]\n  entries: 3\n"
    result = build(site(files))
    assert "feed.xml" in result.outputs and "rss.xml" not in result.outputs and "feed.json" not in result.outputs
    assert len(feedparser.parse(content(result, "feed.xml")).entries) == 3
    home = content(result, "index.html")
    assert b'type="application/atom+xml"' in home and b"application/rss+xml" not in home


def test_pages_link_their_feeds_for_autodiscovery(hub):
    tag_page = content(hub, "tags/kubernetes/index.html").decode()
    assert '<link rel="alternate" type="application/atom+xml" href="/engineering/tags/kubernetes/feed.xml"' in tag_page
    assert '<link rel="alternate" type="application/feed+json" href="/engineering/feed.json"' in tag_page


def test_hub_feeds_carry_the_post_author_tag_and_team_feeds_its_summary(hub):
    """The default of `feeds.full_content`: the whole post in the hub's feeds, summaries elsewhere."""
    full = ["feed.xml"]
    short = ["authors/ada-okafor/feed.xml", "tags/kubernetes/feed.xml", "teams/platform/feed.xml"]
    for path in full + short:
        entries = feedparser.parse(content(hub, path)).entries
        own = [e for e in entries if e.link.startswith(LINKED[0])]
        assert own, path
        assert all(("content" in e) == (path in full) for e in own), path
    elsewhere = [e for e in feedparser.parse(content(hub, "feed.xml")).entries if not e.link.startswith(LINKED[0])]
    assert [e.title for e in elsewhere] == ["A tracing notebook"] and "content" not in elsewhere[0], (
        "a summary unless the profile allows more"
    )
    for path in ("tags/kubernetes/rss.xml", "tags/kubernetes/feed.json"):
        assert b"content:encoded" not in content(hub, path) and b"content_html" not in content(hub, path)
    item = json.loads(content(hub, "tags/kubernetes/feed.json"))["items"][0]
    assert item["content_text"] and "summary" not in item


def test_full_content_scopes_are_configurable(site):
    files = {"posts/ada/2026-01-01-p.md": post("title: P\ntags: [go]\n", "First paragraph.\n\nSecond.\n")}
    files["blogkit.yaml"] = "title: T\nbase_url: https://hub.example/\nfeeds:\n  full_content: [tags]\n"
    result = build(site(files))
    assert "content" not in feedparser.parse(content(result, "feed.xml")).entries[0]
    assert "Second." in feedparser.parse(content(result, "tags/go/feed.xml")).entries[0].content[0].value


def test_unknown_full_content_scope_is_a_config_error(site):
    from blogkit.core.diagnostics import ConfigError

    files = {"blogkit.yaml": "title: T\nbase_url: https://hub.example/\nfeeds:\n  full_content: [hub, tag]\n"}
    with pytest.raises(ConfigError) as caught:
        build(site(files))
    [problem] = caught.value.diagnostics
    assert (problem.location.line, problem.location.column) == (4, 23)
    assert problem.message == "unknown feed scope 'tag'"
    assert problem.hint == "full_content are hub, authors, tags and teams"


@pytest.mark.parametrize("full", [False, True], ids=["summary", "full content"])
def test_an_entry_shows_only_the_fields_its_declaration_names(site, full: bool) -> None:
    """`blogkit serve` renders a feed again only when a field the feeds declare they show changed:
    every other field of a post, changed, leaves every format's bytes as they were."""
    import dataclasses

    from blogkit.core.model import Post
    from blogkit.render.feeds import FULL_FIELDS, SUMMARY_FIELDS, FeedWriter, scopes

    result = build(site({"posts/ada/2026-03-01-hello.md": post("title: Hello\nsummary: Short.\ntags: [go]", "## Part\n\nBody.\n")}))
    assert result.site is not None
    shown = FULL_FIELDS if full else SUMMARY_FIELDS
    scope = dataclasses.replace(scopes(result.site)[0], kind="hub" if full else "tags")
    original = result.site.posts[0]

    def feeds(post: Post) -> list[str]:
        return [FeedWriter(result.site).render(dataclasses.replace(scope, posts=(post,)), fmt, 20) for fmt in ("atom", "rss", "json")]

    before = feeds(original)
    others = {f.name for f in dataclasses.fields(Post)} - shown
    assert others and shown <= {f.name for f in dataclasses.fields(Post)}
    for name in sorted(others):
        value = getattr(original, name)
        changed = {str: "changed", bool: not value, int: 7, tuple: ("x",) if not value else ()}.get(type(value), {"k": "v"})
        assert feeds(dataclasses.replace(original, **{name: changed})) == before, name
    assert feeds(dataclasses.replace(original, title="Changed")) != before
    assert (feeds(dataclasses.replace(original, html="<p>Changed</p>")) != before) is full


def test_the_subscribe_page_and_opml_list_every_feed_and_the_nav_leads_there(hub):
    from xml.etree import ElementTree

    page = content(hub, "subscribe/index.html").decode()
    opml = ElementTree.fromstring(content(hub, "feeds.opml"))
    site = hub.site
    scopes = [""] + [a.path for a in site.authors.values()] + [t.path for t in site.teams.values()] + [t.path for t in site.tags.values()]
    for path in scopes:
        assert f'href="/engineering/{path}feed.xml"' in page and f'href="/engineering/{path}feed.json"' in page, path
    urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert urls == [f"https://example.com/engineering/{path}feed.xml" for path in scopes]
    assert 'href="/engineering/subscribe/">Subscribe</a>' in content(hub, "index.html").decode()


def test_xml_feeds_name_the_stylesheet_that_shows_them_in_a_browser(tmp_path):
    from conftest import write_site

    root = write_site(tmp_path / "site", {"posts/ada/2026-01-01-a.md": post("title: A & B")})
    result = build(root)
    for name in ("feed.xml", "rss.xml", "authors/ada/feed.xml"):
        lines = result.outputs.files[name].content.decode().splitlines()  # type: ignore[union-attr]
        assert lines[1] == '<?xml-stylesheet href="/feed.xsl" type="text/xsl"?>', name
    assert not result.outputs.files["feed.json"].content.startswith(b"<")  # type: ignore[union-attr]
    xsl = result.outputs.files["feed.xsl"].content.decode()  # type: ignore[union-attr]
    assert xsl.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert '<title><xsl:value-of select="$title"/> (feed) · Test Hub</title>' in xsl
    (root / "blogkit.yaml").write_text("title: Hub\nbase_url: https://hub.example/\nfeeds:\n  formats: [json]\n")
    assert "feed.xsl" not in build(root).outputs.files, "only Atom and RSS use it"
