"""Figures the reliability tests measure, kept for ``benchmarks/bench_reliability.py`` to write into the docs.

docs/reliability.md states what the tests measured (files fuzzed, signals sent, requests made, latencies);
copied by hand from a test run, those figures went stale (issue 17). The tests now hand them to ``save``,
which writes them as JSON into the folder named by ``IMMSIM_FIGURES`` when the benchmark runs the tests,
and does nothing otherwise.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: The environment variable naming the folder the figures go to.
VARIABLE = "IMMSIM_FIGURES"


def save(name: str, figures: Any) -> None:
    """Write ``figures`` (JSON-serialisable) to ``$IMMSIM_FIGURES/<name>.json``, if that variable is set."""
    folder = os.environ.get(VARIABLE)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.json").write_text(json.dumps(figures, indent=1, sort_keys=True))
