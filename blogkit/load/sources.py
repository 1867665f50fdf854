"""Discover the files of a site folder: posts, bundles, pages, profiles, static files.

The only stage (with the readers) that looks at the site folder. Everything it
finds is either returned or reported: a file in the wrong place is a
diagnostic, never silently ignored.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from blogkit.core import yamlio
from blogkit.core.diagnostics import Location, Report, size_text
from blogkit.core.files import read_at_most
from blogkit.core.urls import is_valid_slug

_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", ".keep"}


@dataclass(frozen=True, slots=True)
class PostSource:
    path: str  # site-relative, with forward slashes
    owner: str  # the handle of the folder it is in
    bundle_dir: str = ""  # site-relative folder of a bundle, "" for a single file
    assets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sources:
    posts: tuple[PostSource, ...]
    pages: tuple[str, ...]
    authors: tuple[str, ...]
    static: tuple[str, ...]


def is_ignored(name: str) -> bool:
    """Hidden files, editor swap and backup files."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".bak")) or name in _IGNORED_NAMES


def _walk(root: str, sub: str, report: Report) -> list[str]:
    """Site-relative paths of every file under root/sub, sorted, hidden files skipped.

    Symbolic links are followed only while they stay inside the site folder; one that leads
    outside it, or nowhere, is an error naming the link and its target."""
    if not _inside(root, sub, report):
        return []
    return walk_files(root, sub, lambda path: not is_ignored(path.rsplit("/", 1)[-1]) and _inside(root, path, report))


def walk_files(root: str, folder: str, keep: Callable[[str], bool]) -> list[str]:
    """Every file under root/folder ('' for root itself) as a '/'-separated path from root, sorted.

    Links to folders are followed, and each folder is walked once (a link back to one already walked
    is not); a file or folder whose path `keep` refuses, which reports why as its caller wants, is left
    out with all it holds."""
    found: list[str] = []
    seen: set[str] = set()
    for current, dirs, names in os.walk(os.path.join(root, folder) if folder else root, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:  # a link back to a folder already walked
            dirs[:] = []
            continue
        seen.add(real)
        here = os.path.relpath(current, root).replace(os.sep, "/")
        prefix = "" if here == "." else here + "/"
        dirs[:] = sorted(d for d in dirs if keep(prefix + d))
        found += [prefix + name for name in sorted(names) if keep(prefix + name)]
    return sorted(found)


def _inside(root: str, rel: str, report: Report) -> bool:
    """Whether a site path is a real file or folder of the site, or a link that stays inside it."""
    full = os.path.join(root, *rel.split("/"))
    if not os.path.islink(full):
        return True
    target = os.readlink(full)
    real = os.path.realpath(full)
    site = os.path.realpath(root)
    if not os.path.exists(real):
        report.error(
            Location(rel), f"'{rel}' is a symbolic link to '{target}', which does not exist", "remove the link or restore its target"
        )
        return False
    if real != site and not real.startswith(site + os.sep):
        report.error(
            Location(rel),
            f"'{rel}' is a symbolic link to '{target}', outside the site folder",
            "nothing outside the site folder is published or served: copy the file into the site, or remove the link",
        )
        return False
    return True


def discover(root: str, report: Report) -> Sources:
    return Sources(
        posts=_discover_posts(root, report),
        pages=tuple(p for p in _walk(root, "pages", report) if _is_markdown(p, root, report, "pages")),
        authors=_discover_profiles(root, report),
        static=tuple(_walk(root, "static", report)),
    )


# What blogkit reads at the top of a site folder (besides a theme folder the config names).
SITE_FOLDERS = ("posts", "authors", "pages", "static", "templates", "i18n")
SITE_FILES = ("blogkit.yaml", "teams.yaml", "tags.yaml")


def check_site_root(root: str, report: Report, also_read: tuple[str, ...] = ()) -> None:
    """A warning for each folder or file at the top of the site whose name is a near miss of one
    blogkit reads (`post/`, `Authors/`, `statics/`, `tags.yml`): what is in it would be silently
    left out. Other names (a repository's `docs/`, `.github/`, `node_modules/`) are left alone."""
    try:
        with os.scandir(root) as scan:
            entries = sorted((e.name, e.is_dir()) for e in scan)
    except OSError:
        return
    for name, is_dir in entries:
        known = SITE_FOLDERS if is_dir else SITE_FILES
        if is_ignored(name) or name in known or name in also_read:
            continue
        spellings = {k: k for k in known} | ({} if is_dir else {f"{k[:-5]}.yml": k for k in known})
        close = difflib.get_close_matches(name.strip().lower(), list(spellings), n=1, cutoff=0.8)
        if not close:
            continue
        wanted, kind = (f"{spellings[close[0]]}/", "folder") if is_dir else (spellings[close[0]], "file")
        report.warning(
            Location(name),
            f"the {kind} '{name}' is not read by blogkit: did you mean '{wanted}'?",
            f"rename it to {wanted}, or what is in it is left out of the site",
        )


_MARKDOWN_LIKE = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".text")


