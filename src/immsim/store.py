"""Write a result to a directory: Parquet tables, a summary, the scenario, the report.

Every file is written under a temporary name and renamed into place, so an
interrupted run never leaves a half-written file; ``run.json`` is written last
and marks a complete result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from immsim.results import Result


def scenario_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary path beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _parquet(df: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: df.to_parquet(p, index=False)


def save_result(result: Result, out: str | Path, report: bool = True) -> Path:
    """Write ``result`` into directory ``out`` and return it."""
    out = Path(out)
    atomic_write(out / "monthly.parquet", _parquet(result.monthly))
    atomic_write(out / "national.parquet", _parquet(result.national))
    atomic_write(out / "fiscal_years.parquet", _parquet(result.fiscal_years))
    atomic_write(out / "summary.csv", lambda p: result.summary().to_csv(p, index=False))
    if not result.federal_pressure.empty:
        atomic_write(out / "federal_pressure.csv", lambda p: result.federal_pressure.to_csv(p, index=False))
    atomic_write(out / "scenario.yaml", lambda p: p.write_text(result.scenario.text))
    if report:
        from immsim.report import write_html_report

        write_html_report(result, out / "report.html")
    meta = {
        "scenario": result.scenario.name,
        "scenario_sha256_16": scenario_hash(result.scenario.text),
        "start": result.start.isoformat(),
        "days": result.days,
        "seed": result.seed,
        "replications": result.replications,
        "immsim_version": __import__("immsim").__version__,
    }
    atomic_write(out / "run.json", lambda p: p.write_text(json.dumps(meta, indent=2) + "\n"))
    return out
