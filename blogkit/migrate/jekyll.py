"""A Jekyll site: `_config.yml`, `_posts/` (and `<category>/_posts/`), `_drafts/`, `_data/authors.yml`,
YAML front matter with `permalink`, `redirect_from` and `redirect_to`, Liquid in posts, jekyll-feed and
jekyll-archives URLs."""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from blogkit.core.urls import ARCHIVE_PATH, slugify
from blogkit.migrate.frontmatter import Split
from blogkit.migrate.jekyll_content import comment_threads, thread_url
from blogkit.migrate.jekyll_files import (
    defaults_for,
    excluded,
    front_matter_defaults,
    has_front_matter,
    is_static,
    lists_of,
    report_redirect_list,
    written_out,
)
from blogkit.migrate.jekyll_listings import category_feed_ids, entry_ids, feeds_and_listings, jekyll_slug, old_feed
from blogkit.migrate.model import Listing, Moved, OldPage, OldPost, OldSite, OldTeam, Person, Section
from blogkit.migrate.people import parse_names, person_from_record
from blogkit.migrate.reading import (
    MARKDOWN,
    SourceError,
    column_of,
    dated_name,
    files_under,
    line_of,
    mapping,
    note_unread,
    read_data,
    read_page,
    read_site_config,
    text,
    texts,
    url_lines,
    warn_duplicates,
    when,
    zone_named,
)
from blogkit.migrate.rubyyaml import Duplicate
from blogkit.migrate.shortcodes import Translator
from blogkit.migrate.wrappers import jekyll_includes

PERMALINK_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_ARCHIVE_PAGE = re.compile(r"(^|/)archives?(/index)?$")
_LIQUID = re.compile(r"\{\{|\{%")
_TOKEN = re.compile(r":(categories|year|short_year|month|i_month|day|i_day|y_day|hour|minute|second|title|slug|output_ext)")


