"""`blogkit import jekyll` on whole small sites written inline: each a pattern real Jekyll blogs use,
read the way Jekyll read it, and built with `--strict` after the import."""

from __future__ import annotations

from pathlib import Path

from conftest import build, diagnostics, run_cli

BASE = "https://blog.plover.example/"
CONFIG = "title: Plover\nurl: https://blog.plover.example\n"


def jekyll(root: Path, files: dict[str, str], config: str = "") -> Path:
    files = {"_config.yml": CONFIG + config, **files}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def imported(tmp_path: Path, capsys, files: dict[str, str], config: str = "") -> tuple[Path, str, object]:
    """Import the site, check that its import builds with --strict; (the new site, the report, the build)."""
    source = jekyll(tmp_path / "old", files, config)
    dest = tmp_path / "new"
    code, _, err = run_cli(["import", "jekyll", str(source), str(dest)], capsys)
    assert code == 0, err
    result = build(dest)
    assert diagnostics(result) == []  # what `build --strict` needs
    return dest, err, result


def post(front: str, body: str = "Text.\n") -> str:
    return f"---\n{front.strip()}\n---\n{body}"


def test_duplicate_keys_are_read_as_ruby_read_them_the_last_wins_each_reported_at_its_line(tmp_path, capsys):
    dest, report, _ = imported(
        tmp_path,
        capsys,
        {
            "_data/authors.yml": "ana:\n  name: Ana Old\nbo:\n  name: Bo Chen\nana:\n  name: Ana Lima\n",
            "_posts/2024-03-01-raft.md": post("title: First\ntitle: Raft notes\nauthor: ana"),
        },
        "title: Plover Engineering\n",
    )
    assert "_config.yml:3: warning: the key 'title' is given again (first on line 1); as Jekyll did, the last value is kept" in report
    assert "_data/authors.yml:5: warning: the key 'ana' is given again (first on line 1)" in report
    assert "_posts/2024-03-01-raft.md:3: warning: the key 'title' is given again (first on line 2)" in report
    assert (dest / "authors/ana.yaml").read_text() == "name: Ana Lima\n"
    written = (dest / "posts/ana/2024-03-01-raft.md").read_text()
    assert written.startswith("---\ntitle: Raft notes\n") and written.count("title:") == 1
    assert "title: Plover Engineering\n" in (dest / "blogkit.yaml").read_text()
