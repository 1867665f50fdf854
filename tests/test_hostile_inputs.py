"""Hostile structures in any file of the site folder, through the commands themselves: a located
diagnostic and a documented exit code, never exit 4 (an internal bug) and never a traceback."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blogkit.commands.cli import main
from blogkit.load.frontmatter import POST_KEYS
from conftest import run_cli, write_site

DEEP = st.sampled_from([40, 1_000, 100_000]).map(lambda depth: "[" * depth + "]" * depth)
DEEP_MAPPINGS = st.sampled_from([40, 5_000]).map(lambda depth: "{a: " * depth + "1" + "}" * depth)
HUGE_NUMBERS = st.sampled_from(["1" + "0" * 5_000, "-" + "9" * 400, "1e400", "-1e400", ".inf", ".nan", "0x" + "f" * 2_000, "1_000" * 300])
EXTREME_DATES = st.sampled_from(
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00", "9999-12-31", "0000-00-00", "2026-02-30", "2026-01-01T25:61:00Z"]
)
WRONG_TYPES = st.sampled_from(["[1, 2]", "{a: b}", "true", "null", "''", "'\\x07\\x1b[31m'", '"\\u0000"', "*nowhere", "!!python/none x"])
VALUES = st.one_of(DEEP, DEEP_MAPPINGS, HUGE_NUMBERS, EXTREME_DATES, WRONG_TYPES)

PROFILE_KEYS = ["name", "links", "avatar", "team", "feed", "email", "bio", "role"]
CONFIG_KEYS = ["paginate", "timezone", "language", "comments", "limits", "feeds", "search", "brand", "markdown", "related", "fetch"]


def _place(where: str, key: str, value: str) -> dict[str, str]:
    if where == "post":
        return {"posts/ada/2026-01-01-hostile.md": f"---\ntitle: Hostile\n{key}: {value}\n---\nText.\n"}
    if where == "profile":
        return {"authors/ada.yaml": f"name: Ada\n{key}: {value}\n"}
    if where == "config":
        return {"blogkit.yaml": f"title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n{key}: {value}\n"}
    return {f"{where}.yaml": f"{key}: {value}\n"}


PLACES = st.one_of(
    st.tuples(st.just("post"), st.sampled_from(POST_KEYS)),
    st.tuples(st.just("profile"), st.sampled_from(PROFILE_KEYS)),
    st.tuples(st.just("config"), st.sampled_from(CONFIG_KEYS)),
    st.tuples(st.sampled_from(["tags", "teams"]), st.sampled_from(["k8s", "storage", "aliases"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PLACES, VALUES, st.sampled_from(["build", "check"]))
def test_hostile_structures_anywhere_give_located_problems_never_a_crash(place: tuple[str, str], value: str, command: str) -> None:
    where, key = place
    with tempfile.TemporaryDirectory() as folder:
        files = {"posts/ada/2025-01-01-fine.md": "---\ntitle: Fine\n---\nText.\n", **_place(where, key, value)}
        root = write_site(Path(folder) / "site", files)
        args = [command, str(root), "-j", "1", "--no-cache"] + (["-o", str(Path(folder) / "out")] if command == "build" else [])
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        shown = out.getvalue() + err.getvalue()
        assert code in (0, 1, 2), shown
        assert "Traceback" not in shown and "bug in blogkit" not in shown, shown
        if code:
            assert any(line.split(": ")[1:2] == ["error"] for line in shown.splitlines() if line.startswith(str(root))), shown
        shutil.rmtree(root)


def test_a_hostile_previous_output_is_ignored_by_check(site, capsys):
    """`check` reads the previous build's sitemap and feed (perhaps downloaded from the live site): an
    entity bomb is not expanded, and entries without a zone beside ones with one are no crash."""
    root = site({"posts/ada/2026-03-01-new.md": "---\ntitle: New\n---\nText.\n"})
    assert run_cli(["build", str(root), "-q"], capsys)[0] == 0
    sitemap = (root / "public" / "sitemap.xml").read_text()
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    (root / "public" / "sitemap.xml").write_text(bomb + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">&b;</urlset>')
    (root / "posts/ada/2026-01-15-old.md").write_text("---\ntitle: Old\n---\nText.\n")
    code, out, err = run_cli(["check", str(root)], capsys)
    assert code == 0 and "Traceback" not in out + err
    (root / "public" / "sitemap.xml").write_text(sitemap)
    (root / "public" / "feed.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><published>2026-01-01</published></entry>'
        "<entry><published>2026-02-01T00:00:00+00:00</published></entry></feed>"
    )
    code, out, err = run_cli(["check", str(root)], capsys)
    assert code == 0 and "Traceback" not in out + err
    assert "back-dated post: dated 2026-01-15, before the newest entry readers already have (2026-02-01)" in out + err
