"""Branding from blogkit.yaml: a logo, a favicon, extra CSS and an accent colour kept readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from blogkit.core.config import contrast
from conftest import build, post, run_cli, write_site

BRAND = """\
title: Hub
base_url: https://hub.example/blog/
brand:
  logo: img/logo.svg
  favicon: /static/img/icon.png
  css: brand.css
  accent: "#7a1f5c"
  accent_dark: "#f0a6d8"
"""
FILES = {
    "blogkit.yaml": BRAND,
    "static/img/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    "static/img/icon.png": b"\x89PNG\r\n\x1a\n",
    "static/brand.css": ".site-title { letter-spacing: 0.02em; }\n",
    "posts/ada/2026-03-01-a.md": post("title: A"),
}


def test_brand_files_and_colours_reach_every_page(tmp_path: Path) -> None:
    result = build(write_site(tmp_path / "site", FILES))
    assert not result.report.errors, result.report.errors
    for page in ("index.html", "2026/03/a/index.html", "404.html"):
        html = result.outputs.files[page].content.decode()  # type: ignore[union-attr]
        assert '<img class="site-title__logo" src="/blog/img/logo.svg" alt="" width="32" height="32">Hub</a>' in html
        assert '<link rel="icon" href="/blog/img/icon.png">' in html and "favicon.svg" not in html
        assert ":root { --accent: light-dark(#7a1f5c, #f0a6d8); --accent-soft: light-dark(#eee3eb, " in html
        assert html.index('href="/blog/assets/style.css"') < html.index('href="/blog/brand.css"'), "the site's CSS comes last"


def test_without_a_brand_the_theme_is_as_it_was(tmp_path: Path) -> None:
    html = build(write_site(tmp_path / "site", {"posts/ada/2026-03-01-a.md": post("title: A")})).outputs.files["index.html"].content
    assert b"site-title__logo" not in html and b"--accent:" not in html and b'href="/favicon.svg"' in html  # type: ignore[operator]


@pytest.mark.parametrize(
    ("brand", "expected"),
    [
        ('  accent: "#ffcc00"\n', "blogkit.yaml:4:11: error: brand.accent #ffcc00 has a contrast of 1."),
        ('  accent: "#1f4fa0"\n', "brand.accent #1f4fa0 has a contrast of 2.18:1 on the dark background #12151c (or its tint)"),
        ('  accent: "#1f4fa0"\n  accent_dark: "#203040"\n', "blogkit.yaml:5:16: error: brand.accent_dark #203040 has a contrast of 1."),
        ("  accent: blue\n", "blogkit.yaml:4:11: error: brand.accent must be a colour written #RRGGBB, got 'blue'"),
        ("  logo: nowhere.svg\n", "blogkit.yaml:4:9: error: brand.logo: there is no file static/nowhere.svg"),
        ("  css: ../secret.css\n", "blogkit.yaml:4:8: error: brand.css: there is no file static/../secret.css"),
        ("  colour: red\n", "blogkit.yaml:4:3: error: unknown key 'colour'"),
    ],
)
def test_brand_mistakes_are_located_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], brand: str, expected: str) -> None:
    root = write_site(tmp_path / "site", {"blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\nbrand:\n" + brand})
    code, _, err = run_cli(["build", str(root), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and expected in err, err
    assert not (tmp_path / "out").exists()


def test_contrast_follows_wcag() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#ffffff", "#ffffff"), 1) == 1.0
    assert round(contrast("#1f4fa0", "#ffffff"), 2) == round(contrast("#ffffff", "#1f4fa0"), 2) > 4.5
