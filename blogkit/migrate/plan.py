"""The old site, as the files of a blogkit site folder: profiles, teams, posts, config.

Pure: reads nothing but the model (the writer copies the files it names), so the same old
site always gives the same folder, byte for byte.
"""

from __future__ import annotations

import dataclasses
import posixpath
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from blogkit.core.config import SiteConfig
from blogkit.core.urls import check_alias, expand_permalink, slugify
from blogkit.migrate import continuity
from blogkit.migrate.links import OldLinks, rewrite_links, url_forms
from blogkit.migrate.model import OldPost, OldSite, OldTeam, Person
from blogkit.migrate.people import assign_handles, identity

PERMALINK = str(SiteConfig.__dataclass_fields__["permalink"].default)  # blogkit's own: every old URL becomes an alias of it


@dataclass(slots=True)
class Plan:
    texts: dict[str, str] = field(default_factory=dict)  # site file -> its text
    copies: dict[str, str] = field(default_factory=dict)  # site file -> the old site's file it is a copy of
    counts: dict[str, int] = field(default_factory=dict)
    broken_links: int = 0


def plan_site(site: OldSite) -> Plan:
    plan = Plan()
    zone = _zone(site.timezone)
    _mark_team_sections(site)
    _mark_whole_section(site)
    people = _people(site)
    handles = assign_handles(people.values())
    fallback = Person(key="", name=site.title or "Editors")
    posts = sorted(site.posts, key=lambda p: p.source)
    owners = {p.source: handles.get(identity(_canonical(p.authors[0], people)) if p.authors else "", "") for p in posts}
    if any(not owner for owner in owners.values()):
        handles[identity(fallback)] = slugify(fallback.name) or "editors"
        people[identity(fallback)] = fallback
        for post in posts:
            if not post.authors:
                hint = f"it is credited to '{fallback.name}' ({handles[identity(fallback)]})"
                site.warn(post.source, 1, "the post names no author", hint)
    section_tags = {key: s.title for key, s in site.sections.items() if not s.team and not s.whole}

    # where each post goes, and its new URL
    files: dict[str, str] = {}
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for post in posts:
        owner = owners[post.source] or handles[identity(fallback)]
        day = post.date.astimezone(zone).date().isoformat()
        slug = slugify(post.slug) or slugify(post.title) or "post"
        name, number = f"{day}-{slug}", 2
        while name in taken or f"{owner}/{name}" in taken:
            name, number = f"{day}-{slug}-{number}", number + 1
        taken.add(f"{owner}/{name}")
        files[post.source] = f"posts/{owner}/{name}/index.md" if post.bundle_dir else f"posts/{owner}/{name}.md"
        final_slug = name[len(day) + 1 :]
        paths[post.source] = expand_permalink(PERMALINK, when=post.date.astimezone(zone), slug=final_slug, author=owner)

    fallback_handle = handles.get(identity(fallback), "")
    owners_all = {p.source: [handles[identity(_canonical(a, people))] for a in p.authors] or [fallback_handle] for p in posts}

    # what the old site's URLs lead to now
    tag_posts: dict[str, list[OldPost]] = {}
    for post in posts:
        for tag in _tags(post, section_tags):
            tag_posts.setdefault(slugify(tag), []).append(post)
    published_tags = {slug for slug, ps in tag_posts.items() if any(not p.draft for p in ps)}
    pages = sorted(site.standalone, key=lambda p: p.source)
    page_files = {page.source: _page_file(page.url) for page in pages}
    new_paths = {paths[p.source] for p in posts} | {f[len("pages/") : -len(".md")] + "/" for f in page_files.values()}
    team_keys = _teams(site, people)
    own = continuity.own_pages(handles.values(), published_tags, team_keys, _counts(posts, owners_all, tag_posts, people, handles))
    redirects = continuity.redirects(site, handles, people, published_tags, new_paths | own)
    for page in pages:
        moved = "/" + page_files[page.source][len("pages/") : -len(".md")] + "/"
        if page.url != moved and not check_alias(page.url)[1]:
            redirects.append((page.url, moved))
    redirects.sort()
    feeds = continuity.feeds(site, handles, people, published_tags, own)
    answered = {form for path, _ in redirects for form in url_forms(path)}
    answered |= {form for feed in feeds for form in url_forms(feed["path"])}
    answered |= {form for _, target in site.static for form in url_forms(target)}
    answered |= {form for tag in published_tags for form in url_forms(f"/tags/{tag}/")}
    answered |= {"/"}
    by_url: dict[str, str] = {}
    for post in posts:
        for url in (post.url, *post.aliases):
            for form in url_forms(url):
                by_url.setdefault(form, files[post.source])
    for page in pages:
        for form in url_forms(page.url):
            by_url.setdefault(form, page_files[page.source])
    by_source = {p.source: files[p.source] for p in posts} | page_files
    links = OldLinks(site.base_url, by_source, by_url, dict(site.pages), frozenset(answered))

    # the files
    for person_id, person in sorted(people.items()):
        plan.texts[f"authors/{handles[person_id]}.yaml"] = _dump(_profile(site, person, team_keys))
    for post in posts:
        new_file = files[post.source]

        def note(line: int, message: str, hint: str, source: str = post.source) -> None:
            site.warn(source, line, message, hint)

        body, broken = rewrite_links(
            post.body,
            new_file=new_file,
            old_source=post.source,
            old_url=post.url,
            bundle_files=frozenset(post.assets),
            links=links,
            first_line=post.body_line,
            report=note,
        )
        plan.broken_links += broken
        aliases = _aliases(post, paths[post.source], site)
        authors = [handles[identity(_canonical(p, people))] for p in post.authors] or [handles[identity(fallback)]]
        plan.texts[new_file] = _post_text(post, authors, _tags(post, section_tags), aliases, zone, body)
        for asset in post.assets:
            inside = posixpath.relpath(asset, post.bundle_dir)
            plan.copies[posixpath.join(posixpath.dirname(new_file), inside)] = asset
            if post.url.endswith("/") and post.url.strip("/") + "/" != paths[post.source]:
                plan.copies[f"static{post.url}{inside}"] = asset  # at its old URL too: feed readers and other sites show it from there
    for page in pages:
        new_file = page_files[page.source]

        def page_note(line: int, message: str, hint: str, source: str = page.source) -> None:
            site.warn(source, line, message, hint)

        body, broken = rewrite_links(
            page.body,
            new_file=new_file,
            old_source=page.source,
            old_url=page.url,
            bundle_files=frozenset(),
            links=links,
            first_line=page.body_line,
            report=page_note,
        )
        plan.broken_links += broken
        meta: dict[str, Any] = {"title": page.title}
        if page.summary:
            meta["summary"] = page.summary
        if page.draft:
            meta["draft"] = True
        plan.texts[new_file] = "---\n" + _dump(meta) + "---\n" + body.lstrip("\n").rstrip() + "\n"
    for source, target in site.static:
        plan.copies["static" + target] = source
    if team_keys:
        plan.texts["teams.yaml"] = _dump({key: _team(team) for key, team in sorted(team_keys.items())})
    plan.texts["blogkit.yaml"] = _config(site, redirects, feeds, plan.broken_links > 0)
    plan.counts = {
        "posts": len(posts),
        "pages": len(pages),
        "drafts": sum(1 for p in posts if p.draft),
        "authors": len(people),
        "teams": len(team_keys),
        "tags": len(tag_posts),
        "aliases": sum(1 for p in posts for _ in _aliases(p, paths[p.source], site)),
        "redirects": len(redirects),
        "feeds": len(feeds),
        "broken links": plan.broken_links,
    }
    return plan


