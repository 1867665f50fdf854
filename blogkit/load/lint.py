"""The content lint: what in a rendered body some readers cannot use, or the Nu HTML Checker rejects.

`lint_body` reads the token stream markdown-it made of a body, in document order, and gives
each finding with its rule (`blogkit.core.lint_rules`), the line and column of the file where
it is written, and a hint. It finds everything; how loud each rule is (warning, note, off) is
the site's and the post's to say when the build reports them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from markdown_it.token import Token

from blogkit.core.bodies import Lint
from blogkit.load.sanitize import ALLOWED_TAGS

# -- the words of each finding ------------------------------------------------------------------

_ALT_HINT = "describe the image for readers who cannot see it: ![what it shows](file.png)"
_RAW_ALT_HINT = 'add alt="what it shows" (alt="" for a decoration)'
_FILE_NAME_HINT = "say what the image shows, as you would to someone on the phone: ![the write path, client to disk](write-path.png)"
_HEADING_HINT = "use ## for a section and ### under it; the title is the h1"
_LINK_TEXT_HINT = "screen reader users jump from link to link: name where it leads, e.g. [the Raft paper](…) rather than [here](…)"
_URL_TEXT_HINT = "a screen reader spells a URL out letter by letter: name what it leads to, e.g. [the release notes](https://…)"
_TABLE_HINT = "give each column a heading in the first row: | Setting | Default |, then |---|---|"
_RAW_TABLE_HINT = "make the cells of the first row <th>, so each cell is read with its column's heading"
_BLOCK_HINT = "<p> and <span> hold only text: wrap blocks in <div>, or close the <p> before the block"
_EMBED_HINT = (
    "link to it instead, e.g. [Watch the talk on YouTube](https://www.youtube.com/watch?v=…), perhaps under a still of it; "
    "a site whose every author is trusted may set markdown.raw_html: allow"
)
_SCRIPT_HINT = "posts carry no scripts or styles: show code in a ``` block; a site's own styles go in brand.css"
_OTHER_DROPPED_HINT = "write it in Markdown; to show it as text, put it in `code`: `Vec<T>`"

_OBSOLETE = {  # the obsolete elements of HTML (the Nu HTML Checker rejects them), each with what to write instead
    "center": "leave it out: the theme lays out the page (a class in brand.css can centre what must be)",
    "font": "leave it out: the theme sets type and colour; for meaning use **strong**, *emphasis* or `code`",
    "marquee": "leave it out: moving text is hard to read and cannot be paused",
    "blink": "leave it out: blinking text is hard to read and can harm readers",
    "big": "use **strong** for importance, or a heading for a title",
    "tt": "use `code` (or <kbd> for keys, <samp> for output)",
    "strike": "use ~~text~~ (or <del>)",
    "acronym": 'use <abbr title="what it stands for">',
    "basefont": "leave it out: the theme sets type",
    "nobr": "leave it out, or use a non-breaking space (&nbsp;) where two words must stay together",
    "spacer": "leave it out: the theme sets spacing",
    "xmp": "use a ``` code block",
    "listing": "use a ``` code block",
    "plaintext": "use a ``` code block",
    "dir": "use a Markdown list",
    "applet": "leave it out: browsers run no applets",
    "frame": "link to the page instead",
    "frameset": "link to the pages instead",
    "noframes": "leave it out",
    "bgsound": "link to the sound file instead",
    "multicol": "leave it out: the theme lays out the page",
}
_EMBEDS = frozenset({"iframe", "video", "audio", "object", "embed", "canvas", "svg", "picture", "frame"})
_CONTENT_DROPPED = frozenset({"script", "style"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
_BLOCK_TAGS = frozenset(
    "address article aside blockquote center details dialog div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul".split()
)
_INLINE_PARENTS = ("p", "span")  # raw elements that hold text only: a block inside is invalid HTML
_MARKDOWN_BLOCKS = {
    "paragraph_open": "a paragraph",
    "heading_open": "a heading",
    "bullet_list_open": "a list",
    "ordered_list_open": "a list",
    "blockquote_open": "a block quote",
    "table_open": "a table",
    "fence": "a code block",
    "code_block": "a code block",
    "hr": "a rule",
}
_VAGUE_LINK_TEXTS = frozenset(
    {"here", "click here", "click", "this", "this link", "link", "read more", "more", "learn more", "see here", "go here",
     "over here", "this page", "this post", "this article", "more info", "more here", "details"}
)  # fmt: skip
_URL_TEXT = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MADE_NAME = re.compile(r"[0-9_-]")  # a file name no one would say: a camera's, a tool's
_IMAGE_FILE = re.compile(r"[^\s/]+\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?)", re.IGNORECASE)
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*/?>""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def lint_body(tokens: list[Token], text: str, first_line: int, sanitized: bool, written_url: Callable[[str], str]) -> list[Lint]:
    """Every finding of the lint in a body's tokens, in document order. `text` is the body as
    written, from the file's line `first_line`; `sanitized`: raw HTML goes through the sanitiser;
    `written_url`: a URL of a token as the author wrote it (relative ones are markers by now)."""
    scan = _Scan(_Finder(text.split("\n"), first_line), sanitized, written_url)
    for token in tokens:
        scan.block(token)
    scan.finish()
    return scan.found


@dataclass(slots=True)
class _Finder:
    """Where something is written: the file line and column of a text, searched forward in a block's lines."""

    lines: list[str]
    first_line: int
    lowered: list[str] = field(default_factory=list)
    start: int = 0
    end: int = 0
    row: int = 0
    column: int = 0

    def __post_init__(self) -> None:
        self.lowered = [line.lower() for line in self.lines]

    def enter(self, map_: list[int]) -> None:
        """Search the lines of this block from its start (a block's inline content, or the next cell of a
        table's row, goes on from where the last search ended)."""
        start, end = min(map_[0], max(len(self.lines) - 1, 0)), map_[1]
        if (start, end) != (self.start, self.end):
            self.start, self.end = start, end
            self.row, self.column = start, 0

    def block_start(self) -> tuple[int, int]:
        """The file line and column of the block's first character."""
        line = self.lines[self.start] if self.start < len(self.lines) else ""
        return self.first_line + self.start, len(line) - len(line.lstrip()) + 1

    def find(self, needle: str) -> tuple[int, int]:
        """The file line and column of `needle` (in any case) from the last one found on; the block's start if it is not there."""
        needle = needle.lower()
        for row in range(self.row, min(max(self.end, self.start + 1), len(self.lines))):
            index = self.lowered[row].find(needle, self.column if row == self.row else 0)
            if index >= 0:
                self.row, self.column = row, index + 1
                return self.first_line + row, index + 1
        return self.block_start()


