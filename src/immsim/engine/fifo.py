"""First-in, first-out queues on append-only arrays.

A queue is an int32 array of people plus ``ends = [head, tail]``. Each person
enters a given queue at most once, so the array never needs more slots than
there are people, and the pending members are ``items[head:tail]`` in arrival
order (which makes waiting-time percentiles cheap to read).
"""

from __future__ import annotations

import numba as nb
import numpy as np


def new_fifo(capacity: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(capacity, -1, np.int32), np.zeros(2, np.int64)


@nb.njit(cache=True)
def push(items: np.ndarray, ends: np.ndarray, person: int) -> None:
    items[ends[1]] = person
    ends[1] += 1


@nb.njit(cache=True)
def pop(items: np.ndarray, ends: np.ndarray) -> int:
    p = items[ends[0]]
    ends[0] += 1
    return p


@nb.njit(cache=True)
def length(ends: np.ndarray) -> int:
    return ends[1] - ends[0]
