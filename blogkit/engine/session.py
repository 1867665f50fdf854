"""A site kept built between changes: the engine of `blogkit serve`.

A session builds with `build_site` and a cache it keeps: the site's cache folder (pages and
feeds are then served from it, not held in memory) or, with `--no-cache`, memory. Its first
build is a warm one when the folder holds an earlier session's results.

After that, a change that touches only posts' own values (their text, title, summary,
cover, id or extra fields, and any field `Post` does not mark as arranging the site: not
their dates, tags, authors, URLs, series, discussion or headings, which other outputs list or
link to) is patched in: the edited posts are read, rendered and assembled again with the
assembler of the last build, put in place of the old ones in the site, and the outputs whose
cache key the edit changed are rendered again. A key digests each post it reads by the fields
its template (or its feed's writer) reads of it, so a page that lists a post by its title
keeps its key when the post's text changes; nothing else is declared. Anything else (a new, renamed or deleted file, a profile,
the config, a template, a post that no longer reads cleanly) is a full build, whose
unchanged outputs come from the cache. Either way the output is that of a full build; the
tests compare them.

The search index is the exception that waits: the first build makes it, but after a later
change the last index stays served, and only once things are calm (`idle()`) is the new one
looked up in the cache or made in a child process, then put in place (`settle()` does it at
once, waiting); `on_search` hears of it. Nothing of it runs between a save and the reload.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from blogkit.core.bodies import RenderedBody
from blogkit.core.diagnostics import Diagnostic, Report
from blogkit.core.images import is_image
from blogkit.core.model import Post, Site, arranging, teams_of
from blogkit.core.outputs import Output, OutputTree
from blogkit.engine.bodies import body_renderers, render_markdown
from blogkit.engine.build import BuildOptions, BuildResult, build_site
from blogkit.engine.cache import Cache, open_cache
from blogkit.engine.fingerprint import View
from blogkit.engine.rendering import OutputKeys, RenderStats
from blogkit.engine.search import SearchJob
from blogkit.engine.workers import BudgetPool
from blogkit.load.frontmatter import PostMeta, cover_file, read_post
from blogkit.load.links import Document, DocumentLinks, LinkContext, check_links, images_shown
from blogkit.render.feeds import FeedWriter
from blogkit.render.routes import CopyRoute, FeedRoute, PageRoute
from blogkit.render.search import INDEX_FOLDER, post_document, search_documents

_ARRANGING = arranging(Post)  # a change to one of these needs the site assembled again: a full build


class ServedTree(OutputTree):
    """The outputs `blogkit serve` serves: pages and feeds the disk cache holds stay there."""

    by_reference = True


@dataclass(frozen=True, slots=True)
class _Built:
    """The last build that succeeded, and what a patch needs of it."""

    result: BuildResult
    published: Mapping[str, PostMeta]  # source path -> the published post's front matter (its text dropped)
    keys: OutputKeys  # the build's output keys, with the digests of its posts
    readers: Mapping[str, tuple[tuple[int, View], ...]]  # post source -> the routes whose keys digest it, and by what view
    site_readers: Mapping[View, tuple[int, ...]]  # routes whose templates read every post from `site`, by the view they read
    copied: frozenset[str]  # site-relative paths of the files published as they are (served from the disk)
    writer: FeedWriter  # remembers each post's feed content between patches
    # the posts patched in since the build, by source: a route holds them (in place of the ones it was made with)
    # once it is rendered again, not before
    edited: Mapping[str, Post] = dataclasses.field(default_factory=dict)


class Session:
    """Builds of one site, each reusing what the last one made. Used from one thread at a time."""

    def __init__(self, root: str, options: BuildOptions) -> None:
        self.root = root
        self.options = options
        self.cache: Cache | None = None
        self._built: _Built | None = None
        self._renderers: BudgetPool | None = None  # a worker that renders edited posts' bodies, kept between edits
        self._search: SearchJob | None = None  # the search index being made for `_search_of`
        self._search_of: Site | None = None  # the site whose index is to be made (the last build's), if it is not in place
        self.patched = False  # whether the last build patched posts in rather than building everything
        # told of the files of a search index put in place after its build, and of its problems
        self.on_search: Callable[[BuildResult, list[Diagnostic]], None] = lambda result, problems: None

    def build(self, changed: set[str]) -> BuildResult:
        """Build after the site-relative paths in `changed` changed (empty: build everything).
        Raises `ConfigError` as `build_site` does."""
        if changed and self._built is not None:
            patched = self._patch(self._built, changed)
            self.patched = patched is not None
            if patched is not None:
                return patched
        self.patched = False
        last_index = _index_files(self._built.result) if self._built is not None else {}
        self._cancel_search()
        self._built = None
        self._stop_renderers()  # the next patch forks them anew, from the site as this build leaves it
        if self.cache is None:
            self.cache = open_cache(self.root, enabled=self.options.cache)
        options = dataclasses.replace(self.options, search_index=False)  # made here, when calm
        result = build_site(self.root, options, cache=self.cache, preview=True, output=ServedTree)
        if not result.report.errors:
            self._built = _remember(result)
            if result.config.search:
                self._search_stale()
                if last_index:
                    result.outputs.files = {**result.outputs.files, **last_index}  # served until the new index is in place
                else:
                    result = self.settle() or result  # the first build waits for its index
            self.cache.sweep()
        return result

    def idle(self) -> bool:
        """Nothing to do for now: make the search index of the last build, or put it in place when
        made, and have the worker that renders the next edit ready. Returns whether to be called
        again (an index is being made)."""
        if self._built is not None and self._search_of is not None and not self._built.result.report.errors:
            if self._search is None:
                self._search = self._search_job(self._search_of).start()
            if not self._search.ready:
                return True
            self.settle()
        if self._built is not None and self.cache is not None:
            self._body_renderers().warm()
        return False

    def settle(self) -> BuildResult | None:
        """Make the last build's search index (waiting for it) and put it in place; the last build,
        with it (None when none succeeded; without it while a patch left broken links to fix)."""
        built, site = self._built, self._search_of
        if built is None or site is None or built.result.report.errors:  # the index waits until the site has no errors
            return built.result if built is not None else None
        job = self._search or self._search_job(site)
        self._search = self._search_of = None
        result = built.result
        report = Report()
        tree = ServedTree(report)
        tree.files = {path: output for path, output in result.outputs.files.items() if not path.startswith(f"{INDEX_FOLDER}/")}
        job.publish(tree, report)
        if report.errors:
            self.on_search(result, report.errors)
            return result
        result = dataclasses.replace(result, outputs=tree)
        self._built = dataclasses.replace(built, result=result)
        self.on_search(result, [])
        return result

    def close(self) -> None:
        self._cancel_search()
        self._stop_renderers()

    def _search_stale(self) -> None:
        """The last build's site needs its index (a job for an earlier one is stopped)."""
        self._cancel_search()
        assert self._built is not None
        self._search_of = self._built.result.site

    def _cancel_search(self) -> None:
        if self._search is not None:
            self._search.cancel()
            self._search = None
        self._search_of = None

    def _search_job(self, site: Site) -> SearchJob:
        assert self.cache is not None
        return SearchJob(search_documents(site), self.cache, self.options.jobs)

    def _body_renderers(self) -> BudgetPool:
        if self._renderers is None:
            assert self._built is not None and self.cache is not None
            config = self._built.result.config
            self._renderers = body_renderers(config.markdown, self.cache, 1, config.limits.render_seconds, edits=True)
        return self._renderers

    def _stop_renderers(self) -> None:
        if self._renderers is not None:
            self._renderers.close()
            self._renderers = None

    def stored(self, key: str) -> bytes | None:
        """The bytes of a page or feed the cache holds (what `Cached` outputs name)."""
        return self.cache.get("outputs", key) if self.cache is not None else None

    # -- patching posts in ----------------------------------------------------------------------
    def _patch(self, built: _Built, changed: set[str]) -> BuildResult | None:
        """The build after posts' own values changed, or None when a full build is needed."""
        result, loaded, renderer = built.result, built.result.loaded, built.result.renderer
        if loaded is None or loaded.site is None or renderer is None:
            return None
        if not all(path in built.published or (path in built.copied and os.path.isfile(os.path.join(self.root, path))) for path in changed):
            return None
        # a file published as it is is read when it is requested: only a post needs work
        changed = {path for path in changed if path in built.published}
        report = Report()
        report.extend([d for d in result.report.diagnostics if d.location.path not in changed])
        edited = self._reassemble(built, sorted(changed), report)
        if edited is None:
            return None
        posts, metas, links, link_problems = edited
        last = loaded.site
        before = {path: last.posts[last.positions[path]] for path in posts}
        swaps: dict[int, Any] = {}
        site = _with_posts(last, posts, swaps)
        renderer.show(site)
        renderer.report = report
        kept = list(result.routes)
        files = dict(result.outputs.files)
        writer = built.writer
        writer.show(site, posts)
        rendered = 0
        current = {**built.edited, **posts}
        for i in _rekeyed(built, before, posts):
            route = kept[i] = _swapped(kept[i], current, swaps)  # a route holds posts as it was last rendered with, until it is again
            assert isinstance(route, PageRoute | FeedRoute)
            rendered += 1
            text = renderer.render_route(route, writer)
            if text is not None:
                files[route.file] = Output(text.encode("utf-8") if isinstance(text, str) else text, route.origin)
        tree = ServedTree(report)
        tree.files = files
        errors = report.errors  # a walk over every diagnostic (thousands of warnings in a large hub): once
        if errors:  # a build with errors has no search index: it is made again once they are fixed
            tree.files = {path: output for path, output in files.items() if not path.startswith(f"{INDEX_FOLDER}/")}
        stats = RenderStats(rendered, result.stats.rendered + result.stats.reused - rendered)
        posts_read = tuple(metas.get(m.source.path, m) for m in loaded.posts_read)
        loaded = dataclasses.replace(loaded, site=site, posts_read=posts_read, links={**loaded.links, **links})
        patched = dataclasses.replace(
            result, site=site, outputs=tree, report=report, posts_read=posts_read, stats=stats, loaded=loaded, routes=tuple(kept)
        )
        # broken links of the edited posts leave the site whole: the next edit is patched in too, and checks them again
        whole = all(d in link_problems for d in errors)
        self._built = dataclasses.replace(built, result=patched, published={**built.published, **metas}, edited=current) if whole else None
        searched = errors or self._search_of is not None or _searched_differently(last, site, before, posts)
        if self._built is not None and site.config.search and searched:
            self._search_stale()  # made when calm: not between this save and the reload
        return patched

    def _reassemble(
        self, built: _Built, paths: list[str], report: Report
    ) -> tuple[dict[str, Post], dict[str, PostMeta], dict[str, DocumentLinks], tuple[Diagnostic, ...]] | None:
        """The edited posts read, rendered and assembled again, their front matter, their links and the
        problems of those; None when one changed a field that arranges the site (`arranging`) or has an
        error other than a broken link."""
        loaded = built.result.loaded
        assert loaded is not None and loaded.site is not None
        if loaded.assembler is None or self.cache is None:
            return None
        site, config = loaded.site, loaded.config
        published = built.result.published
        if published is None:
            return None
        posts: dict[str, Post] = {}
        metas: dict[str, PostMeta] = {}
        links: dict[str, DocumentLinks] = {}
        checked = Report()  # the problems of the edited posts' links
        for path in paths:
            before = built.published[path]
            own = Report()
            meta = read_post(self.root, before.source, config, loaded.profiles, loaded.static, own)
            if meta is None or own.errors or meta.draft != before.draft or meta.date != before.date:
                return None
            if [t.name for t in meta.tags] != [t.name for t in before.tags]:  # a tag's first spelling names it site-wide
                return None
            body = render_markdown(
                [meta.body], config.markdown, 1, self.cache, seconds=config.limits.render_seconds, pool=self._body_renderers()
            )[0]
            if body.stopped or _shows_new_images(meta, body, loaded.assembler.links):
                return None
            if body.ids != loaded.assembler.links.documents[path].ids:  # other posts' links may point at them
                return None
            post, links[path] = loaded.assembler.post(meta, body, own)
            old = site.posts[site.positions[path]]
            seen: set[tuple[int, int]] = set()
            if own.errors or any(not _same(getattr(post, name), getattr(old, name), seen) for name in _ARRANGING):
                return None
            posts[path] = post
            metas[path] = dataclasses.replace(meta, body=dataclasses.replace(meta.body, text=""))
            report.extend(own.diagnostics)
            check_links(links[path], published, config.links.broken, checked)  # against the outputs of the last build, which stay
        report.extend(checked.diagnostics)
        return posts, metas, links, tuple(checked.diagnostics)


