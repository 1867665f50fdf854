"""`blogkit.yaml`: load and validate the site configuration into a frozen value.

Unknown keys are errors here (a typo in the config silently changes a whole
site); every problem is reported at once, then `ConfigError` stops the build.
"""

from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from blogkit import yamlio
from blogkit.diagnostics import ConfigError, Diagnostic, Location, Report, Severity
from blogkit.fields import Fields

CONFIG_FILE = "blogkit.yaml"
PERMALINK_FIELDS = ("year", "month", "day", "slug", "author")
RAW_HTML_POLICIES = ("sanitize", "allow", "escape")


def _default_theme() -> str:
    """The theme inside the installed wheel, else the source tree's top-level themes/."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "themes", "default"), os.path.join(here, os.pardir, "themes", "default")):
        if os.path.isdir(candidate):
            return os.path.normpath(candidate)
    raise RuntimeError("the default theme is missing from this installation of blogkit")


THEME_DIR = _default_theme()


@dataclass(frozen=True, slots=True)
class MarkdownConfig:
    raw_html: str = "sanitize"
    toc_min_headings: int = 3


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    formats: tuple[str, ...] = ("atom", "rss", "json")
    entries: int = 20


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: str
    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    permalink: str = "/{year}/{month}/{slug}/"
    paginate: int = 10
    markdown: MarkdownConfig = MarkdownConfig()
    feeds: FeedsConfig = FeedsConfig()
    theme_dir: str = THEME_DIR

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or e.g. '/blog/'."""
        return urlsplit(self.base_url).path or "/"


_KEYS = ("title", "description", "base_url", "language", "timezone", "permalink", "paginate", "markdown", "feeds", "theme")
_FEED_KEYS = ("formats", "entries")
FEED_FORMATS = ("atom", "rss", "json")
_MARKDOWN_KEYS = ("raw_html", "toc_min_headings")


def load_config(root: str) -> SiteConfig:
    """Read SITE/blogkit.yaml; raises ConfigError listing every problem."""
    root = os.path.abspath(root)
    path = os.path.join(root, CONFIG_FILE)
    if not os.path.isdir(root):
        raise ConfigError([_problem(root, f"site folder '{root}' does not exist", "pass the folder that holds blogkit.yaml")])
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except FileNotFoundError:
        raise ConfigError(
            [_problem(CONFIG_FILE, f"no {CONFIG_FILE} in '{root}'", "create one with `blogkit init DIR`, or pass the site folder")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([_problem(CONFIG_FILE, f"cannot read {CONFIG_FILE}: {exc}")]) from None

    report = Report()
    data, problem = yamlio.load(text)
    if problem:
        report.error(Location(CONFIG_FILE, problem.line, problem.column), problem.message, problem.hint)
        raise ConfigError(report.diagnostics)
    if not isinstance(data, dict):
        raise ConfigError([_problem(CONFIG_FILE, f"{CONFIG_FILE} must be a mapping of `key: value` lines", "start with `title: My Hub`")])

    fields = Fields(data, text=text, path=CONFIG_FILE, line_offset=0, report=report, what=CONFIG_FILE)
    fields.check_keys(_KEYS, unknown_is_error=True)
    title = fields.string("title", required=True) or ""
    base_url = fields.url("base_url", required=True) or "https://example.com/"
    if not base_url.endswith("/"):
        base_url += "/"
    timezone = fields.string("timezone") or "UTC"
    if timezone not in available_timezones():
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            fields.error(("timezone",), f"unknown time zone '{timezone}'", "use an IANA name such as Europe/Berlin or UTC")
            timezone = "UTC"
    permalink = _permalink(fields)
    markdown = _markdown(fields)
    theme_dir = THEME_DIR
    theme = fields.string("theme")
    if theme:
        theme_dir = os.path.normpath(os.path.join(root, theme))
        if not os.path.isdir(os.path.join(theme_dir, "templates")):
            fields.error(
                ("theme",), f"theme folder '{theme}' has no templates/ folder", "point `theme` at a folder holding templates/ and static/"
            )
            theme_dir = THEME_DIR

    config = SiteConfig(
        root=root,
        title=title,
        base_url=base_url,
        description=fields.string("description") or "",
        language=fields.string("language") or "en",
        timezone=timezone,
        permalink=permalink,
        paginate=fields.integer("paginate", 10),
        markdown=markdown,
        feeds=_feeds(fields),
        theme_dir=theme_dir,
    )
    if report.errors:
        raise ConfigError(report.diagnostics)
    return config


def _permalink(fields: Fields) -> str:
    pattern = fields.string("permalink") or "/{year}/{month}/{slug}/"
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        names = ["?"]
    unknown = [n for n in names if n not in PERMALINK_FIELDS]
    if unknown or "slug" not in names or not re.fullmatch(r"[A-Za-z0-9_{}/.-]+", pattern):
        fields.error(
            ("permalink",),
            f"permalink '{pattern}' is not a valid pattern",
            "use /-separated parts with {year} {month} {day} {author} and {slug}, e.g. /{year}/{month}/{slug}/",
        )
        return "/{year}/{month}/{slug}/"
    return "/" + pattern.strip("/") + "/"


def _markdown(fields: Fields) -> MarkdownConfig:
    section = fields.mapping("markdown")
    if section is None:
        return MarkdownConfig()
    sub = fields.section("markdown", section, "the markdown section")
    sub.check_keys(_MARKDOWN_KEYS, unknown_is_error=True)
    return MarkdownConfig(
        raw_html=sub.choice("raw_html", RAW_HTML_POLICIES, "sanitize"),
        toc_min_headings=sub.integer("toc_min_headings", 3, minimum=0),
    )


def _feeds(fields: Fields) -> FeedsConfig:
    section = fields.mapping("feeds")
    if section is None:
        return FeedsConfig()
    sub = fields.section("feeds", section, "the feeds section")
    sub.check_keys(_FEED_KEYS, unknown_is_error=True)
    formats: list[str] = []
    for index, name in sub.string_list("formats") or [(-1, f) for f in FEED_FORMATS]:
        if name not in FEED_FORMATS:
            sub.error(("formats",) if index < 0 else ("formats", index), f"unknown feed format '{name}'", "formats are atom, rss and json")
        elif name not in formats:
            formats.append(name)
    return FeedsConfig(formats=tuple(formats), entries=sub.integer("entries", 20, minimum=1))


def _problem(path: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(Severity.ERROR, Location(path), message, hint)
