"""Pagefind's index files made reproducible: the same documents give the same bytes.

Pagefind writes a filter's values in the order of a hash map whose seed changes with every
run, so the filter files, the metadata file that names them and the entry file that names
that one differ from build to build while meaning the same thing. Each filter's values are
put in sorted order here, and the files renamed by the digest of what they now hold, as
Pagefind names them: `filter/<language>_<7 hex digits>.pf_filter` and
`pagefind.<language>_<10 hex digits>.pf_meta`, which `pagefind-entry.json` names.

The files are gzip-compressed CBOR behind a `pagefind_dcd` signature (cbor2 reads and writes
the CBOR); a filter file is `[name, [[value, [page, ...]], ...]]`, and the metadata file lists
`[filter name, file hash]` pairs as its fourth item and `[sort name, [page, ...]]` pairs as its
fifth, both in hash-map order too.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from typing import Any

import cbor2

_SIGNATURE = b"pagefind_dcd"
_FILTER = re.compile(r"^filter/(?P<language>[^/_]+)_(?P<hash>[0-9a-f]+)\.pf_filter$")
_META = re.compile(r"^pagefind\.(?P<language>[^/_]+)_(?P<hash>[0-9a-f]+)\.pf_meta$")
_ENTRY = "pagefind-entry.json"


class UnexpectedIndex(Exception):
    """Pagefind wrote something this module does not know how to read (another version's format)."""


def reproducible(files: dict[str, bytes]) -> dict[str, bytes]:
    """The index's files (paths relative to its folder) with filters sorted and names to match."""
    out = dict(files)
    renamed: dict[str, str] = {}  # old hash (with its language) -> new
    for path in sorted(p for p in files if _FILTER.match(p)):
        match = _FILTER.match(path)
        assert match is not None
        name, values = _decode(files[path])
        data = _encode([name, sorted(values, key=lambda pair: pair[0])])
        old = f"{match['language']}_{match['hash']}"
        new = f"{match['language']}_{_hex(data, len(match['hash']))}"
        renamed[old] = new
        del out[path]
        out[f"filter/{new}.pf_filter"] = data
    for path in sorted(p for p in files if _META.match(p)):
        match = _META.match(path)
        assert match is not None
        meta = _decode(files[path])
        if not isinstance(meta, list) or len(meta) < 4 or not isinstance(meta[3], list):
            raise UnexpectedIndex(f"{path} is not laid out as expected")
        meta[3] = sorted([name, renamed.get(old, old)] for name, old in meta[3])
        if len(meta) > 4 and isinstance(meta[4], list):
            meta[4] = sorted(meta[4], key=lambda pair: pair[0])  # the sort orders, by name
        data = _encode(meta)
        old = f"{match['language']}_{match['hash']}"
        new = f"{match['language']}_{_hex(data, len(match['hash']))}"
        renamed[old] = new
        del out[path]
        out[f"pagefind.{new}.pf_meta"] = data
    if _ENTRY in out:
        entry = out[_ENTRY]
        for old, new in renamed.items():
            entry = entry.replace(f'"{old}"'.encode(), f'"{new}"'.encode())
        out[_ENTRY] = entry
    return out


def _decode(data: bytes) -> Any:
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise UnexpectedIndex(f"not gzip: {exc}") from None
    if not raw.startswith(_SIGNATURE):
        raise UnexpectedIndex("no pagefind_dcd signature")
    try:
        return cbor2.loads(raw[len(_SIGNATURE) :])
    except (cbor2.CBORDecodeError, ValueError) as exc:
        raise UnexpectedIndex(f"not CBOR: {exc}") from None


def _encode(value: Any) -> bytes:
    return gzip.compress(_SIGNATURE + cbor2.dumps(value), compresslevel=9, mtime=0)


def _hex(data: bytes, length: int) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()[:length]
