"""A day calendar: for each future day, the people whose next event falls on it.

Each person has at most one pending event, so the calendar is an intrusive
doubly linked list per day (``head[day]`` -> ``link[person]`` -> ..., with
``prev`` pointing back). Scheduling, cancelling and popping a day cost O(1)
per person and no memory beyond three int32 fields a person and a count a day (any int32 arrays
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
    size: np.ndarray  # int32[days + 1]: how many people are scheduled on each day


def new_calendar(days: int, capacity: int) -> Calendar:
    return Calendar(
        np.full(days + 1, -1, np.int32),
        np.full(capacity, -1, np.int32),
        np.full(capacity, -1, np.int32),
        np.full(capacity, -1, np.int32),
        np.zeros(days + 1, np.int32),
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
        cal.size[day] += 1


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
    cal.size[day] -= 1


@jit
def take_day(cal: Calendar, day: int) -> np.ndarray:
    """Remove and return the people whose event is on ``day``, in scheduling order.

    The day's count (``size``) sizes the result, so the list is walked once: each step is a read of a person
    scattered over the table, most of them a cache miss.
    """
    n = cal.size[day]
    out = np.empty(n, np.int32)
    p = cal.head[day]
    for i in range(n - 1, -1, -1):
        out[i] = p
        cal.when[p] = -1
        p = cal.link[p]
    cal.head[day] = -1
    cal.size[day] = 0
    return out
