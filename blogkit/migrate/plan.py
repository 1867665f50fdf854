"""The old site, as the files of a blogkit site folder: profiles, teams, posts, pages, config.

Pure: reads nothing but the model (the writer copies the files it names), so the same old
site always gives the same folder, byte for byte.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import yaml

from blogkit.core.bodies import BodySource
from blogkit.core.config import FeedsConfig, MarkdownConfig, SiteConfig
from blogkit.core.feedformats import FEED_FORMATS
from blogkit.core.lint_rules import RULES
from blogkit.core.urls import check_alias, expand_permalink, one_file_key, slugify
from blogkit.load.markdown import lint_markdown
from blogkit.migrate import continuity
from blogkit.migrate.credits import Credits, credit, mark_sections, profile, team_entry
from blogkit.migrate.links import OldLinks, rewrite_links, url_forms
from blogkit.migrate.model import OldPage, OldPost, OldSite
from blogkit.migrate.tagnames import tag_aliases

_CONTROL = re.compile("[\x00-\x1f\x7f]")
FEED_ENTRIES = FeedsConfig().entries
_OWN_FILE_HINT = "the new site's page or feed answers at that URL; to change it, override its template in templates/"
PERMALINK = str(SiteConfig.__dataclass_fields__["permalink"].default)  # blogkit's own: every old URL becomes an alias of it


@dataclass(slots=True)
class Plan:
    texts: dict[str, str] = field(default_factory=dict)  # site file -> its text
    copies: dict[str, str] = field(default_factory=dict)  # site file -> the old site's file it is a copy of
    counts: dict[str, int] = field(default_factory=dict)
    broken_links: int = 0
    left_behind: list[tuple[str, int, str]] = field(default_factory=list)  # (old file, line, old URL path): links now to the old site
    lint_findings: dict[str, int] = field(default_factory=dict)  # the content lint's rule -> how often the old posts break it


@dataclass(frozen=True, slots=True)
class Places:
    """Where each post and page of the old site goes in the new one."""

    files: dict[str, str]  # old source -> the new file
    paths: dict[str, str]  # old post source -> its new URL path
    aliases: dict[str, list[str]]  # old post source -> the old URLs it keeps answering


@dataclass(frozen=True, slots=True)
class OldUrls:
    """What the old site's URLs and links lead to in the new one."""

    section_tags: dict[str, str]  # section key -> the tag its posts get
    tag_posts: dict[str, list[OldPost]]  # tag slug -> its posts
    redirects: list[tuple[str, str]]
    feeds: list[dict[str, str]]
    formats: tuple[str, ...]  # the formats of blogkit's own feeds: all, unless an old feed of the hub has the file of one
    links: OldLinks
    own_files: set[str]  # the files blogkit writes itself (robots.txt, 404.html, feeds): no old file is copied there


def plan_site(site: OldSite) -> Plan:
    """Who wrote what, where everything goes, what the old URLs lead to; then the files."""
    zone = _zone(site.timezone)
    mark_sections(site)
    credits = credit(site)
    places = _place(site, credits, zone)
    urls = _old_urls(site, credits, places)
    plan = Plan()
    for person_id, person in sorted(credits.people.items()):
        plan.texts[f"authors/{credits.handles[person_id]}.yaml"] = _dump(profile(site, person, credits.teams))
    if aliases := tag_aliases(_tags(post, urls.section_tags) for post in sorted(site.posts, key=lambda p: p.source)):
        plan.texts["tags.yaml"] = _dump(aliases)  # spellings of one tag, which shared its page on the old site
    if credits.teams:
        plan.texts["teams.yaml"] = _dump({key: team_entry(site, team) for key, team in sorted(credits.teams.items())})
    for post in sorted(site.posts, key=lambda p: p.source):
        _add_post(plan, site, post, credits, places, urls)
    for page in sorted(site.standalone, key=lambda p: p.source):
        _add_page(plan, site, page, places, urls)
    _report_left_behind(site, plan)
    for source, target in site.static:
        if target == "/robots.txt":  # the theme's robots.txt is a template: the old rules stay, at the same URL
            _copy(plan, site, "templates/robots.txt", source)
        elif target.lstrip("/") in urls.own_files:
            site.warn(source, 0, f"blogkit writes its own {target}; the old site's is not copied", _OWN_FILE_HINT)
        else:
            _copy(plan, site, "static" + target, source)
    plan.texts["blogkit.yaml"] = _config(site, urls, plan.lint_findings)
    plan.counts = {
        "posts": len(site.posts),
        "pages": len(site.standalone),
        "drafts": sum(1 for p in site.posts if p.draft),
        "authors": len(credits.people),
        "teams": len(credits.teams),
        "tags": len(urls.tag_posts),
        "aliases": sum(len(found) for found in places.aliases.values()),
        "redirects": len(urls.redirects),
        "feeds": len(urls.feeds),
        "broken links": plan.broken_links,
    }
    return plan


