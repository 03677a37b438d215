"""Scenario files as YAML: parsed safely, with the line of every field, and errors that name them.

Everything here is about the file, not the model: reading bytes from a
regular file only, refusing YAML that is nested too deeply or whose aliases
expand too far (before it is built), keeping dates as text for the schema,
and turning a Pydantic error into a ``ScenarioError`` naming the file, line
and field.
"""

from __future__ import annotations

import pickle
import stat
from collections import deque
from collections.abc import Hashable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from immsim.errors import ScenarioError

MAX_BYTES = 5_000_000
#: Limits on the parsed YAML, checked before it is constructed (``_walk``, ``_alias_problem``):
#: the built-in us-2017 holds about 2,200 values nested 7 deep.
MAX_VALUES = 1_000_000  # once aliases are expanded
MAX_DEPTH = 100


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


def line_of(lines: dict[tuple, int], loc: tuple) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def dotted(loc: tuple) -> str:
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
    """Safe YAML without implicit dates: dates stay text for the schema to check.

    The tag of each value is looked up once per distinct text (``resolve``): a
    scenario repeats the same keys and values thousands of times, and PyYAML's
    resolver matches every one against its patterns again.
    """

    _resolved: dict[tuple, str] = {}

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        key = (kind, value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            # bounded: short texts come back (keys, units, numbers), long ones and a fuzzer's rarely do
            if len(self._resolved) < 50_000 and (value is None or len(value) <= 80):
                self._resolved[key] = tag
        return tag


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_bytes(path: Path, shown: str) -> bytes:
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


_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{t}" for t in ("str", "map", "seq"))
_SPECIAL_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _construct(loader: _Loader, root: yaml.Node) -> Any:
    """What ``loader.construct_document(root)`` returns, for a tree without shared nodes, about twice as fast.

    Text, mappings with plain keys and lists are built here; every other node
    (numbers, booleans, null, explicit tags, merge keys, keys that are lists)
    goes to the loader's own constructors. The order is PyYAML's: a container is
    made empty and filled after the others already made, and the loader's
    deferred work (``state_generators``) joins the same queue, so of two
    errors in a file the same one is raised first.
    """
    fills: deque[tuple[Any, yaml.Node | None]] = deque()

    def adopt() -> None:
        fills.extend((g, None) for g in loader.state_generators)
        loader.state_generators = []

    def make(node: yaml.Node) -> Any:
        kind, tag = type(node), node.tag
        if kind is yaml.ScalarNode and tag == _STR:
            return node.value
        if kind is yaml.SequenceNode and tag == _SEQ:
            out: Any = []
        elif (
            kind is yaml.MappingNode
            and tag == _MAP
            and all(type(k) is yaml.ScalarNode and k.tag not in _SPECIAL_KEYS for k, _ in node.value)
        ):
            out = {}
        else:
            out = loader.construct_object(node)
            adopt()
            return out
        fills.append((out, node))
        return out

    doc = make(root)
    while fills:
        out, node = fills.popleft()
        if node is None:  # a generator of the loader's: run to its end, it fills what it made
            deque(out, maxlen=0)
            adopt()
        elif type(out) is list:
            out.extend(make(v) for v in node.value)
        else:
            for k, v in node.value:
                key = k.value if k.tag == _STR else make(k)
                if not isinstance(key, Hashable):
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, "found unhashable key", k.start_mark
                    )
                out[key] = make(v)
    return doc


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
        return (loader.construct_document(node) if shared else _construct(loader, node)), lines
    finally:
        loader.dispose()


def load_document(text: str) -> Any:
    """Parse a scenario's text again, as ``read_yaml`` did: safe constructors, dates left as text.

    For text that has passed ``read_yaml`` (a loaded scenario's ``text``).
    ``yaml.safe_load`` would read it differently: date-like text becomes dates,
    and text such as 2017-02-30 in a description raises ``ValueError``.

    Each call returns a new document (callers change it), but the text of the
    last few is parsed once: deriving scenarios from one base over and over
    (``Scenario.with_changes`` in a calibration, a sweep or a solver) copies
    the parsed document, several times faster than parsing YAML again.
    """
    return pickle.loads(_parsed(text))


@lru_cache(maxsize=8)
def _parsed(text: str) -> bytes:
    return pickle.dumps(_parse(text, check=False)[0], protocol=pickle.HIGHEST_PROTOCOL)


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


def validation_error(e: ValidationError, doc: dict, lines: dict, shown: str, prefix: tuple = ()) -> ScenarioError:
    """The first problem Pydantic found, as a ScenarioError naming the file, line and field.

    ``prefix`` is where in ``doc`` the validated part sits (``("changes",)`` for a list of changes).
    """
    err = e.errors()[0]
    loc = _clean_loc((*prefix, *err["loc"]), doc)
    more = f" (and {e.error_count() - 1} more problems)" if e.error_count() > 1 else ""
    msg = err["msg"].removeprefix("Value error, ")
    return ScenarioError(shown, dotted(loc), msg + more, line_of(lines, loc))


#: LibYAML's emitter when PyYAML has it: five times faster than PyYAML's own, and the same text.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_document(doc: dict) -> str:
    """A scenario document as YAML text, the way immsim writes a derived scenario."""
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=110, allow_unicode=True)
