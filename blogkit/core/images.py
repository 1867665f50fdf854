"""Images as the site shows them: their facts, the names of their variants, and their markup.

Facts (format, size, variants) are worked out once per image content (see
`blogkit.engine.images`); everything here is a pure function of them. A raster
image published at `a/b/shot.png` gets its responsive variants beside it, named
`shot-<width>w.<hash8>.<webp|avif>`, and an avatar its square sizes,
`ada-<size>px.<hash8>.<ext>`: the hash is of the variant's cache key, so a
changed image gets new names and no browser keeps a stale copy.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

# What makes a file an image, by its name: rasters are measured and get variants; SVG is measured only.
RASTER_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif")
IMAGE_SUFFIXES = (*RASTER_SUFFIXES, ".svg")
MEDIA_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "svg": "image/svg+xml",
    "avif": "image/avif",
}
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "gif": "gif", "avif": "avif"}

VARIANT_WIDTHS = (480, 800, 1200, 1600)  # responsive widths, never wider than the image itself
# a fixed width is made only for an image at least this many times as wide: one nearly as wide as the image
# itself (1200 of a 1280-pixel screenshot) saves a browser few bytes and costs the build two encodings
VARIANT_STEP = 1.2
VARIANT_FORMATS = ("avif", "webp")  # best first, as <source> elements; AVIF only where the installed Pillow writes it,
# and not at an image's own width where its lossless WebP is the smaller (see `picture`)
AVATAR_SIZES = (28, 64, 96)  # the sizes the theme shows avatars at (post meta, author card, author page), in CSS pixels
# the width of the theme's content column (`.wrap` less its padding; `--measure` in style.css), for `sizes`
CONTENT_SIZES = "(min-width: 46.5rem) 44rem, calc(100vw - 2.5rem)"


def is_image(path: str) -> bool:
    return path.lower().endswith(IMAGE_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Variant:
    format: str  # avif | webp | the original's (an avatar's size)
    width: int
    height: int
    key: str  # its cache key: the bytes are in the build cache under it


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What an image's content gives, whatever its name."""

    format: str  # png | jpeg | webp | gif | svg
    width: int  # as displayed: after the EXIF orientation is applied
    height: int
    animated: bool = False
    original: str = ""  # the cache key of the original re-encoded without metadata; "": published as it is
    variants: tuple[Variant, ...] = ()  # responsive variants, by format then width
    avatars: tuple[Variant, ...] = ()  # square crops at AVATAR_SIZES, 1x and 2x (only for an avatar)


@dataclass(frozen=True, slots=True)
class Picture:
    """An image as a page shows it: URL paths within the site (no base path), size, variants."""

    path: str  # the original (the fallback <img>)
    width: int
    height: int
    media_type: str
    sources: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()  # (media type, ((path, width), ...)), best first

    @property
    def raster(self) -> bool:
        return self.media_type != MEDIA_TYPES["svg"]


def variant_path(published: str, variant: Variant, suffix: str) -> str:
    """Where a variant of the image published at `published` is written: beside it."""
    folder, name = posixpath.split(published)
    stem = name.rsplit(".", 1)[0]
    ext = EXTENSIONS.get(variant.format, variant.format)
    return posixpath.join(folder, f"{stem}-{variant.width}{suffix}.{variant.key[:8]}.{ext}")


def variant_files(published: str, facts: ImageFacts) -> list[tuple[str, str]]:
    """(output path, cache key) of every file made from an image published at `published`."""
    files = [(published, facts.original)] if facts.original else []
    files += [(variant_path(published, v, "w"), v.key) for v in facts.variants]
    files += [(variant_path(published, v, "px"), v.key) for v in facts.avatars]
    return files


def picture(published: str, facts: ImageFacts) -> Picture:
    """The image with a source per variant format. A width with no AVIF (an image's own width where
    its lossless WebP is the smaller: pixels as drawn) is the WebP in the AVIF source too, so that no
    browser falls back to a narrower AVIF there; every browser that reads AVIF reads WebP."""
    widths = sorted({v.width for v in facts.variants})
    by_format = {(v.format, v.width): v for v in facts.variants}
    sources = []
    for i, fmt in enumerate(VARIANT_FORMATS):
        if any(v.format == fmt for v in facts.variants):
            chosen = [next((by_format[f, w] for f in VARIANT_FORMATS[i:] if (f, w) in by_format), None) for w in widths]
            entries = tuple((variant_path(published, v, "w"), v.width) for v in chosen if v is not None)
            sources.append((MEDIA_TYPES[fmt], entries))
    return Picture(published, facts.width, facts.height, MEDIA_TYPES[facts.format], tuple(sources))


def avatar_sizes(published: str, facts: ImageFacts) -> tuple[tuple[int, str], ...]:
    """(width in pixels, path) of an avatar's square crops."""
    return tuple((v.width, variant_path(published, v, "px")) for v in facts.avatars)


def picture_html(
    pic: Picture,
    url: Callable[[str], str],
    alt: str,
    *,
    title: str = "",
    sizes: str = CONTENT_SIZES,
    eager: bool = False,
    css_class: str = "",
) -> str:
    """`<picture>` with a `<source>` per variant format and the original as the `<img>`, which has
    `width` and `height` (no layout shift); lazy unless `eager` (the cover at the top of a post)."""
    loading = ' fetchpriority="high"' if eager else ' loading="lazy"'
    title_attr = f' title="{escape(title)}"' if title else ""
    class_attr = f' class="{escape(css_class)}"' if css_class else ""
    img = (
        f'<img src="{escape(url(pic.path))}" alt="{escape(alt)}"{title_attr}{class_attr} width="{pic.width}" height="{pic.height}"'
        f'{loading} decoding="async">'
    )
    if not pic.sources:
        return img
    sources = "".join(
        f'<source type="{media_type}" srcset="{escape(", ".join(f"{url(path)} {width}w" for path, width in entries))}" sizes="{sizes}">'
        for media_type, entries in pic.sources
    )
    return f"<picture>{sources}{img}</picture>"


_PICTURE = re.compile(r"<picture>(?:<source [^>]*>)*(<img [^>]*>)</picture>")


def plain_images(html: str) -> str:
    """HTML with each `<picture>` that `picture_html` wrote reduced to its `<img>`: the original, for feed readers."""
    return _PICTURE.sub(r"\1", html) if "<picture>" in html else html
