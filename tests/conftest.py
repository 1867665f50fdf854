"""Shared helpers: whole sites written inline, built in memory or through the CLI."""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import tempfile
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from blogkit.commands.cli import main
from blogkit.engine.build import BuildOptions, BuildResult, build_site

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SITE = REPO / "example_site"
NOW = datetime(2026, 11, 1, tzinfo=UTC)

# The build cache's key (blogkit/engine/cache_key.py) lives in a folder of this test run, not in the user's home.
_KEY_HOME = tempfile.mkdtemp(prefix="blogkit-tests-")
atexit.register(shutil.rmtree, _KEY_HOME, True)
os.environ["XDG_CACHE_HOME"] = _KEY_HOME
os.environ.pop("BLOGKIT_CACHE_KEY", None)

BASE_FILES = {
    "blogkit.yaml": "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n",
    "authors/ada.yaml": "name: Ada Okafor\n",
}


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A real PNG: images are measured, so a few fake bytes no longer pass for one."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite the expected trees of the golden sites")


def write_site(root: Path, files: dict[str, str | bytes], *, base: bool = True) -> Path:
    """Write a site: the base files (config and one author, 'ada'), then `files` over them."""
    merged: dict[str, str | bytes | None] = {**(BASE_FILES if base else {}), **files}
    for name, content in merged.items():
        if content is None:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def post(front_matter: str, body: str = "Some text.\n") -> str:
    return "---\n" + textwrap.dedent(front_matter).strip("\n") + "\n---\n" + textwrap.dedent(body)


@pytest.fixture
def site(tmp_path: Path):
    """site(files) -> the folder of a site written from the base files plus `files`."""

    def make(files: dict[str, str | bytes], *, base: bool = True) -> Path:
        return write_site(tmp_path / "site", files, base=base)

    return make


def build(root: Path, **options: object) -> BuildResult:
    options.setdefault("now", NOW)
    options.setdefault("jobs", 1)
    options.setdefault("cache", False)  # the disk cache has tests of its own; others leave no folder behind
    return build_site(str(root), BuildOptions(**options))  # type: ignore[arg-type]


def diagnostics(result: BuildResult) -> list[str]:
    """'path:line:col: severity: message' for every diagnostic of a build."""
    return [f"{d.location}: {d.severity.value}: {d.message}" for d in result.report.sorted()]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)).replace(os.sep, "/"): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def read_cache_index(folder: Path) -> dict:
    """The build cache's index (its JSON, without the signature line after it)."""
    return json.loads((folder / "index.json").read_bytes().rpartition(b"\n")[0])


def write_cache_index(folder: Path, data: object, *, signed: bool = True) -> None:
    """Write a cache index as a forger would: signed with this machine's key (a leaked key), or not at all."""
    from blogkit.engine.cache_key import cache_key

    body = json.dumps(data).encode()
    mac = cache_key(str(folder.parent)).sign(b"index", body) if signed else "0" * 32
    (folder / "index.json").write_bytes(body + b"\n" + mac.encode())
