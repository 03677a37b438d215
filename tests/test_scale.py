"""Scaled scenarios for cost measurement: ten times the population, states split into counties.

The statistical checks compare national totals of two runs with a z-score
whose variance is, per run, the larger of the Poisson variance (the mean: these
flows are sums of many rare independent events, and capacity-bound flows vary
less) and the replication spread (which catches overdispersion). |z| < 4 for
every figure: with the dozen figures tested, a false alarm has a probability
below 1e-3 (seeds are fixed, so the tests are deterministic anyway).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import immsim
from immsim.model.parameters import SPECS
from immsim.scenario.compile import compile_scenario, whole_people
from immsim.scenario.loader import parse_scenario
from immsim.scenario.scale import (
    NOT_SCALED,
    SCALED_PARAMETERS,
    SPLIT_BY_POPULATION,
    apportion,
    county_counts,
    rest_counts,
    scale_population,
    split_counties,
)

COUNT_UNITS = {"people/year", "cases/year", "operations/year", "officers", "beds", "judges", "participants"}
FIGURES = [
    "bookings",
    "leads",
    "detainers_issued",
    "arrests_jail_hold",
    "arrests_jail_287g",
    "arrests_at_large",
    "arrests_collateral",
    "released_to_at_large",
    "detention_book_ins",
    "court_receipts",
    "removals_expedited",
    "removals_final_order",
]


@pytest.fixture(scope="module")
def us() -> immsim.Scenario:
    return immsim.load_scenario("us-2017")


def _numbers(p) -> list[float]:
    """Every number of a parameter entry (dated steps, table entries in order)."""
    steps = [s.value for s in p.series] if p.series else [p.value]
    return [x for v in steps for x in (v.values() if isinstance(v, dict) else [v])]


def test_every_count_or_capacity_is_classified():
    """A new parameter counting people or capacity must be declared scaled or not."""
    counted = {s.name for s in SPECS if s.unit in COUNT_UNITS}
    assert counted == set(SCALED_PARAMETERS) | set(NOT_SCALED)
    assert {s.name for s in SPECS if s.dims == "jurisdiction"} == set(SPLIT_BY_POPULATION)


def test_scale_population_multiplies_stocks_inflows_and_capacities_only(us):
    big = scale_population(us, 10)
    assert parse_scenario(big.text).data == big.data  # its text is the scenario it holds
    assert big.name == "us-2017-x10"
    for a, b in zip(us.data.jurisdictions, big.data.jurisdictions, strict=True):
        assert b.removable_population == 10 * a.removable_population
    for key in ("court_pending", "court_admin_closed", "detention_population"):
        assert getattr(big.data.initial, key).value == 10 * getattr(us.data.initial, key).value
    assert big.data.initial.known_at_start.value == us.data.initial.known_at_start.value
    supervised = us.with_changes([{"initial": "atd_participants", "value": 1000, "source": "test"}])
    assert scale_population(supervised, 10).data.initial.atd_participants.value == 10_000
    for name, p in us.data.parameters.items():
        factor = 10 if name in SCALED_PARAMETERS else 1
        assert _numbers(big.data.parameters[name]) == pytest.approx([factor * x for x in _numbers(p)]), name


def test_county_counts_are_the_census_3143():
    counts = county_counts()
    assert len(counts) == 51 and sum(counts.values()) == 3143
    assert (counts["TX"], counts["CA"], counts["DC"], counts["VA"]) == (254, 58, 1, 133)


def test_whole_people_round_each_cell_and_keep_class_totals():
    """Each cell is the floor or ceiling of its exact share; each class's total is its exact total, rounded."""
    rng = np.random.default_rng(3)
    exact = np.outer(rng.integers(1, 500, 3000), [0.9952, 0.0012, 0.0036])  # many small places, rare classes
    cells = whole_people(exact)
    assert ((cells == np.floor(exact)) | (cells == np.ceil(exact))).all()
    assert (cells.sum(axis=0) == np.floor(exact.sum(axis=0) + 0.5)).all()  # flooring loses hundreds
    assert np.abs(cells.sum(axis=1) - exact.sum(axis=1)).max() < exact.shape[1]


def test_apportion_adds_up_in_whole_units():
    shares = np.array([0.5, 0.3, 0.2])
    out = apportion(12_345, shares, 100)
    assert out.sum() == 12_345 and (out[1:] % 100 == 0).all()
    assert list(apportion(7, shares)) == [4, 2, 1]


