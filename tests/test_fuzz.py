"""Fuzzing the scenario loader: bad input gets a clear ``ScenarioError``, never a traceback or a hang.

Hypothesis generates malformed and extreme scenario and reform files, mostly
by mutating valid ones (the synthetic scenario of ``tests/scenarios.py`` and
the built-in us-2017): wrong types, missing and unknown fields at any depth,
out-of-range and non-finite numbers, bad and out-of-order dates, bad reform
changes and bases (missing, cyclic, not a file), odd encodings and bytes, YAML
tags, alias bombs and deep nesting. Each file must either load or be refused
with a ``ScenarioError`` whose one-line message names the file and the problem
(and the field, for a problem in a field); any other exception, or an example
taking longer than ``LIMIT_S``, fails the test. A file that loads must hold
only finite, in-bounds values.

The bulk of the examples (9,950 files) is in tests marked slow; the quick
subset runs the same properties on 25 files each. Runs are derandomized, so a
failure reproduces. At the end of the module a summary gives, per test, the
loads accepted and refused and the slowest one (``pytest
--hypothesis-show-statistics`` also breaks them down by kind of fault).

The end of the file runs valid extremes through the simulator (no officers,
no judges, no ATD slots, bonds for all, a one-day and a fifty-year horizon,
ten times the population) and
a sample of bad files through the command line.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import pickle
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import immsim
from figures import save
from immsim.cli import app
from immsim.errors import ImmsimError, ScenarioError, printable
from immsim.model.codes import ACTIONS, CLASSES, HISTORIES, PATHS, STATUSES
from immsim.model.parameters import SPEC
from immsim.scenario.loader import Scenario, load_scenario, parse_scenario, resolve
from immsim.scenario.policies import POLICIES
from immsim.scenario.scale import scale_population
from immsim.scenario.yamldoc import load_document
from plainyaml import plain_dump
from scenarios import JURISDICTIONS, STATE_OF, base, make, param, params, population

#: A hard bound per example (SIGALRM): a hang fails instead of stalling the suite.
LIMIT_S = 10.0
#: test name -> accepted, refused, slowest (ms); reported at the end of the module.
STATS: defaultdict[str, Counter] = defaultdict(Counter)


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if STATS:
        save("fuzz", {test: dict(c) for test, c in STATS.items()})
    if reporter is None or capture is None or not STATS:
        return
    with capture.global_and_fixture_disabled():
        _write_stats(reporter)


def _write_stats(reporter: Any) -> None:
    reporter.write_line("")
    reporter.write_line("fuzzed loads per test (a file loaded two ways counts twice): accepted, refused, slowest (ms)")
    for test, c in STATS.items():
        reporter.write_line(f"  {test}: {c['accepted']} accepted, {c['refused']} refused, {c['slowest (ms)']} ms")
    reporter.write_line(f"  total: {sum(c['accepted'] + c['refused'] for c in STATS.values())} loads")


def _profile(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,  # the machine is shared: LIMIT_S bounds the time instead, without flaky deadlines
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


QUICK = _profile(25)


def _slow(examples: int) -> Callable:
    def mark(test: Callable) -> Callable:
        return pytest.mark.slow(_profile(examples)(test))

    return mark


SYNTHETIC: dict = base()
US_2017: dict = load_document(resolve("us-2017").read_text())  # a plain document, dates as text


def fresh(doc: Any) -> Any:
    """A deep copy, several times faster than ``copy.deepcopy`` for plain documents."""
    return pickle.loads(pickle.dumps(doc))


def dump(doc: Any) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # LibYAML's emitter when installed: faster
    return yaml.dump(doc, Dumper=dumper, sort_keys=False, width=1000, allow_unicode=True)


class Hang(BaseException):
    """Not an ``Exception``, so that no ``except OSError`` (``TimeoutError`` is one) in the loader hides it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail an example that runs longer than ``seconds`` (a hang, or super-linear work)."""

    def expired(signum: int, frame: Any) -> None:
        raise Hang(f"example took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]


def _new_file() -> None:
    """Count a file once it is generated (an example whose drawing Hypothesis abandons is not one; a file loaded
    in two ways is one file and two loads)."""
    STATS[_current_test()]["files"] += 1


def attempt(load: Callable[[], Scenario], blamed: set[str], field_expected: bool = False, label: str = "load") -> str:
    """Run ``load``; it must return a sane Scenario or raise a clear ScenarioError. Returns the outcome.

    ``blamed``: the names an error may give as its file. ``field_expected``: the
    file is a well-formed mapping, so a refusal must name a field (not only the file).
    """
    start = time.perf_counter()
    with time_limit(LIMIT_S):
        try:
            scenario = load()
        except ScenarioError as e:
            outcome = "refused"
            assert_clear(e, blamed, field_expected)
        else:
            outcome = "accepted"
            assert_sane(scenario)
    seconds = time.perf_counter() - start
    test = _current_test()
    STATS[test][outcome] += 1
    STATS[test]["slowest (ms)"] = max(STATS[test]["slowest (ms)"], round(seconds * 1000))
    event(f"{label}: {outcome}")
    return outcome


def assert_clear(e: ScenarioError, blamed: set[str], field_expected: bool) -> None:
    msg = str(e)
    assert e.file in blamed, msg
    assert msg.isprintable(), msg  # one line, no terminal control
    assert msg.startswith(printable(e.file)), msg
    assert e.problem.strip() and msg.endswith(printable(e.problem)), msg
    assert "Traceback" not in msg and "object at 0x" not in msg, msg
    if e.field:
        assert f": {printable(e.field)}: " in msg, msg
    if field_expected:
        assert e.field, f"a problem in a field should name it: {msg}"


def assert_sane(sc: Scenario) -> None:
    """A scenario that loads holds only finite numbers within the model's bounds."""
    data = sc.data
    assert data.jurisdictions and sum(j.removable_population for j in data.jurisdictions) > 0
    for name, p in data.parameters.items():
        spec = SPEC[name]
        values = [p.value] if p.value is not None else [s.value for s in p.series]
        for v in values:
            for x in v.values() if isinstance(v, dict) else [v]:
                assert math.isfinite(x) and spec.lo <= x <= spec.hi, (name, x)
        if p.series:
            dates = [s.start for s in p.series]
            assert dates == sorted(set(dates)), name
    for ev in data.events:
        if getattr(ev, "end", None) is not None:
            assert ev.end > ev.date


# --- values ----------------------------------------------------------------------------------------------------

