"""Scenario files: the built-in one is valid; bad ones are refused with file, line and field."""

from __future__ import annotations

import re

import pytest

import immsim
from immsim.model.parameters import SPECS
from immsim.scenario.loader import builtin_names, parse_scenario, resolve
from immsim.scenario.sources import is_assumption, references
from immsim.scenario.yamldoc import load_document

BUILTIN = resolve("us-2017").read_text()


def test_builtin_default_is_valid_and_complete():
    assert "us-2017" in builtin_names()
    sc = immsim.load_scenario("us-2017")
    # the listed local jurisdictions of data/jurisdictions.csv, plus the rest of each state (DC has no rest)
    local = [j for j in sc.data.jurisdictions if j.kind in ("county", "city", "city-county")]
    assert len(local) == 79 and len(sc.data.jurisdictions) == 79 + 51
    assert {j.state for j in sc.data.jurisdictions} >= {"CA", "TX", "DC", "WY"}
    assert {s.name for s in SPECS if s.default is None} <= set(sc.data.parameters) <= {s.name for s in SPECS}
    for name, p in sc.data.parameters.items():
        if is_assumption(p.source):
            assert p.range is not None, name
        else:
            assert references(p.source), name


def test_builtin_scenarios_give_structured_sources():
    """Every source in the shipped files is the word assumption or a reference with its kind, never free text."""
    for name in builtin_names():
        doc = load_document(resolve(name).read_text())

        def walk(node, where: str, name: str = name) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "source":
                        ok = isinstance(value, dict | list) or (isinstance(value, str) and is_assumption(value))
                        assert ok, f"{name}: {where}.source is free text: {value!r}"
                    else:
                        walk(value, f"{where}.{key}", name)
            elif isinstance(node, list):
                for i, item in enumerate(node):
                    walk(item, f"{where}.{i}", name)

        walk(doc, name)


def test_default_population_totals_pew_estimate():
    sc = immsim.load_scenario("us-2017")
    total = sum(j.removable_population for j in sc.data.jurisdictions)
    assert abs(total - 10_700_000) < 10_700_000 * 0.005  # Pew 2016, with rounding of the allocation


def refused(text: str) -> immsim.ScenarioError:
    with pytest.raises(immsim.ScenarioError) as e:
        parse_scenario(text, "bad.yaml")
    return e.value


def line_of(pattern: str) -> int:
    for i, line in enumerate(BUILTIN.splitlines(), 1):
        if re.search(pattern, line):
            return i
    raise AssertionError(pattern)


@pytest.mark.parametrize(
    ("old", "new", "field", "words"),
    [
        (
            "hold_window_days:\n    value: 2",
            "hold_window_days:\n    value: -2",
            "parameters.hold_window_days.value",
            "out of bounds",
        ),
        ("  team_size:", "  team_sise:", "parameters.team_sise", "unknown parameter"),
        ("policy: decline_holds", "policy: maybe", "jurisdictions.14.policy", "unknown policy 'maybe'"),
        ("start: '2016-10-01'", "start: 2016-13-01", "start", "date"),
        ("    unit: bookings per person-year\n", "", "parameters.booking_rate.unit", "required"),
        ("  regime: pep2014", "  regime: pep2041", "initial.regime", "unknown regime"),
        ("    unit: judges\n", "    unit: lawyers\n", "parameters.immigration_judges.unit", "model uses"),
    ],
)
def test_bad_scenarios_name_file_line_and_field(old, new, field, words):
    assert old in BUILTIN
    err = refused(BUILTIN.replace(old, new, 1))
    assert err.file == "bad.yaml"
    assert err.field == field
    assert words in err.problem
    assert err.line is not None
    text = BUILTIN.replace(old, new, 1).splitlines()
    # the line named is the offending line or the key that owns it
    assert field.split(".")[-1].split("_")[0] in text[err.line - 1] or words == "required"


def test_assumption_without_range_is_refused():
    old = "    source: assumption\n    range:\n    - 30\n    - 200\n"
    assert old in BUILTIN
    text = BUILTIN.replace(old, "    source: assumption\n", 1)
    err = refused(text)
    assert "range" in err.problem and err.field == "parameters.jail_officers"


def test_not_yaml_and_not_a_mapping():
    assert "not valid YAML" in refused("name: [unclosed").problem
    assert "mapping" in refused("- 1\n- 2\n").problem


