"""The listing pages and feeds a Jekyll site published, and Jekyll's own slug rules.

Listings: jekyll-archives' tag, category and date pages, Octopress's `category_dir` pages and their
`atom.xml` feeds, author pages of an author generator (`author_dir`), series pages of a series
plugin (`/series/<name>/`), the paginated index
(`paginate_path`). Feeds: jekyll-feed's (and its per-category and per-tag feeds), and feeds the
site writes itself as templates (`feed.xml`, `atom.xml`, `feed.json` at the top of the site), and
which of a post's values its feeds gave as entry ids.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from blogkit.migrate import source
from blogkit.migrate.jekyll_files import plugins_of
from blogkit.migrate.model import Listing, OldFeed, OldSite
from blogkit.migrate.reading import mapping, page_count, read_page, text, texts

_DEFAULT = re.compile(r"(?:[^\w]|_)+")  # Jekyll's `[^[:alnum:]]+`: a run of anything but letters and digits
_PRETTY = re.compile(r"[^\w.~!$&'()+,;=@]+")  # Jekyll's `[^[:alnum:]._~!$&'()+,;=@]+`: '_' is kept
_OCTOPRESS = re.compile(r"_|[^\w]")


def jekyll_slug(value: str, mode: str = "default", cased: bool = False) -> str:
    """`Jekyll::Utils.slugify`: runs of other characters become one '-', none at either end; lower case unless `cased`."""
    value = unicodedata.normalize("NFC", value)
    if mode == "raw":
        made = re.sub(r"\s+", "-", value)
    elif mode == "pretty":
        made = _PRETTY.sub("-", value)
    else:
        made = _DEFAULT.sub("-", value)
    made = made.strip("-")
    return made if cased else made.lower()


def octopress_slug(value: str) -> str:
    """Octopress's category (and author, series) folder: each '_' and other non-word character a '-', runs of them one, lower case."""
    return re.sub(r"-{2,}", "-", _OCTOPRESS.sub("-", value)).lower()


THEMES_WITH_FEED = frozenset({"minima", "minimal-mistakes-jekyll"})  # gem themes whose runtime dependencies include jekyll-feed


def feed_template_id(template: str) -> str:
    """Which of a post's values a hand-written feed template gives as its entry id (`<id>`, `<guid>`, JSON Feed's
    `"id"`): 'url' (the post's address) or 'id' (Jekyll's post id, as jekyll-feed gives it); '' when it says neither.
    The feed's own `<id>` (the site's address) is passed over."""
    for found in re.finditer(r"<(?:id|guid)\b[^>]*>(.*?)</(?:id|guid)>|\"id\"\s*:\s*(\"[^\n]*)", template, re.DOTALL):
        written = found.group(1) or found.group(2) or ""
        if re.search(r"post\.id\b", written):
            return "id"
        if re.search(r"post\.url\b", written):
            return "url"
    return ""


_FEED_LOOP = re.compile(r"\{%-?\s*for\s+\w+\s+in\s+([\w.\[\]'\"-]+)")
_OF_POSTS = re.compile(r"(?:^|\.)posts$|site\.(?:categories|tags)\b")  # site.posts, paginator.posts, a category's


def feed_not_of_posts(template: str) -> tuple[str, int] | None:
    """What a feed template lists when it is not posts (`site.podcast.episodes`, `site.data.talks`), with the
    line of the body its loop is on; None when it lists posts (or has no loop: then it is no feed of anything)."""
    loops = list(_FEED_LOOP.finditer(template))
    if not loops or any(_OF_POSTS.search(m.group(1)) for m in loops):
        return None
    return loops[0].group(1), template.count("\n", 0, loops[0].start()) + 1


def feed_format(template: str, path: str) -> str:
    if path.endswith(".json"):
        return "json" if "jsonfeed.org" in template else ""
    return "rss" if "<rss" in template else "atom" if "<feed" in template else ""


OCTOPRESS_CATEGORY_FEED = "_includes/category_feed.xml"  # the template Octopress's category generator makes its feeds with


def category_feed_ids(site: OldSite, config: dict[str, Any]) -> tuple[str, str]:
    """(the template, what it gives as entry ids: 'url' or 'id') of Octopress's category feeds; ('', '') when none."""
    if not text(config.get("category_dir")):
        return "", ""
    try:
        template = source.read_text(site.root, OCTOPRESS_CATEGORY_FEED, source.CONFIG_BYTES)
    except (source.Refused, OSError):
        return "", ""
    return OCTOPRESS_CATEGORY_FEED, feed_template_id(template)


