"""Sweeps on a real Dask cluster: identical to serial runs, resumable after a kill, a consistent catalog.

One ``LocalCluster`` of two worker processes serves the module (started once:
it takes seconds); the command-line runs connect to it with ``--scheduler``,
except one that starts its own cluster as ``immsim sweep`` does by default.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import immsim
from immsim.catalog import Catalog
from immsim.cli import app
from immsim.sweeps import as_spec
from immsim.sweeps.design import runs
from immsim.sweeps.runner import NO_DASHBOARD, warm_cache
from test_catalog import write_spec

VOLATILE = ["created", "seconds"]  # when and how fast a run was computed: not part of its result


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import LocalCluster

    warm_cache(as_spec(write_spec(tmp_path_factory.mktemp("warm"))))  # compile once, not in each worker
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, **NO_DASHBOARD) as c:
        yield c


def cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "immsim.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def catalog_content(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Rows, figures and series of a catalog, without the columns that record when a run was made."""
    with Catalog(out) as cat:
        assert cat.problems() == []
        rows = cat.runs().drop(columns=VOLATILE)
        return rows, cat.figures(), {k: cat.series(k) for k in rows.key}


def assert_same_catalog(a: Path, b: Path) -> None:
    ra, fa, sa = catalog_content(a)
    rb, fb, sb = catalog_content(b)
    pd.testing.assert_frame_equal(ra, rb, check_exact=True)
    pd.testing.assert_frame_equal(fa, fb, check_exact=True)
    assert sa.keys() == sb.keys()
    for key in sa:
        pd.testing.assert_frame_equal(sa[key], sb[key], check_exact=True)


def test_a_cluster_without_a_dashboard_leaves_the_dashboard_port_alone():
    """Two sweeps at once: the scheduler serves its HTTP routes even with no dashboard, on port 8787 unless told
    otherwise, and the second one warned that the port was in use (seen in the suite, two workers each with a
    cluster). Here something else holds the port."""
    from distributed import LocalCluster

    with socket.socket() as held:
        with contextlib.suppress(OSError):  # if something holds it already, that is the same case
            held.bind(("", 8787))
            held.listen()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with LocalCluster(n_workers=0, processes=False, **NO_DASHBOARD) as c:
                assert c.scheduler.http_server.port != 8787
    assert not [w for w in caught if "already in use" in str(w.message)]


def test_serial_and_dask_sweeps_are_identical(tmp_path, cluster):
    spec = write_spec(tmp_path)
    serial = immsim.sweep(spec, tmp_path / "serial", serial=True)
    dask = immsim.sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(serial, dask, check_exact=True)
    assert_same_catalog(tmp_path / "serial", tmp_path / "dask")
    with Catalog(tmp_path / "dask") as cat:
        assert len(cat.runs()) == len(runs(as_spec(spec))) == 8


@pytest.mark.slow
def test_cli_default_local_cluster_matches_serial(tmp_path):
    spec = write_spec(tmp_path, replications=1)
    immsim.sweep(spec, tmp_path / "serial", serial=True)
    proc = cli("sweep", str(spec), "--out", str(tmp_path / "local"), "--workers", "2")
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert "4 runs: 0 already in the catalog, 4 run now" in stdout
    assert_same_catalog(tmp_path / "serial", tmp_path / "local")


def test_a_sweep_run_is_a_replication_of_simulate(tmp_path, cluster):
    """Run r of a point equals replication r of simulate(replications=R) on the reform that scales the same way."""
    spec = write_spec(tmp_path)
    frame = immsim.sweep(spec, tmp_path / "out", scheduler=cluster.scheduler_address)
    reform = {
        "name": "scaled",
        "title": "the sweep's point (judges x1.2, officers x0.5)",
        "base": "synthetic.yaml",
        "changes": [
            {"parameter": "immigration_judges", "scale": 1.2},
            {"parameter": "at_large_officers", "scale": 0.5},
        ],
    }
    (tmp_path / "reform.yaml").write_text(yaml.safe_dump(reform))
    result = immsim.simulate(str(tmp_path / "reform.yaml"), years=1, seed=3, replications=2)
    point = frame[(frame.immigration_judges == 1.2) & (frame.at_large_officers == 0.5)]
    with Catalog(tmp_path / "out") as cat:
        for r in (0, 1):
            row = point[point.replication == r].iloc[0]
            expected = result.national[result.national.replication == r].reset_index(drop=True)
            # Parquet stores months in milliseconds, simulate in seconds: same instants, another unit
            pd.testing.assert_frame_equal(cat.series(row.key), expected, check_dtype=False, check_exact=True)
            fys = result.fiscal_years
            fy = fys[(fys.replication == r) & (fys.fiscal_year == row.fiscal_year)].iloc[0]
            assert row.ice_admin_arrests == fy.ice_admin_arrests and row.court_pending_end == fy.court_pending_end


