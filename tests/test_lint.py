"""The content lint: each rule's message at its line and column, and switching rules per site and per post.

`tests/lint/every-rule.md` breaks every rule once; `tests/lint/every-rule.expected` is what
`check` and `build` print of it (`pytest --update-golden` rewrites it; review the diff).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from blogkit.core.bodies import BodySource
from blogkit.core.config import MarkdownConfig
from blogkit.core.diagnostics import Severity, with_source_lines
from blogkit.core.lint_rules import RULES
from blogkit.load.markdown import render_body
from blogkit.load.source_lines import LineReader
from conftest import REPO, build, diagnostics, run_cli

FIXTURES = Path(__file__).parent / "lint"
P = "posts/ada/2026-03-01-every-rule.md"
EVERY_RULE = (FIXTURES / "every-rule.md").read_text(encoding="utf-8")


def lint_text(root: Path, **options: object) -> str:
    """The lint's findings of a build as `check` and `build` print them: location, rule, source line, hint."""
    result = build(root, **options)
    found = [d for d in result.report.sorted() if d.message.endswith("]")]
    return "".join(d.format_text() + "\n" for d in with_source_lines(found, LineReader(str(root))))


def rules_reported(result_lines: list[str]) -> list[str]:
    return [m.group(1) for line in result_lines if (m := re.search(r"\[([a-z-]+)\]$", line))]


def test_every_rule_is_reported_at_its_line_and_column_with_its_name_and_hint(site, request):
    root = site({P: EVERY_RULE})
    text = lint_text(root)
    expected = FIXTURES / "every-rule.expected"
    if request.config.getoption("--update-golden"):
        expected.write_text(text, encoding="utf-8")
    assert text == expected.read_text(encoding="utf-8")


def test_the_fixture_breaks_every_rule_exactly_once(site):
    root = site({P: EVERY_RULE})
    reported = rules_reported(diagnostics(build(root)))
    assert sorted(reported) == sorted(RULES)


def test_every_rule_is_documented_with_why_it_matters():
    docs = (REPO / "docs" / "lint.md").read_text(encoding="utf-8")
    for name in RULES:
        section = docs.split(f"### `{name}`", 1)
        assert len(section) == 2, f"docs/lint.md has no section for {name}"
        body = section[1].split("\n### ", 1)[0]
        assert "**Why:**" in body and "**Fix:**" in body, f"docs/lint.md: {name} needs why it matters and how to fix it"


def test_check_and_build_report_the_same_lint_warnings_and_strict_fails_on_them(site, capsys):
    root = site({P: EVERY_RULE})
    code, _, checked = run_cli(["check", str(root), "--no-cache"], capsys)
    assert code == 0
    code, _, built = run_cli(["build", str(root), "--no-cache", "-o", str(root.parent / "out")], capsys)
    assert code == 0

    def lint_lines(err: str) -> list[str]:
        return [line for line in err.splitlines() if line.endswith("]")]

    assert len(lint_lines(checked)) == len(RULES)
    assert lint_lines(checked) == lint_lines(built)
    assert run_cli(["build", str(root), "--no-cache", "--strict", "-o", str(root.parent / "out2")], capsys)[0] == 1
    assert run_cli(["check", str(root), "--no-cache", "--strict"], capsys)[0] == 1


def test_a_site_turns_a_rule_off_or_to_a_note(site):
    config = "title: Test Hub\nbase_url: https://hub.example/\nlint:\n  link-text: off\n  image-alt: note\n"
    root = site({"blogkit.yaml": config, P: EVERY_RULE})
    result = build(root)
    reported = rules_reported(diagnostics(result))
    assert "link-text" not in reported
    notes = [d for d in result.report.diagnostics if d.message.endswith("[image-alt]")]
    assert [d.severity for d in notes] == [Severity.NOTE]
    assert sorted(reported) == sorted(set(RULES) - {"link-text"})


