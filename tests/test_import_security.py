"""`blogkit import` reads the old site as untrusted input: nothing outside SOURCE is read, nothing outside
DEST is written, and no front matter or config, however hostile, stalls it or ends in a traceback."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from blogkit.migrate.importer import _target
from conftest import run_cli, write_site

SECRET = b"-----BEGIN OPENSSH PRIVATE KEY----- not-for-the-blog"
ZOLA = {"config.toml": 'base_url = "https://old.example"\ntitle = "Old"\n', "content/blog/_index.md": '+++\ntitle = "Blog"\n+++\n'}
JEKYLL = {"_config.yml": "url: https://old.example\ntitle: Old\n"}
HUGO = {"hugo.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n'}


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home folder with a key in it, the old site and the new one beside it; the tests run from there."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "home/.ssh").mkdir(parents=True)
    (tmp_path / "home/.ssh/id_ed25519").write_bytes(SECRET)
    return tmp_path


def others(root: Path) -> dict[str, bytes]:
    """Every file under root but those of the new site: what the import must leave as it was."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and "dest" not in p.parts}


def assert_contained(root: Path, before: dict[str, bytes]) -> None:
    assert others(root) == before, "the import wrote outside DEST"
    for path in (root / "dest").rglob("*"):
        assert not path.is_symlink(), path
        if path.is_file():
            assert SECRET not in path.read_bytes(), f"{path} holds bytes from outside SOURCE"


def lines_of(err: str, word: str) -> list[str]:
    return [line for line in err.splitlines() if word in line]


def test_a_symlink_leading_out_of_the_source_is_reported_and_not_followed(home, capsys):
    old = write_site(
        home / "old",
        {
            **ZOLA,
            "content/blog/2024-01-01-raft/index.md": '+++\ntitle = "Raft"\n+++\nText.\n',
            "content/blog/2024-01-01-raft/diagram.png": b"png",
            "static/logo.svg": "<svg/>",
        },
        base=False,
    )
    os.symlink(home / "home/.ssh/id_ed25519", old / "content/blog/2024-01-01-raft/key.png")
    os.symlink(home / "home/.ssh/id_ed25519", old / "static/id.txt")
    os.symlink(home / "home/.ssh", old / "static/keys")
    os.symlink("logo.svg", old / "static/inside.svg")  # a link that stays in the old site is followed
    before = others(home)
    code, _, err = run_cli(["import", "zola", "old", "dest"], capsys)
    assert code == 0, err
    hint = "  hint: nothing outside the source folder is imported: copy the file into the old site, or remove the link"
    assert err.count(hint) == 3
    assert lines_of(err, "symbolic link") == [
        f"old/content/blog/2024-01-01-raft/key.png: warning: 'content/blog/2024-01-01-raft/key.png' is a symbolic link to "
        f"'{home}/home/.ssh/id_ed25519', outside the source folder; it is not read",
        f"old/static/id.txt: warning: 'static/id.txt' is a symbolic link to '{home}/home/.ssh/id_ed25519', "
        "outside the source folder; it is not read",
        f"old/static/keys: warning: 'static/keys' is a symbolic link to '{home}/home/.ssh', outside the source folder; it is not read",
    ]
    assert sorted(str(p.relative_to(home / "dest")) for p in (home / "dest").rglob("*.*") if p.is_file()) == [
        "authors/old.yaml",
        "blogkit.yaml",
        "posts/old/2024-01-01-raft/diagram.png",
        "posts/old/2024-01-01-raft/index.md",
        "static/blog/raft/diagram.png",
        "static/inside.svg",
        "static/logo.svg",
    ]
    assert_contained(home, before)


