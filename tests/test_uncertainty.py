"""Answers over an ensemble of parameter sets: the two bands, the draws, pairing, storage and the commands.

The bands' coverage is checked on data drawn from the model they assume
(``y = mu_set + noise``), with tolerances from the binomial spread of the
coverage count; the runs use the synthetic scenario of ``tests/scenarios.py``
and hand-made ensembles whose sets differ widely, so that the assumptions'
band must show.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import immsim
from immsim import uncertainty as from_uncertainty
from immsim.errors import ImmsimError
from immsim.store import load_result, save_result
from immsim.uncertainty import Ensemble, group_of, read_ensemble, two_bands, write_ensemble
from scenarios import make

DATASETS = 1000
#: Four binomial standard errors of a 95 % coverage over DATASETS datasets.
SLACK = 4 * math.sqrt(0.95 * 0.05 / DATASETS)


def coverage(sets: int, per_set: int, tau: float, sigma: float, seed: int = 1) -> tuple[float, float]:
    """How often the total band holds a new set's expected figure, and the Monte Carlo band the drawn sets' mean."""
    rng = np.random.default_rng(seed)
    g = group_of(sets * per_set, per_set)
    total = mc = 0
    for _ in range(DATASETS):
        mu = rng.normal(0, tau, sets)
        b = two_bands(mu[g] + rng.normal(0, sigma, g.size), g)
        total += b["total_low"] <= rng.normal(0, tau) <= b["total_high"]
        mc += b["mc_low"] <= mu.mean() <= b["mc_high"]
    return total / DATASETS, mc / DATASETS


def test_the_monte_carlo_band_covers_the_mean_at_the_drawn_sets():
    """With the sets held, the mean's error is the dice's alone: Student's t is exact for normal noise."""
    for tau in (0.0, 1.0, 3.0):
        _, mc = coverage(10, 2, tau, 1.0)
        assert abs(mc - 0.95) < SLACK, (tau, mc)


def test_the_total_band_covers_the_expected_figure_at_a_new_set():
    """When the assumptions dominate, the total band is a 95 % prediction interval; when the dice weigh as much,
    Satterthwaite's degrees of freedom make it conservative, never short."""
    total, _ = coverage(20, 2, 3.0, 1.0)
    assert abs(total - 0.95) < SLACK, total
    total, _ = coverage(10, 2, 1.0, 1.0)
    assert total >= 0.95 - SLACK, total


def test_the_bands_with_one_replication_per_set_and_without_sets():
    y = np.array([1.0, 2.0, 4.0, 7.0])
    b = two_bands(y, np.arange(4))  # one replication per set: no within-set variance
    assert math.isnan(b["mc_low"]) and b["total_low"] < y.mean() < b["total_high"]
    assert math.isnan(two_bands(y, np.zeros(4))["total_low"])  # one set: no between-set variance


def spread_ensemble(factors=(0.4, 1.4)) -> Ensemble:
    """Two sets far apart on at-large search success (a hand-made ensemble, not a fit)."""
    table = pd.DataFrame({"weight": [0.5, 0.5], "found_probability": list(factors)})
    return Ensemble("synthetic", table)


def test_each_replication_runs_its_drawn_set_and_paired_runs_share_it():
    sc = make()
    ens = spread_ensemble()
    alt = sc.with_changes([{"policy": "decline_holds", "where": {"jurisdictions": ["A1"]}, "from": "2017-01-01"}])
    table, results = immsim.compare(sc, [alt], replications=6, seed=3, uncertainty=ens)
    base_draws, alt_draws = (r.draws for r in results.values())
    assert base_draws.equals(alt_draws) and list(base_draws.draw) == [0, 0, 1, 1, 2, 2]
    assert list(base_draws.set) == [0, 0, 1, 1, 1, 1]  # seed 3 draws both sets
    # replication r is the scenario with its set's factor applied, run with seed + r
    base_fy = results[sc.name].fiscal_years.set_index(["replication", "fiscal_year"])
    for r in (0, 3):
        f = float(base_draws.found_probability[r])
        one = sc.with_changes([{"parameter": "found_probability", "scale": f, "source": "test"}])
        alone = immsim.simulate(one, seed=3 + r).fiscal_years.set_index("fiscal_year")
        assert alone.ice_at_large_arrests.equals(base_fy.loc[r].ice_at_large_arrests), r
    row = table.set_index("figure").loc["ice_admin_arrests"]
    assert row.total_low <= row.ci_low <= row.ci_high <= row.total_high


