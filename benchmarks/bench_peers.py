"""immsim's engine against SimPy and Ciw on the same models, in one run.

    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python benchmarks/bench_peers.py [--customers 1000000] [--markdown docs/performance.md]

Models: (a) M/M/5 with arrival rate 4.5 and service rate 1 until N customers
complete; (b) the enforcement pipeline as a network (jail releases with a
fixed hold window for pickup, detention beds whose overflow goes to the
non-detained docket, a court with a detained priority docket) with N people.
Each simulator runs each model once in this process, and the script prints
wall times, ratios, whether the speed goals are met, and whether the
simulators agree:

- M/M/5: each simulator's mean wait has a 95 % interval (batch means over the
  customers' completion order for SimPy and Ciw, independent runs for immsim,
  Student t) that must contain the Erlang C value.
- Pipeline: no closed form, so immsim runs the same model ``REPS`` more times
  with other seeds (outside the timing) to measure how much each statistic
  varies between runs of this length; each peer's value must lie in immsim's
  95 % prediction interval (Bonferroni over all the values tested).

What is timed, for every simulator: building the model, simulating the N
customers, and computing the statistics compared from the simulator's own
records (the part after the simulation is also shown on its own). immsim's
compiled code is compiled (or loaded from Numba's cache) before the timing.
Wall time is the measure; the process's CPU time is shown too because on a
shared machine it varies less. Timings are only compared within this run: run
it two or three times to see the noise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy import stats

from immsim.validation import theory
from immsim.validation.network import Network, simulate_network
from immsim.validation.peer import (
    COURT,
    DETAINED,
    DETENTION,
    JAIL,
    NON_DETAINED,
    ciw_table,
    jail_to_court,
    run_ciw,
)

LAM, MU, C = 4.5, 1.0, 5
BATCHES = 20  # batches (SimPy, Ciw) or independent runs (immsim) for the M/M/5 interval
REPS = 20  # extra immsim runs that measure the pipeline's run-to-run spread
GOALS = {"SimPy": 50.0, "Ciw": 100.0}  # immsim at least this many times faster, on both models
T95 = float(stats.t.ppf(0.975, BATCHES - 1))


class Timing(NamedTuple):
    wall: float  # seconds, the whole timed work
    cpu: float  # seconds of this process's CPU time over the same work
    stats: float  # wall seconds spent after the simulation, on the statistics compared


class Clock:
    """Wall and CPU time from creation; ``simulated()`` marks where the statistics begin."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.mark = math.nan

    def simulated(self) -> None:
        self.mark = time.perf_counter()

    def stop(self) -> Timing:
        end = time.perf_counter()
        return Timing(end - self.wall, time.process_time() - self.cpu, end - self.mark)


def mean_ci(means: np.ndarray) -> tuple[float, float]:
    """Mean and 95 % half-width (Student t) of ``BATCHES`` independent or nearly independent means."""
    return float(means.mean()), T95 * float(means.std(ddof=1)) / math.sqrt(len(means))


def batch_ci(x: np.ndarray) -> tuple[float, float]:
    """Mean and 95 % half-width by batch means (waits are autocorrelated, batches much less so)."""
    x = np.asarray(x, float)
    b = x[: len(x) // BATCHES * BATCHES].reshape(BATCHES, -1).mean(axis=1)
    return float(x.mean()), mean_ci(b)[1]


# --- (a) M/M/5 ---------------------------------------------------------------------------------------------------


def mm5_immsim(n: int, seed: int) -> tuple[float, float, Timing]:
    """``BATCHES`` independent runs of n / BATCHES customers each, the first tenth of each a warm-up.

    Independent runs instead of batch means because the engine keeps sums, not
    per-customer records; n customers complete in all, as in SimPy and Ciw.
    """
    net = Network(servers=[C], service_mean=[[1 / MU]], arrival_rate=[[LAM]])
    simulate_network(net, 1000, seed=seed)  # compile (or load the cache) outside the timing
    per_run = n // BATCHES
    warm = per_run // 10
    clock = Clock()
    means = [
        simulate_network(net, per_run - warm, seed=seed + i, warmup=warm).stats["mean_wait"][0] for i in range(BATCHES)
    ]
    clock.simulated()
    m, h = mean_ci(np.array(means))
    return m, h, clock.stop()


def mm5_simpy(n: int, seed: int) -> tuple[float, float, Timing]:
    import simpy

    clock = Clock()
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

    env.process(source())
    env.run()
    clock.simulated()
    m, h = batch_ci(np.array(waits))
    return m, h, clock.stop()


def mm5_ciw(n: int, seed: int) -> tuple[float, float, Timing]:
    import ciw

    clock = Clock()
    ciw.seed(seed)
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(LAM)],
        service_distributions=[ciw.dists.Exponential(MU)],
        number_of_servers=[C],
    )
    sim = ciw.Simulation(net)
    sim.simulate_until_max_customers(n, method="Finish")
    clock.simulated()
    recs = sorted(sim.get_all_records(), key=lambda r: r.exit_date)
    m, h = batch_ci(np.array([r.waiting_time for r in recs]))
    return m, h, clock.stop()


