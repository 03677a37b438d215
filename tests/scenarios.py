"""Small synthetic scenarios for the tests, built as plain dicts.

``base()`` returns a minimal valid scenario: three jurisdictions in two states
(AA: A1 and A2; BB: B1) and two field offices (O1: A1; O2: A2 and B1), small
removable populations, two regimes (``broad``: every class eligible;
``narrow``: only the criminal classes), one cohort and a value for every
parameter the model reads (``immsim.model.parameters.SPECS``).

``make(*patches)`` applies patches to a fresh copy of ``base()``, dumps it as
YAML and validates it with ``parse_scenario``. A patch is a callable that edits
the dict in place (or returns a new one), or a dict merged recursively into
the scenario. Helpers build the usual patches::

    make(param("jail_officers", 0), policy("B1", "no_contact"),
         event(type="injunction", date="2017-01-01", cohort="c1"))
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import yaml

from immsim.model.codes import HISTORIES, STATUSES
from immsim.model.parameters import SPEC, SPECS
from immsim.scenario.loader import Scenario, parse_scenario

START = dt.date(2017, 1, 1)
JURISDICTIONS = ("A1", "A2", "B1")
STATE_OF = {"A1": "AA", "A2": "AA", "B1": "BB"}
OFFICE_OF = {"A1": "O1", "A2": "O2", "B1": "O2"}
POPULATION = {"A1": 60_000, "A2": 40_000, "B1": 50_000}

#: One sensible value per model parameter (scalars apply to every class, path,
#: office or jurisdiction; office-level scalars are national totals).
VALUES: dict[str, Any] = {
    "community_departure_rate": 0.05,
    "new_entrants_per_year": 3000.0,
    "recent_entrant_aging_rate": 0.33,
    "conviction_rate": 0.0,
    "serious_share_of_convictions": 0.5,
    "lead_rate": {"none": 0.002, "pending": 0.02, "lesser": 0.02, "serious": 0.05},
    "at_large_departure_rate": 0.03,
    "booking_rate": {"none": 0.012, "pending": 0.12, "lesser": 0.12, "serious": 0.25},
    "booking_rate_factor": 1.0,
    "no_record_booking_factor": 1.0,
    "jail_stay_days": 10.0,
    "identification_probability": 0.9,
    "detainer_issue_probability": 0.6,
    "hold_window_days": 2.0,
    "pickups_per_officer_day": 10.0,
    "jail_officers": 2.0,
    "notify_pickup_probability": 0.6,
    "decline_pickup_probability": 0.15,
    "share_287g_jails": 0.0,
    "judicial_warrant_probability": 0.0,
    "jail_reallocation_share": 0.0,
    "at_large_reallocation_share": 0.0,
    "reallocation_days": 90.0,
    "at_large_officers": 10.0,
    "team_size": 5.0,
    "attempts_per_team_day": 1.0,
    "conviction_targeting_factor": 1.0,
    "found_probability": 0.6,
    "refused_probability": 0.15,
    "collateral_per_arrest": 0.2,
    "use_of_force_probability_at_large": 0.02,
    "use_of_force_probability_custodial": 0.002,
    "assault_probability_at_large": 0.001,
    "assault_probability_custodial": 0.0001,
    "worksite_operations_per_year": 20.0,
    "worksite_arrests_per_operation": 1.0,
    "worksite_employer_cases_per_operation": 0.1,
    "task_force_officers": 0.0,
    "task_force_arrests_per_officer_day": 0.05,
    "detention_beds": 500.0,
    "expedited_removal_probability": {"recent_entrant": 0.35, "default": 0.0},
    "reinstatement_probability": {"prior_removal": 0.9, "default": 0.0},
    "accept_removal_probability": 0.4,
    "detain_contested_probability": 0.6,
    "removal_processing_days": 20.0,
    "released_removal_days": 90.0,
    "abscond_probability": 0.3,
    "border_book_ins_per_year": 1000.0,
    "border_expedited_probability": 0.75,
    "border_share": {"A1": 1.0, "default": 0.0},
    "immigration_judges": 5.0,
    "completions_per_judge_year": 500.0,
    "external_court_receipts_per_year": 1500.0,
    "external_detained_share": 0.05,
    "detained_case_preparation_days": 30.0,
    "no_show_probability": 0.35,
    "represented_share_detained": 0.0,
    "represented_share_released": 0.0,
    "represented_share_never_detained": 0.0,
    "represented_no_show_factor": 1.0,
    "released_no_show_factor": 1.0,
    "supervised_share_released": 0.0,
    "supervised_share_external": 0.0,
    "supervised_no_show_factor": 1.0,
    "bond_hearing_probability": 0.0,
    "bond_hearing_days": 30.0,
    "bond_grant_probability": 0.0,
    "bond_posted_probability": 1.0,
    "atd_slots": 1e9,  # no limit in effect (a file cannot write the default, inf)
    "atd_end_rate": 0.0,
    "removal_order_probability_detained": 0.8,
    "removal_order_probability_nondetained": 0.35,
    "order_compliance_probability": 0.3,
    "admin_closure_probability": 0.0,
    "recalendar_rate": 0.0,
    "asylum_share_detained": 0.0,
    "asylum_share_released": 0.0,
    "asylum_share_never_detained": 0.0,
    "master_hearing_time": 0.0,
    "asylum_merits_hearing_time": 1.0,
    "relief_application_share_detained_represented": 1.0,
    "relief_application_share_detained_unrepresented": 1.0,
    "relief_application_share_represented": 1.0,
    "relief_application_share_unrepresented": 1.0,
    "no_relief_hearing_time": 1.0,
    "continuance_probability_preparation": 0.0,
    "continuance_probability_representation": 0.0,
    "continuance_probability_judge": 0.0,
}
assert set(VALUES) == set(SPEC), "every model parameter needs a value here"


#: The removable population at start: status and criminal history independent.
STATUS_SHARE = {"recent_entrant": 0.1, "prior_removal": 0.1, "final_order": 0.05, "other": 0.75}
HISTORY_SHARE = {"none": 0.85, "pending": 0.0, "lesser": 0.1, "serious": 0.05}
CLASS_SHARE = {f"{s}/{h}": STATUS_SHARE[s] * HISTORY_SHARE[h] for s in STATUSES for h in HISTORIES}
KNOWN_STATUS = {"recent_entrant": 0.05, "prior_removal": 0.1, "final_order": 0.5, "other": 0.0}
KNOWN_HISTORY = {"none": 0.0, "pending": 0.05, "lesser": 0.05, "serious": 0.2}
KNOWN = {f"{s}/{h}": max(KNOWN_STATUS[s], KNOWN_HISTORY[h]) for s in STATUSES for h in HISTORIES}


def selection(status: float | dict[str, float], history: float | dict[str, float]) -> dict:
    """A regime table: by status and by criminal history (a number applies to each)."""

    def table(x: float | dict[str, float], names: tuple[str, ...]) -> dict[str, float]:
        return dict(x) if isinstance(x, dict) else dict.fromkeys(names, float(x))

    return {"status": table(status, STATUSES), "history": table(history, HISTORIES)}


def _initial(value: Any, unit: str) -> dict:
    return {"value": value, "unit": unit, "meaning": "test value", "source": "test"}


def base() -> dict:
    """A fresh, valid scenario dict (see the module docstring)."""
    return {
        "name": "synthetic",
        "title": "Synthetic test scenario",
        "description": "Three jurisdictions, two states, two offices.",
        "start": START.isoformat(),
        "jurisdictions": [
            {
                "code": code,
                "name": f"Jurisdiction {code}",
                "state": STATE_OF[code],
                "office": OFFICE_OF[code],
                "removable_population": POPULATION[code],
                "policy": "honor",
                "source": "test",
            }
            for code in JURISDICTIONS
        ],
        "regimes": {
            "broad": {
                "meaning": "every class eligible",
                "source": "test",
                "eligible": selection(1.0, 1.0),
                "weight": selection(1.0, 1.0),
            },
            "narrow": {
                "meaning": "people with convictions only",
                "source": "test",
                "eligible": selection(0.0, {"none": 0.0, "pending": 0.0, "lesser": 0.5, "serious": 1.0}),
                "weight": selection(1.0, 1.0),
            },
        },
        "cohorts": {"c1": {"share": 0.1, "meaning": "a cohort injunctions can cover", "source": "test"}},
        "initial": {
            "regime": "broad",
            "class_share": _initial(dict(CLASS_SHARE), "share"),
            "known_at_start": _initial(dict(KNOWN), "share"),
            "court_pending": _initial(2000, "cases"),
            "court_pending_mean_age_days": _initial(300, "days"),
            "detention_population": _initial(200, "people"),
            "detention_court_share": _initial(0.5, "share"),
            "detention_border_share": _initial(0.5, "share"),
        },
        "parameters": {
            s.name: {"value": copy.deepcopy(VALUES[s.name]), "unit": s.unit, "meaning": s.meaning, "source": "test"}
            for s in SPECS
        },
        "events": [],
    }


Patch = Callable[[dict], "dict | None"] | dict


def merge(target: dict, patch: dict) -> dict:
    """Merge ``patch`` into ``target`` recursively (dicts merge, anything else replaces)."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def apply(doc: dict, patches: Iterable[Patch]) -> dict:
    for patch in patches:
        if callable(patch):
            out = patch(doc)
            doc = doc if out is None else out
        else:
            merge(doc, patch)
    return doc


