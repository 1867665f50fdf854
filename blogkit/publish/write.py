"""Publish a build: the only stage that writes, and it writes all or nothing.

The new tree is written into a temporary sibling of the output folder and
swapped into place with renames once complete, so readers (and a web server
serving the folder) never see half a site, and a failed build leaves the
previous output as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from blogkit.core.diagnostics import Location, Report
from blogkit.core.outputs import Cached, CopyFile, Output, OutputTree, stays_inside
from blogkit.core.signals import stop_signals_held


class SiteLocked(Exception):
    """Another build of this site is running (exit code 3)."""


@contextmanager
def site_lock(site_root: str) -> Iterator[None]:
    """Hold an exclusive lock on the site folder itself (no lock file is left behind) so that two
    builds of one site never run at once; the second is refused at once rather than queued."""
    fd = os.open(site_root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SiteLocked(f"another blogkit build of {site_root} is running") from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class UnsafeOutput(Exception):
    """The output folder is one blogkit must not replace (exit code 2)."""


def check_output_dir(out_dir: str, site_root: str) -> None:
    out = os.path.realpath(out_dir)
    root = os.path.realpath(site_root)
    if out == root or root.startswith(out + os.sep) or out == os.path.dirname(out):
        raise UnsafeOutput(f"refusing to write into '{out_dir}': it holds the site itself")
    for source_dir in ("posts", "pages", "static", "authors", "templates"):
        inner = os.path.join(root, source_dir)
        if out == inner or out.startswith(inner + os.sep):
            raise UnsafeOutput(f"refusing to write into '{out_dir}': it is inside the site's {source_dir}/ folder")
    if os.path.isdir(out) and os.listdir(out) and not os.path.isfile(os.path.join(out, "404.html")):
        raise UnsafeOutput(f"refusing to replace '{out_dir}': it is not empty and does not look like a site built by blogkit")
    if os.path.exists(out) and not os.path.isdir(out):
        raise UnsafeOutput(f"'{out_dir}' exists and is not a folder")


class StagingTree(OutputTree):
    """An output tree written to disk as it grows: a temporary sibling of the output folder.

    `publish` swaps it into place; `discard` removes it. Files are written once, as they
    are rendered, so a build never holds its whole output in memory. Each file's entry
    then points at the written copy.
    """

    streams = True

    def __init__(self, report: Report, out_dir: str) -> None:
        super().__init__(report)
        self.out_dir = output_target(out_dir)
        parent = os.path.dirname(self.out_dir)
        os.makedirs(parent, exist_ok=True)
        remove_litter(self.out_dir)
        self.folder = tempfile.mkdtemp(prefix=f".{os.path.basename(self.out_dir)}.new-", dir=parent)
        self._lock = _hold(self.folder)  # while held, no other build takes this folder for litter
        self._made: set[str] = {self.folder}

    def _put(self, path: str, data: bytes | CopyFile | Cached, origin: Location) -> None:
        """Write a file `add` accepted (collisions and paths that leave the folder are refused there)."""
        assert not isinstance(data, Cached), "a staging folder is written, never filled by reference"
        if isinstance(data, CopyFile):
            shutil.copyfile(data.source, self._target(path))
        else:
            self.write_only(path, data)
        super()._put(path, self._written(path), origin)

    def write_only(self, path: str, data: bytes) -> None:
        # the file's descriptor alone, without Python's file object: a third less time for a build's thousands of small files
        fd = os.open(self._target(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            rest = memoryview(data)
            while rest:
                rest = rest[os.write(fd, rest) :]
        finally:
            os.close(fd)

    def note_written(self, path: str, origin: Location) -> None:
        self._hold_written(path, Output(self._written(path), origin))

    def withdraw(self, path: str) -> None:
        super().withdraw(path)
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._written(path).source)

    def _written(self, path: str) -> CopyFile:
        """A file in the staging folder, as its entry names it."""
        return CopyFile(os.path.join(self.folder, *path.split("/")))

    def _target(self, path: str) -> str:
        if not stays_inside(path):
            raise ValueError(f"an output path outside the output folder: {path!r}")  # a bug: `add` refuses such paths
        target = os.path.join(self.folder, *path.split("/"))
        folder = os.path.dirname(target)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        return target

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def output_target(out_dir: str) -> str:
    """Where a build is published: a symbolic link (a deploy target) is followed, never replaced."""
    return os.path.realpath(out_dir) if os.path.islink(out_dir) else os.path.abspath(out_dir)


def remove_litter(out_dir: str) -> None:
    """Remove staging and retired folders that earlier builds, killed mid-publish, left beside the output."""
    parent, name = os.path.dirname(out_dir), os.path.basename(out_dir)
    try:
        entries = os.listdir(parent)
    except OSError:
        return
    for entry in entries:
        if not entry.startswith((f".{name}.new-", f".{name}.old-")):
            continue
        path = os.path.join(parent, entry)
        lock = _hold(path)
        if lock is None:
            continue  # a running build's staging folder
        try:
            shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(lock)


def _hold(folder: str) -> int | None:
    """An exclusive lock on a folder, or None when another process holds one (or it is gone)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def publish(tree: OutputTree, out_dir: str) -> None:
    """Swap the tree into `out_dir` atomically (per rename), writing it first unless it is staged already."""
    out_dir = output_target(out_dir)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    if isinstance(tree, StagingTree) and tree.out_dir == out_dir:
        staging, staged = tree.folder, True
    else:
        staging, staged = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir)}.new-", dir=parent), False
    try:
        if not staged:
            _write_tree(tree, staging)
        os.chmod(staging, 0o755)  # noqa: S103 - a published site is world-readable, as mkdtemp's 0o700 is not
        retired = None
        # the two renames run with signals held, so an interrupt never leaves no site at all
        with stop_signals_held():
            if os.path.isdir(out_dir):
                retired = tempfile.mkdtemp(prefix=f".{os.path.basename(out_dir)}.old-", dir=parent)
                os.rmdir(retired)
                os.rename(out_dir, retired)
            try:
                os.rename(staging, out_dir)
            except OSError:
                if retired:
                    os.rename(retired, out_dir)
                raise
        if retired:
            shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_tree(tree: OutputTree, root: str) -> None:
    made: set[str] = set()
    for path in sorted(tree.files):
        target = os.path.join(root, *path.split("/"))
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        content = tree.files[path].content
        assert not isinstance(content, Cached), "only a preview serves pages from the cache"
        if isinstance(content, CopyFile):
            shutil.copyfile(content.source, target)
        else:
            with open(target, "wb") as f:
                f.write(content)
