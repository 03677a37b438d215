"""Read a scenario file, validate it, and say precisely what is wrong if it is not.

Errors name the file, the line and the field (``parameters.booking_rate.value``),
and the problem. Structure is checked by the Pydantic schema; meaning (parameter
names and shapes, bounds, references between sections) is checked here.
"""

from __future__ import annotations

import math
import stat
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from immsim.errors import ScenarioError
from immsim.model.codes import CLASSES, HISTORIES, PATHS, STATUSES
from immsim.model.parameters import SPEC
from immsim.scenario.policies import BUILTIN
from immsim.scenario.schema import Parameter, ScenarioFile

MAX_BYTES = 5_000_000
#: Limits on the parsed YAML, checked before it is constructed (``_walk``, ``_alias_problem``):
#: the built-in us-2017 holds about 2,200 values nested 7 deep.
MAX_VALUES = 1_000_000  # once aliases are expanded
MAX_DEPTH = 100
#: Reforms of reforms: each step re-validates a whole scenario, and the chain is followed by recursion.
MAX_BASES = 20


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


def _exists(p: Path) -> bool:
    """``p.exists()``, but False for names the OS refuses (too long, ...): those name no file either."""
    try:
        return p.exists()
    except (OSError, ValueError):
        return False


def resolve(name_or_path: str | Path) -> Path:
    """A built-in scenario name (``us-2017``) or a path to a file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or _exists(p):
        return p
    if str(name_or_path) in builtin_names():
        return Path(str(resources.files("immsim.scenario") / "data" / f"{name_or_path}.yaml"))
    known = ", ".join(builtin_names())
    raise ScenarioError(str(name_or_path), "", f"no such file or built-in scenario (built-in: {known})")


def _walk(root: yaml.Node) -> tuple[dict[tuple, int], bool, int | None]:
    """One pass over the node tree, before it is constructed.

    Returns the 1-based line of each field path (keys and list indices),
    whether some node is reached twice (through an alias), and the line of a
    node nested more than ``MAX_DEPTH`` deep, if any (the walk stops there).
    A node reached again is not walked again: its fields are found at their
    first path, and ``_line`` names the alias's line for the others.
    """
    lines: dict[tuple, int] = {}
    walked: set[int] = set()
    shared = False
    stack: list[tuple[yaml.Node, tuple | None, int]] = [(root, (), 1)]  # path None: inside a key that is not text
    while stack:
        node, path, depth = stack.pop()
        if path is not None:
            lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in walked:
            shared = True
            continue
        walked.add(id(node))
        if depth > MAX_DEPTH:
            return lines, shared, node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if path is not None and isinstance(k, yaml.ScalarNode):
                    lines[(*path, k.value)] = k.start_mark.line + 1  # of repeated keys, the last counts (as in the doc)
                    stack.append((v, (*path, k.value), depth + 1))
                else:  # a key that is a list or mapping (refused when constructed): walked for aliases and depth
                    stack += [(k, None, depth + 1), (v, None, depth + 1)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(v, None if path is None else (*path, i), depth + 1) for i, v in enumerate(node.value)]
    return lines, shared, None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _alias_problem(root: yaml.Node) -> tuple[str, int] | None:
    """Why a node tree whose aliases share nodes is unsafe to use, and the line, if it is.

    An alias reuses its anchor's node, so a few lines can stand for a document
    of a billion values ("billion laughs") or an infinite one (an alias inside
    its own anchor), nested deeper than the text is. Construction shares the
    nodes, but what comes after it (validation, messages, reforms) walks the
    expanded document, some of it by recursion. Linear in the file: each node's
    expanded size and depth are computed once.
    """
    size: dict[int, int] = {}  # node id -> values it stands for once expanded
    depth: dict[int, int] = {}
    open_: set[int] = set()  # the nodes on the path being walked
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            line = node.start_mark.line + 1
            if size[key] > MAX_VALUES:
                return f"YAML aliases expand to more than {MAX_VALUES:,} values", line
            if depth[key] > MAX_DEPTH:
                return f"YAML nested more than {MAX_DEPTH} levels deep (through aliases)", line
        elif key in open_:
            return "a YAML alias refers to a value that contains it", node.start_mark.line + 1
        elif key not in size:
            open_.add(key)
            stack.append((node, True))
            stack.extend((k, False) for k in _children(node))
    return None


def _line(lines: dict[tuple, int], loc: tuple) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def _dotted(loc: tuple) -> str:
    return ".".join(str(x) if x != "" else "''" for x in loc)  # an empty key still shows


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
    if len(_seen) > MAX_BASES:
        raise ScenarioError(shown, "base", f"more than {MAX_BASES} scenarios chained through 'base'")
    try:
        key = str(path.resolve())
    except (OSError, ValueError, RuntimeError) as e:  # RuntimeError: a symbolic link loop (Python < 3.13)
        raise ScenarioError(shown, "", f"cannot read the file ({getattr(e, 'strerror', None) or e})") from None
    if key in _seen:
        chain = " -> ".join([*_seen, key])
        raise ScenarioError(shown, "base", f"scenarios name each other as base in a cycle: {chain}")
    _seen = (*_seen, key)
    raw = _read_bytes(path, shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(shown, "", f"not UTF-8 text (byte {e.start})") from None
    return parse_scenario(text, shown, _seen)


def _read_bytes(path: Path, shown: str) -> bytes:
    """The file's bytes, read only from a regular file and never more than ``MAX_BYTES`` of them.

    A pipe, a terminal or ``/dev/zero`` (perhaps named as a reform's base) would
    block the reader or never end.
    """
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise ScenarioError(shown, "", "cannot read the file (it is a directory)")
        if not stat.S_ISREG(mode):
            raise ScenarioError(shown, "", "cannot read the file (not a regular file)")
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except (OSError, ValueError) as e:
        raise ScenarioError(shown, "", f"cannot read the file ({getattr(e, 'strerror', None) or e})") from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(shown, "", f"file is larger than the {MAX_BYTES // 1_000_000} MB limit")
    return raw


class _Unsafe(Exception):
    """The YAML is well formed but unsafe to use (see ``_walk`` and ``_alias_problem``)."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem, self.line = problem, line


def _parse(text: str, check: bool = True) -> tuple[Any, dict[tuple, int]]:
    """One parse gives the document (safe constructors only) and the line of each field path.

    With ``check``, the node tree is refused (``_Unsafe``) before it is
    constructed if it is nested too deeply or its aliases expand too far.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if not check:
            return loader.construct_document(node), {}
        lines, shared, too_deep = _walk(node)
        if too_deep is not None:
            raise _Unsafe(f"YAML nested more than {MAX_DEPTH} levels deep", too_deep)
        problem = _alias_problem(node) if shared else None
        if problem:
            raise _Unsafe(*problem)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def load_document(text: str) -> Any:
    """Parse a scenario's text again, as ``read_yaml`` did: safe constructors, dates left as text.

    For text that has passed ``read_yaml`` (a loaded scenario's ``text``).
    ``yaml.safe_load`` would read it differently: date-like text becomes dates,
    and text such as 2017-02-30 in a description raises ``ValueError``.
    """
    return _parse(text, check=False)[0]


def read_yaml(text: str, shown: str) -> tuple[dict, dict[tuple, int]]:
    """Parse YAML text safely into a mapping and a map of field paths to line numbers."""
    try:
        doc, lines = _parse(text)
    except _Unsafe as e:
        raise ScenarioError(shown, "", e.problem, e.line) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else None
        if isinstance(e, yaml.reader.ReaderError) and isinstance(e.character, int):
            # a character YAML forbids (NUL, most control characters); LibYAML's message takes two lines
            at = text.find(chr(e.character))  # the first one stopped the reader (its position is in bytes)
            line = text.count("\n", 0, at) + 1 if at >= 0 else None
            problem = f"character U+{e.character:04X} is not allowed ({e.reason})"
        else:
            problem = getattr(e, "problem", None) or str(e)
        problem = " ".join(str(problem).split())  # one line: the command line prints it as one
        raise ScenarioError(shown, "", f"not valid YAML: {problem}", line) from None
    except RecursionError:
        raise ScenarioError(shown, "", "YAML nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as e:
        raise ScenarioError(shown, "", f"not valid YAML: {e}") from None
    if not isinstance(doc, dict):
        raise ScenarioError(shown, "", "the file must hold a mapping of fields (name, jurisdictions, ...)", 1)
    return doc, lines


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


def _keys_for(dims: str, data: ScenarioFile) -> list[str] | None:
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


def _value_problem(value: Any, dims: str, lo: float, hi: float, data: ScenarioFile) -> str | None:
    keys = _keys_for(dims, data)
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
    checks["detention_history_share"] = ("history", 0.0, 1.0)
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
