"""An open queueing network in continuous time, compiled: immsim's own peer of Ciw and SimPy.

Why it exists: the domain model uses single stations (``servers.py``); to check
that immsim reproduces a *network* of jails, detention and courts the same way
an established simulator does, and to show what a compiled event loop buys, we
need a network simulator whose whole event loop runs in Numba.

Model. ``K`` stations, each with ``c_k`` identical servers and one FIFO queue per
class; class 0 is served first (non-preemptive priorities). Service times are
exponential with a mean per (station, class). External arrivals are Poisson per
(station, class). A customer still waiting after its patience (exponential or
fixed, per station) reneges and goes to that station's ``renege_to``. A station
with a ``capacity`` (servers plus queue) turns arrivals away when full to its
``overflow_to``, optionally in another class (e.g. beds full: the case goes to
the court's non-detained docket). After service, customers move from ``k`` to
``j`` with probability ``routing[class][k][j]``, or leave (the remainder).

Implementation. One 4-ary heap of events (times plus packed integer codes;
four children a node halve the depth of a binary heap, and their four times
share a cache line), customers in reusable array slots, queues as intrusive
doubly linked lists (a reneging customer leaves the middle of a queue in O(1)).
With exponential patience every waiting customer has a reneging event, and
those of customers who started service meanwhile are discarded when popped
(lazy deletion, checked with a per-slot visit counter). With fixed patience
(the hold window) deadlines fall in queue order, so each queue has one event,
for its head, moved on to the next head when it fires late: no event per
waiting customer. The event being handled stays at the root until the first
event it schedules takes its place (one sift instead of a pop and a push).
Random numbers: xoshiro256++ and a ziggurat (see below). Time averages are
areas under the curves, updated at every change. The compiled loop returns to
Python only to enlarge its arrays, O(log n) times per run, so no Python runs
per event; the result table is built only if asked for.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import numba as nb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

EXIT = -1  # destination "leave the network"
NOBODY = -2  # in the event loop: no customer moves (a stale event)

# heap codes: kind in 2 bits, then a customer slot, an arrival stream or a queue (station, class) in 32 bits,
# then the visit number
ARRIVAL, DONE, RENEGE, DEADLINE = 0, 1, 2, 3
_SLOT = np.int64(0xFFFFFFFF)
_VISIT = np.int64(0x1FFFFFFF)
# per queue, i.e. per (station k, class c), at kc = k * C + c: one flat index, the cheapest in the loop
HEAD, TAIL, N_Q, N_IN, TIMED = range(5)  # queue arrays [5, K * C]; TIMED: a deadline event is pending
N_STN, BUSY = range(2)  # station arrays [2, K]
# statistics, each [K * C]
N_ARR, N_SERVED, N_RENEGED, N_OVERFLOW = range(4)
S_WAIT, S_SOJOURN, S_RENEGE_WAIT, A_QUEUE, A_IN, T_LAST = range(6)
# scalars
HEAP_N, FREE_N, EXITS, STATS_ON, EVENTS, NET_EXITS = range(6)
NOW, T_WARM, T_END, NET_SOJOURN = range(4)


@dataclass(frozen=True)
class Network:
    """An open network; arrays are indexed [station] or [station][class], classes in priority order.

    ``patience`` is in time units (``inf``: none), exponential with that mean unless
    ``patience_fixed``. ``capacity`` counts servers plus queue (``inf``: unlimited).
    Destinations are station indices or ``EXIT``; ``overflow_class`` of -1 keeps the class.
    """

    servers: ArrayLike
    service_mean: ArrayLike  # [K][C]
    arrival_rate: ArrayLike  # [K][C], external Poisson rate
    routing: ArrayLike | None = None  # [C][K][K] or [K][K] (same for all classes); rows sum to <= 1
    patience: ArrayLike | None = None  # [K]
    patience_fixed: ArrayLike | bool = False  # [K] or one flag
    renege_to: ArrayLike | None = None  # [K], default EXIT
    capacity: ArrayLike | None = None  # [K]
    overflow_to: ArrayLike | None = None  # [K], default EXIT
    overflow_class: ArrayLike | None = None  # [K], default -1 (keep)
    names: tuple[str, ...] | None = None

    def params(self) -> Params:
        """Validated NumPy arrays for the compiled loop."""
        servers = np.asarray(self.servers, np.int64)
        k = servers.size
        svc = np.ascontiguousarray(np.asarray(self.service_mean, np.float64).reshape(k, -1))
        c = svc.shape[1]
        rate = np.ascontiguousarray(np.asarray(self.arrival_rate, np.float64).reshape(k, c))
        r = np.zeros((k, k)) if self.routing is None else np.asarray(self.routing, np.float64)
        r = np.broadcast_to(r, (c, k, k)) if r.ndim == 2 else r.reshape(c, k, k)
        if (r < 0).any() or (r.sum(axis=2) > 1 + 1e-12).any():
            raise ValueError("routing probabilities must be >= 0 and each row must sum to <= 1")

        def per_station(x, default, dtype):
            return np.full(k, default, dtype) if x is None else np.broadcast_to(np.asarray(x, dtype), (k,)).copy()

        cap = per_station(self.capacity, np.inf, np.float64)
        overflow_to = per_station(self.overflow_to, EXIT, np.int64)
        for start in range(k):  # overflow chains must end, or a full network would loop forever
            seen, j = set(), start
            while j != EXIT and cap[j] < np.inf:
                if j in seen:
                    raise ValueError("overflow destinations form a cycle of capacity-limited stations")
                seen.add(j)
                j = overflow_to[j]
        if (servers < 0).any() or (svc < 0).any() or (rate < 0).any() or (cap < 0).any():
            raise ValueError("servers, service means, arrival rates and capacities must be >= 0")
        renege_to, overflow_class = (
            per_station(self.renege_to, EXIT, np.int64),
            per_station(self.overflow_class, -1, np.int64),
        )
        if not all(((d >= EXIT) & (d < k)).all() for d in (renege_to, overflow_to)) or (overflow_class >= c).any():
            raise ValueError("destinations must be station indices or EXIT, and overflow classes class indices or -1")
        return Params(
            servers,
            svc,
            rate,
            np.cumsum(r, axis=2),
            per_station(self.patience, np.inf, np.float64),
            per_station(self.patience_fixed, False, np.bool_),
            renege_to,
            np.where(np.isinf(cap), -1, np.minimum(cap, 2**62)).astype(np.int64),
            overflow_to,
            overflow_class,
        )

    def station_names(self) -> list[str]:
        k = np.asarray(self.servers).size
        return list(self.names) if self.names is not None else [f"station {i}" for i in range(k)]


class Params(NamedTuple):
    servers: np.ndarray  # int64[K]
    service_mean: np.ndarray  # float64[K, C]
    arrival_rate: np.ndarray  # float64[K, C]
    route_cum: np.ndarray  # float64[C, K, K], cumulative along the last axis
    patience: np.ndarray  # float64[K]
    patience_fixed: np.ndarray  # bool[K]
    renege_to: np.ndarray  # int64[K]
    capacity: np.ndarray  # int64[K], -1: unlimited
    overflow_to: np.ndarray  # int64[K]
    overflow_class: np.ndarray  # int64[K]


# --- random numbers: xoshiro256++ and a ziggurat for the exponential law ---------------------------------------------
# Why not NumPy's legacy generator, as the rest of immsim: in the event loop every draw would go through a
# thread-local lookup, the Mersenne Twister and a logarithm, about a quarter of the loop's time. xoshiro256++
# (Blackman and Vigna 2021) keeps its 4 words in the run's state, and the ziggurat (Marsaglia and Tsang 2000,
# built as NumPy's Generator builds it) needs no logarithm 98.9 % of the time. Each run has its own stream, so
# runs are reproducible from their seed alone and touch no global state.

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


def _seed_rng(seed: int) -> np.ndarray:
    """xoshiro256++ state from a seed, through splitmix64 as its authors advise (never all zero)."""
    s, x = np.zeros(4, np.uint64), seed & _U64
    for i in range(4):
        x = (x + 0x9E3779B97F4A7C15) & _U64
        z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _U64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _U64
        s[i] = z ^ (z >> 31)
    return s


@nb.njit(cache=True, inline="always")
def _next64(s0, s1, s2, s3):
    """64 random bits and the next state. The state is four scalars, not an array: arrays passed
    to inlined functions bring Numba's reference counting into the event loop."""
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
def _uniform(s0, s1, s2, s3):
    """Uniform on [0, 1) (53 bits), and the next state."""
    r, s0, s1, s2, s3 = _next64(s0, s1, s2, s3)
    return (r >> np.uint64(11)) * (1.0 / 9007199254740992.0), s0, s1, s2, s3


