"""What rendering a Markdown body gives: the values the model and the renderers share.

`blogkit.load.markdown` makes them; nothing here depends on how.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_NESTING = 50  # block quotes and lists deeper than this are not parsed (a guard against stack exhaustion)
_WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class TocEntry:
    level: int
    id: str
    text: str


def toc_tree(toc: Sequence[TocEntry]) -> list[tuple[TocEntry, list[TocEntry]]]:
    """The h2 entries of a TOC, each with the h3 entries under it."""
    tree: list[tuple[TocEntry, list[TocEntry]]] = []
    for entry in toc:
        if entry.level == 2 or not tree:
            tree.append((entry, []))
        else:
            tree[-1][1].append(entry)
    return tree


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
    stored_html: Callable[[], str] | None = None  # where `html` is left empty: reads it from the build cache, which keeps it

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / _WORDS_PER_MINUTE))


class StoredHtmlLost(Exception):
    """A body's HTML that the build left in its cache is gone from it: the cache folder changed under the build."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the build cache lost the rendering of a body ({key[:12]}) while the site was being built")


class HtmlOnDemand:
    """HTML made each time it is shown, never held: what a post shows of a body the build cache
    keeps (see `RenderedBody.stored_html`). A hub of 100,000 posts would otherwise hold every
    body's HTML at once, though each is shown on one page, in a few feeds and in the search index.

    Templates show it with `|safe` like a string (`__html__`); code reads it with `str()`."""

    __slots__ = ("_make",)

    def __init__(self, make: Callable[[], str]) -> None:
        self._make = make

    def __str__(self) -> str:
        return self._make()

    def __html__(self) -> str:
        return self._make()

    def __len__(self) -> int:
        return len(self._make())

    def __contains__(self, part: str) -> bool:
        return part in self._make()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HtmlOnDemand | str):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._make())

    def __repr__(self) -> str:
        return "HtmlOnDemand(...)"
