"""`blogkit.yaml`: validate the site configuration into a frozen value (`blogkit.load.config` reads the file).

Unknown keys are errors here (a typo in the config silently changes a whole
site); every problem is reported at once, then `ConfigError` stops the build.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from blogkit.core import yamlio
from blogkit.core.diagnostics import ConfigError, Diagnostic, Location, Report, Severity
from blogkit.core.discussion_config import DiscussionConfig, RepositoryConfig, read_discussion, read_repository
from blogkit.core.feedformats import FEED_FORMATS, FULL_CONTENT_DEFAULT, SCOPE_KINDS
from blogkit.core.fields import INTERNAL, Fields, config_keys
from blogkit.core.lint_rules import LintLevels, read_lint_levels
from blogkit.core.strings import babel_locale
from blogkit.core.urls import SiteUrls, address_problem, check_alias

CONFIG_FILE = "blogkit.yaml"
PERMALINK_FIELDS = ("year", "month", "day", "slug", "author")
RAW_HTML_POLICIES = ("sanitize", "allow", "escape")
HEADING_ID_SCHEMES = ("github", "zola", "kramdown")  # how a heading's id is made from its text (as those generators make it)
# what a link to nothing is: an error stops the build; a warning is reported (and fails --strict); a note is shown and fails no build
BROKEN_LINK_POLICIES = ("error", "warning", "note")
# template syntax left in a post (`{% include %}`): a warning (fails --strict), or a note for years of imported posts
TEMPLATE_SYNTAX_POLICIES = ("warning", "note")
LAYOUTS = ("hub", "column")  # brand.layout: a front page of the whole hub at wide widths, or one column of cards
FEED_SCOPE_PREFIXES = {"tag": "tags", "author": "authors", "team": "teams"}  # `legacy_feeds` scope 'tag:rust' -> the kind 'tags'
# `legacy_feeds` ids: what a post's entry id is: its own (front matter `id`, else the first URL it had), or that URL whatever its `id`
LEGACY_FEED_IDS = ("post", "url")


def _default_theme() -> str:
    """The theme inside the installed wheel, else the source tree's top-level themes/."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (os.path.join(package, "themes", "default"), os.path.join(package, os.pardir, "themes", "default")):
        if os.path.isdir(candidate):
            return os.path.normpath(candidate)
    raise RuntimeError("the default theme is missing from this installation of blogkit")


THEME_DIR = _default_theme()


@dataclass(frozen=True, slots=True)
class MarkdownConfig:
    raw_html: str = "sanitize"
    toc_min_headings: int = 3
    heading_ids: str = "github"  # one of HEADING_ID_SCHEMES
    template_syntax: str = "warning"  # one of TEMPLATE_SYNTAX_POLICIES: what Liquid or shortcode syntax left in a post is


@dataclass(frozen=True, slots=True)
class LinksConfig:
    broken: str = "error"  # one of BROKEN_LINK_POLICIES: `warning` lets a site with old broken links build, each still reported
    external_days: int = 7  # `check --external` asks again about a link to another site after this many days
    external_ignore: tuple[str, ...] = ()  # links `check --external` never asks about: a host ('example.com') or a URL prefix


@dataclass(frozen=True, slots=True)
class LegacyFeed:
    """A feed of one scope published at an extra path: an old site's feed URL, which readers are subscribed to."""

    path: str  # the output file, e.g. 'blog/atom.xml'
    scope: str  # 'hub', 'tag:<name>', 'author:<handle>', 'team:<key>'; or 'tags', 'authors', 'teams': a feed of those pages
    format: str  # one of FEED_FORMATS
    origin: Location = field(default=Location("blogkit.yaml"), compare=False)
    ids: str = "post"  # one of LEGACY_FEED_IDS

    @property
    def kind(self) -> str:
        """The scope kind of SCOPE_KINDS."""
        if self.scope == "hub" or self.lists_pages:
            return self.scope
        return FEED_SCOPE_PREFIXES[self.scope.split(":", 1)[0]]

    @property
    def lists_pages(self) -> bool:
        """Whether the feed lists the tag, author or team pages themselves (an old site's feed of its terms)."""
        return self.scope in FEED_SCOPE_PREFIXES.values()

    @property
    def name(self) -> str:
        """The tag, handle or team key the scope names ('' for the hub)."""
        return self.scope.split(":", 1)[1] if ":" in self.scope else ""


