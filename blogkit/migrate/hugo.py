"""A Hugo site: `hugo.toml` (or config.*, or config/_default/), `content/` sections, page bundles,
front matter in TOML, YAML or JSON; languages by content folder or by file name."""

from __future__ import annotations

import dataclasses
import os
import posixpath
from collections.abc import Sequence
from typing import Any

from blogkit.core.urls import slugify
from blogkit.migrate import source
from blogkit.migrate.assets import check_svgs
from blogkit.migrate.bylines import bylines
from blogkit.migrate.code_wrappers import hugo_code_shortcodes
from blogkit.migrate.frontmatter import FrontMatterError, Split, read_front_matter
from blogkit.migrate.hugo_feeds import entry_ids
from blogkit.migrate.hugo_languages import Language, SiteLanguages, language_files, site_languages
from blogkit.migrate.hugo_urls import UrlRules
from blogkit.migrate.model import Listing, OldFeed, OldPage, OldPost, OldSite, OldTeam, Person, Section
from blogkit.migrate.other_languages import report_other_languages
from blogkit.migrate.people import person_from_record
from blogkit.migrate.reading import (
    SourceError,
    bundle_assets,
    dated_name,
    files_under,
    left_undated,
    mapping,
    note_unread,
    page_count,
    page_stem,
    read_config_file,
    read_data,
    read_page,
    read_site_config,
    static_copies,
    text,
    texts,
    url_lines,
    when,
    zone_named,
)
from blogkit.migrate.shortcodes import Translator
from blogkit.migrate.wrappers import hugo_shortcodes

CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml", "config.json")
_DEFAULT_TAXONOMIES = {"tag": "tags", "category": "categories"}