@nb.njit(cache=True)
def _exponential_slow(s0, s1, s2, s3, idx, x):
    """The ziggurat's rare cases: the base strip's tail, a wedge test, or a new try."""
    while True:
        u, s0, s1, s2, s3 = _uniform(s0, s1, s2, s3)
        if idx == 0:
            return _ZIG_R - np.log1p(-u), s0, s1, s2, s3
        if (_ZIG_F[idx - 1] - _ZIG_F[idx]) * u + _ZIG_F[idx] < np.exp(-x):
            return x, s0, s1, s2, s3
        r, s0, s1, s2, s3 = _next64(s0, s1, s2, s3)
        r >>= np.uint64(3)
        idx = r & np.uint64(0xFF)
        r >>= np.uint64(8)
        x = r * _ZIG_W[idx]
        if r < _ZIG_K[idx]:
            return x, s0, s1, s2, s3


@nb.njit(cache=True, inline="always")
def _exponential(s0, s1, s2, s3):
    """Exponential with mean 1, and the next state."""
    r, s0, s1, s2, s3 = _next64(s0, s1, s2, s3)
    r >>= np.uint64(3)
    idx = r & np.uint64(0xFF)
    r >>= np.uint64(8)
    x = r * _ZIG_W[idx]
    if r >= _ZIG_K[idx]:
        return _exponential_slow(s0, s1, s2, s3, idx, x)
    return x, s0, s1, s2, s3


