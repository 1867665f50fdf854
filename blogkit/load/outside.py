"""Engineers' posts elsewhere: what `blogkit fetch` wrote into `SITE/.blogkit-fetched/feeds/`.

The build reads only this folder, never the network, so it stays offline and deterministic; a
site without the folder builds as before. The files came from other websites and may have been
edited by hand since, so everything is checked again as it is read: an entry without an
`http(s)` link, a title or a date is left out, and its HTML passes the same strict allow-list
as when it was fetched. An entry whose link is the address of one of the hub's own posts is the
same post: it is shown once, as the hub's.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

from blogkit.core.diagnostics import Location, Report
from blogkit.core.model import OutsidePost, Site
from blogkit.core.urls import SiteUrls
from blogkit.load.profiles import Profiles

FETCHED_FOLDER = ".blogkit-fetched"
FEEDS_FOLDER = "feeds"
FORMAT = 1  # the version of the files' layout
_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
         "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
_URL_ATTRIBUTES = re.compile(r'(\s(?:href|src))="([^"]*)"')


def feeds_folder(site_root: str) -> str:
    return os.path.join(site_root, FETCHED_FOLDER, FEEDS_FOLDER)


def load_outside(site_root: str, profiles: Profiles, report: Report) -> tuple[OutsidePost, ...]:
    """Every fetched entry of the profiles that name a feed, newest first."""
    found: list[OutsidePost] = []
    for handle, author in sorted(profiles.authors.items()):
        if not author.feed:
            continue
        path = os.path.join(feeds_folder(site_root), f"{handle}.json")
        shown = f"{FETCHED_FOLDER}/{FEEDS_FOLDER}/{handle}.json"
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:
            report.warning(Location(shown), f"cannot read what was fetched: {exc}", "run `blogkit fetch` again")
            continue
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("entries"), list):
            report.warning(Location(shown), "not a file `blogkit fetch` wrote (or one of another version)", "run `blogkit fetch` again")
            continue
        found += [post for entry in data["entries"] if (post := _entry(entry, handle, shown)) is not None]
    return tuple(sorted(found, key=lambda p: (p.date, p.author, p.id), reverse=True))


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
