"""A multi-server station in continuous time with non-preemptive priorities.

``c`` identical servers take work from two FIFO queues, the ``high`` queue
first (non-preemptive: a job in service is never interrupted). Service times
are exponential with a mean the caller gives, times the scale of the job's
kind: ``kinds[item] & 3`` picks one of four scales (``set_kind_scale``; all 1
by default, when every job has the same mean). Completion times sit in a binary
heap, so each event costs O(log c). The daily domain model drives it in steps
(``arrive`` at a time, then ``next_completion`` until a time), which makes the
station an exact continuous-time M/M/c (or M/M/1 with priority classes) when
arrivals are Poisson: the textbook queues it is validated against.

Items are person ids; ``t_arrive`` (indexed by id) holds each item's arrival
time, so the wait in queue of a finished item is ``start - t_arrive``. A
finished item may be put back at the end of a queue (``requeue``: a job that
needs another pass, after the others); the station counts these, since a queue
is then no longer in the order its items first arrived. ``resume`` puts it back
near the head, in arrival order (a job with a second part, taken by the next
free server before newer items), which keeps a queue in that order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from immsim.engine import fifo
from immsim.engine.jit import jit, jit_apart


class Station(NamedTuple):
    heap_time: np.ndarray  # float64[max_servers]: end times of jobs in service (a min-heap)
    heap_server: np.ndarray  # int32[max_servers]
    job: np.ndarray  # int32[max_servers]: item in service, -1 if idle
    start: np.ndarray  # float64[max_servers]: when the job in service started
    state: np.ndarray  # float64[4]: [now, servers open, jobs in service, mean service time]
    idle: np.ndarray  # int32[max_servers]: stack of idle open servers
    n_idle: np.ndarray  # int64[1]
    last: np.ndarray  # float64[2]: start and end of the last completed job
    scale: np.ndarray  # float64[4]: mean service time of each kind of job, relative to ``state[MEAN]``
    requeued: np.ndarray  # int64[1]: items put back in a queue after a pass (``requeue``)


NOW, OPEN, BUSY, MEAN = range(4)
#: How many kinds of job a station tells apart (``kinds[item] & KIND_MASK``).
N_KINDS = 4
KIND_MASK = N_KINDS - 1


def new_station(max_servers: int, servers: int, mean_service: float, now: float = 0.0) -> Station:
    st = Station(
        np.full(max_servers, np.inf),
        np.zeros(max_servers, np.int32),
        np.full(max_servers, -1, np.int32),
        np.zeros(max_servers),
        np.array([now, 0.0, 0.0, mean_service]),
        np.zeros(max_servers, np.int32),
        np.zeros(1, np.int64),
        np.zeros(2),
        np.ones(N_KINDS),
        np.zeros(1, np.int64),
    )
    set_servers(st, servers)
    return st


@jit
def _heap_push(st: Station, t: float, s: int) -> None:
    i = int(st.state[BUSY])
    st.state[BUSY] += 1
    while i > 0:
        parent = (i - 1) // 2
        if st.heap_time[parent] <= t:
            break
        st.heap_time[i] = st.heap_time[parent]
        st.heap_server[i] = st.heap_server[parent]
        i = parent
    st.heap_time[i] = t
    st.heap_server[i] = s


@jit
def _heap_pop(st: Station) -> int:
    s = st.heap_server[0]
    n = int(st.state[BUSY]) - 1
    st.state[BUSY] = n
    t, last = st.heap_time[n], st.heap_server[n]
    st.heap_time[n] = np.inf
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and st.heap_time[child + 1] < st.heap_time[child]:
            child += 1
        if st.heap_time[child] >= t:
            break
        st.heap_time[i] = st.heap_time[child]
        st.heap_server[i] = st.heap_server[child]
        i = child
    if n > 0:
        st.heap_time[i] = t
        st.heap_server[i] = last
    return s


@jit
def set_servers(st: Station, servers: int) -> None:
    """Open or close servers; a closed server finishes its job first."""
    servers = min(servers, st.job.shape[0])
    old = int(st.state[OPEN])
    st.state[OPEN] = servers
    for s in range(old, servers):  # newly opened servers that are idle can take work
        if st.job[s] < 0:
            st.idle[st.n_idle[0]] = s
            st.n_idle[0] += 1
    if servers < old:  # drop closed servers from the idle stack
        k = 0
        for i in range(st.n_idle[0]):
            if st.idle[i] < servers:
                st.idle[k] = st.idle[i]
                k += 1
        st.n_idle[0] = k


@jit
def set_mean_service(st: Station, mean: float) -> None:
    st.state[MEAN] = mean


@jit
def set_kind_scale(st: Station, kind: int, scale: float) -> None:
    """Jobs of ``kind`` take ``scale`` times the mean service time on average."""
    st.scale[kind] = scale


@jit_apart
def _start_waiting(st, hi_items, hi_ends, lo_items, lo_ends, kinds) -> None:
    while st.n_idle[0] > 0 and (fifo.length(hi_ends) > 0 or fifo.length(lo_ends) > 0):
        item = fifo.pop(hi_items, hi_ends) if fifo.length(hi_ends) > 0 else fifo.pop(lo_items, lo_ends)
        st.n_idle[0] -= 1
        s = st.idle[st.n_idle[0]]
        st.job[s] = item
        st.start[s] = st.state[NOW]
        scale = st.scale[kinds[item] & KIND_MASK]
        mean = st.state[MEAN] * scale if scale > 0.0 else 0.0  # a job of no length takes none (not inf x 0)
        _heap_push(st, st.state[NOW] + np.random.exponential(mean), s)


@jit
def arrive(st, hi_items, hi_ends, lo_items, lo_ends, kinds, item, high, t) -> None:
    """``item`` joins the high or low queue at time ``t``.

    Completions before ``t`` must have been taken with ``next_completion`` first.
    """
    st.state[NOW] = max(st.state[NOW], t)
    if high:
        fifo.push(hi_items, hi_ends, item)
    else:
        fifo.push(lo_items, lo_ends, item)
    _start_waiting(st, hi_items, hi_ends, lo_items, lo_ends, kinds)


@jit
def requeue(st, items, ends, item) -> None:
    """Put ``item``, just finished, back at the end of a queue; the next ``next_completion`` may start it."""
    fifo.push(items, ends, item)
    st.requeued[0] += 1


@jit
def resume(st, items, ends, item, t_arrive) -> None:
    """Put ``item``, just finished, back near the head of a queue, in order of ``t_arrive``.

    Every item that arrived before it has been taken already, but for other resumed ones: the next free
    server takes it before any newer item.
    """
    fifo.insert_near_head(items, ends, item, t_arrive)


@jit_apart
def next_completion(st, hi_items, hi_ends, lo_items, lo_ends, kinds, until) -> int:
    """The next item whose service ends by ``until``, or -1 (time then advances to ``until``).

    The finished job's start and end times are left in ``st.last``.
    """
    _start_waiting(st, hi_items, hi_ends, lo_items, lo_ends, kinds)
    if st.state[BUSY] == 0 or st.heap_time[0] > until:
        st.state[NOW] = max(st.state[NOW], until)
        return -1
    end = st.heap_time[0]
    s = _heap_pop(st)
    item = st.job[s]
    st.job[s] = -1
    st.last[0] = st.start[s]
    st.last[1] = end
    st.state[NOW] = end
    if s < st.state[OPEN]:
        st.idle[st.n_idle[0]] = s
        st.n_idle[0] += 1
    _start_waiting(st, hi_items, hi_ends, lo_items, lo_ends, kinds)
    return item