#: LibYAML's emitter when PyYAML has it (as the package's own ``yamldoc`` uses): several times faster on a
#: document the size of us-2017, which the fuzzers dump hundreds of times.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(doc: dict) -> str:
    return yaml.dump(doc, Dumper=_DUMPER, sort_keys=False, width=1000)


def make(*patches: Patch, name: str = "<synthetic>") -> Scenario:
    """A validated ``Scenario`` from ``base()`` with ``patches`` applied in order."""
    return parse_scenario(dump(apply(base(), patches)), name)


# --- patches ---------------------------------------------------------------------------------------------------


def param(name: str, value: Any) -> Callable[[dict], None]:
    """Set parameter ``name`` to ``value`` (a number or a table), dropping any dated series."""
    if name not in SPEC:
        raise KeyError(name)

    def patch(doc: dict) -> None:
        p = doc["parameters"][name]
        p.pop("series", None)
        p["value"] = copy.deepcopy(value)

    return patch


def params(**values: Any) -> Callable[[dict], None]:
    """Set several parameters at once: ``params(jail_officers=0, found_probability=1)``."""
    patches = [param(k, v) for k, v in values.items()]

    def patch(doc: dict) -> None:
        for p in patches:
            p(doc)

    return patch


def series(name: str, steps: list[tuple[str | dt.date, Any]]) -> Callable[[dict], None]:
    """Give parameter ``name`` a dated series [(from, value), ...]."""

    def patch(doc: dict) -> None:
        p = doc["parameters"][name]
        p.pop("value", None)
        p["series"] = [{"from": str(d), "value": v} for d, v in steps]

    return patch


