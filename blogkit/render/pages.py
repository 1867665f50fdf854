"""Render the site model into pages with Jinja: site templates shadow the theme's.

Templates are trusted code written by the site's maintainers; post text is
data: it reaches templates as values, autoescaped, and is never evaluated as
a template.
"""

from __future__ import annotations

import multiprocessing
import os
import posixpath
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import jinja2

from blogkit.core.diagnostics import Diagnostic, Location, Report
from blogkit.core.feedformats import FEED_FORMATS, feed_path
from blogkit.core.model import Post, Site
from blogkit.core.outputs import CopyFile, OutputTree
from blogkit.core.urls import join, output_file
from blogkit.load.highlight import stylesheet
from blogkit.load.markdown import toc_tree
from blogkit.render.discussion import Discussions
from blogkit.render.feeds import FeedScope, FeedWriter, scopes

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def create_environment(site_root: str, theme_dir: str) -> jinja2.Environment:
    loaders = [os.path.join(site_root, "templates"), os.path.join(theme_dir, "templates")]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([d for d in loaders if os.path.isdir(d)]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["human_date"] = human_date
    env.filters["iso"] = lambda d: d.isoformat()
    return env


def human_date(value: datetime) -> str:
    """'3 March 2026': the same in every locale, so builds are reproducible anywhere."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


class Renderer:
    def __init__(
        self, site: Site, env: jinja2.Environment, report: Report, *, now: datetime | None = None, preview: bool = False, jobs: int = 1
    ) -> None:
        """`now` is the build's reference time (default: `build_time()`); `preview` is True under
        `blogkit serve`, where no third-party embed or reply count is loaded; `jobs` > 1 renders
        pages in that many worker processes when the site is large enough for it to pay."""
        self.site = site
        self.jobs = jobs
        self.env = env
        self.report = report
        self._reported: set[tuple[Location, str]] = set()
        config = site.config
        zone = config.zone
        base = config.base_path
        self._origin = config.base_url[: len(config.base_url) - len(base)]
        if now is None:
            from blogkit.engine.build import build_time  # build imports this module

            now = build_time()
        discussions = Discussions(site, abs_url=self.abs_url, now=now, preview=preview)
        report.extend(discussions.problems())
        env.globals.update(
            site=site,
            config=config,
            url=lambda path: join(base, path),
            abs_url=self.abs_url,
            authors_of=lambda post: [site.authors[h] for h in post.authors],
            tags_of=lambda post: [site.tags[s] for s in post.tags],
            team_of=lambda author: site.teams.get(author.team),
            local=lambda when: when.astimezone(zone),
            feeds_for=self.feeds_for,
            post_json_ld=self.post_json_ld,
            toc_tree=toc_tree,
            discussion_for=discussions.for_post,
            preview=preview,
        )

    def abs_url(self, path: str) -> str:
        return self._origin + join(self.site.config.base_path, path)

    def post_json_ld(self, post: Post) -> dict[str, Any]:
        """schema.org BlogPosting with every author as a Person (templates write it with tojson)."""
        abs_url = self.abs_url
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": post.title,
            "url": abs_url(post.path),
            "mainEntityOfPage": abs_url(post.path),
            "datePublished": post.date.isoformat(),
            "dateModified": post.last_modified.isoformat(),
            "author": [{"@type": "Person", "name": a.name, "url": abs_url(a.path)} for a in (self.site.authors[h] for h in post.authors)],
            "publisher": {"@type": "Organization", "name": self.site.config.title, "url": abs_url("")},
            "inLanguage": self.site.config.language,
        }
        if post.summary:
            data["description"] = post.summary
        if post.tags:
            data["keywords"] = [self.site.tags[s].name for s in post.tags]
        if post.image:
            data["image"] = post.image if post.image.startswith(("https://", "http://")) else abs_url(post.image)
        return data

    def feeds_for(self, scope_path: str) -> list[dict[str, str]]:
        """The feeds of a page (the hub, an author, a tag, a team) for links and autodiscovery."""
        return [
            {"format": fmt, "type": FEED_FORMATS[fmt].media_type, "path": feed_path(scope_path, fmt), "name": FEED_FORMATS[fmt].label}
            for fmt in self.site.config.feeds.formats
        ]

    # -- one template --------------------------------------------------------------------------
    def render(self, template: str, path: str, **context: Any) -> str | None:
        try:
            return self.env.get_template(template).render(page_path=path, **context)
        except jinja2.TemplateSyntaxError as exc:
            self._template_problem(exc.filename or exc.name or template, exc.lineno, f"template syntax error: {exc.message}")
        except jinja2.TemplateNotFound as exc:
            self._template_problem(template, 0, f"template '{exc.name}' not found")
        except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
            filename, line = _template_frame(exc)
            self._template_problem(filename or template, line, f"error in template: {type(exc).__name__}: {exc}")
        return None

    def _template_problem(self, filename: str, line: int, message: str) -> None:
        root = self.site.config.root
        shown = os.path.relpath(filename, root) if os.path.isabs(filename) and filename.startswith(root + os.sep) else filename
        location = Location(shown.replace(os.sep, "/"), line or 0, 1 if line else 0)
        if (location, message) not in self._reported:
            self._reported.add((location, message))
            self.report.error(location, message, "templates are checked by Jinja; see the template's line above")

    # -- the whole site -----------------------------------------------------------------------
    def render_site(self, tree: OutputTree, source_file: Callable[[str], str]) -> None:
        pages = list(self._pages())
        for (_, path, origin, _), html in zip(pages, self._render_pages(pages), strict=True):
            if html is not None:
                tree.add(output_file(path), html, origin)
        self._write_feeds(tree)
        self._copy_files(tree, source_file)

    def _parallel(self, count: int) -> bool:
        return self.jobs > 1 and count >= _PARALLEL_MIN_JOBS and "fork" in multiprocessing.get_all_start_methods()

    def _render_pages(self, pages: list[PageJob]) -> list[str | bytes | None]:
        if self._parallel(len(pages)):
            return _in_workers(self, pages, _render_page_range)
        return [self.render(template, path, **context) for template, path, _, context in pages]

    def _merge_problems(self, diagnostics: list[Diagnostic]) -> None:
        for d in diagnostics:
            if (d.location, d.message) not in self._reported:
                self._reported.add((d.location, d.message))
                self.report.diagnostics.append(d)

    def _write_feeds(self, tree: OutputTree) -> None:
        entries = self.site.config.feeds.entries
        jobs = [(scope, fmt) for scope in scopes(self.site) for fmt in self.site.config.feeds.formats]
        if self._parallel(len(jobs)):
            texts: list[str | bytes | None] = _in_workers(self, jobs, _render_feed_range)
        else:
            writer = FeedWriter(self.site)
            texts = [self.feed(writer, scope, fmt, entries) for scope, fmt in jobs]
        for (scope, fmt), text in zip(jobs, texts, strict=True):
            if text is not None:
                tree.add(feed_path(scope.path, fmt), text, Location("(feeds)"))

    def feed(self, writer: FeedWriter, scope: FeedScope, fmt: str, entries: int) -> str | bytes:
        """One feed's text (the hook `blogkit serve` memoises)."""
        return writer.render(scope, fmt, entries)

    def _pages(self) -> Iterator[tuple[str, str, Location, dict[str, Any]]]:
        site = self.site
        theme = Location("(theme)")
        for post in sorted(site.posts, key=lambda p: p.source):
            older, newer = site.neighbours(post)
            yield (
                "post.html",
                post.path,
                Location(post.source, 1, 1),
                {"post": post, "series": site.series_nav(post), "older": older, "newer": newer},
            )
            for alias in post.aliases:
                yield "alias.html", alias, Location(post.source, 1, 1), {"target": post}
        for page in site.pages:
            yield "page.html", page.path, Location(page.source, 1, 1), {"page": page}
        yield from self._hub_pages(theme)
        yield "authors.html", "authors/", theme, {"authors": list(site.authors.values())}
        for handle, author in site.authors.items():
            yield "author.html", author.path, Location(author.source), {"author": author, "posts": site.posts_by_author[handle]}
        yield "tags.html", "tags/", theme, {"tags": list(site.tags.values())}
        for slug, tag in site.tags.items():
            yield "tag.html", tag.path, theme, {"tag": tag, "posts": site.posts_by_tag.get(slug, ())}
        for key, team in site.teams.items():
            members = [a for a in site.authors.values() if a.team == key]
            yield "team.html", team.path, Location("teams.yaml"), {"team": team, "members": members, "posts": site.posts_by_team[key]}
        yield "archive.html", "archive/", theme, {"years": site.archive()}
        yield "404.html", "404.html", theme, {}
        yield "sitemap.xml", "sitemap.xml", theme, {"entries": self._sitemap_entries()}
        yield "robots.txt", "robots.txt", theme, {}

    def _hub_pages(self, origin: Location) -> Iterator[tuple[str, str, Location, dict[str, Any]]]:
        posts = self.site.posts
        size = self.site.config.paginate
        chunks = [posts[i : i + size] for i in range(0, len(posts), size)] or [()]
        paths = [""] + [f"page/{n}/" for n in range(2, len(chunks) + 1)]
        for number, chunk in enumerate(chunks, start=1):
            pagination = {
                "number": number,
                "total": len(chunks),
                "newer": paths[number - 2] if number > 1 else None,
                "older": paths[number] if number < len(chunks) else None,
            }
            yield "index.html", paths[number - 1], origin, {"posts": chunk, "pagination": pagination}

    def _sitemap_entries(self) -> list[tuple[str, datetime | None]]:
        site = self.site
        entries: list[tuple[str, datetime | None]] = [("", site.posts[0].last_modified if site.posts else None)]
        entries += [(post.path, post.last_modified) for post in site.posts]
        entries += [(page.path, None) for page in site.pages]
        entries += [(p, None) for p in ("authors/", "tags/", "archive/")]
        entries += [(a.path, None) for a in site.authors.values()]
        entries += [(t.path, None) for t in site.tags.values()]
        entries += [(t.path, None) for t in site.teams.values()]
        return sorted(entries, key=lambda e: e[0])

    def _copy_files(self, tree: OutputTree, source_file: Callable[[str], str]) -> None:
        site = self.site
        for post in site.posts:
            bundle_dir = posixpath.dirname(post.source)
            for asset in post.assets:
                tree.add(post.path + asset[len(bundle_dir) + 1 :], CopyFile(source_file(asset)), Location(asset))
        site_static = {path[len("static/") :] for path in site.static_files}
        for path in site.static_files:
            tree.add(path[len("static/") :], CopyFile(source_file(path)), Location(path))
        theme_static = os.path.join(site.config.theme_dir, "static")
        for dirpath, dirnames, filenames in os.walk(theme_static):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, theme_static).replace(os.sep, "/")
                if rel not in site_static:
                    tree.add(rel, CopyFile(full), Location("(theme)"))
        if "assets/highlight.css" not in site_static:
            tree.add("assets/highlight.css", stylesheet(), Location("(theme)"))