def _not_markdown(path: str, report: Report, message: str, hint: str) -> None:
    """A file blogkit does not read where Markdown belongs; a Markdown file with another extension
    (`.markdown`, `.MD`) gets told to be renamed."""
    stem, ext = os.path.splitext(path)
    if ext.lower() in _MARKDOWN_LIKE:
        report.warning(Location(path), f"ignored: blogkit reads Markdown from files ending in .md, not {ext}", f"rename it to {stem}.md")
    else:
        report.warning(Location(path), message, hint)


def _is_markdown(path: str, root: str, report: Report, where: str) -> bool:
    if path.endswith(".md"):
        return True
    _not_markdown(
        path, report, f"ignored: only Markdown (.md) files belong in {where}/", "move other files to static/ or into a post bundle"
    )
    return False


def _discover_profiles(root: str, report: Report) -> tuple[str, ...]:
    profiles = []
    for path in _walk(root, "authors", report):
        name = path[len("authors/") :]
        if "/" in name or not name.endswith((".yaml", ".yml")):
            report.warning(Location(path), "ignored: profiles are authors/<handle>.yaml files")
            continue
        profiles.append(path)
    return tuple(profiles)


def _discover_posts(root: str, report: Report) -> tuple[PostSource, ...]:
    posts_dir = os.path.join(root, "posts")
    if not os.path.isdir(posts_dir) or not _inside(root, "posts", report):
        return ()
    found: list[PostSource] = []
    for entry in sorted(os.listdir(posts_dir)):
        if is_ignored(entry) or not _inside(root, f"posts/{entry}", report):
            continue
        rel = f"posts/{entry}"
        if not os.path.isdir(os.path.join(posts_dir, entry)):
            report.error(Location(rel), "a post must be inside its author's folder", f"move it to posts/<handle>/{entry}")
            continue
        if not is_valid_slug(entry):
            report.error(
                Location(rel),
                f"'{entry}' is not a valid author handle",
                "handles are lowercase letters, digits and dashes, e.g. ada-okafor",
            )
            continue
        found.extend(_discover_author_posts(root, entry, report))
    return tuple(found)


def _discover_author_posts(root: str, handle: str, report: Report) -> list[PostSource]:
    folder = os.path.join(root, "posts", handle)
    posts = []
    with os.scandir(folder) as scan:  # the folder's own record of each entry's kind: no call per post
        entries = sorted((e.name, e.is_symlink(), e.is_dir()) for e in scan)
    for entry, is_link, is_dir in entries:
        rel = f"posts/{handle}/{entry}"
        if is_ignored(entry) or (is_link and not _inside(root, rel, report)):
            continue
        if is_dir:
            index = f"{rel}/index.md"
            if os.path.islink(os.path.join(root, index)) and not _inside(root, index, report):
                continue
            if not os.path.isfile(os.path.join(root, index)):
                other = next((n for n in _names(os.path.join(root, rel)) if n.lower() in _INDEX_LIKE), "")
                hint = f"rename {rel}/{other} to index.md" if other else f"add {index}, or move the files out of the folder"
                report.error(Location(rel), "a post bundle folder must contain index.md", hint)
                continue
            assets = tuple(p for p in _walk(root, rel, report) if p != index)
            posts.append(PostSource(index, handle, rel, assets))
        elif entry.endswith(".md"):
            posts.append(PostSource(rel, handle))
        else:
            _not_markdown(
                rel,
                report,
                "ignored: only .md files and bundle folders belong in an author's folder",
                "to publish a file with a post, make the post a bundle: <date>-<slug>/index.md with the file beside it",
            )
    return posts