def _place(site: OldSite, credits: Credits, zone: ZoneInfo) -> Places:
    """posts/<owner>/<day>-<slug>.md (or a bundle's index.md), each name once; pages/<old path>.md."""
    files: dict[str, str] = {}
    paths: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    taken: set[str] = set()
    for post in sorted(site.posts, key=lambda p: p.source):
        owner = credits.authors[post.source][0]
        day = post.date.astimezone(zone).date().isoformat()
        slug = slugify(post.slug) or slugify(post.title) or "post"
        name, number = slug, 2
        while f"{owner}/{day}-{name}" in taken:
            name, number = f"{slug}-{number}", number + 1
        taken.add(f"{owner}/{day}-{name}")
        files[post.source] = f"posts/{owner}/{day}-{name}" + ("/index.md" if post.bundle_dir else ".md")
        paths[post.source] = expand_permalink(PERMALINK, when=post.date.astimezone(zone), slug=name, author=owner)
        aliases[post.source] = _aliases(post, paths[post.source], site)
    _one_post_per_case(site, paths, aliases)
    for page in site.standalone:
        files[page.source] = _page_file(page.url)
    return Places(files, paths, aliases)


def _one_post_per_case(site: OldSite, paths: dict[str, str], aliases: dict[str, list[str]]) -> None:
    """Old URLs that differ only by case ('/Notes/', '/notes/') are one file on a disk or server that ignores
    case, and the build refuses them: the older post keeps the old URL; the other keeps answering at its new
    URL only (its files too), and each such pair is reported, with the redirect a server that tells case apart can make."""
    claimed: dict[str, tuple[OldPost, str]] = {}
    posts = sorted(site.posts, key=lambda p: (p.draft, p.date, p.source))  # a draft, not published, comes last
    for post in posts:
        claimed[one_file_key(paths[post.source])] = (post, "/" + paths[post.source])
    for post in posts:
        kept = []
        for url in aliases[post.source]:
            other, other_url = claimed.setdefault(one_file_key(url.lstrip("/")), (post, url))
            if other is post and other_url == url:
                kept.append(url)
                continue
            new_url, owner = "/" + paths[post.source], "this post" if other is post else other.source
            same = f"is also an old URL of {owner}" if other_url == url else f"differs only by case from '{other_url}' of {owner}"
            site.warn(
                post.source,
                post.lines.get(_written(post, url), 1),
                f"the old URL '{url}' {same}, which keeps it: a site answers only one of them; this post answers at {new_url}",
                f"on a server that tells case apart, redirect {url} to {new_url} there"
                if other_url != url
                else f"if {url} should lead here, remove it from {owner} in the old site and import again",
            )
        aliases[post.source] = kept


def _written(post: OldPost, alias: str) -> str:
    """The old URL of a post as its source wrote it, for the alias it became."""
    return next((url for url in (post.url, *post.aliases) if "/" + check_alias(url)[0] == alias), post.url)


