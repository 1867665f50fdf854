"""Front matter as Zola, Hugo and Jekyll write it: TOML between `+++`, YAML between `---`, or a JSON object.

Returns plain data (dates as `datetime`/`date` or text, as the syntax gives them), the body,
and the line the body starts on; a syntax error is a `FrontMatterError` at the file's own
line and column.

The bytes are the old site's, whoever wrote them: front matter is bounded as a build bounds it
(`limits.front_matter_bytes`), nesting is bounded, YAML aliases that would expand a few lines
into millions of values are refused, and whatever a parser raises on hostile input (too deep,
a number too long) is a `FrontMatterError` too, never a traceback.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import yaml

from blogkit.core import yamlio
from blogkit.migrate import rubyyaml
from blogkit.migrate.rubyyaml import Duplicate
from blogkit.migrate.source import LIMITS

MAX_DEPTH = 32  # lists and mappings inside one another: real front matter and configs nest a few levels
FRONT_MATTER_VALUES = 10_000  # values YAML aliases may expand front matter to (a build lists at most 200 items a list)
CONFIG_VALUES = 200_000  # the same for a config or data file
T = TypeVar("T")
_TOML_LINE = re.compile(r"at line (\d+), column (\d+)")


class FrontMatterError(Exception):
    def __init__(self, line: int, column: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.column, self.message, self.hint = line, column, message, hint


@dataclass(frozen=True, slots=True)
class Split:
    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    syntax: str  # toml | yaml | json | none
    head: str = ""  # the front matter's own text
    head_line: int = 1  # the line of the file it starts on
    duplicates: tuple[Duplicate, ...] = ()  # keys YAML gave twice, the last kept (lines of the file); see `last_wins`


def read_front_matter(text: str, last_wins: bool = False) -> Split:
    """`last_wins`: YAML as Ruby read it (Jekyll), a key given twice keeps its last value and is noted in
    `Split.duplicates`; otherwise it is an error, as in a blogkit site."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    first = text.split("\n", 1)[0].rstrip()
    if first in ("+++", "---"):
        fence = first
        lines = text.split("\n")
        for index in range(1, len(lines)):
            if lines[index].rstrip() == fence:
                head = "\n".join(lines[1:index])
                _check_size(len(head.encode("utf-8", "surrogatepass")))
                body = "\n".join(lines[index + 1 :])
                syntax = "toml" if fence == "+++" else "yaml"
                found: list[Duplicate] = []
                parsed = _toml(head, 1) if fence == "+++" else _yaml(head, 1, found if last_wins else None)
                data = _checked(parsed, 2, FRONT_MATTER_VALUES, "front matter")
                moved = tuple(Duplicate(d.key, d.line + 1, d.earlier + 1) for d in found)
                return Split(data, body, index + 2, syntax, head, 2, moved)
        raise FrontMatterError(1, 1, f"the front matter opened by '{fence}' is never closed", f"end it with a line '{fence}'")
    if text.startswith("{"):
        decoder = json.JSONDecoder()
        try:
            data, end = _parsing(lambda: decoder.raw_decode(text[: LIMITS.front_matter_bytes + 1]), 1, "JSON front matter")
        except json.JSONDecodeError as exc:
            _check_size(exc.pos + 1)  # cut short by the limit: too long, not invalid
            raise FrontMatterError(exc.lineno, exc.colno, f"invalid JSON front matter: {exc.msg}") from None
        _check_size(len(text[:end].encode("utf-8", "surrogatepass")))
        if not isinstance(data, dict):
            raise FrontMatterError(1, 1, "JSON front matter must be an object")
        data = _checked(data, 1, FRONT_MATTER_VALUES, "front matter")
        rest = text[end:]
        line = text[:end].count("\n") + 1
        if rest.startswith("\n"):
            rest, line = rest[1:], line + 1
        return Split(data, rest, line, "json", text[:end], 1)
    return Split({}, text, 1, "none")


def _check_size(size: int) -> None:
    if size > LIMITS.front_matter_bytes:
        raise FrontMatterError(
            2,
            1,
            f"the front matter is over {LIMITS.front_matter_bytes // 1024} KiB, the limit of a blogkit build (limits.front_matter_bytes)",
            "front matter holds a post's facts; move long text to the body, then import again",
        )


def _parsing(parse: Callable[[], T], line: int, what: str) -> T:
    """`parse()`, with what a parser raises on hostile input made a FrontMatterError at `line`."""
    try:
        return parse()
    except RecursionError:
        raise FrontMatterError(line, 1, f"the {what} is nested too deeply", f"lists and mappings may nest {MAX_DEPTH} levels") from None
    except MemoryError:
        raise FrontMatterError(line, 1, f"the {what} is too large to read", "") from None
    except (OverflowError, ValueError) as exc:
        if isinstance(exc, json.JSONDecodeError | tomllib.TOMLDecodeError):
            raise
        raise FrontMatterError(
            line, 1, f"the {what} cannot be read: {str(exc).split(';')[0]}", "is a number too long, or a date out of range?"
        ) from None


