"""What every import test checks: the old site's URLs, anchors and feeds, answered by the build of the imported site."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser

from blogkit.core.urls import output_file
from blogkit.engine.build import BuildResult
from conftest import build, diagnostics, run_cli, tree_bytes

FIXTURES = Path(__file__).parent / "import_fixtures"
_REFRESH = re.compile(rb'http-equiv="refresh" content="0; url=([^"]+)"')


def import_site(generator: str, dest: Path, capsys, *extra: str) -> str:
    code, _, err = run_cli(["import", generator, str(FIXTURES / generator), str(dest), *extra], capsys)
    assert code == 0, err
    return err


def strict_build(dest: Path) -> BuildResult:
    result = build(dest)
    assert [d for d in diagnostics(result) if ": note: " not in d] == []  # what `build --strict` needs (a note fails no build)
    return result


def page_at(result: BuildResult, url: str, base_url: str) -> tuple[str, bytes]:
    """The file that answers an old URL path, following a redirect page to the page it leads to."""
    path = url.lstrip("/")
    file = output_file(path) if path == "" or path.endswith("/") or "." in path.rsplit("/", 1)[-1] else path + "/index.html"
    files = result.outputs.files
    assert file in files, f"{url} does not answer"
    content = files[file].content
    if not isinstance(content, bytes):
        return file, b""  # a file copied as it is
    moved = _REFRESH.search(content)
    if moved:
        target = moved.group(1).decode()
        assert target.startswith(base_url), target
        return page_at(result, "/" + target[len(base_url) :], base_url)
    return file, content


def assert_answers(result: BuildResult, urls: list[str], base_url: str) -> None:
    for url in urls:
        page_at(result, url, base_url)


def assert_anchor(result: BuildResult, url: str, fragment: str, base_url: str) -> None:
    _, content = page_at(result, url, base_url)
    assert f'id="{fragment}"'.encode() in content, f"{url}#{fragment} lands nowhere"


def assert_feed(result: BuildResult, path: str, ids: set[str]) -> None:
    """The old feed URL serves a valid feed listing (at least) these old entry ids."""
    content = result.outputs.files[path.lstrip("/")].content
    assert isinstance(content, bytes)
    parsed = feedparser.parse(content)
    assert not parsed.bozo, (path, parsed.bozo_exception)
    assert parsed.version, path
    assert ids <= {entry.id for entry in parsed.entries}, path


def assert_reproducible_and_refuses_non_empty(generator: str, first: Path, tmp_path: Path, capsys) -> None:
    second = tmp_path / "again"
    import_site(generator, second, capsys)
    assert tree_bytes(first) == tree_bytes(second)
    code, _, err = run_cli(["import", generator, str(FIXTURES / generator), str(second)], capsys)
    assert code == 2
    assert "is not empty" in err