def wait_for_runs(out: Path, proc: subprocess.Popen, at_least: int, timeout: float = 600) -> None:
    """Poll the runs directory until ``at_least`` series are saved (the sweep is then mid-way)."""
    deadline = time.monotonic() + timeout
    while len(list((out / "runs").glob("*.parquet"))) < at_least:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the sweep saved no runs in time"
        time.sleep(0.05)


def test_interrupted_sweeps_resume_without_redoing_runs(tmp_path, cluster):
    spec = write_spec(
        tmp_path,
        years=2,
        replications=4,
        parameters={
            "immigration_judges": {"scale": [0.8, 0.9, 1.0, 1.1, 1.2]},
            "at_large_officers": {"scale": [0.5, 1]},
        },
    )
    total = len(runs(as_spec(spec)))  # 40 runs
    out = tmp_path / "out"
    args = ("sweep", str(spec), "--out", str(out), "--scheduler", cluster.scheduler_address)

    # SIGTERM: a clean stop that says how to resume
    proc = cli(*args)
    wait_for_runs(out, proc, 3)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    saved = re.search(r"interrupted: (\d+) of (\d+) runs are saved in .*run the same command again", stderr)
    assert saved and int(saved.group(2)) == total, stderr
    with Catalog(out) as cat:
        assert len(cat.keys()) == int(saved.group(1)) and cat.problems() == []

    # SIGKILL: no chance to clean up; the catalog must still be consistent
    proc = cli(*args)
    wait_for_runs(out, proc, int(saved.group(1)) + 4)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    with Catalog(out) as cat:
        assert cat.problems() == []
        before = cat.runs().set_index("key").created
    assert 0 < len(before) < total, "the kill should land mid-sweep"

    proc = cli(*args)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert f"{total} runs: {len(before)} already in the catalog, {total - len(before)} run now" in stdout
    with Catalog(out) as cat:
        after = cat.runs().set_index("key").created
    assert after.index.is_unique and len(after) == total
    pd.testing.assert_series_equal(after.loc[before.index], before)  # no saved run was redone

    immsim.sweep(spec, tmp_path / "uninterrupted", scheduler=cluster.scheduler_address)
    assert_same_catalog(out, tmp_path / "uninterrupted")


def test_sensitivity_of_a_figure_to_an_unconnected_parameter_is_zero(tmp_path, cluster):
    """Use of force is drawn after each arrest whatever its probability, so it cannot change arrests.

    ``custody.admit`` draws the use-of-force and assault numbers unconditionally;
    with common random numbers every later draw is therefore the same at every
    point, arrests are identical, and both indices are exactly zero.
    """
    params = {"use_of_force_probability_at_large": {"scale": [0.5, 2.0]}, "at_large_officers": {"scale": [0.5, 1.5]}}
    spec = write_spec(tmp_path, design="sobol", samples=8, replications=1, parameters=params)
    immsim.sweep(spec, tmp_path / "out", scheduler=cluster.scheduler_address)
    table = immsim.sensitivity(tmp_path / "out").set_index(["figure", "parameter"])
    for figure in ("ice_admin_arrests", "removals_total", "court_receipts"):
        row = table.loc[(figure, "use_of_force_probability_at_large")]
        assert row.ST == 0.0 and row.S1 == 0.0 and row.ST_conf == 0.0, (figure, row)
        assert table.loc[(figure, "at_large_officers")].ST > 0
    assert table.loc[("use_of_force", "use_of_force_probability_at_large")].ST > 0

    result = CliRunner().invoke(app, ["sensitivity", str(tmp_path / "out"), "--out", str(tmp_path / "s.html")])
    assert result.exit_code == 0, result.output
    assert "Sobol indices" in result.output
    html = (tmp_path / "s.html").read_text()
    assert 'id="chart-sobol"' in html and "Plotly.newPlot" in html
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=", html)  # self-contained: plotly.js is inline


