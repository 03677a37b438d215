"""Determinism: the same scenario and seed give identical results, however and wherever they run.

``REFERENCE`` is the fingerprint (``Result.fingerprint``: SHA-256 of every
value of the result) of the frozen scenario ``tests/data/reference.yaml``,
one year, two replications, seed 7. A change that alters results makes the
first test fail: if the change is meant to alter results, explain why in the
commit and update the fingerprint (the failure message prints the new one).
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import immsim
from immsim.cli import app
from immsim.store import load_result

REFERENCE_FILE = Path(__file__).parent / "data" / "reference.yaml"
OPTIONS = {"years": 1, "replications": 2, "seed": 7}
REFERENCE = "d1eb1d93ca48d5a278f58c94d71dc33bd884542f5f1ccb20570c48883f13ff7f"


@pytest.fixture(scope="module")
def reference() -> immsim.Result:
    return immsim.simulate(immsim.load_scenario(REFERENCE_FILE), **OPTIONS)


def test_the_reference_run_has_its_stored_fingerprint(reference):
    assert reference.fingerprint() == REFERENCE, (
        f"results changed: the reference run's fingerprint is now {reference.fingerprint()}; "
        "if the change is meant to alter results, say why in the commit and update REFERENCE"
    )


def test_the_fingerprint_sees_a_one_unit_change(reference):
    changed = immsim.Result(**{**reference.__dict__, "monthly": reference.monthly.copy()})
    changed.monthly.loc[changed.monthly.index[-1], "bookings"] += 1
    assert changed.fingerprint() != REFERENCE


def _in_subprocess(hash_seed: str) -> str:
    code = (
        "import immsim; "
        f"r = immsim.simulate(immsim.load_scenario({str(REFERENCE_FILE)!r}), years=1, replications=2, seed=7); "
        "print(r.fingerprint())"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_separate_processes_with_different_hash_seeds_agree():
    assert [_in_subprocess("0"), _in_subprocess("12345")] == [REFERENCE, REFERENCE]


def test_the_command_line_writes_the_same_result(tmp_path):
    args = ["run", str(REFERENCE_FILE), "--years", "1", "--replications", "2", "--seed", "7"]
    out = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out"), "--no-report"])
    assert out.exit_code == 0, out.output
    assert load_result(tmp_path / "out").fingerprint() == REFERENCE


def _replication(result: immsim.Result, r: int) -> list[pd.DataFrame]:
    """Replication ``r`` of a result, renumbered 0, so that it compares with a run of seed + r alone."""
    frames = []
    for frame in (result.monthly, result.national, result.fiscal_years):
        one = frame[frame.replication == r].assign(replication=0).reset_index(drop=True)
        frames.append(one)
    return frames


def _assert_same(a: list[pd.DataFrame], b: list[pd.DataFrame]) -> None:
    for x, y in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def _alone(seed: int) -> immsim.Result:
    return immsim.simulate(immsim.load_scenario(REFERENCE_FILE), years=1, replications=1, seed=seed)


def test_a_replication_is_the_same_alone_and_in_parallel_threads(reference):
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_alone, [7, 8]))
    for r, alone in enumerate(results):
        _assert_same(_replication(reference, r), _replication(alone, 0))


@pytest.mark.slow
def test_replications_on_dask_workers_match_the_serial_run(reference):
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        results = client.gather(client.map(_alone, [7, 8], pure=False))
    for r, alone in enumerate(results):
        _assert_same(_replication(reference, r), _replication(alone, 0))
