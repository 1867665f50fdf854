"""Property tests: whatever an engineer writes in front matter or Markdown, blogkit answers with a
site or with located problems, never a traceback; it writes nothing outside the output; its pages
carry no script the post was not allowed; its feeds are well-formed."""

from __future__ import annotations

import json
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from blogkit.core.diagnostics import ConfigError
from blogkit.core.outputs import CopyFile
from conftest import build, write_site

KEYS = ["title", "date", "tags", "authors", "summary", "updated", "updates", "draft", "slug", "discussion", "comments",
        "aliases", "canonical", "image", "image_alt", "series", "id", "extra", "tgas", "Title"]  # fmt: skip
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
SCALARS = st.one_of(TEXT, st.integers(-(10**12), 10**12), st.booleans(), st.none(), st.floats(allow_nan=False),
                    st.sampled_from(["2026-03-01", "0001-01-01T00:00:00+05:00", "9999-12-31", "/old/", "../x.md", "https://x.example/",
                                     "javascript:alert(1)", "<script>alert(1)</script>", "open", "closed", "ada"]))  # fmt: skip
VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12
)
MARKDOWN = st.lists(
    st.sampled_from(["# ", "## ", "> ", "- ", "1. ", "```", "```python\n", "`", "*", "_", "[", "](", ")", "![", "<", ">", "&", "|", "---",
                     "\n", "\n\n", "    ", "[^1]", "[^1]: ", "<script>alert(1)</script>", '<a href="javascript:alert(1)">x</a>',
                     "<img src=x onerror=alert(1)>", "../", "2026-03-02-other.md", "#x", "blogkit-link:0", "é", "\u202e", "text ",
                     "<!-- more -->", "\\", "http://x.example/"]),
    max_size=40,
).map("".join)  # fmt: skip
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def check_site(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_site(Path(folder) / "site", files)
        try:
            result = build(root)
        except ConfigError:
            return  # a located configuration problem: fine
        if result.report.errors:
            return
        for path, output in result.outputs.files.items():
            assert not path.startswith("/") and ".." not in path.split("/") and "\\" not in path, path
            if isinstance(output.content, CopyFile):
                continue
            data = output.content
            if path.endswith((".xml",)) and "sitemap" not in path:
                ElementTree.fromstring(data)
            elif path.endswith(".json"):
                json.loads(data)
            elif path.endswith(".html"):
                elements = _Elements()
                elements.feed(data.decode("utf-8"))
                for tag, attrs in elements.found:
                    assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
                    for name in ("href", "src"):
                        assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (path, tag, attrs)
                    if tag == "script":
                        assert (attrs.get("src") or "").startswith("/assets/") or attrs.get("type") == "application/ld+json", (path, attrs)


class _Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


@PROPERTY
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8))
def test_any_front_matter_gives_a_site_or_located_problems(front_matter: dict[str, object]) -> None:
    text = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
    check_site({"posts/ada/2026-03-01-hello.md": f"---\n{text}---\nSome text.\n"})


@PROPERTY
@given(st.text(max_size=200))
def test_any_text_as_front_matter_gives_a_site_or_located_problems(text: str) -> None:
    check_site({"posts/ada/2026-03-01-hello.md": f"---\n{text}\n---\nSome text.\n"})


@PROPERTY
@given(MARKDOWN, MARKDOWN)
def test_any_markdown_gives_a_site_or_located_problems(body: str, other: str) -> None:
    check_site(
        {
            "posts/ada/2026-03-01-hello.md": f"---\ntitle: Hello\n---\n{body}\n",
            "posts/ada/2026-03-02-other.md": f"---\ntitle: Other\n---\n{other}\n",
        }
    )


# -- serve's session: whatever is edited, a patched or rebuilt site is the full build's ---------------
EDITED = ["posts/ada/2026-03-01-one.md", "posts/ada/2026-03-02-two.md", "posts/bo/2026-03-03-three.md"]
SESSION_SITE = {
    "authors/bo.yaml": "name: Bo\nteam: storage\n",
    "teams.yaml": "storage:\n  name: Storage\n",
    # a list page whose cards show each post's HTML, through a filter's attribute name: it must follow body edits
    "templates/tag.html": "{% extends 'base.html' %}{% block content %}{{ posts|map(attribute='html')|join|safe }}{% endblock %}\n",
    **{path: "---\ntitle: Post\ntags: [go]\n---\nFirst paragraph.\n\n## Part\n\nMore.\n" for path in EDITED},
    # a link to a heading of a post that gets edited
    "posts/bo/2026-02-01-links.md": "---\ntitle: Links\n---\nSee [part two](../ada/2026-03-02-two.md#part).\n",
}
BODIES = st.sampled_from([
    "First paragraph.\n\n## Part\n\nMore.\n", "First paragraph.\n\n## Part\n\nMore, and more words here.\n",
    "Another first paragraph.\n\n## Part\n\nMore.\n", "First paragraph.\n\n## Renamed part\n\nText.\n",
    "First paragraph.\n\n## Part\n\nText [two](/2026/03/two/#part).\n", "First paragraph.\n\n## Part\n\n[broken](nowhere.md)\n",
    "First paragraph.\n\n## Part\n\n" + "Words " * 400 + "\n",
])  # fmt: skip
OWN = st.fixed_dictionaries(  # values only the post itself shows: mostly patched in
    {"tags": st.just(["go"]), "title": st.sampled_from(["Post", "Post", "One", "A <b>bold</b> title", "Ünïcode"])},
    optional={
        "summary": st.sampled_from(["Short.", "Another summary."]),
        "image": st.just("https://img.example/a.png"),
        "id": st.sampled_from(["urn:x:1", "urn:x:2"]),  # made unique per post below
    },
)
OTHER = st.fixed_dictionaries(  # values other pages list or link by: a full build
    {"title": st.just("Post")},
    optional={
        "tags": st.sampled_from([["go", "rust"], ["Go"], []]),
        "date": st.sampled_from(["2026-03-01", "2026-03-04", "2027-01-01"]),
        "series": st.just("Intro"),
        "draft": st.booleans(),
        "comments": st.sampled_from(["open", "closed"]),
    },
)
PATCHED: list[tuple[int, int]] = []  # how many edits of each example were patched in, to see that the test patches at all
EDITS = st.lists(
    st.tuples(
        st.sampled_from(EDITED),
        st.one_of(OWN, OWN, OWN, OTHER),
        BODIES,
    ),
    min_size=1,
    max_size=6,
)


