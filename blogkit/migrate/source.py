"""The old site's folder as untrusted input: which of its files may be read, and how much of each.

The folder may come from anyone (a repository to migrate, an archive of a site), so it is read as
a build reads a site folder: nothing outside it (a symbolic link is followed only while it stays
inside), only regular files, no names with control characters, and no file bigger than a build
would read. What is refused is reported with its path; the rest of the import goes on.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from typing import BinaryIO

from blogkit.core.config import LimitsConfig
from blogkit.core.diagnostics import size_text
from blogkit.load.sources import walk_files

LIMITS = LimitsConfig()  # a build's own limits: what the new site's build would refuse, the import refuses too
CONFIG_BYTES = 4 * 1024 * 1024  # a config or data file (`hugo.toml`, `_data/authors.yml`): as a build's profiles and teams.yaml

Warn = Callable[[str, str, str], None]  # (path, message, hint)

_CONTROL = re.compile("[\x00-\x1f\x7f]")
OUTSIDE_HINT = "nothing outside the source folder is imported: copy the file into the old site, or remove the link"


class Refused(Exception):
    """A file of the old site that is not read, and why (with a hint)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def outside(root: str, path: str) -> str:
    """'' when `path` (relative to the old site, '/'-separated) is in it, through links that stay in it; else why it is not."""
    real = os.path.realpath(os.path.join(root, *path.split("/")))
    base = os.path.realpath(root)
    if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
        return ""
    parts = path.split("/")
    for end in range(1, len(parts) + 1):
        link = os.path.join(root, *parts[:end])
        if os.path.islink(link):
            shown = "/".join(parts[:end])
            return f"'{shown}' is a symbolic link to '{os.readlink(link)}', outside the source folder; it is not read"
    return f"'{path}' is outside the source folder; it is not read"


def exists(root: str, path: str) -> bool:
    """Whether the old site has something at `path`, a link included (even one leading nowhere or outside)."""
    return os.path.lexists(os.path.join(root, *path.split("/")))


def walk(root: str, folder: str, warn: Warn) -> list[str]:
    """Every regular file under `folder` (relative to root, '/'-separated), sorted; hidden ones left out.

    Links are followed while they stay in the old site; a link leading outside it, a name with a
    control character and anything but a file or a folder (a pipe, a device) are reported with
    `warn` and left out."""
    if folder and not exists(root, folder):
        return []
    problem = outside(root, folder) if folder else ""
    if problem:
        warn(folder, problem, OUTSIDE_HINT)
        return []
    return walk_files(root, folder, lambda path: not path.rsplit("/", 1)[-1].startswith(".") and _usable(root, path, warn))


def _usable(root: str, path: str, warn: Warn) -> bool:
    if _CONTROL.search(path.rsplit("/", 1)[-1]):
        warn(path, "the name holds a control character; it is not imported", "rename it in the old site, then import again")
        return False
    problem = outside(root, path)
    if problem:
        warn(path, problem, OUTSIDE_HINT)
        return False
    full = os.path.join(root, *path.split("/"))
    try:
        mode = os.stat(full).st_mode
    except OSError as exc:
        warn(path, f"cannot read it: {exc.strerror or exc}", "")
        return False
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        warn(path, "it is neither a file nor a folder (a pipe, socket or device); it is not read", "")
        return False
    return True


def _open(root: str, path: str) -> BinaryIO:
    """A regular file of the old site, open for reading (never blocking on a pipe); raises Refused or OSError."""
    problem = outside(root, path)
    if problem:
        raise Refused(problem, OUTSIDE_HINT)
    fd = os.open(os.path.join(root, *path.split("/")), os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused("it is not a file (a pipe, socket or device); it is not read")
    return os.fdopen(fd, "rb")


def read_bytes(root: str, path: str, max_bytes: int, setting: str = "") -> bytes:
    """A regular file of the old site, at most `max_bytes` long; raises Refused."""
    try:
        with _open(root, path) as f:
            data = f.read(max_bytes + 1)
            size = max(len(data), os.fstat(f.fileno()).st_size)
    except OSError as exc:
        raise Refused(f"cannot read the file: {exc.strerror or exc}") from None
    if size > max_bytes:
        where = f" ({setting} of a blogkit build)" if setting else ""
        raise Refused(
            f"the file is {size_text(size)}; the limit is {size_text(max_bytes)}{where}", "split it, or leave it out of the old site"
        )
    return data


def read_text(root: str, path: str, max_bytes: int, setting: str = "") -> str:
    """A UTF-8 text file of the old site, at most `max_bytes` long; raises Refused."""
    data = read_bytes(root, path, max_bytes, setting)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("the file is not UTF-8", "save it as UTF-8, then import again") from None


def copy_file(root: str, path: str, target: str) -> None:
    """Copy a file of the old site to `target`, checked again as it is copied; never written through a link."""
    with _open(root, path) as source, open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666), "wb") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
