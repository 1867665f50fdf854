"""Golden mini-sites: build each, compare every file byte for byte.

`pytest --update-golden` rewrites the expected trees; review the diff. The search index
(`pagefind/`, Pagefind's own files) is left out: tests/test_search.py checks it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from blogkit.publish.write import publish
from blogkit.render.search import INDEX_FOLDER
from conftest import build, tree_bytes

GOLDEN = Path(__file__).parent / "golden"
SITES = sorted(p.name for p in GOLDEN.iterdir() if (p / "site").is_dir())


@pytest.mark.parametrize("name", SITES)
def test_golden_site(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    result = build(GOLDEN / name / "site")
    assert not result.report.diagnostics, [str(d) for d in result.report.diagnostics]
    out = tmp_path / "out"
    publish(result.outputs, str(out))
    expected_dir = GOLDEN / name / "expected"
    shutil.rmtree(out / INDEX_FOLDER, ignore_errors=True)
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
    actual, expected = tree_bytes(out), tree_bytes(expected_dir)
    assert sorted(actual) == sorted(expected), "the set of files changed"
    for path in expected:
        assert actual[path] == expected[path], f"{path} differs from the golden file"
