"""The case of old URLs: Hugo's `disablePathToLower` keeps capitals, its default lowers them; old
URLs that differ only by case (which a build refuses) each keep answering, and each pair is reported."""

from __future__ import annotations

import pytest
from importing import assert_answers, page_at, strict_build

from conftest import run_cli, write_site

BASE = "https://case.example/"


def _post(title, day, extra=""):
    return f'---\ntitle: "{title}"\ndate: {day}\n{extra}---\nText of {title}.\n'


def _import_hugo(tmp_path, capsys, config, files):
    source = write_site(tmp_path / "old", {"hugo.toml": f'baseURL = "{BASE}"\ntitle = "Case"\n' + config, **files}, base=False)
    code, _, err = run_cli(["import", "hugo", str(source), str(tmp_path / "new")], capsys)
    assert code == 0, err
    return err


_HUGO_CASES = {
    "content/Blog/My-Post.md": _post("My Post", "2024-01-02"),
    "content/Blog/Other.md": _post("Other", "2024-01-03", "slug: Big-Slug\n"),
    "content/Blog/Third.md": _post("Third", "2024-01-04", "url: /Custom/URL/\n"),
    "content/posts/Q.md": _post("C++ in 2024: Title Case!", "2024-01-05", "tags: [Foo Bar]\n"),
}


def _aliases(tmp_path):
    return sorted(line[2:] for p in (tmp_path / "new/posts").rglob("*.md") for line in p.read_text().splitlines() if line.startswith("- /"))


def test_hugo_lowers_the_paths_it_makes_by_default_and_keeps_a_written_url(tmp_path, capsys):
    _import_hugo(tmp_path, capsys, '[permalinks]\nposts = "/:year/:title/"\n', _HUGO_CASES)
    assert _aliases(tmp_path) == ["/2024/c-in-2024-title-case/", "/Custom/URL/", "/blog/big-slug/", "/blog/my-post/"]
    assert_answers(strict_build(tmp_path / "new"), ["/blog/", "/blog/my-post/", "/tags/foo-bar/"], BASE)


def test_hugo_keeps_capitals_in_paths_with_disable_path_to_lower(tmp_path, capsys):
    err = _import_hugo(tmp_path, capsys, 'disablePathToLower = true\n[permalinks]\nposts = "/:year/:title/"\n', _HUGO_CASES)
    assert _aliases(tmp_path) == ["/2024/C-in-2024-Title-Case/", "/Blog/Big-Slug/", "/Blog/My-Post/", "/Custom/URL/"]
    # blogkit's tag page is /tags/foo-bar/: where case does not matter it answers the old one, and a site holds only one
    assert "hugo.toml: warning: the old page /tags/Foo-Bar/ differs only by case from /tags/foo-bar/" in err
    assert "  hint: on a server that tells case apart, redirect /tags/Foo-Bar/ to /tags/foo-bar/ there" in err.splitlines()
    result = strict_build(tmp_path / "new")
    assert_answers(result, ["/Blog/", "/Blog/My-Post/", "/2024/C-in-2024-Title-Case/", "/tags/foo-bar/"], BASE)


# Two old posts whose URLs differ only by case, as each generator writes them; the older one is first.
_TWINS = {
    "hugo": {
        "hugo.toml": f'baseURL = "{BASE}"\ntitle = "Case"\n',
        "content/blog/upper/index.md": "---\ntitle: Upper\ndate: 2024-01-02\nurl: /Notes/\n---\nOlder.\n",
        "content/blog/upper/data.csv": "a,b\n1,2\n",  # a bundle's files are published at its old URL too
        "content/blog/lower/index.md": "---\ntitle: Lower\ndate: 2024-02-03\nurl: /notes/\n---\nNewer.\n",
        "content/blog/lower/data.csv": "a,b\n3,4\n",
    },
    "jekyll": {
        "_config.yml": f"url: {BASE.rstrip('/')}\ntitle: Case\n",
        "_posts/2024-01-02-upper.md": "---\ntitle: Upper\npermalink: /Notes/\n---\nOlder.\n",
        "_posts/2024-02-03-lower.md": "---\ntitle: Lower\npermalink: /notes/\n---\nNewer.\n",
    },
    "zola": {
        "config.toml": f'base_url = "{BASE.rstrip("/")}"\ntitle = "Case"\n',
        "content/_index.md": '+++\ntitle = "Case"\n+++\n',
        "content/upper.md": '+++\ntitle = "Upper"\ndate = 2024-01-02\npath = "Notes"\n+++\nOlder.\n',
        "content/lower.md": '+++\ntitle = "Lower"\ndate = 2024-02-03\npath = "notes"\n+++\nNewer.\n',
    },
}
_LOWER = {"hugo": "content/blog/lower/index.md:4", "jekyll": "_posts/2024-02-03-lower.md:3", "zola": "content/lower.md:4"}
_UPPER = {"hugo": "content/blog/upper/index.md", "jekyll": "_posts/2024-01-02-upper.md", "zola": "content/upper.md"}


@pytest.mark.parametrize("generator", sorted(_TWINS))
def test_old_urls_that_differ_only_by_case_keep_the_older_post_there_and_report_the_other(generator, tmp_path, capsys):
    source = write_site(tmp_path / "old", _TWINS[generator], base=False)
    code, _, err = run_cli(["import", generator, str(source), str(tmp_path / "new")], capsys)
    assert code == 0, err
    reported = [line.split("/old/", 1)[1] for line in err.splitlines() if "only by case" in line]
    assert reported == [
        f"{_LOWER[generator]}: warning: the old URL '/notes/' differs only by case from '/Notes/' of {_UPPER[generator]}, "
        "which keeps it: a site answers only one of them; this post answers at /2024/02/lower/"
    ]
    assert "  hint: on a server that tells case apart, redirect /notes/ to /2024/02/lower/ there" in err.splitlines()
    result = strict_build(tmp_path / "new")
    _, older = page_at(result, "/Notes/", BASE)
    assert b"Older." in older
    assert_answers(result, ["/2024/01/upper/", "/2024/02/lower/"], BASE)
    if generator == "hugo":
        assert result.outputs.files["Notes/data.csv"].content is not None  # the older bundle's file, at its old URL
        assert not any(file.casefold() == "notes/data.csv" for file in result.outputs.files if file != "Notes/data.csv")


def test_an_old_url_two_posts_claim_stays_with_the_older_and_the_other_is_reported(tmp_path, capsys):
    files = {
        "content/blog/a.md": _post("A", "2024-01-02", "aliases: [/same/]\n"),
        "content/blog/b.md": _post("B", "2024-01-03", "aliases: [/same/]\n"),
    }
    err = _import_hugo(tmp_path, capsys, "", files)
    reported = [line.split("/old/", 1)[1] for line in err.splitlines() if "/same/" in line and "warning" in line]
    assert reported == [
        "content/blog/b.md:4: warning: the old URL '/same/' is also an old URL of content/blog/a.md, which keeps it: "
        "a site answers only one of them; this post answers at /2024/01/b/"
    ]
    _, older = page_at(strict_build(tmp_path / "new"), "/same/", BASE)
    assert b"Text of A." in older
