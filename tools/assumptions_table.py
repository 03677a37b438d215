"""Write the table of assumptions of us-2017 into docs/model.md (section "Parameters marked `assumption`").

``python tools/assumptions_table.py`` replaces the table between the section's
heading and the next heading with one generated from the shipped scenario, so
the page cannot drift from the file. Class tables are shown compactly: a value
per status or history where the table has one, else the range of its pairs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from immsim.scenario.loader import load_scenario
from immsim.scenario.sources import source_kinds

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "model.md"
HEADING = "### Parameters marked `assumption` in us-2017.yaml"


def _show(value) -> str:
    if isinstance(value, dict):
        numbers = [float(v) for v in value.values()]
        if len(value) > 8:
            return f"{len(value)} entries, {min(numbers):.4g} to {max(numbers):.4g}"
        return ", ".join(f"{k} {float(v):.4g}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(f"from {s.start}: {_show(s.value)}" for s in value)
    return f"{float(value):.4g}"


def table() -> str:
    sc = load_scenario("us-2017")
    rows = ["| parameter | value in us-2017 | unit | range | calibratable |", "|---|---|---|---|---|"]
    ini = sc.data.initial
    entries = [(f"initial.{k}", getattr(ini, k)) for k in type(ini).model_fields if k != "regime"]
    entries += list(sc.data.parameters.items())
    for name, p in entries:
        if p is None or "assumption" not in source_kinds(p.source):  # wholly, or in one of its references
            continue
        value = p.value if p.value is not None else p.series
        lo, hi = p.range or ("", "")
        rows.append(
            f"| `{name}` | {_show(value)} | {p.unit} | {lo:g} to {hi:g} | {'yes' if p.calibratable else 'no'} |"
        )
    return "\n".join(rows) + "\n"


def main() -> int:
    text = DOC.read_text()
    start = text.index(HEADING)
    body_start = text.index("| parameter |", start)
    nxt = re.search(r"\n## ", text[body_start:])
    end = body_start + (nxt.start() + 1 if nxt else len(text) - body_start)
    DOC.write_text(text[:body_start] + table() + "\n" + text[end:])
    print(f"wrote the assumptions table of {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
