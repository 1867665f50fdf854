"""What a Jekyll site's templates tell about its posts: where a post's comment thread is (an include
that links `https://github.com/o/r/issues/{{ page.comment_id }}`). Which includes only wrap an image
or a video is `blogkit.migrate.wrappers`."""

from __future__ import annotations

import re
from collections.abc import Mapping

from blogkit.migrate import source
from blogkit.migrate.model import OldSite

_THREAD = re.compile(
    r"https://(?:github\.com|gitlab\.com)/[\w.-]+/[\w.-]+/(?:-/)?(?:issues|discussions)/\{\{-?\s*page\.([A-Za-z_][\w-]*)\s*-?\}\}"
)


def _templates(site: OldSite, files: list[str]) -> list[tuple[str, str]]:
    found = []
    for path in files:
        if path.startswith(("_includes/", "_layouts/")) and path.endswith((".html", ".liquid")):
            try:
                found.append((path, source.read_text(site.root, path, source.CONFIG_BYTES)))
            except source.Refused:
                continue
    return found


def comment_threads(site: OldSite, files: list[str]) -> dict[str, str]:
    """front matter key -> the URL of a post's thread, '{}' where the key's value goes ('comment_id' ->
    'https://github.com/o/r/issues/{}'), as the site's layouts and includes link it."""
    threads: dict[str, str] = {}
    for _, template in _templates(site, files):
        for match in _THREAD.finditer(template):
            threads.setdefault(match.group(1), match.group(0)[: match.start(1) - match.start(0)].rsplit("{{", 1)[0] + "{}")
    return threads


def thread_url(threads: Mapping[str, str], meta: Mapping[str, object]) -> str:
    """The post's comment thread, from the first key of `threads` its front matter sets to a number."""
    for key, url in sorted(threads.items()):
        value = meta.get(key)
        number = value.isdigit() if isinstance(value, str) else isinstance(value, int) and not isinstance(value, bool) and value > 0
        if number:
            return url.format(value)
    return ""
