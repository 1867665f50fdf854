"""The example site in a real browser: built, served on a loopback port and driven in headless
Chromium (the system's, through Playwright): the search page (searched, filtered, with axe-core
in light and dark mode), and the contents of a long post on a wide screen and a phone.

Without Chromium these tests are skipped, except under CI (`CI` set), where they must run.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import blogkit.render.search as search_documents_module
from blogkit.load.images import avif_supported
from blogkit.publish.write import publish
from conftest import EXAMPLE_SITE, build, write_site

WORD = "HyperLogLog"  # in the body of one post of the example site, and nowhere else
ITS_POST = "Cardinality limits that don't surprise anyone"


def _chromium() -> str:
    for candidate in (os.environ.get("CHROME_PATH", ""), "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(candidate) if candidate else None
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("CI runs the browser tests: install Chromium (Debian: apt-get install chromium)")
    pytest.skip("no Chromium on this machine")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site, built and served on a loopback port: its base URL."""
    out = tmp_path_factory.mktemp("example") / "public"
    result = build(EXAMPLE_SITE)
    assert not result.report.errors
    publish(result.outputs, str(out))
    server, url = _serve(out)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def served_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site under /blog/, its index in parts of at most four posts: the URL of /blog/."""
    root = tmp_path_factory.mktemp("parts")
    site = root / "site"
    shutil.copytree(EXAMPLE_SITE, site, ignore=shutil.ignore_patterns(".blogkit-cache"))
    config = site / "blogkit.yaml"
    config.write_text(re.sub(r"(?m)^base_url: .*$", "base_url: https://hub.example/blog/", config.read_text()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_documents_module, "PART_DOCUMENTS", 4)
        result = build(site)
    assert not result.report.errors
    assert len(json.loads(result.outputs.files["pagefind/blogkit-parts.json"].content)) >= 4
    publish(result.outputs, str(root / "www" / "blog"))
    server, url = _serve(root / "www")
    try:
        yield f"{url}/blog"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-sync"],
        )
        try:
            yield launched
        finally:
            launched.close()


def _open(browser, url: str, scheme: str = "light"):  # type: ignore[no-untyped-def]
    """The search page, opened and ready for a query."""
    page, errors, outside = _open_any(browser, url, scheme)
    page.wait_for_selector(".search__form:not([hidden]) #search-input")
    return page, errors, outside


def _open_any(browser, url: str, scheme: str = "light"):  # type: ignore[no-untyped-def]
    """A page opened with its script errors and its requests to other hosts recorded."""
    page = browser.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    origin = url.split("/", 3)[:3]
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: outside.append(request.url) if request.url.split("/", 3)[:3] != origin else None)
    page.goto(url)
    return page, errors, outside


def _results(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.wait_for_selector(".search-result")
    return [a.text_content() for a in page.query_selector_all(".search-result__title a")]


def test_a_word_of_one_post_finds_that_post_first(browser, served) -> None:  # type: ignore[no-untyped-def]
    page, errors, outside = _open(browser, f"{served}/search/")
    page.fill("#search-input", WORD.lower())
    titles = _results(page)
    assert titles[0].startswith(ITS_POST)
    assert page.text_content(".search__status").startswith(f"{len(titles)} post")
    result = page.query_selector(".search-result")
    assert result.query_selector("mark").text_content().lower() == WORD.lower(), "the excerpt highlights the word"
    assert result.query_selector("time").get_attribute("datetime") == "2025-07-22"
    assert result.query_selector("time").text_content() == "22 July 2025", "written as the site writes dates"
    assert "Mei Chen" in result.query_selector(".search-result__meta").text_content()
    assert f"q={WORD.lower()}" in page.url, "the query is in the address, to share or go back to"
    assert not errors and not outside


def test_a_filter_by_author_narrows_the_results(browser, served) -> None:  # type: ignore[no-untyped-def]
    page, errors, _ = _open(browser, f"{served}/search/?q=replication")
    everyone = _results(page)
    page.select_option("#search-author", "Priya Raghunathan")
    page.wait_for_function("n => document.querySelectorAll('.search-result').length < n", arg=len(everyone))
    narrowed = _results(page)
    assert 0 < len(narrowed) < len(everyone)
    for meta in page.query_selector_all(".search-result__meta"):
        assert "Priya Raghunathan" in meta.text_content()
    assert "author=Priya+Raghunathan" in page.url
    assert not errors


def test_slash_opens_search_from_any_page(browser, served) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(f"{served}/authors/")
    page.keyboard.press("/")
    page.wait_for_url("**/search/")
    page.wait_for_selector(".search__form:not([hidden]) #search-input")
    assert page.evaluate("document.activeElement.id") == "search-input"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_has_no_axe_violations(browser, served, scheme: str) -> None:  # type: ignore[no-untyped-def]
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page, errors, _ = _open(browser, f"{served}/search/?q=replication", scheme)
    _results(page)
    report = axe.Axe().run(page)
    assert report.violations_count == 0, report.generate_snapshot()
    assert not errors


def test_an_index_in_parts_finds_as_one_under_a_sub_path(browser, served_in_parts) -> None:  # type: ignore[no-untyped-def]
    page, errors, outside = _open(browser, f"{served_in_parts}/search/")
    page.fill("#search-input", WORD.lower())
    assert _results(page)[0].startswith(ITS_POST)
    link = page.query_selector(".search-result__title a").get_attribute("href")
    assert link.startswith("/blog/2025/07/"), link
    page.fill("#search-input", "replication")
    page.wait_for_function("document.querySelectorAll('.search-result').length > 5")
    urls = [a.get_attribute("href") for a in page.query_selector_all(".search-result__title a")]
    assert len(set(urls)) == len(urls) and all(u.startswith("/blog/") for u in urls)
    counts = page.eval_on_selector_all("#search-author option", "options => options.map(o => o.textContent)")
    assert "Ada Okafor (4)" in counts, "filters count every part"
    assert not errors and not outside


def test_a_long_posts_contents_stay_beside_it_on_a_wide_screen(browser, served) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 800})
    page.goto(f"{served}/2024/02/lsm-compaction/")
    toc, body = page.query_selector("nav.toc"), page.query_selector(".post-body")
    assert toc.bounding_box()["x"] >= body.bounding_box()["x"] + body.bounding_box()["width"], "in the margin, beside the text"
    page.mouse.wheel(0, 2500)
    page.wait_for_function("window.scrollY > 2000")
    top = toc.bounding_box()["y"]
    assert 0 <= top < 100, f"still in view after scrolling ({top})"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing wider than the screen"
    phone = browser.new_page(viewport={"width": 390, "height": 800})
    phone.goto(f"{served}/2024/02/lsm-compaction/")
    toc, body = phone.query_selector("nav.toc"), phone.query_selector(".post-body")
    assert toc.bounding_box()["y"] < body.bounding_box()["y"], "on a phone, before the text"


def test_the_theme_switch_follows_the_system_then_the_readers_choice(browser, served) -> None:  # type: ignore[no-untyped-def]
    def background(page) -> str:  # type: ignore[no-untyped-def]
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(f"{served}/2024/02/lsm-compaction/")
    assert background(page) == "rgb(255, 255, 255)" and page.get_attribute(".theme-switch", "aria-pressed") == "false"
    light_code = page.evaluate("getComputedStyle(document.querySelector('.highlight')).backgroundColor")
    page.click(".theme-switch")
    assert background(page) == "rgb(18, 21, 28)" and page.get_attribute(".theme-switch", "aria-pressed") == "true"
    assert page.evaluate("getComputedStyle(document.querySelector('.highlight')).backgroundColor") != light_code, "code follows"
    page.goto(f"{served}/authors/")
    # the choice is applied in <head> (a script that is not deferred) before anything is drawn: no flash of light
    assert page.evaluate("document.documentElement.dataset.theme") == "dark" and background(page) == "rgb(18, 21, 28)"
    early = page.query_selector("head script[src$='assets/theme-early.js']")
    assert early is not None and early.get_attribute("defer") is None and early.get_attribute("async") is None
    dark_system = browser.new_context(color_scheme="dark").new_page()
    dark_system.goto(f"{served}/")
    assert background(dark_system) == "rgb(18, 21, 28)" and dark_system.get_attribute(".theme-switch", "aria-pressed") == "true"
    no_script = browser.new_context(color_scheme="dark", java_script_enabled=False).new_page()
    no_script.goto(f"{served}/")
    assert background(no_script) == "rgb(18, 21, 28)", "dark mode needs no script"
    assert not no_script.is_visible(".theme-switch"), "a switch that cannot work is not shown"


def test_a_feed_opened_in_the_browser_is_a_page_that_says_what_it_is(browser, served) -> None:  # type: ignore[no-untyped-def]
    for feed in ("feed.xml", "authors/ada-okafor/rss.xml"):
        page = browser.new_page()
        page.goto(f"{served}/{feed}")
        assert page.title().endswith("(feed) · Kestrel Engineering")
        assert "This is a web feed" in page.inner_text("main")
        entries = page.query_selector_all(".archive-list li a")
        assert entries and entries[0].get_attribute("href").startswith("https://")
        assert page.inner_text("main h2") == "Latest posts"
    tags = browser.new_page()  # the example's feed of its tag pages (`legacy_feeds` scope: tags) says it lists pages
    tags.goto(f"{served}/tags/index.xml")
    assert "to hear of each new page it lists" in tags.inner_text("main")
    assert tags.inner_text("main h2") == "New tags of Kestrel Engineering"
    assert tags.query_selector(".archive-list li a").get_attribute("href").startswith("https://engineering.kestrel.example/tags/")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_diagram_is_drawn_from_the_themes_own_mermaid(browser, served, scheme: str) -> None:  # type: ignore[no-untyped-def]
    page, errors, outside = _open_any(browser, f"{served}/2024/04/query-engine-one-logical-plan/", scheme)
    drawn = page.wait_for_selector("pre.mermaid[data-processed] > svg[aria-roledescription]", timeout=20000)
    assert drawn.get_attribute("aria-roledescription") == "flowchart-v2"
    assert "Logical plan" in page.inner_text("pre.mermaid")
    assert not errors and not outside, "drawn without a request to another host"


def test_a_diagram_is_drawn_again_when_the_reader_switches_theme(browser, served) -> None:  # type: ignore[no-untyped-def]
    page, errors, _ = _open_any(browser, f"{served}/2024/04/query-engine-one-logical-plan/", "light")
    drawn = "pre.mermaid[data-processed] > svg[aria-roledescription]"
    page.wait_for_selector(drawn, timeout=20000)
    fill = "getComputedStyle(document.querySelector('pre.mermaid svg .node rect, pre.mermaid svg .node polygon')).fill"
    light = page.evaluate(fill)
    page.click(".theme-switch")
    page.wait_for_function(f"document.querySelector({drawn!r}) && {fill} !== {light!r}", timeout=20000)
    assert "Logical plan" in page.inner_text("pre.mermaid") and not errors


GISCUS_SITE = {
    "blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\nlanguage: de\n"
    "repository: https://github.com/kestrel/hub\ndiscussion:\n  default: giscus\n"
    "  giscus:\n    repo_id: R_kgDOabc\n    category: Comments\n    category_id: DIC_kwDOabc\n",
    "posts/ada/2026-03-01-hello.md": "---\ntitle: Hello\n---\n" + "Text.\n\n" * 80,
}
# giscus stood in for on its own addresses (nothing leaves the machine): the script notes the theme
# it was given and adds the frame, which notes every message the page sends it
FAKE_GISCUS = (
    "window.__giscus = document.currentScript.dataset.theme; var f = document.createElement('iframe');"
    " f.className = 'giscus-frame'; f.src = 'https://giscus.app/widget'; document.currentScript.after(f);"
)
FAKE_WIDGET = "<!DOCTYPE html><script>window.got = []; addEventListener('message', e => got.push(JSON.stringify(e.data)));</script>"


def test_giscus_follows_the_readers_theme_and_the_sites_language(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = build(write_site(tmp_path / "site", {**GISCUS_SITE, "authors/ada.yaml": "name: Ada Okafor\n"}, base=False))
    assert not result.report.errors
    publish(result.outputs, str(tmp_path / "www"))
    server, url = _serve(tmp_path / "www")
    try:
        page = browser.new_context(color_scheme="light").new_page()
        page.route("https://giscus.app/client.js", lambda route: route.fulfill(body=FAKE_GISCUS, content_type="text/javascript"))
        page.route("https://giscus.app/widget", lambda route: route.fulfill(body=FAKE_WIDGET, content_type="text/html"))
        page.goto(f"{url}/2026/03/hello/")
        assert page.get_attribute(".discussion__embed", "data-lang") == "de"
        assert page.evaluate("window.__giscus") is None, "not loaded before the reader scrolls near it"
        page.click(".theme-switch")  # the reader chooses dark
        page.locator(".discussion__embed").scroll_into_view_if_needed()
        page.wait_for_function("window.__giscus !== undefined")
        assert page.evaluate("window.__giscus") == "dark", "loaded in the reader's choice, not the system's light"
        widget = page.wait_for_selector("iframe.giscus-frame").content_frame()
        widget.wait_for_function("window.got !== undefined")
        page.click(".theme-switch")  # and back to light
        widget.wait_for_function("window.got.length > 0")
        assert widget.evaluate("window.got") == ['{"giscus":{"setConfig":{"theme":"light"}}}']
    finally:
        server.shutdown()
        server.server_close()


def test_the_header_stays_one_row_that_scrolls_on_a_narrow_phone(browser, served) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{served}/archive/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the page itself never scrolls sideways (WCAG 1.4.10)"
    heights = page.evaluate(
        "[...document.querySelectorAll('.nav li')].filter(li => li.offsetParent).map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(set(heights)) == 1, "every link on one row"
    nav = page.query_selector(".nav")
    assert page.evaluate("(nav) => nav.scrollWidth > nav.clientWidth", nav), "the row scrolls within itself"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_post_of_screenshots_loads_its_variants_without_layout_shift(browser, served, scheme: str) -> None:  # type: ignore[no-untyped-def]
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    for path in ("/", "/2026/10/a-tour-of-this-blog/"):
        page, errors, outside = _open_any(browser, f"{served}{path}", scheme)
        sizes = "[...document.querySelectorAll('img')].map(i => { const r = i.getBoundingClientRect(); return [r.width, r.height]; })"
        before = page.evaluate(sizes)  # every image's box as laid out before its bytes arrive (the lazy ones included)
        shifts = page.evaluate(
            """() => new Promise(done => { const found = [];
                new PerformanceObserver(list => { for (const e of list.getEntries()) found.push([e.value,
                    e.sources.map(s => s.node ? s.node.nodeName + '.' + s.node.className : '')]); })
                    .observe({type: 'layout-shift', buffered: true});
                setTimeout(() => done(found), 200); })"""
        )
        assert sum(value for value, _ in shifts) < 0.01, (path, shifts)  # the page as loaded: what Lighthouse counts as none
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the lazy images load too
        page.wait_for_function("[...document.images].every(i => i.complete)")
        assert page.evaluate(sizes) == before, "no image's box changed size when it loaded"
        pictures = page.evaluate("[...document.querySelectorAll('picture img')].map(i => [i.currentSrc, i.naturalWidth])")
        assert pictures and all(width > 0 and src.endswith((".avif", ".webp")) for src, width in pictures), pictures
        report = axe.Axe().run(page)
        assert report.violations_count == 0, report.generate_snapshot()
        assert not errors and not outside


def test_on_a_sharp_screen_a_screenshot_at_its_own_width_loads_its_lossless_webp_from_the_avif_source(browser, served) -> None:  # type: ignore[no-untyped-def]
    if not avif_supported():
        pytest.skip("this Pillow writes no AVIF")
    page = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2).new_page()
    page.goto(f"{served}/2026/10/a-tour-of-this-blog/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("[...document.images].every(i => i.complete)")
    shown = dict(page.evaluate("[...document.querySelectorAll('picture img')].map(i => [i.currentSrc.split('/').pop(), i.naturalWidth])"))
    screenshot = next(src for src in shown if src.startswith("front-page-"))
    assert re.fullmatch(r"front-page-1280w\.[0-9a-f]{8}\.webp", screenshot) and shown[screenshot] > 0, shown
    assert any(src.endswith(".avif") for src in shown), "an image whose AVIF is smaller still loads it"


def _box(page, selector: str) -> dict:  # type: ignore[no-untyped-def]
    box = "(s) => { const r = document.querySelector(s).getBoundingClientRect(); return {top: r.top, bottom: r.bottom, left: r.left}; }"
    return page.evaluate(box, selector)


def test_the_front_page_shows_the_featured_post_four_more_and_the_people_without_scrolling_on_a_laptop(browser, served) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{served}/")
    assert page.text_content(".featured__title") == "Moving cold data to object storage without making queries slow"  # featured: true
    assert _box(page, ".featured__title")["bottom"] <= 800 and _box(page, ".featured .byline")["bottom"] <= 800
    titles = page.evaluate("[...document.querySelectorAll('.hub .post-card__title')].map(t => t.getBoundingClientRect().top)")
    assert len([top for top in titles if top < 800]) >= 4, titles
    assert _box(page, ".people")["top"] < 800
    side, main = _box(page, ".hub__side"), _box(page, ".hub__main")
    assert side["left"] > main["left"] and side["top"] < 400, "the people beside the posts"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_on_a_phone_the_front_page_is_one_column_in_order_of_importance(browser, served) -> None:  # type: ignore[no-untyped-def]
    for width in (390, 320):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(f"{served}/")
        order = [".featured", ".hub .post-list", ".people", ".tag-cloud", ".elsewhere"]
        tops = [_box(page, selector)["top"] for selector in order]
        assert tops == sorted(tops), dict(zip(order, tops, strict=True))
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page never scrolls sideways"
        page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 1024, 768, 390])
def test_the_front_page_an_author_and_a_team_have_no_axe_violations(browser, served, scheme: str, width: int) -> None:  # type: ignore[no-untyped-def]
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    page = browser.new_page(color_scheme=scheme, viewport={"width": width, "height": 900})
    for path in ("/", "/authors/ada-okafor/", "/teams/storage/"):
        page.goto(f"{served}{path}")
        report = axe.Axe().run(page)
        assert report.violations_count == 0, (path, report.generate_snapshot())
    page.close()
