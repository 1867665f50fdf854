"""Engineers' own blogs: each profile's `feed:` fetched into `SITE/.blogkit-fetched/feeds/`.

For each profile with a `feed`, `fetch_feeds()` asks the server for it with the validators of
the copy it has (one short 304 when nothing changed). A JSON Feed (by its type, or a body that
starts with `{`) is read by `fetch/jsonfeed.py`; anything else is XML for feedparser (given the
bytes: it never fetches anything itself), after refusing a document that declares XML entities
anywhere (the billion-laughs family), looked for in the text feedparser will parse, decoded as
it decodes it (a UTF-16 document, or one declaring `unicode_escape`, hides `<!ENTITY` from a
search of its bytes). It keeps the entries the profile's `feed_tags` choose, and writes them as
plain, sanitised data:

- titles, authors and tags as text, never markup, without control characters;
- links only when `http` or `https`, made absolute against the entry and the feed;
- the entry's HTML re-sanitised with a strict allow-list (no scripts, styles, forms, frames,
  ids, event handlers; links get `rel="nofollow ugc noopener"`), with relative URLs made
  absolute, and images left out (no tracking pixel reaches a reader);
- dates as UTC; an entry without a date, or dated in the future, is left out, and one whose
  date is unreadable or outside the years a post may have is left out with a warning.

A feed that fails (timeout, too large, not a feed, HTTP error) is a warning at the profile's
`feed` line, and the copy fetched before is kept: a site never loses an engineer's posts
because their blog was down during one CI run. The files are written whole or not at all
(a temporary file renamed over the old one), sorted, so that the folder can be committed.
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser  # type: ignore[import-untyped]
from feedparser.encodings import convert_to_utf8  # type: ignore[import-untyped]

from blogkit.core.diagnostics import Location, Report
from blogkit.core.fields import MAX_YEAR, MIN_YEAR, in_range
from blogkit.core.model import Author
from blogkit.core.yamlio import locate
from blogkit.fetch.client import DEFAULT_LIMITS, Fetched, FetchFailure, FetchLimits, get
from blogkit.fetch.jsonfeed import NotJsonFeed, is_json_feed, read_json_feed
from blogkit.fetch.store import read_fetched, write_fetched
from blogkit.load.outside import FORMAT, clean_html, feeds_folder, plain_text, safe_url

MAX_ENTRIES = 50  # the newest entries kept of each feed
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)


@dataclass(frozen=True, slots=True)
class FeedResult:
    handle: str
    status: str  # "fetched", "unchanged", "failed"
    entries: int  # entries now kept for this profile
    path: str = ""  # the file they are kept in


def fetch_feeds(
    site_root: str, authors: Iterable[Author], report: Report, *, limits: FetchLimits = DEFAULT_LIMITS, now: datetime | None = None
) -> list[FeedResult]:
    """Fetch every profile's own feed; problems are warnings at the profile, and old copies stay."""
    now = now or datetime.now(UTC)
    folder = feeds_folder(site_root)
    results = []
    for author in sorted(authors, key=lambda a: a.handle):
        if author.feed:
            results.append(_fetch_one(site_root, folder, author, report, limits, now))
    return results


def _fetch_one(site_root: str, folder: str, author: Author, report: Report, limits: FetchLimits, now: datetime) -> FeedResult:
    path = os.path.join(folder, f"{author.handle}.json")
    old = read_fetched(site_root, path, "entries", report)
    kept = old.get("entries", [])  # the engineer's posts, even when their feed moved and the new address fails
    same_url = old.get("url") == author.feed
    validators = {"etag": old.get("etag", ""), "last_modified": old.get("last_modified", "")} if same_url else {}
    answer = get(author.feed, **validators, limits=limits)
    if isinstance(answer, FetchFailure):
        _warn(report, site_root, author, answer.reason, len(kept))
        return FeedResult(author.handle, "failed", len(kept))
    if answer.status == 304:
        return FeedResult(author.handle, "unchanged", len(kept), path)
    parsed = _parse(answer)
    if isinstance(parsed, str):
        _warn(report, site_root, author, parsed, len(kept))
        return FeedResult(author.handle, "failed", len(kept))
    entries, undated = _entries(parsed.entries, answer.url, author, now)
    if isinstance(parsed.get("bozo_exception"), SAXParseException) and entries:
        report.warning(
            _feed_location(site_root, author),
            f"the feed of '{author.handle}' is not well-formed: {parsed.get('bozo_exception')}",
            "its entries are used as far as they could be read",
        )
    if undated:
        report.warning(
            _feed_location(site_root, author),
            f"{undated} {'entry' if undated == 1 else 'entries'} of the feed of '{author.handle}' left out: "
            f"a date that cannot be read, or outside the years {MIN_YEAR} to {MAX_YEAR}",
            "the rest of the feed is kept",
        )
    write_fetched(
        path, {"format": FORMAT, "url": author.feed, "etag": answer.etag, "last_modified": answer.last_modified, "entries": entries}
    )
    return FeedResult(author.handle, "fetched", len(entries), path)