def read_hugo(root: str, sections: Sequence[str], language: str) -> OldSite:
    config_file, config = _config(root)
    base_url = text(config.get("baseURL") or config.get("baseurl"))
    if not base_url:
        raise SourceError(f"{config_file} has no baseURL", 'add baseURL = "https://..." (the address the old site is served at)')
    languages = site_languages(config, language)
    language, content_dir, prefix = languages.here.code, languages.here.content_dir, languages.here.prefix
    own = mapping(config, "languages", language)
    params: dict[str, Any] = {**mapping(config, "params"), **mapping(own, "params")}
    zone = zone_named(text(config.get("timeZone")))
    heading_type = text(mapping(config, "markup", "goldmark", "parser").get("autoHeadingIDType")) or "github"
    site = OldSite(
        generator="hugo",
        root=root,
        config_file=config_file,
        title=text(own.get("title")) or text(config.get("title")),
        base_url=base_url.rstrip("/") + "/",
        description=text(params.get("description")),
        language=text(own.get("languageCode")) or text(config.get("languageCode")) or language,
        timezone=zone.key,
        params=params,
        author=_site_author(params.get("author")) or _site_author(config.get("author")),
    )
    if heading_type != "github":
        site.warn(config_file, 0, f"autoHeadingIDType is '{heading_type}': heading ids are made with the github rules")
    taxonomies = {k: str(v) for k, v in (mapping(config, "taxonomies") or _DEFAULT_TAXONOMIES).items()}
    rules = UrlRules.of(config, zone, language)
    _people(site)

    content = language_files(site, languages.here, languages)
    note_unread(site, files_under(site, content_dir))
    pages: list[tuple[str, str, dict[str, Any], str, int]] = []
    splits: dict[str, Split] = {}
    for path, suffix in content:
        inside = posixpath.relpath(path, content_dir)
        section = inside.split("/")[0] if "/" in inside else ""
        split = read_page(site, path)
        if split is None:
            continue
        meta = {str(k).lower(): v for k, v in split.data.items()}
        name = os.path.basename(path)
        if name.startswith("_index."):
            url = rules.section(prefix, posixpath.dirname(inside))
            site.pages[path] = url
            folder = posixpath.dirname(inside)
            if section and folder:  # a section, or a section inside one (Docsy's blog/news): it keeps its page
                site.sections[folder] = Section(folder, text(meta.get("title")) or posixpath.basename(folder).title(), url)
            continue
        site.pages[path] = rules.page(meta, inside, section, prefix, suffix)
        pages.append((path, section, meta, split.body, split.body_line))
        splits[path] = split
    for _, section, _, _, _ in pages:
        if section and section not in site.sections:
            site.sections[section] = Section(section, section.replace("-", " ").title(), rules.section(prefix, section))
    chosen = _chosen(site, sections, pages)
    content_files = set(site.pages)
    themes = texts(config.get("theme"))
    layouts = [f for folder in ("layouts", *(f"themes/{t}/layouts" for t in themes)) for f in files_under(site, folder)]
    ids = entry_ids(site, config, layouts, themes)
    wrappers, shortcodes = hugo_shortcodes(site, layouts, themes)
    code = hugo_code_shortcodes(site, shortcodes)
    translator = Translator(site, lambda ref, where: _find(ref, where, content_dir, content_files), wrappers, frozenset(shortcodes), code)
    left = {
        other.code: _other_language(site, other, languages, chosen, UrlRules.of(config, zone, other.code))  # its own permalinks
        for other in languages.others
    }
    report_other_languages(site, language, left)
    author_taxonomy = next((plural for singular, plural in taxonomies.items() if singular == "author"), "")
    tag_taxonomies = [plural for singular, plural in taxonomies.items() if singular != "author"]
    terms: dict[str, set[str]] = {}
    for path, section, meta, body, body_line in pages:
        date_key = next((key for key in ("date", "publishdate", "pubdate") if meta.get(key)), "date")
        date = when(meta.get(date_key), zone)
        if section == "" and not sections:  # a page at the top (about), dated or not: a page of the new site
            url = site.pages[path]
            page_aliases = [
                a if a.startswith("/") else posixpath.join(posixpath.dirname(url.rstrip("/")), a) + "/" for a in texts(meta.get("aliases"))
            ]
            page = OldPage(
                source=path,
                body_line=body_line,
                title=text(meta.get("title")) or page_stem(path),
                body=translator.body("hugo", body, path, body_line),
                url=site.pages[path],
                summary=text(meta.get("summary")) or text(meta.get("description")),
                draft=meta.get("draft") is True,
                aliases=tuple(page_aliases),
            )
            site.standalone.append(page)
            continue
        if not _within(posixpath.relpath(path, content_dir), chosen):
            continue
        if date is None:
            left_undated(site, splits[path], path, date_key, meta.get(date_key))
            continue
        extra = mapping(meta, "params")
        team = _team(site, meta, extra)
        keys = texts(meta.get(author_taxonomy or "authors"))
        for key in keys:
            if key in site.people and team and not site.people[key].team:
                site.people[key] = dataclasses.replace(site.people[key], team=team)  # the team the source gives with their post
        people = [site.people.get(key) or Person(key=key, name=key, team=team) for key in keys]
        if not people:
            people = [dataclasses.replace(p, team=team) for p in bylines(meta.get("author"))]
        if not meta.get("draft"):
            for plural in tag_taxonomies:
                terms.setdefault(plural, set()).update(texts(meta.get(plural)))
            if author_taxonomy:
                terms.setdefault(author_taxonomy, set()).update(p.key for p in people if p.key)
        bundle = os.path.basename(path).startswith("index.")
        url = site.pages[path]
        aliases = {
            a if a.startswith("/") else posixpath.join(posixpath.dirname(url.rstrip("/")), a) + "/": a for a in texts(meta.get("aliases"))
        }
        site.posts.append(
            OldPost(
                source=path,
                body_line=body_line,
                title=text(meta.get("title")) or page_stem(path),
                date=date,
                body=translator.body("hugo", body, path, body_line),
                slug=text(meta.get("slug")) or dated_name(page_stem(path))[1],
                url=site.pages[path],
                feed_id=(site.base_url.rstrip("/") if ids == "permalink" else "") + site.pages[path],
                authors=tuple(people),
                tags=tuple(t for name in tag_taxonomies for t in texts(meta.get(name))) + _inner_sections(site, path, content_dir, section),
                section=section,
                aliases=tuple(aliases),
                draft=meta.get("draft") is True,
                summary=text(meta.get("summary")) or text(meta.get("description")),
                updated=when(meta.get("lastmod"), zone),
                assets=tuple(bundle_assets(site, path)) if bundle else (),
                bundle_dir=posixpath.dirname(path) if bundle else "",
                extra={k: v for k, v in extra.items() if k not in ("team", "team_url")},
                lines=url_lines(splits[path], url, ("url", "slug"), "aliases", aliases),
            )
        )
    _listings_and_feeds(site, config, chosen, prefix, taxonomies, terms, rules)
    site.static = static_copies(site, "static")
    check_svgs(site)
    limit = mapping(config, "services", "rss").get("limit", config.get("rssLimit"))  # Hugo's default: every page in each feed
    site.feed_entries = limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else len(site.posts)
    return site