NAN, INF = float("nan"), float("inf")
EXTREME_NUMBERS = [0, -1, 1, -0.0, 0.5, 1.0000001, -1e-9, 2, 1e308, -1e308, 5e-324, NAN, INF, -INF]
EXTREME_NUMBERS += [10**30, -(10**30), 2**63, 2**64 + 1, 10**300, 100_000_001]
ODD_TEXT = [
    "",
    " ",
    "2017-02-30",
    "2017-13-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2017-1-1",
    "2017-01-01T00:00:00",
    "2017-01-01 12:30",
    "20170101",
    "-1",
    "1e999",
    "0x1F",
    "1_000",
    ".nan",
    "yes",
    "null",
    "~",
    "honor",
    "assumption",
    "all",
    "default",
    "ZZ",
    "AA",
    "A1",
    "broad",
    "c1",
    "x" * 300,
    "é\u200b\u202e\ufeff",
    "[/red]",
]
ODD_KEYS = ["", "value", "series", "from", "unit", "where", "default", "type", "base", "changes", "name"]

dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
plausible_dates = st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
numbers = st.one_of(
    st.sampled_from(EXTREME_NUMBERS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(0, 1),
)
scalars = st.one_of(
    numbers,
    st.none(),
    st.booleans(),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=20),
    dates,
    st.binary(max_size=8),
)
keys = st.one_of(st.sampled_from(ODD_KEYS + sorted(SPEC)[:5]), st.text(max_size=12), st.integers(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=8,
)


# --- mutations of a valid document ---------------------------------------------------------------------------


def all_paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += all_paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += all_paths(v, (*prefix, i))
    return out


PATHS_OF = {"synthetic": all_paths(SYNTHETIC), "us-2017": all_paths(US_2017)}
MUTATIONS = ["replace", "delete", "add_key", "rename", "nudge", "retype", "duplicate", "swap", "empty"]


def _get(doc: Any, path: tuple) -> Any:
    for step in path:
        if not isinstance(doc, dict | list):  # a string is indexable too: an earlier mutation retyped this node
            raise TypeError(f"{type(doc).__name__} on the path")
        doc = doc[step]
    return doc


def mutate(data: st.DataObject, doc: dict, paths: list[tuple]) -> str:
    """Apply one random mutation to ``doc`` in place; returns its name (for statistics)."""
    path = data.draw(st.sampled_from(paths), label="path")
    try:
        node = _get(doc, path)
    except (KeyError, IndexError, TypeError):  # an earlier mutation removed or retyped it
        return "skipped"
    parent, last = (_get(doc, path[:-1]), path[-1]) if path else (None, None)
    applicable = {
        "replace": True,
        "delete": parent is not None,
        "add_key": isinstance(node, dict),
        "rename": isinstance(parent, dict),
        "nudge": isinstance(node, int | float) and not isinstance(node, bool),
        "retype": True,
        "duplicate": isinstance(parent, list),
        "swap": True,
        "empty": isinstance(node, dict | list),
    }
    kind = data.draw(st.sampled_from([k for k in MUTATIONS if applicable[k]]), label="mutation")

    def put(value: Any) -> None:
        if parent is None:
            doc.clear()
            if isinstance(value, dict):
                doc.update(value)
        else:
            parent[last] = value

    if kind == "replace":
        put(data.draw(values, label="value"))
    elif kind == "delete":
        del parent[last]
    elif kind == "add_key":
        node[data.draw(keys, label="key")] = data.draw(values, label="value")
    elif kind == "rename":
        new = data.draw(st.sampled_from([f"{last}s", str(last).upper(), str(last)[:-1], f" {last}", f"{last}_"]))
        parent[new] = parent.pop(last)
    elif kind == "nudge":
        op = data.draw(st.sampled_from(["neg", "times", "plus", "tiny", "extreme"]))
        factor = data.draw(st.sampled_from([1e6, 1e30, 1e300, 10.0, 1.5, 0.999, 1.001]))
        if op == "extreme":
            put(data.draw(st.sampled_from(EXTREME_NUMBERS)))
        else:
            put({"neg": -node, "times": node * factor, "plus": node + 1, "tiny": node / factor}[op])
    elif kind == "retype":
        node = copy.deepcopy(node)
        put(data.draw(st.sampled_from([str(node), [node], {"value": node}, repr(node), None, True])))
    elif kind == "duplicate":
        parent.insert(int(last), copy.deepcopy(node))
    elif kind == "swap":
        other = data.draw(st.sampled_from(paths), label="other path")
        try:
            put(copy.deepcopy(_get(doc, other)))
        except (KeyError, IndexError, TypeError):
            return "skipped"
    else:  # empty
        put(type(node)())
    return kind


def check_mutated(data: st.DataObject, which: str) -> None:
    doc = fresh(SYNTHETIC if which == "synthetic" else US_2017)
    n = data.draw(st.integers(1, 3), label="mutations")
    done = [mutate(data, doc, PATHS_OF[which]) for _ in range(n)]
    for kind in done:
        event(f"mutation: {kind}")
    text = plain_dump(doc)
    _new_file()
    attempt(
        lambda: parse_scenario(text, "fuzz.yaml"), {"fuzz.yaml"}, field_expected=isinstance(doc, dict) and bool(doc)
    )


def _as_loaded(text: str) -> str:
    """The document ``text`` holds, as immsim's loader builds it (its repr: types count, and NaN equals NaN)."""
    from immsim.scenario.yamldoc import _Loader

    return repr(yaml.load(text, Loader=_Loader))  # noqa: S506 - immsim's loader is a SafeLoader


@QUICK
@given(st.data())
def test_the_fast_writer_gives_what_pyyaml_gives(data):
    """``plain_dump``, which writes the fuzzers' files, loads to the same document as ``yaml.dump``'s text."""
    which = data.draw(st.sampled_from(["synthetic", "us-2017"]))
    doc = fresh(SYNTHETIC if which == "synthetic" else US_2017)
    for _ in range(data.draw(st.integers(0, 3))):
        mutate(data, doc, PATHS_OF[which])
    assert _as_loaded(plain_dump(doc)) == _as_loaded(dump(doc))


def test_the_fast_writer_on_odd_text_and_numbers():
    odd = ["a\u2028b", "x\x85y", "\x7f", "\ufeffz", "tab\there", "\n", "", " lead", "yes", "~", "null", "1e5"]
    odd += ["0x1F", "2017-01-02", "'", '"', "\\", "#c", "- a", ": b", "&a", "*b", "!t", "%x", "\U0001f600", "\x00"]
    values = [*odd, 1e-05, 1e300, -0.0, math.inf, -math.inf, math.nan, 10**30, True, False, None, [[], {}, [[1]]]]
    values += [{1: 2, None: 3, False: "x", 1.5: []}, dt.date(2017, 1, 2)]
    for v in values:
        doc = {"k": v, "l": [v, {"m": v}]}
        assert _as_loaded(plain_dump(doc)) == _as_loaded(dump(doc)), v
    shared = [1]
    assert plain_dump({"a": shared, "b": shared}) == dump({"a": shared, "b": shared})  # an alias: PyYAML writes it


@QUICK
@given(st.data())
def test_mutated_synthetic_scenarios_quick(data):
    check_mutated(data, "synthetic")


@_slow(3000)
@given(st.data())
def test_mutated_synthetic_scenarios(data):
    check_mutated(data, "synthetic")


@QUICK
@given(st.data())
def test_mutated_us_2017_quick(data):
    check_mutated(data, "us-2017")


@_slow(350)
@given(st.data())
def test_mutated_us_2017(data):
    check_mutated(data, "us-2017")


# --- dates, dated series and events --------------------------------------------------------------------------


def mostly(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
    """``good`` three times in four: enough valid files that loading, not only refusing, is exercised."""
    return st.one_of(good, good, good, bad)


date_like = mostly(plausible_dates, st.one_of(dates, scalars))
names_or_junk = {
    "state": mostly(st.sampled_from(sorted(set(STATE_OF.values()))), st.sampled_from(["ZZ", "", "aa", 7])),
    "code": mostly(st.sampled_from(JURISDICTIONS), st.sampled_from(["Z9", "", None])),
    "regime": mostly(st.sampled_from(["broad", "narrow"]), st.sampled_from(["pep2041", "", 3])),
    "cohort": mostly(st.just("c1"), st.sampled_from(["c2", "", None])),
    "policy": mostly(st.sampled_from(POLICIES), st.sampled_from(["maybe", "", None])),
}
OFFICES = sorted({j["office"] for j in SYNTHETIC["jurisdictions"]})


def event_strategy(date_s: st.SearchStrategy = date_like) -> st.SearchStrategy[dict]:
    common = {"meaning": st.just("fuzz"), "source": st.just("fuzz"), "date": date_s}
    policy = st.fixed_dictionaries(
        {
            "type": st.just("policy"),
            **common,
            "scope": mostly(st.sampled_from(["national", "state", "jurisdiction"]), st.just("county")),
            "target": st.one_of(names_or_junk["state"], names_or_junk["code"]),
            "policy": names_or_junk["policy"],
        },
        optional={"mode": mostly(st.sampled_from(["set", "at_least", "at_most"]), st.just("sometimes"))},
    )
    regime = st.fixed_dictionaries({"type": st.just("regime"), **common, "regime": names_or_junk["regime"]})
    injunction = st.fixed_dictionaries(
        {"type": st.just("injunction"), **common, "cohort": names_or_junk["cohort"]},
        optional={"end": date_s, "detained_until": date_s},
    )
    pressure = st.fixed_dictionaries(
        {
            "type": st.just("federal_pressure"),
            **common,
            "targets": st.one_of(
                st.just("all"), st.lists(st.one_of(names_or_junk["state"], names_or_junk["code"]), max_size=3)
            ),
            "comply_probability": mostly(st.floats(0, 1), numbers),
            "hypothetical": mostly(st.just(True), scalars),
        }
    )
    court = st.fixed_dictionaries(
        {
            "type": st.just("court_policy"),
            **common,
            "policy": mostly(
                st.sampled_from(["completion_goals", "hearing_suspension", "no_admin_closure", "mpp"]),
                st.just("faster"),
            ),
        },
        optional={
            "end": date_s,
            "factor": mostly(st.floats(0, 2), numbers),
            **{f: mostly(st.floats(0, 1), numbers) for f in ("share", "no_show_probability", "judge_share")},
            "dockets": mostly(
                st.lists(st.sampled_from(["non_detained", "mpp"]), min_size=1, max_size=2),
                st.one_of(st.just([]), st.just(["detained"]), scalars),
            ),
        },
    )
    odd = st.dictionaries(st.sampled_from(["type", "date", "end", "target", "regime", "x"]), scalars, max_size=4)
    return st.one_of(policy, policy, regime, injunction, injunction, pressure, court, odd)


def good_value(name: str) -> st.SearchStrategy[Any]:
    """A value within the bounds of parameter ``name``, as a number or as a table of its dimension."""
    spec = SPEC[name]
    number = st.floats(spec.lo, spec.hi if math.isfinite(spec.hi) else 1e6)
    if spec.dims == "class":  # by status, by criminal history or by pair
        return st.sampled_from([STATUSES, HISTORIES, CLASSES]).flatmap(
            lambda keys: st.fixed_dictionaries(dict.fromkeys(keys, number))
        )
    if spec.dims == "path":
        return st.fixed_dictionaries(dict.fromkeys(PATHS, number))
    if spec.dims in ("jurisdiction", "office"):
        keys_ = [*(JURISDICTIONS if spec.dims == "jurisdiction" else OFFICES), "default"]
        return st.one_of(number, st.dictionaries(st.sampled_from(keys_), number, min_size=1))
    return number


@st.composite
def series_strategy(draw: st.DrawFn, name: str, odd: bool = True) -> list:
    """Dated steps for parameter ``name``; unless ``odd``, real dates, at least one step, mostly in order."""
    value = mostly(good_value(name), st.one_of(numbers, values))
    step = st.fixed_dictionaries({"from": date_like if odd else plausible_dates, "value": value})
    steps = draw(st.lists(step, min_size=0 if odd else 1, max_size=4))
    if draw(st.integers(0, 3)) > (1 if odd else 0):  # in order, as a valid series must be
        steps.sort(key=lambda step: str(step["from"]))
    if odd and draw(st.integers(0, 3)) == 0:
        steps.insert(draw(st.integers(0, len(steps))), draw(values))  # a step that is not a dated value
    return steps


def check_dated(data: st.DataObject) -> None:
    """The synthetic scenario with a new start, dated series and events; in half the files, every date is a date."""
    doc = fresh(SYNTHETIC)
    odd_dates = data.draw(st.booleans(), label="odd dates")
    event(f"odd dates: {odd_dates}")
    date_s = date_like if odd_dates else plausible_dates
    if data.draw(st.booleans(), label="new start"):
        doc["start"] = data.draw(date_s, label="start")
    for name in data.draw(st.lists(st.sampled_from(sorted(SPEC)), max_size=2, unique=True), label="series of"):
        doc["parameters"][name].pop("value")
        series = series_strategy(name, odd_dates)
        doc["parameters"][name]["series"] = data.draw(series, label=f"series of {name}")
    doc["events"] = data.draw(st.lists(event_strategy(date_s), max_size=4), label="events")
    if data.draw(st.booleans(), label="closed cohort"):
        doc["cohorts"]["c1"]["orders_by"] = data.draw(date_s, label="orders_by")
    text = plain_dump(doc)
    _new_file()
    attempt(lambda: parse_scenario(text, "dated.yaml"), {"dated.yaml"}, field_expected=True)


@QUICK
@given(st.data())
def test_dates_series_and_events_quick(data):
    check_dated(data)


@_slow(1000)
@given(st.data())
def test_dates_series_and_events(data):
    check_dated(data)


# --- priors ----------------------------------------------------------------------------------------------------


GOOD_PRIORS = ["uniform", "loguniform", {"distribution": "uniform"}, {"distribution": "loguniform"}]
BAD_PRIORS = st.one_of(
    st.sampled_from(["gamma", "Uniform", "", "triangular", "beta", {"distribution": "beta", "a": 2}]),
    st.fixed_dictionaries(
        {"distribution": st.sampled_from(["uniform", "triangular", "beta", "normal"])},
        optional={"mode": numbers, "a": numbers, "b": numbers, "sd": numbers},
    ),
    values,
)


def good_prior(low: float, high: float) -> st.SearchStrategy[Any]:
    """A valid prior over ``[low, high]`` (``low`` above 0 unless loguniform is to be refused), in either form."""
    return st.one_of(
        st.sampled_from(GOOD_PRIORS),
        st.fixed_dictionaries({"distribution": st.just("triangular"), "mode": st.floats(low, high)}),
        st.fixed_dictionaries({"distribution": st.just("beta"), "a": st.floats(0.1, 20), "b": st.floats(0.1, 20)}),
    )


def check_priors(data: st.DataObject) -> None:
    """Assumptions given ranges and priors: a prior that loads draws only values inside its range.

    Each file has at most one fault (a bad range, a sourced parameter with a prior, or a bad prior), so that
    most files load and the draws are exercised.
    """
    doc = fresh(SYNTHETIC)
    names = data.draw(st.lists(st.sampled_from(sorted(SPEC)), min_size=1, max_size=3, unique=True), label="params")
    fault = data.draw(st.sampled_from([None, None, None, "range", "source", "prior"]), label="fault")
    event(f"prior fault: {fault}")
    for i, name in enumerate(names):
        p = doc["parameters"][name]
        spec = SPEC[name]
        hi = spec.hi if math.isfinite(spec.hi) else 1e6
        low = data.draw(st.floats(spec.lo, hi * 0.99), label="low")
        high = low + (hi - low) * data.draw(st.floats(0.01, 1), label="width")
        bad = fault if i == 0 else None
        bad_range = st.one_of(st.just([high, low]), st.just([low, low]), values)
        p["range"] = data.draw(bad_range) if bad == "range" else [low, high]
        p["source"] = data.draw(st.sampled_from(["a report (primary)", 3])) if bad == "source" else "assumption"
        prior = BAD_PRIORS if bad == "prior" else good_prior(low, high)
        p["prior"] = data.draw(prior, label=f"prior of {name}")
    text = plain_dump(doc)
    _new_file()
    if attempt(lambda: parse_scenario(text, "priors.yaml"), {"priors.yaml"}, field_expected=True) != "accepted":
        return
    import numpy as np

    from immsim.scenario.priors import draw

    sc = parse_scenario(text, "priors.yaml")
    rng = np.random.default_rng(0)
    for name in names:
        p = sc.data.parameters[name]
        x = draw(p.prior, *p.range, rng, 20)
        assert np.isfinite(x).all() and (x >= p.range[0]).all() and (x <= p.range[1]).all(), (name, p.prior, x)


@QUICK
@given(st.data())
def test_priors_quick(data):
    check_priors(data)


@_slow(500)
@given(st.data())
def test_priors(data):
    check_priors(data)


# --- reforms ---------------------------------------------------------------------------------------------------

#: What a reform may name as its base, in the directory of ``reform_dir``: mostly good ones.
BASES = [
    "base.yaml",  # the synthetic scenario, with two events
    "chain.yaml",  # a valid reform of base.yaml
    "sub/../base.yaml",
    "mutated-base.yaml",  # the synthetic scenario with a mutation
    "reform.yaml",  # the reform itself
    "cycle-a.yaml",  # cycle-a -> cycle-b -> cycle-a
    "missing.yaml",
    "missing",
    ".",
    "/dev/null",
    "/dev/zero",
    "a" * 5000,
    "nul\0.yaml",
    "",
]
GOOD_BASES = BASES[:3]
REFORM_BASE = {
    **SYNTHETIC,
    "events": [
        {"type": "regime", "date": "2017-06-01", "regime": "narrow", "meaning": "m", "source": "s"},
        {"type": "policy", "date": "2017-03-01", "scope": "jurisdiction", "target": "B1", "policy": "decline_holds"}
        | {"meaning": "m", "source": "s"},
    ],
}
JURISDICTION_PARAMETERS = sorted(n for n, spec in SPEC.items() if spec.dims == "jurisdiction")

good_where = st.one_of(
    st.just({"all": True}),
    st.fixed_dictionaries({"states": st.lists(st.sampled_from(["AA", "BB"]), min_size=1, max_size=2)}),
    st.fixed_dictionaries({"jurisdictions": st.lists(st.sampled_from(JURISDICTIONS), min_size=1, max_size=3)}),
)
good_change = st.one_of(
    st.sampled_from(sorted(SPEC)).flatmap(
        lambda n: st.fixed_dictionaries(
            {"parameter": st.just(n), "value": good_value(n)}, optional={"source": st.just("fuzz")}
        )
    ),
    st.fixed_dictionaries({"parameter": st.sampled_from(sorted(SPEC)), "scale": st.floats(0.1, 10)}),
    st.sampled_from(sorted(SPEC)).flatmap(
        lambda n: st.fixed_dictionaries({"parameter": st.just(n), "series": series_strategy(n)})
    ),
    st.sampled_from(JURISDICTION_PARAMETERS).flatmap(
        lambda n: st.fixed_dictionaries(
            {"parameter": st.just(n), "where": good_where, "value": st.floats(SPEC[n].lo, min(SPEC[n].hi, 1e6))}
        )
    ),
    st.fixed_dictionaries(
        {"policy": st.sampled_from(POLICIES), "where": good_where, "from": plausible_dates},
        optional={"mode": st.sampled_from(["set", "at_least", "at_most"])},
    ),
    st.fixed_dictionaries(
        {
            "define_policy": mostly(st.sampled_from(["own", "honor"]), st.sampled_from(["", "a b", 3])),
            "detainer": mostly(
                st.one_of(
                    st.sampled_from(ACTIONS),
                    st.fixed_dictionaries({h: st.sampled_from(ACTIONS) for h in HISTORIES}),
                ),
                st.sampled_from(["hold_all", {"none": "hold"}, 1]),
            ),
            "meaning": st.just("fuzz"),
        },
        optional={"judicial_warrant": mostly(st.booleans(), scalars)},
    ),
    st.fixed_dictionaries(
        {
            "initial": st.sampled_from(
                ["court_pending", "court_pending_mean_age_days", "detention_population", "atd_participants"]
            ),
            "value": st.floats(0, 1e6),
        }
    ),
    st.fixed_dictionaries(
        {"initial": st.sampled_from(["detention_court_share", "detention_border_share"]), "value": st.floats(0, 1)}
    ),
    st.fixed_dictionaries({"add_event": event_strategy()}),
    st.fixed_dictionaries(
        {"remove_event": st.sampled_from([{"type": "regime"}, {"target": "B1"}, {"date": "2017-06-01"}, {"x": 1}])}
    ),
)
where = mostly(
    good_where,
    st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "all": st.one_of(st.booleans(), scalars),
                "states": st.one_of(st.lists(names_or_junk["state"], max_size=3), scalars),
                "jurisdictions": st.one_of(st.lists(names_or_junk["code"], max_size=3), scalars),
            },
        ),
        scalars,
    ),
)
parameter_names = st.one_of(st.sampled_from(sorted(SPEC)), st.sampled_from(["team_sise", "", "Team_size"]), scalars)
value = st.one_of(st.floats(0, 1), st.integers(0, 1000), numbers, values)
bad_change = st.one_of(
    st.fixed_dictionaries(  # any combination of the fields of a parameter change
        {"parameter": parameter_names},
        optional={
            "value": value,
            "series": st.lists(st.fixed_dictionaries({"from": date_like, "value": value}), max_size=3),
            "scale": st.one_of(st.floats(0.1, 10), numbers),
            "where": where,
            "source": st.one_of(st.just("fuzz"), st.just("assumption"), scalars),
            "meaning": st.one_of(st.just("fuzz"), scalars),
        },
    ),
    st.fixed_dictionaries(
        {"policy": names_or_junk["policy"], "where": where, "from": date_like},
        optional={"mode": st.sampled_from(["set", "at_least", "at_most", "often"]), "source": scalars},
    ),
    st.fixed_dictionaries(
        {"initial": st.one_of(st.sampled_from(["court_pending", "class_share", "regime", "x"]), scalars)},
        optional={"value": value, "source": scalars},
    ),
    st.fixed_dictionaries({"add_event": values}),
    st.fixed_dictionaries({"remove_event": st.one_of(st.dictionaries(keys, scalars), values)}),
    values,
    st.dictionaries(st.sampled_from(["parameter", "policy", "initial", "add_event", "x"]), values),
)
good_reform = st.fixed_dictionaries(
    {
        "name": st.just("fuzz-reform"),
        "title": st.just("A fuzzed reform"),
        "base": st.sampled_from(GOOD_BASES),
        "changes": st.lists(good_change, min_size=1, max_size=4),
    },
    optional={"start": plausible_dates, "description": st.just("fuzz"), "question": st.just("fuzz?")},
)
REFORM_FIELDS = ["name", "title", "base", "changes", "start", "description", "question", "extra"]


