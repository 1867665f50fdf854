"""The Markdown stage: every body rendered once, and then only when its text or settings change.

A body's result is a pure function of its text, the line it starts on, the Markdown
settings and the versions of blogkit and its renderers, so that is its cache key.
Results are stored as JSON (data, never code): a cache restored from elsewhere can
make a build faster, never run anything.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import math
from collections.abc import Sequence
from functools import cache as once
from importlib import metadata
from typing import Any

from blogkit.core.bodies import BodySource, LinkRef, Lint, RenderedBody, StoredHtmlLost, TextNeeded, TocEntry
from blogkit.core.config import MarkdownConfig
from blogkit.core.progress import SILENT, Progress
from blogkit.engine.cache import Cache, MemoryCache, Record, code_version
from blogkit.engine.children import travel_by_fields
from blogkit.engine.fingerprint import digest
from blogkit.engine.workers import BudgetPool, OverBudget

travel_by_fields(RenderedBody, TocEntry, LinkRef, Lint)  # what rendering bodies sends back
_RENDERERS = ("markdown-it-py", "mdit-py-plugins", "pygments", "nh3", "latex2mathml")


@once
def renderer_versions() -> str:
    """blogkit's version and those of the libraries whose output a body is."""
    found = [f"blogkit {code_version()}"]
    for name in _RENDERERS:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} ?")
    return "; ".join(found)


def body_key(source: BodySource, settings: MarkdownConfig) -> str:
    if source.key:
        return source.key
    return digest("body", renderer_versions(), repr(dataclasses.astuple(settings)), str(source.first_line), source.text)


def cached_by_key(source: BodySource, settings: MarkdownConfig, cache: Cache) -> BodySource:
    """The body without its text when the cache holds its rendering: it travels from a worker by its key."""
    key = body_key(source, settings)
    return BodySource("", source.first_line, key) if cache.has("bodies", key) else source


def render_markdown(
    sources: Sequence[BodySource],
    settings: MarkdownConfig,
    jobs: int,
    cache: Cache,
    *,
    seconds: float = 10,
    pool: BudgetPool | None = None,
    progress: Progress = SILENT,
) -> list[RenderedBody]:
    """Every body, from the cache where it holds it, rendered where not: in worker processes,
    each body within `seconds` (a body that takes longer comes back `stopped` and empty), in
    `pool` when given (from `body_renderers` with the same settings and cache).

    Cached bodies are read here, not in workers: decoding one costs less than sending it back.
    Where the cache is a folder, a body's HTML stays there: it is not read, nor sent back by the
    worker that rendered it, and `stored_html` reads it when it is shown."""
    in_memory = isinstance(cache, MemoryCache)
    keys = [body_key(s, settings) for s in sources]
    found = [_decode(cache.get("bodies", key), with_html=in_memory) for key in keys]
    missing = [i for i, body in enumerate(found) if body is None]
    textless = [i for i in missing if sources[i].key and not sources[i].text]
    if textless:
        raise TextNeeded(textless)
    todo = [(keys[i], sources[i]) for i in missing]
    rendered: list[Any] = []
    if todo:
        with contextlib.nullcontext(pool) if pool is not None else body_renderers(settings, cache, jobs, seconds) as renderers:
            progress.start("rendering posts", len(todo))
            rendered = renderers.map(todo, progress)
    for i, result in zip(missing, rendered, strict=True):
        if isinstance(result, OverBudget):
            stopped = "crashed" if result.died else f"took longer than {seconds:g} s (limits.render_seconds in blogkit.yaml)"
            found[i] = RenderedBody("", (), frozenset(), "", 0, (), stopped=stopped)
            continue
        body, record = result
        found[i] = body
        if in_memory:
            cache.put("bodies", keys[i], _encode(body))
        else:
            cache.adopt("bodies", keys[i], record)  # a worker wrote it: this build uses it
    return [_keyed(body, key, cache) for body, key in zip(found, keys, strict=True) if body is not None]


def _keyed(body: RenderedBody, key: str, cache: Cache) -> RenderedBody:
    """The body with its key; where its HTML was left in the cache, with the way to read it."""
    if body.html or body.stopped or isinstance(cache, MemoryCache):
        return dataclasses.replace(body, key=key)
    return dataclasses.replace(body, key=key, stored_html=functools.partial(_stored_html, cache, key))


