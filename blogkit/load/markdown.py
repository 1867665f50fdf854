"""Markdown to HTML: one configured MarkdownIt, highlighting, TOC, summaries, links.

`render_body` is a pure function of a post's source text, where it sits and the
Markdown settings. It keeps no state between calls, so bodies can be rendered
in worker processes and cached by content hash.

Relative links and images are replaced by markers and listed
in `RenderedBody.links`; the model resolves them to URLs once every post's URL
is known (see `blogkit.load.links`).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from html import escape, unescape
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from blogkit.core.bodies import MAX_NESTING, BodySource, LinkRef, Lint, RenderedBody, TocEntry
from blogkit.core.config import MarkdownConfig
from blogkit.load.heading_ids import HEADING_IDS
from blogkit.load.highlight import highlight_code
from blogkit.load.lint import lint_body
from blogkit.load.math import math_plugin
from blogkit.load.sanitize import sanitize

LINK_MARKER = "blogkit-link:"
MORE_MARKER = "<!-- more -->"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def render_body(source: BodySource, settings: MarkdownConfig) -> RenderedBody:
    md = _markdown(settings)
    env = _env(source)
    marker = env["marker"]
    tokens = md.parse(source.text, env)
    summary_tokens = _summary_tokens(tokens)
    tokens = [t for t in tokens if not _is_more(t)]
    html = md.renderer.render(tokens, md.options, env)
    has_raw_html = any(t.type == "html_block" or _has_inline_html(t) for t in tokens)
    if has_raw_html and settings.raw_html == "sanitize":
        html = sanitize(html)
    return RenderedBody(
        html=html,
        toc=_toc(tokens),
        ids=frozenset(_ids(tokens)),
        summary=_plain_text(summary_tokens),
        words=sum(len(t.content.split()) for t in tokens if t.type == "inline"),
        links=tuple(env["links"]),
        plain_links=tuple(env["plain_links"]),
        lints=tuple(_lint(tokens, source, settings, env)),
        marker=marker,
        too_deep=tuple(env["too_deep"]),
        problems=tuple(Lint(line, message, hint) for line, message, hint in env["problems"])
        + tuple(_leftovers(tokens, source, settings.template_syntax)),
        diagrams=any(t.type == "fence" and _is_diagram(t.info) for t in tokens),
    )


def lint_markdown(source: BodySource, settings: MarkdownConfig) -> list[Lint]:
    """What the content lint finds in a body, parsed but not rendered (as `render_body` finds it)."""
    env = _env(source)
    tokens = [t for t in _markdown(settings).parse(source.text, env) if not _is_more(t)]
    return _lint(tokens, source, settings, env)


def _lint(tokens: list[Token], source: BodySource, settings: MarkdownConfig, env: dict[str, Any]) -> list[Lint]:
    return lint_body(tokens, source.text, source.first_line, settings.raw_html == "sanitize", _written_url(env))


def _env(source: BodySource) -> dict[str, Any]:
    """What the parser's rules note while reading a body."""
    # the marker holds a digest of the text itself, so that no text can contain its own marker
    marker = f"{LINK_MARKER}{hashlib.blake2b(source.text.encode('utf-8', 'surrogatepass'), digest_size=8).hexdigest()}."
    return {"links": [], "plain_links": [], "first_line": source.first_line, "marker": marker, "too_deep": [], "problems": []}