@pytest.fixture(scope="module")
def reform_dir(tmp_path_factory) -> Path:
    """Files reforms can name as base; each example writes reform.yaml (and mutated-base.yaml) here."""
    d = tmp_path_factory.mktemp("reforms")
    (d / "sub").mkdir()
    (d / "base.yaml").write_text(dump(REFORM_BASE))
    one_change = [{"parameter": "team_size", "value": 4}]
    for name, base_name in [("cycle-a", "cycle-b.yaml"), ("cycle-b", "cycle-a.yaml"), ("chain", "base.yaml")]:
        (d / f"{name}.yaml").write_text(dump({"name": name, "title": name, "base": base_name, "changes": one_change}))
    return d


def check_reform(data: st.DataObject, d: Path) -> None:
    """A valid reform, then none to three faults: a field, a change, the base, or any mutation."""
    reform = copy.deepcopy(data.draw(good_reform, label="reform"))  # strategies share their constants: mutate a copy
    for _ in range(data.draw(st.integers(0, 3), label="faults")):
        fault = data.draw(st.sampled_from(["field", "change", "change", "base", "base", "mutation"]), label="fault")
        event(f"reform fault: {fault}")
        if fault == "field":
            reform[data.draw(st.sampled_from(REFORM_FIELDS), label="field")] = data.draw(values, label="value")
        elif fault == "change" and isinstance(reform.get("changes"), list) and reform["changes"]:
            at = data.draw(st.integers(0, len(reform["changes"]) - 1), label="change")
            reform["changes"][at] = data.draw(bad_change, label="bad change")
        elif fault == "base":
            reform["base"] = data.draw(st.sampled_from(BASES), label="base")
        else:
            mutate(data, reform, all_paths(reform))
    blamed = {str(d / "reform.yaml")}
    if reform.get("base") == "mutated-base.yaml":
        mutated = fresh(REFORM_BASE)
        mutate(data, mutated, PATHS_OF["synthetic"])
        (d / "mutated-base.yaml").write_text(dump(mutated))
        blamed.add(str(d / "mutated-base.yaml"))
    if reform.get("base") in ("cycle-a.yaml", "chain.yaml"):
        blamed |= {str(d / "cycle-a.yaml"), str(d / "cycle-b.yaml"), str(d / "chain.yaml")}
    (d / "reform.yaml").write_text(dump(reform))
    _new_file()
    attempt(lambda: load_scenario(d / "reform.yaml"), blamed, field_expected=bool(reform))


