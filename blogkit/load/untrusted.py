"""Bytes from outside: servers' answers and `.blogkit-fetched/`, which anyone may have edited since.

`fetch` reads what servers answer and the copies it kept; the build and `check` read the
fetched folder. Every one of them goes through these functions, so that no such input can take
more than a bounded share of memory or stack, or end blogkit with a traceback:

- JSON is parsed only within a size and after its nesting is measured (at most `MAX_DEPTH`
  levels: Python's parser recurses), and a problem is an `Unreadable` with its line and column;
  a value's position is worked out only when a problem is reported at it;
- a date needs its zone and a year every stage can convert and show (the years a post may have);
- texts lose their control characters: no bell, terminal escape or NUL reaches a page or a feed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from blogkit.core.diagnostics import size_text
from blogkit.core.fields import MAX_YEAR, MIN_YEAR, in_range
from blogkit.core.files import read_at_most

MAX_DEPTH = 64  # arrays and objects inside each other: every format blogkit reads needs fewer than 10
MAX_FILE_BYTES = 32 * 1024 * 1024  # a fetched file: at most 50 entries of a 5 MiB feed, or 200 replies
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # its brackets are text
_BRACKET = re.compile(rf"{_STRING.pattern}|[\[{{\]}}]")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_PAIRS = str.maketrans("[{]}", "(())")
_DIGITS = 4300  # the longest integer Python converts from text
_LONG_NUMBER = re.compile(rf"[0-9]{{{_DIGITS + 1},}}")
_SPACE = re.compile(r"[ \t\n\r]*")
# C0 and C1 controls but tab and newline (a carriage return is a newline first)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Unreadable(Exception):
    """What is wrong with a document, and where (1-based; 0 when it is the whole document)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}" if self.line else self.message


def without_controls(text: str) -> str:
    """`text` without C0 and C1 control characters; tabs and newlines stay, a carriage return is a newline."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_of(value: object) -> str:
    """A value that must be text: itself when it is, else "" (a number, list or object is no title)."""
    return value if isinstance(value, str) else ""


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of an offset in a text."""
    offset = max(0, min(offset, len(text)))
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_json(text: str) -> Any:
    """A JSON document nested at most `MAX_DEPTH` deep; anything else is `Unreadable`, never another exception."""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        _measure_depth(text)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise Unreadable(f"nested more than {MAX_DEPTH} deep") from None
    except MemoryError:
        raise Unreadable("too large to read") from None
    except ValueError as exc:  # a number of more than 4,300 digits, NaN, Infinity
        if digits := _LONG_NUMBER.search(text):
            raise Unreadable(f"a number of more than {_DIGITS} digits", *position(text, digits.start())) from None
        raise Unreadable(f"not JSON: {exc}") from None


def parse_json_bytes(data: bytes) -> Any:
    """A JSON document from bytes (UTF-8, or UTF-16 or UTF-32 as JSON allows), within `MAX_FILE_BYTES`."""
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"larger than {size_text(MAX_FILE_BYTES)}")
    encoding = json.detect_encoding(data)
    try:
        text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as exc:
        line, column = position(data[: exc.start].decode("latin-1"), exc.start)
        raise Unreadable(f"not valid {encoding.upper()}", line, column) from None
    return parse_json(text)


def read_json_file(path: str) -> tuple[Any, str]:
    """(data, text) of a JSON file of at most `MAX_FILE_BYTES`: `Unreadable` when it is not one; OSError passes."""
    data = read_at_most(path, MAX_FILE_BYTES)
    value = parse_json_bytes(data)
    return value, data.decode("utf-8-sig", errors="replace")


def json_position(text: str, keys: tuple[str | int, ...]) -> tuple[int, int]:
    """Where the value at `keys` (object keys and list indexes) starts in a JSON text that parsed;
    as far as the keys lead when one is missing. Worked out only for a problem: it reads the text again."""
    decoder = json.JSONDecoder()
    at = _SPACE.match(text).end()  # type: ignore[union-attr]
    try:
        for key in keys:
            opening = text[at : at + 1]
            if (opening, isinstance(key, str)) not in (("{", True), ("[", False)):
                break
            found, index, start = -1, 0, at
            at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
            while text[at] not in "]}":
                if opening == "{":
                    name, at = decoder.raw_decode(text, at)
                    at = _SPACE.match(text, _SPACE.match(text, at).end() + 1).end()  # type: ignore[union-attr]
                    found = at if name == key else found  # the last of a key given twice, as parsing keeps
                elif index == key:
                    found = at
                _, at = decoder.raw_decode(text, at)
                index += 1
                at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
                if text[at] == ",":
                    at = _SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
            if found < 0:
                at = start
                break
            at = found
    except (ValueError, IndexError, RecursionError):
        pass
    return position(text, at)


def utc_date(value: object, *, naive_is_utc: bool = False) -> datetime:
    """A date and time with its zone, as UTC, in the years every stage can show; ValueError saying why not.
    Servers' dates without a zone are UTC with `naive_is_utc`; in a fetched file (always written in UTC) they are refused."""
    if not isinstance(value, str):
        raise ValueError("must be a date and time as text, like 2026-03-01T10:00:00+00:00")
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"must be a date and time like 2026-03-01T10:00:00+00:00, got '{value[:80]}'") from None
    if when.tzinfo is None:
        if not naive_is_utc:
            raise ValueError(f"'{value[:80]}' has no time zone")
        when = when.replace(tzinfo=UTC)
    if not in_range(when, UTC):  # 9999-12-31T23:00-05:00 is past the calendar's end in UTC
        raise ValueError(f"'{value[:80]}' is outside the years {MIN_YEAR} to {MAX_YEAR}")
    return when.astimezone(UTC)


def _measure_depth(text: str) -> None:
    """Unreadable when brackets nest deeper than `MAX_DEPTH`: the innermost pairs are removed, one
    level each time, in C; only a text still holding brackets after that is followed to the place."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_PAIRS)
    for _ in range(MAX_DEPTH):
        if not brackets:
            return
        brackets = brackets.replace("()", "")
    if not brackets:
        return
    depth = 0
    for match in _BRACKET.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise Unreadable(f"nested more than {MAX_DEPTH} deep", *position(text, match.start()))
        elif bracket in "]}":
            depth -= 1


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
