"""The command line's progress bar: one look for every long command (run, compare, calibrate, sweep, ...).

Each command used to set up its own Rich ``Progress`` with its own columns, so
one showed a percentage and no time left, another a count and no percentage.
:func:`progress_bar` gives them all the same columns: what is being done, the
bar, the percentage or the count done, an optional note (the best objective so
far), the time spent and the time left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class Update(Protocol):
    """What a command passes on as its ``progress`` callback (or calls from it)."""

    def __call__(self, done: int, total: int | None = None, **fields: str) -> None: ...


@contextmanager
def progress_bar(
    console: Console,
    description: str,
    *,
    count: str | None = None,
    total: int | None = None,
    note: str | None = None,
    fields: Mapping[str, str] | None = None,
    check: Callable[[], None] | None = None,
) -> Iterator[Update]:
    """Show a bar on ``console`` while the block runs; the block gets ``update(done, total, **fields)``.

    ``count`` (for example ``"runs"``) shows "done/total runs" instead of a
    percentage, for work counted in whole runs. ``note`` is a Rich format
    string over the task's ``fields`` (``"best {task.fields[best]}"``), whose
    first values are ``fields``. ``check`` is called after each update: the
    commands that honour Ctrl-C and SIGTERM between kernel calls pass their
    ``Interrupts.check`` there. The bar stays on screen when done (not
    transient), so the time a command took can still be read.
    """
    columns: list[ProgressColumn | str] = [TextColumn("[bold]{task.description}"), BarColumn()]
    columns.append(TextColumn(f"{{task.completed}}/{{task.total}} {count}" if count else "{task.percentage:>3.0f}%"))
    if note:
        columns.append(TextColumn(note))
    columns += [TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total, **(fields or {}))

        def update(done: int, total: int | None = None, **values: str) -> None:
            bar.update(task, completed=done, **({"total": total} if total is not None else {}), **values)
            if check is not None:
                check()

        yield update
