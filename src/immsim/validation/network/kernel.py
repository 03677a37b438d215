"""The compiled event loop: pops events, lets ``events`` handle them, updates the heap, stops or asks to grow.

The loop runs on local array variables taken out of the named tuples once per
call: Numba then keeps reference counting out of the loop, which triples the
speed. The handlers in ``events`` and ``heap`` are plain calls taking those
arrays, which LLVM inlines. Counters that change at every event live in local
variables and are written back on return. The loop returns to Python only to
enlarge its arrays, O(log n) times per run, so no Python runs per event.
"""

from __future__ import annotations

import numba as nb

from immsim.engine.unowned import unowned
from immsim.validation.network.events import arrival, deadline, join, renege, route, service_done
from immsim.validation.network.heap import push, settle
from immsim.validation.network.model import EXIT
from immsim.validation.network.state import (
    ARRIVAL,
    DONE,
    EVENTS,
    EXITS,
    FREE_N,
    HEAP_N,
    NET_EXITS,
    NET_SOJOURN,
    NOBODY,
    NOW,
    RENEGE,
    SLOT_MASK,
    STATS_ON,
    T_END,
    T_LAST,
    T_WARM,
    close_areas,
)
from immsim.validation.network.xoshiro import exponential


@nb.njit(cache=True)
def begin(p, st, warmup):
    """Schedule each arrival stream's first arrival; statistics start at once if there is no warm-up."""
    n_cls = p.arrival_rate.shape[1]
    for k in range(p.arrival_rate.shape[0]):
        for c in range(n_cls):
            if p.arrival_rate[k, c] > 0:
                e, s0, s1, s2, s3 = exponential(st.rng[0], st.rng[1], st.rng[2], st.rng[3])
                st.rng[0], st.rng[1], st.rng[2], st.rng[3] = s0, s1, s2, s3
                t = e / p.arrival_rate[k, c]
                push(st.heap_t, st.heap_code, st.sc, t, ((k * n_cls + c) << 2) | ARRIVAL)
    st.sc[STATS_ON] = warmup == 0


@nb.njit(cache=True)
def run(p, st, warmup, customers, t_max):
    """Handle events until ``customers`` left after the warm-up or ``t_max``: 0, or 1 if the arrays must grow first.

    An event schedules at most 3 events and takes at most one slot, and sifts
    read 3 entries past the heap's end: the loop stops for growth before either
    could run short.
    """
    p, st = unowned((p, st))  # no reference counting in the loop: the driver keeps the arrays alive
    heap_t, heap_code, free, q, ks = st.heap_t, st.heap_code, st.free, st.q, st.ks
    t_arr, t_start, t_net, stn, cls = st.t_arr, st.t_start, st.t_net, st.stn, st.cls
    nxt, prv, visit, waiting = st.nxt, st.prv, st.visit, st.waiting
    counts, sums, sc, tm, rng = st.counts, st.sums, st.sc, st.tm, st.rng
    n_cls = p.arrival_rate.shape[1]
    service_mean, arrival_rate = p.service_mean.ravel(), p.arrival_rate.ravel()  # by queue kc = k * n_cls + c
    kc_k, kc_c, new_t, new_code = p.kc_k, p.kc_c, st.new_t, st.new_code
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    n, free_n, exits, on = sc[HEAP_N], sc[FREE_N], sc[EXITS], sc[STATS_ON]
    status = 0
    while True:
        if n + 8 > heap_t.shape[0] or free_n == 0:
            status = 1
            break
        if n == 0 or heap_t[0] > t_max:
            t = tm[NOW] if n == 0 else t_max
            close_areas(sums, q, t)
            tm[T_END] = t
            break
        t, code = heap_t[0], heap_code[0]
        tm[NOW] = t
        kind, slot = code & 3, (code >> 2) & SLOT_MASK
        n_new = 0
        if kind == ARRIVAL:
            k, c, slot, free_n, s0, s1, s2, s3 = arrival(t, code, slot, kc_k, kc_c, arrival_rate, free, free_n, t_net,
                                                         new_t, new_code, s0, s1, s2, s3)  # fmt: skip
            n_new = 1
        elif kind == DONE:
            k, c, n_new, s0, s1, s2, s3 = service_done(
                t, slot, on, n_cls, stn, cls, t_arr, t_start, nxt, prv, waiting, q, ks, counts, sums, service_mean,
                p.route_cum, new_t, new_code, s0, s1, s2, s3)  # fmt: skip
        elif kind == RENEGE:
            k, c = renege(t, code, slot, on, n_cls, stn, cls, t_arr, visit, waiting, nxt, prv, q, ks, counts, sums,
                          p.renege_to)  # fmt: skip
        else:
            k, c, slot, n_new = deadline(t, code, slot, on, kc_k, kc_c, t_arr, nxt, prv, waiting, q, ks, counts, sums,
                                         p.patience, p.renege_to, new_t, new_code)  # fmt: skip
        if k != NOBODY:
            k, c = route(k, c, on, n_cls, ks, counts, p.capacity, p.overflow_to, p.overflow_class)
            if k == EXIT:
                free[free_n] = slot
                free_n += 1
                exits += 1
                if on:
                    sc[NET_EXITS] += 1
                    tm[NET_SOJOURN] += t - t_net[slot]
            else:
                n_new, s0, s1, s2, s3 = join(
                    t, slot, k, c, n_new, n_cls, stn, cls, visit, t_arr, t_start, nxt, prv, waiting, q, ks, sums,
                    p.servers, service_mean, p.patience, p.patience_fixed, new_t, new_code, s0, s1, s2, s3)  # fmt: skip
        n = settle(heap_t, heap_code, n, new_t, new_code, n_new)
        if k == NOBODY:
            continue
        sc[EVENTS] += 1
        if not on and exits >= warmup:  # warm-up over: forget what happened so far
            close_areas(sums, q, t)
            counts[:] = 0
            sums[:T_LAST] = 0.0
            on = 1
            tm[T_WARM] = t
        if exits >= warmup + customers:
            close_areas(sums, q, t)
            tm[T_END] = t
            break
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
    sc[HEAP_N], sc[FREE_N], sc[EXITS], sc[STATS_ON] = n, free_n, exits, on
    return status
