"""`blogkit import`: read the old site, plan the new folder, write it, say what was done.

The stages: read (one reader per generator: the neutral model of `model`), plan (pure:
the files of the new site), write (the only stage that touches DEST, and only when nothing
stopped the import: never half a site).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from blogkit.core.diagnostics import Diagnostic, Severity
from blogkit.migrate.model import OldSite
from blogkit.migrate.plan import Plan, plan_site
from blogkit.migrate.reading import SourceError

GENERATORS = ("zola", "hugo", "jekyll")


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
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        raise DestinationError(f"'{dest}' is not empty; blogkit import writes only into a new or empty folder")
    site = _reader(generator)(source, sections, language)
    plan = None if any(p.error for p in site.problems) else plan_site(site)
    diagnostics = [
        Diagnostic(Severity.ERROR if p.error else Severity.WARNING, p.location, p.message, p.hint)
        for p in sorted(site.problems, key=lambda p: (p.location, p.message))
    ]
    if plan is not None:
        _write(plan, source, dest)
    return Imported(site, plan, diagnostics)


def _write(plan: Plan, source: str, dest: str) -> None:
    """Write the new site into `dest` (new or empty), in a fixed order; no time stamps are kept."""
    os.makedirs(dest, exist_ok=True)
    for path in sorted(plan.texts):
        target = os.path.join(dest, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(plan.texts[path])
    for path in sorted(plan.copies):
        target = os.path.join(dest, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(source, *plan.copies[path].split("/")), target)
