"""Policies by criminal history, local jurisdictions, ICE's response and the start of a run (issue 12).

Each test puts one mechanism in a small synthetic scenario (``tests/scenarios``)
where its effect is known exactly or has a tolerance from theory.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import immsim
from immsim.figures import fiscal_year_of
from immsim.scenario.compile import compile_scenario
from scenarios import START, event, make, param, params, policies

YEAR_DAYS = 365


def _by_history(r: immsim.Result, flow: str) -> dict[str, float]:
    return r.by_history.groupby("criminal_history", observed=True)[flow].sum().to_dict()


def test_a_serious_only_carve_out_declines_exactly_the_people_outside_its_classes():
    r = immsim.simulate(make(policies(A1="honor_serious", A2="honor_serious", B1="honor_serious")), years=1, seed=4)
    declined, honored = _by_history(r, "detainers_declined"), _by_history(r, "detainers_honored")
    issued = _by_history(r, "detainers_issued")
    assert declined["serious"] == 0 and honored["serious"] > 0
    for h in ("pending", "lesser"):
        assert issued[h] > 0 and honored[h] == 0 and declined[h] > 0


def test_a_warrant_requirement_holds_only_when_ice_brings_a_warrant():
    base = policies(A1="warrant_serious", A2="warrant_serious", B1="warrant_serious")
    never = immsim.simulate(make(base, param("judicial_warrant_probability", 0.0)), years=1, seed=4)
    always = immsim.simulate(make(base, param("judicial_warrant_probability", 1.0)), years=1, seed=4)
    carve_out = immsim.simulate(
        make(policies(A1="honor_serious", A2="honor_serious", B1="honor_serious")), years=1, seed=4
    )
    assert sum(_by_history(never, "detainers_honored").values()) == 0
    # with a warrant every time, the policy is the carve-out itself (in distribution: the warrant takes a draw)
    a, b = _by_history(always, "detainers_honored"), _by_history(carve_out, "detainers_honored")
    assert a["pending"] == a["lesser"] == 0 and a["serious"] > 0
    assert abs(a["serious"] - b["serious"]) < 4 * np.sqrt(a["serious"] + b["serious"])  # two Poisson-like counts


def test_a_scenario_can_define_a_policy_and_use_it_by_name():
    own = {
        "lesser_too": {
            "meaning": "holds people with any conviction",
            "source": "test",
            "detainer": {"none": "decline", "pending": "decline", "lesser": "hold", "serious": "hold"},
        }
    }

    def define(doc: dict) -> None:
        doc["policies"] = own

    r = immsim.simulate(make(define, policies(A1="lesser_too", A2="lesser_too", B1="lesser_too")), years=1, seed=4)
    declined = _by_history(r, "detainers_declined")
    assert declined["lesser"] == declined["serious"] == 0 and declined["pending"] > 0
    assert set(r.monthly.policy) == {"lesser_too"}


def test_results_by_history_add_up_to_the_totals_per_jurisdiction_and_month():
    r = immsim.simulate(make(policies(A2="decline_holds", B1="honor_serious")), years=1, seed=2, replications=2)
    keys = ["replication", "month", "jurisdiction"]
    parts = r.by_history.groupby(keys, observed=True).sum(numeric_only=True)
    whole = r.monthly.set_index(keys)
    for flow in (
        "bookings",
        "detainers_issued",
        "detainers_declined",
        "released_to_at_large",
        "arrests_at_large",
        "arrests_collateral",
        "removals_court_order",
        "stock_jail",
        "stock_at_large",
        "stock_community",
    ):
        np.testing.assert_array_equal(parts[flow].to_numpy(), whole.loc[parts.index, flow].to_numpy(), err_msg=flow)


def test_a_dated_local_policy_change_switches_behaviour_on_its_day_and_only_there():
    day = dt.date(2017, 4, 1)
    s = make(event(type="policy", date=day, scope="jurisdiction", target="A2", policy="decline_holds"))
    comp = compile_scenario(s, START, YEAR_DAYS)
    d = (day - START).days
    honor, decline = comp.policy_names.index("honor"), comp.policy_names.index("decline_holds")
    a2 = 1
    assert (comp.inputs.policy[:d, a2] == honor).all() and (comp.inputs.policy[d:, a2] == decline).all()
    assert (np.delete(comp.inputs.policy, a2, axis=1) == honor).all()
    r = immsim.simulate(s, years=1, seed=3)
    m = r.monthly.set_index("month")
    a2_rows, others = m[m.jurisdiction == "A2"], m[m.jurisdiction != "A2"]
    assert a2_rows.loc[:"2017-03-01", "detainers_declined"].sum() == 0
    assert a2_rows.loc["2017-04-01":, "detainers_declined"].sum() > 0
    assert others.detainers_declined.sum() == 0


def _response(share: float) -> immsim.Result:
    # O1 holds A1, which honors; O2 holds A2 and B1, which decline: releases with detainers happen only in O2
    s = make(
        policies(A2="decline_holds", B1="decline_holds"),
        params(at_large_reallocation_share=share, reallocation_days=30.0, at_large_officers=40.0),
    )
    return immsim.simulate(s, years=1, seed=9)


def test_reallocation_sends_teams_where_people_with_detainers_are_released_and_keeps_the_total():
    fixed, moving = _response(0.0), _response(1.0)
    days = fixed.offices.groupby("office").at_large_officer_days.sum()
    moved = moving.offices.groupby("office").at_large_officer_days.sum()
    assert moved.sum() == pytest.approx(days.sum(), rel=1e-9)  # officers move, their number does not change
    assert moved["O2"] > days["O2"] * 1.2 and moved["O1"] < days["O1"] * 0.8
    arrests = fixed.offices.groupby("office").at_large_arrests.sum()
    arrests_moved = moving.offices.groupby("office").at_large_arrests.sum()
    assert arrests_moved["O2"] > arrests["O2"] and arrests_moved["O1"] < arrests["O1"]
    use_of_force = moving.offices.groupby("office").use_of_force.sum()
    assert use_of_force["O2"] > 0


def test_with_the_rule_off_results_equal_the_population_rule():
    plain = immsim.simulate(make(policies(A2="decline_holds")), years=1, seed=9)
    off = immsim.simulate(
        make(policies(A2="decline_holds"), params(at_large_reallocation_share=0.0, reallocation_days=10.0)),
        years=1,
        seed=9,
    )
    assert plain.fingerprint() == off.fingerprint()


def test_officer_days_per_arrest_are_the_officer_days_over_the_arrests():
    r = immsim.simulate(make(policies(B1="decline_holds")), years=1, seed=5)
    n = r.national.assign(fy=fiscal_year_of(r.national.month)).groupby("fy")
    for _, row in r.fiscal_years.iterrows():
        officers = n.at_large_officer_days.sum()[row.fiscal_year]
        assert row.officer_days_per_at_large_arrest == pytest.approx(officers / row.ice_at_large_arrests)
        transfers = row.arrests_jail_hold + row.arrests_jail_notified
        assert row.officer_days_per_jail_transfer == pytest.approx(
            n.jail_officer_days.sum()[row.fiscal_year] / transfers
        )
    # the scenario's national totals (10 at-large and 2 jail officers) work every day of the run
    assert r.national.at_large_officer_days.sum() == pytest.approx(10.0 * r.days, rel=1e-9)
    assert r.national.jail_officer_days.sum() == pytest.approx(2.0 * r.days, rel=1e-9)


@pytest.fixture(scope="module")
def fy2017() -> immsim.Result:
    """us-2017's first year, one replication, seed 1 (shared by the checks of its first months and stocks)."""
    return immsim.simulate("us-2017", years=1, seed=1)


