"""Bucketed sets of people with O(1) insert, remove and uniform random pick.

Each bucket (say, one jurisdiction and priority class) owns a contiguous slice
of one shared ``store`` array. Removing swaps the last member into the hole.
When a bucket is full, ``grow`` moves that bucket alone to a slice of twice
the size at the end of the used part of the store (its old slice is left
unused), and the store itself doubles when that end is reached: the cost of
growing is proportional to the bucket moved, amortized O(1) per insertion,
for at most twice the memory of a packed store. Members keep their position
inside their bucket, so only the slice start moves. Functions that may grow
return the (new) ``Buckets``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from immsim.engine.jit import jit, jit_apart
from immsim.engine.reserve import new_rows


class Buckets(NamedTuple):
    start: np.ndarray  # int64[k]: where bucket k's slice begins in store
    size: np.ndarray  # int64[k]: members of bucket k
    cap: np.ndarray  # int64[k]: slots reserved for bucket k
    store: np.ndarray  # int32[sum(cap)]: members, bucket after bucket
    slot: np.ndarray  # int64[people]: a member's index inside its bucket, -1 if none
    bucket: np.ndarray  # int32[people]: a member's bucket, -1 if none
    used: np.ndarray  # int64[1]: end of the part of the store handed out to buckets


def new_buckets(n_buckets: int, capacity: int, initial_cap: int | np.ndarray = 64, reserve: int = 0) -> Buckets:
    """Empty buckets for people ``0 .. capacity - 1``, each with room for ``initial_cap`` members (one or each);
    the per-person arrays can grow in place up to ``reserve`` people (``engine.reserve``).

    Room only saves work: a bucket that fills up grows (``grow``), and members keep their order either way.
    """
    cap = np.broadcast_to(np.asarray(initial_cap, np.int64), (n_buckets,)).copy()
    start = np.concatenate(([0], np.cumsum(cap)[:-1])).astype(np.int64)
    return Buckets(
        start,
        np.zeros(n_buckets, np.int64),
        cap,
        np.full(int(cap.sum()), -1, np.int32),
        new_rows(capacity, np.int64, -1, reserve),
        new_rows(capacity, np.int32, -1, reserve),
        np.array([int(cap.sum())], np.int64),
    )


# _copy_note: an array-to-array slice assignment makes Numba compile its shape-mismatch error message
# (string formatting), seconds of compile time for a plain copy.


@jit_apart
def grow(b: Buckets, k: int) -> Buckets:
    new_cap = max(2 * b.cap[k], 64)
    store = b.store
    end = b.used[0]
    if end + new_cap > store.shape[0]:
        store = np.full(max(2 * store.shape[0], end + new_cap), -1, np.int32)
        for i in range(end):  # loops, not slice assignments: see _copy_note
            store[i] = b.store[i]
    n = b.size[k]
    for i in range(n):  # the new slice lies past the used part: no overlap
        store[end + i] = store[b.start[k] + i]
    store[end + n : end + new_cap] = -1
    b.start[k] = end
    b.cap[k] = new_cap
    b.used[0] = end + new_cap
    return Buckets(b.start, b.size, b.cap, store, b.slot, b.bucket, b.used)


@jit
def add(b: Buckets, k: int, person: int) -> Buckets:
    if b.size[k] == b.cap[k]:
        b = grow(b, k)
    i = b.size[k]
    b.store[b.start[k] + i] = person
    b.slot[person] = i
    b.bucket[person] = k
    b.size[k] = i + 1
    return b


@jit
def remove(b: Buckets, person: int) -> None:
    k = b.bucket[person]
    i = b.slot[person]
    last = b.size[k] - 1
    moved = b.store[b.start[k] + last]
    b.store[b.start[k] + i] = moved
    b.slot[moved] = i
    b.store[b.start[k] + last] = -1
    b.size[k] = last
    b.slot[person] = -1
    b.bucket[person] = -1


@jit
def pick(b: Buckets, k: int) -> int:
    """A uniformly random member of bucket k (which must not be empty)."""
    return b.store[b.start[k] + np.random.randint(0, b.size[k])]
