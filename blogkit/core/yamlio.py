"""Safe YAML: plain data only, with the file's own lines and columns on demand.

Posts are data, never code: only the safe constructors are available, so tags
such as `!!python/object` are errors. Timestamps are *not* resolved by YAML;
they stay strings and `blogkit.values` parses them, so an impossible date is a
located diagnostic instead of an exception from deep inside the loader.

Values load fast (the C parser when present); positions are only computed when
a diagnostic needs one, by composing the node tree and walking to the value.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader without the implicit timestamp type, and with no YAML 1.1 dates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

Key = str | int
KeyPath = Sequence[Key]


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """A YAML syntax or construction error, at a 1-based line and column of the text."""

    line: int
    column: int
    message: str
    hint: str


def load(text: str, line_offset: int = 0) -> tuple[Any, YamlProblem | None]:
    """Parse one YAML document; returns (data, None) or (None, problem).

    `line_offset` is the line of the file just before the text (1 for front matter), so that
    lines named in hints are lines of the file; the problem's own line and column are not shifted."""
    try:
        return yaml.load(text, Loader=_Loader), None  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        hint = _hint_for(message, text, line)
        context = exc.context_mark
        if exc.context and context and mark and context.line != mark.line:
            hint = (
                hint + "; " if hint else ""
            ) + f"the problem began {exc.context.replace('while ', '')} on line {context.line + 1 + line_offset}"
        return None, YamlProblem(line, column, _explain(message), hint)
    except yaml.YAMLError as exc:
        return None, YamlProblem(1, 1, f"invalid YAML: {exc}", "")
    except RecursionError:
        return None, YamlProblem(1, 1, "YAML nested too deeply", "flatten the structure")


def _explain(problem: str) -> str:
    if "could not determine a constructor" in problem:
        return "YAML tags are not allowed: " + problem.replace("could not determine a constructor for the tag", "unknown tag").strip()
    return f"invalid YAML: {problem}"


def _hint_for(problem: str, text: str, line: int) -> str:
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if "tag" in problem and "constructor" in problem:
        return "posts and profiles are plain data: remove the `!` tag or quote the value"
    if "mapping values are not allowed" in problem:
        return 'a value containing ": " must be quoted, e.g. title: "Postgres: the good parts"'
    if "found character '\\t'" in problem or "\t" in source:
        return "YAML is indented with spaces, not tabs"
    if "could not find expected ':'" in problem:
        return "each line must be `key: value`; is a colon or a closing quote missing?"
    if "did not find expected" in problem or "expected <block end>" in problem:
        return "check the indentation and that every quote and bracket is closed"
    if "found undefined alias" in problem or "found unhashable key" in problem:
        return "quote the value: `*` and `&` start YAML aliases and anchors"
    return ""


@functools.lru_cache(maxsize=8)
def _composed(text: str) -> yaml.Node | None:
    """The node tree of a YAML text, composed once however many of its values are located."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None


def locate(text: str, path: KeyPath, *, key: bool = False) -> tuple[int, int]:
    """The 1-based (line, column) of the value at `path` (or of its key when `key`).

    Falls back to the deepest node found, then to (1, 1).
    """
    node = _composed(text)
    if node is None:
        return 1, 1
    found = node
    for i, step in enumerate(path):
        child = None
        if isinstance(found, yaml.MappingNode):
            for k, v in found.value:
                if isinstance(k, yaml.ScalarNode) and k.value == step:
                    child = k if key and i == len(path) - 1 else v
                    break
        elif isinstance(found, yaml.SequenceNode) and isinstance(step, int):
            if 0 <= step < len(found.value):
                child = found.value[step]
        if child is None:
            break
        found = child
    if found is None:
        return 1, 1
    return found.start_mark.line + 1, found.start_mark.column + 1
