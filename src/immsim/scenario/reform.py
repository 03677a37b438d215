"""Reforms: a scenario written as a small list of changes to a base scenario.

A reform file names its ``base`` (a built-in name, or a path relative to the
reform file) and lists ``changes``, applied in order::

    name: ma-without-lunn
    title: Massachusetts without the July 2017 ruling
    base: us-2017
    changes:
      - remove_event: {type: policy, target: MA, date: 2017-07-24}
      - parameter: immigration_judges
        value: 500
        source: "reform: 500 judges"
      - parameter: share_287g_jails        # a jurisdiction-level parameter, for some places only
        where: {states: [TX, FL]}
        value: 0.5
      - policy: honor                      # a cooperation policy from a date
        where: {states: [CA]}              # or {jurisdictions: [...]}, or {all: true}
        from: 2018-01-01
      - add_event: {type: regime, date: 2017-01-25, regime: pep2014, meaning: ..., source: ...}
      - initial: court_pending             # an initial condition
        value: 500000
      - define_policy: honor_violent       # a new policy, usable by name in later changes
        detainer: {none: decline, pending: decline, lesser: decline, serious: hold}
        meaning: holds only people with serious or violent convictions

Changes are checked against the reform file (file, line and field in every
error); the resolved scenario is then validated like any scenario, and it
remembers which change set each parameter and event (``Scenario.changed_by``).
"""

from __future__ import annotations

import copy
import reprlib
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, TypeAdapter

from immsim._strict import Strict
from immsim.model.codes import ACTIONS
from immsim.model.parameters import SPEC
from immsim.scenario.checks import value_problem
from immsim.scenario.schema import Date, Dated, Number
from immsim.scenario.sources import Source, is_assumption, source_document

#: Initial conditions a change may set: the numbers, not the regime (a name) or the structure.
INITIAL_VALUES = (
    "class_share",
    "known_at_start",
    "court_pending",
    "court_pending_mean_age_days",
    "court_admin_closed",
    "atd_participants",
    "detention_population",
    "detention_court_share",
    "detention_border_share",
    "detention_history_share",
)
#: Initial stocks a base may leave out (zero then), which a change may still set: what the new entry says.
_OPTIONAL_INITIAL = {
    "court_admin_closed": {"unit": "cases", "meaning": "administratively closed cases at start"},
    "atd_participants": {"unit": "people", "meaning": "released respondents under ATD at start, of the pending cases"},
}


class Where(Strict):
    """Where a change applies: every jurisdiction, some states, or some jurisdictions."""

    all: bool = False
    states: list[str] | None = None
    jurisdictions: list[str] | None = None


class SetParameter(Strict):
    parameter: str
    value: Number | dict[str, Number] | None = None
    series: list[Dated] | None = None
    scale: Annotated[float, Field(gt=0, le=1e6)] | None = None  # multiply the base's values
    where: Where | None = None
    source: Source | None = None
    meaning: str | None = None


class SetPolicy(Strict):
    policy: str = Field(min_length=1, max_length=80)  # built-in or defined by the scenario (checked when resolved)
    where: Where
    start: Date = Field(alias="from")
    mode: Literal["set", "at_least", "at_most"] = "set"
    source: Source | None = None


class DefinePolicy(Strict):
    """A new cooperation policy, by its action per criminal history (see ``immsim.scenario.policies``)."""

    define_policy: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    detainer: Literal[ACTIONS] | dict[str, Literal[ACTIONS]]  # type: ignore[valid-type]
    judicial_warrant: bool = False
    meaning: str = Field(min_length=1)
    source: Source | None = None


class SetInitial(Strict):
    """A new value for one of the initial conditions (``initial.court_pending``, ...)."""

    initial: Literal[INITIAL_VALUES]  # type: ignore[valid-type]
    value: Number | dict[str, Number]
    source: Source | None = None


class AddEvent(Strict):
    add_event: dict[str, Any]


class RemoveEvent(Strict):
    remove_event: dict[str, Any]


#: What each kind of change is recognised by: the key that names it.
_KINDS = {
    "parameter": "SetParameter",
    "policy": "SetPolicy",
    "define_policy": "DefinePolicy",
    "initial": "SetInitial",
    "add_event": "AddEvent",
    "remove_event": "RemoveEvent",
}


