"""Texts `blogkit init` and `blogkit new` wrote for the user to replace, still there when the
site is checked or built: a warning at each, so sample text never ships unnoticed.

The texts are declared once, beside the code that writes them (`scaffold.PLACEHOLDERS`).
"""

from __future__ import annotations

import os

from blogkit.commands.scaffold import DEFAULT_HANDLE, PLACEHOLDERS, Placeholder
from blogkit.core.config import CONFIG_FILE
from blogkit.core.diagnostics import Location, Report
from blogkit.core.files import read_at_most
from blogkit.core.model import Site
from blogkit.load.sources import MAX_FILE_BYTES


def post_placeholder_texts() -> tuple[bytes, ...]:
    """The placeholders of posts, as bytes: what a build looks for as it reads each post's file
    (`BuildOptions.look_for`), so that only the files that hold one are read here again."""
    return tuple(p.text.encode() for p in PLACEHOLDERS if p.where == "post")


def check_placeholders(site: Site, report: Report, posts_holding: frozenset[str] | None = None) -> None:
    """A warning at each placeholder left in the config, a profile, a published post or a page.
    `posts_holding`: the posts that may hold one (the others are not read again); None: any may."""
    files = [(CONFIG_FILE, "config")]
    files += [(author.source, "profile") for author in site.authors.values()]
    files += [(post.source, "post") for post in site.posts if posts_holding is None or post.source in posts_holding]
    files += [(page.source, "page") for page in site.pages]
    wanted_in = {kind: [p for p in PLACEHOLDERS if p.where == kind] for _, kind in files}
    limit = max(site.config.limits.file_bytes, MAX_FILE_BYTES)  # what a build reads of a post, or of the config and profiles
    for path, kind in files:
        for at, line, column in _found(site.config.root, path, wanted_in[kind], limit):
            placeholder = wanted_in[kind][at]
            report.warning(Location(path, line, column), placeholder.message, placeholder.hint)
    if DEFAULT_HANDLE in site.authors:
        report.warning(
            Location(site.authors[DEFAULT_HANDLE].source),
            f"the handle is still the placeholder '{DEFAULT_HANDLE}' from `blogkit init`",
            f"rename authors/{DEFAULT_HANDLE}.yaml and posts/{DEFAULT_HANDLE}/ after your handle, e.g. jane-doe",
        )


def _found(root: str, path: str, wanted: list[Placeholder], limit: int) -> list[tuple[int, int, int]]:
    """(the placeholder's place in `wanted`, its line, its column) of each one the file holds."""
    data = _read(root, path, limit) if wanted else b""
    if not any(p.text.encode() in data for p in wanted):  # the common case, found without decoding the file
        return []
    text = data.decode("utf-8", "replace").replace("\r\n", "\n")
    places = []
    for i, placeholder in enumerate(wanted):
        at = text.find(placeholder.text)
        if at >= 0:
            places.append((i, text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1))
    return places


def _read(root: str, path: str, limit: int) -> bytes:
    try:
        return read_at_most(os.path.join(root, path), limit)
    except OSError:
        return b""
