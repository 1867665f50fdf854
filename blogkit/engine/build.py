"""`build_site()`: the whole pipeline, stage by stage, in memory.

Only the first stages read the site folder and nothing here writes: `build`,
`check` and `serve` share this function; `blogkit.publish.write` publishes the result.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from blogkit.core.bodies import BodySource, RenderedBody
from blogkit.core.config import MarkdownConfig, SiteConfig, load_config
from blogkit.core.diagnostics import Report
from blogkit.core.model import Site
from blogkit.core.outputs import OutputTree
from blogkit.load.assemble import Selection, assemble
from blogkit.load.frontmatter import PageMeta, PostMeta, read_page, read_post
from blogkit.load.markdown import render_bodies
from blogkit.load.profiles import Profiles, load_profiles
from blogkit.load.sources import PostSource, Sources, discover
from blogkit.render.pages import Renderer, create_environment


@dataclass(frozen=True, slots=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    jobs: int = field(default_factory=lambda: len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    now: datetime | None = None  # the build's reference time; default: SOURCE_DATE_EPOCH, else the clock


@dataclass(frozen=True, slots=True)
class BuildResult:
    config: SiteConfig
    site: Site | None
    outputs: OutputTree
    report: Report
    posts_read: tuple[PostMeta, ...] = ()  # every post read, published or not (for `check`)
    profiles: Profiles | None = None
    now: datetime | None = None


def build_time() -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else the current time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return datetime.fromtimestamp(seconds, UTC)


def build_site(root: str, options: BuildOptions = BuildOptions(), stages: Stages | None = None) -> BuildResult:
    stages = stages or Stages()
    config = load_config(root)  # raises ConfigError: nothing else makes sense without it
    root = config.root
    report = Report()
    sources = discover(root, report)
    profiles = load_profiles(root, sources.authors, sources.static, report)
    posts = read_posts(config, sources, profiles, report, stages.read_post)
    pages_read = [page for path in sources.pages if (page := read_page(root, path, report))]
    pages = [page for page in pages_read if not page.draft]
    now = options.now or build_time()
    selection = select(posts, pages, config, options, now, stages.render_bodies)
    read = {meta.source.path for meta in posts} | {page.source for page in pages_read}
    unreadable = frozenset(s.path for s in sources.posts if s.path not in read) | frozenset(p for p in sources.pages if p not in read)
    selection = dataclasses.replace(selection, unreadable=unreadable)
    site = assemble(config, profiles, selection, sources.static, report)
    outputs = OutputTree(report)
    stages.renderer(site, create_environment(root, config.theme_dir), report, now=now, jobs=options.jobs).render_site(
        outputs, lambda p: os.path.join(root, p)
    )
    return BuildResult(config, site, outputs, report, tuple(posts), profiles, now)


def read_posts(config: SiteConfig, sources: Sources, profiles: Profiles, report: Report, read: ReadPost = read_post) -> list[PostMeta]:
    static = frozenset(sources.static)
    return [meta for source in sources.posts if (meta := read(config.root, source, config, profiles, static, report))]


def select(
    posts: list[PostMeta],
    pages: list[PageMeta],
    config: SiteConfig,
    options: BuildOptions,
    now: datetime,
    render: RenderBodies = render_bodies,
) -> Selection:
    """Leave out drafts and future posts unless asked for, then render the bodies of the rest."""
    published, unpublished, future = [], set(), set()
    for meta in posts:
        is_future = meta.date > now
        if (meta.draft and not options.drafts) or (is_future and not options.future):
            unpublished.add(meta.source.path)
            continue
        if is_future:
            future.add(meta.source.path)
        published.append(meta)
    bodies = render([m.body for m in published] + [p.body for p in pages], config.markdown, options.jobs)
    return Selection(
        posts=list(zip(published, bodies[: len(published)], strict=True)),
        pages=list(zip(pages, bodies[len(published) :], strict=True)),
        unpublished=frozenset(unpublished),
        future=frozenset(future),
    )


# -- stages: the hook `blogkit serve` uses ------------------------------------------------------

ReadPost = Callable[[str, PostSource, SiteConfig, Profiles, frozenset[str], Report], PostMeta | None]
RenderBodies = Callable[[Sequence[BodySource], MarkdownConfig, int], list[RenderedBody]]


@dataclass(frozen=True, slots=True)
class Stages:
    """The stage functions `build_site` calls: by default the plain ones. `blogkit serve`
    passes memoised ones (`blogkit.engine.incremental`) so that a rebuild redoes only what changed."""

    read_post: ReadPost = read_post
    render_bodies: RenderBodies = render_bodies
    renderer: Callable[..., Renderer] = Renderer
