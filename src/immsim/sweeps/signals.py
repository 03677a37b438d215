"""Stopping cleanly: Ctrl-C and SIGTERM, in this process and in local workers.

A sweep (or a run or comparison from the command line) is stopped by raising
``KeyboardInterrupt`` in the main thread, which also breaks out of waiting for
Dask; ``runner.run_sweep`` turns it into ``SweepInterrupted`` after the
catalog is closed. Signals are delivered to the main thread only, so off it
nothing is installed.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any


class Interrupts:
    """SIGINT and SIGTERM stop a command, but never halfway through saving a run or inside a kernel call.

    A signal that arrives while the work is *held* (saving a run, or running
    the compiled kernels) is kept until the hold ends or the work reaches a
    safe point (``check``); anywhere else it raises ``KeyboardInterrupt`` at
    once, which also breaks out of waiting for Dask. Saving is held because
    DuckDB would otherwise abort the insert with its own error; the kernels
    are held because Numba turns an exception raised while it converts a
    kernel's results back to Python objects (where a pending signal's handler
    runs) into a ``SystemError`` or a segmentation fault. A second signal
    while one is held stops at once: a first compilation of the kernels can
    take minutes, and whoever presses Ctrl-C twice prefers that to waiting.

    Where Python can only ignore an exception (a weak reference's callback,
    such as the one that drops an import's module lock, or a ``__del__``), the
    ``KeyboardInterrupt`` raised there would be printed as "Exception ignored
    in" with a traceback and the signal lost: the command went on to exit 0.
    Such a signal is kept instead, without a word, and the command stops at
    the next safe point or, at the latest, when ``installed`` ends.
    """

    def __init__(self) -> None:
        self.depth = 0  # nested holds
        self.pending = False
        self.received = False  # a signal came: whatever error follows is its consequence

    def handler(self, signum: int, frame: object) -> None:
        self.received = True
        if self.depth and not self.pending:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[Interrupts]:
        if threading.current_thread() is not threading.main_thread():
            yield self  # signals are delivered to the main thread only; nothing to install
            return
        previous = {s: signal.signal(s, self.handler) for s in (signal.SIGINT, signal.SIGTERM)}
        hook, sys.unraisablehook = sys.unraisablehook, self._unraisable(sys.unraisablehook)
        try:
            yield self
        finally:
            for s, h in previous.items():
                signal.signal(s, h)
            sys.unraisablehook = hook
        self.check()  # a signal that came where its exception could only be ignored

    def _unraisable(self, hook: Any) -> Any:
        def unraisable(info: Any) -> None:
            if info.exc_type is KeyboardInterrupt and self.received:  # this handler's, raised where Python ignores it
                self.pending = True
            else:
                hook(info)

        return unraisable

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Keep signals until the block ends (or reaches ``check``), then stop if one came."""
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if not self.depth:
            self.check()

    def check(self) -> None:
        """A safe point: stop now if a signal is being held."""
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


@contextlib.contextmanager
def workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with SIGINT ignored (an ignored signal stays ignored in a child).

    Ctrl-C in a terminal reaches every process of the foreground group; the
    workers should leave it to this process, which cancels their runs and
    closes the cluster, instead of each dying with a traceback.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
