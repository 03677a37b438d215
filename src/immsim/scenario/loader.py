"""Read a scenario file, validate it, and say precisely what is wrong if it is not.

Errors name the file, the line and the field (``parameters.booking_rate.value``),
and the problem. Structure is checked by the Pydantic schema; meaning (parameter
names and shapes, bounds, references between sections) is checked here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from immsim.errors import ScenarioError
from immsim.model.codes import CLASSES, PATHS
from immsim.model.parameters import SPEC
from immsim.scenario.schema import Parameter, ScenarioFile

MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the parsed file and where it came from."""

    data: ScenarioFile
    path: str
    text: str = field(repr=False)
    changed_by: dict[str, str] = field(default_factory=dict)  # field -> the reform change that set it
    base: str | None = None  # the scenario a reform changes

    @property
    def name(self) -> str:
        return self.data.name

    @property
    def offices(self) -> list[str]:
        seen: dict[str, None] = {}
        for j in self.data.jurisdictions:
            seen.setdefault(j.office, None)
        return list(seen)


def builtin_names() -> list[str]:
    folder = resources.files("immsim.scenario") / "data"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def resolve(name_or_path: str | Path) -> Path:
    """A built-in scenario name (``us-2017``) or a path to a file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    if str(name_or_path) in builtin_names():
        return Path(str(resources.files("immsim.scenario") / "data" / f"{name_or_path}.yaml"))
    known = ", ".join(builtin_names())
    raise ScenarioError(str(name_or_path), "", f"no such file or built-in scenario (built-in: {known})")


def _line_map(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map each field path (keys and list indices) to its 1-based line in the file."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[path + (key,)] = k.start_mark.line + 1
            _line_map(v, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_map(v, path + (i,), out)
    return out


def _line(lines: dict[tuple, int], loc: tuple) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def _dotted(loc: tuple) -> str:
    return ".".join(str(x) for x in loc)


def _clean_loc(loc: tuple, doc: Any) -> tuple:
    """The part of a Pydantic error location that names fields of the document.

    Pydantic inserts the union member it tried ("float", "policy", ...) into
    locations; keep only the steps that exist in the document itself.
    """
    out: list = []
    node = doc
    for step in loc:
        in_dict = isinstance(node, dict) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if in_dict or in_list:
            out.append(step)
            node = node[step]
        elif isinstance(node, dict | list):
            continue  # a union tag, not a field
        else:
            break
    if len(out) < len(loc) and isinstance(node, dict) and isinstance(loc[-1], str) and loc[-1] not in node:
        out.append(loc[-1])  # a missing field: name it
    return tuple(out)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # LibYAML's parser when installed: ~5x faster
    """Safe YAML without implicit dates: dates stay text for the schema to check."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_scenario(name_or_path: str | Path, _seen: tuple[str, ...] = ()) -> Scenario:
    """Load and validate a scenario; raises ``ScenarioError`` naming file, line and field."""
    path = resolve(name_or_path)
    shown = str(name_or_path)
    key = str(path.resolve())
    if key in _seen:
        chain = " -> ".join([*_seen, key])
        raise ScenarioError(shown, "base", f"scenarios name each other as base in a cycle: {chain}")
    _seen = (*_seen, key)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ScenarioError(shown, "", f"cannot read the file ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(shown, "", f"file is larger than the {MAX_BYTES // 1_000_000} MB limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(shown, "", f"not UTF-8 text (byte {e.start})") from None
    return parse_scenario(text, shown, _seen)


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """One parse gives both the node tree (for line numbers) and the document (safe constructors only)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def read_yaml(text: str, shown: str) -> tuple[dict, dict[tuple, int]]:
    """Parse YAML text safely into a mapping and a map of field paths to line numbers."""
    try:
        node, doc = _compose_and_construct(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(e, "problem", None) or str(e)
        raise ScenarioError(shown, "", f"not valid YAML: {problem}", line) from None
    except RecursionError:
        raise ScenarioError(shown, "", "YAML nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as e:
        raise ScenarioError(shown, "", f"not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise ScenarioError(shown, "", "the file must hold a mapping of fields (name, jurisdictions, ...)", 1)
    return doc, (_line_map(node) if node is not None else {})


def validation_error(e: ValidationError, doc: dict, lines: dict, shown: str) -> ScenarioError:
    """The first problem Pydantic found, as a ScenarioError naming the file, line and field."""
    err = e.errors()[0]
    loc = _clean_loc(err["loc"], doc)
    more = f" (and {e.error_count() - 1} more problems)" if e.error_count() > 1 else ""
    msg = err["msg"].removeprefix("Value error, ")
    return ScenarioError(shown, _dotted(loc), msg + more, _line(lines, loc))


def parse_scenario(text: str, shown: str = "<scenario>", _seen: tuple[str, ...] = ()) -> Scenario:
    """Validate scenario ``text`` (YAML); ``shown`` names it in error messages.

    A file with a ``base`` field is a reform: a list of changes to another
    scenario (see ``immsim.scenario.reform``).
    """
    doc, lines = read_yaml(text, shown)
    if "base" in doc:
        from immsim.scenario.reform import resolve_reform

        return resolve_reform(doc, lines, text, shown, _seen)
    return validate_document(doc, lines, text, shown)


def validate_document(
    doc: dict, lines: dict, text: str, shown: str, changed_by: dict | None = None, base: str | None = None
) -> Scenario:
    try:
        data = ScenarioFile.model_validate(doc)
    except ValidationError as e:
        raise validation_error(e, doc, lines, shown) from None
    problem = _semantic_problem(data)
    if problem:
        loc, msg = problem
        raise ScenarioError(shown, _dotted(loc), msg, _line(lines, loc))
    return Scenario(data, shown, text, changed_by or {}, base)


def _keys_for(dims: str, data: ScenarioFile) -> list[str] | None:
    if dims == "class":
        return list(CLASSES)
    if dims == "path":
        return list(PATHS)
    if dims == "office":
        return list(dict.fromkeys(j.office for j in data.jurisdictions))
    if dims == "jurisdiction":
        return [j.code for j in data.jurisdictions]
    return None


def _value_problem(value: Any, dims: str, lo: float, hi: float, data: ScenarioFile) -> str | None:
    keys = _keys_for(dims, data)
    if isinstance(value, dict):
        if dims == "scalar":
            return "this parameter takes a single number, not a table"
        allowed = set(keys or []) | ({"default"} if dims in ("jurisdiction", "office") else set())
        unknown = sorted(set(value) - allowed)
        if unknown:
            return f"unknown {dims} {unknown[0]!r} (expected one of: {', '.join(sorted(allowed))})"
        if dims in ("class", "path") and set(value) != set(keys or []):
            return f"must give every {dims}; missing {sorted(set(keys or []) - set(value))}"
        numbers = list(value.values())
    else:
        numbers = [value]
    for x in numbers:
        if not (lo <= x <= hi) or math.isnan(x):
            bound = f"between {lo:g} and {hi:g}" if math.isfinite(hi) else f"at least {lo:g}"
            return f"{x:g} is out of bounds: must be {bound}"
    return None


def _param_problem(name: str, p: Parameter, data: ScenarioFile) -> tuple[tuple, str] | None:
    spec = SPEC[name]
    if p.unit != spec.unit:
        return ("unit",), f"unit is {p.unit!r} but the model uses {spec.unit!r}"
    if p.value is not None:
        msg = _value_problem(p.value, spec.dims, spec.lo, spec.hi, data)
        return (("value",), msg) if msg else None
    for i, step in enumerate(p.series or []):
        msg = _value_problem(step.value, spec.dims, spec.lo, spec.hi, data)
        if msg:
            return ("series", i, "value"), msg
    return None


def _semantic_problem(data: ScenarioFile) -> tuple[tuple, str] | None:
    codes = [j.code for j in data.jurisdictions]
    for i, code in enumerate(codes):
        if codes.index(code) != i:
            return ("jurisdictions", i, "code"), f"jurisdiction {code!r} is listed twice"
    if sum(j.removable_population for j in data.jurisdictions) <= 0:
        return ("jurisdictions",), "the removable population is zero everywhere"
    for name in data.parameters:
        if name not in SPEC:
            return ("parameters", name), "unknown parameter (see docs/model.md for the list)"
    for name in SPEC:
        if name not in data.parameters:
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
    for key, (dims, lo, hi) in checks.items():
        p = getattr(ini, key)
        if p is None:
            continue
        if p.value is None:
            return ("initial", key), "an initial condition takes a 'value', not a 'series'"
        msg = _value_problem(p.value, dims, lo, hi, data)
        if msg:
            return ("initial", key, "value"), msg
    shares = ini.class_share.value
    if isinstance(shares, dict) and abs(sum(shares.values()) - 1.0) > 1e-6:
        return (
            "initial",
            "class_share",
            "value",
        ), f"class shares must add up to 1 (they add up to {sum(shares.values()):.6f})"
    if sum(c.share for c in data.cohorts.values()) > 1.0:
        return ("cohorts",), "cohort shares add up to more than 1"
    states = {j.state for j in data.jurisdictions}
    for i, ev in enumerate(data.events):
        if ev.type == "regime" and ev.regime not in data.regimes:
            return ("events", i, "regime"), f"unknown regime {ev.regime!r}"
        if ev.type == "injunction" and ev.cohort not in data.cohorts:
            return ("events", i, "cohort"), f"unknown cohort {ev.cohort!r}"
        if ev.type == "policy":
            if ev.scope == "state" and ev.target not in states:
                return ("events", i, "target"), f"no jurisdiction is in state {ev.target!r}"
            if ev.scope == "jurisdiction" and ev.target not in codes:
                return ("events", i, "target"), f"unknown jurisdiction {ev.target!r}"
        if ev.type == "federal_pressure" and ev.targets != "all":
            for t in ev.targets:
                if t not in states and t not in codes:
                    return ("events", i, "targets"), f"unknown state or jurisdiction {t!r}"
    return None
