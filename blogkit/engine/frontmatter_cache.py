"""Front matter from the build cache: a post whose file has not changed is not parsed again.

An entry is keyed by the post file's bytes, where it is (its path, folder and bundle files)
and a digest of everything reading it checks against: the config, the profiles, teams and
tags, and the files under `static/`. It holds the checked front matter as JSON (dates with
their zones), the warnings reading it gave, and the key of its Markdown body in place of
the body's text (drafts and future posts, whose bodies a build may never render, included).

A post is stored only when its entry reads back exactly as it was made (types, zones and
all); anything JSON cannot carry exactly (a YAML key that is not a string in `extra`, say)
is simply read from its file every time.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from datetime import datetime, tzinfo
from typing import Any

from blogkit.core.bodies import BodySource
from blogkit.core.config import SiteConfig
from blogkit.core.diagnostics import Diagnostic, Location, Severity
from blogkit.core.files import read_at_most
from blogkit.core.model import Update
from blogkit.engine.bodies import body_key
from blogkit.engine.cache import Cache, Record
from blogkit.engine.fingerprint import Fingerprints, digest
from blogkit.load.frontmatter import PostMeta, RawTag
from blogkit.load.profiles import Profiles
from blogkit.load.sources import PostSource

KIND = "posts"


@dataclasses.dataclass(frozen=True, slots=True)
class FrontMatterCache:
    """Reading posts through the cache, for one build: what every key shares is worked out once."""

    cache: Cache
    config: SiteConfig
    context: str  # the digest of the config, profiles and static files

    @classmethod
    def open(cls, cache: Cache, config: SiteConfig, profiles: Profiles, static: frozenset[str]) -> FrontMatterCache:
        return cls(cache, config, Fingerprints().of((config, profiles, tuple(sorted(static)))))

    def read(self, source: PostSource) -> bytes | None:
        """The file's bytes, which its entry is keyed by, as far as a post may go and a byte (a longer
        file is an error, never stored); None when it cannot be read (reading it reports why)."""
        try:
            return read_at_most(os.path.join(self.config.root, source.path), self.config.limits.file_bytes)
        except OSError:
            return None

    def key(self, source: PostSource, data: bytes) -> str:
        """The entry's key, from the file's bytes."""
        return digest(KIND, self.context, source.path, source.owner, source.bundle_dir, *source.assets, data)

    def get(self, key: str, source: PostSource) -> tuple[PostMeta, list[Diagnostic]] | None:
        """The post as it was read, its body by key (a build whose cache has lost that body's
        rendering reads the file again: `TextNeeded`); None when not cached."""
        payload = self.cache.get(KIND, key)
        if payload is None:
            return None
        try:
            entry = json.loads(payload)
            meta, problems = _decode(entry, source, self.config.zone)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None
        return meta, problems

    def put(self, key: str, meta: PostMeta, problems: list[Diagnostic]) -> Record | None:
        """Store a post just read (with its text), if its entry reads back exactly; its record, for the parent process."""
        if meta.extra and _shares(meta.extra, set()):
            return None  # YAML aliases share a value many times: written out, it could grow without bound
        keyed = dataclasses.replace(meta, body=BodySource("", meta.body.first_line, body_key(meta.body, self.config.markdown)))
        try:
            payload = json.dumps(_encode(keyed, problems, self.config.zone), ensure_ascii=False, allow_nan=False).encode()
            back, back_problems = _decode(json.loads(payload), meta.source, self.config.zone)
        except (ValueError, TypeError):
            return None
        if _exact(back) != _exact(keyed) or back_problems != problems:
            return None
        return self.cache.put(KIND, key, payload)


def _encode(meta: PostMeta, problems: list[Diagnostic], zone: tzinfo) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(PostMeta):
        value = getattr(meta, field.name)
        if field.name == "source":
            continue
        if field.name == "body":
            value = [value.first_line, value.key]
        elif field.name == "tags":
            value = [[t.front_matter, list(t.keypath), t.name] for t in value]
        elif field.name == "aliases":
            value = [[path, [at.path, at.line, at.column]] for path, at in value]
        elif field.name == "updates":
            value = [[_when(u.date, zone), u.note] for u in value]
        elif field.name == "lint":
            value = [list(pair) for pair in value]
        elif isinstance(value, datetime):
            value = _when(value, zone)
        elif isinstance(value, tuple):
            value = list(value)
        fields[field.name] = value
    shown = [[p.severity.value, p.location.path, p.location.line, p.location.column, p.message, p.hint, p.source_line] for p in problems]
    return {"meta": fields, "problems": shown}


def _decode(entry: dict[str, Any], source: PostSource, zone: tzinfo) -> tuple[PostMeta, list[Diagnostic]]:
    fields = entry["meta"]
    first_line, key = fields["body"]
    values: dict[str, Any] = {}
    for field in dataclasses.fields(PostMeta):
        name = field.name
        if name == "source":
            values[name] = source
        elif name == "body":
            values[name] = BodySource("", first_line, key)
        elif name == "tags":
            values[name] = tuple(RawTag(tag, source.path, text, tuple(keypath)) for text, keypath, tag in fields[name])
        elif name == "aliases":
            values[name] = tuple((path, Location(*at)) for path, at in fields[name])
        elif name == "updates":
            values[name] = tuple(Update(_parse_when(when, zone), note) for when, note in fields[name])
        elif name == "lint":
            values[name] = tuple((rule, level) for rule, level in fields[name])
        elif name in ("date", "updated"):
            values[name] = None if fields[name] is None else _parse_when(fields[name], zone)
        elif isinstance(fields[name], list):
            values[name] = tuple(fields[name])
        else:
            values[name] = fields[name]
    problems = [
        Diagnostic(Severity(severity), Location(path, line, column), message, hint, shown)
        for severity, path, line, column, message, hint, shown in entry["problems"]
    ]
    return PostMeta(**values), problems


def _when(when: datetime, zone: tzinfo) -> list[Any]:
    """A date-time with its zone: the site's zone by name (its offset follows the date), else its fixed offset."""
    if when.tzinfo is zone:
        return ["site", when.replace(tzinfo=None).isoformat(), when.fold]
    return ["fixed", when.isoformat(), when.fold]


def _parse_when(value: list[Any], zone: tzinfo) -> datetime:
    kind, text, fold = value
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=zone, fold=fold) if kind == "site" else parsed.replace(fold=fold)


def _shares(value: Any, seen: set[int]) -> bool:
    """Whether a list or mapping appears twice in a value (stops at the first one seen again)."""
    if not isinstance(value, dict | list):
        return False
    if id(value) in seen:
        return True
    seen.add(id(value))
    return any(_shares(item, seen) for item in (value.values() if isinstance(value, dict) else value))


def _exact(value: Any) -> Any:
    """A value with every type and zone spelled out, so that equal means identical (1 and 1.0 and
    True differ, as do one instant in two zones)."""
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), repr(value.tzinfo), value.fold)
    kind: Any = type(value)  # a type is hashable, whatever mypy's stubs make of `type[Any]`
    names = _field_names(kind)
    if names:
        return (kind.__name__, *(_exact(getattr(value, name)) for name in names))
    if isinstance(value, dict):
        return ("dict", *((_exact(k), _exact(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, *(_exact(v) for v in value))
    return (type(value).__name__, value)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    """The fields of a dataclass, in order; none for any other type."""
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else ()
