"""The files of imported post bundles as a build publishes them.

A build refuses an SVG that declares a DOCTYPE (nothing in it is expanded). Many drawing tools
write a plain one (`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "...">`) that declares
nothing: the import writes such a file without that line, and says so; one that declares
entities, or that a build refuses for another reason, is reported at the import.
"""

from __future__ import annotations

import re

from blogkit.load.images import ImageProblem, svg_size
from blogkit.migrate import source
from blogkit.migrate.model import OldSite

_PLAIN_DOCTYPE = re.compile(rb"<!DOCTYPE\s+svg\b[^\[>]*>\s*", re.IGNORECASE)


def check_svgs(site: OldSite) -> None:
    """Fill `site.rewritten` with bundle SVGs written without their plain DOCTYPE; report the ones a build refuses."""
    for post in site.posts:
        for asset in post.assets:
            if not asset.lower().endswith(".svg"):
                continue
            try:
                data = source.read_bytes(site.root, asset, source.LIMITS.file_bytes)
            except source.Refused:
                continue  # reported where it is copied
            cleaned = _PLAIN_DOCTYPE.sub(b"", data, count=1)
            try:
                svg_size(cleaned)
            except ImageProblem as problem:
                site.warn(asset, 0, f"a build does not publish this image: {problem.message}", problem.hint)
                continue
            if cleaned != data:
                site.rewritten[asset] = cleaned.decode("utf-8")
                site.warn(asset, 1, "the SVG's DOCTYPE line is left out: a build publishes no SVG with one, and it declared nothing")
