"""Image facts and variants through the build cache: made once per image content, in workers.

Each image is known first by its file's status (path, size, modification time, inode):
an entry under that key gives its facts without opening the file, so a warm build with
unchanged images reads none of them. A file whose status changed is read and known by
its content (a digest of its bytes, the encoder settings and Pillow's version): an image
touched but not changed costs a read and no encoding. Only new content is decoded and
encoded, in forked workers; each variant's bytes are an entry of their own, which the
output stage copies out of the cache.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import __version__ as pillow_version

from blogkit.core.diagnostics import Location, Report, size_text
from blogkit.core.files import read_at_most
from blogkit.core.images import ImageFacts, Variant
from blogkit.engine.cache import Cache, MemoryCache, Record
from blogkit.engine.fingerprint import digest
from blogkit.engine.workers import OverBudget, map_with_budget
from blogkit.load.images import SETTINGS, ImageProblem, Made, avif_supported, make
from blogkit.load.site import ImageJob

KIND = "images"
MAX_IMAGE_BYTES = 50 * 1024 * 1024  # an image file larger than this is refused before it is read
IMAGE_SECONDS = 60  # the time one image may take to be measured and have its variants made


@dataclass(frozen=True, slots=True)
class _Done:
    facts: ImageFacts | None
    problem: tuple[str, str] | None  # (message, hint)
    records: tuple[tuple[str, Record | None], ...] = ()  # entries a worker stored in the disk cache
    payloads: tuple[tuple[str, bytes], ...] = ()  # entries for a memory cache, which a worker cannot fill
    content: str = ""  # the key of the image's facts by its content


def load_images(root: str, wanted: Sequence[ImageJob], cache: Cache, jobs: int, report: Report) -> dict[str, ImageFacts]:
    """The facts of every wanted image, by its site path; an image that cannot be used is reported."""
    settings = _settings()
    found: dict[str, ImageFacts] = {}
    todo: list[tuple[ImageJob, str]] = []
    for job in wanted:
        key = _status_key(root, job, settings)
        payload = cache.get(KIND, key) if key else None
        facts = _decode(payload)
        if facts is not None and all(cache.has(KIND, k) for k in _keys(facts)):
            cache.adopt(KIND, _content_of(payload), None)  # kept for when the file is touched but not changed
            found[job.source] = facts
        else:
            todo.append((job, key))
    in_memory = isinstance(cache, MemoryCache)

    def work(item: tuple[ImageJob, str]) -> _Done:
        return _make(root, item[0], settings, cache, in_memory)

    # SVGs are only measured, here; rasters are decoded in forked workers, each within a time
    # budget: an image that makes Pillow crash or spin costs that image, never the build
    todo.sort(key=lambda item: not item[0].source.lower().endswith(".svg"))
    svgs = sum(1 for job, _ in todo if job.source.lower().endswith(".svg"))
    made = [work(item) for item in todo[:svgs]]
    if len(todo) > svgs:
        made += [
            _stopped(done) if isinstance(done, OverBudget) else done for done in map_with_budget(work, todo[svgs:], jobs, IMAGE_SECONDS)
        ]
    for (job, key), done in zip(todo, made, strict=True):
        if done.problem is not None:
            report.error(Location(job.source), *done.problem)
            continue
        assert done.facts is not None
        for entry, record in done.records:
            cache.adopt(KIND, entry, record)
        for entry, payload in done.payloads:
            cache.put(KIND, entry, payload)
        if key:
            cache.put(KIND, key, _encode(done.facts, done.content))
        found[job.source] = done.facts
    return dict(sorted(found.items()))


def _stopped(over: OverBudget) -> _Done:
    if over.died:
        return _Done(None, ("reading this image crashed", "it may be damaged: open it in an image editor and save it again"))
    return _Done(None, (f"this image took longer than {IMAGE_SECONDS} s to process, and was stopped", "scale it down"))


def _settings() -> str:
    return f"{SETTINGS}; avif {avif_supported()}; Pillow {pillow_version}"


def _status_key(root: str, job: ImageJob, settings: str) -> str:
    try:
        st = os.stat(os.path.join(root, *job.source.split("/")))
    except OSError:
        return ""  # reading it reports why
    return digest(KIND, "status", settings, job.source, str(job.avatar), str(st.st_size), str(st.st_mtime_ns), str(st.st_ino))


def _make(root: str, job: ImageJob, settings: str, cache: Cache, in_memory: bool) -> _Done:
    """One image's facts, from the cache by its content, else made and stored."""
    try:
        data = read_at_most(os.path.join(root, *job.source.split("/")), MAX_IMAGE_BYTES)
    except OSError as exc:
        return _Done(None, (f"cannot read image: {exc.strerror or exc}", "check the file's permissions"))
    if len(data) > MAX_IMAGE_BYTES:
        return _Done(None, (f"image file is larger than {size_text(MAX_IMAGE_BYTES)}", "scale it down or compress it"))
    content = digest(KIND, "content", settings, str(job.avatar), data)
    facts = _decode(cache.get(KIND, content))
    if facts is not None and all(cache.has(KIND, k) for k in _keys(facts)):
        return _Done(facts, None, ((content, None), *((k, None) for k in _keys(facts))), content=content)
    try:
        made = make(data, job.source, avatar=job.avatar)
    except ImageProblem as problem:
        return _Done(None, (problem.message, problem.hint))
    facts, entries = _facts(content, made)
    entries.append((content, _encode(facts, content)))
    if in_memory:
        return _Done(facts, None, (), tuple(entries), content)
    return _Done(facts, None, tuple((key, cache.put(KIND, key, payload)) for key, payload in entries), content=content)