def read_jekyll(root: str, sections: Sequence[str], language: str) -> OldSite:
    duplicates: list[Duplicate] = []
    config_file, config = read_site_config(root, ("_config.yml", "_config.yaml", "_config.toml"), duplicates)
    url = text(config.get("url"))
    if not url:
        raise SourceError(f"{config_file} has no url", 'add url: "https://..." (the address the old site is served at)')
    base_url = url.rstrip("/") + "/" + text(config.get("baseurl")).strip("/")
    zone = zone_named(text(config.get("timezone")))
    kramdown = mapping(config, "kramdown")
    site = OldSite(
        generator="jekyll",
        root=root,
        config_file=config_file,
        title=text(config.get("title")),
        base_url=base_url.rstrip("/") + "/",
        description=text(config.get("description")),
        language=language or text(config.get("lang")) or "en",
        timezone=zone.key,
        heading_ids="kramdown" if text(kramdown.get("input")) == "kramdown" else "github",
        params={k: v for k, v in config.items() if k not in ("kramdown", "plugins", "exclude", "include")},
    )
    warn_duplicates(site, config_file, duplicates)
    if kramdown.get("auto_ids") is False:
        site.warn(config_file, 0, "kramdown.auto_ids is false: the old pages had no heading ids; blogkit gives them ids")
    _people_and_teams(site, config)
    style = text(config.get("permalink")) or "date"
    posts_style = text(mapping(config, "collections", "posts").get("permalink")) or style  # a collection's own wins
    pattern = PERMALINK_STYLES.get(posts_style, posts_style)
    defaults = front_matter_defaults(config)
    separator = text(config.get("excerpt_separator"))

    files = [f for f in files_under(site, "") if not excluded(f, config)]
    posts = [f for f in files if f.endswith(MARKDOWN) and re.search(r"(^|/)_posts/", f)]
    note_unread(site, [f for f in files if re.search(r"(^|/)_(posts|drafts)/", f)])
    drafts = [f for f in files if f.endswith(MARKDOWN) and f.startswith("_drafts/")]
    included = tuple(t.strip("/") for t in texts(config.get("include")) if t.startswith("_") and t.strip("/") not in ("_posts", "_drafts"))
    rendered = [f for f in files if written_out(f, included) and f.endswith((*MARKDOWN, ".html")) and has_front_matter(site, f)]
    top: list[tuple[str, dict[str, Any], str, int]] = []
    for path in rendered:
        split = read_page(site, path)
        if split is not None:
            split = dataclasses.replace(split, data={**defaults_for(defaults, path, "pages"), **split.data})
        permalink = text(split.data.get("permalink")) if split else ""
        stem = os.path.splitext(path)[0]
        url = permalink or _page_url(stem, style)
        site.pages[path] = url if url.startswith("/") else "/" + url
        if split is None or sections or _moved(site, path, split, split.data, site.pages[path]):
            continue
        lists = lists_of(split.body) or ("search" if os.path.basename(stem) == "search" and "<input" in split.body else "")
        if lists == "posts" and _ARCHIVE_PAGE.search(stem):  # every post by date, as blogkit's archive page lists them
            site.listings.append(Listing(_file_url(site.pages[path]), "index", ARCHIVE_PATH.rstrip("/")))
        elif lists:
            site.listings.append(Listing(_file_url(site.pages[path]), "hub" if lists == "posts" else "index", lists))  # blogkit's own page
        elif stem in ("index", "404"):
            continue
        elif path.endswith(".html") and _LIQUID.search(split.body):
            site.warn(path, 1, "the page is HTML with Liquid; it is not imported", "write it in Markdown in pages/ of the new site")
        else:  # a Markdown page, or an HTML page without Liquid (a landing page): a page of the new site, at any depth
            top.append((path, split.data, split.body, split.body_line))
    top_feed_ids: dict[str, str] = {}  # a feed template at the top -> what it gave as entry ids ('url' or 'id')
    for path in files:
        if "/" not in path and path.endswith((".xml", ".json")) and has_front_matter(site, path):
            if rule := old_feed(site, path):
                top_feed_ids[path] = rule
    read: list[tuple[str, dict[str, Any], str, int, bool]] = []
    splits: dict[str, Split] = {}
    for path in [*posts, *drafts]:
        split = read_page(site, path)
        if split is None:
            continue
        splits[path] = split
        kind = "drafts" if path.startswith("_drafts/") else "posts"
        meta = {**defaults_for(defaults, path, kind), **split.data}
        read.append((path, meta, split.body, split.body_line, kind == "drafts"))
    dates = [when(meta.get("date"), zone) or _file_date(p, zone) for p, meta, _, _, draft in read if not draft]
    newest = max((d for d in dates if d is not None), default=None)
    entries = []
    for path, meta, body, body_line, draft in read:
        day, stem = dated_name(os.path.splitext(os.path.basename(path))[0])
        date = when(meta.get("date"), zone) or (when(day, zone) if day else None)
        if date is None:
            if newest is None:
                site.warn(path, 1, "the draft has no date and the site no post to take one from; it is left out")
                continue
            date = newest
            site.warn(path, 1, "the draft has no date: it is dated like the newest post", "give it its date before publishing it")
        folder_categories = [p for p in path.split("/_posts/")[0].split("/") if p] if "/_posts/" in path else []
        categories = folder_categories + texts(meta.get("categories")) + texts(meta.get("category"))
        categories = [c for part in categories for c in part.split()] if isinstance(meta.get("categories"), str) else categories
        slug = text(meta.get("slug")) or stem
        own = text(meta.get("permalink"))
        old_url = _expand(own or pattern, date, slug, text(meta.get("title")), categories)
        site.pages[path] = old_url
        entries.append((path, meta, body, body_line, draft, date, slug, categories))
    chosen = set(sections)
    known = {c for *_, categories in entries for c in categories}
    unknown = sorted(chosen - known)
    if unknown:
        raise SourceError(f"the site has no category '{unknown[0]}'", f"its categories are: {', '.join(sorted(known))}")
    published_categories = {c for *_, draft, _, _, categories in entries if not draft for c in categories}
    feed_ids = entry_ids(site, top_feed_ids, category_feed_ids(site, config), len(published_categories))
    for name in sorted(known):
        site.sections[name] = Section(name, name.replace("-", " ").title() if name.islower() else name, f"/{name.lower()}/")
    translator = Translator(site, lambda ref, _where: _find(ref, site.pages), jekyll_includes(site, files))
    threads = comment_threads(site, files)
    for path, meta, body, body_line in top:
        page = OldPage(
            source=path,
            body_line=body_line,
            title=text(meta.get("title")) or os.path.splitext(path)[0].title(),
            body=translator.body("jekyll", body, path, body_line),
            url=site.pages[path],
            summary=text(meta.get("description")),
            draft=meta.get("published") is False,
            aliases=_written_as(site.pages[path]) + tuple(texts(meta.get("redirect_from"))),
        )
        site.standalone.append(page)
    default_author = config.get("author")
    now = datetime.now(UTC)
    for path, meta, body, body_line, draft, date, slug, categories in entries:
        if chosen and not chosen & set(categories):
            continue
        if not draft and date > now and config.get("future") is not True:
            draft = True
            site.warn(
                path,
                line_of(splits[path], "date") if "date" in meta else 1,
                "the post is dated in the future, and Jekyll published no such post (`future` is not true); it is imported as a draft",
                "remove `draft: true` from the new post when it is ready",
            )
        if not draft and _moved(site, path, splits[path], meta, site.pages[path]):
            continue
        summary = text(meta.get("description")) or text(meta.get("summary")) or text(meta.get("excerpt"))
        if separator and separator in body:
            before, after = body.split(separator, 1)
            if before.endswith("\n") or not before:
                body = before + "<!-- more -->" + after  # on a line of its own: blogkit's marker, the same line
            else:  # inside a paragraph: the text before it is the summary, as the old excerpt was
                summary = summary or " ".join(before.split("\n\n")[-1].split())
                body = before + after
        people = _authors(site, meta.get("authors") or meta.get("author") or default_author)
        old_url = site.pages[path]
        site.posts.append(
            OldPost(
                source=path,
                body_line=body_line,
                title=text(meta.get("title")) or slug.replace("-", " ").capitalize(),
                date=date,
                body=translator.body("jekyll", body, path, body_line),
                slug=slug,
                url=old_url,
                feed_id=site.base_url.rstrip("/") + (old_url if feed_ids == "url" else _post_id(old_url, slug)),
                authors=tuple(people),
                tags=tuple(_words(meta.get("tags"))) + tuple(categories[1:]),
                section=categories[0] if categories else "",  # the first category, a tag or a team's section
                aliases=tuple(texts(meta.get("redirect_from"))) + _written_as(old_url),
                lines=url_lines(
                    splits[path], old_url, ("permalink", "slug"), "redirect_from", {a: a for a in texts(meta.get("redirect_from"))}
                ),
                draft=draft or meta.get("published") is False,
                summary=summary,
                updated=when(meta.get("last_modified_at"), zone),
                extra={},
                discussion=thread_url(threads, meta),
                series=text(meta.get("series")),
                canonical=_canonical(text(meta.get("canonical_url")) or text(meta.get("canonical")), site.base_url),
            )
        )
        _report_unkept(site, path, splits[path], meta)
    if not site.posts and not sections:
        _nothing_imported(site, files)
    published = [(path, cats) for path, *_, cats in entries if path in {p.source for p in site.posts if not p.draft}]
    categories_used = {c for _, cats in published for c in cats}
    tags_used = {t for p in site.posts if not p.draft for t in p.tags} - categories_used
    feeds_and_listings(site, config, categories_used, tags_used, [f for f in files if f.startswith("_plugins/")])
    report_redirect_list(site, config, files)
    site.static = [(f, "/" + f) for f in files if is_static(f) and not has_front_matter(site, f)]
    for path in files:
        if not written_out(path, included) or path in site.pages or ("/" not in path and path.endswith((".xml", ".json"))):
            continue  # not published, a page or post, or a feed template (read above)
        if path.endswith((".scss", ".sass")) and has_front_matter(site, path):
            site.warn(path, 1, "the stylesheet Jekyll made from this Sass is not kept", "the new site is styled by blogkit's theme")
        elif has_front_matter(site, path):  # robots.txt, a JavaScript or XML file made by Liquid
            site.warn(path, 1, "the file is made by a Liquid template; it is not imported", "put the file the old site built in static/")
    return site