def _checked(data: Any, line: int, limit: int, what: str) -> Any:
    """`data`, unless it nests deeper than MAX_DEPTH, refers to itself, or its YAML aliases expand it past `limit` values
    (the plan writes values out in full: a few lines of aliases could otherwise become a post of gigabytes)."""
    known: dict[int, tuple[int, int]] = {}  # each list or mapping: (values it expands to, levels in it); (-1, -1) while counted
    written = [0]  # values as the text writes them, each aliased list or mapping once

    def too_deep() -> FrontMatterError:
        hint = "flatten it in the old site, then import again"
        return FrontMatterError(line, 1, f"the {what} nests lists and mappings more than {MAX_DEPTH} deep", hint)

    def count(value: Any, depth: int) -> tuple[int, int]:
        if not isinstance(value, dict | list):
            written[0] += 1
            return 1, 0
        found = known.get(id(value))
        if found == (-1, -1) or depth > MAX_DEPTH:  # (-1, -1): it holds itself
            raise too_deep()
        if found is None:
            known[id(value)] = (-1, -1)
            written[0] += 1
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            counted = [count(item, depth + 1) for item in items]  # each list or mapping counted once: linear in the text
            found = known[id(value)] = (1 + sum(n for n, _ in counted), 1 + max((h for _, h in counted), default=0))
        if depth + found[1] > MAX_DEPTH:
            raise too_deep()
        return found

    expanded = count(data, 0)[0]
    if expanded > limit and expanded > written[0]:  # long as written, it is bounded by the file's size
        raise FrontMatterError(
            line,
            1,
            f"the {what} uses YAML aliases that expand to {expanded} values, over the limit of {limit}",
            "write the values out, or anchor fewer of them (`&` and `*`), then import again",
        )
    return data


def _toml(head: str, offset: int) -> dict[str, Any]:
    try:
        return _parsing(lambda: tomllib.loads(head), offset + 1, "TOML front matter")
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line, column = (int(found.group(1)) + offset, int(found.group(2))) if found else (offset + 1, 1)
        raise FrontMatterError(line, column, f"invalid TOML front matter: {str(exc).split(' (at')[0]}") from None


def _yaml(head: str, offset: int, duplicates: list[Duplicate] | None = None) -> dict[str, Any]:
    data, problem = _load_yaml(head, offset, duplicates, "YAML front matter")
    if problem:
        raise FrontMatterError(problem.line + offset, problem.column, f"invalid YAML front matter: {problem.message}", problem.hint)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(2, 1, "front matter must be a mapping of `key: value` lines")
    return data


def _load_yaml(text: str, offset: int, duplicates: list[Duplicate] | None, what: str) -> tuple[Any, yamlio.YamlProblem | None]:
    """yamlio's strict reading; or, given a list for `duplicates`, Ruby's (the last of a key given twice wins, noted there)."""
    if duplicates is None:
        return _parsing(lambda: yamlio.load(text, offset), offset + 1, what)
    try:
        data, found = _parsing(lambda: rubyyaml.load(text), offset + 1, what)
    except yaml.YAMLError:
        return _parsing(lambda: yamlio.load(text, offset), offset + 1, what)  # the same error, told as a build tells it
    duplicates += found
    return data, None


def read_config(text: str, syntax: str, duplicates: list[Duplicate] | None = None) -> dict[str, Any]:
    """A whole config or data file (`config.toml`, `hugo.yaml`, `_config.yml`, `_data/authors.yml`); raises FrontMatterError.
    Given a list for `duplicates`, YAML is read as Ruby read it: see `read_front_matter`'s `last_wins`."""
    what = f"{syntax.upper()} file"
    if syntax == "toml":
        try:
            data: Any = _parsing(lambda: tomllib.loads(text), 1, what)
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_LINE.search(str(exc))
            line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
            raise FrontMatterError(line, column, f"invalid TOML: {str(exc).split(' (at')[0]}") from None
    elif syntax == "json":
        try:
            data = _parsing(lambda: json.loads(text), 1, what)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    else:
        data, problem = _load_yaml(text, 0, duplicates, what)
        if problem:
            raise FrontMatterError(problem.line, problem.column, f"invalid YAML: {problem.message}", problem.hint)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(1, 1, "the config must be a mapping")
    return _checked(data, 1, CONFIG_VALUES, what)  # type: ignore[no-any-return]
