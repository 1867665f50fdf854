"""`blogkit import`: read the old site, plan the new folder, write it, say what was done.

The stages: read (one reader per generator: the neutral model of `model`), plan (pure:
the files of the new site), write (the only stage that touches DEST, and only when nothing
stopped the import: never half a site).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from blogkit.core.diagnostics import Diagnostic, Severity
from blogkit.migrate.model import OldSite
from blogkit.migrate.plan import Plan, plan_site, unsafe_path
from blogkit.migrate.reading import SourceError
from blogkit.migrate.source import Refused, copy_file


class DestinationError(Exception):
    """DEST cannot be written to (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Imported:
    site: OldSite
    plan: Plan | None  # None when errors stopped the import
    diagnostics: list[Diagnostic]


def _reader(generator: str) -> Callable[[str, Sequence[str], str], OldSite]:
    if generator == "zola":
        from blogkit.migrate.zola import read_zola

        return read_zola
    if generator == "hugo":
        from blogkit.migrate.hugo import read_hugo

        return read_hugo
    from blogkit.migrate.jekyll import read_jekyll

    return read_jekyll


def import_site(generator: str, source: str, dest: str, sections: Sequence[str] = (), language: str = "") -> Imported:
    """Import; raises SourceError (the source is no such site) or DestinationError."""
    source = os.path.abspath(source)
    if not os.path.isdir(source):
        raise SourceError(f"the source folder '{source}' does not exist", f"pass the folder of the {generator} site")
    dest = _destination(dest)
    site = _reader(generator)(source, sections, language)
    plan = None if any(p.error for p in site.problems) else plan_site(site)
    diagnostics = [
        Diagnostic(Severity.ERROR if p.error else Severity.WARNING, p.location, p.message, p.hint)
        for p in sorted(set(site.problems), key=lambda p: (p.location, p.message))
    ]
    if plan is not None:
        _write(plan, source, dest)
    return Imported(site, plan, diagnostics)


def _destination(dest: str) -> str:
    """The folder to write: DEST, or the folder a link DEST leads to; raises DestinationError unless it is new or empty."""
    if os.path.islink(dest):
        target = os.path.realpath(dest)
        if not os.path.isdir(target):
            raise DestinationError(f"'{dest}' is a symbolic link to '{os.readlink(dest)}', which is no folder")
        dest = target  # the link stays, and leads to the new site
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        raise DestinationError(f"'{dest}' is not empty; blogkit import writes only into a new or empty folder")
    return os.path.abspath(dest)


def _write(plan: Plan, source: str, dest: str) -> None:
    """Write the new site into a folder beside `dest`, in a fixed order, then put it in place: an
    interrupted import leaves no half site. No time stamps are kept."""
    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".blogkit-import-", dir=parent)
    try:
        for path in sorted(plan.texts):
            with open(_new_file(staging, path), "w", encoding="utf-8", newline="\n") as f:
                f.write(plan.texts[path])
        for path in sorted(plan.copies):
            try:
                copy_file(source, plan.copies[path], _target(staging, path))
            except Refused as exc:  # the old site changed since it was read
                raise OSError(f"'{plan.copies[path]}': {exc.message}") from None
        os.chmod(staging, 0o777 & ~_umask())
        if os.path.isdir(dest):
            os.rmdir(dest)  # empty, as checked: the new site takes its place
        os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _target(folder: str, path: str) -> str:
    """Where the new site's file `path` goes under `folder`: every file written goes through here, and only
    a path that stays under `folder` passes (the plan reports and drops the others: one here is a bug)."""
    problem = unsafe_path(path)
    if problem:
        raise ValueError(f"the import planned a file '{path}' outside the new site ({problem})")
    target = os.path.join(folder, *path.split("/"))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    real, base = os.path.realpath(os.path.dirname(target)), os.path.realpath(folder)
    if real != base and not real.startswith(base + os.sep):
        raise ValueError(f"the import planned a file '{path}' that resolves outside the new site")
    return target


def _new_file(folder: str, path: str) -> int:
    """The file descriptor of the new file `path` under `folder`, never opened through a link."""
    return os.open(_target(folder, path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
