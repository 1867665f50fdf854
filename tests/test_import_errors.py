"""`blogkit import`: what a user can get wrong gets a located message and the documented exit code, never a traceback."""

from __future__ import annotations

import pytest
from importing import FIXTURES

from conftest import build, diagnostics, run_cli, write_site

ZOLA_CONFIG = 'base_url = "https://old.example"\ntitle = "Old"\n'


def zola(root, files):
    return write_site(root, {"config.toml": ZOLA_CONFIG, "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n', **files}, base=False)


def test_a_missing_source_folder_is_a_usage_error(tmp_path, capsys):
    code, _, err = run_cli(["import", "zola", str(tmp_path / "nothing"), str(tmp_path / "dest")], capsys)
    assert code == 2
    assert "error: the source folder" in err and "does not exist" in err


def test_a_folder_that_is_not_that_generators_site_is_a_usage_error(tmp_path, capsys):
    code, _, err = run_cli(["import", "hugo", str(FIXTURES / "zola"), str(tmp_path / "dest")], capsys)
    assert code == 2
    assert "blogkit: error: no hugo.toml or hugo.yaml or hugo.json or config.toml" not in err  # Zola's config.toml is read...
    assert "has no baseURL" in err  # ...and found not to be Hugo's
    assert not (tmp_path / "dest").exists()


def test_an_unknown_generator_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli(["import", "pelican", str(tmp_path), str(tmp_path / "dest")], capsys)
    assert exit_info.value.code == 2


def test_unreadable_front_matter_is_an_error_at_its_line_and_nothing_is_written(tmp_path, capsys):
    source = zola(tmp_path / "old", {"content/blog/broken.md": '+++\ntitle = "Broken"\ndate = 2024-13-01\n+++\nText.\n'})
    code, _, err = run_cli(["import", "zola", str(source), str(tmp_path / "dest")], capsys)
    assert code == 1
    assert "content/blog/broken.md:3:" in err and "error: invalid TOML front matter" in err
    assert "nothing was written" in err
    assert not (tmp_path / "dest").exists()


def test_an_unknown_section_is_a_usage_error(tmp_path, capsys):
    code, _, err = run_cli(["import", "zola", str(FIXTURES / "zola"), str(tmp_path / "dest"), "--section", "news"], capsys)
    assert code == 2
    assert "the site has no section 'news'" in err and "its sections are: (root), blog, releases" in err


def test_a_section_can_be_chosen(tmp_path, capsys):
    code, _, _ = run_cli(["import", "zola", str(FIXTURES / "zola"), str(tmp_path / "dest"), "--section", "releases", "-q"], capsys)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "dest/posts").rglob("*.md")) == ["2024-06-01-kestreldb-2-0.md"]


def test_old_broken_links_are_kept_reported_and_the_site_still_builds(tmp_path, capsys):
    source = zola(
        tmp_path / "old",
        {"content/blog/2024-01-01-old.md": '+++\ntitle = "Old"\n+++\n\nSee [the notes](../notes.html) and [gone](@/blog/gone.md).\n'},
    )
    code, _, err = run_cli(["import", "zola", str(source), str(tmp_path / "dest")], capsys)
    assert code == 0
    assert "content/blog/2024-01-01-old.md:5: warning: the reference 'content/blog/gone.md' names no page of the old site" in err
    assert "content/blog/2024-01-01-old.md:5: warning: link '../notes.html' leads to no page of the old site either" in err
    assert "blogkit.yaml sets links.broken: note" in err
    assert "links:\n  broken: note" in (tmp_path / "dest/blogkit.yaml").read_text()
    result = build(tmp_path / "dest")
    assert [d for d in diagnostics(result) if "notes.html" in d] == [
        "posts/old/2024-01-01-old.md:8:17: note: link target '../notes.html' not found"
    ]
    assert run_cli(["build", str(tmp_path / "dest"), "--strict", "-q"], capsys)[0] == 0, "a note fails no build"


