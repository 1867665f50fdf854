"""A built output folder, read as untrusted input: which files it holds, what each is, their digests.

`blogkit diff` compares two of these (the base branch's build and the pull request's), which
may come from anywhere (an artifact of a fork's run): no symbolic link is followed, files are
opened without following one either, the number of files and the bytes read from one page are
bounded, and only regular files count.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass

from blogkit.core.feedformats import FEED_FORMATS, FEED_STYLESHEET, SCOPE_KINDS
from blogkit.render.search import INDEX_FOLDER

MAX_FILES = 1_000_000  # a hub of 10,000 posts publishes about 60,000 files
MAX_PAGE_BYTES = 16 * 1024 * 1024  # the most of one page read for what it shows
GROUPS = ("posts", "pages", "listings", "feeds", "assets")  # in the order a review shows them

# The build's own bookkeeping: what a reader never reads as a page. The search index is rebuilt
# from the pages; the sitemap lists the pages (and their last-modified dates) that the diff
# lists itself.
_BOOKKEEPING_FOLDERS = (INDEX_FOLDER + "/",)
_BOOKKEEPING_FILES = ("sitemap.xml",)
_FEED_FILES = frozenset(f.file for f in FEED_FORMATS.values())
# Pages that list posts: the hub and its pages, and the pages of each feed scope (authors, tags,
# teams: the scopes' folder names), and the archive.
_LISTING_FOLDERS = (*(kind for kind in SCOPE_KINDS if kind != "hub"), "archive")
_HUB_PAGE = re.compile(r"page/[0-9]+/")


class NotABuild(Exception):
    """The folder cannot be compared: missing, not a folder, or too large (a usage error)."""


@dataclass(frozen=True, slots=True)
class BuiltFile:
    path: str  # relative to the folder, with '/'
    size: int
    digest: str


def scan(root: str) -> dict[str, BuiltFile]:
    """Every published regular file of a built folder, bookkeeping left out, by path."""
    if not os.path.isdir(root):
        raise NotABuild(f"'{root}' is not a folder")
    found: dict[str, BuiltFile] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = [d for d in dirs if not _bookkeeping(prefix + d + "/")]
        for name in sorted(files):
            path = prefix + name
            if _bookkeeping(path):
                continue
            digest = _digest(os.path.join(folder, name))
            if digest is None:
                continue  # a symbolic link, a device, a file gone meanwhile: nothing a site publishes
            found[path] = BuiltFile(path, digest[1], digest[0])
            if len(found) > MAX_FILES:
                raise NotABuild(f"'{root}' holds more than {MAX_FILES:,} files; is it a built site?")
    return found


def read_page(root: str, path: str) -> bytes:
    """The first MAX_PAGE_BYTES of a file of the folder, or b'' when it cannot be read as a regular file."""
    fd = _open(os.path.join(root, path))
    if fd is None:
        return b""
    with os.fdopen(fd, "rb") as f:
        return f.read(MAX_PAGE_BYTES)


def group_of(path: str, is_post: bool) -> str:
    """Which group of GROUPS a published file belongs to (`is_post`: the page says it is an article)."""
    folder, name = path.rpartition("/")[0], path.rpartition("/")[2]
    if (name in _FEED_FILES and is_listing(folder + "/" if folder else "")) or name.endswith(".opml") or path == FEED_STYLESHEET:
        return "feeds"
    if not name.endswith(".html"):
        return "assets"
    if is_post:
        return "posts"
    return "listings" if is_listing(page_path(path)) else "pages"


def is_listing(path: str) -> bool:
    """Whether a page's path ('tags/rust/', 'page/2/', '') is one of the pages that list posts."""
    return path == "" or bool(_HUB_PAGE.fullmatch(path)) or path.split("/", 1)[0] in _LISTING_FOLDERS


def page_path(path: str) -> str:
    """The page's site path: 'tags/rust/index.html' -> 'tags/rust/'; '404.html' stays."""
    return path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else path


def _bookkeeping(path: str) -> bool:
    return path in _BOOKKEEPING_FILES or path.startswith(_BOOKKEEPING_FOLDERS) or any(p.startswith(".") for p in path.split("/") if p)


def _digest(path: str) -> tuple[str, int] | None:
    fd = _open(path)
    if fd is None:
        return None
    digest, size = hashlib.sha256(), 0
    with os.fdopen(fd, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _open(path: str) -> int | None:
    """A descriptor of a regular file, never through a symbolic link; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd
