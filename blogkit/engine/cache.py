"""The build cache: results keyed by the digest of everything they were made from.

`SITE/.blogkit-cache/` (or `BLOGKIT_CACHE_DIR`) holds `VERSION`, `index.json` (each entry's
kind and key, the pack it is in, where, its length and checksum) and `packs/`. Keys include
the blogkit version, and a cache written by another version is swept away. A truncated or
damaged entry fails its checksum: it is a miss, never trusted, and is written anew. Only
`packs/`, `index.json` and `VERSION` are ever written or removed there, so pointing
`BLOGKIT_CACHE_DIR` at a folder holding other files harms none of them. Deleting the folder
is always safe.

A build that finishes sweeps the entries it did not use, so the folder holds one build's
worth of results. `MemoryCache` keeps entries in a dict for `blogkit serve` and for builds
with `--no-cache`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import zlib

from blogkit import __version__
from blogkit.core.config import THEME_DIR

CACHE_DIR_VARIABLE = "BLOGKIT_CACHE_DIR"
CACHE_FOLDER = ".blogkit-cache"
_STAMP = "VERSION"
_INDEX = "index.json"
KINDS = ("bodies", "images", "outputs", "posts", "related", "search")


@functools.cache
def code_version() -> str:
    """blogkit's version and a digest of its own code and theme: a cache is never read by other code."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.blake2b(digest_size=8)
    for folder in (package, THEME_DIR):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".html", ".xml", ".txt", ".css", ".js")):
                    path = os.path.join(dirpath, name)
                    h.update(os.path.relpath(path, folder).encode() + b"\0")
                    with open(path, "rb") as f:
                        h.update(f.read())
    return f"{__version__}+{h.hexdigest()}"


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

    def has(self, kind: str, key: str) -> bool:
        return (kind, key) in self._entries

    def adopt(self, kind: str, key: str, record: Record | None) -> None:
        self._used.add((kind, key))

    def sweep(self) -> None:
        """Forget what the last build did not use."""
        self._entries = {k: v for k, v in self._entries.items() if k in self._used}
        self._used = set()


