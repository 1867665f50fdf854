"""Images: sizes, responsive variants, metadata stripped, EXIF orientation, determinism, errors."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import pytest
from PIL import Image

from blogkit.core.diagnostics import ConfigError
from blogkit.core.images import VARIANT_STEP, VARIANT_WIDTHS
from blogkit.core.outputs import Cached, CopyFile
from blogkit.engine.build import BuildOptions, build_site
from blogkit.load.images import MAX_PIXELS, avif_supported
from conftest import NOW, build, diagnostics, post, run_cli, tree_bytes


def _pattern(size: tuple[int, int]) -> Image.Image:
    """A picture that is not one colour, so that resizing and rotating show."""
    image = Image.new("RGB", size, (240, 240, 240))
    for x in range(0, size[0], 37):
        for y in range(size[1]):
            image.putpixel((x, y), (20, 90, 200))
    image.paste((200, 30, 30), (0, 0, size[0] // 4, size[1] // 4))  # a red corner: top left
    return image


def png(size: tuple[int, int] = (1000, 500)) -> bytes:
    out = io.BytesIO()
    _pattern(size).save(out, "PNG")
    return out.getvalue()


def jpeg_rotated_with_gps() -> bytes:
    """A 600x300 JPEG whose EXIF says 'rotate 90° clockwise' (orientation 6), with a GPS position and a camera."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Camera Maker"
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 11.0), 3: "E", 4: (4.0, 53.0, 2.0)}
    out = io.BytesIO()
    _pattern((600, 300)).save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    _pattern((900, 600)).save(out, "WEBP")
    return out.getvalue()


def gif(animated: bool) -> bytes:
    frames = [_pattern((320, 200)).convert("P"), Image.new("RGB", (320, 200), (10, 200, 10)).convert("P")]
    out = io.BytesIO()
    if animated:
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    else:
        frames[0].save(out, "GIF")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 320"><rect width="640" height="320" fill="#36c"/></svg>'
BUNDLE = "posts/ada/2026-03-01-shots"


def bundle_site(site, body: str, files: dict[str, bytes], front: str = "title: Shots") -> Path:
    return site({f"{BUNDLE}/index.md": post(front, body), **{f"{BUNDLE}/{name}": data for name, data in files.items()}})


def page(result, path: str = "2026/03/shots/index.html", session=None) -> str:
    content = result.outputs.files[path].content
    return (session.stored(content.key) if isinstance(content, Cached) else content).decode()


def data_of(result, path: str) -> bytes:
    content = result.outputs.files[path].content
    if isinstance(content, CopyFile):
        return Path(content.source).read_bytes()
    return content


def test_a_fixed_width_nearly_as_wide_as_the_image_is_not_made():
    from blogkit.load.images import _widths

    assert _widths(1280) == [480, 800, 1280]  # 1200 would be 6 % narrower than the image itself
    assert _widths(1440) == [480, 800, 1200, 1440]
    assert _widths(3000) == [480, 800, 1200, 1600]
    assert _widths(500) == [500]


