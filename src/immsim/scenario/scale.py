"""Bigger copies of a scenario, to measure how the model's cost grows.

Two questions about cost at national scale: what does a run cost with ten
times the population, and with the states split into their 3,143 counties?
Both are answered with ordinary scenarios derived from a base, validated by the
normal loader, so they exercise the same compiler and kernels as any run. They
are built for cost scaling, not for substantive answers: the county shares of
a state's population are a synthetic assumption (see ``split_counties``).

``scale_population(scenario, factor)`` makes "the same scenario with ``factor``
times the population": every stock of people and every capacity that serves
them is multiplied, while every rate per person, probability, duration and
productivity per officer or judge stays as it is. Per-capita flows and
utilisations (beds, judges, pickup and team capacity per target) are then the
same, and flows are ``factor`` times larger. Scaled:

- ``jurisdictions[].removable_population`` (rounded to whole people);
- ``initial.court_pending``, ``initial.court_admin_closed``,
  ``initial.atd_participants``, ``initial.detention_population`` (rounded);
  ``initial.known_at_start`` is a share and stays;
- the parameters in ``SCALED_PARAMETERS``: inflows (new entrants, border
  book-ins, external court receipts, work-site operations) and capacities
  (jail, at-large and task-force officers, detention beds, judges, ATD slots).

``team_size`` (officers per team) is a ratio and is not scaled. The court
rounds judges to a whole number, so ``factor`` x 313.5 judges is not exactly
``factor`` x 314: a difference of a fraction of a judge.

``split_counties(scenario)`` replaces each state-level jurisdiction (code equal
to its state) by its counties (``data/county-counts.csv``: the U.S. Census
Bureau's 3,143 counties and county equivalents of the 50 states and DC),
numbered ``CA-001`` ..., in the state's field office and with its policy. The
state's removable population is shared between them in proportion to 1 / rank
(a synthetic, Zipf-like assumption, for cost only), in multiples of
``whole_class_unit`` where the class shares allow it, so that every class of
every county is whole people (otherwise the compiler's rounding,
``compile.whole_people``, keeps each class's national total to the person).
Counts and national shares
given by jurisdiction (task-force officers, border share) are divided in
proportion to population; shares of a jurisdiction's own bookings (287(g)
jails) are copied. State-level policy events and federal-pressure targets
reach the counties through their ``state``; events aimed at a split
jurisdiction's code are repeated for each of its counties. Everything national
or by office is unchanged, so national totals are the same in expectation.
``tests/test_scale.py`` checks both variants against the base statistically.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources

import numpy as np
import yaml

from immsim.scenario.loader import Scenario, validate_document
from immsim.scenario.reform import scaled_entry

#: Parameters that count people, cases or operations per year, or capacities
#: (officers, beds, judges): multiplied by ``scale_population``.
SCALED_PARAMETERS = (
    "new_entrants_per_year",
    "border_book_ins_per_year",
    "external_court_receipts_per_year",
    "worksite_operations_per_year",
    "jail_officers",
    "at_large_officers",
    "task_force_officers",
    "detention_beds",
    "immigration_judges",
    "atd_slots",
)
#: Initial stocks of people: multiplied by ``scale_population``.
SCALED_INITIAL = ("court_pending", "court_admin_closed", "atd_participants", "detention_population")
#: Parameters with a count-like unit that are ratios and are not scaled.
NOT_SCALED = ("team_size",)
#: Jurisdiction-level parameters and whether a county gets a share of the
#: state's value (True: a count or a share of a national total) or a copy
#: (False: a share of the jurisdiction's own bookings).
SPLIT_BY_POPULATION = {
    "task_force_officers": True,
    "border_share": True,
    "share_287g_jails": False,
    "booking_rate_factor": False,
}


#: LibYAML's emitter when PyYAML has it: a county-level scenario is 1.5 MB of YAML.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _document(scenario: Scenario) -> dict:
    """The scenario as a fresh, mutable document (the validated data, dates as text).

    Dumped from the validated model rather than re-parsed from the text: the
    pure-Python YAML parser takes seconds on a county-level scenario.
    """
    return scenario.data.model_dump(mode="json", by_alias=True, exclude_none=True)


def _validated(doc: dict, scenario: Scenario, what: str) -> Scenario:
    """Validate ``doc`` through the normal path, so the result is a Scenario like any other; its text is ``doc``."""
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=110, allow_unicode=True)
    shown = f"{scenario.path} ({what})"
    return validate_document(doc, {}, text, shown, dict(scenario.changed_by), scenario.name)


def _references(source) -> list[dict]:
    """A document's source as a list of reference mappings (an assumption's text becomes one)."""
    if isinstance(source, list):
        return list(source)
    if isinstance(source, dict):
        return [source]
    return [{"title": str(source), "kind": "assumption"}]


def _note(entry: dict, text: str) -> None:
    entry["notes"] = f"{entry['notes']}; {text}" if entry.get("notes") else text


def scale_population(scenario: Scenario, factor: float) -> Scenario:
    """``scenario`` with ``factor`` times the population and the capacities serving it (module docstring)."""
    if not (factor > 0 and np.isfinite(factor)):
        raise ValueError(f"factor must be a positive number (got {factor})")
    doc = _document(scenario)
    note = f"x{factor:g} by immsim.scenario.scale.scale_population (cost scaling)"
    for j in doc["jurisdictions"]:
        j["removable_population"] = round(j["removable_population"] * factor)
    for key in SCALED_INITIAL:
        entry = doc["initial"].get(key)
        if entry is not None:
            entry["value"] = round(entry["value"] * factor)
            _note(entry, note)
    for name in SCALED_PARAMETERS:
        entry = scaled_entry(doc["parameters"][name], factor)
        if entry.get("range"):
            entry["range"] = [x * factor for x in entry["range"]]
            if isinstance(entry.get("prior"), dict) and entry["prior"].get("mode") is not None:
                entry["prior"] = {**entry["prior"], "mode": entry["prior"]["mode"] * factor}  # the prior scales too
        _note(entry, note)
        doc["parameters"][name] = entry
    doc["name"] = f"{doc['name']}-x{factor:g}"
    doc["title"] = f"{doc['title']}, population x{factor:g}"
    doc["description"] = f"{doc['description']} Population, initial stocks, inflows and capacities x{factor:g}."
    return _validated(doc, scenario, f"population x{factor:g}")


def county_counts() -> dict[str, int]:
    """Counties and county equivalents per state and DC (U.S. Census Bureau; 3,143 in all)."""
    text = (resources.files("immsim.scenario") / "data" / "county-counts.csv").read_text()
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    return {state: int(n) for state, n in rows[1:]}


def zipf_shares(n: int, exponent: float = 1.0) -> np.ndarray:
    """Shares proportional to 1 / rank ** exponent: a few large counties and many small ones.

    A synthetic assumption: real county populations are similarly skewed, and
    the skew matters for cost (many small jurisdictions), not for the totals.
    """
    w = 1.0 / np.arange(1, n + 1) ** exponent
    return w / w.sum()


def apportion(total: int, shares: np.ndarray, unit: int = 1) -> np.ndarray:
    """Multiples of ``unit`` in proportion to ``shares`` adding up to ``total`` exactly (largest remainder).

    What ``total`` has beyond a multiple of ``unit`` goes to the first (largest) share.
    """
    exact = (total // unit) * np.asarray(shares, float)
    out = np.floor(exact).astype(np.int64)
    short = int(total // unit - out.sum())
    if short > 0:
        out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    out *= unit
    out[0] += total % unit
    return out


def whole_class_unit(class_share: float | Mapping[str, float]) -> int:
    """The smallest of 1, 10, ..., 1000 people that every class share splits into whole people (else 1).

    County populations that are multiples of this unit need no rounding by
    class, so the split keeps every class total of a state whose population is
    itself a multiple exactly, not only nationally (``compile.whole_people``).
    """
    shares = list(class_share.values()) if isinstance(class_share, Mapping) else [class_share]
    for unit in (1, 10, 100, 1000):
        if all(abs(x * unit - round(x * unit)) < 1e-9 for x in shares):
            return unit
    return 1


def _split_value(value: float | dict, extensive: bool, parts: Mapping[str, list[tuple[str, float]]]):
    """A jurisdiction-level value for the new jurisdictions: counties get a share or a copy."""
    if not isinstance(value, dict) and not extensive:
        return value
    table = value if isinstance(value, dict) else {"default": value}
    default = float(table.get("default", 0.0))
    out = {code: v for code, v in table.items() if code != "default" and code not in parts}
    for code, counties in parts.items():
        v = float(table.get(code, default))
        for county, share in counties:
            x = v * share if extensive else v
            if x != default:
                out[county] = x
    out["default"] = default
    return out


def _split_parameter(entry: dict, extensive: bool, parts: Mapping[str, list[tuple[str, float]]]) -> dict:
    entry = copy.deepcopy(entry)
    if entry.get("series"):
        entry["series"] = [{**s, "value": _split_value(s["value"], extensive, parts)} for s in entry["series"]]
    else:
        entry["value"] = _split_value(entry["value"], extensive, parts)
    return entry


def rest_counts(scenario: Scenario, counts: Mapping[str, int] | None = None) -> dict[str, int]:
    """Counties each state-level jurisdiction is split into: the state's counties less its listed local ones.

    A scenario on local jurisdictions (``us-2017``) already lists some counties
    and cities of a state; its rest-of-state jurisdiction (code = state code)
    stands for the other counties (at least one).
    """
    counts = county_counts() if counts is None else dict(counts)
    listed: dict[str, int] = {}
    for j in scenario.data.jurisdictions:
        if j.code != j.state:
            listed[j.state] = listed.get(j.state, 0) + 1
    return {state: max(1, int(n) - listed.get(state, 0)) for state, n in counts.items()}


def split_counties(scenario: Scenario, counts: Mapping[str, int] | None = None, exponent: float = 1.0) -> Scenario:
    """``scenario`` with each state-level jurisdiction split into its counties.

    A jurisdiction whose code equals its state code is replaced by
    ``counts[state]`` counties (default: ``county_counts()``, 3,143 for the 50
    states and DC) less the state's listed local jurisdictions
    (``rest_counts``), in the same field office, with the same policy. The state's
    removable population is shared out by ``zipf_shares`` (synthetic), in
    multiples of ``whole_class_unit`` people adding up to the state's. Jurisdiction-level parameters
    (``SPLIT_BY_POPULATION``) give each county its population share of a count
    or of a national share, or a copy of a per-booking share. Policy events
    scoped to a split jurisdiction's code are repeated for each of its
    counties, in place; state-scoped events and federal-pressure targets reach
    the counties through their ``state`` field. Office-level and national
    parameters, regimes, cohorts and initial stocks are unchanged, so national
    totals stay the same in expectation.
    """
    doc = _document(scenario)
    rest = rest_counts(scenario, counts)
    unit = whole_class_unit(doc["initial"]["class_share"]["value"])
    parts: dict[str, list[tuple[str, float]]] = {}
    jurisdictions = []
    for j in doc["jurisdictions"]:
        n = rest.get(j["state"], 1)
        if j["code"] != j["state"] or n <= 1:
            jurisdictions.append(j)
            continue
        people = apportion(int(j["removable_population"]), zipf_shares(n, exponent), unit)
        shares = people / people.sum() if people.sum() > 0 else zipf_shares(n, exponent)
        codes = [f"{j['code']}-{i:03d}" for i in range(1, n + 1)]
        parts[j["code"]] = list(zip(codes, shares.tolist(), strict=True))
        title = (
            f"synthetic county {{i}} of {n} of {j['code']}: Zipf shares of the state's population "
            "(cost scaling only; county count: U.S. Census Bureau)"
        )
        state_refs = _references(j["source"])
        for i, (code, k) in enumerate(zip(codes, people.tolist(), strict=True), 1):
            county = {**j, "code": code, "name": f"{j['name']} county {i}", "removable_population": k}
            own = {"title": title.format(i=i), "kind": "assumption"}
            jurisdictions.append(county | {"source": [own, *state_refs]})
    doc["jurisdictions"] = jurisdictions
    for name, extensive in SPLIT_BY_POPULATION.items():
        if name not in doc["parameters"]:
            continue  # left at its default, the same in every county
        doc["parameters"][name] = _split_parameter(doc["parameters"][name], extensive, parts)
    events = []
    for e in doc.get("events", []):
        if e["type"] == "policy" and e.get("scope") == "jurisdiction" and e["target"] in parts:
            events += [{**e, "target": county} for county, _ in parts[e["target"]]]
        else:
            events.append(e)
    doc["events"] = events
    n_jur = len(jurisdictions)
    doc["name"] = f"{doc['name']}-counties"
    doc["title"] = f"{doc['title']}, split into {n_jur:,} jurisdictions"
    doc["description"] = (
        f"{doc['description']} States split into {n_jur:,} county-level jurisdictions with synthetic (Zipf) "
        "population shares, for measuring cost."
    )
    return _validated(doc, scenario, f"{n_jur} county-level jurisdictions")
