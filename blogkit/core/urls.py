"""Slugs, permalinks, and URL paths to output files.

A *path* here is a site-relative URL path without the leading slash, such as
`2026/03/raft-in-practice/` or `feed.xml`; the empty string is the home page.
Templates turn paths into links with `url()` (base path applied) and
`abs_url()` (the full base URL).
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from datetime import datetime
from urllib.parse import quote, unquote, urlsplit

from slugify import slugify as _slugify

from blogkit.core.fields import is_http_url

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REPLACEMENTS = [["c++", "cpp"], ["C++", "cpp"], ["c#", "csharp"], ["C#", "csharp"], ["f#", "fsharp"], ["F#", "fsharp"]]


def slugify(text: str) -> str:
    """A stable, ASCII, lowercase URL slug ("Kubernetes Operators" -> "kubernetes-operators")."""
    return _slugify(text, replacements=_REPLACEMENTS, max_length=80, word_boundary=True)


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug)) and len(slug) <= 120


def expand_permalink(pattern: str, *, when: datetime, slug: str, author: str) -> str:
    """'/{year}/{month}/{slug}/' -> '2026/03/raft-in-practice/'."""
    expanded = pattern.format(year=f"{when.year:04d}", month=f"{when.month:02d}", day=f"{when.day:02d}", slug=slug, author=author)
    return expanded.strip("/") + "/"


def one_file_key(path: str) -> str:
    """What two paths share when a disk or server that ignores case and Unicode form holds them as one file
    (macOS, Windows): '/Notes/' and '/notes/' collide."""
    return unicodedata.normalize("NFC", path).casefold()


ARCHIVE_PATH = "archive/"  # the archive page: every post, by year


def archive_year_anchor(year: int) -> str:
    """The id of a year's heading on the archive page (old yearly and monthly archive pages lead there)."""
    return f"year-{year}"


def output_file(path: str) -> str:
    """The file a path is written to: pretty URLs end in index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path


_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(?:\..*)?$", re.IGNORECASE)
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\]')


def address_problem(address: str) -> tuple[str, str] | None:
    """(what is wrong, a hint) with an address outside the site that a redirect page would send readers to
    (`redirects`' `to`); None when it is an http(s) URL a reader may be sent to."""
    odd = next((c for c in address if c.isspace() or not c.isprintable()), None)
    if odd is not None:
        shown = "a space" if odd == " " else f"a control or space character (U+{ord(odd):04X})"
        return f"must not contain {shown}", "percent-encode it (a space is %20) or leave it out"
    if not is_http_url(address):
        shown = address if len(address) <= 60 else address[:57] + "..."
        return f"must be an http(s) URL, got '{shown}'", "write the full address, e.g. https://example.com/page"
    if "@" in urlsplit(address).netloc:
        return "must not contain user credentials (user@ or user:password@)", "write the address without them: readers see it"
    return None


def check_alias(alias: str) -> tuple[str, str]:
    """The output path of an old URL ('/old/post/' or '/old/post.html') and '', or '' and why it cannot be one.

    Percent-escapes are decoded (a server decodes the request the same way); no segment may be
    hidden (`.htaccess`), a Windows device name (`CON`, `aux.html`) or hold characters a file
    name cannot have on some system a site is checked out or served on."""
    if not alias.startswith("/") or alias.startswith("//") or "?" in alias or "#" in alias:
        return "", "write the old address as a path, e.g. /blog/old-title/"
    try:
        decoded = unquote(alias, errors="strict") if "%" in alias else alias
    except UnicodeDecodeError:
        return "", "its percent-escapes are not UTF-8; write the address as the browser shows it"
    parts = [p for p in decoded.split("/") if p]
    if not parts or len(decoded.split("/")) != len(alias.split("/")):
        return "", "write the old address as a path, e.g. /blog/old-title/"
    for part in parts:
        if part.startswith("."):
            return "", f"'{part}' would be a hidden file (or a step out of the site); a web server would not serve it"
        if _WINDOWS_RESERVED.match(part) or part.endswith((" ", ".")) or _UNSAFE_IN_NAMES.search(part):
            return "", f"'{part}' cannot be a file name on Windows; a checkout there would lose the page"
    path = "/".join(parts)
    if alias.endswith("/") or "." not in parts[-1]:
        path += "/"
    return path, ""


@functools.lru_cache(maxsize=1 << 16)
def quote_path(path: str) -> str:
    """A site path percent-encoded for a URL (remembered: a hub's pages link to the same posts many times)."""
    return quote(path, safe="/-._~")


def join(base_path: str, path: str) -> str:
    """The root-relative URL of a path under the site's base path ('/blog/' + 'tags/' -> '/blog/tags/')."""
    return base_path + quote_path(path)


def relative_to(path: str, start_dir: str) -> str:
    return posixpath.relpath(path, start_dir or ".")


class SiteUrls:
    """The site's own URLs, from its `base_url`: root-relative, absolute, and for media."""

    def __init__(self, base_url: str, base_path: str) -> None:
        self.base_path = base_path
        self.origin = base_url[: len(base_url) - len(base_path)]  # 'https://example.com'

    def path(self, site_path: str) -> str:
        """'/blog/2026/03/x/' for '2026/03/x/' on a site under /blog/."""
        return join(self.base_path, site_path)

    def absolute(self, site_path: str) -> str:
        return self.origin + join(self.base_path, site_path)

    def media(self, value: str) -> str:
        """An image or avatar: an absolute URL as it is, a site path made absolute."""
        return value if value.startswith(("https://", "http://")) else self.absolute(value)
