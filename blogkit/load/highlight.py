"""Code highlighting with Pygments, by CSS class, with a light and a dark style."""

from __future__ import annotations

import functools
from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# the Pygments styles whose every token colour meets WCAG AA contrast (4.5:1) on their background
LIGHT_STYLE = "xcode"
DARK_STYLE = "lightbulb"
_FORMATTER = HtmlFormatter(nowrap=True)


@functools.lru_cache(maxsize=256)
def _lexer(lang: str) -> Lexer | None:
    try:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def highlight_code(code: str, lang: str) -> str:
    """A complete `<pre>` block; unknown languages are escaped as plain text."""
    lang = lang.strip().lower()
    lexer = _lexer(lang) if lang else None
    body = highlight(code, lexer, _FORMATTER) if lexer else escape(code, quote=False)
    if not lang:
        return f'<pre class="highlight" tabindex="0"><code>{body}</code></pre>\n'
    safe_lang = escape(lang)
    return f'<pre class="highlight" data-lang="{safe_lang}" tabindex="0"><code class="language-{safe_lang}">{body}</code></pre>\n'


def stylesheet() -> str:
    """CSS for highlighted code: the light style, and the dark one under prefers-color-scheme."""
    light: str = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark: str = HtmlFormatter(style=DARK_STYLE).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark_indented = "\n".join("  " + line for line in dark.splitlines())
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark_indented}\n}}\n"