# -- rendering pages in worker processes ------------------------------------------------------
# The workers are forked after the site model is built, so they share it (copy-on-write) with
# the parent and receive only index ranges; each returns its pages' bytes and its problems.

PageJob = tuple[str, str, Location, dict[str, Any]]
_PARALLEL_MIN_JOBS = 400
_WORK: tuple[Renderer, Sequence[Any], Callable[[Renderer, Sequence[Any]], list[bytes | None]]] | None = None


def _in_workers(
    renderer: Renderer, jobs: Sequence[Any], work: Callable[[Renderer, Sequence[Any]], list[bytes | None]]
) -> list[str | bytes | None]:
    """`work(renderer, jobs[a:b])` over ranges of jobs in forked workers; results in job order."""
    global _WORK
    _WORK = (renderer, jobs, work)
    try:
        size = max(16, len(jobs) // (renderer.jobs * 8))
        ranges = [(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
        with multiprocessing.get_context("fork").Pool(renderer.jobs) as pool:
            chunks = pool.map(_work_range, ranges, chunksize=1)
    finally:
        _WORK = None
    results: list[str | bytes | None] = []
    for done, problems in chunks:
        results.extend(done)
        renderer._merge_problems(problems)
    return results


def _work_range(bounds: tuple[int, int]) -> tuple[list[bytes | None], list[Diagnostic]]:
    assert _WORK is not None, "workers are forked by _in_workers"
    renderer, jobs, work = _WORK
    renderer.report = Report()
    return work(renderer, jobs[bounds[0] : bounds[1]]), renderer.report.diagnostics


def _render_page_range(renderer: Renderer, pages: Sequence[PageJob]) -> list[bytes | None]:
    rendered = (renderer.render(template, path, **context) for template, path, _, context in pages)
    return [None if html is None else html.encode("utf-8") for html in rendered]


def _render_feed_range(renderer: Renderer, jobs: Sequence[tuple[FeedScope, str]]) -> list[bytes | None]:
    writer = FeedWriter(renderer.site)
    entries = renderer.site.config.feeds.entries
    return [writer.render(scope, fmt, entries).encode("utf-8") for scope, fmt in jobs]


def _template_frame(exc: BaseException) -> tuple[str, int]:
    """The innermost template file and line of an exception raised while rendering."""
    found = ("", 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (frame.filename, frame.lineno or 0)
    return found