class State(NamedTuple):
    heap_t: np.ndarray  # float64[H]: event times, a 4-ary min-heap (+inf past the end)
    heap_code: np.ndarray  # int64[H]: kind | (slot, stream or queue) << 2 | visit << 34
    t_arr: np.ndarray  # float64[M]: per customer slot, arrival at the current station
    t_start: np.ndarray  # float64[M]: start of service at the current station
    t_net: np.ndarray  # float64[M]: entry into the network
    stn: np.ndarray  # int64[M]: current station
    cls: np.ndarray  # int64[M]: current class
    nxt: np.ndarray  # int64[M]: next in the queue (-1: none)
    prv: np.ndarray  # int64[M]: previous in the queue (-1: none)
    visit: np.ndarray  # int64[M]: stations entered so far (validates reneging events)
    waiting: np.ndarray  # int64[M]: 1 while in a queue
    free: np.ndarray  # int64[M]: stack of free slots
    q: np.ndarray  # int64[5, K * C]: queue head, queue tail, number waiting, number in station, deadline pending
    ks: np.ndarray  # int64[2, K]: number in station (all classes), busy servers
    counts: np.ndarray  # int64[4, K * C], see N_ARR...
    sums: np.ndarray  # float64[6, K * C], see S_WAIT...
    sc: np.ndarray  # int64[6], see HEAP_N...
    tm: np.ndarray  # float64[4], see NOW...
    rng: np.ndarray  # uint64[4]: the random generator's state


def _slots(m: int) -> tuple[np.ndarray, ...]:
    """Per-customer columns for ``m`` slots, in State's order (t_arr ... waiting)."""
    times = [np.zeros(m) for _ in range(3)]  # t_arr, t_start, t_net
    return (*times, np.zeros(m, np.int64), np.zeros(m, np.int64), np.full(m, -1, np.int64), np.full(m, -1, np.int64),
            np.zeros(m, np.int64), np.zeros(m, np.int64))  # fmt: skip


