"""Digests of model values: equal digests mean equal values, in any process, on any run.

The engine keys every output by the digests of what it reads. A digest walks a
value's fields (dataclasses, tuples, mappings, sets in sorted order, dates with
their offsets), so it never depends on object identity, hash seeds or memory
addresses. The objects a site has many of (posts, authors, tags, teams, pages)
are digested once per build and then stand for themselves by their digest.

A post may be digested by a view: only the fields an output reads of it (`View`). Two posts
equal in those fields then have one digest, so an output that shows a post's title and date
keeps its key when the post's text changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from blogkit.core.model import Author, Page, Post, Tag, Team

_ENTITIES = (Post, Author, Tag, Team, Page)
_FIELDS: dict[type, tuple[str, ...]] = {}

View = frozenset[str] | None  # the post fields a digest covers; None: every field
_VIEW_FIELDS: dict[View, tuple[str, ...]] = {}
_MADE_BY_THE_BODY = frozenset({"html", "toc"})  # what a post's content key stands for (see `Post`)
_LONG = 512  # a post field whose encoding is longer than this is fed to its digests by its own digest


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
        self._entities: dict[tuple[int, View], tuple[object, str]] = {}  # (id, view) -> (the object, kept alive; its digest)
        self._containers: dict[tuple[int, View], tuple[object, str]] = {}
        self._post_extra = post_extra
        self._extras: dict[int, tuple[object, bytes]] = {}  # id of a post -> (the post; the digest of its `post_extra`)
        self._post_fields: dict[int, tuple[object, dict[str, bytes]]] = {}  # id of a post -> (the post; each field's digest)

    def of(self, value: object, view: View = None) -> str:
        """The digest of a value, the posts in it digested by `view`."""
        h = hashlib.blake2b(digest_size=20)
        self._walk(value, h.update, view)
        return h.hexdigest()

    def entity(self, value: object, view: View = None) -> str:
        is_post = type(value) is Post
        view = view if is_post else None
        known = self._entities.get((id(value), view))
        if known is not None and known[0] is value:
            return known[1]
        h = hashlib.blake2b(digest_size=20)
        feed = h.update
        feed(type(value).__name__.encode())
        if is_post:
            fields = self._fields(value)
            for name in _view_fields(view):
                feed(fields[name])
            if self._post_extra is not None:
                feed(self._extra(value))
        else:
            for name in _field_names(type(value)):
                self._walk(getattr(value, name), feed, None)
        found = h.hexdigest()
        self._entities[(id(value), view)] = (value, found)
        return found

    def _fields(self, post: Any) -> dict[str, bytes]:
        """What each field of a post feeds a digest, worked out once whatever the views: its encoding, or the
        digest of a long one. A post whose content key is known stands by that key for what its body's
        rendering made (its HTML and its table of contents): the same values, hashed for less."""
        known = self._post_fields.get(id(post))
        if known is not None and known[0] is post:
            return known[1]
        by_key = bool(post.content_key)
        found = {}
        for name in _field_names(Post):
            parts: list[bytes] = []
            self._walk(getattr(post, "content_key" if by_key and name in _MADE_BY_THE_BODY else name), parts.append, None)
            data = b"".join(parts)
            found[name] = data if len(data) <= _LONG else b"#" + hashlib.blake2b(data, digest_size=20).digest()
        self._post_fields[id(post)] = (post, found)
        return found

    def _extra(self, post: Any) -> bytes:
        """The digest of what `post_extra` adds to a post, worked out once whatever the view."""
        known = self._extras.get(id(post))
        if known is not None and known[0] is post:
            return known[1]
        assert self._post_extra is not None
        h = hashlib.blake2b(digest_size=20)
        self._walk(self._post_extra(post), h.update, None)
        found = h.digest()
        self._extras[id(post)] = (post, found)
        return found

    def _walk_mapping(self, value: Mapping[Any, Any], feed: Callable[[bytes], None], view: View) -> None:
        feed(b"{%d:" % len(value))
        for key, item in value.items():
            self._walk(key, feed, view)
            self._walk(item, feed, view)

    def _shared(self, value: list[Any] | dict[Any, Any], view: View) -> str:
        """The digest of a list or mapping, worked out once however often aliases repeat it."""
        known = self._containers.get((id(value), view))
        if known is not None and known[0] is value:
            return known[1]
        h = hashlib.blake2b(digest_size=20)
        if isinstance(value, list):
            h.update(b"[%d:" % len(value))
            for item in value:
                self._walk(item, h.update, view)
        else:
            self._walk_mapping(value, h.update, view)
        found = h.hexdigest()
        self._containers[(id(value), view)] = (value, found)
        return found

    def adopt(self, values: Sequence[object], digests: Sequence[str], view: View = None) -> None:
        """Digests of entities by `view`, worked out elsewhere (in worker processes)."""
        for value, found in zip(values, digests, strict=True):
            self._entities[(id(value), view if type(value) is Post else None)] = (value, found)

    def _walk(self, value: Any, feed: Callable[[bytes], None], view: View) -> None:
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            feed(b"s%d:" % len(data))
            feed(data)
        elif value is None or kind in (bool, int, float):
            feed(f"{kind.__name__}:{value!r};".encode())
        elif kind in _ENTITIES:
            feed(b"@" + self.entity(value, view).encode())
        elif kind is list or kind is dict:  # from YAML, where aliases may share one value many times
            feed(b"=" + self._shared(value, view).encode())
        elif kind is tuple:
            feed(b"[%d:" % len(value))
            for item in value:
                self._walk(item, feed, view)
        elif isinstance(value, Mapping):
            self._walk_mapping(value, feed, view)
        elif kind in (set, frozenset):
            items = sorted(self.of(item, view) for item in value)
            feed(f"<{len(items)}:{','.join(items)}".encode())
        elif kind in (datetime, date, time):
            feed(f"{kind.__name__}:{value.isoformat()};".encode())
        elif isinstance(value, tzinfo):
            feed(f"tz:{value!s};".encode())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            feed(f"({kind.__name__}".encode())
            for name in _field_names(kind):
                self._walk(getattr(value, name), feed, view)
        else:
            raise TypeError(f"cannot fingerprint a {kind.__name__}")  # a new kind of value: teach _walk about it


def posts_within(value: Any, seen: set[int] | None = None) -> Iterator[Post]:
    """The posts a digest of `value` covers (as `Fingerprints` walks it: tuples, lists, mappings, sets and
    dataclasses, not into entities), each shared list or mapping walked once."""
    seen = set() if seen is None else seen
    kind = type(value)
    if kind is Post:
        yield value
    elif kind is str or value is None or kind in _ENTITIES or kind in (bool, int, float, datetime, date, time):
        return
    elif kind in (list, tuple, dict, set, frozenset) or isinstance(value, Mapping):
        if id(value) in seen:
            return
        seen.add(id(value))
        for item in value.values() if isinstance(value, Mapping) else value:
            yield from posts_within(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in _field_names(kind):
            yield from posts_within(getattr(value, name), seen)


def _view_fields(view: View) -> tuple[str, ...]:
    """The fields of a post a view covers, in the order of the class."""
    names = _VIEW_FIELDS.get(view)
    if names is None:
        names = _VIEW_FIELDS[view] = tuple(name for name in _field_names(Post) if view is None or name in view)
    return names


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names
