"""What a built page says about itself, read from its HTML: whether it is a post, and a post's
title, date, authors, tags and a digest of its text.

The default theme states these in the page's head for search engines and social cards (the
JSON-LD `BlogPosting`, `og:type` `article`, `article:published_time`, `article:tag`) and holds the
post's text in `<div class="post-body">`; a theme that leaves one out gets the next best source
(the `<title>`, the `<article>`, the whole page). Pages are untrusted: the parser is the standard
library's tolerant one, nothing is fetched or run, and a malformed page is a page without facts.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

_NEWLINE = re.compile("\n")
_REGIONS = ("text", "article", "main")  # where a post's text is, best first: `<div class="post-body">`, else these elements
FIELDS = ("title", "text", "date", "authors", "tags")  # what a review says changed in a post, in this order


@dataclass(frozen=True, slots=True)
class PostFacts:
    title: str
    date: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    text: str  # a digest of the post's own text


def post_facts(html: bytes) -> PostFacts | None:
    """The facts of a post's page; None when the page is not a post."""
    if b"BlogPosting" not in html and b"og:type" not in html:
        return None  # neither mark of a post anywhere: no need to parse it (the listing pages of a large diff)
    reader = _PageReader(html.decode("utf-8", errors="replace"))
    try:
        reader.feed(reader.source)
        reader.close()
    except (AssertionError, ValueError):  # the parser gives up on some malformed markup
        return None
    return reader.facts()


@dataclass(slots=True)
class _OpenRegion:
    """A region of _REGIONS being read: how many of its tag are open."""

    name: str
    tag: str
    depth: int = 1


class _PageReader(HTMLParser):
    _TEXT_CLASSES = ("post-body",)

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(source)]
        self.meta: dict[str, list[str]] = {}
        self.linked_data: list[object] = []
        self.title = ""
        self._in: str = ""  # 'title' or 'ld' while inside one
        self._chunks: list[str] = []
        self._regions: dict[str, tuple[int, int]] = {}  # each of _REGIONS found -> (start, end) offsets
        self._open: list[_OpenRegion] = []

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and (key := values.get("property") or values.get("name")):
            self.meta.setdefault(key, []).append(values.get("content", ""))
            return
        if tag in ("meta", "link", "img", "br", "hr", "input", "source", "wbr"):
            return  # void elements: no end tag to count
        for entry in self._open:
            entry.depth += entry.tag == tag
        if tag == "title" and not self.title:
            self._in, self._chunks = "title", []
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in, self._chunks = "ld", []
        region = "text" if any(c in values.get("class", "").split() for c in self._TEXT_CLASSES) else tag
        if region in _REGIONS and region not in self._regions:
            self._open.append(_OpenRegion(region, tag))
            self._regions[region] = (self._offset(), len(self.source))

    def handle_endtag(self, tag: str) -> None:
        for entry in list(self._open):  # a region ends where an end tag balances its start tag
            entry.depth -= entry.tag == tag
            if entry.depth == 0:
                self._open.remove(entry)
                self._regions[entry.name] = (self._regions[entry.name][0], self._offset())
        if tag == "title" and self._in == "title":
            self.title, self._in = "".join(self._chunks).strip(), ""
        elif tag == "script" and self._in == "ld":
            self._in = ""
            try:
                self.linked_data.append(json.loads("".join(self._chunks)))
            except ValueError:
                pass  # not JSON: no facts from it

    def handle_data(self, data: str) -> None:
        if self._in:
            self._chunks.append(data)

    def facts(self) -> PostFacts | None:
        posting = next((d for d in self.linked_data if isinstance(d, dict) and d.get("@type") == "BlogPosting"), None)
        if posting is None and "article" not in self.meta.get("og:type", []):
            return None
        posting = posting or {}
        title = _text(posting.get("headline")) or _first(self.meta.get("og:title")) or self.title
        date = _text(posting.get("datePublished")) or _first(self.meta.get("article:published_time"))
        authors = tuple(_text(a.get("name")) for a in _as_list(posting.get("author")) if isinstance(a, dict))
        keywords = posting.get("keywords")
        tags = tuple(_text(k) for k in _as_list(keywords)) if keywords is not None else tuple(self.meta.get("article:tag", []))
        start, end = next((self._regions[r] for r in _REGIONS if r in self._regions), (0, len(self.source)))
        text = hashlib.sha256(self.source[start:end].encode("utf-8", errors="replace")).hexdigest()
        return PostFacts(title, date, tuple(a for a in authors if a), tuple(t for t in tags if t), text)


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first(values: list[str] | None) -> str:
    return values[0].strip() if values else ""
