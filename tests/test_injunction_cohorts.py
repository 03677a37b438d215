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