@dataclass(frozen=True, slots=True)
class Redirect:
    """An old URL of the site (a section, a listing) that leads to one of its pages, or to an address elsewhere."""

    path: str  # the output path of the old URL, as an alias's: 'blog/' or 'blog/index.html'
    target: str  # the site path it leads to: '' (the hub), 'tags/rust/', ...; '' too when it leaves the site
    origin: Location = field(default=Location("blogkit.yaml"), compare=False)
    fragment: str = ""  # a place on that page: 'year-2024' of 'archive/'
    address: str = ""  # where it leads outside the site, an http(s) URL ('https://example.com/post/'); '' for a page of the site


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    """What one post or page may ask of a build: far above any real post, far below what a
    mistake or a hostile pull request needs to stall CI or the preview server."""

    file_bytes: int = 2 * 1024 * 1024  # a post's or page's Markdown file
    front_matter_bytes: int = 64 * 1024
    text_chars: int = 16 * 1024  # any one text in front matter
    title_chars: int = 300
    list_items: int = 200  # any one list in front matter
    render_seconds: int = 10  # rendering one post's Markdown and code


@dataclass(frozen=True, slots=True)
class BrandConfig:
    """The company's look, without overriding templates: files under static/, and the accent colour."""

    logo: str = ""  # a path under static/, shown before the site's title
    favicon: str = ""  # a path under static/, in place of the theme's
    css: str = ""  # a path under static/: a stylesheet loaded after the theme's
    social_card: str = ""  # a PNG or JPEG under static/: the link-preview image of pages without a raster cover
    accent: str = ""  # "#RRGGBB": links, focus rings and buttons in light mode
    accent_dark: str = ""  # the same in dark mode (default: accent)
    layout: str = "hub"  # one of LAYOUTS: the front page as a hub (featured post, cards, people) or one column

    def soft(self, mode: str) -> str:
        """The accent's tint behind tags and highlights: an eighth of it over the mode's background."""
        colour = self.accent if mode == "light" else self.accent_dark
        return mix(colour, THEME_BACKGROUNDS[mode], SOFT_SHARE) if colour else ""


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """What `blogkit fetch` keeps, and how old `blogkit check` lets it get."""

    max_age_days: int = 7  # `check` warns about fetched data not refreshed for longer; 0: never


@dataclass(frozen=True, slots=True)
class CodeownersConfig:
    """Who `blogkit codeowners` gives what its profiles do not: the rest of the site."""

    editors: str = ""  # a GitHub team ('@acme/blog-editors') or handle reviewing everything but engineers' own folders


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    formats: tuple[str, ...] = tuple(FEED_FORMATS)
    entries: int = 20
    full_content: tuple[str, ...] = FULL_CONTENT_DEFAULT  # scope kinds whose entries carry the whole post; others, the summary


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: str = field(metadata=INTERNAL)
    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    permalink: str = "/{year}/{month}/{slug}/"
    paginate: int = 10
    markdown: MarkdownConfig = MarkdownConfig()
    links: LinksConfig = LinksConfig()
    lint: LintLevels = ()  # the content lint's rules the site turns to notes or off (the others are warnings)
    feeds: FeedsConfig = FeedsConfig()
    legacy_feeds: tuple[LegacyFeed, ...] = ()  # feeds of a scope at extra paths (an imported site's old feed URLs)
    redirects: tuple[Redirect, ...] = ()  # old URLs of listing pages (sections, categories), leading to a page of the site
    discussion: DiscussionConfig = DiscussionConfig()
    repository: RepositoryConfig | None = None
    limits: LimitsConfig = LimitsConfig()
    fetch: FetchConfig = FetchConfig()
    codeowners: CodeownersConfig = CodeownersConfig()
    brand: BrandConfig = BrandConfig()
    search: bool = True  # a full-text search of posts and pages at /search/ (Pagefind), built with the site
    theme_dir: str = field(default=THEME_DIR, metadata={"key": "theme"})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or e.g. '/blog/'."""
        return urlsplit(self.base_url).path or "/"

    @property
    def urls(self) -> SiteUrls:
        """The site's own URLs (root-relative, absolute, media), made from `base_url`."""
        return SiteUrls(self.base_url, self.base_path)


