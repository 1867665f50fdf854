"""Engineers' posts elsewhere: what `blogkit fetch` wrote into `SITE/.blogkit-fetched/feeds/`.

The build reads only this folder, never the network, so it stays offline and deterministic; a
site without the folder builds as before. The files came from other websites and may have been
edited by hand since, so everything is checked again as it is read: an entry without an
`http(s)` link, a title or a date is left out, and its HTML passes the same strict allow-list
as when it was fetched. An entry whose link is the address of one of the hub's own posts is the
same post: it is shown once, as the hub's.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

from blogkit.core.diagnostics import Location, Report
from blogkit.core.model import OutsidePost, Post, Reply, Site
from blogkit.core.urls import SiteUrls
from blogkit.load.profiles import Profiles

FETCHED_FOLDER = ".blogkit-fetched"
FEEDS_FOLDER = "feeds"
REPLIES_FOLDER = "replies"
CHECKED_FILE = "checked.json"  # when each file was last fetched or found unchanged: one file, so a kept folder diffs little
FORMAT = 1  # the version of the files' layout
_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
         "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
_URL_ATTRIBUTES = re.compile(r'(\s(?:href|src))="([^"]*)"')


def feeds_folder(site_root: str) -> str:
    return os.path.join(site_root, FETCHED_FOLDER, FEEDS_FOLDER)


def replies_file(site_root: str, thread_url: str) -> str:
    """Where the replies of one thread are kept: a file named by a digest of its URL."""
    name = hashlib.sha256(thread_url.encode("utf-8")).hexdigest()[:24]
    return os.path.join(site_root, FETCHED_FOLDER, REPLIES_FOLDER, f"{name}.json")


def checked_times(site_root: str) -> dict[str, datetime]:
    """When each fetched file (by its path in the folder, e.g. `feeds/ada.json`) was last checked with its source."""
    try:
        with open(os.path.join(site_root, FETCHED_FOLDER, CHECKED_FILE), encoding="utf-8") as f:
            data = json.load(f)
        times = data["checked"] if isinstance(data, dict) and data.get("format") == FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found = {}
    for path, when in times.items() if isinstance(times, dict) else ():
        try:
            parsed = datetime.fromisoformat(str(when))
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            found[str(path)] = parsed
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
        data = _read_fetched(site_root, replies_file(site_root, url), "replies", report, url=url)
        if data is None:
            continue
        replies = [reply for item in data["replies"] if (reply := _reply(item)) is not None]
        found[url] = tuple(sorted(replies, key=lambda r: (r.date, r.url)))
    return found


def _reply(item: Any) -> Reply | None:
    if not isinstance(item, dict):
        return None
    texts: dict[str, str] = {
        key: value if isinstance(value := item.get(key), str) else "" for key in ("url", "author", "author_url", "date", "html")
    }
    url = safe_url(texts["url"], "")
    try:
        date = datetime.fromisoformat(texts["date"])
    except ValueError:
        return None
    author = plain_text(texts["author"])
    if not url or not author or date.tzinfo is None:
        return None
    return Reply(url=url, author=author, author_url=safe_url(texts["author_url"], ""), date=date, html=clean_html(texts["html"], url))


def load_outside(site_root: str, profiles: Profiles, report: Report) -> tuple[OutsidePost, ...]:
    """Every fetched entry of the profiles that name a feed, newest first."""
    found: list[OutsidePost] = []
    for handle, author in sorted(profiles.authors.items()):
        if not author.feed:
            continue
        data = _read_fetched(site_root, os.path.join(feeds_folder(site_root), f"{handle}.json"), "entries", report)
        if data is None:
            continue
        shown = f"{FETCHED_FOLDER}/{FEEDS_FOLDER}/{handle}.json"
        found += [post for entry in data["entries"] if (post := _entry(entry, handle, shown)) is not None]
    return tuple(sorted(found, key=lambda p: (p.date, p.author, p.id), reverse=True))


def _read_fetched(site_root: str, path: str, items: str, report: Report, *, url: str = "") -> dict[str, Any] | None:
    """A file `blogkit fetch` wrote, holding a list under `items` (and this `url`, when given); else None,
    with a warning when the file is there but not one."""
    shown = os.path.relpath(path, site_root).replace(os.sep, "/")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        report.warning(Location(shown), f"cannot read what was fetched: {exc}", "run `blogkit fetch` again")
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(data.get(items), list)
        or (url and data.get("url") != url)
    ):
        report.warning(Location(shown), "not a file `blogkit fetch` wrote (or one of another version)", "run `blogkit fetch` again")
        return None
    return data


def shown_once(outside: tuple[OutsidePost, ...], site: Site) -> tuple[OutsidePost, ...]:
    """The entries that are not one of the hub's own posts (by their address or canonical URL)."""
    urls = SiteUrls(site.config.base_url, site.config.base_path)
    own = {urls.absolute(post.path) for post in site.posts} | {post.canonical for post in site.posts if post.canonical}
    own |= {urls.absolute(alias) for post in site.posts for alias in post.aliases}
    return tuple(post for post in outside if post.url not in own)


def _entry(entry: Any, handle: str, source: str) -> OutsidePost | None:
    if not isinstance(entry, dict):
        return None
    keys = ("id", "title", "link", "published", "updated", "summary", "content_html")
    texts: dict[str, str] = {key: value if isinstance(value := entry.get(key), str) else "" for key in keys}
    url = safe_url(texts["link"], "")
    try:
        date = datetime.fromisoformat(texts["published"])
        updated = datetime.fromisoformat(texts["updated"]) if texts["updated"] else date
    except ValueError:
        return None
    title = plain_text(texts["title"])
    if not url or not title or date.tzinfo is None or updated.tzinfo is None:
        return None
    tags = (
        tuple(plain_text(t) for t in entry.get("tags", []) if isinstance(t, str) and plain_text(t))
        if isinstance(entry.get("tags"), list)
        else ()
    )
    return OutsidePost(
        author=handle,
        id=plain_text(texts["id"]) or url,
        title=title,
        url=url,
        date=date,
        updated=max(updated, date),
        summary=plain_text(texts["summary"]),
        html=clean_html(texts["content_html"], url),
        tags=tags,
        source=source,
    )


def clean_html(html: str, base: str) -> str:
    """HTML from another website, safe to publish: a strict allow-list, absolute `http(s)` URLs only."""

    def attribute(match: re.Match[str]) -> str:  # an unsafe or empty URL loses its attribute: the text stays, without a link
        url = safe_url(unescape(match.group(2)), base)
        return f'{match.group(1)}="{escape(url)}"' if url else ""

    absolute = _URL_ATTRIBUTES.sub(attribute, html)
    return nh3.clean(
        absolute,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def plain_text(value: str) -> str:
    """Plain text from what a feed calls text or HTML: tags dropped, entities decoded, spaces folded."""
    return " ".join(unescape(nh3.clean(value or "", tags=set())).split())


def safe_url(value: str, base: str) -> str:
    """`value` made absolute against `base` when it is an http(s) URL; "" otherwise (and when empty)."""
    if not (value or "").strip():
        return ""
    url = urljoin(base, value.strip())
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else ""
