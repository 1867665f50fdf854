"""Printing diagnostics: human text (colour on a terminal), GitHub Actions annotations, JSON lines.

Paths are printed as the user can open them from where they ran blogkit: the
site folder as given on the command line joined with the file's path in the site.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from blogkit.core.diagnostics import Diagnostic, Severity, visible, with_source_lines

FORMATS = ("text", "github", "json")
_COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.NOTE: "\033[1;36m"}
_GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def display_path(site_arg: str, path: str) -> str:
    """'example_site' + 'posts/a.md' -> 'example_site/posts/a.md'; '.' + 'posts/a.md' -> 'posts/a.md'."""
    if os.path.isabs(path):
        return path
    return os.path.normpath(os.path.join(site_arg, path)).replace(os.sep, "/")


def print_diagnostics(
    diagnostics: Sequence[Diagnostic],
    read_line: Callable[[str, int], str | None],
    site_arg: str,
    fmt: str = "text",
    stream: TextIO | None = None,
) -> None:
    """Text goes to standard error, as a compiler's does, with the source line of each problem
    (`read_line(path, line)`); the machine formats (`github`, `json`) to standard output, one line
    per diagnostic and nothing else there, for the tool reading them."""
    stream = stream or (sys.stderr if fmt == "text" else sys.stdout)
    if fmt == "github":
        for d in diagnostics:
            print(github_annotation(d, display_path(site_arg, d.location.path)), file=stream)
        return
    if fmt == "json":
        for d in diagnostics:
            print(json.dumps(as_json(d, display_path(site_arg, d.location.path)), ensure_ascii=False), file=stream)
        return
    colour = stream.isatty() and os.environ.get("NO_COLOR") is None
    for d in with_source_lines(list(diagnostics), read_line):
        text = d.format_text().replace(visible(d.location.path), visible(display_path(site_arg, d.location.path)), 1)
        if colour:
            word = f"{d.severity.value}:"
            text = text.replace(word, f"{_COLOURS[d.severity]}{word}\033[0m", 1)
        print(text, file=stream)


def as_json(d: Diagnostic, path: str) -> dict[str, object]:
    return {
        "severity": d.severity.value,
        "path": path,
        "line": d.location.line or None,
        "column": d.location.column or None,
        "message": d.message,
        "hint": d.hint or None,
    }


def github_annotation(d: Diagnostic, path: str) -> str:
    """`::error file=F,line=L,col=C,title=T::MESSAGE` as GitHub Actions documents it."""
    properties = [f"file={_escape_property(visible(path))}"]
    if d.location.line:
        properties.append(f"line={d.location.line}")
    if d.location.column:
        properties.append(f"col={d.location.column}")
    properties.append(f"title={_escape_property('blogkit ' + d.severity.value)}")
    message = visible(d.message) + (f"\nhint: {visible(d.hint)}" if d.hint else "")
    return f"::{_GITHUB_COMMANDS[d.severity]} {','.join(properties)}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
