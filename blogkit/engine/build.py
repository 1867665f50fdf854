"""`build_site()`: the whole pipeline, in two halves.

Loading (`blogkit.load.site.load_site`: config, discovery, profiles, posts, selection,
Markdown, assembly) reads the site folder and gives a `LoadedSite`, frozen; the steps of it
that go through the cache and worker processes are supplied here. Rendering turns it into
outputs through the cache and never reads the site folder again. `build`, `check` and `serve`
share this function; `blogkit.publish.write` publishes the result.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from blogkit.core.bodies import BodySource, RenderedBody
from blogkit.core.config import MarkdownConfig, SiteConfig
from blogkit.core.diagnostics import Diagnostic, Location, Report
from blogkit.core.images import ImageFacts
from blogkit.core.model import Site, Update
from blogkit.core.outputs import OutputTree
from blogkit.core.progress import SILENT, Progress
from blogkit.core.urls import output_file
from blogkit.engine.bodies import cached_by_key, render_markdown
from blogkit.engine.cache import CACHE_FOLDER, CACHE_HINT, Cache, Record, open_cache
from blogkit.engine.children import default_jobs, reap_stopped, travel_by_fields
from blogkit.engine.frontmatter_cache import KIND as FRONT_MATTER
from blogkit.engine.frontmatter_cache import FrontMatterCache
from blogkit.engine.images import load_images
from blogkit.engine.rendering import OutputKeys, RenderStats, render_outputs
from blogkit.engine.search import SearchJob
from blogkit.engine.workers import map_ranges
from blogkit.load.config import load_config
from blogkit.load.frontmatter import PostMeta, RawTag, read_post
from blogkit.load.highlight import stylesheet
from blogkit.load.links import DocumentLinks, Published, check_links
from blogkit.load.profiles import Profiles
from blogkit.load.site import ImageJob, LoadedSite, load_site
from blogkit.load.sources import PostSource, Sources
from blogkit.render.pages import Renderer, create_environment
from blogkit.render.related import RelatedPosts, inputs_digest
from blogkit.render.routes import Route, routes
from blogkit.render.search import INDEX_FOLDER, search_documents

travel_by_fields(PostMeta, PostSource, RawTag, BodySource, Update, Diagnostic, Location)  # what reading posts sends back
_MIN_PARALLEL_READ = 500  # fewer posts than this are read in this process: forking costs more


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    jobs: int = field(default_factory=default_jobs)
    now: datetime | None = None  # the build's reference time; default: SOURCE_DATE_EPOCH, else the clock
    cache: bool = True  # keep results in the site's cache folder (False: `--no-cache`)
    search_index: bool = True  # make the search index (`check`, which publishes nothing, does not)
    check_left_out: bool = False  # check the links of the drafts and future posts left out too (`check` does)
    # texts to look for in each post's file as it is read (the command's check for text `blogkit new`
    # left to replace): `BuildResult.posts_holding` lists the posts that may hold one
    look_for: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class BuildResult:
    config: SiteConfig
    site: Site | None
    outputs: OutputTree
    report: Report
    posts_read: tuple[PostMeta, ...] = ()  # every post read, published or not (for `check`)
    profiles: Profiles | None = None
    now: datetime | None = None
    stats: RenderStats = field(default_factory=RenderStats)
    loaded: LoadedSite | None = None
    renderer: Renderer | None = None  # None when there was no site to render
    routes: tuple[Route, ...] = ()  # every output of the site, collisions left out
    published: Published | None = None  # what links may lead to (None when there was no site to render)
    keys: OutputKeys | None = None  # what each page and feed was keyed by (None when there was no site to render)
    # the posts whose file holds one of `BuildOptions.look_for`, or was not looked into (None: none was)
    posts_holding: frozenset[str] | None = None


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the current time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return datetime.fromtimestamp(seconds, UTC)


def build_site(
    root: str,
    options: BuildOptions = BuildOptions(),
    *,
    cache: Cache | None = None,
    preview: bool = False,
    output: Callable[[Report], OutputTree] = OutputTree,
    progress: Progress = SILENT,
) -> BuildResult:
    """Load, then render into `output(report)` (in memory unless a staging folder is given).

    `cache` is the site's cache folder unless given (`blogkit serve` keeps one for its
    session); a build that opened the cache itself sweeps it. `preview` renders for
    `blogkit serve`. The search index is made while pages and feeds are rendered. `progress`
    hears how far rendering has got (the command line shows it on a terminal).

    The cyclic garbage collector is paused meanwhile: a build makes millions of objects and
    almost no cycles, and the collector's passes over the growing heap took 0.8 s of a 4.4 s
    build of 10,000 posts with its cache, for no memory saved."""
    with collector_paused():
        try:
            return _build(root, options, cache, preview, output, progress)
        finally:
            progress.finish()
            reap_stopped()  # the workers that have ended by now; the others at the next fork


def load_only(root: str, options: BuildOptions = BuildOptions()) -> BuildResult:
    """The load half alone (for `plan`): every problem of loading, and no output."""
    with collector_paused():
        config = load_config(root)
        report = Report()
        cache = open_cache(config.root, enabled=options.cache)  # read and added to, never swept: a build decides what stays
        loaded = load_site(config, options, options.now or build_time(), report, _CachedSteps(cache, options.jobs))
        return BuildResult(config, loaded.site, OutputTree(report), report, loaded.posts_read, loaded.profiles, loaded.now)


@contextmanager
def collector_paused(*, resume: bool = True) -> Iterator[None]:
    """The cyclic garbage collector off meanwhile (see `build_site`); a command that reports on a
    build after it holds it paused until it is done with the build's objects. Without `resume` it
    stays off after: for a process that ends next, where the collector's first pass would walk
    every object made meanwhile."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting and resume:
            gc.enable()


