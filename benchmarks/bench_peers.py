"""immsim's engine against SimPy and Ciw on the same models, in one run.

    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python benchmarks/bench_peers.py [--customers 1000000] [--markdown docs/performance.md]

Models: (a) M/M/5 with arrival rate 4.5 and service rate 1 until N customers
complete; (b) the enforcement pipeline as a network (jail releases with a
fixed hold window for pickup, detention beds whose overflow goes to the
non-detained docket, a court with a detained priority docket) with N people.
Each simulator runs each model once in this process; the script checks that
their statistics agree (95 % intervals from batch means over the customers'
completion order) and prints wall times and ratios. Timings are only compared
within this run: the machine is shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

from immsim.engine.network import Network, simulate_network
from immsim.validation import theory
from immsim.validation.peer import jail_to_court, simulate_ciw

LAM, MU, C = 4.5, 1.0, 5
BATCHES = 20


def batch_ci(x: np.ndarray) -> tuple[float, float]:
    """Mean and 95 % half-width by batch means (waits are autocorrelated, batches much less so)."""
    x = np.asarray(x, float)
    b = x[: len(x) // BATCHES * BATCHES].reshape(BATCHES, -1).mean(axis=1)
    return float(x.mean()), float(1.96 * b.std(ddof=1) / math.sqrt(BATCHES))


# --- (a) M/M/5 ---------------------------------------------------------------------------------------------------


def mm5_immsim(n: int, seed: int) -> tuple[float, float, float]:
    """Independent runs of n / BATCHES customers (after a warm-up each): their means give the interval."""
    net = Network(servers=[C], service_mean=[[1 / MU]], arrival_rate=[[LAM]])
    simulate_network(net, 1000, seed=seed)  # compile (or load the cache) outside the timing
    per_run = n // BATCHES
    warm = max(100, per_run // 10)
    t = time.perf_counter()
    means = [simulate_network(net, per_run, seed=seed + i, warmup=warm).table.mean_wait.iloc[0] for i in range(BATCHES)]
    wall = time.perf_counter() - t
    return float(np.mean(means)), float(1.96 * np.std(means, ddof=1) / math.sqrt(BATCHES)), wall


def mm5_simpy(n: int, seed: int) -> tuple[float, float, float]:
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, C)
    waits: list[float] = []

    def customer():
        arrived = env.now
        with server.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(MU))

    def source():
        for _ in range(n):
            env.process(customer())
            yield env.timeout(rng.expovariate(LAM))

    t = time.perf_counter()
    env.process(source())
    env.run()
    wall = time.perf_counter() - t
    m, h = batch_ci(np.array(waits))
    return m, h, wall


def mm5_ciw(n: int, seed: int) -> tuple[float, float, float]:
    import ciw

    ciw.seed(seed)
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(LAM)],
        service_distributions=[ciw.dists.Exponential(MU)],
        number_of_servers=[C],
    )
    t = time.perf_counter()
    sim = ciw.Simulation(net)
    sim.simulate_until_max_customers(n, method="Finish")
    wall = time.perf_counter() - t
    recs = sorted(sim.get_all_records(), key=lambda r: r.exit_date)
    m, h = batch_ci(np.array([r.waiting_time for r in recs]))
    return m, h, wall


# --- (b) the enforcement pipeline -----------------------------------------------------------------------------------


def pipeline_immsim(net: Network, n: int, seed: int) -> tuple[dict, float]:
    simulate_network(net, 1000, seed=seed)
    t = time.perf_counter()
    res = simulate_network(net, n, seed=seed, warmup=n // 20)
    wall = time.perf_counter() - t
    tab = res.table.set_index(["station", "cls"])
    return _pipeline_stats(tab), wall


def pipeline_ciw(net: Network, n: int, seed: int) -> tuple[dict, float]:
    t = time.perf_counter()
    tab = simulate_ciw(net, n, seed=seed, warmup=n // 20)
    wall = time.perf_counter() - t
    return _pipeline_stats(tab.set_index(["station", "cls"])), wall


def _pipeline_stats(tab) -> dict:
    jail = tab.loc[("jail", 0)]
    return {
        "released at the end of the hold (share)": jail.reneged / jail.arrivals,
        "detention overflow (share)": tab.loc[("detention", 0)].overflowed / tab.loc[("detention", 0)].arrivals,
        "court wait, detained (days)": tab.loc[("court", 0)].mean_wait,
        "court wait, non-detained (days)": tab.loc[("court", 1)].mean_wait,
        "court throughput (cases/day)": tab.loc[("court", 0)].throughput + tab.loc[("court", 1)].throughput,
    }


def pipeline_simpy(
    n: int,
    seed: int,
    releases=20.0,
    officers=10,
    pickup=0.55,
    hold=2.0,
    beds=100,
    stay=5.8,
    contest=0.5,
    judges=6,
    hearing=0.52,
) -> tuple[dict, float]:
    """The same network as ``peer.jail_to_court`` written with SimPy's resources."""
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    pick = simpy.Resource(env, officers)
    court = simpy.PriorityResource(env, judges)
    state = {"detained": 0, "done": 0, "released": 0, "arrived": 0, "overflow": 0, "det_in": 0}
    waits = {0: [], 1: []}
    court_ends: list[float] = []
    warm = n // 20

    def hearing_for(cls: int):
        filed = env.now
        with court.request(priority=cls) as req:
            yield req
            if state["done"] >= warm:
                waits[cls].append(env.now - filed)
            yield env.timeout(rng.expovariate(1 / hearing))
            court_ends.append(env.now)

    def person():
        state["arrived"] += 1
        req = pick.request()
        got = yield req | env.timeout(hold)
        if req not in got:
            req.cancel()
            state["released"] += 1
            state["done"] += 1
            return
        yield env.timeout(rng.expovariate(1 / pickup))
        pick.release(req)
        state["det_in"] += 1
        if state["detained"] >= beds:
            state["overflow"] += 1
            yield from hearing_for(1)
        else:
            state["detained"] += 1
            yield env.timeout(rng.expovariate(1 / stay))
            state["detained"] -= 1
            if rng.random() < contest:
                yield from hearing_for(0)
        state["done"] += 1

    def source():
        for _ in range(n + warm):
            env.process(person())
            yield env.timeout(rng.expovariate(releases))

    t = time.perf_counter()
    env.process(source())
    env.run()
    wall = time.perf_counter() - t
    ends = np.sort(np.array(court_ends))
    lo, hi = np.quantile(ends, [0.05, 0.95])  # the middle of the run: no empty start, no draining end
    return {
        "released at the end of the hold (share)": state["released"] / state["arrived"],
        "detention overflow (share)": state["overflow"] / max(1, state["det_in"]),
        "court wait, detained (days)": float(np.mean(waits[0])),
        "court wait, non-detained (days)": float(np.mean(waits[1])),
        "court throughput (cases/day)": float(((ends >= lo) & (ends <= hi)).sum() / (hi - lo)),
    }, wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    n = args.customers
    exact = theory.mmc_wait(LAM, MU, C)
    out = [
        "# Performance: immsim's engine against SimPy and Ciw",
        "",
        f"Generated by `python benchmarks/bench_peers.py --customers {n}` on {dt.date.today()}, one run, "
        "same machine; ratios are within this run.",
        "",
        f"## (a) M/M/5, arrival rate 4.5, service rate 1, {n:,} customers (Erlang C mean wait {exact:.4f})",
        "",
        "| simulator | wall (s) | x slower than immsim | mean wait | 95% interval | agrees with Erlang C |",
        "|---|---:|---:|---:|---|---|",
    ]
    rows = {}
    for name, fn in (("immsim", mm5_immsim), ("SimPy", mm5_simpy), ("Ciw", mm5_ciw)):
        m, h, wall = fn(n, args.seed)
        rows[name] = (m, h, wall)
        print(f"M/M/5 {name}: {wall:.2f} s, mean wait {m:.4f} +/- {h:.4f}", flush=True)
    for name, (m, h, wall) in rows.items():
        out.append(
            f"| {name} | {wall:.2f} | {wall / rows['immsim'][2]:.1f} | {m:.4f} | {m - h:.4f} to {m + h:.4f} "
            f"| {'yes' if abs(m - exact) <= h else 'no'} |"
        )
    net = jail_to_court()
    results = {}
    for name, fn in (
        ("immsim", lambda: pipeline_immsim(net, n, args.seed)),
        ("SimPy", lambda: pipeline_simpy(n, args.seed)),
        ("Ciw", lambda: pipeline_ciw(net, n, args.seed)),
    ):
        stats, wall = fn()
        results[name] = (stats, wall)
        print(f"pipeline {name}: {wall:.2f} s, {stats}", flush=True)
    out += [
        "",
        f"## (b) The enforcement pipeline as a network, {n:,} people",
        "",
        "Jail pickups with a fixed 2-day hold window, detention beds whose overflow goes to the non-detained "
        "docket, a court with the detained docket first (`immsim.validation.peer.jail_to_court`).",
        "",
        "| simulator | wall (s) | x slower than immsim | " + " | ".join(results["immsim"][0]) + " |",
        "|---|---:|---:|" + "---:|" * len(results["immsim"][0]),
    ]
    for name, (stats, wall) in results.items():
        out.append(
            f"| {name} | {wall:.2f} | {wall / results['immsim'][1]:.1f} | "
            + " | ".join(f"{v:.4f}" for v in stats.values())
            + " |"
        )
    base = results["immsim"][0]
    worst = max(abs(s[k] / base[k] - 1) for s, _ in results.values() for k in base)
    out += [
        "",
        f"Largest relative difference between simulators over these statistics: {worst:.1%} (one long run "
        "each; the network's statistics are compared with confidence intervals over replications in "
        "tests/test_peer.py).",
    ]
    text = "\n".join(out) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
