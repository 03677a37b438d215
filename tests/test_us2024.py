"""The current scenario ``us-2024``: what its build tool writes, its inputs, and no outcome after its start.

Issue 14, point 5: a scenario from 2023-10-01 built from inputs only. These
tests read the inputs file the build tool reads and, on the other side, the
outcomes file that no tool may read, to show that no outcome of FY2024 or
later is in the scenario (the end-FY2023 docket is its one outcome, copied on
purpose as the start state).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import immsim
from immsim.model import codes as c
from immsim.scenario.compile import compile_scenario
from immsim.scenario.loader import builtin_names

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "data" / "public"
SHIPPED = ROOT / "src" / "immsim" / "scenario" / "data" / "us-2024.yaml"
START = dt.date(2023, 10, 1)


def _rows(name: str) -> list[dict]:
    with open(PUBLIC / name, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def build():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_us2024

        yield build_us2024
    finally:
        sys.path.remove(str(ROOT / "tools"))


@pytest.fixture(scope="module")
def scenario():
    return immsim.load_scenario("us-2024")


@pytest.fixture(scope="module")
def inputs() -> dict[tuple[str, int], float]:
    return {(r["series"], int(r["fiscal_year"])): float(r["value"]) for r in _rows("inputs-fy2016-fy2024.csv")}


def _at(scenario, name: str, day: dt.date) -> float:
    """The value of a dated parameter in force on ``day``."""
    p = scenario.data.parameters[name]
    return [s.value for s in p.series if s.start <= day][-1]


def test_the_shipped_file_is_what_the_build_tool_writes(build):
    assert build.build() == SHIPPED.read_text(), "run: python tools/build_us2024.py"


def test_it_is_a_valid_builtin_starting_in_fy2024(scenario):
    assert "us-2024" in builtin_names()
    assert scenario.data.start == START
    assert scenario.data.initial.regime == "mayorkas2021"


def test_dated_inputs_are_the_csv_figures_in_every_fiscal_year(scenario, build, inputs):
    for fy in range(build.FIRST_FY, 2025):
        day = dt.date(fy - 1, 10, 1)
        judges = (inputs["immigration_judges_end", fy - 1] + inputs["immigration_judges_end", fy]) / 2
        assert _at(scenario, "immigration_judges", day) == judges, fy
        receipts = inputs["eoir_initial_receipts", fy] - build.PIPELINE_RECEIPTS
        assert _at(scenario, "external_court_receipts_per_year", day) == receipts, fy
        assert _at(scenario, "border_book_ins_per_year", day) == inputs["ice_book_ins_from_cbp", fy], fy
        assert _at(scenario, "detention_beds", day) == inputs["ice_funded_beds", fy], fy
    # held after FY2024: the last step is FY2024's
    assert _at(scenario, "immigration_judges", dt.date(2031, 10, 1)) == (734 + 735) / 2


def test_the_start_state_is_end_of_fy2023_and_population_is_pew_2023(scenario, inputs):
    ini = scenario.data.initial
    assert ini.court_pending.value == inputs["eoir_pending_end_fy2023_initial_state", 2023]
    assert ini.detention_population.value == inputs["ice_detention_adp", 2023]
    total = sum(j.removable_population for j in scenario.data.jurisdictions)
    # each of 130 jurisdictions rounds to the person: the total is off by at most 65
    assert abs(total - inputs["unauthorized_population_pew", 2023]) <= len(scenario.data.jurisdictions) / 2
    base = {j.code: j.removable_population for j in immsim.load_scenario("us-2017").data.jurisdictions}
    for j in scenario.data.jurisdictions:  # us-2017's shares kept
        assert j.removable_population == pytest.approx(base[j.code] * 14.0 / 10.7, abs=0.5), j.code


def _numbers(node) -> list[float]:
    if isinstance(node, dict):
        return [x for v in node.values() for x in _numbers(v)]
    if isinstance(node, list):
        return [x for v in node for x in _numbers(v)]
    if isinstance(node, bool):
        return []
    if isinstance(node, (int, float)):
        return [float(node)]
    return []


def test_no_outcome_of_fy2024_or_later_is_in_the_scenario():
    """Pending, completions, arrests and removals of FY2024 on are out-of-sample checks, never inputs."""
    later = [r for r in _rows("outcomes-fy2016-fy2024-check-only.csv") if int(r["fiscal_year"]) >= 2024]
    assert later, "the outcomes file has FY2024 figures to check against"
    numbers = set(_numbers(yaml.safe_load(SHIPPED.read_text())))
    text = SHIPPED.read_text()
    for r in later:
        for field in ("value", "low", "high"):
            if r[field].strip():
                v = float(r[field])
                assert v not in numbers, (r["series"], field, v)
                assert f"{int(v):,}" not in text, (r["series"], field, v)


def test_policies_and_regime_in_force_at_the_start(scenario):
    comp = compile_scenario(scenario, START, 5)
    codes = [j.code for j in scenario.data.jurisdictions]
    policy = {codes[j]: comp.policy_names[p] for j, p in enumerate(comp.inputs.policy[0])}
    assert policy["OR"] == "no_contact" and policy["IL"] == "no_contact"  # HB 3265 (2021), Way Forward Act (2021)
    assert policy["VA-PRINCE-WILLIAM"] == "honor"  # 287(g) expired 2020-06-30
    assert policy["MA"] == "notify_only" and policy["TX"] == "honor"  # 2017 events carried forward
    # the 2021 guidelines: a final order without a conviction is not a priority, a serious conviction is
    classes = list(c.CLASSES)
    assert comp.inputs.eligible[0, classes.index("final_order/none")] == 0.0
    assert comp.inputs.eligible[0, classes.index("other/serious")] == 1.0


def test_a_quarter_runs_from_the_published_docket():
    r = immsim.simulate("us-2024", years=0.25, seed=3, replications=1)
    n = r.national.sort_values("month")
    first = n.iloc[0]
    start = first.court_pending - first.court_receipts - first.recalendared
    start += first.court_completions + first.administrative_closures
    # the model adds the detained court cases at start (a binomial draw: 28,289 x the court share) to the docket
    share = r.scenario.data.initial.detention_court_share.value
    detained_cases = 28_289 * share
    assert abs(start - 2_460_000 - detained_cases) < 5 * np.sqrt(28_289 * share * (1 - share))
    # external receipts alone are 1,645,400 a year (Poisson, sd about 650 a quarter); the pipeline adds some
    quarter = n.court_receipts.sum()
    assert 1_645_400 / 4 * 0.99 < quarter < 1_645_400 / 4 + 60_000
    assert np.all(np.diff(n.court_pending.to_numpy()) > 0)  # receipts far above what 734.5 judges complete
