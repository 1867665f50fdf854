"""The signals that stop blogkit (Ctrl-C, termination, a closed terminal), and holding them off
for the moments that must not be cut in two: swapping the published folder, and forking.

A Ctrl-C raised inside `os.fork()` lands in an at-fork callback (logging's lock release), where
Python prints "Exception ignored" with a traceback and then forgets the interrupt. Held off, it
arrives a moment later, in the parent's own code, and stops the command as any other Ctrl-C does."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


@contextmanager
def stop_signals_held() -> Iterator[None]:
    """Within the block, the stop signals wait; they arrive when it ends.

    Python runs signal handlers in the main thread, whichever thread the system gave the signal
    to, so masking it in this thread is not enough where other threads run (`serve`): in the
    main thread each handler is set aside for the block, and a signal that came meanwhile is
    raised again, to the handler it was meant for, when it ends. Elsewhere no handler can run
    here, and masking keeps a default action (termination) out of the block."""
    if threading.current_thread() is not threading.main_thread():
        held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return
    came: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: came.append(signum)) for sig in sorted(STOP_SIGNALS)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
        if came:
            signal.raise_signal(came[0])


def quiet_child() -> None:
    """In a forked worker: the parent handles Ctrl-C; termination ends the worker silently; and the
    stop signals, held while it was forked, are let through again."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
