"""The build cache: results keyed by the digest of everything they were made from.

`SITE/.blogkit-cache/` (or `BLOGKIT_CACHE_DIR`) holds one file per entry, named by its key
under a folder per kind (`bodies/`, `outputs/`). Keys include the blogkit version, so a
cache written by another version is never read, only swept away. Every entry carries a
checksum of its payload: a truncated or damaged entry is a miss, never trusted, and is
written anew. Entries are written to a temporary name and renamed, so concurrent writers
(worker processes) never expose half an entry. Deleting the folder is always safe.

A build that finishes sweeps the entries it did not use, so the folder holds one build's
worth of results. `MemoryCache` keeps entries in a dict for `blogkit serve` and for builds
with `--no-cache`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zlib
from collections.abc import Iterable

from blogkit import __version__

CACHE_DIR_VARIABLE = "BLOGKIT_CACHE_DIR"
CACHE_FOLDER = ".blogkit-cache"
_MAGIC = b"blogkit-cache 1\n"
_STAMP = "VERSION"
KINDS = ("bodies", "outputs")  # the only folders a cache owns: nothing else in the cache folder is ever removed


def cache_dir(site_root: str) -> str:
    """Where a site's cache lives: `BLOGKIT_CACHE_DIR` when set, else `SITE/.blogkit-cache`."""
    moved = os.environ.get(CACHE_DIR_VARIABLE, "").strip()
    return os.path.abspath(moved) if moved else os.path.join(site_root, CACHE_FOLDER)


class MemoryCache:
    """Entries in memory only: what `serve` keeps between rebuilds, and `--no-cache` builds."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], bytes] = {}
        self._used: set[tuple[str, str]] = set()

    def get(self, kind: str, key: str) -> bytes | None:
        found = self._entries.get((kind, key))
        if found is not None:
            self._used.add((kind, key))
        return found

    def put(self, kind: str, key: str, payload: bytes) -> None:
        self._entries[(kind, key)] = payload
        self._used.add((kind, key))

    def note_used(self, kind: str, keys: Iterable[str]) -> None:
        self._used.update((kind, key) for key in keys)

    def sweep(self) -> None:
        """Forget what the last build did not use."""
        self._entries = {k: v for k, v in self._entries.items() if k in self._used}
        self._used = set()


class DiskCache:
    """Entries as files under `folder`; safe to share between forked worker processes."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._used: set[tuple[str, str]] = set()
        self._made: set[str] = set()
        stamp = os.path.join(folder, _STAMP)
        try:
            with open(stamp, encoding="utf-8") as f:
                same = f.read().strip() == __version__
        except OSError:
            same = False
        if not same:  # another version's results (or no cache yet): start afresh
            for kind in KINDS:
                shutil.rmtree(os.path.join(folder, kind), ignore_errors=True)
            os.makedirs(folder, exist_ok=True)
            with open(stamp, "w", encoding="utf-8") as f:
                f.write(__version__ + "\n")

    def _path(self, kind: str, key: str) -> str:
        assert kind in KINDS, kind
        return os.path.join(self.folder, kind, key[:2], key[2:])

    def get(self, kind: str, key: str) -> bytes | None:
        try:
            with open(self._path(kind, key), "rb") as f:
                data = f.read()
        except OSError:
            return None
        header = len(_MAGIC) + 4
        if len(data) < header or not data.startswith(_MAGIC):
            return None
        payload = data[header:]
        if zlib.crc32(payload).to_bytes(4, "little") != data[len(_MAGIC) : header]:
            return None
        self._used.add((kind, key))
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        path = self._path(kind, key)
        folder = os.path.dirname(path)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        try:
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".new-")
            with os.fdopen(fd, "wb") as f:
                f.write(_MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload)
            os.replace(temporary, path)
        except OSError:
            return  # a cache that cannot be written only makes the next build slower
        self._used.add((kind, key))

    def note_used(self, kind: str, keys: Iterable[str]) -> None:
        """Keys a worker process used (its own record is lost with it)."""
        self._used.update((kind, key) for key in keys)

    def sweep(self) -> None:
        """Remove every entry the build did not use, and temporary files left by killed builds."""
        for kind in KINDS:
            top = os.path.join(self.folder, kind)
            for prefix in os.listdir(top) if os.path.isdir(top) else ():
                sub = os.path.join(top, prefix)
                for name in os.listdir(sub) if os.path.isdir(sub) else ():
                    if name.startswith(".new-") or (kind, prefix + name) not in self._used:
                        try:
                            os.unlink(os.path.join(sub, name))
                        except OSError:
                            pass
        self._used = set()


Cache = MemoryCache | DiskCache


def open_cache(site_root: str, *, enabled: bool) -> Cache:
    """The site's disk cache, or a memory cache when disabled or when the folder cannot be made."""
    if not enabled:
        return MemoryCache()
    try:
        return DiskCache(cache_dir(site_root))
    except OSError:
        return MemoryCache()
