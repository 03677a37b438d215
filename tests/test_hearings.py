"""Case types, hearing stages and continuances (model/hearings.py, issue 14 point 1).

A busy court (a backlog that never empties) keeps every judge hearing all the
time, so the hearings held in a period are Poisson with mean
judges x capacity x days / 365 / (mean time of a hearing, in reference
hearings): each judge is a Poisson process of hearings while busy. Each
hearing is continued independently with probability q, so continuances are a
binomial thinning of that Poisson count (Poisson with mean q x hearings) and
completions the complementary thinning. Tolerances are four Poisson standard
deviations. Runs that share a seed share their receipts (common random
numbers), so differences in the backlog are differences in completions.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

import immsim
from scenarios import START, event, initial, make, params, quiet

SEED = 140001
K = 4.0
JUDGES, RATE = 10.0, 600.0
CAPACITY = JUDGES * RATE  # reference hearings a year
NEUTRAL = {
    "asylum_share_detained": 0.0,
    "asylum_share_released": 0.0,
    "asylum_share_never_detained": 0.0,
    "master_hearing_time": 0.0,
    "asylum_merits_hearing_time": 1.0,
    "continuance_probability_preparation": 0.0,
    "continuance_probability_representation": 0.0,
    "continuance_probability_judge": 0.0,
    "relief_application_share_detained_represented": 1.0,
    "relief_application_share_detained_unrepresented": 1.0,
    "relief_application_share_represented": 1.0,
    "relief_application_share_unrepresented": 1.0,
    "no_relief_hearing_time": 1.0,
}
NO_RELIEF = 0.25  # judge time of a case decided without a relief application, in reference hearings


def _leave_out_hearing_parameters(doc: dict) -> None:
    for name in NEUTRAL:
        del doc["parameters"][name]


def _busy(*patches, **values) -> immsim.Result:
    """One year of a court with a backlog it cannot clear and no closures."""
    sc = make(
        quiet(),
        params(immigration_judges=JUDGES, completions_per_judge_year=RATE, admin_closure_probability=0.0),
        params(recalendar_rate=0.0, external_court_receipts_per_year=1000.0, external_detained_share=0.0),
        initial(court_pending=20_000, detention_population=0),
        params(**values),
        *patches,
    )
    return immsim.simulate(sc, years=1.0, seed=SEED)


def _total(r: immsim.Result, col: str) -> float:
    return float(r.national[col].sum())


def _near(value: float, mean: float, what: str) -> None:
    assert abs(value - mean) <= K * math.sqrt(mean), f"{what}: {value:.0f}, expected {mean:.0f}"


@pytest.fixture(scope="module")
def neutral() -> immsim.Result:
    return _busy(**NEUTRAL)


def test_with_neutral_values_every_case_is_heard_once_and_never_continued(neutral):
    r = _busy(_leave_out_hearing_parameters)  # the defaults are the neutral values
    assert "master_hearing_time" not in r.scenario.data.parameters
    for col in ("court_completions", "court_pending", "in_absentia_orders", "median_days_pending"):
        np.testing.assert_array_equal(r.national[col], neutral.national[col])
    assert _total(r, "court_hearings") == _total(r, "court_completions") + _total(r, "administrative_closures")
    for reason in ("preparation", "representation", "judge"):
        assert _total(r, f"continuances_{reason}") == 0
    _near(_total(r, "court_hearings"), CAPACITY, "hearings held by busy judges")


def test_more_continuances_at_fixed_judges_lower_completions_and_raise_the_backlog(neutral):
    q = 0.3
    r = _busy(continuance_probability_preparation=q)
    held = _total(r, "court_hearings")
    _near(held, CAPACITY, "hearings held")  # the judges' time is the same: continued hearings use it too
    _near(_total(r, "continuances_preparation"), q * CAPACITY, "continuances")
    _near(_total(r, "court_completions"), (1 - q) * CAPACITY, "completions")
    assert _total(r, "court_completions") < _total(neutral, "court_completions")
    # same receipts (common random numbers): the backlog is higher by the completions lost, about q x capacity
    gap = float(r.national.court_pending.iloc[-1] - neutral.national.court_pending.iloc[-1])
    lost = _total(neutral, "court_completions") - _total(r, "court_completions")
    assert gap == lost
    _near(gap, q * CAPACITY, "backlog difference")


def test_continuances_to_find_counsel_apply_to_unrepresented_respondents_only():
    r = _busy(continuance_probability_representation=0.5, represented_share_never_detained=1.0)
    assert _total(r, "continuances_representation") == 0
    r = _busy(continuance_probability_representation=0.5)
    _near(_total(r, "continuances_representation"), 0.5 * CAPACITY, "continuances to find counsel")


def test_longer_asylum_merits_hearings_lower_completions_per_judge():
    # every case is an asylum case heard once at 3 reference hearings: a busy judge completes RATE / 3 a year
    r = _busy(asylum_share_never_detained=1.0, asylum_merits_hearing_time=3.0)
    _near(_total(r, "court_completions"), CAPACITY / 3, "asylum completions")


def test_a_respondent_who_does_not_appear_uses_only_master_calendar_time():
    # everyone misses the master-calendar hearing (half a reference hearing): ordered removed in absentia there
    r = _busy(master_hearing_time=0.5, no_show_probability=1.0)
    _near(_total(r, "in_absentia_orders"), CAPACITY / 0.5, "in absentia completions at master-calendar hearings")
    assert _total(r, "in_absentia_orders") == _total(r, "court_completions") == _total(r, "court_hearings")


def test_with_a_master_calendar_stage_a_completed_case_had_two_hearings():
    # a court that keeps up: receipts below capacity, no backlog at start, everyone appears, no continuances
    sc = make(
        quiet(),
        params(immigration_judges=JUDGES, completions_per_judge_year=RATE, admin_closure_probability=0.0),
        params(external_court_receipts_per_year=2000.0, no_show_probability=0.0, master_hearing_time=0.5),
        initial(court_pending=0, detention_population=0),
    )
    r = immsim.simulate(sc, years=1.0, seed=SEED)
    done, held = _total(r, "court_completions"), _total(r, "court_hearings")
    pending = float(r.national.court_pending.iloc[-1])
    # every completed case had its master-calendar and its merits hearing; a pending case had at most the first
    assert 2 * done <= held <= 2 * done + pending
    assert done > 0.9 * (_total(r, "court_receipts") - pending)


def test_a_completion_goal_still_raises_hearings_from_its_date_and_only_then():
    q, factor, day = 0.3, 1.4, 181
    goal_date = START + dt.timedelta(days=day)
    base = _busy(continuance_probability_preparation=q)
    sc = make(
        quiet(),
        params(immigration_judges=JUDGES, completions_per_judge_year=RATE, admin_closure_probability=0.0),
        params(recalendar_rate=0.0, external_court_receipts_per_year=1000.0, external_detained_share=0.0),
        initial(court_pending=20_000, detention_population=0),
        params(continuance_probability_preparation=q),
        event(type="court_policy", policy="completion_goals", date=goal_date, factor=factor),
    )
    goal = immsim.simulate(sc, years=1.0, seed=SEED)
    before = goal.national.month < np.datetime64(goal_date)
    assert before.sum() == 6
    for col in ("court_hearings", "court_completions", "continuances_preparation", "court_pending"):
        np.testing.assert_array_equal(goal.national[col][before], base.national[col][before])
    days = float(goal.national.days[~before].sum())
    held = float(goal.national.court_hearings[~before].sum())
    _near(held, factor * CAPACITY * days / 365.0, "hearings after the goal")
    done = float(goal.national.court_completions[~before].sum())
    _near(done, (1 - q) * factor * CAPACITY * days / 365.0, "completions after the goal")


def test_a_case_that_appears_uses_master_calendar_and_merits_time():
    # everyone appears: a case takes 0.5 + 1 reference hearings, so a busy judge completes RATE / 1.5 a year (the
    # count of a renewal process whose steps add two exponentials varies less than a Poisson count: 4 Poisson sd
    # is a wider band)
    r = _busy(master_hearing_time=0.5, no_show_probability=0.0)
    done = _total(r, "court_completions")
    _near(done, CAPACITY / 1.5, "completions with a master-calendar stage")
    # the merits hearing follows the master-calendar one at the next free slot: at most one per judge is in between
    assert 2 * done <= _total(r, "court_hearings") <= 2 * done + JUDGES


def _kinds(asylum: float, applied: float, asylum_time: float) -> list[tuple[float, float]]:
    """(probability, mean time) of a case's deciding hearing: asylum, other relief, none (``model.hearings``)."""
    other = max(0.0, applied - asylum)
    return [(asylum, asylum_time), (other, 1.0), (1.0 - asylum - other, NO_RELIEF)]


