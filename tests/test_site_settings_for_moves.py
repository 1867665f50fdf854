"""Settings a site moved from another generator relies on: heading ids as that generator made them,
old broken links reported without stopping the build, old feed URLs and old listing URLs served."""

from __future__ import annotations

import json

import feedparser
import pytest

from blogkit.core.config import HEADING_ID_SCHEMES
from blogkit.load.heading_ids import HEADING_IDS, github_id, kramdown_id, zola_id
from conftest import build, diagnostics, post

CONFIG = "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n"


def test_every_scheme_named_in_the_config_has_a_maker():
    assert set(HEADING_ID_SCHEMES) == set(HEADING_IDS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", "hello-world"),
        ("Why we moved: a retrospective", "why-we-moved-a-retrospective"),
        ("C++ & Rust", "c--rust"),
        ("Zürich meetup", "zürich-meetup"),
        ("snake_case names", "snake_case-names"),
        ("a b   c", "a-b---c"),  # Hugo's documented examples of its default (github) ids
        ("< a, b, & c >", "-a-b--c-"),
        ("main.go", "maingo"),
        ("Hugö", "hugö"),
    ],
)
def test_github_ids(text, expected):
    assert github_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", "hello-world"),
        ("Why we moved: a retrospective", "why-we-moved-a-retrospective"),
        ("C++ & Rust", "c-rust"),
        ("Zürich meetup", "zurich-meetup"),
        ("snake_case names", "snake-case-names"),
        ("  -- Leading dashes --", "leading-dashes"),
    ],
)
def test_zola_ids(text, expected):
    assert zola_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", "hello-world"),
        ("Why we moved: a retrospective", "why-we-moved-a-retrospective"),
        ("C++ & Rust", "c--rust"),
        ("3 reasons to upgrade", "reasons-to-upgrade"),
        ("Zürich meetup", "zrich-meetup"),
        ("snake_case names", "snakecase-names"),
        ("123", "section"),
        ("This is a header", "this-is-a-header"),  # kramdown's documented examples
        ("12. Another one 1 here", "another-one-1-here"),
        ("Do ^& it now", "do--it-now"),
        ("123456789", "section"),
    ],
)
def test_kramdown_ids(text, expected):
    assert kramdown_id(text) == expected


@pytest.mark.parametrize(("scheme", "expected"), [("github", "zürich-meetup"), ("zola", "zurich-meetup"), ("kramdown", "zrich-meetup")])
def test_the_site_setting_chooses_the_scheme_and_links_use_it(site, scheme, expected):
    root = site(
        {
            "blogkit.yaml": CONFIG + f"markdown:\n  heading_ids: {scheme}\n",
            "posts/ada/2026-03-01-one.md": post("title: One", "## Zürich meetup\n\nText.\n\n## Zürich meetup\n"),
            "posts/ada/2026-03-02-two.md": post("title: Two", f"See [the meetup](2026-03-01-one.md#{expected}).\n"),
        }
    )
    result = build(root)
    assert diagnostics(result) == []
    page = result.outputs.files["2026/03/one/index.html"].content.decode()
    assert f'id="{expected}"' in page and f'id="{expected}-1"' in page


def test_an_unknown_scheme_is_a_config_error(site, capsys):
    from conftest import run_cli

    root = site({"blogkit.yaml": CONFIG + "markdown:\n  heading_ids: hugo\n"})
    code, _, err = run_cli(["check", str(root)], capsys)
    assert code == 2
    assert "blogkit.yaml:5:16: error: 'heading_ids' must be one of github, zola, kramdown; got 'hugo'" in err


BROKEN = {
    "posts/ada/2026-03-01-one.md": post("title: One", "An [old link](../old/page.md) and [a gone anchor](2026-03-02-two.md#nope).\n"),
    "posts/ada/2026-03-02-two.md": post("title: Two", "## Here\n"),
}


def test_broken_links_are_errors_by_default(site):
    result = build(site(BROKEN))
    assert [d for d in diagnostics(result) if "error" in d] == [
        "posts/ada/2026-03-01-one.md:4:15: error: link target '../old/page.md' not found",
        "posts/ada/2026-03-01-one.md:4:51: error: link '2026-03-02-two.md#nope': the page has no element with the id 'nope'",
    ]


def test_links_broken_warning_builds_and_reports_each_with_its_place(site):
    result = build(site({**BROKEN, "blogkit.yaml": CONFIG + "links:\n  broken: warning\n"}))
    assert diagnostics(result) == [
        "posts/ada/2026-03-01-one.md:4:15: warning: link target '../old/page.md' not found",
        "posts/ada/2026-03-01-one.md:4:51: warning: link '2026-03-02-two.md#nope': the page has no element with the id 'nope'",
    ]
    page = result.outputs.files["2026/03/one/index.html"].content.decode()
    assert 'href="../old/page.md"' in page  # kept as written, as the old site had it
    assert 'href="/2026/03/two/#nope"' in page


