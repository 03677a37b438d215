"""Immsim's network engine against a peer simulator, Ciw, on the same queueing network.

Why: agreement with closed-form queueing results (``theory.py``) only covers
simple stations. A network with reneging (the 48-hour hold window), overflow of
full detention into the non-detained court docket, and priority dockets has no
closed form, so we check that an independent, established simulator (Ciw,
Palmer et al. 2019) gives the same statistics within sampling error.

``ciw_network`` translates any ``Network`` into Ciw: Ciw's own parts express the
servers, exponential services, Poisson arrivals, priorities and patience; a
small router subclass (Ciw's documented way to customise routing) draws the
routing, sends reneging customers to their destination, and sends arrivals that
find a capacity-limited station full to its overflow station in its overflow
class (Ciw would otherwise block them in the server upstream). Both sides then
measure the same quantities with the same definitions: events after the
``warmup``-th departure from the network, up to the departure that ends the run.
"""

from __future__ import annotations

import functools
import math
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from immsim.validation.network import EXIT, Network, NetworkParams, simulate_network

if TYPE_CHECKING:
    import ciw

JAIL, DETENTION, COURT = 0, 1, 2
DETAINED, NON_DETAINED = 0, 1  # court dockets: classes in priority order
KEY_STATS = ("throughput", "mean_wait", "mean_queue", "mean_in_station", "renege_rate", "overflow_rate")


def jail_to_court(
    releases: float = 20.0,
    officers: int = 10,
    pickup: float = 0.55,
    hold: float = 2.0,
    beds: int = 100,
    stay: float = 5.8,
    contest: float = 0.5,
    judges: int = 6,
    hearing: float = 0.52,
) -> Network:
    """Jail release to ICE custody, detention, and a court with a detained priority docket (time in days).

    Jail (officers as servers, pickup times): people flagged by a detainer who are
    not picked up within the fixed ``hold`` window are released at large (exit).
    Detention (``beds`` servers, capacity ``beds``, service = length of stay):
    when beds are full the case goes to the court's non-detained docket. After
    detention a share ``contest`` contests removal in court (detained docket,
    heard first), the others are removed (exit). Defaults make every station busy
    but stable: pickups at load 1.1 held in check by the hold window (~9% released),
    beds full for ~11% of arrivals (Erlang B), judges at load ~0.87.
    """
    return Network(
        servers=[officers, beds, judges],
        service_mean=[[pickup, pickup], [stay, stay], [hearing, hearing]],
        arrival_rate=[[releases, 0.0], [0.0, 0.0], [0.0, 0.0]],
        routing=[[0.0, 1.0, 0.0], [0.0, 0.0, contest], [0.0, 0.0, 0.0]],
        patience=[hold, math.inf, math.inf],
        patience_fixed=True,
        capacity=[math.inf, beds, math.inf],
        overflow_to=[EXIT, COURT, EXIT],
        overflow_class=[-1, NON_DETAINED, -1],
        names=("jail", "detention", "court"),
    )


def ciw_network(net: Network, overflows: list):
    """The same network in Ciw; overflow events are appended to ``overflows`` as (time, station, class)."""
    import ciw

    p = net.params()
    k_n, c_n = p.service_mean.shape
    names = [f"Class {c}" for c in range(c_n)]
    for k in range(k_n):
        if p.capacity[k] >= 0 and p.overflow_to[k] != EXIT and p.arrival_rate[k].any():
            raise ValueError("cannot translate: Ciw sends external arrivals that find a station full to the exit only")

    def patience(k):
        if math.isinf(p.patience[k]):
            return None
        return (
            ciw.dists.Deterministic(p.patience[k]) if p.patience_fixed[k] else ciw.dists.Exponential(1 / p.patience[k])
        )

    router = _ciw_classes()[1]
    return ciw.create_network(
        arrival_distributions={
            names[c]: [ciw.dists.Exponential(r) if r > 0 else None for r in p.arrival_rate[:, c]] for c in range(c_n)
        },
        service_distributions={
            names[c]: [ciw.dists.Exponential(1 / m) for m in p.service_mean[:, c]] for c in range(c_n)
        },
        number_of_servers=[int(s) for s in p.servers],
        queue_capacities=[math.inf if cap < 0 else int(cap - s) for cap, s in zip(p.capacity, p.servers, strict=True)],
        priority_classes={names[c]: c for c in range(c_n)},
        routing={
            names[c]: ciw.routing.NetworkRouting([router(p, k, c, names, overflows) for k in range(k_n)])
            for c in range(c_n)
        },
        reneging_time_distributions={names[c]: [patience(k) for k in range(k_n)] for c in range(c_n)},
    )


