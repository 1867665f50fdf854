"""`blogkit codeowners`: reviewers from profiles, and `check` noticing a CODEOWNERS out of date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blogkit.review.codeowners import BEGIN, END, github_owner
from conftest import post, run_cli, write_site

CONFIG = 'title: Hub\nbase_url: https://hub.example/\ntimezone: UTC\ncodeowners: {editors: "@acme/blog-editors"}\n'
SITE = {
    "blogkit.yaml": CONFIG,
    "authors/ada.yaml": 'name: Ada Okafor\nlinks:\n  - {label: GitHub, url: "https://github.com/ada-o"}\n',
    "authors/mei.yaml": 'name: Mei Chen\nlinks:\n  - {label: GitHub, url: "https://github.com/meichen"}\n',
    "authors/jonas.yaml": 'name: Jonas\nlinks:\n  - {label: Mastodon, url: "https://hachyderm.io/@jonas"}\n',
    "authors/storage.yaml": 'name: Storage Team\nlinks:\n  - {label: GitHub, url: "https://github.com/orgs/acme/teams/storage"}\n',
    "posts/ada/2026-03-01-raft.md": post("title: Raft\n"),
    "posts/ada/2026-04-01-together.md": post("title: Together\nauthors: [ada, mei, jonas]\n"),
    "posts/jonas/2026-05-01-alone.md": post("title: Alone\n"),
    "posts/jonas/2026-05-02-with-mei.md": post("title: With Mei\nauthors: [jonas, mei]\n"),
    "posts/storage/2026-06-01-incident/index.md": post("title: Incident\n"),
    "pages/about.md": post("title: About\n"),
}


def repository(tmp_path: Path, files: dict[str, str] | None = None, *, folder: str = "blog") -> Path:
    """A repository (a `.git` folder) holding the site in `folder`."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    return write_site(tmp_path / "repo" / folder, {**SITE, **(files or {})}, base=False)


def codeowners(root: Path, capsys) -> tuple[int, str, str]:
    return run_cli(["codeowners", str(root)], capsys)


def block_lines(text: str) -> list[str]:
    return text.split(BEGIN + "\n", 1)[1].split(END, 1)[0].splitlines()


def test_each_engineer_owns_their_folder_and_profile_and_the_editors_the_rest(tmp_path, capsys):
    site = repository(tmp_path)
    code, _, err = codeowners(site, capsys)
    assert code == 0
    lines = block_lines((site.parent / "CODEOWNERS").read_text())
    assert lines[0] == "/blog/ @acme/blog-editors"  # first: GitHub takes the last line that matches
    assert "/blog/posts/ada/ @ada-o" in lines and "/blog/authors/ada.yaml @ada-o" in lines
    assert "/blog/posts/mei/ @meichen" in lines
    assert "wrote 9 rules to" in err


def test_a_team_profile_goes_to_its_github_team(tmp_path, capsys):
    site = repository(tmp_path)
    codeowners(site, capsys)
    lines = block_lines((site.parent / "CODEOWNERS").read_text())
    assert "/blog/posts/storage/ @acme/storage" in lines and "/blog/authors/storage.yaml @acme/storage" in lines


def test_co_authored_posts_go_to_every_author_with_a_handle(tmp_path, capsys):
    site = repository(tmp_path)
    codeowners(site, capsys)
    lines = block_lines((site.parent / "CODEOWNERS").read_text())
    assert "/blog/posts/ada/2026-04-01-together.md @ada-o @meichen" in lines
    assert "/blog/posts/jonas/2026-05-02-with-mei.md @meichen" in lines  # jonas has no handle: mei reviews, and the editors
    assert not any("2026-05-01-alone" in line or "2026-03-01-raft" in line for line in lines)  # one author: the folder says it


def test_a_profile_without_a_handle_is_reported_at_the_profile_and_left_to_the_editors(tmp_path, capsys):
    site = repository(tmp_path)
    _, _, err = codeowners(site, capsys)
    assert "authors/jonas.yaml: warning: 'jonas' has no GitHub link: their posts go to the editors in CODEOWNERS" in err
    lines = block_lines((site.parent / "CODEOWNERS").read_text())
    assert not any(line.startswith(("/blog/posts/jonas/ ", "/blog/authors/jonas.yaml")) for line in lines)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://github.com/your-handle", "a placeholder GitHub handle, @your-handle"),
        ("https://github.com/acme/repository", "a GitHub link that is no person's or team's page"),
    ],
)
def test_a_placeholder_or_a_repository_is_no_handle(tmp_path, capsys, url, why):
    site = repository(tmp_path, {"authors/mei.yaml": f'name: Mei Chen\nlinks:\n  - {{label: GitHub, url: "{url}"}}\n'})
    _, _, err = codeowners(site, capsys)
    assert f"authors/mei.yaml: warning: 'mei' has {why}" in err
    assert "@meichen" not in (site.parent / "CODEOWNERS").read_text()