@QUICK
@given(data=st.data())
def test_reforms_quick(reform_dir, data):
    check_reform(data, reform_dir)


@_slow(1500)
@given(data=st.data())
def test_reforms(reform_dir, data):
    check_reform(data, reform_dir)


# --- bytes, encodings and YAML features ----------------------------------------------------------------------

SYNTHETIC_TEXT = dump(SYNTHETIC)


def bomb(levels: int, width: int) -> str:
    """A "billion laughs": ``width ** levels`` values from a few lines of anchors and aliases."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def tagged(marker: Path) -> list[str]:
    """YAML tags that would run code or build arbitrary objects with an unsafe loader."""
    return [
        f"!!python/object/apply:os.system ['touch {marker}']",
        f"!!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
        f"!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        f"!!python/object/apply:builtins.exec [\"open('{marker}', 'w')\"]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/tuple [1, 2]",
        "!custom {a: 1}",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [{a: 1}, {b: 2}]",
        "!!timestamp 2017-01-01",
        "!!float nan",
        "!!int 12345678901234567890",
        "!<tag:yaml.org,2002:str> x",
    ]


def text_transform(data: st.DataObject, text: str, marker: Path) -> tuple[str, str]:
    """A whole-text change: YAML features and structure a document mutation cannot make."""
    lines = text.splitlines(keepends=True)
    kinds = [
        "tag",
        "bomb",
        "recursive",
        "aliases",
        "deep_flow",
        "deep_block",
        "long_line",
        "huge_int",
        "truncate",
        "drop_line",
        "indent",
        "tabs",
        "crlf",
        "multi_doc",
        "not_mapping",
        "comments_only",
        "empty",
        "splice",
        "duplicate_key",
        "merge",
    ]
    kind = data.draw(st.sampled_from(kinds), label="text transform")
    at = data.draw(st.integers(0, len(lines)), label="line")
    key = data.draw(st.sampled_from(["title", "description", "x", "start", "events", "jurisdictions"]), label="key")
    if kind == "tag":
        tag = data.draw(st.sampled_from(tagged(marker)), label="tag")
        text = "".join(lines) + f"{key}: {tag}\n" if data.draw(st.booleans()) else tag + "\n"
    elif kind == "bomb":
        levels, width = data.draw(st.integers(1, 12), label="levels"), data.draw(st.integers(2, 12), label="width")
        use = data.draw(st.sampled_from(["title", "x", "events", "cohorts", "description"]), label="used as")
        text = bomb(levels, width) + "".join(lines) + f"{use}: *l{levels}\n"  # a repeated key: the last counts
    elif kind == "recursive":
        text = "".join(lines) + data.draw(
            st.sampled_from([f"{key}: &r [*r]\n", f"{key}: &r {{a: *r}}\n", f"{key}: &r [1, [2, *r]]\n"])
        )
    elif kind == "aliases":  # valid reuse: the same text anchored once, aliased everywhere
        text = text.replace("meaning: test value", "meaning: &m test value", 1).replace(
            "meaning: test value", "meaning: *m"
        )
    elif kind == "deep_flow":
        depth = data.draw(st.sampled_from([5, 50, 99, 101, 500, 999, 1001, 10_000, 200_000]), label="depth")
        open_, close = data.draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        text = "".join(lines) + f"{key}: " + open_ * depth + "1" + close * depth + "\n"
    elif kind == "deep_block":
        depth = data.draw(st.sampled_from([10, 99, 101, 999, 3000]), label="depth")
        text = "".join(lines) + "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    elif kind == "long_line":
        n = data.draw(st.sampled_from([10_000, 100_000, 1_000_000, 5_000_001]), label="length")  # the last: too big
        text = "".join(lines).replace("description: ", "description: " + "x" * n, 1)
    elif kind == "huge_int":
        digits = data.draw(st.sampled_from([20, 400, 4300, 4301, 100_000]), label="digits")
        text = "".join(lines).replace("value: 5.0\n", f"value: {'9' * digits}\n", 1)
    elif kind == "truncate":
        text = "".join(lines)[: data.draw(st.integers(0, len(text)), label="length")]
    elif kind == "drop_line":
        text = "".join(lines[:at] + lines[at + 1 :])
    elif kind == "indent":
        text = "".join(lines[:at] + [" " + line for line in lines[at : at + 1]] + lines[at + 1 :])
    elif kind == "tabs":
        text = text.replace("  ", "\t", data.draw(st.integers(1, 50)))
    elif kind == "crlf":
        text = text.replace("\n", "\r\n")
    elif kind == "multi_doc":
        text = data.draw(st.sampled_from([f"---\n{text}---\n{text}", f"{text}...\n", f"%YAML 1.1\n---\n{text}"]))
    elif kind == "not_mapping":
        text = data.draw(st.sampled_from(["- 1\n- 2\n", "42\n", "just text\n", "null\n", "[]\n", "'x'\n", "---\n"]))
    elif kind == "comments_only":
        text = "# a comment\n# another\n"
    elif kind == "empty":
        text = data.draw(st.sampled_from(["", "\n", "   \n\n", "\ufeff"]))
    elif kind == "splice":
        junk = data.draw(st.text(max_size=20), label="junk")
        pos = data.draw(st.integers(0, len(text)), label="at")
        text = text[:pos] + junk + text[pos:]
    elif kind == "duplicate_key":
        text = text + data.draw(st.sampled_from(["name: other\n", "start: 2017-02-30\n", "parameters: {}\n"]))
    elif kind == "merge":
        text = (
            "defaults: &d {unit: share, meaning: m, source: s}\n"
            + text.replace("unit: share\n", "<<: *d\n", 1)
            + data.draw(st.sampled_from(["", "x: {<<: 1}\n", "x: {<<: [*d, 2]}\n"]))
        )
    return kind, text


def encode(data: st.DataObject, text: str) -> tuple[str, bytes]:
    """Bytes for ``text``: mostly UTF-8, sometimes another encoding, a BOM or stray bytes."""
    kind = data.draw(
        st.sampled_from(["utf-8"] * 6 + ["bom", "utf-16", "utf-16-le", "utf-32", "latin-1", "nul", "control", "bytes"]),
        label="encoding",
    )
    if kind == "latin-1":
        return kind, text.replace("Synthetic", "Synthétique", 1).encode("latin-1", errors="replace")
    if kind in ("utf-16", "utf-16-le", "utf-32"):
        return kind, text.encode(kind)
    raw = text.encode("utf-8", errors="surrogatepass")
    if kind == "bom":
        return kind, b"\xef\xbb\xbf" + raw
    pos = data.draw(st.integers(0, len(raw)), label="byte position")
    if kind == "nul":
        return kind, raw[:pos] + b"\0" + raw[pos:]
    if kind == "control":
        return kind, raw[:pos] + bytes([data.draw(st.sampled_from([1, 7, 8, 11, 12, 27, 127]))]) + raw[pos:]
    if kind == "bytes":
        return kind, raw[:pos] + data.draw(st.binary(min_size=1, max_size=8), label="stray bytes") + raw[pos:]
    return kind, raw


@pytest.fixture(scope="module")
def bytes_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bytes")


def check_bytes(data: st.DataObject, d: Path) -> None:
    marker = d / "code-was-run"
    transform, text = text_transform(data, SYNTHETIC_TEXT, marker)
    encoding, raw = encode(data, text)
    event(f"text: {transform}")
    event(f"bytes: {encoding}")
    path = d / "odd.yaml"
    path.write_bytes(raw)
    _new_file()
    attempt(lambda: load_scenario(path), {str(path)}, label="file")
    # parse_scenario takes text: every byte read as a character
    attempt(lambda: parse_scenario(raw.decode("latin-1"), "odd.yaml"), {"odd.yaml"}, label="text")
    assert not marker.exists(), "a YAML tag ran code"


@QUICK
@given(data=st.data())
def test_odd_bytes_and_yaml_quick(bytes_dir, data):
    check_bytes(data, bytes_dir)


@_slow(4100)
@given(data=st.data())
def test_odd_bytes_and_yaml(bytes_dir, data):
    check_bytes(data, bytes_dir)


# --- regressions: crashes and hangs the fuzzer found ---------------------------------------------------------


def refused(text: str, shown: str = "bad.yaml") -> ScenarioError:
    with time_limit(LIMIT_S), pytest.raises(ScenarioError) as e:
        parse_scenario(text, shown)
    assert str(e.value).isprintable()
    return e.value


def write_reform(d: Path, name: str, base_name: str, changes: list | None = None) -> Path:
    path = d / f"{name}.yaml"
    changes = changes or [{"parameter": "team_size", "value": 4}]
    path.write_text(dump({"name": name, "title": name, "base": base_name, "changes": changes}))
    return path


def test_billion_laughs_is_refused_at_once():
    # was a hang: the line map walked every path of 9**9 "lol"s
    start = time.perf_counter()
    err = refused(SYNTHETIC_TEXT + bomb(9, 9) + "x: *l9\n")
    assert "expand to more than 1,000,000 values" in err.problem and err.line
    assert time.perf_counter() - start < 1


@pytest.mark.parametrize("cycle", ["x: &r [*r]\n", "x: &r {a: *r}\n", "x: &r [1, [2, *r]]\n"])
def test_an_alias_inside_its_own_anchor_is_refused(cycle):
    # was RecursionError
    assert "refers to a value that contains it" in refused(SYNTHETIC_TEXT + cycle).problem


def test_self_referring_reform_events_are_refused(tmp_path):
    # was RecursionError: add_event and remove_event take any mapping
    (tmp_path / "base.yaml").write_text(SYNTHETIC_TEXT)
    for change in ("{add_event: &r {type: *r}}", "{remove_event: &r {type: *r}}"):
        path = tmp_path / "r.yaml"
        path.write_text(f"name: r\ntitle: r\nbase: base.yaml\nchanges: [{change}]\n")
        with pytest.raises(ScenarioError, match="contains it"):
            load_scenario(path)


def test_deep_nesting_is_refused_plainly():
    # 999 levels (LibYAML refuses 1,000) was RecursionError in the line map
    for depth in (101, 999):
        assert "nested more than 100 levels" in refused(SYNTHETIC_TEXT + "x: " + "[" * depth + "]" * depth).problem
    assert "nesting depth" in refused("x: " + "[" * 5000 + "]" * 5000).problem
    # through aliases: each level a few lines apart, the expanded document 200 deep
    chain = "".join(f"l{i}: &l{i} [*l{i - 1}]\n" for i in range(1, 200))
    assert "levels deep" in refused("l0: &l0 [1]\n" + chain).problem


def test_reform_events_nested_deeply_are_refused(tmp_path):
    (tmp_path / "base.yaml").write_text(SYNTHETIC_TEXT)
    deep = "{a: " * 95 + "1" + "}" * 95
    path = tmp_path / "r.yaml"
    path.write_text(f"name: r\ntitle: r\nbase: base.yaml\nchanges: [{{add_event: {deep}}}]\n")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert e.value.field.startswith("events")


@pytest.mark.parametrize(
    ("base_name", "words"),
    [
        ("a" * 5000, "no such file"),  # was OSError: File name too long
        ("a" * 5000 + ".yaml", "cannot read the file"),
        ("nul\0.yaml", "cannot read the file"),  # was ValueError: embedded null byte
        ("missing.yaml", "No such file"),
        ("/dev/zero", "not a regular file"),  # would have read forever
        (".", "directory"),
        ("loop.yaml", "cannot read the file"),  # a symbolic link to itself: was RuntimeError
        ("fifo.yaml", "not a regular file"),  # would have blocked
        ("r.yaml", "cycle"),
    ],
)
def test_a_bad_base_names_the_reform_file_and_its_base_line(tmp_path, base_name, words):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    path = write_reform(tmp_path, "r", base_name)
    with time_limit(LIMIT_S), pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert e.value.file == str(path) and e.value.field == "base" and e.value.line == 3, str(e.value)
    assert words in e.value.problem and str(e.value).isprintable()


def test_a_long_chain_of_bases_is_refused(tmp_path):
    # 400 reforms of reforms was RecursionError
    (tmp_path / "r0.yaml").write_text(SYNTHETIC_TEXT)
    for i in range(1, 25):
        write_reform(tmp_path, f"r{i}", f"r{i - 1}.yaml")
    assert load_scenario(tmp_path / "r20.yaml").data.parameters["team_size"].value == 4
    with pytest.raises(ScenarioError, match="more than 20 scenarios chained") as e:
        load_scenario(tmp_path / "r24.yaml")
    assert e.value.file == str(tmp_path / "r4.yaml") and e.value.field == "base"


def test_reform_reads_its_base_as_the_base_was_read(tmp_path):
    # yaml.safe_load read the base again with dates: 2017-02-30 in a text field was ValueError,
    # and a regime named 2017-01-02 became a date and was refused
    doc = copy.deepcopy(SYNTHETIC)
    doc["jurisdictions"][0]["source"] = "2017-02-30"
    doc["regimes"]["2017-01-02"] = doc["regimes"].pop("narrow")
    (tmp_path / "base.yaml").write_text(
        dump(doc).replace("'2017-02-30'", "2017-02-30").replace("'2017-01-02'", "2017-01-02")
    )
    assert load_scenario(tmp_path / "base.yaml").data.jurisdictions[0].source.title == "2017-02-30"
    sc = load_scenario(write_reform(tmp_path, "r", "base.yaml"))
    assert sc.data.jurisdictions[0].source.title == "2017-02-30" and "2017-01-02" in sc.data.regimes


def test_messages_are_one_printable_line():
    err = refused(SYNTHETIC_TEXT.replace("title: ", "title: \x07", 1))  # LibYAML's message had two lines
    assert err.line == 2 and "U+0007" in err.problem
    text = SYNTHETIC_TEXT.replace("  team_size:", '  "team\\e[2J\\nsize":', 1)
    err = refused(text)
    assert "\\x1b[2J\\n" in str(err) and "\x1b" in err.field  # escaped in the message, as given in the field
    assert refused(SYNTHETIC_TEXT + "'': 1\n").field == "''"  # an empty key still shows


def test_a_number_is_not_a_date():
    # Pydantic read numbers as Unix timestamps: 0 was 1970-01-01
    for value in (0, 20170101, 86400 * 17167):
        assert "write a date as YYYY-MM-DD" in refused(dump({**SYNTHETIC, "start": value})).problem


def test_yaml_tags_never_run_code(tmp_path):
    marker = tmp_path / "code-was-run"
    for tag in tagged(marker):
        for text in (f"{tag}\n", f"{SYNTHETIC_TEXT}x: {tag}\n"):
            with suppress(ScenarioError):
                parse_scenario(text, "t.yaml")
    assert not marker.exists()
    assert "could not determine a constructor" in refused(tagged(marker)[0]).problem


# --- the command line: one plain line, exit status 2 -----------------------------------------------------------


def bad_files(d: Path) -> dict[str, bytes]:
    (d / "base.yaml").write_text(SYNTHETIC_TEXT)
    write_reform(d, "cycle-b", "cycle-a.yaml")
    reform = "name: r\ntitle: r\nbase: {}\nchanges: [{{parameter: team_size, value: 4}}]\n"
    return {
        "bomb.yaml": (SYNTHETIC_TEXT + bomb(9, 9) + "x: *l9\n").encode(),
        "recursive.yaml": (SYNTHETIC_TEXT + "x: &r [*r]\n").encode(),
        "deep.yaml": ("x: " + "[" * 999 + "]" * 999).encode(),
        "utf16.yaml": SYNTHETIC_TEXT.encode("utf-16"),
        "nul.yaml": SYNTHETIC_TEXT.encode().replace(b"title", b"ti\0tle", 1),
        "control.yaml": SYNTHETIC_TEXT.replace("title: ", "title: \x1b[31m", 1).encode(),
        "list.yaml": b"- 1\n- 2\n",
        "empty.yaml": b"",
        "tag.yaml": b"!!python/object/apply:os.system ['echo pwned']\n",
        "nan.yaml": SYNTHETIC_TEXT.replace("value: 0.9\n", "value: .nan\n", 1).encode(),
        "date.yaml": SYNTHETIC_TEXT.replace("start: '2017-01-01'", "start: 2017-02-30", 1).encode(),
        "cycle-a.yaml": reform.format("cycle-b.yaml").encode(),
        "missing-base.yaml": reform.format("missing.yaml").encode(),
        "long-base.yaml": reform.format("a" * 5000).encode(),
        "bad-change.yaml": reform.format("base.yaml").replace("team_size", "team_sise").encode(),
    }


def test_bad_files_get_one_line_and_status_2_from_the_command_line(tmp_path):
    runner = CliRunner()
    for name, raw in bad_files(tmp_path).items():
        path = tmp_path / name
        path.write_bytes(raw)
        for command in (["run", str(path), "--out", str(tmp_path / "out")], ["validate", str(path), "--no-peer"]):
            with time_limit(LIMIT_S):
                result = runner.invoke(app, command)
            lines = result.output.strip().splitlines()
            assert result.exit_code == 2, (name, result.output, result.exception)
            assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path}/"), (
                name,
                result.output,
            )  # (or its base)
            assert "Traceback" not in result.output
        assert not (tmp_path / "out").exists()
    # and in a real process
    proc = subprocess.run(
        [sys.executable, "-m", "immsim.cli", "run", str(tmp_path / "bomb.yaml"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_brackets_in_a_message_are_printed_as_they_are(tmp_path):
    (tmp_path / "base.yaml").write_text(SYNTHETIC_TEXT)
    path = write_reform(tmp_path, "r", "base.yaml", [{"parameter": "[/x]", "value": 1}])
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "unknown parameter '[/x]'" in result.output


# --- valid extremes through the simulator ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "patches", "years"),
    [
        ("no jail officers", [param("jail_officers", 0)], 1),
        ("no at-large officers", [param("at_large_officers", 0)], 1),
        ("no officers at all", [params(jail_officers=0, at_large_officers=0, task_force_officers=0)], 1),
        ("no judges", [param("immigration_judges", 0)], 1),
        ("no detention beds", [param("detention_beds", 0)], 1),
        ("no ATD slots", [params(supervised_share_released=1, atd_slots=0)], 1),
        (
            "every detained respondent bonded out the next day, ATD ended daily",
            [
                params(
                    bond_hearing_probability=1,
                    bond_hearing_days=1,
                    bond_grant_probability=1,
                    bond_posted_probability=1,
                    supervised_share_released=1,
                    atd_slots=10,
                    atd_end_rate=365,
                )
            ],
            1,
        ),
        ("one day", [], 1 / 365.25),
        ("fifty years", [], 50),
    ],
)
def test_valid_extremes_run_and_balance(name, patches, years):
    # simulate raises LedgerError if a person is lost or duplicated
    result = immsim.simulate(make(*patches), years=years, seed=3)
    assert result.days == max(1, round(years * 365.25)) or years == 50
    assert not result.summary().empty


def test_ten_times_the_population_runs():
    scenario = scale_population(make(), 10)
    assert sum(j.removable_population for j in scenario.data.jurisdictions) == 1_500_000
    assert not immsim.simulate(scenario, years=1, seed=3).summary().empty


def test_extremes_beyond_the_limits_are_refused_naming_the_limit():
    with pytest.raises(ScenarioError, match="removable population is zero everywhere"):
        make(population(A1=0, A2=0, B1=0))
    for years in (0, 61, float("nan")):
        with pytest.raises(ImmsimError, match="years: must be more than 0 and at most 60"):
            immsim.simulate(make(), years=years)
    with pytest.raises(ValueError, match="factor must be a positive number"):
        scale_population(make(), 0)