def _expect_completions(r: immsim.Result, kinds: list[tuple[float, float]], rate: float, q: float = 0.0) -> None:
    """Completions of a busy court whose hearing times are a mixture of exponentials (``kinds``).

    A busy judge's hearings are then a renewal process: over the year their count has mean capacity / m and
    variance about CV^2 times that (m the mean time of a hearing, CV^2 its squared coefficient of variation);
    completions are the (1 - q) thinning of it.
    """
    m = sum(p * t for p, t in kinds)
    cv2 = sum(p * 2 * t * t for p, t in kinds) / (m * m) - 1
    hearings = JUDGES * rate / m
    mean = (1 - q) * hearings
    sd = math.sqrt((1 - q) ** 2 * cv2 * hearings + q * (1 - q) * hearings)
    done = _total(r, "court_completions")
    assert abs(done - mean) <= K * sd, f"completions {done:.0f}, expected {mean:.0f} +- {K * sd:.0f}"


def test_a_case_without_a_relief_application_is_decided_at_one_short_hearing():
    # four times as many cases heard as with one reference hearing each: a backlog they cannot clear either
    r = _busy(
        initial(court_pending=40_000), relief_application_share_unrepresented=0.0, no_relief_hearing_time=NO_RELIEF
    )
    _near(_total(r, "court_completions"), CAPACITY / NO_RELIEF, "completions without relief applications")
    assert _total(r, "court_hearings") == _total(r, "court_completions")