def _new_state(p: Params, seed: int, heap: int = 1024, slots: int = 1024) -> State:
    k, c = p.service_mean.shape
    q = np.zeros((5, k * c), np.int64)
    q[HEAD : TAIL + 1] = -1
    sc = np.zeros(6, np.int64)
    sc[FREE_N] = slots
    free = np.arange(slots - 1, -1, -1, dtype=np.int64)
    counts, sums = np.zeros((4, k * c), np.int64), np.zeros((6, k * c))
    return State(np.full(heap, np.inf), np.zeros(heap, np.int64), *_slots(slots), free, q,
                 np.zeros((2, k), np.int64), counts, sums, sc, np.zeros(4), _seed_rng(seed))  # fmt: skip


_COLUMNS = State._fields[State._fields.index("t_arr") : State._fields.index("free")]


def _grow(st: State) -> State:
    """Double whatever ran short: the heap, or the customer slots."""
    h, m = st.heap_t.size, st.t_arr.size
    if st.sc[HEAP_N] + 8 > h:
        st = st._replace(
            heap_t=np.concatenate([st.heap_t, np.full(h, np.inf)]),
            heap_code=np.concatenate([st.heap_code, np.zeros(h, np.int64)]),
        )
    if st.sc[FREE_N] == 0:
        free = np.concatenate([st.free, np.zeros(m, np.int64)])
        free[:m] = np.arange(2 * m - 1, m - 1, -1)
        st.sc[FREE_N] = m
        grown = {f: np.concatenate([getattr(st, f), new]) for f, new in zip(_COLUMNS, _slots(m), strict=True)}
        st = st._replace(free=free, **grown)
    return st


@nb.njit(cache=True)
def _push(heap_t, heap_code, sc, t, code):
    """Add an event to the 4-ary heap (before the loop; the loop has its own copy of this sift up)."""
    i = sc[HEAP_N]
    sc[HEAP_N] = i + 1
    while i > 0:
        parent = (i - 1) >> 2
        if heap_t[parent] <= t:
            break
        heap_t[i] = heap_t[parent]
        heap_code[i] = heap_code[parent]
        i = parent
    heap_t[i] = t
    heap_code[i] = code


@nb.njit(cache=True)
def _touch(sums, q, kc, t):
    """Add the areas under the queue and station counts since their last change."""
    dt = t - sums[T_LAST, kc]
    sums[A_QUEUE, kc] += q[N_Q, kc] * dt
    sums[A_IN, kc] += q[N_IN, kc] * dt
    sums[T_LAST, kc] = t


@nb.njit(cache=True)
def _unlink(nxt_a, prv_a, q, slot, kc):
    nxt, prv = nxt_a[slot], prv_a[slot]
    if prv >= 0:
        nxt_a[prv] = nxt
    else:
        q[HEAD, kc] = nxt
    if nxt >= 0:
        prv_a[nxt] = prv
    else:
        q[TAIL, kc] = prv
    q[N_Q, kc] -= 1


@nb.njit(cache=True)
def _begin(p, st, warmup):
    n_cls = p.arrival_rate.shape[1]
    for k in range(p.arrival_rate.shape[0]):
        for c in range(n_cls):
            if p.arrival_rate[k, c] > 0:
                e, s0, s1, s2, s3 = _exponential(st.rng[0], st.rng[1], st.rng[2], st.rng[3])
                st.rng[0], st.rng[1], st.rng[2], st.rng[3] = s0, s1, s2, s3
                t = e / p.arrival_rate[k, c]
                _push(st.heap_t, st.heap_code, st.sc, t, ((k * n_cls + c) << 2) | ARRIVAL)
    st.sc[STATS_ON] = warmup == 0


@nb.njit(cache=True)
def _close_areas(sums, q, t):
    for kc in range(q.shape[1]):
        _touch(sums, q, kc, t)


