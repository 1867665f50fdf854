"""What rendering a Markdown body gives: the values the model and the renderers share.

`blogkit.load.markdown` makes them; nothing here depends on how.
"""

from __future__ import annotations

from dataclasses import dataclass

_WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class TocEntry:
    level: int
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class LinkRef:
    """A relative or root-relative URL as written, and where it is in the file (column 0: not found)."""

    target: str
    line: int
    column: int = 0
    image: bool = False  # the source of an image (`![alt](target)`), not a link


@dataclass(frozen=True, slots=True)
class Lint:
    """A problem found while rendering a body, at its file line and column: among `problems`, one of
    its own severity; among `lints`, a finding of the content lint's `rule` (the site and post say how loud)."""

    line: int
    message: str
    hint: str
    column: int = 0
    severity: str = "error"  # among a body's `problems`: "error", "warning" or "note"
    rule: str = ""  # among a body's `lints`: the rule of `blogkit.core.lint_rules.RULES` it breaks


@dataclass(frozen=True, slots=True)
class BodySource:
    text: str
    first_line: int  # the line of the file where the Markdown body starts (1-based)
    key: str = ""  # its cache key, when the cache held its rendering as the text was read: then the text is left behind


class TextNeeded(Exception):
    """A body whose text was left behind for its cached rendering, which turned out unreadable."""

    def __init__(self, indexes: list[int]) -> None:
        super().__init__(f"{len(indexes)} bodies must be read again")
        self.indexes = indexes


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    toc: tuple[TocEntry, ...]
    ids: frozenset[str]
    summary: str  # plain text: before <!-- more -->, else the first paragraph
    words: int
    links: tuple[LinkRef, ...]
    marker: str = ""  # what stands for each relative URL in `html` until it is resolved: this prefix and the link's index
    too_deep: tuple[int, ...] = ()  # file lines where nesting went past the parser's limit, and what followed was left out
    lints: tuple[Lint, ...] = ()  # what the content lint found, every rule (the build reports them as the site and post set)
    key: str = ""  # the build cache's key of this rendering: what its HTML is a function of
    problems: tuple[Lint, ...] = ()  # errors found while rendering (a formula that does not parse), by file line
    stopped: str = ""  # why rendering was stopped (it took too long, or its worker crashed): then there is no HTML
    diagrams: bool = False  # it has a diagram (a ```mermaid block), which the theme draws in the browser
    plain_links: tuple[LinkRef, ...] = ()  # URLs kept as written that lead within the site: `#fragment`, raw HTML's href and src

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / _WORDS_PER_MINUTE))
