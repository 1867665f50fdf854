"""What a Jekyll site's templates tell about its posts: where a post's comment thread is (an include
that links `https://github.com/o/r/issues/{{ page.comment_id }}`), and which includes only wrap an
image (`{% include figure.html url="..." title="..." %}`), so they can be written as Markdown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from blogkit.migrate import source
from blogkit.migrate.model import OldSite

_THREAD = re.compile(
    r"https://(?:github\.com|gitlab\.com)/[\w.-]+/[\w.-]+/(?:-/)?(?:issues|discussions)/\{\{-?\s*page\.([A-Za-z_][\w-]*)\s*-?\}\}"
)
_PARAM = r"\{\{-?\s*include\.(\w+)[^}]*\}\}"
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""(\w+)\s*=\s*["']\s*""" + _PARAM + r"""\s*["']""")
_CAPTION = re.compile(r"<figcaption[^>]*>\s*" + _PARAM + r"\s*</figcaption>", re.IGNORECASE)
_WRAPPERS = re.compile(
    r"</?(?:a|figure|div|p|span|center)\b[^>]*>|<figcaption.*?</figcaption>|\{%-?\s*(?:if|endif|unless|endunless)\b.*?%\}", re.S | re.I
)


@dataclass(frozen=True, slots=True)
class ImageInclude:
    """An include whose body is one image: the include's parameters that give its address, text and caption."""

    src: str
    alt: str = ""
    caption: str = ""
    video: bool = False  # a <video> of a file of the site: a link to the file


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


def image_includes(site: OldSite, files: list[str]) -> dict[str, ImageInclude]:
    """include file name -> its parameters, for each include of `_includes/` that is one <img> (in a link or a figure)."""
    found: dict[str, ImageInclude] = {}
    for path, template in _templates(site, files):
        if not path.startswith("_includes/"):
            continue
        sources = _VIDEO_SOURCE.findall(template) if "<video" in template.lower() else []
        if len(sources) == 1:
            found[path[len("_includes/") :]] = ImageInclude(sources[0], "title", video=True)
            continue
        images = _IMG.findall(template)
        if len(images) != 1 or _WRAPPERS.sub("", _IMG.sub("", template)).strip():
            continue
        attrs = {name.lower(): param for name, param in _ATTR.findall(images[0])}
        if "src" in attrs:
            caption = _CAPTION.search(template)
            found[path[len("_includes/") :]] = ImageInclude(attrs["src"], attrs.get("alt", ""), caption.group(1) if caption else "")
    return found


_VIDEO_SOURCE = re.compile(r"<(?:source|video)\b[^>]*\bsrc\s*=\s*[\"']\s*" + _PARAM, re.IGNORECASE)
_ARG = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")


def image_markdown(include: ImageInclude, arguments: str) -> str | None:
    """`{% include NAME a="x" %}`'s arguments as a Markdown image; None when they give no address."""
    args = {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _ARG.finditer(arguments)}
    src = args.get(include.src, "")
    if not src or "{{" in src:
        return None
    alt = args.get(include.alt, "").replace("]", "\\]")
    if include.video:
        return f"[Watch the video{': ' + alt if alt else ''}]({src})"
    caption = args.get(include.caption, "")
    return f"![{alt}]({src})" + (f"\n\n*{caption}*" if caption else "")


def thread_url(threads: Mapping[str, str], meta: Mapping[str, object]) -> str:
    """The post's comment thread, from the first key of `threads` its front matter sets to a number."""
    for key, url in sorted(threads.items()):
        value = meta.get(key)
        number = value.isdigit() if isinstance(value, str) else isinstance(value, int) and not isinstance(value, bool) and value > 0
        if number:
            return url.format(value)
    return ""