# the defaults of the optional keys, which the readers below fall back on (the required ones are placeholders)
_DEFAULT = SiteConfig(root="", title="", base_url="")
_KEYS = config_keys(SiteConfig)
_FEED_KEYS = config_keys(FeedsConfig)
_MARKDOWN_KEYS = config_keys(MarkdownConfig)
_LINKS_KEYS = config_keys(LinksConfig)
_LEGACY_FEED_KEYS = ("path", "scope", "format", "ids")
_REDIRECT_KEYS = ("from", "to")
_LIMITS_KEYS = config_keys(LimitsConfig)
_FETCH_KEYS = config_keys(FetchConfig)
_CODEOWNERS_KEYS = config_keys(CodeownersConfig)
_BRAND_KEYS = config_keys(BrandConfig)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# the theme's backgrounds, which an accent colour is read on (themes/default/static/assets/style.css)
THEME_BACKGROUNDS = {"light": "#ffffff", "dark": "#12151c"}
MIN_CONTRAST = 4.5  # WCAG 2 AA for text
SOFT_SHARE = 0.125


def read_config(text: str, root: str, *, is_file: Callable[[str], bool], is_dir: Callable[[str], bool]) -> SiteConfig:
    """The configuration written in `text`, blogkit.yaml of the site folder `root`; raises ConfigError
    listing every problem. `is_file` and `is_dir` answer for the files it names (brand files, a theme)."""
    report = Report()
    data, problem = yamlio.load(text)
    if problem:
        report.error(Location(CONFIG_FILE, problem.line, problem.column), problem.message, problem.hint)
        raise ConfigError(report.diagnostics)
    if not isinstance(data, dict):
        raise ConfigError(
            [config_problem(CONFIG_FILE, f"{CONFIG_FILE} must be a mapping of `key: value` lines", "start with `title: My Hub`")]
        )

    fields = Fields(data, text=text, path=CONFIG_FILE, line_offset=0, report=report, what=CONFIG_FILE)
    fields.check_keys(_KEYS, unknown_is_error=True)
    title = fields.string("title", required=True) or ""
    base_url = _base_url(fields)
    language = fields.string("language") or _DEFAULT.language
    if babel_locale(language) is None:
        fields.error(("language",), f"unknown language '{language}'", "use a language tag such as en, de, fr, es, pt, pt-BR or ja")
        language = _DEFAULT.language
    timezone = fields.string("timezone") or _DEFAULT.timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fields.error(("timezone",), f"unknown time zone '{timezone}'", "use an IANA name such as Europe/Berlin or UTC")
        timezone = _DEFAULT.timezone
    permalink = _permalink(fields)
    markdown = _markdown(fields)
    repository = read_repository(fields)
    theme_dir = THEME_DIR
    theme = fields.string("theme")
    if theme:
        theme_dir = os.path.normpath(os.path.join(root, theme))
        if not is_dir(os.path.join(theme_dir, "templates")):
            fields.error(
                ("theme",), f"theme folder '{theme}' has no templates/ folder", "point `theme` at a folder holding templates/ and static/"
            )
            theme_dir = THEME_DIR

    config = SiteConfig(
        root=root,
        title=title,
        base_url=base_url,
        description=fields.string("description") or _DEFAULT.description,
        language=language,
        timezone=timezone,
        permalink=permalink,
        paginate=fields.integer("paginate", _DEFAULT.paginate),
        markdown=markdown,
        links=_links(fields),
        lint=read_lint_levels(fields, unknown_is_error=True),
        feeds=_feeds(fields),
        legacy_feeds=_legacy_feeds(fields),
        redirects=_redirects(fields),
        discussion=read_discussion(fields, repository),
        repository=repository,
        limits=_limits(fields),
        fetch=_fetch(fields),
        codeowners=_codeowners(fields),
        brand=_brand(fields, root, is_file),
        search=fields.boolean("search", _DEFAULT.search),
        theme_dir=theme_dir,
    )
    if report.errors:
        raise ConfigError(report.diagnostics)
    return config


def _permalink(fields: Fields) -> str:
    default = _DEFAULT.permalink
    pattern = fields.string("permalink") or default
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        names = ["?"]
    unknown = [n for n in names if n not in PERMALINK_FIELDS]
    if unknown or "slug" not in names or not re.fullmatch(r"[A-Za-z0-9_{}/.-]+", pattern):
        fields.error(
            ("permalink",),
            f"permalink '{pattern}' is not a valid pattern",
            "use /-separated parts with {year} {month} {day} {author} and {slug}, e.g. " + default,
        )
        return default
    return "/" + pattern.strip("/") + "/"


