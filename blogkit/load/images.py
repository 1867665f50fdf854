"""Read an image's bytes and make its variants, with Pillow: a pure function of the bytes.

Every output is byte-identical for identical input: the EXIF orientation is applied,
then every piece of metadata (EXIF with its GPS position, XMP, ICC, comments, text
chunks) is left behind, and encoders run with fixed settings on one thread. An
original with nothing to strip is published as it is. Animated GIFs and SVGs pass
through, measured. Pixels beyond `MAX_PIXELS` are refused before they are decoded.
"""

from __future__ import annotations

import importlib.util
import io
import re
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

from blogkit.core.images import AVATAR_SIZES, VARIANT_FORMATS, VARIANT_STEP, VARIANT_WIDTHS

MAX_PIXELS = 64_000_000  # a 8000 x 8000 photo; anything larger is refused, never decoded

# fixed encoder settings: part of every cache key, so changing one makes every variant anew
WEBP = {"quality": 80, "method": 4}
AVIF = {"quality": 60, "speed": 8, "max_threads": 1}
JPEG = {"quality": 85, "optimize": True, "progressive": False}
PNG = {"optimize": False, "compress_level": 9}
SETTINGS = (
    f"images 4; webp {WEBP}; avif {AVIF}; jpeg {JPEG}; png {PNG}; widths {VARIANT_WIDTHS} step {VARIANT_STEP}; avatars {AVATAR_SIZES}"
)

_FORMATS = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp", "GIF": "gif"}
# what an image's info may hold and still be published as it is: none of it says who, where or with what
_HARMLESS_INFO = {
    "dpi", "gamma", "transparency", "aspect", "jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression",
    "adobe", "adobe_transform", "interlace", "srgb", "duration", "loop", "background", "version", "extension", "compression",
    "loss", "chromaticity", "dispose_extent", "timestamp",
}  # fmt: skip


def avif_supported() -> bool:
    """Whether the installed Pillow writes AVIF (wheels from 11.3 on do); without it, WebP alone."""
    return importlib.util.find_spec("PIL._avif") is not None  # without importing Pillow: a warm build needs none of it


class ImageProblem(Exception):
    """An image that cannot be used: the message and hint are the user's to read."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True, slots=True)
class Made:
    """An image's facts and the bytes of what it publishes (`original` None: published as it is)."""

    format: str
    width: int
    height: int
    animated: bool
    original: bytes | None
    variants: tuple[tuple[str, int, int, bytes], ...]  # (format, width, height, bytes)
    avatars: tuple[tuple[str, int, int, bytes], ...]


def make(data: bytes, name: str, *, avatar: bool = False) -> Made:
    """Measure an image and make its variants (and an avatar's square sizes); ImageProblem when it cannot be."""
    if name.lower().endswith(".svg"):
        width, height = svg_size(data)
        return Made("svg", width, height, False, None, (), ())
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # above it Pillow warns, above twice it refuses: both are refused here
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as opened:
                fmt = _FORMATS.get(opened.format or "")
                if fmt is None:
                    raise ImageProblem(f"{opened.format} images are not published as images", "save it as PNG, JPEG, WebP or GIF")
                return _make(opened, fmt, avatar)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageProblem(
                f"image is too large to process ({exc})",
                f"images of more than {MAX_PIXELS:,} pixels are refused: scale it down (a few thousand pixels wide is plenty)",
            ) from None
        except UnidentifiedImageError:
            hint = "is the file complete, and an image? open it in an image editor and save it again"
            raise ImageProblem("cannot read this image: its bytes are not an image format Pillow knows", hint) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            hint = "is the file complete? open it in an image editor and save it again"
            raise ImageProblem(f"cannot read this image: {exc}", hint) from None