@nb.njit(cache=True)
def _run(p, st, warmup, customers, t_max):
    """The event loop. Returns 0 when finished, 1 when the heap or the slots must grow first.

    Everything happens in this one function on local array variables: Numba then
    keeps reference counting out of the loop, which triples the speed. Helpers
    that take arrays are plain calls, which LLVM inlines; inlining them in
    Numba's IR instead (``inline="always"``) brings the reference counting back,
    hence the random generator's state in four scalars. The heap is updated in
    one place, at the end of each event: the handled event stays at the root
    meanwhile, the events it schedules wait in ``new_t``/``new_code``, and the
    first of them takes the root's place (one sift down instead of a pop and a
    push). Counters that change at every event live in local variables and are
    written back on return.
    """
    heap_t, heap_code, free, q, ks = st.heap_t, st.heap_code, st.free, st.q, st.ks
    t_arr, t_start, t_net, stn, cls = st.t_arr, st.t_start, st.t_net, st.stn, st.cls
    nxt, prv, visit, waiting = st.nxt, st.prv, st.visit, st.waiting
    counts, sums, sc, tm, rng = st.counts, st.sums, st.sc, st.tm, st.rng
    servers, route_cum = p.servers, p.route_cum
    patience, patience_fixed, renege_to = p.patience, p.patience_fixed, p.renege_to
    capacity, overflow_to, overflow_class = p.capacity, p.overflow_to, p.overflow_class
    n_stn, n_cls = p.arrival_rate.shape
    service_mean, arrival_rate = p.service_mean.ravel(), p.arrival_rate.ravel()  # by queue kc = k * n_cls + c
    kc_k, kc_c = np.arange(n_stn * n_cls) // n_cls, np.arange(n_stn * n_cls) % n_cls
    new_t, new_code = np.empty(4), np.empty(4, np.int64)
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    n, free_n, exits, on = sc[HEAP_N], sc[FREE_N], sc[EXITS], sc[STATS_ON]
    status = 0
    while True:
        if n + 8 > heap_t.shape[0] or free_n == 0:
            status = 1  # an event schedules at most 3 events and takes at most one slot; sifts read 3 past the end
            break
        if n == 0 or heap_t[0] > t_max:
            t = tm[NOW] if n == 0 else t_max
            _close_areas(sums, q, t)
            tm[T_END] = t
            break
        t, code = heap_t[0], heap_code[0]
        tm[NOW] = t
        kind, slot = code & 3, (code >> 2) & _SLOT
        n_new = 0
        k = NOBODY  # where customer `slot` goes next; NOBODY: the event was stale
        if kind == ARRIVAL:  # from outside: take a free slot, draw the next arrival of this stream
            k, c = kc_k[slot], kc_c[slot]
            e, s0, s1, s2, s3 = _exponential(s0, s1, s2, s3)
            new_t[0], new_code[0], n_new = t + e / arrival_rate[slot], code, 1
            free_n -= 1
            slot = free[free_n]
            t_net[slot] = t
        elif kind == DONE:
            k, c = stn[slot], cls[slot]
            kc = k * n_cls + c
            _touch(sums, q, kc, t)
            q[N_IN, kc] -= 1
            ks[N_STN, k] -= 1
            ks[BUSY, k] -= 1
            if on:
                counts[N_SERVED, kc] += 1
                sums[S_WAIT, kc] += t_start[slot] - t_arr[slot]
                sums[S_SOJOURN, kc] += t - t_arr[slot]
            for kq in range(k * n_cls, k * n_cls + n_cls):  # the freed server takes the first waiting customer
                head = q[HEAD, kq]  # of the best class
                if head >= 0:
                    _touch(sums, q, kq, t)
                    _unlink(nxt, prv, q, head, kq)
                    ks[BUSY, k] += 1
                    waiting[head] = 0
                    t_start[head] = t
                    e, s0, s1, s2, s3 = _exponential(s0, s1, s2, s3)
                    new_t[0], new_code[0], n_new = t + e * service_mean[kq], (head << 2) | DONE, 1
                    break
            u, s0, s1, s2, s3 = _uniform(s0, s1, s2, s3)
            kd, k = k, EXIT
            for j in range(n_stn):
                if u < route_cum[c, kd, j]:
                    k = j
                    break
        elif kind == RENEGE:  # exponential patience ran out, unless the customer started service meanwhile
            if waiting[slot] != 0 and (visit[slot] & _VISIT) == code >> 34:
                k, c = stn[slot], cls[slot]
                kc = k * n_cls + c
                _touch(sums, q, kc, t)
                _unlink(nxt, prv, q, slot, kc)
                q[N_IN, kc] -= 1
                ks[N_STN, k] -= 1
                waiting[slot] = 0
                if on:
                    counts[N_RENEGED, kc] += 1
                    sums[S_RENEGE_WAIT, kc] += t - t_arr[slot]
                k = renege_to[k]
        else:  # DEADLINE (fixed patience): the head of queue kc waited longest; it reneges if its time is up
            kc = slot
            kd, c = kc_k[kc], kc_c[kc]
            slot = q[HEAD, kc]
            if slot < 0:  # the queue emptied since
                q[TIMED, kc] = 0
            elif t_arr[slot] + patience[kd] > t:  # set for a customer now in service: wait for the current head
                new_t[0], new_code[0], n_new = t_arr[slot] + patience[kd], code, 1
            else:
                _touch(sums, q, kc, t)
                _unlink(nxt, prv, q, slot, kc)
                q[N_IN, kc] -= 1
                ks[N_STN, kd] -= 1
                waiting[slot] = 0
                if on:
                    counts[N_RENEGED, kc] += 1
                    sums[S_RENEGE_WAIT, kc] += t - t_arr[slot]
                head = q[HEAD, kc]
                if head >= 0:
                    new_t[0], new_code[0], n_new = t_arr[head] + patience[kd], code, 1
                else:
                    q[TIMED, kc] = 0
                k = renege_to[kd]
        if k != NOBODY:
            # customer `slot` of class c now reaches station k, overflowing while stations are full
            while k != EXIT:
                kc = k * n_cls + c
                counts[N_ARR, kc] += on
                if capacity[k] < 0 or ks[N_STN, k] < capacity[k]:
                    break
                counts[N_OVERFLOW, kc] += on
                if overflow_class[k] >= 0:
                    c = overflow_class[k]
                k = overflow_to[k]
            if k == EXIT:
                free[free_n] = slot
                free_n += 1
                exits += 1
                if on:
                    sc[NET_EXITS] += 1
                    tm[NET_SOJOURN] += t - t_net[slot]
            else:
                stn[slot] = k
                cls[slot] = c
                visit[slot] += 1
                t_arr[slot] = t
                _touch(sums, q, kc, t)
                q[N_IN, kc] += 1
                ks[N_STN, k] += 1
                if ks[BUSY, k] < servers[k]:
                    ks[BUSY, k] += 1
                    waiting[slot] = 0
                    t_start[slot] = t
                    e, s0, s1, s2, s3 = _exponential(s0, s1, s2, s3)
                    new_t[n_new], new_code[n_new] = t + e * service_mean[kc], (slot << 2) | DONE
                    n_new += 1
                else:  # join the end of the queue
                    tail = q[TAIL, kc]
                    prv[slot] = tail
                    nxt[slot] = -1
                    if tail >= 0:
                        nxt[tail] = slot
                    else:
                        q[HEAD, kc] = slot
                    q[TAIL, kc] = slot
                    q[N_Q, kc] += 1
                    waiting[slot] = 1
                    if patience[k] < np.inf:
                        if not patience_fixed[k]:
                            e, s0, s1, s2, s3 = _exponential(s0, s1, s2, s3)
                            new_t[n_new] = t + e * patience[k]
                            new_code[n_new] = ((visit[slot] & _VISIT) << 34) | (slot << 2) | RENEGE
                            n_new += 1
                        elif q[TIMED, kc] == 0:  # one deadline per queue, for its head
                            q[TIMED, kc] = 1
                            new_t[n_new], new_code[n_new] = t + patience[k], (kc << 2) | DEADLINE
                            n_new += 1
        # the heap: the first new event takes the handled one's place at the root (else the last event does),
        # one sift down; the others are pushed
        if n_new > 0:
            x_t, x_code = new_t[0], new_code[0]
        else:
            n -= 1
            x_t, x_code = heap_t[n], heap_code[n]
            heap_t[n] = np.inf
            if n == 0:  # that was the last event: keep +inf past the end
                x_t = np.inf
        i = 0
        while True:  # sift down, four children a node; entries past the end are +inf
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
        for e in range(1, n_new):  # sift up
            x_t, x_code, i = new_t[e], new_code[e], n
            n += 1
            while i > 0:
                parent = (i - 1) >> 2
                if heap_t[parent] <= x_t:
                    break
                heap_t[i] = heap_t[parent]
                heap_code[i] = heap_code[parent]
                i = parent
            heap_t[i] = x_t
            heap_code[i] = x_code
        if k == NOBODY:
            continue
        sc[EVENTS] += 1
        if not on and exits >= warmup:  # warm-up over: forget what happened so far
            _close_areas(sums, q, t)
            counts[:] = 0
            sums[:T_LAST] = 0.0
            on = 1
            tm[T_WARM] = t
        if exits >= warmup + customers:
            _close_areas(sums, q, t)
            tm[T_END] = t
            break
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
    sc[HEAP_N], sc[FREE_N], sc[EXITS], sc[STATS_ON] = n, free_n, exits, on
    return status