def test_author_data_and_a_config_leading_out_of_the_source_are_not_read(home, capsys):
    old = write_site(home / "old", {**JEKYLL, "_posts/2024-01-01-raft.md": "---\ntitle: Raft\nauthor: ana\n---\nText.\n"}, base=False)
    (home / "home/authors.yml").write_bytes(b"ana:\n  name: " + SECRET + b"\n")
    (old / "_data").mkdir()
    os.symlink(home / "home/authors.yml", old / "_data/authors.yml")
    before = others(home)
    code, _, err = run_cli(["import", "jekyll", "old", "dest"], capsys)
    assert code == 0, err
    assert lines_of(err, "_data/authors.yml") == [
        f"old/_data/authors.yml: warning: '_data/authors.yml' is a symbolic link to '{home}/home/authors.yml', "
        "outside the source folder; it is not read"
    ]
    assert_contained(home, before)

    hugo = home / "hugo"
    hugo.mkdir()
    os.symlink(home / "home/.ssh/id_ed25519", hugo / "hugo.toml")
    code, _, err = run_cli(["import", "hugo", "hugo", "dest2"], capsys)
    assert code == 2
    assert f"blogkit: error: hugo.toml: 'hugo.toml' is a symbolic link to '{home}/home/.ssh/id_ed25519', outside the source folder" in err
    assert SECRET.decode() not in err
    assert not (home / "dest2").exists()


@pytest.mark.parametrize(
    ("generator", "files", "where"),
    [
        (
            "zola",
            {**ZOLA, "content/blog/x/index.md": '+++\ntitle = "X"\ndate = 2024-01-01\npath = "../../../escaped"\n+++\nHi\n'},
            "old/content/blog/x/index.md:4",
        ),
        (
            "hugo",
            {**HUGO, "content/blog/x/index.md": "---\ntitle: X\ndate: 2024-01-01\nurl: /../../../escaped/\n---\nHi\n"},
            "old/content/blog/x/index.md:4",
        ),
        (
            "jekyll",
            {**JEKYLL, "_posts/2024-01-01-x.md": "---\ntitle: X\npermalink: /../../../escaped/\n---\nHi\n"},
            "old/_posts/2024-01-01-x.md:3",
        ),
    ],
)
def test_an_old_url_with_dot_dot_is_reported_at_its_line_and_nothing_is_written_outside_dest(home, capsys, generator, files, where):
    old = write_site(home / "old", files, base=False)
    bundle = next(p.parent for p in old.rglob("index.md") if "_index" not in p.name) if generator != "jekyll" else None
    if bundle:
        (bundle / "figure.png").write_bytes(b"png")
    before = others(home)
    code, _, err = run_cli(["import", generator, "old", "dest"], capsys)
    assert code == 0, err
    assert (
        f"{where}: warning: the old URL '/../../../escaped/' steps out of the site with '..'; "
        "it is kept neither as an alias nor as a place for the post's files\n"
        "  hint: write the address the page was served at, e.g. /blog/raft/"
    ) in err
    assert not (home / "escaped").exists() and not (home.parent / "escaped").exists()
    assert "escaped" not in (home / "dest/blogkit.yaml").read_text()
    assert_contained(home, before)


def test_a_redirect_from_with_dot_dot_is_not_kept(home, capsys):
    write_site(
        home / "old",
        {**JEKYLL, "_posts/2024-01-01-x.md": "---\ntitle: X\nredirect_from:\n  - /old/x/\n  - /../../up/\n---\nHi\n"},
        base=False,
    )
    code, _, err = run_cli(["import", "jekyll", "old", "dest"], capsys)
    assert code == 0
    assert "old/_posts/2024-01-01-x.md:5: warning: the old URL '/../../up/' steps out of the site with '..'" in err
    post = (home / "dest/posts/old/2024-01-01-x.md").read_text()
    assert "- /old/x/\n" in post and "up/" not in post


