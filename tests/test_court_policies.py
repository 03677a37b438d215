"""Dated court policies as events (issue 14, point 4): completion goals, hearing suspensions, no closures.

With a backlog that never empties every judge is always busy, so completions
in a period are Poisson with mean judges x rate x days / 365 (the busy M/M/c
queue); the tolerance is four Poisson standard deviations. Before an event's
date two runs with the same seed are identical, day for day (common random
numbers), which is how "from its date and only then" is checked exactly.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import yaml

import immsim
from immsim.scenario.compile import compile_scenario
from immsim.scenario.loader import ScenarioError
from scenarios import START, event, initial, make, params, quiet

SEED = 20181001
K = 4.0
JUDGES, RATE = 10.0, 600.0
GOAL_DAY = 181  # 2017-07-01, the first day of a report month
GOAL = START + dt.timedelta(days=GOAL_DAY)


def _run(*patches) -> immsim.Result:
    busy = (
        quiet(),
        params(immigration_judges=JUDGES, completions_per_judge_year=RATE, admin_closure_probability=0.2),
        params(recalendar_rate=0.0),
        initial(court_pending=20_000, detention_population=0),
    )
    return immsim.simulate(make(*busy, *patches), years=1.0, seed=SEED)


def _hearings(r: immsim.Result) -> pd.Series:
    """Hearings held: completions and administrative closures (both take a judge's time)."""
    n = r.national
    return n.court_completions + n.administrative_closures


@pytest.fixture(scope="module")
def baseline() -> immsim.Result:
    return _run()


def test_court_completion_goal_raises_completions_per_judge_from_its_date_and_only_then(baseline):
    factor = 1.4
    goal = _run(event(type="court_policy", policy="completion_goals", date=GOAL, factor=factor))
    before = goal.national.month < np.datetime64(GOAL)
    assert before.sum() == 6
    # identical before the date: the same random numbers, the same hearings
    for col in ("court_completions", "administrative_closures", "in_absentia_orders", "court_pending"):
        np.testing.assert_array_equal(goal.national[col][before], baseline.national[col][before])
    # from the date: every judge busy, hearings at factor x the rate
    days = float(goal.national.days[~before].sum())
    for r, rate in ((baseline, RATE), (goal, factor * RATE)):
        mean = JUDGES * rate * days / 365.0
        held = float(_hearings(r)[~before].sum())
        assert abs(held - mean) <= K * math.sqrt(mean), f"{held} hearings, expected {mean:.0f}"
    assert _hearings(goal)[~before].sum() > _hearings(baseline)[~before].sum()


def test_court_hearing_suspension_stops_non_detained_hearings_only_while_it_lasts(baseline):
    end = GOAL + dt.timedelta(days=92)  # 2017-10-01: three whole months
    detained = {"external_court_receipts_per_year": 2000.0, "external_detained_share": 1.0, "detention_beds": 5000.0}
    base = _run(params(**detained))
    r = _run(
        params(**detained), event(type="court_policy", policy="hearing_suspension", date=GOAL, end=end.isoformat())
    )
    n, b = r.national, base.national
    month = n.month
    during = (month >= np.datetime64(GOAL)) & (month < np.datetime64(end))
    assert during.sum() == 3
    nondetained = n.court_completions - n.court_completions_detained
    # only the hearings under way on the date finish: one at most per judge
    assert nondetained[during].iloc[0] <= JUDGES
    assert (nondetained[during].iloc[1:] == 0).all()
    # detained hearings go on: every detained case is heard, as in the run without the suspension
    held, same = n.court_completions_detained[during].sum(), b.court_completions_detained[during].sum()
    assert held > 100 and abs(held - same) <= K * math.sqrt(same)
    # after the suspension the judges are busy again on the backlog
    after = month >= np.datetime64(end)
    mean = JUDGES * RATE * float(n.days[after].sum()) / 365.0
    assert abs(float(_hearings(r)[after].sum()) - mean) <= K * math.sqrt(mean)
    before = month < np.datetime64(GOAL)
    np.testing.assert_array_equal(n.court_completions[before], b.court_completions[before])


def test_court_no_admin_closure_stops_closures_only_while_in_force(baseline):
    end = GOAL + dt.timedelta(days=92)
    r = _run(event(type="court_policy", policy="no_admin_closure", date=GOAL, end=end.isoformat()))
    month = r.national.month
    during = (month >= np.datetime64(GOAL)) & (month < np.datetime64(end))
    assert r.national.administrative_closures[during].sum() == 0
    assert (r.national.administrative_closures[~during] > 0).all()
    # the judges' time goes to completions instead: hearings go on at the same rate
    mean = JUDGES * RATE * float(r.national.days[during].sum()) / 365.0
    held = float(r.national.court_completions[during].sum())
    assert abs(held - mean) <= K * math.sqrt(mean)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"policy": "completion_goals"}, "needs a 'factor'"),
        ({"policy": "completion_goals", "factor": 0.0}, "above 0"),
        ({"policy": "hearing_suspension", "factor": 0.5}, "takes no 'factor'"),
        ({"policy": "no_admin_closure", "factor": 0.5}, "takes no 'factor'"),
        ({"policy": "no_admin_closure", "end": "2017-01-01"}, "after 'date'"),
        ({"policy": "faster_judges", "factor": 2.0}, "policy"),
    ],
)
def test_court_policy_events_refuse_what_they_cannot_mean(fields, words):
    with pytest.raises(ScenarioError, match=words):
        make(event(type="court_policy", date=START, **fields))


def _us2017_rates(tmp_path, changes: list) -> np.ndarray:
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump({"name": "r", "title": "r", "base": "us-2017", "changes": changes}))
    sc = immsim.load_scenario(str(path) if changes else "us-2017")
    comp = compile_scenario(sc, sc.data.start, 4 * 365)
    day = int(np.searchsorted(comp.dates, np.datetime64("2018-10-01")))
    return comp.params.completions_per_judge_year[day - 1 : day + 1], comp.params.admin_closure_probability[
        day - 100
    ]  # 2018-06-23


def test_court_policies_of_us_2017_can_be_removed_or_added_by_a_reform(tmp_path):
    rates, closure = _us2017_rates(tmp_path, [])
    assert rates[1] > rates[0] and closure == 0.0  # the goals from FY2019; no closures after Castro-Tum
    rates, closure = _us2017_rates(
        tmp_path,
        [
            {"remove_event": {"type": "court_policy", "policy": "completion_goals"}},
            {"remove_event": {"type": "court_policy", "policy": "no_admin_closure"}},
        ],
    )
    assert rates[1] == rates[0] and closure > 0.0
    added = {
        "type": "court_policy",
        "policy": "completion_goals",
        "date": "2018-10-01",
        "factor": 2.0,
        "meaning": "a reform's goal",
        "source": "test",
    }
    rates2, _ = _us2017_rates(
        tmp_path, [{"remove_event": {"type": "court_policy", "policy": "completion_goals"}}, {"add_event": added}]
    )
    assert rates2[1] == pytest.approx(2.0 * rates2[0])
