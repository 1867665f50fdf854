"""Links within the site: one checker, run by `build`, `check` and `serve` alike, every problem at its line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blogkit.engine.build import BuildOptions
from blogkit.engine.session import Session
from conftest import NOW, build, diagnostics, png_bytes, post, run_cli, write_site

P = "posts/ada/2026-03-01-hello.md"
ABOUT = {"pages/about.md": post("title: About", "## Team\n\n## History\n")}
BROKEN = {P: post("title: Hello", "Intro.\n\n![Cluster](/images/cluster.png) and [about](/abot/).\n"), **ABOUT}
IMAGE = f"{P}:6:12: error: image '/images/cluster.png' not found"
PAGE = f"{P}:6:45: error: link '/abot/' leads to no page of this site"


def problems(err: str) -> list[tuple[str, str]]:
    """(path:line:col: severity: message, hint) of each problem printed as JSON."""
    rows = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    return [(f"{r['path'].split('/site/', 1)[-1]}:{r['line']}:{r['column']}: {r['severity']}: {r['message']}", r["hint"]) for r in rows]


def test_build_fails_on_a_missing_image_and_a_link_to_no_page_and_publishes_nothing(site, capsys, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli(["build", str(site(BROKEN)), "-o", str(out), "--format", "json"], capsys)
    assert code == 1
    assert problems(stdout) == [
        (IMAGE, "no file at /images/cluster.png: put it under static/images/ or beside the post in its bundle"),
        (PAGE, "did you mean /about/?"),
    ]
    assert "blogkit: nothing was published: 2 errors" in err
    assert not out.exists()


def test_links_broken_warning_makes_them_warnings_for_build_and_check_and_strict_fails(site, capsys, tmp_path):
    root = site({**BROKEN, "blogkit.yaml": "title: T\nbase_url: https://hub.example/\nlinks:\n  broken: warning\n"})
    warnings = [IMAGE.replace("error", "warning"), PAGE.replace("error", "warning")]
    for command in (["build", str(root), "-o", str(tmp_path / "out")], ["check", str(root)]):
        code, stdout, _ = run_cli([*command, "--format", "json"], capsys)
        assert code == 0 and [found for found, _ in problems(stdout)] == warnings, command
        assert run_cli([*command, "--strict"], capsys)[0] == 1, command
    page = (tmp_path / "out/2026/03/hello/index.html").read_text()
    assert 'href="/abot/"' in page  # published as written


KINDS = {
    "image-in-raw-html": (
        'Text <img src="/img/gone.png" alt="Gone"> here.\n',
        f"{P}:4:16: error: image '/img/gone.png' not found",
        "no file at /img/gone.png: put it under static/img/ or beside the post in its bundle",
    ),
    "image-in-a-bundle": (
        "![Chart](chart.pgn)\n",
        f"{P}:4:10: error: image 'chart.pgn' not found",
        "no file at posts/ada/chart.pgn: put it beside the post in its bundle, or under static/",
    ),
    "page": (
        "See [the team](/abuot/#team).\n",
        f"{P}:4:16: error: link '/abuot/#team' leads to no page of this site",
        "did you mean /about/?",
    ),
    "anchor-on-another-page": (
        "See [the team](/about/#histroy).\n",
        f"{P}:4:16: error: link '/about/#histroy': the page has no element with the id 'histroy'",
        "its ids are, nearest first: history, team",
    ),
    "anchor-on-this-page": (
        "## Setup\n\n## Usage\n\nSee [above](#setpu).\n",
        f"{P}:8:13: error: link '#setpu': this page has no element with the id 'setpu'",
        "its ids are, nearest first: setup, usage",
    ),
    "anchor-in-raw-html": (
        '<a href="#nope">up</a>\n',
        f"{P}:4:10: error: link '#nope': this page has no element with the id 'nope'",
        "that page has no headings to link to",
    ),
    "feed": (
        "Subscribe to [Ada](/authors/adaa/feed.xml).\n",
        f"{P}:4:20: error: link '/authors/adaa/feed.xml' leads to no feed of this site",
        "did you mean /authors/ada/feed.xml?",
    ),
    "file": (
        "Get [the slides](/slides/talk.pdf).\n",
        f"{P}:4:18: error: link '/slides/talk.pdf' leads to no file of this site",
        "put the file under static/slides/ or beside the post in its bundle",
    ),
}


@pytest.mark.parametrize(("body", "expected", "hint"), KINDS.values(), ids=KINDS.keys())
def test_each_kind_of_link_gets_its_own_hint(site, body, expected, hint):
    result = build(site({P: post("title: Hello", body), **ABOUT}))
    found = [(f"{d.location}: {d.severity.value}: {d.message}", d.hint) for d in result.report.sorted()]
    assert found == [(expected, hint)]


def test_every_broken_link_of_a_post_is_reported_at_once_by_position(site, capsys, tmp_path):
    body = "Intro.\n\n[one](gone.md) and [two](/nowhere/).\n\n[three](/about/#nope) and [four](../bo/nothing.md).\n"
    root = site({P: post("title: Hello", body), **ABOUT})
    expected = [
        f"{P}:6:7: error: link target 'gone.md' not found",
        f"{P}:6:26: error: link '/nowhere/' leads to no page of this site",
        f"{P}:8:9: error: link '/about/#nope': the page has no element with the id 'nope'",
        f"{P}:8:34: error: link target '../bo/nothing.md' not found",
    ]
    for command in (["check", str(root)], ["build", str(root), "-o", str(tmp_path / "out")]):
        code, stdout, _ = run_cli([*command, "--format", "json"], capsys)
        assert code == 1 and [found for found, _ in problems(stdout)] == expected, command


def test_every_output_the_site_publishes_is_a_link_target(site, capsys):
    config = (
        "title: T\nbase_url: https://hub.example/\n"
        "redirects:\n  - {from: /blog/, to: /}\n"
        "legacy_feeds:\n  - {path: /atom.xml, scope: hub}\n"
    )
    links = [
        "/2026/03/hello/",  # a post
        "/old/hello/",  # its alias
        "/about/",  # a page
        "/about",  # a page, without its slash
        "/about/#team",  # a heading of a page
        "/",  # the hub
        "/tags/storage/",  # a tag
        "/tags/storage/feed.xml",  # a tag's feed
        "/authors/ada/rss.xml",  # an author's feed
        "/feed.json",  # the hub's feed
        "/archive/",
        "/subscribe/",
        "/blog/",  # a redirect
        "/atom.xml",  # a legacy feed
        "/pagefind/pagefind.js",  # the search index
        "/search/",
        "/sitemap.xml",
        "/robots.txt",
        "/404.html",
        "/files/slides.pdf",  # a static file
        "/2026/03/hello/chart.png",  # a bundle file
        "/assets/highlight.css",  # the theme's
    ]
    body = "\n\n".join(f"[link {i}]({url})" for i, url in enumerate(links)) + "\n\n![Chart](chart.png) and [data](data.csv).\n"
    root = site(
        {
            "blogkit.yaml": config,
            "posts/ada/2026-03-01-hello/index.md": post("title: Hello\ntags: [storage]\naliases: [/old/hello/]", body),
            "posts/ada/2026-03-01-hello/chart.png": png_bytes(),
            "posts/ada/2026-03-01-hello/data.csv": "a,b\n",
            "static/files/slides.pdf": b"%PDF-1.4\n",
            **ABOUT,
        }
    )
    assert diagnostics(build(root)) == []
    assert run_cli(["check", str(root), "--strict"], capsys)[0] == 0  # `check` makes no search index: its folder counts


def test_root_relative_links_under_a_sub_path_base_url(site):
    body = (
        "[ok](/about/) and [the hub](/)\n\n"
        '<a href="/blog/about/#team">ok</a> <a href="/blog/abot/">no</a> <a href="/elsewhere/">another app</a>\n\n'
        "[twice](/blog/about/)\n"
    )
    root = site({"blogkit.yaml": "title: T\nbase_url: https://h.example/blog/\n", P: post("title: Hello", body), **ABOUT})
    result = build(root)
    found = [(f"{d.location}: {d.severity.value}: {d.message}", d.hint) for d in result.report.sorted()]
    assert found == [
        (f"{P}:6:45: error: link '/blog/abot/' leads to no page of this site", "did you mean /blog/about/?"),
        (
            f"{P}:8:9: error: link '/blog/about/' leads to no page of this site",
            "a link starting with / is taken from the site's root, which is /blog/: write '/about/'",
        ),
    ]
    assert '<a href="/blog/about/">ok</a>' in result.outputs.files["2026/03/hello/index.html"].content.decode()


def test_check_reports_the_broken_links_of_drafts_which_build_leaves_out(site, capsys, tmp_path):
    draft = "posts/ada/2026-03-02-draft.md"
    root = site(
        {
            P: post("title: Hello", "Text.\n"),
            draft: post("title: Draft\ndraft: true", "See [it](/nowhere/), [hello](2026-03-01-hello.md) and [next](2026-03-03-next.md).\n"),
            "posts/ada/2026-03-03-next.md": post("title: Next\ndraft: true", "More.\n"),
        }
    )
    code, stdout, _ = run_cli(["check", str(root), "--format", "json"], capsys)
    assert code == 1
    assert problems(stdout) == [
        (f"{draft}:5:10: error: link '/nowhere/' leads to no page of this site", "check the address; link to posts by their .md file")
    ]
    assert run_cli(["build", str(root), "-o", str(tmp_path / "out")], capsys)[0] == 0


def test_an_edit_served_that_breaks_a_link_is_reported_by_the_patch(tmp_path: Path):
    root = write_site(tmp_path / "site", {P: post("title: Hello", "Text.\n"), **ABOUT})
    session = Session(str(root), BuildOptions(jobs=1, now=NOW, cache=False))
    try:
        assert not session.build(set()).report.diagnostics
        write_site(root, {P: post("title: Hello", "Text, [about](/abot/).\n")}, base=False)
        result = session.build({P})
        assert session.patched
        assert diagnostics(result) == [f"{P}:4:15: error: link '/abot/' leads to no page of this site"]
        write_site(root, {P: post("title: Hello", "Text, [about](/about/).\n")}, base=False)
        result = session.build({P})
        assert session.patched and diagnostics(result) == []
    finally:
        session.close()


def test_unicode_anchors_are_shown_as_written_not_percent_encoded(site):
    root = site({P: post("title: Hello", "## Größe der Daten\n\nSee [x](#grösse) and [z](#gr%C3%B6%C3%9Fe).\n")})
    assert diagnostics(build(root)) == [
        f"{P}:6:9: error: link '#grösse': this page has no element with the id 'grösse'",
        f"{P}:6:26: error: link '#größe': this page has no element with the id 'größe'",
    ]
