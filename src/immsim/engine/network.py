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

Implementation. One binary heap of events (times plus packed integer codes),
customers in reusable array slots, queues as intrusive doubly linked lists (a
reneging customer leaves the middle of a queue in O(1)); reneging events of
customers who started service meanwhile are discarded when popped (lazy
deletion, checked with a per-slot visit counter). Time averages are areas under
the curves, updated at every change. The compiled loop returns to Python only
to enlarge its arrays, O(log n) times per run, so no Python runs per event.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import NamedTuple

import numba as nb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

EXIT = -1  # destination "leave the network"

# heap codes: kind in 2 bits, then slot (or arrival stream) in 32 bits, then the visit number
ARRIVAL, DONE, RENEGE = 0, 1, 2
_SLOT = np.int64(0xFFFFFFFF)
_VISIT = np.int64(0x1FFFFFFF)
# per-customer columns
T_ARR, T_START, T_NET = range(3)  # float: arrival at the station, start of service, entry into the network
STN, CLS, NXT, PRV, VISIT, WAITING = range(6)  # int
HEAD, TAIL, N_Q, N_IN = range(4)  # queue arrays [4, K, C]
N_STN, BUSY = range(2)  # station arrays [2, K]
# statistics, each [K, C]
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
        svc = np.asarray(self.service_mean, np.float64).reshape(k, -1)
        c = svc.shape[1]
        rate = np.asarray(self.arrival_rate, np.float64).reshape(k, c)
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


class State(NamedTuple):
    heap_t: np.ndarray  # float64[H]: event times, a binary min-heap
    heap_code: np.ndarray  # int64[H]: kind | slot or arrival stream << 2 | visit << 34
    cf: np.ndarray  # float64[M, 3]: per customer slot, see T_ARR...
    ci: np.ndarray  # int64[M, 6]: per customer slot, see STN...
    free: np.ndarray  # int64[M]: stack of free slots
    q: np.ndarray  # int64[4, K, C]: queue head, queue tail, number waiting, number in station
    ks: np.ndarray  # int64[2, K]: number in station (all classes), busy servers
    counts: np.ndarray  # int64[4, K, C], see N_ARR...
    sums: np.ndarray  # float64[6, K, C], see S_WAIT...
    sc: np.ndarray  # int64[6], see HEAP_N...
    tm: np.ndarray  # float64[4], see NOW...


def _new_state(p: Params, heap: int = 1024, slots: int = 1024) -> State:
    k, c = p.service_mean.shape
    ci = np.zeros((slots, 6), np.int64)
    ci[:, NXT : PRV + 1] = -1
    q = np.zeros((4, k, c), np.int64)
    q[HEAD : TAIL + 1] = -1
    sc = np.zeros(6, np.int64)
    sc[FREE_N] = slots
    free = np.arange(slots - 1, -1, -1, dtype=np.int64)
    counts, sums = np.zeros((4, k, c), np.int64), np.zeros((6, k, c))
    return State(np.full(heap, np.inf), np.zeros(heap, np.int64), np.zeros((slots, 3)), ci, free, q,
                 np.zeros((2, k), np.int64), counts, sums, sc, np.zeros(4))  # fmt: skip


def _grow(st: State) -> State:
    """Double whatever ran short: the heap, or the customer slots."""
    h, m = st.heap_t.size, st.cf.shape[0]
    if st.sc[HEAP_N] + 4 > h:
        st = st._replace(
            heap_t=np.concatenate([st.heap_t, np.full(h, np.inf)]),
            heap_code=np.concatenate([st.heap_code, np.zeros(h, np.int64)]),
        )
    if st.sc[FREE_N] == 0:
        ci = np.zeros((m, 6), np.int64)
        ci[:, NXT : PRV + 1] = -1
        free = np.concatenate([st.free, np.zeros(m, np.int64)])
        free[:m] = np.arange(2 * m - 1, m - 1, -1)
        st.sc[FREE_N] = m
        st = st._replace(cf=np.concatenate([st.cf, np.zeros((m, 3))]), ci=np.concatenate([st.ci, ci]), free=free)
    return st


@nb.njit(cache=True)
def _push(heap_t, heap_code, sc, t, code):
    i = sc[HEAP_N]
    sc[HEAP_N] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        if heap_t[parent] <= t:
            break
        heap_t[i] = heap_t[parent]
        heap_code[i] = heap_code[parent]
        i = parent
    heap_t[i] = t
    heap_code[i] = code


@nb.njit(cache=True)
def _pop(heap_t, heap_code, sc):
    code = heap_code[0]
    n = sc[HEAP_N] - 1
    sc[HEAP_N] = n
    t, last = heap_t[n], heap_code[n]
    heap_t[n] = np.inf
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and heap_t[child + 1] < heap_t[child]:
            child += 1
        if heap_t[child] >= t:
            break
        heap_t[i] = heap_t[child]
        heap_code[i] = heap_code[child]
        i = child
    if n > 0:
        heap_t[i] = t
        heap_code[i] = last
    return code


