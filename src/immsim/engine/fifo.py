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
from immsim.engine.reserve import new_rows


def new_fifo(capacity: int, reserve: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An empty queue for people ``0 .. capacity - 1``, able to grow in place up to ``reserve`` (``engine.reserve``)."""
    return new_rows(capacity, np.int32, -1, reserve), np.zeros(2, np.int64)


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
def push_front(items: np.ndarray, ends: np.ndarray, person: int) -> None:
    """``person`` goes to the head of the queue (next to be popped): a member popped earlier that comes back."""
    if ends[0] == 0:  # no room before the head: shift the members back by one (the array always has room)
        for i in range(ends[1], 0, -1):
            items[i] = items[i - 1]
        ends[1] += 1
    else:
        ends[0] -= 1
    items[ends[0]] = person


@jit
def insert_near_head(items: np.ndarray, ends: np.ndarray, person: int, key: np.ndarray) -> None:
    """``person`` joins a queue whose members are in ascending ``key`` (indexed by person), keeping that order.

    The scan starts at the head, so it is cheap for a member popped earlier that comes back: only the few
    members that came back before it can be ahead of it.
    """
    push_front(items, ends, person)
    i = ends[0]
    while i + 1 < ends[1] and key[items[i + 1]] < key[person]:
        items[i] = items[i + 1]
        i += 1
    items[i] = person


@jit
def pop(items: np.ndarray, ends: np.ndarray) -> int:
    p = items[ends[0]]
    ends[0] += 1
    return p


@jit
def length(ends: np.ndarray) -> int:
    return ends[1] - ends[0]