# -- people -----------------------------------------------------------------------------------


def _people(site: OldSite) -> dict[str, Person]:
    """Every author of an imported post, by identity, with what the source's author data says of them."""
    found: dict[str, Person] = {}
    for post in sorted(site.posts, key=lambda p: p.source):
        section = site.sections.get(post.section)
        for person in post.authors:
            person = _canonical(person, site.people)
            if section is not None and section.team and not person.team:
                person = dataclasses.replace(person, team=section.team)  # a team's section: its authors are the team's
            known = found.get(identity(person))
            found[identity(person)] = person if known is None else _merged(known, person)
    return found


def _counts(
    posts: list[OldPost],
    authors: Mapping[str, list[str]],
    tag_posts: Mapping[str, list[OldPost]],
    people: Mapping[str, Person],
    handles: Mapping[str, str],
) -> dict[str, int]:
    """The published posts of each list blogkit pages: the hub, each tag, author and team."""
    published = [p for p in posts if not p.draft]
    counts = {"": len(published)}
    counts.update({f"tags/{tag}/": sum(1 for p in ps if not p.draft) for tag, ps in tag_posts.items()})
    teams_of = {handles[i]: person.team for i, person in people.items() if person.team}
    for post in published:
        for handle in authors[post.source]:
            counts[f"authors/{handle}/"] = counts.get(f"authors/{handle}/", 0) + 1
        for team in sorted({teams_of[h] for h in authors[post.source] if h in teams_of}):
            counts[f"teams/{team}/"] = counts.get(f"teams/{team}/", 0) + 1
    return counts


