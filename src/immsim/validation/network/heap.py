"""The event heap: 4-ary, times and codes in two arrays, +inf past the end.

Four children a node halve the depth of a binary heap, and their four times
share a cache line. The loop updates the heap once per event (``settle``): the
handled event stays at the root meanwhile, and the first event it schedules
takes the root's place, one sift down instead of a pop and a push.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from immsim.validation.network.state import HEAP_N


@nb.njit(cache=True, forceinline=True)
def sift_up(heap_t, heap_code, i, t, code):
    """Put an event at position ``i`` (the end of the heap) and move it up to its place."""
    while i > 0:
        parent = (i - 1) >> 2
        if heap_t[parent] <= t:
            break
        heap_t[i] = heap_t[parent]
        heap_code[i] = heap_code[parent]
        i = parent
    heap_t[i] = t
    heap_code[i] = code


@nb.njit(cache=True, forceinline=True)
def push(heap_t, heap_code, sc, t, code):
    """Add an event, counting it in ``sc[HEAP_N]`` (before the loop, which keeps its count in a local)."""
    i = sc[HEAP_N]
    sc[HEAP_N] = i + 1
    sift_up(heap_t, heap_code, i, t, code)


@nb.njit(cache=True, forceinline=True)
def settle(heap_t, heap_code, n, new_t, new_code, n_new):
    """Replace the handled event at the root by the ``n_new`` events it scheduled; returns the heap's size.

    The first new event takes the root's place (else the last event does), one
    sift down; the others are pushed. Entries past the end are +inf, so a node's
    four children are compared without checking how many exist.
    """
    if n_new > 0:
        x_t, x_code = new_t[0], new_code[0]
    else:
        n -= 1
        x_t, x_code = heap_t[n], heap_code[n]
        heap_t[n] = np.inf
        if n == 0:  # that was the last event: keep +inf past the end
            x_t = np.inf
    i = 0
    while True:  # sift down
        child = 4 * i + 1
        if child >= n:
            break
        best, bt = child, heap_t[child]
        if heap_t[child + 1] < bt:
            best, bt = child + 1, heap_t[child + 1]
        if heap_t[child + 2] < bt:
            best, bt = child + 2, heap_t[child + 2]
        if heap_t[child + 3] < bt:
            best, bt = child + 3, heap_t[child + 3]
        if bt >= x_t:
            break
        heap_t[i] = bt
        heap_code[i] = heap_code[best]
        i = best
    heap_t[i] = x_t
    heap_code[i] = x_code
    for e in range(1, n_new):
        sift_up(heap_t, heap_code, n, new_t[e], new_code[e])
        n += 1
    return n
