"""YAML text for plain documents, several times faster than ``yaml.dump`` (a test helper for the fuzzers).

The fuzzers write a mutated scenario as YAML for every example, and PyYAML's
representer (Python, even with LibYAML's emitter) took about 40 % of their
time: 55 ms for us-2017. Documents made only of dicts, lists, text, numbers,
booleans and null are written here in block style, one value a line, every
text double-quoted with JSON's escapes (valid in YAML) and the characters
YAML does not allow as they are escaped as well; numbers as PyYAML writes
them. Anything else (another type, an object reached twice, which PyYAML
would write as an anchor and alias) goes to ``yaml.dump``. Loading the text
gives the same document as loading PyYAML's (tests/test_fuzz.py checks it).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import yaml

#: Characters YAML does not allow unescaped (besides those JSON escapes), and line breaks YAML would fold.
_NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
#: Text already quoted: scenarios repeat the same keys and values thousands of times.
_QUOTED: dict[str, str] = {}


class _NotPlain(TypeError):
    """The document holds something ``plain_dump`` does not write: ``yaml.dump`` writes it."""


def _quoted(s: str) -> str:
    q = _QUOTED.get(s)
    if q is None:
        q = _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(s, ensure_ascii=False))
        if len(_QUOTED) < 100_000:
            _QUOTED[s] = q
    return q


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    kind = type(v)
    if kind is str:
        return _quoted(v)
    if kind is int:
        return str(v)
    if kind is float:
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        r = repr(v).lower()
        return r.replace("e", ".0e", 1) if "." not in r and "e" in r else r  # 1e-05 would be read as text
    if kind is dict and not v:
        return "{}"
    if kind is list and not v:
        return "[]"
    raise _NotPlain(kind)


def _block(node: dict | list, indent: int, out: list[str], seen: set[int]) -> None:
    if id(node) in seen:
        raise _NotPlain("an object reached twice")
    seen.add(id(node))
    pad = " " * indent
    items = node.items() if type(node) is dict else ((None, v) for v in node)
    for k, v in items:
        head = pad + ("-" if k is None and type(node) is list else _scalar(k) + ":")
        if type(v) in (dict, list) and v:
            out.append(head)
            _block(v, indent + 2, out, seen)
        else:
            out.append(head + " " + _scalar(v))


def plain_dump(doc: Any) -> str:
    """``doc`` as YAML text: the same document once loaded as ``yaml.dump(doc)``'s."""
    try:
        if type(doc) in (dict, list) and doc:
            out: list[str] = []
            _block(doc, 0, out, set())
            return "\n".join(out) + "\n"
        return _scalar(doc) + "\n"
    except (_NotPlain, RecursionError):
        return yaml.dump(doc, Dumper=_DUMPER, sort_keys=False, width=1000, allow_unicode=True)
