"""The URLs the old site served that are no post of the new one: listing pages (sections,
categories, tags, authors) become `redirects` to the matching page of the hub, pages that only
led elsewhere `redirects` there, and old feed URLs `legacy_feeds` of the same scope. Paths
blogkit's own pages and feeds take are left to them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import cast

from blogkit.core.config import SiteConfig
from blogkit.core.feedformats import FEED_FORMATS, feed_path
from blogkit.core.urls import ARCHIVE_PATH, address_problem, archive_year_anchor, check_alias, one_file_key, output_file, slugify
from blogkit.migrate.links import url_forms
from blogkit.migrate.model import Moved, OldFeed, OldSite, OldTeam, Person

PAGINATE = cast(int, SiteConfig.__dataclass_fields__["paginate"].default)  # the import keeps blogkit's own


def own_pages(handles: Iterable[str], tags: set[str], teams: Mapping[str, OldTeam], counts: Mapping[str, int]) -> set[str]:
    """The paths of the pages blogkit makes itself: an old URL there is answered by them, not redirected.
    `counts` gives the posts of each list ('' the hub, 'tags/x/', ...), which blogkit pages by PAGINATE."""
    own = {"", "authors/", "tags/", ARCHIVE_PATH, "search/", "subscribe/", "404.html", "sitemap.xml", "robots.txt", "feed.xsl"}
    own |= {f"authors/{h}/" for h in handles} | {f"tags/{t}/" for t in tags} | {f"teams/{k}/" for k in teams}
    own |= {f"{path}page/{n}/" for path, count in counts.items() for n in range(2, math.ceil(count / PAGINATE) + 1)}
    return own


def own_feeds(own: set[str]) -> set[str]:
    """The paths of the feeds of blogkit's own pages."""
    return {feed_path(page, fmt) for page in own if page.endswith("/") or page == "" for fmt in FEED_FORMATS}


def own_files(own: set[str]) -> set[str]:
    """The files blogkit writes for its own pages and their feeds: an old file at one of them cannot be copied."""
    return {output_file(page) for page in own} | own_feeds(own)


def _scope_path(
    site: OldSite, kind: str, name: str, handles: Mapping[str, str], people: Mapping[str, Person], tags: set[str]
) -> str | None:
    """The blogkit page of an old listing's scope: '' for the hub, 'tags/x/', 'authors/h/', 'teams/t/'; None if none."""
    if kind == "hub":
        return ""
    if kind == "index":
        return f"{name}/"
    if kind == "archive":  # a year's, a month's or a day's posts: that year on blogkit's archive page
        return f"{ARCHIVE_PATH}#{archive_year_anchor(int(name))}"
    if kind == "section":
        section = site.sections.get(name)
        if section is None:
            return None
        if section.team:
            return f"teams/{section.team}/"
        if section.whole:
            return ""
        slug = slugify(section.title)
        return f"tags/{slug}/" if slug in tags else None
    if kind == "tag":
        slug = slugify(name)
        return f"tags/{slug}/" if slug in tags else None
    if kind == "author":
        for person_id, person in people.items():
            if name in (person.key, person.name) or slugify(name) in (slugify(person.key), slugify(person.name)):
                return f"authors/{handles[person_id]}/"
    return None


def redirects(
    site: OldSite,
    handles: Mapping[str, str],
    people: Mapping[str, Person],
    tags: set[str],
    posts: set[str],
    series: Mapping[str, str],
) -> list[tuple[str, str]]:
    """`series` gives the path of each series' first post, whose page lists the whole series in order."""
    found: dict[str, str] = {}
    claimed = {one_file_key(path): path for path in posts}  # one file on a disk or server that ignores case

    def redirect(path: str, target: str) -> None:
        other = claimed.setdefault(one_file_key(path), path)
        if other == path:
            found.setdefault("/" + path, "/" + target)
            return
        site.warn(
            site.config_file,
            0,
            f"the old page /{path} differs only by case from /{other}, which answers it where case does not matter; "
            "a site holds only one of them",
            f"on a server that tells case apart, redirect /{path} to /{target} there",
        )

    for listing in sorted(site.listings, key=lambda item: item.url):
        if listing.kind == "series":
            target = series.get(listing.name)
        else:
            target = _scope_path(site, listing.kind, listing.name, handles, people, tags)
        if target is None:
            continue
        path, problem = check_alias(listing.url) if listing.url != "/" else ("", "")
        if path in posts and path != target:
            site.warn(site.config_file, 0, f"the old page {listing.url} is answered by a page of the new site, not by /{target}")
        elif not problem and path != target:
            redirect(path, target)
        for number in range(2, listing.pages + 1):  # its further pages lead to the first: they list the same posts
            page, problem = check_alias(listing.url.rstrip("/") + "/" + listing.paged.format(n=number))
            if not problem and page not in posts:
                redirect(page, target)
    return sorted(found.items())


