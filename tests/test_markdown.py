"""Markdown fixture files: `title / . / input / . / expected HTML / .` cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from blogkit.core.bodies import BodySource
from blogkit.core.config import MarkdownConfig
from blogkit.load.markdown import render_body

FIXTURES = Path(__file__).parent / "markdown"


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """Cases separated by lines holding a single '.': title, input, expected."""
    cases = []
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"{path.name}:{i + 2}: expected '.' after the title"
        parts, block, i = [], [], i + 2
        while len(parts) < 2:
            if lines[i] == ".":
                parts.append("\n".join(block) + "\n")
                block = []
            else:
                block.append(lines[i])
            i += 1
        cases.append((title, parts[0], parts[1]))
    return cases


def cases(name: str) -> list[pytest.ParameterSet]:
    return [pytest.param(src, expected, id=title) for title, src, expected in read_cases(FIXTURES / name)]


@pytest.mark.parametrize("source, expected", cases("features.md"))
def test_features(source: str, expected: str) -> None:
    assert render_body(BodySource(source, 1), MarkdownConfig()).html.strip() == expected.strip()


@pytest.mark.parametrize("source, expected", cases("raw_html.md"))
def test_raw_html_sanitized(source: str, expected: str) -> None:
    assert render_body(BodySource(source, 1), MarkdownConfig(raw_html="sanitize")).html.strip() == expected.strip()


def test_raw_html_escape_policy_shows_markup_as_text() -> None:
    html = render_body(BodySource("<b onclick=x>hi</b>\n", 1), MarkdownConfig(raw_html="escape")).html
    assert html == "<p>&lt;b onclick=x&gt;hi&lt;/b&gt;</p>\n"


def test_raw_html_allow_policy_keeps_markup() -> None:
    html = render_body(BodySource("<div onclick=x>hi</div>\n", 1), MarkdownConfig(raw_html="allow")).html
    assert html == "<div onclick=x>hi</div>\n"


def test_summary_is_text_before_more_marker() -> None:
    body = render_body(BodySource("First *one*.\n\nSecond `two`.\n\n<!-- more -->\n\nThird.\n", 1), MarkdownConfig())
    assert body.summary == "First one. Second two."


def test_summary_defaults_to_first_paragraph() -> None:
    body = render_body(BodySource("## Heading\n\nThe first paragraph[^1].\n\nThe second.\n\n[^1]: x\n", 1), MarkdownConfig())
    assert body.summary == "The first paragraph."


def test_toc_lists_h2_and_h3_with_ids() -> None:
    body = render_body(BodySource("## One\n\n### One point one\n\n#### Deep\n\n## Two\n", 1), MarkdownConfig())
    assert [(e.level, e.id, e.text) for e in body.toc] == [(2, "one", "One"), (3, "one-point-one", "One point one"), (2, "two", "Two")]


def test_link_lines_are_lines_of_the_file() -> None:
    body = render_body(BodySource("Intro.\n\nSee [x](a.md).\n", 10), MarkdownConfig())
    assert [(link.target, link.line) for link in body.links] == [("a.md", 12)]


def test_reading_time_counts_words() -> None:
    body = render_body(BodySource("word " * 690 + "\n", 1), MarkdownConfig())
    assert body.words == 690
    assert body.reading_minutes == 3
