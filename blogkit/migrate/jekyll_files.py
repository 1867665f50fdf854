"""Which files of a Jekyll site are what, as Jekyll decided: left out (`exclude`), pages it rendered (front
matter, `include:`), files it copied as they were, the front matter `defaults:` gives each file, and files
its plugins wrote that no page of the new site stands for."""

from __future__ import annotations

import fnmatch
import os
import re
from typing import Any

from blogkit.migrate import source
from blogkit.migrate.model import OldSite
from blogkit.migrate.reading import mapping, text, texts

NOT_COPIED = ("vendor", "node_modules", "Gemfile", "Gemfile.lock")  # Jekyll's default `exclude`


def front_matter_defaults(config: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """`defaults:` as (path, type, values), the least specific first: Jekyll gives a more specific scope precedence."""
    found = []
    for entry in config.get("defaults") or []:
        if isinstance(entry, dict) and isinstance(entry.get("values"), dict):
            scope = mapping(entry, "scope")
            found.append((text(scope.get("path")).strip("/"), text(scope.get("type")), entry["values"]))
    return sorted(found, key=lambda item: (len(item[0]), bool(item[1])))


def defaults_for(defaults: list[tuple[str, str, dict[str, Any]]], path: str, kind: str) -> dict[str, Any]:
    """The front matter `defaults:` gives the file at `path` of the type `kind` (posts, drafts, pages)."""
    merged: dict[str, Any] = {}
    for folder, type_, values in defaults:
        if type_ and type_ != kind and not (type_ == "posts" and kind == "drafts"):
            continue
        if folder and not (path == folder or path.startswith(folder + "/") or fnmatch.fnmatch(path, folder)):
            continue
        merged.update(values)
    return merged


def excluded(path: str, config: dict[str, Any]) -> bool:
    """Whether Jekyll left the file out: its default `exclude` and the site's own."""
    for pattern in (*NOT_COPIED, *texts(config.get("exclude"))):
        pattern = pattern.strip("/")
        if path == pattern or path.startswith(pattern + "/") or fnmatch.fnmatch(path, pattern):
            return True
    return False


def written_out(path: str, included: tuple[str, ...]) -> bool:
    """A page or file Jekyll writes: in no folder with a leading '_' (unless `include:` lists it)."""
    return (not path.startswith("_") and "/_" not in path) or (path.startswith(included) and "/_" not in path[1:])


def is_static(path: str) -> bool:
    """A file Jekyll copies as it is (one without front matter): not a template."""
    return written_out(path, ()) and not path.endswith(".liquid")


def has_front_matter(site: OldSite, path: str) -> bool:
    """Jekyll renders a file that starts with '---' (a page, a feed template, Sass); it copies the others as they are."""
    try:
        with open(os.path.join(site.root, path), "rb") as f:
            return f.read(5).removeprefix(b"\xef\xbb\xbf").startswith(b"---")
    except OSError:
        return False


_LOOP = re.compile(
    r"\{%-?\s*(?:for\s+\w+\s+in|assign\s+\w+\s*=)\s*(site\.(?:categories|tags|posts|authors|data\.authors)|paginator\.posts)\b"
)


def lists_of(body: str) -> str:
    """What a page made of Liquid lists: 'tags' (its loops go over the categories or tags), 'authors', 'posts', or ''."""
    found = {m.group(1) for m in _LOOP.finditer(body)}
    if found & {"site.categories", "site.tags"}:
        return "tags"
    if found & {"site.authors", "site.data.authors"}:
        return "authors"
    return "posts" if found else ""


def plugins_of(config: dict[str, Any]) -> set[str]:
    """The plugins the site names (`plugins`; `gems` before Jekyll 3.5)."""
    return set(texts(config.get("plugins")) + texts(config.get("gems")))


REDIRECT_PLUGIN = "jekyll-redirect-from"


def report_redirect_list(site: OldSite, config: dict[str, Any], files: list[str]) -> None:
    """jekyll-redirect-from also wrote `/redirects.json`, every redirect of the site for other programs (unless
    `redirect_from: {json: false}`, or the site has a file of that name): said once, at the plugin's name."""
    if REDIRECT_PLUGIN not in plugins_of(config) or mapping(config, "redirect_from").get("json") is False or "redirects.json" in files:
        return
    line, column = _position(site, site.config_file, REDIRECT_PLUGIN)
    site.warn(
        site.config_file,
        line,
        f"{REDIRECT_PLUGIN} also wrote /redirects.json, the list of the old site's redirects (each old URL and the address it "
        "led to) for other programs; it is not kept",
        "blogkit's redirect pages stand for it: each of those old URLs answers with one (a post's aliases, redirects in blogkit.yaml)",
        column,
    )


def _position(site: OldSite, path: str, word: str) -> tuple[int, int]:
    """(line, column) of the first place the file writes `word`; (0, 0) when it does not, or cannot be read."""
    try:
        written = source.read_text(site.root, path, source.CONFIG_BYTES)
    except (source.Refused, OSError):
        return 0, 0
    at = written.find(word)
    return (written.count("\n", 0, at) + 1, at - written.rfind("\n", 0, at)) if at >= 0 else (0, 0)