@dataclass(slots=True)
class _Open:
    """A raw element still open: a <p> or <span> (a block inside is invalid), or a <table> (has it a <th>?)."""

    name: str
    line: int
    column: int
    flagged: bool = False  # a <p> or <span> reported once, however many blocks it holds


@dataclass(slots=True)
class _Scan:
    finder: _Finder
    sanitized: bool
    written_url: Callable[[str], str]
    found: list[Lint] = field(default_factory=list)
    heading: int = 1  # the page's title is its h1
    inline_parents: list[_Open] = field(default_factory=list)
    tables: list[_Open] = field(default_factory=list)
    dropped: str = ""  # a removed element still open: what it holds is removed with it, and not reported again
    table: tuple[int, int] = (0, 0)  # where the Markdown table being read starts
    header: str | None = None  # the text of its first row, while it is read

    def add(self, rule: str, at: tuple[int, int], message: str, hint: str) -> None:
        self.found.append(Lint(at[0], message, hint, at[1], "warning", rule))

    def block(self, token: Token) -> None:
        if token.map:
            self.finder.enter(token.map)
        if token.type in _MARKDOWN_BLOCKS and not token.hidden:
            self.inside_inline(_MARKDOWN_BLOCKS[token.type])
        if token.type == "heading_open":
            self.heading_level(token)
        elif token.type == "table_open":
            self.table = self.finder.block_start()
        elif token.type == "thead_open":
            self.header = ""
        elif token.type == "thead_close":
            self.table_header()
        elif token.type == "html_block":
            self.raw_html(token.content)
        elif token.type == "inline":
            self.inline(token.children or [])

    def table_header(self) -> None:
        """A Markdown table always has a first row; it is no header when every cell of it is empty."""
        if not (self.header or "").strip():
            self.add("table-header", self.table, "table without a header row", _TABLE_HINT)
        self.header = None

    def heading_level(self, token: Token) -> None:
        new = int(token.tag[1])
        if new > self.heading + 1:
            self.add("heading-order", self.finder.block_start(), f"heading level skipped: h{self.heading} then h{new}", _HEADING_HINT)
        self.heading = new

    def inline(self, children: list[Token]) -> None:
        if self.header is not None:
            self.header += _text(children)
        for index, child in enumerate(children):
            if child.type == "image":
                self.image(child)
            elif child.type == "link_open":
                self.link(child, children, index)
            elif child.type == "html_inline":
                self.raw_html(child.content)

    # -- images and links ----------------------------------------------------------------------

    def image(self, token: Token) -> None:
        at = self.finder.find("![")
        alt = _text(token.children or []).strip()
        if not alt:
            self.add("image-alt", at, "image without alt text", _ALT_HINT)
        elif _is_file_name(alt, self.written_url(str(token.attrGet("src") or ""))):
            self.add("image-alt-file-name", at, f"the image's alt text is its file name: '{alt[:60]}'", _FILE_NAME_HINT)

    def link(self, token: Token, children: list[Token], index: int) -> None:
        depth, end = 0, index
        for end in range(index, len(children)):
            depth += children[end].nesting if children[end].type in ("link_open", "link_close") else 0
            if depth == 0:
                break
        words = _text(children[index + 1 : end])
        if token.markup == "autolink":
            at = self.finder.find("<" + words)
        else:
            at = self.finder.find("[" + words) if words else self.finder.find("[")
        said = " ".join(words.split())
        if _URL_TEXT.fullmatch(said):
            self.add("link-url-text", at, f"link text is a bare URL: {said[:60]}", _URL_TEXT_HINT)
        elif said.lower().strip(" .:;!?»→…") in _VAGUE_LINK_TEXTS:
            self.add("link-text", at, f"link text '{said}' says nothing of where it leads", _LINK_TEXT_HINT)

    # -- raw HTML ------------------------------------------------------------------------------

    def raw_html(self, html: str) -> None:
        html = _COMMENT.sub(lambda m: " " * len(m.group()), html)
        for match in _TAG.finditer(html):
            closing, name, attributes = match.group(1) == "/", match.group(2).lower(), match.group(3)
            at = self.finder.find(("</" if closing else "<") + name)
            if closing:
                self.close(name)
            else:
                self.open(name, attributes, at, match.group().endswith("/>"))

    def open(self, name: str, attributes: str, at: tuple[int, int], self_closing: bool) -> None:
        if self.dropped:
            return
        if name in _OBSOLETE:
            self.add("obsolete-element", at, f"<{name}> is obsolete HTML: the Nu HTML Checker rejects it", _OBSOLETE[name])
        elif self.sanitized and name not in ALLOWED_TAGS:
            self.removed(name, at, self_closing)
            return
        if name in _BLOCK_TAGS:
            self.inside_inline(f"a <{name}>")
        if name == "img":
            self.raw_image(_attributes(attributes), at)
        elif name == "th" and self.tables:
            self.tables[-1].flagged = True
        elif name == "table":
            self.tables.append(_Open(name, *at))
        if name in _INLINE_PARENTS and not self_closing:
            if name == "p" and self.inline_parents and self.inline_parents[-1].name == "p":
                self.inline_parents.pop()  # a <p> ends the one before
            self.inline_parents.append(_Open(name, *at))

    def removed(self, name: str, at: tuple[int, int], self_closing: bool) -> None:
        if name in _EMBEDS:
            self.add("dropped-html", at, f"the sanitiser removes <{name}>: readers see nothing in its place", _EMBED_HINT)
        elif name in _CONTENT_DROPPED:
            self.add("dropped-html", at, f"the sanitiser removes <{name}> and what it holds", _SCRIPT_HINT)
        else:
            self.add("dropped-html", at, f"the sanitiser removes <{name}> (its text stays)", _OTHER_DROPPED_HINT)
        if not self_closing and name not in _VOID and name in _EMBEDS | _CONTENT_DROPPED:
            self.dropped = name

    def close(self, name: str) -> None:
        if self.dropped:
            if name == self.dropped:
                self.dropped = ""
            return
        if name == "table" and self.tables:
            self.table_done(self.tables.pop())
        for index in range(len(self.inline_parents) - 1, -1, -1):
            if self.inline_parents[index].name == name:
                del self.inline_parents[index:]
                break

    def raw_image(self, attributes: dict[str, str], at: tuple[int, int]) -> None:
        if "alt" not in attributes:
            self.add("image-alt", at, "image in raw HTML without alt text", _RAW_ALT_HINT)
        elif _is_file_name(alt := attributes["alt"].strip(), attributes.get("src", "")):
            self.add("image-alt-file-name", at, f"the image's alt text is its file name: '{alt[:60]}'", _FILE_NAME_HINT)

    def table_done(self, table: _Open) -> None:
        if not table.flagged:
            self.add("table-header", (table.line, table.column), "table in raw HTML without a header row", _RAW_TABLE_HINT)

    def inside_inline(self, what: str) -> None:
        """A block met while a raw <p> or <span> is open: the HTML is invalid, reported at that element, once."""
        if self.inline_parents and not self.inline_parents[-1].flagged:
            parent = self.inline_parents[-1]
            parent.flagged = True
            self.add("block-in-inline", (parent.line, parent.column), f"<{parent.name}> around {what} is invalid HTML", _BLOCK_HINT)

    def finish(self) -> None:
        for table in self.tables:
            self.table_done(table)
        self.tables.clear()


def _text(tokens: list[Token]) -> str:
    """The plain text of inline tokens, as a reader hears it."""
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline")) + "".join(
        _text(t.children) for t in tokens if t.type == "image" and t.children
    )


def _is_file_name(alt: str, url: str) -> bool:
    """Alt text that is any image file's name, or the image's own name without its extension when that
    looks made by a camera or a tool (`IMG_2041`, `screenshot-2019-03-01`): `![Cluster](cluster.png)` is a word."""
    if _IMAGE_FILE.fullmatch(alt):
        return True
    stem = os.path.splitext(os.path.basename(unquote(url.split("?")[0].split("#")[0])))[0]
    return bool(stem) and alt.lower() == stem.lower() and bool(_MADE_NAME.search(stem))


def _attributes(written: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(written):
        value = next((v for v in match.groups()[1:] if v is not None), "")
        found.setdefault(match.group(1).lower(), value)
    return found