def _shows_new_images(meta: PostMeta, body: RenderedBody, links: LinkContext) -> bool:
    """Whether a post now shows a file under static/ as an image that the last build did not measure."""
    doc = Document(meta.source.path, meta.path, meta.source.bundle_dir, frozenset(meta.source.assets))
    files = [*images_shown(body, doc, links), cover_file(meta.image, meta.source)]
    return any(file and is_image(file) and file not in links.images for file in files)


def _index_files(result: BuildResult) -> dict[str, Output]:
    return {path: output for path, output in result.outputs.files.items() if path.startswith(f"{INDEX_FOLDER}/")}


def _remember(result: BuildResult) -> _Built | None:
    """What patching needs of a build: its published posts, and which routes' keys digest which post."""
    if result.site is None or result.renderer is None or result.keys is None:
        return None
    published = {post.source for post in result.site.posts}
    metas = {m.source.path: m for m in result.posts_read if m.source.path in published}
    keys = result.keys
    readers: dict[str, list[tuple[int, View]]] = {}
    site_readers: dict[View, list[int]] = {}
    copied = set()
    for i, route in enumerate(result.routes):
        if isinstance(route, CopyRoute):
            source = os.path.relpath(route.source, result.config.root).replace(os.sep, "/")
            if source not in result.site.images:  # an image's size and variants are known from it: a change needs a build
                copied.add(source)
            continue
        if not isinstance(route, PageRoute | FeedRoute):
            continue
        for view in keys.site_posts_views(route.template) if isinstance(route, PageRoute) else ():
            site_readers.setdefault(view, []).append(i)
        for source, view in dict.fromkeys(keys.posts_read(route)):
            readers.setdefault(source, []).append((i, view))
    return _Built(
        result,
        metas,
        keys,
        {k: tuple(v) for k, v in readers.items()},
        {k: tuple(v) for k, v in site_readers.items()},
        frozenset(copied),
        FeedWriter(result.site),
    )


