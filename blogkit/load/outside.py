"""Engineers' posts elsewhere: what `blogkit fetch` wrote into `SITE/.blogkit-fetched/feeds/`.

The build reads only this folder, never the network, so it stays offline and deterministic; a
site without the folder builds as before. The files came from other websites and may have been
edited by hand since, so everything is checked again as it is read (`load/untrusted.py`: a
bounded size and depth, located problems): an entry without an `http(s)` link, a title or a
date is left out (a date outside the years a post may have, or a value of the wrong type, with a
warning at it), texts lose their control characters, and its HTML passes the same strict
allow-list as when it was fetched. An entry whose link is the address of one of the hub's own posts is the
same post: it is shown once, as the hub's.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

from blogkit.core.diagnostics import Location, Report
from blogkit.core.model import OutsidePost, Post, Reply, Site
from blogkit.load.profiles import Profiles
from blogkit.load.untrusted import Unreadable, json_position, read_json_file, text_of, utc_date, without_controls

FETCHED_FOLDER = ".blogkit-fetched"
FEEDS_FOLDER = "feeds"
REPLIES_FOLDER = "replies"
CHECKED_FILE = "checked.json"  # when each file was last fetched or found unchanged: one file, so a kept folder diffs little
FORMAT = 1  # the version of the files' layout
_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
         "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
MAX_URL = 8192  # longer is no link a reader follows
_AGAIN = "run `blogkit fetch` again"


def feeds_folder(site_root: str) -> str:
    return os.path.join(site_root, FETCHED_FOLDER, FEEDS_FOLDER)


def replies_file(site_root: str, thread_url: str) -> str:
    """Where the replies of one thread are kept: a file named by a digest of its URL."""
    name = hashlib.sha256(thread_url.encode("utf-8")).hexdigest()[:24]
    return os.path.join(site_root, FETCHED_FOLDER, REPLIES_FOLDER, f"{name}.json")


def checked_times(site_root: str, report: Report | None = None) -> dict[str, datetime]:
    """When each fetched file (by its path in the folder, e.g. `feeds/ada.json`) was last checked with its
    source; a file or date that cannot be read is a warning at it (with a `report`) and counts as never checked."""
    fetched = read_fetched_file(site_root, os.path.join(site_root, FETCHED_FOLDER, CHECKED_FILE), "checked", report or Report())
    if fetched is None:
        return {}
    found = {}
    for path, when in fetched.data["checked"].items():
        try:
            found[path] = utc_date(when)
        except ValueError as exc:
            fetched.warn(report, ("checked", path), f"when '{path}' was checked {exc}", "it counts as never checked")
    return found


def fetched_path(site_root: str, path: str) -> str:
    """A fetched file's path in the folder (as `checked_times` names it)."""
    return os.path.relpath(path, os.path.join(site_root, FETCHED_FOLDER)).replace(os.sep, "/")


def reply_threads(post: Post, webmentions: bool, absolute: Callable[[str], str]) -> list[str]:
    """The threads whose replies a post shows: its `discussion` URLs and, with webmentions, its own
    URL, under which `fetch` keeps the webmentions it received."""
    return [*post.discussion, *([absolute(post.path)] if webmentions else [])]


def load_replies(site_root: str, thread_urls: Iterable[str], report: Report) -> dict[str, tuple[Reply, ...]]:
    """The replies `blogkit fetch` kept for these threads, cleaned again, oldest first."""
    found: dict[str, tuple[Reply, ...]] = {}
    for url in sorted(set(thread_urls)):
        fetched = read_fetched_file(site_root, replies_file(site_root, url), "replies", report, url=url)
        if fetched is None:
            continue
        replies = [reply for n, item in enumerate(fetched.data["replies"]) if (reply := _reply(fetched, n, item, report)) is not None]
        found[url] = tuple(sorted(replies, key=lambda r: (r.date, r.url)))
    return found


def _reply(fetched: FetchedFile, n: int, item: Any, report: Report) -> Reply | None:
    texts = fetched.texts(report, ("replies", n), item, ("url", "author", "author_url", "date", "html"))
    if texts is None:
        return None
    date = fetched.date(report, ("replies", n, "date"), texts["date"], "reply")
    url = safe_url(texts["url"], "")
    author = plain_text(texts["author"])
    if not url or not author or date is None:
        return None
    return Reply(url=url, author=author, author_url=safe_url(texts["author_url"], ""), date=date, html=clean_html(texts["html"], url))


def load_outside(site_root: str, profiles: Profiles, report: Report) -> tuple[OutsidePost, ...]:
    """Every fetched entry of the profiles that name a feed, newest first."""
    found: list[OutsidePost] = []
    for handle, author in sorted(profiles.authors.items()):
        if not author.feed:
            continue
        fetched = read_fetched_file(site_root, os.path.join(feeds_folder(site_root), f"{handle}.json"), "entries", report)
        if fetched is None:
            continue
        entries = enumerate(fetched.data["entries"])
        found += [post for n, entry in entries if (post := _entry(fetched, n, entry, handle, report)) is not None]
    return tuple(sorted(found, key=lambda p: (p.date, p.author, p.id), reverse=True))


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """A file of the fetched folder as it was read: its data, its text (to locate a problem) and its path as shown."""

    data: dict[str, Any]
    text: str
    shown: str

    def warn(self, report: Report | None, keys: tuple[str | int, ...], message: str, hint: str) -> None:
        if report is not None:  # located only for a warning: it reads the text again
            report.warning(Location(self.shown, *json_position(self.text, keys)), message, hint)

    def texts(self, report: Report, keys: tuple[str | int, ...], item: Any, names: tuple[str, ...]) -> dict[str, str] | None:
        """The text values of an entry or reply (missing ones ""); None, with a warning, when it is not an object.
        A value of another type is a warning at it and counts as missing."""
        if not isinstance(item, dict):
            self.warn(report, keys, f"{_entry_name(keys)}: not an object", "it is left out")
            return None
        for name in names:
            if item.get(name) is not None and not isinstance(item[name], str):
                message = f"{_entry_name(keys)}: '{name}' must be text, not {_json_type(item[name])}"
                self.warn(report, (*keys, name), message, "it counts as missing")
        return {name: text_of(item.get(name)) for name in names}

    def date(self, report: Report, keys: tuple[str | int, ...], value: str, what: str) -> datetime | None:
        try:
            return utc_date(value)
        except ValueError as exc:
            if value:  # a missing date was left out already by what wrote the file: no warning needed for it
                self.warn(report, keys, f"{_entry_name(keys[:-1])}: '{keys[-1]}' {exc}", f"the {what} is left out")
            return None


