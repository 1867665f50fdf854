"""The build cache is input: what its folder holds can make a build slower, never different, and
never reaches outside it (docs/security.md, "The build cache")."""

from __future__ import annotations

import json
import os
import shutil
import zlib
from pathlib import Path

import pytest

from blogkit.engine.cache import CACHE_FOLDER
from blogkit.engine.cache_key import KEY_VARIABLE, cache_key
from conftest import build, read_cache_index, run_cli, tree_bytes, write_cache_index

GOLDEN_HUB = Path(__file__).parent / "golden" / "hub" / "site"


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    root = tmp_path / "hub"
    shutil.copytree(GOLDEN_HUB, root)
    return root


def entries(folder: Path) -> dict[str, list[object]]:
    return read_cache_index(folder)["entries"]


def forge(folder: Path, name: str, payload: bytes, tag: str, *, signed: bool = True) -> None:
    """Put `payload` in the cache as entry `name`, with the tag a forger computed, in an index signed
    with this machine's key (the forger holds it) or not."""
    pack = "4000000-0123456789ab.pack"
    (folder / "packs" / pack).write_bytes(payload)
    index = read_cache_index(folder)
    index["entries"][name] = [pack, 0, len(payload), tag]
    write_cache_index(folder, index, signed=signed)


def post_page(result) -> tuple[str, bytes]:
    path = next(p for p in sorted(result.outputs.files) if p.count("/") == 3 and p.endswith("/index.html") and p[:4].isdigit())
    return path, result.outputs.files[path].content


def cache_notes(result) -> list[str]:
    return [d.message for d in result.report.diagnostics if d.location.path == CACHE_FOLDER]


def test_a_forged_page_entry_is_never_published(hub):
    """An entry with a recomputed checksum (a CRC, or a tag under a key of the forger's) is a miss."""
    first = build(hub, cache=True)
    folder = hub / CACHE_FOLDER
    path, page = post_page(first)
    evil = page.replace(b"</main>", b"<script>alert('from the cache')</script></main>")
    assert evil != page
    outputs = {name: record for name, record in entries(folder).items() if name.startswith("outputs/")}
    found = [name for name, (pack, at, length, _) in outputs.items() if (folder / "packs" / pack).read_bytes()[at : at + length] == page]
    assert found, "the page is in the cache"
    name = found[0]
    pack, at, length, _ = outputs[name]
    same_length = page.replace(b"</main>", b"<script>1</script></main>")[: len(page)]
    with open(folder / "packs" / pack, "r+b") as f:  # the bytes changed in place, the index left as it was
        f.seek(at)
        f.write(same_length[:length])
    again = build(hub, cache=True)
    assert again.outputs.files[path].content == page
    for tag, signed in ((f"{zlib.crc32(evil, zlib.crc32(name.encode())):032x}", False), ("0" * 32, True)):
        forge(folder, name, evil, tag, signed=signed)
        again = build(hub, cache=True)
        assert again.outputs.files[path].content == page
        assert all(b"from the cache" not in o.content for o in again.outputs.files.values() if isinstance(o.content, bytes))


def test_a_cache_written_under_another_key_is_refused_in_one_line(hub, monkeypatch, capsys):
    assert run_cli(["build", str(hub), "-j", "1"], capsys)[0] == 0
    monkeypatch.setenv(KEY_VARIABLE, "another machine's key")
    code, out, err = run_cli(["build", str(hub), "-j", "1"], capsys)
    said = [line for line in (out + err).splitlines() if "another cache key" in line]
    assert code == 0 and len(said) == 1, out + err
    assert ".blogkit-cache: note: " in said[0]
    code, out, err = run_cli(["build", str(hub), "-j", "1"], capsys)
    assert code == 0 and ".blogkit-cache:" not in out + err, "the next build under the same key is warm and says nothing"


