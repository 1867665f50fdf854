"""Work in forked child processes: the one way blogkit uses more than one core, or works in the background.

Every child is forked by `fork_child`, which writes once how that is done: the stop signals are
held while forking (a Ctrl-C arrives a moment later, in the parent's own code, and stops the new
child with the command); the child leaves Ctrl-C and termination to the parent, reads nothing
from the terminal, closes its copy of the parent's end of the pipe between them (so that it
notices when the parent is gone), never prints a traceback because the parent stopped listening,
and ends with `os._exit`, never returning into the parent's code. The parent keeps a `Child`: the
pipe, and the process to poll, wait for or kill.

Children are forked when the work starts, so they share what the parent built so far (the
configuration, the loaded site) copy-on-write instead of receiving it pickled. Three kinds of
work are built on them:

- `map_ranges`: a stage's work over consecutive index ranges of a list, whose items the children
  read from their copy of it; only the ranges and the results travel. Below `min_items` it runs
  in the calling process: forking costs more than it saves.
- `BudgetPool` (and `map_with_budget`): each item within a time budget, its worker killed and
  replaced when it runs over (rendering Markdown bodies, decoding images).
- one child in the background: the search index (`engine/search.py`), made while a build
  renders pages or `serve` answers requests.

Results travel pickled. The frozen dataclasses a stage sends by the thousand (front matter,
diagnostics, bodies) are registered with `travel_by_fields`: sent as their field values and
made again by their constructor, in two fifths less time than pickle's default for a class
with slots, which looks up the class's fields for every instance.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pickle
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from multiprocessing.sharedctypes import RawArray
from typing import Any, NoReturn, TypeVar

from blogkit.core.progress import SILENT, Progress
from blogkit.core.signals import quiet_child, stop_signals_held

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    return hasattr(os, "fork")


def travel_by_fields(*classes: type) -> None:
    """Send instances of these frozen dataclasses between processes as their field values, made again
    by calling the class (so every field must be an argument of its constructor, which checks nothing)."""
    for cls in classes:
        fields = dataclasses.fields(cls)
        assert all(f.init for f in fields) and not hasattr(cls, "__post_init__"), f"{cls.__name__} cannot travel by its fields"
        ForkingPickler.register(cls, functools.partial(_by_fields, cls, tuple(f.name for f in fields)))


def _by_fields(cls: type, names: tuple[str, ...], value: object) -> tuple[type, tuple[object, ...]]:
    return cls, tuple([getattr(value, name) for name in names])


# -- one child -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Child:
    """A forked child process, and this process's end of the pipe to it."""

    pid: int
    conn: Connection
    group: bool  # whether it leads a process group of its own, stopped with it
    code: int | None = None  # its exit code once it is reaped (negative: the signal that ended it)

    def poll(self) -> int | None:
        """Its exit code if it has ended, else None."""
        return self._reap(os.WNOHANG)

    def wait(self) -> int:
        """Its exit code, once it has ended."""
        code = self._reap(0)
        assert code is not None
        return code

    def stop(self, *, wait: bool = True) -> None:
        """Close the pipe; kill the child (with its group) unless it was reaped, and reap it. Without
        `wait` it is reaped later (`reap_stopped`): the end of a forked copy of a large build takes
        the kernel tens of milliseconds, which the parent need not spend waiting."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.code is None:  # not reaped: its pid (and group) are still its own
            if self.group:
                with contextlib.suppress(OSError):
                    os.killpg(self.pid, signal.SIGKILL)  # and what it started
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            if wait:
                self.wait()
            else:
                _STOPPED.append(self)

    def _reap(self, options: int) -> int | None:
        if self.code is None:
            try:
                pid, status = os.waitpid(self.pid, options)
            except ChildProcessError:
                self.code = -1  # reaped elsewhere: how it ended is unknown
            else:
                if pid:
                    self.code = os.waitstatus_to_exitcode(status)
        return self.code


_STOPPED: list[Child] = []  # children killed and not waited for: reaped once they have ended


def reap_stopped(*, wait: bool = False) -> None:
    """Reap the children stopped without waiting that have ended (with `wait`, all of them)."""
    _STOPPED[:] = [child for child in _STOPPED if (child.wait() if wait else child.poll()) is None]


def fork_child(target: Callable[[Connection], int | None], *, group: bool = False) -> Child:
    """Fork a child that runs `target(its end of the pipe)` and exits with the code it returns
    (None: 0). With `group`, the child leads a process group of its own, so that what it starts
    (Pagefind) is stopped with it."""
    reap_stopped()
    ours, theirs = Pipe()
    _flush_streams()  # what this process printed and still holds must not be printed again by the child
    child = None
    try:
        with stop_signals_held():  # a Ctrl-C while forking arrives after it, in this code, not in an at-fork hook
            pid = os.fork()
            if pid == 0:
                _run_child(target, theirs, ours, group)  # never returns, nor leaves this block, whose end is the parent's
            theirs.close()
            child = Child(pid, ours, group)
            if group:
                with contextlib.suppress(OSError):
                    os.setpgid(pid, pid)  # as the child does: whichever runs first
    except BaseException:
        if child is not None:  # the Ctrl-C held while forking: the new child stops with the command
            child.stop()
        raise
    return child


def _run_child(target: Callable[[Connection], int | None], conn: Connection, parent_end: Connection, group: bool) -> NoReturn:
    """In the forked child: set it apart from the terminal and the parent's code, run `target`, exit.

    It closes its copy of the parent's end of the pipe first: else a child whose parent died before
    it knew of it (a Ctrl-C while `serve` starts its workers) would wait for a message forever,
    holding the terminal's streams open, since its own copy kept the pipe from ever ending. A pipe
    that breaks means the parent stopped listening: the child ends without a word. Anything else
    that escapes `target` is a bug, and its traceback is printed."""
    code = 1
    try:
        quiet_child()
        parent_end.close()
        if group:
            with contextlib.suppress(OSError):
                os.setpgid(0, 0)
        nothing = os.open(os.devnull, os.O_RDONLY)  # it reads nothing from the terminal
        os.dup2(nothing, 0)
        os.close(nothing)
        code = target(conn) or 0
    except (EOFError, OSError):
        pass
    except BaseException:  # noqa: BLE001 - the child must never return into the parent's code
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        _flush_streams()
        os._exit(code)


def _flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


@dataclass(frozen=True, slots=True)
class _Failed:
    """What a worker sends back for an item its work raised on: the traceback, and the exception
    itself when it can travel."""

    traceback: str
    error: Exception | None = None

    @classmethod
    def of(cls, error: Exception) -> _Failed:
        """Made where `error` is being handled."""
        text = traceback.format_exc()
        try:
            pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled travels as its traceback
            return cls(text)
        return cls(text, error)


class _WorkerTraceback(Exception):
    """A worker's traceback, shown as the cause of the exception raised again in the parent."""

    def __str__(self) -> str:
        return f'\n"""\n{self.args[0]}"""'