def _parse(answer: Fetched) -> Any:
    """The feed in an answer, as feedparser gives it (a JSON Feed too), or why it is none."""
    if is_json_feed(answer.content_type, answer.body):
        try:
            version, entries = read_json_feed(answer.body)
        except NotJsonFeed as exc:
            return f"it is not a feed ({exc})"
        return feedparser.FeedParserDict(version=version, entries=entries)
    headers = {"content-location": answer.url, "content-type": answer.content_type or "application/xml"}
    try:
        if _ENTITY_DECLARATION.search(convert_to_utf8(headers, answer.body, {})):  # the text feedparser parses
            return "it declares XML entities, which blogkit never expands"
        parsed = feedparser.parse(answer.body, response_headers=headers)  # bytes: it fetches nothing itself
    except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
        return f"it is not a feed ({type(exc).__name__})"
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        return f"it is not a feed{f' ({problem})' if problem else ''}"
    return parsed


def _entries(items: Any, base: str, author: Author, now: datetime) -> tuple[list[dict[str, Any]], int]:
    """The entries kept of a feed's, newest first, and how many were left out for a date given but unusable."""
    wanted = {t.lower() for t in author.feed_tags}
    found = []
    undated = 0
    for entry in items:
        when = _date(entry.get("published_parsed") or entry.get("updated_parsed"))
        if when is None:
            undated += bool(entry.get("published") or entry.get("updated"))
            continue
        if when > now:
            continue
        link = safe_url(entry.get("link", ""), base)
        tags = sorted({plain_text(t.get("term", "")) for t in entry.get("tags", []) if plain_text(t.get("term", ""))})
        if wanted and not wanted & {t.lower() for t in tags}:
            continue
        first = (entry.get("content") or [{}])[0]
        entry_base = safe_url(first.get("base") or "", base) or link or base
        content = first.get("value", "")
        summary = entry.get("summary", "")
        found.append(
            {
                "id": plain_text(entry.get("id", "")) or link,
                "title": plain_text(entry.get("title", "")) or "Untitled",
                "link": link,
                "published": when.isoformat(),
                "updated": (_date(entry.get("updated_parsed")) or when).isoformat(),
                "summary": plain_text(summary)[:1000],
                "content_html": clean_html(content or summary, entry_base),
                "tags": tags,
            }
        )
    found.sort(key=lambda e: (e["published"], e["id"]), reverse=True)
    return found[:MAX_ENTRIES], undated


def _date(parsed: Any) -> datetime | None:
    """A feed's date (feedparser's UTC `struct_time`) in the years a post may have; None when there is none such."""
    if not parsed:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None
    return when if in_range(when, UTC) else None


def _warn(report: Report, site_root: str, author: Author, reason: str, kept: int) -> None:
    where = _feed_location(site_root, author)  # worked out only for a warning: it parses the profile again
    still = f"the {kept} entries fetched before stay" if kept else "nothing was fetched from it before"
    report.warning(where, f"cannot fetch the feed of '{author.handle}' ({author.feed}): {reason}", f"{still}; `blogkit fetch` tries again")


def _feed_location(site_root: str, author: Author) -> Location:
    try:
        with open(os.path.join(site_root, author.source), encoding="utf-8") as f:
            line, column = locate(f.read(), ("feed",))
    except (OSError, UnicodeDecodeError):
        line, column = 0, 0
    return Location(author.source, line, column)
