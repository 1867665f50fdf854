"""A long build's progress on a terminal: one line, rewritten in place, cleared when done.

Shown only when standard error is a terminal (never in CI logs or when piped), and not under
`--quiet` or a machine-readable `--format`. At most ten updates a second, so a fast build does
not spend its time drawing.
"""

from __future__ import annotations

import time
from typing import TextIO

_CLEAR = "\r\x1b[K"


class TerminalProgress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.what, self.total, self.done = "", 0, 0
        self._last = 0.0
        self._shown = False

    def start(self, what: str, total: int) -> None:
        self.what, self.total, self.done = what, total, 0
        self._show(force=True)

    def advance(self, count: int) -> None:
        self.done += count
        self._show(force=self.done >= self.total > 0)

    def finish(self) -> None:
        if self._shown:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self._shown = False

    def _show(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        shown = f"blogkit: {self.what} {self.done:,} of {self.total:,}" if self.total else f"blogkit: {self.what}…"
        self.stream.write(_CLEAR + shown)
        self.stream.flush()
        self._shown = True