def _site_author(value: Any) -> str:
    """The site's own author: `params.author` as a name, or a mapping with a name."""
    if isinstance(value, dict):
        return text(value.get("name"))
    return ", ".join(texts(value)) if isinstance(value, list) else text(value)


def _inner_sections(site: OldSite, path: str, content_dir: str, section: str) -> tuple[str, ...]:
    """The titles of the sections inside `section` that hold a page (blog/news/ of blog/news/post.md): the page's tags."""
    inside = posixpath.relpath(path, content_dir)
    folder = posixpath.dirname(posixpath.dirname(inside) if os.path.basename(path).startswith("index.") else inside)
    titles = []
    while folder and folder != section:
        if folder in site.sections:
            titles.append(site.sections[folder].title)
        folder = posixpath.dirname(folder)
    return tuple(reversed(titles))


def _config(root: str) -> tuple[str, dict[str, Any]]:
    """The site config: hugo.toml and the like, or the files of config/_default/ (each file a key, but hugo.* the root)."""
    folder = "config/_default"
    if not any(source.exists(root, name) for name in CONFIG_NAMES) and os.path.isdir(os.path.join(root, folder)):
        problem = source.outside(root, folder)
        if problem:
            raise SourceError(f"{folder}: {problem}", source.OUTSIDE_HINT)
        merged: dict[str, Any] = {}
        for name in sorted(os.listdir(os.path.join(root, folder))):
            stem, ext = os.path.splitext(name)
            if ext not in (".toml", ".yaml", ".yml", ".json") or name.startswith("."):
                continue
            data = read_config_file(root, f"{folder}/{name}")
            if stem in ("hugo", "config"):
                merged.update(data)
            else:
                merged[stem] = data
        return folder, merged
    return read_site_config(root, CONFIG_NAMES)


def _other_language(
    site: OldSite,
    language: Language,
    languages: SiteLanguages,
    chosen: set[str],
    rules: UrlRules,
) -> list[str]:
    """The posts of a language this import leaves out, in the chosen sections; each of its pages joins the
    old site's pages, so a link to it leads there. Its files are read as far as their URLs and dates: a
    problem in them is for the import of that language to report."""
    left = []
    for path, suffix in language_files(site, language, languages):
        inside = posixpath.relpath(path, language.content_dir)
        if os.path.basename(path).startswith("_index."):
            site.pages[path] = rules.section(language.prefix, posixpath.dirname(inside))
            continue
        meta = _front_matter(site, path)
        section = inside.split("/")[0] if "/" in inside else ""
        site.pages[path] = rules.page(meta, inside, section, language.prefix, suffix)
        if _within(inside, chosen) and any(meta.get(key) for key in ("date", "publishdate", "pubdate")):
            left.append(path)
    return left


def _front_matter(site: OldSite, path: str) -> dict[str, Any]:
    """A page's front matter, its keys in lower case; empty when it cannot be read."""
    try:
        split = read_front_matter(source.read_text(site.root, path, source.LIMITS.file_bytes, "limits.file_bytes"))
    except (source.Refused, FrontMatterError):
        return {}
    return {str(k).lower(): v for k, v in split.data.items()}


def _chosen(site: OldSite, asked: Sequence[str], pages: list[tuple[str, str, dict[str, Any], str, int]]) -> set[str]:
    if asked:
        unknown = [name for name in asked if name.strip("/") not in site.sections]
        if unknown:
            raise SourceError(f"the site has no section '{unknown[0]}'", f"its sections are: {', '.join(sorted(site.sections))}")
        return {name.strip("/") for name in asked}
    return {section for _, section, meta, _, _ in pages if meta.get("date")}


def _within(inside: str, chosen: set[str]) -> bool:
    """Whether a path of the content folder is in one of the chosen sections ('blog', or 'blog/news')."""
    return any(inside.startswith(name + "/") for name in chosen)