def test_represented_respondents_apply_for_relief_more_often_and_use_more_judge_time():
    """Counsel changes what a case costs: the relief it applies for takes a merits hearing (issue 14, point 2)."""
    shares = {"relief_application_share_represented": 0.8, "relief_application_share_unrepresented": 0.2}
    done = {}
    for counsel in (1.0, 0.0):
        r = _busy(represented_share_never_detained=counsel, no_relief_hearing_time=NO_RELIEF, **shares)
        applied = shares[
            "relief_application_share_represented" if counsel else "relief_application_share_unrepresented"
        ]
        _expect_completions(r, _kinds(0.0, applied, 1.0), RATE)
        done[counsel] = _total(r, "court_completions")
    assert done[1.0] < done[0.0]


def test_detained_respondents_apply_for_relief_with_the_detained_shares():
    # a docket of detained cases only, more than the judges can hear: none applies (the detained share, 0) while
    # every non-detained respondent would (1), so each case takes the short hearing; ready a day after filing
    r = _busy(
        initial(court_pending=0),
        params(external_court_receipts_per_year=40_000.0, external_detained_share=1.0, detention_beds=1e6),
        params(detained_case_preparation_days=1.0, relief_application_share_detained_unrepresented=0.0),
        no_relief_hearing_time=NO_RELIEF,
    )
    assert _total(r, "court_completions_detained") == _total(r, "court_completions")
    _near(_total(r, "court_completions"), CAPACITY / NO_RELIEF * 364 / 365, "detained completions")


def test_an_asylum_case_is_a_relief_application_whatever_the_share():
    # every case carries an asylum application, none applies for anything else: all take the asylum merits hearing
    r = _busy(
        asylum_share_never_detained=1.0,
        asylum_merits_hearing_time=3.0,
        relief_application_share_unrepresented=0.0,
        no_relief_hearing_time=NO_RELIEF,
    )
    _near(_total(r, "court_completions"), CAPACITY / 3, "asylum completions")


def test_the_default_scenarios_hearing_values_keep_fy2017s_completions_per_judge():
    """us-2017's judge time is FY2017's 555 completions per judge times the reference hearings a case needs.

    A case's deciding hearing takes A reference hearings with an asylum application (share s), 1 with another
    application for relief, ``no_relief_hearing_time`` with none; who applies depends on custody and counsel, mixed
    as the derivation says (a third of FY2017's completions detained); a case needs that mean over (1 - q) hearings
    (q the continuance probability). The simulation checks it on a busy never-detained docket.
    """
    P = immsim.load_scenario("us-2017").data.parameters
    v = {name: P[name].value for name in NEUTRAL if name in P}
    s, A, q = (
        v["asylum_share_never_detained"],
        v["asylum_merits_hearing_time"],
        v["continuance_probability_preparation"],
    )
    rate = P["completions_per_judge_year"].value
    assert v["no_relief_hearing_time"] == NO_RELIEF and s > 0 and A > 1 and q > 0  # the default uses the mechanism
    detained_share = 0.33
    assert f"{detained_share}: the detained share" in str(P["completions_per_judge_year"].source)

    def mean_time(counsel: float, represented: str, unrepresented: str) -> float:
        kinds = [(counsel, _kinds(s, v[represented], A)), (1 - counsel, _kinds(s, v[unrepresented], A))]
        return sum(c * p * t for c, ks in kinds for p, t in ks)

    detained = mean_time(
        P["represented_share_detained"].value,
        "relief_application_share_detained_represented",
        "relief_application_share_detained_unrepresented",
    )
    counsel = P["represented_share_never_detained"].value
    others = mean_time(counsel, "relief_application_share_represented", "relief_application_share_unrepresented")
    per_case = (detained_share * detained + (1 - detained_share) * others) / (1 - q)
    assert abs(rate / per_case - 555) < 1  # FY2017's completions and closures per judge, up to rounding
    on_docket = {k: x for k, x in v.items() if "detained" not in k or "never" in k}
    r = _busy(completions_per_judge_year=rate, represented_share_never_detained=counsel, **on_docket)
    kinds = [
        (c * p, t)
        for c, applied in (
            (counsel, v["relief_application_share_represented"]),
            (1 - counsel, v["relief_application_share_unrepresented"]),
        )
        for p, t in _kinds(s, applied, A)
    ]
    _expect_completions(r, kinds, rate, q)