# -- the parser ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _markdown(settings: MarkdownConfig) -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": settings.raw_html != "escape", "highlight": _highlight, "xhtmlOut": False, "maxNesting": MAX_NESTING},
    )
    block_tokenize = md.block.tokenize

    def tokenize(state: Any, start_line: int, end_line: int) -> None:
        """The block parser, noting where it gives up on content nested too deeply (it drops the rest)."""
        if state.level >= MAX_NESTING and (line := state.skipEmptyLines(start_line)) < end_line:
            state.env["too_deep"].append(state.env["first_line"] + line)
        block_tokenize(state, start_line, end_line)

    md.block.tokenize = tokenize  # type: ignore[method-assign, assignment]
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(tasklists_plugin, label=True)
    md.use(anchors_plugin, min_level=2, max_level=6, slug_func=HEADING_IDS[settings.heading_ids])
    md.use(math_plugin)
    md.core.ruler.push("blogkit_links", _mark_relative_links)
    md.add_render_rule("heading_close", _render_heading_close)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("footnote_block_open", _render_footnote_block_open)
    rules: dict[str, Any] = md.renderer.rules  # type: ignore[attr-defined]
    plugin_anchor = rules["footnote_anchor"]

    def footnote_anchor(tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        """The plugin's back link, its arrow written as character references: a page or feed of ASCII
        text is held in half the memory of one with a single character above U+00FF."""
        return str(plugin_anchor(tokens, idx, options, env)).replace("\u21a9\ufe0e", "&#8617;&#65038;")

    rules["footnote_anchor"] = footnote_anchor
    md.add_render_rule("code_block", _render_code_block)
    return md


DIAGRAM_LANGUAGE = "mermaid"  # a fence of this language is a diagram, drawn in the browser


def _is_diagram(lang: str) -> bool:
    return lang.strip().lower() == DIAGRAM_LANGUAGE


def _highlight(code: str, lang: str, _attrs: str) -> str:
    if _is_diagram(lang):  # its source: what the browser draws, and the fallback without scripts
        return f'<pre class="mermaid" tabindex="0">{escape(code, quote=False)}</pre>\n'
    return highlight_code(code, lang)


def _is_relative(url: str) -> bool:
    return bool(url) and not url.startswith(("#", "//")) and not _SCHEME.match(url)


def _mark_relative_links(state: StateCore) -> None:
    """Replace each relative URL of a link or image by a marker, noting it in `links`; note the URLs
    kept as written that lead within the site (`#fragment`, raw HTML's `<a href>` and `<img src>`)
    in `plain_links`. Each is noted with the line and column where it is written."""
    links: list[LinkRef] = state.env["links"]
    plain: list[LinkRef] = state.env["plain_links"]
    first = state.env["first_line"]
    lines = state.src.split("\n")
    for block in state.tokens:
        start, end = block.map if block.map else (0, 0)
        cursor = (start, 0)  # where the previous link of this block was found: the next is after it
        if block.type == "html_block":
            for url, image in _raw_links(block.content):
                row, column = cursor = _find(lines, start, end, cursor, url)
                plain.append(LinkRef(url, first + row, column + 1 if column >= 0 else 0, image))
            continue
        for token in block.children or ():
            if token.type == "html_inline":
                for url, image in _raw_links(token.content):
                    row, column = cursor = _find(lines, start, end, cursor, url)
                    plain.append(LinkRef(url, first + row, column + 1 if column >= 0 else 0, image))
                continue
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else ""
            url = str(token.attrGet(attr) or "") if attr else ""
            if _is_relative(url):
                token.attrSet(attr, f"{state.env['marker']}{len(links)}")
                row, column = cursor = _find(lines, start, end, cursor, url)
                links.append(LinkRef(url, first + row, column + 1 if column >= 0 else 0, token.type == "image"))
            elif len(url) > 1 and url.startswith("#"):
                row, column = cursor = _find(lines, start, end, cursor, url)
                plain.append(LinkRef(url, first + row, column + 1 if column >= 0 else 0))


_RAW_TAG = re.compile(r"<(a|img)\b([^>]*)>", re.IGNORECASE)
_RAW_URL = re.compile(r"""\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_RAW_ID = re.compile(r"""<[a-zA-Z][^>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")


def external_links(source: BodySource, settings: MarkdownConfig) -> tuple[LinkRef, ...]:
    """The links and images of a body that lead to other sites (`http` and `https` URLs: Markdown
    links, autolinks, raw HTML's `<a href>` and `<img src>`), each where it is written, for
    `check --external`. Code is not looked into: a URL in an example is no link."""
    md = _markdown(settings)
    env: dict[str, Any] = {"links": [], "plain_links": [], "first_line": source.first_line, "marker": LINK_MARKER}
    env.update(too_deep=[], problems=[])
    lines = source.text.split("\n")
    found: list[LinkRef] = []
    for block in md.parse(source.text, env):
        start, end = block.map if block.map else (0, 0)
        cursor = (start, 0)
        if block.type == "html_block":
            urls = _raw_links(block.content, _is_external)
        else:
            urls = []
            for token in block.children or ():
                if token.type == "html_inline":
                    urls += _raw_links(token.content, _is_external)
                elif token.type in ("link_open", "image"):
                    url = str(token.attrGet("href" if token.type == "link_open" else "src") or "")
                    if _is_external(url):
                        urls.append((url, token.type == "image"))
        for url, image in urls:
            row, column = cursor = _find(lines, start, end, cursor, url)
            found.append(LinkRef(url, source.first_line + row, column + 1 if column >= 0 else 0, image))
    return tuple(found)


def _is_external(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _leads_within(url: str) -> bool:
    return _is_relative(url) or (len(url) > 1 and url.startswith("#"))


def _raw_links(html: str, wanted: Callable[[str], bool] = _leads_within) -> list[tuple[str, bool]]:
    """The URLs of raw HTML's `<a href>` and `<img src>` that are `wanted` (by default, those that
    lead within the site: relative, or a `#fragment`), as written, and whether each is an image's."""
    found = []
    for tag in _RAW_TAG.finditer(html):
        image = tag.group(1).lower() == "img"
        for attr in _RAW_URL.finditer(tag.group(2)):
            if attr.group(1).lower() != ("src" if image else "href"):
                continue
            url = next(v for v in attr.groups()[1:] if v is not None)
            if wanted(url):
                found.append((url, image))
    return found


def _written_url(env: dict[str, Any]) -> Callable[[str], str]:
    """A URL of a token as the author wrote it: a relative one is a marker once links are marked."""
    links: list[LinkRef] = env["links"]
    marker: str = env["marker"]

    def written(url: str) -> str:
        index = url[len(marker) :] if url.startswith(marker) else ""
        return links[int(index)].target if index.isdigit() and int(index) < len(links) else url

    return written


def _find(lines: list[str], start: int, end: int, cursor: tuple[int, int], url: str) -> tuple[int, int]:
    """The (line, column) of a URL as written in a block's lines, from `cursor` on; (start, -1) if not found."""
    written = (url, unquote(url))
    for row in range(cursor[0], max(end, start + 1)):
        text = lines[row] if row < len(lines) else ""
        begin = cursor[1] if row == cursor[0] else 0
        found = [i for i in (text.find(w, begin) for w in written) if i >= 0]
        if found:
            return row, min(found)
    return start, -1


def _render_heading_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    opening = tokens[idx - 2]
    anchor_id = opening.attrGet("id")
    if not anchor_id:
        return f"</{tokens[idx].tag}>\n"
    label = escape(_plain_text([tokens[idx - 1]]))
    return (
        f' <a class="heading-anchor" href="#{escape(str(anchor_id))}" aria-label="Link to the section {label}">#</a></{tokens[idx].tag}>\n'
    )


def _render_table_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return '<div class="table-wrap" tabindex="0">\n' + str(self.renderToken(tokens, idx, options, env))


def _render_table_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = escape(self.renderInlineAsText(token.children or [], options, env))
    src = escape(str(token.attrGet("src") or ""))
    title = token.attrGet("title")
    title_attr = f' title="{escape(str(title))}"' if title else ""
    return f'<img src="{src}" alt="{alt}"{title_attr} loading="lazy" decoding="async">'


def _render_code_block(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """Indented code: the same block as a fence without a language (focusable, as it may scroll)."""
    return highlight_code(tokens[idx].content, "")


def _render_footnote_block_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return '<hr class="footnotes-sep">\n<section class="footnotes">\n<h2 class="footnotes-title">Notes</h2>\n<ol class="footnotes-list">\n'


# -- reading the token stream -------------------------------------------------------------------


def _is_more(token: Token) -> bool:
    return token.type == "html_block" and token.content.strip() == MORE_MARKER


_PLUGIN_HTML = ("<label>", "</label>", '<input class="task-list-item-checkbox"')


def _has_inline_html(token: Token) -> bool:
    """Raw HTML written by the author (the task list plugin's own markup does not count)."""
    return token.type == "inline" and any(c.type == "html_inline" and not c.content.startswith(_PLUGIN_HTML) for c in token.children or ())


def _summary_tokens(tokens: list[Token]) -> list[Token]:
    for i, token in enumerate(tokens):
        if _is_more(token):
            return tokens[:i]
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            return tokens[i : i + 3]
    return []


def _plain_text(tokens: list[Token]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
        elif token.type in ("paragraph_close", "heading_close", "list_item_close"):
            parts.append(" ")
    return " ".join("".join(parts).split())


# what another generator's templates would have run: Liquid tags and output, Hugo shortcodes
_TEMPLATE_SYNTAX = re.compile(
    r"\{%-?\s*[A-Za-z_][^%\n]{0,200}?%\}"  # Liquid tags: {% include x.html %}
    r"|\{\{[<%]-?\s*/?[A-Za-z_][^\n]{0,200}?[>%]\}\}"  # Hugo shortcodes: {{< youtube id >}}, {{% note %}}
    r"|\{\{-?\s*[A-Za-z_][\w.]*(\s*\|[^}\n]{0,100})?\s*-?\}\}"  # Liquid output: {{ site.baseurl }}
)
_LEFTOVER_HINT = (
    "blogkit runs no Liquid or Hugo shortcodes: write what it made as Markdown (an image: ![what it shows](file.png)), "
    "or put it in `code` to show it as text"
)


def _leftovers(tokens: list[Token], source: BodySource, severity: str) -> list[Lint]:
    """Template syntax in a post's text, outside code (an import left it untranslated): it would be
    published as written. A warning at its line and column (`markdown.template_syntax`: or a note)."""
    lines = source.text.splitlines()
    found: list[Lint] = []
    for token in tokens:
        if token.type != "inline" or not token.map or ("{" not in token.content):
            continue
        texts = "".join(c.content for c in token.children or () if c.type == "text")
        for match in _TEMPLATE_SYNTAX.finditer(texts):
            written = match.group()
            for index in range(token.map[0], min(token.map[1], len(lines))):
                column = lines[index].find(written)
                if column >= 0:
                    line = source.first_line + index
                    message = f"template syntax left in the text, published as written: {written[:60]}"
                    found.append(Lint(line, message, _LEFTOVER_HINT, column + 1, severity))
                    break
    return found


def _inline(children: list[Token]) -> Token:
    token = Token("inline", "", 0)
    token.children = children
    return token


def _toc(tokens: list[Token]) -> tuple[TocEntry, ...]:
    entries = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3") and token.attrGet("id"):
            entries.append(TocEntry(int(token.tag[1]), str(token.attrGet("id")), _plain_text([tokens[i + 1]])))
    return tuple(entries)


def _ids(tokens: list[Token]) -> list[str]:
    ids = [str(t.attrGet("id")) for t in tokens if t.type == "heading_open" and t.attrGet("id")]
    footnotes = sum(1 for t in tokens if t.type == "footnote_open")
    ids += [f"fn{n}" for n in range(1, footnotes + 1)]
    raw = [t.content for t in tokens if t.type == "html_block"]
    raw += [c.content for t in tokens for c in t.children or () if c.type == "html_inline"]
    ids += [unescape(next(v for v in m.groups() if v is not None)) for html in raw for m in _RAW_ID.finditer(html)]
    return ids
