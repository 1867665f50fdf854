"""`build_site()`: the whole pipeline, in two halves.

Loading (config, discovery, profiles, posts, selection, Markdown, assembly) reads the
site folder and gives a `LoadedSite`, frozen; rendering turns it into outputs through
the cache and never reads the site folder again. `build`, `check` and `serve` share
this function; `blogkit.publish.write` publishes the result.
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
from functools import partial

from blogkit.core.bodies import BodySource, RenderedBody
from blogkit.core.config import THEME_DIR, SiteConfig
from blogkit.core.diagnostics import Diagnostic, Location, Report
from blogkit.core.model import Site
from blogkit.core.outputs import OutputTree
from blogkit.core.progress import SILENT, Progress
from blogkit.core.urls import output_file
from blogkit.engine.bodies import TextNeeded, cached_by_key, render_markdown
from blogkit.engine.cache import CACHE_FOLDER, CACHE_HINT, Cache, Record, open_cache
from blogkit.engine.frontmatter_cache import KIND as FRONT_MATTER
from blogkit.engine.frontmatter_cache import FrontMatterCache
from blogkit.engine.images import load_images, wanted_images
from blogkit.engine.rendering import RenderStats, render_outputs
from blogkit.engine.search import SearchJob
from blogkit.engine.workers import default_jobs, map_ranges
from blogkit.load.assemble import Assembler, Selection, assemble, unpublished_links
from blogkit.load.catalogues import load_strings
from blogkit.load.config import load_config
from blogkit.load.frontmatter import PostMeta, read_page, read_post
from blogkit.load.highlight import stylesheet
from blogkit.load.links import DocumentLinks, Published, check_links
from blogkit.load.outside import load_outside, load_replies, reply_threads, shown_once
from blogkit.load.profiles import Profiles, load_profiles
from blogkit.load.sources import PostSource, Sources, ThemeFiles, check_site_root, discover, discover_theme
from blogkit.render.pages import Renderer, create_environment
from blogkit.render.related import RelatedPosts, inputs_digest
from blogkit.render.routes import Route, routes
from blogkit.render.search import INDEX_FOLDER, search_documents

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


@dataclass(frozen=True, slots=True)
class LoadedSite:
    """The first half's result: everything rendering needs, read and checked."""

    config: SiteConfig
    site: Site | None  # None when loading found errors that leave no site to render
    theme: ThemeFiles
    posts_read: tuple[PostMeta, ...]  # every post read, published or not (for `check` and `plan`)
    profiles: Profiles
    now: datetime
    assembler: Assembler | None = None  # how the site's posts were assembled (None without a site)
    static: frozenset[str] = frozenset()  # site-relative paths of the files under static/
    links: Mapping[str, DocumentLinks] = field(default_factory=dict)  # the links of the published posts and pages, by source
    left_out_links: Mapping[str, DocumentLinks] = field(default_factory=dict)  # those of drafts and future posts, with `check_left_out`


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
    with _collector_paused():
        try:
            return _build(root, options, cache, preview, output, progress)
        finally:
            progress.finish()


def load_only(root: str, options: BuildOptions = BuildOptions()) -> BuildResult:
    """The load half alone (for `plan`): every problem of loading, and no output."""
    with _collector_paused():
        config = load_config(root)
        report = Report()
        cache = open_cache(config.root, enabled=options.cache)  # read and added to, never swept: a build decides what stays
        loaded = load_site(config, options, options.now or build_time(), report, cache)
        return BuildResult(config, loaded.site, OutputTree(report), report, loaded.posts_read, loaded.profiles, loaded.now)


@contextmanager
def _collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _build(
    root: str, options: BuildOptions, cache: Cache | None, preview: bool, output: Callable[[Report], OutputTree], progress: Progress
) -> BuildResult:
    config = load_config(root)  # raises ConfigError: nothing else makes sense without it
    report = Report()
    own_cache = cache is None
    cache = cache if cache is not None else open_cache(config.root, enabled=options.cache)
    _say_why_the_cache_is_cold(cache, report)
    loaded = load_site(config, options, options.now or build_time(), report, cache, progress)
    outputs = output(report)
    stats = RenderStats()
    renderer, kept, search, published = None, list[Route](), None, None
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
            kept, stats = render_outputs(renderer, all_routes, outputs, cache, loaded.theme, options.jobs, progress)
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


