"""Trust boundaries of content: what a post's author or a site's maintainer writes stays inert.

Formulas are as untrusted as Markdown, SVG files are read as UTF-8 only with no DTD, and a
base_url that would make every URL wrong is refused at its line in blogkit.yaml.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from blogkit.load.images import ImageProblem, svg_size
from conftest import build, diagnostics, post, run_cli

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


# -- SVG ------------------------------------------------------------------------------------------

_ENTITY_SVG = '<!DOCTYPE svg [<!ENTITY a "{}">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&a;</text></svg>'
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" {}><rect width="1" height="1"/></svg>'


@pytest.mark.parametrize(
    "data",
    [
        ("\ufeff" + _ENTITY_SVG.format("<script>alert(1)</script>")).encode("utf-16-le"),
        ("\ufeff" + _ENTITY_SVG.format("x")).encode("utf-16-be"),
        ("\ufeff" + _ENTITY_SVG.format("x")).encode("utf-32"),
        _ENTITY_SVG.format("x").encode("utf-16-le"),  # no BOM
        ('<?xml version="1.0" encoding="ISO-8859-1"?>' + _SVG.format('width="10" height="10"')).encode(),
    ],
    ids=["utf-16-le-bom", "utf-16-be-bom", "utf-32-bom", "utf-16-no-bom", "declared-latin-1"],
)
def test_svg_not_in_utf8_is_refused_so_no_doctype_hides_from_the_check(site, data: bytes):
    result = build(
        site({"posts/ada/2026-03-01-shots/index.md": post("title: Shots\n", "![E](e.svg)\n"), "posts/ada/2026-03-01-shots/e.svg": data})
    )
    errors = [line for line in diagnostics(result) if line.startswith("posts/ada/2026-03-01-shots/e.svg: error: ")]
    assert errors in (
        ["posts/ada/2026-03-01-shots/e.svg: error: SVG not saved as UTF-8 is not published"],
        ["posts/ada/2026-03-01-shots/e.svg: error: SVG with a DOCTYPE or entities is not published"],
    ), diagnostics(result)


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE svg>" + _SVG.format('width="1" height="1"').encode(),
        b'<!DOCTYPE svg SYSTEM "http://attacker.example/x.dtd">' + _SVG.format('width="1" height="1"').encode(),
        b"\xef\xbb\xbf" + _ENTITY_SVG.format("x").encode(),
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + _ENTITY_SVG.format("x").encode(),
    ],
    ids=["bare-doctype", "external-dtd", "utf-8-bom", "utf-8-declared"],
)
def test_svg_parser_itself_refuses_any_doctype(data: bytes):
    with pytest.raises(ImageProblem) as raised:
        svg_size(data)
    assert raised.value.message == "SVG with a DOCTYPE or entities is not published"


@pytest.mark.parametrize(
    "attributes, message",
    [
        ('viewBox="0 0 inf 10"', "this SVG's viewBox is not four numbers: '0 0 inf 10'"),
        ('viewBox="0 0 nan nan"', "this SVG's viewBox is not four numbers: '0 0 nan nan'"),
        ('viewBox="0 0 1e400 10"', "this SVG's viewBox is out of range: '0 0 1e400 10'"),
        ('viewBox="0 0 ' + "9" * 400 + ' 1"', "this SVG's viewBox is not four numbers: '0 0 " + "9" * 56 + "'"),
        ('width="' + "9" * 400 + '" height="1"', "this SVG's width is out of range: '" + "9" * 60 + "'"),
        ('width="1e400" height="1"', "this SVG has no size"),  # an exponent is no length (as before): not taken
        ('width="1000000" viewBox="0 0 1e-300 1"', "this SVG's size is out of range (1e+06 x 1e+306)"),
        ('viewBox="a b c d"', "this SVG's viewBox is not four numbers: 'a b c d'"),
    ],
    ids=["inf", "nan", "1e400", "400-digit-viewbox", "400-digit-width", "exponent-width", "huge-ratio", "letters"],
)
def test_svg_size_out_of_range_is_an_error_at_the_image_not_a_crash(site, capsys, attributes: str, message: str):
    bundle = "posts/ada/2026-03-01-shots"
    root = site({f"{bundle}/index.md": post("title: Shots\n", "![D](d.svg)\n"), f"{bundle}/d.svg": _SVG.format(attributes).encode()})
    code, _, err = run_cli(["build", str(root), "-o", str(root.parent / "out"), "--no-cache"], capsys)
    assert code == 1, err
    assert f"{bundle}/d.svg: error: {message}\n" in err
    assert "hint: " in err and "Traceback" not in err and "bug" not in err


def test_svg_larger_than_the_bound_is_refused_before_parsing():
    data = _SVG.format('width="1" height="1"').encode().replace(b"<rect", b"<!--" + b" " * (10 * 1024 * 1024) + b"--><rect")
    with pytest.raises(ImageProblem) as raised:
        svg_size(data)
    assert raised.value.message == "SVG file is larger than 10 MB"


def test_ordinary_svgs_are_measured_as_before():
    assert svg_size(_SVG.format('viewBox="0 0 640 320"').encode()) == (640, 320)
    assert svg_size(b"\xef\xbb\xbf" + _SVG.format('width="10px" height="20"').encode()) == (10, 20)
    assert svg_size(b'<?xml version="1.0" encoding="utf-8"?>' + _SVG.format('width="30" viewBox="-5 -5 1.5e1 30"').encode()) == (30, 60)


# -- base_url -------------------------------------------------------------------------------------

BASE_URL_CASES = {
    "markup": (
        '"https://hub.example/\\"><script>"',
        'must not contain the character " (U+0022)',
        "percent-encode it (%22) or leave it out",
    ),
    "single-quote": (
        '"https://hub.example/it\'s/"',
        "must not contain the character ' (U+0027)",
        "percent-encode it (%27) or leave it out",
    ),
    "less-than": ("https://hub.example/<b>/", "must not contain the character < (U+003C)", "percent-encode it (%3C) or leave it out"),
    "space": ("https://hub.example/my blog/", "must not contain a space", "percent-encode it (a space is %20) or leave it out"),
    "backslash": (
        "https://hub.example\\@evil.example/",
        "must not contain the character \\ (U+005C)",
        "percent-encode it (%5C) or leave it out",
    ),
    "tab": (  # other control characters are taken out of every YAML text as it is read (blogkit.core.yamlio)
        '"https://hub.example/\\tblog/"',
        "must not contain a control or space character (U+0009)",
        "percent-encode it (a space is %20) or leave it out",
    ),
    "bad-percent": (
        "https://hub.example/100%/",
        "must not contain a % that does not start a percent-encoding like %20",
        "write % itself as %25",
    ),
    "port-too-big": (
        "https://hub.example:99999/",
        "has the port '99999', not a number from 1 to 65535",
        "write e.g. https://example.com:8443/, or leave the port out",
    ),
    "port-not-a-number": (
        "https://hub.example:http/",
        "has the port 'http', not a number from 1 to 65535",
        "write e.g. https://example.com:8443/, or leave the port out",
    ),
    "dot-dot-segment": (
        "https://hub.example/blog/../x/",
        "must not contain a dot segment (/./ or /../)",
        "write the path as it is served, e.g. https://example.com/blog/",
    ),
    "dot-segment": (
        "https://hub.example/./",
        "must not contain a dot segment (/./ or /../)",
        "write the path as it is served, e.g. https://example.com/blog/",
    ),
    "encoded-dot-segment": (
        "https://hub.example/%2e%2E/x/",
        "must not contain a dot segment (/./ or /../)",
        "write the path as it is served, e.g. https://example.com/blog/",
    ),
    "credentials": (
        "https://deploy:s3cret@hub.example/",
        "must not contain user credentials (user@ or user:password@)",
        "write the scheme, host and path only, e.g. https://example.com/blog/",
    ),
    "empty-host": ("https://:8080/", "must name a host", "write the scheme, host and path only, e.g. https://example.com/blog/"),
    "bad-host": (
        "https://hub!.example/",
        "has the host 'hub!.example', which is no host name",
        "write the scheme, host and path only, e.g. https://example.com/blog/",
    ),
}


@pytest.mark.parametrize("value, message, hint", BASE_URL_CASES.values(), ids=BASE_URL_CASES.keys())
def test_base_url_that_would_make_wrong_urls_is_a_located_config_error(site, capsys, value: str, message: str, hint: str):
    root = site({"blogkit.yaml": f"title: T\nbase_url: {value}\n"})
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 2, err
    assert f"blogkit.yaml:2:11: error: 'base_url' {message}: every URL of the site is made from it\n" in err
    assert f"hint: {hint}" in err


@pytest.mark.parametrize(
    "value", ["https://hub.example/", "http://localhost:8000/blog/", "https://[::1]:8443/", "https://münchen.example/a%20b/"]
)
def test_ordinary_base_urls_are_still_taken(site, value: str):
    result = build(site({"blogkit.yaml": f"title: T\nbase_url: {value}\n"}))
    assert not result.report.errors, diagnostics(result)
    assert result.site.config.base_url == value


@pytest.mark.parametrize("value", ['"https://github.com/acme/blog\\">"', "https://github.com:99999/acme/blog", "https://:8080/acme/blog"])
def test_other_config_urls_refuse_what_no_url_holds(site, capsys, value: str):
    root = site({"blogkit.yaml": f"title: T\nbase_url: https://hub.example/\nrepository: {value}\n"})
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 2, err
    assert "blogkit.yaml:3:13: error: 'repository' must be an http(s) URL, got " in err
