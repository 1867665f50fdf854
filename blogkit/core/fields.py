"""Typed reading of one YAML mapping, each problem reported at its own line.

`Fields` wraps the mapping loaded from a profile, a config file or a post's
front matter. Each accessor returns a clean Python value or `None` after
reporting an error located at the offending value in the user's file.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from urllib.parse import urlsplit

from blogkit.core import yamlio
from blogkit.core.diagnostics import Location, Report

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # from YAML escapes such as "\\a"
_DATE_HINT = "write dates like 2026-03-01 or 2026-03-01T09:30:00+01:00"
_SPACE_BEFORE_ZONE = re.compile(r"^(\S+[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)\s+([+-]\d\d:?\d\d|Z)$")


class Fields:
    def __init__(
        self,
        data: dict[str, Any],
        *,
        text: str,
        path: str,
        line_offset: int,
        report: Report,
        what: str,
        prefix: tuple[yamlio.Key, ...] = (),
    ) -> None:
        """`prefix` is the key path of this mapping inside the file (for nested sections)."""
        self.data = data
        self.prefix = prefix
        self.text = text
        self.path = path
        self.line_offset = line_offset
        self.report = report
        self.what = what

    # -- locations and reporting --------------------------------------------------------------
    def location(self, *keypath: yamlio.Key, key: bool = False) -> Location:
        if not keypath and not self.prefix:
            return Location(self.path, self.line_offset + 1, 1)
        line, column = yamlio.locate(self.text, self.prefix + keypath, key=key or not keypath)
        return Location(self.path, line + self.line_offset, column)

    def section(self, key: str, data: dict[str, Any], what: str) -> Fields:
        """The fields of a nested mapping, located inside this one."""
        return Fields(
            data, text=self.text, path=self.path, line_offset=self.line_offset, report=self.report, what=what, prefix=(*self.prefix, key)
        )

    def error(self, keypath: tuple[yamlio.Key, ...], message: str, hint: str = "") -> None:
        self.report.error(self.location(*keypath), message, hint)

    def warning(self, keypath: tuple[yamlio.Key, ...], message: str, hint: str = "") -> None:
        self.report.warning(self.location(*keypath), message, hint)

    def known_section(self, key: str, known: Iterable[str], *, unknown_is_error: bool = True, what: str = "") -> Fields | None:
        """The fields of the mapping at `key` (`what`, by default "the <key> section"), its unknown keys
        reported; None when it is absent (or not a mapping, which is reported)."""
        data = self.mapping(key)
        if data is None:
            return None
        sub = self.section(key, data, what or f"the {key} section")
        sub.check_keys(known, unknown_is_error=unknown_is_error)
        return sub

    def check_keys(
        self, known: Iterable[str], *, unknown_is_error: bool = False, elsewhere: Mapping[str, tuple[str, str]] | None = None
    ) -> None:
        """Report keys that are not in `known`, with a did-you-mean where one is close; a key of
        `elsewhere` (one that belongs to another kind of file) gets its own message and hint."""
        known = list(known)
        for key in self.data:
            if key in known:
                continue
            if elsewhere and key in elsewhere:
                self.report.warning(self.location(str(key), key=True), *elsewhere[key])
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known)
            report = self.report.error if unknown_is_error else self.report.warning
            report(self.location(str(key), key=True), f"unknown key '{key}' in {self.what}", hint)

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    # -- scalar types ------------------------------------------------------------------------
    def string(self, key: str, *, required: bool = False, hint: str = "") -> str | None:
        if not self.has(key):
            if required and key in self.data:  # `title:` with nothing after it
                self.error((key,), f"'{key}' is empty", f"write the {key} after `{key}:`")
            elif required:
                self.error((), f"{self.what} is missing the required key '{key}'", hint or f"add a line `{key}: ...`")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error((key,), f"'{key}' must be a text, got {_kind(value)}", 'quote it: key: "..."')
            return None
        text = _CONTROL.sub("", str(value)).strip()
        if required and not text:
            self.error((key,), f"'{key}' is empty", f"write the {key} after `{key}:`")
            return None
        return text

    def boolean(self, key: str, default: bool = False) -> bool:
        if not self.has(key):
            return default
        value = self.data[key]
        if not isinstance(value, bool):
            self.error((key,), f"'{key}' must be true or false, got {_shown(value)}")
            return default
        return value

    def integer(self, key: str, default: int, *, minimum: int = 1) -> int:
        if not self.has(key):
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.error((key,), f"'{key}' must be a whole number of at least {minimum}, got {_shown(value)}")
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        if not self.has(key):
            return default
        value = self.data[key]
        if value not in choices:
            self.error((key,), f"'{key}' must be one of {', '.join(choices)}; got {_shown(value)}")
            return default
        return str(value)

    def url(self, key: str, *, required: bool = False) -> str | None:
        value = self.string(key, required=required)
        if value is None:
            return None
        return self.check_url(value, (key,), key)

    def check_url(self, value: Any, keypath: tuple[yamlio.Key, ...], name: str) -> str | None:
        if not isinstance(value, str) or not is_http_url(value.strip()):
            self.error(
                keypath, f"'{name}' must be an http(s) URL, got {_shown(value)}", "write the full address, e.g. https://example.com/page"
            )
            return None
        return value.strip()

    def mapping(self, key: str) -> dict[str, Any] | None:
        if not self.has(key):
            return None
        value = self.data[key]
        if not isinstance(value, dict):
            self.error((key,), f"'{key}' must be a mapping of `name: value` lines, got {_kind(value)}")
            return None
        return value

    def string_list(self, key: str, *, single_ok: bool = True) -> list[tuple[int, str]] | None:
        """A list of texts (or one text when `single_ok`), each with its index in the file."""
        if not self.has(key):
            return None
        value = self.data[key]
        if single_ok and isinstance(value, str | int | float) and not isinstance(value, bool):
            return [(-1, str(value))]
        if not isinstance(value, list):
            self.error((key,), f"'{key}' must be a list, got {_kind(value)}", f"write {key}: [first, second]")
            return None
        items: list[tuple[int, str]] = []
        for i, item in enumerate(value):
            if item is None:
                items.append((i, ""))
            elif isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error((key, i), f"each entry of '{key}' must be a text, got {_kind(item)}")
            else:
                items.append((i, str(item)))
        return items

    def when(self, key: str, zone: tzinfo, *, keypath: tuple[yamlio.Key, ...] | None = None) -> datetime | None:
        """A date or date-time; naive values are taken in the site's time zone."""
        value = self.data.get(key) if keypath is None else _get(self.data, keypath)
        if value is None:
            return None
        parsed = parse_when(value, zone)
        if parsed is None:
            self.error(keypath or (key,), f"'{key}' must be a date like 2026-03-01, got {_shown(value)}", _DATE_HINT)
        elif not in_range(parsed, zone):
            self.error(keypath or (key,), f"'{key}' is out of range: {_shown(value)}", f"dates run from year {MIN_YEAR} to {MAX_YEAR}")
            return None
        return parsed


