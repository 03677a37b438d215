"""The suite's own scheduling on several processes (tests/conftest.py): a module's shared fixture is made once.

A regression test: with pytest 9.2 and pytest-xdist 3.8, xdist's ``xdist_group``
mark stopped reaching its scheduler, so each test of a module with a shared
simulation was scheduled alone and the simulation was run again on every
worker, and again whenever a worker came back to the module. This runs a small
suite through the same conftest, on two workers, and counts the fixture's setups.

A second one: items that share a node id (schemathesis's, under pytest 9.2) were
scheduled as one, so eleven of the web API's twelve schema tests never ran on
several workers; the conftest now gives each its own id.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("xdist")

TESTS = Path(__file__).resolve().parent

SHARED = """
import os, time
import pytest

@pytest.fixture(scope="module")
def shared():
    with open(os.environ["SETUPS"], "a") as f:
        f.write("shared\\n")
    return 1

@pytest.mark.parametrize("i", range(6))
def test_uses_shared(shared, i):
    time.sleep(0.2)
"""

ALONE = """
import time
import pytest

@pytest.mark.parametrize("i", range(6))
def test_alone(i):
    time.sleep(0.2)
"""


def _two_workers(folder: Path, env: dict[str, str], plugins: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run the tests in ``folder`` on two workers through the suite's conftest, loaded as a plugin
    (``-p conftest``), the way scripts/test.sh distributes the suite; the run must pass."""
    env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(TESTS), str(folder)])}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", *plugins, "-p", "no:cacheprovider", "-n", "2"]
        + ["--dist", "loadgroup", "--no-loadscope-reorder", "-v", str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_tests_sharing_a_module_fixture_run_on_one_worker_and_make_it_once(tmp_path):
    (tmp_path / "test_shared.py").write_text(SHARED)
    (tmp_path / "test_alone.py").write_text(ALONE)
    setups = tmp_path / "setups.txt"
    proc = _two_workers(tmp_path, {"SETUPS": str(setups)})
    assert "12 passed" in proc.stdout, proc.stdout
    assert setups.read_text().splitlines() == ["shared"], proc.stdout
    # the six tests of the shared module ran on one worker, the others wherever a worker was free
    ran = [line.split()[0] for line in proc.stdout.splitlines() if line.startswith("[gw") and "PASSED" in line]
    on = [line.split()[0] for line in proc.stdout.splitlines() if line.startswith("[gw") and "test_uses_shared" in line]
    assert len(ran) == 12 and len(on) == 6 and len(set(on)) == 1, proc.stdout


#: A plugin that makes items the way schemathesis does: one per case, named ``test_case[...]``, with the bare
#: function name as ``originalname`` and no ``callspec`` (pytest 9.2 then gives them all one node id).
LIKE_SCHEMATHESIS = """
import pytest

def pytest_pycollect_makeitem(collector, name, obj):
    if name == "test_case":
        return [
            pytest.Function.from_parent(collector, name=f"test_case[{label}]", originalname="test_case", callobj=obj)
            for label in ("GET /a", "POST /a", "GET /a/{id}")
        ]
"""

CASES = """
import os

def test_case():
    with open(os.environ["RUNS"], "a") as f:
        f.write("ran\\n")
"""


def test_items_sharing_a_node_id_all_run_on_several_workers(tmp_path):
    """xdist schedules by node id: three items with one id ran once on two workers before conftest's fix."""
    (tmp_path / "like_schemathesis.py").write_text(LIKE_SCHEMATHESIS)
    (tmp_path / "test_cases.py").write_text(CASES)
    runs = tmp_path / "runs.txt"
    proc = _two_workers(tmp_path, {"RUNS": str(runs)}, ("-p", "like_schemathesis"))
    assert "3 passed" in proc.stdout and "test_case[GET /a/{id}]" in proc.stdout, proc.stdout
    assert runs.read_text().splitlines() == ["ran"] * 3