def _old_urls(site: OldSite, credits: Credits, places: Places) -> OldUrls:
    section_tags = {key: s.title for key, s in site.sections.items() if not s.team and not s.whole}
    tag_posts: dict[str, list[OldPost]] = {}
    for post in sorted(site.posts, key=lambda p: p.source):
        for tag in _tags(post, section_tags):
            tag_posts.setdefault(slugify(tag), []).append(post)
    tags = {slug for slug, posts in tag_posts.items() if any(not p.draft for p in posts)}
    pages = {page.source: "/" + places.files[page.source][len("pages/") : -len(".md")] + "/" for page in site.standalone}
    own = continuity.own_pages(credits.handles.values(), tags, credits.teams, _counts(site, credits, tag_posts))
    taken = own | set(places.paths.values()) | {path.lstrip("/") for path in pages.values()}
    redirects = continuity.redirects(site, credits.handles, credits.people, tags, taken, _series_starts(site, places))
    for page in site.standalone:
        for url in (page.url, *page.aliases):
            if url == pages[page.source] or check_alias(url)[1]:
                continue
            if url.casefold() == pages[page.source].casefold():  # one output path, two spellings: the build refuses it
                site.warn(
                    page.source,
                    1,
                    f"the old URL {url} differs from the page's new one, {pages[page.source]}, only by case; it answers only "
                    "where the server ignores case",
                    "blogkit names pages in lower case; link to the new URL",
                )
                continue
            redirects.append((url, pages[page.source]))
    kept = [url for urls in places.aliases.values() for url in urls] + [old for old, _ in redirects]
    answered_otherwise = taken | {check_alias(url)[0] for url in kept}
    redirects += continuity.moved(site, _new_urls(site, places, pages, redirects, own), answered_otherwise)
    feeds, formats = continuity.feeds(site, credits.handles, credits.people, tags, own)
    answered = {form for path, _ in redirects for form in url_forms(path)}
    answered |= {form for feed in feeds for form in url_forms(feed["path"])}
    answered |= {form for _, target in site.static for form in url_forms(target)}
    answered |= {form for tag in tags for form in url_forms(f"/tags/{tag}/")} | {"/"}
    by_url: dict[str, str] = {}
    for post in sorted(site.posts, key=lambda p: p.source):
        for url in (post.url, *post.aliases):
            for form in url_forms(url):
                by_url.setdefault(form, places.files[post.source])
    for page in site.standalone:
        for form in url_forms(page.url):
            by_url.setdefault(form, places.files[page.source])
    links = OldLinks(site.base_url, dict(places.files), by_url, dict(site.pages), frozenset(answered))
    return OldUrls(section_tags, tag_posts, sorted(redirects), feeds, formats, links, continuity.own_files(own))


def _new_urls(site: OldSite, places: Places, pages: Mapping[str, str], redirects: list[tuple[str, str]], own: set[str]) -> dict[str, str]:
    """Each form of an old URL path -> the new URL path that answers it: a post's, else a page's, else a redirect's
    target, else blogkit's own page at the same path."""
    answers = [
        (url, "/" + places.paths[post.source]) for post in sorted(site.posts, key=lambda p: p.source) for url in (post.url, *post.aliases)
    ]
    answers += [(page.url, pages[page.source]) for page in site.standalone]
    answers += redirects
    answers += [("/" + path, "/" + path) for path in sorted(own) if "." not in path.rsplit("/", 1)[-1]]
    found: dict[str, str] = {}
    for old, new in answers:
        for form in url_forms(old):
            found.setdefault(form, new)
    return found


def _series_starts(site: OldSite, places: Places) -> dict[str, str]:
    """The new path of each series' first published post: its page lists the whole series, in order."""
    starts: dict[str, str] = {}
    for post in sorted(site.posts, key=lambda p: (p.date, p.source)):
        if post.series and not post.draft:
            starts.setdefault(post.series, places.paths[post.source])
    return starts


def _add_post(plan: Plan, site: OldSite, post: OldPost, credits: Credits, places: Places, urls: OldUrls) -> None:
    new_file = places.files[post.source]
    body = _body(plan, site, post.source, post.body, post.body_line, post.url, new_file, frozenset(post.assets), urls)
    tags = _tags(post, urls.section_tags)
    plan.texts[new_file] = _post_text(post, list(credits.authors[post.source]), tags, places.aliases[post.source], body)
    old_path, problem = check_alias(post.url)
    for asset in post.assets:
        inside = posixpath.relpath(asset, post.bundle_dir)
        _copy(plan, site, posixpath.join(posixpath.dirname(new_file), inside), asset)
        if post.url.endswith("/") and not problem and "/" + old_path in places.aliases[post.source] and not post.draft:
            _copy(plan, site, f"static/{old_path}{inside}", asset)  # at its old URL too: feed readers and other sites show it from there
        # a draft's files stay in its bundle, which publishes them with the post; the old generators published none of them


