"""Validation machinery: public-figure comparison, court back-test, calibration."""

from __future__ import annotations

import pandas as pd
import pytest

import immsim
from immsim.validation import calibrate as cal
from immsim.validation import public
from scenarios import make, param

#: The figures the default scenario must reproduce within 10 % (the validation issue's list).
REQUIRED = [
    "ice_admin_arrests",
    "custodial_share_of_arrests",
    "detainers_issued",
    "removals_from_ice_arrests",
    "detention_average_daily_population",
    "court_pending_end",
    "court_completions",
]


def test_packaged_targets_name_model_figures_with_tolerances():
    t = public.load_targets()
    compared = t[t.figure.notna()]
    assert set(REQUIRED) <= set(compared.figure)
    assert (compared.tolerance > 0).all() and (compared.tolerance <= 0.5).all()
    assert set(compared.figure) <= set(immsim.results.HEADLINES)
    # every figure left out says why
    assert t[t.figure.isna()].comparison_note.fillna("").str.len().gt(0).all()


@pytest.mark.slow
def test_default_scenario_meets_the_required_fy2017_targets():
    table = public.compare_targets("us-2017", replications=2, seed=1).set_index("metric")
    for figure in REQUIRED:
        row = table[(table.figure == figure) & (table.status != "not produced")].iloc[0]
        assert abs(row.rel_error) <= 0.10, (figure, row.rel_error)


@pytest.mark.slow
def test_court_backtest_reports_every_year():
    bt = public.backtest_court("us-2017", replications=1)
    assert list(bt.fiscal_year) == list(range(2009, 2018))
    assert bt[["pending_model", "completions_model"]].notna().all().all()
    # the hearing rate is derived from FY2017, so FY2017 completions come out close to EOIR's
    assert abs(bt.set_index("fiscal_year").completions_error[2017]) < 0.10


def calibratable_booking(doc: dict) -> None:
    p = doc["parameters"]["booking_rate"]
    p.update(source="assumption", range=[0.001, 1.0], calibratable=True)


def test_only_assumptions_can_be_calibratable():
    def sourced(doc: dict) -> None:
        doc["parameters"]["hold_window_days"].update(source="8 CFR 287.7(d)", range=[0, 5], calibratable=True)

    with pytest.raises(immsim.ScenarioError, match="only a parameter whose source is 'assumption'"):
        make(sourced)


def test_calibration_moves_only_calibratable_parameters_towards_the_target():
    sc = make(calibratable_booking, param("booking_rate", 0.02))
    before = immsim.simulate(sc, start="2016-10-01", years=1, seed=1).summary(2017).set_index("figure")["mean"]
    target = 1.6 * before["detainers_issued"]  # more bookings are needed to issue more detainers
    targets = pd.DataFrame(
        [
            {
                "metric": "detainers_issued",
                "value": target,
                "period": "FY2017",
                "figure": "detainers_issued",
                "tolerance": 0.1,
                "note": "calibration target",
            },
            {  # a check: kept out of the fit, however far off it is
                "metric": "bookings_check",
                "value": 1.0,
                "period": "FY2017",
                "figure": "ice_admin_arrests",
                "tolerance": 0.1,
                "note": "check: not a calibration target",
            },
        ]
    )
    fit = cal.calibrate(sc, targets, seed=1, max_evaluations=25)
    assert list(fit.targets.figure) == ["detainers_issued"]
    row = fit.targets.set_index("figure").loc["detainers_issued"]
    assert abs(row.error_after) < abs(row.error_before)
    assert abs(row.error_after) < 0.10
    factors = fit.factors.set_index("parameter")
    assert list(factors.index) == ["booking_rate"] and factors.factor["booking_rate"] > 1.3
    new = immsim.scenario.loader.parse_scenario(fit.scenario_text, "fit.yaml")
    for name, p in sc.data.parameters.items():
        if name != "booking_rate":
            assert new.data.parameters[name] == p, name
