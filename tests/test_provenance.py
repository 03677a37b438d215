"""The shipped data files are what the repository's own figures and tools make.

``us-2017-prior.yaml`` and the packaged validation targets are written by
tools from the public figures in ``data/``; a hand edit of a shipped file, or a
change of a figure not carried through, shows here. (``us-2017.yaml`` is the
prior after calibration: docs/calibration.md gives the commands; it may differ
from the prior only in the values of calibratable parameters.)
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "immsim"


@pytest.fixture(scope="module")
def tools():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_targets
        import build_us2017

        yield build_us2017, build_targets
    finally:
        sys.path.remove(str(ROOT / "tools"))


def _csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _strings(rows: list[dict]) -> list[dict]:
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


def test_the_prior_default_scenario_is_what_the_build_tool_writes(tools):
    build_us2017, _ = tools
    shipped = (PACKAGE / "scenario" / "data" / "us-2017-prior.yaml").read_text()
    assert build_us2017.build() == shipped, "run: python tools/build_us2017.py"
    assert not re.search(r"[&*]id\d{3}\b", shipped), "a mapping shared in the build is written as a YAML alias"


def test_the_default_scenario_is_the_prior_with_only_calibrated_values_moved():
    """Calibration moves the values of calibratable parameters; everything else in ``us-2017`` is the prior's.

    An input edited by hand in ``us-2017.yaml`` and not put into the build tools fails here (the next
    ``build_us2017.py`` and ``us2017_carry_local.py --in-place`` would drop it or leave it out of the prior).
    """
    data = PACKAGE / "scenario" / "data"
    prior = yaml.safe_load((data / "us-2017-prior.yaml").read_text())
    default = yaml.safe_load((data / "us-2017.yaml").read_text())
    assert set(prior) == set(default)
    for key in set(prior) - {"name", "title", "parameters"}:
        assert default[key] == prior[key], f"{key} differs from the prior's"
    assert list(default["parameters"]) == list(prior["parameters"])
    moved = []
    for name, spec in prior["parameters"].items():
        calibrated = default["parameters"][name]
        if spec.get("calibratable"):
            moved += [name] if calibrated.get("value") != spec.get("value") else []
            spec, calibrated = dict(spec, value=None), dict(calibrated, value=None)
        assert calibrated == spec, f"parameter {name} differs from the prior's"
    assert moved, "calibration moved nothing: the check compares nothing calibrated"


def test_the_validation_targets_are_what_the_build_tool_writes(tools):
    _, build_targets = tools
    data = PACKAGE / "validation" / "data"
    again = "run: python tools/build_targets.py"
    assert _strings(build_targets.target_rows()) == _csv(data / "targets-fy2017.csv"), again
    assert _strings(build_targets.history_rows()) == _csv(data / "eoir-history.csv"), again


def test_the_court_back_tests_practice_by_year_is_what_its_build_tool_writes(tools):
    import build_court_practice

    shipped = _csv(PACKAGE / "validation" / "data" / "court-practice-fy2009-fy2016.csv")
    assert _strings(build_court_practice.rows()) == shipped, "run: python tools/build_court_practice.py"


def test_the_tools_read_only_the_repository():
    """A fresh clone holds everything the build tools read: nothing outside the repository."""
    for path in (ROOT / "tools").glob("*.py"):
        text = path.read_text()
        assert "parents[2]" not in text and "ROOT.parent" not in text and "../shared" not in text, path.name


def test_local_parts_keep_their_share_of_their_own_sources_state_figure_and_states_keep_their_totals():
    """A county figure whose source also gives the state figure enters as that share of the scenario's state total.

    The split into local jurisdictions moves people between a state's parts only: each state's parts add up
    to the state total of the state-level build (so the national total is unchanged), and a part listed in
    ``data/pop-state-totals.csv`` holds read / source state figure x scenario state total (rounding: 1 person).
    """
    prior = yaml.safe_load((PACKAGE / "scenario" / "data" / "us-2017-prior.yaml").read_text())
    by_state: dict[str, int] = {}
    for j in prior["jurisdictions"]:
        by_state[j["state"]] = by_state.get(j["state"], 0) + j["removable_population"]
    pew = {
        r["state"]: int(r["unauthorized_population"]) for r in _csv(ROOT / "data/public/unauthorized-by-state-2016.csv")
    }
    assert {s: by_state[s] for s in pew} == pew
    assert sum(by_state.values()) == 10_700_000
    totals = {
        (r["source_id"], r["state"]): int(r["unauthorized_pop"]) for r in _csv(ROOT / "data/pop-state-totals.csv")
    }
    pops = {j["code"]: j["removable_population"] for j in prior["jurisdictions"]}
    scaled = [r for r in _csv(ROOT / "data/jurisdictions.csv") if (r["pop_source_id"], r["state"]) in totals]
    assert scaled, "no listed place is scaled: the check compares nothing"
    for r in scaled:
        want = int(r["unauthorized_pop"]) / totals[(r["pop_source_id"], r["state"])] * by_state[r["state"]]
        assert abs(pops[r["code"]] - want) <= 1, r["code"]


def test_the_local_data_files_name_sources_that_exist_with_a_kind():
    """Every source id the local data files name is a row of ``data/sources.csv`` with a known kind.

    A row with an unquoted comma shifts its fields, so its kind reads as a date or an address and the
    scenario's structured source fails to load; this finds it before the build does.
    """
    with open(ROOT / "data/sources.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert {len(r) for r in rows} == {6}, [r[0] for r in rows if len(r) != 6]
    kinds = {r[0]: r[5] for r in rows[1:]}
    assert len(kinds) == len(rows) - 1, "duplicate source ids"
    assert set(kinds.values()) <= {"primary", "secondary", "recalled", "assumption"}
    named = {
        (f, r[col])
        for f, cols in (
            ("jurisdictions.csv", ("pop_source_id", "policy_source_id", "office_source_id")),
            ("jurisdiction-policy-events.csv", ("source_id",)),
            ("pop-state-totals.csv", ("source_id",)),
        )
        for r in _csv(ROOT / "data" / f)
        for col in cols
        if r[col]
    }
    assert len(named) > 100, "too few source ids named: the check compares little"
    assert not [n for n in named if n[1] not in kinds]
