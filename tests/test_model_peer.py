"""The model's own pipeline (its daily kernel, through a scenario) against exact answers, with a power check.

Issue 17: the engine's Ciw and Erlang checks run ``validation/network/``, which
the model's kernel never calls. Here ``immsim.simulate`` runs the scenario of
``validation/pipeline.py`` (jail, hold and pickups, beds, court) and each
statistic is compared with its exact value (``validation/chains.py`` for the
daily hold and beds, M/G/infinity for the jail, Erlang C for the court) by a
t-test over replications with fixed seeds, Bonferroni-corrected at a
family-wise 1 %: a correct model fails with probability at most 1 %, and the
tolerance is the sampling error, not a figure read off the output. The quick
tests use 10 replications of 6 years (about 4 s a run on one core); the
report uses 20.

The chains themselves are checked apart from the model: against closed forms
in limiting cases, against an independent dense solution, and against a
direct simulation of the daily rules in plain Python.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from immsim.validation import model_peer, report
from immsim.validation.chains import beds_after_pickups, hold_chain, poisson_counts
from immsim.validation.pipeline import DEFAULT, pipeline_scenario

YEARS, REPS, SEED = 6, 10, 1


@pytest.fixture(scope="module")
def reps():
    """The model's statistics, one row per replication (what ``model_peer_check`` compares)."""
    return model_peer.run(years=YEARS, replications=REPS, seed=SEED)


@pytest.fixture(scope="module")
def correct(reps):
    table = model_peer.compare(reps, model_peer.exact())
    table.attrs.update(years=YEARS, replications=REPS, seed=SEED)
    return table


# --- the exact answers ------------------------------------------------------------------------------------------


def test_a_hold_without_window_loses_what_exceeds_the_day_capacity():
    lam, cap = 6.0, 5
    h = hold_chain(lam, cap, 0)
    a = np.arange(200)
    excess = (stats.poisson.pmf(a, lam) * np.maximum(a - cap, 0)).sum()
    assert h.missed_share == pytest.approx(excess / lam, rel=1e-9)
    assert h.waiting == 0.0


def test_the_hold_chain_conserves_people_and_never_loses_with_ample_capacity():
    h = hold_chain(6.0, 6, 2)
    assert h.pickups_per_day + h.missed_per_day == pytest.approx(6.0, rel=1e-9)
    assert h.pi.sum() == pytest.approx(1.0) and (h.pi > -1e-15).all()
    ample = hold_chain(6.0, len(poisson_counts(6.0)), 2)
    assert ample.missed_share == 0.0 and ample.waiting == 0.0


def test_beds_fed_by_poisson_pickups_match_an_independent_dense_solution():
    lam, beds, stay = 5.0, 30, 6.0
    answer = beds_after_pickups(hold_chain(lam, 1000, 0), beds, stay)  # pickups never bind: Poisson input
    # the same daily rule as a dense (beds + 1) x (beds + 1) matrix, solved by its left eigenvector
    x, a = np.arange(beds + 1), np.arange(120)
    survive = stats.binom.pmf(x[None, :], x[:, None], 1 - 1 / stay)
    arrive = stats.poisson.pmf(a, lam)
    p = np.zeros((beds + 1, beds + 1))
    for s in x:
        np.add.at(p, (slice(None), np.minimum(s + a, beds)), survive[:, [s]] * arrive[None, :])
    w, v = np.linalg.eig(p.T)
    pi = np.real(v[:, np.argmin(abs(w - 1))])
    pi /= pi.sum()
    rho = pi @ survive  # survivors in the morning
    admitted = sum(rho[s] * arrive @ np.minimum(a, beds - s) for s in x)
    assert answer.beds_in_use == pytest.approx(pi @ x, rel=1e-8)
    assert answer.book_ins_per_day == pytest.approx(admitted, rel=1e-8)
    # Little's law in discrete time: an admitted person is in a bed at the end of G days, E[G] = stay
    assert answer.beds_in_use == pytest.approx(answer.book_ins_per_day * stay, rel=1e-9)


def test_the_joint_chain_obeys_littles_law_and_ample_beds_give_m_g_infinity():
    h = hold_chain(6.0, 6, 2)
    finite = beds_after_pickups(h, 32, 6.0)
    assert finite.beds_in_use == pytest.approx(finite.book_ins_per_day * 6.0, rel=1e-9)
    ample = beds_after_pickups(h, 90, 6.0)  # 90 beds for a mean of 35 in use: practically unlimited
    assert ample.overflow_share < 1e-10
    assert ample.beds_in_use == pytest.approx(h.pickups_per_day * 6.0, rel=1e-9)


def test_the_chains_match_a_direct_simulation_of_the_daily_rules():
    # the rules written again in plain Python, from docs/model.md, not from the chains; 20 batches of
    # 20,000 days give a standard error per statistic, and the chain must be within 4 of them
    lam, cap, window, beds, stay = DEFAULT.hold_releases, DEFAULT.pickups, DEFAULT.window, DEFAULT.beds, 6.0
    rng = np.random.default_rng(7)
    batches = []
    waiting, x = [0] * window, 0
    for _ in range(20):
        arrivals = rng.poisson(lam, 20_000)
        lost = picked = over = bed_days = 0
        for a in arrivals:
            ages, left = [int(a), *waiting], cap
            for i in range(window, -1, -1):
                take = min(left, ages[i])
                ages[i] -= take
                left -= take
            picked += cap - left
            lost += ages[window]
            waiting = ages[:window]
            x -= rng.binomial(x, 1 / stay)
            admit = min(cap - left, beds - x)
            over += cap - left - admit
            x += admit
            bed_days += x
        batches.append((lost / arrivals.sum(), over / picked, bed_days / len(arrivals)))
    sim = np.array(batches)
    h = hold_chain(lam, cap, window)
    b = beds_after_pickups(h, beds, stay)
    se = sim.std(axis=0, ddof=1) / np.sqrt(len(sim))
    np.testing.assert_array_less(np.abs(sim.mean(axis=0) - [h.missed_share, b.overflow_share, b.beds_in_use]), 4 * se)


