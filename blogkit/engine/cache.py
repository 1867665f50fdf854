"""The build cache: results keyed by the digest of everything they were made from.

`SITE/.blogkit-cache/` (or `BLOGKIT_CACHE_DIR`) holds `VERSION` (blogkit's version and the id
of the key the entries are signed with), `index.json` (each entry's kind and key, the pack it
is in, where, its length and its tag) and `packs/`. A cache written by other code or under
another key is started afresh; an entry whose tag does not match its bytes is a miss, never
trusted, and is written anew. The folder is input like any other: what it holds can make a
build slower, never different (see `DiskCache`). Only `packs/*.pack`, `index.json` and
`VERSION` are ever written or removed there, so pointing `BLOGKIT_CACHE_DIR` at a folder
holding other files harms none of them. Deleting the folder is always safe.

A build that finishes sweeps the entries it did not use, so the folder holds one build's
worth of results. `MemoryCache` keeps entries in a dict for `blogkit serve` and for builds
with `--no-cache`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import hmac
import json
import os
import re
import secrets

from blogkit import __version__
from blogkit.core.config import THEME_DIR
from blogkit.engine.cache_key import CacheKey, NoKey, cache_key

CACHE_DIR_VARIABLE = "BLOGKIT_CACHE_DIR"
CACHE_FOLDER = ".blogkit-cache"
_STAMP = "VERSION"
_INDEX = "index.json"
CACHE_HINT = "a cold build is never wrong, only slower; docs/ci.md says how CI keeps the cache and its key (BLOGKIT_CACHE_KEY)"
KINDS = ("bodies", "images", "outputs", "posts", "related", "search", "templates")


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

    def __init__(self, notice: str = "") -> None:
        self.notice = notice  # why a disk cache was not used, for the build's report
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

    Whatever the folder holds is input, not trusted: every entry is authenticated under a key
    kept outside the site (`cache_key.py`), so bytes that did not come from a build holding the
    key are a miss; files are reached only through the folder's descriptor, without following
    a symbolic link, so nothing outside it is read, written or removed; and only blogkit's own
    names (`VERSION`, `index.json`, `packs/PID-TOKEN.pack`) are ever written or removed there.
    """

    def __init__(self, folder: str, key: CacheKey, *, follow: bool) -> None:
        self.folder = folder
        self.key = key
        self.notice = ""  # one line for the build's report when the cache was refused or started afresh
        self._index: dict[str, Record] = {}
        self._used: dict[str, Record] = {}
        self._fds: dict[str, int] = {}
        self._sealed: dict[str, list[int]] = {}  # pack -> its identity when the signed index was written
        self._intact: set[str] = set()  # packs opened in this process and found as the index left them
        self._own: tuple[int, str, int] | None = None  # (pid, pack name, descriptor) of the pack this process appends to
        os.makedirs(folder, exist_ok=True)
        self._dir = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | (0 if follow else os.O_NOFOLLOW))
        try:
            os.mkdir(_PACKS, 0o755, dir_fd=self._dir)
        except FileExistsError:
            pass
        self._packs = os.open(_PACKS, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=self._dir)
        stamp = f"{code_version()} {key.ident}"
        found = _read_small(self._dir, _STAMP, 4096)
        if found is None or found.decode("utf-8", "replace").strip() != stamp:
            if found is not None and found.split(b" ")[0].strip() == code_version().encode():
                self.notice = "the cache was written under another cache key: it is not read, and this build starts it afresh"
            self._remove_packs(keep=set())
            with contextlib.suppress(OSError):
                os.unlink(_INDEX, dir_fd=self._dir)
            _write_small(self._dir, _STAMP, (stamp + "\n").encode())
            return
        self._index, self._sealed, problem = _read_index(self._dir, key, stamp)
        if problem:
            self.notice = f"the cache index is not usable ({problem}): this build starts the cache afresh"

    def get(self, kind: str, key: str) -> bytes | None:
        name = f"{kind}/{key}"
        record = self._used.get(name) or self._index.get(name)  # an entry made in this build (or adopted from a worker), else an older one
        if record is None:
            return None
        pack, offset, length, tag = record
        try:
            fd = self._fds.get(pack)
            if fd is None:
                fd = self._fds[pack] = os.open(pack, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=self._packs)
                if self._sealed.get(pack) == _identity(os.fstat(fd)):
                    self._intact.add(pack)
            payload = os.pread(fd, length, offset)
        except (OSError, OverflowError, MemoryError):
            return None
        if len(payload) != length:
            return None
        if pack not in self._intact and not hmac.compare_digest(self.key.sign(name.encode("ascii"), payload), tag):
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
                name = f"{pid}-{secrets.token_hex(6)}.pack"
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_NOFOLLOW
                self._own = (pid, name, os.open(name, flags, 0o644, dir_fd=self._packs))
            _, name, fd = self._own
            offset = os.lseek(fd, 0, os.SEEK_END)
            os.write(fd, payload)
        except OSError:
            return None  # a cache that cannot be written only makes the next build slower
        entry = f"{kind}/{key}"
        record: Record = (name, offset, len(payload), self.key.sign(entry.encode("ascii"), payload))
        self._used[entry] = record
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
        live = {record[0] for record in self._used.values()}
        sealed = {}
        for name in sorted(live):
            with contextlib.suppress(OSError):
                sealed[name] = _identity(os.stat(name, dir_fd=self._packs, follow_symlinks=False))
        if self._used != self._index or sealed != self._sealed:
            _write_index(self._dir, self.key, self._used, sealed)
        for name in [n for n in self._fds if n not in live]:
            with contextlib.suppress(OSError):
                os.close(self._fds.pop(name))
        for name in live - self._fds.keys():
            with contextlib.suppress(OSError):
                self._fds[name] = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=self._packs)
        self._remove_packs(keep=live)
        self._index, self._used, self._sealed = dict(self._used), {}, sealed

    def _remove_packs(self, keep: set[str]) -> None:
        """Remove blogkit's own pack files but those in `keep`, this process's and running processes'."""
        own = self._own[1] if self._own is not None else None
        try:
            names = os.listdir(self._packs)
        except OSError:
            return
        for name in names:
            if name.endswith(".pack") and name not in keep and name != own and not _written_by_running_process(name):
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=self._packs)


