"""Atom 1.0, RSS 2.0 and JSON Feed 1.1 for the hub, every author, tag and team.

Entries carry the post's summary and, in the scopes `feeds.full_content` names
(the hub by default), the full post rendered for syndication
(absolute URLs, no heading anchors); every author is credited in every format;
ids are stable across renames; `updated` comes from the content, never from
the clock. Output is built as text here rather than in templates so that
escaping is exact and XML-illegal characters never reach a reader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from blogkit.core.config import SiteConfig
from blogkit.core.feedformats import FEED_STYLESHEET, feed_path
from blogkit.core.images import plain_images
from blogkit.core.model import Author, OutsidePost, Post, Site

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HEADING_ANCHOR = re.compile(r' ?<a class="heading-anchor"[^>]*>#</a>')
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src))="/(?!/)')
_FRAGMENT = re.compile(r'(\shref)="#')
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FeedScope:
    """One subscribable list of posts: the hub, an author, a tag or a team."""

    kind: str  # one of SCOPE_KINDS: hub, authors, tags, teams
    path: str  # the page the feed belongs to ('' for the hub)
    title: str
    description: str
    posts: Sequence[Post]
    authors: Sequence[Author] = ()  # the feed's own authors (an author feed's engineer)
    outside: Sequence[OutsidePost] = ()  # its engineers' posts on their own blogs, newest first
    ids: str = "post"  # what its entries' ids are, of LEGACY_FEED_IDS
    pages: Sequence[ListedPage] = ()  # the tag, author or team pages it lists instead of posts, newest first
    file: str = ""  # where it is published, when that is not the feed of its page (`legacy_feeds`)
    name: str = ""  # the tag's, engineer's or team's name ('' for the hub)

    def self_file(self, fmt: str) -> str:
        """The file the feed is at, as its self link names it."""
        return self.file or feed_path(self.path, fmt)


@dataclass(frozen=True, slots=True)
class ListedPage:
    """A tag, author or team page as an entry of a feed of those pages: new when its first post is."""

    title: str
    path: str
    date: datetime  # its newest post's
    summary: str


# The post fields an entry shows: a summary entry, and a full one (which adds the post's HTML).
SUMMARY_FIELDS = frozenset(
    {"aliases", "authors", "canonical", "date", "updated", "updates", "id", "image", "path", "source", "summary", "tags", "title"}
)
FULL_FIELDS = SUMMARY_FIELDS | {"html"}


def carries_content(scope: FeedScope, site: Site) -> bool:
    """Whether a feed's entries carry their posts' content (`feeds.full_content`), or their summaries."""
    return scope.kind in site.config.feeds.full_content


def fields_shown(scope: FeedScope, site: Site) -> frozenset[str]:
    """The fields of a post that a feed of `scope` shows: its cache key digests its posts by them."""
    return FULL_FIELDS if carries_content(scope, site) else SUMMARY_FIELDS


def shipped(posts: Sequence[Post]) -> Sequence[Post]:
    """The posts a feed may carry: never a draft or a scheduled post, which `serve` (or `build
    --drafts`, `--future`) shows on pages only, marked."""
    if not any(post.draft or post.future for post in posts):
        return posts
    return tuple(post for post in posts if not (post.draft or post.future))


def scopes(site: Site) -> list[FeedScope]:
    """Every feed's scope, each with the posts it carries (no drafts, no scheduled posts)."""
    title, say = site.config.title, site.strings.text
    hub = site.config.description or say("feed.description.hub", site=title)
    found = [FeedScope("hub", "", title, hub, shipped(site.posts), (), site.outside)]
    for handle, author in site.authors.items():
        found.append(
            FeedScope(
                "authors",
                author.path,
                f"{author.name} · {title}",
                author.bio or say("feed.description.author", name=author.name),
                shipped(site.posts_by_author[handle]),
                (author,),
                tuple(p for p in site.outside if p.author == handle),
                name=author.name,
            )
        )
    for slug, tag in site.tags.items():
        description = tag.description or say("feed.description.tag", name=tag.name)
        posts = shipped(site.posts_by_tag.get(slug, ()))
        found.append(FeedScope("tags", tag.path, f"{tag.name} · {title}", description, posts, name=tag.name))
    for key, team in site.teams.items():
        description = team.description or say("feed.description.team", name=team.name)
        posts = shipped(site.posts_by_team[key])
        found.append(FeedScope("teams", team.path, f"{team.name} · {title}", description, posts, name=team.name))
    return found


