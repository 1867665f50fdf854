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
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader without the implicit timestamp type, and with no YAML 1.1 dates; a key given twice
    in one mapping (also through a `<<` merge) is an error, not a silent last-one-wins."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # merged keys first, then the mapping's own: a later equal key is a duplicate
            first: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    earlier = first.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the constructor reports it
                if earlier is not key_node:
                    raise yaml.constructor.ConstructorError(_DUPLICATE, earlier.start_mark, f"duplicate key '{key}'", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """An integer, or an error at its place when it is too long to read (Python's 4,300-digit limit)."""
        try:
            return super().construct_yaml_int(node)  # type: ignore[no-any-return]
        except ValueError:
            raise yaml.constructor.ConstructorError(None, None, _TOO_LONG, node.start_mark) from None


_DUPLICATE = "duplicate key"
_TOO_LONG = "a number too long to read"


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


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
        return _clean(yaml.load(text, Loader=_Loader)), None  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context == _DUPLICATE and exc.context_mark:
            earlier = exc.context_mark.line + 1 + line_offset
            hint = f"it is set already on line {earlier}: a reviewer could approve one value while the other ships; keep one"
            return None, YamlProblem(line, column, message, hint)
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


# control characters a YAML escape ("\a", "\x1b", "\u0085") can put in a text; tabs and line breaks stay
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _clean(value: Any, done: dict[int, Any] | None = None) -> Any:
    """Every text of a YAML document, keys included, in NFC and without control characters: the same
    cleaning for titles, names, tags, notes, labels and whatever templates show from `extra`.

    A list or mapping that aliases make appear many times is cleaned once and stays shared, so
    the work is linear in the document's size, never in what its aliases expand to."""
    kind = type(value)
    if kind is str:
        return unicodedata.normalize("NFC", _CONTROL.sub("", value)) if not value.isascii() or _CONTROL.search(value) else value
    if kind is not dict and kind is not list:
        return value
    done = {} if done is None else done
    if id(value) in done:
        return done[id(value)]
    if kind is dict:
        cleaned: Any = {}
        done[id(value)] = cleaned
        for k, v in value.items():
            cleaned[_clean(k, done)] = _clean(v, done)
    else:
        cleaned = []
        done[id(value)] = cleaned
        cleaned.extend(_clean(v, done) for v in value)
    return cleaned


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
    if problem == _TOO_LONG:
        return "quote it if it is text; a number of more than 4,300 digits is no number blogkit can use"
    if "found undefined alias" in problem or "found unhashable key" in problem:
        return "quote the value: `*` and `&` start YAML aliases and anchors"
    return ""


@functools.lru_cache(maxsize=8)
def _composed(text: str) -> tuple[yaml.Node | None, dict[int, dict[str, tuple[yaml.Node, yaml.Node]]]]:
    """The node tree of a YAML text, composed once however many of its values are located, and an
    index of each mapping's keys (filled as lookups need it), so that locating stays linear."""
    try:
        return yaml.compose(text, Loader=_Loader), {}
    except (yaml.YAMLError, RecursionError):
        return None, {}


def locate(text: str, path: KeyPath, *, key: bool = False) -> tuple[int, int]:
    """The 1-based (line, column) of the value at `path` (or of its key when `key`).

    Falls back to the deepest node found, then to (1, 1).
    """
    node, keys = _composed(text)
    if node is None:
        return 1, 1
    found = node
    for i, step in enumerate(path):
        child = None
        if isinstance(found, yaml.MappingNode):
            index = keys.get(id(found))
            if index is None:
                index = keys[id(found)] = {}
                for k, v in found.value:
                    if isinstance(k, yaml.ScalarNode):
                        index.setdefault(k.value, (k, v))
            pair = index.get(str(step))
            if pair is not None:
                child = pair[0] if key and i == len(path) - 1 else pair[1]
        elif isinstance(found, yaml.SequenceNode) and isinstance(step, int):
            if 0 <= step < len(found.value):
                child = found.value[step]
        if child is None:
            break
        found = child
    if found is None:
        return 1, 1
    return found.start_mark.line + 1, found.start_mark.column + 1
