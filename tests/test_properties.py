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
from hypothesis import HealthCheck, given, settings
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
