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
from collections.abc import Callable, Mapping, Sequence
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
        self._containers: dict[int, tuple[object, str]] = {}
        self._post_extra = post_extra

    def of(self, value: object) -> str:
        h = hashlib.blake2b(digest_size=20)
        self._walk(value, h.update)
        return h.hexdigest()

    def entity(self, value: object) -> str:
        known = self._entities.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        h = hashlib.blake2b(digest_size=20)
        feed = h.update
        feed(type(value).__name__.encode())
        # a post whose content key is known stands for its HTML by that key: the same HTML, hashed for less
        skip = "html" if isinstance(value, Post) and value.content_key else ""
        for name in _field_names(type(value)):
            if name != skip:
                self._walk(getattr(value, name), feed)
        if self._post_extra is not None and type(value) is Post:
            self._walk(self._post_extra(value), feed)
        found = h.hexdigest()
        self._entities[id(value)] = (value, found)
        return found

    def _walk_mapping(self, value: Mapping[Any, Any], feed: Callable[[bytes], None]) -> None:
        feed(b"{%d:" % len(value))
        for key, item in value.items():
            self._walk(key, feed)
            self._walk(item, feed)

    def _shared(self, value: list[Any] | dict[Any, Any]) -> str:
        """The digest of a list or mapping, worked out once however often aliases repeat it."""
        known = self._containers.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        h = hashlib.blake2b(digest_size=20)
        if isinstance(value, list):
            h.update(b"[%d:" % len(value))
            for item in value:
                self._walk(item, h.update)
        else:
            self._walk_mapping(value, h.update)
        found = h.hexdigest()
        self._containers[id(value)] = (value, found)
        return found

    def adopt(self, values: Sequence[object], digests: Sequence[str]) -> None:
        """Digests of entities worked out elsewhere (in worker processes)."""
        for value, found in zip(values, digests, strict=True):
            self._entities[id(value)] = (value, found)

    def _walk(self, value: Any, feed: Callable[[bytes], None]) -> None:
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            feed(b"s%d:" % len(data))
            feed(data)
        elif value is None or kind in (bool, int, float):
            feed(f"{kind.__name__}:{value!r};".encode())
        elif kind in _ENTITIES:
            feed(b"@" + self.entity(value).encode())
        elif kind is list or kind is dict:  # from YAML, where aliases may share one value many times
            feed(b"=" + self._shared(value).encode())
        elif kind is tuple:
            feed(b"[%d:" % len(value))
            for item in value:
                self._walk(item, feed)
        elif isinstance(value, Mapping):
            self._walk_mapping(value, feed)
        elif kind in (set, frozenset):
            items = sorted(self.of(item) for item in value)
            feed(f"<{len(items)}:{','.join(items)}".encode())
        elif kind in (datetime, date, time):
            feed(f"{kind.__name__}:{value.isoformat()};".encode())
        elif isinstance(value, tzinfo):
            feed(f"tz:{value!s};".encode())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            feed(f"({kind.__name__}".encode())
            for name in _field_names(kind):
                self._walk(getattr(value, name), feed)
        else:
            raise TypeError(f"cannot fingerprint a {kind.__name__}")  # a new kind of value: teach _walk about it


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names