def _markdown(fields: Fields) -> MarkdownConfig:
    sub = fields.known_section("markdown", _MARKDOWN_KEYS)
    if sub is None:
        return MarkdownConfig()
    default = _DEFAULT.markdown
    return MarkdownConfig(
        raw_html=sub.choice("raw_html", RAW_HTML_POLICIES, default.raw_html),
        toc_min_headings=sub.integer("toc_min_headings", default.toc_min_headings, minimum=0),
        heading_ids=sub.choice("heading_ids", HEADING_ID_SCHEMES, default.heading_ids),
        template_syntax=sub.choice("template_syntax", TEMPLATE_SYNTAX_POLICIES, default.template_syntax),
    )


def _links(fields: Fields) -> LinksConfig:
    sub = fields.known_section("links", _LINKS_KEYS)
    if sub is None:
        return LinksConfig()
    ignore = tuple(text.strip() for _, text in sub.string_list("external_ignore") or () if text.strip())
    default = _DEFAULT.links
    return LinksConfig(
        broken=sub.choice("broken", BROKEN_LINK_POLICIES, default.broken),
        external_days=sub.integer("external_days", default.external_days, minimum=0),
        external_ignore=ignore,
    )


def _entries(fields: Fields, key: str, known: tuple[str, ...], example: str) -> list[Fields]:
    """The mappings of a list of mappings, each checked for its keys."""
    if not fields.has(key):
        return []
    value = fields.data[key]
    if not isinstance(value, list):
        fields.error((key,), f"'{key}' must be a list, got {type(value).__name__}", f"write {key}: [{example}]")
        return []
    found = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            fields.error((key, index), f"each entry of '{key}' must be a mapping", f"write {example}")
            continue
        sub = Fields(
            item, text=fields.text, path=fields.path, line_offset=fields.line_offset, report=fields.report,
            what=f"an entry of '{key}'", prefix=(*fields.prefix, key, index),
        )  # fmt: skip
        sub.check_keys(known, unknown_is_error=True)
        found.append(sub)
    return found


def _old_path(sub: Fields, key: str) -> str:
    """An old URL path of the site as the output path it is written to, or '' (reported)."""
    written = sub.string(key, required=True) or ""
    if not written:
        return ""
    path, problem = check_alias(written)
    if problem:
        sub.error((key,), f"'{written}' is not a URL path this site can publish", problem)
    return path


def _legacy_feeds(fields: Fields) -> tuple[LegacyFeed, ...]:
    found = []
    for sub in _entries(fields, "legacy_feeds", _LEGACY_FEED_KEYS, "{path: /blog/atom.xml, scope: hub, format: atom}"):
        path = _old_path(sub, "path")
        if path.endswith("/"):
            sub.error(("path",), f"a feed's path must name a file, got '/{path}'", "write the file, e.g. /blog/atom.xml or /blog/index.xml")
            path = ""
        scope = (sub.string("scope") or "hub").strip()
        prefix, _, name = scope.partition(":")
        pages = scope in FEED_SCOPE_PREFIXES.values()
        if scope != "hub" and not pages and (prefix not in FEED_SCOPE_PREFIXES or not name.strip()):
            sub.error(
                ("scope",), f"unknown feed scope '{scope}'", "write hub, tag:<tag>, author:<handle>, team:<team>, or tags, authors, teams"
            )
            scope = ""
        fmt = sub.choice("format", tuple(FEED_FORMATS), "atom")
        ids = sub.choice("ids", LEGACY_FEED_IDS, "post")
        if path and scope:
            named = f"{prefix}:{name.strip()}" if name else scope
            found.append(LegacyFeed(path, named, fmt, sub.location(), ids))
    return tuple(found)


def _redirects(fields: Fields) -> tuple[Redirect, ...]:
    found = []
    for sub in _entries(fields, "redirects", _REDIRECT_KEYS, "{from: /blog/, to: /}"):
        path = _old_path(sub, "from")
        target = (sub.string("to", required=True) or "").strip()
        if target and _SCHEME.match(target):
            address = _redirect_address(sub, target)
            if path and address:
                found.append(Redirect(path, "", sub.location(), address=address))
            continue
        if target and not target.startswith("/"):
            sub.error(
                ("to",),
                f"'to' must be a path of this site starting with /, or an http(s) address, got '{target}'",
                "write e.g. to: /tags/rust/ or to: https://example.com/post/",
            )
            target = ""
        if path and target:
            page, _, fragment = target.partition("#")
            found.append(Redirect(path, page.lstrip("/"), sub.location(), fragment))
    return tuple(found)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # what an address starts with ('https:'), and no path of the site


