"""The site's search: what is indexed, the index's files (reproducible, cached, kept current by
serve), the search page, and the index's failures reported."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import stat
import threading
import time
from pathlib import Path

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from blogkit.core.outputs import Cached, CopyFile
from blogkit.engine.build import BuildOptions, BuildResult
from blogkit.engine.cache import MemoryCache
from blogkit.engine.search import SearchJob, pagefind_version
from blogkit.engine.search_files import reproducible
from blogkit.engine.session import Session
from blogkit.render.search import INDEX_FOLDER, PARTS_FILE, search_documents
from conftest import NOW, build, post, read_cache_index, run_cli, tree_bytes, write_site

HUB = {
    "blogkit.yaml": "title: Test Hub\nbase_url: https://hub.example/\ntimezone: UTC\n",
    "authors/ada.yaml": "name: Ada Okafor\nteam: storage\n",
    "authors/bo.yaml": "name: Bo Lindqvist\n",
    "teams.yaml": "storage:\n  name: Storage\n",
    "posts/ada/2026-03-01-compaction.md": post(
        "title: Compaction <b>tiers</b>\ntags: [storage]", "Quasarwidget appears here only.\n\n## Levels\n\nText."
    ),
    "posts/bo/2026-03-02-gateway.md": post("title: The gateway\ntags: [networking]", "Latency of the gateway.\n"),
    "posts/bo/2026-03-03-secret.md": post("title: Unfinished\ndraft: true", "Draftonlyword is in a draft.\n"),
    "posts/bo/2027-01-01-later.md": post("title: Later", "Futureonlyword is in a future post.\n"),
    "posts/ada/2026-03-04-hidden.md": post("title: Hidden\nsearch: false", "Hiddenonlyword is left out.\n"),
    "pages/about.md": post("title: About", "Aboutpageword lives on a page.\n"),
    "pages/imprint.md": post("title: Imprint\nsearch: false", "Imprintword is left out.\n"),
}


def index_of(result: BuildResult) -> dict[str, bytes]:
    """The index's files, by path under pagefind/."""
    found = {}
    for path, output in result.outputs.files.items():
        if path.startswith(f"{INDEX_FOLDER}/"):
            content = output.content
            found[path[len(INDEX_FOLDER) + 1 :]] = Path(content.source).read_bytes() if isinstance(content, CopyFile) else content
    return found


def indexed_text(index: dict[str, bytes]) -> dict[str, dict[str, object]]:
    """Each indexed page's fragment (its URL, text, metadata and filters), by URL."""
    pages = {}
    for path, data in index.items():
        if path.startswith("fragment/"):
            fragment = json.loads(gzip.decompress(data)[len(b"pagefind_dcd") :])
            pages[fragment["url"]] = fragment
    return pages


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site", HUB, base=False)


def test_posts_and_pages_are_indexed_with_their_metadata_and_filters(hub: Path) -> None:
    result = build(hub)
    assert not result.report.errors
    index = index_of(result)
    assert {"pagefind.js", "pagefind-entry.json", "pagefind-worker.js", "wasm.en.pagefind"} <= set(index)
    assert not [p for p in index if p.startswith("pagefind-ui")], "Pagefind's own interface is not published"
    pages = indexed_text(index)
    assert set(pages) == {"/2026/03/compaction/", "/2026/03/gateway/", "/about/"}
    compaction = pages["/2026/03/compaction/"]
    assert "Quasarwidget appears here only" in compaction["content"]
    assert compaction["meta"]["title"] == "Compaction <b>tiers</b>"  # text, as written
    assert compaction["meta"]["date"] == "2026-03-01"
    assert compaction["meta"]["authors"] == "Ada Okafor"
    assert compaction["filters"] == {"author": ["Ada Okafor"], "team": ["Storage"], "tag": ["storage"]}
    assert "#" not in compaction["content"], "heading anchors are not words of the post"
    assert "Bo Lindqvist" in pages["/2026/03/gateway/"]["content"], "authors are words to find a post by"


def test_drafts_future_posts_and_opted_out_pages_are_never_indexed(hub: Path) -> None:
    result = build(hub, drafts=True, future=True)  # published, even: a real build still does not index them
    text = json.dumps(indexed_text(index_of(result)))
    for word in ("Draftonlyword", "Futureonlyword", "Hiddenonlyword", "Imprintword"):
        assert word not in text
    assert "Aboutpageword" in text


def test_drafts_and_future_posts_are_never_indexed_even_when_shown(hub: Path) -> None:
    """`serve` shows drafts and scheduled posts, marked; a search finds only what will ship."""
    result = build(hub, drafts=True, future=True)
    assert result.site is not None
    files = {d.file for d in search_documents(result.site)}
    assert not {"2026/03/secret/index.html", "2027/01/later/index.html"} & files
    assert "2026/03/hidden/index.html" not in files