def _build(
    root: str, options: BuildOptions, cache: Cache | None, preview: bool, output: Callable[[Report], OutputTree], progress: Progress
) -> BuildResult:
    config = load_config(root)  # raises ConfigError: nothing else makes sense without it
    report = Report()
    own_cache = cache is None
    cache = cache if cache is not None else open_cache(config.root, enabled=options.cache)
    _say_why_the_cache_is_cold(cache, report)
    steps = _CachedSteps(cache, options.jobs, progress, options.look_for)
    loaded = load_site(config, options, options.now or build_time(), report, steps)
    outputs = output(report)
    stats = RenderStats()
    renderer, kept, search, published, keys = None, list[Route](), None, None, None
    if loaded.site is not None:
        if config.search and options.search_index and not report.errors:
            search = SearchJob(search_documents(loaded.site), cache, options.jobs)
            search = search.start()
        try:
            renderer = Renderer(loaded.site, create_environment(config.root, config.theme_dir), report, now=loaded.now, preview=preview)
            related_key = inputs_digest(loaded.site)
            known = _stored_related(cache, related_key)
            related = RelatedPosts(loaded.site, known)
            all_routes = routes(loaded.site, loaded.theme, config.root, stylesheet(), report, related)
            published = link_targets(all_routes, loaded.site, loaded.links)
            check_all_links(loaded, published, report)
            if known is None:  # kept for the next build of the same posts: ranking 10,000 posts takes a third of a second
                cache.put(RELATED_KIND, related_key, json.dumps(related.table(), separators=(",", ":")).encode())
            kept, stats, keys = render_outputs(renderer, all_routes, outputs, cache, loaded.theme, options.jobs, progress)
            if search is not None and report.errors:  # nothing is published: the index is not wanted
                search.cancel()
                search = None
            elif search is not None:
                if not search.ready:
                    progress.start("making the search index", 0)
                search.publish(outputs, report)
                search = None
        except BaseException:
            if search is not None:
                search.cancel()
            raise
    if own_cache and not report.errors:
        cache.sweep()
    return BuildResult(
        config,
        loaded.site,
        outputs,
        report,
        loaded.posts_read,
        loaded.profiles,
        loaded.now,
        stats,
        loaded,
        renderer,
        tuple(kept),
        published,
        keys,
        frozenset(steps.holding) if options.look_for else None,
    )


def link_targets(all_routes: Sequence[Route], site: Site, links: Mapping[str, DocumentLinks]) -> Published:
    """What the links of a build may lead to: every file it publishes (pages, posts, listings, feeds,
    static and bundle files, aliases, redirects, legacy feeds, the sitemap; the search index's folder),
    and the ids of its posts' and pages' bodies. Made once per build: each post is checked against it."""
    ids = {output_file(found.doc.path): found.ids for found in links.values()}
    folders = (f"{INDEX_FOLDER}/",) if site.config.search else ()
    return Published(frozenset(route.file for route in all_routes), ids, folders, site.config.base_path)