def load_site(
    config: SiteConfig, options: BuildOptions, now: datetime, report: Report, cache: Cache, progress: Progress = SILENT
) -> LoadedSite:
    """The first half: read, select, render Markdown, assemble. Reads the site folder; writes nothing."""
    root = config.root
    sources = discover(root, report)
    check_site_root(root, report, also_read=(os.path.relpath(config.theme_dir, root).split(os.sep)[0],))
    theme = discover_theme(root, config.theme_dir, THEME_DIR)
    profiles = load_profiles(root, sources.authors, sources.static, report)
    _say_what_broken_profiles_leave_out(sources, profiles, report)
    posts = read_posts(config, sources, profiles, report, jobs=options.jobs, cache=cache)
    pages_read = [page for path in sources.pages if (page := read_page(root, path, report, config.limits))]
    pages = [page for page in pages_read if not page.draft]
    published, unpublished, future = select(posts, options, now)
    render = partial(render_markdown, cache=cache, seconds=config.limits.render_seconds, progress=progress)
    try:
        bodies = render([m.body for m in published] + [p.body for p in pages], config.markdown, options.jobs)
    except TextNeeded as needed:  # a cached body went bad after it was looked up: read those posts again, with their text
        static = frozenset(sources.static)
        again = {published[i].source.path: read_post(root, published[i].source, config, profiles, static, Report()) for i in needed.indexes}
        if any(meta is None or not meta.body.text for meta in again.values()):  # changed meanwhile: what was read is gone
            report.error(Location(published[needed.indexes[0]].source.path), "the file changed while it was being built", "build again")
            return LoadedSite(config, None, theme, tuple(posts), profiles, now)
        published = [again.get(meta.source.path) or meta for meta in published]
        bodies = render([m.body for m in published] + [p.body for p in pages], config.markdown, options.jobs)
    left_out: list[tuple[PostMeta, RenderedBody]] = []
    if options.check_left_out and unpublished:
        render_left_out = partial(render, settings=config.markdown, jobs=options.jobs)
        left = [meta for meta in posts if meta.source.path in unpublished]
        left_out = _left_out_bodies(root, left, config, profiles, frozenset(sources.static), render_left_out)
    # the texts live on as HTML: a large build need not hold both
    posts = [_without_text(m) for m in posts]
    published = [_without_text(m) for m in published]
    read = {meta.source.path for meta in posts} | {page.source for page in pages_read}
    selection = Selection(
        posts=list(zip(published, bodies[: len(published)], strict=True)),
        pages=list(zip(pages, bodies[len(published) :], strict=True)),
        unpublished=unpublished,
        future=future,
        unreadable=frozenset(s.path for s in sources.posts if s.path not in read) | frozenset(p for p in sources.pages if p not in read),
    )
    del bodies
    wanted = wanted_images(
        [(meta.source, meta.image, body) for meta, body in selection.posts],
        [(meta.source, body) for meta, body in selection.pages],
        [a.avatar for a in profiles.authors.values() if a.avatar and not a.avatar.startswith("https://")],
        frozenset(sources.static),
        [config.brand.logo],
    )
    images = load_images(root, wanted, cache, options.jobs, report)
    site, assembler, links = assemble(config, profiles, selection, sources.static, report, images)
    left_out_links = unpublished_links(left_out, assembler.links) if left_out else {}
    site = dataclasses.replace(site, strings=load_strings(root, config.theme_dir, config.language, report))
    outside = load_outside(root, profiles, report)
    if outside:
        site = dataclasses.replace(site, outside=shown_once(outside, site))
    if config.discussion.replies:
        absolute = config.urls.absolute
        webmentions = config.discussion.webmentions is not None
        threads = [url for post in site.posts for url in reply_threads(post, webmentions, absolute)]
        site = dataclasses.replace(site, replies=load_replies(root, threads, report))
    return LoadedSite(config, site, theme, tuple(posts), profiles, now, assembler, frozenset(sources.static), links, left_out_links)


