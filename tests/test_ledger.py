"""The stock-and-flow ledger: random scenarios balance, and a corrupted world is caught.

``simulate`` runs ``check_ledger`` after every replication and raises
``LedgerError`` if a person was lost or duplicated. The property test below
runs random small scenarios (random populations, policies, probabilities
anywhere in [0, 1], capacities including 0, dated series and random events)
and also checks, from the result frames alone, accounting identities that hold
exactly whatever the parameters.
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import immsim
from immsim.ledger import check_ledger
from immsim.model import codes as c
from immsim.model import hearings
from immsim.model.codes import ACTIONS, CLASSES, HISTORIES, PATHS, STATUSES
from immsim.model.parameters import SPECS
from immsim.model.people import COMMUNITY, DETAINER, HELD, ICE_ARREST, KNOWN, SUPERVISED
from immsim.scenario.compile import compile_scenario, scenario_policies
from immsim.scenario.loader import parse_scenario
from immsim.scenario.policies import POLICIES
from immsim.simulation import run_replication, run_span
from scenarios import JURISDICTIONS, START, STATE_OF, base, dump, make

#: Random scenarios per run; set IMMSIM_LEDGER_EXAMPLES for a deeper search (2,000 take about four minutes).
EXAMPLES = int(os.environ.get("IMMSIM_LEDGER_EXAMPLES", "30"))
OFFICES = ("O1", "O2")
STATES = sorted(set(STATE_OF.values()))
LIVE = [f"stock_{s}" for s in c.STOCKS if s != "community"]
PROB = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))

#: Upper end of the random magnitude of each non-probability parameter (lower end: its bound in SPECS).
MAGNITUDE = {
    "community_departure_rate": 1.0,
    "new_entrants_per_year": 20_000.0,
    "recent_entrant_aging_rate": 2.0,
    "conviction_rate": 0.5,
    "lead_rate": 0.5,
    "at_large_departure_rate": 1.0,
    "recalendar_rate": 1.0,
    "booking_rate": 0.5,
    "jail_stay_days": 60.0,
    "hold_window_days": 30.0,
    "pickups_per_officer_day": 20.0,
    "jail_officers": 5.0,
    "at_large_officers": 50.0,
    "team_size": 10.0,
    "attempts_per_team_day": 3.0,
    "collateral_per_arrest": 2.0,
    "worksite_operations_per_year": 500.0,
    "worksite_arrests_per_operation": 3.0,
    "worksite_employer_cases_per_operation": 3.0,
    "task_force_officers": 10.0,
    "task_force_arrests_per_officer_day": 0.5,
    "detention_beds": 1000.0,
    "removal_processing_days": 100.0,
    "released_removal_days": 200.0,
    "border_book_ins_per_year": 3000.0,
    "immigration_judges": 10.0,
    "completions_per_judge_year": 1000.0,
    "external_court_receipts_per_year": 3000.0,
    "detained_case_preparation_days": 60.0,
    "booking_rate_factor": 3.0,
    "no_record_booking_factor": 3.0,
    "conviction_targeting_factor": 10.0,
    "reallocation_days": 400.0,
    "represented_no_show_factor": 5.0,
    "released_no_show_factor": 5.0,
    "supervised_no_show_factor": 5.0,
    "bond_hearing_days": 60.0,
    "atd_slots": 300.0,
    "atd_end_rate": 5.0,
    "master_hearing_time": 3.0,
    "asylum_merits_hearing_time": 5.0,
    "no_relief_hearing_time": 3.0,
    "continuance_probability_preparation": 0.9,
    "continuance_probability_representation": 0.9,
    "continuance_probability_judge": 0.9,
}
KEYS = {"class": CLASSES, "path": PATHS, "office": OFFICES, "jurisdiction": JURISDICTIONS}


def _number(spec) -> st.SearchStrategy[float]:
    if spec.hi == 1.0 and spec.lo == 0.0:
        return PROB
    hi = MAGNITUDE[spec.name]
    return st.one_of(st.just(spec.lo), st.floats(spec.lo, hi))


def _value(draw, spec):
    number = _number(spec)
    if spec.dims == "scalar" or draw(st.booleans()):
        return draw(number)
    keys = KEYS[spec.dims]
    if spec.dims == "class":  # by status, by criminal history or by pair
        keys = draw(st.sampled_from([STATUSES, HISTORIES, CLASSES]))
    table = {k: draw(number) for k in keys}
    if spec.dims in ("office", "jurisdiction") and draw(st.booleans()):
        table.pop(draw(st.sampled_from(sorted(table))))
        table["default"] = draw(number)
    return table


def _date(draw, lo: int = -30, hi: int = 130) -> dt.date:
    return START + dt.timedelta(days=draw(st.integers(lo, hi)))


@st.composite
def scenario_docs(draw) -> dict:
    doc = base()
    pops = draw(st.lists(st.integers(0, 30_000), min_size=3, max_size=3).filter(lambda x: sum(x) > 0))
    for j, pop in zip(doc["jurisdictions"], pops, strict=True):
        j["removable_population"] = pop
        j["policy"] = draw(st.sampled_from([*POLICIES, "own"]))
    doc["policies"] = {  # a policy of the scenario's own: any action per criminal history
        "own": {
            "meaning": "test",
            "source": "test",
            "detainer": {h: draw(st.sampled_from(ACTIONS)) for h in HISTORIES},
            "judicial_warrant": draw(st.booleans()),
        }
    }
    for r in doc["regimes"].values():
        r["eligible"] = {
            dim: {k: draw(PROB) for k in keys} for dim, keys in (("status", STATUSES), ("history", HISTORIES))
        }
        weight = st.one_of(st.just(0.0), st.floats(0.0, 10.0))
        r["weight"] = {
            dim: {k: draw(weight) for k in keys} for dim, keys in (("status", STATUSES), ("history", HISTORIES))
        }
    doc["cohorts"] = {
        f"c{i}": {"share": draw(st.floats(0.0, 0.5)), "meaning": "test", "source": "test"}
        for i in range(draw(st.integers(0, 2)))
    }
    for co in doc["cohorts"].values():
        if draw(st.booleans()):  # a closed cohort: orders up to a date, before or during the run
            co["orders_by"] = _date(draw).isoformat()
    ini = doc["initial"]
    weights = [draw(st.floats(0.0, 1.0)) for _ in CLASSES]
    weights[draw(st.integers(0, len(CLASSES) - 1))] += 0.1
    ini["class_share"]["value"] = {k: w / sum(weights) for k, w in zip(CLASSES, weights, strict=True)}
    ini["known_at_start"]["value"] = {k: draw(PROB) for k in CLASSES}
    ini["court_pending"]["value"] = draw(st.integers(0, 3000))
    ini["court_pending_mean_age_days"]["value"] = draw(st.floats(0.0, 1000.0))
    ini["detention_population"]["value"] = draw(st.integers(0, 500))
    ini["detention_court_share"]["value"] = draw(PROB)
    ini["detention_border_share"]["value"] = draw(PROB)
    hist = [draw(st.floats(0.0, 1.0)) for _ in HISTORIES]
    hist[0] += 0.1
    ini["detention_history_share"] = {
        "value": {h: w / sum(hist) for h, w in zip(HISTORIES, hist, strict=True)},
        "unit": "share",
        "meaning": "test",
        "source": "test",
    }
    for spec in SPECS:
        p = doc["parameters"][spec.name]
        if draw(st.integers(0, 9)) == 0:  # a dated series of one to three steps
            days = sorted(set(draw(st.lists(st.integers(-30, 130), min_size=1, max_size=3))))
            p.pop("value")
            p["series"] = [
                {"from": (START + dt.timedelta(days=d)).isoformat(), "value": _value(draw, spec)} for d in days
            ]
        else:
            p["value"] = _value(draw, spec)
    doc["events"] = [draw(_event(doc)) for _ in range(draw(st.integers(0, 4)))]
    return doc


@st.composite
def _event(draw, doc: dict) -> dict:
    kinds = ["policy", "regime", "federal_pressure", "court_policy"] + (["injunction"] if doc["cohorts"] else [])
    kind = draw(st.sampled_from(kinds))
    ev = {"type": kind, "date": _date(draw).isoformat(), "meaning": "random event", "source": "test"}
    if kind == "policy":
        scope = draw(st.sampled_from(["national", "state", "jurisdiction"]))
        target = {
            "national": "US",
            "state": draw(st.sampled_from(STATES)),
            "jurisdiction": draw(st.sampled_from(JURISDICTIONS)),
        }[scope]
        ev |= {
            "scope": scope,
            "target": target,
            "policy": draw(st.sampled_from([*POLICIES, "own"])),
            "mode": draw(st.sampled_from(["set", "at_least", "at_most"])),
        }
    elif kind == "regime":
        ev["regime"] = draw(st.sampled_from(sorted(doc["regimes"])))
    elif kind == "court_policy":
        ev["policy"] = draw(st.sampled_from(["completion_goals", "hearing_suspension", "no_admin_closure", "mpp"]))
        if ev["policy"] == "completion_goals":
            ev["factor"] = draw(st.floats(0.01, 5.0))
        if ev["policy"] == "mpp":
            ev |= {"share": draw(PROB), "no_show_probability": draw(PROB), "judge_share": draw(st.floats(0.01, 1.0))}
        if ev["policy"] == "hearing_suspension" and draw(st.booleans()):
            ev["dockets"] = draw(st.sampled_from([["mpp"], ["non_detained"], ["non_detained", "mpp"]]))
        if draw(st.booleans()):
            ev["end"] = (dt.date.fromisoformat(ev["date"]) + dt.timedelta(days=draw(st.integers(1, 90)))).isoformat()
    elif kind == "injunction":
        ev["cohort"] = draw(st.sampled_from(sorted(doc["cohorts"])))
        length = draw(st.integers(1, 90))
        if draw(st.booleans()):
            ev["end"] = (dt.date.fromisoformat(ev["date"]) + dt.timedelta(days=length)).isoformat()
        if draw(st.booleans()):  # a stay that keeps its detained members detained for part or all of it
            kept = draw(st.integers(1, length))
            ev["detained_until"] = (dt.date.fromisoformat(ev["date"]) + dt.timedelta(days=kept)).isoformat()
    else:
        targets = draw(
            st.one_of(
                st.just("all"),
                st.lists(st.sampled_from([*STATES, *JURISDICTIONS]), min_size=1, max_size=3, unique=True),
            )
        )
        ev |= {"targets": targets, "comply_probability": draw(PROB), "hypothetical": True}
    return ev


def check_accounts(r: immsim.Result, comp, rep: int = 0) -> None:
    """Identities between the result frames of replication ``rep`` that hold exactly for any parameters."""
    m, n = r.monthly[r.monthly.replication == rep], r.national[r.national.replication == rep]
    flows_and_stocks = [*c.FLOWS, *(f"stock_{s}" for s in c.STOCKS)]
    bad = [f for f in flows_and_stocks if not (m[f] >= 0).all()]
    assert not bad, f"negative or undefined (NaN) flows or stocks: {bad}"
    assert (n[list(c.NATIONAL)] >= 0).all().all()
    # jails: every honored detainer is a transfer at the jail, and detainers resolve at most once
    assert (m.detainers_honored == m.arrests_jail_hold + m.arrests_jail_287g).all()
    assert (m.identified <= m.bookings).all() and (m.detainers_issued <= m.identified).all()
    g = m.groupby("jurisdiction")
    open_detainers = (
        g.detainers_issued.cumsum()
        + g.detainers_open_at_start.cumsum()
        - (g.detainers_honored.cumsum() + g.detainers_declined.cumsum() + g.detainers_not_picked_up.cumsum())
    )
    assert (open_detainers >= 0).all() and (open_detainers <= m.stock_jail + m.stock_hold).all()
    assert (g.arrests_jail_notified.cumsum() <= g.detainers_declined.cumsum()).all()
    # at-large operations
    assert (m.at_large_refused <= m.at_large_found).all() and (m.at_large_found <= m.at_large_attempts).all()
    assert (m.arrests_at_large == m.at_large_found - m.at_large_refused).all()
    # courts: every completion is an order or relief; the backlog moves by receipts minus completions
    assert (m.court_completions == m.removal_orders + m.relief_or_termination).all()
    assert (m.in_absentia_orders <= m.removal_orders).all()
    assert (m.court_completions_detained <= m.court_completions).all()
    assert (m.court_receipts_external <= m.court_receipts).all()
    # the MPP docket: a part of the court's receipts, completions and in-absentia orders, moving by them
    assert (m.mpp_receipts <= m.court_receipts).all() and (m.mpp_completions <= m.court_completions).all()
    assert (m.mpp_in_absentia_orders <= m.in_absentia_orders).all()
    assert (m.mpp_in_absentia_orders <= m.mpp_completions).all()
    mpp_stock = m.groupby("jurisdiction").stock_mpp.diff().fillna(m.stock_mpp)
    assert (mpp_stock == m.mpp_receipts - m.mpp_completions).all()
    if (comp.inputs.mpp_share == 0).all():
        assert (n.mpp_receipts == 0).all() and (n.stock_mpp == 0).all()
    inflow = n.court_receipts + n.recalendared - n.court_completions - n.administrative_closures
    assert (np.diff(n.court_pending) == inflow.to_numpy()[1:]).all()
    assert (n.court_pending == n.stock_detained_court + n.stock_court_nondetained + n.stock_mpp).all()
    assert (n.court_pending_detained == n.stock_detained_court).all()
    # detention: beds in use are the detained
    assert (n.beds_used == n.stock_detained_removal + n.stock_detained_court).all()
    beds = comp.params.detention_beds
    if comp.detained <= beds.min() and (np.diff(beds) >= 0).all():
        # a person is admitted while fewer beds than the capacity are used: a fractional capacity acts as its ceiling
        assert (n.beds_used <= np.ceil(n.detention_beds)).all()
    # release and supervision: a contesting person leaves custody at intake at most once, bonds are
    # hearings' outcomes, and the people supervised are the enrollments minus the exits, within the slots
    in_custody = n.court_receipts - n.court_receipts_external
    assert (n.released_on_recognizance + n.released_no_bed_contested <= in_custody).all()
    assert (n.bonds_posted <= n.bonds_granted).all() and (n.bonds_granted <= n.bond_hearings).all()
    assert (n.atd_used == (n.atd_enrollments - n.atd_exits).cumsum()).all()
    assert (n.atd_participant_days >= 0).all() and (n.atd_days >= 0).all()
    slots = comp.params.atd_slots
    if (np.diff(slots) >= 0).all():
        assert (n.atd_used <= np.floor(n.atd_slots)).all()
        assert (n.atd_participant_days <= n.days * np.floor(slots.max())).all()
    if (comp.params.bond_hearing_probability == 0).all():
        assert (n.bond_hearings == 0).all()
    # stays: the stock moves by stays minus lifts; a stay that keeps detention (Inputs.stay_detains) holds its
    # people on the detained removal path until the order releases them, so they are stayed but not in the stock
    stays = (m.removals_stayed - m.stays_lifted).groupby(m.jurisdiction).cumsum()
    kept_detained = stays - m.stock_stayed
    if not comp.inputs.stay_detains.any():
        assert (kept_detained == 0).all()
    assert (kept_detained >= 0).all() and (kept_detained <= m.stock_detained_removal).all()
    removals = n[[f"removals_{p}" for p in PATHS]].sum(axis=1)
    assert (n.removals_from_ice_arrests <= removals).all() and (n.removals_border <= removals).all()
    # people: the whole population changes only by arrivals from and exits to outside
    people = n[LIVE].sum(axis=1) + n.stock_community
    start = comp.population.sum() + comp.court_pending + comp.court_admin_closed + comp.detained
    change = np.diff(np.r_[start, people.to_numpy()])
    exits = (removals + n.relief_or_termination + n.departures).to_numpy()
    arrivals = change + exits - n.court_receipts_external.to_numpy()  # new entrants and border book-ins
    assert (arrivals >= 0).all()
    no_border = (comp.params.border_book_ins_per_year <= 0).all() or (comp.params.border_share.sum(axis=1) <= 0).all()
    if no_border and (comp.params.new_entrants_per_year <= 0).all():
        assert (arrivals == 0).all()
    # a jurisdiction that never cooperates makes no custodial arrests
    for j, code in enumerate(JURISDICTIONS):
        if (comp.inputs.policy_action[comp.inputs.policy[:, j]] == c.A_NO_CONTACT).all():
            rows = m[m.jurisdiction == code]
            assert (rows[["arrests_jail_hold", "arrests_jail_notified", "arrests_jail_287g"]] == 0).all().all()
    # the federal-pressure lever only raises policies below honor
    fp = r.federal_pressure
    scores = {name: d.score for name, d in scenario_policies(r.scenario.data).items()}
    assert all(scores[p] < scores["honor"] for p in fp.policy_before)
    assert len(fp[fp.replication == rep]) == len(comp.pressure_changes)


def check_world(comp, w) -> None:
    """The person table agrees with the pool, the holds, the stays, the calendar and the dockets."""
    pe, n, T = w.pe, int(w.pe.count[0]), comp.dates.shape[0]
    state = pe.state[:n].astype(np.int64)
    jur = pe.jur[:n].astype(np.int64)
    # stocks per jurisdiction (the ledger check compares national sums only)
    J = comp.population.shape[0]
    H = c.N_HISTORIES
    hist = pe.klass[:n].astype(np.int64) % H
    recount = np.bincount((jur * H + hist) * c.N_STATES + state, minlength=J * H * c.N_STATES)
    recount = recount.reshape(J, H, c.N_STATES) + w.tally.retired  # reused rows: in the final state they reached
    recount[:, :, c.RETURNED] = 0  # a tombstone: the person is counted in the community stock
    np.testing.assert_array_equal(recount, w.tally.live)
    assert (w.tally.community >= 0).all()
    # the at-large pool holds exactly the at-large people, each in the bucket of its jurisdiction and class
    members = np.flatnonzero(state == c.AT_LARGE)
    assert w.pool.size.sum() == len(members)
    np.testing.assert_array_equal(w.pool.bucket[members], jur[members] * c.N_CLASSES + pe.klass[members])
    # holds: by field office, and nobody is still waiting after their deadline
    held = np.flatnonzero(state == c.HOLD)
    assert w.holds.size.sum() == len(held)
    np.testing.assert_array_equal(w.holds.bucket[held], comp.inputs.jur_office[jur[held]])
    assert (pe.deadline[held] >= T).all()
    # stays: by cohort, only while the cohort's injunction is in force; detained members only while it detains
    stayed = np.flatnonzero(state == c.STAYED)
    kept = np.flatnonzero((state == c.DETAINED_REMOVAL) & (w.stayed.bucket[:n] >= 0))
    assert w.stayed.size.sum() == len(stayed) + len(kept)
    np.testing.assert_array_equal(w.stayed.bucket[stayed], pe.cohort[stayed])
    np.testing.assert_array_equal(w.stayed.bucket[kept], pe.cohort[kept])
    assert comp.inputs.injunction[T - 1, pe.cohort[stayed]].all()
    assert comp.inputs.stay_detains[T - 1, pe.cohort[kept]].all()
    # calendar: people in jail or on a removal path have an event to come (but those a stay keeps detained),
    # supervised respondents may have one (the end of their supervision), others none
    when = w.cal.when[:n]
    waiting = np.isin(state, [c.JAIL, c.DETAINED_REMOVAL, c.RELEASED_REMOVAL])
    waiting[kept] = False
    assert (when[waiting] >= T).all()
    supervised = (state == c.COURT_NONDETAINED) & (pe.flags[:n] & SUPERVISED > 0)
    assert (when[~waiting & (state != c.DETAINED_COURT) & ~supervised] == -1).all()
    assert (when[supervised] == -1).all() or (comp.params.atd_end_rate > 0).any()
    assert w.tally.atd_used[0] == supervised.sum()
    # a detained case's pending event is a bond hearing exactly when its deadline holds the event's day
    dc_when = when[state == c.DETAINED_COURT]
    bond = pe.deadline[:n][state == c.DETAINED_COURT]
    assert ((bond == -1) | (bond == dc_when)).all()
    # dockets: a case is in preparation (detained only: an event to come), waiting on its queue,
    # or before a judge, and only one of these
    ct = w.court
    detq = ct.detq[ct.detq_ends[0] : ct.detq_ends[1]]
    ndq = ct.ndq[ct.ndq_ends[0] : ct.ndq_ends[1]]
    mppq = ct.mppq[ct.mppq_ends[0] : ct.mppq_ends[1]]
    heard = ct.judges.job[ct.judges.job >= 0]
    heard_mpp = ct.mpp_judges.job[ct.mpp_judges.job >= 0]
    assert ct.new_count[0] == 0
    where = np.zeros(n, int)
    np.add.at(where, detq, 1)
    np.add.at(where, ndq, 1)
    np.add.at(where, mppq, 1)
    np.add.at(where, heard, 1)
    np.add.at(where, heard_mpp, 1)
    # the MPP docket: its cases wait on its own queue or before its own judges, and no one else does
    mp = state == c.MPP
    assert (where[mp] == 1).all() and (state[mppq] == c.MPP).all() and (state[heard_mpp] == c.MPP).all()
    assert not (pe.flags[:n][mp] & (SUPERVISED | KNOWN)).any()
    assert (state[detq] == c.DETAINED_COURT).all()
    dc = state == c.DETAINED_COURT
    assert ((when[dc] >= T).astype(int) + where[dc] == 1).all()
    nd = state == c.COURT_NONDETAINED
    assert (where[nd] == 1).all() and (state[ndq] == c.COURT_NONDETAINED).all()
    assert (where[~(dc | nd | mp)] == 0).all()
    assert (np.diff(pe.t_arrive[ndq]) >= 0).all(), "the non-detained docket is not in arrival order"
    # hearings: a pending case's next hearing is one of the kinds, and a merits or no-relief hearing agrees with the
    # asylum bit
    byte = pe.hearing[:n][dc | nd | mp]
    kind = byte & hearings.KIND
    assert np.isin(kind, [hearings.MERITS, hearings.MERITS_ASYLUM, hearings.MASTER, hearings.NO_RELIEF]).all()
    merits = (kind == hearings.MERITS) | (kind == hearings.MERITS_ASYLUM)
    assert ((kind[merits] == hearings.MERITS_ASYLUM) == ((byte[merits] & hearings.ASYLUM) != 0)).all()
    assert not (byte[kind == hearings.NO_RELIEF] & hearings.ASYLUM).any(), "an asylum case is a relief application"
    ages = (T - 1) - pe.day_in[np.r_[detq, ndq, mppq]]  # every docket's waiting cases
    assert w.tally.national[-1, c.NA_MEDIAN_DAYS_PENDING] == (np.median(ages) if len(ages) else 0.0)
    # flags: known targets, detainers and holds
    flags = pe.flags[:n]
    assert (flags[state == c.AT_LARGE] & KNOWN).all()
    assert not (flags[state == c.RETURNED] & KNOWN).any()
    assert (flags[held] & DETAINER).all()
    # detainers issued and not yet resolved are those of people in jail, or held for pickup, today
    f = w.tally.flows.sum(axis=(0, 2))
    open_detainers = (
        f[:, c.F["detainers_issued"]]
        + f[:, c.F["detainers_open_at_start"]]
        - (f[:, c.F["detainers_honored"]] + f[:, c.F["detainers_declined"]] + f[:, c.F["detainers_not_picked_up"]])
    )
    pending = ((state == c.JAIL) & (flags & DETAINER > 0)) | ((state == c.HOLD) & (flags & HELD > 0))
    np.testing.assert_array_equal(open_detainers, np.bincount(jur[pending], minlength=J))
    # every interior ICE arrest is flagged
    assert (flags[pe.channel[:n] >= 0] & ICE_ARREST).all()
    assert w.tally.beds_over[0] == 0
    # the free stack holds exactly the rows of people in a final state, each once, ready for reuse
    free = pe.free[: pe.n_free[0]]
    np.testing.assert_array_equal(np.sort(free), np.flatnonzero(np.isin(state, c.FINAL_STATES)))


#: Derandomized and without an example database: the examples depend only on the code and EXAMPLES, so a
#: failure seen in CI reproduces on any machine (a random seed or a saved example would not travel with it).
LEDGER_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    database=None,
)


def test_the_property_test_is_reproducible():
    """The settings Hypothesis will use for the property test (not just the constant) are derandomized."""
    used = test_random_scenarios_balance._hypothesis_internal_use_settings
    assert used.derandomize and used.database is None


@LEDGER_SETTINGS
@given(doc=scenario_docs(), months=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_random_scenarios_balance(doc, months, seed):
    scenario = parse_scenario(dump(doc), "<random>")
    years = months / 12
    r = immsim.simulate(scenario, years=years, seed=seed)  # raises LedgerError if the ledger does not balance
    _, days = run_span(scenario, None, years, seed, 1)
    comp = compile_scenario(scenario, START, days, seed)
    check_accounts(r, comp)
    check_world(comp, run_replication(comp, seed))


def test_the_synthetic_base_scenario_balances_over_two_years_with_two_replications():
    r = immsim.simulate(make(), years=2, seed=3, replications=2)
    _, days = run_span(r.scenario, None, 2, 3, 2)
    for rep in (0, 1):
        check_accounts(r, compile_scenario(r.scenario, START, days, 3 + rep), rep)


# --- the check itself fires on a corrupted world -----------------------------------------------------------------


@pytest.fixture(scope="module")
def finished():
    s = make()
    comp = compile_scenario(s, START, 120, 5)
    return comp


OTHER_NONE = c.OTHER_STATUS * c.N_HISTORIES + c.H_NONE


def _first(w, state: int) -> int:
    return int(np.flatnonzero(w.pe.state[: int(w.pe.count[0])] == state)[0])


def _move_one(w):
    w.pe.state[_first(w, c.AT_LARGE)] = c.RELIEF


def _no_state(w):
    w.pe.state[_first(w, c.RELIEF)] = -1


def _community(w):
    w.tally.community[0, OTHER_NONE] += 1


def _community_ledger(w):
    w.tally.moves[c.H_NONE, COMMUNITY, c.JAIL] += 1


def _live(w):
    w.tally.live[1, c.H_NONE, c.COURT_NONDETAINED] -= 1


def _jurisdiction(w):
    # national totals unchanged: one person counted in the wrong jurisdiction
    w.tally.live[0, c.H_NONE, c.AT_LARGE] -= 1
    w.tally.live[1, c.H_NONE, c.AT_LARGE] += 1


def _returned(w):
    # a row counted as returned to the community that the ledger never saw go there
    w.tally.retired[0, c.H_NONE, c.RETURNED] += 1


def _bed(w):
    w.tally.beds_used[0] += 1


def _over(w):
    w.tally.beds_over[0] = 1


def _negative(w):
    # the community stock balances in total but is negative in one jurisdiction
    w.tally.community[0, OTHER_NONE] += w.tally.community[1, OTHER_NONE] + 1
    w.tally.community[1, OTHER_NONE] = -1


def _atd(w):
    w.tally.atd_used[0] += 1


def _initial(w):
    w.tally.initial[c.H_NONE, c.COURT_NONDETAINED] += 1


#: Each check of ``check_ledger``, a fault that only it catches, and the words of its message.
FAULTS = [
    (_no_state, "people are in no state"),
    (_returned, "returned to the community"),
    (_move_one, r"state 'at_large': initial .* in the table"),
    (_initial, r"state 'court_nondetained': initial"),
    (_live, r"state 'court_nondetained': .* counted live"),
    (_community_ledger, r"state 'jail': initial"),
    (_jurisdiction, r"jurisdiction \d+, state 'at_large'"),
    (_community, "community stock is"),
    (_negative, "a stock went negative"),
    (_bed, "beds in use but"),
    (_over, "detained with no free bed"),
    (_atd, "ATD slots in use but"),
]


@pytest.mark.parametrize(("corrupt", "message"), FAULTS, ids=[f.__name__.strip("_") for f, _ in FAULTS])
def test_each_ledger_check_fires_on_its_fault(finished, corrupt, message):
    w = run_replication(finished, 5)
    check_ledger(w.pe, w.tally)  # the untouched world balances
    corrupt(w)
    with pytest.raises(immsim.LedgerError, match=message):
        check_ledger(w.pe, w.tally)


def test_the_code_constants_are_the_positions_of_their_names():
    """Compiled code indexes flows and figures by constants: a name moved in its tuple must move its constant."""
    from immsim.model import codes

    assert [getattr(codes, f"FL_{n.upper()}") for n in codes.FLOWS] == list(range(codes.N_FLOWS))
    assert [getattr(codes, f"NA_{n.upper()}") for n in codes.NATIONAL] == list(range(codes.N_NATIONAL))
    assert [getattr(codes, n.upper()) for n in codes.STATES] == list(range(codes.N_STATES))
