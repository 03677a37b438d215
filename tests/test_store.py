"""Result directories: written atomically with ordinary permissions, read back exactly, no stale files."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

import immsim
from immsim.store import RESULT_FILES, load_result, save_result
from scenarios import make


@pytest.fixture(scope="module")
def result() -> immsim.Result:
    return immsim.simulate(make(), years=0.5, replications=2, seed=3)


def test_a_saved_result_reads_back_identical(result, tmp_path):
    save_result(result, tmp_path, report=False)
    assert load_result(tmp_path).fingerprint() == result.fingerprint()


def test_files_get_the_permissions_of_any_new_file(result, tmp_path):
    old = os.umask(0o022)
    try:
        save_result(result, tmp_path)
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert set(modes) <= set(RESULT_FILES) and modes["run.json"] == 0o644
    assert set(modes.values()) == {0o644}


def test_writing_never_touches_the_process_umask(result, tmp_path, monkeypatch):
    """Setting the umask, even for a moment, races with other threads (the web server's) creating files."""

    def forbidden(mask):
        raise AssertionError("os.umask called while writing a result")

    monkeypatch.setattr(os, "umask", forbidden)
    save_result(result, tmp_path)
    assert (tmp_path / "run.json").exists() and (tmp_path / "report.html").exists()


def test_a_result_written_over_another_leaves_none_of_its_files(result, tmp_path):
    with_pressure = immsim.Result(**{**result.__dict__, "federal_pressure": pd.DataFrame({"replication": [0]})})
    save_result(with_pressure, tmp_path, report=True)
    assert (tmp_path / "federal_pressure.csv").exists() and (tmp_path / "report.html").exists()
    save_result(result, tmp_path, report=False)
    assert not (tmp_path / "federal_pressure.csv").exists()
    assert not (tmp_path / "report.html").exists()
    assert load_result(tmp_path).federal_pressure.empty
