"""Read posts and pages: split the front matter, validate every key, keep line offsets.

Lines in diagnostics are lines of the file: the front matter starts on line 2
(after the opening `---`), so YAML marks are shifted by one, and the Markdown
body's first line is passed on for markdown-it's token maps.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from blogkit.core import yamlio
from blogkit.core.bodies import BodySource
from blogkit.core.config import LimitsConfig, SiteConfig
from blogkit.core.diagnostics import Location, Report
from blogkit.core.fields import MAX_YEAR, MIN_YEAR, Fields, in_range, is_http_url, parse_when
from blogkit.core.lint_rules import LintLevels, read_lint_levels
from blogkit.core.model import Update
from blogkit.core.urls import check_alias, expand_permalink, is_valid_slug, slugify
from blogkit.load.profiles import Profiles
from blogkit.load.sources import PostSource, read_text


@dataclass(frozen=True, slots=True)
class FrontMatterKey:
    """A key a post's front matter takes; `page` > 0 when a page's takes it too."""

    name: str
    page: int = 0  # its place among a page's keys as hints list them (1 first); 0: posts only


# Every key of front matter, in the order hints list a post's keys: the one list of them. The
# readers below check and read these; the README's table, the importer, `blogkit new post` and the
# tests are checked against it (tests/test_frontmatter_keys.py, tests/test_properties.py).
FRONT_MATTER_KEYS = (
    FrontMatterKey("title", page=1),
    FrontMatterKey("date"),
    FrontMatterKey("authors"),
    FrontMatterKey("author"),
    FrontMatterKey("tags"),
    FrontMatterKey("summary", page=2),
    FrontMatterKey("updated"),
    FrontMatterKey("updates"),
    FrontMatterKey("draft", page=4),
    FrontMatterKey("slug", page=3),
    FrontMatterKey("discussion"),
    FrontMatterKey("comments"),
    FrontMatterKey("aliases"),
    FrontMatterKey("canonical"),
    FrontMatterKey("image"),
    FrontMatterKey("image_alt"),
    FrontMatterKey("series"),
    FrontMatterKey("id"),
    FrontMatterKey("extra", page=5),
    FrontMatterKey("search", page=6),
    FrontMatterKey("featured"),
    FrontMatterKey("lint", page=7),
)
POST_KEYS = tuple(key.name for key in FRONT_MATTER_KEYS)
PAGE_KEYS = tuple(key.name for key in sorted((key for key in FRONT_MATTER_KEYS if key.page), key=lambda key: key.page))
# a post's key written in a page: not a typo, so no did-you-mean, but what pages take
_POST_ONLY_KEYS = {
    key: (
        f"'{key}' is a key of posts; pages have no {key}",
        f"pages take {', '.join(PAGE_KEYS)}; a dated text by an author is a post: posts/<handle>/<yyyy-mm-dd>-<slug>.md",
    )
    for key in POST_KEYS
    if key not in PAGE_KEYS
}
DEFAULT_LIMITS = LimitsConfig()
_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)


@dataclass(frozen=True, slots=True)
class RawTag:
    """A tag as written; where it was written is worked out only when a diagnostic needs it."""

    name: str
    path: str
    front_matter: str
    keypath: tuple[yamlio.Key, ...]

    @property
    def location(self) -> Location:
        line, column = yamlio.locate(self.front_matter, self.keypath)
        return Location(self.path, line + 1, column)


@dataclass(frozen=True, slots=True)
class PostMeta:
    source: PostSource
    title: str
    date: datetime
    authors: tuple[str, ...]
    tags: tuple[RawTag, ...]
    slug: str
    path: str
    body: BodySource
    summary: str = ""
    updated: datetime | None = None
    updates: tuple[Update, ...] = ()
    draft: bool = False
    discussion: tuple[str, ...] = ()
    comments: str = "open"
    aliases: tuple[tuple[str, Location], ...] = ()
    canonical: str = ""
    image: str = ""
    image_alt: str = ""
    series: str = ""
    id: str = ""
    extra: dict[str, Any] | None = None
    search: bool = True  # False: left out of the site's search
    featured: bool = False  # shown large at the top of the front page (the newest post so marked)
    lint: LintLevels = ()  # the content lint's rules this post turns to notes or off


@dataclass(frozen=True, slots=True)
class PageMeta:
    source: str
    title: str
    path: str
    body: BodySource
    summary: str = ""
    draft: bool = False
    search: bool = True  # False: left out of the site's search
    lint: LintLevels = ()  # the content lint's rules this page turns to notes or off
    extra: dict[str, Any] | None = None  # free data for the site's templates, as a post's


@dataclass(frozen=True, slots=True)
class Document:
    front_matter: str
    body: BodySource


def split_document(path: str, text: str, report: Report, limits: LimitsConfig = DEFAULT_LIMITS) -> Document | None:
    """Split `---` front matter from the Markdown body, or report why it cannot be."""
    first_line = text.split("\n", 1)[0]
    if first_line.rstrip() != "---":
        hint = (
            "did you forget to add `---` on the first line?"
            if ":" in first_line
            else "start the file with `---`, the front matter (title: ...), then `---`"
        )
        report.error(Location(path, 1, 1), "missing front matter", hint)
        return None
    closing = _FENCE.search(text, len(first_line) + 1)
    if closing is None:
        report.error(Location(path, 1, 1), "front matter is not closed", "add a line `---` after the last front matter key")
        return None
    front_matter = text[len(first_line) + 1 : closing.start()]
    if len(front_matter) > limits.front_matter_bytes:
        report.error(
            Location(path, 2, 1),
            f"front matter is {len(front_matter.encode('utf-8', 'surrogatepass')) // 1024} KiB; "
            f"the limit is {limits.front_matter_bytes // 1024} KiB (limits.front_matter_bytes in blogkit.yaml)",
            "front matter holds a post's facts; put long text in the body, and data in a static file",
        )
        return None
    body_start = closing.end() + 1
    body_line = text.count("\n", 0, body_start) + 1
    return Document(front_matter, BodySource(text[body_start:], body_line))


def _front_matter_fields(path: str, document: Document, report: Report, what: str, limits: LimitsConfig) -> Fields | None:
    data, problem = yamlio.load(document.front_matter, line_offset=1)
    if problem:
        report.error(Location(path, problem.line + 1, problem.column), problem.message, problem.hint)
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        report.error(Location(path, 2, 1), "front matter must be `key: value` lines", "write title: My post")
        return None
    fields = Fields(data, text=document.front_matter, path=path, line_offset=1, report=report, what=what)
    if _check_sizes(fields, data, limits, (), set()):
        return None
    return fields


def _check_sizes(f: Fields, value: Any, limits: LimitsConfig, keypath: tuple[yamlio.Key, ...], seen: set[int]) -> bool:
    """Report each text and list over the limits; True when there was one. Each list or mapping
    is looked at once, however often YAML aliases repeat it."""
    if isinstance(value, str):
        if len(value) > limits.text_chars:
            f.error(
                keypath,
                f"this text is {len(value)} characters; the limit is {limits.text_chars} (limits.text_chars in blogkit.yaml)",
                "front matter holds a post's facts; put long text in the body",
            )
            return True
        return False
    if not isinstance(value, list | dict) or id(value) in seen:
        return False
    seen.add(id(value))
    if isinstance(value, list) and len(value) > limits.list_items:
        f.error(
            keypath,
            f"this list has {len(value)} items; the limit is {limits.list_items} (limits.list_items in blogkit.yaml)",
            "a post lists a few tags, authors and links; put data in a static file",
        )
        return True
    items = enumerate(value) if isinstance(value, list) else value.items()
    found = False
    for key, item in items:
        found = _check_sizes(f, key, limits, keypath, seen) | _check_sizes(f, item, limits, (*keypath, key), seen) or found
    return found


def read_post(
    root: str, source: PostSource, config: SiteConfig, profiles: Profiles, static: frozenset[str], report: Report
) -> PostMeta | None:
    limits = config.limits
    text = read_text(root, source.path, report, limits.file_bytes, "limits.file_bytes")
    if text is None:
        return None
    document = split_document(source.path, text, report, limits)
    if document is None:
        return None
    f = _front_matter_fields(source.path, document, report, "front matter", limits)
    if f is None:
        return None
    f.check_keys(POST_KEYS)
    zone = config.zone
    stem = os.path.basename(source.bundle_dir) if source.bundle_dir else os.path.basename(source.path)[:-3]

    name_date, name_slug = _split_name(stem, source.path, zone, report)
    title = _title(f, limits, 'add a line `title: "What we learned"`')
    date = f.when("date", zone) if f.has("date") else None
    if date is None and not f.has("date"):
        date = name_date
        if date is None and not _DATED_NAME.match(stem):
            f.error((), "the post has no date", "name the file yyyy-mm-dd-slug.md or add `date: 2026-03-01`")
    slug = _slug(f, name_slug)
    authors = _authors(f, source.owner, profiles)
    tags = _tags(f)
    updated = f.when("updated", zone)
    updates = _updates(f, zone)
    discussion = _urls(f, "discussion")
    comments = f.choice("comments", ("open", "closed"), "open")
    aliases = _aliases(f)
    canonical = f.url("canonical") or ""
    image = _image(f, source, static)
    image_alt = f.string("image_alt") or ""
    if image and not image_alt:
        f.warning(("image",), "the cover image has no image_alt", "describe the image for readers who cannot see it: image_alt: ...")
    extra = f.mapping("extra")
    draft = f.boolean("draft")
    summary = f.string("summary") or ""
    series = f.string("series") or ""
    post_id = f.string("id") or ""

    if title is None or date is None or slug is None or not authors:
        return None
    local = date.astimezone(zone)
    path = expand_permalink(config.permalink, when=local, slug=slug, author=authors[0])
    return PostMeta(
        source=source, title=title, date=date, authors=authors, tags=tags, slug=slug, path=path,
        body=document.body, summary=summary, updated=updated, updates=updates, draft=draft,
        discussion=discussion, comments=comments, aliases=aliases, canonical=canonical, image=image,
        image_alt=image_alt, series=series, id=post_id, extra=extra, search=f.boolean("search", True),
        featured=f.boolean("featured"),
        lint=read_lint_levels(f, unknown_is_error=False),
    )  # fmt: skip


def read_page(root: str, path: str, report: Report, limits: LimitsConfig = DEFAULT_LIMITS) -> PageMeta | None:
    text = read_text(root, path, report, limits.file_bytes, "limits.file_bytes")
    if text is None:
        return None
    document = split_document(path, text, report, limits)
    if document is None:
        return None
    f = _front_matter_fields(path, document, report, "front matter", limits)
    if f is None:
        return None
    f.check_keys(PAGE_KEYS, elsewhere=_POST_ONLY_KEYS)
    title = _title(f, limits, "add a line `title: About`")
    relative = path[len("pages/") : -len(".md")]
    folder, name = os.path.split(relative)
    slug = _slug(f, name if is_valid_slug(name) else slugify(name))
    if title is None or slug is None:
        return None
    page_path = (f"{folder}/" if folder else "") + f"{slug}/"
    summary, draft, search = f.string("summary") or "", f.boolean("draft"), f.boolean("search", True)
    lint = read_lint_levels(f, unknown_is_error=False)
    return PageMeta(path, title, page_path, document.body, summary, draft, search, lint, f.mapping("extra"))


def _title(f: Fields, limits: LimitsConfig, hint: str) -> str | None:
    title = f.string("title", required=True, hint=hint)
    if title is not None and len(title) > limits.title_chars:
        f.error(
            ("title",),
            f"the title is {len(title)} characters; the limit is {limits.title_chars} (limits.title_chars in blogkit.yaml)",
            "a title is a line; say the rest in `summary:` or the first paragraph",
        )
        return None
    return title


def _split_name(stem: str, path: str, zone: Any, report: Report) -> tuple[datetime | None, str]:
    match = _DATED_NAME.match(stem)
    if not match:
        return None, stem
    when = parse_when(f"{match.group(1)}-{match.group(2)}-{match.group(3)}", zone)
    if when is not None and not in_range(when, zone):
        report.error(
            Location(path, 1, 1), f"the file name's date '{stem[:10]}' is out of range", f"dates run from year {MIN_YEAR} to {MAX_YEAR}"
        )
        return None, match.group(4)
    if when is None:
        report.error(
            Location(path, 1, 1),
            f"the file name starts with an impossible date '{stem[:10]}'",
            "name the file yyyy-mm-dd-slug.md with a real date",
        )
    return when, match.group(4)


def _slug(f: Fields, from_name: str) -> str | None:
    if f.has("slug"):
        slug = f.string("slug")
        if slug is None:
            return None
        if not is_valid_slug(slug):
            f.error(
                ("slug",),
                f"slug '{slug}' is not valid: a slug is lowercase letters, digits and dashes",
                f"try slug: {slugify(slug) or 'my-post'}",
            )
            return None
        return slug
    if is_valid_slug(from_name):
        return from_name
    suggestion = slugify(from_name)
    if suggestion:
        return suggestion
    f.error((), f"cannot make a URL slug from the file name '{from_name}'", "add `slug: my-post` to the front matter")
    return None


def _authors(f: Fields, owner: str, profiles: Profiles) -> tuple[str, ...]:
    key = "authors" if f.has("authors") else "author"
    if f.has("authors") and f.has("author"):
        f.error(("author",), "use either 'author' or 'authors', not both")
    entries = f.string_list(key)
    if entries is None:
        entries = [] if f.has(key) else [(-2, owner)]
    handles: list[str] = []
    for index, handle in entries:
        handle = handle.strip()
        if index == -2:
            keypath: tuple[yamlio.Key, ...] = ()
        else:
            keypath = (key,) if index < 0 else (key, index)
        if handle in profiles.broken:
            continue  # its profile has errors, reported there; the post is left out with it
        if handle not in profiles.authors:
            close = difflib.get_close_matches(handle, list(profiles.authors), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"add a profile authors/{handle}.yaml"
            f.error(keypath, f"unknown author '{handle}'", hint)
        elif handle not in handles:
            handles.append(handle)
    if not entries and f.has(key):
        f.error((key,), f"'{key}' must name at least one author")
    return tuple(handles)


def _tags(f: Fields) -> tuple[RawTag, ...]:
    tags = []
    for index, name in f.string_list("tags") or []:
        keypath: tuple[yamlio.Key, ...] = ("tags",) if index < 0 else ("tags", index)
        name = " ".join(name.split())
        if not name:
            f.warning(keypath, "empty tag dropped")
            continue
        tags.append(RawTag(name, f.path, f.text, keypath))
    return tuple(tags)


def _updates(f: Fields, zone: Any) -> tuple[Update, ...]:
    if not f.has("updates"):
        return ()
    value = f.data["updates"]
    if not isinstance(value, list):
        f.error(
            ("updates",),
            "'updates' must be a list of {date, note}",
            "write updates: [{date: 2026-03-02, note: Fixed the benchmark numbers}]",
        )
        return ()
    updates = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or "date" not in item or not isinstance(item.get("note"), str) or not item["note"].strip():
            f.error(
                ("updates", i), "each update needs a 'date' and a 'note'", "write - {date: 2026-03-02, note: Fixed a typo in the query}"
            )
            continue
        when = f.when("date", zone, keypath=("updates", i, "date"))
        if when:
            updates.append(Update(when, item["note"].strip()))
    return tuple(sorted(updates, key=lambda u: u.date, reverse=True))


def _urls(f: Fields, key: str) -> tuple[str, ...]:
    if not f.has(key):
        return ()
    value = f.data[key]
    items = value if isinstance(value, list) else [value]
    urls = []
    for i, item in enumerate(items):
        keypath: tuple[yamlio.Key, ...] = (key, i) if isinstance(value, list) else (key,)
        url = f.check_url(item, keypath, key)
        if url:
            urls.append(url)
    return tuple(urls)


def _aliases(f: Fields) -> tuple[tuple[str, Location], ...]:
    aliases = []
    for index, alias in f.string_list("aliases") or []:
        keypath: tuple[yamlio.Key, ...] = ("aliases",) if index < 0 else ("aliases", index)
        path, problem = check_alias(alias.strip())
        if problem:
            f.error(keypath, f"alias '{alias}' is not a URL path this site can publish", problem)
            continue
        aliases.append((path, f.location(*keypath)))
    return tuple(aliases)


def cover_file(image: str, source: PostSource) -> str:
    """The site path of the file a post's cover is (`image` as read: "bundle:NAME" or a path under
    static/); "" for a URL or no cover."""
    if image.startswith("bundle:"):
        return f"{source.bundle_dir}/{image[len('bundle:') :]}"
    return f"static/{image}" if image and not is_http_url(image) else ""


def _image(f: Fields, source: PostSource, static: frozenset[str]) -> str:
    """The cover image as a site path (bundle file or static file) or an absolute URL."""
    image = f.string("image") or ""
    if not image or is_http_url(image):
        return image
    if source.bundle_dir and f"{source.bundle_dir}/{image}" in source.assets:
        return "bundle:" + image
    if f"static/{image.lstrip('/')}" in static:
        return image.lstrip("/")
    f.error(
        ("image",),
        f"cover image '{image}' is neither a file of this post's bundle nor under static/",
        "put the image beside index.md in a post bundle, under static/, or use an https URL",
    )
    return ""
