"""Render the site model into pages with Jinja: site templates shadow the theme's.

Templates are trusted code written by the site's maintainers; post text is
data: it reaches templates as values, autoescaped, and is never evaluated as
a template.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from typing import Any

import jinja2
from jinja2 import nodes
from markupsafe import Markup

from blogkit.core.bodies import StoredHtmlLost, toc_tree
from blogkit.core.config import THEME_DIR
from blogkit.core.diagnostics import Location, Report
from blogkit.core.feedformats import FEED_FORMATS, feed_path
from blogkit.core.images import CONTENT_SIZES, Picture, picture, picture_html
from blogkit.core.model import Author, Post, Site
from blogkit.core.urls import archive_year_anchor
from blogkit.render.discussion import Discussions
from blogkit.render.feeds import FeedWriter
from blogkit.render.routes import FeedRoute, PageRoute
from blogkit.render.words import WORD, FixedWords, script_strings_function, word_function

# The post fields the template helpers below read of a post passed to them ("*": any). Helpers
# given a value rather than a post (url, local, toc_tree, ...) read nothing of their own.
HELPER_FIELDS: dict[str, frozenset[str]] = {
    "authors_of": frozenset({"authors"}),
    "tags_of": frozenset({"tags"}),
    "post_json_ld": frozenset({"*"}),
    "discussion_for": frozenset({"*"}),
}


def create_environment(site_root: str, theme_dir: str) -> jinja2.Environment:
    # the site's templates, then its theme's, then the default theme's for whatever a theme leaves out
    loaders = [os.path.join(site_root, "templates"), os.path.join(theme_dir, "templates"), os.path.join(THEME_DIR, "templates")]
    env = _Environment(
        loader=jinja2.FileSystemLoader(list(dict.fromkeys(d for d in loaders if os.path.isdir(d)))),
        autoescape=jinja2.select_autoescape(["html", "xml", "xsl"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,  # every template kept, in a plain dict: a theme has a few dozen, and an LRU's bookkeeping ran at every include
        extensions=[FixedWords],  # a word with no values is put in place when a template is compiled
    )
    env.filters["iso"] = lambda d: d.isoformat()
    env.filters["card_summary"] = card_summary
    return env


class _Environment(jinja2.Environment):
    """Jinja's environment, keeping the syntax tree of a template parsed by `parse` (which finds what the
    template reads: `engine.rendering.TemplateReads`) for the compiling of the same template that
    follows, which would parse it again."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._kept: dict[tuple[str, str | None, str | None], nodes.Template] = {}

    def parse(self, source: str, name: str | None = None, filename: str | None = None) -> nodes.Template:
        tree = super().parse(source, name, filename)
        self._kept[(source, name, filename)] = tree
        return tree

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        kept = self._kept.pop((source, name, filename), None)  # used once: compiling may change the tree
        return kept if kept is not None else super()._parse(source, name, filename)


CARD_SUMMARY_CHARS = 240


def card_summary(text: str, limit: int = CARD_SUMMARY_CHARS) -> str:
    """A summary short enough for a card: whole sentences when they fit, else cut at a word, with an
    ellipsis; never ending on the colon that led into a list or a code block."""
    text = text.strip()
    if len(text) > limit:
        cut = text[: limit + 1]
        sentence = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
        text = cut[: sentence + 1] if sentence >= limit // 2 else cut[: cut.rfind(" ")].rstrip(" ,;:–—-") + "…"
    if text.endswith(":"):
        text = text[:-1].rstrip() + "…"
    return text


class Renderer:
    def __init__(self, site: Site, env: jinja2.Environment, report: Report, *, now: datetime, preview: bool = False) -> None:
        """`now` is the build's reference time; `preview` is True under `blogkit serve`, where no
        third-party embed or reply count is loaded."""
        self.site = site
        self.env = env
        self.report = report
        self._reported: set[tuple[Location, str]] = set()
        config = site.config
        zone = config.zone
        self.urls = config.urls
        self.now, self.preview = now, preview
        self.discussions = discussions = Discussions(site, abs_url=self.abs_url, now=now, preview=preview)
        report.extend(discussions.problems())
        # the theme's words: `_(key, count, **values)`, `script_strings(*keys)` and dates (render/words.py)
        env.globals.update({WORD: word_function(site.strings), "script_strings": script_strings_function(site.strings)})
        env.filters["human_date"] = site.strings.date
        env.globals.update(
            site=site,
            config=config,
            url=self.urls.path,
            abs_url=self.abs_url,
            year_anchor=archive_year_anchor,
            authors_of=lambda post: [self.site.authors[h] for h in post.authors],
            tags_of=lambda post: [self.site.tags[s] for s in post.tags],
            team_of=lambda author: self.site.teams.get(author.team),
            local=lambda when: when.astimezone(zone),
            feeds_for=self.feeds_for,
            post_json_ld=self.post_json_ld,
            toc_tree=toc_tree,
            picture=self.picture,
            static_picture=self.static_picture,
            avatar_src=self.avatar_src,
            discussion_for=discussions.for_post,
            preview=preview,
        )

    def abs_url(self, path: str) -> str:
        return self.urls.absolute(path)

    def picture(self, pic: Picture, alt: str, *, sizes: str = CONTENT_SIZES, eager: bool = False, css_class: str = "") -> Markup:
        """An image of the site as `<picture>`: its variants, its size, lazy unless `eager`."""
        return Markup(picture_html(pic, self.urls.path, alt, sizes=sizes, eager=eager, css_class=css_class))  # noqa: S704 - escaped there

    def static_picture(self, path: str) -> Picture | None:
        """A file under static/ the site shows as an image (the brand's logo), with its size; None when not one."""
        facts = self.site.images.get(f"static/{path}")
        return picture(path, facts) if facts else None

    def avatar_src(self, author: Author, size: int) -> tuple[str, str]:
        """(src, srcset) of an author's avatar shown `size` pixels wide: its square sizes when made, else the file."""
        if author.avatar.startswith("https://"):
            return author.avatar, ""
        made = dict(author.avatars)
        src = self.urls.path(made.get(size, author.avatar))
        double = made.get(size * 2)
        return src, f"{self.urls.path(double)} 2x" if double and size in made else ""

    def show(self, site: Site) -> None:
        """Render `site` from now on: the same site with some posts' own values changed
        (`blogkit serve` after an edit), so that nothing worked out from the whole site is stale."""
        self.site = self.discussions.site = self.env.globals["site"] = site  # the same words: a catalogue's edit is a full build

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
            data["image"] = self.urls.media(post.image)
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
        except StoredHtmlLost:
            raise  # not the template's doing: `render_route` reports it
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

    # -- one output --------------------------------------------------------------------------
    def render_route(self, route: PageRoute | FeedRoute, writer: FeedWriter | None = None) -> str | bytes | None:
        """A page's or a feed's text (None when its template failed, or the cache lost a post it shows: the problem is reported)."""
        try:
            if isinstance(route, PageRoute):
                return self.render(route.template, route.path, **route.context)
            return (writer or FeedWriter(self.site)).render(route.scope, route.format, self.site.config.feeds.entries)
        except StoredHtmlLost as exc:
            self.report.error(Location(route.file), str(exc), "the cache folder was changed or removed during the build: build again")
            return None


def _template_frame(exc: BaseException) -> tuple[str, int]:
    """The innermost template file and line of an exception raised while rendering."""
    found = ("", 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (frame.filename, frame.lineno or 0)
    return found
