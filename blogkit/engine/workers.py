"""Work in forked worker processes: the one way every stage uses more than one core.

Workers are forked when a stage starts, so they share what the parent built so far
(the configuration, the loaded site) copy-on-write instead of receiving it pickled;
they get index ranges and return results in order. Below `min_items` a stage runs in
the calling process: forking costs more than it saves. Workers leave Ctrl-C and
termination to the parent (which stops them) and never print tracebacks of their own
when the pool shuts down.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_TASK: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]] | None = None


def default_jobs() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def map_ranges(work: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int, *, min_items: int) -> list[R]:
    """`work(items[a:b])` over consecutive ranges, in `jobs` forked workers when it pays; results in order."""
    if jobs <= 1 or len(items) < min_items or not can_fork():
        return work(items)
    global _TASK
    _TASK = (work, items)
    try:
        size = max(8, len(items) // (jobs * 8))
        ranges = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_quiet_worker) as pool:
            chunks = pool.map(_run_range, ranges, chunksize=1)
    finally:
        _TASK = None
    return [result for chunk in chunks for result in chunk]


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None, "workers are forked by map_ranges"
    work, items = _TASK
    return work(items[bounds[0] : bounds[1]])


def _quiet_worker() -> None:
    """The parent handles Ctrl-C; termination by the pool ends a worker silently."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