def test_any_edits_served_equal_a_full_build() -> None:
    PATCHED.clear()
    _served_equals_full()
    patched, edits = (sum(counts) for counts in zip(*PATCHED, strict=True))
    assert patched >= edits / 4, f"only {patched} of {edits} edits were patched in: the test hardly tests patching"


@settings(PROPERTY, max_examples=20)
@given(edits=EDITS)
@example(
    edits=[(EDITED[1], {"tags": ["go"], "title": "Post"}, "First paragraph.\n\n## Renamed part\n\nText.\n")]
)  # another post links to its heading
def _served_equals_full(edits: list[tuple[str, dict[str, object], str]]) -> None:
    from blogkit.core.outputs import Cached
    from blogkit.engine.build import BuildOptions, build_site
    from blogkit.engine.session import Session
    from conftest import NOW

    def contents(result: object, session: Session | None = None) -> dict[str, object]:
        found: dict[str, object] = {}
        for name, output in result.outputs.files.items():  # type: ignore[attr-defined]
            content = output.content
            if isinstance(content, Cached):
                assert session is not None
                content = session.stored(content.key)
            found[name] = content.source if isinstance(content, CopyFile) else content
        return found

    with tempfile.TemporaryDirectory() as tmp:
        root = write_site(Path(tmp) / "site", SESSION_SITE)
        session = Session(str(root), BuildOptions(jobs=1, now=NOW))
        session.build(set())
        patched = 0
        for path, front, body in edits:
            front = {**front, **({"id": f"{front['id']}:{path}"} if "id" in front else {})}  # two posts never share an id
            (root / path).write_text("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + body, encoding="utf-8")
            served = session.build({path})
            patched += session.patched
            full = build_site(str(root), BuildOptions(jobs=1, now=NOW, cache=False), preview=True)
            assert contents(session.settle() or served, session) == contents(full)  # settled: with its search index
            assert [(d.location, d.message) for d in served.report.sorted()] == [(d.location, d.message) for d in full.report.sorted()]
    PATCHED.append((patched, len(edits)))


# -- the content lint: whatever the Markdown, it finishes, and every finding is in the file ---------------
LINTED = st.lists(
    st.sampled_from(["# ", "#### ", "> ", "- ", "1. ", "```", "`", "*", "[", "](", ")", "![", "<", ">", "|", "|---|", "| a |", "\n",
                     "\n\n", "    ", "here", "IMG_1.png", "https://x.example/", "<https://x.example/>", "<center>", "</center>",
                     "<span>", "</span>", "<p>", "</p>", "<div>", "</div>", "<table>", "<th>", "</table>", "<iframe src=x>",
                     "</iframe>", "<script>", "</script>", '<img alt="a.png" src="a.png">', "<img src=x>", "<!--", "-->", "é", "\t",
                     "<font color=red>", "<T>", "<!-- more -->", "\u2028"]),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None, derandomize=True)
@given(LINTED, st.integers(1, 40), st.sampled_from(["sanitize", "allow", "escape"]))
def test_the_lint_of_any_markdown_finishes_and_points_inside_the_file(body: str, first_line: int, raw_html: str) -> None:
    from blogkit.core.bodies import BodySource
    from blogkit.core.config import MarkdownConfig
    from blogkit.core.lint_rules import RULES
    from blogkit.load.markdown import render_body

    lines = body.split("\n")
    for lint in render_body(BodySource(body, first_line), MarkdownConfig(raw_html=raw_html)).lints:
        assert lint.rule in RULES
        assert first_line <= lint.line < first_line + len(lines), (lint, body)
        assert 1 <= lint.column <= len(lines[lint.line - first_line]) + 1, (lint, body)
        assert lint.message and lint.hint