def _expand(pattern: str, date: datetime, slug: str, title: str, categories: list[str]) -> str:
    values = {
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "year": f"{date.year:04d}",
        "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
        "title": jekyll_slug(slug, "pretty", cased=True),
        "slug": jekyll_slug(slug) or slugify(title),
        "output_ext": ".html",
    }
    url = _TOKEN.sub(lambda m: values[m.group(1)], pattern)
    return "/" + re.sub(r"/+", "/", url).lstrip("/")


def _page_url(stem: str, style: str) -> str:
    """A page's URL as Jekyll made it (`Page#template`): an index is its folder; else a permalink style that ends
    in '/' (`pretty`, `/blog/:title/`) makes a folder, `date`, `ordinal`, `none` and `:output_ext` an `.html` file,
    and any other style a URL without extension (`/:title`: `/about`, written as `about.html`)."""
    if stem == "index" or stem.endswith("/index"):
        return "/" + stem[: -len("index")]
    if style == "pretty" or (style not in PERMALINK_STYLES and style.endswith("/")):
        return f"/{stem}/"
    return f"/{stem}.html" if style in PERMALINK_STYLES or style.endswith(":output_ext") else f"/{stem}"


def _moved(site: OldSite, path: str, split: Split, meta: dict[str, Any], url: str) -> bool:
    """Whether a published page or post only led its readers elsewhere (jekyll-redirect-from's `redirect_to`, its
    first address when a list): then it is no page of the new site, and its old URLs lead there (`site.moved`).
    An address on the old site is kept as its path; a path is one of the old site, as the plugin read it."""
    written = meta.get("redirect_to")
    to = text(written[0] if isinstance(written, list) and written else written)
    if not to or meta.get("published") is False:
        return False
    if to.startswith(site.base_url) or to == site.base_url.rstrip("/"):
        to = "/" + to[len(site.base_url) :]
    elif not re.match(r"https?://", to):
        to = "/" + to.lstrip("/")
    urls = (url, *_written_as(url), *texts(meta.get("redirect_from")))
    line = line_of(split, "redirect_to")
    site.moved.append(Moved(path, line, column_of(split, line, "redirect_to"), urls, to))
    return True