def test_the_total_band_shows_the_assumptions():
    sc = make()
    wide = immsim.simulate(sc, replications=12, seed=2, uncertainty=spread_ensemble()).summary()
    unit = immsim.simulate(sc, replications=12, seed=2, uncertainty=spread_ensemble((1.0, 1.0))).summary()
    plain = immsim.simulate(sc, replications=12, seed=2).summary()
    w, u, p = (s.set_index("figure").loc["ice_at_large_arrests"] for s in (wide, unit, plain))
    # at-large arrests scale with search success, here 0.4 or 1.4 times: the sets' spread dwarfs the dice
    assert (w.total_high - w.total_low) > 3 * (w.ci_high - w.ci_low)
    # sets of factor 1 are the scenario itself: the same runs as without uncertainty
    assert u["mean"] == p["mean"] and u.total_low <= u.ci_low < u.ci_high <= u.total_high


def test_draws_are_stored_and_the_bands_read_back(tmp_path):
    r = immsim.simulate(make(), replications=4, seed=1, uncertainty=spread_ensemble())
    save_result(r, tmp_path / "out", report=False)
    back = load_result(tmp_path / "out")
    assert back.draws.equals(r.draws)
    pd.testing.assert_frame_equal(back.summary(), r.summary())


def test_an_ensemble_file_round_trips_and_bad_ones_are_refused(tmp_path):
    ens = spread_ensemble()
    write_ensemble(ens, tmp_path / "p.csv", "made by hand")
    back = read_ensemble(tmp_path / "p.csv")
    assert back.scenario == "synthetic" and back.table.equals(ens.table.astype(float))
    (tmp_path / "q.csv").write_text("weight,a\n1,2\n")
    with pytest.raises(ImmsimError, match="not an immsim posterior ensemble"):
        read_ensemble(tmp_path / "q.csv")
    with pytest.raises(ImmsimError, match="factors above 0"):
        Ensemble("x", pd.DataFrame({"weight": [1.0], "a": [-1.0]}))
    with pytest.raises(ImmsimError, match="does not have"):
        immsim.simulate(make(), uncertainty=Ensemble("x", pd.DataFrame({"weight": [1.0], "no_such": [1.0]})))


def test_the_commands_take_an_ensemble_and_say_when_none_is_shipped(tmp_path):
    from scenarios import base, dump

    path = tmp_path / "s.yaml"
    path.write_text(dump(base()))
    write_ensemble(spread_ensemble(), tmp_path / "p.csv")
    cmd = [sys.executable, "-m", "immsim.cli", "run", str(path), "-r", "6", "--seed", "3", "--out", str(tmp_path / "o")]
    proc = subprocess.run([*cmd, "--uncertainty", str(tmp_path / "p.csv")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "95% Monte Carlo" in proc.stdout and "95% total" in proc.stdout
    assert "assumptions that move ICE administrative arrests most" in proc.stderr  # found_probability
    assert (tmp_path / "o" / "draws.parquet").exists()
    assert "95% total, high" in (tmp_path / "o" / "report.html").read_text()
    cmp = [sys.executable, "-m", "immsim.cli", "compare", str(path), str(path), "-r", "6", "--seed", "3"]
    cmp += ["--uncertainty", str(tmp_path / "p.csv"), "--out", str(tmp_path / "c")]
    proc = subprocess.run(cmp, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "95% total" in (tmp_path / "c" / "comparison.html").read_text()
    assert {"total_low", "total_high"} <= set(pd.read_csv(tmp_path / "c" / "comparison.csv").columns)
    proc = subprocess.run([*cmd, "--uncertainty", "posterior"], capture_output=True, text=True)
    assert proc.returncode == 2 and "no posterior is shipped with synthetic" in proc.stderr


def test_drivers_name_the_assumption_that_moves_the_figure():
    """y follows log(a) closely and b not at all: a explains nearly all of the sets' spread, b about 1/(sets-1)."""
    rng = np.random.default_rng(5)
    sets = 30
    a, b = np.exp(rng.normal(0, 0.3, sets)), np.exp(rng.normal(0, 0.3, sets))
    g = group_of(2 * sets, 2)
    draws = pd.DataFrame({"replication": np.arange(2 * sets), "draw": g, "set": g, "a": a[g], "b": b[g]})
    y = 100 * np.log(a[g]) + rng.normal(0, 1, 2 * sets)
    found = from_uncertainty.drivers(y, draws)
    assert list(found.index) == ["a", "b"] and found["a"] > 0.95 and found["b"] < 0.3
    assert from_uncertainty.drivers(y, pd.DataFrame()).empty
