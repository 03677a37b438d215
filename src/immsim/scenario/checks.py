"""What the schema cannot say: parameter names, units, shapes and bounds, and references between sections.

The Pydantic schema (``scenario.schema``) checks the structure of a file; the
checks here need the model's parameter list (``model.parameters``) and the
file as a whole (a policy named by a jurisdiction must exist, class shares
must add up to one, ...). Each returns the location of the first problem and
what it is, for the loader to turn into an error naming the line.
"""

from __future__ import annotations

import math
from typing import Any

from immsim.model.codes import CLASSES, HISTORIES, PATHS, STATUSES
from immsim.model.parameters import SPEC
from immsim.scenario.policies import BUILTIN
from immsim.scenario.schema import Parameter, ScenarioFile


def class_key_kind(table: dict) -> str | None:
    """Which kind of key a class table uses: 'status', 'history' or 'class' (pairs); None if mixed or unknown."""
    keys = set(table) - {"default"}
    for kind, names in (("status", STATUSES), ("history", HISTORIES), ("class", CLASSES)):
        if keys <= set(names):
            return kind
    return None


def class_values(table: dict) -> list[float]:
    """A class table (by status, by history or by pair, with an optional default) as one value per class."""
    default = table.get("default")
    out = []
    for name in CLASSES:
        status, history = name.split("/")
        for key in (name, status, history):
            if key in table:
                out.append(float(table[key]))
                break
        else:
            out.append(float(default if default is not None else 0.0))
    return out


def keys_for(dims: str, data: ScenarioFile) -> list[str] | None:
    if dims == "class":
        return list(CLASSES)
    if dims == "history":
        return list(HISTORIES)
    if dims == "path":
        return list(PATHS)
    if dims == "office":
        return list(dict.fromkeys(j.office for j in data.jurisdictions))
    if dims == "jurisdiction":
        return [j.code for j in data.jurisdictions]
    return None


def value_problem(value: Any, dims: str, lo: float, hi: float, data: ScenarioFile) -> str | None:
    keys = keys_for(dims, data)
    if isinstance(value, dict):
        if dims == "scalar":
            return "this parameter takes a single number, not a table"
        if dims == "class":
            problem = _class_table_problem(value)
            if problem:
                return problem
        else:
            allowed = set(keys or []) | ({"default"} if dims in ("jurisdiction", "office") else set())
            unknown = sorted(set(value) - allowed)
            if unknown:
                return f"unknown {dims} {unknown[0]!r} (expected one of: {', '.join(sorted(allowed))})"
            if dims in ("path", "history") and set(value) != set(keys or []):
                return f"must give every {dims}; missing {sorted(set(keys or []) - set(value))}"
        numbers = list(value.values())
    else:
        numbers = [value]
    for x in numbers:
        if not (lo <= x <= hi) or math.isnan(x):
            bound = f"between {lo:g} and {hi:g}" if math.isfinite(hi) else f"at least {lo:g}"
            return f"{x:g} is out of bounds: must be {bound}"
    return None


def _class_table_problem(value: dict) -> str | None:
    kind = class_key_kind(value)
    if kind is None:
        bad = sorted(k for k in value if k != "default" and k not in (*STATUSES, *HISTORIES, *CLASSES))
        if bad:
            return (
                f"unknown class {bad[0]!r} (give a table by status ({', '.join(STATUSES)}), by criminal history "
                f"({', '.join(HISTORIES)}), or by pair such as 'other/serious')"
            )
        return "a class table gives values by status, by criminal history or by pair: not a mix of them"
    names = {"status": STATUSES, "history": HISTORIES, "class": CLASSES}[kind]
    if "default" not in value and set(value) != set(names):
        return f"must give every {kind} (or a 'default'); missing {sorted(set(names) - set(value))}"
    return None


def _param_problem(name: str, p: Parameter, data: ScenarioFile) -> tuple[tuple, str] | None:
    spec = SPEC[name]
    if p.unit != spec.unit:
        return ("unit",), f"unit is {p.unit!r} but the model uses {spec.unit!r}"
    if p.value is not None:
        msg = value_problem(p.value, spec.dims, spec.lo, spec.hi, data)
        return (("value",), msg) if msg else None
    for i, step in enumerate(p.series or []):
        msg = value_problem(step.value, spec.dims, spec.lo, spec.hi, data)
        if msg:
            return ("series", i, "value"), msg
    return None


