"""The court's docket: its queues, the judges as servers, the day's new cases, and the cases by filing day.

The MPP docket (``model.mpp``) has its own queue and its own judges, a
second station that is empty unless a scenario puts the MPP in force.

Kept apart from ``courts`` (the rules of outcomes) so that every module that
files a case can reach the docket without importing the court's rules.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from immsim.engine.fifo import new_fifo
from immsim.engine.jit import jit
from immsim.engine.servers import Station, new_station
from immsim.model.people import TableFull


class Court(NamedTuple):
    detq: np.ndarray  # detained docket: cases ready for hearing, heard first
    detq_ends: np.ndarray
    ndq: np.ndarray  # non-detained docket (the backlog)
    ndq_ends: np.ndarray
    closed: np.ndarray  # administratively closed cases, oldest closure first
    closed_ends: np.ndarray
    judges: Station  # one server per judge
    mppq: np.ndarray  # MPP docket (``model.mpp``): cases waiting outside the United States
    mppq_ends: np.ndarray
    mpp_judges: Station  # the judges assigned to the MPP docket
    new: np.ndarray  # int32[B]: cases reaching the court today
    new_time: np.ndarray  # float64[B]: when (days)
    new_count: np.ndarray  # int64[1]
    filed: np.ndarray  # int64[D]: cases queued or being heard, by filing day (``day_in``) + ``filed_span[0]``
    filed_span: np.ndarray  # int64[3]: [offset of day 0, lowest index counted, highest index counted]


def new_court(capacity: int, max_judges: int, buffer: int, first_day: int, days: int, reserve: int = 0) -> Court:
    """An empty court for people ids below ``capacity`` (queues that can grow in place up to ``reserve``) and
    filing days from ``first_day`` to ``days``."""
    detq, detq_ends = new_fifo(capacity, reserve)
    ndq, ndq_ends = new_fifo(capacity, reserve)
    closed, closed_ends = new_fifo(capacity, reserve)
    mppq, mppq_ends = new_fifo(capacity, reserve)
    return Court(
        detq,
        detq_ends,
        ndq,
        ndq_ends,
        closed,
        closed_ends,
        new_station(max(1, max_judges), 0, 1.0),
        mppq,
        mppq_ends,
        new_station(max(1, max_judges), 0, 1.0),
        np.zeros(buffer, np.int32),
        np.zeros(buffer),
        np.zeros(1, np.int64),
        np.zeros(days - first_day + 1, np.int64),
        np.array([-first_day, days - first_day, 0], np.int64),
    )


_NO_ROOM = "more cases reached the court in a day than the headroom left room for"


@jit
def to_court(court: Court, p: int, time: float) -> None:
    """Case ``p`` reaches the court at ``time`` today; ``hearings_day`` queues it in time order."""
    n = court.new_count[0]
    if n >= court.new.shape[0]:
        raise TableFull(_NO_ROOM)
    court.new[n] = p
    court.new_time[n] = time
    court.new_count[0] = n + 1


@jit
def enter(court: Court, day: int) -> None:
    """A case filed on ``day`` joins a queue of the court (``leave`` when a hearing of it ends).

    The count by filing day is what the month's median age of the docket is read
    from (``courts.median_days_pending``), without visiting the waiting cases.
    """
    i = day + court.filed_span[0]
    if i < 0 or i >= court.filed.shape[0]:
        raise ValueError("a case's filing day is outside the days the court counts")
    court.filed[i] += 1
    court.filed_span[1] = min(court.filed_span[1], i)
    court.filed_span[2] = max(court.filed_span[2], i)


@jit
def leave(court: Court, day: int) -> None:
    """A hearing of a case filed on ``day`` ended: it is no longer queued or heard (until it ``enter``s again)."""
    court.filed[day + court.filed_span[0]] -= 1
