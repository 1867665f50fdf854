"""Watch a site folder and rebuild once per burst of changes.

The watchdog handler only records the changed path and sets an event. One builder
thread waits for that event, then for a quiet period with no new one, and runs a
single rebuild for everything recorded meanwhile: an editor's save (a temporary
file renamed over the post, a swap file, a backup, vim's `4913` probe) or a
`git checkout` of many files gives one rebuild, not one per file.

The quiet period is short once the burst's last event says a file is whole: a file
written and closed (Linux reports the close), or a file renamed into place. Then
nothing more is coming from that save, and waiting longer only delays the reload.
After any other event (a file being written, moved away, deleted) it is longer, for
whatever else the save does.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import threading
import time
from collections.abc import Callable

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from blogkit.core.config import CONFIG_FILE
from blogkit.load.catalogues import I18N_FOLDER
from blogkit.load.outside import FETCHED_FOLDER
from blogkit.load.sources import is_ignored

QUIET_SECONDS = 0.03  # a burst of events ends after this long without one (an editor's save takes a few ms)
SETTLED_SECONDS = 0.005  # ... or after this long, when its last event left a file whole (closed after writing, renamed into place)
MAX_WAIT_SECONDS = 1.0  # a never-ending burst still rebuilds this often
POLL_SECONDS = 0.5
IDLE_SECONDS = 1.0  # calm for this long after a rebuild: time for housekeeping
ROOT_FILES = frozenset({CONFIG_FILE, "teams.yaml", "tags.yaml"})
SOURCE_DIRS = ("posts", "pages", "authors", "static", "templates", I18N_FOLDER)
_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent, DirCreatedEvent, DirDeletedEvent,
    DirMovedEvent,
]  # fmt: skip
# vim's write test file (4913, 5036, ...), JetBrains safe-write, Kate, Chrome's File System Access swap, sed -i
_EDITOR_TEMP = re.compile(r"^\d+$|___jb_(?:tmp|old)___$|\.kate-swp$|\.crswap$|^sed[A-Za-z0-9]{6}$")


def is_editor_temp(name: str) -> bool:
    return is_ignored(name) or bool(_EDITOR_TEMP.search(name))


class ChangeRecorder(FileSystemEventHandler):
    """Records the site-relative paths of relevant changes; nothing else happens on the observer's thread."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.event = threading.Event()
        self.theme = ""  # the site-relative folder of a theme inside the site, else ""
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self.settled = False  # whether the last relevant event left its file whole (`SETTLED_SECONDS`)

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind not in ("created", "deleted", "modified", "moved", "closed") or (event.is_directory and kind == "modified"):
            return
        paths = [event.src_path, event.dest_path] if kind == "moved" else [event.src_path]
        relevant = [rel for path in paths if path and (rel := self.relevant(os.fsdecode(path))) is not None]
        if relevant:
            moved_in = kind == "moved" and bool(event.dest_path) and self.relevant(os.fsdecode(event.dest_path)) is not None
            whole = kind == "closed" or moved_in
            with self._lock:
                self._paths.update(relevant)
                self.settled = whole
            self.event.set()

    def relevant(self, path: str) -> str | None:
        """The site-relative path when a change there can change the site, else None."""
        rel = os.path.relpath(path, self.root)
        if rel == os.curdir or rel.startswith(os.pardir):
            return None
        parts = rel.split(os.sep)
        if parts[0] == FETCHED_FOLDER:  # `blogkit fetch` ran (or made the folder): its files are data the build shows
            return None if any(is_editor_temp(part) for part in parts[1:]) else "/".join(parts)
        if any(is_editor_temp(part) for part in parts):
            return None
        rel = "/".join(parts)
        theme = self.theme
        if theme and (rel == theme or rel.startswith(theme + "/") or theme.startswith(rel + "/")):
            return rel
        if len(parts) == 1:
            return rel if rel in ROOT_FILES or rel in SOURCE_DIRS else None
        return rel if parts[0] in SOURCE_DIRS else None

    def take(self) -> set[str]:
        with self._lock:
            paths, self._paths = self._paths, set()
        return paths

    def wait_for_burst(
        self, stop: threading.Event, quiet: float = QUIET_SECONDS, longest: float = MAX_WAIT_SECONDS, settled: float = SETTLED_SECONDS
    ) -> bool:
        """Block until a change came and then `quiet` seconds passed without another (`settled` seconds
        when the last one left a file whole); False when stopping."""
        self.event.wait()
        started = time.monotonic()
        while not stop.is_set():
            self.event.clear()
            if not self.event.wait(min(quiet, settled) if self.settled else quiet) or time.monotonic() - started >= longest:
                return True
        return False