def semantic_problem(data: ScenarioFile) -> tuple[tuple, str] | None:
    codes = [j.code for j in data.jurisdictions]
    for i, code in enumerate(codes):
        if codes.index(code) != i:
            return ("jurisdictions", i, "code"), f"jurisdiction {code!r} is listed twice"
    if sum(j.removable_population for j in data.jurisdictions) <= 0:
        return ("jurisdictions",), "the removable population is zero everywhere"
    for name in data.parameters:
        if name not in SPEC:
            return ("parameters", name), "unknown parameter (see docs/model.md for the list)"
    for name, spec in SPEC.items():
        if name not in data.parameters and spec.default is None:
            return ("parameters",), f"missing parameter {name!r}"
    for name, p in data.parameters.items():
        problem = _param_problem(name, p, data)
        if problem:
            return ("parameters", name, *problem[0]), problem[1]
    ini = data.initial
    if ini.regime not in data.regimes:
        return ("initial", "regime"), f"unknown regime {ini.regime!r}"
    checks = {
        "class_share": ("class", 0.0, 1.0),
        "known_at_start": ("class", 0.0, 1.0),
        "court_pending": ("scalar", 0.0, 50_000_000),
        "court_pending_mean_age_days": ("scalar", 0.0, 36_500),
        "detention_population": ("scalar", 0.0, 10_000_000),
        "detention_court_share": ("scalar", 0.0, 1.0),
        "detention_border_share": ("scalar", 0.0, 1.0),
    }
    checks["court_admin_closed"] = ("scalar", 0.0, 50_000_000)
    checks["atd_participants"] = ("scalar", 0.0, 50_000_000)
    checks["detention_history_share"] = ("history", 0.0, 1.0)
    for key, (dims, lo, hi) in checks.items():
        p = getattr(ini, key)
        if p is None:
            continue
        if p.value is None:
            return ("initial", key), "an initial condition takes a 'value', not a 'series'"
        msg = value_problem(p.value, dims, lo, hi, data)
        if msg:
            return ("initial", key, "value"), msg
    if ini.atd_participants is not None and ini.atd_participants.value > ini.court_pending.value:
        return ("initial", "atd_participants", "value"), (
            f"{ini.atd_participants.value:g} people under ATD at start, more than the {ini.court_pending.value:g} "
            "pending cases they are among"
        )
    shares = ini.class_share.value
    if not isinstance(shares, dict) or class_key_kind(shares) != "class" or "default" in shares:
        return ("initial", "class_share", "value"), "give a share for every class (pair such as 'other/serious')"
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        return (
            "initial",
            "class_share",
            "value",
        ), f"class shares must add up to 1 (they add up to {sum(shares.values()):.6f})"
    for name in data.policies:
        if name in BUILTIN:
            return ("policies", name), f"{name!r} is a built-in policy; give the new policy another name"
    known = set(BUILTIN) | set(data.policies)
    for i, j in enumerate(data.jurisdictions):
        if j.policy not in known:
            return ("jurisdictions", i, "policy"), f"unknown policy {j.policy!r} (known: {', '.join(sorted(known))})"
    if sum(c.share for c in data.cohorts.values()) > 1.0:
        return ("cohorts",), "cohort shares add up to more than 1"
    states = {j.state for j in data.jurisdictions}
    for i, ev in enumerate(data.events):
        if ev.type == "regime" and ev.regime not in data.regimes:
            return ("events", i, "regime"), f"unknown regime {ev.regime!r}"
        if ev.type == "injunction" and ev.cohort not in data.cohorts:
            return ("events", i, "cohort"), f"unknown cohort {ev.cohort!r}"
        if ev.type == "policy":
            if ev.policy not in known:
                return ("events", i, "policy"), f"unknown policy {ev.policy!r} (known: {', '.join(sorted(known))})"
            if ev.scope == "state" and ev.target not in states:
                return ("events", i, "target"), f"no jurisdiction is in state {ev.target!r}"
            if ev.scope == "jurisdiction" and ev.target not in codes:
                return ("events", i, "target"), f"unknown jurisdiction {ev.target!r}"
        if ev.type == "federal_pressure" and ev.targets != "all":
            for t in ev.targets:
                if t not in states and t not in codes:
                    return ("events", i, "targets"), f"unknown state or jurisdiction {t!r}"
    return None
