"""Engineer and team profiles, and the tag vocabulary: authors/, teams.yaml, tags.yaml."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from blogkit.core.diagnostics import Location, Report
from blogkit.core.fields import Fields
from blogkit.core.model import Author, Link, TagInfo, Team
from blogkit.core.urls import is_valid_slug
from blogkit.load.sources import read_yaml_file

AUTHOR_KEYS = ("name", "role", "bio", "avatar", "email", "team", "links", "feed", "feed_tags", "feed_content")
TEAM_KEYS = ("name", "description", "url")
TAG_KEYS = ("aliases", "description")


@dataclass(frozen=True, slots=True)
class Profiles:
    authors: Mapping[str, Author]
    teams: Mapping[str, Team]
    vocabulary: Mapping[str, TagInfo]  # lowercased canonical name -> tag
    aliases: Mapping[str, str]  # lowercased alias -> canonical name
    # Handles whose profile exists but could not be read (its error is reported once, there):
    # posts naming them are left out without a second, false "unknown author".
    broken: frozenset[str] = frozenset()


def load_profiles(root: str, author_files: tuple[str, ...], static_files: tuple[str, ...], report: Report) -> Profiles:
    teams = _load_teams(root, report)
    vocabulary, aliases = _load_tags(root, report)
    authors = {}
    broken = set()
    for path in author_files:
        author = _load_author(root, path, teams, set(static_files), report)
        if author:
            authors[author.handle] = author
        else:
            broken.add(os.path.splitext(os.path.basename(path))[0])
    return Profiles(authors, teams or {}, vocabulary, aliases, frozenset(broken - set(authors)))


def _load_mapping(root: str, path: str, report: Report, what: str) -> tuple[dict[str, Any], str] | None:
    loaded = read_yaml_file(root, path, report)
    if loaded is None:
        return None
    data, text = loaded
    if data is None:
        data = {}
    if not isinstance(data, dict):
        report.error(Location(path, 1, 1), f"{what} must be a mapping of `key: value` lines")
        return None
    return data, text


def _load_author(root: str, path: str, teams: Mapping[str, Team] | None, static_files: set[str], report: Report) -> Author | None:
    """The profile, or None after reporting why it cannot be read. `teams` is None when teams.yaml
    could not be read: its error stands for every team a profile names."""
    handle = os.path.splitext(os.path.basename(path))[0]
    if not is_valid_slug(handle):
        report.error(
            Location(path),
            f"'{handle}' is not a valid author handle",
            "name the file with lowercase letters, digits and dashes, e.g. ada-okafor.yaml",
        )
        return None
    loaded = _load_mapping(root, path, report, "a profile")
    if loaded is None:
        return None
    data, text = loaded
    f = Fields(data, text=text, path=path, line_offset=0, report=report, what="the profile")
    f.check_keys(AUTHOR_KEYS)
    name = f.string("name", required=True) or handle
    team = f.string("team") or ""
    if team and teams is None:
        team = ""  # teams.yaml has errors, reported there
    elif team and teams is not None and team not in teams:
        known = ", ".join(sorted(teams)) or "none: add teams.yaml"
        f.error(("team",), f"unknown team '{team}'", f"teams defined in teams.yaml: {known}")
        team = ""
    avatar = f.string("avatar") or ""
    if avatar and not avatar.startswith("https://"):
        avatar = avatar.lstrip("/")
        if avatar.startswith("static/"):
            avatar = avatar[len("static/") :]
        if f"static/{avatar}" not in static_files:
            f.error(
                ("avatar",),
                f"avatar '{avatar}' is not a file under static/",
                "put the image in static/ (e.g. static/avatars/ada.png) or use an https URL",
            )
            avatar = ""
    email = f.string("email") or ""
    if email and ("@" not in email or any(c.isspace() for c in email)):
        f.error(("email",), f"'{email}' is not an email address")
        email = ""
    return Author(
        handle=handle,
        name=name,
        source=path,
        role=_role(f),
        bio=f.string("bio") or "",
        avatar=avatar,
        email=email,
        team=team,
        links=_links(f),
        feed=f.url("feed") or "",
        feed_tags=tuple(tag for _, tag in f.string_list("feed_tags") or []),
        feed_content=f.choice("feed_content", ("summary", "full"), "summary"),
    )


ROLE_CHARS = 80


def _role(f: Fields) -> str:
    """A few words under the name: a longer text belongs in the bio."""
    role = " ".join((f.string("role") or "").split())
    if len(role) > ROLE_CHARS:
        hint = "say what you do in a few words; the rest goes in bio:"
        f.error(("role",), f"the role is {len(role)} characters; at most {ROLE_CHARS} fit under a name", hint)
        return ""
    return role


def _links(f: Fields) -> tuple[Link, ...]:
    if not f.has("links"):
        return ()
    value = f.data["links"]
    if not isinstance(value, list):
        f.error(("links",), "'links' must be a list of {label, url}", 'write links: [{label: GitHub, url: "https://github.com/ada"}]')
        return ()
    links = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not isinstance(item.get("label"), str) or not item.get("label", "").strip():
            f.error(("links", i), "each link needs a 'label' and a 'url'", 'write - {label: GitHub, url: "https://github.com/ada"}')
            continue
        url = f.check_url(item.get("url"), ("links", i, "url"), "url")
        if url:
            links.append(Link(item["label"].strip(), url))
    return tuple(links)


def _entries(root: str, path: str, report: Report, kind: str) -> Iterator[tuple[str, Any, Fields]] | None:
    """Each `name: {...}` entry of an optional file (teams.yaml, tags.yaml) with its located fields;
    None when the file exists but cannot be read (after reporting why)."""
    if not os.path.exists(os.path.join(root, path)):
        return iter(())
    loaded = _load_mapping(root, path, report, path)
    if loaded is None:
        return None
    return _each_entry(path, report, kind, *loaded)


def _each_entry(path: str, report: Report, kind: str, data: dict[str, Any], text: str) -> Iterator[tuple[str, Any, Fields]]:
    for key, value in data.items():
        name = str(key).strip()
        fields = Fields(
            value if isinstance(value, dict) else {},
            text=text,
            path=path,
            line_offset=0,
            report=report,
            what=f"{kind} '{name}'",
            prefix=(name,),
        )
        yield name, value, fields


def _load_teams(root: str, report: Report) -> dict[str, Team] | None:
    """The teams; None when teams.yaml cannot be read."""
    entries = _entries(root, "teams.yaml", report, "team")
    if entries is None:
        return None
    teams = {}
    for key, value, f in entries:
        if not is_valid_slug(key):
            f.error((), f"team key '{key}' is not a valid slug", "use lowercase letters, digits and dashes, e.g. storage")
            continue
        if not isinstance(value, dict):
            f.error(
                (), f"team '{key}' must be a mapping with name, description and url", "write storage: {name: Storage, description: ...}"
            )
            continue
        f.check_keys(TEAM_KEYS)
        teams[key] = Team(key, f.string("name", required=True) or key, f.string("description") or "", f.url("url") or "")
    return teams


def _load_tags(root: str, report: Report) -> tuple[dict[str, TagInfo], dict[str, str]]:
    vocabulary: dict[str, TagInfo] = {}
    aliases: dict[str, str] = {}
    for name, value, f in _entries(root, "tags.yaml", report, "tag") or ():
        if value is not None and not isinstance(value, dict):
            f.error(
                (), f"tag '{name}' must be a mapping with aliases and description", "write Kubernetes: {aliases: [k8s], description: ...}"
            )
            continue
        f.check_keys(TAG_KEYS)
        lowered = name.lower()
        if lowered in vocabulary or lowered in aliases:
            f.error((), f"tag '{name}' is defined twice (names are compared ignoring case)")
            continue
        tag_aliases = []
        for index, alias in f.string_list("aliases") or []:
            alias = alias.strip()
            keypath = ("aliases",) if index < 0 else ("aliases", index)
            if not alias:
                continue
            if alias.lower() in aliases or alias.lower() in vocabulary:
                f.error(keypath, f"alias '{alias}' is already used by tag '{aliases.get(alias.lower(), alias)}'")
                continue
            aliases[alias.lower()] = name
            tag_aliases.append(alias)
        vocabulary[lowered] = TagInfo(name, f.string("description") or "", tuple(tag_aliases))
    for alias, name in list(aliases.items()):
        if alias in vocabulary:
            report.error(Location("tags.yaml"), f"'{alias}' is both a tag and an alias of '{name}'")
    return vocabulary, aliases