def test_a_section_named_like_a_team_is_that_teams(tmp_path, capsys):
    source = write_site(
        tmp_path / "old",
        {
            "_config.yml": "url: https://old.example\ntitle: Old\nplugins: [jekyll-feed]\nfeed:\n  categories: [storage]\n",
            "_data/teams.yml": "storage:\n  name: Storage\n  url: https://old.example/storage/\n",
            "_data/authors.yml": "ada:\n  name: Ada Okafor\n",
            "storage/_posts/2024-01-02-compaction.md": "---\ntitle: Compaction\nauthor: ada\n---\nText.\n",
        },
        base=False,
    )
    code, _, err = run_cli(["import", "jekyll", str(source), str(tmp_path / "dest")], capsys)
    assert code == 0, err
    dest = tmp_path / "dest"
    assert (dest / "authors/ada.yaml").read_text() == "name: Ada Okafor\nteam: storage\n"
    assert "tags:" not in (dest / "posts/ada/2024-01-02-compaction.md").read_text()
    assert "- path: /feed/storage.xml\n  scope: team:storage\n  format: atom\n" in (dest / "blogkit.yaml").read_text()
    result = build(dest)
    assert diagnostics(result) == []
    assert "feed/storage.xml" in result.outputs.files


def test_hugo_permalinks_url_and_a_config_folder(tmp_path, capsys):
    source = write_site(
        tmp_path / "old",
        {
            "config/_default/hugo.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n[permalinks]\nposts = "/:year/:month/:slug/"\n',
            "config/_default/params.toml": 'team = "Platform"\n',
            "content/posts/first.md": "---\ntitle: First Post\ndate: 2024-02-03\nslug: first\nauthor: Ana Lima (Kestrel)\n---\nIntro.\n"
            "<!--more-->\nRest, by {{< param team >}}.\n",
            "content/posts/moved.md": "---\ntitle: Moved\ndate: 2024-02-04\nurl: /special/moved-here/\nauthor: Ana Lima\n---\nText.\n",
        },
        base=False,
    )
    code, _, err = run_cli(["import", "hugo", str(source), str(tmp_path / "dest")], capsys)
    assert code == 0, err
    first = (tmp_path / "dest/posts/ana-lima/2024-02-03-first.md").read_text()
    assert "aliases" not in first  # /2024/02/first/ is blogkit's own permalink too
    assert "id: https://old.example/2024/02/first/" in first
    assert "Intro.\n<!-- more -->\nRest, by Platform.\n" in first
    assert "- /special/moved-here/\n" in (tmp_path / "dest/posts/ana-lima/2024-02-04-moved.md").read_text()
    assert (tmp_path / "dest/authors/ana-lima.yaml").read_text() == "name: Ana Lima\nbio: Kestrel\n"
    assert diagnostics(build(tmp_path / "dest")) == []


def test_the_pages_of_a_paginated_listing_answer_unless_blogkit_has_them(tmp_path, capsys):
    posts = {f"_posts/2024-01-{day:02d}-post-{day}.md": f"---\ntitle: Post {day}\nauthor: Ana\n---\nText.\n" for day in range(1, 13)}
    config = "url: https://old.example\ntitle: Old\npaginate: 4\npaginate_path: /blog/page:num/\n"
    source = write_site(tmp_path / "old", {"_config.yml": config, **posts}, base=False)
    code, _, err = run_cli(["import", "jekyll", str(source), str(tmp_path / "dest")], capsys)
    assert code == 0, err
    assert "- from: /blog/page2/\n  to: /\n- from: /blog/page3/\n  to: /\n" in (tmp_path / "dest/blogkit.yaml").read_text()
    result = build(tmp_path / "dest")
    assert diagnostics(result) == []
    assert {"blog/page2/index.html", "blog/page3/index.html", "page/2/index.html"} <= set(result.outputs.files)


