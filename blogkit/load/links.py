"""Resolve the relative links and images of rendered Markdown to site URLs.

Authors link to files, as they see them in their editor: another post's `.md`
file (with an optional `#heading`), a file of their own bundle, a file under
`static/`. Root-relative links (`/about/`) are taken from the site's root and
get the base path. Everything else is reported with its line.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape, unescape
from urllib.parse import quote, unquote, urlsplit

from blogkit.core.bodies import LinkRef, RenderedBody
from blogkit.core.diagnostics import Location, Report
from blogkit.core.images import ImageFacts, picture, picture_html
from blogkit.core.urls import join

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


def resolve_links(body: RenderedBody, doc: Document, context: LinkContext, report: Report) -> str:
    """The body's HTML with each relative URL's marker replaced by the URL it leads to."""
    return resolve_links_and_urls(body, doc, context, report)[0]


def resolve_links_and_urls(body: RenderedBody, doc: Document, context: LinkContext, report: Report) -> tuple[str, list[str]]:
    """The resolved HTML and the URLs put in it, in order: the HTML is a function of the body and these."""
    if not body.links:
        return body.html, []
    urls = [_resolve(link, doc, context, report) for link in body.links]
    html = body.html
    if context.images and any(link.image for link in body.links):
        html = _IMAGES.sub(lambda m: _picture(m, body, doc, context), html)

    def url(match: re.Match[str]) -> str:
        index = int(match.group(2))
        return escape(urls[index]) if match.group(1) == body.marker and index < len(urls) else match.group(0)

    return _MARKERS.sub(url, html), urls


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


def _resolve(link: LinkRef, doc: Document, context: LinkContext, report: Report) -> str:
    target = link.target
    parts = urlsplit(target)
    # a fragment holds no '#' or space as written: percent-encoded, it reaches the href valid
    fragment = f"#{quote(unquote(parts.fragment), safe=_FRAGMENT_SAFE)}" if parts.fragment else ""
    query = f"?{parts.query}" if parts.query else ""
    where = Location(doc.source, link.line, link.column)
    if target.startswith("/"):
        return context.base_path + target[1:]
    file_path = unquote(parts.path)
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc.source), file_path))
    if joined.startswith("../") or joined == "..":
        return _broken(context, report, where, target, f"link '{target}' points outside the site folder")
    if joined in context.documents:
        found = context.documents[joined]
        if parts.fragment and unquote(parts.fragment) not in found.ids:
            message = f"link '{target}': '{joined}' has no heading with the id '{parts.fragment}'"
            _broken(context, report, where, target, message, _ids_hint(found.ids))
        return join(context.base_path, found.path) + query + fragment
    if joined in context.unreadable:
        return "#"
    if joined in context.unpublished:
        return _broken(
            context,
            report,
            where,
            target,
            f"link '{target}' points to a post that this build does not publish (a draft or a future post)",
            "publish that post first, or remove the link",
        )
    asset = resolve_asset(file_path, doc, context)
    if asset is not None:
        return join(context.base_path, asset) + query + fragment
    hint = (
        "link to another post by its .md file (e.g. ../ada-okafor/2026-03-01-raft.md), "
        "to a file beside a bundle's index.md, or to a file under static/"
    )
    if file_path.endswith(".md"):
        hint = "check the file name and the ../ folders; paths are relative to this file"
    near = difflib.get_close_matches(joined, [*context.documents, *context.static, *doc.assets], n=1, cutoff=0.8)
    if near:
        hint = f"did you mean '{posixpath.relpath(near[0], posixpath.dirname(doc.source))}'?"
    return _broken(context, report, where, target, f"link target '{target}' not found", hint)


def _broken(context: LinkContext, report: Report, where: Location, target: str, message: str, hint: str = "") -> str:
    """Report a link to nothing as `links.broken` says; what the link then leads to."""
    if context.broken == "warning":
        report.warning(where, message, hint or "the site's links.broken is warning: the link is kept as written")
        return target
    report.error(where, message, hint)
    return "#"


def _ids_hint(ids: frozenset[str]) -> str:
    if not ids:
        return "that page has no headings to link to"
    shown = sorted(ids)[:8]
    return "its ids are: " + ", ".join(shown) + (", ..." if len(ids) > 8 else "")
