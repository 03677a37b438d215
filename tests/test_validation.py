"""Validation machinery: public-figure comparison, court back-test, calibration."""

from __future__ import annotations

import pandas as pd
import pytest

import immsim
from immsim.model import codes as c
from immsim.validation import calibrate as cal
from immsim.validation import public, report
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
    assert set(compared.figure) <= set(immsim.figures.HEADLINES)
    # every figure left out says why
    assert t[t.figure.isna()].comparison_note.fillna("").str.len().gt(0).all()


def test_every_compared_figure_has_a_role_and_the_known_ones_are_right():
    t = public.load_targets()
    produced = t.figure.notna()
    assert set(t.role[produced]) <= set(cal.ROLES)
    assert t.role[~produced].isna().all()  # a figure the model does not produce has no role
    role = t[produced].set_index("figure").role
    # inputs derived from the figure itself: the hearing rate per judge, work-site operations x arrests each
    assert role["court_completions"] == "construction"
    assert role["worksite_admin_arrests"] == "construction"
    assert role["share_removals_convicted"] == "check"
    assert set(REQUIRED) - {"court_completions"} <= set(role[role == "calibration"].index)


def test_calibration_fits_only_rows_whose_role_is_calibration():
    t = public.load_targets()
    fitted = cal.calibration_targets(t)
    assert set(fitted.role) == {"calibration"}
    assert len(fitted) == (t.role == "calibration").sum()
    assert not {"court_completions", "worksite_admin_arrests", "share_removals_convicted"} & set(fitted.figure)
    with pytest.raises(immsim.ImmsimError, match="no 'role' column"):
        cal.calibration_targets(t.drop(columns="role"))
    with pytest.raises(immsim.ImmsimError, match="unknown role"):
        cal.calibration_targets(t.assign(role=t.role.fillna("").replace("check", "checked")))


def _compared(role: str, metric: str) -> dict:
    return {
        "metric": metric,
        "period": "FY2017",
        "target": 100.0,
        "unit": "people",
        "source": "a source",
        "confidence": "primary",
        "figure": metric,
        "tolerance": 0.1,
        "note": "",
        "role": role,
        "mean": 105.0,
        "ci_low": 100.0,
        "ci_high": 110.0,
        "rel_error": 0.05,
        "status": "pass",
    }


def test_validation_markdown_shows_the_three_roles_apart():
    targets = pd.DataFrame(
        [
            _compared("calibration", "fitted_one"),
            _compared("construction", "input_one"),
            _compared("check", "check_one"),
        ]
    )
    theory_df = pd.DataFrame(columns=["check", "simulated", "theory", "rel_error", "tolerance", "status"])
    backtest = pd.DataFrame(
        [
            {
                "fiscal_year": 2009,
                "pending_eoir": 1.0,
                "pending_model": 1.0,
                "pending_error": 0.0,
                "completions_eoir": 1.0,
                "completions_model": 1.0,
                "completions_error": 0.0,
                "eoir_completions_per_judge": 1.0,
            }
        ]
    )
    text = report.markdown("x", theory_df, None, targets, backtest, 1, 1)
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings == [f"### {h}" for _, h, _ in report.ROLE_SECTIONS]
    # each figure appears once, in its own role's section
    for (role, heading, _), metric in zip(report.ROLE_SECTIONS, ["fitted_one", "input_one", "check_one"], strict=True):
        section = text.split(f"### {heading}")[1].split("###")[0]
        assert f"| {metric} |" in section and text.count(f"| {metric} |") == 1, role
    # a figure without a role is never shown as an independent check
    text = report.markdown("x", theory_df, None, targets.assign(role=["", "construction", "check"]), backtest, 1, 1)
    assert "### Unclassified" in text and "| fitted_one |" in text.split("### Unclassified")[1]


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
                "role": "calibration",
            },
            {  # a check: kept out of the fit, however far off it is
                "metric": "arrests_check",
                "value": 1.0,
                "period": "FY2017",
                "figure": "ice_admin_arrests",
                "tolerance": 0.1,
                "role": "check",
            },
            {  # holds by construction: kept out too (a fit towards it would pull booking down to nothing)
                "metric": "detainers_by_construction",
                "value": 1.0,
                "period": "FY2017",
                "figure": "detainers_issued",
                "tolerance": 0.1,
                "role": "construction",
            },
        ]
    )
    fit = cal.calibrate(sc, targets, seed=1, max_evaluations=25)
    assert list(fit.targets.figure) == ["detainers_issued"]
    assert fit.targets.target.iloc[0] == target
    row = fit.targets.set_index("figure").loc["detainers_issued"]
    assert abs(row.error_after) < abs(row.error_before)
    assert abs(row.error_after) < 0.10
    factors = fit.factors.set_index("parameter")
    assert list(factors.index) == ["booking_rate"] and factors.factor["booking_rate"] > 1.3
    new = immsim.scenario.loader.parse_scenario(fit.scenario_text, "fit.yaml")
    for name, p in sc.data.parameters.items():
        if name != "booking_rate":
            assert new.data.parameters[name] == p, name