LEGACY = CONFIG + (
    "legacy_feeds:\n"
    "  - {path: /atom.xml, scope: hub, format: atom}\n"
    "  - {path: /blog/index.xml, scope: hub, format: rss}\n"
    "  - {path: /tags/databases/atom.xml, scope: 'tag:Databases'}\n"
    "  - {path: /people/ada.json, scope: 'author:ada', format: json}\n"
    "redirects:\n"
    "  - {from: /blog/, to: /}\n"
    "  - {from: /categories/databases/, to: /tags/databases/}\n"
)


def test_legacy_feeds_serve_a_feed_of_their_scope_at_the_old_path(site):
    root = site(
        {
            "blogkit.yaml": LEGACY,
            "posts/ada/2026-03-01-one.md": post("title: One\ntags: [Databases]\nid: https://old.example/2026/one/"),
            "posts/ada/2026-03-02-two.md": post("title: Two"),
        }
    )
    result = build(root)
    assert diagnostics(result) == []
    files = result.outputs.files
    hub = feedparser.parse(files["atom.xml"].content)
    assert not hub.bozo and [e.id for e in hub.entries] == ["https://hub.example/2026/03/two/", "https://old.example/2026/one/"]
    rss = feedparser.parse(files["blog/index.xml"].content)
    assert not rss.bozo and rss.version == "rss20" and len(rss.entries) == 2
    assert [link.href for link in rss.feed.links if link.rel == "self"] == ["https://hub.example/blog/index.xml"]  # where it is
    tag = feedparser.parse(files["tags/databases/atom.xml"].content)
    assert [e.id for e in tag.entries] == ["https://old.example/2026/one/"]
    assert b'"id": "https://old.example/2026/one/"' in files["people/ada.json"].content
    assert b'url=https://hub.example/tags/databases/"' in files["categories/databases/index.html"].content
    assert b'url=https://hub.example/"' in files["blog/index.html"].content


def test_a_legacy_feed_may_give_the_posts_urls_as_ids_where_the_others_give_their_id(site):
    """One old feed gave the posts' URLs as entry ids, the others their Jekyll ids: each keeps its own."""
    config = (
        CONFIG + "legacy_feeds:\n  - {path: /blog/feed.xml, scope: hub, format: rss, ids: url}\n  - {path: /old/atom.xml, scope: hub}\n"
    )
    root = site({"blogkit.yaml": config, "posts/ada/2026-03-01-one.md": post("title: One\nid: https://hub.example/2026/03/01/one")})
    files = build(root).outputs.files
    assert [e.id for e in feedparser.parse(files["blog/feed.xml"].content).entries] == ["https://hub.example/2026/03/one/"]
    assert [e.id for e in feedparser.parse(files["old/atom.xml"].content).entries] == ["https://hub.example/2026/03/01/one"]
    assert [e.id for e in feedparser.parse(files["feed.xml"].content).entries] == ["https://hub.example/2026/03/01/one"]


def test_a_legacy_feed_of_a_tag_may_name_it_by_an_alias_or_another_spelling(site):
    config = CONFIG + "legacy_feeds:\n  - {path: /a.xml, scope: 'tag:k8s'}\n  - {path: /b.xml, scope: 'tag:KUBERNETES'}\n"
    root = site(
        {
            "blogkit.yaml": config,
            "tags.yaml": "Kubernetes:\n  aliases: [k8s]\n",
            "posts/ada/2026-03-01-one.md": post("title: One\ntags: [kubernetes]"),
        }
    )
    result = build(root)
    assert diagnostics(result) == []
    for name in ("a.xml", "b.xml"):
        assert [e.title for e in feedparser.parse(result.outputs.files[name].content).entries] == ["One"]


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_a_legacy_feed_of_the_tags_lists_the_tag_pages_as_an_old_sites_feed_of_terms_did(site, fmt):
    """Hugo publishes /tags/index.xml, whose entries are the tag pages: its readers get new tags, not every post."""
    config = (
        CONFIG + f"legacy_feeds:\n  - {{path: /tags/index.xml, scope: tags, format: {fmt}}}\n  - {{path: /people.xml, scope: authors}}\n"
    )
    root = site(
        {
            "blogkit.yaml": config,
            "posts/ada/2026-03-01-one.md": post("title: One\ntags: [Rust, Databases]"),
            "posts/ada/2026-04-01-two.md": post("title: Two\ntags: [Rust]"),
            "posts/ada/2026-05-01-three.md": post("title: Three\ntags: [Go]\ndraft: true"),
        }
    )
    result = build(root)
    assert diagnostics(result) == []
    content = result.outputs.files["tags/index.xml"].content
    ids = ["https://hub.example/tags/rust/", "https://hub.example/tags/databases/"]  # newest first; a draft's tag has no page
    if fmt == "json":
        feed = json.loads(content)
        assert feed["feed_url"] == "https://hub.example/tags/index.xml"
        assert [(i["id"], i["url"], i["title"]) for i in feed["items"]] == list(zip(ids, ids, ["Rust", "Databases"], strict=True))
    else:
        parsed = feedparser.parse(content)
        assert not parsed.bozo
        assert [e.id for e in parsed.entries] == ids and [e.link for e in parsed.entries] == ids
        assert [e.title for e in parsed.entries] == ["Rust", "Databases"]
        assert [link.href for link in parsed.feed.links if link.rel == "self"] == ["https://hub.example/tags/index.xml"]
    people = feedparser.parse(result.outputs.files["people.xml"].content)
    assert [e.id for e in people.entries] == ["https://hub.example/authors/ada/"]