@functools.cache
def _ciw_classes():
    """Ciw subclasses, made on first use so that importing this module does not need Ciw."""
    import ciw

    class Node(ciw.Node):
        """Ciw's node, remembering on arrival the class a customer has at this node.

        Ciw updates ``previous_class`` and ``prev_priority_class`` only in its own
        class changes; the router below changes classes too, so the node refreshes them.
        """

        def accept(self, next_individual, completed=False):
            next_individual.previous_class = next_individual.customer_class
            next_individual.prev_priority_class = next_individual.priority_class
            super().accept(next_individual, completed)

    class Router(ciw.routing.NodeRouting):
        """Out of station ``k`` for class ``c``: probabilistic after service, fixed after reneging."""

        def __init__(self, p: NetworkParams, k: int, c: int, names: list[str], overflows: list):
            self.p, self.k, self.c, self.names, self.overflows = p, k, c, names, overflows

        def next_node(self, ind):
            u, dest = random.random(), EXIT  # Ciw's own draws come from the `random` module too
            for j, cum in enumerate(self.p.route_cum[self.c, self.k]):
                if u < cum:
                    dest = j
                    break
            return self.enter(ind, dest)

        def next_node_for_jockeying(self, ind):
            return self.enter(ind, self.p.renege_to[self.k])

        def enter(self, ind, j):
            """Follow overflows while the destination is full, changing class as told."""
            p, sim, c = self.p, self.simulation, self.c
            while j != EXIT:
                occupied = sim.nodes[j + 1].number_of_individuals - (j == self.k)  # the leaver still counts here
                if p.capacity[j] < 0 or occupied < p.capacity[j]:
                    break
                self.overflows.append((sim.current_time, j, c))
                if p.overflow_class[j] >= 0:
                    c = int(p.overflow_class[j])
                    ind.customer_class = self.names[c]
                    ind.priority_class = sim.network.priority_class_mapping[ind.customer_class]
                j = int(p.overflow_to[j])
            return sim.nodes[-1] if j == EXIT else sim.nodes[j + 1]

    return Node, Router


def _clip_area(start, end, t0, t1):
    return np.clip(np.minimum(end, t1) - np.maximum(start, t0), 0.0, None).sum()


def simulate_ciw(net: Network, customers: int, seed: int = 0, warmup: int = 0) -> pd.DataFrame:
    """Run Ciw like ``simulate_network``: the same table (columns, definitions); ``attrs["duration"]``."""
    return ciw_table(net, *run_ciw(net, customers, seed, warmup), warmup)


def run_ciw(net: Network, customers: int, seed: int = 0, warmup: int = 0) -> tuple[ciw.Simulation, list]:
    """The simulation part of ``simulate_ciw``: Ciw's finished simulation and the overflow events."""
    import ciw

    overflows: list = []
    ciw.seed(seed)
    sim = ciw.Simulation(ciw_network(net, overflows), node_class=_ciw_classes()[0])
    sim.simulate_until_max_customers(warmup + customers, method="Finish")
    return sim, overflows


