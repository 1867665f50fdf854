"""Assemble the site model from read posts and pages and their rendered bodies.

Pure: no file is read or written. Tags are canonicalised across the whole
site, links resolved, posts ordered newest first, and the hub's indexes built.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from blogkit.core.bodies import MAX_NESTING, HtmlOnDemand, RenderedBody
from blogkit.core.config import SiteConfig
from blogkit.core.diagnostics import Location, Report
from blogkit.core.images import ImageFacts, avatar_sizes, picture
from blogkit.core.lint_rules import LintLevels, lint_level
from blogkit.core.model import Author, Page, Post, Site, Tag, teams_of
from blogkit.core.urls import slugify
from blogkit.load.frontmatter import PageMeta, PostMeta, RawTag, cover_file
from blogkit.load.links import (
    Document,
    DocumentLinks,
    LinkContext,
    Target,
    images_shown,
    resolve_links,
    resolve_links_and_urls,
    resolved_html,
)
from blogkit.load.profiles import Profiles


@dataclass(frozen=True, slots=True)
class Selection:
    """Posts and pages this build publishes, and those it leaves out (drafts, future)."""

    posts: Sequence[tuple[PostMeta, RenderedBody]]
    pages: Sequence[tuple[PageMeta, RenderedBody]]
    unpublished: frozenset[str]
    future: frozenset[str]  # sources of future posts that are published (with --future)
    unreadable: frozenset[str] = frozenset()  # sources that exist but failed to read (already reported)


@dataclass(frozen=True, slots=True)
class Assembler:
    """What turning one read post into a `Post` needs of the whole site: the canonical tag
    names, what links may point to, and which published posts are future posts. Kept by
    `blogkit serve` to assemble an edited post again without assembling the site."""

    tag_names: dict[str, str]  # lowercased tag as written -> canonical name
    links: LinkContext
    future: frozenset[str]
    lint: LintLevels = ()  # the site's settings of the content lint's rules

    def post(self, meta: PostMeta, body: RenderedBody, report: Report) -> tuple[Post, DocumentLinks]:
        """The post, and its links to check once the build knows what it publishes."""
        report_lints(meta.source.path, body, meta.lint, self.lint, report)
        return _post(meta, body, self.tag_names, self.links, self.future, report)


def assemble(
    config: SiteConfig,
    profiles: Profiles,
    selection: Selection,
    static: tuple[str, ...],
    report: Report,
    images: Mapping[str, ImageFacts] | None = None,
) -> tuple[Site, Assembler, dict[str, DocumentLinks]]:
    """The site, the assembler that made its posts, and the links of its posts and pages by source;
    `images`: the facts of its images, by site path."""
    images = images or {}
    tag_names = _canonical_tags([meta for meta, _ in selection.posts], profiles, report)
    context = LinkContext(
        base_path=config.base_path,
        documents={
            **{meta.source.path: Target(meta.path, body.ids) for meta, body in selection.posts},
            **{meta.source: Target(meta.path, body.ids) for meta, body in selection.pages},
        },
        unpublished=selection.unpublished,
        unreadable=selection.unreadable,
        static=frozenset(static),
        images=images,
        broken=config.links.broken,
    )
    assembler = Assembler(tag_names, context, selection.future, config.lint)
    posts, links = [], {}
    for meta, body in selection.posts:
        post, links[meta.source.path] = assembler.post(meta, body, report)
        posts.append(post)
    posts.sort(key=lambda p: (-p.date.timestamp(), p.source))
    pages = []
    for page_meta, body in selection.pages:
        report_lints(page_meta.source, body, page_meta.lint, config.lint, report)
        page, links[page_meta.source] = _page(page_meta, body, context, report)
        pages.append(page)

    by_author: dict[str, list[Post]] = {handle: [] for handle in sorted(profiles.authors)}
    by_tag: dict[str, list[Post]] = {}
    by_team: dict[str, list[Post]] = {key: [] for key in sorted(profiles.teams)}
    series: dict[str, list[Post]] = {}
    for post in posts:
        for handle in post.authors:
            by_author[handle].append(post)
        for slug in post.tags:
            by_tag.setdefault(slug, []).append(post)
        for team in teams_of(post.authors, profiles.authors):
            by_team[team].append(post)
        if post.series:
            series.setdefault(post.series, []).append(post)

    tags = {}
    for slug, name in sorted(((slugify_tag(n), n) for n in set(tag_names.values())), key=lambda item: item[1].lower()):
        info = profiles.vocabulary.get(name.lower())
        tags[slug] = Tag(name, slug, info.description if info else "", len(by_tag.get(slug, ())))
    site = Site(
        config=config,
        posts=tuple(posts),
        pages=tuple(sorted(pages, key=lambda p: p.path)),
        authors={handle: _with_avatars(author, images) for handle, author in sorted(profiles.authors.items())},
        teams=dict(sorted(profiles.teams.items())),
        tags=tags,
        posts_by_author={k: tuple(v) for k, v in by_author.items()},
        posts_by_tag={k: tuple(v) for k, v in sorted(by_tag.items())},
        posts_by_team={k: tuple(v) for k, v in by_team.items()},
        series={k: tuple(reversed(v)) for k, v in sorted(series.items())},
        static_files=static,
        positions={post.source: i for i, post in enumerate(posts)},
        images=images,
        tag_slugs=_tag_slugs(tag_names, profiles),
    )
    return site, assembler, links


def unpublished_links(left_out: Sequence[tuple[PostMeta, RenderedBody]], context: LinkContext) -> dict[str, DocumentLinks]:
    """The links of posts a build leaves out (drafts and future posts, which `check` checks too), by
    source, resolved as if they were published: one may link to another."""
    left = {meta.source.path: Target(meta.path, body.ids) for meta, body in left_out}
    context = dataclasses.replace(context, documents={**context.documents, **left}, unpublished=context.unpublished - left.keys())
    found = {}
    for meta, body in left_out:
        doc = _document(meta)
        found[meta.source.path] = DocumentLinks(doc, body.ids, resolve_links(body, doc, context)[1])
    return found


def _with_avatars(author: Author, images: Mapping[str, ImageFacts]) -> Author:
    """An author with the square sizes of their avatar, when it is an image of the site."""
    facts = images.get(f"static/{author.avatar}") if author.avatar else None
    return dataclasses.replace(author, avatars=avatar_sizes(author.avatar, facts)) if facts and facts.avatars else author


def _tag_slugs(tag_names: Mapping[str, str], profiles: Profiles) -> dict[str, str]:
    """Every spelling of a tag the posts use and every alias tags.yaml gives, lowercased -> the tag's slug."""
    names = {**profiles.aliases, **{name.lower(): name for name in profiles.aliases.values()}, **tag_names}
    return {lowered: slugify_tag(name) for lowered, name in sorted(names.items())}


