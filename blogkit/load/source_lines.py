"""The lines of a site's files that diagnostics quote under their message."""

from __future__ import annotations

import os


class LineReader:
    """Reads single lines of site files, keeping the few files read last (diagnostics come sorted by
    file: thousands of warnings in as many posts must not hold every post's lines at once).

    A line ends where the parsers end one, at a line feed (the file is read with universal newlines,
    so a carriage return ends one too): not at a form feed or U+2028, where `str.splitlines` would
    and the Markdown parser does not. A file is split only as far as the line wanted."""

    _KEPT = 16

    def __init__(self, root: str) -> None:
        self._root = root
        self._files: dict[str, str | None] = {}

    def __call__(self, path: str, line: int) -> str | None:
        if path not in self._files:
            if len(self._files) >= self._KEPT:
                del self._files[next(iter(self._files))]  # the one read first
            try:
                with open(os.path.join(self._root, path), encoding="utf-8", errors="replace") as f:
                    self._files[path] = f.read()
            except OSError:
                self._files[path] = None
        text = self._files[path]
        if text is None or line < 1:
            return None
        lines = text.split("\n", line)  # up to the line wanted, and the rest in one piece
        if len(lines) < line or (len(lines) == line and not lines[-1]):  # past the end (after the last line feed)
            return None
        return lines[line - 1].replace("\t", "→")  # a tab made visible, one column wide as in the marks
