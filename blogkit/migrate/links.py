"""The links of imported posts, made links blogkit resolves.

An imported post links to another imported post by that post's new `.md` file (so the
build checks it, fragment included: heading ids are made as the old generator made them);
to an old listing, feed or static file by its path, which the new site still answers; to a
page of the old site that stays behind by its absolute URL on the old site. A relative link
that leads nowhere was broken on the old site too: it is kept as written and reported.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from blogkit.migrate.shortcodes import SOURCE_SCHEME

_INLINE = re.compile(r"(\]\(\s*<?)([^)\s>]+)(>?(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\))")
_DEFINITION = re.compile(r"^( {0,3}\[[^\]]+\]:\s*<?)(\S+?)(>?(?:\s|$))", re.MULTILINE)
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True, slots=True)
class OldLinks:
    """What the links of the old site may lead to."""

    base_url: str  # the old site's address, with '/'
    posts_by_source: dict[str, str]  # old content file -> the new post's file
    posts_by_url: dict[str, str]  # old URL path (each form) -> the new post's file
    pages: dict[str, str]  # every old content file -> its old URL path
    answered: frozenset[str]  # old URL paths the new site still answers (listings, feeds, static files), each form


Report = Callable[[int, str, str], None]  # (line, message, hint)
LeftBehind = Callable[[int, str], None]  # (line, old URL path) of a link made absolute: its page stays on the old site


def url_forms(path: str) -> tuple[str, ...]:
    """The forms one URL path is written in: '/a/b/', '/a/b', '/a/b/index.html'."""
    path = "/" + path.lstrip("/")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    bare = path.rstrip("/") or "/"
    return tuple(dict.fromkeys((path, bare, bare + "/" if bare != "/" else "/", (bare.rstrip("/") + "/index.html"))))


def rewrite_links(
    body: str,
    *,
    new_file: str,
    old_source: str,
    old_url: str,
    bundle_files: frozenset[str],
    links: OldLinks,
    first_line: int,
    report: Report,
    left_behind: LeftBehind = lambda _line, _path: None,
) -> tuple[str, int]:
    """The body with each link translated; and how many links were broken already. Each link made an
    absolute link to a page the import leaves behind is told to `left_behind`, to be reported once for all."""
    broken = 0
    old_base = urlsplit(links.base_url)

    def target(written: str, offset: int, whole: str) -> str:
        nonlocal broken
        line = first_line + whole[:offset].count("\n")

        def on_old_site(path: str) -> str:
            left_behind(line, path)
            return links.base_url.rstrip("/") + path

        if written.startswith(SOURCE_SCHEME):
            source, _, fragment = written[len(SOURCE_SCHEME) :].partition("#")
            return _to_source(source, fragment, new_file, links, on_old_site) or written
        if written.startswith("#") or written.startswith("mailto:"):
            return written
        parts = urlsplit(written)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if parts.scheme in ("http", "https") and parts.netloc != old_base.netloc:
            return written
        if _SCHEME.match(written) and parts.scheme not in ("http", "https"):
            return written
        path = parts.path
        if parts.netloc or path.startswith("/"):
            if parts.netloc and parts.scheme in ("http", "https") and not path.startswith(old_base.path):
                return written
            base_path = old_base.path.rstrip("/")  # a site under a sub-path writes it in its links; its URLs here are without it
            if base_path and (path == base_path or path.startswith(base_path + "/")):
                path = path[len(base_path) :] or "/"
        else:
            clean = posixpath.normpath(posixpath.join(posixpath.dirname(old_source), path)) if path else old_source
            if clean in bundle_files or (posixpath.basename(path) in {posixpath.basename(f) for f in bundle_files} and "/" not in path):
                return written
            if path.endswith((".md", ".markdown")):
                found = _to_source(clean, parts.fragment, new_file, links, on_old_site)
                if found:
                    return found
            path = posixpath.normpath(posixpath.join(old_url if old_url.endswith("/") else posixpath.dirname(old_url), path))
            path += "/" if parts.path.endswith("/") and not path.endswith("/") else ""
        for form in url_forms(path):
            if form in links.posts_by_url:
                return _relative(links.posts_by_url[form], new_file) + fragment
        if any(form in links.answered for form in url_forms(path)):
            return path + (f"?{parts.query}" if parts.query else "") + fragment
        if any(form in links.pages.values() for form in url_forms(path)):
            return on_old_site(path) + fragment
        if parts.netloc:
            return written
        broken += 1
        report(line, f"link '{written}' leads to no page of the old site either", "it is kept as written; fix or remove it")
        return written

    out: list[str] = []
    position = 0
    for fence in [*_FENCE.finditer(body), None]:
        end = fence.start() if fence else len(body)
        chunk = body[position:end]
        chunk = _rewrite_in(chunk, position, body, target)
        out.append(chunk)
        if fence:
            out.append(fence.group(0))
            position = fence.end()
    return "".join(out), broken


def _rewrite_in(chunk: str, offset: int, whole: str, target: Callable[[str, int, str], str]) -> str:
    chunk = _INLINE.sub(lambda m: m.group(1) + target(m.group(2), offset + m.start(2), whole) + m.group(3), chunk)
    return _DEFINITION.sub(lambda m: m.group(1) + target(m.group(2), offset + m.start(2), whole) + m.group(3), chunk)


def _to_source(source: str, fragment: str, new_file: str, links: OldLinks, on_old_site: Callable[[str], str]) -> str | None:
    """The link to a file of the old site: its new post; its old URL when the new site answers it (a page that only
    led elsewhere: a redirect there); else its page on the old site (`on_old_site` of its URL path)."""
    suffix = f"#{fragment}" if fragment else ""
    if source in links.posts_by_source:
        return _relative(links.posts_by_source[source], new_file) + suffix
    if source in links.pages:
        url = links.pages[source]
        return (url if any(form in links.answered for form in url_forms(url)) else on_old_site(url)) + suffix
    return None


def _relative(target_file: str, from_file: str) -> str:
    return posixpath.relpath(target_file, posixpath.dirname(from_file))
