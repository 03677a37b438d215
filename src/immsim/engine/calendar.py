"""A day calendar: for each future day, the people whose next event falls on it.

Each person has at most one pending event, so the calendar is an intrusive
doubly linked list per day (``head[day]`` -> ``link[person]`` -> ..., with
``prev`` pointing back). Scheduling, cancelling and popping a day cost O(1)
per person and no memory beyond three int32 fields a person (any int32 arrays
indexed by person: ``simulation`` gives views of the person records, so that a
person's links and fields share a cache line). ``prev`` is there for
``cancel``: an event that no longer applies (a person's supervision ends with
their case) must leave the list before the person can be scheduled again.
Events past the horizon are recorded in ``when`` but never fire.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from immsim.engine.jit import jit


class Calendar(NamedTuple):
    head: np.ndarray  # int32[days + 1]: first person scheduled on each day, -1 if none
    link: np.ndarray  # int32[people]: next person scheduled on the same day
    when: np.ndarray  # int32[people]: the day of the person's pending event, -1 if none
    prev: np.ndarray  # int32[people]: previous person scheduled on the same day, -1 if first


def new_calendar(days: int, capacity: int) -> Calendar:
    return Calendar(
        np.full(days + 1, -1, np.int32),
        np.full(capacity, -1, np.int32),
        np.full(capacity, -1, np.int32),
        np.full(capacity, -1, np.int32),
    )


@jit
def schedule(cal: Calendar, person: int, day: int) -> None:
    """Give ``person`` an event on ``day``; the person must have none pending."""
    cal.when[person] = day
    if day < cal.head.shape[0]:
        first = cal.head[day]
        cal.link[person] = first
        cal.prev[person] = -1
        if first >= 0:
            cal.prev[first] = person
        cal.head[day] = person


@jit
def cancel(cal: Calendar, person: int) -> None:
    """Remove ``person``'s pending event, if any, so that it never fires."""
    day = cal.when[person]
    if day < 0:
        return
    cal.when[person] = -1
    if day >= cal.head.shape[0]:
        return
    nxt, before = cal.link[person], cal.prev[person]
    if before >= 0:
        cal.link[before] = nxt
    else:
        cal.head[day] = nxt
    if nxt >= 0:
        cal.prev[nxt] = before


@jit
def take_day(cal: Calendar, day: int) -> np.ndarray:
    """Remove and return the people whose event is on ``day``, in scheduling order."""
    n = 0
    p = cal.head[day]
    while p >= 0:
        n += 1
        p = cal.link[p]
    out = np.empty(n, np.int32)
    p = cal.head[day]
    i = n - 1
    while p >= 0:
        out[i] = p
        cal.when[p] = -1
        p = cal.link[p]
        i -= 1
    cal.head[day] = -1
    return out
