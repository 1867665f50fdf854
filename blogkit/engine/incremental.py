"""Memoised stages for `blogkit serve`: a rebuild redoes only the work a change needs.

`Memo.stages()` gives `build_site` three stages that remember the previous build:

- reading a post (front matter validated), keyed by the file and its stat signature,
  valid while the config, profiles and static files it was checked against are equal;
- rendering Markdown bodies, keyed by (settings, first line, text): `render_body` is a
  pure function of these;
- rendering pages and feeds, keyed by output. A page is reused when its context has
  the same shape (the same posts in the same order, equal other values) and nothing
  it read has changed since. What a template reads is recorded while it renders:
  `x.attr` and `x[key]` in Jinja go through `Environment.getattr`/`getitem`, hooked
  here to note every post, author, tag, team, page and site attribute touched. A
  feed depends on the posts it lists, the order of all its posts, and the site's
  authors and tags.

A change of config, of the renderer's arguments or (for pages) of any template file
renders everything again. The output is that of a full build; the tests compare them.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import jinja2
import jinja2.defaults

from blogkit.core.bodies import BodySource, RenderedBody
from blogkit.core.config import MarkdownConfig, SiteConfig
from blogkit.core.diagnostics import Diagnostic, Location, Report
from blogkit.core.model import Author, Page, Post, Site, Tag, Team
from blogkit.core.outputs import CopyFile, OutputTree
from blogkit.engine.build import Stages
from blogkit.engine.cache import MemoryCache
from blogkit.engine.fingerprint import Fingerprints
from blogkit.engine.workers import map_ranges
from blogkit.load.frontmatter import PostMeta, read_post
from blogkit.load.markdown import render_body
from blogkit.load.profiles import Profiles
from blogkit.load.sources import PostSource
from blogkit.render.feeds import FeedScope, FeedWriter
from blogkit.render.pages import Renderer
from blogkit.render.routes import Route

Key = tuple[str, str]  # ("post", source), ("author", handle), ("tag", slug), ("team", key), ("page", source), ("site", attribute)

_IDENTITY: dict[type, Callable[[Any], str]] = {
    Post: lambda o: o.source,
    Author: lambda o: o.handle,
    Tag: lambda o: o.slug,
    Team: lambda o: o.key,
    Page: lambda o: o.source,
}
_KINDS = {Post: "post", Author: "author", Tag: "tag", Team: "team", Page: "page"}
_PLAIN = frozenset({str, int, float, bool, type(None), datetime, date})
_JINJA_GLOBALS = frozenset(jinja2.defaults.DEFAULT_NAMESPACE)
_HELPER_READS = {"authors_of": ("authors",), "tags_of": ("tags",)}  # the post attributes these helpers of render.py read
_POOL_THRESHOLD = 64  # fewer bodies than this render in-process: a pool costs more than it saves


@dataclass(frozen=True, slots=True)
class RenderStats:
    rendered: int = 0
    reused: int = 0


@dataclass(frozen=True, slots=True)
class _ReadPost:
    signature: tuple[int, ...]
    meta: PostMeta | None
    diagnostics: tuple[Diagnostic, ...]


@dataclass(slots=True)
class _Reads:
    """What one page read while it rendered: post attributes, and other objects and site attributes."""

    posts: set[tuple[str, str]] = field(default_factory=set)  # (source, attribute); "*" for all of them
    others: set[Key] = field(default_factory=set)


@dataclass(slots=True)
class _Rendered:
    shape: object
    sources: frozenset[str]  # the posts it read anything of
    post_reads: frozenset[tuple[str, str]]
    others: frozenset[Key]
    text: str | bytes  # bytes for feeds: large, and added to the output tree as they are
    data: bytes | None = None  # a page's text as the output tree holds it, so a reused page is not encoded again


class Memo:
    """What the previous build of this process did, for the next one to reuse.

    Used from one thread at a time (the builder's): `stages()` for `build_site`,
    then `commit(site)` when it returned or `abort()` when it raised.
    """

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now  # the reference time given to the renderer when the build gives none
        self.stats = RenderStats()
        self._posts: dict[PostSource, _ReadPost] = {}
        self._posts_context: tuple[SiteConfig, Profiles, frozenset[str]] | None = None
        self._bodies: dict[tuple[MarkdownConfig, int, str], RenderedBody] = {}
        self._outputs: dict[tuple[str, ...], _Rendered] = {}
        self._next: dict[tuple[str, ...], _Rendered] = {}
        self._site: Site | None = None
        self._renderer_args: dict[str, Any] | None = None
        self._templates: tuple[object, ...] | None = None
        self._env: jinja2.Environment | None = None
        self._changes: _Changes | None = None
        self._tracking: _Reads | None = None
        self._by_text: dict[int, _Rendered] = {}  # this build's pages, by the id of the text `page()` returned
        self._rendered = self._reused = 0

    def stages(self) -> Stages:
        return Stages(read_post=self.read_post, render_bodies=self.render_bodies, renderer=self.renderer, cache=MemoryCache())

    def forget(self, paths: Iterable[str]) -> None:
        """Site-relative paths that changed on disk: never trust a cached read of them."""
        gone = set(paths)
        for source in [s for s in self._posts if s.path in gone]:
            del self._posts[source]

    def commit(self, site: Site | None) -> None:
        """The build finished: what it rendered is what the next build compares against."""
        self._outputs, self._next = (self._next, {}) if site is not None else ({}, {})
        self._site = site
        self._changes = None
        self._by_text = {}
        self.stats = RenderStats(self._rendered, self._reused)

    def abort(self) -> None:
        """The build raised: keep the caches of the last build that finished."""
        self._next = {}
        self._changes = None
        self._by_text = {}

    # -- reading posts ----------------------------------------------------------------------
    def read_post(
        self, root: str, source: PostSource, config: SiteConfig, profiles: Profiles, static: frozenset[str], report: Report
    ) -> PostMeta | None:
        context = (config, profiles, static)
        if context != self._posts_context:
            self._posts.clear()
        self._posts_context = context  # the same objects for the rest of this build: later checks are by identity
        try:
            st = os.stat(os.path.join(root, source.path))
            signature: tuple[int, ...] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)
        except OSError:
            signature = ()
        cached = self._posts.get(source)
        if cached is not None and signature and cached.signature == signature:
            report.extend(cached.diagnostics)
            return cached.meta
        own = Report()
        meta = read_post(root, source, config, profiles, static, own)
        report.extend(own.diagnostics)
        if signature:
            self._posts[source] = _ReadPost(signature, meta, tuple(own.diagnostics))
        return meta

    # -- rendering Markdown -----------------------------------------------------------------
    def render_bodies(self, sources: Sequence[BodySource], settings: MarkdownConfig, jobs: int) -> list[RenderedBody]:
        keys = [(settings, s.first_line, s.text) for s in sources]
        missing = {key: source for key, source in zip(keys, sources, strict=True) if key not in self._bodies}
        rendered = dict(zip(missing, _render_many(list(missing.values()), settings, jobs), strict=True))
        bodies = {key: self._bodies.get(key) or rendered[key] for key in keys}  # also drops bodies no longer used
        self._bodies = bodies
        return [bodies[key] for key in keys]

    # -- rendering pages and feeds ----------------------------------------------------------
    def renderer(self, site: Site, env: jinja2.Environment, report: Report, **kwargs: Any) -> Renderer:
        kwargs["preview"] = True  # never load third-party embeds or reply counts in a preview
        if self.now is not None:
            kwargs.setdefault("now", self.now)
        old = self._site
        templates = _template_files(site.config)
        same_templates = templates == self._templates and self._env is not None
        if old is None or old.config != site.config or kwargs != self._renderer_args:
            self._outputs = {}
        elif not same_templates:
            self._outputs = {key: value for key, value in self._outputs.items() if key[0] == "feed"}
        if same_templates and self._env is not None:
            env = self._env  # its templates are compiled already
        else:
            _track_reads(env, self)
        self._env, self._templates, self._renderer_args = env, templates, kwargs
        self._changes = _Changes(old, site) if old is not None else None
        self._next = {}
        self._by_text = {}
        self._rendered = self._reused = 0
        renderer = _MemoRenderer(site, env, report, memo=self, **kwargs)
        _track_helpers(env, self)
        return renderer

    def page(self, template: str, path: str, context: Mapping[str, Any], render: Callable[[], str | None]) -> str | None:
        key = ("page", template, path)
        shape = _shape(context)
        old = self._outputs.get(key)
        if old is not None and self._changes is not None and old.shape == shape and not self._changes.affects(old):
            self._next[key] = self._by_text[id(old.text)] = old
            self._reused += 1
            return str(old.text)
        reads = _Reads()
        self._tracking = reads
        try:
            text = render()
        finally:
            self._tracking = None
        self._rendered += 1
        if text is not None:
            sources = frozenset(source for source, _ in reads.posts)
            entry = _Rendered(shape, sources, frozenset(reads.posts), frozenset(reads.others), text)
            self._next[key] = self._by_text[id(text)] = entry
        return text

    def rekey(self, text: str, entry: _Rendered) -> None:
        """`entry` now stands for itself by its new, small text instead of `text`."""
        self._by_text.pop(id(text), None)
        self._by_text[id(entry.text)] = entry

    def encoded(self, text: str) -> _Rendered | None:
        """The entry of a page text `page()` returned in this build."""
        entry = self._by_text.get(id(text))
        return entry if entry is not None and entry.text is text else None

    def feed(self, writer: FeedWriter, scope: FeedScope, fmt: str, entries: int) -> bytes:
        key = ("feed", fmt, scope.path)
        sources = tuple(p.source for p in scope.posts)
        shape = (scope.title, scope.description, sources, _shape(scope.authors), entries)
        old = self._outputs.get(key)
        if old is not None and self._changes is not None and old.shape == shape and not self._changes.affects(old):
            assert isinstance(old.text, bytes)
            self._next[key] = old
            self._reused += 1
            return old.text
        text = writer.render(scope, fmt, entries).encode("utf-8")
        self._rendered += 1
        shown = sources[:entries]  # a feed lists its newest `entries` posts; the others matter only by their order (the shape)
        others = frozenset({("site", "authors"), ("site", "tags"), *_keys(scope.authors)})
        self._next[key] = _Rendered(shape, frozenset(shown), frozenset((s, "*") for s in shown), others, text)
        return text

    def note_read(self, obj: object, attribute: object) -> None:
        reads = self._tracking
        if reads is None:
            return
        kind = type(obj)
        if kind is Post:
            reads.posts.add((obj.source, str(attribute)))  # type: ignore[attr-defined]
        elif kind in _KINDS:
            reads.others.add((_KINDS[kind], _IDENTITY[kind](obj)))
        elif kind is Site:
            reads.others.add(("site", str(attribute)))

    def note_argument(self, helper: str, value: object) -> None:
        """An object handed to a helper: the helper may read all of it, and a post's authors and tags."""
        reads = self._tracking
        if reads is None:
            return
        if type(value) is Post:
            attributes = _HELPER_READS.get(helper, ("*",))
            reads.posts.update((value.source, attribute) for attribute in attributes)
            if attributes == ("*",):
                reads.others.update(("author", handle) for handle in value.authors)
                reads.others.update(("tag", slug) for slug in value.tags)
        elif type(value) in _KINDS:
            self.note_read(value, "")


class _MemoRenderer(Renderer):
    """The theme's renderer, asking the memo before rendering a page or a feed."""

    def __init__(self, site: Site, env: jinja2.Environment, report: Report, *, memo: Memo, **kwargs: Any) -> None:
        super().__init__(site, env, report, **kwargs)  # the memo lives in this process: no workers
        self._memo = memo

    def render(self, template: str, path: str, **context: Any) -> str | None:
        return self._memo.page(template, path, context, lambda: Renderer.render(self, template, path, **context))

    def render_site(self, tree: OutputTree, all_routes: list[Route]) -> None:
        super().render_site(_EncodedTree(tree, self._memo), all_routes)

    def feed(self, writer: FeedWriter, scope: FeedScope, fmt: str, entries: int) -> str | bytes:
        return self._memo.feed(writer, scope, fmt, entries)


class _EncodedTree(OutputTree):
    """The build's output tree, given the bytes of the previous build for a page that is reused."""

    def __init__(self, tree: OutputTree, memo: Memo) -> None:  # every addition goes to `tree` itself
        self.files = tree.files
        self._tree, self._memo = tree, memo

    def __getattr__(self, name: str) -> Any:  # anything else an output tree has is the build's tree's
        if name == "_tree":
            raise AttributeError(name)
        return getattr(self._tree, name)

    def add(self, path: str, content: bytes | str | CopyFile, origin: Location) -> None:
        entry = self._memo.encoded(content) if isinstance(content, str) else None
        if entry is None:
            self._tree.add(path, content, origin)
            return
        if entry.data is not None:
            self._tree.add(path, entry.data, origin)
            return
        new = path not in self.files
        self._tree.add(path, content, origin)
        if new and isinstance(added := self.files[path].content, bytes):
            entry.data = added
            # the page is kept as bytes only: a small text of its own stands for it from now on
            entry.text = "".join(("\x00", path))
            if isinstance(content, str):
                self._memo.rekey(content, entry)


class _Changes:
    """What differs between the site of the previous build and this one, worked out on demand."""

    def __init__(self, old: Site, new: Site) -> None:
        self.old, self.new = old, new
        self._known: dict[Key, bool] = {}
        self._old_posts = {p.source: p for p in old.posts}
        self._new_posts = {p.source: p for p in new.posts}
        self.posts = {
            s for s in self._old_posts.keys() | self._new_posts.keys() if not _same(self._old_posts.get(s), self._new_posts.get(s))
        }
        self._pages_old = {p.source: p for p in old.pages}
        self._pages_new = {p.source: p for p in new.pages}

    def affects(self, rendered: _Rendered) -> bool:
        """Whether anything a page or feed read differs now."""
        if not self.posts.isdisjoint(rendered.sources):
            if any(self._post_changed(source, attribute) for source, attribute in rendered.post_reads if source in self.posts):
                return True
        known = self._known
        for key in rendered.others:
            changed = known.get(key)
            if changed is None:
                changed = known[key] = self._changed(key)
            if changed:
                return True
        return False

    def _post_changed(self, source: str, attribute: str) -> bool:
        old, new = self._old_posts.get(source), self._new_posts.get(source)
        if old is None or new is None or attribute == "*":
            return not _same(old, new)
        return not _same(getattr(old, attribute, None), getattr(new, attribute, None))

    def _changed(self, key: Key) -> bool:
        kind, ident = key
        if kind == "page":
            return self._pages_old.get(ident) != self._pages_new.get(ident)
        if kind in ("author", "tag", "team"):
            attribute = {"author": "authors", "tag": "tags", "team": "teams"}[kind]
            return bool(getattr(self.old, attribute).get(ident) != getattr(self.new, attribute).get(ident))
        old_value, new_value = getattr(self.old, ident, None), getattr(self.new, ident, None)
        if callable(old_value) or callable(new_value):  # a method of Site: it may read anything
            return bool(self.posts) or any(self._changed(("site", f.name)) for f in dataclasses.fields(Site))
        if ident in ("authors", "tags", "teams", "pages"):  # small: compare the values themselves
            return bool(old_value != new_value)
        return bool(_shape(old_value) != _shape(new_value))


def _same(old: object, new: object) -> bool:
    """Whether two values are equal, in time linear in what they hold: a post's `extra` may hold YAML
    aliases that repeat one value billions of times, which == would compare element by element."""
    if old is new:
        return True
    if type(old) is not type(new):
        return False
    if type(old) is Post:
        if old.extra is new.extra or not (old.extra or new.extra):  # type: ignore[attr-defined]
            return bool(old == new)  # the common case, at C speed: no extra, or an unchanged post's own
        return all(_same(getattr(old, name), getattr(new, name)) for name in _field_names(Post))
    if isinstance(old, (dict, list)):
        return Fingerprints().of(old) == Fingerprints().of(new)
    return bool(old == new)


def _shape(value: object) -> object:
    """A value with every post, author, tag, team and page replaced by its key.

    Two contexts with equal shapes render equally as long as the objects behind
    the keys did not change; reads of those are tracked separately.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Post:
        return ("post", value.source)  # type: ignore[attr-defined]
    if kind is dict:  # a page's context: checked before the slower isinstance(value, Mapping)
        return ("{}", tuple([(k, _shape(v)) for k, v in value.items()]))  # type: ignore[attr-defined]
    if kind in _KINDS:
        return (_KINDS[kind], _IDENTITY[kind](value))
    if isinstance(value, (tuple, list)):
        if value and all(type(v) is Post for v in value):  # the common case, kept cheap: lists of posts
            return ("posts", tuple([v.source for v in value]))
        return tuple([_shape(v) for v in value])
    if isinstance(value, Mapping):
        return ("{}", tuple([(k, _shape(v)) for k, v in value.items()]))
    if kind is Site:
        return ("site",)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (kind.__name__, tuple(_shape(getattr(value, name)) for name in _field_names(kind)))
    return value


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _keys(objects: Iterable[object]) -> list[Key]:
    return [(_KINDS[type(o)], _IDENTITY[type(o)](o)) for o in objects if type(o) in _KINDS]


def _track_reads(env: jinja2.Environment, memo: Memo) -> None:
    """Route the attribute and item lookups of this environment's templates through the memo."""
    getattr_, getitem = env.getattr, env.getitem

    def tracked_getattr(obj: Any, attribute: str) -> Any:
        memo.note_read(obj, attribute)
        return getattr_(obj, attribute)

    def tracked_getitem(obj: Any, argument: str | Any) -> Any:
        memo.note_read(obj, argument)
        return getitem(obj, argument)

    env.getattr = tracked_getattr  # type: ignore[method-assign]
    env.getitem = tracked_getitem  # type: ignore[method-assign]


def _track_helpers(env: jinja2.Environment, memo: Memo) -> None:
    """Wrap the renderer's helper functions so that the objects passed to them are noted."""
    for name, value in list(env.globals.items()):
        if name in _JINJA_GLOBALS or not callable(value) or isinstance(value, type) or getattr(value, "_blogkit_tracked", False):
            continue
        env.globals[name] = _tracked_helper(name, value, memo)


def _tracked_helper(name: str, function: Callable[..., Any], memo: Memo) -> Callable[..., Any]:
    @functools.wraps(function)
    def helper(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            memo.note_argument(name, value)
        return function(*args, **kwargs)

    helper._blogkit_tracked = True  # type: ignore[attr-defined]
    return helper


def _template_files(config: SiteConfig) -> tuple[object, ...]:
    """Every template file the environment can load, with its stat signature."""
    found: list[object] = [config.root, config.theme_dir]
    for folder in (os.path.join(config.root, "templates"), os.path.join(config.theme_dir, "templates")):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                found.append((path, st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino))
    return tuple(found)


def _render_many(sources: list[BodySource], settings: MarkdownConfig, jobs: int) -> list[RenderedBody]:
    """Render bodies in order; many of them in worker processes."""

    def render(chunk: Sequence[BodySource]) -> list[RenderedBody]:
        return [render_body(s, settings) for s in chunk]

    return map_ranges(render, sources, jobs, min_items=_POOL_THRESHOLD)
