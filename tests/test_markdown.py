"""Markdown fixture files: `title / . / input / . / expected HTML / .` cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from blogkit.core.bodies import BodySource
from blogkit.core.config import MarkdownConfig
from blogkit.load.markdown import render_body
from conftest import build, diagnostics, run_cli

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


# -- math ---------------------------------------------------------------------------------------


def render(text: str) -> str:
    return render_body(BodySource(text, 5), MarkdownConfig()).html


def test_math_inline_and_display_become_mathml_with_no_script() -> None:
    html = render("Energy $E = mc^2$.\n\n$$\n\\frac{a}{b}\n$$\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mi>E</mi>' in html
    assert '<div class="math"><math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow><mfrac>' in html
    assert "<script" not in html and "$" not in html


@pytest.mark.parametrize("text", ["It costs $5 and $6.\n", "Escaped \\$x$ dollars.\n", "A $ sign $ with spaces.\n"])
def test_math_prices_and_escaped_dollars_stay_text(text: str) -> None:
    html = render(text)
    assert "<math" not in html and "$" in html


def test_math_survives_the_raw_html_sanitiser() -> None:
    html = render("Raw <b>bold</b> and $x^2$.\n")
    assert "<b>bold</b>" in html and "<msup><mi>x</mi><mn>2</mn></msup>" in html


@pytest.mark.parametrize(
    "formula, message",
    [
        ("\\frac{a}{", "this formula does not parse (NoAvailableTokensError): \\frac{a}{"),
        ("\\nocommand{x}", "unknown LaTeX command \\nocommand in a formula"),
    ],
)
def test_math_that_does_not_parse_is_a_located_error_showing_its_source(site, formula: str, message: str) -> None:
    from conftest import build, diagnostics, post

    result = build(site({"posts/ada/2026-03-01-hello.md": post("title: A\n", f"Intro.\n\nSee ${formula}$ here.\n")}))
    assert f"posts/ada/2026-03-01-hello.md:6: error: {message}" in diagnostics(result)
    body = render(f"See ${formula}$ here.\n")
    assert f'<code class="math-error">{formula}</code>' in body


def test_template_syntax_left_in_a_post_is_a_warning_at_its_column_in_build_and_check(site, capsys):
    """An import left `{% include %}` untranslated: `build --strict` published it as written."""
    body = (
        'Intro.\n\n{% include image.html src="a.png" %}\n\n'
        "See {{< youtube abc >}} and `{% raw %}` and {{ site.baseurl }}.\n\n```\n{% x %}\n```\n"
    )
    root = site({"posts/ada/2026-03-01-hello.md": "---\ntitle: Hello\n---\n" + body})
    expected = [
        "posts/ada/2026-03-01-hello.md:6:1: warning: template syntax left in the text, published as written: "
        '{% include image.html src="a.png" %}',
        "posts/ada/2026-03-01-hello.md:8:5: warning: template syntax left in the text, published as written: {{< youtube abc >}}",
        "posts/ada/2026-03-01-hello.md:8:45: warning: template syntax left in the text, published as written: {{ site.baseurl }}",
    ]
    assert diagnostics(build(root)) == expected
    code, out, err = run_cli(["build", str(root), "--strict", "-q"], capsys)
    assert code == 1 and "published as written" in out + err
    code, out, err = run_cli(["check", str(root)], capsys)
    assert code == 0 and (out + err).count("template syntax left") == 3


def test_markdown_template_syntax_note_shows_them_and_fails_no_build(site, capsys):
    """What `blogkit import` sets when it kept an untranslatable shortcode as text (and reported it)."""
    config = "title: T\nbase_url: https://hub.example/\nmarkdown:\n  template_syntax: note\n"
    root = site({"blogkit.yaml": config, "posts/ada/2026-03-01-hello.md": "---\ntitle: Hello\n---\nSee {{< high >}} here.\n"})
    assert diagnostics(build(root)) == [
        "posts/ada/2026-03-01-hello.md:4:5: note: template syntax left in the text, published as written: {{< high >}}"
    ]
    assert run_cli(["build", str(root), "--strict", "-q"], capsys)[0] == 0
