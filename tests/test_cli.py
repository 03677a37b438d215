"""The command line: runs write complete results; bad input gets one clear line and exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from immsim.scenario.loader import load_scenario, resolve
from scenarios import base, dump


def immsim(*args: str, cwd=None, env_columns: int | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"COLUMNS": str(env_columns)} if env_columns else None  # wide enough for one row per line
    return subprocess.run(
        [sys.executable, "-m", "immsim.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=900, env=env
    )


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    args = ("run", "us-2017", "--years", "1", "--replications", "2", "--seed", "5", "--out", str(out))
    proc = immsim(*args, env_columns=200)
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_run_writes_every_result_file(run_dir):
    out, _ = run_dir
    names = {p.name for p in out.iterdir()}
    assert {
        "monthly.parquet",
        "national.parquet",
        "fiscal_years.parquet",
        "by_history.parquet",
        "offices.parquet",
        "summary.csv",
        "summary_by_history.csv",
        "scenario.yaml",
        "report.html",
        "run.json",
    } <= names
    assert not [n for n in names if n.endswith(".partial")]
    meta = json.loads((out / "run.json").read_text())
    assert meta["replications"] == 2 and meta["seed"] == 5 and meta["scenario"] == "us-2017"
    monthly = pd.read_parquet(out / "monthly.parquet")
    assert set(monthly.replication) == {0, 1}
    jurisdictions = load_scenario("us-2017").data.jurisdictions
    assert monthly.month.nunique() == 12 and monthly.jurisdiction.nunique() == len(jurisdictions)
    fy = pd.read_parquet(out / "fiscal_years.parquet")
    assert list(fy.fiscal_year.unique()) == [2017]


def test_run_prints_summary_with_intervals(run_dir):
    _, proc = run_dir
    assert "Fiscal year 2017" in proc.stdout
    assert "95% interval" in proc.stdout
    assert "ICE administrative arrests" in proc.stdout
    assert "By criminal history, fiscal year 2017" in proc.stdout and "serious or violent conviction" in proc.stdout


def test_bad_scenario_gets_one_line_error_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        resolve("us-2017").read_text().replace("hold_window_days:\n    value: 2", "hold_window_days:\n    value: -2")
    )
    out = tmp_path / "out"
    proc = immsim("run", str(bad), "--out", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}:" in proc.stderr and "parameters.hold_window_days.value" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--years", "0"], "years"),
        (["--replications", "0"], "replications"),
        (["--start", "2017-02-30"], "start"),
        (["no-such-scenario"], "no such file"),
    ],
)
def test_bad_options_are_refused_plainly(tmp_path, args, words):
    proc = immsim("run", *args, "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert words in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_calibrate_refuses_targets_without_the_needed_columns(tmp_path):
    bad = tmp_path / "targets.csv"
    bad.write_text("metric,value\nx,1\n")
    proc = immsim("calibrate", "us-2017-prior", "--targets", str(bad), "--out", str(tmp_path / "o.yaml"))
    assert proc.returncode == 2 and "the targets need the columns" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o.yaml").exists()


def test_help_loads_no_numerical_stack():
    # `immsim --help` must answer fast: the package exposes its API lazily, so the command line's
    # import does not bring in NumPy, pandas, SciPy or Numba (timed in benchmarks/bench_scale.py)
    code = "import sys, immsim.cli; print(sorted(m for m in ('numpy', 'pandas', 'scipy', 'numba') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
    help_ = immsim("--help")
    assert help_.returncode == 0 and "sweep" in help_.stdout and "compare" in help_.stdout


def test_public_api_names_survive_submodule_imports():
    # importing a submodule must not replace a public function of the same package
    code = "import immsim.comparison, immsim.simulation, immsim.sweeps, immsim; print(callable(immsim.compare))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "True"


def test_text_with_brackets_is_printed_as_it_is(tmp_path):
    """Scenario text is not Rich markup: '[/x]' must neither crash the command nor vanish."""
    doc = base()
    doc["parameters"]["jail_officers"]["source"] = "table [/x] of [bold]the report[/bold]"
    path = tmp_path / "brackets.yaml"
    path.write_text(dump(doc))
    proc = immsim("scenario", "show", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "[/x]" in proc.stdout and "[bold]the" in proc.stdout


def test_scenario_show_gives_each_assumption_its_range_and_prior(tmp_path):
    doc = base()
    doc["parameters"]["found_probability"] |= {
        "source": "assumption",
        "range": [0.2, 0.9],
        "prior": {"distribution": "triangular", "mode": 0.6},
    }
    doc["parameters"]["refused_probability"] |= {"source": "assumption", "range": [0.05, 0.3]}
    path = tmp_path / "priors.yaml"
    path.write_text(dump(doc))
    proc = immsim("scenario", "show", str(path), env_columns=400)
    assert proc.returncode == 0, proc.stderr
    names = ("found_probability", "refused_probability")
    line = {n: next(x for x in proc.stdout.splitlines() if f" {n} " in x) for n in names}
    assert "0.2 to 0.9 (triangular (mode 0.6))" in line["found_probability"]
    assert "0.05 to 0.3 (uniform)" in line["refused_probability"]


def test_scenario_show_lists_jurisdictions_and_every_policy_with_sources(tmp_path):
    doc = base()
    doc["policies"] = {
        "hold_serious_notify_lesser": {
            "meaning": "holds for serious convictions, notifies for lesser ones",
            "source": {"title": "County ordinance 12", "date": "2017-05-01", "kind": "primary"},
            "detainer": {"none": "decline", "pending": "decline", "lesser": "notify", "serious": "hold"},
        }
    }
    doc["jurisdictions"][0]["source"] = {
        "title": "Census table B05001",
        "publisher": "Census Bureau",
        "kind": "secondary",
    }
    path = tmp_path / "own.yaml"
    path.write_text(dump(doc))
    proc = immsim("scenario", "show", str(path), env_columns=400)
    assert proc.returncode == 0, proc.stderr
    assert "Cooperation policies" in proc.stdout and "Jurisdictions" in proc.stdout
    own = next(line for line in proc.stdout.splitlines() if "hold_serious_notify_lesser" in line)
    assert "scenario" in own and "notify" in own and "County ordinance 12, 2017-05-01 (primary)" in own
    assert any("honor_serious" in line and "built-in" in line for line in proc.stdout.splitlines())
    assert "Census table B05001, Census Bureau (secondary)" in proc.stdout


def test_every_command_shows_progress_through_the_one_helper():
    """One look for every long command: the bar is set up in ``immsim._progress`` only, never in a command."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "immsim"
    own = [p.name for p in (src / "cli").glob("*.py") if "Progress(" in p.read_text()]
    assert own == []
    assert "progress_bar(" in (src / "cli" / "simulate.py").read_text()


def test_the_progress_bar_counts_runs_shows_a_note_and_checks_after_each_update():
    from rich.console import Console

    from immsim._progress import progress_bar

    console = Console(record=True, width=160, force_terminal=False)
    checked = []
    with progress_bar(
        console,
        "calibrating",
        count="runs",
        total=10,
        note="best {task.fields[best]}",
        fields={"best": "-"},
        check=lambda: checked.append(1),
    ) as update:
        update(3, best="0.125")
        update(10)
    text = console.export_text()
    assert "calibrating" in text and "10/10 runs" in text and "best 0.125" in text
    assert len(checked) == 2