def _stored_html(cache: Cache, key: str) -> str:
    """A body's HTML from the cache, which this build checked it has (in whatever process shows it)."""
    payload = cache.get("bodies", key)
    if payload is None or len(payload) < 4:
        raise StoredHtmlLost(key)
    size = int.from_bytes(payload[:4], "little")
    try:
        return payload[4 + size :].decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise StoredHtmlLost(key) from None


def body_renderers(settings: MarkdownConfig, cache: Cache, jobs: int, seconds: float, *, edits: bool = False) -> BudgetPool:
    """Worker processes that render bodies with these settings into this cache, each within `seconds`;
    for `edits` (`serve`'s), with a cost per body that does not jump (`lexing.join_after`).

    The Markdown stack (markdown-it-py, Pygments, the formulas' converter: a tenth of a small site's
    warm build, which renders no body) is imported here, by the process that forks the workers."""
    import blogkit.load.markdown  # noqa: F401 - once, before the workers are forked, not once in each
    from blogkit.load.lexing import JOIN_AFTER

    return BudgetPool(functools.partial(_render_and_store, settings, cache, math.inf if edits else JOIN_AFTER), jobs, seconds)


def render_body(source: BodySource, settings: MarkdownConfig) -> RenderedBody:
    """`blogkit.load.markdown.render_body`, imported when a body is first rendered."""
    from blogkit.load.markdown import render_body as render

    return render(source, settings)


def _render_and_store(
    settings: MarkdownConfig, cache: Cache, join: float, item: tuple[str, BodySource]
) -> tuple[RenderedBody, Record | None]:
    """A body rendered; where the cache is a folder and took it, sent back without its HTML (it is read from there)."""
    from blogkit.load.lexing import join_after

    key, source = item
    join_after(join)
    body = render_body(source, settings)
    if isinstance(cache, MemoryCache):
        return body, None
    record = cache.put("bodies", key, _encode(body))
    return (body if record is None else dataclasses.replace(body, html="")), record


def _encode(body: RenderedBody) -> bytes:
    """The HTML as UTF-8 after a JSON header with the rest: the HTML decodes at the speed of UTF-8."""
    data = {
        "toc": [[e.level, e.id, e.text] for e in body.toc],
        "ids": sorted(body.ids),
        "summary": body.summary,
        "words": body.words,
        "links": [[link.target, link.line, link.column, link.image] for link in body.links],
        "plain_links": [[link.target, link.line, link.column, link.image] for link in body.plain_links],
        "marker": body.marker,
        "too_deep": list(body.too_deep),
        "lints": [[lint.line, lint.message, lint.hint, lint.column, lint.rule] for lint in body.lints],
        "problems": [[p.line, p.message, p.hint, p.column, p.severity] for p in body.problems],
        "diagrams": body.diagrams,
    }
    header = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return len(header).to_bytes(4, "little") + header + body.html.encode("utf-8", "surrogatepass")


def _decode(payload: bytes | None, *, with_html: bool = True) -> RenderedBody | None:
    """A cached body, or None when there is none or it is not one (then it is rendered anew); its
    HTML left empty unless `with_html` (it is checked to decode either way)."""
    if payload is None or len(payload) < 4:
        return None
    try:
        size = int.from_bytes(payload[:4], "little")
        data = json.loads(payload[4 : 4 + size].decode("utf-8", "surrogatepass"))
        html = payload[4 + size :].decode("utf-8", "surrogatepass")
        return RenderedBody(
            html=html if with_html else "",
            toc=tuple(TocEntry(int(level), _text(id_), _text(text)) for level, id_, text in data["toc"]),
            ids=frozenset(_text(i) for i in data["ids"]),
            summary=_text(data["summary"]),
            words=int(data["words"]),
            links=_links(data["links"]),
            plain_links=_links(data["plain_links"]),
            marker=_text(data["marker"]),
            too_deep=tuple(int(line) for line in data["too_deep"]),
            lints=tuple(
                Lint(int(line), _text(message), _text(hint), int(column), "warning", _text(rule))
                for line, message, hint, column, rule in data["lints"]
            ),
            problems=tuple(
                Lint(int(line), _text(message), _text(hint), int(column), _text(severity))
                for line, message, hint, column, severity in data["problems"]
            ),
            diagrams=data["diagrams"] is True,
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _links(rows: Any) -> tuple[LinkRef, ...]:
    return tuple(LinkRef(_text(target), int(line), int(column), image is True) for target, line, column, image in rows)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value