def feeds_and_listings(site: OldSite, config: dict[str, Any], categories: set[str], tags: set[str], plugin_files: list[str]) -> None:
    plugins = plugins_of(config)
    theme = text(config.get("theme"))
    if "jekyll-feed" not in plugins and theme in THEMES_WITH_FEED:  # Jekyll requires a gem theme's plugins itself
        plugins.add("jekyll-feed")
        site.warn(
            site.config_file,
            0,
            f"the theme '{theme}' is a gem, not in the site, that brings jekyll-feed: its feed is kept with the entry ids of"
            " jekyll-feed's own template (each post's id)",
        )
    feed = mapping(config, "feed")
    if "jekyll-feed" in plugins:
        site.feeds.append(OldFeed("/" + (text(feed.get("path")) or "feed.xml").lstrip("/"), "hub", "", "atom"))
        for category in texts(feed.get("categories")):
            site.feeds.append(OldFeed(f"/feed/{category}.xml", "section", category, "atom"))
        by_tag = feed.get("tags")
        if by_tag:
            only = set(texts(by_tag.get("only"))) if isinstance(by_tag, dict) and by_tag.get("only") else None
            path = text(by_tag.get("path")) if isinstance(by_tag, dict) else ""
            for tag in sorted(tags):
                if only is None or tag in only:
                    site.feeds.append(OldFeed(f"/{(path or 'feed/by_tag/').strip('/')}/{tag}.xml", "tag", tag, "atom"))
    archives = mapping(config, "jekyll-archives")
    if "jekyll-archives" in plugins and archives:
        _archives(site, archives, categories, tags)
    category_dir = text(config.get("category_dir")).strip("/")
    if category_dir:  # Octopress: a page and an Atom feed for each category
        site.listings.append(Listing(f"/{category_dir}/", "index", "tags"))
        for term in sorted(categories):
            folder = f"/{category_dir}/{octopress_slug(term)}/"
            kind = "section" if term in site.sections else "tag"
            site.listings.append(Listing(folder, kind, term))
            site.feeds.append(OldFeed(folder + "atom.xml", kind, term, "atom"))
    author_dir = text(config.get("author_dir")).strip("/") or ("author" if _generates("author_dir", plugin_files, site) else "")
    if author_dir:
        people = {p.key or p.name for post in site.posts if not post.draft for p in post.authors}
        for key in sorted(people):
            site.listings.append(Listing(f"/{author_dir}/{octopress_slug(key)}/", "author", key))
    series_dir = text(config.get("series_dir")).strip("/") or ("series" if _generates('data["series"]', plugin_files, site) else "")
    if series_dir:  # a series plugin (Octopress's, artsy's): a page of each series' posts, in order
        for name in sorted({p.series for p in site.posts if p.series and not p.draft}):
            site.listings.append(Listing(f"/{series_dir}/{octopress_slug(name)}/", "series", name))
    paged = (text(config.get("paginate_path")) or "/page:num/").strip("/").replace(":num", "{n}") + "/"
    pages = page_count(sum(1 for p in site.posts if not p.draft), config.get("paginate"))
    site.listings.append(Listing("/", "hub", "", pages, paged))


_ARCHIVE_LINKS = {"year": "/:year/", "month": "/:year/:month/", "day": "/:year/:month/:day/", "tag": "/tag/:name/",
                  "category": "/category/:name/"}  # fmt: skip  # jekyll-archives' own permalinks
_ARCHIVE_KINDS = {"year": "year", "month": "month", "day": "day", "tags": "tag", "categories": "category"}  # `enabled:` names


def _archives(site: OldSite, archives: dict[str, Any], categories: set[str], tags: set[str]) -> None:
    """jekyll-archives' pages: each tag's and category's posts lead to the tag page; each year's, month's and day's
    posts to that year on blogkit's archive page."""
    links = {**_ARCHIVE_LINKS, **{str(k): text(v) for k, v in mapping(archives, "permalinks").items() if text(v)}}
    enabled = archives.get("enabled")
    kinds = list(_ARCHIVE_KINDS) if enabled is True or enabled == "all" else [k for k in texts(enabled) if k in _ARCHIVE_KINDS]
    mode = text(archives.get("slug_mode")) or "default"
    dates = sorted({p.date for p in site.posts if not p.draft})
    for kind in kinds:
        singular = _ARCHIVE_KINDS[kind]
        if singular in ("tag", "category"):
            for term in sorted(tags if singular == "tag" else categories):
                url = _archive_url(links[singular], singular, name=jekyll_slug(term, mode))
                site.listings.append(Listing(url, "tag" if singular == "tag" or term not in site.sections else "section", term))
            continue
        parts = {"year": 1, "month": 2, "day": 3}[singular]
        for period in sorted({(d.year, d.month, d.day)[:parts] for d in dates}):  # (2024,), (2024, 3) or (2024, 3, 1)
            values = dict(zip(("year", "month", "day"), (f"{period[0]:04d}", *(f"{n:02d}" for n in period[1:])), strict=False))
            site.listings.append(Listing(_archive_url(links[singular], singular, **values), "archive", values["year"]))