def test_missing_file_and_unknown_name():
    with pytest.raises(immsim.ScenarioError, match="no such file or built-in scenario"):
        immsim.load_scenario("no-such-scenario")
    with pytest.raises(immsim.ScenarioError, match="cannot read"):
        immsim.load_scenario("/nonexistent/x.yaml")


def test_scaling_the_population_scales_a_priors_mode_with_its_range():
    """A triangular prior's mode lies in the range; scaled ten times, the range and the mode move together."""
    from immsim.scenario.scale import scale_population
    from scenarios import make

    def officers_assumed(doc: dict) -> None:
        doc["parameters"]["jail_officers"] |= {
            "source": "assumption",
            "range": [1.0, 4.0],
            "prior": {"distribution": "triangular", "mode": 3.0},
        }

    scaled = scale_population(make(officers_assumed), 10).data.parameters["jail_officers"]
    assert scaled.range == (10.0, 40.0) and scaled.prior.mode == pytest.approx(30.0)


def test_a_reform_that_sources_an_assumption_drops_its_prior():
    """A prior belongs to an assumption: a change that gives the value a source removes it (else the
    derived scenario would be refused), and a change that keeps the assumption keeps it."""
    from scenarios import make

    def assumed(doc: dict) -> None:
        doc["parameters"]["found_probability"] |= {"source": "assumption", "range": [0.2, 0.9], "prior": "loguniform"}

    sc = make(assumed)
    sourced = sc.with_changes([{"parameter": "found_probability", "value": 0.5, "source": "a report (primary)"}])
    kept = sc.with_changes([{"parameter": "found_probability", "scale": 1.1, "source": "assumption"}])
    assert sourced.data.parameters["found_probability"].prior is None
    assert kept.data.parameters["found_probability"].prior.distribution == "loguniform"


#: YAML that takes each branch of ``yamldoc._construct``: plain and quoted text, numbers, booleans and null as
#: values and keys, repeated keys, empty containers, explicit tags, merge keys, a key that is a list, unknown tags.
ODD_YAML = [
    "a: 1\nb: [x, 'y', 2.5, .inf, -.nan, null, ~, true, no, 0x1F, 1_000, 2017-01-02]\n",
    "1: one\n2.5: two\nnull: three\ntrue: four\n'5': five\n",
    "a: 1\na: 2\nb: {}\nc: []\nd: {e: [{f: [[], [g]]}]}\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!binary aGVsbG8=\ne: !!timestamp 2017-01-02\n",
    "a: !!set {x, y}\nb: !!omap [{p: 1}, {q: 2}]\nc: !!pairs [{p: 1}]\n",
    "base: &b {x: 1}\nuse: {<<: {x: 2, y: 3}, z: 4}\n",
    "? [1, 2]\n: v\n",
    "? {k: v}\n: v\n",
    "a: !custom 1\n",
    "a: !!map [1]\n",
    "a: {b: !!seq x, c: !!int nope}\n",
    "a: {b: !!set x, c: {d: !!int nope}}\n",
    "? !!seq x\n: v\n",
    "- [a, b]\n- {c: d}\n- e\n",
    "plain\n",
    "",
]


def _pyyaml(text: str) -> tuple[str, object]:
    """``text`` built by PyYAML's own constructor with immsim's loader, or the error it raises."""
    from immsim.scenario.yamldoc import _Loader

    loader = _Loader(text)
    try:
        return "ok", loader.get_single_data()
    except Exception as e:  # noqa: BLE001 - PyYAML also raises ValueError and others: compared, not hidden
        return type(e).__name__, str(e)
    finally:
        loader.dispose()


@pytest.mark.parametrize("text", ODD_YAML)
def test_the_fast_constructor_builds_what_pyyaml_builds(text):
    """``yamldoc._parse`` builds the document itself (faster); it must equal PyYAML's, value and type, or fail alike."""
    from immsim.scenario.yamldoc import _parse

    try:
        mine = "ok", _parse(text)[0]
    except Exception as e:  # noqa: BLE001 - compared with PyYAML's
        mine = type(e).__name__, str(e)
    theirs = _pyyaml(text)
    assert mine == theirs
    assert repr(mine) == repr(theirs)  # the same types too (True is not 1, 1.0 is not 1)


@pytest.mark.parametrize("name", builtin_names())
def test_the_fast_constructor_builds_each_builtin_scenario_as_pyyaml_does(name):
    from immsim.scenario.yamldoc import _parse

    text = resolve(name).read_text()
    assert repr(_parse(text)[0]) == repr(_pyyaml(text)[1])
