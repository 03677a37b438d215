"""Dask as immsim uses it (sweeps, ABC on a scheduler): what every client of ours needs around it."""

from __future__ import annotations

import logging


class _CancelRaceFilter(logging.Filter):
    """Drops the one error Dask's event loop logs when Ctrl-C lands as a call to the scheduler begins.

    ``distributed.utils.sync`` schedules a ``cancel`` callback on KeyboardInterrupt; if the interrupted call's
    coroutine had not started yet, the callback reads an unset variable and the loop logs a NameError with its
    traceback. Nothing is lost (the call is abandoned either way), but a stopped sweep or fit must not print a
    traceback; any other error still goes through.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        race = isinstance(exc, NameError) and "'future'" in str(exc)
        return not (race and "sync.<locals>.cancel" in record.getMessage())


def quiet_cancel_race() -> None:
    """Install ``_CancelRaceFilter`` once; it stays, as the loop may log the error after the work returns."""
    log = logging.getLogger("tornado.application")
    if not any(isinstance(f, _CancelRaceFilter) for f in log.filters):
        log.addFilter(_CancelRaceFilter())
