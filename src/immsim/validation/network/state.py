"""The event loop's state: the heap, the customer slots, the queues and the statistics, all NumPy arrays.

Codes are plain integer constants, as Numba reads them as compile-time constants.
A heap entry's code packs the event kind in 2 bits, then a customer slot, an
arrival stream or a queue (station, class) in 32 bits, then the customer's visit
number. Per queue, i.e. per (station k, class c), arrays are indexed by one flat
``kc = k * C + c``, the cheapest index in the loop.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from immsim.validation.network.model import NetworkParams
from immsim.validation.network.xoshiro import seed_state

NOBODY = -2  # in the event loop: no customer moves (a stale event)
ARRIVAL, DONE, RENEGE, DEADLINE = 0, 1, 2, 3  # event kinds
SLOT_MASK = np.int64(0xFFFFFFFF)
VISIT_MASK = np.int64(0x1FFFFFFF)
HEAD, TAIL, N_Q, N_IN, TIMED = range(5)  # queue arrays [5, K * C]; TIMED: a deadline event is pending
N_STN, BUSY = range(2)  # station arrays [2, K]
# statistics, each [K * C]
N_ARR, N_SERVED, N_RENEGED, N_OVERFLOW = range(4)
S_WAIT, S_SOJOURN, S_RENEGE_WAIT, A_QUEUE, A_IN, T_LAST = range(6)
# scalars
HEAP_N, FREE_N, EXITS, STATS_ON, EVENTS, NET_EXITS = range(6)
NOW, T_WARM, T_END, NET_SOJOURN = range(4)


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
    new_t: np.ndarray  # float64[4]: times of the events scheduled by the event being handled (at most 3)
    new_code: np.ndarray  # int64[4]: their codes


def _slots(m: int) -> tuple[np.ndarray, ...]:
    """Per-customer columns for ``m`` slots, in State's order (t_arr ... waiting)."""
    times = [np.zeros(m) for _ in range(3)]  # t_arr, t_start, t_net
    return (*times, np.zeros(m, np.int64), np.zeros(m, np.int64), np.full(m, -1, np.int64), np.full(m, -1, np.int64),
            np.zeros(m, np.int64), np.zeros(m, np.int64))  # fmt: skip


def new_state(p: NetworkParams, seed: int, heap: int = 1024, slots: int = 1024) -> State:
    """An empty network: no events, every slot free, the generator seeded."""
    k, c = p.service_mean.shape
    q = np.zeros((5, k * c), np.int64)
    q[HEAD : TAIL + 1] = -1
    sc = np.zeros(6, np.int64)
    sc[FREE_N] = slots
    free = np.arange(slots - 1, -1, -1, dtype=np.int64)
    counts, sums = np.zeros((4, k * c), np.int64), np.zeros((6, k * c))
    return State(np.full(heap, np.inf), np.zeros(heap, np.int64), *_slots(slots), free, q,
                 np.zeros((2, k), np.int64), counts, sums, sc, np.zeros(4), seed_state(seed),
                 np.empty(4), np.empty(4, np.int64))  # fmt: skip


_COLUMNS = State._fields[State._fields.index("t_arr") : State._fields.index("free")]


def grow(st: State) -> State:
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
def touch(sums, q, kc, t):
    """Add the areas under the queue and station counts since their last change."""
    dt = t - sums[T_LAST, kc]
    sums[A_QUEUE, kc] += q[N_Q, kc] * dt
    sums[A_IN, kc] += q[N_IN, kc] * dt
    sums[T_LAST, kc] = t


@nb.njit(cache=True)
def close_areas(sums, q, t):
    """Bring every queue's areas up to time ``t``."""
    for kc in range(q.shape[1]):
        touch(sums, q, kc, t)


@nb.njit(cache=True)
def unlink(nxt_a, prv_a, q, slot, kc):
    """Take customer ``slot`` out of queue ``kc``, wherever it stands."""
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
