"""Random numbers for the event loop: xoshiro256++ and a ziggurat for the exponential law.

Why not NumPy's legacy generator, as the rest of immsim: in the event loop every draw would go through a
thread-local lookup, the Mersenne Twister and a logarithm, about a quarter of the loop's time. xoshiro256++
(Blackman and Vigna 2021) keeps its 4 words in the run's state, and the ziggurat (Marsaglia and Tsang 2000,
built as NumPy's Generator builds it) needs no logarithm 98.9 % of the time. Each run has its own stream, so
runs are reproducible from their seed alone and touch no global state.

The state travels as four scalars, not an array: arrays passed to functions inlined in Numba's IR
(``inline="always"``) bring Numba's reference counting into the event loop.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_U64 = 0xFFFFFFFFFFFFFFFF
_ZIG_R = 7.69711747013104972  # where the base strip's tail starts


def _ziggurat_tables(n: int = 256, bits: int = 53) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Marsaglia and Tsang's tables for the exponential law: thresholds k, widths w, densities f."""
    m, de, area = 2.0**bits, _ZIG_R, 3.949659822581572e-3
    k, w, f = np.zeros(n, np.uint64), np.zeros(n), np.zeros(n)
    q = area / math.exp(-de)
    k[0], w[0], w[-1], f[0], f[-1] = int(de / q * m), q / m, de / m, 1.0, math.exp(-de)
    te = de
    for i in range(n - 2, 0, -1):
        de = -math.log(area / de + math.exp(-de))
        k[i + 1], te, f[i], w[i] = int(de / te * m), de, math.exp(-de), de / m
    return k, w, f


_ZIG_K, _ZIG_W, _ZIG_F = _ziggurat_tables()


def seed_state(seed: int) -> np.ndarray:
    """xoshiro256++ state from a seed, through splitmix64 as its authors advise (never all zero)."""
    s, x = np.zeros(4, np.uint64), seed & _U64
    for i in range(4):
        x = (x + 0x9E3779B97F4A7C15) & _U64
        z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
        s[i] = z ^ (z >> 31)
    return s


@nb.njit(cache=True, inline="always")
def next64(s0, s1, s2, s3):
    """64 random bits and the next state."""
    x = s0 + s3
    out = ((x << np.uint64(23)) | (x >> np.uint64(41))) + s0
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    return out, s0, s1, s2, (s3 << np.uint64(45)) | (s3 >> np.uint64(19))


@nb.njit(cache=True, inline="always")
def uniform(s0, s1, s2, s3):
    """Uniform on [0, 1) (53 bits), and the next state."""
    r, s0, s1, s2, s3 = next64(s0, s1, s2, s3)
    return (r >> np.uint64(11)) * (1.0 / 9007199254740992.0), s0, s1, s2, s3


@nb.njit(cache=True)
def _exponential_slow(s0, s1, s2, s3, idx, x):
    """The ziggurat's rare cases: the base strip's tail, a wedge test, or a new try."""
    while True:
        u, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
        if idx == 0:
            return _ZIG_R - np.log1p(-u), s0, s1, s2, s3
        if (_ZIG_F[idx - 1] - _ZIG_F[idx]) * u + _ZIG_F[idx] < np.exp(-x):
            return x, s0, s1, s2, s3
        r, s0, s1, s2, s3 = next64(s0, s1, s2, s3)
        r >>= np.uint64(3)
        idx = r & np.uint64(0xFF)
        r >>= np.uint64(8)
        x = r * _ZIG_W[idx]
        if r < _ZIG_K[idx]:
            return x, s0, s1, s2, s3


@nb.njit(cache=True, inline="always")
def exponential(s0, s1, s2, s3):
    """Exponential with mean 1, and the next state."""
    r, s0, s1, s2, s3 = next64(s0, s1, s2, s3)
    r >>= np.uint64(3)
    idx = r & np.uint64(0xFF)
    r >>= np.uint64(8)
    x = r * _ZIG_W[idx]
    if r >= _ZIG_K[idx]:
        return _exponential_slow(s0, s1, s2, s3, idx, x)
    return x, s0, s1, s2, s3
