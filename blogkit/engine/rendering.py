"""The render half of a build: every route to an output, from the cache when its inputs are unchanged.

Each page and feed is keyed by the digests of what it reads, declared here rather
than discovered while rendering:

- every build: blogkit's and its renderers' versions, the config, the words of the site's
  language (its catalogues, merged), the brand logo's size, every template file's text, and
  whether this is a preview;
- a page: its template, its URL, its context (posts, authors, tags, teams, pages and
  plain values, each by its digest), and the attributes of `site` its templates name
  (found in the templates' syntax trees, through `extends`, `include` and `import`);
- a post wherever it appears: the fields of it that its page's templates read (of a
  page's own `post`, and of the posts it lists: `TemplateReads.post_views`), or that its
  feed shows (`fields_shown`); its authors' and tags' values, its authors' teams, and
  whether its comments are closed at the build's time;
- a feed: its format, its scope's title and description, its own authors, the posts
  it lists and the number of entries.

So the key is the one statement of what an output reads: `blogkit serve` renders again
after an edit exactly the outputs whose key it changed (`OutputKeys.posts_read` says which
posts each key digests, and by which fields).

A key found in the cache gives the output's bytes; the rest are rendered, in forked
workers when there are many, and stored. Outputs are streamed to the output tree as
they are made (to the staging folder of a build), never all held in memory.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import jinja2
import jinja2.meta
from jinja2 import nodes

from blogkit.core.diagnostics import Diagnostic
from blogkit.core.model import Post, Site, site_reads
from blogkit.core.outputs import Cached, OutputTree
from blogkit.core.progress import SILENT, Progress
from blogkit.engine.bodies import renderer_versions
from blogkit.engine.cache import Cache, MemoryCache, Record
from blogkit.engine.fingerprint import Fingerprints, View, digest, posts_within
from blogkit.engine.images import KIND as IMAGES
from blogkit.engine.workers import map_ranges
from blogkit.load.outside import reply_threads
from blogkit.load.sources import ThemeFiles
from blogkit.render.feeds import FeedWriter, fields_shown
from blogkit.render.pages import HELPER_FIELDS, Renderer
from blogkit.render.routes import FeedRoute, PageRoute, Route, add_as_is, without_collisions

READS_KIND = "templates"  # the cache's kind for what each template reads
_MIN_PARALLEL = 200  # fewer pages and feeds to render than this: in this process
_EVERYTHING: frozenset[str] = frozenset({"*"})
_ATTRIBUTE_NAMES = re.compile(r"\s*[.,]\s*")  # what separates the names of a filter's `attribute` (Jinja's dotted paths, sort's lists)


@dataclass(frozen=True, slots=True)
class RenderStats:
    rendered: int = 0
    reused: int = 0


def render_outputs(
    renderer: Renderer, all_routes: list[Route], tree: OutputTree, cache: Cache, theme: ThemeFiles, jobs: int, progress: Progress = SILENT
) -> tuple[list[Route], RenderStats, OutputKeys]:
    """Every route into `tree`: copies and generated texts as they are, pages and feeds through the cache.
    Returns the routes that have an output (those whose file an earlier route claimed are left out), and
    the keys they were looked up by."""
    keys = OutputKeys(renderer, theme, cache)
    kept = without_collisions(all_routes, renderer.report)
    made: list[PageRoute | FeedRoute] = []
    for route in kept:
        if pending := add_as_is(tree, route, lambda key: cache.get(IMAGES, key)):
            made.append(pending)
    keys.prepare(made, jobs)
    keys.store_reads(cache)
    in_memory = isinstance(cache, MemoryCache)
    streams = tree.streams and not in_memory  # workers write files themselves unless the parent must keep the bytes
    by_reference = tree.by_reference and not in_memory  # the tree names the cache entry instead of holding its bytes
    shipped = not (streams or by_reference)
    report = renderer.report

    def work(chunk: Sequence[PageRoute | FeedRoute]) -> list[_Made]:
        writer = FeedWriter(renderer.site)
        done: list[_Made] = []
        seen = len(report.diagnostics)
        for route in chunk:
            key = keys.of(route)
            data = cache.get("outputs", key)
            hit = data is not None
            record = None
            if data is None:
                text = renderer.render_route(route, writer)
                data = text.encode("utf-8") if isinstance(text, str) else text
                if data is not None and not in_memory:
                    record = cache.put("outputs", key, data)
            if data is not None and streams:
                tree.write_only(route.file, data)
            problems = tuple(report.diagnostics[seen:])
            seen = len(report.diagnostics)
            done.append(_Made(key, data is not None, data if shipped else None, hit, problems, record))
        return done

    progress.start("rendering pages and feeds", len(made))
    results = map_ranges(work, made, jobs, min_items=_MIN_PARALLEL, progress=progress)
    known = {(d.location, d.message) for d in report.diagnostics}
    rendered = reused = 0
    for route, result in zip(made, results, strict=True):
        for problem in result.problems:  # found in a worker: this process has not seen them
            if (problem.location, problem.message) not in known:
                known.add((problem.location, problem.message))
                report.diagnostics.append(problem)
        if not result.ok:
            continue
        cache.adopt("outputs", result.key, result.record)
        reused += result.hit
        rendered += not result.hit
        if by_reference:
            tree.add(route.file, Cached(result.key), route.origin)
        elif result.data is None:
            tree.note_written(route.file, route.origin)
        else:
            if in_memory and not result.hit:
                cache.put("outputs", result.key, result.data)
            tree.add(route.file, result.data, route.origin)
    return kept, RenderStats(rendered, reused), keys


@dataclass(frozen=True, slots=True)
class _Made:
    key: str
    ok: bool  # False when the template failed (its problems say why)
    data: bytes | None  # None when the worker wrote the file itself
    hit: bool
    problems: tuple[Diagnostic, ...]
    record: Record | None = None  # where a worker stored a new entry in the disk cache


class OutputKeys:
    """The cache key of each page and feed: a digest of everything it reads (see the module's text).

    The key is the one statement of an output's inputs: `posts_read` names the posts it digests, each
    with the view (the fields) it digests them by, so that `blogkit serve` renders again after an edit
    exactly the outputs whose key the edit changed."""

    def __init__(self, renderer: Renderer, theme: ThemeFiles, cache: Cache | None = None) -> None:
        site = renderer.site
        self.site = site
        self.env = renderer.env
        self.entries = site.config.feeds.entries
        self.fingerprints = Fingerprints(post_extra=lambda post: _post_view(site, renderer, post))
        templates = [digest(name, _read(path)) for name, path in theme.templates]
        self.base = digest(
            "outputs",
            renderer_versions(),
            f"jinja2 {jinja2.__version__}",
            self.fingerprints.of(site.config),
            self.fingerprints.of(site.strings),  # the words every template may use, through `_`
            self.fingerprints.of(site.images.get(f"static/{site.config.brand.logo}")),  # its size, which every header shows
            str(renderer.preview),
            *templates,
        )
        self._reads_key = digest(READS_KIND, *templates)  # what each template reads follows from the templates alone
        self._reads_stored = TemplateReads.decode(cache.get(READS_KIND, self._reads_key)) if cache is not None else None
        self.reads = TemplateReads(renderer.env, self._reads_stored)
        self._attributes: dict[tuple[str, View], str] = {}
        self._site_parts: dict[str, str] = {}
        self._holds_posts: dict[str, bool] = {}

    def prepare(self, routes: Sequence[PageRoute | FeedRoute], jobs: int) -> None:
        """Digest every post once by each view the routes read it by (in workers when many), before the
        rendering workers are forked, so that they share the digests."""
        posts = self.site.posts
        fingerprints = self.fingerprints
        views = sorted({view for route in routes for view in self.views(route)}, key=lambda v: sorted(v) if v is not None else [])
        if not views:
            return

        def digests(chunk: Sequence[Post]) -> list[tuple[str, ...]]:
            return [tuple(fingerprints.entity(post, view) for view in views) for post in chunk]

        found = map_ranges(digests, posts, jobs, min_items=_MIN_PARALLEL)
        for i, view in enumerate(views):
            fingerprints.adopt(posts, [each[i] for each in found], view)
        for route in routes:
            if isinstance(route, PageRoute):
                self._site_part(route.template)

    def store_reads(self, cache: Cache) -> None:
        """Keep what the templates read for the next build of the same templates: finding it takes their syntax trees."""
        if self._reads_stored is None:
            cache.put(READS_KIND, self._reads_key, self.reads.encode())

    def views(self, route: PageRoute | FeedRoute) -> tuple[View, ...]:
        """The views the route's key digests posts by."""
        if isinstance(route, PageRoute):
            return self.reads.post_views(route.template)
        return (fields_shown(route.scope, self.site),)

    def of(self, route: PageRoute | FeedRoute) -> str:
        fp = self.fingerprints
        if isinstance(route, PageRoute):
            own, listed = self.reads.post_views(route.template)
            post, others = _own_post(route.context)
            shown = fp.entity(post, own) if post is not None else ""
            return digest(self.base, "page", route.template, route.path, shown, fp.of(others, listed), self._site_part(route.template))
        return digest(self.base, "feed", route.format, str(self.entries), fp.of(self._feed_shown(route), self.views(route)[0]))

    def posts_read(self, route: PageRoute | FeedRoute) -> Iterator[tuple[str, View]]:
        """The posts the route's key digests, by source, each with the view it is digested by; the posts
        of `site` a page's template reads are not among them (see `site_posts_views`)."""
        if isinstance(route, PageRoute):
            own, listed = self.reads.post_views(route.template)
            post, others = _own_post(route.context)
            if post is not None:
                yield post.source, own
            for other in posts_within(others):
                yield other.source, listed
        else:
            view = self.views(route)[0]
            for post in posts_within(self._feed_shown(route)):
                yield post.source, view

    def site_posts_views(self, template: str) -> tuple[View, ...]:
        """The view a page of `template` digests every post of the site by, through the attributes of
        `site` it reads; none when those hold no post."""
        holds = False
        for name in self._site_attributes(template):
            if name not in self._holds_posts:
                self._holds_posts[name] = next(posts_within(getattr(self.site, name)), None) is not None
            holds |= self._holds_posts[name]
        return (self.reads.post_views(template)[1],) if holds else ()

    def _feed_shown(self, route: FeedRoute) -> tuple[object, ...]:
        scope, entries = route.scope, self.entries
        return (
            (scope.kind, scope.path, scope.title, scope.description, tuple(scope.authors)),
            tuple(scope.posts[:entries]),
            tuple(scope.outside[:entries]),
            scope.ids,
            tuple(scope.pages[:entries]),
            scope.file,
        )

    def _site_part(self, template: str) -> str:
        """The digest of the `site` attributes a template (with the templates it uses) reads."""
        found = self._site_parts.get(template)
        if found is None:
            listed = self.reads.post_views(template)[1]
            found = self._site_parts[template] = digest(*(self._attribute(a, listed) for a in self._site_attributes(template)))
        return found

    def _site_attributes(self, template: str) -> list[str]:
        names = self.reads.site(template)
        if "*" in names:
            names = frozenset(f for f in Site.__dataclass_fields__ if f != "config")
        return sorted({a for name in names for a in site_reads(name)})

    def _attribute(self, name: str, view: View) -> str:
        found = self._attributes.get((name, view))
        if found is None:
            found = self._attributes[(name, view)] = digest(name, self.fingerprints.of(getattr(self.site, name), view))
        return found


def _own_post(context: Mapping[str, object]) -> tuple[Post | None, tuple[tuple[str, object], ...]]:
    """A page's own `post` (a post page's), and the rest of its context."""
    post = context.get("post")
    if type(post) is Post:
        return post, tuple((k, v) for k, v in context.items() if k != "post")
    return None, tuple(context.items())


@dataclass(frozen=True, slots=True)
class _Reads:
    site: frozenset[str]  # `site.X` names
    names: frozenset[str]  # attribute names read on any value
    others: frozenset[str]  # those read on values other than the page's own `post` (the posts it lists)
    rebinds: bool  # whether `post` names something else somewhere (a loop's, a macro's or a `set` variable)


_READS_ANYTHING = _Reads(_EVERYTHING, _EVERYTHING, _EVERYTHING, True)


class TemplateReads:
    """What each template reads, found in its syntax tree and those of the templates it extends,
    includes or imports: the attributes of `site` it names, and every attribute name it names
    on anything (a superset of the post fields it shows), and on anything but the page's own
    `post` (what it shows of the posts it lists). "*" when it may read any."""

    def __init__(self, env: jinja2.Environment, known: Mapping[str, _Reads] | None = None) -> None:
        self.env = env
        self._reads: dict[str, _Reads] = dict(known or {})  # `known`: from an earlier build of the same templates
        self._views: dict[str, tuple[View, View]] = {}

    def encode(self) -> bytes:
        """What was found, for `decode`."""
        rows = {name: [sorted(r.site), sorted(r.names), sorted(r.others), r.rebinds] for name, r in sorted(self._reads.items())}
        return json.dumps(rows, separators=(",", ":")).encode()

    @staticmethod
    def decode(payload: bytes | None) -> dict[str, _Reads] | None:
        """What `encode` wrote, or None when the payload is not that."""
        if payload is None:
            return None
        try:
            rows = json.loads(payload)
            found = {
                name: _Reads(frozenset(site), frozenset(names), frozenset(others), rebinds)
                for name, (site, names, others, rebinds) in rows.items()
            }
        except (ValueError, TypeError, AttributeError):
            return None
        texts = (n for r in found.values() for n in (*r.site, *r.names, *r.others))
        if not all(isinstance(n, str) for n in (*found, *texts)) or not all(type(r.rebinds) is bool for r in found.values()):
            return None
        return found

    def site(self, template: str) -> frozenset[str]:
        """`site.X` and `site['X']` names."""
        return self._of(template, set()).site

    def names(self, template: str) -> frozenset[str]:
        """Attribute names read on any value: `x.name`, `x['name']`, every string constant (as
        filters such as `map(attribute='title')` take them, with each name of a dotted path such
        as `extra.mood` or of a list such as `date,title`) and the fields the helpers it calls
        read; "*" for a subscript that is not a constant or a helper that reads a whole post."""
        return self._of(template, set()).names

    def listed(self, template: str) -> frozenset[str]:
        """The names read on the posts a page lists beside its own `post` (a post page's related
        posts): those read on anything but `post`, or every name where `post` may name another
        value (`{% for post in related %}`)."""
        reads = self._of(template, set())
        return reads.names if reads.rebinds else reads.others

    def post_views(self, template: str) -> tuple[View, View]:
        """The fields of posts a page of `template` reads: of its own `post`, and of the posts it lists."""
        found = self._views.get(template)
        if found is None:
            reads = self._of(template, set())
            found = self._views[template] = (_post_view_of(reads.names), _post_view_of(self.listed(template)))
        return found

    def _of(self, template: str, seen: set[str]) -> _Reads:
        if template in self._reads:
            return self._reads[template]
        if template in seen:
            return _Reads(frozenset(), frozenset(), frozenset(), False)
        seen.add(template)
        try:
            source, filename, _ = self.env.loader.get_source(self.env, template) if self.env.loader else ("", None, None)
            tree = self.env.parse(source, template, filename)  # as compiling it names it: the tree is kept for that
        except jinja2.TemplateError:
            return _READS_ANYTHING  # it fails to render anyway
        site: set[str] = set()
        names: set[str] = set()
        others: set[str] = set()
        origins = _Origins(tree)
        named = 0
        for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
            assert isinstance(node, nodes.Getattr | nodes.Getitem)
            if isinstance(node, nodes.Getattr):
                name = node.attr
            elif isinstance(node.arg, nodes.Const):
                name = node.arg.value if isinstance(node.arg.value, str) else ""  # `x[0]` reads no named field
            elif isinstance(node.arg, nodes.Slice) or _site_mapping(node.node):
                name = ""  # `x[1:3]`, `site.authors[handle]`: a part of a list, an entry of one of the site's mappings
            else:
                name = "*"
            base = node.node.name if isinstance(node.node, nodes.Name) else ""
            named += base == "site"
            if name and base == "site":
                site.add(name)
            elif name:
                names.add(name)
                if not origins.of_own_post(node.node):
                    others.add(name)
        paths = _attribute_paths(tree)
        for const in tree.find_all(nodes.Const):
            if isinstance(const.value, str):  # a filter's attribute, `map(attribute='title')`: a name it reads
                parts = {const.value, *(_ATTRIBUTE_NAMES.split(const.value) if id(const) in paths else ())}
                names |= parts
                others |= parts
        on_post = {id(call.node) for call in tree.find_all(nodes.Call) if origins.of_own_post(*call.args)}  # `post_json_ld(post)`
        uses = 0
        rebinds = False
        for n in tree.find_all(nodes.Name):
            uses += n.name == "site"
            rebinds |= n.name == "post" and n.ctx in ("store", "param")
            helper = HELPER_FIELDS.get(n.name, frozenset())
            names |= helper
            if id(n) not in on_post:
                others |= helper
        if uses > named:  # `site` passed on whole (to a macro, a filter, a variable): it may read anything
            site.add("*")
        for other in jinja2.meta.find_referenced_templates(tree):
            if other is None:
                site.add("*")
                names.add("*")
                others.add("*")
            else:
                more = self._of(other, seen)
                site |= more.site
                names |= more.names
                others |= more.others
                rebinds |= more.rebinds
        found = _Reads(frozenset(site), frozenset(names), frozenset(others), rebinds)
        self._reads[template] = found
        return found


_BY_ATTRIBUTE = frozenset({"selectattr", "rejectattr", "groupby"})  # filters and tests whose first argument is an attribute


def _attribute_paths(tree: nodes.Template) -> set[int]:
    """The string constants that name attributes to read, each name of a dotted path or a list a field
    (`map(attribute='extra.mood')`, `sort(attribute='date,title')`, `selectattr('extra.draft')`), by id;
    other strings ('base.html') are kept whole."""
    found = {id(k.value) for k in tree.find_all(nodes.Keyword) if k.key == "attribute" and isinstance(k.value, nodes.Const)}
    for call in tree.find_all((nodes.Filter, nodes.Test)):
        assert isinstance(call, nodes.Filter | nodes.Test)
        if call.name in _BY_ATTRIBUTE and call.args and isinstance(call.args[0], nodes.Const):
            found.add(id(call.args[0]))
    return found


def _site_mapping(node: nodes.Node) -> bool:
    """Whether an expression is one of the site's own attributes (`site.posts_by_author`): indexing it reads no field."""
    return isinstance(node, nodes.Getattr) and isinstance(node.node, nodes.Name) and node.node.name == "site"


class _Origins:
    """Where a template's variables come from: the names of the page's context each may hold a value of
    (`{% for p in related %}`: p, from `related`; `{% set thread = discussion_for(post) %}`: thread, from
    `post`), whichever place binds it. A macro's or a call block's arguments come from anywhere."""

    def __init__(self, tree: nodes.Template) -> None:
        self._bound: dict[str, set[str]] = {}
        for node in tree.find_all((nodes.For, nodes.Assign, nodes.AssignBlock, nodes.With, nodes.Macro, nodes.CallBlock)):
            if isinstance(node, nodes.For):
                self._bind(node.target, self.roots(node.iter))
            elif isinstance(node, nodes.Assign):
                self._bind(node.target, self.roots(node.node))
            elif isinstance(node, nodes.AssignBlock):
                self._bind(node.target, {"*"})
            elif isinstance(node, nodes.With):
                for target, value in zip(node.targets, node.values, strict=False):
                    self._bind(target, self.roots(value))
            elif isinstance(node, nodes.Macro | nodes.CallBlock):
                for arg in node.args:
                    self._bind(arg, {"*"})

    def _bind(self, target: nodes.Node, roots: set[str]) -> None:
        for name in target.find_all(nodes.Name) if not isinstance(target, nodes.Name) else (target,):
            self._bound.setdefault(name.name, set()).update(roots)

    def roots(self, expr: nodes.Node) -> set[str]:
        """The context names the values of an expression come from (a called helper's name is none)."""
        calls = [*((expr,) if isinstance(expr, nodes.Call) else ()), *expr.find_all(nodes.Call)]
        called = {id(call.node) for call in calls}
        found: set[str] = set()
        for name in (expr,) if isinstance(expr, nodes.Name) else expr.find_all(nodes.Name):
            if id(name) not in called:
                found |= self._bound.get(name.name, {name.name})
        return found

    def of_own_post(self, *exprs: nodes.Node) -> bool:
        """Whether expressions hold only the page's own `post` or what comes of it."""
        roots = set().union(*(self.roots(e) for e in exprs)) if exprs else {"*"}
        return roots == {"post"}


_POST_FIELDS = frozenset(Post.__dataclass_fields__)


def _post_view_of(names: frozenset[str]) -> View:
    """The post fields among attribute names a template reads; None (every field) where it may read any,
    or reads a property, which may read any field."""
    if "*" in names or any(name not in _POST_FIELDS and hasattr(Post, name) for name in names):
        return None
    return names & _POST_FIELDS


def _post_view(site: Site, renderer: Renderer, post: Post) -> object:
    """What templates and feeds show of a post beyond its own fields."""
    authors = tuple(site.authors.get(h) for h in post.authors)
    teams = tuple(site.teams.get(a.team) if a else None for a in authors)
    threads = reply_threads(post, site.config.discussion.webmentions is not None, renderer.abs_url)
    replies = tuple(site.replies.get(url, ()) for url in threads)
    return (renderer.discussions.closed(post), authors, tuple(site.tags.get(s) for s in post.tags), teams, replies)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return os.fsencode(path)  # unreadable: rendering reports it