# --- the model against them -------------------------------------------------------------------------------------


def test_the_pipeline_is_an_ordinary_valid_scenario():
    sc = pipeline_scenario()
    assert [j.code for j in sc.data.jurisdictions] == ["P1"] and sc.offices == ["O1"]
    wrong = pipeline_scenario(changes={"detention_beds": 30.0})
    assert wrong.data.parameters["detention_beds"].value == 30.0
    assert sc.data.parameters["detention_beds"].value == DEFAULT.beds


def test_the_models_pipeline_agrees_with_the_exact_answers(correct):
    assert list(correct.station.unique()) == ["jail", "hold", "detention", "court"]
    assert len(correct) == len(model_peer.STATISTICS)
    assert correct.agree.all(), correct[~correct.agree]
    # resolution: every statistic is known to within a few per cent, so the errors below cannot hide
    assert (correct.rel_se < 0.05).all(), correct[["statistic", "rel_se"]]
    # every station is busy: misses, overflow and waits are not vacuously zero
    row = correct.set_index("statistic").exact
    assert row.missed_share > 0.02 and row.overflow_share > 0.05 and row.mean_wait > 0.3


def test_the_jails_replication_spread_is_what_m_g_infinity_predicts(reps):
    # second moments too. Releases are independent Poisson days, so their daily mean has variance lam / T. The
    # population of a station with geometric stays (mean m, q = 1 - 1/m) has autocovariance lam m q^s, so its
    # time average has variance lam m (1 + q) / (1 - q) / T = lam m (2m - 1) / T (up to edge terms of order m / T).
    # A chi-square test of the spread over replications, two-sided at 1 %, for each.
    days = (dt.date(2017 + YEARS, 1, 1) - dt.date(2017, 4, 1)).days  # six years less the three warm-up months
    p = DEFAULT
    stays = [(p.hold_releases, p.hold_stay), (p.transfers, p.transfer_stay)]
    variance = {
        "releases_per_day": (p.hold_releases + p.transfers) / days,
        "people_in_jail": sum(lam * m * (2 * m - 1) for lam, m in stays) / days,
    }
    for name, var in variance.items():
        chi2 = (REPS - 1) * reps[name].var(ddof=1) / var
        assert stats.chi2.ppf(0.005, REPS - 1) < chi2 < stats.chi2.ppf(0.995, REPS - 1), (name, chi2)


def test_power_the_same_comparison_rejects_a_15_percent_faster_court(correct):
    wrong = model_peer.model_peer_check(
        years=YEARS, replications=REPS, seed=SEED, changes={"completions_per_judge_year": 365 * 1.15}
    ).set_index("statistic")
    assert not wrong.agree.all()
    assert not wrong.agree["mean_wait"] and not wrong.agree["cases_pending"]
    upstream = ["releases_per_day", "people_in_jail", "missed_share", "pickups_per_day", "overflow_share"]
    assert wrong.agree[upstream].all()  # upstream of the court nothing changed


def test_power_the_same_comparison_rejects_one_more_pickup_a_day(correct):
    wrong = model_peer.model_peer_check(
        years=YEARS, replications=REPS, seed=SEED, changes={"pickups_per_officer_day": DEFAULT.pickups + 1.0}
    ).set_index("statistic")
    assert not wrong.agree[["missed_share", "pickups_per_day", "days_in_hold", "overflow_share"]].any()
    assert wrong.agree[["releases_per_day", "people_in_jail", "hearings_per_day", "mean_wait"]].all()


@pytest.mark.slow
def test_power_every_wrong_model_is_rejected_at_the_reports_settings():
    table = model_peer.power_check()
    assert len(table) == len(model_peer.wrong_models())
    assert table.detected.all(), table


def test_the_report_shows_the_pipeline_and_labels_the_engines_checks(correct):
    import pandas as pd

    row = {"check": "engine M/M/5", "simulated": 1.0, "theory": 1.0, "rel_error": 0.0, "tolerance": 0.02}
    theory_df = pd.DataFrame([row | {"status": "pass"}])
    power = pd.DataFrame(
        [{"wrong_model": "w", "changes": "x = 1", "disagree": "mean_wait", "smallest_p": 1e-9, "detected": True}]
    )
    text = "\n".join(model_peer.markdown_lines(correct, power))
    assert "## 2. The model's own pipeline against theory" in text
    assert "| court | mean_wait |" in text and "| w | `x = 1` | mean_wait |" in text
    assert f"{REPS} replications of {YEARS} years" in text
    targets = pd.DataFrame(columns=["metric", "status", "role", "period", "note"])
    backtest = pd.DataFrame(
        [dict.fromkeys(["pending_eoir", "pending_model", "completions_eoir", "completions_model"], 1.0)]
    ).assign(fiscal_year=2009, pending_error=0.0, completions_error=0.0, eoir_completions_per_judge=1.0)
    full = report.markdown("x", theory_df, None, targets, backtest, 1, 1, pipeline_df=correct, power_df=power)
    headings = [line for line in full.splitlines() if line.startswith("## ")]
    assert headings[:4] == [
        "## 1. Queueing theory: the model's court, and the engine's own checks",
        "## 2. The model's own pipeline against theory",
        "## 3. Peer simulator (Ciw): the engine's own check",
        "## 4. Public figures, FY2017",
    ]