def moved(site: OldSite, new_urls: Mapping[str, str], taken: set[str]) -> list[tuple[str, str]]:
    """The redirects from the old URLs of the pages that only led elsewhere (`site.moved`) to where they led: an
    address elsewhere as it is, a path of the old site to the new URL that answers it (`new_urls`: each form of an
    old URL path -> its new path). An old URL the new site answers otherwise (`taken`: output paths of its pages,
    aliases and redirects), or an earlier page claims, stays theirs. Each page is reported once, at the line that
    said where it led."""
    found: list[tuple[str, str]] = []
    claimed = {one_file_key(path) for path in taken}  # one file on a disk or server that ignores case
    for page in sorted(site.moved, key=lambda m: m.source):
        target, why_not = _moved_target(page.to, new_urls)
        shown = page.urls[0] + (f" (and {len(page.urls) - 1} more)" if len(page.urls) > 1 else "")
        said = f"redirect_to: this page led its readers to {page.to}"
        if why_not:
            site.warn(
                page.source,
                page.line,
                f"{said}, {why_not}; it is not imported, and its old URL {shown} answers no more",
                "lead it to a page of the new site with a redirect in blogkit.yaml",
                page.column,
            )
            continue
        found += [(url, target) for url in _free_urls(page, claimed)]
        where = "there" if target == page.to else f"to its new URL, {target}"
        site.warn(
            page.source,
            page.line,
            f"{said}; it is not imported, and its old URL {shown} leads {where} (a redirect in blogkit.yaml)",
            "to import the page itself, remove redirect_to from it and import again",
            page.column,
        )
    return found


def _moved_target(to: str, new_urls: Mapping[str, str]) -> tuple[str, str]:
    """(where the new site's redirect leads, '') or ('', why it cannot lead anywhere)."""
    if not to.startswith("/"):
        problem = address_problem(to)
        return (to, "") if problem is None else ("", f"an address that {problem[0]}")
    path, _, fragment = to.partition("#")
    new = next((new_urls[form] for form in url_forms(path) if form in new_urls), None)
    if new is None:
        return "", "which no page of the new site answers"
    return new + (f"#{fragment}" if fragment else ""), ""


def _free_urls(page: Moved, claimed: set[str]) -> list[str]:
    """The old URLs of a page that can be redirects: each a path a site can publish that nothing claimed; now claimed."""
    free = []
    for url in page.urls:
        path, problem = check_alias(url)
        if not problem and one_file_key(path) not in claimed:
            claimed.add(one_file_key(path))
            free.append(url)
    return free


def feeds(
    site: OldSite, handles: Mapping[str, str], people: Mapping[str, Person], tags: set[str], own: set[str]
) -> tuple[list[dict[str, str]], tuple[str, ...]]:
    """The old feed URLs as `legacy_feeds`, and the formats of blogkit's own feeds the new site publishes: all,
    unless an old feed of the hub is at the file of one with another format or other entry ids (then the old
    feed keeps its URL, and that format is left out, said once)."""
    theirs = own_feeds(own)
    hub_files = {feed_path("", fmt): fmt for fmt in FEED_FORMATS}
    formats = list(FEED_FORMATS)
    found: dict[str, dict[str, str]] = {}
    for feed in sorted(site.feeds, key=lambda f: f.path):
        path, problem = check_alias(feed.path)
        if feed.kind == "pages":
            if not problem and path not in theirs:
                found.setdefault(path, {"path": "/" + path, "scope": feed.name, "format": feed.format})
            continue
        target = _scope_path(site, feed.kind, feed.name, handles, people, tags)
        if target is None:
            site.warn(site.config_file, 0, f"the old feed {feed.path} lists posts none of which were imported", "it is not published")
            continue
        if problem or path.endswith("/") or (path == feed_path(target, feed.format) and feed.ids == "post"):
            continue
        if target == "" and path in hub_files and len(formats) > 1:
            _leave_out(site, feed, hub_files[path], formats)
        elif path in theirs:
            site.warn(site.config_file, 0, f"the old feed {feed.path} is now one of blogkit's own feeds, of another scope or format")
            continue
        kind, _, name = target.rstrip("/").partition("/")
        scope = "hub" if target == "" else {"tags": "tag", "authors": "author", "teams": "team"}[kind] + ":" + name
        entry = {"path": "/" + path, "scope": scope, "format": feed.format}
        found.setdefault(path, entry | ({"ids": feed.ids} if feed.ids != "post" else {}))
    return [found[key] for key in sorted(found)], tuple(formats)


def _leave_out(site: OldSite, feed: OldFeed, fmt: str, formats: list[str]) -> None:
    """Leave blogkit's own feeds of `fmt` out, so that the old feed of the hub at their hub file keeps its URL."""
    formats.remove(fmt)
    label, what = FEED_FORMATS[fmt].label, "another format" if feed.format != fmt else "other entry ids"
    site.warn(
        site.config_file,
        0,
        f"the old feed {feed.path} is where blogkit's own {label} feed of the hub is, with {what}: it keeps serving the "
        f"old feed, and blogkit publishes no {label} feeds (feeds.formats: {', '.join(formats)})",
        f"to publish them, add {fmt} to feeds.formats: readers of {feed.path} then see its newest entries again once",
    )
