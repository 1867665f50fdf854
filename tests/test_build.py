"""Whole builds: the pages a hub has, drafts and future posts, tags, publishing, determinism."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from blogkit.publish.write import publish
from conftest import EXAMPLE_SITE, REPO, build, diagnostics, post, run_cli, tree_bytes

P = "posts/ada/2026-03-01-hello.md"


def test_hub_has_every_page_type(site):
    root = site(
        {
            "teams.yaml": "storage: {name: Storage}\n",
            "authors/ada.yaml": "name: Ada Okafor\nteam: storage\n",
            "authors/bob.yaml": "name: Bob Ng\n",
            "posts/ada/2026-01-01-one.md": post("title: One\ntags: [Go]\naliases: [/old/one/]\n"),
            "posts/bob/2026-01-02-two.md": post("title: Two\nauthors: [bob, ada]\n"),
            "pages/about.md": post("title: About\n"),
            "static/robots-extra.txt": "x\n",
        }
    )
    result = build(root)
    assert not result.report.diagnostics
    files = set(result.outputs.files)
    for path in (
        "index.html", "2026/01/one/index.html", "2026/01/two/index.html", "old/one/index.html",
        "authors/index.html", "authors/ada/index.html", "authors/bob/index.html",
        "tags/index.html", "tags/go/index.html", "teams/storage/index.html", "archive/index.html",
        "about/index.html", "404.html", "sitemap.xml", "robots.txt", "robots-extra.txt",
        "assets/style.css", "assets/highlight.css", "favicon.svg",
    ):  # fmt: skip
        assert path in files, path
    ada_page = result.outputs.files["authors/ada/index.html"].content
    assert isinstance(ada_page, bytes)
    assert b"/2026/01/two/" in ada_page and b"/2026/01/one/" in ada_page, "a co-author's page lists the co-authored post"


def test_pagination_splits_the_hub(site):
    files = {f"posts/ada/2026-01-{day:02d}-p{day}.md": post(f"title: Post {day}\n") for day in range(1, 6)}
    files["blogkit.yaml"] = "title: T\nbase_url: https://hub.example/\npaginate: 2\n"
    result = build(site(files))
    pages = sorted(p for p in result.outputs.files if p.endswith("index.html") and (p == "index.html" or p.startswith("page/")))
    assert pages == ["index.html", "page/2/index.html", "page/3/index.html"]
    home = result.outputs.files["index.html"].content
    assert isinstance(home, bytes)
    assert home.index(b"Post 5") < home.index(b"Post 4"), "newest first"
    assert b"Post 3" not in home


def test_same_day_posts_are_ordered_deterministically(site):
    files = {
        "posts/ada/2026-01-01-bbb.md": post("title: B\n"),
        "posts/ada/2026-01-01-aaa.md": post("title: A\n"),
        "posts/ada/2026-01-01-ccc.md": post("title: C\ndate: 2026-01-01T10:00:00Z\n"),
    }
    result = build(site(files))
    assert result.site is not None
    assert [p.slug for p in result.site.posts] == ["ccc", "aaa", "bbb"]


def test_drafts_and_future_posts_are_left_out_unless_asked(site):
    root = site(
        {
            "posts/ada/2026-01-01-live.md": post("title: Live\n"),
            "posts/ada/2026-01-02-draft.md": post("title: Draft\ndraft: true\n"),
            "posts/ada/2031-01-01-later.md": post("title: Later\n"),
        }
    )
    assert "2026/01/draft/index.html" not in build(root).outputs
    assert "2031/01/later/index.html" not in build(root).outputs
    with_drafts = build(root, drafts=True, future=True)
    assert "2026/01/draft/index.html" in with_drafts.outputs
    later = with_drafts.outputs.files["2031/01/later/index.html"].content
    assert isinstance(later, bytes) and b"Preview only" in later


def test_source_date_epoch_is_the_reference_time(site, monkeypatch):
    root = site({"posts/ada/2030-01-01-later.md": post("title: Later\n")})
    from blogkit.engine.build import BuildOptions, build_site

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1893456000 + 86400))  # 2030-01-02
    assert "2030/01/later/index.html" in build_site(str(root), BuildOptions(jobs=1)).outputs
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023
    assert "2030/01/later/index.html" not in build_site(str(root), BuildOptions(jobs=1)).outputs


def test_tags_are_trimmed_merged_and_aliased(site):
    root = site(
        {
            "tags.yaml": "Kubernetes:\n  aliases: [k8s]\n  description: Containers.\n",
            "posts/ada/2026-01-01-a.md": post("title: A\ntags: ['  Site  Reliability ', k8s, site reliability, KUBERNETES]\n"),
            "posts/ada/2026-01-02-b.md": post("title: B\ntags: SITE RELIABILITY\n"),
        }
    )
    result = build(root)
    assert result.site is not None
    assert {slug: (t.name, t.count) for slug, t in result.site.tags.items()} == {
        "kubernetes": ("Kubernetes", 1),
        "site-reliability": ("Site Reliability", 2),
    }
    assert result.site.posts[-1].tags == ("site-reliability", "kubernetes")


def test_dates_with_and_without_zone_use_the_site_timezone(site):
    root = site(
        {
            "blogkit.yaml": "title: T\nbase_url: https://hub.example/\ntimezone: America/New_York\n",
            "posts/ada/x.md": post("title: X\ndate: 2026-01-31 22:00\n"),
            "posts/ada/y.md": post("title: Y\ndate: 2026-02-01T02:00:00Z\n"),
        }
    )
    result = build(root)
    assert result.site is not None
    by_slug = {p.slug: p for p in result.site.posts}
    assert by_slug["x"].date.isoformat() == "2026-01-31T22:00:00-05:00"
    assert by_slug["x"].path == "2026/01/x/"
    assert by_slug["y"].path == "2026/01/y/", "the URL uses the date in the site's time zone"


def test_base_url_sub_path_prefixes_every_internal_link(site):
    root = site(
        {
            "blogkit.yaml": "title: T\nbase_url: https://hub.example/blog/\n",
            "posts/ada/2026-01-01-a.md": post("title: A\ntags: [x]\n", "See [about](/about/).\n"),
            "pages/about.md": post("title: About\n"),
        }
    )
    result = build(root)
    import re

    for path, output in result.outputs.files.items():
        if path.endswith(".html") and isinstance(output.content, bytes):
            for href in re.findall(rb'(?:href|src)="(/[^"]*)"', output.content):
                assert href.startswith(b"/blog/"), (path, href)


def test_build_writes_nothing_when_there_are_errors_and_keeps_old_output(site, capsys):
    root = site({"posts/ada/2026-01-01-a.md": post("title: A\n")})
    out = Path(root) / "public"
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    before = tree_bytes(out)
    (Path(root) / "posts/ada/2026-01-02-b.md").write_text(post("tags: [x]\n"))
    code, _, err = run_cli(["build", str(root)], capsys)
    assert code == 1 and "nothing was published" in err
    assert tree_bytes(out) == before


def test_stale_files_disappear_on_rebuild(site, capsys):
    root = site({"posts/ada/2026-01-01-a.md": post("title: A\n"), "posts/ada/2026-01-02-b.md": post("title: B\n")})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    (Path(root) / "posts/ada/2026-01-02-b.md").unlink()
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    assert not (Path(root) / "public/2026/01/b").exists()
    assert (Path(root) / "public/2026/01/a/index.html").exists()


def test_refuses_to_replace_a_folder_it_did_not_build(site, tmp_path, capsys):
    root = site({})
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    code, _, err = run_cli(["build", str(root), "-o", str(precious)], capsys)
    assert code == 2 and "does not look like a site built by blogkit" in err
    assert (precious / "thesis.tex").read_text() == "years of work"
    code, _, err = run_cli(["build", str(root), "-o", str(root)], capsys)
    assert code == 2 and "it holds the site itself" in err


def test_unwritable_output_is_an_environment_error(site, tmp_path, capsys):
    root = site({})
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = run_cli(["build", str(root), "-o", str(blocker / "out")], capsys)
    assert code == 3, err
    assert "cannot write the output" in err and "Traceback" not in err


def test_check_validates_without_writing(site, capsys):
    root = site({"posts/ada/2026-01-01-a.md": post("title: A\n")})
    code, _, err = run_cli(["check", str(root)], capsys)
    assert code == 0 and "no problems found" in err
    assert not (Path(root) / "public").exists()


def test_templates_in_the_site_override_the_theme(site):
    root = site(
        {
            "templates/partials/footer.html": "<footer><p>Custom footer for {{ config.title }}</p></footer>\n",
            "posts/ada/2026-01-01-a.md": post("title: A\n"),
        }
    )
    home = build(root).outputs.files["index.html"].content
    assert isinstance(home, bytes) and b"<footer><p>Custom footer for Test Hub</p></footer>" in home


def test_post_text_is_never_evaluated_as_a_template(site):
    root = site({"posts/ada/2026-01-01-a.md": post('title: "{{ 7 * 7 }} <script>"\n', "Body {{ 6 * 7 }} {% raw %}\n")})
    result = build(root)
    assert not result.report.errors, diagnostics(result)
    page = result.outputs.files["2026/01/a/index.html"].content
    assert isinstance(page, bytes)
    assert b"{{ 7 * 7 }} &lt;script&gt;" in page and b"Body {{ 6 * 7 }} {% raw %}" in page
    assert b"49" not in page and b"<script>" not in page


def test_example_site_builds_strict_with_every_page(tmp_path, capsys):
    code, _out, err = run_cli(["build", str(EXAMPLE_SITE), "--strict", "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert err.startswith("blogkit: 23 posts") and err.count("\n") == 1, "only the summary: no problem at all"
    out_dir = tmp_path / "out"
    result = build(EXAMPLE_SITE)
    site = result.site
    assert site is not None
    assert len(site.posts) >= 20 and len(site.authors) >= 7
    assert any(len(p.authors) > 1 for p in site.posts), "a co-authored post"
    assert any(p.assets for p in site.posts), "a bundle"
    assert any(p.series for p in site.posts) and any(p.updates for p in site.posts) and any(p.discussion for p in site.posts)
    for path in (
        "index.html",
        "page/2/index.html",
        "authors/index.html",
        "tags/index.html",
        "archive/index.html",
        "about/index.html",
        "404.html",
    ):
        assert (out_dir / path).is_file(), path
    for handle in site.authors:
        assert (out_dir / "authors" / handle / "index.html").is_file()
    for tag in site.tags.values():
        assert (out_dir / tag.path / "index.html").is_file()
    for team in site.teams.values():
        assert (out_dir / team.path / "index.html").is_file()
    for p in site.posts:
        assert (out_dir / p.path / "index.html").is_file()
        for alias in p.aliases:
            assert (out_dir / alias / "index.html").is_file()
    drafts = build(EXAMPLE_SITE, drafts=True, future=True).site
    assert drafts is not None and len(drafts.posts) >= len(site.posts) + 2, "one draft and one future post"


def _build_in_subprocess(out: Path, cwd: Path, seed: str, jobs: str) -> None:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    subprocess.run(
        [sys.executable, "-m", "blogkit", "build", str(EXAMPLE_SITE), "-o", str(out), "-j", jobs, "-q"],
        cwd=cwd, env=env, check=True,
    )  # fmt: skip


def test_builds_are_byte_identical_across_directories_seeds_and_workers(tmp_path):
    (tmp_path / "a").mkdir()
    _build_in_subprocess(tmp_path / "one", REPO, "1", "1")
    _build_in_subprocess(tmp_path / "two", tmp_path / "a", "4242", "2")
    one, two = tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")
    assert one.keys() == two.keys()
    assert [p for p in one if one[p] != two[p]] == []
    assert not any(str(REPO).encode() in data or str(tmp_path).encode() in data for data in one.values()), "no absolute paths"


def test_rendering_in_worker_processes_gives_the_same_site(site, tmp_path, monkeypatch):
    monkeypatch.setattr("blogkit.engine.rendering._MIN_PARALLEL", 10)
    files = {
        f"posts/ada/2026-01-{i % 28 + 1:02d}-post-{i}.md": post(
            f"title: Post {i}\ntags: [t{i % 5}]\n", f"Text {i}.\n\n```python\nx = {i}\n```\n"
        )
        for i in range(80)
    }
    root = site(files)
    publish(build(root, jobs=1).outputs, str(tmp_path / "serial"))
    publish(build(root, jobs=2).outputs, str(tmp_path / "parallel"))
    assert tree_bytes(tmp_path / "serial") == tree_bytes(tmp_path / "parallel")


def test_posts_read_in_worker_processes_arrive_as_read_here(site, monkeypatch):
    """Front matter, warnings and bodies travel back from workers as their field values
    (`travel_by_fields`): the site and the report are those of a build in one process, warm or cold."""
    from multiprocessing.reduction import ForkingPickler

    from blogkit.core.diagnostics import Diagnostic
    from blogkit.load.frontmatter import PostMeta

    assert {PostMeta, Diagnostic} <= set(ForkingPickler._extra_reducers), "sent by their fields"
    monkeypatch.setattr("blogkit.engine.build._MIN_PARALLEL_READ", 10)
    files = {
        f"posts/ada/2026-01-{i % 28 + 1:02d}-post-{i}.md": post(
            f"title: Post {i}\ntags: [t{i % 5}, T{i % 5}]\nupdated: 2026-02-0{i % 9 + 1}T10:00:00+02:00\naliases: [/old/{i}/]\n",
            f"Text {i} with [a link](/nowhere-{i}/).\n\n## Part {i}\n\nMore.\n",
        )
        for i in range(40)
    }
    root = site(files)
    serial = build(root, jobs=1)
    for cache in (False, True, True):  # without the cache, then cold and warm
        parallel = build(root, jobs=2, cache=cache)
        assert parallel.site == serial.site
        assert diagnostics(parallel) == diagnostics(serial) != []


def test_a_build_parses_each_template_once(site, monkeypatch):
    """Finding what a template reads and compiling it take one syntax tree: the tree is parsed once."""
    from collections import Counter

    import jinja2

    parsed: Counter[str | None] = Counter()
    parse = jinja2.Environment._parse

    def counted(self, source, name, filename):  # type: ignore[no-untyped-def]
        parsed[name] += 1
        return parse(self, source, name, filename)

    monkeypatch.setattr(jinja2.Environment, "_parse", counted)
    result = build(site({"posts/ada/2026-01-02-p.md": post("title: P\ntags: [t]", "Text.\n")}), jobs=1)
    assert not result.report.errors
    assert parsed["post.html"] == parsed["base.html"] == 1
    assert set(parsed.values()) == {1}


def test_template_errors_in_worker_processes_are_reported_once(site, monkeypatch):
    monkeypatch.setattr("blogkit.engine.rendering._MIN_PARALLEL", 10)
    files = {f"posts/ada/2026-01-{i % 28 + 1:02d}-p{i}.md": post(f"title: P{i}\n") for i in range(40)}
    files["templates/post.html"] = "{% extends 'base.html' %}\n{% block content %}{{ post.nope }}{% endblock %}\n"
    result = build(site(files), jobs=2)
    assert diagnostics(result) == [
        "templates/post.html:2:1: error: error in template: UndefinedError: 'blogkit.core.model.Post object' has no attribute 'nope'"
    ]


@pytest.mark.parametrize("raw_html", ["sanitize", "allow", "escape"])
def test_text_that_looks_like_an_internal_link_marker_stays_text(site, raw_html):
    """Internal markers collide with post text: a post may write blogkit's marker syntax, and it stays as written."""
    body = (
        "See [the other post](2026-03-02-other.md) and blogkit-link:0 and blogkit-link:7.\n\n"
        '`blogkit-link:0`\n\n<a href="blogkit-link:0">raw</a>\n'
    )
    files = {
        "blogkit.yaml": f"title: T\nbase_url: https://hub.example/\nmarkdown:\n  raw_html: {raw_html}\n",
        "posts/ada/2026-03-01-hello.md": post("title: Hello\n", body),
        "posts/ada/2026-03-02-other.md": post("title: Other\n"),
    }
    result = build(site(files))
    assert not result.report.errors, diagnostics(result)
    html = result.outputs.files["2026/03/hello/index.html"].content.decode()
    assert '<a href="/2026/03/other/">the other post</a>' in html
    assert "blogkit-link:0 and blogkit-link:7." in html and "<code>blogkit-link:0</code>" in html
    raw = {"allow": '<a href="blogkit-link:0">raw</a>', "escape": "&lt;a href=&quot;blogkit-link:0&quot;&gt;raw&lt;/a&gt;"}
    assert raw.get(raw_html, '<a href="blogkit-link:0"') in html, "the marker syntax written in the post never becomes another post's URL"


