"""`blogkit import hugo` on the shapes real Hugo blogs take: `author` as a mapping, the site's own
author, a dated page at the top, taxonomy list feeds, every entry in the feeds; each builds with --strict."""

from __future__ import annotations

from importing import assert_answers, assert_feed, strict_build

from conftest import run_cli, write_site

BASE = "https://eng.example/"
CONFIG = f'baseURL = "{BASE}"\ntitle = "Eng Notes"\n[params]\nauthor = "Rui Okonkwo"\n'


def _import(files, tmp_path, capsys):
    source = write_site(tmp_path / "old", {"hugo.toml": CONFIG, **files}, base=False)
    code, _, err = run_cli(["import", "hugo", str(source), str(tmp_path / "new"), *()], capsys)
    assert code == 0, err
    return err


def _post(title, day, extra=""):
    return f"---\ntitle: {title}\ndate: {day}\n{extra}---\nText of {title}.\n"


def test_author_written_as_a_mapping_or_a_list_of_them_is_read(tmp_path, capsys):
    files = {
        "content/posts/a.md": _post("A", "2024-01-02", "author:\n  name: Lena Ruiz\n  link: https://lena.example/\n  position: Acme\n"),
        "content/posts/b.md": _post("B", "2024-01-03", "author:\n  - name: Lena Ruiz\n  - name: Tom Eze\n"),
    }
    _import(files, tmp_path, capsys)
    assert (tmp_path / "new/authors/lena-ruiz.yaml").read_text().startswith("name: Lena Ruiz\nbio: Acme\n")
    assert "https://lena.example/" in (tmp_path / "new/authors/lena-ruiz.yaml").read_text()
    assert (tmp_path / "new/authors/tom-eze.yaml").is_file()
    strict_build(tmp_path / "new")


def test_a_post_without_a_byline_goes_to_the_sites_own_author_not_its_title(tmp_path, capsys):
    err = _import({"content/posts/a.md": _post("A", "2024-01-02")}, tmp_path, capsys)
    assert "it is credited to 'Rui Okonkwo'" in err
    assert sorted(p.name for p in (tmp_path / "new/authors").iterdir()) == ["rui-okonkwo.yaml"]


def test_a_dated_page_at_the_top_becomes_a_page_and_its_alias_answers(tmp_path, capsys):
    files = {
        "content/posts/a.md": _post("A", "2024-01-02", "tags: [Ops]\n"),
        "content/about.md": _post("About", "2023-05-01", "aliases: [about-us]\n"),
    }
    report = _import(files, tmp_path, capsys)
    assert "content/about.md:1: warning: the old feed /index.xml listed 1 page(s) that are no posts (/about/)" in report
    assert (tmp_path / "new/pages/about.md").is_file()
    result = strict_build(tmp_path / "new")
    assert_answers(result, ["/about/", "/about-us/", "/tags/", "/tags/ops/"], BASE)
    assert_feed(result, "/tags/index.xml", {BASE + "tags/ops/"})  # the taxonomy list's feed keeps answering, with its terms
    assert_feed(result, "/categories/index.xml", set())


def test_the_feeds_keep_every_entry_as_hugo_wrote_them_by_default(tmp_path, capsys):
    files = {f"content/posts/p{n:02d}.md": _post(f"P{n}", f"2024-01-{n:02d}") for n in range(1, 25)}
    _import(files, tmp_path, capsys)
    assert "feeds:\n  entries: 24\n" in (tmp_path / "new/blogkit.yaml").read_text()
    result = strict_build(tmp_path / "new")
    assert_feed(result, "/index.xml", {f"{BASE}posts/p{n:02d}/" for n in range(1, 25)})


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n'


def test_a_draft_bundles_files_are_held_back_with_the_draft_never_published(tmp_path, capsys):
    files = {
        "content/posts/a.md": _post("A", "2024-01-02"),
        "content/posts/wip/index.md": _post("Work in progress", "2024-02-03", "draft: true\n") + "![plan](plan.svg)\n",
        "content/posts/wip/plan.svg": SVG,
        "content/posts/shipped/index.md": _post("Shipped", "2024-02-04") + "![plan](plan.svg)\n",
        "content/posts/shipped/plan.svg": SVG,
    }
    _import(files, tmp_path, capsys)
    new = tmp_path / "new"
    assert (new / "posts/rui-okonkwo/2024-02-03-wip/plan.svg").is_file()  # beside the draft, published when it is
    assert sorted(str(p.relative_to(new)) for p in (new / "static").rglob("*.svg")) == ["static/posts/shipped/plan.svg"]
    result = strict_build(new)
    published = [path for path in result.outputs.files if path.endswith(".svg")]
    assert published and all("wip" not in path for path in published)


def test_ugly_urls_and_urls_with_an_extension_keep_their_addresses_and_feed_ids_without_a_slash(tmp_path, capsys):
    files = {
        "hugo.toml": "uglyURLs = true\n" + CONFIG,
        "content/posts/c.md": _post("C", "2024-01-03"),
        "content/posts/b.md": _post("B", "2024-01-02", "url: /bar.html\n"),
        "content/posts/a.md": _post("A", "2024-01-01", "url: /foo\n"),
    }
    _import(files, tmp_path, capsys)
    result = strict_build(tmp_path / "new")
    assert_answers(result, ["/posts/c.html", "/bar.html", "/foo/"], BASE)  # the addresses Hugo 0.168 gave them
    assert_feed(result, "/index.xml", {BASE + "posts/c.html", BASE + "bar.html", BASE + "foo/"})  # and its <guid>s


def test_feed_templates_not_in_the_site_are_said_in_one_line_and_hugos_own_predicts_the_ids(tmp_path, capsys):
    files = {"hugo.toml": 'theme = "docsy"\n' + CONFIG, "content/posts/a.md": _post("A", "2024-01-01")}
    err = _import(files, tmp_path, capsys)
    assert (
        "hugo.toml: warning: the feed templates of 'docsy' are not in the site: entry ids are predicted with Hugo's own RSS template" in err
    )
    assert_feed(strict_build(tmp_path / "new"), "/index.xml", {BASE + "posts/a/"})


def test_a_feed_template_of_the_site_that_gives_other_ids_is_reported_at_its_line(tmp_path, capsys):
    template = "<rss>\n{{ range .Pages }}\n<item>\n<guid>{{ .File.UniqueID }}</guid>\n</item>\n{{ end }}\n</rss>\n"
    files = {"layouts/_default/rss.xml": template, "content/posts/a.md": _post("A", "2024-01-01")}
    err = _import(files, tmp_path, capsys)
    assert "layouts/_default/rss.xml:4: warning: the feed's entry ids are '{{ .File.UniqueID }}', not each page's permalink" in err
