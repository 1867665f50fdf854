"""The theme's words in the site's language: messages by key, plural forms and dates.

A message is a text with named placeholders (`{count} min read`), or, when it
depends on a number, a mapping of CLDR plural categories (`one`, `other`, and
`few`, `many`... where a language has them) to such texts. Which category a
number takes, and how a date is written, come from Babel's copy of the CLDR,
not from hand-written rules or month names. The catalogues themselves are read
and checked by `blogkit.load.catalogues`.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

Message = str | Mapping[str, str]  # a text, or its forms by plural category
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
DATE_FORMAT_KEY = "date_format"  # a CLDR date pattern; without one, the language's long date format
FALLBACK_LANGUAGE = "en"  # the theme's own catalogue: every key has its English text


@functools.lru_cache(maxsize=64)
def babel_locale(language: str) -> Locale | None:
    """The Babel locale of a BCP 47 tag ('en', 'pt-BR', 'zh-Hant'), or None when Babel knows none.

    Kept once made: Babel makes a new `Locale` at every parse, which costs 0.1 ms, and each date a
    build writes for the first time asks for one (0.4 s of a warm build of 10,000 posts, in the
    documents of the search index alone)."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def placeholders(text: str) -> frozenset[str]:
    """The named placeholders of a message text; ValueError when a brace opens anything but a plain
    `{name}` (no `{}`, no `{0}`, no `{name.attribute}`, `{name!r}` or `{name:>8}`)."""
    found = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"not a placeholder: {{{name}}}")
        found.add(name)
    return frozenset(found)


def message_placeholders(message: Message) -> frozenset[str]:
    if isinstance(message, str):
        return placeholders(message)
    return frozenset().union(*(placeholders(text) for text in message.values()))


@dataclass(frozen=True, slots=True)
class Strings:
    """The messages of one language, with English for whatever its catalogues leave out."""

    language: str = FALLBACK_LANGUAGE
    messages: Mapping[str, Message] = field(default_factory=dict)
    date_format: str = ""  # a CLDR pattern such as "d MMMM y"; "" for the locale's long format

    def text(self, key: str, /, count: int | None = None, **params: Any) -> str:
        """The message `key` with its placeholders filled; `count` picks the plural form and is
        itself the `{count}` placeholder, written as the language writes numbers. An unknown key
        gives the key itself (never an exception while rendering: catalogues are checked when read)."""
        if count is not None:
            params["count"] = self.number(count)
        return fill(self.form(key, count), params)

    def form(self, key: str, count: int | None = None) -> str:
        """The text of message `key`, in the plural form `count` takes, placeholders unfilled."""
        message = self.messages.get(key, key)
        return message if isinstance(message, str) else self.plural(message, count if count is not None else 0)

    def number(self, value: int) -> str:
        return _number(value, self.language)

    def plural(self, forms: Mapping[str, str], count: int) -> str:
        category = _plural_form(self.language, abs(count))
        return forms.get(category) or forms.get("other") or next(iter(forms.values()), "")

    def date(self, value: datetime | date) -> str:
        """A date as people of the language write it: '3 March 2026', '3. März 2026', '2026年3月3日'."""
        return _formatted(value.date() if isinstance(value, datetime) else value, self.date_format or "long", self.language)

    def for_scripts(self, *keys: str) -> dict[str, Message]:
        """Messages a script shows (passed to it as JSON, with plural forms as mappings)."""
        return {key: self.messages.get(key, key) for key in keys}


@functools.lru_cache(maxsize=1024)
def _plural_form(language: str, count: int) -> str:
    found = babel_locale(language) or babel_locale(FALLBACK_LANGUAGE)
    assert found is not None  # Babel knows English
    return found.plural_form(count)


@functools.lru_cache(maxsize=8192)
def _formatted(day: date, pattern: str, language: str) -> str:
    return format_date(day, pattern, locale=babel_locale(language) or FALLBACK_LANGUAGE)


@functools.lru_cache(maxsize=4096)
def _number(value: int, language: str) -> str:
    return format_decimal(value, locale=babel_locale(language) or FALLBACK_LANGUAGE)


def fill(text: str, values: Mapping[str, Any]) -> str:
    """`text` with its named placeholders replaced by `values`; one without a value stays as written.
    Markup (`markupsafe.Markup`) stays markup, its values escaped unless they are markup too."""
    return text.format_map(_Kept(values)) if "{" in text else text


class _Kept(dict[str, Any]):
    """Format values where a placeholder without one stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