def test_calibration_restricted_to_named_parameters_leaves_the_others_alone():
    def calibratable_found(doc: dict) -> None:
        doc["parameters"]["found_probability"].update(source="assumption", range=[0.05, 1.0], calibratable=True)

    sc = make(calibratable_booking, calibratable_found, param("booking_rate", 0.02))
    targets = pd.DataFrame(
        [
            {
                "metric": "d",
                "value": 1e5,
                "period": "FY2017",
                "figure": "detainers_issued",
                "tolerance": 0.1,
                "role": "calibration",
            }
        ]
    )
    fit = cal.calibrate(sc, targets, seed=1, max_evaluations=4, only=["found_probability"])
    assert list(fit.factors.parameter) == ["found_probability"]
    new = immsim.scenario.loader.parse_scenario(fit.scenario_text, "fit.yaml")
    assert new.data.parameters["booking_rate"] == sc.data.parameters["booking_rate"]
    with pytest.raises(immsim.ImmsimError, match="hold_window_days not calibratable"):
        cal.calibrate(sc, targets, max_evaluations=1, only=["hold_window_days"])


def test_window_totals_prorate_months_by_their_days_in_the_window():
    months = pd.to_datetime(["2017-01-01", "2017-02-01", "2017-03-01", "2017-04-01", "2017-05-01"])
    national = pd.DataFrame(
        {
            "replication": 0,
            "month": months,
            "days": [31, 28, 31, 30, 31],
            "arrests_at_large": [31.0, 28.0, 31.0, 30.0, 31.0],  # one a day
            "arrests_collateral": 0.0,
            **{f"arrests_{ch}": 0.0 for ch in c.CHANNELS if ch not in ("at_large", "collateral")},
        }
    )
    total = public.window_total(national, "ice_at_large_arrests", *public.WINDOW)
    assert total[0] == pytest.approx((public.WINDOW[1] - public.WINDOW[0]).days + 1)  # 98 days, one a day


def test_ice_arrests_in_the_100_days_after_eo_13768_are_within_their_stated_tolerance():
    """A check inside FY2017 that calibration never saw: ICE's 41,318 arrests of Jan 22 to Apr 29, 2017."""
    checks = public.window_checks("us-2017", replications=1, seed=1).set_index("metric")
    row = checks.loc["arrests_jan22_apr29_2017"]
    assert abs(row.rel_error) <= row.tolerance


def test_a_bad_targets_file_is_an_error_naming_it(tmp_path):
    """Unreadable, or a column short: one message naming the file and what is missing, never a traceback."""
    with pytest.raises(immsim.ImmsimError, match="nothere.csv: cannot read the targets"):
        public.load_targets(tmp_path / "nothere.csv")
    short = tmp_path / "short.csv"
    public.load_targets().drop(columns=["tolerance"]).to_csv(short, index=False)
    with pytest.raises(immsim.ImmsimError, match=r"short.csv: the targets need .*\(missing: tolerance\)"):
        public.load_targets(short)


def test_work_in_background_gives_its_result_or_its_error_and_stops_when_asked():
    """``validate`` runs the peer check this way beside its other levels (docs/validation.md: identical tables)."""
    import math
    import time

    assert report.InBackground(math.factorial, 20).result() == math.factorial(20)
    with pytest.raises(ValueError, match="negative"):
        report.InBackground(math.factorial, -1).result()
    sleeper = report.InBackground(time.sleep, 120)
    began = time.monotonic()
    sleeper.stop()  # an interrupted validation does not wait for the peer simulator
    assert time.monotonic() - began < 30