def test_legacy_feeds_and_redirects_naming_nothing_are_errors(site):
    config = CONFIG + ("legacy_feeds:\n  - {path: /t/atom.xml, scope: 'tag:nothing'}\nredirects:\n  - {from: /old/, to: /tags/nothing/}\n")
    result = build(site({"blogkit.yaml": config, "posts/ada/2026-03-01-one.md": post("title: One")}))
    messages = "\n".join(diagnostics(result))
    assert "the feed /t/atom.xml is of the tag 'nothing', which this site does not have" in messages
    assert "redirect from /old/ to /tags/nothing/: the site has no page there" in messages


def test_malformed_legacy_feeds_are_config_errors(site, capsys):
    from conftest import run_cli

    config = CONFIG + "legacy_feeds:\n  - {path: /x/, scope: 'shelf:one'}\n"
    code, _, err = run_cli(["check", str(site({"blogkit.yaml": config}))], capsys)
    assert code == 2
    assert "a feed's path must name a file, got '/x/'" in err
    assert "unknown feed scope 'shelf:one'" in err

    config = CONFIG + "legacy_feeds:\n  - {path: /x.xml, ids: guid}\n"
    code, _, err = run_cli(["check", str(site({"blogkit.yaml": config}))], capsys)
    assert code == 2 and "'ids' must be one of post, url; got 'guid'" in err


@pytest.mark.parametrize(("policy", "code", "severity"), [("error", 1, "error"), ("warning", 0, "warning")])
def test_check_reports_links_to_no_page_as_links_broken_says(site, capsys, policy, code, severity):
    from conftest import run_cli

    root = site(
        {
            "blogkit.yaml": CONFIG + f"links:\n  broken: {policy}\n",
            "posts/ada/2026-03-01-one.md": post("title: One", "See [the old page](/old/page/).\n"),
        }
    )
    exit_code, _, err = run_cli(["check", str(root)], capsys)
    assert exit_code == code
    assert f"posts/ada/2026-03-01-one.md:4:20: {severity}: link '/old/page/' leads to no page of this site" in err


def test_a_redirect_may_lead_to_a_place_on_a_page(site):
    config = CONFIG + "redirects:\n  - {from: /2026/, to: '/archive/#year-2026'}\n"
    result = build(site({"blogkit.yaml": config, "posts/ada/2026-03-01-one.md": post("title: One")}))
    assert diagnostics(result) == []
    moved = result.outputs.files["2026/index.html"].content
    assert b'url=https://hub.example/archive/#year-2026"' in moved and b'<a href="/archive/#year-2026">' in moved
    assert b'id="year-2026"' in result.outputs.files["archive/index.html"].content


def test_a_redirect_may_lead_to_an_address_elsewhere(site):
    config = CONFIG + "redirects:\n  - {from: /talks/, to: 'https://talks.example/ada/?from=hub&year=2026#latest'}\n"
    result = build(site({"blogkit.yaml": config, "posts/ada/2026-03-01-one.md": post("title: One")}))
    assert diagnostics(result) == []
    moved = result.outputs.files["talks/index.html"].content
    address = b"https://talks.example/ada/?from=hub&amp;year=2026#latest"
    assert b'<link rel="canonical" href="' + address + b'">' in moved
    assert b'content="0; url=' + address + b'"' in moved and b'<a href="' + address + b'">' in moved


def test_a_redirect_to_an_address_a_reader_must_not_be_sent_to_is_a_config_error(site, capsys):
    from conftest import run_cli

    config = CONFIG + (
        "redirects:\n"
        "  - {from: /a/, to: 'javascript:alert(1)'}\n"
        "  - {from: /b/, to: 'https://ada:secret@talks.example/'}\n"
        '  - {from: /c/, to: "https://talks.example/a\\tb/"}\n'
        "  - {from: /d/, to: 'tags/rust/'}\n"
    )
    code, _, err = run_cli(["check", str(site({"blogkit.yaml": config}))], capsys)
    assert code == 2
    assert [line[line.index("blogkit.yaml") :] for line in err.splitlines() if ": error: " in line and "blogkit.yaml:" in line] == [
        "blogkit.yaml:5:21: error: 'to' must be an http(s) URL, got 'javascript:alert(1)'",
        "blogkit.yaml:6:21: error: 'to' must not contain user credentials (user@ or user:password@)",
        "blogkit.yaml:7:21: error: 'to' must not contain a control or space character (U+0009)",
        "blogkit.yaml:8:21: error: 'to' must be a path of this site starting with /, or an http(s) address, got 'tags/rust/'",
    ]
    assert "  hint: write the address without them: readers see it" in err.splitlines()