def test_split_counties_keeps_offices_people_classes_and_totals(us):
    co = split_counties(us)
    jurs = co.data.jurisdictions
    rest = rest_counts(us)
    listed = [j for j in us.data.jurisdictions if j.code != j.state]
    states = {j.state for j in us.data.jurisdictions if j.code == j.state}
    assert len(jurs) == len(listed) + sum(rest[s] for s in states) and len({j.code for j in jurs}) == len(jurs)
    assert 3143 - len(listed) <= len(jurs) <= 3143 + len(listed)  # about the country's 3,143 counties
    state = {j.code: j for j in us.data.jurisdictions}
    parent = {j.code: (j.code if j.code in state else j.state) for j in jurs}
    for j in jurs:
        assert (j.office, j.policy) == (state[parent[j.code]].office, state[parent[j.code]].policy)
    people = pd.Series({j.code: j.removable_population for j in jurs}).groupby(parent).sum()
    assert people.to_dict() == {code: j.removable_population for code, j in state.items()}
    day0 = us.data.start
    a, b = compile_scenario(us, day0, 400), compile_scenario(co, day0, 400)
    # each class loses less than one person per jurisdiction to rounding
    assert (np.abs(a.population.sum(axis=0) - b.population.sum(axis=0)) <= len(jurs)).all()
    idx = {j.code: i for i, j in enumerate(us.data.jurisdictions)}
    of = np.array([idx[parent[j.code]] for j in jurs])
    assert (b.inputs.jur_office == a.inputs.jur_office[of]).all()
    assert (b.inputs.policy == a.inputs.policy[:, of]).all()  # state events reach every county, every day
    assert np.allclose(b.params.share_287g_jails, a.params.share_287g_jails[:, of])  # a copy
    for name in ("border_share", "task_force_officers"):  # shared out
        summed = np.zeros_like(getattr(a.params, name))
        np.add.at(summed.T, of, getattr(b.params, name).T)
        assert np.allclose(summed, getattr(a.params, name)), name


def test_split_counties_retargets_jurisdiction_events():
    reform = immsim.load_scenario("ca-no-contact")  # a jurisdiction-scoped event for CA from 2018
    listed = sum(1 for j in reform.data.jurisdictions if j.state == "CA" and j.code != "CA")
    co = split_counties(reform, {"CA": listed + 3, "TX": 2})  # the rest of California becomes 3 counties
    split = [j.code for j in co.data.jurisdictions if j.code.startswith("CA-0")]
    assert split == ["CA-001", "CA-002", "CA-003"]
    targets = [e.target for e in co.data.events if e.type == "policy" and e.scope == "jurisdiction"]
    assert set(split) <= set(targets) and "CA" not in targets
    days = 600
    a, b = compile_scenario(reform, reform.data.start, days), compile_scenario(co, co.data.start, days)
    ca = [i for i, j in enumerate(co.data.jurisdictions) if j.code.startswith("CA-0")]
    ca_state = [j.code for j in reform.data.jurisdictions].index("CA")
    assert (b.inputs.policy[:, ca] == a.inputs.policy[:, [ca_state]]).all()


def _totals(scenario: immsim.Scenario, years: float, reps: int, seed: int) -> pd.DataFrame:
    result = immsim.simulate(scenario, years=years, replications=reps, seed=seed)
    return result.national.groupby("replication")[FIGURES].sum()


def _z(a: pd.Series, b: pd.Series, scale_b: float = 1.0) -> float:
    """z-score of mean(b) / scale_b - mean(a); per-run variance: max(Poisson, replication spread)."""
    var_a = max(a.mean(), a.var(ddof=1)) / len(a)
    var_b = max(b.mean(), b.var(ddof=1)) / len(b) / scale_b**2
    return float((b.mean() / scale_b - a.mean()) / np.sqrt(var_a + var_b))


@pytest.mark.slow
def test_county_split_gives_the_same_national_totals(us):
    """Same mechanisms and rates on 3,143 jurisdictions: national totals agree (half a year, 3 runs each)."""
    state = _totals(us, 0.5, 3, seed=21)
    county = _totals(split_counties(us), 0.5, 3, seed=21)
    z = {f: _z(state[f], county[f]) for f in FIGURES}
    assert all(abs(v) < 4 for v in z.values()), z


@pytest.mark.slow
def test_ten_times_the_population_gives_ten_times_the_flows(us):
    """A tenth of us-2017 against the same scaled back up by 10: flows x10 (half a year, 3 runs each).

    Scaling a tenth back up (rather than us-2017 up) keeps the test fast; the
    property is the same. Only whole judges differ (31 against 314), which
    moves non-detained completions, not the figures tested here.
    """
    small = scale_population(us, 0.1)
    big = scale_population(small, 10)
    beds = [[s.value for s in sc.data.parameters["detention_beds"].series] for sc in (us, small, big)]
    assert beds[2] == pytest.approx(beds[0]) and beds[1] == pytest.approx([0.1 * b for b in beds[0]])
    a, b = _totals(small, 0.5, 3, seed=31), _totals(big, 0.5, 3, seed=31)
    z = {f: _z(a[f], b[f], scale_b=10) for f in FIGURES}
    assert all(abs(v) < 4 for v in z.values()), z
    assert b["bookings"].mean() / a["bookings"].mean() == pytest.approx(10, rel=0.05)
