"""The set of files a build publishes, each with the source it came from.

Two things written to one path is a collision: it is reported at the later
source, naming the earlier one, instead of one silently overwriting the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from blogkit.core.diagnostics import Location, Report


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


class OutputTree:
    """The outputs of a build, in memory (for `check`, `serve` and tests).

    A tree that `streams` (the staging folder of `blogkit build`) writes each file as it
    is added, and its worker processes write files with `write_only` and tell the parent
    with `note_written`.
    """

    streams = False
    by_reference = False  # True: pages and feeds the cache holds are added as `Cached`, not as their bytes

    def __init__(self, report: Report) -> None:
        self.files: dict[str, Output] = {}
        self._report = report

    def add(self, path: str, content: bytes | str | CopyFile | Cached, origin: Location) -> None:
        if not stays_inside(path):
            self._report.error(origin, f"{path[:80]!r} would be written outside the output folder", "no file is written there")
            return
        if path in self.files:
            first = self.files[path].origin
            self._report.error(
                origin,
                f"/{path} is also written by {first.path}",
                "two things cannot share one URL: change a slug, an alias or a page name",
            )
            return
        data = content.encode("utf-8") if isinstance(content, str) else content
        self.files[path] = Output(data, origin)

    @property
    def report(self) -> Report:
        return self._report

    def __contains__(self, path: str) -> bool:
        return path in self.files

    def __len__(self) -> int:
        return len(self.files)

    def write_only(self, path: str, data: bytes) -> None:
        raise NotImplementedError("only a tree that streams writes files")

    def note_written(self, path: str, origin: Location) -> None:
        raise NotImplementedError("only a tree that streams writes files")