def test_two_builds_give_byte_identical_indexes(hub: Path) -> None:
    first = index_of(build(hub))
    for _ in range(3):  # Pagefind alone orders filter values differently from run to run
        assert index_of(build(hub)) == first


def test_a_cached_index_is_reused_and_equals_a_new_one(hub: Path) -> None:
    cold = build(hub, cache=True)
    cache_dir = hub / ".blogkit-cache"
    assert cache_dir.is_dir()
    warm = build(hub, cache=True)
    assert index_of(warm) == index_of(cold) == index_of(build(hub))
    # the documents of an unchanged site have their index in the cache: nothing to run
    from blogkit.engine.cache import open_cache

    assert warm.site is not None
    job = SearchJob(search_documents(warm.site), open_cache(str(hub), enabled=True))
    assert job.ready and not job.missing


def test_an_edit_changes_the_index(hub: Path) -> None:
    before = indexed_text(index_of(build(hub, cache=True)))
    path = hub / "posts/bo/2026-03-02-gateway.md"
    path.write_text(post("title: The gateway\ntags: [networking]", "Zebracorn latency.\n"))
    after = indexed_text(index_of(build(hub, cache=True)))
    assert "Zebracorn" in after["/2026/03/gateway/"]["content"]
    assert "Zebracorn" not in before["/2026/03/gateway/"]["content"]


def test_search_false_leaves_out_the_index_the_page_and_the_link(hub: Path) -> None:
    config = hub / "blogkit.yaml"
    config.write_text(config.read_text() + "search: false\n")
    result = build(hub)
    assert not result.report.errors
    assert not index_of(result)
    assert "search/index.html" not in result.outputs.files
    home = result.outputs.files["index.html"].content
    assert isinstance(home, bytes)
    assert b"search/" not in home and b"keys.js" not in home


@pytest.mark.parametrize("name", ["pagefind.js", PARTS_FILE])
def test_a_site_file_at_an_index_files_path_is_a_collision_not_a_replacement(hub: Path, name: str, capsys) -> None:
    """A static file may not stand in for a file of the index (Pagefind's script, the list of parts):
    in a build, and from the CLI with a cold cache and a warm one, it is an error at the user's file."""
    mine = hub / "static" / INDEX_FOLDER / name
    mine.parent.mkdir(parents=True)
    mine.write_text("alert('not the index')\n")
    result = build(hub)
    assert [f"{d.location.path}: {d.message}" for d in result.report.errors] == [
        f"static/{INDEX_FOLDER}/{name}: /{INDEX_FOLDER}/{name} is also written by blogkit's own search"
    ]
    out = hub.parent / "out"
    for _ in ("cold", "warm"):
        code, _, err = run_cli(["build", str(hub), "-o", str(out)], capsys)
        assert code == 1, err
        assert f"static/{INDEX_FOLDER}/{name}: error: /{INDEX_FOLDER}/{name} is also written by blogkit's own search" in err
        assert not out.exists(), "nothing is published"
    mine.unlink()
    code, _, err = run_cli(["build", str(hub), "-o", str(out)], capsys)
    assert code == 0, err
    assert b"not the index" not in (out / INDEX_FOLDER / name).read_bytes()


