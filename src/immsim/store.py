"""Write a result to a directory and read it back: Parquet tables, a summary, the scenario, the report.

Every file is written under a temporary name and renamed into place, so an
interrupted run never leaves a half-written file; ``run.json`` is written last
and marks a complete result. ``load_result`` rebuilds the ``Result`` from
those files (the web app's permalinks show results of earlier sessions).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from immsim._files import atomic_write, remove_partials
from immsim.errors import ImmsimError
from immsim.results import Result

#: What ``save_result`` may write, ``run.json`` last.
RESULT_FILES = [
    "monthly.parquet",
    "national.parquet",
    "fiscal_years.parquet",
    "by_history.parquet",
    "offices.parquet",
    "draws.parquet",
    "summary.csv",
    "summary_by_history.csv",
    "federal_pressure.csv",
    "scenario.yaml",
    "report.html",
    "run.json",
]


def scenario_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _parquet(df: pd.DataFrame) -> Callable[[Path], None]:
    return lambda p: df.to_parquet(p, index=False)


def save_result(result: Result, out: str | Path, report: bool = True) -> Path:
    """Write ``result`` into directory ``out`` and return it.

    An earlier result's ``run.json`` is removed first: until the new one is
    written, the directory must not claim to hold a complete result, since an
    interruption would leave a mix of old and new files behind. Its files
    that this result does not write are removed too.
    """
    out = Path(out)
    (out / "run.json").unlink(missing_ok=True)
    remove_partials(out, RESULT_FILES)
    stale = {"federal_pressure.csv"} if result.federal_pressure.empty else set()
    # a result read from a folder written before these tables existed has none to write
    stale |= {"by_history.parquet", "summary_by_history.csv"} if result.by_history.empty else set()
    stale |= {"offices.parquet"} if result.offices.empty else set()
    stale |= {"draws.parquet"} if result.draws.empty else set()
    stale |= set() if report else {"report.html"}
    for name in stale:  # an earlier result's file that this one does not replace
        (out / name).unlink(missing_ok=True)
    atomic_write(out / "monthly.parquet", _parquet(result.monthly))
    atomic_write(out / "national.parquet", _parquet(result.national))
    atomic_write(out / "fiscal_years.parquet", _parquet(result.fiscal_years))
    if not result.by_history.empty:
        atomic_write(out / "by_history.parquet", _parquet(result.by_history))
    if not result.offices.empty:
        atomic_write(out / "offices.parquet", _parquet(result.offices))
    if not result.draws.empty:  # run with uncertainty: the parameter set of each replication
        atomic_write(out / "draws.parquet", _parquet(result.draws))
    atomic_write(out / "summary.csv", lambda p: result.summary().to_csv(p, index=False))
    if not result.by_history.empty:
        atomic_write(out / "summary_by_history.csv", lambda p: result.summary_by_history().to_csv(p, index=False))
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


def load_result(directory: str | Path) -> Result:
    """Read a result written by ``save_result`` (the scenario is re-validated from its saved text)."""
    from immsim.scenario.loader import parse_scenario

    d = Path(directory)
    try:
        meta = json.loads((d / "run.json").read_text())
        text = (d / "scenario.yaml").read_text(encoding="utf-8")
        monthly = pd.read_parquet(d / "monthly.parquet")
        national = pd.read_parquet(d / "national.parquet")
        fiscal_years = pd.read_parquet(d / "fiscal_years.parquet")
    except (OSError, ValueError) as e:
        raise ImmsimError(f"{d}: not a complete result ({e})") from None
    pressure_file = d / "federal_pressure.csv"
    pressure = pd.read_csv(pressure_file) if pressure_file.exists() else pd.DataFrame()
    try:  # results written before criminal history and offices were kept have neither table
        by_history, offices, draws = (
            _optional_parquet(d / name) for name in ("by_history.parquet", "offices.parquet", "draws.parquet")
        )
    except (OSError, ValueError) as e:
        raise ImmsimError(f"{d}: not a complete result ({e})") from None
    return Result(
        scenario=parse_scenario(text, meta["scenario"]),
        start=dt.date.fromisoformat(meta["start"]),
        days=int(meta["days"]),
        seed=int(meta["seed"]),
        replications=int(meta["replications"]),
        monthly=monthly,
        national=national,
        fiscal_years=fiscal_years,
        by_history=by_history,
        offices=offices,
        federal_pressure=pressure,
        draws=draws,
    )


def _optional_parquet(path: Path) -> pd.DataFrame:
    """The table at ``path``, or an empty frame if the result was written without it."""
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()
