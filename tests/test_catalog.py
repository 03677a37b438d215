"""Sweep specs, the run catalog and the Sobol analysis, without a Dask cluster (see test_sweep.py for that)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

import immsim
from immsim.catalog import Catalog, run_key
from immsim.errors import ScenarioError
from immsim.sweeps import as_spec
from immsim.sweeps.analysis import indices
from immsim.sweeps.design import points, runs
from immsim.sweeps.spec import load_spec
from scenarios import apply, base, dump, param

HEADLINE = "ice_admin_arrests"
#: Five parameters: 16 Sobol base samples pair two of them across the A and B matrices (see spec.py).
FIVE = {
    n: {"scale": [0.5, 1.0]}
    for n in ("found_probability", "team_size", "collateral_per_arrest", "jail_officers", "at_large_officers")
}


def write_scenario(folder: Path) -> Path:
    """The synthetic scenario, with use of force frequent enough to vary measurably."""
    path = folder / "synthetic.yaml"
    path.write_text(dump(apply(base(), [param("use_of_force_probability_at_large", 0.2)])))
    return path


def write_spec(folder: Path, **fields) -> Path:
    """A spec beside the synthetic scenario; ``fields`` override the small grid below."""
    write_scenario(folder)
    doc = {
        "name": "test",
        "scenario": "synthetic.yaml",
        "years": 1,
        "seed": 3,
        "replications": 2,
        "design": "grid",
        "parameters": {"immigration_judges": {"scale": [0.8, 1.2]}, "at_large_officers": {"scale": [0.5, 1.0]}},
    } | fields
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_grid_has_every_combination_and_replications_share_seeds(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    assert points(spec) == [{"immigration_judges": j, "at_large_officers": o} for j in (0.8, 1.2) for o in (0.5, 1.0)]
    rs = runs(spec)
    assert len(rs) == 8 and len({r.key for r in rs}) == 8
    assert [r.seed for r in rs if r.point == 0] == [3, 4] == [r.seed for r in rs if r.point == 3]


def test_sobol_design_is_saltelli_and_reproducible(tmp_path):
    params = {"found_probability": {"scale": [0.5, 1.5]}, "at_large_officers": {"scale": [0.8, 1.25]}}
    spec = load_spec(write_spec(tmp_path, design="sobol", samples=8, replications=1, parameters=params))
    pts = points(spec)
    assert len(pts) == 8 * (2 + 2)  # N x (D + 2) without second-order terms
    assert pts == points(load_spec(tmp_path / "spec.yaml"))  # a resumed sweep regenerates the same points
    f = np.array([p["found_probability"] for p in pts])
    assert f.min() >= 0.5 and f.max() <= 1.5


@pytest.mark.parametrize(
    ("fields", "field", "marker", "words"),
    [
        ({"parameters": {"no_such_parameter": {"scale": [1.0]}}}, "parameters.no_such_parameter", "no_such", "unknown"),
        ({"replications": 0}, "replications", "replications:", "greater than or equal to 1"),
        ({"design": "sobol"}, "samples", None, "needs 'samples'"),
        ({"design": "sobol", "samples": 12}, "samples", "samples:", "power of 2"),
        ({"scenario": "missing.yaml"}, "scenario", "scenario:", "no such"),
        ({"replicatons": 3}, "replicatons", "replicatons:", "Extra inputs"),
        (
            {"design": "sobol", "samples": 16, "seed": 1, "parameters": FIVE},
            "samples",
            "samples:",
            "too few for 5 parameters",
        ),
        (
            {"parameters": {"found_probability": {"scale": [1.0, 2.0]}}},
            "parameters.found_probability.scale",
            "scale:",
            "1.2",
        ),
    ],
)
def test_spec_errors_name_file_line_and_field(tmp_path, fields, field, marker, words):
    path = write_spec(tmp_path, **fields)
    lines = path.read_text().splitlines()
    line = next(i + 1 for i, text in enumerate(lines) if marker in text) if marker else 1  # a missing field: the top
    with pytest.raises(ScenarioError) as e:
        load_spec(path)
    assert (e.value.file, e.value.field, e.value.line) == (str(path), field, line), str(e.value)
    assert words in e.value.problem


def test_run_key_changes_with_every_input():
    import datetime as dt

    args = ("abc", {"x": 1.0}, 1, dt.date(2017, 1, 1), 1.0)
    keys = {
        run_key(*args),
        run_key("abd", *args[1:]),
        run_key(args[0], {"x": 1.0000001}, *args[2:]),
        run_key(*args[:2], 2, *args[3:]),
        run_key(*args[:3], dt.date(2017, 1, 2), 1.0),
        run_key(*args[:4], 2.0),
    }
    assert len(keys) == 6
    assert run_key(*args) == run_key("abc", {"x": 1}, 1, dt.date(2017, 1, 1), 1)  # 1 and 1.0 are the same factor


def test_orphan_series_and_temporary_files_are_redone_or_removed(tmp_path):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    first = immsim.sweep(spec, out, serial=True)
    assert first.attrs["ran"] == 8 and len(first) == 8
    victim = first.key.iloc[5]
    with Catalog(out) as cat:
        before = cat.series(victim)
        # a writer killed between writing a series and inserting its row, and one killed mid-write
        cat.con.execute("DELETE FROM figures WHERE key = ?", [victim])
        cat.con.execute("DELETE FROM runs WHERE key = ?", [victim])
    (out / "runs" / ".abc.parquet.x.partial").write_bytes(b"half a file")
    again = immsim.sweep(spec, out, serial=True)
    assert (again.attrs["skipped"], again.attrs["ran"]) == (7, 1)
    pd.testing.assert_frame_equal(again, first)
    with Catalog(out) as cat:
        assert cat.problems() == []
        pd.testing.assert_frame_equal(cat.series(victim), before)
        assert sorted(cat.keys()) == sorted(first.key)
    assert not list((out / "runs").glob(".*"))


def test_a_run_is_stored_once_and_a_failed_insert_leaves_nothing(tmp_path):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    immsim.sweep(spec, out, serial=True)
    with Catalog(out) as cat:
        rec = cat.con.execute("SELECT count(*) FROM runs").fetchone()[0]
        figs = cat.con.execute("SELECT count(*) FROM figures").fetchone()[0]
        row = cat.runs().iloc[0]
        from immsim.catalog import RunRecord

        dup = RunRecord(row.key, "run", row.scenario, row.scenario_hash, int(row.seed), row.start, 1.0, int(row.days))
        fig = pd.DataFrame({"fiscal_year": [2017], "complete": [True], "figure": ["x"], "value": [1.0]})
        with pytest.raises(duckdb.ConstraintException):
            cat.save(dup, cat.series(row.key), fig)
        assert cat.con.execute("SELECT count(*) FROM runs").fetchone()[0] == rec
        assert cat.con.execute("SELECT count(*) FROM figures").fetchone()[0] == figs
        assert cat.problems() == []


def test_catalog_is_queryable_with_plain_duckdb(tmp_path):
    out = tmp_path / "out"
    immsim.sweep(write_spec(tmp_path), out, serial=True)
    con = duckdb.connect(str(out / "catalog.duckdb"), read_only=True)
    got = con.execute(
        "SELECT parameters->>'$.at_large_officers' AS officers, avg(f.value) FROM runs JOIN figures f USING (key) "
        "WHERE f.figure = 'ice_admin_arrests' GROUP BY officers ORDER BY officers"
    ).fetchall()
    con.close()
    assert [g[0] for g in got] == ["0.5", "1.0"]
    assert got[0][1] < got[1][1]  # more at-large officers, more arrests


def test_indices_recover_a_known_linear_function(tmp_path):
    """Y = 2 x1 + x2 + 0 x3 with uniform factors of equal range: S1 = ST = (0.8, 0.2, 0)."""
    params = {n: {"scale": [0.5, 1.5]} for n in ("found_probability", "team_size", "collateral_per_arrest")}
    spec = load_spec(write_spec(tmp_path, design="sobol", samples=1024, replications=2, parameters=params))
    rs = runs(spec)
    frame = pd.DataFrame([{"point": r.point, "replication": r.replication, **r.factors} for r in rs])
    y = 2 * frame.found_probability + frame.team_size
    noise = np.where(frame.replication == 0, 1.0, -1.0) * 0.3  # averages out over the two replications
    for figure in immsim.figures.HEADLINES:
        frame[figure] = y + noise
    table = indices(frame, spec)
    got = table[table.figure == HEADLINE].set_index("parameter")
    for name, truth in zip(params, (0.8, 0.2, 0.0), strict=True):
        r = got.loc[name]
        assert abs(r.S1 - truth) <= 2 * r.S1_conf + 1e-12, (name, r.S1, r.S1_conf)
        assert abs(r.ST - truth) <= 2 * r.ST_conf + 1e-12, (name, r.ST, r.ST_conf)
    assert got.loc["collateral_per_arrest", "ST"] == 0.0  # exactly: the factor never changes Y


def test_examples_are_valid_specs():
    for name in ("judges-officers", "assumptions-sobol"):
        spec = as_spec(name)
        assert spec.scenario.name == "us-2017" and len(runs(spec)) > 0


def test_importing_immsim_loads_no_sweep_machinery():
    code = (
        "import sys, immsim; immsim.sweep; immsim.sensitivity; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'duckdb', 'SALib'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sensitivity_needs_a_complete_sobol_sweep(tmp_path):
    out = tmp_path / "out"
    immsim.sweep(write_spec(tmp_path), out, serial=True)  # a grid
    with pytest.raises(immsim.ImmsimError, match="exactly one Sobol sweep"):
        immsim.sensitivity(out)
    params = {"found_probability": {"scale": [0.5, 1.5]}, "at_large_officers": {"scale": [0.8, 1.25]}}
    spec = write_spec(tmp_path, design="sobol", samples=8, replications=1, parameters=params)
    frame = immsim.sweep(spec, out, serial=True)
    assert len(immsim.sensitivity(out)) == len(immsim.figures.HEADLINES) * 2
    with Catalog(out) as cat:
        cat.con.execute("DELETE FROM figures WHERE key = ?", [frame.key.iloc[0]])
        cat.con.execute("DELETE FROM runs WHERE key = ?", [frame.key.iloc[0]])
    with pytest.raises(immsim.ImmsimError, match="31 of the sweep's 32 runs"):
        immsim.sensitivity(out)


CTRL_C_DURING_IMPORT = """
import importlib.abc, os, signal, sys
from immsim.catalog import Catalog

def stop(signum, frame):
    raise KeyboardInterrupt

class Interrupting(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "duckdb":  # Ctrl-C as DuckDB's import starts: the handler would run inside it
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

signal.signal(signal.SIGINT, stop)
sys.meta_path.insert(0, Interrupting())
try:
    Catalog(sys.argv[1])
except KeyboardInterrupt:
    print("interrupted after the import" if "duckdb" in sys.modules else "interrupted inside the import")
"""


def test_ctrl_c_while_the_catalog_imports_duckdb_waits_for_the_import(tmp_path):
    """A KeyboardInterrupt raised inside DuckDB's first import can abort the process (nanobind), not stop it."""
    done = subprocess.run(
        [sys.executable, "-c", CTRL_C_DURING_IMPORT, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "interrupted after the import"
