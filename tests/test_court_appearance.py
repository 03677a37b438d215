"""Representation, custody and supervision change who appears in court (issue 14, point 2).

Every completed non-detained case draws its no-show independently with the
probability of its kind, so the in-absentia orders among ``n`` non-detained
completions are binomial with the mixture's mean: the tolerance is four
binomial standard deviations. With the neutral values (no one represented or
supervised, factors of 1) the model is the one before these parameters: the
reference run's fingerprint in ``test_determinism`` is unchanged, and here a
scenario that draws counsel but gives it no effect keeps the base rate.
"""

from __future__ import annotations

import math

import pytest
import yaml

import immsim
from immsim.model.parameters import SPECS
from scenarios import initial, make, params, quiet

SEED = 20170214
K = 4.0
U = 0.5  # no-show probability of an unrepresented, unsupervised respondent never detained


def _rate(**values: float) -> tuple[float, float]:
    """(in-absentia orders, non-detained completions) of one year."""
    r = immsim.simulate(
        make(
            quiet(),
            params(
                no_show_probability=U,
                immigration_judges=40.0,
                external_detained_share=0.0,
                detention_beds=0.0,
                border_expedited_probability=0.0,
                **values,
            ),
            initial(detention_population=0, court_pending=0),
        ),
        years=1.0,
        seed=SEED,
    )
    m = r.monthly
    return float(m.in_absentia_orders.sum()), float((m.court_completions - m.court_completions_detained).sum())


#: The parameters of counsel, custody and supervision (all with neutral defaults).
NEW = {
    "represented_share_detained",
    "represented_share_released",
    "represented_share_never_detained",
    "represented_no_show_factor",
    "released_no_show_factor",
    "supervised_share_released",
    "supervised_share_external",
    "supervised_no_show_factor",
}
NEVER = {"external_court_receipts_per_year": 15000.0}
RELEASED = {"border_book_ins_per_year": 15000.0}  # no bed and no expedited removal: every case is a released one


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({**NEVER, "represented_share_never_detained": 0.0, "represented_no_show_factor": 0.3}, U),
        ({**NEVER, "represented_share_never_detained": 1.0, "represented_no_show_factor": 0.3}, U * 0.3),
        ({**NEVER, "represented_share_never_detained": 0.5, "represented_no_show_factor": 0.3}, U * 0.65),
        # counsel drawn but without effect: the base rate (the neutral factor)
        ({**NEVER, "represented_share_never_detained": 0.5, "represented_no_show_factor": 1.0}, U),
        # a released respondent's factor, counsel and supervision multiply
        (
            {
                **RELEASED,
                "released_no_show_factor": 1.2,
                "represented_share_released": 0.5,
                "represented_no_show_factor": 0.3,
                "supervised_share_released": 0.5,
                "supervised_no_show_factor": 0.25,
            },
            U * 1.2 * 0.65 * 0.625,
        ),
        # the never-detained share does not reach released cases, nor the released factor never-detained ones
        ({**RELEASED, "represented_share_never_detained": 1.0, "represented_no_show_factor": 0.3}, U),
        (
            {**NEVER, "released_no_show_factor": 1.6, "supervised_share_released": 1.0, "supervised_no_show_factor": 0},
            U,
        ),
    ],
)
def test_court_no_shows_follow_counsel_custody_and_supervision(values, expected):
    absent, n = _rate(**values)
    assert n > 8000
    sd = math.sqrt(n * expected * (1 - expected))
    assert abs(absent - n * expected) <= K * sd, f"{absent} of {n}, expected {n * expected:.0f} +/- {K * sd:.0f}"


def test_court_represented_respondents_appear_more_often_by_the_scenario_factor():
    """The ratio of the two no-show rates is the factor, within the delta-method error of a ratio of binomials."""
    f = 0.25
    a1, n1 = _rate(**NEVER, represented_share_never_detained=1.0, represented_no_show_factor=f)
    a0, n0 = _rate(**NEVER, represented_share_never_detained=0.0, represented_no_show_factor=f)
    p1, p0 = a1 / n1, a0 / n0
    ratio = p1 / p0
    sd = ratio * math.sqrt((1 - p1) / (n1 * p1) + (1 - p0) / (n0 * p0))
    assert abs(ratio - f) <= K * sd, f"no-show ratio {ratio:.3f}, expected {f} +/- {K * sd:.3f}"
    assert (1 - p1) > (1 - p0)  # represented people appear more often


def test_court_features_at_their_neutral_values_reproduce_the_reference_run(tmp_path):
    """Every new court input set explicitly to its neutral value: the reference fingerprint, bit for bit.

    Nobody represented or supervised, factors of 1, a completion goal of 1, and
    the reference's cohort closed after the run: no draw is added and no
    outcome moves, so the court is the queue it was before these inputs.
    """
    from test_determinism import OPTIONS, REFERENCE, REFERENCE_FILE

    doc = yaml.safe_load(REFERENCE_FILE.read_text())
    neutral = {s.name: s for s in SPECS if s.name in NEW}
    assert set(neutral) == NEW
    for name, spec in neutral.items():
        doc["parameters"][name] = {"value": spec.default, "unit": spec.unit, "meaning": "neutral", "source": "test"}
    doc["cohorts"]["c1"]["orders_by"] = "2030-01-01"
    doc["events"].append(
        {
            "type": "court_policy",
            "policy": "completion_goals",
            "date": "2017-03-01",
            "factor": 1.0,
            "meaning": "neutral",
            "source": "test",
        }
    )
    path = tmp_path / "neutral.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert immsim.simulate(immsim.load_scenario(str(path)), **OPTIONS).fingerprint() == REFERENCE
