"""A day calendar: for each future day, the people whose next event falls on it.

Each person has at most one pending event, so the calendar is an intrusive
singly linked list per day (``head[day]`` -> ``link[person]`` -> ...). Scheduling
and popping a day cost O(1) per person and no memory beyond two int32 arrays.
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


def new_calendar(days: int, capacity: int) -> Calendar:
    return Calendar(
        np.full(days + 1, -1, np.int32),
        np.full(capacity, -1, np.int32),
        np.full(capacity, -1, np.int32),
    )


@jit
def schedule(cal: Calendar, person: int, day: int) -> None:
    """Give ``person`` an event on ``day``; the person must have none pending."""
    cal.when[person] = day
    if day < cal.head.shape[0]:
        cal.link[person] = cal.head[day]
        cal.head[day] = person


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