def _rekeyed(built: _Built, before: Mapping[str, Post], after: Mapping[str, Post]) -> list[int]:
    """The routes whose key an edit of posts changed (in order): those that digest an edited post by a view
    in which it differs from the post as it was. An edit changes only posts' own values, so nothing else of
    a key changes."""
    fingerprints = built.keys.fingerprints
    differs: dict[tuple[str, View], bool] = {}

    def changed(source: str, view: View) -> bool:
        found = differs.get((source, view))
        if found is None:
            found = differs[(source, view)] = fingerprints.entity(before[source], view) != fingerprints.entity(after[source], view)
        return found

    routes = {i for source in after for i, view in built.readers.get(source, ()) if changed(source, view)}
    for view, readers in built.site_readers.items():
        if any(changed(source, view) for source in after):
            routes.update(readers)
    return sorted(routes)


def _searched_differently(site: Site, edited: Site, before: Mapping[str, Post], after: Mapping[str, Post]) -> bool:
    """Whether an edit changed an edited post's search document."""

    def identity(site: Site, post: Post) -> str | None:
        document = post_document(site, post)
        return document.identity if document is not None else None

    return any(identity(site, before[source]) != identity(edited, post) for source, post in after.items())


def _same(new: Any, old: Any, seen: set[tuple[int, int]]) -> bool:
    """Whether two values are equal, each pair of lists or mappings compared once however often it
    recurs: YAML aliases let front matter repeat one list many times over, so `==`, which compares
    a shared list again at every place it appears, can take exponential time."""
    if new is old:
        return True
    kind = type(new)
    if kind is not type(old):
        return False
    if kind is list or kind is tuple or kind is dict:
        pair = (id(new), id(old))
        if pair in seen:
            return True
        if len(new) != len(old):
            return False
        if kind is dict:
            equal = new.keys() == old.keys() and all(_same(value, old[key], seen) for key, value in new.items())
        else:
            equal = all(_same(a, b, seen) for a, b in zip(new, old, strict=True))
        if equal:
            seen.add(pair)
        return equal
    return bool(new == old)


