"""The keys of front matter are declared once (`load.frontmatter.FRONT_MATTER_KEYS`): every place
that reads, writes or documents them is checked against that list here, so that a key added
to one place and not the others fails a test instead of drifting."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import yaml

from blogkit.core.fields import Fields
from blogkit.load.frontmatter import PAGE_KEYS, POST_KEYS
from blogkit.migrate.model import OldPage, OldPost, Person
from blogkit.migrate.plan import _page_text, _post_text
from conftest import REPO, build, post, run_cli


class _Reads(dict):  # type: ignore[type-arg]
    """A mapping that notes every key looked up in it, whether it is there or not."""

    def __init__(self, data: dict[str, object], noted: set[str]) -> None:
        super().__init__(data)
        self.noted = noted

    def __contains__(self, key: object) -> bool:
        self.noted.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key: str) -> object:
        self.noted.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: object = None) -> object:
        self.noted.add(key)
        return super().get(key, default)


def test_the_readers_read_exactly_the_declared_keys(site, monkeypatch) -> None:
    """The readers look up each key of a post and of a page by hand: they look up those of the list, and no other."""
    looked_up: dict[str, set[str]] = {}
    real = Fields.__init__

    def noting(self: Fields, data: dict[str, object], **kwargs: object) -> None:
        path, what, prefix = kwargs["path"], kwargs["what"], kwargs.get("prefix", ())
        if what == "front matter" and not prefix:
            data = _Reads(data, looked_up.setdefault(str(path), set()))
        real(self, data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Fields, "__init__", noting)
    result = build(site({"posts/ada/2026-03-01-a.md": post("title: A\n"), "pages/about.md": post("title: About\n")}))
    assert not result.report.errors
    assert looked_up["posts/ada/2026-03-01-a.md"] == set(POST_KEYS)
    assert looked_up["pages/about.md"] == set(PAGE_KEYS)


def test_the_readme_names_exactly_the_declared_keys() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Front matter of a post", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = [name for row in rows for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])]
    assert sorted(documented) == sorted(POST_KEYS)
    pages = re.search(r"^Pages in `pages/` take (.+)\.$", section, re.M)
    assert pages is not None
    assert sorted(re.findall(r"`([a-z_]+)`", pages.group(1))) == sorted(PAGE_KEYS)


def _keys(text: str) -> list[str]:
    """The keys of a file's front matter, those a comment suggests (`# summary: ...`) too."""
    head = text.split("---\n")[1]
    return [match.group(1) for match in re.finditer(r"^(?:# )?([a-z_]+):", head, re.M)]


def test_the_importer_writes_only_declared_keys() -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    everything = OldPost(
        source="content/a.md",
        body_line=5,
        title="A",
        date=when,
        body="Text.",
        slug="a",
        url="/a/",
        feed_id="https://old.example/a/",
        authors=(Person("ada", "Ada"), Person("bo", "Bo")),
        tags=("go",),
        aliases=("/old-a/",),
        draft=True,
        summary="Short.",
        updated=when,
        extra={"mood": "calm"},
        discussion="https://github.com/o/r/issues/1",
        series="Intro",
        canonical="https://elsewhere.example/a/",
    )
    written = yaml.safe_load(_post_text(everything, ["ada", "bo"], ["go"], ["/old-a/"], "Text.").split("---\n")[1])
    assert set(written) <= set(POST_KEYS), set(written) - set(POST_KEYS)
    page = _page_text(OldPage("content/about.md", 3, "About", "Text.", "/about/", summary="Us.", draft=True), "Text.")
    assert set(_keys(page)) <= set(PAGE_KEYS), _keys(page)


def test_new_and_init_write_only_declared_keys(site, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # 2026-05-28 UTC
    root = site({})
    assert run_cli(["new", "post", "Hello", "--author", "ada", "--site", str(root)], capsys)[0] == 0
    new = _keys((root / "posts/ada/2026-05-28-hello.md").read_text())
    assert "summary" in new and set(new) <= set(POST_KEYS), new
    fresh = tmp_path / "fresh"
    assert run_cli(["init", str(fresh)], capsys)[0] == 0
    posts = list(fresh.glob("posts/*/*.md"))
    assert posts and all(set(_keys(p.read_text())) <= set(POST_KEYS) for p in posts)
    pages = list(fresh.glob("pages/*.md"))
    assert pages and all(set(_keys(p.read_text())) <= set(PAGE_KEYS) for p in pages)