def _make(opened: Image.Image, fmt: str, avatar: bool) -> Made:
    from PIL import Image, ImageOps

    animated = bool(getattr(opened, "is_animated", False))
    exif = opened.getexif()
    oriented = exif.get(0x0112, 1) not in (None, 1)
    if animated:  # passed through: re-encoding every frame would cost more than it saves
        return Made(fmt, opened.width, opened.height, True, None, (), ())
    opened.load()
    image = ImageOps.exif_transpose(opened) if oriented else opened
    image = _clean(image)
    needs_rewrite = oriented or bool(exif) or any(key not in _HARMLESS_INFO for key in opened.info)
    original = _encode(image, fmt) if needs_rewrite else None
    width, height = image.size
    variants: list[tuple[str, int, int, bytes]] = []
    avif = avif_supported()
    for size in _widths(width):
        scaled = image if size == width else image.resize((size, max(1, round(height * size / width))), Image.Resampling.LANCZOS)
        data = _encode(scaled, "webp")
        drawn = False
        if size == width and fmt in ("png", "gif"):  # pixels as drawn (a screenshot): often smaller lossless
            lossless = _encode(scaled, "webp-lossless")
            drawn = len(lossless) < len(data)
            data = lossless if drawn else data
        variants.append(("webp", scaled.width, scaled.height, data))
        if avif and not drawn:  # a lossless WebP is exact and smaller than a lossy AVIF would be: see `picture`
            variants.append(("avif", scaled.width, scaled.height, _encode(scaled, "avif")))
    variants.sort(key=lambda v: (VARIANT_FORMATS.index(v[0]), v[1]))
    avatars: list[tuple[str, int, int, bytes]] = []
    if avatar:
        square = ImageOps.fit(image, (min(width, height),) * 2, Image.Resampling.LANCZOS)
        for size in sorted({s * k for s in AVATAR_SIZES for k in (1, 2)}):
            if size <= square.width:
                scaled = square.resize((size, size), Image.Resampling.LANCZOS)
                avatars.append((fmt, size, size, _encode(scaled, fmt)))
    return Made(fmt, width, height, False, original, tuple(variants), tuple(avatars))


def _widths(width: int) -> list[int]:
    """The variant widths of an image this wide: the fixed widths well below it (VARIANT_STEP), and its own (up to the largest)."""
    own = min(width, VARIANT_WIDTHS[-1])
    return sorted({w for w in VARIANT_WIDTHS if w * VARIANT_STEP <= own} | {own})


def _clean(image: Image.Image) -> Image.Image:
    """The pixels alone, in a mode every encoder takes: no info, no EXIF, no palette surprises."""
    from PIL import Image

    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", **JPEG)
    elif fmt == "webp":
        image.save(out, "WEBP", **WEBP)
    elif fmt == "webp-lossless":
        image.save(out, "WEBP", lossless=True, **WEBP)
    elif fmt == "avif":
        image.save(out, "AVIF", **AVIF)
    elif fmt == "gif":
        image.save(out, "GIF", optimize=False)
    else:
        image.save(out, "PNG", **PNG)
    return out.getvalue()


# -- SVG ------------------------------------------------------------------------------------------

MAX_SVG_BYTES = 10 * 1024 * 1024  # an SVG is published as it is and parsed whole: no drawing for a page needs more
MAX_SVG_NUMBER = 1e9  # a viewBox or size beyond this (or inf, nan) is refused: no screen or coordinate system needs it
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})(?:[eE][+-]?[0-9]{1,3})?")
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")
_UTF = ("utf-8", "utf8", "us-ascii", "ascii")
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16 LE and BE (UTF-32 LE starts as UTF-16 LE), UTF-32 BE
_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*[\"']([^\"']*)")
_DOCTYPE_HINT = "remove the <!DOCTYPE ...> and any <!ENTITY ...> lines"
_SIZE_HINT = 'give its <svg> a viewBox="0 0 W H" (or width and height in pixels)'
_RANGE_HINT = f'write finite numbers of at most {MAX_SVG_NUMBER:,.0f}, e.g. viewBox="0 0 640 320"'


class _Refused(Exception):
    """Raised from inside the XML parser: the document declares a DTD or entities."""


