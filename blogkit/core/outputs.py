"""The set of files a build publishes, each with the source it came from.

Two things written to one file is a collision: it is reported, naming the other,
instead of one silently overwriting the other. `Claims` is the one place that
decides when two paths are one file and words the error, for the list of routes
(`render/routes.py`) and for the tree, which also takes files that are not routes
(a search index's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from blogkit.core.diagnostics import Location, Report
from blogkit.core.urls import one_file_key


def stays_inside(path: str) -> bool:
    """Whether an output path ('a/b/index.html') names a file under the output folder: relative, no
    `.` or `..` segment, no empty one, no backslash or NUL. Routes make only such paths; this is
    the last guard, for paths that come from elsewhere (the cache, a search index)."""
    return bool(path) and "\\" not in path and "\0" not in path and all(part not in ("", ".", "..") for part in path.split("/"))


@dataclass(frozen=True, slots=True)
class CopyFile:
    """A file copied as is (static files, bundle assets, theme assets)."""

    source: str  # absolute path


@dataclass(frozen=True, slots=True)
class Cached:
    """A page or feed whose bytes the build cache holds (under `blogkit serve`, which serves from the cache)."""

    key: str  # the entry's key among the cache's outputs


@dataclass(frozen=True, slots=True)
class Output:
    content: bytes | CopyFile | Cached
    origin: Location


class Claims:
    """Which source claimed each output file first.

    Two paths are one file when they are equal, or differ only by case or Unicode form
    (`one_file_key`): a macOS or Windows checkout, or a server on such a disk, holds only
    one of them. A later claim of a claimed file is an error, reported at the user's own
    file (an alias, a post, a page, a static file) whenever one of the two is one, naming
    the other; the earlier claim keeps the file."""

    def __init__(self, report: Report) -> None:
        self._first: dict[str, tuple[str, Location]] = {}
        self._report = report

    def claim(self, file: str, origin: Location) -> bool:
        """Whether `file` was free: it is now `origin`'s. When it was not, the collision is reported."""
        key = one_file_key(file)
        earlier = self._first.get(key)
        if earlier is None:
            self._first[key] = (file, origin)
            return True
        earlier_file, earlier_origin = earlier
        at, other = (earlier_origin, origin) if _generated(origin) and not _generated(earlier_origin) else (origin, earlier_origin)
        shown = other.path if not _generated(other) else f"blogkit's own {other.path.strip('()')}"
        if earlier_file == file:
            message = f"/{file} is also written by {shown}"
        else:
            message = f"/{file} differs only by case or Unicode form from /{earlier_file}, written by {shown}"
        self._report.error(at, message, "two things cannot share one URL: change a slug, an alias or a page name")
        return False

    def release(self, file: str) -> None:
        """Give up the claim of `file` (not of another path that is one file with it)."""
        key = one_file_key(file)
        if self._first.get(key, ("",))[0] == file:
            del self._first[key]

    def hold(self, files: Mapping[str, Output]) -> None:
        """Claim files already known to be free of collisions (a tree's), without checking them again."""
        self._first.update((one_file_key(path), (path, output.origin)) for path, output in files.items())


def _generated(origin: Location) -> bool:
    """An origin of blogkit's own making, such as (feeds) or (theme), rather than a file of the site."""
    return origin.path.startswith("(")


class OutputTree:
    """The outputs of a build, in memory (for `check`, `serve` and tests).

    A tree that `streams` (the staging folder of `blogkit build`) writes each file as it
    is added, and its worker processes write files with `write_only` and tell the parent
    with `note_written`.
    """

    streams = False
    by_reference = False  # True: pages and feeds the cache holds are added as `Cached`, not as their bytes

    def __init__(self, report: Report) -> None:
        self._files: dict[str, Output] = {}
        self._claims: Claims | None = None  # made when a file is added (routes already claimed theirs)
        self._report = report

    @property
    def files(self) -> dict[str, Output]:
        """Every file, by path. Change it only through `add` and `note_written`, or assign it whole."""
        return self._files

    @files.setter
    def files(self, files: dict[str, Output]) -> None:
        self._files = files
        self._claims = None

    def add(self, path: str, content: bytes | str | CopyFile | Cached, origin: Location) -> None:
        """Add a file, unless its path leaves the output folder or names a file the tree holds
        (as `Claims` decides: the same path, or one differing only by case or Unicode form); those are errors.

        The routes of a site reach the tree free of collisions (`without_collisions`): this
        guard is for files that are not routes, such as a search index's."""
        if self.claim(path, origin):
            self._put(path, content.encode("utf-8") if isinstance(content, str) else content, origin)

    def claim(self, path: str, origin: Location) -> bool:
        """Whether `add` would take a file at `path` (when not, it is reported); the path is then held for
        it. For a file that is not a route and that a worker writes (`note_written` then keeps it)."""
        if not stays_inside(path):
            self._report.error(origin, f"{path[:80]!r} would be written outside the output folder", "no file is written there")
            return False
        if self._claims is None:
            self._claims = Claims(self._report)
            self._claims.hold(self._files)
        return self._claims.claim(path, origin)

    def _put(self, path: str, data: bytes | CopyFile | Cached, origin: Location) -> None:
        """Keep a file `add` accepted."""
        self._files[path] = Output(data, origin)

    @property
    def report(self) -> Report:
        return self._report

    def __contains__(self, path: str) -> bool:
        return path in self.files

    def __len__(self) -> int:
        return len(self.files)

    def withdraw(self, path: str) -> None:
        """Give up a path `claim` held that is not in the tree: its claim is released and what a worker may
        have written there is removed."""
        assert path not in self._files, "a file in the tree is never withdrawn"
        if self._claims is not None:
            self._claims.release(path)

    def write_only(self, path: str, data: bytes) -> None:
        raise NotImplementedError("only a tree that streams writes files")

    def note_written(self, path: str, origin: Location) -> None:
        raise NotImplementedError("only a tree that streams writes files")

    def _hold_written(self, path: str, output: Output) -> None:
        """Keep a file a worker wrote (its route claimed it): the next `add` checks against it too."""
        self._files[path] = output
        if self._claims is not None:
            self._claims.hold({path: output})
