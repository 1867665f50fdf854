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
from conftest import write_site

DEEP = st.sampled_from([40, 1_000, 100_000]).map(lambda depth: "[" * depth + "]" * depth)
DEEP_MAPPINGS = st.sampled_from([40, 5_000]).map(lambda depth: "{a: " * depth + "1" + "}" * depth)
HUGE_NUMBERS = st.sampled_from(["1" + "0" * 5_000, "-" + "9" * 400, "1e400", "-1e400", ".inf", ".nan", "0x" + "f" * 2_000, "1_000" * 300])
EXTREME_DATES = st.sampled_from(
    ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+01:00", "9999-12-31", "0000-00-00", "2026-02-30", "2026-01-01T25:61:00Z"]
)
WRONG_TYPES = st.sampled_from(["[1, 2]", "{a: b}", "true", "null", "''", "'\\x07\\x1b[31m'", '"\\u0000"', "*nowhere", "!!python/none x"])
VALUES = st.one_of(DEEP, DEEP_MAPPINGS, HUGE_NUMBERS, EXTREME_DATES, WRONG_TYPES)

POST_KEYS = ["title", "date", "tags", "extra", "updated", "updates", "aliases", "discussion", "image", "series", "slug", "authors", "id"]
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
