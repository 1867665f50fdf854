"""Reading an old site's files: what every generator's reader needs alike."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from blogkit.core.fields import parse_when
from blogkit.migrate.frontmatter import FrontMatterError, Split, read_config, read_front_matter
from blogkit.migrate.model import OldSite

MARKDOWN = (".md", ".markdown", ".mdown")
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_](.+)$")


class SourceError(Exception):
    """The source folder is not a site of that generator (exit code 2)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def files_under(root: str, folder: str) -> list[str]:
    """Every file under `folder` (relative to root, '/'-separated), sorted; hidden files left out."""
    found = []
    base = os.path.join(root, folder)
    for current, dirs, names in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                found.append(os.path.relpath(os.path.join(current, name), root).replace(os.sep, "/"))
    return sorted(found)


_OTHER_FORMATS = (".html", ".htm", ".org", ".adoc", ".asciidoc", ".rst", ".pandoc")


def note_unread(site: OldSite, paths: list[str]) -> None:
    """Report pages written in a format other than Markdown (a file with front matter): they are not imported."""
    for path in paths:
        if not path.endswith(_OTHER_FORMATS):
            continue
        try:
            with open(os.path.join(site.root, path), encoding="utf-8-sig", errors="replace") as f:
                start = f.read(4)
        except OSError:
            continue
        if start.startswith(("---", "+++", "{")):
            site.warn(path, 1, "the page is not Markdown; it is not imported", "convert it to Markdown, then import again")


def read_page(site: OldSite, path: str) -> Split | None:
    """A content file's front matter and body; a problem with either is an error at its line."""
    try:
        with open(os.path.join(site.root, path), encoding="utf-8-sig") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        site.fail(path, 0, 0, f"cannot read the file: {exc}")
        return None
    try:
        return read_front_matter(text)
    except FrontMatterError as exc:
        site.fail(path, exc.line, exc.column, exc.message, exc.hint or "fix the front matter in the old site, then import again")
        return None


def read_site_config(root: str, names: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """The first of `names` that exists, and its data; raises SourceError when none does."""
    for name in names:
        path = os.path.join(root, name)
        if os.path.isfile(path):
            syntax = "toml" if name.endswith(".toml") else "json" if name.endswith(".json") else "yaml"
            with open(path, encoding="utf-8-sig") as f:
                text = f.read()
            try:
                return name, read_config(text, syntax)
            except FrontMatterError as exc:
                raise SourceError(f"{name}:{exc.line}:{exc.column}: {exc.message}", exc.hint) from None
    raise SourceError(f"no {' or '.join(names)} in '{root}'", "pass the folder of the old site, the one holding its config")


def when(value: Any, zone: ZoneInfo) -> datetime | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    return parse_when(value, zone)


def texts(value: Any) -> list[str]:
    """A text or a list of texts, as front matter gives them."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item).strip() for item in items if isinstance(item, str | int | float) and str(item).strip()]


def mapping(value: Any, *keys: str) -> dict[str, Any]:
    """The mapping at `keys` inside `value` ({} wherever something else is written): config and front matter are the user's."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


def page_count(posts: int, per_page: Any) -> int:
    """How many pages a list of `posts` took, `per_page` to a page (1 when it was not paginated)."""
    if isinstance(per_page, bool) or not isinstance(per_page, int) or per_page < 1:
        return 1
    return max(1, -(-posts // per_page))


def dated_name(stem: str) -> tuple[str, str]:
    """'2024-03-01-raft' -> ('2024-03-01', 'raft'); ('', stem) when the name holds no date."""
    match = _DATED_NAME.match(stem)
    return (match.group(1), match.group(2)) if match else ("", stem)


def page_stem(path: str) -> str:
    """The name a page's URL is made of: its file name, or its bundle's folder name."""
    name = os.path.basename(path)
    stem = os.path.splitext(name)[0]
    if stem in ("index", "_index"):
        return os.path.basename(os.path.dirname(path))
    return stem


def bundle_assets(root: str, index: str) -> list[str]:
    """The files beside a bundle's index.md (and under it), except other Markdown pages."""
    folder = os.path.dirname(index)
    return [f for f in files_under(root, folder) if f != index and not f.endswith(MARKDOWN)]


def static_copies(root: str, folder: str, into: str = "/") -> list[tuple[str, str]]:
    """(file of the old site, URL path it was served at) for every file of a static folder."""
    return [(path, into + os.path.relpath(path, folder).replace(os.sep, "/")) for path in files_under(root, folder)]
