"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/), read into the entries feedparser gives for Atom and RSS.

No released feedparser reads JSON, so blogkit reads JSON Feed itself, with the bounded JSON
parser every answer from a server goes through, and gives `fetch` entries with feedparser's
keys (`id`, `title`, `link`, `published_parsed`, `updated_parsed`, `summary`, `content`, `tags`,
`authors`): from there on, one path cleans every feed. What the format calls text (`title`,
`summary`, `content_text`, tags, names) is escaped into HTML here, so that the cleaning shared
with Atom and RSS keeps it as the text it is; `content_html` is HTML, cleaned like an Atom entry's.
An item's `image` is not read: no image from another website reaches a reader.
"""

from __future__ import annotations

import time
from html import escape
from typing import Any

from blogkit.load.outside import text_html
from blogkit.load.untrusted import Unreadable, parse_json_bytes, text_of, utc_date

VERSION_PREFIX = "https://jsonfeed.org/version/1"  # 1 and 1.1; the same reading serves both
JSON_TYPES = ("application/feed+json", "application/json")


class NotJsonFeed(ValueError):
    """Why a body that looked like a JSON Feed is not one (the words of a diagnostic)."""


def is_json_feed(content_type: str, body: bytes) -> bool:
    """Whether to read an answer as a JSON Feed: by its type, or by a body that starts an object."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in JSON_TYPES or body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def read_json_feed(body: bytes) -> tuple[str, list[dict[str, Any]]]:
    """(version, entries) of a JSON Feed; NotJsonFeed when it is not one."""
    try:
        feed = parse_json_bytes(body)
    except Unreadable as exc:
        raise NotJsonFeed(str(exc)) from None
    version = text_of(feed.get("version")) if isinstance(feed, dict) else ""
    if not version.startswith(VERSION_PREFIX):
        raise NotJsonFeed(f"JSON, but its 'version' is not {VERSION_PREFIX}.1 or {VERSION_PREFIX}")
    items = feed.get("items")
    if not isinstance(items, list):
        raise NotJsonFeed("a JSON Feed without a list of 'items'")
    return version, [_entry(item) for item in items if isinstance(item, dict)]


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    html = text_of(item.get("content_html")) or (text_html(text) if (text := text_of(item.get("content_text"))) else "")
    tags = item.get("tags")
    published, updated = text_of(item.get("date_published")), text_of(item.get("date_modified"))
    return {
        "id": escape(_id(item.get("id"))),
        "title": escape(text_of(item.get("title"))),
        "link": text_of(item.get("url")),
        "summary": escape(text_of(item.get("summary"))),
        "content": [{"value": html, "base": ""}] if html else [],  # "": relative URLs resolve against the item's link
        "tags": [{"term": escape(tag)} for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else [],
        "authors": [{"name": escape(name)} for person in _authors(item) if (name := text_of(person.get("name")))],
        "published": published,
        "updated": updated,
        "published_parsed": _parsed(published),
        "updated_parsed": _parsed(updated),
    }


def _id(value: object) -> str:
    """An item's id: text, or a number written as text, as the format asks of readers (never true or false)."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _authors(item: dict[str, Any]) -> list[dict[str, Any]]:
    people = item.get("authors")  # 1.1
    if not isinstance(people, list):
        people = [item.get("author")]  # 1.0
    return [person for person in people if isinstance(person, dict)]


def _parsed(value: str) -> time.struct_time | None:
    """A date as feedparser gives it: a UTC `struct_time`; None when there is none, or none blogkit can use."""
    try:
        return utc_date(value, naive_is_utc=True).timetuple() if value else None
    except ValueError:
        return None