@nb.njit(cache=True)
def _touch(sums, q, k, c, t):
    """Add the areas under the queue and station counts since their last change."""
    dt = t - sums[T_LAST, k, c]
    sums[A_QUEUE, k, c] += q[N_Q, k, c] * dt
    sums[A_IN, k, c] += q[N_IN, k, c] * dt
    sums[T_LAST, k, c] = t


@nb.njit(cache=True)
def _unlink(ci, q, slot, k, c):
    nxt, prv = ci[slot, NXT], ci[slot, PRV]
    if prv >= 0:
        ci[prv, NXT] = nxt
    else:
        q[HEAD, k, c] = nxt
    if nxt >= 0:
        ci[nxt, PRV] = prv
    else:
        q[TAIL, k, c] = prv
    q[N_Q, k, c] -= 1


@nb.njit(cache=True)
def _begin(p, st, seed, warmup):
    np.random.seed(seed)
    n_cls = p.arrival_rate.shape[1]
    for k in range(p.arrival_rate.shape[0]):
        for c in range(n_cls):
            if p.arrival_rate[k, c] > 0:
                t = np.random.exponential(1.0 / p.arrival_rate[k, c])
                _push(st.heap_t, st.heap_code, st.sc, t, ((k * n_cls + c) << 2) | ARRIVAL)
    st.sc[STATS_ON] = warmup == 0


@nb.njit(cache=True)
def _close_areas(sums, q, t):
    for k in range(q.shape[1]):
        for c in range(q.shape[2]):
            _touch(sums, q, k, c, t)


@nb.njit(cache=True)
def _run(p, st, warmup, customers, t_max):
    """The event loop. Returns 0 when finished, 1 when the heap or the slots must grow first.

    Everything happens in this one function on local array variables: Numba then
    keeps reference counting out of the loop, which triples the speed.
    """
    heap_t, heap_code, cf, ci, free, q, ks = st.heap_t, st.heap_code, st.cf, st.ci, st.free, st.q, st.ks
    counts, sums, sc, tm = st.counts, st.sums, st.sc, st.tm
    servers, service_mean, arrival_rate, route_cum = p.servers, p.service_mean, p.arrival_rate, p.route_cum
    patience, patience_fixed, renege_to = p.patience, p.patience_fixed, p.renege_to
    capacity, overflow_to, overflow_class = p.capacity, p.overflow_to, p.overflow_class
    n_stn, n_cls = arrival_rate.shape
    while True:
        if sc[HEAP_N] + 4 > heap_t.shape[0] or sc[FREE_N] == 0:
            return 1  # an event pushes at most 4 events and takes at most one slot
        t = heap_t[0]
        if t > t_max or sc[HEAP_N] == 0:
            t = tm[NOW] if sc[HEAP_N] == 0 else t_max
            _close_areas(sums, q, t)
            tm[T_END] = t
            return 0
        code = _pop(heap_t, heap_code, sc)
        tm[NOW] = t
        on = sc[STATS_ON]
        kind, slot = code & 3, (code >> 2) & _SLOT
        if kind == ARRIVAL:  # from outside: take a free slot, draw the next arrival of this stream
            k, c = slot // n_cls, slot % n_cls
            _push(heap_t, heap_code, sc, t + np.random.exponential(1.0 / arrival_rate[k, c]), code)
            sc[FREE_N] -= 1
            slot = free[sc[FREE_N]]
            cf[slot, T_NET] = t
        elif kind == DONE:
            k, c = ci[slot, STN], ci[slot, CLS]
            _touch(sums, q, k, c, t)
            q[N_IN, k, c] -= 1
            ks[N_STN, k] -= 1
            ks[BUSY, k] -= 1
            if on:
                counts[N_SERVED, k, c] += 1
                sums[S_WAIT, k, c] += cf[slot, T_START] - cf[slot, T_ARR]
                sums[S_SOJOURN, k, c] += t - cf[slot, T_ARR]
            for cc in range(n_cls):  # the freed server takes the first waiting customer of the best class
                head = q[HEAD, k, cc]
                if head >= 0:
                    _touch(sums, q, k, cc, t)
                    _unlink(ci, q, head, k, cc)
                    ks[BUSY, k] += 1
                    ci[head, WAITING] = 0
                    cf[head, T_START] = t
                    _push(heap_t, heap_code, sc, t + np.random.exponential(service_mean[k, cc]), (head << 2) | DONE)
                    break
            u, dest = np.random.random(), EXIT
            for j in range(n_stn):
                if u < route_cum[c, k, j]:
                    dest = j
                    break
            k = dest
        else:  # patience ran out, unless the customer started service meanwhile (a stale event)
            if ci[slot, WAITING] == 0 or (ci[slot, VISIT] & _VISIT) != code >> 34:
                continue
            k, c = ci[slot, STN], ci[slot, CLS]
            _touch(sums, q, k, c, t)
            _unlink(ci, q, slot, k, c)
            q[N_IN, k, c] -= 1
            ks[N_STN, k] -= 1
            ci[slot, WAITING] = 0
            if on:
                counts[N_RENEGED, k, c] += 1
                sums[S_RENEGE_WAIT, k, c] += t - cf[slot, T_ARR]
            k = renege_to[k]
        # customer `slot` of class c now reaches station k, overflowing while stations are full
        while k != EXIT:
            counts[N_ARR, k, c] += on
            if capacity[k] < 0 or ks[N_STN, k] < capacity[k]:
                break
            counts[N_OVERFLOW, k, c] += on
            if overflow_class[k] >= 0:
                c = overflow_class[k]
            k = overflow_to[k]
        if k == EXIT:
            free[sc[FREE_N]] = slot
            sc[FREE_N] += 1
            sc[EXITS] += 1
            if on:
                sc[NET_EXITS] += 1
                tm[NET_SOJOURN] += t - cf[slot, T_NET]
        else:
            ci[slot, STN] = k
            ci[slot, CLS] = c
            ci[slot, VISIT] += 1
            cf[slot, T_ARR] = t
            _touch(sums, q, k, c, t)
            q[N_IN, k, c] += 1
            ks[N_STN, k] += 1
            if ks[BUSY, k] < servers[k]:
                ks[BUSY, k] += 1
                ci[slot, WAITING] = 0
                cf[slot, T_START] = t
                _push(heap_t, heap_code, sc, t + np.random.exponential(service_mean[k, c]), (slot << 2) | DONE)
            else:  # join the end of the queue
                tail = q[TAIL, k, c]
                ci[slot, PRV] = tail
                ci[slot, NXT] = -1
                if tail >= 0:
                    ci[tail, NXT] = slot
                else:
                    q[HEAD, k, c] = slot
                q[TAIL, k, c] = slot
                q[N_Q, k, c] += 1
                ci[slot, WAITING] = 1
                if patience[k] < np.inf:
                    wait = patience[k] if patience_fixed[k] else np.random.exponential(patience[k])
                    code = ((ci[slot, VISIT] & _VISIT) << 34) | (slot << 2) | RENEGE
                    _push(heap_t, heap_code, sc, t + wait, code)
        sc[EVENTS] += 1
        if not on and sc[EXITS] >= warmup:  # warm-up over: forget what happened so far
            _close_areas(sums, q, t)
            counts[:] = 0
            sums[:T_LAST] = 0.0
            sc[STATS_ON] = 1
            tm[T_WARM] = t
        if sc[EXITS] >= warmup + customers:
            _close_areas(sums, q, t)
            tm[T_END] = t
            return 0


