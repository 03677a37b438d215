"""A catalog of simulation runs: one DuckDB row per run, its monthly series in Parquet.

A catalog is a directory::

    DIR/catalog.duckdb          runs, their headline figures, and the sweeps and results that asked for them
    DIR/runs/<key>.parquet      national monthly series of one run (the ``national`` frame of a Result)
    DIR/results/<id>/           a front end's result as ``save_result`` writes it (the web app's runs)

A run is one replication of one scenario with one set of parameter factors; its
``key`` is a hash of what determines its numbers (scenario text, factors,
seed, start, years), so the same run is never computed twice and a catalog can
be shared by sweeps, single runs and other front ends (``kind`` says which).

Writes are ordered so that a crash at any moment leaves a usable catalog: the
Parquet file is written under a temporary name and renamed, then the row is
inserted in one DuckDB transaction. A row therefore always has its series; a
series without a row (a crash between the two steps) is simply redone, and
temporary files are removed the next time the catalog is opened for writing.
Only one process may write a catalog at a time (DuckDB locks the file).

DuckDB is imported inside the functions that need it, so importing immsim stays fast.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from immsim._files import atomic_write
from immsim.errors import ImmsimError

CATALOG_FILE = "catalog.duckdb"
RUNS_DIR = "runs"
SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    key VARCHAR PRIMARY KEY,          -- hash of scenario hash, parameters, seed, start, years
    kind VARCHAR NOT NULL,            -- what asked for the run: 'sweep', 'run', ...
    sweep VARCHAR,                    -- id of the sweep that first computed it (NULL otherwise)
    point INTEGER,                    -- index of its design point in that sweep
    replication INTEGER NOT NULL,     -- r: the run used seed = base seed + r
    scenario VARCHAR NOT NULL,        -- scenario name
    scenario_hash VARCHAR NOT NULL,   -- sha256 (16 hex digits) of the base scenario's text
    seed BIGINT NOT NULL,             -- the seed this run used
    start DATE NOT NULL,
    years DOUBLE NOT NULL,
    days INTEGER NOT NULL,
    parameters JSON NOT NULL,         -- {parameter: factor on the scenario's value}
    headlines JSON NOT NULL,          -- {fiscal year: {figure: value}}
    series VARCHAR NOT NULL,          -- Parquet file of the national monthly series, relative to DIR
    seconds DOUBLE,                   -- compute time of the run
    created TIMESTAMP NOT NULL,       -- UTC
    immsim_version VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS figures (  -- the headlines of every run in long form, for SQL
    key VARCHAR NOT NULL,
    fiscal_year INTEGER NOT NULL,
    complete BOOLEAN NOT NULL,        -- whether the run covers the fiscal year in full
    figure VARCHAR NOT NULL,
    value DOUBLE,                     -- NULL when undefined (a share of zero arrests)
    PRIMARY KEY (key, fiscal_year, figure)
);
CREATE TABLE IF NOT EXISTS results (  -- what a front end (the web app) showed as one run: replications of a scenario
    id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,            -- 'web', ...
    title VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,        -- scenario name
    base VARCHAR,                     -- the scenario it was paired with, NULL if none
    scenario_hash VARCHAR NOT NULL,   -- sha256 (16 hex digits) of the scenario as run (a reform resolved)
    seed BIGINT NOT NULL,
    start DATE NOT NULL,
    years DOUBLE NOT NULL,
    replications INTEGER NOT NULL,
    run_keys JSON NOT NULL,           -- its rows in runs: the scenario's replications, then the base's
    directory VARCHAR NOT NULL,       -- its files (save_result's layout), relative to DIR
    request JSON NOT NULL,            -- what was asked for, as the front end received it
    seconds DOUBLE,
    created TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS sweeps (
    id VARCHAR PRIMARY KEY,           -- hash of the resolved spec
    name VARCHAR NOT NULL,
    design VARCHAR NOT NULL,          -- 'grid' or 'sobol'
    spec JSON NOT NULL,               -- the resolved spec (scenario by hash, parameters, design)
    spec_text VARCHAR NOT NULL,       -- the spec file as written
    scenario_text VARCHAR NOT NULL,   -- the base scenario as run
    created TIMESTAMP NOT NULL
);
"""


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and exact floats (``repr``), NaN as null: stable text for hashing and storing."""

    def clean(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v

    return json.dumps(clean(value), sort_keys=True, separators=(",", ":"), allow_nan=False)


def run_key(scenario_hash: str, parameters: dict[str, float], seed: int, start: dt.date, years: float) -> str:
    """What determines a run's numbers, hashed: equal keys mean identical results."""
    material = canonical_json(
        {
            "scenario": scenario_hash,
            "parameters": {k: float(v) for k, v in parameters.items()},
            "seed": int(seed),
            "start": start.isoformat(),
            "years": float(years),
        }
    )
    return hashlib.sha256(material.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class RunRecord:
    """Everything the ``runs`` table holds about a run except its figures and timestamps."""

    key: str
    kind: str
    scenario: str
    scenario_hash: str
    seed: int
    start: dt.date
    years: float
    days: int
    replication: int = 0
    parameters: dict[str, float] = field(default_factory=dict)
    sweep: str | None = None
    point: int | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class ResultRecord:
    """A row of the ``results`` table, but for its run keys and timestamp."""

    id: str
    kind: str
    title: str
    scenario: str
    base: str | None
    scenario_hash: str
    seed: int
    start: dt.date
    years: float
    replications: int
    directory: str
    request: dict = field(default_factory=dict)
    seconds: float | None = None
    created: dt.datetime | None = None  # when it was asked for (UTC); default: when it is saved


class Catalog:
    """A catalog directory opened for reading or writing; use as a context manager."""

    def __init__(self, directory: str | Path, read_only: bool = False) -> None:
        from immsim.engine.interrupts import signals_held

        # DuckDB's module aborts the process (nanobind's "critical error") when a Ctrl-C handler raises while it
        # is first imported; held, the signal is delivered once the import is done and stops the command cleanly.
        with signals_held():
            import duckdb

        self.dir = Path(directory)
        path = self.dir / CATALOG_FILE
        if read_only and not path.exists():
            raise ImmsimError(f"{self.dir}: no run catalog here ({CATALOG_FILE} is missing)")
        if not read_only:
            (self.dir / RUNS_DIR).mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise ImmsimError(f"{path}: the catalog is in use by another process") from None
            raise ImmsimError(f"{path}: cannot open the catalog ({e})") from None
        except duckdb.Error as e:
            raise ImmsimError(f"{path}: not a readable run catalog ({e})") from None
        if not read_only:
            self.con.execute(SCHEMA)
            self.con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            self.remove_partials()
        elif not self._has_table("runs"):
            raise ImmsimError(f"{path}: not a run catalog (no runs table)")

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (DuckDB checkpoints it, so the file is complete on its own)."""
        self.con.close()

    def _has_table(self, name: str) -> bool:
        q = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
        return self.con.execute(q, [name]).fetchone()[0] > 0

    def remove_partials(self) -> int:
        """Delete temporary files left by a writer that was killed mid-write; return how many."""
        leftovers = list((self.dir / RUNS_DIR).glob(".*.partial"))
        for p in leftovers:
            p.unlink(missing_ok=True)
        return len(leftovers)

    def keys(self) -> set[str]:
        return {k for (k,) in self.con.execute("SELECT key FROM runs").fetchall()}

    def series_path(self, key: str) -> Path:
        return self.dir / RUNS_DIR / f"{key}.parquet"

    def save(self, record: RunRecord, national: pd.DataFrame, figures: pd.DataFrame) -> None:
        """Store a run: its series first (atomically), then its row and figures in one transaction.

        ``figures`` has columns fiscal_year, complete, figure, value.
        """
        self._write_series(record.key, national)
        self._transaction(lambda: self._insert_run(record, figures))

    def save_result(self, entry: ResultRecord, runs: list[tuple[RunRecord, pd.DataFrame, pd.DataFrame]]) -> None:
        """Store a front end's result: the series of its runs, then every row in one transaction.

        ``runs`` holds (record, national series, figures) per replication; runs
        already in the catalog (the same key was computed before) are kept as
        they are. ``entry.directory`` must already hold the complete files.
        """
        known = self.keys()
        fresh = [r for r in runs if r[0].key not in known]
        for record, national, _ in fresh:
            self._write_series(record.key, national)
        row = asdict(entry)
        row["run_keys"] = canonical_json([r[0].key for r in runs])
        row["request"] = canonical_json(entry.request)
        row["created"] = entry.created or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        columns = list(row)

        def insert() -> None:
            for record, _, figures in fresh:
                self._insert_run(record, figures)
            self.con.execute(
                f"INSERT INTO results ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                [row[c] for c in columns],
            )

        self._transaction(insert)

    def results(self, kind: str | None = None) -> pd.DataFrame:
        """The ``results`` table, newest first (optionally of one ``kind``)."""
        q = "SELECT * FROM results" + (" WHERE kind = ?" if kind else "") + " ORDER BY created DESC, id"
        return self.con.execute(q, [kind] if kind else []).df()

    def result(self, result_id: str) -> dict | None:
        """One row of ``results`` as a dict, or None."""
        cur = self.con.execute("SELECT * FROM results WHERE id = ?", [result_id])
        row = cur.fetchone()
        return None if row is None else dict(zip([d[0] for d in cur.description], row, strict=True))

    def _write_series(self, key: str, national: pd.DataFrame) -> None:
        atomic_write(self.series_path(key), lambda p: national.to_parquet(p, index=False))

    def _transaction(self, body: Callable[[], None]) -> None:
        self.con.begin()
        try:
            body()
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise

    def _insert_run(self, record: RunRecord, figures: pd.DataFrame) -> None:
        path = self.series_path(record.key)
        headlines: dict[str, dict[str, float]] = {}
        for r in figures.itertuples(index=False):
            headlines.setdefault(str(int(r.fiscal_year)), {})[r.figure] = r.value
        row = asdict(record)
        row["parameters"] = canonical_json(record.parameters)
        row["headlines"] = canonical_json(headlines)
        row["series"] = path.relative_to(self.dir).as_posix()
        row["created"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        row["immsim_version"] = __import__("immsim").__version__
        columns = list(row)
        fig_rows = [
            (record.key, int(r.fiscal_year), bool(r.complete), r.figure, _none_if_nan(r.value))
            for r in figures.itertuples(index=False)
        ]
        self.con.execute(
            f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )
        if fig_rows:
            self.con.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?)", fig_rows)

    def add_sweep(self, sweep_id: str, name: str, design: str, spec: dict, spec_text: str, scenario_text: str) -> None:
        """Record a sweep's definition once (a resumed sweep finds it already there)."""
        self.con.execute(
            "INSERT OR IGNORE INTO sweeps VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                sweep_id,
                name,
                design,
                canonical_json(spec),
                spec_text,
                scenario_text,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ],
        )

    def sweeps(self) -> pd.DataFrame:
        if not self._has_table("sweeps"):
            return pd.DataFrame(columns=["id", "name", "design", "spec", "spec_text", "scenario_text", "created"])
        return self.con.execute("SELECT * FROM sweeps ORDER BY created").df()

    def runs(self, keys: list[str] | None = None) -> pd.DataFrame:
        """The ``runs`` table (all rows, or those with ``keys``), ordered by key."""
        if keys is None:
            return self.con.execute("SELECT * FROM runs ORDER BY key").df()
        return self.con.execute("SELECT * FROM runs WHERE list_contains(?, key) ORDER BY key", [keys]).df()

    def figures(self, keys: list[str] | None = None) -> pd.DataFrame:
        """Headline figures in long form: key, fiscal_year, complete, figure, value."""
        q = "SELECT * FROM figures"
        if keys is None:
            return self.con.execute(q + " ORDER BY key, fiscal_year, figure").df()
        return self.con.execute(q + " WHERE list_contains(?, key) ORDER BY key, fiscal_year, figure", [keys]).df()

    def series(self, key: str) -> pd.DataFrame:
        """The national monthly series of run ``key``."""
        return pd.read_parquet(self.series_path(key))

    def problems(self) -> list[str]:
        """Integrity check: every row has a readable series and figures, and keys are unique."""
        out = []
        dup = self.con.execute("SELECT key, count(*) FROM runs GROUP BY key HAVING count(*) > 1").fetchall()
        out += [f"run {k} is listed {n} times" for k, n in dup]
        orphans = self.con.execute("SELECT DISTINCT key FROM figures WHERE key NOT IN (SELECT key FROM runs)")
        out += [f"figures without a run: {k}" for (k,) in orphans.fetchall()]
        for key, series in self.con.execute("SELECT key, series FROM runs").fetchall():
            try:
                pd.read_parquet(self.dir / series, columns=["month"])
            except Exception as e:  # noqa: BLE001 - any failure to read is the problem being reported
                out.append(f"run {key}: series {series} is not readable ({type(e).__name__})")
        return out


def _none_if_nan(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
