"""The theme's words in templates: `_(key, count, **values)`, `script_strings(*keys)`, and the
fixed words put in place once.

Most words a template shows are fixed for a build (`_("nav.home")`), yet each would cost a
call on every page. `FixedWords`, a Jinja extension, writes such a call's text into the
template when it is compiled, which happens once per build's environment: a call with one
literal key and nothing else becomes that text, marked safe (it was escaped when made).
Calls with a count or values stay calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import escape

from blogkit.core.strings import Strings, fill

WORD = "_"  # the name templates call


def word_function(strings: Strings) -> Callable[..., str]:
    """`_(key, count=None, **values)`: the word as markup, its values escaped unless they are markup
    (such as a link made with `{% set %}`)."""
    plain: dict[tuple[str, int | None], str] = {}  # words with no values but a count: worked out once

    def translate(key: str, /, count: int | None = None, **values: Any) -> str:
        if not values and (known := plain.get((key, count))) is not None:
            return known
        if count is not None:
            values["count"] = strings.number(count)
        text = fill(escape(strings.form(key, count)), values)  # markup: its format escapes the values
        if len(values) == (count is not None):
            plain[key, count] = text
        return text

    translate.fixed = True  # type: ignore[attr-defined]  # what FixedWords may put in place
    return translate


def script_strings_function(strings: Strings) -> Callable[..., str]:
    """`script_strings(*keys)`: the words a script shows, as JSON (plural forms as mappings) safe in
    a single-quoted attribute, the tag's `data-strings`; each set of keys written once."""
    made: dict[tuple[str, ...], str] = {}

    def script_strings(*keys: str) -> str:
        found = made.get(keys)
        if found is None:
            found = made[keys] = htmlsafe_json_dumps(strings.for_scripts(*keys), sort_keys=True)
        return found

    return script_strings


class FixedWords(Extension):
    """Puts `_("key")` in place as its text when a template is compiled (see the module's text)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translate = self.environment.globals.get(WORD)
        if not callable(translate) or not getattr(translate, "fixed", False):
            yield from stream
            return
        window: list[Token] = []
        before: Token | None = None
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            name, opening, key, closing = window
            if (
                name.type == "name"
                and name.value == WORD
                and opening.type == "lparen"
                and key.type == "string"
                and closing.type == "rparen"
                and (before is None or before.type != "dot")
            ):
                line = name.lineno
                text = str(translate(key.value))
                yield from (Token(line, "lparen", "("), Token(line, "string", text), Token(line, "pipe", "|"))
                yield from (Token(line, "name", "safe"), Token(line, "rparen", ")"))
                window.clear()
                before = closing
                continue
            before = window.pop(0)
            yield before
        yield from window