def _add_page(plan: Plan, site: OldSite, page: OldPage, places: Places, urls: OldUrls) -> None:
    new_file = places.files[page.source]
    body = _body(plan, site, page.source, page.body, page.body_line, page.url, new_file, frozenset(), urls)
    plan.texts[new_file] = _page_text(page, body)


def _page_text(page: OldPage, body: str) -> str:
    meta: dict[str, Any] = {"title": page.title}
    if page.summary:
        meta["summary"] = page.summary
    if page.draft:
        meta["draft"] = True
    return "---\n" + _dump(meta) + "---\n" + body.lstrip("\n").rstrip() + "\n"


def _body(
    plan: Plan, site: OldSite, source: str, body: str, first_line: int, old_url: str, new_file: str, bundle: frozenset[str], urls: OldUrls
) -> str:
    """A body with its links made links of the new site; the broken ones counted and reported."""

    def note(line: int, message: str, hint: str) -> None:
        site.warn(source, line, message, hint)

    def left_behind(line: int, path: str) -> None:
        plan.left_behind.append((source, line, path))

    made, broken = rewrite_links(
        body,
        new_file=new_file,
        old_source=source,
        old_url=old_url,
        bundle_files=bundle,
        links=urls.links,
        first_line=first_line,
        report=note,
        left_behind=left_behind,
    )
    plan.broken_links += broken
    for lint in lint_markdown(BodySource(made, first_line), MarkdownConfig(heading_ids=site.heading_ids)):
        plan.lint_findings[lint.rule] = plan.lint_findings.get(lint.rule, 0) + 1
    return made


def _report_left_behind(site: OldSite, plan: Plan) -> None:
    """One warning for all the links to pages the import does not bring over (another section, another
    language): each now leads to that page on the old site, which must keep serving it."""
    if not plan.left_behind:
        return
    found = sorted(plan.left_behind)
    first = ", ".join(f"{source}:{line} ({path})" for source, line, path in found[:3])
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    what = (
        f"{len(found)} links to pages the import leaves behind now lead to them"
        if len(found) > 1
        else "1 link to a page the import leaves behind now leads to it"
    )
    site.warn(
        found[0][0],
        found[0][1],
        f"{what} on the old site, {site.base_url}, by absolute URL: {first}{more}",
        "keep the old site serving those pages, or import their sections too (--section)",
    )


def _counts(site: OldSite, credits: Credits, tag_posts: Mapping[str, list[OldPost]]) -> dict[str, int]:
    """The published posts of each list blogkit pages: the hub, each tag, author and team."""
    published = [p for p in site.posts if not p.draft]
    counts = {"": len(published)}
    counts.update({f"tags/{tag}/": sum(1 for p in posts if not p.draft) for tag, posts in tag_posts.items()})
    teams_of = {credits.handles[i]: person.team for i, person in credits.people.items() if person.team}
    for post in published:
        handles = credits.authors[post.source]
        for handle in handles:
            counts[f"authors/{handle}/"] = counts.get(f"authors/{handle}/", 0) + 1
        for team in sorted({teams_of[h] for h in handles if h in teams_of}):
            counts[f"teams/{team}/"] = counts.get(f"teams/{team}/", 0) + 1
    return counts


# -- posts ------------------------------------------------------------------------------------


def _page_file(url: str) -> str:
    """'/about/' or '/about.html' -> 'pages/about.md'; each part a slug."""
    parts = [slugify(part.removesuffix(".html").removesuffix(".htm")) or "page" for part in url.strip("/").split("/") if part]
    return "pages/" + "/".join(parts or ["home"]) + ".md"


def _tags(post: OldPost, section_tags: Mapping[str, str]) -> list[str]:
    tags = list(post.tags)
    if post.section in section_tags:
        tags.append(section_tags[post.section])
    seen: set[str] = set()
    return [t for t in tags if t.strip() and not (t.casefold() in seen or seen.add(t.casefold()))]  # type: ignore[func-returns-value]


