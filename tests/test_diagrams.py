"""Diagrams: ```mermaid blocks kept as their source, drawn in the browser by the Mermaid the theme
ships, which only the pages (and sites) with a diagram load."""

from __future__ import annotations

from pathlib import Path

from conftest import build, post, write_site

DIAGRAM = "```mermaid\nflowchart LR\n  a[Start <script>alert(1)</script>] --> b & c\n```\n"


def test_a_diagram_is_its_escaped_source_and_only_its_page_loads_mermaid(tmp_path: Path) -> None:
    root = write_site(
        tmp_path / "site",
        {"posts/ada/2026-01-01-d.md": post("title: D", "Text.\n\n" + DIAGRAM), "posts/ada/2026-01-02-p.md": post("title: P")},
    )
    result = build(root)
    assert not result.report.errors
    files = result.outputs.files
    page = files["2026/01/d/index.html"].content.decode()  # type: ignore[union-attr]
    source = "flowchart LR\n  a[Start &lt;script&gt;alert(1)&lt;/script&gt;] --&gt; b &amp; c\n"
    assert f'<pre class="mermaid" tabindex="0">{source}</pre>' in page
    assert '<script type="module" src="/assets/diagrams.js"></script>' in page
    assert "diagrams.js" not in files["2026/01/p/index.html"].content.decode()  # type: ignore[union-attr]
    assert "assets/mermaid/mermaid.esm.min.mjs" in files and any(p.startswith("assets/mermaid/chunks/") for p in files)
    feed = files["feed.xml"].content.decode()  # type: ignore[union-attr]
    assert "flowchart LR" in feed and "diagrams.js" not in feed, "feeds keep the source, readable as text"


def test_a_site_without_diagrams_publishes_no_mermaid(tmp_path: Path) -> None:
    result = build(write_site(tmp_path / "site", {"posts/ada/2026-01-02-p.md": post("title: P", "```python\nx = 1\n```\n")}))
    assert not [p for p in result.outputs.files if p.startswith("assets/mermaid/")]
    assert "diagrams.js" not in result.outputs.files["2026/01/p/index.html"].content.decode()  # type: ignore[union-attr]