def test_search_must_be_true_or_false(hub: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = hub / "blogkit.yaml"
    config.write_text(config.read_text() + "search: sometimes\n")
    code, _, err = run_cli(["build", str(hub), "-o", str(hub.parent / "out")], capsys)
    assert code == 2
    assert "blogkit.yaml:4:9: error: 'search' must be true or false" in err


def test_search_in_front_matter_must_be_true_or_false(hub: Path) -> None:
    (hub / "posts/ada/2026-03-04-hidden.md").write_text(post("title: Hidden\nsearch: no thanks"))
    result = build(hub)
    assert [d.message for d in result.report.errors] == ["'search' must be true or false, got 'no thanks'"]


def test_the_search_page_works_without_javascript_and_is_labelled(hub: Path) -> None:
    result = build(hub)
    page = result.outputs.files["search/index.html"].content
    assert isinstance(page, bytes)
    html = page.decode()
    assert '<label for="search-input">' in html
    assert 'role="status" aria-live="polite"' in html
    assert "<noscript>" in html and 'href="/archive/"' in html and 'href="/tags/"' in html
    assert 'data-index="/pagefind/"' in html
    home = result.outputs.files["index.html"].content
    assert isinstance(home, bytes)
    assert b'href="/search/" data-search-link' in home and b"assets/keys.js" in home


def test_the_search_page_knows_a_site_under_a_sub_path(hub: Path) -> None:
    config = hub / "blogkit.yaml"
    config.write_text(config.read_text().replace("https://hub.example/", "https://hub.example/blog/"))
    page = build(hub).outputs.files["search/index.html"].content
    assert isinstance(page, bytes)
    assert b'data-index="/blog/pagefind/" data-base="/blog/"' in page


def test_a_failing_indexer_is_an_error_and_nothing_is_published(hub: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    fake = tmp_path / "pagefind"
    fake.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "pagefind 1.5.2"; exit 0; fi\necho "Error: disk on fire" >&2\nexit 1\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    pagefind_version.cache_clear()
    try:
        out = tmp_path / "public"
        code, _, err = run_cli(["build", str(hub), "-o", str(out), "--no-cache"], capsys)
    finally:
        pagefind_version.cache_clear()
    assert code == 1
    assert "(search): error: the search index could not be built: Error: disk on fire" in err
    assert "hint: `search: false` in blogkit.yaml builds the site without search" in err
    assert not out.exists()


def test_a_missing_indexer_is_an_error(hub: Path, monkeypatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(hub / "no-such-binary"))
    pagefind_version.cache_clear()
    try:
        result = build(hub)
    finally:
        pagefind_version.cache_clear()
    assert next(d.message for d in result.report.errors).startswith("the search index could not be built: Pagefind cannot be run")


def test_serve_keeps_the_last_index_until_the_new_one_is_ready(hub: Path) -> None:
    session = Session(str(hub), BuildOptions(jobs=1, now=NOW))
    try:
        first = session.build(set())
        path = hub / "posts/bo/2026-03-02-gateway.md"
        path.write_text(post("title: The gateway\ntags: [networking]", "Zebracorn latency.\n"))
        edited = session.build({"posts/bo/2026-03-02-gateway.md"})
        assert session.patched
        heard = []
        session.on_search = lambda result, problems: heard.append((result, problems))
        settled = session.settle()
        assert settled is not None and heard and heard[0][1] == []

        def served_index(result: BuildResult) -> dict[str, bytes]:
            found = {}
            for name, output in result.outputs.files.items():
                if name.startswith(f"{INDEX_FOLDER}/"):
                    content = output.content
                    data = session.stored(content.key) if isinstance(content, Cached) else content
                    assert isinstance(data, bytes)
                    found[name[len(INDEX_FOLDER) + 1 :]] = data
            return found

        assert served_index(edited) == served_index(first), "the last index is served while the new one is made"
        text = indexed_text(served_index(settled))
        assert "Zebracorn" in text["/2026/03/gateway/"]["content"]
        assert served_index(settled) == index_of(build(hub)), "the same as a build's (no drafts shown here)"
    finally:
        session.close()


def _filter_file(name: str, values: list[tuple[str, list[int]]]) -> bytes:
    return gzip.compress(b"pagefind_dcd" + cbor2.dumps([name, [[v, pages] for v, pages in values]]), mtime=0)


@given(st.permutations([("Ada", [1, 3]), ("Bo", [2]), ("Cy", [4]), ("Dee", [1, 2, 5])]), st.randoms(use_true_random=False))
def test_filter_files_are_the_same_in_any_order_pagefind_writes_them(values: list[tuple[str, list[int]]], rnd: random.Random) -> None:
    def index(order: list[tuple[str, list[int]]], meta_order: list[list[str]]) -> dict[str, bytes]:
        meta = ["1.5.2", [], [], meta_order, [["date", [1, 2]]], ["title"]]
        return {
            "filter/en_aaaaaaa.pf_filter": _filter_file("author", order),
            "filter/en_bbbbbbb.pf_filter": _filter_file("tag", [("go", [1])]),
            "pagefind.en_0123456789.pf_meta": gzip.compress(b"pagefind_dcd" + cbor2.dumps(meta), mtime=0),
            "pagefind-entry.json": b'{"version":"1.5.2","languages":{"en":{"hash":"en_0123456789","wasm":"en","page_count":5}}}',
        }

    pairs = [["author", "en_aaaaaaa"], ["tag", "en_bbbbbbb"]]
    shuffled = pairs[:]
    rnd.shuffle(shuffled)
    sorted_values = sorted(values)
    expected = reproducible(index(sorted_values, pairs))
    assert reproducible(index(values, shuffled)) == expected
    entry = json.loads(expected["pagefind-entry.json"])
    meta_name = f"pagefind.{entry['languages']['en']['hash']}.pf_meta"
    assert meta_name in expected, "the entry names the metadata file"
    meta = cbor2.loads(gzip.decompress(expected[meta_name])[len(b"pagefind_dcd") :])
    for _, hash_ in meta[3]:
        assert f"filter/{hash_}.pf_filter" in expected, "the metadata names the filter files"


def test_the_index_is_not_written_outside_the_cache_and_output(hub: Path, tmp_path: Path, monkeypatch) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    build(hub)
    assert not os.listdir(scratch), "the indexer's scratch folder is removed"


def _scratch_made_in(monkeypatch) -> list[str | None]:
    """The folders the build's scratch folders are made in (None: the system's temporary folder)."""
    import tempfile

    made: list[str | None] = []
    real = tempfile.mkdtemp

    def mkdtemp(suffix: str | None = None, prefix: str | None = None, dir: str | None = None) -> str:
        if prefix == "blogkit-search-":
            made.append(dir)
        return real(suffix, prefix, dir)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    return made


def test_a_small_index_is_made_in_memory_and_its_scratch_removed(hub: Path, tmp_path: Path, monkeypatch) -> None:
    import tempfile

    import blogkit.engine.search as search

    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr(search, "MEMORY_FOLDER", str(memory))
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    made = _scratch_made_in(monkeypatch)
    result = build(hub)
    assert made == [str(memory)], "the scratch goes to the file system in memory"
    assert not os.listdir(memory), "and is removed"
    on_disk = tmp_path / "tmp"
    on_disk.mkdir()
    monkeypatch.setenv("TMPDIR", str(on_disk))
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert index_of(build(hub)) == index_of(result), "the index is the same wherever it was made"
    assert made == [str(memory), None]


def test_tmpdir_wins_over_memory_and_a_large_index_goes_to_disk(tmp_path: Path, monkeypatch) -> None:
    from blogkit.engine.search import MEMORY_SCRATCH_MAX, SCRATCH_PER_DOCUMENT, scratch_parent

    memory = str(tmp_path)
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    assert scratch_parent(1000, memory) == memory
    assert scratch_parent(MEMORY_SCRATCH_MAX // SCRATCH_PER_DOCUMENT + 1, memory) is None, "too large for memory"
    assert scratch_parent(1000, str(tmp_path / "missing")) is None, "no such file system"
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(name, memory)
        assert scratch_parent(1000, memory) is None, f"{name} chooses: the system's temporary folder"
        monkeypatch.delenv(name)


def test_a_memory_folder_that_refuses_the_scratch_leaves_it_to_the_temporary_folder(hub: Path, tmp_path: Path, monkeypatch) -> None:
    import blogkit.engine.search as search

    not_a_folder = tmp_path / "shm"
    not_a_folder.write_text("a file, where a folder was expected\n")
    not_a_folder.chmod(0o755)  # passes the check of access, and fails to hold a folder
    monkeypatch.setattr(search, "MEMORY_FOLDER", str(not_a_folder))
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.delenv(name, raising=False)
    made = _scratch_made_in(monkeypatch)
    result = build(hub)
    assert made == [str(not_a_folder), None]
    assert not result.report.errors
    assert "pagefind.js" in index_of(result)


def test_a_memory_cache_holds_the_index_for_the_next_build(hub: Path) -> None:
    result = build(hub)
    assert result.site is not None
    cache = MemoryCache()
    job = SearchJob(search_documents(result.site), cache).start()
    assert job.missing, "not in the cache yet"
    from blogkit.core.diagnostics import Report
    from blogkit.core.outputs import OutputTree

    report = Report()
    tree = OutputTree(report)
    job.publish(tree, report)
    assert not report.errors
    again = SearchJob(search_documents(result.site), cache)
    assert again.ready and not again.missing


def test_check_does_not_make_the_index(hub: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(hub / "no-such-binary"))  # would fail if it were run
    pagefind_version.cache_clear()
    try:
        code, _, err = run_cli(["check", str(hub), "--no-cache"], capsys)
    finally:
        pagefind_version.cache_clear()
    assert code == 0, err


def test_cancelling_the_index_stops_the_pagefind_it_started(hub: Path, tmp_path: Path, monkeypatch) -> None:
    """serve cancels an index that an edit made stale: the indexer's own processes stop with it,
    rather than running on (and holding the server's terminal) after the server is gone."""
    started = _slow_pagefind(tmp_path, monkeypatch)
    try:
        result = build(hub, search_index=False)
        assert result.site is not None
        job = SearchJob(search_documents(result.site), MemoryCache()).start()
        pid = _started(started)
        job.cancel()
        assert not _still_alive(pid), "the indexer was left running"
    finally:
        pagefind_version.cache_clear()


def test_a_ctrl_c_while_the_build_waits_for_the_index_stops_the_pagefind_it_started(hub: Path, tmp_path: Path, monkeypatch) -> None:
    """The job forgot its child when waiting for it was interrupted, so the build's cancel found
    nothing to stop: Pagefind ran on, in a process group of its own, after the build was gone."""
    from blogkit.core.diagnostics import Report
    from blogkit.core.outputs import OutputTree

    started = _slow_pagefind(tmp_path, monkeypatch)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = build(hub, search_index=False)
        assert result.site is not None
        job = SearchJob(search_documents(result.site), MemoryCache()).start()
        pid = _started(started)
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        report = Report()
        with pytest.raises(KeyboardInterrupt):
            job.publish(OutputTree(report), report)
        job.cancel()  # as the build does when it is interrupted
        assert not _still_alive(pid), "the indexer was left running"
    finally:
        signal.signal(signal.SIGINT, previous)
        pagefind_version.cache_clear()


def _slow_pagefind(tmp_path: Path, monkeypatch) -> Path:
    """A Pagefind that writes its process id to the file returned, then sleeps for a minute."""
    started = tmp_path / "pid"
    fake = tmp_path / "pagefind"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo "pagefind 1.5.2"; exit 0; fi\necho $$ > {started}\nexec sleep 60\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    pagefind_version.cache_clear()
    return started


def _started(started: Path) -> int:
    deadline = time.monotonic() + 20
    while not (started.exists() and started.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return int(started.read_text())


def _still_alive(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waiting for its (gone) parent counts as stopped
        return f.read().split(") ", 1)[1][0] != "Z"


def _index_entries(cache: Path, index: dict[str, bytes]) -> list[tuple[str, list[object]]]:
    """The cache's entries that hold a file of `index` (pack, offset, length, tag), by entry name."""
    found = []
    for name, record in read_cache_index(cache)["entries"].items():
        pack, at, length, _ = record
        data = (cache / "packs" / pack).read_bytes()[at : at + length]
        if name.startswith("outputs/") and data in index.values() and len(data) > 16:
            found.append((name, record))
    return found


def test_a_warm_build_has_workers_write_the_cached_index_as_it_was(hub: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """A warm `blogkit build` has its workers write the index's files (thousands at 10,000 posts), and
    publishes the index a cold build made, byte for byte."""
    import blogkit.engine.search as search

    cold_out, warm_out = tmp_path / "cold", tmp_path / "warm"
    assert run_cli(["build", str(hub), "-o", str(cold_out), "-q"], capsys)[0] == 0
    written: list[int] = []
    map_ranges = search.map_ranges

    def spied(work, items, jobs, **options):  # type: ignore[no-untyped-def]
        written.append(len(items))
        return map_ranges(work, items, jobs, **options)

    monkeypatch.setattr(search, "map_ranges", spied)
    monkeypatch.setattr(search, "_MIN_PARALLEL_FILES", 1)
    assert run_cli(["build", str(hub), "-o", str(warm_out), "-q", "-j", "2"], capsys)[0] == 0
    index = tree_bytes(cold_out / INDEX_FOLDER)
    assert written == [len(index) - 1], "every index file but the list of parts was written by the workers"
    assert PARTS_FILE in index
    assert tree_bytes(warm_out) == tree_bytes(cold_out)


def test_an_index_file_the_cache_fails_to_give_makes_its_part_again(hub: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    """An entry listed in the index whose bytes no longer match their tag (changed on disk) is a miss:
    its part of the index is made again, and nothing the workers wrote of it before is left over."""
    import blogkit.engine.search as search

    cold_out, warm_out = tmp_path / "cold", tmp_path / "warm"
    assert run_cli(["build", str(hub), "-o", str(cold_out), "-q"], capsys)[0] == 0
    cache = hub / ".blogkit-cache"
    index = tree_bytes(cold_out / INDEX_FOLDER)
    found = _index_entries(cache, index)
    assert found, "the index's files are in the cache"
    for _, (pack, at, length, _) in found[-1:]:
        with open(cache / "packs" / str(pack), "r+b") as f:
            f.seek(int(str(at)))  # its bytes changed in place, the index left as it was
            f.write(b"\0" * min(8, int(str(length))))
    monkeypatch.setattr(search, "_MIN_PARALLEL_FILES", 1)
    code, _, err = run_cli(["build", str(hub), "-o", str(warm_out), "-q", "-j", "2"], capsys)
    assert code == 0, err
    assert tree_bytes(warm_out) == tree_bytes(cold_out)
