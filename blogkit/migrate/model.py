"""The old site as every importer describes it, whatever generator made it.

A reader of one generator (`zola`, `hugo`, `jekyll`) fills these values from the
old site's config and content; the planner and the writer know nothing else of it.
Paths of the old site are relative to its folder, with '/'; URLs are paths of the
old site ('/blog/raft/'), absolute only where they leave it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from blogkit.core.diagnostics import Location


@dataclass(frozen=True, slots=True)
class Person:
    """An author as the old site names them: a key of its author data, or a name written in a post."""

    key: str  # the source's own key ('jdoe'); '' when the source gives only a name
    name: str
    bio: str = ""
    email: str = ""
    avatar: str = ""  # an https URL, or a file of the old site
    links: tuple[tuple[str, str], ...] = ()  # (label, url)
    affiliation: str = ""
    team: str = ""  # a key of OldSite.teams


@dataclass(frozen=True, slots=True)
class OldTeam:
    key: str
    name: str
    url: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class OldPost:
    source: str  # the Markdown file in the old site
    body_line: int  # the line of the file the body starts on
    title: str
    date: datetime
    body: str  # Markdown; internal links written `import-source:<file of the old site>#fragment` (see `links`)
    slug: str
    url: str  # the path the old site served it at
    feed_id: str  # the id its old feeds gave it (an absolute URL, as those generators do)
    authors: tuple[Person, ...] = ()
    tags: tuple[str, ...] = ()
    section: str = ""  # the key of OldSite.sections it belongs to
    aliases: tuple[str, ...] = ()  # other paths it answered at
    draft: bool = False
    summary: str = ""
    updated: datetime | None = None
    assets: tuple[str, ...] = ()  # files of its bundle, relative to the old site
    bundle_dir: str = ""  # the folder of its bundle in the old site, '' when it is a single file
    extra: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)  # the line of its file that gives each old URL (url, aliases)
    discussion: str = ""  # the URL of its comment thread (a GitHub issue), kept as blogkit's `discussion`
    series: str = ""
    canonical: str = ""  # where the post was first published, when not on this site


@dataclass(frozen=True, slots=True)
class OldPage:
    """An undated page at the top of the old site (about, contribute): it becomes a page of `pages/`."""

    source: str
    body_line: int
    title: str
    body: str  # as OldPost.body
    url: str
    summary: str = ""
    draft: bool = False
    aliases: tuple[str, ...] = ()  # other paths it answered at


@dataclass(frozen=True, slots=True)
class Moved:
    """A page or post of the old site that only sent its readers elsewhere (Jekyll's `redirect_to`): it is
    no page of the new site, and its old URLs become redirects to where it led."""

    source: str
    line: int  # the line of its file that says where it led
    column: int  # where on that line the address starts (0: on a line of its own, below)
    urls: tuple[str, ...]  # the old URL paths it answered at
    to: str  # where it led: a path of the old site ('/2024/raft/', a '#fragment' too) or an address elsewhere ('https://...')


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # 'blog'
    title: str
    url: str  # '/blog/'
    team: str = ""  # the key of OldSite.teams when the section is a team's: its posts are the team's, not a tag's
    whole: bool = False  # it holds every imported post: it is the hub, not a tag every post would carry


@dataclass(frozen=True, slots=True)
class OldFeed:
    """A feed URL the old site published, and which posts it listed."""

    path: str  # '/blog/atom.xml'
    kind: str  # hub | section | tag | author; or pages: a feed of the tag or author pages themselves (Hugo's of terms)
    name: str  # the section key, the tag or the author's key/name; '' for the hub; tags or authors for pages
    format: str  # atom | rss | json
    ids: str = "post"  # what its entry ids were, of LEGACY_FEED_IDS: the post's own (its `id`), or its URL


@dataclass(frozen=True, slots=True)
class Listing:
    """A listing page of the old site (a section, a tag, an author's page) that readers linked to."""

    url: str
    kind: str  # hub | section | tag | author | index (the list of all tags or authors: name 'tags' or 'authors')
    #            | series (name: the series) | archive (a year's, month's or day's posts; name: the year)
    name: str
    pages: int = 1  # how many pages the old site split it into
    paged: str = "page/{n}/"  # where its page n was, after its URL


@dataclass(frozen=True, slots=True)
class Problem:
    location: Location
    message: str
    hint: str = ""
    error: bool = False


@dataclass(slots=True)
class OldSite:
    generator: str
    root: str
    title: str
    base_url: str  # with a trailing '/'
    config_file: str = ""  # the old site's config, relative to its folder
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    heading_ids: str = "github"
    posts: list[OldPost] = field(default_factory=list)
    standalone: list[OldPage] = field(default_factory=list)  # pages at the top of the old site
    moved: list[Moved] = field(default_factory=list)  # pages and posts that only redirected elsewhere
    people: dict[str, Person] = field(default_factory=dict)  # the source's author data, by key
    teams: dict[str, OldTeam] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    feeds: list[OldFeed] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    static: list[tuple[str, str]] = field(default_factory=list)  # (file of the old site, path under static/)
    pages: dict[str, str] = field(default_factory=dict)  # every content file of the old site -> the URL path it had
    rewritten: dict[str, str] = field(default_factory=dict)  # a file of the old site -> the text it is written as instead of a copy
    feed_entries: int = 0  # how many entries the old feeds held at most; 0: blogkit's own default
    author: str = ""  # the site's own author (Hugo params.author, Zola extra.author): who a post without a byline is credited to
    params: dict[str, Any] = field(default_factory=dict)  # the site parameters posts may use ({{ site.x }}, {{% param x %}})
    kept_template_syntax: bool = False  # a shortcode or include was kept as text (each reported): the build shows them as notes
    problems: list[Problem] = field(default_factory=list)

    def warn(self, path: str, line: int, message: str, hint: str = "", column: int = 0) -> None:
        self.problems.append(Problem(Location(path, line, column), message, hint))

    def fail(self, path: str, line: int, column: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(Location(path, line, column), message, hint, error=True))