def _aliases(post: OldPost, new_path: str, site: OldSite) -> list[str]:
    found: list[str] = []
    for url in (post.url, *post.aliases):
        path, problem = check_alias(url)
        line = post.lines.get(url, 1)
        if ".." in unquote(url).split("/"):
            site.warn(
                post.source,
                line,
                f"the old URL '{url}' steps out of the site with '..'; it is kept neither as an alias nor as a place for the post's files",
                "write the address the page was served at, e.g. /blog/raft/",
            )
            continue
        if problem:
            site.warn(post.source, line, f"the old URL '{url}' cannot be kept as an alias", problem)
            continue
        if path != new_path and "/" + path not in found:
            found.append("/" + path)
    return found


def _post_text(post: OldPost, authors: list[str], tags: list[str], aliases: list[str], body: str) -> str:
    meta: dict[str, Any] = {"title": post.title, "date": post.date.isoformat()}
    if len(authors) > 1:
        meta["authors"] = authors
    if tags:
        meta["tags"] = tags
    if post.summary:
        meta["summary"] = post.summary
    if post.updated:
        meta["updated"] = post.updated.isoformat()
    if post.draft:
        meta["draft"] = True
    if aliases:
        meta["aliases"] = aliases
    meta["id"] = post.feed_id
    for key in ("series", "canonical", "discussion"):
        if getattr(post, key):
            meta[key] = getattr(post, key)
    if post.extra:
        meta["extra"] = _plain(post.extra)
    return "---\n" + _dump(meta) + "---\n" + body.lstrip("\n").rstrip() + "\n"


def unsafe_path(path: str) -> str:
    """Why `path` cannot be a file of the new site ('' when it can): it must be relative, each of its
    parts a name (not '', '.' or '..'), without NUL or other control characters."""
    if not path or path.startswith("/") or "\\" in path:
        return "it is not a relative path"
    if _CONTROL.search(path):
        return "it holds a control character"
    if any(part in ("", ".", "..") for part in path.split("/")):
        return "it steps out of its folder ('..', '.' or an empty part)"
    return ""


def _copy(plan: Plan, site: OldSite, path: str, source: str) -> None:
    """Copy a file of the old site to `path` of the new one, unless that path would not stay in the new site."""
    problem = unsafe_path(path)
    if problem:
        site.warn(source, 0, f"the file is not copied to '{path}': {problem}", "rename it in the old site, then import again")
        return
    if source in site.rewritten:
        plan.texts[path] = site.rewritten[source]
        return
    plan.copies[path] = source


# -- the config --------------------------------------------------------------------------------


def _config(site: OldSite, urls: OldUrls, lint_findings: Mapping[str, int]) -> str:
    config: dict[str, Any] = {"title": site.title or "Engineering", "base_url": site.base_url}
    if site.description:
        config["description"] = site.description
    config["language"] = site.language
    config["timezone"] = site.timezone
    config["markdown"] = {"heading_ids": site.heading_ids}
    if site.kept_template_syntax:  # each was reported at import; the build shows them as notes, failing no build
        config["markdown"]["template_syntax"] = "note"
    # Years of old links: the import checks the links of Markdown it can resolve, the build every one (anchors, raw HTML);
    # each broken one is shown by build and check, none fails --strict, until the maintainer removes this.
    config["links"] = {"broken": "note"}
    # Years of old content: each rule of the lint the old posts break is a note (build and check show each finding,
    # none fails --strict); the import says so once. Rules they keep stay warnings, so new posts keep to them.
    if lint_findings:
        config["lint"] = {rule: "note" for rule in RULES if rule in lint_findings}
    if urls.redirects:
        config["redirects"] = [{"from": old, "to": new} for old, new in urls.redirects]
    if urls.feeds:
        config["legacy_feeds"] = urls.feeds
    feeds: dict[str, Any] = {}
    if urls.formats != tuple(FEED_FORMATS):
        feeds["formats"] = list(urls.formats)  # an old feed of the hub keeps the file of the format left out
    if site.feed_entries > FEED_ENTRIES:
        feeds["entries"] = site.feed_entries  # as many as the old feeds held: their ids stay in them
    if feeds:
        config["feeds"] = feeds
    head = f"# imported from a {site.generator.capitalize()} site by `blogkit import`; see docs/migrating.md\n"
    return head + _dump(config)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _plain(value: Any) -> Any:
    """TOML and JSON values as YAML writes them plainly: dates as text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
