"""Release and supervision (issue 14, point 3): bond hearings, release at intake, ATD with a capacity.

The scenarios are small and fed by border book-ins alone (no expedited
removal), so every book-in is a contesting respondent: detained when the
class calls for it and a bed is free, released otherwise. Exact checks use the
ledger of moves and the person table of a finished replication; counts drawn
with a known probability are checked against it within four binomial (or
Poisson) standard deviations.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

import immsim
from immsim.model import codes as c
from immsim.model.parameters import SPEC
from immsim.model.people import RELEASED, SUPERVISED
from immsim.scenario.compile import compile_scenario
from immsim.simulation import run_replication, run_span
from scenarios import START, initial, make, params, quiet, series

SEED = 20170301
K = 4.0
U = 0.5  # no-show probability of an unrepresented, unsupervised respondent never detained
NEW_FLOWS = [f for f in c.FLOWS if f.startswith(("released_on", "released_no_bed_contested", "bond", "atd_"))]
RELEASE_AND_SUPERVISION = (
    "bond_hearing_probability",
    "bond_hearing_days",
    "bond_grant_probability",
    "bond_posted_probability",
    "atd_slots",
    "atd_end_rate",
)


def _border(**values):
    """Contesting border book-ins only, 15,000 a year, every one to be detained, 40 judges."""
    return make(
        quiet(),
        initial(detention_population=0, court_pending=0),
        params(
            **{
                "border_book_ins_per_year": 15000.0,
                "border_expedited_probability": 0.0,
                "detain_contested_probability": 1.0,
                "detention_beds": 1e6,
                "immigration_judges": 40.0,
                "removal_order_probability_detained": 0.0,
                "no_show_probability": U,
                **values,
            }
        ),
    )


def _world(scenario, years: float = 1.0):
    """(result, compiled scenario, final world) of one replication."""
    r = immsim.simulate(scenario, years=years, seed=SEED)
    _, days = run_span(scenario, None, years, SEED, 1)
    comp = compile_scenario(scenario, START, days, SEED)
    return r, comp, run_replication(comp, SEED)


def _total(r, name: str) -> float:
    return float(r.national[name].sum())


def test_a_posted_bond_moves_the_case_to_the_released_docket_and_frees_the_bed():
    """Every bond hearing grants a bond that is posted the day after detention, unless the case is ready first.

    The ledger's moves from the detained to the non-detained docket are the
    bonds posted, one for one; every detention exit is a bond or a detained
    completion (relief: no removal orders), so the beds in use are the
    book-ins minus both; the bonded cases are heard on the non-detained docket
    as released cases. With a one-day delay the hearing comes before the
    case's readiness (geometric, mean 60 days) unless that falls on day one:
    probability 1 - 1/60.
    """
    r, comp, w = _world(
        _border(
            bond_hearing_probability=1.0,
            bond_grant_probability=1.0,
            bond_posted_probability=1.0,
            bond_hearing_days=1.0,
            detained_case_preparation_days=60.0,
        )
    )
    moved = int(w.tally.moves[:, c.DETAINED_COURT, c.COURT_NONDETAINED].sum())
    posted = _total(r, "bonds_posted")
    assert moved == posted == _total(r, "bonds_granted") == _total(r, "bond_hearings") > 1000
    exits = _total(r, "detention_exits")
    assert exits == posted + _total(r, "court_completions_detained")
    assert int(w.tally.beds_used[0]) == _total(r, "detention_book_ins") - exits
    # the bonded cases are the non-detained docket: completed there, or on it at the end, each a released case
    nondetained = _total(r, "court_completions") - _total(r, "court_completions_detained")
    n = int(w.pe.count[0])
    state, flags = w.pe.state[:n], w.pe.flags[:n]
    on_docket = state == c.COURT_NONDETAINED
    assert nondetained + on_docket.sum() == posted
    assert (flags[on_docket] & RELEASED).all()
    # bond hearings still to come (the order of the two events is drawn at filing): with them, 59 in 60 filings
    pending_bond = int(((state == c.DETAINED_COURT) & (w.pe.deadline[:n] >= 0)).sum())
    filed = _total(r, "detention_book_ins")
    q = 1 - 1 / 60
    sd = math.sqrt(filed * q * (1 - q))
    assert abs(posted + pending_bond - filed * q) <= K * sd
    assert _total(r, "released_on_recognizance") == _total(r, "released_no_bed_contested") == 0


def test_bond_hearings_compete_with_preparation_and_grants_and_postings_thin_them():
    """P(hearing before readiness) for geometric delays of means 20 and 30 days, then grant x posting."""
    r, _, w = _world(
        _border(
            bond_hearing_probability=0.8,
            bond_grant_probability=0.5,
            bond_posted_probability=0.6,
            bond_hearing_days=20.0,
            detained_case_preparation_days=30.0,
        )
    )
    pb, pr = 1 / 20, 1 / 30
    first = pb * (1 - pr) / (1 - (1 - pb) * (1 - pr))  # sum over k of P(B = k) P(R > k)
    n = int(w.pe.count[0])
    pending = int(((w.pe.state[:n] == c.DETAINED_COURT) & (w.pe.deadline[:n] >= 0)).sum())
    filed, held = _total(r, "detention_book_ins"), _total(r, "bond_hearings")
    # the order of the two events is drawn at filing: hearings held or still to come are binomial
    q = 0.8 * first
    assert abs(held + pending - filed * q) <= K * math.sqrt(filed * q * (1 - q))
    granted, posted = _total(r, "bonds_granted"), _total(r, "bonds_posted")
    assert abs(granted - 0.5 * held) <= K * math.sqrt(held * 0.25)
    assert abs(posted - 0.6 * granted) <= K * math.sqrt(granted * 0.24)


def test_bonded_respondents_appear_as_released_ones():
    """Every non-detained case is a bonded one: its no-show probability is U times the released factor."""
    r, _, _ = _world(
        _border(
            bond_hearing_probability=1.0,
            bond_grant_probability=1.0,
            bond_hearing_days=1.0,
            detained_case_preparation_days=60.0,
            released_no_show_factor=1.6,
        )
    )
    n = _total(r, "court_completions") - _total(r, "court_completions_detained")
    absent = _total(r, "in_absentia_orders")
    p = U * 1.6
    assert n > 5000
    assert abs(absent - n * p) <= K * math.sqrt(n * p * (1 - p)), (absent, n)


def test_release_at_intake_is_on_recognizance_or_for_lack_of_a_bed():
    """With no beds, a person the class would detain is a no-bed release, others are released on recognizance."""
    r, _, _ = _world(_border(detention_beds=0.0, detain_contested_probability=0.3))
    ror, nobed = _total(r, "released_on_recognizance"), _total(r, "released_no_bed_contested")
    assert ror + nobed == _total(r, "court_receipts")
    n = ror + nobed
    assert abs(nobed - 0.3 * n) <= K * math.sqrt(n * 0.21)


def _atd(**values):
    """Every book-in released for lack of a bed and offered ATD."""
    return _border(detention_beds=0.0, supervised_share_released=1.0, **values)


def test_atd_never_exceeds_its_slots_and_the_rest_are_turned_away():
    """Capacity 300, then 600 from April; no judges, so no case ends and the slots fill: the rest are turned away."""
    scenario = make(
        quiet(),
        initial(detention_population=0, court_pending=0),
        params(
            border_book_ins_per_year=15000.0,
            border_expedited_probability=0.0,
            detain_contested_probability=1.0,
            detention_beds=0.0,
            immigration_judges=0.0,
            no_show_probability=U,
            supervised_share_released=1.0,
        ),
        series("atd_slots", [("2017-01-01", 300.0), ("2017-04-01", 600.0)]),
    )
    r, comp, w = _world(scenario)
    n = r.national
    assert (n.atd_used <= n.atd_slots).all()
    assert n.atd_used.max() == 600 and (n.atd_used[n.month < "2017-04-01"] == 300).all()
    assert (n.atd_participant_days <= n.days * n.atd_slots).all()
    released = _total(r, "released_no_bed_contested")
    assert _total(r, "atd_enrollments") + _total(r, "atd_full") == released
    assert _total(r, "atd_full") > 0
    assert w.tally.atd_used[0] == int(((w.pe.state == c.COURT_NONDETAINED) & (w.pe.flags & SUPERVISED > 0)).sum())


def test_atd_participants_follow_littles_law_when_ice_ends_supervision():
    """No judges (no case ends), unlimited slots, supervision ended at 365/50 a year: an M/G/infinity queue.

    Enrollments arrive as a Poisson process (41 a day) and stay a geometric
    time of mean 50 days, so at a month end well after the start the number
    supervised is Poisson with mean 41 x 50 (each month end within four
    standard deviations).
    """
    lam = 15000.0 / 365
    r, _, _ = _world(_atd(immigration_judges=0.0, atd_end_rate=365.0 / 50), years=1.0)
    n = r.national
    late = n.atd_used[n.month >= "2017-05-01"]
    mean = lam * 50
    assert len(late) >= 7
    assert (abs(late - mean) <= K * math.sqrt(mean)).all(), (list(late), mean)
    exits = _total(r, "atd_exits")
    assert exits == _total(r, "atd_enrollments") - int(n.atd_used.iloc[-1])


@pytest.mark.parametrize(("slots", "expected"), [(1e9, U * 0.25), (0.0, U)])
def test_atd_enrollees_appear_by_the_supervised_factor_and_only_with_a_slot(slots, expected):
    """All released respondents supervised (no limit): U x factor; no slots: nobody supervised, U."""
    r, _, _ = _world(_atd(supervised_no_show_factor=0.25, atd_slots=slots))
    n = _total(r, "court_completions") - _total(r, "court_completions_detained")
    absent = _total(r, "in_absentia_orders")
    assert n > 8000
    assert abs(absent - n * expected) <= K * math.sqrt(n * expected * (1 - expected)), (absent, n)
    if slots == 0.0:
        assert _total(r, "atd_enrollments") == 0 and _total(r, "atd_full") == _total(r, "court_receipts")


def test_release_and_supervision_at_their_neutral_values_reproduce_the_reference_run(tmp_path):
    """The new parameters set explicitly to their neutral values: the reference fingerprint, bit for bit.

    ``atd_slots``'s default is inf, which a file cannot write: a billion slots
    is no limit in a run of this size, and only the capacity recorded in the
    results differs. Of the new flows only the releases on
    recognizance, which name releases the model always made, are not zero.
    """
    from test_determinism import OPTIONS, REFERENCE, REFERENCE_FILE

    doc = yaml.safe_load(REFERENCE_FILE.read_text())
    for name in RELEASE_AND_SUPERVISION:
        spec = SPEC[name]
        value = spec.default if np.isfinite(spec.default) else 1e9
        doc["parameters"][name] = {"value": value, "unit": spec.unit, "meaning": "neutral", "source": "test"}
    path = tmp_path / "neutral.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    r = immsim.simulate(immsim.load_scenario(str(path)), **OPTIONS)
    assert (r.national.atd_slots == 1e9).all()
    r.national["atd_slots"] = np.inf  # the capacity as recorded: the one value that differs from the default's
    assert r.fingerprint() == REFERENCE
    assert r.monthly[[f for f in NEW_FLOWS if f != "released_on_recognizance"]].sum().sum() == 0
    assert r.monthly.released_on_recognizance.sum() > 0


def _supervised_at_start(n: int):
    def patch(doc: dict) -> None:
        doc["initial"]["atd_participants"] = {
            "value": n,
            "unit": "people",
            "meaning": "released respondents under ATD at start",
            "source": "test",
        }

    return patch


def test_the_initial_atd_participants_are_the_youngest_pending_cases_released_and_supervised():
    """500 of 2,000 pending cases under ATD at start, 300 slots, no judges and no new cases: the 500 youngest are
    released and supervised from the first day (beyond the slots, which then take nobody new), and stay so."""
    scenario = make(
        quiet(),
        initial(detention_population=0, court_pending=2000),
        _supervised_at_start(500),
        params(immigration_judges=0.0, atd_slots=300.0, supervised_share_released=1.0),
    )
    r, comp, w = _world(scenario, years=0.25)
    assert comp.atd_participants == 500
    n = r.national
    assert (n.atd_used == 500).all() and _total(r, "atd_enrollments") == 0 and _total(r, "atd_exits") == 0
    pending = np.flatnonzero(w.pe.state == c.COURT_NONDETAINED)
    assert len(pending) == 2000
    supervised = (w.pe.flags[pending] & SUPERVISED) > 0
    assert ((w.pe.flags[pending] & RELEASED) > 0).tolist() == supervised.tolist()
    ages = w.pe.t_arrive[pending]
    assert supervised.sum() == 500 and ages[supervised].min() >= ages[~supervised].max()


def test_more_atd_participants_at_start_than_pending_cases_is_refused_by_name():
    with pytest.raises(immsim.ScenarioError, match=r"initial\.atd_participants\.value.*more than the 100 pending"):
        make(initial(court_pending=100), _supervised_at_start(101))


@pytest.mark.parametrize("slots", [1e9, 100.0])
def test_external_receipts_released_at_the_border_are_placed_under_atd_by_their_share(slots):
    """15,000 external receipts a year, none detained, no judges: ICE offers ATD to each with probability 0.4
    (a binomial count, within four standard deviations), and the offers beyond the slots are turned away."""
    scenario = make(
        quiet(),
        initial(detention_population=0, court_pending=0),
        params(
            external_court_receipts_per_year=15000.0,
            external_detained_share=0.0,
            immigration_judges=0.0,
            supervised_share_external=0.4,
            atd_slots=slots,
        ),
    )
    r, _, w = _world(scenario)
    receipts = _total(r, "court_receipts")
    offered = _total(r, "atd_enrollments") + _total(r, "atd_full")
    assert abs(offered - 0.4 * receipts) <= K * math.sqrt(receipts * 0.24), (offered, receipts)
    assert _total(r, "atd_enrollments") == min(offered, slots) == w.tally.atd_used[0]
    assert _total(r, "released_on_recognizance") == 0  # never in custody: not released ones
