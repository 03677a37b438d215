"""Seeded random streams with common random numbers by day and mechanism.

Numba's compiled code shares NumPy's legacy Mersenne Twister per thread. Instead
of one long stream, the kernel re-seeds it at the start of every (day, stream)
block from a hash of (seed, stream, day). Two scenarios run with the same seed
then draw the same numbers for the same mechanism on the same day, whatever
other mechanisms did earlier: this is what makes paired comparisons tight.
Re-seeding costs a few microseconds, a few milliseconds over a ten-year run.
"""

from __future__ import annotations

import numpy as np

from immsim.engine.jit import jit

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@jit
def _splitmix64(x: np.uint64) -> np.uint64:
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
    z = x
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
    return z ^ (z >> np.uint64(31))


@jit
def stream_seed(seed: int, stream: int, day: int) -> int:
    """A 32-bit seed derived from (seed, stream, day); distinct inputs give unrelated seeds."""
    h = _splitmix64(np.uint64(seed))
    h = _splitmix64(h ^ np.uint64(stream + 1))
    h = _splitmix64(h ^ np.uint64(day + 7919))
    return int(h >> np.uint64(32))


@jit
def reseed(seed: int, stream: int, day: int) -> None:
    """Start the (stream, day) block of random numbers."""
    np.random.seed(stream_seed(seed, stream, day))


@jit
def duration(mean_days: float) -> int:
    """A whole number of days >= 1 with the given mean (geometric distribution).

    The geometric law is the discrete-time analogue of the exponential one, so
    a stage with this holding time is memoryless, as queueing formulas assume.
    """
    if mean_days <= 1.0:
        return 1
    return int(np.random.geometric(1.0 / mean_days))


@jit
def poisson(lam: float) -> int:
    """Poisson draw that tolerates a zero or negative rate (returns 0)."""
    if lam <= 0.0:
        return 0
    return int(np.random.poisson(lam))


@jit
def pick_weighted(weights: np.ndarray, total: float) -> int:
    """Index i with probability weights[i] / total (total must be > 0)."""
    u = np.random.random() * total
    acc = 0.0
    for i in range(weights.shape[0]):
        acc += weights[i]
        if u < acc:
            return i
    # Rounding can leave u just above the sum: return the last non-zero weight.
    for i in range(weights.shape[0] - 1, -1, -1):
        if weights[i] > 0.0:
            return i
    return -1


@jit
def pick_cumulative(cum: np.ndarray, total: float) -> int:
    """``pick_weighted`` from cumulative weights (``np.cumsum(weights)``), in O(log n).

    ``np.cumsum`` adds in the same order as ``pick_weighted``'s loop, so the same
    random number gives the same index: drawing one of 3,000 counties costs a
    binary search instead of a scan, with unchanged results.
    """
    u = np.random.random() * total
    i = np.searchsorted(cum, u, side="right")
    if i < cum.shape[0]:
        return i
    for i in range(cum.shape[0] - 1, -1, -1):  # rounding: the last non-zero weight
        if cum[i] > (cum[i - 1] if i > 0 else 0.0):
            return i
    return -1


@jit
def round_random(x: float) -> int:
    """Round x >= 0 up or down at random so that the mean is exactly x.

    Daily capacities such as 338 judges x 520 cases / 365 days are fractional;
    random rounding keeps their long-run totals right without carrying state.
    """
    if x <= 0.0:
        return 0
    n = int(x)
    if np.random.random() < x - n:
        n += 1
    return n