def _redirect_address(sub: Fields, address: str) -> str:
    """A redirect's address outside the site, or '' (reported at `to`)."""
    problem = address_problem(address)
    if problem is not None:
        message, hint = problem
        sub.error(("to",), f"'to' {message}", hint)
        return ""
    return address


def _brand(fields: Fields, root: str, is_file: Callable[[str], bool]) -> BrandConfig:
    sub = fields.known_section("brand", _BRAND_KEYS)
    if sub is None:
        return BrandConfig()
    files = {}
    for key in ("logo", "favicon", "css", "social_card"):
        path = (sub.string(key) or "").strip().lstrip("/")
        if path.startswith("static/"):
            path = path[len("static/") :]
        if path and (".." in path.split("/") or not is_file(os.path.join(root, "static", *path.split("/")))):
            sub.error((key,), f"brand.{key}: there is no file static/{path}", "give a path under static/, e.g. logo: img/logo.svg")
            path = ""
        elif path and key == "css" and not path.endswith(".css"):
            sub.error((key,), f"brand.css must be a .css file, got {path}")
            path = ""
        elif path and key == "social_card" and not path.lower().endswith((".png", ".jpg", ".jpeg")):
            sub.error(
                (key,), f"brand.social_card must be a PNG or JPEG image, got {path}", "link previews do not show SVG or WebP everywhere"
            )
            path = ""
        files[key] = path
    colours: dict[str, str] = {}
    for key, mode in (("accent", "light"), ("accent_dark", "dark")):
        value = (sub.string(key) or "").strip()
        if key == "accent_dark" and not value:
            value = colours["accent"]
            given = "accent"
        else:
            given = key
        if value and not _COLOUR.match(value):
            sub.error((key,), f"brand.{key} must be a colour written #RRGGBB, got {value!r}")
            value = ""
        elif value and (ratio := min(contrast(value, bg) for bg in _backgrounds(value, mode))) < MIN_CONTRAST:
            hint = "choose a darker colour" if mode == "light" else "set brand.accent_dark to a lighter colour for dark mode"
            sub.error(
                (given,),
                f"brand.{given} {value} has a contrast of {ratio:.2f}:1 on the {mode} background {THEME_BACKGROUNDS[mode]} (or its tint); "
                f"links need at least {MIN_CONTRAST}:1 (WCAG AA)",
                hint,
            )
            value = ""
        colours[key] = value
    layout = sub.choice("layout", LAYOUTS, _DEFAULT.brand.layout)
    return BrandConfig(**files, **colours, layout=layout)


def _backgrounds(colour: str, mode: str) -> tuple[str, str]:
    """What the accent is read on: the page, and its own tint (tags)."""
    return THEME_BACKGROUNDS[mode], mix(colour, THEME_BACKGROUNDS[mode], SOFT_SHARE)


def mix(colour: str, background: str, share: float) -> str:
    """`share` of `colour` over `background`, as #rrggbb."""
    channels = [round(int(colour[i : i + 2], 16) * share + int(background[i : i + 2], 16) * (1 - share)) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)


def contrast(one: str, other: str) -> float:
    """The WCAG 2 contrast ratio of two #RRGGBB colours (1 to 21)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _fetch(fields: Fields) -> FetchConfig:
    sub = fields.known_section("fetch", _FETCH_KEYS)
    if sub is None:
        return FetchConfig()
    return FetchConfig(max_age_days=sub.integer("max_age_days", _DEFAULT.fetch.max_age_days, minimum=0))


_OWNER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?")


def _codeowners(fields: Fields) -> CodeownersConfig:
    sub = fields.known_section("codeowners", _CODEOWNERS_KEYS)
    if sub is None:
        return CodeownersConfig()
    editors = (sub.string("editors") or "").strip()
    if editors and not _OWNER.fullmatch(editors):
        sub.error(("editors",), f"'editors' must be a GitHub team or handle, got '{editors}'", "write it as GitHub does: @acme/editors")
        editors = ""
    return CodeownersConfig(editors=editors)


def _limits(fields: Fields) -> LimitsConfig:
    sub = fields.known_section("limits", _LIMITS_KEYS)
    if sub is None:
        return LimitsConfig()
    default = _DEFAULT.limits
    return LimitsConfig(**{name: sub.integer(name, getattr(default, name)) for name in _LIMITS_KEYS})


_BASE_URL_HINT = "write the scheme, host and path only, e.g. https://example.com/blog/"
# what a base_url may hold: RFC 3986's characters less quotes, so that no URL made from it needs escaping to stay one
_URL_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&()*+,;=%")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*\.?|\[[0-9A-Fa-f:.]+\]")  # a name (internationalised too) or [IPv6]


def _base_url(fields: Fields) -> str:
    """The site's address: scheme, host and an optional path; every URL of the site is made from it."""
    fallback = "https://example.com/"
    raw = fields.data.get("base_url")
    wrong = _base_url_problem(raw.strip()) if isinstance(raw, str) else None
    if wrong is not None:
        message, hint = wrong
        fields.error(("base_url",), f"'base_url' {message}: every URL of the site is made from it", hint)
        return fallback
    base_url = fields.url("base_url", required=True)
    if base_url is None:
        return fallback
    return base_url if base_url.endswith("/") else base_url + "/"