def _post_id(url: str, slug: str) -> str:
    """jekyll-feed's entry id: the post's `id`, its URL's folder and its slug ('/2024/01/15/raft')."""
    folder = posixpath.dirname(url.rstrip("/"))
    return posixpath.join(folder, slug)


def _file_date(path: str, zone: ZoneInfo) -> datetime | None:
    day, _ = dated_name(os.path.basename(path))
    return when(day, zone) if day else None


def _find(ref: str, pages: dict[str, str]) -> str | None:
    ref = ref.strip().strip("\"'").lstrip("/")
    for candidate in (ref, *(ref + ext for ext in MARKDOWN)):
        if candidate in pages:
            return candidate
    if ref.startswith("_posts/"):  # post_url names a post by its file name, in any _posts folder
        name = ref[len("_posts/") :]
        found = sorted(p for p in pages if "/_posts/" in "/" + p and os.path.splitext(os.path.basename(p))[0] == name)
        return found[0] if found else None
    return None


# what Jekyll themes call an author's fields, as blogkit's profile names them (the first one written wins)
_AUTHOR_FIELDS = {"avatar": ("avatar", "thumbnail", "image", "picture", "photo"), "bio": ("bio", "byline", "description", "about"),
                  "url": ("url", "website", "site", "web", "homepage")}  # fmt: skip


