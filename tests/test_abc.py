"""Bayesian calibration (ABC-SMC): priors carried to factors, the distance, the command, resuming, coverage.

The fits run on the synthetic scenario of ``tests/scenarios.py`` (a tenth of a
second per simulated year), with two of its parameters made calibratable
assumptions and targets taken from a run at their true values.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyabc")

from immsim.scenario.priors import Prior  # noqa: E402
from immsim.uncertainty import fit_key, read_ensemble  # noqa: E402
from immsim.validation.abc import ToleranceDistance, abc_calibrate, prior_space, pyabc_prior  # noqa: E402
from immsim.validation.calibrate import figures_of  # noqa: E402
from scenarios import base, dump, make  # noqa: E402

#: The two assumptions the fits move, their ranges, and their values in the synthetic scenario.
FREE = {"found_probability": (0.2, 0.9), "detainer_issue_probability": (0.2, 0.95)}
FIGURES = ["ice_at_large_arrests", "detainers_issued", "ice_admin_arrests"]


def free_doc(prior: dict | None = None) -> dict:
    doc = base()
    for name, rng in FREE.items():
        doc["parameters"][name].update(source="assumption", range=list(rng), calibratable=True)
    if prior:
        doc["parameters"]["found_probability"]["prior"] = prior
    return doc


def targets_of(figures: pd.Series, tolerance: float = 0.1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "metric": FIGURES,
            "figure": FIGURES,
            "value": [figures[f] for f in FIGURES],
            "tolerance": tolerance,
            "period": "FY2017",
            "role": "calibration",
        }
    )


def test_a_one_value_parameters_prior_on_its_factor_is_its_prior_on_the_value():
    """For a scalar, factor = value / current value: the carried prior's quantiles are the value's, divided."""
    sc = make(lambda d: free_doc({"distribution": "triangular", "mode": 0.7}))
    space = prior_space(sc).set_index("parameter")
    value = sc.data.parameters["found_probability"].value
    r = space.loc["found_probability"]
    on_factor = r.prior.frozen(r.low, r.high, r.lower, r.upper)
    on_value = r.prior.frozen(r.low, r.high)
    q = np.linspace(0.01, 0.99, 7)
    assert np.allclose(on_factor.ppf(q), on_value.ppf(q) / value, rtol=1e-12)
    lu = Prior(distribution="loguniform")
    assert np.allclose(lu.frozen(0.1, 10, 0.1 / 2, 10 / 2).ppf(q), lu.frozen(0.1, 10).ppf(q) / 2, rtol=1e-12)


def test_the_distance_is_the_rms_of_errors_over_tolerances():
    d = ToleranceDistance({"a": 0.1, "b": 0.5})
    # errors 10 % on a (one tolerance) and 100 % on b (two tolerances): sqrt((1 + 4) / 2)
    assert d({"a": 110.0, "b": 0.0}, {"a": 100.0, "b": 1.0}) == pytest.approx(math.sqrt(2.5), rel=1e-12)
    assert d({"a": math.nan, "b": 1.0}, {"a": 100.0, "b": 1.0}) == math.inf


def test_the_command_writes_an_ensemble_and_a_report_and_resumes(tmp_path):
    sc_path = tmp_path / "free.yaml"
    sc_path.write_text(dump(free_doc({"distribution": "beta", "a": 2, "b": 2})))
    sc = make(lambda d: free_doc({"distribution": "beta", "a": 2, "b": 2}))
    targets_of(figures_of(sc, sc.name, 99, 1)).to_csv(tmp_path / "targets.csv", index=False)
    out = tmp_path / "abc"
    args = [sys.executable, "-m", "immsim.cli", "calibrate", str(sc_path), "--targets", str(tmp_path / "targets.csv")]
    args += ["--method", "abc", "--out", str(out), "--population", "20", "--workers", "1", "--min-epsilon", "0"]
    proc = subprocess.run([*args, "--generations", "2"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert {"abc.db", "posterior.csv", "report.md", "marginals.png", "pairs.png"} <= {p.name for p in out.iterdir()}
    ens = read_ensemble(out / "posterior.csv")
    assert ens.scenario == "synthetic" and len(ens.table) == 20 and ens.weights.sum() == pytest.approx(1)
    # the ensemble names the scenario it was fitted on: another value is another key, other prose is not
    assert ens.fitted_on == fit_key(sc_path.read_text())
    doc = free_doc({"distribution": "beta", "a": 2, "b": 2})
    doc["parameters"]["found_probability"]["notes"] = "other words"
    assert fit_key(dump(doc)) == ens.fitted_on
    doc["parameters"]["found_probability"]["value"] *= 1.01
    assert fit_key(dump(doc)) != ens.fitted_on
    space = prior_space(sc).set_index("parameter")
    for p in FREE:
        assert space.lower[p] <= ens.table[p].min() and ens.table[p].max() <= space.upper[p]
    report = (out / "report.md").read_text()
    assert report.startswith("# Bayesian calibration of `synthetic` (ABC-SMC)") and "over 2 generations" in report
    assert "effective sample size" in report and "| found_probability | beta (a 2, b 2) |" in report
    first = pd.read_csv(out / "posterior.csv", comment="#")
    # resumed with a larger budget: one more generation, the first two kept as they were
    proc = subprocess.run([*args, "--generations", "3"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "resuming" in proc.stderr
    assert "| 2 |" in (out / "report.md").read_text().split("## Generations")[1]
    assert not pd.read_csv(out / "posterior.csv", comment="#").equals(first)


def test_a_loguniform_prior_is_sampled_in_log_factor_and_the_ensemble_holds_factors(tmp_path):
    """The sampler moves log factors, uniform under a loguniform prior; the ensemble gives the factors back."""
    import pyabc

    sc = make(lambda d: free_doc({"distribution": "loguniform"}))
    space = prior_space(sc)
    prior = pyabc_prior(space)
    assert set(prior) == {"log_found_probability", "detainer_issue_probability"}
    lo, hi = space.set_index("parameter").loc["found_probability", ["lower", "upper"]]
    x = np.linspace(math.log(lo), math.log(hi), 5)
    density = [prior["log_found_probability"].pdf(v) for v in x]
    assert density == pytest.approx([1 / math.log(hi / lo)] * 5)  # uniform over the log factor
    targets = targets_of(figures_of(sc, sc.name, 99, 1))
    post = abc_calibrate(sc, targets, tmp_path, population=10, generations=1, workers=1)
    f = post.ensemble.table.found_probability
    assert (f >= lo * (1 - 1e-12)).all() and (f <= hi * (1 + 1e-12)).all() and f.nunique() == 10
    stored = pyabc.History(f"sqlite:///{tmp_path / 'abc.db'}").get_distribution(m=0)[0]
    assert np.allclose(np.sort(np.exp(stored.log_found_probability)), np.sort(f))


def test_one_generation_with_a_first_threshold_is_rejection_abc(tmp_path):
    """Sets from the prior, kept below the threshold given, all of weight one: the effective size is the count."""
    sc = make(lambda d: free_doc())
    targets = targets_of(figures_of(sc, sc.name, 99, 1), tolerance=0.2)
    post = abc_calibrate(sc, targets, tmp_path, population=12, generations=1, first_epsilon=1.5, workers=1)
    assert post.generations.epsilon.tolist() == [1.5]
    assert post.ess == pytest.approx(12) and np.allclose(post.ensemble.weights, 1 / 12)
    assert (post.targets.high.sub(post.targets.target).abs() / post.targets.target <= 1.5 * 0.2 * math.sqrt(3)).all()


def test_rejection_fits_with_other_seeds_pool_into_one_sample(tmp_path):
    from immsim.errors import ImmsimError
    from immsim.validation.abc import fy2017_goal, pool_rejection
    from immsim.validation.abc_report import report_markdown

    sc = make(lambda d: free_doc())
    targets = targets_of(figures_of(sc, sc.name, 99, 1), tolerance=0.2)
    one = dict(generations=1, first_epsilon=1.5, workers=1)
    a = abc_calibrate(sc, targets, tmp_path / "a", population=6, seed=1, **one)
    b = abc_calibrate(sc, targets, tmp_path / "b", population=4, seed=2, **one)
    post = pool_rejection([tmp_path / "a", tmp_path / "b"], prior_space(sc), fy2017_goal(targets), sc.name)
    assert len(post.ensemble.table) == 10 and post.ess == pytest.approx(10)
    both = pd.concat([a.ensemble.table, b.ensemble.table])[list(FREE)]
    pooled = post.ensemble.table[list(FREE)]
    assert sorted(map(tuple, pooled.to_numpy())) == sorted(map(tuple, both.to_numpy()))
    assert post.simulations == a.simulations + b.simulations
    # named for what they are: one generation is rejection ABC, and the pooled report counts fits, not generations
    assert (a.method, post.method) == ("rejection ABC", "rejection ABC, 2 fits pooled")
    text = report_markdown(post)
    assert text.startswith("# Bayesian calibration of `synthetic` (rejection ABC, 2 fits pooled)")
    assert "in 2 fits of one generation each" in text and "generations" not in text.split("\n")[2]
    abc_calibrate(sc, targets, tmp_path / "c", population=4, seed=3, generations=1, first_epsilon=2.0, workers=1)
    with pytest.raises(ImmsimError, match="different thresholds"):
        pool_rejection([tmp_path / "a", tmp_path / "c"], prior_space(sc), fy2017_goal(targets), sc.name)


def test_a_fit_of_other_parameters_is_not_resumed(tmp_path):
    sc = make(lambda d: free_doc())
    targets = targets_of(figures_of(sc, sc.name, 99, 1))
    abc_calibrate(sc, targets, tmp_path, population=10, generations=1, workers=1, only=["found_probability"])
    from immsim.errors import ImmsimError

    with pytest.raises(ImmsimError, match="holds a fit of other parameters"):
        abc_calibrate(sc, targets, tmp_path, population=10, generations=2, workers=1)


#: Fits in the coverage check, and the central interval whose coverage it checks.
FITS, LEVEL = 10, 0.9


def binomial_floor(n: int, p: float, alpha: float = 0.001) -> int:
    """The largest k with P(Binomial(n, p) < k) <= alpha: fewer covered truths than k fail the check."""
    from scipy import stats

    return int(stats.binom.ppf(alpha, n, p))


def coverage_fits(fits: int = FITS, seed: int = 7) -> pd.DataFrame:
    """Simulation-based calibration: truths drawn from the prior, targets from a run at each, one fit per truth.

    Returns one row per fit and parameter: the true factor, the posterior's central ``LEVEL`` interval, and
    its width over the prior's.
    """
    from immsim.validation.abc import weighted_quantiles

    sc = make(lambda d: free_doc({"distribution": "triangular", "mode": 0.7}))
    space = prior_space(sc)
    rng = np.random.default_rng(seed)
    sources = {p: "assumption" for p in FREE}
    rows = []
    for k in range(fits):
        truth = {
            r.parameter: float(r.prior.frozen(r.low, r.high, r.lower, r.upper).ppf(rng.random()))
            for r in space.itertuples()
        }
        true_sc = sc.with_changes([{"parameter": p, "scale": f, "source": sources[p]} for p, f in truth.items()])
        targets = targets_of(figures_of(true_sc, sc.name, 1000 + k, 1))
        with tempfile.TemporaryDirectory() as d:
            post = abc_calibrate(
                sc, targets, Path(d), population=30, generations=3, min_epsilon=0, seed=k + 1, workers=1
            )
        w = post.ensemble.weights
        for r in space.itertuples():
            x = post.ensemble.table[r.parameter].to_numpy()
            lo, hi = weighted_quantiles(x, w, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
            width = r.prior.width(r.low, r.high, r.lower, r.upper, LEVEL)
            rows.append(
                {
                    "fit": k,
                    "parameter": r.parameter,
                    "truth": truth[r.parameter],
                    "low": lo,
                    "high": hi,
                    "ratio": (hi - lo) / width,
                    "ess": post.ess,
                }
            )
    out = pd.DataFrame(rows)
    out["covered"] = (out.low <= out.truth) & (out.truth <= out.high)
    return out


@pytest.mark.slow
def test_the_posterior_covers_the_true_parameters():
    """Over FITS fits with truths drawn from the prior, the 90 % intervals hold the truth about 90 % of the time.

    ABC with a threshold above 0 accepts more than the exact posterior would, so its intervals are if anything
    too wide: the check is one-sided, failing when fewer truths are covered than a Binomial(n, 0.9) count
    falls below once in a thousand (n = fits x parameters, taken as independent). So that a posterior equal
    to the prior (which covers trivially) fails too, the targets must narrow detainer_issue_probability
    (the one they pin down in the synthetic scenario) to under 80 % of its prior's width on average. The fits
    run in this process (pyabc's single-core sampler), so the check is reproducible.
    """
    fits = coverage_fits()
    n = len(fits)
    assert fits.covered.sum() >= binomial_floor(n, LEVEL), fits
    assert fits[fits.parameter == "detainer_issue_probability"].ratio.mean() < 0.8, fits


def test_a_fit_runs_on_a_dask_scheduler_and_leaves_it_running(tmp_path):
    """``--scheduler``: the runs go to the cluster's workers; the fit closes its client, not the cluster."""
    import logging

    from distributed import Client, LocalCluster

    from immsim.sweeps.runner import NO_DASHBOARD

    sc = make(lambda d: free_doc())
    targets = targets_of(figures_of(sc, sc.name, 99, 1))
    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, silence_logs=logging.ERROR, **NO_DASHBOARD
    )
    try:
        post = abc_calibrate(sc, targets, tmp_path, population=10, generations=2, scheduler=cluster.scheduler_address)
        assert list(post.generations.t) == [0, 1] and len(post.ensemble.table) == 10
        with Client(cluster.scheduler_address, timeout="20s") as client:  # the cluster still serves
            assert client.submit(sum, [1, 2]).result() == 3
    finally:
        cluster.close()