ALIAS_BOMB = """title: Bomb
extra:
  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_a_yaml_alias_bomb_in_extra_builds_in_linear_time(site, tmp_path):
    """10^10 strings once expanded: every stage must treat shared values as shared, or the build never ends."""
    root = site({"posts/ada/2026-01-01-bomb.md": post(ALIAS_BOMB)})
    command = [sys.executable, "-m", "blogkit", "build", str(root), "-q", "-j", "1", "-o", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "2026" / "01" / "bomb" / "index.html").is_file()


def test_control_characters_never_reach_the_html_from_any_text_field(site):
    """Control characters from YAML escapes are removed from every text field; names are normalised to NFC."""
    files = {
        "authors/ada.yaml": 'name: "Ade\\u0301la\\aOkafor"\nlinks:\n  - {label: "Git\\x1bHub", url: "https://github.com/ada"}\n',
        "posts/ada/2026-01-01-a.md": post(
            'title: "A\\a"\ntags: ["go\\x07lang"]\nupdates:\n  - {date: 2026-01-02, note: "Fixed\\x0b it"}\n'
        ),
    }
    result = build(site(files))
    assert not result.report.errors, diagnostics(result)
    texts = [o.content for path, o in result.outputs.files.items() if isinstance(o.content, bytes) and not path.startswith("pagefind/")]
    pages = b"".join(texts)  # the search index's files are compressed binaries
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", pages)
    assert "Adéla".encode() in pages and "Ade\u0301la".encode() not in pages
    assert b"golang" in pages and b"Fixed it" in pages and b"GitHub" in pages


@pytest.mark.parametrize(
    "where", ["static/leak.env", "static/secrets", "posts/ada/2026-01-02-leak.md", "posts/ada/2026-01-01-b/leak.txt", "pages/leak.md"]
)
def test_symlinks_leave_the_site_is_an_error_naming_link_and_target(site, tmp_path, where):
    """Symlinks leave the site: a link to anything outside the site folder is never published."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\nAWS_SECRET=hunter2\n")
    root = site({"posts/ada/2026-01-01-b/index.md": post("title: B\n")})
    link = root / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside if where == "static/secrets" else outside / "secret.md")
    result = build(root)
    assert f"{where}: error: '{where}' is a symbolic link to '{link.readlink()}', outside the site folder" in diagnostics(result)
    assert not any(b"hunter2" in o.content for o in result.outputs.files.values() if isinstance(o.content, bytes))


