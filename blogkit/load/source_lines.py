"""The lines of a site's files that diagnostics quote under their message."""

from __future__ import annotations

import os


class LineReader:
    """Reads single lines of site files, keeping the few files read last (diagnostics come sorted by
    file: thousands of warnings in as many posts must not hold every post's lines at once)."""

    _KEPT = 16

    def __init__(self, root: str) -> None:
        self._root = root
        self._files: dict[str, list[str] | None] = {}

    def __call__(self, path: str, line: int) -> str | None:
        if path not in self._files:
            if len(self._files) >= self._KEPT:
                del self._files[next(iter(self._files))]  # the one read first
            try:
                with open(os.path.join(self._root, path), encoding="utf-8", errors="replace") as f:
                    self._files[path] = f.read().splitlines()
            except OSError:
                self._files[path] = None
        lines = self._files[path]
        if lines is None or not 0 < line <= len(lines):
            return None
        return lines[line - 1].replace("\t", "→")  # a tab made visible, one column wide as in the marks
