"""Running a network from Python (``simulate_network``) and its statistics (``NetworkResult``)."""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from immsim.validation.network.kernel import begin, run
from immsim.validation.network.model import Network
from immsim.validation.network.state import (
    A_IN,
    A_QUEUE,
    EVENTS,
    N_ARR,
    N_OVERFLOW,
    N_RENEGED,
    N_SERVED,
    NET_EXITS,
    NET_SOJOURN,
    S_RENEGE_WAIT,
    S_SOJOURN,
    S_WAIT,
    T_END,
    T_WARM,
    State,
    grow,
    new_state,
)


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
    st = new_state(p, seed)
    begin(p, st, warmup)
    t0 = time.perf_counter()
    while run(p, st, warmup, customers, max_time):
        st = grow(st)
    return _result(net, st, time.perf_counter() - t0)


def _result(net: Network, st: State, seconds: float) -> NetworkResult:
    """The statistics of a finished run, from its sums and counts."""
    duration = st.tm[T_END] - st.tm[T_WARM]
    k = st.ks.shape[1]  # stations
    c = st.q.shape[1] // k  # classes
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