class Watcher:
    """The observer and its watches: the site folder itself, and each source folder recursively.

    The output folder, `.git` and anything else in the site folder are never watched.
    `sync()` adds folders created since (and a theme the config names) and re-watches
    folders that were deleted and made again.
    """

    def __init__(self, recorder: ChangeRecorder, *, poll: bool = False) -> None:
        self.recorder = recorder
        self.observer: BaseObserver = PollingObserver(timeout=POLL_SECONDS) if poll else Observer()
        self.polling = poll
        self.notice = ""  # said once when the system's watches ran out and polling took over
        self._watches: dict[str, tuple[ObservedWatch, tuple[int, int]]] = {}

    def start(self, theme_dir: str | None = None) -> None:
        self.sync(theme_dir)
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout=5)

    def sync(self, theme_dir: str | None) -> None:
        root = self.recorder.root
        wanted = {root: False, **{os.path.join(root, d): True for d in (*SOURCE_DIRS, FETCHED_FOLDER)}}
        self.recorder.theme = ""
        if theme_dir:
            theme = os.path.abspath(theme_dir)
            rel = os.path.relpath(theme, root)
            if not rel.startswith(os.pardir) and rel != os.curdir:
                self.recorder.theme = rel.replace(os.sep, "/")
                if rel.split(os.sep)[0] not in SOURCE_DIRS:
                    wanted[theme] = True
        for path in list(self._watches):
            if path not in wanted:
                self._unwatch(path)
        for path, recursive in wanted.items():
            try:
                st = os.stat(path)
            except OSError:
                self._unwatch(path)
                continue
            identity = (st.st_dev, st.st_ino)
            current = self._watches.get(path)
            if current is not None and current[1] == identity:
                continue
            self._unwatch(path)
            try:
                watch = self.observer.schedule(self.recorder, path, recursive=recursive, event_filter=_EVENTS)
            except OSError as exc:
                if self.polling or exc.errno not in (errno.ENOSPC, errno.EMFILE):
                    continue  # the folder went away meanwhile: the next sync sees it again
                self._fall_back_to_polling(exc)
                return self.sync(theme_dir)
            self._watches[path] = (watch, identity)

    def _fall_back_to_polling(self, exc: OSError) -> None:
        """The system's file watches ran out (inotify limits): poll instead, and say how to raise them."""
        running = self.observer.is_alive()
        with contextlib.suppress(RuntimeError):
            self.observer.stop()
        self.observer = PollingObserver(timeout=POLL_SECONDS)
        self.polling = True
        self._watches = {}
        if running:
            self.observer.start()
        self.notice = (
            f"file watches ran out ({exc.strerror or exc}): watching by polling instead, which is slower; "
            "raise the limit with: sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512"
        )

    def _unwatch(self, path: str) -> None:
        current = self._watches.pop(path, None)
        if current is not None:
            with contextlib.suppress(KeyError, OSError):
                self.observer.unschedule(current[0])


class Builder(threading.Thread):
    """The one thread that rebuilds: after each burst of changes, `rebuild(paths)`; once things
    are calm again (no change for IDLE_SECONDS after a rebuild), `idle()` for housekeeping, again
    every IDLE_SECONDS for as long as it returns True (work it waits for, such as a search index)."""

    def __init__(
        self, recorder: ChangeRecorder, rebuild: Callable[[set[str]], None], idle: Callable[[], bool], quiet: float = QUIET_SECONDS
    ) -> None:
        super().__init__(name="blogkit-builder", daemon=True)
        self.recorder = recorder
        self.rebuild = rebuild
        self.idle = idle
        self.quiet = quiet
        self.stopping = threading.Event()

    def run(self) -> None:
        housekeeping = False
        while not self.stopping.is_set():
            if housekeeping and not self.recorder.event.wait(IDLE_SECONDS):
                housekeeping = self.idle()
                continue
            if not self.recorder.wait_for_burst(self.stopping, self.quiet):
                break
            paths = self.recorder.take()
            if paths and not self.stopping.is_set():
                self.rebuild(paths)
                housekeeping = True

    def stop(self) -> None:
        self.stopping.set()
        self.recorder.event.set()
        if self.is_alive():
            self.join(timeout=2)