@pytest.mark.parametrize("path", ["/etc/x", "../x", "static/../../x", "a//b", "static/./x", "a/b\x00c", "a/\x1b[2Jb", ""])
def test_every_file_written_goes_through_one_check_that_keeps_it_under_dest(tmp_path, path):
    with pytest.raises(ValueError, match="outside the new site"):
        _target(str(tmp_path), path)
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_with_a_control_character_is_not_imported(home, capsys):
    write_site(home / "old", {**ZOLA, "static/ok.txt": "ok", "static/bad\x1b[31m.txt": "x"}, base=False)
    code, _, err = run_cli(["import", "zola", "old", "dest"], capsys)
    assert code == 0
    assert "old/static/bad\\x1b[31m.txt: warning: the name holds a control character; it is not imported" in err
    assert sorted(p.name for p in (home / "dest/static").iterdir()) == ["ok.txt"]


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": a few hundred bytes of YAML that expand to 9**9 values (and their lists and keys)."""
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for previous, name in zip("abcdefghij", "bcdefghij"[: levels - 1], strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_in_front_matter_is_refused_at_once(home, capsys):
    bomb = alias_bomb()
    write_site(home / "old", {**JEKYLL, "_posts/2024-01-01-bomb.md": f"---\ntitle: Bomb\n{bomb}---\nText.\n"}, base=False)
    params = "".join("  " + line + "\n" for line in bomb.splitlines())
    write_site(
        home / "hugo", {**HUGO, "content/blog/bomb.md": f"---\ntitle: Bomb\ndate: 2024-01-01\nparams:\n{params}---\nText.\n"}, base=False
    )
    started = time.perf_counter()
    code, _, err = run_cli(["import", "jekyll", "old", "dest"], capsys)
    hugo_code, _, hugo_err = run_cli(["import", "hugo", "hugo", "dest2"], capsys)
    assert time.perf_counter() - started < 1.5
    assert (code, hugo_code) == (1, 1)
    message = "uses YAML aliases that expand to 490329066 values, over the limit of 10000"
    assert f"old/_posts/2024-01-01-bomb.md:2:1: error: the front matter {message}" in err
    assert "hugo/content/blog/bomb.md:2:1: error: the front matter uses YAML aliases that expand to 490329070 values" in hugo_err
    assert "  hint: write the values out, or anchor fewer of them (`&` and `*`), then import again" in err
    assert not (home / "dest").exists() and not (home / "dest2").exists()


@pytest.mark.parametrize(
    ("generator", "files", "expected", "exit_code"),
    [
        (
            "hugo",
            {"hugo.json": '{"a":' + "[" * 50_000 + "]" * 50_000 + "}"},
            "blogkit: error: hugo.json:1:1: the JSON file is nested too deeply",
            2,
        ),
        (
            "zola",
            {"config.toml": 'base_url = "https://old.example"\nx = ' + "[" * 50_000 + "]" * 50_000 + "\n"},
            "blogkit: error: config.toml:1:1: the TOML file is nested too deeply",
            2,
        ),
        (
            "jekyll",
            {"_config.yml": "url: https://old.example\nx: " + "[" * 50_000 + "]" * 50_000 + "\n"},
            "blogkit: error: _config.yml:2:",
            2,
        ),
        (
            "hugo",
            {**HUGO, "content/blog/x.md": '{"title": "X", "date": "2024-01-01", "params": ' + "[" * 3000 + "]" * 3000 + "}\nText.\n"},
            "old/content/blog/x.md:1:1: error: the JSON front matter is nested too deeply",
            1,
        ),
        (
            "zola",
            {**ZOLA, "content/blog/x.md": '+++\ntitle = "X"\ndate = 2024-01-01\nextra = ' + "[" * 3000 + "]" * 3000 + "\n+++\nText.\n"},
            "old/content/blog/x.md:2:1: error: the TOML front matter is nested too deeply",
            1,
        ),
        (
            "zola",
            {**ZOLA, "content/blog/x.md": '+++\ntitle = "X"\ndate = 2024-01-01\nn = ' + "9" * 5000 + "\n+++\nText.\n"},
            "old/content/blog/x.md:2:1: error: the TOML front matter cannot be read: Exceeds the limit (4300 digits)",
            1,
        ),
        (
            "jekyll",
            {**JEKYLL, "_data/authors.yml": "ana: &a [*a]\n"},
            "old/_data/authors.yml:1:1: error: the YAML file nests lists and mappings more than 32 deep",
            1,
        ),
    ],
)
def test_deep_or_huge_front_matter_and_config_are_located_errors_not_tracebacks(home, capsys, generator, files, expected, exit_code):
    write_site(home / "old", files, base=False)
    code, _, err = run_cli(["import", generator, "old", "dest"], capsys)
    assert code == exit_code, err
    assert expected in err
    assert "Traceback" not in err and "internal error" not in err
    assert not (home / "dest").exists()


def test_a_dest_that_is_a_symlink_to_an_empty_folder_gets_the_site(home, capsys):
    write_site(home / "old", {**ZOLA, "content/blog/2024-01-01-raft.md": '+++\ntitle = "Raft"\n+++\nText.\n'}, base=False)
    (home / "sites/blog").mkdir(parents=True)
    os.symlink(home / "sites/blog", home / "dest")
    code, _, err = run_cli(["import", "zola", "old", "dest", "-q"], capsys)
    assert code == 0 and "error" not in err
    assert (home / "dest").is_symlink() and os.readlink(home / "dest") == str(home / "sites/blog")
    assert (home / "sites/blog/posts/old/2024-01-01-raft.md").is_file()
    assert [p.name for p in (home / "sites").iterdir()] == ["blog"]  # no staging folder left beside it

    os.symlink(home / "nowhere", home / "dangling")
    code, _, err = run_cli(["import", "zola", "old", "dangling"], capsys)
    assert code == 2
    assert f"blogkit: error: 'dangling' is a symbolic link to '{home}/nowhere', which is no folder" in err
    assert not (home / "nowhere").exists()


# -- whatever the front matter and config hold, the import reports it and ends -----------------------------------

DATES = ["9999-12-31T23:00-05:00", "0001-01-01T00:00+01:00", "9999-12-31T23:00:00-05:00", "2024-02-30", "0000-01-01", "1e999", "2024-01-01"]
HOSTILE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(DATES)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "url", "date", "title"]), inner, max_size=3),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["title", "date", "updated", "tags", "aliases", "slug", "url", "path", "extra", "params", "draft", "authors", "permalink"]
)


