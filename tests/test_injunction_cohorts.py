"""Injunctions as they were (issue 14, point 6): a closed cohort is who had an order at its date.

The Hamama v. Adducci class was the Iraqi nationals with final orders on a
date, not a share of everyone ordered removed later. A cohort with
``orders_by`` keeps only people whose removal order predates that day; the
share still draws who belongs to the group. Tolerances: four binomial
standard deviations.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from immsim.model import codes as c
from immsim.scenario.compile import compile_scenario
from immsim.scenario.loader import ScenarioError
from immsim.simulation import run_replication
from scenarios import START, cohort, event, initial, make, params, quiet

SEED = 20170724
K = 4.0
CLOSES = START + dt.timedelta(days=90)


def _world(closed: bool, days: int = 240):
    """Initial detainees with old final orders, and border removals ordered every day of the run."""
    group = cohort("c1", 0.5)

    def close(doc: dict) -> None:
        if closed:
            doc["cohorts"]["c1"]["orders_by"] = CLOSES.isoformat()

    s = make(
        quiet(),
        group,
        close,
        event(type="injunction", date=START, cohort="c1"),
        params(border_book_ins_per_year=4000.0, border_expedited_probability=1.0, detention_beds=5000.0),
        initial(detention_population=400, detention_court_share=0.0, detention_border_share=0.0, court_pending=0),
    )
    comp = compile_scenario(s, s.data.start, days, SEED)
    return comp, run_replication(comp, SEED)


@pytest.fixture(scope="module")
def worlds():
    return {closed: _world(closed) for closed in (False, True)}


def _stayed(w, origin: int) -> np.ndarray:
    n = int(w.pe.count[0])
    return np.flatnonzero((w.pe.state[:n] == c.STAYED) & (w.pe.origin[:n] == origin))


def test_closed_cohort_keeps_the_orders_of_its_date_and_no_later_ones(worlds):
    comp, w = worlds[True]
    close_day = (CLOSES - START).days
    border = _stayed(w, c.O_BORDER)
    # border removals ordered up to the date are stayed like the rest of the group; none ordered after it
    assert len(border) > 100
    assert (w.pe.since[border] <= close_day).all()
    # the initial detainees' orders are older than the run: half of them (the group's share) are stayed
    old = len(_stayed(w, c.O_INTERIOR))
    assert abs(old - 200) <= K * math.sqrt(400 * 0.25), old
    # people ordered after the date who belong to the group are removed, not stayed
    n = int(w.pe.count[0])
    assert ((w.pe.cohort[:n] == 1) & (w.pe.state[:n] == c.STAYED) & (w.pe.since[:n] > close_day)).sum() == 0


def test_open_cohort_stays_the_group_whenever_it_is_ordered(worlds):
    _, w = worlds[False]
    _, closed = worlds[True]
    close_day = (CLOSES - START).days
    border = _stayed(w, c.O_BORDER)
    later = (w.pe.since[border] > close_day).sum()
    # half (the group's share) of the border removals ordered after the date and due before the run ends: 4000
    # orders a year, due after a geometric time of mean 20 days (removal_processing_days): a thinned Poisson count
    last = 240 - 1
    expected = sum(0.5 * 4000 / 365 * (1 - 0.95 ** (last - t)) for t in range(close_day + 1, last + 1))
    assert abs(later - expected) <= K * math.sqrt(expected), (later, expected)
    assert len(border) > len(_stayed(closed, c.O_BORDER))


def test_cohort_date_must_be_a_date():
    def bad(doc: dict) -> None:
        doc["cohorts"]["c1"]["orders_by"] = 20170624

    with pytest.raises(ScenarioError, match="date"):
        make(bad)


def _detaining_world(detained_until: dt.date | None, days: int = 120):
    """400 detainees with old final orders, half in the cohort; a stay from the start that may keep detention."""
    fields = {} if detained_until is None else {"detained_until": detained_until}
    s = make(
        quiet(),
        cohort("c1", 0.5),
        event(type="injunction", date=START, end=START + dt.timedelta(days=100), cohort="c1", **fields),
        params(detention_beds=5000.0),
        initial(detention_population=400, detention_court_share=0.0, detention_border_share=0.0, court_pending=0),
    )
    comp = compile_scenario(s, s.data.start, days, SEED)
    return run_replication(comp, SEED)


def test_a_stay_that_keeps_detention_holds_the_beds_until_its_date_then_releases():
    """A stay with ``detained_until`` keeps its detained members in their beds until that date (Hamama, 2017-2018).

    All 400 are detained on a removal path; the cohort's members (half, drawn) are stayed when their removal
    comes due. Kept detained, they hold a bed and are in no ``stayed`` state until day 50; then every one of them
    is released to wait. Without the field, each leaves detention the day the stay reaches them. Exact counts:
    the same seed draws the same people and removal days in both runs.
    """
    release = START + dt.timedelta(days=50)
    kept, plain = _detaining_world(release), _detaining_world(None)
    month = kept.tally.stocks.shape[0]
    detained = c.STOCKS.index("detained_removal")
    stayed_stock = c.STOCKS.index("stayed")
    stayed_flow = kept.tally.flows[:, :, :, c.F["removals_stayed"]].sum()
    assert stayed_flow == plain.tally.flows[:, :, :, c.F["removals_stayed"]].sum() > 100
    # month 1 ends on day 30 (START is 1 January): the members stayed by then are detained when kept, waiting if not
    first = 0
    assert kept.tally.stocks[first, :, :, stayed_stock].sum() == 0
    assert (
        kept.tally.stocks[first, :, :, detained].sum()
        == plain.tally.stocks[first, :, :, detained].sum() + plain.tally.stocks[first, :, :, stayed_stock].sum()
    )
    # after the release date (month 2 ends on day 58), the kept members wait outside detention like the others
    second = 1
    assert kept.tally.stocks[second, :, :, stayed_stock].sum() == plain.tally.stocks[second, :, :, stayed_stock].sum()
    assert kept.tally.stocks[second, :, :, detained].sum() == plain.tally.stocks[second, :, :, detained].sum()
    assert month >= 4
    # the beds the stay kept were held: more detention bed-days before the release, the same after
    days = kept.tally.national[:, c.NATIONAL.index("detention_bed_days")]
    base = plain.tally.national[:, c.NATIONAL.index("detention_bed_days")]
    assert days[0] > base[0] and days[2] == base[2]


def test_detained_until_must_lie_inside_the_stay():
    late = event(
        type="injunction",
        date=START,
        end=START + dt.timedelta(days=10),
        cohort="c1",
        detained_until=START + dt.timedelta(days=20),
    )
    with pytest.raises(ScenarioError, match="detained_until"):
        make(cohort("c1", 0.5), late)
