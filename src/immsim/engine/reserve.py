"""Per-person arrays that grow in place: the first rows of a longer allocation the system fills on demand.

Why: a run's per-person arrays grow as its pipeline fills (us-2017's national
decade: from 2.2 to 3.3 million rows). Growing by copying into longer arrays
needs the old and the new arrays at once, which set the run's peak memory,
and copies every row each time: a decade spent 1.4 of its 14 seconds
allocating, filling and copying. Here each array is a view of the first rows
of an allocation of ``reserve`` rows made with ``np.zeros``, whose pages the
system provides, zeroed, only when they are first written: rows not yet in
use cost address space, not memory. Growing fills the next rows and takes a
longer view of the same memory, copying nothing. An array grown past its
reserve is copied into a new allocation, as before; so is one whose system
refuses the reserve (a ``MemoryError``: the reserve only saves time).

Compiled code sees only the view, so it cannot reach the rows past it; the
arrays' contents, and therefore results, do not depend on the reserve.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: A row's starting value: one number, or one per field of a structured dtype (absent fields start at 0).
Fill = float | Mapping[str, float]


def new_rows(capacity: int, dtype: np.dtype | type, fill: Fill = 0, reserve: int = 0) -> np.ndarray:
    """``capacity`` rows holding ``fill``, the start of room for ``reserve`` rows (``lengthen`` grows into it)."""
    try:
        full = np.zeros(max(capacity, reserve), dtype)
    except MemoryError:
        if reserve <= capacity:
            raise
        full = np.zeros(capacity, dtype)
    rows = full[:capacity]
    _fill(rows, fill)
    return rows


def lengthen(a: np.ndarray, size: int, fill: Fill = 0, reserve: int | None = None) -> np.ndarray:
    """``a`` followed by rows holding ``fill`` up to ``size`` rows: in place within ``a``'s reserve, else a copy
    with room for ``reserve`` rows (twice ``size`` unless given), so that the next growth is in place again.

    The caller must drop ``a`` and use the array returned (a longer view of the same memory, or a new array).
    """
    full = a.base
    if _starts(a, full) and full.shape[0] >= size:
        longer = full[:size]
        _fill(longer[a.shape[0] :], fill)
        return longer
    out = new_rows(size, a.dtype, fill, 2 * size if reserve is None else reserve)
    out[: a.shape[0]] = a
    return out


def _starts(a: np.ndarray, full: object) -> bool:
    """``a`` is a view of the first rows of ``full``, row for row."""
    return (
        isinstance(full, np.ndarray)
        and full.ndim == a.ndim == 1
        and full.dtype == a.dtype
        and full.strides == a.strides
        and full.ctypes.data == a.ctypes.data
    )


def _fill(rows: np.ndarray, fill: Fill) -> None:
    """Set rows that are still zero to ``fill`` (zeros are left as the system made them)."""
    if isinstance(fill, Mapping):
        for name, value in fill.items():
            if value != 0:
                rows[name] = value
    elif fill != 0:
        rows[:] = fill
