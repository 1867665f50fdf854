"""The build cache: a build with a cache kept from earlier builds equals a build without one, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import blogkit.engine.build as build_module
from blogkit.core.bodies import HtmlOnDemand
from blogkit.core.outputs import CopyFile
from blogkit.core.urls import output_file
from blogkit.engine.build import BuildResult
from blogkit.engine.cache import CACHE_FOLDER, DiskCache, code_version
from conftest import REPO, build, read_cache_index, run_cli, tree_bytes, write_cache_index

GOLDEN_HUB = Path(__file__).parent / "golden" / "hub" / "site"


def files_of(result: BuildResult) -> dict[str, bytes]:
    out = {}
    for path, output in result.outputs.files.items():
        content = output.content
        out[path] = Path(content.source).read_bytes() if isinstance(content, CopyFile) else content
    return out


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    root = tmp_path / "hub"
    shutil.copytree(GOLDEN_HUB, root)
    return root


def assert_warm_equals_full(root: Path, jobs: int = 1) -> BuildResult:
    warm = build(root, cache=True, jobs=jobs)
    full = build(root, cache=False, jobs=1)
    assert not warm.report.errors and not full.report.errors
    assert files_of(warm) == files_of(full)
    return warm


def test_second_build_reuses_every_page_and_feed(hub):
    first = assert_warm_equals_full(hub)
    assert first.stats.reused == 0 and first.stats.rendered > 50
    second = assert_warm_equals_full(hub)
    assert second.stats.rendered == 0 and second.stats.reused == first.stats.rendered
    assert (hub / CACHE_FOLDER / "VERSION").read_text().split()[0] == code_version()


@pytest.mark.parametrize(
    "change",
    [
        "template",
        "config value",
        "profile",
        "team",
        "tag vocabulary",
        "deleted post",
        "new post",
        "post body",
        "post title",
        "page",
        "static file",
    ],
)
def test_cached_build_after_a_change_equals_a_full_build(hub, change):
    before = files_of(assert_warm_equals_full(hub))
    post = hub / "posts" / "ada-okafor" / "2025-04-01-compaction-2.md"
    if change == "template":
        (hub / "templates" / "partials").mkdir(parents=True)
        (hub / "templates" / "partials" / "footer.html").write_text("<footer>Changed footer</footer>\n")
    elif change == "config value":
        config = hub / "blogkit.yaml"
        config.write_text(config.read_text().replace("Golden Hub", "Golden Hub, renamed"))
    elif change == "profile":
        profile = hub / "authors" / "li-wei.yaml"
        profile.write_text(profile.read_text().replace("name: ", "name: Dr. ", 1))
    elif change == "team":
        teams = hub / "teams.yaml"
        teams.write_text(teams.read_text().replace("name: Platform", "name: Platform Engineering"))
    elif change == "tag vocabulary":
        tags = hub / "tags.yaml"
        tags.write_text(tags.read_text() + "\ntracing:\n  name: Distributed tracing\n  description: Following requests.\n")
    elif change == "deleted post":
        post.unlink()
    elif change == "new post":
        (hub / "posts" / "li-wei" / "2025-12-01-fresh.md").write_text("---\ntitle: Fresh\ntags: [go]\n---\nNew text.\n")
    elif change == "post body":
        post.write_text(post.read_text() + "\nOne more paragraph.\n")
    elif change == "post title":
        post.write_text(post.read_text().replace('title: "', 'title: "Now ', 1))
    elif change == "static file":  # posts are checked against the static files: read again
        (hub / "static" / "img").mkdir(parents=True, exist_ok=True)
        (hub / "static" / "img" / "new.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    else:
        page = next((hub / "pages").glob("*.md"))
        page.write_text(page.read_text().replace("title: ", "title: The ", 1))
    warm = assert_warm_equals_full(hub)
    assert files_of(warm) != before, "the change shows in the output"
    assert warm.stats.reused > 0 or change in ("template", "config value"), "unchanged outputs come from the cache"


def test_a_post_past_4_mib_under_a_raised_limit_is_keyed_by_all_its_bytes(site):
    """The front matter cache keyed a post by its first 4 MiB and a byte, whatever `limits.file_bytes`
    allowed: an edit past them, under a raised limit, was served from the cache as it was before."""
    filler = "<!-- " + "x" * (4 * 1024 * 1024) + " -->\n\n"
    root = site({"blogkit.yaml": "title: T\nbase_url: https://t.example/\nlimits:\n  file_bytes: 8388608\n"})
    path = root / "posts/ada/2026-03-01-long.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: Long\n---\n{filler}Version one.\n")
    assert not build(root, cache=True).report.errors
    path.write_text(f"---\ntitle: Long\n---\n{filler}Version two.\n")
    assert_warm_equals_full(root)


def test_what_each_template_reads_is_kept_for_the_next_build_of_the_same_templates(hub, monkeypatch):
    """Finding what a template reads takes its syntax tree: a warm build of unchanged templates parses none."""
    import jinja2

    build(hub, cache=True)
    parsed: list[str] = []
    parse = jinja2.Environment.parse

    def counted(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(source[:40])
        return parse(self, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "parse", counted)
    warm = build(hub, cache=True)
    assert warm.stats.rendered == 0 and parsed == [], "no template parsed"
    assert files_of(warm) == files_of(build(hub))
    (hub / "templates").mkdir(exist_ok=True)
    (hub / "templates" / "404.html").write_text("{% extends 'base.html' %}{% block content %}<p>{{ site.title }}</p>{% endblock %}\n")
    parsed.clear()
    changed = build(hub, cache=True)
    assert parsed, "another template: read again"
    assert files_of(changed) == files_of(build(hub))


@pytest.mark.parametrize(
    "payload", [b"", b"[]", b'{"post.html": 1}', b'{"post.html": [[1], [], [], false]}', b'{"post.html": [[], [], [], "yes"]}', b"{}x"]
)
def test_a_kept_table_of_what_templates_read_that_is_not_one_is_ignored(payload):
    from blogkit.engine.rendering import TemplateReads

    assert TemplateReads.decode(payload) is None


def test_an_edit_of_a_posts_text_renders_again_only_the_outputs_that_show_its_text(hub, monkeypatch):
    """A page's key digests each post it lists by the fields its templates read of it: the tag, author and
    series pages that list the post by its title and summary keep their keys when a paragraph is added;
    its own page and the feeds that carry whole posts are rendered again."""
    from blogkit.render.pages import Renderer

    assert_warm_equals_full(hub)
    post = hub / "posts" / "ada-okafor" / "2025-04-01-compaction-2.md"
    post.write_text(post.read_text() + "\nOne more paragraph.\n")
    rendered: list[str] = []
    render_route = Renderer.render_route

    def recorded(self, route, writer):  # type: ignore[no-untyped-def]
        rendered.append(route.file)
        return render_route(self, route, writer)

    monkeypatch.setattr(Renderer, "render_route", recorded)
    warm = build(hub, cache=True, jobs=1)
    monkeypatch.undo()
    assert files_of(warm) == files_of(build(hub, cache=False, jobs=1))
    assert "2025/04/compaction-2/index.html" in rendered
    assert any(file.endswith(".xml") for file in rendered), "the hub's feed carries whole posts"
    listing = [file for file in rendered if file.startswith(("tags/", "authors/", "teams/")) and file.endswith(".html")]
    assert listing == [], "pages listing the post by title and summary are reused"
    assert warm.stats.reused > warm.stats.rendered


def test_an_unchanged_post_is_not_parsed_again(hub, monkeypatch):
    import blogkit.engine.build as engine_build

    odd = hub / "posts" / "li-wei" / "2025-12-01-odd.md"
    odd.write_text(
        "---\ntitle: Odd values\ndate: 2025-12-01T10:00:00+05:30\nupdated: 2025-12-02 09:00\n"
        "updates:\n  - {date: 2025-12-03T01:00:00-08:00, note: Fixed.}\n"
        "extra: {1: one, 'x': [1, 1.0, true, null, {y: 2}]}\n---\nText.\n"  # a key that is not a string: never cached
    )
    assert_warm_equals_full(hub)
    parsed: list[str] = []
    read_post = engine_build.read_post
    monkeypatch.setattr(engine_build, "read_post", lambda root, source, *rest: parsed.append(source.path) or read_post(root, source, *rest))
    post = hub / "posts" / "ada-okafor" / "2025-04-01-compaction-2.md"
    post.write_text(post.read_text() + "\nOne more paragraph.\n")
    warm = build(hub, cache=True, jobs=1)
    assert sorted(parsed) == sorted(["posts/ada-okafor/2025-04-01-compaction-2.md", "posts/li-wei/2025-12-01-odd.md"])
    assert files_of(warm) == files_of(build(hub, cache=False, jobs=1))


def test_drafts_after_a_build_without_them_are_read_again_for_their_text(hub):
    assert_warm_equals_full(hub)  # the drafts' front matter is cached; their bodies never rendered
    warm = build(hub, cache=True, drafts=True, future=True)
    full = build(hub, cache=False, drafts=True, future=True)
    assert not warm.report.errors and files_of(warm) == files_of(full)
    assert "2025/07/draft/index.html" in files_of(warm)


def test_a_changed_template_renders_every_page_again(hub):
    first = assert_warm_equals_full(hub)
    (hub / "templates").mkdir()
    theme_tag = REPO / "themes" / "default" / "templates" / "tag.html"
    (hub / "templates" / "tag.html").write_text(theme_tag.read_text().replace("</h1>", " (tag)</h1>", 1))
    warm = assert_warm_equals_full(hub)
    # every output is keyed by every template's text: a template change renders all pages again, never stale ones
    assert warm.stats.rendered == first.stats.rendered


def test_parallel_and_serial_cached_builds_are_identical(hub):
    cold = files_of(build(hub, cache=True, jobs=2))
    warm = files_of(build(hub, cache=True, jobs=2))
    serial = files_of(build(hub, cache=False, jobs=1))
    assert cold == warm == serial


def index_entries(folder: Path) -> dict[str, list[object]]:
    return read_cache_index(folder)["entries"]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "flipped byte", "index garbage", "index lies"])
def test_a_damaged_cache_is_ignored_and_rewritten(hub, damage):
    assert_warm_equals_full(hub)
    folder = hub / CACHE_FOLDER
    packs = sorted((folder / "packs").glob("*.pack"))
    assert packs
    # the middle of a page's entry (the search index's files, stored last, may fill half a pack)
    entries = index_entries(folder)
    index_files = set()
    for name, (pack_name, offset, length, _) in entries.items():
        if name.startswith("search/"):
            with open(folder / "packs" / pack_name, "rb") as f:
                f.seek(offset)
                index_files |= {f"outputs/{key}" for _, key in json.loads(f.read(length))}
    pages = [record for name, record in entries.items() if name.startswith("outputs/") and name not in index_files]
    pack_name, offset, length, _ = pages[len(pages) // 2]
    middle = {pack_name: offset + length // 2}
    for pack in packs:
        data = pack.read_bytes()
        cut = middle.get(pack.name, len(data) // 2)
        if damage == "truncated":
            pack.write_bytes(data[:cut])
        elif damage == "garbage":
            pack.write_bytes(b"<p>not what was cached</p>" * (len(data) // 26))
        elif damage == "empty":
            pack.write_bytes(b"")
        elif damage == "flipped byte":
            pack.write_bytes(data[:cut] + bytes([data[cut] ^ 1]) + data[cut + 1 :])
    version = read_cache_index(folder)["version"]
    if damage == "index garbage":
        write_cache_index(folder, {"version": version, "entries": {"outputs/x": [1, 2]}})
    elif damage == "index lies":  # every entry claims the first entry's bytes
        entries = index_entries(folder)
        first = next(iter(entries.values()))
        write_cache_index(folder, {"version": version, "entries": {k: first for k in entries}})
    warm = assert_warm_equals_full(hub)
    assert warm.stats.rendered > 0, "damaged entries are rendered anew, never trusted"
    again = assert_warm_equals_full(hub)
    assert again.stats.rendered == 0, "damaged entries were written anew"


def test_a_cache_of_another_version_is_ignored_and_replaced(hub):
    assert_warm_equals_full(hub)
    (hub / CACHE_FOLDER / "VERSION").write_text("0.0.1\n")
    stale = hub / CACHE_FOLDER / "packs" / "1-stale.pack"
    stale.write_bytes(b"from another version")
    warm = assert_warm_equals_full(hub)
    assert warm.stats.reused == 0 and not stale.exists()
    assert (hub / CACHE_FOLDER / "VERSION").read_text().split()[0] == code_version()


def test_unused_entries_are_swept_and_other_files_are_left_alone(hub, tmp_path, monkeypatch):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "outputs").mkdir()
    (folder / "outputs" / "keep.txt").write_text("also mine")
    monkeypatch.setenv("BLOGKIT_CACHE_DIR", str(folder))
    assert_warm_equals_full(hub)
    count = len(index_entries(folder))
    post = hub / "posts" / "ada-okafor" / "2025-04-01-compaction-2.md"
    for n in range(3):
        post.write_text(post.read_text() + f"\nMore {n}.\n")
        assert_warm_equals_full(hub)
    assert len(index_entries(folder)) == count, "one build's worth of entries"
    assert len(list((folder / "packs").glob("*.pack"))) <= 4, "packs no entry lives in are removed"
    assert (folder / "notes.txt").read_text() == "mine" and (folder / "outputs" / "keep.txt").read_text() == "also mine"
    assert not (hub / CACHE_FOLDER).exists(), "BLOGKIT_CACHE_DIR moves the cache"


def test_a_build_leaves_the_packs_of_a_running_serve_alone(hub):
    """`blogkit serve` reads pages from its packs while a build beside it sweeps the folder."""
    assert_warm_equals_full(hub)
    packs = hub / CACHE_FOLDER / "packs"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = packs / f"{sleeper.pid}-0123456789ab.pack"
        running.write_bytes(b"a serve's pages")
        gone = packs / "999999999-0123456789ab.pack"  # no such process
        gone.write_bytes(b"litter")
        assert_warm_equals_full(hub)
        assert running.read_bytes() == b"a serve's pages" and not gone.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert_warm_equals_full(hub)
    assert not running.exists(), "once that process ended, its pack goes"


def test_no_cache_neither_reads_nor_writes_the_cache(hub, capsys):
    assert run_cli(["build", str(hub), "-q", "--no-cache", "-j", "1"], capsys)[0] == 0
    assert not (hub / CACHE_FOLDER).exists()
    assert run_cli(["build", str(hub), "-q", "-j", "1", "-o", str(hub.parent / "cached")], capsys)[0] == 0
    assert (hub / CACHE_FOLDER / "VERSION").is_file()
    assert tree_bytes(hub / "public") == tree_bytes(hub.parent / "cached")


def test_cold_and_warm_cli_builds_in_worker_processes_are_byte_identical(hub, tmp_path):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "PYTHONPATH": str(REPO)}
    outs = []
    for name, extra in (("cold", ["-j", "2"]), ("warm", ["-j", "2"]), ("serial", ["-j", "1", "--no-cache"])):
        out = tmp_path / name
        command = [sys.executable, "-m", "blogkit", "build", str(hub), "-o", str(out), "-q", *extra]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        outs.append(tree_bytes(out))
    assert outs[0] == outs[1] == outs[2]


def test_a_warm_build_does_not_import_the_markdown_stack(hub, tmp_path):
    """A build that renders no body does not pay for importing markdown-it-py, Pygments' formatters
    or the formulas' converter (a tenth of a small site's warm build); a cold one renders with them."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "PYTHONPATH": str(REPO)}
    probe = (
        "import sys; from blogkit.commands.cli import main; code = main(sys.argv[1:]); "
        "print(sorted(m for m in ('markdown_it', 'latex2mathml', 'blogkit.load.markdown') if m in sys.modules))"
    )
    imported = []
    for name in ("cold", "warm"):
        command = [sys.executable, "-c", probe, "build", str(hub), "-o", str(tmp_path / name), "-q", "-j", "1"]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        imported.append(done.stdout.strip())
    assert imported == ["['blogkit.load.markdown', 'latex2mathml', 'markdown_it']", "[]"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cached_build_keeps_post_html_in_the_cache_and_shows_the_same(hub, jobs):
    """With the cache on a folder, no post's HTML is held in memory (nor sent back by the worker that
    rendered it): each is read from the cache when shown, and is the HTML a build without a cache holds."""
    held = {post.source: post.html for post in build(hub, cache=False).site.posts}
    for _ in ("cold", "warm"):
        result = build(hub, cache=True, jobs=jobs)
        assert not result.report.errors
        for post in result.site.posts:
            assert isinstance(post.html, HtmlOnDemand), post.source
            assert str(post.html) == held[post.source]
            assert post.html == held[post.source]


def test_a_cache_that_loses_a_body_during_the_build_is_an_error_at_the_page_not_a_traceback(hub, monkeypatch):
    build(hub, cache=True)
    losing = False
    real_get, real_render = DiskCache.get, build_module.render_outputs

    def get(self, kind, key):
        return None if losing and kind in ("bodies", "outputs") else real_get(self, kind, key)

    def render_outputs(*args, **kwargs):
        nonlocal losing
        losing = True  # after loading: as if the folder were emptied under the build
        return real_render(*args, **kwargs)

    monkeypatch.setattr(DiskCache, "get", get)
    monkeypatch.setattr(build_module, "render_outputs", render_outputs)
    result = build(hub, cache=True)
    lost = {d.location.path: d for d in result.report.errors if "the build cache lost the rendering" in d.message}
    pages = {output_file(post.path) for post in result.site.posts}
    assert pages <= lost.keys()  # each post's page says so, and nothing is published
    assert all("build again" in d.hint for d in lost.values())