_PACKS = "packs"
_PACK_NAME = re.compile(r"^[0-9]{1,10}-[0-9a-f]{12}\.pack$")


def _written_by_running_process(pack: str) -> bool:
    """Whether the process that appends to a pack (named `PID-TOKEN.pack`) still runs on this machine."""
    if not _PACK_NAME.match(pack):
        return False
    pid = int(pack.split("-", 1)[0])
    if pid == os.getpid() or not 0 < pid < 2**22:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it runs, as another user
    return True


Record = tuple[str, int, int, str]  # (pack file name, offset, length, tag of the entry's name and payload)
_MAX_INDEX_BYTES = 1 << 30
_MAX_ENTRY_BYTES = 1 << 31
_MAX_OFFSET = 1 << 40


def _read_small(folder: int, name: str, limit: int) -> bytes | None:
    """A file of the cache folder, read through its descriptor without following a link; None when absent or unreadable."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=folder)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        return f.read(limit + 1)[:limit]


def _write_small(folder: int, name: str, data: bytes) -> None:
    temporary = f".{name}-{secrets.token_hex(6)}"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)  # replaces a link at `name`, never what it points to
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)


def _read_index(folder: int, key: CacheKey, stamp: str) -> tuple[dict[str, Record], dict[str, list[int]], str]:
    """The index of a cache folder, the identities of its packs, and what was wrong with it (an
    unusable index is an empty cache).

    The index is signed as a whole: the identities it records of the packs (device, inode, size,
    modification and change times) say which packs are as this key's holder left them, whose
    entries are then read without hashing each; any other pack's entries are checked one by one."""
    data = _read_small(folder, _INDEX, _MAX_INDEX_BYTES)
    if data is None:
        return {}, {}, ""
    body, _, mac = data.rpartition(b"\n")
    if not hmac.compare_digest(key.sign(b"index", body), mac.decode("ascii", "replace")):
        return {}, {}, "not signed with this cache key"
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError, MemoryError):
        return {}, {}, "not JSON"
    if not isinstance(parsed, dict) or parsed.get("version") != stamp or not isinstance(parsed.get("entries"), dict):
        return {}, {}, "not an index of this blogkit and key"
    try:
        index: dict[str, Record] = {name: (pack, offset, length, tag) for name, (pack, offset, length, tag) in parsed["entries"].items()}
    except (TypeError, ValueError):
        return {}, {}, "a malformed entry"
    if not all(isinstance(pack, str) and _PACK_NAME.match(pack) for pack in {record[0] for record in index.values()}):
        return {}, {}, "an entry in a pack that is not one of blogkit's"
    if not all(
        type(offset) is int and type(length) is int and type(tag) is str and 0 <= offset < _MAX_OFFSET and 0 <= length <= _MAX_ENTRY_BYTES
        for _, offset, length, tag in index.values()
    ):
        return {}, {}, "an entry with an offset or length out of bounds"
    packs = parsed.get("packs")
    sealed = {
        str(name): identity
        for name, identity in (packs.items() if isinstance(packs, dict) else ())
        if isinstance(identity, list) and len(identity) == 5 and all(type(n) is int for n in identity)
    }
    return index, sealed, ""


def _identity(found: os.stat_result) -> list[int]:
    """What changes whenever a file is written, replaced or restored: its change time is set by the kernel alone."""
    return [found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns]


def _write_index(folder: int, key: CacheKey, entries: dict[str, Record], packs: dict[str, list[int]]) -> None:
    data = {
        "version": f"{code_version()} {key.ident}",
        "packs": packs,
        "entries": {name: list(record) for name, record in sorted(entries.items())},
    }
    body = json.dumps(data, separators=(",", ":")).encode("ascii")
    _write_small(folder, _INDEX, body + b"\n" + key.sign(b"index", body).encode("ascii"))


Cache = MemoryCache | DiskCache


def open_cache(site_root: str, *, enabled: bool) -> Cache:
    """The site's disk cache, or a memory cache when disabled or when the folder cannot be used.

    A cache refused for a reason the user should know (a link in place of the folder, no key)
    carries that reason in `notice`, for the build's report."""
    if not enabled:
        return MemoryCache()
    moved = bool(os.environ.get(CACHE_DIR_VARIABLE, "").strip())
    folder = cache_dir(site_root)
    try:
        return DiskCache(folder, cache_key(site_root), follow=moved)  # a folder the operator named may be a link: their choice
    except NoKey as exc:
        return MemoryCache(f"the build cache is not used: {exc}")
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            shown = _shown(folder, site_root)
            return MemoryCache(f"the build cache is not used: {shown} or its packs/ folder is a symbolic link or not a folder")
        return MemoryCache(f"the build cache is not used: {_shown(folder, site_root)} cannot be opened ({exc.strerror or exc})")


def _shown(folder: str, site_root: str) -> str:
    relative = os.path.relpath(folder, site_root)
    return folder if relative.startswith("..") else relative
