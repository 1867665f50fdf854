"""The links of rendered Markdown: resolved to site URLs, and checked against what a build publishes.

Authors link to files, as they see them in their editor: another post's `.md`
file (with an optional `#heading`), a file of their own bundle, a file under
`static/`. Root-relative links (`/about/`) are taken from the site's root and
get the base path. URLs kept as written (`#fragment`, raw HTML's href and src)
lead where the reader's browser takes them.

This is the one place links are checked. Resolving a document's links (while the
site is assembled) gives its `SiteLink`s; once the build knows its outputs, each
document's are checked against them (`check_links`, a few lookups per link), and
every problem is reported at its line and column, as `links.broken` says.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape, unescape
from urllib.parse import quote, unquote, urlsplit

from blogkit.core.bodies import LinkRef, RenderedBody
from blogkit.core.diagnostics import Location, Report
from blogkit.core.feedformats import FEED_FORMATS
from blogkit.core.images import ImageFacts, picture, picture_html
from blogkit.core.urls import join, output_file

_FRAGMENT_SAFE = "!$&'()*+,;=:@/?-._~"
_MARKERS = re.compile(r"(blogkit-link:[0-9a-f]{16}\.)(\d+)")  # as `blogkit.load.markdown` writes them; each body's own is checked
# an image as `blogkit.load.markdown` writes it, its source still a marker
_IMAGES = re.compile(r'<img src="(blogkit-link:[0-9a-f]{16}\.)(\d+)" alt="([^"]*)"(?: title="([^"]*)")? loading="lazy" decoding="async">')


@dataclass(frozen=True, slots=True)
class Target:
    path: str  # the URL path of the post or page
    ids: frozenset[str]  # the fragments it has


@dataclass(frozen=True, slots=True)
class LinkContext:
    """What every link of a build may point to."""

    base_path: str
    documents: Mapping[str, Target]  # source path -> published post or page
    unpublished: frozenset[str]  # sources of drafts and future posts left out of this build
    static: frozenset[str]  # site-relative paths under static/
    unreadable: frozenset[str] = frozenset()  # posts and pages with errors of their own: links to them are not reported again
    images: Mapping[str, ImageFacts] = field(default_factory=dict)  # facts of the site's images, by site path
    broken: str = "error"  # `links.broken`: "warning" reports a link to nothing and keeps it as written


@dataclass(frozen=True, slots=True)
class Document:
    """Where the links being resolved were written."""

    source: str
    path: str
    bundle_dir: str = ""
    assets: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SiteLink:
    """A link or image of a document that leads within the site, resolved: what `check_links` tests."""

    written: str  # the URL as written
    line: int
    column: int  # 0: not found on its line
    image: bool
    path: str = ""  # the site path it leads to, decoded, without the base path ('' is the hub's page)
    fragment: str = ""  # decoded
    problem: str = ""  # why it leads nowhere, when resolving it found out (a file that is not there), and a hint
    hint: str = ""
    raw: bool = False  # written in raw HTML, so as the reader's browser sees it: with the base path

    @property
    def shown(self) -> str:
        """The URL as a message shows it: decoded, as the author wrote it ('#größe', not '#gr%C3%B6%C3%9Fe')."""
        return unquote(self.written)


def resolve_links_and_urls(body: RenderedBody, doc: Document, context: LinkContext) -> tuple[str, list[str], tuple[SiteLink, ...]]:
    """The resolved HTML and the URLs put in it, in order (the HTML is a function of the body and
    these); and every link of the body within the site, for `check_links`."""
    urls, site_links = resolve_links(body, doc, context)
    return resolved_html(body, body.html, urls, doc, context), urls, site_links


def resolve_links(body: RenderedBody, doc: Document, context: LinkContext) -> tuple[list[str], tuple[SiteLink, ...]]:
    """The URLs a body's links lead to, in order; and every link of the body within the site, for `check_links`."""
    resolved = [_resolve(link, doc, context) for link in body.links]
    plain = [found for link in body.plain_links if (found := _plain(link, doc, context)) is not None]
    return [url for url, _ in resolved], tuple([found for _, found in resolved if found is not None] + plain)