def test_zola_languages_by_file_name_and_names_with_dots(tmp_path, capsys):
    files = {
        "config.toml": ZOLA_CONFIG + 'default_language = "en"\n[languages.fr]\ntitle = "Vieux"\n',
        "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n',
        "content/blog/_index.fr.md": '+++\ntitle = "Blogue"\n+++\n',
        "content/blog/v2.0-released.md": '+++\ntitle = "v2.0"\ndate = 2024-01-01\n[taxonomies]\nauthors = ["Ana"]\n+++\nText.\n',
        "content/blog/hello.md": '+++\ntitle = "Hello"\ndate = 2024-01-02\n[taxonomies]\nauthors = ["Ana"]\n+++\nText.\n',
        "content/blog/hello.fr.md": '+++\ntitle = "Bonjour"\ndate = 2024-01-02\n[taxonomies]\nauthors = ["Ana"]\n+++\nTexte.\n',
    }
    source = write_site(tmp_path / "old", files, base=False)
    assert run_cli(["import", "zola", str(source), str(tmp_path / "en"), "-q"], capsys)[0] == 0
    english = sorted(p.name for p in (tmp_path / "en/posts").rglob("*.md"))
    assert english == ["2024-01-01-v2-0-released.md", "2024-01-02-hello.md"]
    assert "- /blog/v2-0-released/\n" in (tmp_path / "en/posts/ana/2024-01-01-v2-0-released.md").read_text()
    assert run_cli(["import", "zola", str(source), str(tmp_path / "fr"), "--language", "fr", "-q"], capsys)[0] == 0
    french = (tmp_path / "fr/posts/ana/2024-01-02-hello.md").read_text()
    assert "title: Bonjour" in french and "- /fr/blog/hello/\n" in french
    assert "language: fr\n" in (tmp_path / "fr/blogkit.yaml").read_text()


def test_a_site_under_a_sub_path_keeps_its_links(tmp_path, capsys):
    files = {
        "config.toml": 'base_url = "https://old.example/blog"\ntitle = "Old"\n',
        "content/posts/_index.md": '+++\ntitle = "Posts"\n+++\n',
        "content/posts/one.md": '+++\ntitle = "One"\ndate = 2024-01-01\n[taxonomies]\nauthors = ["Ana"]\n+++\n## Here\n',
        "content/posts/two.md": '+++\ntitle = "Two"\ndate = 2024-01-02\n[taxonomies]\nauthors = ["Ana"]\n+++\n'
        "[one](/blog/posts/one/#here), [again](https://old.example/blog/posts/one/) and [elsewhere](https://old.example/shop/).\n",
    }
    source = write_site(tmp_path / "old", files, base=False)
    assert run_cli(["import", "zola", str(source), str(tmp_path / "dest"), "-q"], capsys)[0] == 0
    two = (tmp_path / "dest/posts/ana/2024-01-02-two.md").read_text()
    assert "[one](2024-01-01-one.md#here), [again](2024-01-01-one.md) and [elsewhere](https://old.example/shop/)." in two
    assert "base_url: https://old.example/blog/\n" in (tmp_path / "dest/blogkit.yaml").read_text()
    result = build(tmp_path / "dest")
    assert diagnostics(result) == []
    assert "posts/one/index.html" in result.outputs.files  # the alias, under the site's own path as every page is


def test_team_and_profile_urls_with_spaces_are_encoded_and_ones_no_url_can_hold_left_out(tmp_path, capsys):
    """A real blog's author data held `…/teams/lang#Style team`: teams.yaml refused it and nothing built."""
    source = write_site(
        tmp_path / "old",
        {
            "_config.yml": "url: https://old.example\ntitle: Old\n",
            "_data/teams.yml": (
                "style:\n  name: Style\n  url: https://old.example/teams#Style team\n"
                "tools:\n  name: Tools\n  url: https://old.example/a#B> and <https://c.example\n"
            ),
            "_data/authors.yml": "ada:\n  name: Ada Okafor\n  team: style\n",
            "_posts/2024-01-02-compaction.md": "---\ntitle: Compaction\nauthor: ada\n---\nText.\n",
        },
        base=False,
    )
    code, _, err = run_cli(["import", "jekyll", str(source), str(tmp_path / "dest")], capsys)
    assert code == 0, err
    teams = (tmp_path / "dest/teams.yaml").read_text()
    assert "url: https://old.example/teams#Style%20team" in teams and "c.example" not in teams
    assert "of the team Tools is no URL teams.yaml can hold; it is left out" in err
    assert run_cli(["build", str(tmp_path / "dest"), "--strict", "-q"], capsys)[0] == 0