def _swapped(value: Any, posts: Mapping[str, Post], swaps: dict[int, Any]) -> Any:
    """`value` with each post of `posts` in place of the post of the same source (the same object
    when none is in it). `swaps` remembers containers already swapped, which many routes share."""
    kind = type(value)
    if kind is Post:
        return posts.get(value.source, value)
    if kind is str or value is None:
        return value
    known = swaps.get(id(value))
    if known is not None and known[0] is value:
        return known[1]
    swapped = value
    if kind is list or kind is tuple:
        items = [posts.get(item.source, item) if type(item) is Post else _swapped(item, posts, swaps) for item in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            swapped = kind(items)
    elif kind is dict:
        mapping = {key: _swapped(item, posts, swaps) for key, item in value.items()}
        if any(mapping[k] is not v for k, v in value.items()):
            swapped = mapping
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        changes = {name: new for name, item in fields.items() if (new := _swapped(item, posts, swaps)) is not item}
        if changes:
            swapped = dataclasses.replace(value, **changes)
    swaps[id(value)] = (value, swapped)  # the value is kept alive with it, so that its id is not reused
    return swapped


def _with_posts(site: Site, posts: Mapping[str, Post], swaps: dict[int, Any]) -> Site:
    """The site with each post of `posts` in place of the one of the same source. A patch changes no post's
    authors, tags, series or date, so only the lists that hold it change: its author's, its tags', its
    teams' and its series' (the lists of the whole site are not walked again)."""
    everything = list(site.posts)
    by_author, by_tag = dict(site.posts_by_author), dict(site.posts_by_tag)
    by_team, series = dict(site.posts_by_team), dict(site.series)
    for source, post in posts.items():
        everything[site.positions[source]] = post
        teams = teams_of(post.authors, site.authors)
        holding = ((by_author, post.authors), (by_tag, post.tags), (by_team, teams), (series, (post.series,) if post.series else ()))
        for lists, keys in holding:
            for key in keys:
                if key in lists:
                    lists[key] = _swapped(lists[key], posts, swaps)
    swapped = tuple(everything)
    swaps[id(site.posts)] = (site.posts, swapped)
    return dataclasses.replace(site, posts=swapped, posts_by_author=by_author, posts_by_tag=by_tag, posts_by_team=by_team, series=series)