def test_a_post_turns_a_rule_off_for_itself_alone(site):
    turned_off = EVERY_RULE.replace("tags: [lint]\n", "tags: [lint]\nlint:\n  heading-order: off\n  dropped-html: off\n")
    other = "posts/ada/2026-03-02-other.md"
    root = site({P: turned_off, other: "---\ntitle: Other\n---\n#### Deep\n"})
    rows = diagnostics(build(root))
    assert not [r for r in rows if r.startswith(P) and ("[heading-order]" in r or "[dropped-html]" in r)]
    assert f"{other}:4:1: warning: heading level skipped: h1 then h4 [heading-order]" in rows


def test_a_post_may_set_back_a_rule_the_site_turned_off(site):
    config = "title: Test Hub\nbase_url: https://hub.example/\nlint: {heading-order: off}\n"
    strict = "---\ntitle: Strict\nlint: {heading-order: warning}\n---\n#### Deep\n"
    root = site({"blogkit.yaml": config, "posts/ada/2026-03-02-strict.md": strict, "pages/about.md": "---\ntitle: About\n---\n#### Deep\n"})
    rows = diagnostics(build(root))
    assert [r for r in rows if "heading-order" in r] == [
        "posts/ada/2026-03-02-strict.md:5:1: warning: heading level skipped: h1 then h4 [heading-order]"
    ]


def test_pages_are_linted_and_switched_like_posts(site):
    root = site(
        {
            "pages/about.md": "---\ntitle: About\n---\nSee [here](https://example.com/).\n",
            "pages/team.md": "---\ntitle: Team\nlint: {link-text: off}\n---\nSee [here](https://example.com/).\n",
        }
    )
    rows = [r for r in diagnostics(build(root)) if "[link-text]" in r]
    assert rows == ["pages/about.md:4:5: warning: link text 'here' says nothing of where it leads [link-text]"]


def test_an_unknown_rule_is_a_config_error_with_a_did_you_mean(site, capsys):
    root = site({"blogkit.yaml": "title: Test Hub\nbase_url: https://hub.example/\nlint:\n  image-alts: off\n"})
    code, _, err = run_cli(["check", str(root)], capsys)
    assert code == 2
    assert "blogkit.yaml:4:3: error: unknown key 'image-alts' in the lint section" in err
    assert "hint: did you mean 'image-alt'?" in err


def test_an_unknown_rule_in_a_post_is_a_warning_and_a_wrong_level_an_error(site):
    root = site({P: "---\ntitle: X\nlint:\n  link-txt: off\n  image-alt: loud\n---\nText.\n"})
    rows = diagnostics(build(root))
    assert f"{P}:4:3: warning: unknown key 'link-txt' in the lint section" in rows
    assert f"{P}:5:14: error: lint rule 'image-alt' must be one of warning, note, off; got 'loud'" in rows


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ('<img src="https://cdn.example.com/a.png">', "1:1: image in raw HTML without alt text [image-alt]"),
        ('<img src="https://cdn.example.com/a.png" alt="">', ""),
        ("![rack_02](rack_02.png)", "1:1: the image's alt text is its file name: 'rack_02' [image-alt-file-name]"),
        ("![Cluster](/images/cluster.png)", ""),
        ('<img src="/x/dsc_42.jpg" alt="dsc_42.jpg">', "1:1: the image's alt text is its file name: 'dsc_42.jpg' [image-alt-file-name]"),
        ("![The racks, three rows](rack.png)", ""),
        ("Text [Click here.](https://example.com/) and more", "1:6: link text 'Click here.' says nothing of where it leads [link-text]"),
        ("[the Raft paper](https://raft.github.io/raft.pdf)", ""),
        ("<table><tr><td>a</td></tr></table>", "1:1: table in raw HTML without a header row [table-header]"),
        ("<table><tr><th>a</th></tr><tr><td>b</td></tr></table>", ""),
        ("Some <font color=red>red</font> text", "1:6: <font> is obsolete HTML: the Nu HTML Checker rejects it [obsolete-element]"),
        ("<p>A\n<div>block</div>\n</p>", "1:1: <p> around a <div> is invalid HTML [block-in-inline]"),
        ("<p>fine</p>\n\nthen a paragraph", ""),
        ("A <video src=a.mp4></video>", "1:3: the sanitiser removes <video>: readers see nothing in its place [dropped-html]"),
        ("<script>alert(1)</script>", "1:1: the sanitiser removes <script> and what it holds [dropped-html]"),
        ("`<iframe>` in code, and a <!-- <iframe> --> comment", ""),
        ("> quoted ![](a.png)", "1:10: image without alt text [image-alt]"),
        ("- item\n  - <marquee>news</marquee>", "2:5: <marquee> is obsolete HTML: the Nu HTML Checker rejects it [obsolete-element]"),
    ],
)
def test_each_case_of_a_rule(markdown, expected):
    body = render_body(BodySource(markdown + "\n", 1), MarkdownConfig())
    found = [f"{lint.line}:{lint.column}: {lint.message} [{lint.rule}]" for lint in body.lints]
    assert found == ([expected] if expected else [])