def ciw_table(net: Network, sim: ciw.Simulation, overflows: list, warmup: int = 0) -> pd.DataFrame:
    """The statistics part of ``simulate_ciw``: the table from Ciw's records (separate so it can be timed apart)."""
    t1 = sim.current_time
    exits = sorted(ind.data_records[-1].exit_date for ind in sim.nodes[-1].all_individuals)
    t0 = exits[warmup - 1] if warmup > 0 else 0.0
    recs = pd.DataFrame(sim.get_all_records(include_incomplete=True))
    recs["cls"] = recs.customer_class.str.slice(6).astype(int)
    recs["k"] = recs.node - 1
    for col in ("waiting_time", "service_start_date", "exit_date"):
        recs[col] = pd.to_numeric(recs[col], errors="coerce")
    ovf = pd.DataFrame(overflows, columns=["t", "k", "cls"])
    duration = t1 - t0
    rows = []
    k_n, c_n = np.asarray(net.service_mean, float).shape
    for k in range(k_n):
        for c in range(c_n):
            r = recs[(recs.k == k) & (recs.cls == c)]
            kind = r.record_type
            served = r[(kind == "service") & (r.exit_date > t0)]
            reneged = r[(kind == "renege") & (r.exit_date > t0)]
            present = r[kind.isin(["service", "renege", "incomplete"])]
            rejected = r[(kind == "rejection") & (r.arrival_date > t0)]
            overflowed = ((ovf.k == k) & (ovf.cls == c) & (ovf.t > t0)).sum() + len(rejected)
            start = present.arrival_date.to_numpy(float)
            left = present.exit_date.fillna(t1).to_numpy(float)  # incomplete: still there at the end
            began = np.where(present.record_type == "renege", left, present.service_start_date.fillna(t1))
            rows.append(
                {
                    "station": net.station_names()[k],
                    "k": k,
                    "cls": c,
                    "arrivals": int((present.arrival_date > t0).sum() + overflowed),
                    "overflowed": int(overflowed),
                    "reneged": len(reneged),
                    "served": len(served),
                    "throughput": len(served) / duration,
                    "mean_wait": served.waiting_time.mean(),
                    "mean_sojourn": (served.exit_date - served.arrival_date).mean(),
                    "mean_renege_wait": reneged.waiting_time.mean(),
                    "mean_queue": _clip_area(start, began, t0, t1) / duration,
                    "mean_in_station": _clip_area(start, left, t0, t1) / duration,
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["duration"] = duration
    return table


def _one(simulator: str, net: Network, customers: int, warmup: int, seed: int) -> pd.DataFrame:
    if simulator == "immsim":
        res = simulate_network(net, customers, seed=seed, warmup=warmup)
        table, duration = res.table, res.duration
    else:
        table = simulate_ciw(net, customers, seed=seed, warmup=warmup)
        duration = table.attrs["duration"]
    table = table.assign(renege_rate=table.reneged / duration, overflow_rate=table.overflowed / duration)
    return table.assign(rep=seed)


def replicate(
    simulator: str, net: Network, customers: int, warmup: int, reps: int, seed: int = 0, workers: int = 1
) -> pd.DataFrame:
    """``reps`` independent runs (seeds ``seed``, ``seed + 1``, ...), one table row per (run, station, class)."""
    seeds = range(seed, seed + reps)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            tables = list(pool.map(_one, *zip(*[(simulator, net, customers, warmup, s) for s in seeds], strict=True)))
    else:
        tables = [_one(simulator, net, customers, warmup, s) for s in seeds]
    return pd.concat(tables, ignore_index=True)


def summarize(reps: pd.DataFrame, statistics=KEY_STATS, level: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and confidence half-width (Student t) over replications."""
    long = reps.melt(id_vars=["station", "cls", "rep"], value_vars=list(statistics), var_name="statistic")
    g = long.groupby(["station", "cls", "statistic"], sort=False).value
    out = g.agg(["mean", "std", "count"]).reset_index()
    out["half_width"] = stats.t.ppf(0.5 + level / 2, out["count"] - 1) * out["std"] / np.sqrt(out["count"])
    return out


def compare(a: pd.DataFrame, b: pd.DataFrame, statistics=KEY_STATS, alpha: float = 0.05, names=("immsim", "ciw")):
    """Statistic by statistic: means with 95% CIs, difference with its 95% (Welch) CI, Welch t-test p-value.

    ``agree`` is decided at a family-wise level ``alpha`` (Bonferroni over the
    statistics compared), so that comparing many statistics does not make a false
    disagreement likely. Statistics identically zero in both (e.g. waits in
    detention, which has no queue) are left out.
    """
    sa, sb = summarize(a, statistics), summarize(b, statistics)
    m = sa.merge(sb, on=["station", "cls", "statistic"], suffixes=("_a", "_b"))
    m = m[(m.mean_a.abs() + m.mean_b.abs() + m.std_a.fillna(0) + m.std_b.fillna(0)) > 0].dropna(subset=["mean_a"])
    va, vb = m.std_a**2 / m.count_a, m.std_b**2 / m.count_b
    se = np.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (m.count_a - 1) + vb**2 / (m.count_b - 1))
    diff = m.mean_a - m.mean_b
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(se > 0, 2 * stats.t.sf(np.abs(diff / se), df), np.where(diff == 0, 1.0, 0.0))
    hw = stats.t.ppf(0.975, df.fillna(1)) * se
    a_name, b_name = names
    return pd.DataFrame(
        {
            "station": m.station,
            "cls": m.cls,
            "statistic": m.statistic,
            a_name: m.mean_a,
            f"{a_name}_ci": m.half_width_a,
            b_name: m.mean_b,
            f"{b_name}_ci": m.half_width_b,
            "diff": diff,
            "diff_ci": hw,
            "p": p,
            "agree": p > alpha / len(m),
        }
    ).reset_index(drop=True)


def peer_check(
    net: Network | None = None, customers: int = 20_000, warmup: int = 2_000, reps: int = 10, workers: int = 1, **change
) -> pd.DataFrame:
    """Compare immsim and Ciw on ``net`` (default: ``jail_to_court()``); ``change`` alters immsim's network only."""
    net = net or jail_to_court()
    ours = replicate("immsim", replace(net, **change) if change else net, customers, warmup, reps, seed=1000)
    theirs = replicate("ciw", net, customers, warmup, reps, seed=2000, workers=workers)
    return compare(ours, theirs)