@dataclass(frozen=True)
class NetworkResult:
    table: pd.DataFrame  # one row per (station, class)
    duration: float  # length of the observation window, after warm-up
    exits: int  # customers who left the network in the window
    throughput: float  # exits / duration
    mean_time_in_network: float
    events: int  # arrivals, service completions and reneging, warm-up included
    seconds: float  # wall-clock time of the event loop


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
    st = _new_state(p)
    _begin(p, st, seed, warmup)
    t0 = time.perf_counter()
    while _run(p, st, warmup, customers, max_time):
        st = _grow(st)
    seconds = time.perf_counter() - t0
    duration = st.tm[T_END] - st.tm[T_WARM]
    k, c = p.service_mean.shape
    cnt, s = st.counts, st.sums
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "station": np.repeat(net.station_names(), c),
                "k": np.repeat(np.arange(k), c),
                "cls": np.tile(np.arange(c), k),
                "arrivals": cnt[N_ARR].ravel(),
                "overflowed": cnt[N_OVERFLOW].ravel(),
                "reneged": cnt[N_RENEGED].ravel(),
                "served": cnt[N_SERVED].ravel(),
                "throughput": cnt[N_SERVED].ravel() / duration,
                "mean_wait": (s[S_WAIT] / cnt[N_SERVED]).ravel(),
                "mean_sojourn": (s[S_SOJOURN] / cnt[N_SERVED]).ravel(),
                "mean_renege_wait": (s[S_RENEGE_WAIT] / cnt[N_RENEGED]).ravel(),
                "mean_queue": s[A_QUEUE].ravel() / duration,
                "mean_in_station": s[A_IN].ravel() / duration,
            }
        )
    exits = int(st.sc[NET_EXITS])
    return NetworkResult(
        table,
        duration,
        exits,
        exits / duration,
        st.tm[NET_SOJOURN] / exits if exits else math.nan,
        int(st.sc[EVENTS]),
        seconds,
    )