def test_with_raw_html_allowed_nothing_is_dropped_and_escaped_html_is_only_text():
    source = BodySource("<iframe src=https://example.com/></iframe>\n", 1)
    assert render_body(source, MarkdownConfig(raw_html="allow")).lints == ()
    assert render_body(BodySource("<center>x</center>\n", 1), MarkdownConfig(raw_html="escape")).lints == ()


def test_the_example_site_and_the_default_theme_pass_every_rule():
    """Every rule is a warning by default, so a --strict build of the example site (with its drafts and
    future posts) fails on any finding; the theme's templates use no element the lint rejects."""
    result = build(REPO / "example_site", drafts=True, future=True)
    assert not [d for d in result.report.diagnostics if d.message.endswith("]")]
    obsolete = re.compile(r"<(center|font|marquee|big|tt|strike|blink|iframe)\b", re.IGNORECASE)
    for template in (REPO / "themes" / "default" / "templates").rglob("*.html"):
        assert not obsolete.search(template.read_text(encoding="utf-8")), template


def test_an_imported_site_of_old_content_builds_strict_its_findings_as_notes_said_once(tmp_path, capsys):
    old = tmp_path / "old"
    shutil.copytree(FIXTURES.parent / "import_fixtures" / "jekyll", old)
    (old / "_posts" / "2012-05-01-launch.md").write_text(
        '---\ntitle: Launch\nauthors: [ada]\n---\n<center><img src="https://cdn.example.com/launch.png"></center>\n\n'
        "#### Details\n\nRead more [here](https://example.com/launch).\n\nAnd [here](https://example.com/again).\n",
        encoding="utf-8",
    )
    dest = tmp_path / "hub"
    code, _, err = run_cli(["import", "jekyll", str(old), str(dest)], capsys)
    assert code == 0, err
    said = [line for line in err.splitlines() if "content lint" in line]
    assert said == [
        "blogkit: the old posts break 4 rules of the content lint (link-text 2, heading-order 1, image-alt 1, obsolete-element 1): "
        "blogkit.yaml sets each to note under lint:, so they fail no build (--strict too) and build and check show each; "
        "fix them, then remove those lines (docs/lint.md)"
    ]
    config = (dest / "blogkit.yaml").read_text(encoding="utf-8")
    assert "lint:\n  image-alt: note\n  heading-order: note\n  link-text: note\n  obsolete-element: note\n" in config
    out = str(tmp_path / "out")
    code, _, err = run_cli(["build", str(dest), "--strict", "-o", out, "--no-cache", "-j", "1"], capsys)
    assert code == 0, err
    assert err.count("note: link text 'here' says nothing of where it leads [link-text]") == 2
