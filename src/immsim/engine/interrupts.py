"""Ctrl-C while compiled code runs: held until the call returns, so that it stops the program, not crashes it.

A Python signal handler runs at the next point where the interpreter checks
for signals. After a kernel call that point is inside Numba's conversion of
the kernel's results back to Python objects, and an exception raised there
(``KeyboardInterrupt``) is turned into a ``SystemError`` or a segmentation
fault: Ctrl-C during ``immsim.simulate`` killed the process (a notebook's
kernel died). ``signals_held`` keeps a signal that arrives during the block
and hands it to the handler that was installed before, once the block has
returned. A second signal is handed over at once: the block may be the first
call of a kernel, which compiles it (half a minute), and whoever presses
Ctrl-C twice will not wait. Stopping mid-compile is not clean either (Numba
calls Python from LLVM's callbacks, which can only ignore an exception, and
then fails on the half-made library), which is why the first signal waits too.

The command line's own handler (``sweeps.signals.Interrupts``) holds signals
around kernels too; nested inside it, this one hands it the signal, and it
decides as before.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

#: The signals a Python handler may turn into an exception (a default SIGTERM ends the process without one).
_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM (where a Python function handles them) until the block ends, then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are delivered to the main thread only: nothing can arrive here
        return
    previous = {s: h for s in _HELD if callable(h := signal.getsignal(s))}
    came: list[int] = []

    def deliver() -> None:
        while came:  # in order: a handler that holds a first signal itself stops on the second
            signum = came.pop(0)
            previous[signum](signum, None)

    def keep(signum: int, frame: object) -> None:
        came.append(signum)
        if len(came) > 1:
            deliver()

    for s in previous:
        signal.signal(s, keep)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
    deliver()