@dataclass(frozen=True, eq=False)
class NetworkResult:
    """Statistics per (station, class) as ``stats`` (NumPy arrays, one per column) or ``table`` (pandas).

    ``table`` is built on first use: a DataFrame costs a third of a millisecond, as
    much as simulating 10,000 events, and many short runs (replications, the
    benchmark) only need one or two numbers.
    """

    stats: dict[str, np.ndarray]  # the table's columns, rows in (station, class) order
    duration: float  # length of the observation window, after warm-up
    exits: int  # customers who left the network in the window
    throughput: float  # exits / duration
    mean_time_in_network: float
    events: int  # arrivals, service completions and reneging, warm-up included
    seconds: float  # wall-clock time of the event loop

    @functools.cached_property
    def table(self) -> pd.DataFrame:
        """One row per (station, class)."""
        return pd.DataFrame(self.stats)


def simulate_network(
    net: Network, customers: int, seed: int = 0, warmup: int = 0, max_time: float = math.inf
) -> NetworkResult:
    """Run until ``customers`` leave the network after the first ``warmup`` have left (or ``max_time``).

    Statistics cover the window from the ``warmup``-th departure from the network
    to the end. ``arrivals`` include those turned away (``overflowed``); waits and
    times in station are those of customers whose service ended in the window;
    ``mean_renege_wait`` is the time reneging customers waited; time averages are
    areas over the window divided by its length.
    """
    p = net.params()
    st = _new_state(p, seed)
    _begin(p, st, warmup)
    t0 = time.perf_counter()
    while _run(p, st, warmup, customers, max_time):
        st = _grow(st)
    seconds = time.perf_counter() - t0
    duration = st.tm[T_END] - st.tm[T_WARM]
    k, c = p.service_mean.shape
    cnt, s = st.counts, st.sums
    served, reneged = cnt[N_SERVED], cnt[N_RENEGED]
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = {
            "station": np.repeat(net.station_names(), c),
            "k": np.repeat(np.arange(k), c),
            "cls": np.tile(np.arange(c), k),
            "arrivals": cnt[N_ARR],
            "overflowed": cnt[N_OVERFLOW],
            "reneged": reneged,
            "served": served,
            "throughput": served / duration,
            "mean_wait": s[S_WAIT] / served,
            "mean_sojourn": s[S_SOJOURN] / served,
            "mean_renege_wait": s[S_RENEGE_WAIT] / reneged,
            "mean_queue": s[A_QUEUE] / duration,
            "mean_in_station": s[A_IN] / duration,
        }
    exits = int(st.sc[NET_EXITS])
    return NetworkResult(
        stats,
        duration,
        exits,
        exits / duration,
        st.tm[NET_SOJOURN] / exits if exits else math.nan,
        int(st.sc[EVENTS]),
        seconds,
    )
