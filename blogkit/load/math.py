"""Formulas in posts: `$...$` inline and `$$...$$` on their own, rendered at build time to MathML.

mdit-py-plugins' dollarmath finds them with the usual rules, so that prices stay text: a `$`
followed or preceded by a space, or followed by a digit after the closing one (`$5 and $6`),
is not a formula, and `\\$` is a dollar sign. latex2mathml turns each into MathML, which every
current browser and many feed readers show without JavaScript and without any request. A
formula that does not parse, or names a command latex2mathml does not know, is shown as its
source and reported at its line.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

_UNKNOWN_COMMAND = re.compile(r"<m[ion]>(\\[A-Za-z]+)</m[ion]>")
_HINT = "write LaTeX math as in a paper; a dollar sign that is not math is written \\$"

# MathML that formulas produce, for the raw-HTML sanitiser (tags, and the attributes they may carry)
MATHML_TAGS = frozenset(
    {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover",
     "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "menclose", "mpadded", "mphantom", "merror", "semantics", "annotation"}
)  # fmt: skip
MATHML_ATTRIBUTES = frozenset(
    {"xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent", "accentunder", "columnalign",
     "rowalign", "columnspacing", "rowspacing", "displaystyle", "scriptlevel", "width", "height", "depth", "notation", "linethickness",
     "minsize", "maxsize", "movablelimits", "symmetric", "largeop", "form", "encoding"}
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
        mathml = convert(source, display="block" if block else "inline")
    except Exception as exc:  # noqa: BLE001 - latex2mathml raises many kinds for what does not parse
        return _failed(env, line, f"this formula does not parse ({type(exc).__name__}): {source[:60]}", source, block)
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        return _failed(env, line, f"unknown LaTeX command {unknown.group(1)} in a formula", source, block)
    return f'<div class="math">{mathml}</div>\n' if token.type == "math_block" else mathml


def _failed(env: Any, line: int, message: str, source: str, block: bool) -> str:
    env["problems"].append((line, message, _HINT))
    shown = f'<code class="math-error">{escape(source)}</code>'
    return f"<pre>{shown}</pre>\n" if block else shown