# -- work over index ranges ----------------------------------------------------------------------


def map_ranges(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int, *, min_items: int, progress: Progress = SILENT
) -> list[R]:
    """`work(items[a:b])` over consecutive ranges, in `jobs` forked workers when it pays; results in
    order. `progress` hears of each range done. An exception `work` raised in a worker is raised
    here, the worker's traceback as its cause."""
    if jobs <= 1 or len(items) < min_items or not can_fork():
        results = work(items)
        progress.advance(len(items))
        return results
    size = max(8, len(items) // (jobs * 8))
    ranges = deque(enumerate((start, min(start + size, len(items))) for start in range(0, len(items), size)))
    chunks: list[list[R]] = [[] for _ in ranges]
    children: list[Child] = []
    busy: list[tuple[Child, int]] = []  # the workers on a range, and the range's number
    try:
        for _ in range(min(jobs, len(ranges))):
            children.append(fork_child(functools.partial(_serve_ranges, work, items)))
        idle = list(children)
        while ranges or busy:
            while idle and ranges:
                number, bounds = ranges.popleft()
                child = idle.pop()
                child.conn.send(bounds)
                busy.append((child, number))
            ready = wait([child.conn for child, _ in busy])
            for child, number in busy:
                if child.conn in ready:
                    chunks[number] = _answer(child)
                    progress.advance(len(chunks[number]))
                    idle.append(child)
            busy = [(child, number) for child, number in busy if child.conn not in ready]
    finally:
        for child in children:
            child.stop(wait=False)
    return [result for chunk in chunks for result in chunk]


def _answer(child: Child) -> list[Any]:
    """The results of the range a worker was given, or its exception raised."""
    try:
        answer = child.conn.recv()
    except (EOFError, OSError):
        raise RuntimeError(f"a worker ended without finishing its work (exit code {child.wait()})") from None
    if isinstance(answer, _Failed):
        if answer.error is None:
            raise RuntimeError(f"a worker failed:\n{answer.traceback}")
        raise answer.error from _WorkerTraceback(answer.traceback)
    return answer  # type: ignore[no-any-return]


def _serve_ranges(work: Callable[[Sequence[Any]], list[Any]], items: Sequence[Any], conn: Connection) -> None:
    """A range worker: `work` over each range of its copy of `items` it is given, until the pipe ends."""
    while True:
        try:
            start, end = conn.recv()
        except EOFError:
            return
        try:
            answer: list[Any] | _Failed = work(items[start:end])
        except Exception as exc:  # noqa: BLE001 - raised in the parent, with this traceback
            answer = _Failed.of(exc)
        conn.send(answer)


# -- work within a time budget -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OverBudget:
    """An item whose work was stopped: it ran longer than the budget, or its worker died."""

    died: bool = False  # True when the worker ended by itself (a crash), not by the budget


def map_with_budget(work: Callable[[T], R], items: Sequence[T], jobs: int, seconds: float) -> list[R | OverBudget]:
    """`work(item)` for every item in forked workers, each item within `seconds` of wall time
    (see `BudgetPool`), in a pool made for this call."""
    with BudgetPool(work, jobs, seconds) as pool:
        return pool.map(items)


class BudgetPool:
    """Forked workers that run `work(item)` for items sent to them, each item within `seconds`.

    A worker still on one item when its time is up is killed, whatever it is doing (a regular
    expression deep in C code cannot be interrupted from inside), and replaced; that item
    gives `OverBudget` and the others go on. Workers note which item they are on, and since
    when, in memory shared with this process, and send results a batch at a time. Workers are
    forked when first needed and kept until `close()`, so a pool can serve many calls (`blogkit
    serve` renders each edit in one). Where processes cannot be forked, the work runs here,
    without a budget."""

    def __init__(self, work: Callable[[Any], Any], jobs: int, seconds: float) -> None:
        self.work, self.jobs, self.seconds = work, max(1, jobs), seconds
        self.forks = can_fork()
        self.progress = RawArray("d", 2 * self.jobs) if self.forks else None  # per worker: its item, since when (0: idle)
        self.workers: list[_Worker] = []

    def __enter__(self) -> BudgetPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self.workers:
            worker.child.stop(wait=False)
        self.workers = []

    def warm(self) -> None:
        """Fork the workers now, so that the next `map` need not wait for them."""
        if self.forks:
            taken = {w.slot for w in self.workers}
            for slot in range(self.jobs):
                if slot not in taken:
                    self.workers.append(_Worker.start(self.work, self.progress, slot))

    def map(self, items: Sequence[T], progress: Progress = SILENT) -> list[Any]:
        """`work(item)` for each item, in order; `OverBudget` for an item that was stopped.
        `progress` hears of each batch done."""
        if not self.forks:
            here = [self.work(item) for item in items]
            progress.advance(len(items))
            return here
        results: list[Any] = [None] * len(items)
        count = max(1, min(self.jobs, len(items)))
        size = max(1, min(32, len(items) // (count * 8)))
        queue = deque(list(range(start, min(start + size, len(items)))) for start in range(0, len(items), size))
        check = min(1.0, self.seconds / 4)
        try:
            while queue or any(w.batch for w in self.workers):
                self._staff(count, queue)
                for worker in self.workers:
                    if not worker.batch and queue:
                        worker.give(queue.popleft(), items)
                busy = [w for w in self.workers if w.batch]
                ready = wait([w.child.conn for w in busy], timeout=check)
                for worker in busy:
                    progress.advance(self._collect(worker, worker.child.conn in ready, results, queue))
        except BaseException:
            self.close()  # workers may be halfway through items no one will collect
            raise
        return results

    def _staff(self, count: int, queue: deque[list[int]]) -> None:
        """Start workers in free slots while there are more batches waiting than idle workers."""
        taken = {w.slot for w in self.workers}
        for slot in range(count):
            if slot not in taken and len(queue) > sum(not w.batch for w in self.workers):
                self.workers.append(_Worker.start(self.work, self.progress, slot))

    def _collect(self, worker: _Worker, ready: bool, results: list[Any], queue: deque[list[int]]) -> int:
        """A worker's answers when it sent them (how many); it is stopped when it died or its item is overdue."""
        if ready:
            try:
                answers, ended = worker.child.conn.recv(), False
            except (EOFError, OSError):  # the worker died by itself
                answers, ended = [(worker.current(), OverBudget(died=True))], True
        elif worker.overdue(self.seconds):
            answers, ended = [(worker.current(), OverBudget())], True
        else:
            return 0
        for index, result in answers:
            if isinstance(result, _Failed):
                raise RuntimeError(f"a worker failed:\n{result.traceback}")
            results[index] = result
        done = {index for index, _ in answers}
        rest = [i for i in worker.batch if i not in done]  # a stopped worker's batch was not answered: others do it
        worker.batch = []
        if ended:
            worker.child.stop()
            self.workers.remove(worker)
            if rest:
                queue.appendleft(rest)
        return len(answers)


@dataclass(slots=True)
class _Worker:
    child: Child
    progress: Any  # the shared array of every worker's item and its start
    slot: int
    batch: list[int] = field(default_factory=list)  # the indexes given and not yet answered

    @classmethod
    def start(cls, work: Callable[[Any], Any], progress: Any, slot: int) -> _Worker:
        progress[2 * slot] = progress[2 * slot + 1] = 0.0
        return cls(fork_child(functools.partial(_serve_items, work, progress, slot)), progress, slot)

    def give(self, batch: list[int], items: Sequence[Any]) -> None:
        self.batch = batch
        self.child.conn.send([(index, items[index]) for index in batch])

    def current(self) -> int:
        """The item it is on (the first of its batch if it has not noted one yet)."""
        since = self.progress[2 * self.slot + 1]
        index = int(self.progress[2 * self.slot])
        return index if since and index in self.batch else self.batch[0]

    def overdue(self, seconds: float) -> bool:
        since = self.progress[2 * self.slot + 1]
        return bool(since) and time.monotonic() - since >= seconds


def _serve_items(work: Callable[[Any], Any], progress: Any, slot: int, conn: Connection) -> None:
    """A budgeted worker: work through each batch of items it is given, noting each as it begins."""
    while True:
        try:
            batch = conn.recv()
        except EOFError:
            return
        answers = []
        for index, item in batch:
            progress[2 * slot] = index
            progress[2 * slot + 1] = time.monotonic()
            try:
                answers.append((index, work(item)))
            except Exception as exc:  # noqa: BLE001 - a bug: the parent raises it with this traceback
                answers.append((index, _Failed.of(exc)))
        progress[2 * slot + 1] = 0.0
        conn.send(answers)
