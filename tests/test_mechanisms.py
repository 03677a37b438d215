"""Behaviour of each model mechanism on small synthetic scenarios.

Every test uses a fixed seed. Where a rule is deterministic the test expects an
exact value (usually zero or an accounting identity); where it is random the
tolerance comes from the law of the draw (binomial or Poisson standard
deviation, four of them), never from a previously observed output.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import immsim
from immsim import simulation
from immsim.model import codes as c
from immsim.model.people import COMMUNITY, OUTSIDE, records
from immsim.scenario.compile import compile_scenario
from immsim.simulation import run_replication
from scenarios import (
    JURISDICTIONS,
    OFFICE_OF,
    POPULATION,
    START,
    cohort,
    event,
    initial,
    make,
    param,
    params,
    policies,
    policy,
    quiet,
    regime,
    selection,
    series,
)

SEED = 20170101
K = 4.0  # standard deviations allowed for random quantities
CUSTODIAL = ["arrests_jail_hold", "arrests_jail_notified", "arrests_jail_287g"]
ARRESTS = [f"arrests_{ch}" for ch in c.CHANNELS]


def run(*patches, years: float = 1.0, seed: int = SEED, replications: int = 1) -> immsim.Result:
    return immsim.simulate(make(*patches), years=years, seed=seed, replications=replications)


def world(*patches, days: int = 365, seed: int = SEED):
    """(compiled scenario, final world) of one replication, for looking at the person table."""
    s = make(*patches)
    comp = compile_scenario(s, s.data.start, days, seed)
    return comp, run_replication(comp, seed)


def jur_totals(r: immsim.Result, cols) -> pd.DataFrame:
    return r.monthly.groupby("jurisdiction")[cols].sum()


def total(r: immsim.Result, col: str) -> float:
    return float(r.national[col].sum())


def assert_within(observed: float, expected: float, sd: float, what: str = "") -> None:
    assert abs(observed - expected) <= K * sd, f"{what}: observed {observed}, expected {expected} +/- {K} x {sd:.2f}"


def binomial_sd(n: float, p: float) -> float:
    return math.sqrt(n * p * (1.0 - p))


def flows(w, name: str) -> np.ndarray:
    """Flow ``name`` of a world as [month, jurisdiction]."""
    return w.tally.flows[:, :, :, c.F[name]].sum(axis=2)


# --- jails: cooperation policies, detainers, hold window, pickups ----------------------------------------------


def test_no_contact_jurisdiction_makes_no_custodial_transfers():
    # B1 refuses all contact; its 287(g) share must not matter under no_contact
    r = run(
        policy("B1", "no_contact"),
        param("share_287g_jails", {"B1": 1.0, "default": 0.0}),
        param("jail_officers", 100.0),
    )
    m = r.monthly
    b1, others = m[m.jurisdiction == "B1"], m[m.jurisdiction != "B1"]
    assert (b1[CUSTODIAL] == 0).all().all()
    assert (b1[["detainers_honored", "detainers_not_picked_up", "stock_hold"]] == 0).all().all()
    assert b1.detainers_issued.sum() > 0
    # every detainer released in B1 is declined and the person released to the community as a known target
    assert (b1.released_to_at_large == b1.detainers_declined).all()
    # honoring jurisdictions transfer people in custody and decline nothing
    assert (others.groupby("jurisdiction").arrests_jail_hold.sum() > 0).all()
    assert (others.detainers_declined == 0).all()
    assert (others.arrests_jail_287g == 0).all()  # their 287(g) share is 0


@pytest.mark.parametrize(("code", "pol", "p"), [("A1", "notify_only", 0.6), ("B1", "decline_holds", 0.15)])
def test_declining_jurisdictions_are_met_at_release_at_the_stated_rate(code, pol, p):
    # unlimited jail officers: every met release is picked up the same day
    r = run(
        policy(code, pol),
        params(jail_officers=10_000.0, notify_pickup_probability=0.6, decline_pickup_probability=0.15),
    )
    cols = ["detainers_declined", "arrests_jail_notified", "arrests_jail_hold", "released_to_at_large"]
    t = jur_totals(r, [*cols, "detainers_honored"]).loc[code]
    n = t.detainers_declined
    assert n > 300
    assert_within(t.arrests_jail_notified, n * p, binomial_sd(n, p), f"{pol} pickups")
    assert t.released_to_at_large == n - t.arrests_jail_notified
    assert t.arrests_jail_hold == 0 and t.detainers_honored == 0


def test_no_jail_officers_means_no_pickups_and_every_held_detainer_lapses():
    comp, w = world(param("jail_officers", 0.0))
    assert flows(w, "arrests_jail_hold").sum() == 0
    assert flows(w, "arrests_jail_notified").sum() == 0
    assert flows(w, "detainers_honored").sum() == 0
    lapsed = flows(w, "detainers_not_picked_up").sum()
    assert lapsed > 0
    # everyone put on hold either lapsed or is still waiting at the end
    held = w.tally.moves[:, c.JAIL, c.HOLD].sum()
    assert held == lapsed + w.tally.live[:, :, c.HOLD].sum()
    assert flows(w, "released_to_at_large").sum() == lapsed  # no declines: all honor


def test_jail_287g_policy_transfers_every_detainer_without_jail_officers():
    r = run(policy("A2", "jail_287g"), param("jail_officers", 0.0))
    m = r.monthly
    a2 = m[m.jurisdiction == "A2"]
    assert a2.arrests_jail_287g.sum() > 0
    assert (a2.arrests_jail_287g == a2.detainers_honored).all()
    zero = [
        "arrests_jail_hold",
        "arrests_jail_notified",
        "detainers_declined",
        "detainers_not_picked_up",
        "released_to_at_large",
        "stock_hold",
    ]
    assert (a2[zero] == 0).all().all()
    # detainers issued but not resolved are of people still in jail
    pending = a2.detainers_issued.cumsum() + a2.detainers_open_at_start.cumsum() - a2.detainers_honored.cumsum()
    assert (pending >= 0).all() and (pending <= a2.stock_jail).all()
    # honoring jurisdictions without officers transfer nobody
    assert (m[m.jurisdiction != "A2"][CUSTODIAL] == 0).all().all()


def test_287g_share_of_an_honoring_jurisdiction_is_binomial():
    share = 0.3
    comp, w = world(param("share_287g_jails", share), param("jail_officers", 0.0))
    via_287g = flows(w, "arrests_jail_287g").sum()
    held = w.tally.moves[:, c.JAIL, c.HOLD].sum()  # the others are held for pickup (none happens)
    n = via_287g + held
    assert n > 1000
    assert_within(via_287g, n * share, binomial_sd(n, share), "287(g) transfers")


def test_pickups_never_exceed_officer_capacity():
    # one pickup per office per day (0.1 officer x 10 a day), far fewer than the releases with a detainer
    r = run(param("jail_officers", {"O1": 0.1, "O2": 0.1}))
    m = r.monthly.assign(pickups=lambda d: d.arrests_jail_hold + d.arrests_jail_notified)
    per_office = m.groupby(["office", "month"]).pickups.sum().unstack(0)
    days = r.national.set_index("month")["days"]
    assert (per_office.le(days, axis=0)).all().all()
    # the queue is never empty: releases with a detainer arrive at several a day per office
    assert (per_office.sum() >= 0.95 * days.sum()).all()
    assert total(r, "detainers_not_picked_up") > 0


def test_jail_officers_pick_up_only_in_their_own_office():
    r = run(param("jail_officers", {"O1": 10.0, "O2": 0.0}), policy("B1", "notify_only"))
    t = jur_totals(r, ["arrests_jail_hold", "arrests_jail_notified", "detainers_not_picked_up"])
    assert t.loc["A1", "arrests_jail_hold"] > 0 and t.loc["A1", "detainers_not_picked_up"] == 0
    assert (t.loc[["A2", "B1"], ["arrests_jail_hold", "arrests_jail_notified"]] == 0).all().all()
    assert t.loc["A2", "detainers_not_picked_up"] > 0


def _honored_fraction(r: immsim.Result) -> float:
    honored, lapsed = total(r, "detainers_honored"), total(r, "detainers_not_picked_up")
    return honored / (honored + lapsed)


def test_honored_fraction_rises_with_jail_officer_capacity():
    fractions = [_honored_fraction(run(param("jail_officers", x))) for x in (0.0, 0.1, 0.4, 100.0)]
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0  # 1,000 pickups a day never run out
    assert all(a < b for a, b in zip(fractions, fractions[1:], strict=False)), fractions


def test_honored_fraction_rises_with_the_hold_window():
    # capacity about equal to the mean arrival of held people: losses come from day-to-day fluctuation,
    # and a longer window lets the queue absorb them. Arrivals: 150,000 x 0.05 x 0.9 x 0.6 / 365 = 11.1 a day.
    arrivals = 150_000 * 0.05 * 0.9 * 0.6 / 365
    base = params(
        booking_rate=0.05,
        identification_probability=0.9,
        detainer_issue_probability=0.6,
        jail_officers=arrivals / 10.0,
        at_large_officers=0.0,
    )
    fractions = [_honored_fraction(run(base, param("hold_window_days", d))) for d in (0.0, 2.0, 7.0)]
    assert all(a < b for a, b in zip(fractions, fractions[1:], strict=False)), fractions


# --- policy events and the federal-pressure lever ----------------------------------------------------------------


def test_state_policy_event_applies_from_its_date_to_every_jurisdiction_of_the_state():
    date = dt.date(2017, 4, 1)
    r = run(
        event(type="policy", date=date, scope="state", target="AA", policy="no_contact"),
        param("jail_officers", 100.0),
        years=8 / 12,
    )
    m = r.monthly
    before, after = m[m.month < pd.Timestamp(date)], m[m.month >= pd.Timestamp(date)]
    assert (before.policy == "honor").all()
    assert (after[after.state == "AA"].policy == "no_contact").all()
    assert (after[after.state == "BB"].policy == "honor").all()
    custodial = m.assign(x=m[CUSTODIAL].sum(axis=1))
    aa = custodial[custodial.state == "AA"]
    assert (aa[aa.month < pd.Timestamp(date)].groupby("jurisdiction").x.sum() > 0).all()
    # people already on hold on the date may still be picked up within the 2-day window; from May on, none
    assert (aa[aa.month >= pd.Timestamp("2017-05-01")].x == 0).all()
    assert (aa[aa.month >= pd.Timestamp("2017-05-01")].groupby("jurisdiction").detainers_declined.sum() > 0).all()
    bb = custodial[custodial.state == "BB"]
    assert bb[bb.month >= pd.Timestamp("2017-05-01")].x.sum() > 0
    assert (bb.detainers_declined == 0).all()


@pytest.mark.parametrize(
    ("scope", "target", "new", "mode", "expected"),
    [
        ("national", "US", "honor", "at_least", {"A1": "honor", "A2": "jail_287g", "B1": "honor"}),
        (
            "national",
            "US",
            "decline_holds",
            "at_most",
            {"A1": "no_contact", "A2": "decline_holds", "B1": "decline_holds"},
        ),
        ("national", "US", "notify_only", "set", {"A1": "notify_only", "A2": "notify_only", "B1": "notify_only"}),
        ("state", "BB", "no_contact", "set", {"A1": "no_contact", "A2": "jail_287g", "B1": "no_contact"}),
        ("jurisdiction", "A2", "honor", "at_most", {"A1": "no_contact", "A2": "honor", "B1": "notify_only"}),
    ],
)
def test_policy_event_modes(scope, target, new, mode, expected):
    start = {"A1": "no_contact", "A2": "jail_287g", "B1": "notify_only"}
    s = make(
        policies(**start), event(type="policy", date="2017-03-10", scope=scope, target=target, policy=new, mode=mode)
    )
    comp = compile_scenario(s, START, 120)
    d = (dt.date(2017, 3, 10) - START).days
    names = np.array(comp.policy_names)
    for i, code in enumerate(JURISDICTIONS):
        assert (names[comp.inputs.policy[:d, i]] == start[code]).all()
        assert (names[comp.inputs.policy[d:, i]] == expected[code]).all()


def test_federal_pressure_with_certain_compliance_switches_every_target_below_honor():
    date = dt.date(2017, 3, 1)
    start = policies(A1="no_contact", A2="jail_287g", B1="decline_holds")
    r = run(
        start,
        event(type="federal_pressure", date=date, targets=["AA"], comply_probability=1.0),
        years=0.5,
        replications=2,
    )
    m = r.monthly
    pol = m.groupby(["replication", "jurisdiction", m.month >= pd.Timestamp(date)]).policy.unique()
    for rep in (0, 1):
        assert list(pol[(rep, "A1", False)]) == ["no_contact"] and list(pol[(rep, "A1", True)]) == ["honor"]
        assert list(pol[(rep, "A2", True)]) == ["jail_287g"]  # above honor: untouched
        assert list(pol[(rep, "B1", True)]) == ["decline_holds"]  # not targeted
    fp = r.federal_pressure.sort_values("replication").reset_index(drop=True)
    assert fp.to_dict("records") == [
        {"replication": 0, "date": "2017-03-01", "jurisdiction": "A1", "policy_before": "no_contact"},
        {"replication": 1, "date": "2017-03-01", "jurisdiction": "A1", "policy_before": "no_contact"},
    ]
    # all targets: A1 and B1 switch
    r = run(start, event(type="federal_pressure", date=date, targets="all", comply_probability=1.0), years=0.5)
    assert sorted(r.federal_pressure.jurisdiction) == ["A1", "B1"]
    last = r.monthly[r.monthly.month == r.monthly.month.max()].set_index("jurisdiction").policy
    assert last.to_dict() == {"A1": "honor", "A2": "jail_287g", "B1": "honor"}


def test_federal_pressure_comply_probability_is_a_fresh_draw_per_replication():
    p, reps = 0.3, 300
    s = make(
        policies(A1="no_contact", A2="decline_holds", B1="notify_only"),
        event(type="federal_pressure", date="2017-02-01", targets="all", comply_probability=p),
    )
    switched = sum(len(compile_scenario(s, START, 40, seed).pressure_changes) for seed in range(reps))
    n = 3 * reps
    assert_within(switched, n * p, binomial_sd(n, p), "jurisdictions switched")


def test_federal_pressure_with_no_compliance_changes_nothing():
    start = policies(A1="no_contact", A2="notify_only", B1="decline_holds")
    r = run(start, event(type="federal_pressure", date="2017-02-01", targets="all", comply_probability=0.0), years=0.5)
    assert r.federal_pressure.empty
    last = r.monthly.groupby("jurisdiction").policy.unique()
    assert {k: list(v) for k, v in last.items()} == {
        "A1": ["no_contact"],
        "A2": ["notify_only"],
        "B1": ["decline_holds"],
    }


# --- enforcement priorities --------------------------------------------------------------------------------------


@pytest.mark.parametrize("eligible", [1.0, 0.3])
def test_detainers_issued_are_binomial_in_eligibility_times_issue_probability(eligible):
    p = 0.6
    r = run(regime("flat", eligible, initial_regime=True), param("detainer_issue_probability", p))
    n, issued = total(r, "identified"), total(r, "detainers_issued")
    # the same share eligible by status and by history: a class is eligible if either criterion makes it so
    q = 1.0 - (1.0 - eligible) ** 2
    assert_within(issued, n * q * p, binomial_sd(n, q * p), "detainers issued")
    bookings, identified = total(r, "bookings"), n
    assert_within(identified, bookings * 0.9, binomial_sd(bookings, 0.9), "identified")


def test_narrower_priorities_lower_detainers_issued():
    broad = run()
    narrow = run({"initial": {"regime": "narrow"}})
    # bookings by class are proportional to class share x booking rate; the narrow regime makes eligible
    # serious criminals (1) and half of other criminals: 44% of the detainers of the broad regime are expected
    assert total(narrow, "detainers_issued") < 0.6 * total(broad, "detainers_issued")
    assert total(narrow, "at_large_attempts") > 0  # the criminal classes are still targeted


def test_nobody_eligible_means_no_detainers_and_no_arrests():
    r = run(
        regime("none", 0.0, initial_regime=True),
        param("task_force_officers", 5.0),
        param("worksite_operations_per_year", 365.0),
    )
    assert total(r, "identified") > 0
    for col in ["detainers_issued", *ARRESTS, "at_large_attempts", "notices_to_appear"]:
        assert total(r, col) == 0, col
    assert total(r, "worksite_operations") > 0  # operations happen, but find nobody eligible


def test_regime_event_takes_effect_from_its_date():
    date = pd.Timestamp("2017-04-01")
    r = run(regime("none", 0.0), event(type="regime", date="2017-04-01", regime="none"), years=0.5)
    n = r.national
    assert (n[n.month < date].detainers_issued > 0).all()
    assert (n[n.month >= date].detainers_issued == 0).all()
    assert (n[n.month >= date][["arrests_at_large", "arrests_collateral", "arrests_worksite"]] == 0).all().all()


# --- at-large operations, task forces, work sites ----------------------------------------------------------------


def test_at_large_attempts_match_team_capacity_and_outcomes_are_binomial():
    f, q, coll = 0.6, 0.15, 0.5
    r = run(
        params(
            at_large_officers={"O1": 40.0, "O2": 60.0},
            team_size=5.0,
            attempts_per_team_day=1.0,
            found_probability=f,
            refused_probability=q,
            collateral_per_arrest=coll,
        )
    )
    m = r.monthly
    days = r.national.set_index("month")["days"]
    per_office = m.groupby(["office", "month"]).at_large_attempts.sum().unstack(0)
    # 8 and 12 whole attempts a day: no random rounding, and the pool of targets never runs out
    assert (per_office["O1"] == 8 * days).all() and (per_office["O2"] == 12 * days).all()
    attempts, found, refused = (total(r, x) for x in ("at_large_attempts", "at_large_found", "at_large_refused"))
    assert_within(found, attempts * f, binomial_sd(attempts, f), "found")
    assert_within(refused, found * q, binomial_sd(found, q), "refused")
    assert (m.arrests_at_large == m.at_large_found - m.at_large_refused).all()
    arrests, collateral = total(r, "arrests_at_large"), total(r, "arrests_collateral")
    assert_within(collateral, arrests * coll, math.sqrt(arrests * coll), "collateral")


def test_at_large_teams_and_their_collateral_arrests_stay_in_their_office():
    r = run(params(at_large_officers={"O1": 20.0, "O2": 0.0}, collateral_per_arrest=1.0))
    t = jur_totals(r, ["at_large_attempts", "arrests_at_large", "arrests_collateral"])
    assert (t.loc["A1"] > 0).all()
    assert (t.loc[["A2", "B1"]] == 0).all().all()


def _arrested(w, channels) -> tuple[np.ndarray, np.ndarray]:
    """Classes and channels of everyone arrested by ICE through ``channels``."""
    n = int(w.pe.count[0])
    ch, klass = w.pe.channel[:n], w.pe.klass[:n]
    mask = np.isin(ch, channels)
    return klass[mask], ch[mask]


# classes never change in the pipeline when nobody fails to appear, defies an order or absconds
FIXED_CLASSES = params(no_show_probability=0.0, removal_order_probability_nondetained=0.0, abscond_probability=0.0)


def test_at_large_teams_target_only_classes_with_weight():
    weight = selection({**dict.fromkeys(c.STATUSES, 0.0), "prior_removal": 1.0}, 0.0)
    comp, w = world(
        regime("prior_only", 1.0, weight, initial_regime=True), FIXED_CLASSES, param("at_large_officers", 50.0)
    )
    klass, _ = _arrested(w, [c.CH_AT_LARGE])
    assert len(klass) > 100
    assert (klass // c.N_HISTORIES == c.PRIOR_REMOVAL).all()


def test_community_arrests_take_only_eligible_classes():
    eligible = selection(0.0, {**dict.fromkeys(c.HISTORIES, 0.0), "serious": 1.0})
    comp, w = world(
        regime("serious_only", eligible, initial_regime=True),
        FIXED_CLASSES,
        params(
            collateral_per_arrest=1.0,
            task_force_officers=2.0,
            worksite_operations_per_year=365.0,
            at_large_officers=50.0,
        ),
    )
    klass, ch = _arrested(w, [c.CH_COLLATERAL, c.CH_WORKSITE, c.CH_TASK_FORCE])
    assert all((ch == x).sum() > 20 for x in (c.CH_COLLATERAL, c.CH_WORKSITE, c.CH_TASK_FORCE))
    assert (klass % c.N_HISTORIES == c.H_SERIOUS).all()
    # so are the people taken in custody at jails: only the eligible class gets a detainer
    klass, _ = _arrested(w, list(c.CUSTODIAL_CHANNELS))
    assert len(klass) > 100 and (klass % c.N_HISTORIES == c.H_SERIOUS).all()


def test_fugitives_arrested_by_ice_are_on_the_final_order_path():
    comp, w = world(param("at_large_officers", 50.0))
    n = int(w.pe.count[0])
    state, klass, path = w.pe.state[:n], w.pe.klass[:n], w.pe.path[:n]
    # people arrested during the run (the initial detainees have no channel: some start on the detained docket)
    arrested = w.pe.channel[:n] >= 0
    # (rows of removed people may already have been reused for new people: only those still present count)
    on_path = arrested & np.isin(state, [c.DETAINED_REMOVAL, c.RELEASED_REMOVAL, c.REMOVED, c.STAYED])
    fugitive = klass // c.N_HISTORIES == c.FINAL_ORDER
    assert (on_path & fugitive).sum() > 30
    np.testing.assert_array_equal(path[on_path] == c.P_FINAL_ORDER, fugitive[on_path])


def test_targets_never_found_means_no_at_large_or_collateral_arrests():
    r = run(params(found_probability=0.0, collateral_per_arrest=3.0, at_large_officers=50.0))
    assert total(r, "at_large_attempts") > 1000
    for col in ("at_large_found", "at_large_refused", "arrests_at_large", "arrests_collateral"):
        assert total(r, col) == 0, col


def test_no_at_large_officers_means_no_attempts():
    r = run(param("at_large_officers", 0.0))
    assert total(r, "at_large_attempts") == 0 and total(r, "arrests_at_large") == 0


def test_worksite_operations_arrests_and_employer_cases_are_poisson():
    per_year, cases, arrests = 3650.0, 0.5, 2.0
    r = run(
        params(
            worksite_operations_per_year=per_year,
            worksite_employer_cases_per_operation=cases,
            worksite_arrests_per_operation=arrests,
        )
    )
    ops = total(r, "worksite_operations")
    assert_within(ops, per_year, math.sqrt(per_year), "operations")
    assert_within(total(r, "employer_cases"), ops * cases, math.sqrt(ops * cases), "employer cases")
    assert_within(total(r, "arrests_worksite"), ops * arrests, math.sqrt(ops * arrests), "work-site arrests")
    # operations are placed in proportion to the removable population
    by_jur = jur_totals(r, ["worksite_operations"]).worksite_operations
    pop = sum(POPULATION.values())
    for code, n in POPULATION.items():
        assert_within(by_jur[code], ops * n / pop, binomial_sd(ops, n / pop), f"operations in {code}")


def test_task_force_arrests_only_where_there_are_task_force_officers():
    r = run(params(task_force_officers={"B1": 5.0, "default": 0.0}, task_force_arrests_per_officer_day=0.2))
    t = jur_totals(r, ["arrests_task_force"]).arrests_task_force
    assert t["A1"] == 0 and t["A2"] == 0
    assert_within(t["B1"], 365.0, math.sqrt(365.0), "task-force arrests")


@pytest.mark.parametrize("at_large", [True, False])
def test_use_of_force_and_assaults_follow_the_channel(at_large):
    # probability 1 on one side and 0 on the other makes the count exact
    r = run(
        params(
            use_of_force_probability_at_large=float(at_large),
            use_of_force_probability_custodial=float(not at_large),
            assault_probability_at_large=float(not at_large),
            assault_probability_custodial=float(at_large),
            task_force_officers=1.0,
            worksite_operations_per_year=200.0,
        )
    )
    m = r.monthly
    custodial = m[CUSTODIAL].sum(axis=1)
    community = m[["arrests_at_large", "arrests_collateral", "arrests_worksite", "arrests_task_force"]].sum(axis=1)
    assert custodial.sum() > 0 and community.sum() > 0
    assert (m.use_of_force == (community if at_large else custodial)).all()
    assert (m.assaults_on_officers == (custodial if at_large else community)).all()


# --- detention, removal paths, absconding ------------------------------------------------------------------------


def test_detention_never_exceeds_beds():
    beds = 50.0
    r = run(param("detention_beds", beds), initial(detention_population=50))
    n = r.national
    assert (n.beds_used <= beds).all()
    assert (n.detention_bed_days <= beds * n.days).all()
    assert (n.beds_used == n.stock_detained_removal + n.stock_detained_court).all()
    assert total(r, "released_no_bed") > 0  # the constraint binds


def test_no_beds_means_nobody_is_detained():
    r = run(param("detention_beds", 0.0), initial(detention_population=0))
    n = r.national
    for col in (
        "beds_used",
        "detention_bed_days",
        "detention_book_ins",
        "stock_detained_removal",
        "stock_detained_court",
        "court_completions_detained",
        "court_pending_detained",
    ):
        assert (n[col] == 0).all(), col
    assert total(r, "released_no_bed") > 0 and total(r, "arrests_jail_hold") > 0


def test_no_beds_keeps_the_initial_detainees_but_admits_nobody():
    r = run(param("detention_beds", 0.0), initial(detention_population=200))
    n = r.national
    assert (n.detention_book_ins == 0).all()
    assert (np.diff(np.r_[200, n.beds_used.to_numpy()]) <= 0).all()


def test_released_people_who_all_abscond_are_never_removed():
    r = run(params(detention_beds=0.0, abscond_probability=1.0), initial(detention_population=0))
    n = r.national
    removals = [f"removals_{p}" for p in c.PATHS]
    assert (n[removals] == 0).all().all()
    assert total(r, "absconded") > 0
    # everyone released pending removal has absconded or is still waiting
    assert (n.released_no_bed.cumsum() == n.absconded.cumsum() + n.stock_released_removal).all()


def test_without_beds_every_removal_is_of_a_released_person():
    r = run(params(detention_beds=0.0, abscond_probability=0.0), initial(detention_population=0))
    n = r.national.assign(removals=lambda d: d[[f"removals_{p}" for p in c.PATHS]].sum(axis=1))
    assert n.removals.sum() > 0 and n.absconded.sum() == 0
    assert (n.released_no_bed.cumsum() == n.removals.cumsum() + n.stock_released_removal).all()


def test_expedited_removal_for_everyone_means_no_notices_to_appear():
    r = run(param("expedited_removal_probability", 1.0))
    assert total(r, "notices_to_appear") == 0
    assert total(r, "removals_reinstated") == 0 and total(r, "removals_accepted") == 0
    assert total(r, "removals_expedited") > 0


def test_border_book_ins_stay_in_their_jurisdiction():
    # border book-ins that are not removed at once contest and are detained like recent entrants
    r = run(
        quiet(),
        params(
            border_book_ins_per_year=3650.0,
            border_share={"A2": 1.0, "default": 0.0},
            border_expedited_probability=0.0,
            detention_beds=100_000.0,
            detain_contested_probability=1.0,
        ),
        initial(detention_population=0, court_pending=0),
    )
    t = jur_totals(r, ["court_receipts", "court_receipts_external", "detention_book_ins", "removals_border"])
    assert (t.drop("A2") == 0).all().all()
    assert t.loc["A2", "court_receipts_external"] == 0
    assert t.loc["A2", "removals_border"] > 0
    # every border book-in opens a detained case here
    assert t.loc["A2", "court_receipts"] == t.loc["A2", "detention_book_ins"]
    assert_within(t.loc["A2", "court_receipts"], 3650.0, math.sqrt(3650.0), "border book-ins")


# --- injunctions -------------------------------------------------------------------------------------------------


def test_injunction_stays_the_removals_of_its_cohort_only():
    patches = (cohort("c1", 0.5), event(type="injunction", date=START, cohort="c1"))
    r = run(*patches)
    n = r.national
    assert total(r, "removals_stayed") > 0 and total(r, "stays_lifted") == 0
    assert (n.stock_stayed == n.removals_stayed.cumsum()).all()
    removals = sum(total(r, f"removals_{p}") for p in c.PATHS)
    assert removals > 0
    comp, w = world(*patches)
    pe, count = w.pe, int(w.pe.count[0])
    cohort_of, state = pe.cohort[:count], pe.state[:count]
    # people are drawn into the cohort with its share; counted where the stay cannot have sorted them
    # (a removed person's row is reused, a stayed person's is not, so the whole table over-represents the cohort)
    before_removal = np.isin(state, [c.JAIL, c.HOLD, c.AT_LARGE, c.COURT_NONDETAINED, c.DETAINED_COURT])
    n = before_removal.sum()
    assert n > 1000
    assert_within((cohort_of[before_removal] == 1).sum(), n * 0.5, binomial_sd(n, 0.5), "cohort members")
    assert ((cohort_of == 1) & (state == c.REMOVED)).sum() == 0
    assert ((cohort_of == 0) & (state == c.REMOVED)).sum() > 0
    assert (cohort_of[state == c.STAYED] == 1).all()


def test_ended_injunction_lifts_every_stay_on_its_end_date():
    end = pd.Timestamp("2017-05-01")
    r = run(cohort("c1", 0.5), event(type="injunction", date="2017-02-01", end="2017-05-01", cohort="c1"), years=8 / 12)
    n = r.national
    assert (n[n.month < pd.Timestamp("2017-02-01")].removals_stayed == 0).all()
    stayed = n[n.month < end].removals_stayed.sum()
    assert stayed > 0
    assert n.stays_lifted.sum() == stayed
    assert (n[n.month != end].stays_lifted == 0).all()
    assert (n[n.month >= end][["removals_stayed", "stock_stayed"]] == 0).all().all()


def test_more_cohorts_than_a_person_can_record_are_refused():
    def many(doc: dict) -> None:
        doc["cohorts"] = {f"k{i}": {"share": 0.001, "meaning": "small cohort", "source": "test"} for i in range(101)}

    with pytest.raises(immsim.ScenarioError, match="at most 100"):
        make(many)


# --- courts ------------------------------------------------------------------------------------------------------


def test_completions_equal_judge_capacity_while_the_backlog_lasts():
    judges, per_judge = 5.0, 500.0
    r = run(params(immigration_judges=judges, completions_per_judge_year=per_judge), initial(court_pending=20_000))
    assert (r.national.court_pending > 0).all()
    # each judge, always busy, completes cases as a Poisson process of rate per_judge a year
    expected = judges * per_judge  # one year
    assert_within(total(r, "court_completions"), expected, math.sqrt(expected), "completions")


def test_no_judges_means_no_completions():
    r = run(param("immigration_judges", 0.0), years=0.5)
    assert total(r, "court_completions") == 0
    n = r.national
    assert (np.diff(n.court_pending) == n.court_receipts.to_numpy()[1:]).all()


def test_more_judges_at_fixed_receipts_lower_the_backlog():
    ends = []
    for judges in (4.0, 8.0):
        r = run(
            quiet(),
            params(
                immigration_judges=judges, completions_per_judge_year=500.0, external_court_receipts_per_year=3000.0
            ),
        )
        ends.append(r.national.court_pending.iloc[-1])
    # receipts are the same in both runs (common random numbers), so the backlogs differ by the completions:
    # judges who are always busy complete Poisson(judges x 500) cases a year, 2,000 and 4,000: sd sqrt(6,000)
    assert ends[1] < ends[0]
    assert_within(ends[0] - ends[1], 4 * 500.0, math.sqrt(2000 + 4000), "backlog difference")


def test_court_backlog_changes_by_receipts_minus_completions():
    n = run().national
    assert (np.diff(n.court_pending) == (n.court_receipts - n.court_completions).to_numpy()[1:]).all()
    assert (n.court_pending == n.stock_detained_court + n.stock_court_nondetained).all()


def test_the_non_detained_docket_is_first_in_first_out():
    comp, w = world(
        quiet(),
        params(external_court_receipts_per_year=2000.0, external_detained_share=0.0, immigration_judges=4.0),
        initial(detention_population=0, court_pending=3000),
    )
    n = int(w.pe.count[0])
    state, day_in = w.pe.state[:n], w.pe.day_in[:n]
    court = w.pe.origin[:n] == c.O_COURT_EXTERNAL
    done = court & (state != c.COURT_NONDETAINED)
    waiting = court & (state == c.COURT_NONDETAINED)
    assert done.sum() > 1000 and waiting.sum() > 1000
    # the initial backlog is queued oldest first, and every later case arrives after it
    assert day_in[done].max() <= day_in[waiting].min()


@pytest.mark.parametrize(
    ("no_show", "order", "comply", "outcome"),
    [
        (1.0, 0.5, 0.5, "fugitive"),
        (0.0, 0.0, 0.5, "relief"),
        (0.0, 1.0, 1.0, "departed"),
        (0.0, 1.0, 0.0, "fugitive"),
    ],
)
def test_non_detained_case_outcomes(no_show, order, comply, outcome):
    # only the initial backlog and external receipts reach the courts, nobody is detained, and fugitives stay put
    comp, w = world(
        quiet(),
        params(
            no_show_probability=no_show,
            removal_order_probability_nondetained=order,
            order_compliance_probability=comply,
            external_court_receipts_per_year=1000.0,
            external_detained_share=0.0,
            at_large_departure_rate=0.0,
        ),
        initial(detention_population=0),
    )
    f = {
        name: flows(w, name).sum()
        for name in (
            "court_completions",
            "court_completions_detained",
            "in_absentia_orders",
            "removal_orders",
            "relief_or_termination",
            "departures",
        )
    }
    assert f["court_completions"] > 1000 and f["court_completions_detained"] == 0
    count = int(w.pe.count[0])
    state, klass, origin = w.pe.state[:count], w.pe.klass[:count], w.pe.origin[:count]
    court = origin == c.O_COURT_EXTERNAL
    done = court & (state != c.COURT_NONDETAINED)
    expected_state = {"fugitive": c.AT_LARGE, "relief": c.RELIEF, "departed": c.DEPARTED}[outcome]
    # rows of people who left (relief, departure) may have been reused for later receipts
    assert done.sum() + w.tally.retired[:, :, expected_state].sum() == f["court_completions"]
    assert (state[done] == expected_state).all()
    if outcome == "fugitive":
        assert (klass[done] // c.N_HISTORIES == c.FINAL_ORDER).all()
        assert f["removal_orders"] == f["court_completions"]
        assert f["in_absentia_orders"] == (f["court_completions"] if no_show == 1.0 else 0)
    if outcome == "relief":
        assert f["relief_or_termination"] == f["court_completions"] and f["removal_orders"] == 0
    if outcome == "departed":
        assert f["departures"] >= f["court_completions"] == f["removal_orders"]


@pytest.mark.parametrize("no_show", [0.0, 1.0])
def test_in_absentia_orders_are_the_non_detained_completions_when_nobody_appears(no_show):
    m = run(param("no_show_probability", no_show)).monthly
    nondetained = m.court_completions - m.court_completions_detained
    assert nondetained.sum() > 0
    assert (m.in_absentia_orders == nondetained * no_show).all()


# --- the community -----------------------------------------------------------------------------------------------


def test_recent_entrants_stop_being_recent_at_the_stated_rate():
    rate = 1.0
    comp, w = world(
        quiet(), params(recent_entrant_aging_rate=rate, community_departure_rate=0.0), initial(known_at_start=0.0)
    )
    recent = [c.RECENT * c.N_HISTORIES + h for h in range(c.N_HISTORIES)]
    other = [c.OTHER_STATUS * c.N_HISTORIES + h for h in range(c.N_HISTORIES)]
    recent0 = int(comp.population[:, recent].sum())
    left = int(w.tally.community[:, recent].sum())
    survive = (1.0 - rate / 365) ** 365
    assert_within(left, recent0 * survive, binomial_sd(recent0, survive), "recent entrants left")
    assert w.tally.community.sum() == comp.population.sum()  # aging moves people between classes only
    assert w.tally.community[:, other].sum() == comp.population[:, other].sum() + recent0 - left


def test_people_with_no_record_are_convicted_at_the_stated_rate_and_split():
    rate, serious = 0.2, 0.3
    # no departures, aging, bookings or leads: convictions are the only change of the community's histories
    comp, w = world(
        quiet(),
        params(
            conviction_rate=rate,
            serious_share_of_convictions=serious,
            community_departure_rate=0.0,
            recent_entrant_aging_rate=0.0,
            new_entrants_per_year=0.0,
            booking_rate=0.0,
            lead_rate=0.0,
        ),
        initial(known_at_start=0.0),
    )
    none = [s * c.N_HISTORIES + c.H_NONE for s in range(c.N_STATUSES)]
    none0 = int(comp.population[:, none].sum())
    kept = (1.0 - rate / 365) ** 365
    left = int(w.tally.community[:, none].sum())
    assert_within(left, none0 * kept, binomial_sd(none0, kept), "people still without a conviction")
    convicted = none0 - left
    to_serious = int(w.tally.reclassed[c.H_NONE, c.H_SERIOUS, COMMUNITY])
    assert to_serious + int(w.tally.reclassed[c.H_NONE, c.H_LESSER, COMMUNITY]) == convicted
    assert_within(to_serious, convicted * serious, binomial_sd(convicted, serious), "serious convictions")
    # the flow counts each conviction under its new history, in the community and among known targets
    assert flows(w, "convictions").sum() == w.tally.reclassed[c.H_NONE, c.H_LESSER :, :].sum() >= convicted
    assert w.tally.community.sum() == comp.population.sum()  # convictions move people between classes only


def test_known_targets_with_no_record_are_convicted_at_the_same_rate():
    rate = 0.5
    # everyone known at start, no court, nobody arrested, booked or leaving: the pool only changes by convictions
    comp, w = world(
        quiet(),
        params(
            conviction_rate=rate,
            serious_share_of_convictions=1.0,
            at_large_departure_rate=0.0,
            community_departure_rate=0.0,
            recent_entrant_aging_rate=0.0,
            new_entrants_per_year=0.0,
            booking_rate=0.0,
            lead_rate=0.0,
        ),
        initial(known_at_start=1.0, court_pending=0, detention_population=0),
    )
    pool = np.asarray(w.pool.size).reshape(-1, c.N_CLASSES)
    none = [s * c.N_HISTORIES + c.H_NONE for s in range(c.N_STATUSES)]
    none0 = int(comp.population[:, none].sum())
    kept = (1.0 - rate / 365) ** 365
    assert_within(int(pool[:, none].sum()), none0 * kept, binomial_sd(none0, kept), "known targets with no record")
    assert w.tally.reclassed[c.H_NONE, c.H_SERIOUS, c.AT_LARGE] == none0 - pool[:, none].sum()
    serious = [s * c.N_HISTORIES + c.H_SERIOUS for s in range(c.N_STATUSES)]
    assert pool[:, serious].sum() == comp.population[:, serious].sum() + none0 - pool[:, none].sum()


def test_community_departures_and_new_entrants():
    d, new = 0.5, 36_500.0
    # no known targets and no courts: every departure is from the community stock
    comp, w = world(
        quiet(),
        params(
            community_departure_rate=d, new_entrants_per_year=new, immigration_judges=0.0, at_large_departure_rate=0.0
        ),
        initial(known_at_start=0.0),
    )
    entered = w.tally.moves[:, OUTSIDE, COMMUNITY].sum()
    left = w.tally.moves[:, COMMUNITY, OUTSIDE].sum()
    assert_within(entered, new, math.sqrt(new), "new entrants")
    # mean path of the stock: S' = S (1 - q) + new/365 each day
    q, s, expected_left = d / 365, float(comp.population.sum()), 0.0
    for _ in range(365):
        expected_left += s * q
        s = s * (1 - q) + new / 365
    assert_within(left, expected_left, math.sqrt(expected_left), "departures")
    assert flows(w, "departures").sum() == left


def test_bookings_follow_the_booking_rate_and_jail_stays_obey_littles_law():
    b, stay = 0.1, 30.0
    # no identification, so nobody leaves the population: everyone booked returns to the community
    r = run(
        quiet(),
        params(
            booking_rate=b,
            jail_stay_days=stay,
            identification_probability=0.0,
            community_departure_rate=0.0,
            at_large_departure_rate=0.0,
            immigration_judges=0.0,
        ),
    )
    pop = sum(POPULATION.values())
    lam = b * pop / 365 / (1 + stay * b / 365)  # bookings a day when the jail population is in steady state
    jail = r.national.stock_jail.iloc[-1]
    assert_within(jail, lam * stay, math.sqrt(lam * stay), "jail population")
    # bookings in the last six months, once the jail has filled (mean stay 30 days)
    n = r.national.iloc[6:]
    assert_within(n.bookings.sum(), lam * n.days.sum(), math.sqrt(lam * n.days.sum()), "bookings")
    assert total(r, "identified") == 0


# --- determinism and the driver ----------------------------------------------------------------------------------


def test_same_seed_gives_identical_results_and_other_seeds_differ():
    s = make()
    a = immsim.simulate(s, years=0.5, seed=7)
    b = immsim.simulate(s, years=0.5, seed=7)
    pd.testing.assert_frame_equal(a.monthly, b.monthly)
    pd.testing.assert_frame_equal(a.national, b.national)
    pd.testing.assert_frame_equal(a.fiscal_years, b.fiscal_years)
    other = immsim.simulate(s, years=0.5, seed=8)
    assert not a.monthly[list(c.FLOWS)].equals(other.monthly[list(c.FLOWS)])


def test_replication_r_uses_seed_plus_r():
    s = make()
    both = immsim.simulate(s, years=0.25, seed=11, replications=2)
    second = immsim.simulate(s, years=0.25, seed=12)
    got = both.monthly[both.monthly.replication == 1].drop(columns="replication").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, second.monthly.drop(columns="replication"))


def test_growing_the_person_table_mid_run_changes_nothing(monkeypatch):
    s = make()
    comp = compile_scenario(s, START, 365, SEED)
    ref = run_replication(comp, SEED)
    monkeypatch.setattr(simulation, "_headroom", lambda comp: 1_000)  # far above any day's arrivals here
    grown = run_replication(comp, SEED)
    assert grown.pe.state.shape[0] > simulation._initial_capacity(comp, 1_000)  # the table had to grow
    _assert_same_replication(grown, ref)
    monkeypatch.setattr(simulation, "RESERVE", 1)  # no room to grow in place: every array is copied as it grows
    _assert_same_replication(run_replication(comp, SEED), ref)
    # still one record a person after growing: its fields and calendar links are views of one table
    rec = records(grown.pe)
    assert rec.shape[0] == grown.pe.state.shape[0] and rec.itemsize <= 64
    for field in (*grown.pe[:-3], *grown.cal[1:]):  # not count, free, n_free; not the calendar's heads by day
        assert field.shape == rec.shape and np.shares_memory(field, rec)


def _assert_same_replication(w, ref) -> None:
    """Two final worlds hold the same people (row by row) and the same counts."""
    n = int(ref.pe.count[0])
    assert int(w.pe.count[0]) == n
    for a, b in zip(w.pe[:-1], ref.pe[:-1], strict=True):
        np.testing.assert_array_equal(a[:n], b[:n])
    for a, b in zip(w.cal[1:], ref.cal[1:], strict=True):  # each person's pending event and calendar links
        np.testing.assert_array_equal(a[:n], b[:n])
    np.testing.assert_array_equal(w.tally.flows, ref.tally.flows)
    np.testing.assert_array_equal(w.tally.stocks, ref.tally.stocks)
    np.testing.assert_array_equal(w.tally.national, ref.tally.national)


def test_a_day_needing_more_rows_than_kept_free_runs_again_to_the_same_result(monkeypatch):
    """With 2 free rows, the first days need more: ``TableFull`` is raised instead of writing past the arrays,
    and the replication runs again with more room until it fits, with the same draws: the same result."""
    s = make()
    comp = compile_scenario(s, START, 120, SEED)
    ref = run_replication(comp, SEED)
    attempts = []
    replication = simulation._replication
    monkeypatch.setattr(simulation, "_headroom", lambda comp: 2)
    monkeypatch.setattr(simulation, "_replication", lambda comp, *a: attempts.append(a[1]) or replication(comp, *a))
    again = run_replication(comp, SEED)
    assert attempts[:2] == [2, 16]  # the first one was too small; then 8 times the room
    _assert_same_replication(again, ref)


def test_inflows_that_cannot_fit_in_memory_are_refused_before_the_run():
    """Ten billion border book-ins a year is valid input but 27 million people a day: a message, not a crash."""
    with pytest.raises(immsim.ImmsimError, match="people a day, more than the 2,000,000 a run can hold"):
        immsim.simulate(make(param("border_book_ins_per_year", 1e10)), years=0.01)


def test_series_steps_apply_from_their_dates_and_earlier_steps_from_day_0():
    s = make(
        series(
            "immigration_judges", [("2016-06-01", 1.0), ("2016-12-01", 2.0), ("2017-02-01", 3.0), ("2018-01-01", 4.0)]
        )
    )
    judges = compile_scenario(s, START, 365).params.immigration_judges
    feb = (dt.date(2017, 2, 1) - START).days
    assert (judges[:feb] == 2.0).all() and (judges[feb:] == 3.0).all()


def test_fiscal_years_sum_the_months_from_october_to_september():
    r = run(years=1.5)
    n = r.national.assign(fy=lambda d: d.month.dt.year + (d.month.dt.month >= 10))
    fy = r.fiscal_years.set_index("fiscal_year")
    assert list(fy.index) == [2017, 2018]
    for col in ("detainers_issued", "court_completions", "detention_book_ins"):
        np.testing.assert_array_equal(fy[col], n.groupby("fy")[col].sum())
    np.testing.assert_array_equal(fy.court_pending_end, n.groupby("fy").court_pending.last())
    np.testing.assert_allclose(
        fy.detention_average_daily_population, n.groupby("fy").detention_bed_days.sum() / n.groupby("fy").days.sum()
    )


def test_office_level_national_totals_split_by_population():
    comp = compile_scenario(make(param("jail_officers", 10.0)), START, 5)
    share = {
        o: sum(POPULATION[j] for j in JURISDICTIONS if OFFICE_OF[j] == o) / sum(POPULATION.values())
        for o in ("O1", "O2")
    }
    np.testing.assert_allclose(comp.params.jail_officers[0], [10 * share["O1"], 10 * share["O2"]])


def test_administrative_closures_leave_the_docket_and_recalendared_cases_return():
    r = run(
        quiet(),
        params(
            external_court_receipts_per_year=20_000.0,
            external_detained_share=0.0,
            immigration_judges=10.0,
            completions_per_judge_year=1500.0,
            admin_closure_probability=0.5,
            recalendar_rate=2.0,
        ),
    )
    n = r.national
    closures, done = n.administrative_closures.sum(), n.court_completions.sum()
    hearings = closures + done  # every non-detained hearing ends in one or the other
    assert_within(closures, hearings * 0.5, binomial_sd(hearings, 0.5), "administrative closures")
    assert n.recalendared.sum() > 0
    # the closed stock moves by closures minus recalendared cases; pending by receipts + recalendared - both exits
    closed = np.cumsum(n.administrative_closures - n.recalendared)
    assert (n.stock_admin_closed == closed).all()
    inflow = n.court_receipts + n.recalendared - n.court_completions - n.administrative_closures
    assert (np.diff(n.court_pending) == inflow.to_numpy()[1:]).all()


def test_median_age_from_the_count_by_filing_day_equals_numpy_over_the_waiting_cases():
    """``courts.median_days_pending`` reads the count of cases by filing day, less those being heard."""
    from collections import namedtuple

    from immsim.model.courts import median_days_pending

    pe_ = namedtuple("pe_", "day_in")
    station = namedtuple("station", "job")
    court_ = namedtuple("court_", "detq_ends ndq_ends mppq_ends filed filed_span judges mpp_judges")
    rng = np.random.default_rng(1)
    offset = 45  # filing days from -45
    for trial in range(300):
        t = int(rng.integers(0, 60))
        day_in = rng.integers(-40, t + 1, 50).astype(np.int32)  # filing days, by person
        people = rng.permutation(50).astype(np.int32)
        n_wait, n_heard, n_mpp_heard = int(rng.integers(0, 30)), int(rng.integers(0, 8)), int(rng.integers(0, 3))
        waiting = people[:n_wait]
        heard = people[n_wait : n_wait + n_heard + n_mpp_heard]
        d, m = sorted(rng.integers(0, n_wait + 1, 2))  # the waiting split over the three dockets: only lengths count
        jobs = np.full(10, -1, np.int32)
        jobs[rng.choice(10, n_heard, replace=False)] = heard[:n_heard]
        mpp_jobs = np.full(4, -1, np.int32)
        mpp_jobs[:n_mpp_heard] = heard[n_heard:]
        filed = np.zeros(offset + 70, np.int64)
        np.add.at(filed, day_in[np.concatenate([waiting, heard])] + offset, 1)
        used = np.flatnonzero(filed)
        span = np.array([offset, used.min() if len(used) else offset, used.max() if len(used) else 0])
        court = court_(
            np.array([0, d]), np.array([5, 5 + m - d]), np.array([9, 9 + n_wait - m]),
            filed, span, station(jobs), station(mpp_jobs),
        )  # fmt: skip
        before = filed.copy()
        expected = t - np.median(day_in[waiting]) if n_wait else 0.0
        assert median_days_pending(pe_(day_in), court, t) == expected, trial
        assert (filed == before).all()  # the cases being heard are counted again
    court = court._replace(filed_span=np.array([offset, 0, filed.shape[0] - 1]))
    filed[0] += 1  # a case counted that no queue holds
    with pytest.raises(ValueError, match="does not match its queues"):
        median_days_pending(pe_(day_in), court, t)
