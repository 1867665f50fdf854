"""Texts `blogkit init` and `blogkit new` wrote for the user to replace, still there when the
site is checked or built: a warning at each, so sample text never ships unnoticed.

The texts are declared once, beside the code that writes them (`scaffold.PLACEHOLDERS`).
"""

from __future__ import annotations

import os

from blogkit.commands.scaffold import DEFAULT_HANDLE, PLACEHOLDERS
from blogkit.core.config import CONFIG_FILE
from blogkit.core.diagnostics import Location, Report
from blogkit.core.model import Site


def check_placeholders(site: Site, report: Report) -> None:
    """A warning at each placeholder left in the config, a profile, a published post or a page."""
    files = [(CONFIG_FILE, "config")]
    files += [(author.source, "profile") for author in site.authors.values()]
    files += [(post.source, "post") for post in site.posts]
    files += [(page.source, "page") for page in site.pages]
    wanted_in = {kind: [p for p in PLACEHOLDERS if p.where == kind] for _, kind in files}
    for path, kind in files:
        wanted = wanted_in[kind]
        data = _read(site.config.root, path) if wanted else b""
        if not any(p.text.encode() in data for p in wanted):  # the common case, found without decoding the file
            continue
        text = data.decode("utf-8", "replace").replace("\r\n", "\n")
        for placeholder in wanted:
            at = text.find(placeholder.text)
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                report.warning(Location(path, line, at - (text.rfind("\n", 0, at) + 1) + 1), placeholder.message, placeholder.hint)
    if DEFAULT_HANDLE in site.authors:
        report.warning(
            Location(site.authors[DEFAULT_HANDLE].source),
            f"the handle is still the placeholder '{DEFAULT_HANDLE}' from `blogkit init`",
            f"rename authors/{DEFAULT_HANDLE}.yaml and posts/{DEFAULT_HANDLE}/ after your handle, e.g. jane-doe",
        )


def _read(root: str, path: str) -> bytes:
    try:
        with open(os.path.join(root, path), "rb") as f:
            return f.read()
    except OSError:
        return b""