def check_all_links(loaded: LoadedSite, published: Published, report: Report) -> None:
    """Every link of every post and page (and of the drafts and future posts left out, when loaded for
    `check`), against what the build publishes."""
    broken = loaded.config.links.broken
    for found in loaded.links.values():
        check_links(found, published, broken, report)
    if loaded.left_out_links:
        left = loaded.left_out_links.values()
        files = {output_file(found.doc.path) for found in left}
        files |= {found.doc.path + asset[len(found.doc.bundle_dir) + 1 :] for found in left for asset in found.doc.assets}
        ids = {output_file(found.doc.path): found.ids for found in left}
        published = dataclasses.replace(published, files=published.files | files, ids={**published.ids, **ids})
        for found in left:
            check_links(found, published, broken, report)


def _say_why_the_cache_is_cold(cache: Cache, report: Report) -> None:
    """One line when the cache was refused or started afresh for a reason the user should know; once per cache."""
    if cache.notice:
        report.note(Location(CACHE_FOLDER), cache.notice, CACHE_HINT)
        cache.notice = ""


RELATED_KIND = "related"  # the cache's kind for the related posts of a set of posts


def _stored_related(cache: Cache, key: str) -> dict[str, list[str]] | None:
    """The related posts a build of the same posts kept, by source; None when the cache has none."""
    stored = cache.get(RELATED_KIND, key)
    try:
        known = json.loads(stored) if stored else None
    except ValueError:
        return None
    return known if isinstance(known, dict) else None


@dataclass(frozen=True, slots=True)
class _CachedSteps:
    """The steps of loading that go through the build's cache and its worker processes (`LoadSteps`)."""

    cache: Cache
    jobs: int
    progress: Progress = SILENT  # hears how far rendering Markdown has got
    look_for: tuple[bytes, ...] = ()
    holding: set[str] = field(default_factory=set)  # the posts whose file holds one of `look_for`, or was not looked into

    def read_posts(self, config: SiteConfig, sources: Sources, profiles: Profiles, report: Report) -> list[PostMeta]:
        return read_posts(config, sources, profiles, report, jobs=self.jobs, cache=self.cache, look_for=self.look_for, holding=self.holding)

    def render_bodies(self, sources: Sequence[BodySource], settings: MarkdownConfig, seconds: float) -> list[RenderedBody]:
        return render_markdown(sources, settings, self.jobs, self.cache, seconds=seconds, progress=self.progress)

    def load_images(self, root: str, wanted: Sequence[ImageJob], report: Report) -> dict[str, ImageFacts]:
        return load_images(root, wanted, self.cache, self.jobs, report)


def read_posts(
    config: SiteConfig,
    sources: Sources,
    profiles: Profiles,
    report: Report,
    *,
    jobs: int = 1,
    cache: Cache | None = None,
    look_for: tuple[bytes, ...] = (),
    holding: set[str] | None = None,
) -> list[PostMeta]:
    """Every post's front matter, read and checked (in workers when there are many). With a
    cache, a post whose file is unchanged comes from it, and a body the cache holds the
    rendering of travels by its key, not its text: workers send back only what is needed.
    The path of each post whose file holds one of `look_for` (or was not looked into: without
    the cache, the file is read as text alone) is added to `holding`."""
    static = frozenset(sources.static)
    stored = FrontMatterCache.open(cache, config, profiles, static) if cache is not None else None

    def work(chunk: Sequence[PostSource]) -> list[tuple[PostMeta | None, list[Diagnostic], str, Record | None, bool]]:
        done: list[tuple[PostMeta | None, list[Diagnostic], str, Record | None, bool]] = []
        for source in chunk:
            data = stored.read(source) if stored is not None else None
            holds = bool(look_for) and (data is None or any(text in data for text in look_for))
            key = stored.key(source, data) if stored is not None and data is not None else None
            found = stored.get(key, source) if stored is not None and key is not None else None
            if found is not None:
                assert key is not None
                done.append((found[0], found[1], key, None, holds))
                continue
            own = Report()
            meta = read_post(config.root, source, config, profiles, static, own)
            record = None
            if meta is not None and stored is not None and cache is not None:
                if key is not None and not own.errors:
                    record = stored.put(key, meta, own.diagnostics)
                meta = dataclasses.replace(meta, body=cached_by_key(meta.body, config.markdown, cache))
            done.append((meta, own.diagnostics, (key or "") if record is not None else "", record, holds))
        return done

    metas = []
    results = map_ranges(work, sources.posts, jobs, min_items=_MIN_PARALLEL_READ)
    for source, (meta, problems, key, record, holds) in zip(sources.posts, results, strict=True):
        if holds and holding is not None:
            holding.add(source.path)
        report.extend(problems)
        if key and cache is not None:
            cache.adopt(FRONT_MATTER, key, record)
        if meta is not None:
            metas.append(meta)
    return metas
