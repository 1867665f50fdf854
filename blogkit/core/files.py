"""Reading a file whole, within a limit.

A file is read through its descriptor, into buffers the size of the file, not of the limit:
Python's buffered `read(limit + 1)` sets aside the whole limit first, tens of microseconds for
each file when the limit is megabytes, and a build reads thousands of posts.
"""

from __future__ import annotations

import os


def read_at_most(path: str, limit: int) -> bytes:
    """The file's bytes, at most `limit` + 1 of them: more than `limit` says it is over the limit. OSError passes."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(fd).st_size
        parts = []
        left = limit + 1
        while left > 0:
            part = os.read(fd, min(left, max(size + 1, 65536)))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        os.close(fd)
