"""`load_site()`: the load half of a build, from a site's config to a frozen `LoadedSite`.

It reads the site folder (discovery, profiles, front matter, pages, Markdown, images, assembly,
what `blogkit fetch` kept) and writes nothing. The steps that go through the build cache and
worker processes (reading front matter, rendering Markdown, measuring images) are handed in as
`LoadSteps`: the engine supplies them, and loading knows neither. `load_authors` and
`read_front_matter` are the first steps alone, for the commands that need only a site's people
and its posts' front matter (`fetch`, `codeowners`, `check --external`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Protocol

from blogkit.core.bodies import BodySource, RenderedBody, TextNeeded
from blogkit.core.config import THEME_DIR, MarkdownConfig, SiteConfig
from blogkit.core.diagnostics import Location, Report
from blogkit.core.images import ImageFacts, is_image
from blogkit.core.model import Site
from blogkit.load.assemble import Assembler, Selection, assemble, unpublished_links
from blogkit.load.catalogues import load_strings
from blogkit.load.frontmatter import PostMeta, cover_file, read_page, read_post
from blogkit.load.links import Document, DocumentLinks, LinkContext, images_shown
from blogkit.load.outside import load_outside, load_replies, reply_threads, shown_once
from blogkit.load.profiles import Profiles, load_profiles
from blogkit.load.sources import PostSource, Sources, ThemeFiles, check_site_root, discover, discover_theme


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
class ImageJob:
    source: str  # site-relative path of the image file
    avatar: bool = False  # an author's picture: also cut square at the theme's avatar sizes


class LoadOptions(Protocol):
    """What loading reads of a build's options."""

    @property
    def drafts(self) -> bool: ...  # publish posts marked draft
    @property
    def future(self) -> bool: ...  # publish posts dated after `now`
    @property
    def check_left_out(self) -> bool: ...  # render the drafts and future posts left out too, to check their links


class LoadSteps(Protocol):
    """The steps of loading that go through the build cache and worker processes."""

    def read_posts(self, config: SiteConfig, sources: Sources, profiles: Profiles, report: Report) -> list[PostMeta]:
        """Every post's front matter, read and checked; a body whose rendering is cached may come without its text."""
        ...

    def render_bodies(self, sources: Sequence[BodySource], settings: MarkdownConfig, seconds: float) -> list[RenderedBody]:
        """Every body rendered, each within `seconds`; raises `TextNeeded` for bodies whose text was left
        behind for a cached rendering that turned out unreadable."""
        ...

    def load_images(self, root: str, wanted: Sequence[ImageJob], report: Report) -> dict[str, ImageFacts]:
        """The facts of every wanted image, by its site path; an image that cannot be used is reported."""
        ...


def load_authors(config: SiteConfig, report: Report) -> tuple[Sources, Profiles]:
    """The site's files found and its profiles read: the first steps of the commands that need its people."""
    sources = discover(config.root, report)
    return sources, load_profiles(config.root, sources.authors, sources.static, report)


def read_front_matter(config: SiteConfig, profiles: Profiles, sources: Sources | None = None) -> list[PostMeta]:
    """Every post's front matter alone, read here without the cache (the site's files found again unless
    `sources` is given); its problems are the build's to report, and are not kept."""
    sources = sources if sources is not None else discover(config.root, Report())
    static = frozenset(sources.static)
    return [meta for source in sources.posts if (meta := read_post(config.root, source, config, profiles, static, Report())) is not None]


def load_site(config: SiteConfig, options: LoadOptions, now: datetime, report: Report, steps: LoadSteps) -> LoadedSite:
    """The first half: read, select, render Markdown, assemble. Reads the site folder; writes nothing."""
    root = config.root
    sources = discover(root, report)
    check_site_root(root, report, also_read=(os.path.relpath(config.theme_dir, root).split(os.sep)[0],))
    theme = discover_theme(root, config.theme_dir, THEME_DIR)
    profiles = load_profiles(root, sources.authors, sources.static, report)
    _say_what_broken_profiles_leave_out(sources, profiles, report)
    posts = steps.read_posts(config, sources, profiles, report)
    pages_read = [page for path in sources.pages if (page := read_page(root, path, report, config.limits))]
    pages = [page for page in pages_read if not page.draft]
    published, unpublished, future = select(posts, options, now)
    render = partial(steps.render_bodies, settings=config.markdown, seconds=config.limits.render_seconds)
    try:
        bodies = render([m.body for m in published] + [p.body for p in pages])
    except TextNeeded as needed:  # a cached body went bad after it was looked up: read those posts again, with their text
        static = frozenset(sources.static)
        again = {published[i].source.path: read_post(root, published[i].source, config, profiles, static, Report()) for i in needed.indexes}
        if any(meta is None or not meta.body.text for meta in again.values()):  # changed meanwhile: what was read is gone
            report.error(Location(published[needed.indexes[0]].source.path), "the file changed while it was being built", "build again")
            return LoadedSite(config, None, theme, tuple(posts), profiles, now)
        published = [again.get(meta.source.path) or meta for meta in published]
        bodies = render([m.body for m in published] + [p.body for p in pages])
    left_out: list[tuple[PostMeta, RenderedBody]] = []
    if options.check_left_out and unpublished:
        left = [meta for meta in posts if meta.source.path in unpublished]
        left_out = _left_out_bodies(root, left, config, profiles, frozenset(sources.static), render)
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
    images = steps.load_images(root, wanted, report)
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


def select(posts: list[PostMeta], options: LoadOptions, now: datetime) -> tuple[list[PostMeta], frozenset[str], frozenset[str]]:
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


def wanted_images(
    posts: Sequence[tuple[PostSource, str, RenderedBody]],
    pages: Sequence[tuple[str, RenderedBody]],
    avatars: Sequence[str],
    static: frozenset[str],
    theme_shown: Sequence[str] = (),
) -> list[ImageJob]:
    """The images a build publishes as images: every image file of a published post's bundle, and
    the files under static/ that a post or page shows (`![...](...)`), a cover, an avatar or the
    theme (`theme_shown`: the brand's logo) is. `posts`: (source, cover as front matter gives it,
    body); `avatars` and `theme_shown`: paths under static/."""
    found: dict[str, bool] = dict.fromkeys((f"static/{path}" for path in theme_shown if path), False)  # -> is it an avatar
    context = LinkContext("", {}, frozenset(), static)
    for source, cover, body in posts:
        shown = [a for a in source.assets if is_image(a)] + [cover_file(cover, source)]
        shown += images_shown(body, Document(source.path, "", source.bundle_dir, frozenset(source.assets)), context)
        found.update(dict.fromkeys(shown, False))
    for path, body in pages:
        found.update(dict.fromkeys(images_shown(body, Document(path, ""), context), False))
    found.update(dict.fromkeys((f"static/{avatar}" for avatar in avatars), True))
    return [ImageJob(path, avatar) for path, avatar in sorted(found.items()) if is_image(path)]