def test_a_key_shared_through_the_environment_keeps_a_restored_cache_warm(hub, tmp_path, monkeypatch):
    """CI runners start empty: BLOGKIT_CACHE_KEY (a CI secret) makes the restored cache usable."""
    monkeypatch.setenv(KEY_VARIABLE, "a secret of the CI")
    first = build(hub, cache=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a new runner"))
    again = build(hub, cache=True)
    assert again.stats.rendered == 0 and again.stats.reused == first.stats.rendered
    assert not (tmp_path / "a new runner").exists(), "no key file is made when the key is given"


def test_the_key_file_lives_outside_the_site_and_is_private(hub, tmp_path, monkeypatch):
    build(hub, cache=True)
    key = cache_key(str(hub))
    assert not key.origin.startswith(str(hub)) and os.stat(key.origin).st_mode & 0o077 == 0
    monkeypatch.setenv("XDG_CACHE_HOME", str(hub / "keys"))  # inside the site: in reach of a commit
    result = build(hub, cache=True)
    assert result.stats.reused == 0 and any("inside the site folder" in note for note in cache_notes(result))


def test_a_forged_search_index_list_writes_nothing_outside_the_output(hub, tmp_path, capsys):
    """Even an entry signed with the right key (a leaked key) cannot name a path outside the output."""
    (hub / "blogkit.yaml").write_text((hub / "blogkit.yaml").read_text().replace("search: false", "") + "\nsearch: true\n")
    out = tmp_path / "out"
    code, _, err = run_cli(["build", str(hub), "-q", "-j", "1", "-o", str(out)], capsys)
    assert code == 0, err
    folder = hub / CACHE_FOLDER
    key = cache_key(str(hub))
    index = read_cache_index(folder)
    lists = [name for name in index["entries"] if name.startswith("search/")]
    assert lists
    for name in lists:
        pack, offset, length, _ = index["entries"][name]
        listed = json.loads((folder / "packs" / pack).read_bytes()[offset : offset + length])
        key_of_a_file = listed[0][1]
        payload = json.dumps([*listed, ["../../escaped.html", key_of_a_file], ["/abs.html", key_of_a_file]]).encode()
        forge(folder, name, payload, key.sign(name.encode(), payload))
    shutil.rmtree(out)
    code, _, err = run_cli(["build", str(hub), "-q", "-j", "1", "-o", str(out)], capsys)
    assert code == 0, err
    assert not (tmp_path / "escaped.html").exists() and not (out.parent.parent / "escaped.html").exists()
    assert not any(p.name in ("escaped.html", "abs.html") for p in tmp_path.rglob("*"))


@pytest.mark.parametrize("where", [".blogkit-cache", ".blogkit-cache/packs"])
def test_a_committed_symlink_in_the_cache_is_never_followed(hub, tmp_path, capsys, where):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "VERSION").write_text("someone's file\n")
    (outside / "1-0123456789ab.pack").write_bytes(b"someone's pack")
    (outside / "notes.pack").write_bytes(b"someone's notes")
    (outside / "index.json").write_text("{}")
    before = tree_bytes(outside)
    if where == ".blogkit-cache/packs":
        (hub / CACHE_FOLDER).mkdir()
    (hub / where).symlink_to(outside, target_is_directory=True)
    code, out, err = run_cli(["build", str(hub), "-j", "1"], capsys)
    assert code == 0, err
    assert tree_bytes(outside) == before, "nothing outside the cache folder is read, written or removed"
    assert "symbolic link" in out + err and ".blogkit-cache: note:" in out + err


def test_a_symlink_in_place_of_a_cache_file_is_replaced_not_written_through(hub, tmp_path):
    build(hub, cache=True)
    target = tmp_path / "victim"
    target.write_text("precious\n")
    folder = hub / CACHE_FOLDER
    for name in ("VERSION", "index.json"):
        (folder / name).unlink()
        (folder / name).symlink_to(target)
    build(hub, cache=True)
    assert target.read_text() == "precious\n"
    assert not (folder / "VERSION").is_symlink()
    elsewhere = tmp_path / "packs elsewhere"
    elsewhere.mkdir()
    for pack in (folder / "packs").glob("*.pack"):
        (elsewhere / pack.name).write_bytes(pack.read_bytes())
        pack.unlink()
        pack.symlink_to(elsewhere / pack.name)
    before = tree_bytes(elsewhere)
    result = build(hub, cache=True)
    assert result.stats.reused == 0, "a pack that is a link is not read"
    assert tree_bytes(elsewhere) == before and not result.report.errors


@pytest.mark.parametrize(
    "index",
    [
        '{"version": "V", "entries": {"outputs/x": ["1-0123456789ab.pack", 0, 4611686018427387904, "' + "0" * 32 + '"]}}',
        '{"version": "V", "entries": {"outputs/x": ["1-0123456789ab.pack", 4611686018427387904, 10, "' + "0" * 32 + '"]}}',
        "[" * 100_000 + "]" * 100_000,
        '{"version": "V", "entries": ' + "{" * 50_000 + "}" * 50_000 + "}",
        '{"version": "V", "entries": {"outputs/x": ["../../../etc/passwd", 0, 10, "x"]}}',
    ],
    ids=["huge length", "huge offset", "deep nesting", "deep entries", "a path"],
)
def test_a_hostile_index_is_an_empty_cache_not_a_crash(hub, capsys, index):
    assert run_cli(["build", str(hub), "-q", "-j", "1"], capsys)[0] == 0
    folder = hub / CACHE_FOLDER
    version = read_cache_index(folder)["version"]
    (folder / "packs" / "1-0123456789ab.pack").write_bytes(b"x" * 100)
    body = index.replace('"V"', json.dumps(version)).encode()
    (folder / "index.json").write_bytes(body + b"\n" + cache_key(str(hub)).sign(b"index", body).encode())
    code, out, err = run_cli(["build", str(hub), "-j", "1"], capsys)
    assert code == 0, err
    assert "Traceback" not in out + err
    code, out, err = run_cli(["build", str(hub), "-j", "1"], capsys)
    assert code == 0 and ".blogkit-cache:" not in out + err, "the next build writes a good index"
