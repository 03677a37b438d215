"""The MPP docket (issue 14, point 4): a share of border cases waits outside the United States.

Tolerances come from the draws: each eligible case is enrolled with
probability ``share`` (binomial), each MPP respondent fails to appear with
probability ``no_show_probability`` (binomial over the decided cases), and a
station of busy judges completes a Poisson number of hearings (mean judges x
rate x days / 365). Bounds are four standard deviations; seeds are fixed.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

import immsim
from immsim.model import codes as c
from immsim.model.people import COMMUNITY, OUTSIDE
from immsim.scenario.compile import compile_scenario
from immsim.scenario.loader import ScenarioError
from immsim.simulation import run_replication, run_span
from scenarios import START, event, initial, make, params, quiet

SEED = 20190128
K = 4.0
JUDGES, RATE = 10.0, 600.0
OPEN_DAY = 90  # 2017-04-01, the first day of a report month
OPEN = START + dt.timedelta(days=OPEN_DAY)


def mpp(share: float, no_show: float = 0.5, judge_share: float = 0.3, **dates) -> object:
    return event(
        type="court_policy",
        policy="mpp",
        date=dates.get("date", START),
        share=share,
        no_show_probability=no_show,
        judge_share=judge_share,
        **({"end": dates["end"]} if "end" in dates else {}),
    )


#: Only the border and external receipts bring cases, none detained: every receipt may go on the MPP docket.
BORDER_ONLY = (
    quiet(),
    params(
        border_book_ins_per_year=6000.0,
        border_expedited_probability=0.0,
        detain_contested_probability=0.0,
        external_court_receipts_per_year=3000.0,
        external_detained_share=0.0,
        immigration_judges=JUDGES,
        completions_per_judge_year=RATE,
    ),
    initial(court_pending=20_000, detention_population=0),
)


def test_mpp_enrolls_its_share_of_border_receipts():
    share = 0.3
    n = immsim.simulate(make(*BORDER_ONLY, mpp(share)), years=1.0, seed=SEED).national
    eligible, enrolled = float(n.court_receipts.sum()), float(n.mpp_receipts.sum())
    sd = math.sqrt(eligible * share * (1 - share))
    assert eligible > 5000
    assert abs(enrolled - share * eligible) <= K * sd, f"{enrolled:.0f} of {eligible:.0f} enrolled"


def test_mpp_enrolls_only_cases_from_the_border_and_its_people_are_never_arrested_in_the_interior():
    """With every interior operation on and a share of 1, the MPP docket takes exactly the receipts that do not
    follow an interior arrest; its people come only from outside and leave only to a final state."""
    sc = make(
        params(detain_contested_probability=0.0, external_detained_share=0.0, border_expedited_probability=0.0),
        mpp(1.0, judge_share=0.5),
    )
    r = immsim.simulate(sc, years=1.0, seed=SEED)
    n = r.national
    assert n.notices_to_appear.sum() > 100 and n.mpp_receipts.sum() > 1000  # interior arrests go on as usual
    np.testing.assert_array_equal(n.mpp_receipts, n.court_receipts - n.notices_to_appear)
    _, days = run_span(sc, None, 1.0, SEED, 1)
    w = run_replication(compile_scenario(sc, START, days, SEED), SEED)
    moves = w.tally.moves.sum(axis=0)  # [from, to], summed over criminal history
    into = np.flatnonzero(moves[:, c.MPP])
    out = np.flatnonzero(moves[c.MPP, :])
    assert set(into) == {OUTSIDE}
    assert set(out) <= {c.REMOVED, c.RELIEF, c.DEPARTED} and moves[c.MPP, c.DEPARTED] > 0
    assert moves[c.MPP, COMMUNITY] == 0


def test_mpp_in_absentia_share_follows_its_appearance_probability():
    no_show = 0.45
    r = immsim.simulate(make(*BORDER_ONLY, mpp(1.0, no_show=no_show, judge_share=0.6)), years=1.0, seed=SEED)
    n = r.national
    decided, absent = float(n.mpp_completions.sum()), float(n.mpp_in_absentia_orders.sum())
    assert decided > 2000
    assert abs(absent - no_show * decided) <= K * math.sqrt(decided * no_show * (1 - no_show))
    # the interior docket's own no-show probability (0.35 in the test scenario) does not apply to them
    assert abs(absent / decided - 0.35) > K * math.sqrt(0.35 * 0.65 / decided)


def test_mpp_judges_hear_their_docket_at_their_share_of_the_court():
    """Both dockets stay busy: the MPP judges complete round(share x judges) x rate, the others the rest."""
    share = 0.3
    sc = make(*BORDER_ONLY, mpp(1.0, judge_share=share), params(border_book_ins_per_year=20_000.0))
    n = immsim.simulate(sc, years=1.0, seed=SEED).national
    later = n.month >= np.datetime64(OPEN)  # the MPP docket has filled by then
    days = float(n.days[later].sum())
    on_mpp = round(share * JUDGES)
    for held, judges in (
        (n.mpp_completions[later].sum(), on_mpp),
        ((n.court_completions - n.mpp_completions)[later].sum(), JUDGES - on_mpp),
    ):
        mean = judges * RATE * days / 365.0
        assert abs(float(held) - mean) <= K * math.sqrt(mean), f"{held} completions, expected {mean:.0f}"
    assert (n.stock_mpp[later] > 100).all()


def suspension(dockets: list[str], date: dt.date, end: dt.date) -> object:
    return event(
        type="court_policy", policy="hearing_suspension", date=date.isoformat(), end=end.isoformat(), dockets=dockets
    )


@pytest.mark.parametrize("dockets", [["mpp"], ["non_detained"]])
def test_a_suspension_of_one_docket_stops_its_hearings_and_frees_its_judges(dockets):
    """MPP hearings suspended alone: none held (but those under way on the first day), and all the judges hear
    the other docket; non-detained hearings suspended alone: the MPP docket is heard at its share as before."""
    share, end = 0.3, OPEN + dt.timedelta(days=91)  # three whole months
    patches = (*BORDER_ONLY, mpp(1.0, judge_share=share), params(border_book_ins_per_year=20_000.0))
    n = immsim.simulate(make(*patches, suspension(dockets, OPEN, end)), years=1.0, seed=SEED).national
    during = (n.month >= np.datetime64(OPEN)) & (n.month < np.datetime64(end))
    days = float(n.days[during].sum())
    mpp_done, other_done = n.mpp_completions[during], (n.court_completions - n.mpp_completions)[during]
    on_mpp = round(share * JUDGES)
    if dockets == ["mpp"]:
        assert mpp_done.iloc[0] <= on_mpp and (mpp_done.iloc[1:] == 0).all()  # at most one under way per judge
        mean = JUDGES * RATE * days / 365.0
        assert abs(float(other_done.sum()) - mean) <= K * math.sqrt(mean), f"{other_done.sum()}, expected {mean:.0f}"
        assert n.stock_mpp[during].is_monotonic_increasing
    else:
        mean = on_mpp * RATE * days / 365.0
        assert abs(float(mpp_done.sum()) - mean) <= K * math.sqrt(mean), f"{mpp_done.sum()}, expected {mean:.0f}"


def test_dockets_belong_to_hearing_suspensions_only():
    with pytest.raises(ScenarioError, match="'mpp' takes no 'dockets'"):
        make(
            event(
                type="court_policy",
                policy="mpp",
                date=START,
                share=0.1,
                no_show_probability=0.5,
                judge_share=0.1,
                dockets=["mpp"],
            )
        )
    with pytest.raises(ScenarioError, match="dockets"):
        make(suspension(["detained"], OPEN, OPEN + dt.timedelta(days=30)))


def test_mpp_enrolls_no_case_before_its_date_or_after_its_end():
    end = OPEN + dt.timedelta(days=91)  # 2017-07-01: three whole months
    baseline = immsim.simulate(make(*BORDER_ONLY), years=1.0, seed=SEED).national
    sc = make(*BORDER_ONLY, mpp(0.5, judge_share=0.5, date=OPEN, end=end))
    n = immsim.simulate(sc, years=1.0, seed=SEED).national
    during = (n.month >= np.datetime64(OPEN)) & (n.month < np.datetime64(end))
    assert during.sum() == 3
    assert (n.mpp_receipts[~during] == 0).all() and (n.mpp_receipts[during] > 100).all()
    # before the date the run is the baseline, draw for draw
    before = n.month < np.datetime64(OPEN)
    for col in ("court_receipts", "court_completions", "in_absentia_orders", "court_pending"):
        np.testing.assert_array_equal(n[col][before], baseline[col][before])
    # after the end the docket empties: its judges hear what it holds, and nothing joins it
    assert n.stock_mpp.iloc[-1] == 0 and n.stock_mpp[during].iloc[-1] > 0


def test_an_mpp_event_that_enrolls_no_one_changes_nothing():
    sc = make(*BORDER_ONLY)
    a = immsim.simulate(sc, years=0.5, seed=SEED)
    b = immsim.simulate(make(*BORDER_ONLY, mpp(0.0, judge_share=0.5)), years=0.5, seed=SEED)
    assert a.fingerprint() == b.fingerprint()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"policy": "mpp", "share": 0.5, "no_show_probability": 0.4}, "needs 'judge_share'"),
        ({"policy": "mpp", "share": 0.5, "no_show_probability": 0.4, "judge_share": 0.0}, "above 0"),
        ({"policy": "mpp", "share": 1.5, "no_show_probability": 0.4, "judge_share": 0.1}, "share"),
        ({"policy": "hearing_suspension", "share": 0.5}, "takes no 'share'"),
        ({"policy": "completion_goals", "factor": 1.2, "judge_share": 0.1}, "takes no 'judge_share'"),
    ],
)
def test_mpp_events_refuse_what_they_cannot_mean(fields, words):
    with pytest.raises(ScenarioError, match=words):
        make(event(type="court_policy", date=START, **fields))


def test_the_mpp_reform_enrolls_from_its_date_to_the_day_before_its_end():
    sc = immsim.load_scenario("mpp-2019")
    comp = compile_scenario(sc, sc.data.start, 6 * 365)
    day = {d: int(np.searchsorted(comp.dates, np.datetime64(d))) for d in ("2019-01-28", "2021-01-21")}
    share = comp.inputs.mpp_share
    assert share[day["2019-01-28"] - 1] == 0.0 and share[day["2019-01-28"]] > 0.0
    assert share[day["2021-01-21"] - 1] > 0.0 and (share[day["2021-01-21"] :] == 0.0).all()
    assert (comp.inputs.mpp_judge_share[day["2021-01-21"] :] > 0.0).all()  # its cases are still heard
