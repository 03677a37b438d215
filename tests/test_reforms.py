"""Reforms (scenarios as changes to a base) and paired comparison with common random numbers."""

from __future__ import annotations

import pytest
import yaml

import immsim
from immsim.scenario.loader import builtin_names
from scenarios import base, dump, policy


def write(path, doc) -> str:
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False))
    return str(path)


@pytest.fixture
def base_file(tmp_path):
    return write(tmp_path / "base.yaml", dump(base()))


def reform(tmp_path, name: str, changes: list, base_name: str = "base.yaml") -> str:
    return write(tmp_path / f"{name}.yaml", {"name": name, "title": name, "base": base_name, "changes": changes})


#: Built-ins that are scenario files, not reforms: the default, its prior and the current scenario.
NOT_REFORMS = ("us-2017", "us-2017-prior", "us-2024")


@pytest.mark.parametrize("name", [n for n in builtin_names() if n not in NOT_REFORMS])
def test_builtin_reforms_resolve_and_say_what_they_changed(name):
    sc = immsim.load_scenario(name)
    assert sc.base == "us-2017"
    assert sc.changed_by or name in ("ma-without-lunn", "priorities-2014")
    assert sc.data.description  # the question it answers


def test_reform_changes_only_what_it_names(tmp_path, base_file):
    path = reform(tmp_path, "judges", [{"parameter": "immigration_judges", "value": 9}])
    sc, b = immsim.load_scenario(path), immsim.load_scenario(base_file)
    assert sc.data.parameters["immigration_judges"].value == 9
    assert sc.changed_by == {"parameters.immigration_judges": "judges change 1"}
    for name, p in b.data.parameters.items():
        if name != "immigration_judges":
            assert sc.data.parameters[name] == p


def test_reform_that_changes_nothing_gives_zero_differences(tmp_path, base_file):
    same = reform(tmp_path, "same", [{"parameter": "team_size", "scale": 1.0}])
    table, _ = immsim.compare(base_file, [same], replications=3, years=0.5)
    assert (table.difference.fillna(0) == 0).all()
    assert ((table.ci_low.fillna(0) <= 0) & (table.ci_high.fillna(0) >= 0)).all()


def test_no_contact_lowers_custodial_transfers_there_and_nowhere_else(tmp_path, base_file):
    alt = reform(tmp_path, "b1", [{"policy": "no_contact", "where": {"jurisdictions": ["B1"]}, "from": "2017-01-01"}])
    _, results = immsim.compare(base_file, [alt], replications=6, years=1)
    custodial = ["arrests_jail_hold", "arrests_jail_notified", "arrests_jail_287g"]

    def by_jur(name):
        m = results[name].monthly
        return m.groupby(["replication", "jurisdiction"])[custodial].sum().sum(axis=1).unstack()

    base_name = next(iter(results))
    d = by_jur("b1") - by_jur(base_name)
    assert (by_jur("b1")["B1"] == 0).all()
    assert d["B1"].mean() < 0
    for j in ("A1", "A2"):  # elsewhere: differences within noise (a 4-standard-error band around zero)
        se = d[j].std(ddof=1) / len(d) ** 0.5
        assert abs(d[j].mean()) <= 4 * se + 1


def test_paired_design_reduces_variance(tmp_path, base_file):
    alt = reform(tmp_path, "officers", [{"parameter": "at_large_officers", "scale": 1.2}])
    table, _ = immsim.compare(base_file, [alt], replications=6, years=1)
    row = table.set_index("figure").loc["ice_admin_arrests"]
    assert row.variance_reduction > 2


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"parameter": "no_such", "value": 1}, "changes.0", "unknown parameter"),
        ({"parameter": "found_probability", "value": 2}, "changes.0", "out of bounds"),
        ({"remove_event": {"type": "regime"}}, "changes.0", "no event of the base matches"),
        ({"policy": "honor", "where": {"states": ["ZZ"]}, "from": "2017-01-01"}, "changes.0", "state 'ZZ'"),
        ({"parameter": "team_size", "where": {"all": True}, "value": 3}, "changes.0", "jurisdiction-level"),
    ],
)
def test_bad_changes_name_the_reform_file_line_and_change(tmp_path, base_file, change, field, words):
    path = reform(tmp_path, "bad", [{"parameter": "team_size", "scale": 1.0}, change][1:])
    with pytest.raises(immsim.ScenarioError) as e:
        immsim.load_scenario(path)
    assert e.value.file == path and e.value.field == field and words in e.value.problem
    assert e.value.line is not None


