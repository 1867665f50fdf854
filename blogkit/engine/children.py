"""Forked child processes: the one way blogkit uses more than one core, or works in the background.

Every child is forked by `fork_child`, which writes once how that is done: the stop signals are
held while forking (a Ctrl-C arrives a moment later, in the parent's own code, and stops the new
child with the command); the child leaves Ctrl-C and termination to the parent, reads nothing
from the terminal, closes its copy of the parent's end of the pipe between them (so that it
notices when the parent is gone), never prints a traceback because the parent stopped listening,
and ends with `os._exit`, never returning into the parent's code. The parent keeps a `Child`: the
pipe, and the process to poll, wait for or kill.

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
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import NoReturn

from blogkit.core.signals import quiet_child, stop_signals_held


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
