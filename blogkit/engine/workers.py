"""Work in forked worker processes: the one way every stage uses more than one core.

Workers are forked when a stage starts, so they share what the parent built so far
(the configuration, the loaded site) copy-on-write instead of receiving it pickled;
they get index ranges and return results in order. Below `min_items` a stage runs in
the calling process: forking costs more than it saves. Workers leave Ctrl-C and
termination to the parent (which stops them) and never print tracebacks of their own
when the pool shuts down.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from blogkit.core.progress import SILENT, Progress
from blogkit.core.signals import quiet_child, stop_signals_held

T = TypeVar("T")
R = TypeVar("R")

_TASK: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]] | None = None


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def map_ranges(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int, *, min_items: int, progress: Progress = SILENT
) -> list[R]:
    """`work(items[a:b])` over consecutive ranges, in `jobs` forked workers when it pays; results in
    order. `progress` hears of each range done."""
    if jobs <= 1 or len(items) < min_items or not can_fork():
        results = work(items)
        progress.advance(len(items))
        return results
    global _TASK
    _TASK = (work, items)
    try:
        size = max(8, len(items) // (jobs * 8))
        ranges = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
        chunks = []
        with stop_signals_held():  # a Ctrl-C while forking arrives after it, in this code, not in an at-fork hook
            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=quiet_child)
        with pool:
            for chunk in pool.imap(_run_range, ranges, chunksize=1):
                chunks.append(chunk)
                progress.advance(len(chunk))
    finally:
        _TASK = None
    return [result for chunk in chunks for result in chunk]


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
        self.context = multiprocessing.get_context("fork") if can_fork() else None
        self.progress = self.context.RawArray("d", 2 * self.jobs) if self.context else None  # per worker: its item, since when (0: idle)
        self.workers: list[_Worker] = []

    def __enter__(self) -> BudgetPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def warm(self) -> None:
        """Fork the workers now, so that the next `map` need not wait for them."""
        if self.context is not None:
            taken = {w.slot for w in self.workers}
            self.workers += [_Worker.start(self.context, self.work, self.progress, slot) for slot in range(self.jobs) if slot not in taken]

    def map(self, items: Sequence[T], progress: Progress = SILENT) -> list[Any]:
        """`work(item)` for each item, in order; `OverBudget` for an item that was stopped.
        `progress` hears of each batch done."""
        if self.context is None:
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
                ready = wait([w.conn for w in busy], timeout=check)
                for worker in busy:
                    progress.advance(self._collect(worker, worker.conn in ready, results, queue))
        except BaseException:
            self.close()  # workers may be halfway through items no one will collect
            raise
        return results

    def _staff(self, count: int, queue: deque[list[int]]) -> None:
        """Start workers in free slots while there are more batches waiting than idle workers."""
        assert self.context is not None
        taken = {w.slot for w in self.workers}
        for slot in range(count):
            if slot not in taken and len(queue) > sum(not w.batch for w in self.workers):
                self.workers.append(_Worker.start(self.context, self.work, self.progress, slot))

    def _collect(self, worker: _Worker, ready: bool, results: list[Any], queue: deque[list[int]]) -> int:
        """A worker's answers when it sent them (how many); it is stopped when it died or its item is overdue."""
        if ready:
            try:
                answers, ended = worker.conn.recv(), False
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
            worker.stop()
            self.workers.remove(worker)
            if rest:
                queue.appendleft(rest)
        return len(answers)


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    progress: Any  # the shared array of every worker's item and its start
    slot: int
    batch: list[int] = field(default_factory=list)  # the indexes given and not yet answered

    @classmethod
    def start(cls, context: Any, work: Callable[[Any], Any], progress: Any, slot: int) -> _Worker:
        progress[2 * slot] = progress[2 * slot + 1] = 0.0
        parent, child = context.Pipe()
        process = context.Process(target=_serve_items, args=(child, work, progress, slot, parent), daemon=True)
        with stop_signals_held():
            process.start()
        child.close()
        return cls(process, parent, progress, slot)

    def give(self, batch: list[int], items: Sequence[Any]) -> None:
        self.batch = batch
        self.conn.send([(index, items[index]) for index in batch])

    def current(self) -> int:
        """The item it is on (the first of its batch if it has not noted one yet)."""
        since = self.progress[2 * self.slot + 1]
        index = int(self.progress[2 * self.slot])
        return index if since and index in self.batch else self.batch[0]

    def overdue(self, seconds: float) -> bool:
        since = self.progress[2 * self.slot + 1]
        return bool(since) and time.monotonic() - since >= seconds

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


def _serve_items(conn: Connection, work: Callable[[Any], Any], progress: Any, slot: int, parent_end: Connection) -> None:
    """A budgeted worker: work through each batch of items it is given, noting each as it begins.

    It closes its copy of the parent's end of the pipe first: else a worker whose parent died before
    it knew of it (a Ctrl-C while `serve` starts its workers) would wait for a batch forever, holding
    the terminal's streams open, since its own copy kept the pipe from ever ending."""
    parent_end.close()
    quiet_child()
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        answers = []
        for index, item in batch:
            progress[2 * slot] = index
            progress[2 * slot + 1] = time.monotonic()
            try:
                answers.append((index, work(item)))
            except Exception:  # noqa: BLE001 - a bug: the parent raises it with this traceback
                answers.append((index, _Failed(traceback.format_exc())))
        progress[2 * slot + 1] = 0.0
        conn.send(answers)


@dataclass(frozen=True, slots=True)
class _Failed:
    traceback: str


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None, "workers are forked by map_ranges"
    work, items = _TASK
    return work(items[bounds[0] : bounds[1]])
