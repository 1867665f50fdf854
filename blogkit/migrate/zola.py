"""A Zola site: `config.toml`, `content/` sections (`_index.md`) and pages, TOML front matter."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from blogkit.core.urls import slugify
from blogkit.migrate import source
from blogkit.migrate.assets import check_svgs
from blogkit.migrate.dating import date_in_path, nothing_imported
from blogkit.migrate.frontmatter import Split
from blogkit.migrate.model import Listing, OldFeed, OldPage, OldPost, OldSite, OldTeam, Person, Section
from blogkit.migrate.other_languages import report_other_languages
from blogkit.migrate.people import parse_names
from blogkit.migrate.reading import (
    MARKDOWN,
    SourceError,
    bundle_assets,
    dated_name,
    files_under,
    left_undated,
    mapping,
    note_unread,
    page_count,
    page_stem,
    read_page,
    read_site_config,
    static_copies,
    text,
    texts,
    url_lines,
    when,
)
from blogkit.migrate.shortcodes import Translator
from blogkit.migrate.wrappers import zola_shortcodes


def read_zola(root: str, sections: Sequence[str], language: str) -> OldSite:
    config_file, config = read_site_config(root, ("config.toml", "zola.toml"))
    base_url = text(config.get("base_url"))
    if not base_url:
        raise SourceError("config.toml has no base_url", 'Zola needs it too: add base_url = "https://..."')
    default_language = text(config.get("default_language")) or "en"
    language = language or default_language
    site = OldSite(
        generator="zola",
        root=root,
        config_file=config_file,
        title=text(config.get("title")),
        base_url=base_url.rstrip("/") + "/",
        description=text(config.get("description")),
        language=language,
        heading_ids="zola",
        params=mapping(config, "extra"),
        author=text(mapping(config, "extra").get("author")) or text(config.get("author")),
    )
    anchors = text(mapping(config, "slugify").get("anchors")) or "on"
    if anchors != "on":
        site.warn(config_file, 0, f"slugify.anchors is '{anchors}': heading ids are made with Zola's default ('on') rules")
    zone = ZoneInfo("UTC")
    paths_mode = text(mapping(config, "slugify").get("paths")) or "on"
    suffix = "" if language == default_language else f".{language}"

    wanted = "" if language == default_language else language
    codes = (set(mapping(config, "languages")) | {language}) - {default_language}
    content = [f for f in files_under(site, "content") if f.endswith(MARKDOWN) and _language_of(f, codes) == wanted]
    report_other_languages(site, language, _other_languages(site, codes, wanted, default_language))
    note_unread(site, files_under(site, "content"))
    indexes = {posixpath.dirname(f): f for f in content if page_stem(f) and os.path.basename(f).startswith("_index.")}
    section_pages: dict[str, list[str]] = {}
    for path in content:
        if os.path.basename(path).startswith("_index."):
            continue
        folder = posixpath.dirname(path)
        if os.path.basename(path).startswith("index."):
            folder = posixpath.dirname(folder)
        while folder not in indexes and folder not in ("content", ""):
            folder = posixpath.dirname(folder)
        section_pages.setdefault(folder, []).append(path)

    section_meta: dict[str, dict[str, Any]] = {}
    for folder, index in sorted(indexes.items()):
        split = read_page(site, index)
        meta = split.data if split else {}
        section_meta[folder] = meta
        key = posixpath.relpath(folder, "content") if folder != "content" else ""
        url = (
            "/"
            + (f"{language}/" if suffix else "")
            + "/".join(zola_slug(p, paths_mode) for p in key.split("/") if p)
            + ("/" if key else "")
        )
        site.pages[index] = url.replace("//", "/")
        title = text(meta.get("title")) or key.split("/")[-1].replace("-", " ").title()
        site.sections[key] = Section(key, title, site.pages[index], whole=key == "")  # the root section is the home page: the hub

    pages: list[tuple[str, str, dict[str, Any], str, int]] = []
    splits: dict[str, Split] = {}
    for folder, paths in sorted(section_pages.items()):
        key = posixpath.relpath(folder, "content") if folder != "content" else ""
        for path in paths:
            split = read_page(site, path)
            if split is None:
                continue
            meta = split.data
            day, stem = dated_name(page_stem(path).removesuffix(suffix))
            slug = zola_slug(text(meta.get("slug")) or stem, paths_mode) or stem
            section_url = site.sections[key].url if key in site.sections else "/"
            url = "/" + text(meta["path"]).strip("/") + "/" if text(meta.get("path")) else f"{section_url}{slug}/"
            site.pages[path] = url
            pages.append((path, key, meta, split.body, split.body_line))
            splits[path] = split
            if not meta.get("date"):  # Zola dates a page by its file name; a blog may date it only by its path
                meta["date"] = day or date_in_path(text(meta.get("path"))) or date_in_path(posixpath.relpath(path, "content")) or None
    chosen = _chosen_sections(site, sections, pages)
    _report_left_out(site, indexes, pages, chosen, bool(sections), section_meta)
    theme = text(config.get("theme"))
    templates = files_under(site, "templates") + (files_under(site, f"themes/{theme}/templates") if theme else [])
    wrappers, shortcodes = zola_shortcodes(site, templates, theme)
    translator = Translator(site, lambda ref, _from: ref if ref in site.pages else None, wrappers, frozenset(shortcodes))
    taxonomies = {text(t.get("name")): t for t in _list(config.get("taxonomies")) if isinstance(t, dict)}
    newest = max((d for _, key, meta, _, _ in pages if key in chosen and (d := when(meta.get("date"), zone))), default=None)
    for path, key, meta, body, body_line in pages:
        if key == "" and not sections and not meta.get("date"):
            site.standalone.append(_page(translator, path, meta, body, body_line, site.pages[path]))
            continue
        if key not in chosen:
            continue
        date = when(meta.get("date"), zone)
        order = _order(section_meta, key)
        if date is None and meta.get("date") is None and order in UNDATED_ORDERS:
            date = _dated_anyway(site, path, when(meta.get("updated"), zone), newest, order)
        if date is None:
            left_undated(site, splits[path], path, "date", meta.get("date"))
            continue
        extra = mapping(meta, "extra")
        team = _team(site, extra)
        terms = mapping(meta, "taxonomies")
        written = texts(terms.get("authors")) or texts(meta.get("authors"))
        written = written or texts(extra.pop("authors", None) or extra.pop("author", None))
        people = [
            site.people.get(slugify(name)) or Person(key="", name=p.name, links=p.links, affiliation=p.affiliation, team=team)
            for name in written
            for p in parse_names(name)
        ]
        bundle = os.path.basename(path).startswith("index.")
        aliases = {_rooted(a): a for a in texts(meta.get("aliases"))}  # Zola's aliases are paths from the site's root
        site.posts.append(
            OldPost(
                source=path,
                body_line=body_line,
                title=text(meta.get("title")) or page_stem(path),
                date=date,
                body=translator.body("zola", body, path, body_line),
                slug=text(meta.get("slug")) or dated_name(page_stem(path).removesuffix(suffix))[1],
                url=site.pages[path],
                feed_id=site.base_url.rstrip("/") + site.pages[path],
                authors=tuple(people),
                tags=tuple(t for name in ("tags", "categories") for t in texts(terms.get(name))),
                section=key,
                aliases=tuple(aliases),
                lines=url_lines(splits[path], site.pages[path], ("path", "slug"), "aliases", aliases),
                draft=meta.get("draft") is True,
                summary=text(meta.get("description")) or text(meta.get("summary")),
                updated=when(meta.get("updated"), zone),
                assets=tuple(bundle_assets(site, path)) if bundle else (),
                bundle_dir=posixpath.dirname(path) if bundle else "",
                extra=extra,
            )
        )
    _urls_and_feeds(site, config, section_meta, taxonomies, chosen)
    site.static = static_copies(site, "static")
    check_svgs(site)
    limit = config.get("feed_limit")  # Zola's default: every page in each feed
    if site.feeds:
        site.feed_entries = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else len(site.posts)
    nothing_imported(site, len(pages), sorted(site.sections))
    return site


def zola_slug(value: str, mode: str) -> str:
    """A path part as Zola makes it (`slugify.paths`): 'on' a lower-case ASCII slug (repeated hyphens made one),
    'safe' the text with only the characters a file name cannot hold removed (case kept), 'off' as written."""
    if mode == "off":
        return value
    if mode == "safe":
        return _UNSAFE.sub("", value.strip().replace(" ", "-"))
    return slugify(value)


_UNSAFE = re.compile(r'[<>:"/\\|?*#\x00-\x1f]')


def _rooted(alias: str) -> str:
    """A Zola alias ('2018-03-15/', 'old.html') as the path it answered at: from the site's root."""
    return alias if alias.startswith("/") else "/" + alias