def _facts(content: str, made: Made) -> tuple[ImageFacts, list[tuple[str, bytes]]]:
    """The facts of what was made, each output under a key derived from the content's, and those outputs."""
    entries: list[tuple[str, bytes]] = []
    original = ""
    if made.original is not None:
        original = digest(content, "original")
        entries.append((original, made.original))

    def variants(kind: str, found: Sequence[tuple[str, int, int, bytes]]) -> tuple[Variant, ...]:
        out = []
        for fmt, width, height, data in found:
            key = digest(content, kind, fmt, str(width), str(height))
            entries.append((key, data))
            out.append(Variant(fmt, width, height, key))
        return tuple(out)

    facts = ImageFacts(
        made.format, made.width, made.height, made.animated, original, variants("variant", made.variants), variants("avatar", made.avatars)
    )
    return facts, entries


def _keys(facts: ImageFacts) -> list[str]:
    """The cache entries an image's outputs are in."""
    return ([facts.original] if facts.original else []) + [v.key for v in (*facts.variants, *facts.avatars)]


def _encode(facts: ImageFacts, content: str) -> bytes:
    data = {
        "content": content,
        "format": facts.format,
        "width": facts.width,
        "height": facts.height,
        "animated": facts.animated,
        "original": facts.original,
        "variants": [[v.format, v.width, v.height, v.key] for v in facts.variants],
        "avatars": [[v.format, v.width, v.height, v.key] for v in facts.avatars],
    }
    return json.dumps(data, separators=(",", ":")).encode()


def _content_of(payload: bytes | None) -> str:
    return str(json.loads(payload or b"{}").get("content", ""))


def _decode(payload: bytes | None) -> ImageFacts | None:
    """Cached facts, or None when there are none or they are not facts (then the image is read anew)."""
    if payload is None:
        return None
    try:
        data = json.loads(payload)
        return ImageFacts(
            str(data["format"]),
            int(data["width"]),
            int(data["height"]),
            data["animated"] is True,
            str(data["original"]),
            tuple(Variant(str(f), int(w), int(h), str(k)) for f, w, h, k in data["variants"]),
            tuple(Variant(str(f), int(w), int(h), str(k)) for f, w, h, k in data["avatars"]),
        )
    except (ValueError, TypeError, KeyError):
        return None