def svg_size(data: bytes) -> tuple[int, int]:
    """An SVG's width and height in pixels: its `width` and `height` attributes, else its viewBox.

    Only UTF-8 is read (a UTF-16 or UTF-32 file, or another declared encoding, is refused), and the
    parser itself refuses a DOCTYPE or an entity declaration, so no entity is ever expanded, here or
    in the browser that opens the published file. Numbers must be finite and below MAX_SVG_NUMBER."""
    if len(data) > MAX_SVG_BYTES:
        raise ImageProblem(f"SVG file is larger than {MAX_SVG_BYTES // (1024 * 1024)} MB", "simplify the drawing or export it as PNG")
    declared = _DECLARED.match(data)
    if data.startswith(_OTHER_BOMS) or b"\x00" in data or (declared and declared.group(1).decode("ascii", "replace").lower() not in _UTF):
        raise ImageProblem("SVG not saved as UTF-8 is not published", 'save it as UTF-8 (with encoding="UTF-8" if it declares one)')
    attributes = _root_attributes(data)
    box = _view_box(attributes.get("viewBox"))
    width, height = _length(attributes.get("width"), "width"), _length(attributes.get("height"), "height")
    if box is not None and box[2] > 0 and box[3] > 0:
        if width and not height:
            height = width * box[3] / box[2]
        elif height and not width:
            width = height * box[2] / box[3]
        elif not width and not height:
            width, height = box[2], box[3]
    if not width or not height:
        raise ImageProblem("this SVG has no size", _SIZE_HINT)
    if not (width <= MAX_SVG_NUMBER and height <= MAX_SVG_NUMBER):  # also catches a ratio of a huge and a tiny side
        raise ImageProblem(f"this SVG's size is out of range ({width:g} x {height:g})", _RANGE_HINT)
    return max(1, round(width)), max(1, round(height))


def _root_attributes(data: bytes) -> dict[str, str]:
    """The attributes of the outermost element of a well-formed SVG, read by expat as UTF-8."""
    from xml.parsers import expat

    parser = expat.ParserCreate(encoding="UTF-8")  # whatever the file declares: its bytes are read as the check above allowed
    found: list[tuple[str, dict[str, str]]] = []

    def refuse(*_: object) -> None:
        raise _Refused

    def start(name: str, attributes: dict[str, str]) -> None:
        if not found:
            found.append((name, attributes))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except _Refused:
        raise ImageProblem("SVG with a DOCTYPE or entities is not published", _DOCTYPE_HINT) from None
    except expat.ExpatError as exc:
        raise ImageProblem(f"cannot read this SVG: {exc}", "is the file complete? open it in a browser to see") from None
    if not found or found[0][0].rsplit(":", 1)[-1] != "svg":
        raise ImageProblem("this file is not an SVG image", "its outermost element must be <svg>")
    return found[0][1]


def _view_box(value: str | None) -> tuple[float, ...] | None:
    """The four numbers of a viewBox; None without one, or with another count (as before: it is ignored)."""
    text = value or ""
    parts = [n for n in re.split(r"[\s,]+", text.strip()) if n]
    if len(parts) != 4:
        return None
    if not all(_NUMBER.fullmatch(n) for n in parts):
        raise ImageProblem(f"this SVG's viewBox is not four numbers: {text[:60]!r}", _RANGE_HINT)
    numbers = tuple(float(n) for n in parts)
    if not all(abs(n) <= MAX_SVG_NUMBER for n in numbers):
        raise ImageProblem(f"this SVG's viewBox is out of range: {text[:60]!r}", _RANGE_HINT)
    return numbers


def _length(value: str | None, name: str) -> float:
    text = value or ""
    match = _LENGTH.match(text)
    if not match:
        return 0.0
    number = float(match.group(1))
    if not number <= MAX_SVG_NUMBER:
        raise ImageProblem(f"this SVG's {name} is out of range: {text[:60]!r}", _RANGE_HINT)
    return number