MIN_YEAR, MAX_YEAR = 2, 9998  # a day inside the calendar's ends: no time zone moves a date off them


def in_range(when: datetime, zone: tzinfo) -> bool:
    """Whether a date-time is one every stage can convert to UTC and to the site's zone and format."""
    try:
        return MIN_YEAR <= when.astimezone(UTC).year <= MAX_YEAR and MIN_YEAR <= when.astimezone(zone).year <= MAX_YEAR
    except (OverflowError, ValueError):
        return False


def parse_when(value: Any, zone: tzinfo) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), zone)
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _SPACE_BEFORE_ZONE.match(text)
    if match:
        text = match.group(1) + match.group(2)
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), zone)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


_NOT_IN_URLS = re.compile(r'[\s"<>\\`\x00-\x1f\x7f]')  # never part of a URL (RFC 3986): spaces, quotes, brackets, controls


def is_http_url(value: str) -> bool:
    """An http(s) URL with a host, a valid port if any, and none of the characters no URL holds."""
    if _NOT_IN_URLS.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _get(data: Any, keypath: tuple[yamlio.Key, ...]) -> Any:
    for step in keypath:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return _shown(value)


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


INTERNAL = {"internal": True}  # metadata of a config field that no key of blogkit.yaml sets


def config_keys(section: type) -> tuple[str, ...]:
    """The keys `blogkit.yaml` may give a section: the fields of its dataclass, as written there."""
    return tuple(f.metadata.get("key", f.name) for f in dataclasses.fields(section) if not f.metadata.get("internal"))