def test_bases_in_a_cycle_are_refused(tmp_path):
    reform(tmp_path, "a", [{"parameter": "team_size", "scale": 1.0}], base_name="b.yaml")
    reform(tmp_path, "b", [{"parameter": "team_size", "scale": 1.0}], base_name="a.yaml")
    with pytest.raises(immsim.ScenarioError, match="cycle"):
        immsim.load_scenario(str(tmp_path / "a.yaml"))


def test_reform_of_a_reform_chains(tmp_path, base_file):
    reform(tmp_path, "one", [{"parameter": "team_size", "value": 7}])
    two = reform(tmp_path, "two", [{"parameter": "immigration_judges", "value": 3}], base_name="one.yaml")
    sc = immsim.load_scenario(two)
    assert sc.data.parameters["team_size"].value == 7 and sc.data.parameters["immigration_judges"].value == 3
    assert set(sc.changed_by) == {"parameters.team_size", "parameters.immigration_judges"}


def test_policy_helper_scenario_matches_reform(tmp_path, base_file):
    """A policy change written as a reform gives the same policy table as the same base edited by hand."""
    from immsim.scenario.compile import compile_scenario
    from scenarios import make

    alt = reform(tmp_path, "nc", [{"policy": "no_contact", "where": {"jurisdictions": ["B1"]}, "from": "2016-12-01"}])
    by_reform = compile_scenario(immsim.load_scenario(alt), immsim.load_scenario(base_file).data.start, 60)
    by_hand = compile_scenario(make(policy("B1", "no_contact")), immsim.load_scenario(base_file).data.start, 60)
    assert (by_reform.inputs.policy == by_hand.inputs.policy).all()


