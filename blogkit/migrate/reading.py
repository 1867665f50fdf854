"""Reading an old site's files: what every generator's reader needs alike.

Every file is read through `source`: nothing outside the old site's folder, nothing larger
than a build reads (see docs/migrating.md, "An untrusted old site")."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blogkit.core.fields import MAX_YEAR, MIN_YEAR, in_range, parse_when
from blogkit.migrate import source
from blogkit.migrate.frontmatter import FrontMatterError, Split, read_config, read_front_matter
from blogkit.migrate.model import OldSite
from blogkit.migrate.rubyyaml import Duplicate

MARKDOWN = (".md", ".markdown", ".mdown")
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_](.+)$")


class SourceError(Exception):
    """The source folder is not a site of that generator (exit code 2)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def files_under(site: OldSite, folder: str) -> list[str]:
    """Every file under `folder` (relative to the old site, '/'), sorted; hidden files left out, and links
    leading out of the old site reported and left out (see `source.walk`)."""

    def warn(path: str, message: str, hint: str) -> None:
        site.warn(path, 0, message, hint)

    return source.walk(site.root, folder, warn)


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
        text = source.read_text(site.root, path, source.LIMITS.file_bytes, "limits.file_bytes")
    except source.Refused as exc:
        site.fail(path, 0, 0, exc.message, exc.hint)
        return None
    try:
        split = read_front_matter(text, last_wins=_as_ruby(site))
    except FrontMatterError as exc:
        site.fail(path, exc.line, exc.column, exc.message, exc.hint or "fix the front matter in the old site, then import again")
        return None
    warn_duplicates(site, path, split.duplicates)
    return split


def _as_ruby(site: OldSite) -> bool:
    """Whether the old site's YAML was read by Ruby (Jekyll): a key given twice then kept its last value."""
    return site.generator == "jekyll"


def warn_duplicates(site: OldSite, path: str, duplicates: Sequence[Duplicate]) -> None:
    """One warning for each key the old site's YAML gave twice, at the line whose value was kept."""
    for found in duplicates:
        site.warn(
            path,
            found.line,
            f"the key '{found.key}' is given again (first on line {found.earlier}); as Jekyll did, the last value is kept",
            "remove one of the two in the old site",
        )


def read_site_config(root: str, names: tuple[str, ...], duplicates: list[Duplicate] | None = None) -> tuple[str, dict[str, Any]]:
    """The first of `names` that exists, and its data; raises SourceError when none does or it cannot be read.
    Given a list for `duplicates`, YAML is read as Ruby read it (see `frontmatter.read_config`)."""
    for name in names:
        if source.exists(root, name):
            return name, read_config_file(root, name, duplicates)
    raise SourceError(f"no {' or '.join(names)} in '{root}'", "pass the folder of the old site, the one holding its config")


def read_config_file(root: str, path: str, duplicates: list[Duplicate] | None = None) -> dict[str, Any]:
    """A config file of the old site (without which there is no site to import); raises SourceError."""
    syntax = "toml" if path.endswith(".toml") else "json" if path.endswith(".json") else "yaml"
    try:
        return read_config(source.read_text(root, path, source.CONFIG_BYTES), syntax, duplicates)
    except source.Refused as exc:
        raise SourceError(f"{path}: {exc.message}", exc.hint) from None
    except FrontMatterError as exc:
        raise SourceError(f"{path}:{exc.line}:{exc.column}: {exc.message}", exc.hint) from None


def read_data(site: OldSite, path: str) -> dict[str, Any]:
    """A data file of the old site (`_data/authors.yml`, `data/authors/ana.toml`); {} when there is none,
    or after reporting why it is not read."""
    if not source.exists(site.root, path):
        return {}
    problem = source.outside(site.root, path)
    if problem:
        site.warn(path, 0, problem, source.OUTSIDE_HINT)
        return {}
    syntax = "toml" if path.endswith(".toml") else "json" if path.endswith(".json") else "yaml"
    found: list[Duplicate] | None = [] if _as_ruby(site) else None
    try:
        data = read_config(source.read_text(site.root, path, source.CONFIG_BYTES), syntax, found)
    except source.Refused as exc:
        site.fail(path, 0, 0, exc.message, exc.hint)
    except FrontMatterError as exc:
        site.fail(path, exc.line, exc.column, exc.message, exc.hint)
    else:
        warn_duplicates(site, path, found or ())
        return data
    return {}


