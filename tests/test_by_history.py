"""Results by criminal history in the front ends: stored tables, the reports, compare, the CLI tables, the web levers.

All on the small synthetic scenario of ``tests/scenarios.py``: each run takes a second or two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

import immsim
from immsim.cli.tables import history_difference_table, history_summary_table, policies_table
from immsim.figures import HISTORY_HEADLINES
from immsim.model import codes as c
from immsim.report.comparison import render as render_comparison
from immsim.report.html import render
from immsim.store import load_result, save_result
from immsim.web.levers import Levers, PolicyLever, lever_context, lever_problem, parameter_groups, reform_document
from scenarios import make, policies
from test_report import parse_tables

ALL = ("A1", "A2", "B1")
OWN_POLICY = {
    "policies": {
        "hold_lesser_and_serious": {
            "meaning": "holds people with a conviction, declines the others",
            "source": {"title": "Test ordinance", "publisher": "Test County", "date": "2017-05-01", "kind": "primary"},
            "detainer": {"none": "decline", "pending": "decline", "lesser": "hold", "serious": "hold"},
        }
    }
}


@pytest.fixture(scope="module")
def result() -> immsim.Result:
    return immsim.simulate(make(policies(B1="honor_serious")), years=1, replications=3, seed=2)


@pytest.fixture(scope="module")
def comparison():
    honor = make(policies(**dict.fromkeys(ALL, "honor")), {"name": "all-honor"})
    same = make(policies(**dict.fromkeys(ALL, "honor")), {"name": "all-honor-again"})
    decline = make(policies(**dict.fromkeys(ALL, "decline_holds")), {"name": "all-decline"})
    return immsim.compare(honor, [same, decline], years=1, replications=3, seed=4)


def test_figures_by_history_add_up_to_the_national_totals(result):
    by_history = result.fiscal_years_by_history().groupby(["replication", "fiscal_year"])[list(HISTORY_HEADLINES)].sum()
    national = result.fiscal_years.set_index(["replication", "fiscal_year"])
    for figure in ("detainers_issued", "released_to_at_large", "ice_admin_arrests", "removals_total"):
        np.testing.assert_allclose(by_history[figure], national.loc[by_history.index, figure], err_msg=figure)
        assert national[figure].sum() > 0, figure  # the test would be empty otherwise


def test_tables_by_history_and_office_are_stored_and_read_back(result, tmp_path):
    save_result(result, tmp_path, report=False)
    back = load_result(tmp_path)
    # Parquet keeps dates to the millisecond: the same dates, another unit
    pd.testing.assert_frame_equal(back.by_history, result.by_history, check_dtype=False)
    pd.testing.assert_frame_equal(back.offices, result.offices, check_dtype=False)
    assert list(back.by_history.criminal_history.cat.categories) == list(c.HISTORIES)
    stored = pd.read_csv(tmp_path / "summary_by_history.csv")
    np.testing.assert_allclose(stored["mean"], result.summary_by_history()["mean"])
    assert back.fingerprint() == result.fingerprint()


def test_a_result_folder_from_before_criminal_history_still_loads_and_reports(result, tmp_path):
    save_result(result, tmp_path, report=False)
    for name in ("by_history.parquet", "offices.parquet", "summary_by_history.csv"):
        (tmp_path / name).unlink()
    old = load_result(tmp_path)
    assert old.by_history.empty and old.offices.empty
    assert "By criminal history" not in render(old)
    save_result(old, tmp_path / "again", report=False)
    assert not (tmp_path / "again" / "by_history.parquet").exists()


def test_the_report_shows_each_history_and_officer_days_per_arrest(result):
    text = render(result)
    assert "By criminal history" in text and 'id="chart-by_history"' in text
    summary = result.summary_by_history().set_index(["figure", "criminal_history"])
    rows = parse_tables(text)["history"]
    assert [r[0][0] for r in rows] == list(HISTORY_HEADLINES)
    for row in rows:  # figure, then per history: mean, interval
        means = [float(raw) for raw, _ in row[1::2]]
        assert means == pytest.approx([summary.loc[(row[0][0], h), "mean"] for h in c.HISTORIES]), row[0]
    assert 'id="officers"' in text and "Officer-days per arrest" in text


def test_paired_differences_by_history_are_zero_against_the_same_scenario(comparison):
    rows = comparison.by_history[comparison.by_history.scenario == "all-honor-again"]
    assert len(rows) == len(HISTORY_HEADLINES) * c.N_HISTORIES
    assert (rows.difference == 0).all()


def test_declining_every_detainer_shows_in_the_declined_and_released_rows_of_each_convicted_history(comparison):
    rows = comparison.by_history[comparison.by_history.scenario == "all-decline"].set_index(
        ["figure", "criminal_history"]
    )
    for history in ("pending", "lesser", "serious"):  # "none": a booking makes a person "pending"
        for figure in ("detainers_declined", "released_to_at_large"):
            r = rows.loc[(figure, history)]
            assert r.difference > 0 and r.ci_low > 0, (figure, history)
        assert rows.loc[("detainers_honored", history)].ci_high < 0
    table, results = comparison  # still unpacks as a pair
    assert list(results) == ["all-honor", "all-honor-again", "all-decline"] and len(table) > 0


def test_the_comparison_report_and_the_cli_print_the_differences_by_history(comparison):
    table, results = comparison
    html = render_comparison(table, results, comparison.by_history)
    assert html.count('class="history-differences"') == 2 and "all-decline minus all-honor" in html
    rows = comparison.by_history[comparison.by_history.scenario == "all-decline"]
    console = Console(width=250, record=True)
    console.print(history_difference_table(rows, "all-honor", "all-decline", 3))
    text = console.export_text()
    assert "detainers declined by jail policy" in text and "serious or violent conviction" in text


def test_the_cli_tables_list_histories_and_every_policy_with_its_actions(result):
    console = Console(width=300, record=True)
    console.print(history_summary_table(result.summary_by_history(), 3))
    console.print(policies_table(make(OWN_POLICY)))
    text = console.export_text()
    assert "known at-large targets at year end" in text and "pending charges" in text
    line = next(x for x in text.splitlines() if "hold_lesser_and_serious" in x)
    assert "scenario" in line and line.count("hold") >= 3 and "Test ordinance" in line and "(primary)" in line
    assert "warrant_serious" in text and "required for holds" in text


def test_the_web_levers_offer_the_scenarios_own_policy_and_the_reallocation_share():
    sc = make(OWN_POLICY)
    listed = {p["name"]: p for p in lever_context(sc)["policies"]}
    assert {"honor", "honor_serious", "hold_lesser_and_serious"} <= set(listed)
    own = listed["hold_lesser_and_serious"]
    assert own["defined_by"] == "scenario" and own["actions"]["lesser"] == "hold"
    assert own["references"][0]["publisher"] == "Test County" and own["source_kinds"] == ["primary"]
    good = Levers(
        policies=[PolicyLever(states=["BB"], policy="hold_lesser_and_serious", start="2017-03-01")],
        at_large_reallocation_share=0.5,
    )
    assert lever_problem(good, sc) is None
    doc = reform_document(good, sc, "base.yaml", "x", "x")
    assert doc["changes"][0]["policy"] == "hold_lesser_and_serious"
    assert {"parameter": "at_large_reallocation_share", "value": 0.5}.items() <= doc["changes"][1].items()
    bad = Levers(policies=[PolicyLever(states=["BB"], policy="hold_lesser_and_serious", start="2017-03-01")])
    assert lever_problem(bad, make())[0] == "policies.0.policy"  # the base scenario has no such policy
    with pytest.raises(ValueError):
        Levers(at_large_reallocation_share=1.5)


def test_parameter_sources_are_structured_for_the_app():
    sc = make(
        lambda d: d["parameters"]["jail_officers"].update(
            source={"title": "T", "url": "javascript:x", "kind": "derived"}
        )
    )
    rows = {p["name"]: p for g in parameter_groups(sc) for p in g["parameters"]}
    ref = rows["jail_officers"]["references"][0]
    assert ref["title"] == "T" and ref["kind"] == "derived" and ref["href"] is None  # only web addresses become links
    assert rows["jail_officers"]["source"] == "T (derived)" and not rows["jail_officers"]["assumption"]
