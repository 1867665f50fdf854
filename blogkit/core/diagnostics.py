"""Problems a user can fix: a location in their files, a message and a hint.

Every stage reports into one `Report`; the build fails only after all of them
have been collected, so a user sees every problem of a build at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field


class Severity(enum.Enum):
    NOTE = "note"  # information, never fails a build (e.g. a scheduled post)
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A position in a file of the site, relative to the site folder; 1-based."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    location: Location
    message: str
    hint: str = ""
    source_line: str = ""

    def format_text(self) -> str:
        lines = [f"{visible(str(self.location))}: {self.severity.value}: {visible(self.message)}"]
        if self.source_line and self.location.column:
            lines.append(f"  | {visible(self.source_line)}")
            lines.append("  | " + " " * (self.location.column - 1) + "^")
        if self.hint:
            lines.append(f"  hint: {visible(self.hint)}")
        return "\n".join(lines)


# C0 and C1 controls (escape sequences, newlines, carriage returns) and the bidirectional overrides
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Text as a diagnostic may echo it: control characters written as escapes, never acted on by a
    terminal or a CI log, and never able to start a line of their own."""
    return _INVISIBLE.sub(lambda m: "\\t" if m.group() == "\t" else m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(slots=True)
class Report:
    """Collects the diagnostics of one build, in the order they were found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(Severity.ERROR, location, message, hint))

    def warning(self, location: Location, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(Severity.WARNING, location, message, hint))

    def note(self, location: Location, message: str, hint: str = "") -> None:
        self.diagnostics.append(Diagnostic(Severity.NOTE, location, message, hint))

    def extend(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics by file and position, so output does not depend on stage order."""
        return sorted(self.diagnostics, key=in_order)


def in_order(d: Diagnostic) -> tuple[Location, str, str]:
    """The key diagnostics are printed in: by file and position, then severity and message."""
    return (d.location, d.severity.value, d.message)


class ConfigError(Exception):
    """The site configuration is unusable: exit code 2, after its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def with_source_lines(diagnostics: list[Diagnostic], read_line: Callable[[str, int], str | None]) -> list[Diagnostic]:
    """Attach the offending source line to each diagnostic that has a column (`read_line(path, line)`,
    None when there is none: `blogkit.load.source_lines.LineReader` reads them from the site's files)."""
    out = []
    for d in diagnostics:
        if d.location.line and d.location.column and not d.source_line and d.severity is not Severity.NOTE:
            text = read_line(d.location.path, d.location.line)
            if text is not None:
                d = Diagnostic(d.severity, d.location, d.message, d.hint, text)
        out.append(d)
    return out


def size_text(count: int) -> str:
    """A number of bytes as a diagnostic says it: '5.3 MiB', '64 KiB', '900 bytes'."""
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    return f"{count / 1024:.0f} KiB" if count >= 1024 else f"{count} bytes"
