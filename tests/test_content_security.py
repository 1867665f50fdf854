"""Trust boundaries of content: what a post's author or a site's maintainer writes stays inert.

Formulas are as untrusted as Markdown, SVG files are read as UTF-8 only with no DTD, and a
base_url that would make every URL wrong is refused at its line in blogkit.yaml.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from conftest import build, diagnostics, post

PAGE = "2026/03/formulas/index.html"
HOSTILE_FORMULAS = (
    r"\text{<script>alert(1)</script>}",
    r"\href{javascript:alert(1)}{x}",
    r"\style{background:url(x)}{x}",
    r"\class{menu-toggle}{x}",
    r"\mathrm{\text{<img src=x onerror=alert(1)>}}",
)
_MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)


def _text(result, path: str) -> str:
    data = result.outputs.files[path].content
    assert isinstance(data, bytes), path
    return data.decode()


def _feed_html(result) -> dict[str, str]:
    """The HTML of each entry of the hub's feeds, as a feed reader gets it (XML unescaped, JSON decoded)."""
    atom = ET.fromstring(_text(result, "feed.xml"))
    rss = ET.fromstring(_text(result, "rss.xml"))
    found = {"feed.xml": "".join(e.text or "" for e in atom.iter("{http://www.w3.org/2005/Atom}content"))}
    found["rss.xml"] = "".join(
        e.text or "" for e in rss.iter() if e.tag in ("description", "{http://purl.org/rss/1.0/modules/content/}encoded")
    )
    found["feed.json"] = "".join(item.get("content_html", "") for item in json.loads(_text(result, "feed.json"))["items"])
    return found


def _formula_site(site, formulas: tuple[str, ...]):
    body = "".join(f"Formula {i}: ${formula}$ here.\n\n" for i, formula in enumerate(formulas))
    return build(site({"posts/ada/2026-03-01-formulas.md": post("title: Formulas\n", body)}))


# -- formulas -------------------------------------------------------------------------------------


def test_hostile_formulas_are_inert_in_pages_and_every_feed(site):
    result = _formula_site(site, HOSTILE_FORMULAS)
    assert not result.report.errors, diagnostics(result)
    outputs = {PAGE: _text(result, PAGE), **_feed_html(result)}
    for name, html in outputs.items():
        formulas = _MATH.findall(html)
        assert len(formulas) == len(HOSTILE_FORMULAS), name
        for mathml in formulas:
            assert set(re.findall(r"<(\w+)", mathml)) <= {"math", "mrow", "mtext", "mi"}, (name, mathml)
            assert set(re.findall(r"<\w+((?:\s[^>]*)?)>", mathml)) <= {"", ' xmlns="http://www.w3.org/1998/Math/MathML" display="inline"'}
            for live in ("<script", "<img", "javascript:", "style=", "href=", "class="):
                assert live not in mathml, (name, mathml)
        assert "<script>alert(1)" not in html and "<img src=x" not in html, name
    assert "<mtext>&lt;script&gt;alert(1)&lt;/script&gt;</mtext>" in outputs[PAGE]


def test_an_ordinary_formula_renders_as_before(site):
    # the example site's formula, and the attributes latex2mathml writes for colour, size and tables
    result = _formula_site(site, (r"N \approx \sum_{i=1}^{n} \frac{1}{r_i}", r"\color{red}{x} \large y \begin{array}{c|c}a&b\end{array}"))
    html = _text(result, PAGE)
    assert (
        '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><mi>N</mi><mo>&#x02248;</mo><msubsup><mo>&#x02211;</mo>'
        "<mrow><mi>i</mi><mo>&#x0003D;</mo><mn>1</mn></mrow><mrow><mi>n</mi></mrow></msubsup><mfrac><mrow><mn>1</mn></mrow><mrow>"
        "<msub><mi>r</mi><mi>i</mi></msub></mrow></mfrac></mrow></math>"
    ) in html
    assert (
        '<mstyle mathcolor="red"><mrow><mi>x</mi></mrow><mstyle mathsize="1.2em"><mi>y</mi>'
        '<mtable columnlines="solid"><mtr><mtd columnalign="center"><mi>a</mi></mtd>'
    ) in html