def test_the_first_months_of_the_default_scenario_do_not_trend(fy2017):
    """Jails start at their steady-state population, so nothing climbs before the first dated change (2017-01-25).

    Starting empty, the jail stock grew by 46 % over the first five months and arrests at jails almost tripled.
    Now the stock starts at bookings a day x mean stay, class by class, and new convictions keep the convicted
    classes level (the next test). What remains is small (measured: -2.5 % over the first quarter). The
    bounds are regression guards of 6 % a quarter (and 6 % for the detained docket's first month), not a
    law: a warm-up artefact moves these figures by tens of per cent.
    """
    n = fy2017.national.set_index("month")
    jail = n.stock_jail.to_numpy()
    assert abs(jail[2] / jail[0] - 1.0) < 0.06
    arrests = n.arrests_jail_hold.to_numpy()  # Oct and Dec have 31 days each
    assert abs(arrests[2] / arrests[0] - 1.0) < 0.06 + 4 * np.sqrt(2 / arrests[0])
    # Detention starts split by path as the rates keep it: no mass move from the detained docket in month one.
    court = n.stock_detained_court.to_numpy()
    assert abs(court[1] / court[0] - 1.0) < 0.06


def test_the_convicted_stock_of_the_default_scenario_is_level_over_a_year(fy2017):
    """New convictions replace the convicted people enforcement removes (``community.convict``).

    us-2017's ``conviction_rate`` and ``serious_share_of_convictions`` are set so that each convicted class's
    stock (community and known at large) is level over FY2017 (tools/steady_state.py). Without them the
    serious class lost a quarter of its people a year. Bound: four standard deviations of a year's change,
    whose inflow and outflow are each about Poisson, sqrt(in + out), plus 1 % of the stock for what the
    fixed point leaves (tools/steady_state.py stops within a few hundred people). A recalibration that moves
    the outflows fails this test: rerun the tool and rebuild the scenario.
    """
    h = fy2017.by_history
    stock = (h.stock_community + h.stock_at_large).groupby([h.month, h.criminal_history]).sum().unstack()
    convictions = h.groupby("criminal_history").convictions.sum()
    for k in ("lesser", "serious"):
        change = (stock[k].iloc[-1] - stock[k].iloc[0]) * 12 / 11  # month-end stocks: the first is a month in
        sd = np.sqrt(2 * convictions[k])  # outflow = inflow when level
        assert abs(change) < 4 * sd + 0.01 * stock[k].iloc[0], (k, change)