def resolved_html(body: RenderedBody, html: str, urls: Sequence[str], doc: Document, context: LinkContext) -> str:
    """A body's HTML with its links' `urls` (from `resolve_links`) in place, and its images of the site as `<picture>`."""
    if not body.links:
        return html
    if context.images and any(link.image for link in body.links):
        html = _IMAGES.sub(lambda m: _picture(m, body, doc, context), html)

    def url(match: re.Match[str]) -> str:
        index = int(match.group(2))
        return escape(urls[index]) if match.group(1) == body.marker and index < len(urls) else match.group(0)

    return _MARKERS.sub(url, html)


def _picture(match: re.Match[str], body: RenderedBody, doc: Document, context: LinkContext) -> str:
    """An image of the site's own as `<picture>` with its size and variants; any other left as it is."""
    index = int(match.group(2))
    if match.group(1) != body.marker or index >= len(body.links):
        return match.group(0)
    source = image_file(body.links[index].target, doc, context)
    target = unquote(urlsplit(body.links[index].target).path)
    published = resolve_asset(target, doc, context) if not target.startswith("/") else target[1:]
    facts = context.images.get(source or "")
    if facts is None or published is None:
        return match.group(0)
    title = unescape(match.group(4) or "")
    return picture_html(picture(published, facts), lambda path: join(context.base_path, path), unescape(match.group(3)), title=title)


def images_shown(body: RenderedBody, doc: Document, context: LinkContext) -> list[str]:
    """The site paths of the files of the site a body shows as images (`![...](...)`), in order."""
    return [file for link in body.links if link.image and (file := image_file(link.target, doc, context))]


def image_file(written: str, doc: Document, context: LinkContext) -> str | None:
    """The site path of the file an image's source (as written) names: a bundle file or a file under static/; else None."""
    target = unquote(urlsplit(written).path)
    if target.startswith("/"):
        found = "static" + posixpath.normpath(target)
        return found if found in context.static else None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc.source), target))
    if (doc.bundle_dir and joined in doc.assets) or joined in context.static:
        return joined
    return None


