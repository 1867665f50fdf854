"""Reviewers from profiles: the `CODEOWNERS` block that `blogkit codeowners` writes and `check` compares.

Each engineer's posts folder and profile go to that engineer's GitHub handle (a profile link to
github.com: `https://github.com/ada` is `@ada`, `https://github.com/orgs/acme/teams/storage` is
`@acme/storage`), each co-authored post also to its co-authors, and the rest of the site to the
editors team of the config (`codeowners.editors`). GitHub uses the last line that matches a file,
so the site's line comes first and the more precise lines after it.

The file lives at the repository's root (where GitHub looks for it, or in `.github/` or `docs/`
when one is there already), with paths from there, so a site in a sub-folder works. blogkit
writes only its own block, between two marker lines, and leaves the rest of the file alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from blogkit.core.config import SiteConfig
from blogkit.core.diagnostics import Location, Report
from blogkit.core.model import Author
from blogkit.load.frontmatter import PostMeta

BEGIN = "# blogkit codeowners: begin (written by `blogkit codeowners` from the profiles; edit those, not these lines)"
END = "# blogkit codeowners: end"
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")  # where GitHub looks, in its order
_HANDLE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_TEAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# github.com paths that are pages of GitHub itself, never a person
_NOT_USERS = frozenset({"orgs", "about", "features", "pricing", "topics", "sponsors", "settings", "marketplace", "explore", "login"})
# handles that stand for "your handle here"; `blogkit init`'s own is passed in by the caller
_PLACEHOLDER_HANDLES = frozenset({"your-handle", "your-name", "your-username", "username", "your-org", "example", "octocat"})


@dataclass(frozen=True, slots=True)
class PostFile:
    """A post as CODEOWNERS needs it: its file (or bundle folder), its folder's owner, its authors."""

    path: str  # site-relative: 'posts/ada/2026-03-01-x.md' or a bundle's folder 'posts/ada/2026-03-01-x/'
    owner: str
    authors: tuple[str, ...]


def post_files(posts: Iterable[PostMeta]) -> list[PostFile]:
    """Every post read (drafts and scheduled posts too: their pull requests need reviewers)."""
    return [PostFile(m.source.bundle_dir + "/" if m.source.bundle_dir else m.source.path, m.source.owner, m.authors) for m in posts]


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: str  # from the repository's root, as CODEOWNERS writes it: '/site/posts/ada/'
    owners: tuple[str, ...]


def github_owner(url: str) -> str:
    """'@ada' for https://github.com/ada, '@acme/storage' for a team's page; '' for anything else
    (a repository, another site)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in ("github.com", "www.github.com"):
        return ""
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 4 and segments[0] == "orgs" and segments[2] == "teams":
        org, team = segments[1], segments[3]
        return f"@{org}/{team}" if _HANDLE.fullmatch(org) and _TEAM.fullmatch(team) else ""
    if len(segments) == 1 and segments[0].lower() not in _NOT_USERS and _HANDLE.fullmatch(segments[0]):
        return f"@{segments[0]}"
    return ""


def owner_of(author: Author, placeholders: frozenset[str], report: Report) -> str:
    """The author's GitHub handle, or '' after a warning at their profile saying why there is none."""
    found = [github_owner(link.url) for link in author.links if "github.com" in link.url.lower()]
    handle = next((h for h in found if h), "")
    if handle and handle[1:].lower() in placeholders | _PLACEHOLDER_HANDLES:
        report.warning(
            Location(author.source),
            f"'{author.handle}' has a placeholder GitHub handle, {handle}: their posts go to the editors in CODEOWNERS",
            'put their own GitHub address in the profile\'s links, e.g. {label: GitHub, url: "https://github.com/ada"}',
        )
        return ""
    if not handle:
        what = "a GitHub link that is no person's or team's page" if found else "no GitHub link"
        report.warning(
            Location(author.source),
            f"'{author.handle}' has {what}: their posts go to the editors in CODEOWNERS",
            'add their GitHub page to the profile\'s links, e.g. {label: GitHub, url: "https://github.com/ada"} '
            "(a team: https://github.com/orgs/ORG/teams/TEAM)",
        )
    return handle


