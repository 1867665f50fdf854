"""The site's search index: Pagefind run over the search documents, its files kept in the build cache.

The index is keyed by the Pagefind binary's version and every document's identity (its file,
title, metadata and filters, and its text by the content key the post already has). A key
the cache holds gives the index's files as they were: an unchanged site is not indexed
again, and an edited one is indexed whole (Pagefind has no incremental mode), in a process
of its own that runs while the build renders pages and feeds.

Pagefind's own result interfaces (`pagefind-ui.js` and its kin) are not published: the
theme's search page talks to `pagefind.js` itself.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from pagefind.service import get_executable

from blogkit.core.diagnostics import Location, Report
from blogkit.core.outputs import Cached, OutputTree
from blogkit.engine.cache import Cache, MemoryCache
from blogkit.engine.fingerprint import digest
from blogkit.engine.search_files import UnexpectedIndex, reproducible
from blogkit.render.search import INDEX_FOLDER, SearchDocument

KIND = "search"  # the cache's kind for an index's list of files; the files themselves are "outputs"
_ORIGIN = Location("(search)")
_LEFT_OUT = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.", "playground/")
_HINT = "`search: false` in blogkit.yaml builds the site without search"
_NOT_TEXT = ".heading-anchor, .footnote-backref"  # links the Markdown adds, which are not words of the post


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
    path: str  # site-relative, under pagefind/
    key: str  # the entry of its bytes among the cache's outputs


class SearchJob:
    """One index, found in the cache or being made by Pagefind; `publish` waits for it.

    `start` writes the documents and starts Pagefind in this thread; `start_in_background`
    does both in a thread (for `blogkit serve`, whose reload must not wait for it). Only
    `publish` touches the cache, in the thread that calls it."""

    def __init__(self, documents: Iterable[SearchDocument], cache: Cache) -> None:
        self.cache = cache
        self.problem = ""
        self.files: list[IndexFile] | None = None
        self._documents = list(documents)
        self._folder = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._cancelled = False
        self.key = ""
        executable, version = pagefind_version()
        self._executable = executable
        if not executable:
            self.problem = version
            return
        self.key = digest(KIND, version, *(d.identity for d in self._documents))
        self.files = self._listed() if self._documents else []

    @property
    def ready(self) -> bool:
        """Whether `publish` would not wait."""
        if self.files is not None or self.problem:
            return True
        if self._thread is not None:
            return not self._thread.is_alive()
        return self._process is not None and self._process.poll() is not None

    def start(self) -> SearchJob:
        if self.files is None and not self.problem:
            self._launch()
        return self

    def start_in_background(self) -> SearchJob:
        if self.files is None and not self.problem:
            self._thread = threading.Thread(target=self._run, name="blogkit-search", daemon=True)
            self._thread.start()
        return self

    def publish(self, tree: OutputTree, report: Report) -> None:
        """Wait for the index and add its files to `tree` (or report why there is none)."""
        by_reference = tree.by_reference and not isinstance(self.cache, MemoryCache)
        if self.files is not None and not self._complete(read=not by_reference):  # the cache lost one: make them again
            self.files = None
            self._launch()
        if self.files is None and not self.problem:
            self._wait()
        if self.problem:
            report.error(_ORIGIN, f"the search index could not be built: {self.problem}", _HINT)
            return
        assert self.files is not None
        for file in self.files:
            data = None if by_reference else self.cache.get("outputs", file.key)
            tree.add(file.path, Cached(file.key) if data is None else data, _ORIGIN)

    def cancel(self) -> None:
        """Stop making the index (a newer one is wanted) and remove what it wrote."""
        self._cancelled = True
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                process.kill()
        if self._thread is not None:
            self._thread.join()
        if process is not None:
            process.wait()
        self._cleanup()

    # -- making it -------------------------------------------------------------------------------
    def _listed(self) -> list[IndexFile] | None:
        listed = self.cache.get(KIND, self.key)
        if listed is None:
            return None
        try:
            return [IndexFile(str(path), str(key)) for path, key in json.loads(listed)]
        except (ValueError, TypeError):
            return None

    def _complete(self, *, read: bool) -> bool:
        """Whether the cache still holds every file listed, intact when `read` (each is marked used, to be kept)."""
        assert self.files is not None
        for file in self.files:
            if read and self.cache.get("outputs", file.key) is None:
                return False
            if not read:
                if not self.cache.has("outputs", file.key):
                    return False
                self.cache.adopt("outputs", file.key, None)
        return True

    def _run(self) -> None:
        with contextlib.suppress(OSError):  # `publish` reports what went wrong
            self._launch()
            if self._process is not None:
                self._process.wait()

    def _launch(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="blogkit-search-")
        site = os.path.join(self._folder, "site")
        made: set[str] = set()
        for document in self._documents:
            if self._cancelled:
                return
            target = os.path.join(site, *document.file.split("/"))
            folder = os.path.dirname(target)
            if folder not in made:
                os.makedirs(folder, exist_ok=True)
                made.add(folder)
            with open(target, "w", encoding="utf-8") as f:
                f.write(document.html)
        with open(os.path.join(self._folder, "log"), "wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - the binary the pagefind package names, with our own arguments
                [
                    self._executable,
                    "--site",
                    site,
                    "--output-path",
                    os.path.join(self._folder, "index"),
                    "--exclude-selectors",
                    _NOT_TEXT,
                    "--quiet",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._folder,
            )

    def _wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
        try:
            if self._cancelled or self._process is None:
                self.problem = "the index was not made" if not self._folder else "Pagefind could not be started"
                return
            if self._process.wait() != 0:
                log = os.path.join(self._folder, "log")
                self.problem = _last_lines(log) or f"Pagefind exited with status {self._process.returncode}"
                return
            self.files = self._store(os.path.join(self._folder, "index"))
        except OSError as exc:
            self.problem = f"cannot read what Pagefind wrote: {exc}"
        except UnexpectedIndex as exc:
            self.problem = f"Pagefind {pagefind_version()[1]} wrote an index blogkit cannot read ({exc}); install pagefind 1.5"
        finally:
            self._cleanup()

    def _store(self, folder: str) -> list[IndexFile]:
        written = {}
        for path in _walk(folder):
            with open(os.path.join(folder, *path.split("/")), "rb") as f:
                written[path] = f.read()
        files = []
        for path, data in sorted(reproducible(written).items()):
            key = digest(KIND, data)
            self.cache.put("outputs", key, data)
            files.append(IndexFile(f"{INDEX_FOLDER}/{path}", key))
        self.cache.put(KIND, self.key, json.dumps([[f.path, f.key] for f in files]).encode())
        return files

    def _cleanup(self) -> None:
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = ""


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