def resolve_asset(target: str, doc: Document, context: LinkContext) -> str | None:
    """The site path of a file named relative to a document, or None."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc.source), target))
    if doc.bundle_dir and joined in doc.assets:
        return doc.path + joined[len(doc.bundle_dir) + 1 :]
    if joined in context.static:
        return joined[len("static/") :]
    return None


def _resolve(link: LinkRef, doc: Document, context: LinkContext) -> tuple[str, SiteLink | None]:
    """The URL a relative or root-relative link leads to, and the link to check (None: not to be checked again)."""
    target = link.target
    parts = urlsplit(target)
    # a fragment holds no '#' or space as written: percent-encoded, it reaches the href valid
    fragment = f"#{quote(unquote(parts.fragment), safe=_FRAGMENT_SAFE)}" if parts.fragment else ""
    query = f"?{parts.query}" if parts.query else ""
    found = SiteLink(target, link.line, link.column, link.image, fragment=unquote(parts.fragment))
    if target.startswith("/"):
        path = _site_path("", unquote(parts.path))
        if path is None:
            return context.base_path + target[1:], _leads_outside(found)
        return context.base_path + target[1:], dataclasses.replace(found, path=path)
    file_path = unquote(parts.path)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc.source), file_path))
    if joined.startswith("../") or joined == "..":
        return _kept(context, target), _leads_outside(found, "the site folder")
    if joined in context.documents:
        document = context.documents[joined]
        return join(context.base_path, document.path) + query + fragment, dataclasses.replace(found, path=document.path)
    if joined in context.unreadable:
        return "#", None
    if joined in context.unpublished:
        message = f"link '{target}' points to a post that this build does not publish (a draft or a future post)"
        return _kept(context, target), dataclasses.replace(found, problem=message, hint="publish that post first, or remove the link")
    asset = resolve_asset(file_path, doc, context)
    if asset is not None:
        return join(context.base_path, asset) + query + fragment, dataclasses.replace(found, path=asset)
    return _kept(context, target), _not_found(found, joined, file_path, doc, context)


def _not_found(found: SiteLink, joined: str, file_path: str, doc: Document, context: LinkContext) -> SiteLink:
    """A relative link to no file of the site folder, with the hint that fits it."""
    if found.image:
        message = f"image '{found.written}' not found"
        hint = f"no file at {joined}: put it beside the post in its bundle, or under static/"
    else:
        message = f"link target '{found.written}' not found"
        hint = (
            "link to another post by its .md file (e.g. ../ada-okafor/2026-03-01-raft.md), "
            "to a file beside a bundle's index.md, or to a file under static/"
        )
        if file_path.endswith(".md"):
            hint = "check the file name and the ../ folders; paths are relative to this file"
    near = difflib.get_close_matches(joined, [*context.documents, *context.static, *doc.assets], n=1, cutoff=0.8)
    if near:
        hint = f"did you mean '{posixpath.relpath(near[0], posixpath.dirname(doc.source))}'?"
    return dataclasses.replace(found, problem=message, hint=hint)


def _leads_outside(found: SiteLink, where: str = "the site") -> SiteLink:
    return dataclasses.replace(found, problem=f"link '{found.written}' points outside {where}", hint="remove the ../ that lead above it")


def _kept(context: LinkContext, target: str) -> str:
    """What a link to nothing leads to: as written when `links.broken` is warning (as the old site had it), else nowhere."""
    return target if context.broken in ("warning", "note") else "#"


def _plain(link: LinkRef, doc: Document, context: LinkContext) -> SiteLink | None:
    """A URL kept as written (`#fragment`, raw HTML), as the reader's browser resolves it from the
    document's page; None when it leads off the site (a root-relative URL outside the base path)."""
    written = unescape(link.target)
    parts = urlsplit(written)
    found = SiteLink(link.target, link.line, link.column, link.image, fragment=unquote(parts.fragment), raw=True)
    if not parts.path:
        return dataclasses.replace(found, path=doc.path)
    if written.startswith("/"):
        if not written.startswith(context.base_path):
            return None  # another part of the host, not this site
        path = _site_path("", unquote(parts.path)[len(context.base_path) :])
    else:
        path = _site_path(doc.path, unquote(parts.path))
    return _leads_outside(found) if path is None else dataclasses.replace(found, path=path)


def _site_path(folder: str, path: str) -> str | None:
    """`path` (root-relative, or relative to the site path `folder`) as a site path, its `.` and `..`
    segments resolved; None when they lead above the site's root."""
    joined = posixpath.normpath(posixpath.join(folder, path.lstrip("/")))
    if joined == ".." or joined.startswith("../"):
        return None
    if joined == ".":
        return ""
    return joined + ("/" if path.endswith("/") else "")


# -- checking links against what a build publishes -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Published:
    """What the links of a build may lead to: made once per build, from its routes."""

    files: frozenset[str]  # every output file ('about/index.html', 'feed.xml')
    ids: Mapping[str, frozenset[str]]  # the output file of each post and page -> the ids of its body
    folders: tuple[str, ...] = ()  # folders whose files are named only as they are made (the search index)
    base_path: str = "/"

    def file(self, path: str) -> str | None:
        """The output file a site path names, or None: 'about/' and 'about' are 'about/index.html'."""
        for file in (output_file(path), path.rstrip("/") + "/index.html"):
            if file in self.files:
                return file
        return path if any(path.startswith(folder) for folder in self.folders) else None


_FEED_FILES = frozenset(f.file for f in FEED_FORMATS.values())
_FEED_ENDINGS = (".xml", ".rss", ".atom", ".json")


@dataclass(frozen=True, slots=True)
class DocumentLinks:
    """The links of one post or page within the site, to check once the build knows what it publishes."""

    doc: Document
    ids: frozenset[str]  # the document's own (what its `#fragment` links may name)
    links: tuple[SiteLink, ...]