def _report_left_out(
    site: OldSite,
    indexes: dict[str, str],
    pages: list[tuple[str, str, dict[str, Any], str, int]],
    chosen: set[str],
    asked: bool,
    section_meta: dict[str, dict[str, Any]],
) -> None:
    """Each section whose pages are not imported, said once at its `_index.md`: none is left out silently."""
    held: dict[str, int] = {}
    for _, key, _, _, _ in pages:
        held[key] = held.get(key, 0) + 1
    for folder, index in sorted(indexes.items()):
        key = posixpath.relpath(folder, "content") if folder != "content" else ""
        if key in chosen or not held.get(key) or (key == "" and not asked):  # the root's undated pages become pages
            continue
        why = "it is not one of the sections chosen with --section" if asked else "none of its pages is dated"
        order = _order(section_meta, key)
        if not asked and order in UNDATED_ORDERS:
            why += f" (it is sorted by {order}: imported with --section, they are dated like the newest post)"
        site.warn(
            index,
            1,
            f"the {held[key]} pages of the section '{key or '(root)'}' are not imported: {why}",
            "name it with --section to import it",
        )


def _page(translator: Translator, path: str, meta: dict[str, Any], body: str, body_line: int, url: str) -> OldPage:
    return OldPage(
        source=path,
        body_line=body_line,
        title=text(meta.get("title")) or page_stem(path),
        body=translator.body("zola", body, path, body_line),
        url=url,
        summary=text(meta.get("description")),
        draft=meta.get("draft") is True,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _other_languages(site: OldSite, codes: set[str], wanted: str, default_language: str) -> dict[str, list[str]]:
    """The pages of each language this import leaves out (section indexes aside), by language code."""
    left: dict[str, list[str]] = {}
    for path in files_under(site, "content"):
        if path.endswith(MARKDOWN) and not os.path.basename(path).startswith("_index."):
            code = _language_of(path, codes)
            if code != wanted:
                left.setdefault(code or default_language, []).append(path)
    return left


def _language_of(path: str, codes: set[str]) -> str:
    """'' for the default language's files; 'fr' for 'post.fr.md' when fr is a language of the site ('v2.0.md' is no language)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    code = stem.rsplit(".", 1)[1] if "." in stem else ""
    return code if code in codes else ""


UNDATED_ORDERS = ("weight", "title", "title_bytes", "slug")  # a section's `sort_by` that needs no dates: its pages import undated


def _order(section_meta: dict[str, dict[str, Any]], key: str) -> str:
    """The section's `sort_by`: Zola lists its pages by 'date', 'weight', 'title'... ('none' when it says nothing)."""
    return text(section_meta.get(f"content/{key}" if key else "content", {}).get("sort_by")) or "none"


def _dated_anyway(site: OldSite, path: str, updated: datetime | None, newest: datetime | None, order: str) -> datetime | None:
    """The date of an undated page of a section Zola sorted by weight or title (it needed none): the page's own
    `updated`, else the newest post's date, so it comes over, is listed with the newest posts, and is reported."""
    date = updated or newest
    if date is not None:
        how = "its 'updated' date" if updated else "the date of the newest post"
        site.warn(path, 1, f"the page has no date (its section is sorted by {order}): it is dated {date.date().isoformat()}, {how}",
                  "give it the date it was published")  # fmt: skip
    return date


def _chosen_sections(site: OldSite, asked: Sequence[str], pages: list[tuple[str, str, dict[str, Any], str, int]]) -> set[str]:
    if asked:
        unknown = [name for name in asked if name.strip("/") not in site.sections]
        if unknown:
            known = ", ".join(sorted(k or "(root)" for k in site.sections))
            raise SourceError(f"the site has no section '{unknown[0]}'", f"its sections are: {known}")
        return {name.strip("/") for name in asked}
    return {key for _, key, meta, _, _ in pages if meta.get("date")}


def _team(site: OldSite, extra: dict[str, Any]) -> str:
    name = text(extra.pop("team", None))
    url = text(extra.pop("team_url", None))
    if not name:
        return ""
    key = slugify(name)
    site.teams.setdefault(key, OldTeam(key, name, url))
    return key


def _urls_and_feeds(
    site: OldSite, config: dict[str, Any], sections: dict[str, dict[str, Any]], taxonomies: dict[str, Any], chosen: set[str]
) -> None:
    names = texts(config.get("feed_filenames")) or texts(config.get("feed_filename")) or ["atom.xml"]
    generates = config.get("generate_feeds", config.get("generate_feed")) is True

    def formats() -> list[tuple[str, str]]:
        return [(name, _feed_format(site, name)) for name in names]

    if generates:
        site.feeds += [OldFeed(f"/{name}", "hub", "", fmt) for name, fmt in formats()]
    for folder, meta in sorted(sections.items()):
        key = posixpath.relpath(folder, "content") if folder != "content" else ""
        if key not in chosen or key not in site.sections:
            continue
        url = site.sections[key].url
        count = sum(1 for p in site.posts if p.section == key and not p.draft) if key else sum(1 for p in site.posts if not p.draft)
        paged = (text(meta.get("paginate_path")) or "page") + "/{n}/"
        pages = page_count(count, meta.get("paginate_by"))
        site.listings.append(Listing(url, "section" if key else "hub", key, pages, paged))
        if isinstance(meta.get("paginate_by"), int) and count:  # Zola also writes page 1, a redirect to the section
            site.listings.append(Listing(url + paged.format(n=1), "section" if key else "hub", key))
        if meta.get("generate_feeds", meta.get("generate_feed")) is True:
            site.feeds += [OldFeed(f"{url}{name}", "section" if key else "hub", key, fmt) for name, fmt in formats()]
    for name, taxonomy in sorted(taxonomies.items()):
        kind = "author" if name == "authors" else "tag" if name in ("tags", "categories") else ""
        if not kind:
            continue
        terms = sorted({t for p in site.posts for t in (_authors_of(p) if kind == "author" else p.tags)})
        site.listings.append(Listing(f"/{name}/", "index", "authors" if kind == "author" else "tags"))
        for term in terms:
            url = f"/{name}/{slugify(term)}/"
            count = sum(1 for p in site.posts if not p.draft and term in (_authors_of(p) if kind == "author" else p.tags))
            paged = (text(taxonomy.get("paginate_path")) or "page") + "/{n}/"
            site.listings.append(Listing(url, kind, term, page_count(count, taxonomy.get("paginate_by")), paged))
            if taxonomy.get("feed") is True:
                site.feeds += [OldFeed(f"{url}{file}", kind, term, fmt) for file, fmt in formats()]


_FEED_MARKS = {"atom": "<feed", "rss": "<rss", "json": "jsonfeed.org"}


def _feed_format(site: OldSite, name: str) -> str:
    """The format of a feed file Zola writes: RSS when its name says so, JSON Feed for '.json', else Atom; a site's
    own template of that name that makes none of them is reported (the feed kept is of that format)."""
    fmt = "rss" if "rss" in name else "json" if name.endswith(".json") else "atom"
    template = f"templates/{name}"
    if source.exists(site.root, template) and not source.outside(site.root, template):
        try:
            written = source.read_text(site.root, template, source.CONFIG_BYTES)
        except source.Refused:
            written = ""
        if _FEED_MARKS[fmt] not in written:
            site.warn(
                template,
                1,
                f"the site's own template for {name} makes no {fmt.upper() if fmt != 'json' else 'JSON Feed'} feed; "
                f"its URLs serve a {fmt} feed of the same posts",
                "if readers use that file for something else, publish it as a static file",
            )
    return fmt


def _authors_of(post: OldPost) -> list[str]:
    return [p.name for p in post.authors]