def _archive_url(pattern: str, kind: str, **values: str) -> str:
    """A jekyll-archives permalink (`/:year/:month/`, `/tag/:name/`, `:type`) expanded, as Jekyll's URL made it."""
    url = re.sub(r":(year|month|day|name|type)\b", lambda m: {**values, "type": kind}.get(m.group(1), ""), pattern)
    return "/" + re.sub(r"/+", "/", url).lstrip("/")


def _generates(setting: str, plugin_files: list[str], site: OldSite) -> bool:
    """Whether one of the site's own plugins (`_plugins/*.rb`) reads `setting`: it then made those pages."""
    for path in plugin_files:
        try:
            if setting in source.read_text(site.root, path, source.CONFIG_BYTES).replace("'", '"'):
                return True
        except source.Refused:
            continue
    return False


def entry_ids(site: OldSite, top: dict[str, str], categories: tuple[str, str], category_feeds: int) -> str:
    """What a post's `id` is made of ('url' or 'id'): what its old feeds gave. When the feeds at the top and the
    category feeds disagree, the ids of the more feeds win; a feed at the top that gave the posts' URLs keeps
    them (`legacy_feeds` ids: url), and category feeds whose ids are not kept are reported."""
    rules = [(path, rule, 1) for path, rule in sorted(top.items())]
    if categories[1] and category_feeds:
        rules.append((categories[0], categories[1], category_feeds))
    if not rules:
        return "id"  # jekyll-feed's
    count = {rule: sum(n for _, r, n in rules if r == rule) for _, rule, _ in rules}
    chosen = max(count, key=lambda rule: (count[rule], rule == rules[0][1]))
    said = {"url": "the posts' URLs", "id": "the posts' Jekyll ids"}
    for path, rule, n in rules:
        if rule == chosen:
            continue
        if rule == "url" and path in top:  # a feed at the top keeps the posts' URLs as its ids
            site.feeds[:] = [dataclasses.replace(feed, ids="url") if feed.path == "/" + path else feed for feed in site.feeds]
            continue
        site.warn(
            path,
            _id_line(site, path),
            f"the feed{'s' if n > 1 else ''} made by this template gave {said[rule]} as entry ids, the site's other "
            f"{count[chosen]} feed(s) {said[chosen]}; a post keeps one id: theirs",
            "readers of this feed see its newest entries again once",
        )
    return chosen


def _id_line(site: OldSite, path: str) -> int:
    """The line of a feed template's entry id (`<id>`, `<guid>`), else 1."""
    split = read_page(site, path)
    found = re.search(r"<(?:id|guid)\b[^>]*>[^<]*post\.", split.body) if split else None
    return split.body_line + split.body.count("\n", 0, found.start()) if split and found else 1


def old_feed(site: OldSite, path: str) -> str:
    """A feed the site wrote as a template (`feed.xml`, `feed.json`): kept as a feed of every post. Returns what its
    entry ids were ('url' or 'id', see `feed_template_id`), '' when that is unknown or it is no feed of posts."""
    split = read_page(site, path)
    fmt = feed_format(split.body, path) if split else ""
    if split is None or not fmt:
        site.warn(path, 1, "the file is made by a Liquid template and is no feed; it is not imported", "")
        return ""
    other = feed_not_of_posts(split.body)
    if other is not None:
        listed, line = other
        site.warn(
            path,
            split.body_line + line - 1,
            f"the feed lists {listed}, not posts: no feed of blogkit can stand for it, and it is not kept",
            f"keep serving it: put the {path} the old site built in static/ of the new site",
        )
        return ""
    site.feeds.append(OldFeed("/" + path, "hub", "", fmt))
    return feed_template_id(split.body)