def _people_and_teams(site: OldSite, config: dict[str, Any]) -> None:
    """`_data/teams.yml` (key: name, url, description); authors from `_config.yml`'s `authors:` (Octopress and
    Minimal Mistakes themes) and `_data/authors.yml` (key: name, bio, email, avatar, team, links), the data file's last."""
    for kind in ("teams", "authors"):
        records = [mapping(config, "authors")] if kind == "authors" else []
        records += [read_data(site, f"_data/{kind}{ext}") for ext in (".yml", ".yaml")]
        for data in records:
            for key, record in sorted(data.items()):
                if not isinstance(record, dict):
                    continue
                key = str(key)
                if kind == "teams":
                    team = OldTeam(slugify(key), text(record.get("name")) or key, text(record.get("url")), text(record.get("description")))
                    site.teams[team.key] = team
                    continue
                named = {field: next((record[k] for k in keys if text(record.get(k))), "") for field, keys in _AUTHOR_FIELDS.items()}
                site.people[key] = person_from_record(key, {**record, **named})


def _authors(site: OldSite, value: Any) -> list[Person]:
    if isinstance(value, dict):
        return [Person("", text(value.get("name")), email=text(value.get("email")))] if text(value.get("name")) else []
    people: list[Person] = []
    for item in texts(value):
        if item in site.people:
            people.append(site.people[item])
        else:
            people += parse_names(item)
    return people


def _nothing_imported(site: OldSite, files: list[str]) -> None:
    """No post came over from a folder that holds dated articles: an error, not an import of nothing."""
    dated = [f for f in files if dated_name(os.path.splitext(os.path.basename(f))[0])[0] and f.endswith((*MARKDOWN, ".html"))]
    if not dated:
        return
    where = dated[0]
    if re.search(r"(^|/)_posts/", where):
        hint = "Jekyll's posts here are not Markdown (see the warnings above); convert them, then import again"
    else:
        hint = "Jekyll reads posts only from `_posts/` (or `<category>/_posts/`): is this the folder of the Jekyll site?"
    site.fail(where, 0, 0, f"no post was imported, though the site holds {len(dated)} dated article(s)", hint)


def _written_as(url: str) -> tuple[str, ...]:
    """The file Jekyll wrote for a URL without an extension ('/raft' was '/raft.html', which servers answer at both)."""
    last = url.rsplit("/", 1)[-1]
    return (url + ".html",) if last and "." not in last else ()


def _file_url(url: str) -> str:
    """The URL of the file Jekyll wrote for a page's URL (`/authors`, of the style `/:title`, is
    `/authors.html`): where a redirect must stand to answer the old address on any host."""
    return next(iter(_written_as(url)), url)


def _words(value: Any) -> list[str]:
    """Tags as Jekyll read them: a text is split at spaces ('tags: rust wasm' is two tags), a list is not."""
    return [word for item in texts(value) for word in item.split()] if isinstance(value, str) else texts(value)


def _canonical(url: str, base_url: str) -> str:
    """A post's canonical address, when it is elsewhere (a canonical URL on the old site itself is the post's own)."""
    return url if url.startswith(("https://", "http://")) and not url.startswith(base_url) else ""


_UNKEPT = {"css": "per-post CSS", "style": "per-post CSS", "styles": "per-post CSS", "stylesheet": "per-post CSS",
           "custom_css": "per-post CSS", "extra_css": "per-post CSS", "js": "per-post JavaScript", "javascript": "per-post JavaScript",
           "scripts": "per-post JavaScript", "custom_js": "per-post JavaScript"}  # fmt: skip


def _report_unkept(site: OldSite, path: str, split: Split, meta: dict[str, Any]) -> None:
    """What the post's front matter asks for that blogkit has no place for."""
    for key in sorted(meta):
        what = _UNKEPT.get(str(key).lower())
        if what and meta[key]:
            site.warn(path, line_of(split, str(key)), f"the post's {what} ('{key}') is not kept", "blogkit has no place for it")