def _merged(first: Person, later: Person) -> Person:
    """One person written twice: what the first writing says, and what only the later one adds."""
    return dataclasses.replace(
        first,
        bio=first.bio or later.bio,
        email=first.email or later.email,
        avatar=first.avatar or later.avatar,
        affiliation=first.affiliation or later.affiliation,
        team=first.team or later.team,
        links=first.links + tuple(link for link in later.links if link not in first.links),
    )


def _mark_whole_section(site: OldSite) -> None:
    """The one section that holds every post (the blog of a site), if any: it is the hub."""
    keys = {post.section for post in site.posts}
    if len(keys) == 1 and (key := keys.pop()) in site.sections and not site.sections[key].team:
        site.sections[key] = dataclasses.replace(site.sections[key], whole=True)


def _mark_team_sections(site: OldSite) -> None:
    """A section named like a team of the old site (`storage`, "Storage team") is that team's, not a tag."""
    teams = {slugify(key): key for key in site.teams} | {slugify(team.name): key for key, team in site.teams.items()}
    for key, section in sorted(site.sections.items()):
        for name in (section.key, section.title, section.title.removesuffix(" team").removesuffix(" Team")):
            if not section.team and slugify(name) in teams:
                site.sections[key] = section = dataclasses.replace(section, team=teams[slugify(name)])


def _canonical(person: Person, known: Mapping[str, Person]) -> Person:
    """The source's own record of a person named in a post: by key, or by exactly the name it gives."""
    if person.key and person.key in known:
        return known[person.key]
    if not person.key:
        name = unicodedata.normalize("NFC", person.name)
        for key in sorted(known):
            if key == name or unicodedata.normalize("NFC", known[key].name) == name:
                return known[key]
    for other in known.values():
        if identity(other) == identity(person):
            return other
    return person


def _profile(site: OldSite, person: Person, teams: Mapping[str, OldTeam]) -> dict[str, Any]:
    profile: dict[str, Any] = {"name": person.name}
    bio = person.bio
    if person.affiliation:
        bio = f"{bio} ({person.affiliation})" if bio else person.affiliation
    if bio:
        profile["bio"] = bio
    static = {target.lstrip("/") for _, target in site.static}
    if person.avatar.startswith("https://"):
        profile["avatar"] = person.avatar
    elif person.avatar.lstrip("/") in static:
        profile["avatar"] = person.avatar.lstrip("/")
    elif person.avatar:
        site.warn(site.config_file, 0, f"the avatar '{person.avatar}' of {person.name} is no file of the old site", "add it to the profile")
    if person.email:
        profile["email"] = person.email
    if person.team and person.team in teams:
        profile["team"] = person.team
    if person.links:
        profile["links"] = [{"label": label, "url": url} for label, url in person.links]
    return profile


def _teams(site: OldSite, people: Mapping[str, Person]) -> dict[str, OldTeam]:
    """The teams of the old site, and those its authors name without describing them."""
    teams = dict(site.teams)
    for section in site.sections.values():
        if section.team:
            teams.setdefault(section.team, OldTeam(section.team, section.title))
    for person in people.values():
        if person.team and person.team not in teams:
            teams[person.team] = OldTeam(person.team, person.team.replace("-", " ").title())
    return {slugify(key): team for key, team in sorted(teams.items())}


def _team(team: OldTeam) -> dict[str, str]:
    out = {"name": team.name}
    if team.description:
        out["description"] = team.description
    if team.url:
        out["url"] = team.url
    return out


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
        if problem:
            site.warn(post.source, 1, f"the old URL '{url}' cannot be kept as an alias", problem)
            continue
        if path != new_path and "/" + path not in found:
            found.append("/" + path)
    return found


def _post_text(post: OldPost, authors: list[str], tags: list[str], aliases: list[str], zone: ZoneInfo, body: str) -> str:
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
    if post.extra:
        meta["extra"] = _plain(post.extra)
    return "---\n" + _dump(meta) + "---\n" + body.lstrip("\n").rstrip() + "\n"


# -- the config --------------------------------------------------------------------------------


def _config(site: OldSite, redirects: list[tuple[str, str]], feeds: list[dict[str, str]], broken: bool) -> str:
    config: dict[str, Any] = {"title": site.title or "Engineering", "base_url": site.base_url}
    if site.description:
        config["description"] = site.description
    config["language"] = site.language
    config["timezone"] = site.timezone
    config["markdown"] = {"heading_ids": site.heading_ids}
    if broken:
        config["links"] = {"broken": "warning"}
    if redirects:
        config["redirects"] = [{"from": old, "to": new} for old, new in redirects]
    if feeds:
        config["legacy_feeds"] = feeds
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