def policy(code: str, name: str) -> Callable[[dict], None]:
    """Set the starting cooperation policy of jurisdiction ``code``."""

    def patch(doc: dict) -> None:
        for j in doc["jurisdictions"]:
            if j["code"] == code:
                j["policy"] = name
                return
        raise KeyError(code)

    return patch


def policies(**by_code: str) -> Callable[[dict], None]:
    patches = [policy(k, v) for k, v in by_code.items()]

    def patch(doc: dict) -> None:
        for p in patches:
            p(doc)

    return patch


def population(**by_code: int) -> Callable[[dict], None]:
    def patch(doc: dict) -> None:
        for j in doc["jurisdictions"]:
            if j["code"] in by_code:
                j["removable_population"] = by_code[j["code"]]

    return patch


def initial(**values: Any) -> Callable[[dict], None]:
    """Set initial conditions: ``initial(court_pending=0, detention_population=0)``."""

    def patch(doc: dict) -> None:
        for k, v in values.items():
            doc["initial"][k]["value"] = copy.deepcopy(v)

    return patch


def regime(
    name: str, eligible: float | dict, weight: float | dict = 1.0, initial_regime: bool = False
) -> Callable[[dict], None]:
    """Add (or replace) a regime; a number applies to every status and history, a dict is a ``selection``."""

    def table(x: float | dict) -> dict:
        return dict(x) if isinstance(x, dict) else selection(x, x)

    def patch(doc: dict) -> None:
        doc["regimes"][name] = {
            "meaning": "test regime",
            "source": "test",
            "eligible": table(eligible),
            "weight": table(weight),
        }
        if initial_regime:
            doc["initial"]["regime"] = name

    return patch


def cohort(name: str, share: float) -> Callable[[dict], None]:
    def patch(doc: dict) -> None:
        doc["cohorts"][name] = {"share": share, "meaning": "test cohort", "source": "test"}

    return patch


def event(**fields: Any) -> Callable[[dict], None]:
    """Append an event; ``meaning``/``source`` are filled in, dates may be ``date`` objects."""

    def patch(doc: dict) -> None:
        ev = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()}
        ev.setdefault("meaning", "test event")
        ev.setdefault("source", "test")
        if ev["type"] == "federal_pressure":
            ev.setdefault("hypothetical", True)
        doc["events"].append(ev)

    return patch


def quiet() -> Callable[[dict], None]:
    """Switch off every source of people and every operation (a blank slate to switch mechanisms on)."""
    return params(
        new_entrants_per_year=0.0,
        lead_rate=0.0,
        booking_rate=0.0,
        at_large_officers=0.0,
        worksite_operations_per_year=0.0,
        task_force_officers=0.0,
        border_book_ins_per_year=0.0,
        external_court_receipts_per_year=0.0,
    )
