"""The listing pages and feeds a Jekyll site published, and Jekyll's own slug rules.

Listings: jekyll-archives' tag and category pages, Octopress's `category_dir` pages and their
`atom.xml` feeds, author pages of an author generator (`author_dir`), the paginated index
(`paginate_path`). Feeds: jekyll-feed's (and its per-category and per-tag feeds), and feeds the
site writes itself as templates (`feed.xml`, `atom.xml`, `feed.json` at the top of the site).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from blogkit.migrate import source
from blogkit.migrate.model import Listing, OldFeed, OldSite
from blogkit.migrate.reading import mapping, page_count, text, texts

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
    `"id"`): 'url' (the post's address) or 'id' (Jekyll's post id, as jekyll-feed gives it); '' when it says neither."""
    found = re.search(r"<(?:id|guid)\b[^>]*>(.*?)</(?:id|guid)>|\"id\"\s*:\s*(\"[^\n]*)", template, re.DOTALL)
    if not found:
        return ""
    written = found.group(1) or found.group(2) or ""
    if re.search(r"post\.id\b", written):
        return "id"
    return "url" if re.search(r"post\.url\b", written) else ""


def feed_format(template: str, path: str) -> str:
    if path.endswith(".json"):
        return "json" if "jsonfeed.org" in template else ""
    return "rss" if "<rss" in template else "atom" if "<feed" in template else ""


def feeds_and_listings(site: OldSite, config: dict[str, Any], categories: set[str], tags: set[str], plugin_files: list[str]) -> None:
    plugins = set(texts(config.get("plugins")) + texts(config.get("gems")))
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
        links = {"tag": "/tag/:name/", "category": "/category/:name/", **mapping(archives, "permalinks")}
        mode = text(archives.get("slug_mode")) or "default"
        for kind in texts(archives.get("enabled")) or (["categories", "tags"] if archives.get("enabled") == "all" else []):
            singular = kind.rstrip("s").replace("categorie", "category")
            if singular in ("tag", "category"):
                for term in sorted(tags if singular == "tag" else categories):
                    url = links[singular].replace(":name", jekyll_slug(term, mode))
                    site.listings.append(Listing(url, "tag" if singular == "tag" or term not in site.sections else "section", term))
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
    paged = (text(config.get("paginate_path")) or "/page:num/").strip("/").replace(":num", "{n}") + "/"
    pages = page_count(sum(1 for p in site.posts if not p.draft), config.get("paginate"))
    site.listings.append(Listing("/", "hub", "", pages, paged))


def _generates(setting: str, plugin_files: list[str], site: OldSite) -> bool:
    """Whether one of the site's own plugins (`_plugins/*.rb`) reads `setting`: it then made those pages."""
    for path in plugin_files:
        try:
            if setting in source.read_text(site.root, path, source.CONFIG_BYTES):
                return True
        except source.Refused:
            continue
    return False