# --- (b) the enforcement pipeline -----------------------------------------------------------------------------------

STATS = (
    "released at the end of the hold (share)",
    "detention overflow (share)",
    "court wait, detained (days)",
    "court wait, non-detained (days)",
    "court throughput (cases/day)",
)


def _pipeline_stats(col: Callable[[str, int, int], float]) -> dict[str, float]:
    """The compared statistics from a per-(station, class) table; ``col(name, station, class)``."""
    values = (
        col("reneged", JAIL, 0) / col("arrivals", JAIL, 0),
        col("overflowed", DETENTION, 0) / col("arrivals", DETENTION, 0),
        col("mean_wait", COURT, DETAINED),
        col("mean_wait", COURT, NON_DETAINED),
        col("throughput", COURT, DETAINED) + col("throughput", COURT, NON_DETAINED),
    )
    return dict(zip(STATS, (float(v) for v in values), strict=True))


def pipeline_immsim(net: Network, n: int, seed: int) -> tuple[dict[str, float], Timing]:
    n_cls = np.asarray(net.service_mean).shape[1]
    simulate_network(net, 1000, seed=seed)  # compile (or load the cache) outside the timing
    clock = Clock()
    res = simulate_network(net, n, seed=seed, warmup=n // 20)
    clock.simulated()
    out = _pipeline_stats(lambda name, k, c: res.stats[name][k * n_cls + c])
    return out, clock.stop()


def pipeline_ciw(net: Network, n: int, seed: int) -> tuple[dict[str, float], Timing]:
    n_cls = np.asarray(net.service_mean).shape[1]
    clock = Clock()
    sim, overflows = run_ciw(net, n, seed=seed, warmup=n // 20)
    clock.simulated()
    tab = ciw_table(net, sim, overflows, warmup=n // 20)  # the same table as immsim's, from Ciw's records
    out = _pipeline_stats(lambda name, k, c: tab[name].iloc[k * n_cls + c])
    return out, clock.stop()


#: The pipeline's rates and capacities: ``jail_to_court``'s defaults, so the SimPy model cannot drift from them.
PIPELINE = {k: p.default for k, p in inspect.signature(jail_to_court).parameters.items()}


def pipeline_simpy(
    n: int,
    seed: int,
    releases: float,
    officers: int,
    pickup: float,
    hold: float,
    beds: int,
    stay: float,
    contest: float,
    judges: int,
    hearing: float,
) -> tuple[dict[str, float], Timing]:
    """The same network as ``peer.jail_to_court`` (called with ``PIPELINE``) written with SimPy's resources."""
    import simpy

    clock = Clock()
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

    env.process(source())
    env.run()
    clock.simulated()
    ends = np.sort(np.array(court_ends))
    lo, hi = np.quantile(ends, [0.05, 0.95])  # the middle of the run: no empty start, no draining end
    values = (
        state["released"] / state["arrived"],
        state["overflow"] / max(1, state["det_in"]),
        float(np.mean(waits[0])),
        float(np.mean(waits[1])),
        float(((ends >= lo) & (ends <= hi)).sum() / (hi - lo)),
    )
    return dict(zip(STATS, values, strict=True)), clock.stop()


def immsim_spread(net: Network, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each statistic over ``REPS`` more immsim runs of the same length."""
    n_cls = np.asarray(net.service_mean).shape[1]
    runs = []
    for i in range(REPS):
        res = simulate_network(net, n, seed=seed + 1000 + i, warmup=n // 20)
        runs.append(list(_pipeline_stats(lambda name, k, c, res=res: res.stats[name][k * n_cls + c]).values()))
    x = np.array(runs)
    return x.mean(axis=0), x.std(axis=0, ddof=1)


# --- the run ---------------------------------------------------------------------------------------------------------


TIME_COLUMNS = "wall (s) | of which statistics (s) | CPU (s) | x slower than immsim (wall) | x slower (CPU)"


def _time_cells(t: Timing, base: Timing) -> str:
    return f"{t.wall:.2f} | {t.stats:.2f} | {t.cpu:.2f} | {t.wall / base.wall:.1f} | {t.cpu / base.cpu:.1f}"


def _goal_lines(times: dict[str, dict[str, Timing]]) -> list[str]:
    """One line per (peer, model): the ratios against the goal, in wall time (the goal's measure) and CPU time."""
    lines = []
    for peer, goal in GOALS.items():
        for model, t in times.items():
            wall, cpu = t[peer].wall / t["immsim"].wall, t[peer].cpu / t["immsim"].cpu
            lines.append(
                f"- immsim at least {goal:.0f}x faster than {peer} on {model}: {wall:.1f}x in wall time, "
                f"{'met' if wall >= goal else 'NOT met'} ({cpu:.1f}x in CPU time)"
            )
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    n = args.customers
    load = os.getloadavg()[0]  # before this script's own work
    exact = theory.mmc_wait(LAM, MU, C)
    out = [
        "# Performance: immsim's engine against SimPy and Ciw",
        "",
        f"Generated by `python benchmarks/bench_peers.py --customers {n} --markdown docs/performance.md` on "
        f"{dt.date.today()} on {platform.node() or 'an unnamed host'} ({os.cpu_count()} CPUs, load average "
        f"{load:.1f} at the start), one run; ratios are within this run. Timed for each simulator: building the "
        "model, simulating, and "
        "computing the statistics compared from its own records (that last part also on its own); immsim's "
        "compiled code is compiled (or loaded from Numba's cache) before the timing. The goals are in wall time; "
        "CPU time (of the process) is shown too, as it depends less on what else runs on the machine.",
        "",
        f"## (a) M/M/5, arrival rate 4.5, service rate 1, {n:,} customers (Erlang C mean wait {exact:.4f})",
        "",
        f"immsim: {BATCHES} independent runs of 1/{BATCHES} of the customers (the first tenth of each a warm-up); "
        f"SimPy and Ciw: one run, {BATCHES} batch means. Intervals: Student t, {BATCHES - 1} degrees of freedom.",
        "",
        f"| simulator | {TIME_COLUMNS} | mean wait | 95% interval | agrees with Erlang C |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    rows = {}
    for name, fn in (("immsim", mm5_immsim), ("SimPy", mm5_simpy), ("Ciw", mm5_ciw)):
        m, h, t = fn(n, args.seed)
        rows[name] = (m, h, t)
        print(f"M/M/5 {name}: {t.wall:.2f} s ({t.cpu:.2f} s CPU), mean wait {m:.4f} +/- {h:.4f}", flush=True)
    mm5_agree = {name: abs(m - exact) <= h for name, (m, h, _) in rows.items()}
    for name, (m, h, t) in rows.items():
        out.append(
            f"| {name} | {_time_cells(t, rows['immsim'][2])} | {m:.4f} | {m - h:.4f} to {m + h:.4f} "
            f"| {'yes' if mm5_agree[name] else 'NO'} |"
        )
    net = jail_to_court()
    results = {}
    for name, fn in (
        ("immsim", lambda: pipeline_immsim(net, n, args.seed)),
        ("SimPy", lambda: pipeline_simpy(n, args.seed, **PIPELINE)),
        ("Ciw", lambda: pipeline_ciw(net, n, args.seed)),
    ):
        values, t = fn()
        results[name] = (values, t)
        print(f"pipeline {name}: {t.wall:.2f} s ({t.cpu:.2f} s CPU), {values}", flush=True)
    mean, sd = immsim_spread(net, n, args.seed)
    tests = 2 * len(STATS)  # each peer, each statistic
    t_crit = float(stats.t.ppf(1 - 0.05 / tests / 2, REPS - 1))
    half = t_crit * sd * math.sqrt(1 + 1 / REPS)  # a new run's deviation from the mean of REPS runs
    pipe_agree = {
        name: bool(np.all(np.abs(np.array(list(values.values())) - mean) <= half))
        for name, (values, _) in results.items()
    }
    out += [
        "",
        f"## (b) The enforcement pipeline as a network, {n:,} people",
        "",
        "Jail pickups with a fixed 2-day hold window, detention beds whose overflow goes to the non-detained "
        "docket, a court with the detained docket first (`immsim.validation.peer.jail_to_court`). Agreement: "
        f"immsim ran the model {REPS} more times with other seeds (not timed); each simulator's value must lie in "
        f"the resulting 95% prediction interval for one run (Student t, Bonferroni over the {tests} peer values).",
        "",
        f"| simulator | {TIME_COLUMNS} | " + " | ".join(STATS) + " | agrees |",
        "|---|" + "---:|" * (5 + len(STATS)) + "---|",
    ]
    for name, (values, t) in results.items():
        out.append(
            f"| {name} | {_time_cells(t, results['immsim'][1])} | "
            + " | ".join(f"{v:.4f}" for v in values.values())
            + f" | {'yes' if pipe_agree[name] else 'NO'} |"
        )
    out.append(
        f"| immsim, {REPS} more runs: prediction interval | | | | | | "
        + " | ".join(f"{m - h:.4f} to {m + h:.4f}" for m, h in zip(mean, half, strict=True))
        + " | |"
    )
    times = {
        "M/M/5": {name: t for name, (_, _, t) in rows.items()},
        "the pipeline": {name: t for name, (_, t) in results.items()},
    }
    agree = all(mm5_agree.values()) and all(pipe_agree.values())
    out += [
        "",
        "## Goals",
        "",
        *_goal_lines(times),
        f"- all simulators agree (with Erlang C on M/M/5, with each other on the pipeline): {'yes' if agree else 'NO'}",
    ]
    text = "\n".join(out) + "\n"
    print(text)
    if args.markdown:
        # keep the hand-written sections that follow the generated part (e.g. "## Compile time")
        kept = args.markdown.read_text().partition("\n## Compile time")[1:] if args.markdown.exists() else ()
        args.markdown.write_text(text + "".join(kept))
    return 0


if __name__ == "__main__":
    sys.exit(main())
