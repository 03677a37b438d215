"""A stable sort order for compiled code: ``np.argsort(keys, kind="stable")`` for float64 keys without NaN.

Why not NumPy's: in compiled code, ``np.argsort(kind="mergesort")`` and
``np.sort`` are Numba's generic sort implementations, compiled anew for each
key type (int32 deadlines, float64 times) with a dozen helper functions each:
about 4 s of the kernels' cold compile for four call sites. This one function
serves them all, once, for float64 keys (int32 keys convert exactly).

A stable order is unique (equal keys keep their original order), so it is the
same permutation as NumPy's stable sort and results are unchanged; sorting
values by it gives exactly ``np.sort``. Keys must not be NaN (none of the
model's are: times and days).
"""

from __future__ import annotations

import numpy as np

from immsim.engine.jit import jit

_RUN = 16  # insertion-sorted runs, then merged bottom-up


@jit
def stable_order(keys: np.ndarray) -> np.ndarray:
    """Indices (int64) that put float64 ``keys`` in ascending order, ties in their original order."""
    n = keys.shape[0]
    order = np.empty(n, np.int64)
    for i in range(n):
        order[i] = i
    for lo in range(0, n, _RUN):  # insertion sort of each run: moves only past strictly greater keys
        hi = min(lo + _RUN, n)
        for i in range(lo + 1, hi):
            x = order[i]
            kx = keys[x]
            j = i - 1
            while j >= lo and keys[order[j]] > kx:
                order[j + 1] = order[j]
                j -= 1
            order[j + 1] = x
    src = order
    dst = np.empty(n, np.int64)
    width = _RUN
    while width < n:
        for lo in range(0, n, 2 * width):
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            i, j, k = lo, mid, lo
            while i < mid and j < hi:  # the right run goes first only if strictly smaller: stable
                if keys[src[j]] < keys[src[i]]:
                    dst[k] = src[j]
                    j += 1
                else:
                    dst[k] = src[i]
                    i += 1
                k += 1
            while i < mid:
                dst[k] = src[i]
                i += 1
                k += 1
            while j < hi:
                dst[k] = src[j]
                j += 1
                k += 1
        src, dst = dst, src
        width *= 2
    return src
