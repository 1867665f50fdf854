"""The key that authenticates the build cache's entries, kept outside the site and its repository.

Whoever can write the cache folder (a pull request that commits `.blogkit-cache/`, a poisoned CI
cache) must not be able to make a build publish bytes it did not make. Each entry is therefore
signed with HMAC-SHA256 under a key that lives where no commit reaches:

- `BLOGKIT_CACHE_KEY`, when set (a CI secret, so that runners that start empty share one key);
- else `$XDG_CACHE_HOME/blogkit/cache-key` (`~/.cache/blogkit/cache-key`), made on first use
  with 32 random bytes, readable by its owner only.

A key file inside the site folder is refused (it would be in reach of a commit), and so is one
that is a symbolic link or can be neither read nor made: the build then keeps its cache in
memory and says why in one line.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

KEY_VARIABLE = "BLOGKIT_CACHE_KEY"
_KEY_FILE = ("blogkit", "cache-key")
_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class CacheKey:
    secret: bytes
    origin: str  # where it came from, as a message names it

    @property
    def ident(self) -> str:
        """A short name of the key that reveals nothing of it: an index written under another key is told apart."""
        return hmac.digest(self.secret, b"blogkit cache key id", "sha256")[:6].hex()

    def sign(self, name: bytes, payload: bytes) -> str:
        """The tag of an entry: its kind/key and bytes, so a tag of one entry never fits another."""
        mac = hmac.new(self.secret, name + b"\0", hashlib.sha256)
        mac.update(payload)
        return mac.digest()[:16].hex()


class NoKey(Exception):
    """No key could be had: the cache is kept in memory only (the message says why)."""


def key_file() -> str:
    home = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(home), *_KEY_FILE)


def cache_key(site_root: str) -> CacheKey:
    """The key for this build's cache; raises `NoKey` when there is none to be trusted."""
    given = os.environ.get(KEY_VARIABLE, "")
    if given.strip():
        return CacheKey(hashlib.sha256(given.strip().encode("utf-8")).digest(), KEY_VARIABLE)
    path = key_file()
    if _inside(path, site_root):
        raise NoKey(f"the cache key file {path} is inside the site folder, in reach of a commit; set {KEY_VARIABLE} or XDG_CACHE_HOME")
    secret = _read_key(path)
    if secret is None:
        secret = _make_key(path)
    return CacheKey(secret, path)


def _read_key(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NoKey(f"the cache key file {path} cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as f:
        text = f.read(4 * _KEY_BYTES + 2).strip()
    try:
        secret = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        secret = b""
    if len(secret) < 16:
        raise NoKey(f"the cache key file {path} does not hold a key; delete it and the next build makes a new one")
    return secret


def _make_key(path: str) -> bytes:
    secret = secrets.token_bytes(_KEY_BYTES)
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:  # another build made it meanwhile
        found = _read_key(path)
        if found is None:
            raise NoKey(f"the cache key file {path} vanished while it was read") from None
        return found
    except OSError as exc:
        raise NoKey(f"the cache key file {path} cannot be made ({exc.strerror or exc}); set {KEY_VARIABLE}") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secret.hex() + "\n")
    return secret


def _inside(path: str, folder: str) -> bool:
    with contextlib.suppress(ValueError, OSError):
        real, root = os.path.realpath(path), os.path.realpath(folder)
        return os.path.commonpath([real, root]) == root
    return False
