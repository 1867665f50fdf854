"""The site model: frozen values that templates and feeds read as they are.

Cross-references are by key (an author's handle, a tag's slug, a post's source
path), never back-pointers; the `Site` holds the indexes that turn keys into
values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from blogkit.core.bodies import HtmlOnDemand, TocEntry
from blogkit.core.config import SiteConfig
from blogkit.core.images import ImageFacts, Picture
from blogkit.core.strings import Strings
from blogkit.core.urls import slugify

_Method = TypeVar("_Method", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Team:
    key: str
    name: str
    description: str = ""
    url: str = ""

    @property
    def path(self) -> str:
        return f"teams/{self.key}/"


@dataclass(frozen=True, slots=True)
class Author:
    handle: str
    name: str
    source: str
    bio: str = ""
    role: str = ""  # what they do, in a few words: "Staff engineer, storage"
    avatar: str = ""  # a site path (under static/) or an absolute URL
    avatars: tuple[tuple[int, str], ...] = ()  # (width in pixels, site path) of the avatar's square sizes, smallest first
    email: str = ""
    team: str = ""
    links: tuple[Link, ...] = ()
    feed: str = ""  # their own blog's feed, which `blogkit fetch` downloads
    feed_tags: tuple[str, ...] = ()  # only its entries with one of these tags (categories) are taken; () for all
    feed_content: str = "summary"  # "full": the hub's feeds may carry the whole of those posts, not only their summary

    @property
    def path(self) -> str:
        return f"authors/{self.handle}/"

    @property
    def initials(self) -> str:
        words = [w for w in self.name.split() if w[:1].isalpha()]
        return "".join(w[0] for w in words[:2]).upper() or self.handle[:2].upper()


@dataclass(frozen=True, slots=True)
class TagInfo:
    """A tag of the vocabulary in tags.yaml."""

    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Tag:
    name: str
    slug: str
    description: str = ""
    count: int = 0

    @property
    def path(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True, slots=True)
class Update:
    date: datetime
    note: str


# A post field marked so decides where the post is listed or linked (its URL, date, authors, tags,
# series, ...): a change to it assembles the site again. Every other field is the post's own value,
# shown wherever the post is shown, and a new field is one unless marked.
_ARRANGES = {"arranges": True}


@dataclass(frozen=True, slots=True)
class Post:
    source: str = field(metadata=_ARRANGES)  # site-relative path of the Markdown file: the post's key
    title: str
    date: datetime = field(metadata=_ARRANGES)
    authors: tuple[str, ...] = field(metadata=_ARRANGES)
    tags: tuple[str, ...] = field(metadata=_ARRANGES)  # tag slugs
    path: str = field(metadata=_ARRANGES)
    slug: str = field(metadata=_ARRANGES)
    html: str | HtmlOnDemand = ""  # on demand where the build cache keeps the body: show it with `|safe`, read it with `str()`
    summary: str = ""
    toc: tuple[TocEntry, ...] = ()
    reading_minutes: int = 1
    updated: datetime | None = field(default=None, metadata=_ARRANGES)
    updates: tuple[Update, ...] = field(default=(), metadata=_ARRANGES)
    draft: bool = field(default=False, metadata=_ARRANGES)
    future: bool = field(default=False, metadata=_ARRANGES)
    discussion: tuple[str, ...] = field(default=(), metadata=_ARRANGES)
    comments: str = field(default="open", metadata=_ARRANGES)
    aliases: tuple[str, ...] = field(default=(), metadata=_ARRANGES)
    canonical: str = ""
    image: str = ""
    image_alt: str = ""
    cover: Picture | None = None  # the cover `image` when it is a file of the site: its size and variants
    cover_in_body: bool = False  # the body shows the cover itself: the page need not show it again above
    series: str = field(default="", metadata=_ARRANGES)
    id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    assets: tuple[str, ...] = field(default=(), metadata=_ARRANGES)  # site-relative source paths of bundle files
    content_key: str = ""  # what `html` and `toc` are made from (the body's cache key and its resolved URLs), when known
    search: bool = field(default=True, metadata=_ARRANGES)  # False: left out of the site's search
    diagrams: bool = field(default=False, metadata=_ARRANGES)  # it has a diagram: its page loads the theme's Mermaid
    featured: bool = field(default=False, metadata=_ARRANGES)  # the newest featured post is shown large at the top of the front page

    @property
    def last_modified(self) -> datetime:
        dates = [self.date] + ([self.updated] if self.updated else []) + [u.date for u in self.updates]
        return max(dates)


@dataclass(frozen=True, slots=True)
class OutsidePost:
    """A post an engineer published on their own blog, as `blogkit fetch` brought it: shown with a link to the original."""

    author: str  # the handle of the profile whose feed it came from
    id: str
    title: str  # text
    url: str  # the original, http(s)
    date: datetime
    updated: datetime
    summary: str = ""  # text
    html: str = ""  # sanitised
    tags: tuple[str, ...] = ()
    source: str = ""  # the fetched file it was read from


@dataclass(frozen=True, slots=True)
class Reply:
    """A public reply to a post's thread elsewhere (a fediverse status), as `blogkit fetch` brought it."""

    url: str  # the reply itself, http(s)
    author: str  # text
    author_url: str  # http(s), or ""
    date: datetime
    html: str  # sanitised