def _entry_name(keys: tuple[str | int, ...]) -> str:
    return f"{'entry' if keys[0] == 'entries' else 'reply'} {int(keys[1]) + 1}"


def _json_type(value: object) -> str:
    kinds = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return kinds.get(type(value), type(value).__name__)


def read_fetched_file(site_root: str, path: str, items: str, report: Report, *, url: str = "") -> FetchedFile | None:
    """A file `blogkit fetch` wrote, holding a list (or for `checked`, an object) under `items` (and this
    `url`, when given); else None, with a warning at the file when it is there but not one."""
    shown = os.path.relpath(path, site_root).replace(os.sep, "/")
    try:
        data, text = read_json_file(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        report.warning(Location(shown), f"cannot read what was fetched: {exc.strerror or exc}", _AGAIN)
        return None
    except Unreadable as exc:
        report.warning(Location(shown, exc.line, exc.column), f"cannot read what was fetched: {exc.message}", _AGAIN)
        return None
    kind = dict if items == "checked" else list
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get(items), kind)
        or (url and data.get("url") != url)
    ):
        report.warning(Location(shown), "not a file `blogkit fetch` wrote (or one of another version)", _AGAIN)
        return None
    return FetchedFile(data, text, shown)


def shown_once(outside: tuple[OutsidePost, ...], site: Site) -> tuple[OutsidePost, ...]:
    """The entries that are not one of the hub's own posts (by their address or canonical URL)."""
    urls = site.config.urls
    own = {urls.absolute(post.path) for post in site.posts} | {post.canonical for post in site.posts if post.canonical}
    own |= {urls.absolute(alias) for post in site.posts for alias in post.aliases}
    return tuple(post for post in outside if post.url not in own)


def _entry(fetched: FetchedFile, n: int, entry: Any, handle: str, report: Report) -> OutsidePost | None:
    keys = ("entries", n)
    texts = fetched.texts(report, keys, entry, ("id", "title", "link", "published", "updated", "summary", "content_html"))
    if texts is None:
        return None
    date = fetched.date(report, (*keys, "published"), texts["published"], "entry")
    updated = fetched.date(report, (*keys, "updated"), texts["updated"], "entry") if texts["updated"] else date
    url = safe_url(texts["link"], "")
    title = plain_text(texts["title"])
    if not url or not title or date is None or updated is None:
        return None
    tags = entry.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        fetched.warn(report, (*keys, "tags"), f"{_entry_name(keys)}: 'tags' must be a list of texts", "the texts in it are kept")
    return OutsidePost(
        author=handle,
        id=plain_text(texts["id"]) or url,
        title=title,
        url=url,
        date=date,
        updated=max(updated, date),
        summary=plain_text(texts["summary"]),
        html=clean_html(texts["content_html"], url),
        tags=tuple(text for t in tags if (text := plain_text(text_of(t)))) if isinstance(tags, list) else (),
        source=fetched.shown,
    )


def clean_html(html: str, base: str) -> str:
    """HTML from another website, safe to publish: a strict allow-list, absolute `http(s)` URLs only,
    no control characters (a character reference to one included)."""

    def url_only(element: str, attribute: str, value: str) -> str | None:  # values as parsed, however the HTML quoted them
        if attribute not in ("href", "src"):
            return value
        return safe_url(value, base) or None  # an unsafe or empty URL loses its attribute: the text stays, without a link

    cleaned = nh3.clean(
        without_controls(html or ""),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=url_only,
        url_schemes={"http", "https"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
    return without_controls(cleaned)


def plain_text(value: str) -> str:
    """Plain text from what a feed calls text or HTML: tags dropped, entities decoded, control characters dropped, spaces folded."""
    return " ".join(without_controls(unescape(nh3.clean(without_controls(value or ""), tags=set()))).split())


def text_html(text: str) -> str:
    """HTML showing a plain text as it is: paragraphs at blank lines, a break at each other line."""
    return "<p>" + escape(text).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"


def safe_url(value: str, base: str) -> str:
    """`value` made absolute against `base` when it is an http(s) URL; "" otherwise (and when empty,
    unparseable or longer than `MAX_URL`). Control characters, tabs and newlines inside are dropped."""
    value = "".join(without_controls(value or "").split("\n")).replace("\t", "").strip()
    if not value or len(value) > MAX_URL:
        return ""
    try:
        url = urljoin(base, value)
        parts = urlsplit(url)
        _ = parts.port  # a port that is no number is no URL
    except ValueError:  # "http://[::1" and other hosts urllib refuses
        return ""
    return url if parts.scheme in ("http", "https") and parts.hostname and len(url) <= MAX_URL else ""