def line_of(split: Split, key: str, value: str = "") -> int:
    """The line of the file where the front matter sets `key` (where it writes `value`, an item of its list); 1 if not found."""
    if not split.head:
        return 1
    form = {"toml": r"^[ \t]*[\"']?{}[\"']?[ \t]*=", "json": r"\"{}\"\s*:"}.get(split.syntax, r"^[ \t]*[\"']?{}[\"']?[ \t]*:")
    found = re.search(form.format(re.escape(key)), split.head, re.IGNORECASE | re.MULTILINE)
    if found is None:
        return 1
    at = found.start()
    if value and value in split.head[at:]:
        at = split.head.index(value, at)
    return split.head_line + split.head.count("\n", 0, at)


def column_of(split: Split, line: int, key: str) -> int:
    """The column where the value of `key` starts on that line of the file (`line_of` gives it); 0 when it is not there."""
    lines = split.head.split("\n")
    at = line - split.head_line
    written = re.match(r"[ \t]*[\"']?" + re.escape(key) + r"[\"']?[ \t]*[:=][ \t]*", lines[at], re.I) if 0 <= at < len(lines) else None
    return written.end() + 1 if written and written.end() < len(lines[at].rstrip()) else 0


def left_undated(site: OldSite, split: Split, path: str, key: str, value: Any) -> None:
    """Report a dated page whose date is missing, or is none a build can use (it is left out)."""
    if value is None or value == "":
        site.warn(path, 1, "the page has no date; it is left out", "give it a date to import it")
        return
    shown = value.isoformat() if isinstance(value, date) else str(value)[:80]
    site.warn(
        path,
        line_of(split, key),
        f"the date '{shown}' is none blogkit can use; the page is left out",
        f"dates run from year {MIN_YEAR} to {MAX_YEAR}, e.g. 2024-03-01 or 2024-03-01T09:00:00+02:00",
    )


def url_lines(split: Split, url: str, keys: Sequence[str], alias_key: str, aliases: Mapping[str, str]) -> dict[str, int]:
    """The line of the file that gives each old URL of a page: its own (set by the first of `keys` the front
    matter has, else line 1) and each alias (`aliases`: the alias -> as `alias_key` writes it)."""
    written = {str(k).lower() for k in split.data}
    lines = {url: next((line_of(split, key) for key in keys if key in written), 1)}
    for alias, as_written in aliases.items():
        lines.setdefault(alias, line_of(split, alias_key, as_written))
    return lines


def zone_named(name: str) -> ZoneInfo:
    """The time zone an old config names; UTC when it names none this system knows."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def when(value: Any, zone: ZoneInfo) -> datetime | None:
    """A date of the front matter; None when there is none, or none a build can use (9999-12-31T23:00-05:00 is past year 9998)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        found: datetime | None = datetime(value.year, value.month, value.day, tzinfo=zone)
    else:
        found = parse_when(value, zone)
    return found if found is not None and in_range(found, zone) else None


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


def bundle_assets(site: OldSite, index: str) -> list[str]:
    """The files beside a bundle's index.md (and under it), except other Markdown pages."""
    folder = os.path.dirname(index)
    return [f for f in files_under(site, folder) if f != index and not f.endswith(MARKDOWN)]


def static_copies(site: OldSite, folder: str, into: str = "/") -> list[tuple[str, str]]:
    """(file of the old site, URL path it was served at) for every file of a static folder."""
    return [(path, into + os.path.relpath(path, folder).replace(os.sep, "/")) for path in files_under(site, folder)]