def test_png_gets_size_and_variants_never_upscaled(site):
    root = bundle_site(site, "![A chart](chart.png)\n", {"chart.png": png((1000, 500))})
    result = build(root)
    assert not result.report.errors, diagnostics(result)
    html = page(result)
    picture = re.search(r"<picture>.*?</picture>", html, re.S)
    assert picture, html
    img = re.search(r"<img [^>]*>", picture.group(0)).group(0)
    assert 'src="/2026/03/shots/chart.png"' in img and 'width="1000" height="500"' in img
    assert 'alt="A chart"' in img and 'loading="lazy"' in img and 'decoding="async"' in img
    webp_set = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="[^"]+">', picture.group(0)).group(1)
    widths = [int(w) for w in re.findall(r" (\d+)w", webp_set)]
    assert widths == [w for w in VARIANT_WIDTHS if w * VARIANT_STEP <= 1000] + [1000]  # its own width last, nothing wider
    assert widths == [480, 800, 1000]
    for url, width in re.findall(r"(\S+) (\d+)w", webp_set):
        variant = Image.open(io.BytesIO(data_of(result, url.lstrip("/"))))
        assert variant.format == "WEBP" and variant.size == (int(width), int(width) // 2)
    assert ('type="image/avif"' in picture.group(0)) == avif_supported()
    assert data_of(result, "2026/03/shots/chart.png") == (root / BUNDLE / "chart.png").read_bytes()  # nothing to strip: as it is


def _photo(size: tuple[int, int]) -> bytes:
    """A PNG of noise, as a photo saved as PNG: its lossless WebP is larger than its lossy one."""
    image = Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _sources(html: str) -> dict[str, list[tuple[str, str]]]:
    """(url, width) of each `<source>`'s candidates, by media type."""
    found = re.findall(r'<source type="(image/\w+)" srcset="([^"]+)"', html)
    return {media: re.findall(r"(\S+) (\d+)w", srcset) for media, srcset in found}


@pytest.mark.skipif(not avif_supported(), reason="this Pillow writes no AVIF")
def test_no_avif_at_the_own_width_of_a_drawn_image_whose_lossless_webp_is_smaller(site):
    files = {"chart.png": png((1000, 500)), "photo.png": _photo((1000, 500))}
    result = build(bundle_site(site, "![A chart](chart.png)\n\n![A photo](photo.png)\n", files))
    assert not result.report.errors, diagnostics(result)
    chart, photo = (_sources(p) for p in re.findall(r"<picture>.*?</picture>", page(result), re.S))
    # the chart at its own width: one file, the lossless WebP, in both sources (an AVIF-reading browser reads WebP)
    assert [w for _, w in chart["image/avif"]] == [w for _, w in chart["image/webp"]] == ["480", "800", "1000"]
    assert [u.rsplit(".", 1)[1] for u, _ in chart["image/avif"]] == ["avif", "avif", "webp"]
    assert chart["image/avif"][-1] == chart["image/webp"][-1]
    lossless = Image.open(io.BytesIO(data_of(result, chart["image/webp"][-1][0].lstrip("/"))))
    assert lossless.convert("RGB").tobytes() == _pattern((1000, 500)).tobytes()  # exact: the pixels as drawn
    assert not any(path.startswith("2026/03/shots/chart-1000w") and path.endswith(".avif") for path in result.outputs.files)
    # noise, where the lossy WebP is the smaller: an AVIF at every width
    assert [u.rsplit(".", 1)[1] for u, _ in photo["image/avif"]] == ["avif", "avif", "avif"]


def test_small_image_gets_its_own_width_only(site):
    result = build(bundle_site(site, "![Tiny](tiny.png)\n", {"tiny.png": _photo((200, 100))}))
    html = page(result)
    assert re.findall(r" (\d+)w", html) == ["200"] * (2 if avif_supported() else 1)


def test_jpeg_exif_orientation_applied_and_metadata_removed(site):
    result = build(bundle_site(site, "![Photo](photo.jpg)\n", {"photo.jpg": jpeg_rotated_with_gps()}))
    assert not result.report.errors, diagnostics(result)
    html = page(result)
    assert 'width="300" height="600"' in html  # turned upright: portrait
    published = {path: data_of(result, path) for path in result.outputs.files if path.startswith("2026/03/shots/photo")}
    assert len(published) >= 3
    for path, data in published.items():
        image = Image.open(io.BytesIO(data))
        assert not image.getexif(), path
        assert "exif" not in image.info and "icc_profile" not in image.info, path
        assert b"Camera Maker" not in data, path
        assert image.height > image.width, path
        red = image.convert("RGB").getpixel((image.width - 5, 5))  # the red corner, turned to the top right
        assert red[0] > 150 and red[2] < 100, (path, red)


def test_webp_and_still_gif_get_variants_animated_gif_and_svg_pass_through(site):
    files = {"a.webp": webp(), "still.gif": gif(False), "moving.gif": gif(True), "d.svg": SVG}
    body = "![W](a.webp)\n\n![S](still.gif)\n\n![M](moving.gif)\n\n![D](d.svg)\n"
    result = build(bundle_site(site, body, files))
    assert not result.report.errors, diagnostics(result)
    html = page(result)
    imgs = {m.group(1): m.group(0) for m in re.finditer(r'<img src="/2026/03/shots/([^"]+)"[^>]*>', html)}
    assert 'width="900" height="600"' in imgs["a.webp"]
    assert 'width="320" height="200"' in imgs["still.gif"] and 'width="320" height="200"' in imgs["moving.gif"]
    assert 'width="640" height="320"' in imgs["d.svg"]
    assert html.count("<picture>") == 2  # the WebP and the still GIF
    assert "moving-" not in html and "d-" not in html
    assert data_of(result, "2026/03/shots/moving.gif") == files["moving.gif"]
    assert data_of(result, "2026/03/shots/d.svg") == SVG
    assert Image.open(io.BytesIO(data_of(result, "2026/03/shots/moving.gif"))).n_frames == 2


def test_cover_on_cards_and_at_the_top_of_the_post(site):
    root = bundle_site(site, "Text.\n", {"cover.png": png((1600, 800))}, front="title: Shots\nimage: cover.png\nimage_alt: A chart of it")
    result = build(root)
    assert not result.report.errors, diagnostics(result)
    html = page(result)
    top = re.search(r'<img [^>]*class="post-cover"[^>]*>', html).group(0)
    assert 'fetchpriority="high"' in top and "loading=" not in top and 'width="1600" height="800"' in top
    assert 'alt="A chart of it"' in top
    assert '<meta property="og:image" content="https://hub.example/2026/03/shots/cover.png">' in html
    for hub, css_class in (("index.html", "featured__cover"), ("authors/ada/index.html", "post-card__cover")):
        card = re.search(rf'<img [^>]*class="{css_class}"[^>]*>', page(result, hub)).group(0)
        # the first card of a listing is above the fold: its cover is fetched first, not lazily
        assert 'fetchpriority="high"' in card and "loading=" not in card and 'width="1600" height="800"' in card and 'alt=""' in card


def test_svg_cover_leaves_the_default_social_card(site):
    files = {
        f"{BUNDLE}/index.md": post("title: Shots\nimage: d.svg\nimage_alt: A diagram"),
        f"{BUNDLE}/d.svg": SVG,
        "static/card.png": png((1200, 630)),
        "blogkit.yaml": "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\nbrand:\n  social_card: card.png\n",
    }
    result = build(site(files))
    assert not result.report.errors, diagnostics(result)
    html = page(result)
    assert '<meta property="og:image" content="https://hub.example/card.png">' in html
    assert "og:image:alt" not in html
    assert 'class="post-cover" width="640" height="320"' in html


def test_avatars_are_cut_to_the_sizes_the_theme_shows(site):
    files = {
        "authors/ada.yaml": "name: Ada Okafor\navatar: avatars/ada.jpg\n",
        "static/avatars/ada.jpg": jpeg_rotated_with_gps(),
        "posts/ada/2026-03-01-x.md": post("title: X"),
    }
    result = build(site(files))
    assert not result.report.errors, diagnostics(result)
    html = page(result, "authors/ada/index.html")
    img = re.search(r'<img data-initials="AO" src="([^"]+)" srcset="([^"]+) 2x"', html)
    assert img, html
    small, double = (Image.open(io.BytesIO(data_of(result, u.lstrip("/")))) for u in img.groups())
    assert small.size == (96, 96) and double.size == (192, 192)
    assert not small.getexif() and not double.getexif()
    assert not Image.open(io.BytesIO(data_of(result, "avatars/ada.jpg"))).getexif()  # the original too: no GPS left


def test_feeds_get_the_plain_image_with_an_absolute_url(site):
    result = build(bundle_site(site, "![A chart](chart.png)\n", {"chart.png": png((1000, 500))}))
    feed = result.outputs.files["feed.xml"].content.decode()
    assert "&lt;picture" not in feed and "srcset" not in feed
    assert 'src="https://hub.example/2026/03/shots/chart.png"' in feed.replace("&quot;", '"')


def test_static_image_shown_in_a_post(site):
    files = {"posts/ada/2026-03-01-x.md": post("title: X", "![Logo](/img/logo.png)\n"), "static/img/logo.png": png((500, 250))}
    result = build(site(files))
    html = page(result, "2026/03/x/index.html")
    assert '<img src="/img/logo.png" alt="Logo" width="500" height="250"' in html


def test_a_corrupt_image_is_a_located_error(site):
    result = build(bundle_site(site, "![Broken](broken.png)\n", {"broken.png": b"\x89PNG\r\n\x1a\nnot really"}))
    assert any(line.startswith(f"{BUNDLE}/broken.png: error: cannot read this image") for line in diagnostics(result)), diagnostics(result)


def test_a_missing_image_is_a_located_error(site):
    result = build(bundle_site(site, "Text.\n\n![Gone](gone.png)\n", {}))
    assert f"{BUNDLE}/index.md:6:9: error: image 'gone.png' not found" in diagnostics(result)


def test_a_decompression_bomb_is_refused(site, capsys):
    side = int(MAX_PIXELS**0.5) + 100
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")  # a few KB on disk, far too many pixels in memory
    root = bundle_site(site, "![Bomb](bomb.png)\n", {"bomb.png": out.getvalue()})
    code, _, err = run_cli(["build", str(root), "-o", str(root.parent / "out"), "--no-cache"], capsys)
    assert code == 1
    assert f"{BUNDLE}/bomb.png: error: image is too large to process" in err
    assert "hint:" in err and "Traceback" not in err


def test_svg_with_entities_is_refused(site):
    evil = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
    evil += b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">&a;</svg>'
    result = build(bundle_site(site, "![E](e.svg)\n", {"e.svg": evil}))
    assert any("e.svg: error: SVG with a DOCTYPE" in line for line in diagnostics(result))


def test_bytes_are_identical_cold_warm_and_with_more_workers(site, tmp_path, monkeypatch, capsys):
    files = {"chart.png": png((1300, 700)), "photo.jpg": jpeg_rotated_with_gps(), "a.webp": webp(), "still.gif": gif(False)}
    body = "![C](chart.png) ![P](photo.jpg) ![W](a.webp) ![S](still.gif)\n"
    root = bundle_site(site, body, files, front="title: Shots\nimage: chart.png")
    monkeypatch.setenv("BLOGKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    trees = []
    for extra in (["-j", "1"], ["-j", "1"], ["-j", "2"], ["-j", "2", "--no-cache"]):  # cold, warm, warm in two workers, cold in two
        out = tmp_path / f"out{len(trees)}"
        code, _, err = run_cli(["build", str(root), "-o", str(out), *extra], capsys)
        assert code == 0, err
        trees.append(tree_bytes(out))
    assert trees[0] == trees[1] == trees[2] == trees[3]
    assert any(path.endswith(".webp") and "-" in path for path in trees[0])


def test_a_warm_build_opens_no_image(site, tmp_path, monkeypatch):
    root = bundle_site(site, "![C](chart.png)\n", {"chart.png": png((900, 400))})
    monkeypatch.setenv("BLOGKIT_CACHE_DIR", str(tmp_path / "cache"))
    build_site(str(root), BuildOptions(now=NOW, jobs=1, cache=True))
    opened = []
    monkeypatch.setattr(Image, "open", lambda *a, **k: opened.append(a) or pytest.fail("an image was decoded"))
    real_open = open

    def watching_open(file, *args, **kwargs):
        if str(file).endswith(".png"):
            opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching_open)
    result = build_site(str(root), BuildOptions(now=NOW, jobs=1, cache=True))
    assert not result.report.errors and not opened


def test_an_edited_image_gets_new_variants(site, tmp_path, monkeypatch):
    root = bundle_site(site, "![C](chart.png)\n", {"chart.png": png((900, 400))})
    monkeypatch.setenv("BLOGKIT_CACHE_DIR", str(tmp_path / "cache"))
    first = page(build_site(str(root), BuildOptions(now=NOW, jobs=1, cache=True)))
    (root / BUNDLE / "chart.png").write_bytes(png((700, 400)))
    second = page(build_site(str(root), BuildOptions(now=NOW, jobs=1, cache=True)))
    assert 'width="900"' in first and 'width="700" height="400"' in second


def test_no_page_requests_anything_from_another_host(site):
    files = {"chart.png": png((1000, 500)), "d.svg": SVG}
    result = build(bundle_site(site, "![C](chart.png) ![D](d.svg)\n", files, front="title: Shots\nimage: chart.png\nimage_alt: A chart"))
    for path, output in result.outputs.files.items():
        if path.endswith(".html"):
            html = output.content.decode()
            for attr in re.findall(r'\s(?:src|srcset)="([^"]+)"', html):
                assert all(not u.strip().startswith(("http://", "https://", "//")) for u in attr.split(",")), (path, attr)


def test_serve_rebuilds_when_an_image_changes_and_matches_a_full_build(site, tmp_path, monkeypatch):
    from blogkit.engine.session import Session

    monkeypatch.setenv("BLOGKIT_CACHE_DIR", str(tmp_path / "cache"))
    root = bundle_site(site, "![C](chart.png)\n", {"chart.png": png((900, 400))})
    session = Session(str(root), BuildOptions(jobs=1, now=NOW))
    try:
        assert 'width="900" height="400"' in page(session.build(set()), session=session)
        (root / BUNDLE / "chart.png").write_bytes(png((640, 480)))
        after = session.build({f"{BUNDLE}/chart.png"})
        assert not after.report.errors
        full = build(root)
        assert page(after, session=session) == page(full) and 'width="640" height="480"' in page(full)
        assert sorted(p for p in after.outputs.files if "chart" in p) == sorted(p for p in full.outputs.files if "chart" in p)
        (root / BUNDLE / "index.md").write_text(post("title: Shots", "![C](chart.png)\n\nMore.\n"), encoding="utf-8")
        edited = session.build({f"{BUNDLE}/index.md"})
        assert session.patched and 'width="640" height="480"' in page(edited, session=session)
    finally:
        session.close()


def test_the_default_social_card_must_be_a_raster(site):
    files = {
        "static/card.svg": SVG,
        "blogkit.yaml": "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\nbrand:\n  social_card: card.svg\n",
    }
    with pytest.raises(ConfigError) as raised:
        build(site(files))
    assert "brand.social_card must be a PNG or JPEG image, got card.svg" in str(raised.value)


def test_the_brand_logo_has_its_size_and_a_new_logo_reaches_cached_pages(site, tmp_path, monkeypatch):
    monkeypatch.setenv("BLOGKIT_CACHE_DIR", str(tmp_path / "cache"))
    files = {
        "static/logo.png": png((200, 100)),
        "posts/ada/2026-03-01-x.md": post("title: X"),
        "blogkit.yaml": "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\nbrand:\n  logo: logo.png\n",
    }
    root = site(files)
    first = build(root, cache=True)
    assert '<img class="site-title__logo" src="/logo.png" alt="" width="64" height="32">' in page(first, "index.html")
    (root / "static/logo.png").write_bytes(png((100, 100)))
    second = build(root, cache=True)
    assert '<img class="site-title__logo" src="/logo.png" alt="" width="32" height="32">' in page(second, "index.html")


def test_an_image_that_takes_too_long_or_crashes_is_a_located_error_and_the_rest_builds(site, monkeypatch):
    import os
    import time

    import blogkit.engine.images as engine_images

    real_make = engine_images.make

    def slow_or_crashing(data, name, **kwargs):
        if name.endswith("slow.png"):
            time.sleep(30)
        if name.endswith("crash.png"):
            os._exit(3)
        return real_make(data, name, **kwargs)

    monkeypatch.setattr(engine_images, "make", slow_or_crashing)
    monkeypatch.setattr(engine_images, "IMAGE_SECONDS", 1)
    files = {"slow.png": png((50, 50)), "crash.png": png((50, 50)), "fine.png": png((50, 50))}
    result = build(bundle_site(site, "![S](slow.png) ![C](crash.png) ![F](fine.png)\n", files))
    assert f"{BUNDLE}/slow.png: error: this image took longer than 1 s to process, and was stopped" in diagnostics(result)
    assert f"{BUNDLE}/crash.png: error: reading this image crashed" in diagnostics(result)
    assert len(result.report.errors) == 2