@functools.lru_cache(maxsize=65536)
def slugify_tag(name: str) -> str:
    return slugify(name) or "tag"


def _canonical_tags(metas: list[PostMeta], profiles: Profiles, report: Report) -> dict[str, str]:
    """Lowercased tag as written -> canonical name: tags.yaml names and aliases first, then
    the first spelling met in source order (so output never depends on file system order)."""
    names: dict[str, str] = {}
    first_seen: dict[str, RawTag] = {}
    for meta in sorted(metas, key=lambda m: m.source.path):
        for raw in meta.tags:
            lowered = raw.name.lower()
            if lowered in names:
                continue
            if lowered in profiles.aliases:
                names[lowered] = profiles.aliases[lowered]
            elif lowered in profiles.vocabulary:
                names[lowered] = profiles.vocabulary[lowered].name
            else:
                names[lowered] = raw.name
            first_seen.setdefault(lowered, raw)
    by_slug: dict[str, str] = {}
    for lowered, name in sorted(names.items()):
        slug = slugify_tag(name)
        other = by_slug.setdefault(slug, name)
        if other.lower() != name.lower():
            report.error(
                first_seen[lowered].location,
                f"tags '{other}' and '{name}' would share the URL /tags/{slug}/",
                "use one spelling, or make one an alias of the other in tags.yaml",
            )
    return names


