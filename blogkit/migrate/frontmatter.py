"""Front matter as Zola, Hugo and Jekyll write it: TOML between `+++`, YAML between `---`, or a JSON object.

Returns plain data (dates as `datetime`/`date` or text, as the syntax gives them), the body,
and the line the body starts on; a syntax error is a `FrontMatterError` at the file's own
line and column.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

from blogkit.core import yamlio

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


def read_front_matter(text: str) -> Split:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    first = text.split("\n", 1)[0].rstrip()
    if first in ("+++", "---"):
        fence = first
        lines = text.split("\n")
        for index in range(1, len(lines)):
            if lines[index].rstrip() == fence:
                head = "\n".join(lines[1:index])
                body = "\n".join(lines[index + 1 :])
                data = _toml(head) if fence == "+++" else _yaml(head)
                return Split(data, body, index + 2, "toml" if fence == "+++" else "yaml")
        raise FrontMatterError(1, 1, f"the front matter opened by '{fence}' is never closed", f"end it with a line '{fence}'")
    if text.startswith("{"):
        decoder = json.JSONDecoder()
        try:
            data, end = decoder.raw_decode(text)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(exc.lineno, exc.colno, f"invalid JSON front matter: {exc.msg}") from None
        if not isinstance(data, dict):
            raise FrontMatterError(1, 1, "JSON front matter must be an object")
        rest = text[end:]
        line = text[:end].count("\n") + 1
        if rest.startswith("\n"):
            rest, line = rest[1:], line + 1
        return Split(data, rest, line, "json")
    return Split({}, text, 1, "none")


def _toml(head: str) -> dict[str, Any]:
    try:
        return tomllib.loads(head)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line, column = (int(found.group(1)) + 1, int(found.group(2))) if found else (2, 1)
        raise FrontMatterError(line, column, f"invalid TOML front matter: {str(exc).split(' (at')[0]}") from None


def _yaml(head: str) -> dict[str, Any]:
    data, problem = yamlio.load(head, 1)
    if problem:
        raise FrontMatterError(problem.line + 1, problem.column, f"invalid YAML front matter: {problem.message}", problem.hint)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(2, 1, "front matter must be a mapping of `key: value` lines")
    return data


def read_config(text: str, syntax: str) -> dict[str, Any]:
    """A whole config file (`config.toml`, `hugo.yaml`, `_config.yml`, ...); raises FrontMatterError."""
    if syntax == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_LINE.search(str(exc))
            line, column = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
            raise FrontMatterError(line, column, f"invalid TOML: {str(exc).split(' (at')[0]}") from None
    if syntax == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(exc.lineno, exc.colno, f"invalid JSON: {exc.msg}") from None
    else:
        data, problem = yamlio.load(text)
        if problem:
            raise FrontMatterError(problem.line, problem.column, f"invalid YAML: {problem.message}", problem.hint)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(1, 1, "the config must be a mapping")
    return data