class DiskCache:
    """Entries in pack files under `folder`, found through one index; shared by forked workers.

    Each process appends what it makes to a pack file of its own (one write per entry, so a
    worker stopped by its pool loses nothing it reported); the parent learns of a worker's
    entries through `adopt`, and `sweep` writes the index of the entries the build used and
    removes packs no entry lives in any more. Thousands of small files would cost a file
    system more than the rendering they save.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._packs = os.path.join(folder, "packs")
        self._index: dict[str, Record] = {}
        self._used: dict[str, Record] = {}
        self._fds: dict[str, int] = {}
        self._own: tuple[int, str, int] | None = None  # (pid, pack name, descriptor) of the pack this process appends to
        stamp = os.path.join(folder, _STAMP)
        try:
            with open(stamp, encoding="utf-8") as f:
                same = f.read().strip() == code_version()
        except OSError:
            same = False
        if not same:  # another version's results (or no cache yet): start afresh
            shutil.rmtree(self._packs, ignore_errors=True)
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, _INDEX))
            os.makedirs(folder, exist_ok=True)
            with open(stamp, "w", encoding="utf-8") as f:
                f.write(code_version() + "\n")
        self._index = _read_index(os.path.join(folder, _INDEX))

    def get(self, kind: str, key: str) -> bytes | None:
        name = f"{kind}/{key}"
        record = self._used.get(name) or self._index.get(name)  # an entry made in this build (or adopted from a worker), else an older one
        if record is None:
            return None
        pack, offset, length, crc = record
        try:
            fd = self._fds.get(pack)
            if fd is None:
                fd = self._fds[pack] = os.open(os.path.join(self._packs, pack), os.O_RDONLY)
            payload = os.pread(fd, length, offset)
        except OSError:
            return None
        if len(payload) != length or _checksum(name, payload) != crc:
            return None
        self._used[name] = record
        return payload

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry was made in this build or the index lists one (`get` still checks it)."""
        name = f"{kind}/{key}"
        return name in self._used or name in self._index

    def put(self, kind: str, key: str, payload: bytes) -> Record | None:
        """Append an entry to this process's pack; returns its record (for `adopt` in the parent)."""
        assert kind in KINDS, kind
        try:
            pid = os.getpid()
            if self._own is None or self._own[0] != pid:  # a forked worker appends to a pack of its own
                os.makedirs(self._packs, exist_ok=True)
                name = f"{pid}-{secrets.token_hex(6)}.pack"
                self._own = (pid, name, os.open(os.path.join(self._packs, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644))
            _, name, fd = self._own
            offset = os.lseek(fd, 0, os.SEEK_END)
            os.write(fd, payload)
        except OSError:
            return None  # a cache that cannot be written only makes the next build slower
        record: Record = (name, offset, len(payload), _checksum(f"{kind}/{key}", payload))
        self._used[f"{kind}/{key}"] = record
        return record

    def adopt(self, kind: str, key: str, record: Record | None) -> None:
        """An entry a worker process read or wrote (its own memory of it is lost with it)."""
        if record is None:
            record = self._index.get(f"{kind}/{key}")
        if record is not None:
            self._used[f"{kind}/{key}"] = record

    def sweep(self) -> None:
        """Keep the entries this build used: write their index, remove packs none of them is in.

        Packs of other processes still running (a `blogkit serve` beside a `blogkit build`) are
        left alone; the packs kept stay open, so that a pack another process removes can still
        be read by this one."""
        index_path = os.path.join(self.folder, _INDEX)
        if self._used != self._index:
            _write_index(index_path, self._used)
        live = {record[0] for record in self._used.values()}
        for name in [n for n in self._fds if n not in live]:
            with contextlib.suppress(OSError):
                os.close(self._fds.pop(name))
        for name in live - self._fds.keys():
            with contextlib.suppress(OSError):
                self._fds[name] = os.open(os.path.join(self._packs, name), os.O_RDONLY)
        own = self._own[1] if self._own is not None else None
        for name in os.listdir(self._packs) if os.path.isdir(self._packs) else ():
            if name not in live and name != own and not _written_by_running_process(name):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(self._packs, name))
        self._index, self._used = dict(self._used), {}


def _written_by_running_process(pack: str) -> bool:
    """Whether the process that appends to a pack (named `PID-TOKEN.pack`) still runs on this machine."""
    pid = pack.split("-", 1)[0]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it runs, as another user
    return True


Record = tuple[str, int, int, int]  # (pack file name, offset, length, checksum of the entry's name and payload)


def _checksum(name: str, payload: bytes) -> int:
    """CRC-32 of an entry's kind/key and payload: an index pointing at another entry's bytes fails it."""
    return zlib.crc32(payload, zlib.crc32(name.encode("ascii")))


def _read_index(path: str) -> dict[str, Record]:
    """The index of a cache folder; an unreadable or malformed one is an empty cache."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
        if data.get("version") != code_version():
            return {}
        return {
            str(name): (str(pack), int(offset), int(length), int(crc))
            for name, (pack, offset, length, crc) in data["entries"].items()
            if "/" not in str(pack) and not str(pack).startswith(".")
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _write_index(path: str, entries: dict[str, Record]) -> None:
    data = {"version": code_version(), "entries": {name: list(record) for name, record in sorted(entries.items())}}
    try:
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".index-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        pass


Cache = MemoryCache | DiskCache


def open_cache(site_root: str, *, enabled: bool) -> Cache:
    """The site's disk cache, or a memory cache when disabled or when the folder cannot be made."""
    if not enabled:
        return MemoryCache()
    try:
        return DiskCache(cache_dir(site_root))
    except OSError:
        return MemoryCache()
