"""Who wrote what: the people of the old site's posts, their handles, teams and profiles.

A person named in a post is the source's own record of them when the source says so (the
same key, or exactly the name its author data gives); written twice, they keep what each
writing adds. A post names its authors first to last: the first owns it (its folder).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from blogkit.core.fields import is_http_url
from blogkit.core.urls import slugify
from blogkit.migrate.model import OldSite, OldTeam, Person
from blogkit.migrate.people import assign_handles, identity


@dataclass(frozen=True, slots=True)
class Credits:
    people: dict[str, Person]  # identity -> the person, as complete as the source makes them
    handles: dict[str, str]  # identity -> handle
    authors: dict[str, tuple[str, ...]]  # post source -> its authors' handles, the owner first
    teams: dict[str, OldTeam]  # the teams of teams.yaml, by key


def mark_sections(site: OldSite) -> None:
    """A section named like a team (`storage`, "Storage team") is that team's; one that holds every post is the hub."""
    teams = {slugify(key): key for key in site.teams} | {slugify(team.name): key for key, team in site.teams.items()}
    for key, section in sorted(site.sections.items()):
        for name in (section.key, section.title, section.title.removesuffix(" team").removesuffix(" Team")):
            if not section.team and slugify(name) in teams:
                site.sections[key] = section = dataclasses.replace(section, team=teams[slugify(name)])
    keys = {post.section for post in site.posts}
    if len(keys) == 1 and (key := keys.pop()) in site.sections and not site.sections[key].team:
        site.sections[key] = dataclasses.replace(site.sections[key], whole=True)


def credit(site: OldSite) -> Credits:
    people = _people(site)
    fallback = Person(key="", name=site.author or site.title or "Editors")
    if any(not post.authors for post in site.posts):
        people[identity(fallback)] = fallback
    handles = assign_handles(people.values())
    authors: dict[str, tuple[str, ...]] = {}
    for post in sorted(site.posts, key=lambda p: p.source):
        named = tuple(dict.fromkeys(handles[identity(_canonical(p, site.people))] for p in post.authors))
        if not named:
            named = (handles[identity(fallback)],)
            site.warn(post.source, 1, "the post names no author", f"it is credited to '{fallback.name}' ({named[0]})")
        authors[post.source] = named
    return Credits(people, handles, authors, _teams(site, people))


def profile(site: OldSite, person: Person, teams: Mapping[str, OldTeam]) -> dict[str, Any]:
    """authors/<handle>.yaml: an affiliation goes in the bio; an avatar only if it is a file the site keeps."""
    made: dict[str, Any] = {"name": person.name}
    bio = person.bio
    if person.affiliation:
        bio = f"{bio} ({person.affiliation})" if bio else person.affiliation
    if bio:
        made["bio"] = bio
    static = {target.lstrip("/") for _, target in site.static}
    if person.avatar.startswith("https://"):
        made["avatar"] = person.avatar
    elif person.avatar.lstrip("/") in static:
        made["avatar"] = person.avatar.lstrip("/")
    elif person.avatar:
        site.warn(site.config_file, 0, f"the avatar '{person.avatar}' of {person.name} is no file of the old site", "add it to the profile")
    if person.email:
        made["email"] = person.email
    if person.team and person.team in teams:
        made["team"] = person.team
    links = []
    for label, url in person.links:
        usable = usable_url(url)
        if usable:
            links.append({"label": label, "url": usable})
        else:
            site.warn(site.config_file, 0, f"the link '{url[:80]}' of {person.name} is no URL a profile can hold; it is left out")
    if links:
        made["links"] = links
    return made


def team_entry(site: OldSite, team: OldTeam) -> dict[str, str]:
    """One team of teams.yaml."""
    entry = {"name": team.name}
    if team.description:
        entry["description"] = team.description
    if team.url and (usable := usable_url(team.url)):
        entry["url"] = usable
    elif team.url:
        site.warn(site.config_file, 0, f"the URL '{team.url[:80]}' of the team {team.name} is no URL teams.yaml can hold; it is left out")
    return entry


def usable_url(url: str) -> str:
    """An old site's URL as a profile or teams.yaml may hold it: spaces percent-encoded; '' when it is no http(s) URL even so."""
    encoded = url.strip().replace(" ", "%20")
    return encoded if is_http_url(encoded) else ""


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


def _canonical(person: Person, known: Mapping[str, Person]) -> Person:
    """The source's own record of a person named in a post: by key, or by exactly the name it gives."""
    if person.key and person.key in known:
        return known[person.key]
    if not person.key:
        name = unicodedata.normalize("NFC", person.name)
        for key in sorted(known):
            if key == name or unicodedata.normalize("NFC", known[key].name) == name:
                return known[key]
    return person


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