def test_compare_command_writes_table_and_report_with_bands(tmp_path, base_file):
    import re
    import subprocess
    import sys

    import pandas as pd

    alt = reform(tmp_path, "officers", [{"parameter": "at_large_officers", "scale": 1.5}])
    out = tmp_path / "cmp"
    proc = subprocess.run(
        [sys.executable, "-m", "immsim.cli", "compare", base_file, alt, "-r", "3", "--years", "0.5", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "paired replications" in proc.stdout and "largest differences in ICE arrests by state" in proc.stdout
    assert "largest differences in ICE arrests by jurisdiction" in proc.stdout  # state AA has two
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.scenario) == {"officers"} and (table.ci_low <= table.difference).all()
    html = (out / "comparison.html").read_text()
    assert "difference from" in html and html.count("plotly.js v") <= 1
    assert not re.search(r'<script[^>]+src="https?://', html)
    from immsim.report.comparison import SERIES

    # per series: a band for each scenario's level and one for the paired difference
    assert html.count('"meta":"band"') >= 3 * len(SERIES)


@pytest.mark.parametrize("name", ["more-judges", "ca-no-contact", "jail-287g-expansion"])
def test_with_changes_gives_what_the_same_reform_file_gives(name):
    """``Scenario.with_changes`` is the reform file's mechanism without the file: same changes, same scenario."""
    from immsim.scenario.loader import resolve
    from immsim.scenario.yamldoc import load_document

    doc = load_document(resolve(name).read_text())
    by_file = immsim.load_scenario(name)
    us = immsim.load_scenario("us-2017")
    derived = us.with_changes(doc["changes"], name=doc["name"], title=doc["title"])
    skip = {"description"}  # a reform file may also set the description (its question)
    assert derived.data.model_dump(exclude=skip) == by_file.data.model_dump(exclude=skip)
    assert derived.changed_by == by_file.changed_by and derived.base == "us-2017"
    assert us.data == immsim.load_scenario("us-2017").data  # the base is left as it was


def test_with_changes_names_the_change_that_fails(base_file):
    sc = immsim.load_scenario(base_file)
    good = {"parameter": "immigration_judges", "value": 9}
    with pytest.raises(immsim.ScenarioError, match=r"changes\.1: unknown parameter 'no_such_parameter'"):
        sc.with_changes([good, {"parameter": "no_such_parameter", "value": 1}])
    with pytest.raises(immsim.ScenarioError, match=r"changes\.0: -1 is out of bounds: must be at least 0"):
        sc.with_changes([{"parameter": "immigration_judges", "value": -1}])
    with pytest.raises(immsim.ScenarioError, match=r"changes\.0: no event of the base matches"):
        sc.with_changes([{"remove_event": {"type": "policy", "target": "XX"}}])


def test_with_changes_chains_and_records_each_step(base_file):
    from immsim.scenario.reform import SetParameter

    sc = immsim.load_scenario(base_file)
    one = sc.with_changes([SetParameter(parameter="immigration_judges", value=9)], name="one")
    two = one.with_changes([{"parameter": "detention_beds", "scale": 2}], name="two")
    assert two.data.parameters["immigration_judges"].value == 9
    assert two.changed_by == {
        "parameters.immigration_judges": "one change 1",
        "parameters.detention_beds": "two change 1",
    }
    assert two.base == "one" and one.base == sc.name


def test_a_change_to_a_parameter_the_base_leaves_at_its_default_starts_from_the_default(tmp_path):
    doc = base()
    del doc["parameters"]["continuance_probability_judge"], doc["parameters"]["asylum_merits_hearing_time"]
    sc = immsim.load_scenario(write(tmp_path / "base.yaml", dump(doc)))
    assert "continuance_probability_judge" not in sc.data.parameters
    changed = sc.with_changes(
        [
            {"parameter": "continuance_probability_judge", "value": 0.2},
            {"parameter": "asylum_merits_hearing_time", "scale": 3},
        ]
    )
    assert changed.data.parameters["continuance_probability_judge"].value == 0.2
    assert changed.data.parameters["asylum_merits_hearing_time"].value == 3.0  # the default 1, times 3
    assert changed.data.parameters["continuance_probability_judge"].unit == "probability"


def test_an_initial_condition_change_sets_that_value_only(tmp_path, base_file):
    path = reform(tmp_path, "backlog", [{"initial": "court_pending", "value": 1234}])
    sc, b = immsim.load_scenario(path), immsim.load_scenario(base_file)
    assert sc.data.initial.court_pending.value == 1234
    assert sc.changed_by == {"initial.court_pending": "backlog change 1"}
    assert sc.data.initial.model_dump(exclude={"court_pending"}) == b.data.initial.model_dump(exclude={"court_pending"})
    with pytest.raises(immsim.ScenarioError, match=r"changes\.0\.initial"):
        immsim.load_scenario(reform(tmp_path, "bad", [{"initial": "regime", "value": 1}]))
    expected = r"initial\.class_share\.value: after applying the changes: must give every class"
    with pytest.raises(immsim.ScenarioError, match=expected):
        immsim.load_scenario(reform(tmp_path, "bad2", [{"initial": "class_share", "value": {"other/none": 0.5}}]))


def test_compare_keeps_every_result_when_names_repeat(base_file):
    """Two scenarios of one name (a derived scenario keeps ``<base>-changed`` unless named) are told apart."""
    b = immsim.load_scenario(base_file)
    more = b.with_changes([{"parameter": "at_large_officers", "scale": 3}])
    fewer = b.with_changes([{"parameter": "at_large_officers", "scale": 0.3}])
    table, results = immsim.compare(b, [more, fewer], replications=2, years=0.5)
    assert list(results) == [b.name, more.name, f"{more.name} (2)"]
    arrests = table[table.figure == "ice_at_large_arrests"].set_index("scenario").difference
    assert arrests[more.name] > 0 > arrests[f"{more.name} (2)"]


def test_the_largest_differences_by_jurisdiction_find_the_county_that_changed(tmp_path, base_file):
    """One local jurisdiction declines holds: it tops the jurisdictions, and its state the states."""
    from immsim.comparison import largest_differences

    change = {"policy": "decline_holds", "where": {"jurisdictions": ["A2"]}, "from": "2017-01-01"}
    alt = reform(tmp_path, "a2", [change])
    _, results = immsim.compare(immsim.load_scenario(base_file), [immsim.load_scenario(alt)], years=1, seed=3)
    base_name, alt_name = list(results)
    fy = int(results[base_name].summary().fiscal_year.iloc[0])
    places = largest_differences(results, base_name, alt_name, fy, figure="detainers_declined", by="jurisdiction")
    assert places.jurisdiction.iloc[0] == "A2" and places.difference.iloc[0] > 0
    assert (places.set_index("jurisdiction").difference.drop("A2") == 0).all()  # the others decline none, as before
    states = largest_differences(results, base_name, alt_name, fy, figure="detainers_declined")
    assert states.state.iloc[0] == "AA" and states.difference.iloc[0] == places.difference.iloc[0]
    with pytest.raises(ValueError, match="by: 'state' or 'jurisdiction'"):
        largest_differences(results, base_name, alt_name, fy, by="county")