def check_links(found: DocumentLinks, published: Published, broken: str, report: Report) -> None:
    """Report each link of a document that leads to nothing the build publishes, by position, as
    `links.broken` says (error or warning), with a hint that fits what it links to."""
    say = {"warning": report.warning, "note": report.note}.get(broken, report.error)
    for link in sorted(found.links, key=lambda link: (link.line, link.column)):
        problem = _problem(link, found.doc, found.ids, published)
        if problem is not None:
            say(Location(found.doc.source, link.line, link.column), *problem)


def _problem(link: SiteLink, doc: Document, ids: frozenset[str], published: Published) -> tuple[str, str] | None:
    if link.problem:
        return link.problem, link.hint
    if link.path == doc.path:
        if link.fragment and link.fragment not in ids and link.fragment != "top":  # `#top` is the page's top, id or not
            return f"link '{link.shown}': this page has no element with the id '{link.fragment}'", _ids_hint(ids, link.fragment)
        return None
    file = published.file(link.path)
    if file is None:
        return _leads_nowhere(link, published)
    known = published.ids.get(file)  # the pages of posts and pages; a listing's ids are its template's
    if link.fragment and known is not None and link.fragment not in known and link.fragment != "top":
        return f"link '{link.shown}': the page has no element with the id '{link.fragment}'", _ids_hint(known, link.fragment)
    return None


def _leads_nowhere(link: SiteLink, published: Published) -> tuple[str, str]:
    """Why a link to a site path the build does not publish is wrong, with the hint that fits what it links to."""
    path = link.path
    shown = published.base_path if link.raw else "/"  # as the author writes it: raw HTML with the base path
    name = path.rstrip("/").rsplit("/", 1)[-1]
    folder = posixpath.dirname(path.rstrip("/"))
    static = f"static/{folder}/" if folder else "static/"
    if link.image:
        return f"image '{link.shown}' not found", f"no file at /{path}: put it under {static} or beside the post in its bundle"
    base = published.base_path.strip("/")
    rest = path[len(base) + 1 :]
    if not link.raw and base and path.startswith(base + "/") and published.file(rest) is not None:
        why = f"a link starting with / is taken from the site's root, which is {published.base_path}: write '/{rest}'"
        return f"link '{link.shown}' leads to no page of this site", why
    if name in _FEED_FILES or name.endswith(_FEED_ENDINGS):
        near = _nearest(path, [file for file in published.files if file.rsplit("/", 1)[-1] in _FEED_FILES])
        hint = f"did you mean {shown}{near}?" if near else "the site's feeds are listed on its subscribe page"
        return f"link '{link.shown}' leads to no feed of this site", hint
    if "." in name and not path.endswith("/"):
        near = _nearest(path, list(published.files))
        hint = f"did you mean {shown}{near}?" if near else f"put the file under {static} or beside the post in its bundle"
        return f"link '{link.shown}' leads to no file of this site", hint
    near = _nearest(path if path.endswith("/") else path + "/", _pages(published.files))
    hint = f"did you mean {shown}{near}?" if near else "check the address; link to posts by their .md file"
    return f"link '{link.shown}' leads to no page of this site", hint


@functools.lru_cache(maxsize=4)
def _pages(files: frozenset[str]) -> list[str]:
    """The site paths of a build's pages ('about/'), once per build and only when a link needs them."""
    return sorted(file[: -len("index.html")] for file in files if file == "index.html" or file.endswith("/index.html"))


def _nearest(path: str, candidates: list[str]) -> str:
    """The candidate most like `path`, among those of about its length (a large site has tens of thousands); '' if none is close."""
    near = [c for c in candidates if abs(len(c) - len(path)) <= 4]
    found = difflib.get_close_matches(path, near, n=1, cutoff=0.75)
    return found[0] if found else ""


def _ids_hint(ids: frozenset[str], fragment: str) -> str:
    """The ids a page has, nearest to the one written first."""
    if not ids:
        return "that page has no headings to link to"
    ranked = sorted(ids, key=lambda i: (-difflib.SequenceMatcher(None, fragment, i).ratio(), i))
    return "its ids are, nearest first: " + ", ".join(ranked[:8]) + (", ..." if len(ids) > 8 else "")