def _deep(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True)
@example(generator="zola", front={"date": "9999-12-31T23:00-05:00", "updated": "0001-01-01T00:00+01:00"}, config={})
@example(generator="hugo", front={"date": "0001-01-01T00:00+01:00", "params": _deep(60)}, config={"timeZone": "../../etc/passwd"})
@example(generator="jekyll", front={"date": "9999-12-31T23:00-05:00", "title": 10**40}, config={"paginate": 10**40, "permalink": ["x"]})
@given(
    generator=st.sampled_from(["zola", "hugo", "jekyll"]),
    front=st.dictionaries(KEYS, HOSTILE | st.integers(0, 60).map(_deep), max_size=5),
    config=st.dictionaries(st.sampled_from(["timeZone", "timezone", "permalink", "paginate", "taxonomies", "params"]), HOSTILE, max_size=3),
)
def test_hostile_front_matter_and_config_never_end_in_a_traceback(tmp_path_factory, capsys, generator, front, config):
    root = tmp_path_factory.mktemp("hostile")
    matter = json.dumps(front, allow_nan=True)  # JSON front matter: Hugo and Jekyll read it; Zola gets TOML-like lines
    if generator == "zola":
        toml = "".join(f"{k} = {json.dumps(v, allow_nan=True)}\n" for k, v in config.items())
        files = {**ZOLA, "config.toml": ZOLA["config.toml"] + toml}
        files["content/blog/2024-01-01-x.md"] = (
            "+++\n" + "".join(f"{k} = {json.dumps(v, allow_nan=True)}\n" for k, v in front.items()) + "+++\nText.\n"
        )
    elif generator == "hugo":
        files = {"hugo.json": json.dumps({"baseURL": "https://old.example/", **config}, allow_nan=True)}
        files["content/blog/x/index.md"] = matter + "\nText.\n"
    else:
        files = {
            "_config.yml": "url: https://old.example\n" + "".join(f"{k}: {json.dumps(v, allow_nan=True)}\n" for k, v in config.items())
        }
        files["_posts/2024-01-01-x.md"] = matter + "\nText.\n"
    write_site(root / "old", files, base=False)
    code, _, err = run_cli(["import", generator, str(root / "old"), str(root / "dest"), "-q"], capsys)
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err