@dataclass(frozen=True, slots=True)
class Page:
    source: str
    title: str
    path: str
    html: str
    summary: str = ""
    toc: tuple[TocEntry, ...] = ()
    search: bool = True  # False: left out of the site's search
    extra: Mapping[str, Any] = field(default_factory=dict)  # its `extra`: free data for the site's templates


@dataclass(frozen=True, slots=True)
class SeriesNav:
    name: str
    posts: tuple[Post, ...]  # oldest first
    index: int


def site_reads(name: str) -> tuple[str, ...]:
    """The attributes of `Site` that a template reads through `site.<name>`: the attribute itself, or those
    its method is marked as reading (`_reading`); every one for a method that is not marked."""
    if name in Site.__dataclass_fields__:
        return (name,)
    member = getattr(Site, name, None)
    if member is None:
        return ()
    return getattr(member, "site_reads", tuple(Site.__dataclass_fields__))


def arranging(kind: type) -> tuple[str, ...]:
    """The fields of a model class that decide where its values are listed or linked (marked `_ARRANGES`)."""
    return tuple(f.name for f in dataclasses.fields(kind) if f.metadata.get("arranges"))


def teams_of(handles: Sequence[str], authors: Mapping[str, Author]) -> list[str]:
    """The teams of a post's authors (`handles`), each once, in order: the team pages and feeds that list it."""
    return sorted({authors[h].team for h in handles if h in authors and authors[h].team})


def _reading(*attributes: str) -> Callable[[_Method], _Method]:
    """Marks a method of `Site` with the attributes it reads: a template that calls it reads them."""

    def mark(method: _Method) -> _Method:
        method.site_reads = attributes  # type: ignore[attr-defined]
        return method

    return mark


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    posts: tuple[Post, ...]  # newest first
    pages: tuple[Page, ...]
    authors: Mapping[str, Author]
    teams: Mapping[str, Team]
    tags: Mapping[str, Tag]  # by slug, ordered by name
    posts_by_author: Mapping[str, tuple[Post, ...]]
    posts_by_tag: Mapping[str, tuple[Post, ...]]
    posts_by_team: Mapping[str, tuple[Post, ...]]
    series: Mapping[str, tuple[Post, ...]]  # oldest first
    static_files: tuple[str, ...]  # site-relative paths under static/
    positions: Mapping[str, int] = field(default_factory=dict)  # post source -> index in posts
    outside: tuple[OutsidePost, ...] = ()  # engineers' posts on their own blogs, newest first
    replies: Mapping[str, tuple[Reply, ...]] = field(default_factory=dict)  # a thread's URL -> its replies, oldest first
    strings: Strings = field(default_factory=Strings)  # the theme's words in the site's language
    images: Mapping[str, ImageFacts] = field(default_factory=dict)  # facts of the images the site publishes, by site path
    tag_slugs: Mapping[str, str] = field(default_factory=dict)  # every spelling of a tag met and tags.yaml alias, lowercased -> its slug

    @_reading("tags", "tag_slugs")
    def tag_named(self, name: str) -> Tag | None:
        """The tag a spelling names, as the posts' tags are resolved (an alias, another case), or its slug names."""
        return self.tags.get(self.tag_slugs.get(name.lower()) or slugify(name))

    @_reading("posts")
    def archive(self) -> list[tuple[int, list[Post]]]:
        years: dict[int, list[Post]] = {}
        for post in self.posts:
            years.setdefault(post.date.year, []).append(post)
        return list(years.items())

    @_reading("series")
    def series_nav(self, post: Post) -> SeriesNav | None:
        if not post.series or post.series not in self.series:
            return None
        posts = self.series[post.series]
        index = next(i for i, p in enumerate(posts) if p.source == post.source)
        return SeriesNav(post.series, posts, index)

    @_reading("posts", "positions")
    def neighbours(self, post: Post) -> tuple[Post | None, Post | None]:
        """(older, newer) posts around this one on the hub."""
        i = self.positions[post.source]
        older = self.posts[i + 1] if i + 1 < len(self.posts) else None
        newer = self.posts[i - 1] if i > 0 else None
        return older, newer