def test_cli_refuses_a_bad_spec_in_one_line(tmp_path):
    spec = write_spec(tmp_path, design="sobol")
    result = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(tmp_path / "out"), "--serial"])
    assert result.exit_code == 2
    assert f"{spec}:1: samples:" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_dasks_cancel_race_is_silenced_and_nothing_else(caplog):
    """Ctrl-C as a Dask call begins makes its event loop log a NameError (distributed.utils.sync's ``cancel``):
    a stopped sweep drops that record and no other, whatever the logger's level."""
    import functools
    import logging
    import sys

    from immsim._dask import quiet_cancel_race

    def cancel() -> None:
        pass

    cancel.__qualname__ = "sync.<locals>.cancel"

    def record(exc: BaseException, callback) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            info = sys.exc_info()
        return logging.LogRecord(
            "tornado.application", logging.ERROR, "ioloop.py", 1, "Exception in callback %r", (callback,), info
        )

    race = NameError("cannot access free variable 'future' where it is not associated with a value")
    log = logging.getLogger("tornado.application")
    quiet_cancel_race()
    quiet_cancel_race()  # installed once
    with caplog.at_level(logging.ERROR, logger="tornado.application"):
        log.handle(record(race, functools.partial(cancel)))
        assert caplog.records == []
        log.handle(record(NameError("name 'x' is not defined"), functools.partial(cancel)))
        log.handle(record(race, functools.partial(print)))
        log.handle(record(ValueError("'future'"), functools.partial(cancel)))
    assert len(caplog.records) == 3
    assert sum(type(f).__name__ == "_CancelRaceFilter" for f in log.filters) == 1


def _interrupted_statement() -> None:
    """What DuckDB (2.0) does when SIGINT lands while it runs a statement: it runs the Python handler, drops the
    ``KeyboardInterrupt`` the handler raises, and ends the statement with ``RuntimeError('Query interrupted')``
    (seen in test_interrupt, and by hand with a long query and a timer). Done here without DuckDB, since how
    soon a running statement notices a signal depends on the machine's load."""
    with contextlib.suppress(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)
    raise RuntimeError("Query interrupted")


def test_a_signal_inside_a_catalog_statement_stops_the_sweep_as_an_interrupt(tmp_path, monkeypatch):
    """Seen in test_interrupt: Ctrl-C while the sweep opened its catalog gave DuckDB's 'Query interrupted'
    traceback and exit 1; the sweep now reports it as an interrupt (the command exits 130 with one line)."""
    from immsim.sweeps import runner

    opened = Catalog.__init__

    def open_then_interrupted(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        self.close()
        _interrupted_statement()

    monkeypatch.setattr(runner.Catalog, "__init__", open_then_interrupted)
    spec = as_spec(write_spec(tmp_path))
    with pytest.raises(runner.SweepInterrupted, match="0 of 8 runs are saved"):
        runner.run_sweep(spec, tmp_path / "out", serial=True)


def test_the_command_line_guard_takes_duckdbs_interruption_for_ctrl_c():
    """Any command reading a catalog without the sweep's handlers: exit 130 with one line, not a traceback."""
    import typer

    from immsim.cli.common import guarded

    def other() -> None:
        raise RuntimeError("something else")

    with pytest.raises(typer.Exit) as e:
        guarded(_interrupted_statement)()
    assert e.value.exit_code == 130
    with pytest.raises(RuntimeError, match="something else"):
        guarded(other)()


def test_a_signal_inside_a_weak_reference_callback_is_kept_not_printed_and_stops_at_the_end(capfd):
    """Found by test_interrupt: SIGTERM as ``compare`` imported its report writer landed in importlib's module-lock
    callback, where Python prints "Exception ignored in" with a traceback and drops the exception; the command then
    exited 0. Now the signal is kept, nothing is printed, and the command stops when the handlers come off."""
    import gc
    import weakref

    from immsim.sweeps.signals import Interrupts

    class Thing:
        pass

    went_on, hook = [], sys.unraisablehook
    with pytest.raises(KeyboardInterrupt), Interrupts().installed():
        thing = Thing()
        ref = weakref.ref(thing, lambda _: signal.raise_signal(signal.SIGTERM))  # the handler raises in the callback
        del thing
        gc.collect()
        went_on.append(ref() is None)  # the callback's exception is dropped: the block goes on to its end
    assert went_on == [True]
    err = capfd.readouterr().err
    assert "Exception ignored" not in err and "Traceback" not in err, err
    assert sys.unraisablehook is hook  # and outside the handlers the hook is what it was