def _find(ref: str, where: str, content_dir: str, files: set[str]) -> str | None:
    """The content file a `ref`/`relref` names: a path from the content folder, one relative to the page, or a unique name."""
    ref = ref.strip()
    here = posixpath.dirname(where)
    bases = (
        [content_dir + "/" + ref.lstrip("/")]
        if ref.startswith("/")
        else [posixpath.normpath(posixpath.join(here, ref)), content_dir + "/" + ref]
    )
    for base in bases:
        for candidate in (base, base + ".md", base + "/index.md", base + "/_index.md"):
            if candidate in files:
                return candidate
    name = posixpath.basename(ref.rstrip("/"))
    matches = sorted(f for f in files if page_stem(f).split(".")[0] == name.removesuffix(".md"))
    return matches[0] if len(matches) == 1 else None


def _team(site: OldSite, meta: dict[str, Any], extra: dict[str, Any]) -> str:
    name = text(meta.get("team")) or text(extra.get("team"))
    if not name:
        return ""
    key = slugify(name)
    site.teams.setdefault(key, OldTeam(key, name, text(meta.get("team_url")) or text(extra.get("team_url"))))
    return key


def _people(site: OldSite) -> None:
    """Author data: data/authors.(yaml|toml|json), data/authors/<key>.*, or content/authors/<key>/_index.md term pages."""
    records: dict[str, dict[str, Any]] = {}
    for name in ("authors.yaml", "authors.yml", "authors.toml", "authors.json"):
        records.update(read_data(site, f"data/{name}"))
    for path in files_under(site, "data/authors"):
        records[page_stem(path)] = read_data(site, path)
    for key, record in sorted(records.items()):
        if not isinstance(record, dict):
            continue
        site.people[str(key)] = person_from_record(str(key), record)


def _listings_and_feeds(
    site: OldSite,
    config: dict[str, Any],
    chosen: set[str],
    prefix: str,
    taxonomies: dict[str, str],
    terms: dict[str, set[str]],
    rules: UrlRules,
) -> None:
    """Hugo's default outputs: HTML (paginated) and RSS (index.xml) for the home page, each section, taxonomy and term."""
    pagination = mapping(config, "pagination")
    size = pagination.get("pagerSize") or config.get("paginate") or 10
    paged = (text(pagination.get("path")) or text(config.get("paginatePath")) or "page") + "/{n}/"
    published = [p for p in site.posts if not p.draft]
    site.listings.append(Listing(f"{prefix}/", "hub", "", page_count(len(published), size), paged))
    site.feeds.append(OldFeed(f"{prefix}/index.xml", "hub", "", "rss"))
    if pages := [page for page in site.standalone if not page.draft]:  # Hugo's home feed lists every regular page
        shown = ", ".join(page.url for page in pages[:3]) + (f" and {len(pages) - 3} more" if len(pages) > 3 else "")
        site.warn(
            pages[0].source,
            1,
            f"the old feed {prefix}/index.xml listed {len(pages)} page(s) that are no posts ({shown}); blogkit's feeds list posts, "
            "so those entries end there",
            "nothing to do: a feed reader keeps the entries it has",
        )
    for key, section in sorted(site.sections.items()):
        top = key.split("/")[0]
        if not _within(key + "/", chosen):
            continue
        inner_tag = section.title if key != top else ""
        count = sum(1 for p in published if p.section == top and (not inner_tag or inner_tag in p.tags))
        site.listings.append(Listing(section.url, "section", key, page_count(count, size), paged))
        site.feeds.append(OldFeed(f"{section.url}index.xml", "section", key, "rss"))
    for singular, plural in sorted(taxonomies.items()):
        kind = "author" if singular == "author" else "tag"
        site.listings.append(Listing(f"{prefix}/{plural}/", "index", "authors" if kind == "author" else "tags"))
        listed = "authors" if kind == "author" else "tags"
        site.feeds.append(OldFeed(f"{prefix}/{plural}/index.xml", "pages", listed, "rss"))  # its entries are the terms' pages
        if terms.get(plural) and plural != listed:
            site.warn(
                site.config_file,
                0,
                f"the old feed {prefix}/{plural}/index.xml listed the {plural} pages, whose URLs are blogkit's {listed} pages now: "
                f"its readers see each of its entries once again",
                "",
            )
        for term in sorted(terms.get(plural, ())):
            url = f"{prefix}/{plural}/{rules.term(term)}/"
            count = sum(1 for p in published if term in ([a.key for a in p.authors] if kind == "author" else p.tags))
            site.listings.append(Listing(url, kind, term, page_count(count, size), paged))
            site.feeds.append(OldFeed(f"{url}index.xml", kind, term, "rss"))