def _post(
    meta: PostMeta, body: RenderedBody, tag_names: dict[str, str], context: LinkContext, future: frozenset[str], report: Report
) -> tuple[Post, DocumentLinks]:
    source = meta.source
    doc = _document(meta)
    tags: list[str] = []
    for raw in meta.tags:
        slug = slugify_tag(tag_names[raw.name.lower()])
        if slug not in tags:
            tags.append(slug)
    _report_lost_content(source.path, meta.body.first_line, body, report)
    urls, links = resolve_links(body, doc, context)
    if body.stored_html is None:
        html: str | HtmlOnDemand = resolved_html(body, body.html, urls, doc, context)
    else:  # the cache keeps the HTML: made when shown, not held
        html = HtmlOnDemand(functools.partial(_shown_html, body, body.stored_html, urls, doc, context))
    files = images_shown(body, doc, context)
    shown = [_facts_text(context.images.get(file)) for file in files]
    content_key = hashlib.blake2b("\x1f".join([body.key, *urls, *shown]).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
    image, cover = meta.image, cover_file(meta.image, source)
    if image.startswith("bundle:"):
        image = meta.path + image[len("bundle:") :]
    cover_facts = context.images.get(cover) if cover else None
    post = Post(
        source=source.path,
        title=meta.title,
        date=meta.date,
        authors=meta.authors,
        tags=tuple(tags),
        path=meta.path,
        slug=meta.slug,
        html=html,
        summary=meta.summary or body.summary,
        toc=body.toc,
        reading_minutes=body.reading_minutes,
        updated=meta.updated,
        updates=meta.updates,
        draft=meta.draft,
        future=source.path in future,
        discussion=meta.discussion,
        comments=meta.comments,
        aliases=tuple(path for path, _ in meta.aliases),
        canonical=meta.canonical,
        image=image,
        image_alt=meta.image_alt,
        cover=picture(image, cover_facts) if cover_facts else None,
        cover_in_body=bool(cover) and cover in files,
        series=meta.series,
        id=meta.id,
        extra=meta.extra or {},
        assets=source.assets,
        content_key=content_key if body.key else "",
        search=meta.search,
        diagrams=body.diagrams,
        featured=meta.featured,
    )
    return post, DocumentLinks(doc, body.ids, links)


def _shown_html(body: RenderedBody, stored: Callable[[], str], urls: Sequence[str], doc: Document, context: LinkContext) -> str:
    return resolved_html(body, stored(), urls, doc, context)


def _document(meta: PostMeta) -> Document:
    return Document(meta.source.path, meta.path, meta.source.bundle_dir, frozenset(meta.source.assets))


def _facts_text(facts: ImageFacts | None) -> str:
    """What the HTML of an image shows of its facts: a changed image changes the post's content key."""
    if facts is None:
        return ""
    return f"{facts.format} {facts.width}x{facts.height} " + " ".join(v.key for v in facts.variants)


def _report_lost_content(source: str, first_line: int, body: RenderedBody, report: Report) -> None:
    if body.stopped:
        report.error(
            Location(source, first_line),
            f"rendering this Markdown {body.stopped}, and was stopped",
            "look for a very large table, deep nesting or a huge code block and split it"
            if "longer" in body.stopped
            else "this is a bug in blogkit or a library it uses: please report it with this file",
        )
    for problem in body.problems:
        say = {"warning": report.warning, "note": report.note}.get(problem.severity, report.error)
        say(Location(source, problem.line, problem.column), problem.message, problem.hint)
    for line in body.too_deep:
        report.error(
            Location(source, line),
            f"Markdown nested more than {MAX_NESTING} levels deep: from here on, this block is not shown",
            "nest fewer block quotes and lists",
        )


def report_lints(source: str, body: RenderedBody, post: LintLevels, site: LintLevels, report: Report) -> None:
    """The content lint's findings in a body, each as loud as the post (else the site) sets its rule, named after it."""
    for lint in body.lints:
        level = lint_level(lint.rule, post, site)
        if level != "off":
            say = report.warning if level == "warning" else report.note
            say(Location(source, lint.line, lint.column), f"{lint.message} [{lint.rule}]", lint.hint)


def _page(meta: PageMeta, body: RenderedBody, context: LinkContext, report: Report) -> tuple[Page, DocumentLinks]:
    _report_lost_content(meta.source, meta.body.first_line, body, report)
    doc = Document(meta.source, meta.path)
    if body.stored_html is not None:  # a page is held whole: there are few
        body = dataclasses.replace(body, html=body.stored_html(), stored_html=None)
    html, _, links = resolve_links_and_urls(body, doc, context)
    page = Page(meta.source, meta.title, meta.path, html, meta.summary or body.summary, body.toc, meta.search, meta.extra or {})
    return page, DocumentLinks(doc, body.ids, links)