def test_the_block_is_replaced_and_the_rest_of_the_file_kept(tmp_path, capsys):
    site = repository(tmp_path)
    (site.parent / ".github").mkdir()
    github_file = site.parent / ".github" / "CODEOWNERS"
    github_file.write_text("*.go @acme/backend\n")
    codeowners(site, capsys)
    codeowners(site, capsys)
    text = github_file.read_text()
    assert text.startswith("*.go @acme/backend\n\n" + BEGIN + "\n")
    assert text.count(BEGIN) == 1 and text.endswith(END + "\n")
    assert not (site.parent / "CODEOWNERS").exists()  # GitHub reads .github/CODEOWNERS first: that is the one


def test_a_site_at_the_repository_root_has_paths_from_the_root(tmp_path, capsys):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    site = write_site(tmp_path / "repo", SITE, base=False)
    codeowners(site, capsys)
    lines = block_lines((site / "CODEOWNERS").read_text())
    assert lines[0] == "/ @acme/blog-editors" and "/posts/ada/ @ada-o" in lines


def test_without_editors_the_command_says_so(tmp_path, capsys):
    site = repository(tmp_path, {"blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\ntimezone: UTC\n"})
    _, _, err = codeowners(site, capsys)
    assert "blogkit.yaml: warning: no editors team" in err
    assert not any(line.startswith("/blog/ ") for line in block_lines((site.parent / "CODEOWNERS").read_text()))


def test_editors_that_are_no_github_name_are_a_config_error(tmp_path, capsys):
    site = repository(tmp_path, {"blogkit.yaml": "title: Hub\nbase_url: https://hub.example/\ncodeowners: {editors: blog editors}\n"})
    code, _, err = codeowners(site, capsys)
    assert code == 2
    assert "'editors' must be a GitHub team or handle, got 'blog editors'" in err


def check_rows(site: Path, capsys) -> list[dict]:
    _, out, _ = run_cli(["check", str(site), "--format", "json"], capsys)
    return [json.loads(line) for line in out.splitlines()]


def test_check_says_when_codeowners_is_out_of_date(tmp_path, capsys):
    site = repository(tmp_path)
    codeowners(site, capsys)
    assert not [r for r in check_rows(site, capsys) if "CODEOWNERS" in r["message"]]
    (site / "authors" / "mei.yaml").write_text('name: Mei Chen\nlinks:\n  - {label: GitHub, url: "https://github.com/mei-c"}\n')
    rows = [r for r in check_rows(site, capsys) if "CODEOWNERS" in r["message"]]
    assert [(r["severity"], r["path"], r["line"]) for r in rows] == [("warning", str(site.parent / "CODEOWNERS"), 1)]
    assert rows[0]["hint"] == "run `blogkit codeowners` and commit the file"


def test_check_says_nothing_where_there_is_no_codeowners_of_blogkit(tmp_path, capsys):
    site = repository(tmp_path)
    assert not [r for r in check_rows(site, capsys) if "CODEOWNERS" in r["message"]]
    (site.parent / "CODEOWNERS").write_text("* @acme/everyone\n")  # written by hand: not blogkit's to judge
    assert not [r for r in check_rows(site, capsys) if "CODEOWNERS" in r["message"]]


@pytest.mark.parametrize(
    ("url", "owner"),
    [
        ("https://github.com/ada", "@ada"),
        ("https://www.github.com/ada/", "@ada"),
        ("https://github.com/orgs/acme/teams/storage", "@acme/storage"),
        ("https://github.com/acme/repo", ""),
        ("https://github.com/orgs/acme", ""),
        ("https://gitlab.com/ada", ""),
        ("https://github.com.evil.example/ada", ""),
        ("https://github.com/-ada", ""),
        ("javascript:alert(1)//github.com/ada", ""),
    ],
)
def test_github_owner_reads_only_a_person_or_a_team(url, owner):
    assert github_owner(url) == owner