def _left_out_bodies(
    root: str,
    left_out: list[PostMeta],
    config: SiteConfig,
    profiles: Profiles,
    static: frozenset[str],
    render: Callable[..., list[RenderedBody]],
) -> list[tuple[PostMeta, RenderedBody]]:
    """The drafts and future posts a build leaves out, with their bodies rendered (for `check`, which
    checks their links too); one whose cached body went bad meanwhile is read again, or left out."""
    try:
        return list(zip(left_out, render([m.body for m in left_out]), strict=True))
    except TextNeeded as needed:
        again = {i: read_post(root, left_out[i].source, config, profiles, static, Report()) for i in needed.indexes}
        metas = [again[i] if i in again else meta for i, meta in enumerate(left_out)]
        readable = [meta for meta in metas if meta is not None and (meta.body.text or not meta.body.key)]
        return list(zip(readable, render([m.body for m in readable]), strict=True))


def _say_what_broken_profiles_leave_out(sources: Sources, profiles: Profiles, report: Report) -> None:
    """One note at a profile that could not be read, under its error: its posts are left out (each
    without an error of its own: the cause is the profile's)."""
    for path in sources.authors:
        handle = os.path.splitext(os.path.basename(path))[0]
        if handle in profiles.broken:
            count = sum(1 for s in sources.posts if s.owner == handle)
            posts = f"{count} post{'' if count == 1 else 's'} in posts/{handle}/" if count else f"posts by '{handle}'"
            at = min((d.location for d in report.errors if d.location.path == path), default=Location(path))
            report.note(at, f"{posts} {'is' if count == 1 else 'are'} left out until the error above is fixed")


def _without_text(meta: PostMeta) -> PostMeta:
    return meta if not meta.body.text else dataclasses.replace(meta, body=BodySource("", meta.body.first_line))


def read_posts(
    config: SiteConfig, sources: Sources, profiles: Profiles, report: Report, *, jobs: int = 1, cache: Cache | None = None
) -> list[PostMeta]:
    """Every post's front matter, read and checked (in workers when there are many). With a
    cache, a post whose file is unchanged comes from it, and a body the cache holds the
    rendering of travels by its key, not its text: workers send back only what is needed."""
    static = frozenset(sources.static)
    stored = FrontMatterCache.open(cache, config, profiles, static) if cache is not None else None

    def work(chunk: Sequence[PostSource]) -> list[tuple[PostMeta | None, list[Diagnostic], str, Record | None]]:
        done: list[tuple[PostMeta | None, list[Diagnostic], str, Record | None]] = []
        for source in chunk:
            key = stored.key(source) if stored is not None else None
            found = stored.get(key, source) if stored is not None and key is not None else None
            if found is not None:
                assert key is not None
                done.append((found[0], found[1], key, None))
                continue
            own = Report()
            meta = read_post(config.root, source, config, profiles, static, own)
            record = None
            if meta is not None and stored is not None and cache is not None:
                if key is not None and not own.errors:
                    record = stored.put(key, meta, own.diagnostics)
                meta = dataclasses.replace(meta, body=cached_by_key(meta.body, config.markdown, cache))
            done.append((meta, own.diagnostics, (key or "") if record is not None else "", record))
        return done

    metas = []
    for meta, problems, key, record in map_ranges(work, sources.posts, jobs, min_items=_MIN_PARALLEL_READ):
        report.extend(problems)
        if key and cache is not None:
            cache.adopt(FRONT_MATTER, key, record)
        if meta is not None:
            metas.append(meta)
    return metas


def select(posts: list[PostMeta], options: BuildOptions, now: datetime) -> tuple[list[PostMeta], frozenset[str], frozenset[str]]:
    """The posts to publish: drafts and future posts left out unless asked for; and the paths of both."""
    published, unpublished, future = [], set(), set()
    for meta in posts:
        is_future = meta.date > now
        if (meta.draft and not options.drafts) or (is_future and not options.future):
            unpublished.add(meta.source.path)
            continue
        if is_future:
            future.add(meta.source.path)
        published.append(meta)
    return published, frozenset(unpublished), frozenset(future)
