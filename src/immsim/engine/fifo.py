"""First-in, first-out queues on append-only arrays.

A queue is an int32 array of people plus ``ends = [head, tail]``; the pending
members are ``items[head:tail]`` in arrival order (which makes waiting-time
percentiles cheap to read). A person is in a queue at most once at a time, so
an array as long as the person table always suffices: when the tail reaches
the end, the pending members are moved back to the front.
"""

from __future__ import annotations

import numpy as np

from immsim.engine.jit import jit


def new_fifo(capacity: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(capacity, -1, np.int32), np.zeros(2, np.int64)


@jit
def push(items: np.ndarray, ends: np.ndarray, person: int) -> None:
    if ends[1] == items.shape[0]:
        n = ends[1] - ends[0]
        h = ends[0]
        for i in range(n):  # forward copy to the front is safe (i <= h + i); a loop compiles faster than a slice copy
            items[i] = items[h + i]
        ends[0], ends[1] = 0, n
    items[ends[1]] = person
    ends[1] += 1


@jit
def pop(items: np.ndarray, ends: np.ndarray) -> int:
    p = items[ends[0]]
    ends[0] += 1
    return p


@jit
def length(ends: np.ndarray) -> int:
    return ends[1] - ends[0]
