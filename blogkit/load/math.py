"""Formulas in posts: `$...$` inline and `$$...$$` on their own, rendered at build time to MathML.

mdit-py-plugins' dollarmath finds them with the usual rules, so that prices stay text: a `$`
followed or preceded by a space, or followed by a digit after the closing one (`$5 and $6`),
is not a formula, and `\\$` is a dollar sign. latex2mathml turns each into MathML, which every
current browser and many feed readers show without JavaScript and without any request. A
formula that does not parse, or names a command latex2mathml does not know, is shown as its
source and reported at its line.

Any engineer can write a post, so a formula is as untrusted as the rest of the Markdown: what
latex2mathml builds is kept to the MathML allow-list below (an element outside it becomes an
`mrow`, an attribute outside it is dropped, so `\\href`, `\\style` and `\\class` carry nothing) and
serialised with its text escaped. latex2mathml itself unescapes its output, so `\\text{<b>}` would
otherwise come out as markup; only the numeric character references it writes for symbols are
kept as they are.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any
from xml.etree.ElementTree import Element, tostring

from latex2mathml.converter import convert_to_element
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

_UNKNOWN_COMMAND = re.compile(r"<m[ion]>(\\[A-Za-z]+)</m[ion]>")
_HINT = "write LaTeX math as in a paper; a dollar sign that is not math is written \\$"

# MathML that formulas produce, for formulas and the raw-HTML sanitiser (tags, and the attributes they may carry):
# presentation only, no URL (`href`), no CSS (`style`), no `class`/`id`, no event handler
MATHML_TAGS = frozenset(
    {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover",
     "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "menclose", "mpadded", "mphantom", "merror", "semantics", "annotation"}
)  # fmt: skip
MATHML_ATTRIBUTES = frozenset(
    {"xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent", "accentunder", "columnalign",
     "rowalign", "columnspacing", "rowspacing", "displaystyle", "scriptlevel", "width", "height", "depth", "notation", "linethickness",
     "minsize", "maxsize", "movablelimits", "symmetric", "largeop", "form", "encoding", "mathcolor", "mathbackground", "mathsize",
     "voffset", "linebreak", "columnlines", "rowlines"}
)  # fmt: skip


def math_plugin(md: MarkdownIt) -> None:
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
    md.core.ruler.push("blogkit_math_lines", _note_lines)
    for kind in ("math_inline", "math_inline_double", "math_block"):
        md.add_render_rule(kind, _render)


def _note_lines(state: Any) -> None:
    """Inline formulas learn the line of their paragraph, for diagnostics."""
    for token in state.tokens:
        if token.type == "inline" and token.map:
            for child in token.children or ():
                if child.type.startswith("math_"):
                    child.meta["line"] = token.map[0]


def _render(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    block = token.type in ("math_block", "math_inline_double")
    line = env["first_line"] + (token.map[0] if token.map else token.meta.get("line", 0))
    source = token.content.strip()
    try:
        mathml = _mathml(source, "block" if block else "inline")
    except Exception as exc:  # noqa: BLE001 - latex2mathml raises many kinds for what does not parse
        return _failed(env, line, f"this formula does not parse ({type(exc).__name__}): {source[:60]}", source, block)
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        return _failed(env, line, f"unknown LaTeX command {unknown.group(1)} in a formula", source, block)
    return f'<div class="math">{mathml}</div>\n' if token.type == "math_block" else mathml


# a numeric character reference as latex2mathml writes them for symbols, once `tostring` has escaped its `&`
_REFERENCE = re.compile(r"&amp;(#x[0-9A-Fa-f]{1,6};|#[0-9]{1,7};)")


def _mathml(source: str, display: str) -> str:
    """The formula as MathML of the allow-list, its text and attribute values escaped."""
    root = convert_to_element(source, display=display)
    for element in root.iter():
        _keep_allowed(element)
    return _REFERENCE.sub(r"&\1", tostring(root, encoding="unicode"))


def _keep_allowed(element: Element) -> None:
    if element.tag not in MATHML_TAGS:
        element.tag = "mrow"
        element.attrib.clear()
    for name in [name for name in element.attrib if name not in MATHML_ATTRIBUTES]:
        del element.attrib[name]


def _failed(env: Any, line: int, message: str, source: str, block: bool) -> str:
    env["problems"].append((line, message, _HINT))
    shown = f'<code class="math-error">{escape(source)}</code>'
    return f"<pre>{shown}</pre>\n" if block else shown
