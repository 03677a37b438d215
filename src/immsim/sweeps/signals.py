"""Stopping a sweep cleanly: Ctrl-C and SIGTERM, in this process and in local workers.

A sweep is stopped by raising ``KeyboardInterrupt`` in the main thread, which
also breaks out of waiting for Dask; ``runner.run_sweep`` turns it into
``SweepInterrupted`` after the catalog is closed. Signals are delivered to the
main thread only, so off it nothing is installed.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Interrupts:
    """SIGINT and SIGTERM stop a sweep, but never halfway through saving a run.

    A signal that arrives while a run is being saved is held until the save
    is complete (DuckDB would otherwise abort the insert with its own error);
    anywhere else it raises ``KeyboardInterrupt`` at once, which also breaks
    out of waiting for Dask.
    """

    def __init__(self) -> None:
        self.in_save = False
        self.pending = False
        self.received = False  # a signal came: whatever error follows is its consequence

    def handler(self, signum: int, frame: object) -> None:
        self.received = True
        if self.in_save:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def installed(self) -> Iterator[Interrupts]:
        if threading.current_thread() is not threading.main_thread():
            yield self  # signals are delivered to the main thread only; nothing to install
            return
        previous = {s: signal.signal(s, self.handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for s, h in previous.items():
                signal.signal(s, h)

    @contextlib.contextmanager
    def saving(self) -> Iterator[None]:
        self.in_save = True
        try:
            yield
        finally:
            self.in_save = False
        if self.pending:
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