def _base_url_problem(value: str) -> tuple[str, str] | None:
    """(what is wrong, hint) with a base_url that would make wrong or unsafe URLs; None if nothing is."""
    for c in value:
        if c.isspace() or not c.isprintable():
            shown = "a space" if c == " " else f"a control or space character (U+{ord(c):04X})"
            return f"must not contain {shown}", "percent-encode it (a space is %20) or leave it out"
        if c.isascii() and c not in _URL_CHARACTERS:
            return f"must not contain the character {c} (U+{ord(c):04X})", f"percent-encode it (%{ord(c):02X}) or leave it out"
    if _PERCENT.search(value):
        return "must not contain a % that does not start a percent-encoding like %20", "write % itself as %25"
    try:
        parts = urlsplit(value)
    except ValueError:  # brackets that hold no IPv6 address
        return f"has the host '{value.split('/')[2]}', which is no host name", _BASE_URL_HINT
    if parts.scheme not in ("http", "https") or not value.lower().startswith(("http://", "https://")):
        return None  # reported as not an http(s) URL
    if "@" in parts.netloc:
        return "must not contain user credentials (user@ or user:password@)", _BASE_URL_HINT
    if parts.query or "?" in value:
        return "must not contain a query (?...)", _BASE_URL_HINT
    if parts.fragment or "#" in value:
        return "must not contain a fragment (#...)", _BASE_URL_HINT
    host, port = parts.netloc, ""
    if ":" in host and not host.endswith("]"):  # host:port, [IPv6]:port (an IPv6 address alone ends with ']')
        host, port = host.rsplit(":", 1)
    if not host:
        return "must name a host", _BASE_URL_HINT
    if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return f"has the port '{port}', not a number from 1 to 65535", "write e.g. https://example.com:8443/, or leave the port out"
    if not _HOST.fullmatch(host) or host.startswith((".", "-")):
        return f"has the host '{host}', which is no host name", _BASE_URL_HINT
    segments = parts.path.split("/")
    if any(segment.lower() in (".", "..", "%2e", "%2e%2e", ".%2e", "%2e.") for segment in segments):
        return "must not contain a dot segment (/./ or /../)", "write the path as it is served, e.g. https://example.com/blog/"
    return None


def _feeds(fields: Fields) -> FeedsConfig:
    sub = fields.known_section("feeds", _FEED_KEYS)
    if sub is None:
        return FeedsConfig()
    default = _DEFAULT.feeds
    formats = _names(sub, "formats", tuple(FEED_FORMATS), "feed format", default.formats)
    full = _names(sub, "full_content", SCOPE_KINDS, "feed scope", default.full_content)
    return FeedsConfig(formats=formats, entries=sub.integer("entries", default.entries, minimum=1), full_content=full)


def _names(sub: Fields, key: str, known: tuple[str, ...], what: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """A list of names out of `known`, in the order given, each once; `default` when the key is absent."""
    items = sub.string_list(key)
    if items is None:
        return default
    found: list[str] = []
    for index, name in items:
        if name not in known:
            sub.error((key,) if index < 0 else (key, index), f"unknown {what} '{name}'", f"{key} are {_listing(known)}")
        elif name not in found:
            found.append(name)
    return tuple(found)


def _listing(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def config_problem(path: str, message: str, hint: str = "") -> Diagnostic:
    """An error of the configuration as a whole, at a file rather than a line of it."""
    return Diagnostic(Severity.ERROR, Location(path), message, hint)
