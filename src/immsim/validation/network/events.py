"""What each event does to the network, one compiled function per kind of event.

The loop (``kernel.run``) pops an event and calls one of ``arrival``,
``service_done``, ``renege`` or ``deadline``; each says which customer moves and
where (``NOBODY``: the event was stale). ``route`` then follows overflows to the
station that takes the customer, and ``join`` starts its service or queues it.
New events are written to ``new_t``/``new_code``; the loop puts them in the heap.

Every function takes the arrays it touches one by one and the generator's
state as four scalars, and returns what changed in scalars: no named tuple and
no object with a reference count crosses a call, so LLVM inlines these plain
calls into the loop and keeps Numba's reference counting out of it (a
named tuple of arrays passed per event, or ``inline="always"`` at Numba's
level, would bring it back).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from immsim.validation.network.model import EXIT
from immsim.validation.network.state import (
    BUSY,
    DEADLINE,
    DONE,
    HEAD,
    N_ARR,
    N_IN,
    N_OVERFLOW,
    N_Q,
    N_RENEGED,
    N_SERVED,
    N_STN,
    NOBODY,
    RENEGE,
    S_RENEGE_WAIT,
    S_SOJOURN,
    S_WAIT,
    TAIL,
    TIMED,
    VISIT_MASK,
    touch,
    unlink,
)
from immsim.validation.network.xoshiro import exponential, uniform


@nb.njit(cache=True, forceinline=True)
def arrival(t, code, kc, kc_k, kc_c, arrival_rate, free, free_n, t_net, new_t, new_code, s0, s1, s2, s3):
    """From outside, on stream ``kc``: take a free slot, draw the stream's next arrival (one new event).

    Returns the station, class and slot of the customer, the free slots left and the generator's state.
    """
    e, s0, s1, s2, s3 = exponential(s0, s1, s2, s3)
    new_t[0], new_code[0] = t + e / arrival_rate[kc], code
    free_n -= 1
    slot = free[free_n]
    t_net[slot] = t
    return kc_k[kc], kc_c[kc], slot, free_n, s0, s1, s2, s3


@nb.njit(cache=True, forceinline=True)
def service_done(t, slot, on, n_cls, stn, cls, t_arr, t_start, nxt, prv, waiting, q, ks, counts, sums, service_mean,
                 route_cum, new_t, new_code, s0, s1, s2, s3):  # fmt: skip
    """Customer ``slot`` finished service: the freed server takes the first waiting customer of the best class.

    Returns where the customer goes (a station or EXIT, by the routing matrix), its
    class, the number of new events (0 or 1) and the generator's state.
    """
    k, c = stn[slot], cls[slot]
    kc = k * n_cls + c
    touch(sums, q, kc, t)
    q[N_IN, kc] -= 1
    ks[N_STN, k] -= 1
    ks[BUSY, k] -= 1
    if on:
        counts[N_SERVED, kc] += 1
        sums[S_WAIT, kc] += t_start[slot] - t_arr[slot]
        sums[S_SOJOURN, kc] += t - t_arr[slot]
    n_new = 0
    for kq in range(k * n_cls, k * n_cls + n_cls):
        head = q[HEAD, kq]
        if head >= 0:
            touch(sums, q, kq, t)
            unlink(nxt, prv, q, head, kq)
            ks[BUSY, k] += 1
            waiting[head] = 0
            t_start[head] = t
            e, s0, s1, s2, s3 = exponential(s0, s1, s2, s3)
            new_t[0], new_code[0], n_new = t + e * service_mean[kq], (head << 2) | DONE, 1
            break
    u, s0, s1, s2, s3 = uniform(s0, s1, s2, s3)
    to = EXIT
    for j in range(route_cum.shape[2]):
        if u < route_cum[c, k, j]:
            to = j
            break
    return to, c, n_new, s0, s1, s2, s3


@nb.njit(cache=True, forceinline=True)
def _leave_queue(t, slot, k, kc, on, t_arr, nxt, prv, waiting, q, ks, counts, sums):
    """Customer ``slot`` reneges from queue ``kc`` of station ``k``."""
    touch(sums, q, kc, t)
    unlink(nxt, prv, q, slot, kc)
    q[N_IN, kc] -= 1
    ks[N_STN, k] -= 1
    waiting[slot] = 0
    if on:
        counts[N_RENEGED, kc] += 1
        sums[S_RENEGE_WAIT, kc] += t - t_arr[slot]


@nb.njit(cache=True, forceinline=True)
def renege(t, code, slot, on, n_cls, stn, cls, t_arr, visit, waiting, nxt, prv, q, ks, counts, sums, renege_to):
    """Exponential patience ran out, unless the customer started service (or moved on) meanwhile.

    Returns where the customer goes (``NOBODY`` if the event was stale) and its class.
    """
    if waiting[slot] == 0 or (visit[slot] & VISIT_MASK) != code >> 34:
        return NOBODY, 0
    k, c = stn[slot], cls[slot]
    _leave_queue(t, slot, k, k * n_cls + c, on, t_arr, nxt, prv, waiting, q, ks, counts, sums)
    return renege_to[k], c


@nb.njit(cache=True, forceinline=True)
def deadline(t, code, kc, on, kc_k, kc_c, t_arr, nxt, prv, waiting, q, ks, counts, sums, patience, renege_to, new_t,
             new_code):  # fmt: skip
    """Fixed patience: the head of queue ``kc`` waited longest; it reneges if its time is up.

    The queue's one deadline event then moves on to the next head. Returns where
    the customer goes (``NOBODY``: nobody reneges), its class, its slot and the
    number of new events (0 or 1).
    """
    kd, c = kc_k[kc], kc_c[kc]
    slot = q[HEAD, kc]
    if slot < 0:  # the queue emptied since
        q[TIMED, kc] = 0
        return NOBODY, c, slot, 0
    if t_arr[slot] + patience[kd] > t:  # set for a customer now in service: wait for the current head
        new_t[0], new_code[0] = t_arr[slot] + patience[kd], code
        return NOBODY, c, slot, 1
    _leave_queue(t, slot, kd, kc, on, t_arr, nxt, prv, waiting, q, ks, counts, sums)
    head = q[HEAD, kc]
    if head >= 0:
        new_t[0], new_code[0] = t_arr[head] + patience[kd], code
        return renege_to[kd], c, slot, 1
    q[TIMED, kc] = 0
    return renege_to[kd], c, slot, 0


@nb.njit(cache=True, forceinline=True)
def route(k, c, on, n_cls, ks, counts, capacity, overflow_to, overflow_class):
    """A customer of class ``c`` reaches station ``k``: overflow while stations are full.

    Counts the arrival (and any overflow) at each station tried; returns the
    station that takes the customer, or EXIT, and its class there.
    """
    while k != EXIT:
        counts[N_ARR, k * n_cls + c] += on
        if capacity[k] < 0 or ks[N_STN, k] < capacity[k]:
            break
        counts[N_OVERFLOW, k * n_cls + c] += on
        if overflow_class[k] >= 0:
            c = overflow_class[k]
        k = overflow_to[k]
    return k, c


@nb.njit(cache=True, forceinline=True)
def join(t, slot, k, c, n_new, n_cls, stn, cls, visit, t_arr, t_start, nxt, prv, waiting, q, ks, sums, servers,
         service_mean, patience, patience_fixed, new_t, new_code, s0, s1, s2, s3):  # fmt: skip
    """Customer ``slot`` enters station ``k`` in class ``c``: service if a server is free, else the queue's end.

    A queued customer gets a reneging event (exponential patience) or, if its
    queue has none, the queue's deadline event (fixed patience). Returns the
    number of new events and the generator's state.
    """
    kc = k * n_cls + c
    stn[slot] = k
    cls[slot] = c
    visit[slot] += 1
    t_arr[slot] = t
    touch(sums, q, kc, t)
    q[N_IN, kc] += 1
    ks[N_STN, k] += 1
    if ks[BUSY, k] < servers[k]:
        ks[BUSY, k] += 1
        waiting[slot] = 0
        t_start[slot] = t
        e, s0, s1, s2, s3 = exponential(s0, s1, s2, s3)
        new_t[n_new], new_code[n_new] = t + e * service_mean[kc], (slot << 2) | DONE
        return n_new + 1, s0, s1, s2, s3
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
            e, s0, s1, s2, s3 = exponential(s0, s1, s2, s3)
            new_t[n_new] = t + e * patience[k]
            new_code[n_new] = ((visit[slot] & VISIT_MASK) << 34) | (slot << 2) | RENEGE
            n_new += 1
        elif q[TIMED, kc] == 0:  # one deadline per queue, for its head
            q[TIMED, kc] = 1
            new_t[n_new], new_code[n_new] = t + patience[k], (kc << 2) | DEADLINE
            n_new += 1
    return n_new, s0, s1, s2, s3
