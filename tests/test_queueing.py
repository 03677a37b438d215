"""The model's court and custody stages reproduce queueing theory.

The court, configured as a textbook queue (Poisson filings from outside the
pipeline only, c judges with exponential hearing times), must give the
Erlang C mean wait of M/M/c, and Cobham's per-class waits of M/M/1 with two
non-preemptive priority classes (the detained docket first). Run lengths are
chosen from the asymptotic variance of the queue-length time average
(``theory.birth_death_time_average_variance``): three standard errors stay
within the 2 % tolerance. Time is scaled (a judge completes about 1,000 cases
a day) so that runs of a few simulated years hold about a million cases.

Little's law (L = lambda W) is checked on a full ten-year run of the default
scenario for jails and detention.
"""

from __future__ import annotations

import math

import pytest

import immsim
from immsim.validation import theory
from scenarios import initial, make, params, quiet

MU_PER_DAY = 1000.0  # hearings per judge per day: the time scale of the queue


def court_only(lam_per_day: float, judges: int, detained_share: float = 0.0):
    return make(
        quiet(),
        initial(court_pending=0, detention_population=0),
        params(
            external_court_receipts_per_year=lam_per_day * 365,
            external_detained_share=detained_share,
            immigration_judges=float(judges),
            completions_per_judge_year=MU_PER_DAY * 365,
            detained_case_preparation_days=1.0,
            detention_beds=1e9,
        ),
    )


def run_length_years(lam: float, c: int, tolerance: float = 0.02, sds: float = 3.0) -> float:
    """Years so that `sds` standard errors of the mean wait stay within `tolerance` (relative)."""
    lq, sigma2 = theory.birth_death_time_average_variance(lam, 1.0, c, lambda n: max(0, n - c))
    units = sigma2 / (tolerance / sds * lq) ** 2  # in mean service times
    return units / MU_PER_DAY / 365


def mean_wait(r, detained: bool | None = None) -> float:
    n = r.national
    if detained is None:
        return n.days_waiting_for_hearing.sum() / n.court_completions.sum() * MU_PER_DAY
    if detained:
        return n.days_waiting_for_hearing_detained.sum() / n.court_completions_detained.sum() * MU_PER_DAY
    nd_wait = n.days_waiting_for_hearing.sum() - n.days_waiting_for_hearing_detained.sum()
    return nd_wait / (n.court_completions.sum() - n.court_completions_detained.sum()) * MU_PER_DAY


def test_court_as_mm1_matches_the_pollaczek_khinchine_mean_wait():
    lam, c = 0.5, 1  # rho = 0.5: Wq = rho / (mu - lam) = 1 service time
    years = math.ceil(run_length_years(lam, c))
    r = immsim.simulate(court_only(lam * MU_PER_DAY, c), years=years, seed=11)
    assert r.national.court_completions.sum() > 800_000
    assert mean_wait(r) == pytest.approx(theory.mmc_wait(lam, 1.0, c), rel=0.02)


@pytest.mark.slow
def test_court_as_mm5_matches_erlang_c():
    lam, c = 3.0, 5  # rho = 0.6
    years = math.ceil(run_length_years(lam, c))
    r = immsim.simulate(court_only(lam * MU_PER_DAY, c), years=years, seed=12)
    assert mean_wait(r) == pytest.approx(theory.mmc_wait(lam, 1.0, c), rel=0.02)


def test_detained_docket_first_matches_non_preemptive_priority_waits():
    lam_det, lam_nd = 0.2, 0.3  # rho = 0.5 in all; waits 0.625 and 1.25 service times
    # sized like the single-class M/M/1 at the same load, with a margin of 1.5 for the split by class
    years = math.ceil(1.5 * run_length_years(lam_det + lam_nd, 1))
    sc = court_only((lam_det + lam_nd) * MU_PER_DAY, 1, detained_share=lam_det / (lam_det + lam_nd))
    r = immsim.simulate(sc, years=years, seed=13)
    w_det, w_nd = theory.priority_waits([lam_det, lam_nd], 1.0, 1)
    assert mean_wait(r, detained=True) == pytest.approx(w_det, rel=0.02)
    assert mean_wait(r, detained=False) == pytest.approx(w_nd, rel=0.02)


@pytest.fixture(scope="module")
def default_ten_years():
    return immsim.simulate("us-2017", years=10, seed=3)


def littles_law(person_days: float, entries_or_exits: float, stay_days: float, days: int) -> tuple[float, float]:
    """(L, lambda W) over a run: average number present, and exit rate x mean stay."""
    return person_days / days, (entries_or_exits / days) * (stay_days / entries_or_exits)


@pytest.mark.slow
def test_littles_law_for_detention_and_jails_over_ten_years(default_ten_years):
    """Sample-path Little's law: the two sides differ only by the stays cut by the run's ends.

    Those boundary terms are at most (people present at start + at end) x the
    mean stay, relative to all person-days: about 1 % for detention (some 35,000
    detained, 40-day stays, ten years) and about 4 % for jails (longer stays of
    people with serious convictions, and jails full at both ends of the run since
    they start at their steady state); the tolerance allows that bound, and the
    last line keeps the check meaningful (a bound of a few per cent at most).
    """
    r = default_ten_years
    n = r.national
    days = int(n.days.sum())
    stocks = n.groupby("month")[["stock_detained_removal", "stock_detained_court", "stock_jail"]].sum()
    for person_days, exits, stay, present in (
        (
            "detention_bed_days",
            "detention_exits",
            "detention_stay_days",
            stocks.stock_detained_removal + stocks.stock_detained_court,
        ),
        ("jail_person_days", "jail_releases", "jail_stay_days", stocks.stock_jail),
    ):
        big_l, lam_w = littles_law(n[person_days].sum(), n[exits].sum(), n[stay].sum(), days)
        mean_stay = n[stay].sum() / n[exits].sum()
        bound = 2 * present.max() * mean_stay / n[person_days].sum()
        assert abs(big_l - lam_w) / big_l <= bound, person_days
        assert bound < 0.06
