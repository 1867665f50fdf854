"""Work spread over forked workers (`engine/children.py` forks them).

Workers are forked when the work starts, so they share what the parent built so far (the
configuration, the loaded site) copy-on-write instead of receiving it pickled. Two kinds of
work are built on them:

- `map_ranges`: a stage's work over consecutive index ranges of a list, whose items the children
  read from their copy of it; only the ranges and the results travel. Below `min_items` it runs
  in the calling process: forking costs more than it saves.
- `BudgetPool` (and `map_with_budget`): each item within a time budget, its worker killed and
  replaced when it runs over (rendering Markdown bodies, decoding images).

The search index (`engine/search.py`) is one child of its own in the background, made while a
build renders pages or `serve` answers requests.

An exception a worker's work raises travels back with its traceback, and is raised in the parent.
"""

from __future__ import annotations

import functools
import pickle
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.sharedctypes import RawArray
from typing import Any, TypeVar

from blogkit.core.progress import SILENT, Progress
from blogkit.engine.children import Child, can_fork, fork_child

T = TypeVar("T")
R = TypeVar("R")


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