def listed_pages(all_scopes: Sequence[FeedScope], kind: str) -> tuple[ListedPage, ...]:
    """The tag, author or team pages (`kind`) whose feeds carry posts, newest first, then by title."""
    found = [ListedPage(s.name, s.path, s.posts[0].date, s.description) for s in all_scopes if s.kind == kind and s.posts]
    return tuple(sorted(found, key=lambda page: (-page.date.timestamp(), page.title.lower(), page.path)))


def clean_text(text: str) -> str:
    """Remove characters that XML 1.0 does not allow."""
    return _XML_ILLEGAL.sub("", text)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One entry as every format writes it, whether a post of the hub or one from an engineer's own blog."""

    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    authors: tuple[Author, ...]
    categories: tuple[str, ...]
    summary: str
    full: bool  # whether it carries its content, or its summary only
    escaped_html: str  # the content escaped for XML
    html: str
    image: str = ""
    external_url: str = ""


class FeedWriter:
    def __init__(self, site: Site) -> None:
        self.site = site
        config: SiteConfig = site.config
        self.urls = config.urls
        self._content: dict[str, str] = {}
        self._escaped: dict[str, str] = {}

    def abs_url(self, path: str) -> str:
        return self.urls.absolute(path)

    def show(self, site: Site, edited: Iterable[str]) -> None:
        """Write `site` from now on: the same site with the posts of the `edited` sources changed."""
        self.site = site
        for source in edited:
            self._content.pop(source, None)
            self._escaped.pop(source, None)

    def entry_id(self, post: Post, ids: str = "post") -> str:
        """Front matter `id`, else the first URL the post had (its oldest alias), else its URL; with
        `ids` 'url' (a `legacy_feeds` entry's), that URL whatever its `id`."""
        if post.id and ids == "post":
            return post.id if re.match(r"^[a-z][a-z0-9+.-]*:", post.id) else f"urn:blogkit:{post.id}"
        return self.abs_url(post.aliases[0] if post.aliases else post.path)

    def content(self, post: Post) -> str:
        """The post's HTML for feed readers: absolute URLs, no heading anchors."""
        if post.source not in self._content:
            html = plain_images(_HEADING_ANCHOR.sub("", str(post.html)))
            html = _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{self.urls.origin}/', html)
            html = _FRAGMENT.sub(lambda m: f'{m.group(1)}="{self.abs_url(post.path)}#', html)
            self._content[post.source] = clean_text(html)
        return self._content[post.source]

    def escaped_content(self, post: Post) -> str:
        """`content()` escaped for XML, computed once per post however many feeds list it."""
        if post.source not in self._escaped:
            self._escaped[post.source] = escape(self.content(post))
        return self._escaped[post.source]

    def image_url(self, post: Post) -> str:
        if not post.image:
            return ""
        return self.urls.media(post.image)

    def render(self, scope: FeedScope, fmt: str, entries: int) -> str:
        """One feed: its newest `entries` posts, the hub's own and those its engineers wrote elsewhere."""
        full = carries_content(scope, self.site)
        shown = [(post.date, 1, self._entry(post, full, scope.ids)) for post in scope.posts[:entries]]
        shown += [(page.date, 1, self._page_entry(page)) for page in scope.pages[:entries]]
        shown += [(post.date, 0, self._outside_entry(post, full)) for post in scope.outside[:entries]]
        shown.sort(key=lambda item: (item[0], item[1]), reverse=True)  # newest first; the hub's own first at one time
        writer: Callable[[FeedScope, list[_Entry]], str] = {"atom": self.atom, "rss": self.rss, "json": self.json_feed}[fmt]
        return writer(scope, [entry for _, _, entry in shown[:entries]])

    def _entry(self, post: Post, full: bool, ids: str = "post") -> _Entry:
        return _Entry(
            id=self.entry_id(post, ids),
            url=self.abs_url(post.path),
            title=post.title,
            published=post.date,
            updated=post.last_modified,
            authors=tuple(self.site.authors[h] for h in post.authors),
            categories=tuple(self.site.tags[s].name for s in post.tags),
            summary=post.summary,
            full=full,
            escaped_html=self.escaped_content(post) if full else "",
            html=self.content(post) if full else "",
            image=self.image_url(post),
            external_url=post.canonical,
        )

    def _page_entry(self, page: ListedPage) -> _Entry:
        """A tag, author or team page: its URL is its id, as the pages of an old site's feed of terms had."""
        url = self.abs_url(page.path)
        return _Entry(
            id=url,
            url=url,
            title=page.title,
            published=page.date,
            updated=page.date,
            authors=(),
            categories=(),
            summary=page.summary,
            full=False,
            escaped_html="",
            html="",
        )

    def _outside_entry(self, post: OutsidePost, full: bool) -> _Entry:
        """A post from an engineer's own blog: its link and id are the original's; its content only
        when the profile allows it (`feed_content: full`), its summary otherwise."""
        author = self.site.authors[post.author]
        full = full and author.feed_content == "full"
        html = clean_text(post.html) if full else ""
        return _Entry(
            id=post.id,
            url=post.url,
            title=post.title,
            published=post.date,
            updated=post.updated,
            authors=(author,),
            categories=post.tags,
            summary=post.summary,
            full=full,
            escaped_html=escape(html),
            html=html,
            external_url=post.url,
        )

    def _stylesheet(self) -> str:
        """The processing instruction that has a browser show the feed as a page (a path: XSLT is same-origin only)."""
        return f'<?xml-stylesheet href={_a(self.urls.path(FEED_STYLESHEET))} type="text/xsl"?>'

    # -- Atom --------------------------------------------------------------------------------
    def atom(self, scope: FeedScope, entries: list[_Entry]) -> str:
        config = self.site.config
        updated = max((e.updated for e in entries), default=_EPOCH)
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            self._stylesheet(),
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
            f"  <id>{_x(self.abs_url(scope.self_file('atom')))}</id>",
            f"  <title>{_x(scope.title)}</title>",
            f"  <subtitle>{_x(scope.description)}</subtitle>",
            f"  <updated>{_rfc3339(updated)}</updated>",
            f'  <link rel="self" type="application/atom+xml" href={_a(self.abs_url(scope.self_file("atom")))}/>',
            f'  <link rel="alternate" type="text/html" href={_a(self.abs_url(scope.path))}/>',
        ]
        out += [self._atom_person(a, "  ") for a in scope.authors]
        if not scope.authors:
            out.append(f"  <author><name>{_x(config.title)}</name><uri>{_x(self.abs_url(''))}</uri></author>")
        out.append("  <generator>blogkit</generator>")
        for entry in entries:
            out += [
                "  <entry>",
                f"    <id>{_x(entry.id)}</id>",
                f"    <title>{_x(entry.title)}</title>",
                f'    <link rel="alternate" type="text/html" href={_a(entry.url)}/>',
                f"    <published>{_rfc3339(entry.published)}</published>",
                f"    <updated>{_rfc3339(entry.updated)}</updated>",
            ]
            out += [self._atom_person(a, "    ") for a in entry.authors]
            out += [f"    <category term={_a(name)}/>" for name in entry.categories]
            if entry.summary:
                out.append(f"    <summary>{_x(entry.summary)}</summary>")
            if entry.full:
                out.append(f'    <content type="html">{entry.escaped_html}</content>')
            out.append("  </entry>")
        out.append("</feed>")
        return "\n".join(out) + "\n"

    def _atom_person(self, author: Author, indent: str) -> str:
        return f"{indent}<author><name>{_x(author.name)}</name><uri>{_x(self.abs_url(author.path))}</uri></author>"

    # -- RSS ---------------------------------------------------------------------------------
    def rss(self, scope: FeedScope, entries: list[_Entry]) -> str:
        config = self.site.config
        updated = max((e.updated for e in entries), default=_EPOCH)
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            self._stylesheet(),
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/">',
            "  <channel>",
            f"    <title>{_x(scope.title)}</title>",
            f"    <link>{_x(self.abs_url(scope.path))}</link>",
            f"    <description>{_x(scope.description)}</description>",
            f"    <language>{_x(config.language)}</language>",
            f"    <lastBuildDate>{format_datetime(updated.astimezone(UTC), usegmt=True)}</lastBuildDate>",
            f'    <atom:link rel="self" type="application/rss+xml" href={_a(self.abs_url(scope.self_file("rss")))}/>',
            "    <generator>blogkit</generator>",
        ]
        for entry in entries:
            is_link = entry.id == entry.url
            out += [
                "    <item>",
                f"      <title>{_x(entry.title)}</title>",
                f"      <link>{_x(entry.url)}</link>",
                f'      <guid isPermaLink="{"true" if is_link else "false"}">{_x(entry.id)}</guid>',
                f"      <pubDate>{format_datetime(entry.published.astimezone(UTC), usegmt=True)}</pubDate>",
            ]
            out += [f"      <dc:creator>{_x(a.name)}</dc:creator>" for a in entry.authors]
            out += [f"      <category>{_x(name)}</category>" for name in entry.categories]
            if entry.summary:
                out.append(f"      <description>{_x(entry.summary)}</description>")
            if entry.full:
                out.append(f"      <content:encoded>{entry.escaped_html}</content:encoded>")
            out.append("    </item>")
        out += ["  </channel>", "</rss>"]
        return "\n".join(out) + "\n"

    # -- JSON Feed ---------------------------------------------------------------------------
    def json_feed(self, scope: FeedScope, entries: list[_Entry]) -> str:
        config = self.site.config
        feed: dict[str, object] = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": scope.title,
            "home_page_url": self.abs_url(scope.path),
            "feed_url": self.abs_url(scope.self_file("json")),
            "description": scope.description,
            "language": config.language,
        }
        if scope.authors:
            feed["authors"] = [self._json_person(a) for a in scope.authors]
        items = []
        for entry in entries:
            item: dict[str, object] = {
                "id": entry.id,
                "url": entry.url,
                "title": entry.title,
                **({"content_html": entry.html} if entry.full else {"content_text": entry.summary}),
                "date_published": _rfc3339(entry.published),
                "date_modified": _rfc3339(entry.updated),
            }
            if entry.authors:
                item["authors"] = [self._json_person(a) for a in entry.authors]
            if entry.summary and entry.full:  # a summary-only item has it as its content_text already
                item["summary"] = entry.summary
            if entry.categories:
                item["tags"] = list(entry.categories)
            if entry.image:
                item["image"] = entry.image
            if entry.external_url:
                item["external_url"] = entry.external_url
            items.append(item)
        feed["items"] = items
        return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"  # every text was cleaned or is ours

    def _json_person(self, author: Author) -> dict[str, str]:
        person = {"name": author.name, "url": self.abs_url(author.path)}
        if author.avatar:
            person["avatar"] = self.urls.media(author.avatar)
        return person


def _rfc3339(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _x(text: str) -> str:
    return escape(clean_text(text))


def _a(text: str) -> str:
    return quoteattr(clean_text(text))
