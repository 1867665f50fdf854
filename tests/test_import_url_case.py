"""The case of old URLs: Hugo's `disablePathToLower` keeps capitals, its default lowers them; old
URLs that differ only by case (which a build refuses) each keep answering, and each pair is reported."""

from __future__ import annotations

from importing import assert_answers, strict_build

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
    "content/posts/Q.md": _post("C++ in 2024: Title Case!", "2024-01-05"),
}


def _aliases(tmp_path):
    return sorted(line[2:] for p in (tmp_path / "new/posts").rglob("*.md") for line in p.read_text().splitlines() if line.startswith("- /"))


def test_hugo_lowers_the_paths_it_makes_by_default_and_keeps_a_written_url(tmp_path, capsys):
    _import_hugo(tmp_path, capsys, '[permalinks]\nposts = "/:year/:title/"\n', _HUGO_CASES)
    assert _aliases(tmp_path) == ["/2024/c-in-2024-title-case/", "/Custom/URL/", "/blog/big-slug/", "/blog/my-post/"]
    assert_answers(strict_build(tmp_path / "new"), ["/blog/", "/blog/my-post/"], BASE)


def test_hugo_keeps_capitals_in_paths_with_disable_path_to_lower(tmp_path, capsys):
    _import_hugo(tmp_path, capsys, 'disablePathToLower = true\n[permalinks]\nposts = "/:year/:title/"\n', _HUGO_CASES)
    assert _aliases(tmp_path) == ["/2024/C-in-2024-Title-Case/", "/Blog/Big-Slug/", "/Blog/My-Post/", "/Custom/URL/"]
    assert_answers(strict_build(tmp_path / "new"), ["/Blog/", "/Blog/My-Post/", "/2024/C-in-2024-Title-Case/"], BASE)