_INDEX_LIKE = tuple(f"index{ext}" for ext in _MARKDOWN_LIKE)


def _names(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


MAX_FILE_BYTES = 4 * 1024 * 1024  # profiles, teams.yaml, tags.yaml; posts and pages have `limits.file_bytes`


def read_text(root: str, path: str, report: Report, max_bytes: int = MAX_FILE_BYTES, setting: str = "") -> str | None:
    """A site file as text: UTF-8, BOM dropped, newlines normalised; problems reported. A file over
    `max_bytes` (the config's `setting`, if one sets it) is an error before it is read."""
    full = os.path.join(root, path)
    try:
        size = os.stat(full).st_size
        data = b""
        if size <= max_bytes:
            data = read_at_most(full, max_bytes)
    except OSError as exc:
        report.error(Location(path), f"cannot read file: {exc.strerror or exc}")
        return None
    if size > max_bytes or len(data) > max_bytes:
        where = f" ({setting} in blogkit.yaml)" if setting else ""
        report.error(
            Location(path),
            f"file is {size_text(max(size, len(data)))}; the limit is {size_text(max_bytes)}{where}",
            "move large files to static/ and link to them",
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.error(Location(path, 1, 1), "file is UTF-16, not UTF-8", "save the file as UTF-8 (without a byte order mark)")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(Location(path, line, column), "file is not valid UTF-8", "save the file as UTF-8")
        return None
    if "\x00" in text:
        at = text.index("\x00")
        line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        report.error(Location(path, line, column), "file contains a NUL character", "is this a binary file?")
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _drop_control_characters(path, text, report)
    return text


_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _drop_control_characters(path: str, text: str, report: Report) -> str:
    """Control characters are invisible in an editor and invalid in HTML and XML: drop them, and say where."""
    for match in _CONTROL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        report.warning(
            Location(path, line, column),
            f"invisible control character U+{ord(match.group()):04X} removed",
            "it is usually pasted from a terminal or a PDF; delete it",
        )
    return _CONTROL.sub("", text)


def read_yaml_file(root: str, path: str, report: Report) -> tuple[object, str] | None:
    """(data, text) of a YAML file, or None after reporting why it cannot be read."""
    text = read_text(root, path, report)
    if text is None:
        return None
    data, problem = yamlio.load(text)
    if problem:
        report.error(Location(path, problem.line, problem.column), problem.message, problem.hint)
        return None
    return data, text


@dataclass(frozen=True, slots=True)
class ThemeFiles:
    """The templates and static files rendering uses, found with the rest so that rendering reads no folder."""

    templates: tuple[tuple[str, str], ...]  # (template name, absolute path): the site's shadowing the theme's
    static: tuple[tuple[str, str], ...]  # (path in the output, absolute path) of the theme's static files


def discover_theme(site_root: str, theme_dir: str, default_theme: str) -> ThemeFiles:
    """A theme's files, and the default theme's for whatever the theme leaves out; the site's templates win."""
    templates: dict[str, str] = {}
    static: dict[str, str] = {}
    for theme in dict.fromkeys((default_theme, theme_dir)):  # a later folder's file shadows an earlier one's
        templates.update(_files_under(os.path.join(theme, "templates")))
        static.update(_files_under(os.path.join(theme, "static")))
    templates.update(_files_under(os.path.join(site_root, "templates")))
    return ThemeFiles(tuple(sorted(templates.items())), tuple(sorted(static.items())))


def _files_under(folder: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            found.append((os.path.relpath(full, folder).replace(os.sep, "/"), full))
    return sorted(found)
