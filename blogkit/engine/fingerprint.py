"""Digests of model values: equal digests mean equal values, in any process, on any run.

The engine keys every output by the digests of what it reads. A digest walks a
value's fields (dataclasses, tuples, mappings, sets in sorted order, dates with
their offsets), so it never depends on object identity, hash seeds or memory
addresses. The objects a site has many of (posts, authors, tags, teams, pages)
are digested once per build and then stand for themselves by their digest.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, tzinfo
from typing import Any

from blogkit.core.model import Author, Page, Post, Tag, Team

_ENTITIES = (Post, Author, Tag, Team, Page)
_FIELDS: dict[type, tuple[str, ...]] = {}


def digest(*parts: str | bytes) -> str:
    """A hex digest of texts and bytes, each delimited so that ('ab', 'c') differs from ('a', 'bc')."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class Fingerprints:
    """Digests of values for one build; entities are digested once and remembered by identity.

    `post_extra(post)` adds what the renderer derives from a post beyond its fields (for
    example whether its comments are closed at the build's reference time).
    """

    def __init__(self, post_extra: Callable[[Post], object] | None = None) -> None:
        self._entities: dict[int, tuple[object, str]] = {}  # id -> (the object, kept alive; its digest)
        self._post_extra = post_extra

    def of(self, value: object) -> str:
        out: list[str] = []
        self._walk(value, out)
        return digest("\x1f".join(out))

    def entity(self, value: object) -> str:
        known = self._entities.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        out: list[str] = [type(value).__name__]
        for name in _field_names(type(value)):
            self._walk(getattr(value, name), out)
        if self._post_extra is not None and type(value) is Post:
            self._walk(self._post_extra(value), out)
        found = digest("\x1f".join(out))
        self._entities[id(value)] = (value, found)
        return found

    def _walk(self, value: Any, out: list[str]) -> None:
        kind = type(value)
        if kind is str:
            out.append("s" + value.replace("\\", "\\\\").replace("\x1f", "\\u"))
        elif value is None or kind in (bool, int, float):
            out.append(f"{kind.__name__}:{value!r}")
        elif kind in _ENTITIES:
            out.append("@" + self.entity(value))
        elif kind in (tuple, list):
            out.append(f"[{len(value)}")
            for item in value:
                self._walk(item, out)
        elif isinstance(value, Mapping):
            out.append(f"{{{len(value)}")
            for key, item in value.items():
                self._walk(key, out)
                self._walk(item, out)
        elif kind in (set, frozenset):
            items = [self.of(item) for item in value]
            out.append(f"<{len(items)}:" + ",".join(sorted(items)))
        elif kind in (datetime, date, time):
            out.append(f"{kind.__name__}:{value.isoformat()}")
        elif isinstance(value, tzinfo):
            out.append(f"tz:{value!s}")
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out.append(f"({kind.__name__}")
            for name in _field_names(kind):
                self._walk(getattr(value, name), out)
        else:
            raise TypeError(f"cannot fingerprint a {kind.__name__}")  # a new kind of value: teach _walk about it


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names
