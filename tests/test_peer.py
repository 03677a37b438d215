"""The compiled network engine against queueing theory, and against the peer simulator Ciw.

Tolerances follow from the run lengths. Each theory check averages R independent
replications (fixed seeds) and asserts a relative error below 2%; the replication
counts and lengths were chosen from measured per-run spreads so that the standard
error of the average is at most about a quarter of that tolerance (asserted too),
so a correct engine fails with probability well below 1e-3 and a 2% bias is caught.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace

import numpy as np
import pytest

from immsim.validation import theory
from immsim.validation.network import EXIT, Network, simulate_network
from immsim.validation.peer import COURT, compare, jail_to_court, replicate


def _replicate(net: Network, reps: int, customers: int, warmup: int, stat) -> tuple[float, float]:
    """Mean over ``reps`` runs of ``stat(result)`` and its standard error."""
    x = np.array([stat(simulate_network(net, customers, seed=s, warmup=warmup)) for s in range(reps)])
    return x.mean(axis=0), x.std(axis=0, ddof=1) / np.sqrt(reps)


def test_mm5_reproduces_erlang_c_and_littles_law():
    # M/M/5, lambda = 4.5, mu = 1 (load 0.9): Wq = C(5, 4.5) / (5 - 4.5) = 1.525. At this load
    # waits are strongly autocorrelated: one run of 500,000 customers has a relative spread of
    # 3.3%, so 40 runs give a standard error of 0.53%, and 2% is 3.8 standard errors.
    net = Network(servers=[5], service_mean=[[1.0]], arrival_rate=[[4.5]])
    expected = theory.mmc_wait(4.5, 1.0, 5)
    runs = [simulate_network(net, 500_000, seed=s, warmup=5_000) for s in range(40)]
    waits = np.array([r.table.mean_wait[0] for r in runs])
    se = waits.std(ddof=1) / math.sqrt(len(waits))
    assert se / expected < 0.007
    assert abs(waits.mean() / expected - 1) < 0.02
    for r in runs:  # Little's law holds run by run up to edge effects of order L / customers
        row = r.table.iloc[0]
        assert row.mean_in_station == pytest.approx(row.throughput * row.mean_sojourn, rel=2e-3)
        assert row.mean_queue == pytest.approx(row.throughput * row.mean_wait, rel=2e-3)
        assert r.throughput == pytest.approx(4.5, rel=0.01)


def test_mm1_with_two_nonpreemptive_priority_classes():
    # M/M/1, lambda = (0.3, 0.5), mu = 1: W = (1.143, 5.714). Per-run spreads at 500,000
    # customers are 0.9% and 1.8%; 20 runs give standard errors of 0.2% and 0.4%.
    net = Network(servers=[1], service_mean=[[1.0, 1.0]], arrival_rate=[[0.3, 0.5]])
    expected = np.array(theory.priority_waits([0.3, 0.5], 1.0))
    mean, se = _replicate(net, 20, 500_000, 5_000, lambda r: r.table.mean_wait.to_numpy())
    assert (se / expected < 0.005).all()
    np.testing.assert_allclose(mean, expected, rtol=0.02)


def test_fixed_patience_reproduces_mm1_plus_d_abandonment():
    # M/M/1+D (deterministic patience D, as the jail hold window): a customer leaves iff the
    # virtual wait at arrival exceeds D, so P(abandon) = rho E (1 - rho) / (1 - rho^2 E) with
    # E = exp(-(mu - lambda) D). Overloaded (rho = 1.2), as a jail whose hold window sheds load.
    # Per-run spread at 200,000 customers: 0.7%; 10 runs: standard error 0.2%.
    lam, mu, d = 1.2, 1.0, 2.0
    e = math.exp(-(mu - lam) * d)
    expected = lam / mu * e * (1 - lam / mu) / (1 - (lam / mu) ** 2 * e)
    net = Network(servers=[1], service_mean=[[1 / mu]], arrival_rate=[[lam]], patience=[d], patience_fixed=True)
    mean, se = _replicate(net, 10, 200_000, 1_000, lambda r: r.table.reneged[0] / r.table.arrivals[0])
    assert se / expected < 0.005
    assert mean == pytest.approx(expected, rel=0.02)


def test_capacity_reproduces_erlang_b():
    # M/M/10/10 (detention beds, no queue), offered load 8: blocking B(10, 8) = 0.1217.
    # Per-run spread at 200,000 customers: 1.1%; 10 runs: standard error 0.35%.
    net = Network(servers=[10], service_mean=[[1.0]], arrival_rate=[[8.0]], capacity=[10])
    mean, se = _replicate(net, 10, 200_000, 1_000, lambda r: r.table.overflowed[0] / r.table.arrivals[0])
    expected = theory.erlang_b(10, 8.0)
    assert se / expected < 0.005
    assert mean == pytest.approx(expected, rel=0.02)


def test_runs_are_reproducible_and_overflow_changes_class():
    net = Network(
        servers=[1, 1], service_mean=[[1.0, 1.0], [0.5, 0.5]], arrival_rate=[[0.9, 0.0], [0.0, 0.0]],
        capacity=[2, math.inf], overflow_to=[1, EXIT], overflow_class=[1, -1],
    )  # fmt: skip
    a, b = simulate_network(net, 5_000, seed=3), simulate_network(net, 5_000, seed=3)
    assert a.table.equals(b.table)
    assert not a.table.equals(simulate_network(net, 5_000, seed=4).table)
    t = a.table.set_index(["k", "cls"])
    assert t.loc[(1, 1), "arrivals"] == t.loc[(0, 0), "overflowed"] > 0  # full station 0 sends class 1 to station 1
    assert t.loc[(1, 0), "arrivals"] == 0
    assert a.exits == 5_000


# Peer check. Ten replications per simulator give t-based 95% intervals (9 degrees of
# freedom); each run lets 20,000 customers leave (about 1,100 days) after a warm-up of
# 2,000 (about 110 days: 19 mean stays in detention and several relaxation times of the
# court), so the start from an empty network does not bias the means. Ciw needs about
# 2.5 s per run (hence "slow": about 20 s on two cores), immsim 0.03 s. Agreement is a Welch t-test per statistic at a
# family-wise 5% level (Bonferroni over the ~16 statistics). A longer offline check
# (200 immsim runs against 40 Ciw runs) agreed on all statistics with p > 0.08.
CUSTOMERS, WARMUP, REPS = 20_000, 2_000, 10


@pytest.fixture(scope="module")
def ciw_reps():
    pytest.importorskip("ciw")
    workers = min(2, os.cpu_count() or 1)
    return replicate("ciw", jail_to_court(), CUSTOMERS, WARMUP, REPS, seed=2000, workers=workers)


@pytest.mark.slow
def test_immsim_agrees_with_ciw_on_jail_detention_court(ciw_reps):
    ours = replicate("immsim", jail_to_court(), CUSTOMERS, WARMUP, REPS, seed=1000)
    table = compare(ours, ciw_reps)
    assert len(table) >= 15  # every station is busy: nothing compared vacuously
    assert set(table.station) == {"jail", "detention", "court"}
    assert table.agree.all(), table[~table.agree]


@pytest.mark.slow
def test_peer_check_detects_a_15_percent_faster_court(ciw_reps):
    net = jail_to_court()
    service = np.array(net.service_mean, float)
    service[COURT] /= 1.15  # judges decide 15% faster, in immsim only
    ours = replicate("immsim", replace(net, service_mean=service), CUSTOMERS, WARMUP, REPS, seed=3000)
    table = compare(ours, ciw_reps).set_index(["station", "cls", "statistic"])
    assert not table.agree.all()
    assert not table.loc[("court", 0, "mean_wait"), "agree"]
    assert not table.loc[("court", 1, "mean_wait"), "agree"]
    assert table.loc[("jail", 0, "mean_wait"), "agree"]  # upstream of the court nothing changed