def _kind(change: Any) -> str | None:
    """The kind of a change, by its naming key, so that an error speaks of that kind's fields only."""
    if isinstance(change, BaseModel):
        return type(change).__name__
    keys = [k for k in _KINDS if isinstance(change, dict) and k in change]
    return _KINDS[keys[0]] if len(keys) == 1 else None


Change = Annotated[
    Annotated[SetParameter, Tag("SetParameter")]
    | Annotated[SetPolicy, Tag("SetPolicy")]
    | Annotated[DefinePolicy, Tag("DefinePolicy")]
    | Annotated[SetInitial, Tag("SetInitial")]
    | Annotated[AddEvent, Tag("AddEvent")]
    | Annotated[RemoveEvent, Tag("RemoveEvent")],
    Discriminator(
        _kind,
        custom_error_type="change_kind",
        custom_error_message="a change names exactly one of: " + ", ".join(_KINDS),
    ),
]


class ReformFile(Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str
    description: str = ""
    question: str = ""
    base: str = Field(min_length=1)
    start: Date | None = None
    changes: list[Change] = Field(min_length=1)


def _targets(where: Where, doc: dict) -> list[str]:
    jurs = doc["jurisdictions"]
    if where.all:
        return [j["code"] for j in jurs]
    out = [j["code"] for j in jurs if where.states and j["state"] in where.states]
    out += [j["code"] for j in jurs if where.jurisdictions and j["code"] in where.jurisdictions]
    return out


def _where_problem(where: Where, doc: dict) -> str | None:
    if not (where.all or where.states or where.jurisdictions):
        return "say where: all: true, states: [...] or jurisdictions: [...]"
    states = {j["state"] for j in doc["jurisdictions"]}
    codes = {j["code"] for j in doc["jurisdictions"]}
    for s in where.states or []:
        if s not in states:
            return f"no jurisdiction of the base is in state {s!r}"
    for c in where.jurisdictions or []:
        if c not in codes:
            return f"the base has no jurisdiction {c!r}"
    return None


def _apply_parameter(ch: SetParameter, doc: dict, label: str) -> str | None:
    if ch.parameter not in SPEC:
        return f"unknown parameter {ch.parameter!r}"
    if sum(x is not None for x in (ch.value, ch.series, ch.scale)) != 1:
        return "give exactly one of 'value', 'series' or 'scale'"
    if ch.series == []:
        return "'series' is empty"
    spec = SPEC[ch.parameter]
    if ch.parameter in doc["parameters"]:
        p = copy.deepcopy(doc["parameters"][ch.parameter])
    else:  # a parameter the base leaves at its neutral default: the change starts from that default
        p = {"value": spec.default, "unit": spec.unit, "meaning": spec.meaning}
    if ch.scale is not None:
        if ch.where is not None:
            return "'scale' applies to every entry; use 'value' with 'where'"
        p = scaled_entry(p, ch.scale)
    elif ch.where is not None:
        if spec.dims != "jurisdiction":
            return f"'where' applies to jurisdiction-level parameters; {ch.parameter} varies by {spec.dims}"
        problem = _where_problem(ch.where, doc)
        if problem:
            return problem
        if ch.series is not None or isinstance(ch.value, dict):
            return "with 'where', give one number as 'value'"
        targets = _targets(ch.where, doc)

        def patched(v: Any) -> dict:
            table = dict(v) if isinstance(v, dict) else {"default": v}
            return table | {code: ch.value for code in targets}

        if p.get("series"):
            p["series"] = [{**step, "value": patched(step["value"])} for step in p["series"]]
        else:
            p["value"] = patched(p["value"])
    elif ch.value is not None:
        p.pop("series", None)
        p["value"] = ch.value
    else:
        p.pop("value", None)
        p["series"] = [{"from": s.start.isoformat(), "value": s.value} for s in ch.series]
    p["source"] = source_document(ch.source) or f"reform {label}"
    if ch.meaning:
        p["meaning"] = ch.meaning
    if not is_assumption(p["source"]):
        p.pop("calibratable", None)
        p.pop("prior", None)  # a prior belongs to an assumption
    doc["parameters"][ch.parameter] = p
    return None


def scaled_entry(p: dict, factor: float) -> dict:
    """A copy of parameter entry ``p`` with every value (table entries, dated steps) times ``factor``."""

    def times(v: Any) -> Any:
        return {k: x * factor for k, x in v.items()} if isinstance(v, dict) else v * factor

    q = copy.deepcopy(p)
    if q.get("series"):
        q["series"] = [{**step, "value": times(step["value"])} for step in q["series"]]
    else:
        q["value"] = times(q["value"])
    return q


def _matches(event: dict, pattern: dict) -> bool:
    return all(str(event.get(k)) == str(v) for k, v in pattern.items())


class ChangeProblem(Exception):
    """Change number ``index`` (from 0) of a list cannot be applied: ``problem`` says why."""

    def __init__(self, index: int, problem: str) -> None:
        super().__init__(problem)
        self.index, self.problem = index, problem


_CHANGES = TypeAdapter(list[Change])


def read_reform(doc: dict) -> ReformFile:
    """A reform file's fields, checked by the schema (raises Pydantic's ``ValidationError``)."""
    return ReformFile.model_validate(doc)


def read_changes(changes: Sequence[dict | BaseModel]) -> list[Change]:
    """Changes written as in a reform file (mappings) or as change models, checked by the schema."""
    return _CHANGES.validate_python([c.model_dump(by_alias=True) if isinstance(c, BaseModel) else c for c in changes])


def apply_changes(doc: dict, changes: Sequence[Change], name: str, title: str, changed_by: dict[str, str]) -> None:
    """Apply ``changes`` in order to scenario document ``doc`` (in place), recording what each set in ``changed_by``.

    ``name`` labels the changes ("NAME change 3") in sources and in ``changed_by``; ``title`` is the meaning of
    the policy events a change adds. Raises ``ChangeProblem`` at the first change that cannot be applied.
    """
    for i, ch in enumerate(changes):
        label = f"{name} change {i + 1}"
        problem = None
        if isinstance(ch, SetParameter):
            problem = _apply_parameter(ch, doc, label)
            if problem is None:
                spec = SPEC[ch.parameter]
                for step in _new_values(doc["parameters"][ch.parameter]):
                    problem = problem or value_problem(step, spec.dims, spec.lo, spec.hi, _as_data(doc))
                changed_by[f"parameters.{ch.parameter}"] = label
        elif isinstance(ch, SetPolicy):
            problem = _where_problem(ch.where, doc)
            if problem is None:
                for code in _targets(ch.where, doc):
                    doc.setdefault("events", []).append(
                        {
                            "type": "policy",
                            "date": ch.start.isoformat(),
                            "scope": "jurisdiction",
                            "target": code,
                            "policy": ch.policy,
                            "mode": ch.mode,
                            "meaning": f"{title} ({label})",
                            "source": source_document(ch.source) or f"reform {label}",
                        }
                    )
                    changed_by[f"policy.{code}"] = label
        elif isinstance(ch, DefinePolicy):
            table = doc.setdefault("policies", {})
            if ch.define_policy in table:
                problem = f"the base already defines a policy {ch.define_policy!r}"
            else:
                table[ch.define_policy] = {
                    "meaning": ch.meaning,
                    "source": source_document(ch.source) or f"reform {label}",
                    "detainer": ch.detainer,
                    "judicial_warrant": ch.judicial_warrant,
                }
                changed_by[f"policies.{ch.define_policy}"] = label
        elif isinstance(ch, SetInitial):
            entry = doc["initial"].get(ch.initial) or _OPTIONAL_INITIAL.get(ch.initial)
            if entry is None:
                problem = f"the base gives no initial {ch.initial!r}"
            else:
                doc["initial"][ch.initial] = {**entry, "value": ch.value}
                doc["initial"][ch.initial]["source"] = source_document(ch.source) or f"reform {label}"
                changed_by[f"initial.{ch.initial}"] = label
        elif isinstance(ch, AddEvent):
            doc.setdefault("events", []).append(dict(ch.add_event))
            changed_by[f"events.{len(doc['events']) - 1}"] = label
        else:
            events = doc.get("events", [])
            keep = [e for e in events if not _matches(e, ch.remove_event)]
            if len(keep) == len(events):
                problem = f"no event of the base matches {reprlib.repr(ch.remove_event)}"  # repr: bounded length
            doc["events"] = keep
            changed_by[f"events removed ({len(events) - len(keep)}): {ch.remove_event}"] = label
        if problem:
            raise ChangeProblem(i, problem)


def _new_values(p: dict) -> list:
    return [step["value"] for step in p["series"]] if p.get("series") else [p["value"]]


def _as_data(doc: dict) -> SimpleNamespace:
    """The attributes ``value_problem`` reads, from a plain document."""
    return SimpleNamespace(jurisdictions=[SimpleNamespace(**j) for j in doc["jurisdictions"]])