def test_a_dangling_symlink_is_the_same_located_error_in_check_and_build(site, capsys):
    root = site({P: post("title: Hello\n")})
    (root / "static").mkdir()
    (root / "static" / "gone.png").symlink_to(root / "nowhere.png")
    for command in ("check", "build"):
        code, _, err = run_cli([command, str(root)], capsys)
        assert code == 1 and "static/gone.png: error: 'static/gone.png' is a symbolic link to" in err and "does not exist" in err


def test_a_symlink_inside_the_site_is_followed(site):
    root = site({P: post("title: Hello\n"), "static/img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})
    (root / "static" / "logo.svg").symlink_to(root / "static" / "img" / "logo.svg")
    result = build(root)
    assert not result.report.errors and "logo.svg" in result.outputs and "img/logo.svg" in result.outputs


def test_fragments_with_characters_illegal_in_urls_are_encoded(site):
    body = "See [it](2026-03-02-other.md#a%20b) and [that](2026-03-02-other.md#x#y).\n"
    files = {P: post("title: Hello\n", body), "posts/ada/2026-03-02-other.md": post("title: Other\n", "## A b\n\n## x#y\n")}
    result = build(site(files))
    html = result.outputs.files["2026/03/hello/index.html"].content.decode()
    assert 'href="/2026/03/other/#a%20b"' in html and "#x#y" not in html, [d for d in diagnostics(result)]