def rules(
    site_prefix: str, authors: Mapping[str, Author], posts: Iterable[PostFile], editors: str, placeholders: frozenset[str], report: Report
) -> list[Rule]:
    """The block's lines: the site to the editors, each engineer's folder and profile to them, and
    each co-authored post to all its authors. `site_prefix` is the site's folder from the
    repository's root ('' at the root, 'blog/' in a sub-folder)."""
    handles = {key: owner_of(author, placeholders, report) for key, author in sorted(authors.items())}
    found = [Rule(_pattern(site_prefix), (editors,))] if editors else []
    for key, author in sorted(authors.items()):
        if handles[key]:
            found.append(Rule(_pattern(site_prefix + f"posts/{key}/"), (handles[key],)))
            found.append(Rule(_pattern(site_prefix + author.source), (handles[key],)))
    for post in sorted(posts, key=lambda p: p.path):
        owners = _unique(handles.get(h, "") for h in (post.owner, *post.authors))
        if len(set(post.authors) | {post.owner}) > 1 and owners:
            found.append(Rule(_pattern(site_prefix + post.path), owners))
    return found


def site_block(
    config: SiteConfig, authors: Mapping[str, Author], posts: Iterable[PostMeta], placeholders: frozenset[str], report: Report
) -> str:
    """The CODEOWNERS block of a site, from its profiles and every post read."""
    prefix = site_prefix(repository_root(config.root), config.root)
    return block(rules(prefix, authors, post_files(posts), config.codeowners.editors, placeholders, report))


def check_codeowners(site_root: str, wanted: str, report: Report) -> None:
    """A warning when the repository's CODEOWNERS has a blogkit block that differs from `wanted`;
    nothing when it has none, or there is no such file."""
    path = codeowners_path(repository_root(site_root))
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            existing = f.read(1 << 20).replace("\r\n", "\n")
    except OSError:
        return
    found = current_block(existing)
    if found is None or found.rstrip("\n") == wanted.rstrip("\n"):
        return
    line = existing.count("\n", 0, existing.find(BEGIN)) + 1
    where = os.path.relpath(path, os.path.abspath(site_root)).replace(os.sep, "/")
    report.warning(
        Location(where, line),
        "CODEOWNERS is out of date: the profiles, the posts' authors or codeowners.editors changed since it was written",
        "run `blogkit codeowners` and commit the file",
    )


def block(found: list[Rule]) -> str:
    lines = [BEGIN, *(f"{rule.pattern} {' '.join(rule.owners)}" for rule in found), END]
    return "\n".join(lines) + "\n"


def merged(existing: str, new_block: str) -> str:
    """The file with its blogkit block replaced (or added at its end); every other line kept."""
    start, end = _block_span(existing)
    if start < 0:
        return existing + ("\n" if existing and not existing.endswith("\n") else "") + ("\n" if existing else "") + new_block
    return existing[:start] + new_block + existing[end:]


def current_block(existing: str) -> str | None:
    """The blogkit block of a file, or None when it has none."""
    start, end = _block_span(existing)
    return existing[start:end] if start >= 0 else None


def repository_root(site_root: str) -> str:
    """The nearest folder at or above the site holding `.git`; the site's own folder when none does."""
    folder = os.path.abspath(site_root)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.abspath(site_root)
        folder = parent


def codeowners_path(repo_root: str) -> str:
    """The CODEOWNERS file GitHub reads: the first that exists of LOCATIONS, else one at the root."""
    for location in LOCATIONS:
        if os.path.isfile(os.path.join(repo_root, location)):
            return os.path.join(repo_root, location)
    return os.path.join(repo_root, "CODEOWNERS")


def site_prefix(repo_root: str, site_root: str) -> str:
    relative = os.path.relpath(os.path.abspath(site_root), repo_root).replace(os.sep, "/")
    return "" if relative == "." else relative + "/"


def _block_span(text: str) -> tuple[int, int]:
    start = text.find(BEGIN)
    if start < 0 or (start > 0 and text[start - 1] != "\n"):
        return -1, -1
    end = text.find(END, start)
    if end < 0:
        return -1, -1
    end += len(END)
    return start, end + 1 if text[end : end + 1] == "\n" else end


def _pattern(path: str) -> str:
    """A path from the repository's root as a CODEOWNERS pattern: anchored, spaces escaped."""
    escaped = re.sub(r"([ \\#*?\[\]!])", r"\\\1", path)
    return "/" + escaped


def _unique(handles: Iterable[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for handle in handles:
        if handle and handle not in seen:
            seen.append(handle)
    return tuple(seen)
