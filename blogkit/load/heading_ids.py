"""How a heading's id is made from its text: blogkit's own scheme and those of other generators.

A site moved from another generator keeps the anchors readers shared (`/post/#some-heading`)
by making ids the way that generator did (`markdown.heading_ids`). Repeated ids get `-1`,
`-2`, ... in every scheme (the anchors plugin adds them), as all three generators do.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from text_unidecode import unidecode  # type: ignore[import-untyped]  # python-slugify's own transliteration

_GITHUB_DROPPED = re.compile(r"[^\w\u4e00-\u9fff\- ]")
_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")
_KRAMDOWN_LEAD = re.compile(r"^[^a-zA-Z]+")
_KRAMDOWN_DROPPED = re.compile(r"[^a-zA-Z0-9 -]")


def github_id(text: str) -> str:
    """GitHub's (and Hugo's default, and blogkit's): lowercase, spaces to '-', punctuation dropped, letters of any script kept."""
    return _GITHUB_DROPPED.sub("", text.lower().replace(" ", "-"))


def zola_id(text: str) -> str:
    """Zola's (`slugify.anchors = "on"`): transliterated to ASCII, lowercase, every run of other characters one '-'."""
    return _NOT_ASCII_ALNUM.sub("-", unidecode(text).lower()).strip("-")


def kramdown_id(text: str) -> str:
    """kramdown's `auto_ids` (Jekyll with `kramdown.input: kramdown`): everything before the first ASCII letter
    dropped, then all but ASCII letters, digits, spaces and '-', spaces to '-', lowercase; 'section' when nothing is left."""
    made = _KRAMDOWN_DROPPED.sub("", _KRAMDOWN_LEAD.sub("", text)).replace(" ", "-").lower()
    return made or "section"


HEADING_IDS: dict[str, Callable[[str], str]] = {"github": github_id, "zola": zola_id, "kramdown": kramdown_id}
