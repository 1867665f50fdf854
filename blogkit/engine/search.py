"""The site's search index: Pagefind run over the search documents, its files kept in the build cache.

The documents are split into parts of about a thousand (`render.search.parts`), each indexed by
a Pagefind run of its own: Pagefind holds a whole run in memory (half a gigabyte for a thousand
posts) and has no incremental mode, so parts bound both the memory of a large hub's build and
the work after an edit. The first part is published in `pagefind/` with Pagefind's script and
WebAssembly; the others in `pagefind/<number>/`, listed in `pagefind/blogkit-parts.json`, which
the search page merges (Pagefind's `mergeIndex`), so that one search covers every part.

Each part is keyed by the Pagefind binary's version, the number of parts and its documents'
identities (their file, title, metadata and filters, and their text by the content key the
post already has). A key the cache holds gives that part's files as they were. The others are
made in a child process forked from the build, which writes the documents to a scratch folder
and runs Pagefind over the parts, as many at once as the build has jobs, while the build renders
pages and feeds. The scratch folder is made in memory when it is small enough (`scratch_parent`).

Pagefind's own result interfaces (`pagefind-ui.js` and its kin) are not published: the
theme's search page talks to `pagefind.js` itself.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pagefind.service import get_executable

from blogkit.core.diagnostics import Location, Report
from blogkit.core.outputs import Cached, OutputTree
from blogkit.engine.cache import Cache, MemoryCache
from blogkit.engine.children import Child, fork_child
from blogkit.engine.fingerprint import digest
from blogkit.engine.search_files import UnexpectedIndex, reproducible
from blogkit.engine.workers import map_ranges
from blogkit.render.search import INDEX_FOLDER, PARTS_FILE, SearchDocument, parts

KIND = "search"  # the cache's kind for a part's list of files; the files themselves are "outputs"
_ORIGIN = Location("(search)")
_LEFT_OUT = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.", "playground/")
_RUNTIME = re.compile(r"^(pagefind\.js|pagefind-worker\.js|wasm\.[^/]+\.pagefind)$")  # the first part's; the others use it
# what Pagefind writes: relative, no segment starting with a dot (`..`), no root
_INDEX_PATH = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,120}(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,120}){0,4}$")
_HINT = "`search: false` in blogkit.yaml builds the site without search"
_MIN_PARALLEL_FILES = 500  # fewer index files than this are written by this process: forking costs more
_NOT_TEXT = ".heading-anchor, .footnote-backref"  # links the Markdown adds, which are not words of the post
_SPANS = re.compile(r"</?span\b[^>]*>")


@functools.cache
def pagefind_version() -> tuple[str, str]:
    """(the Pagefind binary's path, its version), or ("", why not) when it cannot be run."""
    executable = get_executable()
    if executable is None:
        return "", "Pagefind is not installed"
    try:
        done = subprocess.run([str(executable), "--version"], capture_output=True, timeout=30, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError) as exc:
        return "", f"Pagefind cannot be run: {exc}"
    if done.returncode != 0:
        return "", f"Pagefind cannot be run: {done.stderr.decode(errors='replace').strip()[:200]}"
    return str(executable), done.stdout.decode(errors="replace").strip()


@dataclass(frozen=True, slots=True)
class IndexFile:
    path: str  # relative to its part's folder
    key: str  # the entry of its bytes among the cache's outputs


@dataclass(slots=True)
class _Part:
    number: int
    key: str
    documents: list[SearchDocument]
    files: list[IndexFile] | None = None  # None until found in the cache or made


class SearchJob:
    """One index, found in the cache or being made by Pagefind; `publish` waits for it.

    `start` forks a child process that writes the documents of the parts the cache lacks to a
    scratch folder and runs Pagefind over them, so that neither takes this process's time: a
    build renders pages and feeds meanwhile, and `serve` answers requests. Only `publish`
    touches the cache."""

    def __init__(self, documents: Iterable[SearchDocument], cache: Cache, jobs: int = 1) -> None:
        self.cache = cache
        self.jobs = max(1, jobs)  # parts indexed at once
        self.problem = ""
        self._folder = ""
        self._child: Child | None = None  # the child making the missing parts, until it is waited for
        self._parts: list[_Part] = []
        executable, version = pagefind_version()
        self._executable = executable
        if not executable:
            self.problem = version
            return
        split = parts(list(documents))
        for number, chosen in split:
            key = digest(KIND, version, str(len(split)), str(number), *(d.identity for d in chosen))
            self._parts.append(_Part(number, key, chosen, self._listed(key)))

    @property
    def missing(self) -> list[_Part]:
        return [part for part in self._parts if part.files is None]

    @property
    def ready(self) -> bool:
        """Whether `publish` would not wait."""
        if self.problem or not self.missing:
            return True
        return self._child is not None and self._child.poll() is not None

    def start(self) -> SearchJob:
        if self.missing and not self.problem and self._child is None:
            self._launch()
        return self

    def publish(self, tree: OutputTree, report: Report) -> None:
        """Wait for the index and add its files to `tree` (or report why there is none)."""
        by_reference = tree.by_reference and not isinstance(self.cache, MemoryCache)
        if self.missing and not self.problem:
            if self._child is None:
                self._launch()
            self._wait()
        added: set[str] = set()  # what this job put in the tree: a file already there is a user's, and collides
        lost = self._add(tree, by_reference, added)
        if lost and not self.problem:  # the cache lost a file of theirs since they were listed: make them again
            for part in lost:
                part.files = None
            self._launch()
            self._wait()
            self._add(tree, by_reference, added)
        if self.problem:
            report.error(_ORIGIN, f"the search index could not be built: {self.problem}", _HINT)
            return
        if self._parts:
            others = [f"{part.number}/" for part in self._parts[1:]]
            tree.add(f"{INDEX_FOLDER}/{PARTS_FILE}", json.dumps(others).encode() + b"\n", _ORIGIN)

    def _add(self, tree: OutputTree, by_reference: bool, added: set[str]) -> list[_Part]:
        """Add every part's files not `added` yet, and note them there; the parts the cache lost a file
        of (none of their files is added). A file of the site's at one of their paths is a collision the
        tree reports. A tree that streams has the files written by workers (thousands of small
        files: most of a warm build's time here); the others get them from this process."""
        cache = self.cache
        lost: set[int] = set()
        wanted: list[tuple[int, str, str]] = []  # (the part's place, the file's path in the tree, its entry among the outputs)
        for i, part in enumerate(self._parts):
            if part.files is None:
                continue
            folder = INDEX_FOLDER if i == 0 else f"{INDEX_FOLDER}/{part.number}"
            files = [(i, f"{folder}/{file.path}", file.key) for file in part.files if not (i and _RUNTIME.match(file.path))]
            if all(cache.has("outputs", key) for _, _, key in files):
                wanted += [(i, path, key) for i, path, key in files if path not in added]
            else:
                lost.add(i)
        offered = list(wanted)
        written = tree.streams and not by_reference and not isinstance(cache, MemoryCache)
        if by_reference:
            found: list[bytes | bool | None] = [True] * len(wanted)
        elif written:
            wanted = [(i, path, key) for i, path, key in wanted if tree.claim(path, _ORIGIN)]
            found = self._write(tree, wanted)
        else:
            found = [cache.get("outputs", key) for _, _, key in wanted]
        lost |= {i for (i, _, _), data in zip(wanted, found, strict=True) if not data}  # a tag that does not match: a miss
        for (i, path, key), data in zip(wanted, found, strict=True):
            if i in lost:
                if written:
                    tree.withdraw(path)
            elif by_reference:
                cache.adopt("outputs", key, None)
                tree.add(path, Cached(key), _ORIGIN)
            elif data is True:
                cache.adopt("outputs", key, None)
                tree.note_written(path, _ORIGIN)
            else:
                assert isinstance(data, bytes)
                tree.add(path, data, _ORIGIN)
        added.update(path for i, path, _ in offered if i not in lost)  # a collision is reported once, not again with a lost part
        return [self._parts[i] for i in sorted(lost)]

    def _write(self, tree: OutputTree, files: list[tuple[int, str, str]]) -> list[bytes | bool | None]:
        """Write index files into a tree that streams, in workers when there are many: for each, True
        when written, None when the cache no longer gives its bytes."""
        cache = self.cache

        def write(chunk: Sequence[tuple[int, str, str]]) -> list[bytes | bool | None]:
            done: list[bytes | bool | None] = []
            for _, path, key in chunk:
                data = cache.get("outputs", key)
                if data is not None:
                    tree.write_only(path, data)
                done.append(True if data is not None else None)
            return done

        return list(map_ranges(write, files, self.jobs, min_items=_MIN_PARALLEL_FILES))

    def cancel(self) -> None:
        """Stop making the index (a newer one is wanted) and remove what it wrote."""
        if self._child is not None:
            self._child.stop()  # with the Pagefind processes it started
            self._child = None
        self.problem = self.problem or "stopped"
        self._cleanup()

    # -- the cache -------------------------------------------------------------------------------
    def _listed(self, key: str) -> list[IndexFile] | None:
        listed = self.cache.get(KIND, key)
        if listed is None:
            return None
        try:
            files = [IndexFile(path, file_key) for path, file_key in json.loads(listed)]
        except (ValueError, TypeError, RecursionError):
            return None
        if not all(isinstance(f.path, str) and _INDEX_PATH.match(f.path) and isinstance(f.key, str) for f in files):
            return None  # a list that names a path Pagefind never writes (`../x`, `/x`) is not an index of ours
        return files

    def _store(self, part: _Part) -> None:
        folder = os.path.join(self._folder, str(part.number), "index")
        written = {}
        for path in _walk(folder):
            with open(os.path.join(folder, *path.split("/")), "rb") as f:
                written[path] = f.read()
        files = []
        for path, data in sorted(reproducible(written).items()):
            key = digest(KIND, data)
            self.cache.put("outputs", key, data)
            files.append(IndexFile(path, key))
        self.cache.put(KIND, part.key, json.dumps([[f.path, f.key] for f in files]).encode())
        part.files = files

    # -- the child that makes the missing parts --------------------------------------------------
    def _launch(self) -> None:
        parent = scratch_parent(sum(len(part.documents) for part in self.missing))
        try:
            self._folder = tempfile.mkdtemp(prefix="blogkit-search-", dir=parent)
        except OSError:
            if parent is None:
                raise
            self._folder = tempfile.mkdtemp(prefix="blogkit-search-")
        work = [(os.path.join(self._folder, str(part.number)), part.documents) for part in self.missing]
        log = os.open(os.path.join(self._folder, "log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            # a group of its own, with its Pagefind processes: cancelled as one
            self._child = fork_child(lambda _pipe: _index_parts(self._executable, work, log, self.jobs), group=True)
        finally:
            os.close(log)

    def _wait(self) -> None:
        try:
            if self._child is None:
                self.problem = "Pagefind could not be started"
                return
            status = self._child.wait()
            if status != 0:
                log = os.path.join(self._folder, "log")
                self.problem = _last_lines(log) or f"Pagefind exited with status {status}"
                return
            for part in self.missing:
                self._store(part)
        except OSError as exc:
            self.problem = f"cannot read what Pagefind wrote: {exc}"
        except UnexpectedIndex as exc:
            self.problem = f"Pagefind {pagefind_version()[1]} wrote an index blogkit cannot read ({exc}); install pagefind 1.5"
        finally:
            if self._child is not None:  # reaped when it ended; else waiting was interrupted (Ctrl-C): stopped with its Pagefind
                self._child.stop()
                self._child = None
            self._cleanup()

    def _cleanup(self) -> None:
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = ""


MEMORY_FOLDER = "/dev/shm"  # noqa: S108 - Linux's file system in memory, a parent for mkdtemp's private folder as /tmp is
SCRATCH_PER_DOCUMENT = 32 * 1024  # a document's share of the scratch, generously: 16 KB of document, 2 KB of index in the corpus
MEMORY_SCRATCH_MAX = 512 * 1024 * 1024  # the most scratch put in memory: a larger one goes to the temporary folder
_TEMPORARY_VARIABLES = ("TMPDIR", "TEMP", "TMP")  # what names the temporary folder to Python's `tempfile`: a user's choice


def scratch_parent(documents: int, memory: str | None = None) -> str | None:
    """Where the search child's scratch folder is made for this many documents: None for the
    system's temporary folder (`TMPDIR`, `TEMP` or `TMP`, else /tmp), or `memory` (default `MEMORY_FOLDER`).

    Pagefind reads each document once from the scratch folder and writes its index there, which is
    read once and removed within seconds: nothing there needs a disk. On a disk those thousands of
    small files cost the build CPU time in the kernel (here 0.3 s to over 1 s for 1,000 documents
    under /tmp, written and removed, with the disk's load; about 0.1 s in memory). So when none of
    those variables names a folder, scratch of at most `MEMORY_SCRATCH_MAX` goes to memory if the
    memory file system has room for four times it and the machine has that much memory available."""
    need = documents * SCRATCH_PER_DOCUMENT
    memory = memory or MEMORY_FOLDER
    if any(os.environ.get(name) for name in _TEMPORARY_VARIABLES) or need > MEMORY_SCRATCH_MAX:
        return None
    try:
        found = os.statvfs(memory)
        writable = os.access(memory, os.W_OK | os.X_OK)
    except OSError:
        return None
    if not writable or found.f_bavail * found.f_frsize < 4 * need or _available_memory() < 4 * need:
        return None
    return memory


def _available_memory() -> int:
    """The memory the kernel says is available (Linux's MemAvailable), in bytes; 0 when it does not say."""
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _index_parts(executable: str, work: list[tuple[str, list[SearchDocument]]], log: int, jobs: int) -> int:
    """In the forked child: for each part, write its documents (their code's highlighting spans,
    which are not words, left out: a fifth less for Pagefind to read) and run Pagefind over them,
    `jobs` parts at a time. Returns the child's exit code: 0 when every part is indexed; what went
    wrong is written to `log`, which the parent reads."""
    code = 127
    running: list[tuple[subprocess.Popen[bytes], str]] = []
    try:
        os.dup2(log, 1)
        os.dup2(log, 2)
        failed = False
        for folder, documents in work:
            while len(running) >= jobs and not failed:
                failed = _finish_one(running)
            if failed:
                break
            site = os.path.join(folder, "site")
            _write_documents(documents, site)
            arguments = [executable, "--site", site, "--output-path", os.path.join(folder, "index")]
            arguments += ["--exclude-selectors", _NOT_TEXT, "--quiet"]
            running.append((subprocess.Popen(arguments, stdin=subprocess.DEVNULL), site))  # noqa: S603 - the binary the pagefind package names
        while running and not failed:
            failed = _finish_one(running)
        code = 1 if failed else 0
    except BaseException as exc:  # noqa: BLE001 - told to the parent through the log
        with contextlib.suppress(BaseException):
            os.write(2, f"cannot index the documents: {exc}\n".encode())
    finally:
        for process, _ in running:
            with contextlib.suppress(BaseException):
                process.kill()
    return code


def _finish_one(running: list[tuple[subprocess.Popen[bytes], str]]) -> bool:
    """Wait for the first of the running Pagefind processes; whether it failed."""
    process, site = running.pop(0)
    failed = process.wait() != 0
    shutil.rmtree(site, ignore_errors=True)
    return failed


def _write_documents(documents: list[SearchDocument], site: str) -> None:
    made: set[str] = set()
    for document in documents:
        target = os.path.join(site, *document.file.split("/"))
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "w", encoding="utf-8") as f:
            f.write(_SPANS.sub("", document.html))


def _walk(folder: str) -> list[str]:
    """Every file under `folder` that is published, as a /-separated relative path, in sorted order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in filenames:
            path = os.path.relpath(os.path.join(dirpath, name), folder).replace(os.sep, "/")
            if not path.startswith(_LEFT_OUT):
                found.append(path)
    return sorted(found)


def _last_lines(path: str) -> str:
    try:
        with open(path, "rb") as f:
            text = f.read()[-2000:].decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines[-3:])
