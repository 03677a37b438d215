"""Running the suite on several processes (pytest-xdist), as ``scripts/test.sh`` and CI do.

Why: the whole suite, slow tests included, is about ten minutes of CPU; on one
process it took 13 minutes on a 2-core machine, with one core idle. With
``-n auto --dist loadgroup`` (``scripts/test.sh``) it runs on every core, and
this file makes that efficient without changing any test:

* Kernels compiled once, from the start. On an empty Numba cache (a fresh
  clone, CI) the controller starts one process that compiles the simulation
  kernels and the network engine as the session starts, while the workers
  collect and run tests that need no kernels. A worker that needs the kernels
  meanwhile waits for that compile (``immsim._cache.compiling``) and loads
  them, instead of compiling them a second time.
* Groups. Tests that use a module-scoped fixture (a shared simulation, a
  server, a Dask cluster, a reference run) go to one worker together, so the
  fixture is made once, as in a serial run. Other tests are scheduled one by
  one, wherever a worker is free. The groups do not rely on xdist's own
  ``xdist_group`` mark, which since pytest 9.2 no longer reaches the
  scheduler (xdist 3.8 writes the group into ``item._nodeid``, which pytest
  9.2 does not read: every test was scheduled alone, and a module's fixture
  was made on each worker that ran one of its tests, the back-test twice). Each
  worker writes the groups it collected to a file the controller names
  (``pytest_configure_node``), and the controller's scheduler
  (``pytest_xdist_make_scheduler``) reads them; tests/test_scheduling.py
  checks that a group's fixture is made once.
* Unique node ids. xdist schedules by node id; items that share one (the web
  API's schema tests, made by schemathesis) get their parameters in it, and a
  run whose ids are still shared stops with a message (``_unique_ids``).
* Order. Long tests that need no kernels (``KERNEL_FREE``: the fuzzers) go
  first, to keep the workers busy while the kernels compile; then units of
  work are handed out longest first (``LONG``: measured CPU seconds, a
  scheduling hint only), so that the last ones are short and no worker waits
  long for the other at the end. xdist's own reordering (by number of tests)
  is turned off in ``scripts/test.sh``.

Without ``-n`` (a plain ``pytest``) none of this applies and tests run in file
order, as before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Compiles what most tests need: the simulation kernels (under the compile lock) and the network engine.
WARM_UP = """
import immsim
from immsim.validation.network import Network, simulate_network
immsim.simulate({reference!r}, years=0.05)
simulate_network(Network(servers=[5], service_mean=[[1.0]], arrival_rate=[[4.5]]), 2000, seed=1, warmup=100)
simulate_network(Network(servers=[2], service_mean=[[1.0]], arrival_rate=[[1.0]], capacity=[2]), 2000, seed=1)
""".format(reference=str(ROOT / "tests" / "data" / "reference.yaml"))

#: Module-scoped fixtures that are cheap and only collect or print figures: they do not tie a module's tests together.
LIGHT_FIXTURES = {"_report", "tally", "reform_dir", "bytes_dir"}

#: Units of work known to be long (seconds, measured on a 2-core machine: ``pytest -n 2 --durations=0``,
#: 2026-12-01): node id prefix -> seconds; a module's entry is the whole of its group. Only the order in which
#: units are handed out depends on it; a stale entry costs balance, nothing else.
LONG = {
    "tests/test_interrupt.py": 105,
    "tests/test_abc.py::test_the_posterior_covers_the_true_parameters": 95,
    "tests/test_abc.py::test_the_command_writes_an_ensemble_and_a_report_and_resumes": 16,
    "tests/test_docs.py::test_the_validation_page_is_what_its_command_writes": 99,
    "tests/test_cli.py": 16,
    "tests/test_fuzz.py::test_mutated_us_2017": 45,
    "tests/test_fuzz.py::test_mutated_synthetic_scenarios": 54,
    "tests/test_fuzz.py::test_odd_bytes_and_yaml": 55,
    "tests/test_peer.py": 20,
    "tests/test_docs.py::test_the_sanctuary_page_is_what_its_command_writes": 35,
    "tests/test_sweep.py": 21,
    "tests/test_web_load.py::test_fifty_clients_for_a_minute": 67,
    "tests/test_manual.py::test_python_examples_run[README.md:161]": 20,
    "tests/test_manual.py::test_python_examples_run[docs/uncertainty.md:63]": 15,
    "tests/test_manual.py::test_python_examples_run[docs/sweeps.md:27]": 9,
    "tests/test_forward.py": 18,
    "tests/test_backtest.py": 7,
    "tests/test_queueing.py": 25,
    "tests/test_fuzz.py::test_reforms": 14,
    "tests/test_fuzz.py::test_dates_series_and_events": 19,
    "tests/test_fuzz.py::test_priors": 9,
    "tests/test_web_browser.py": 40,
    "tests/test_model_peer.py": 10,
    "tests/test_scale.py": 18,
    "tests/test_crossval.py": 8,
    "tests/test_report.py": 10,
    "tests/test_default_scenario.py": 7,
    "tests/test_extras.py": 6,
    "tests/test_determinism.py": 6,
    "tests/test_scheduling.py": 14,
}

#: Long tests that never call the kernels (node id prefixes): they run while the kernels compile.
KERNEL_FREE = (
    "tests/test_fuzz.py::test_mutated_us_2017",
    "tests/test_fuzz.py::test_mutated_synthetic_scenarios",
    "tests/test_fuzz.py::test_odd_bytes_and_yaml",
    "tests/test_fuzz.py::test_reforms",
    "tests/test_fuzz.py::test_dates_series_and_events",
)

_warm_up: subprocess.Popen | None = None

#: The file in which workers leave their groups for the controller: node id -> group name.
_GROUPS_FILE = pytest.StashKey[Path]()
_GROUPS_INPUT = "immsim_groups_file"  # its name in each worker's ``workerinput``


def _distributing(config: pytest.Config) -> bool:
    """This process is xdist's controller, handing tests to worker processes."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """In the controller, before the workers start: compile the kernels in a process of their own."""
    global _warm_up
    if _distributing(session.config):
        _warm_up = subprocess.Popen([sys.executable, "-c", WARM_UP], cwd=ROOT)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _warm_up is not None and _warm_up.poll() is None:
        _warm_up.wait()


def pytest_configure(config: pytest.Config) -> None:
    """In the controller: name the file the workers will write their groups to."""
    if _distributing(config):
        fd, name = tempfile.mkstemp(prefix="immsim-test-groups-", suffix=".json")
        os.close(fd)
        config.stash[_GROUPS_FILE] = Path(name)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _GROUPS_FILE in config.stash:
        config.stash[_GROUPS_FILE].unlink(missing_ok=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # noqa: ANN001 (xdist's WorkerController)
    """In the controller, for each worker: where to write its groups."""
    if _GROUPS_FILE in node.config.stash:
        node.workerinput[_GROUPS_INPUT] = str(node.config.stash[_GROUPS_FILE])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):  # noqa: ANN001, ANN201 (xdist's types)
    """``--dist loadgroup``: xdist's group scheduler, with the groups the workers wrote (see the docstring)."""
    if config.getvalue("dist") != "loadgroup" or _GROUPS_FILE not in config.stash:
        return None
    from xdist.scheduler import LoadGroupScheduling

    path = config.stash[_GROUPS_FILE]

    class WrittenGroups(LoadGroupScheduling):
        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:  # read once: the workers wrote it while collecting, before they reported
                self.groups = json.loads(path.read_text() or "{}")
            return self.groups.get(nodeid) or super()._split_scope(nodeid)

    return WrittenGroups(config, log)


def _write_groups(config: pytest.Config, groups: dict[str, str]) -> None:
    """In a worker: write ``groups`` whole (every worker collects the same tests, so any one's file will do)."""
    target = Path(config.workerinput[_GROUPS_INPUT])
    tmp = target.with_name(f"{target.name}.{config.workerinput['workerid']}")
    tmp.write_text(json.dumps(groups))
    os.replace(tmp, target)


def _module_fixtures(item: pytest.Item) -> set[str]:
    """Module-scoped fixtures ``item`` uses, but for the light ones."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    return {
        name
        for name, defs in info.name2fixturedefs.items()
        if defs and defs[-1].scope == "module" and name not in LIGHT_FIXTURES
    }


def _cost(node: str) -> float:
    return max((s for prefix, s in LONG.items() if node.startswith(prefix)), default=0.0)


def _priority(unit: str, items: list[pytest.Item]) -> tuple[bool, float]:
    """Sort key: kernel-free long tests first, then the longest units (a group without an entry of its own
    costs what its tests' entries add up to)."""
    cost = _cost(unit) or sum(_cost(item.nodeid) for item in items)
    return (not unit.startswith(KERNEL_FREE), -cost)


def _unique_ids(items: list[pytest.Item]) -> None:
    """Give items that share a node id their name's parameters in it; fail the run if any id is still shared.

    Why: schemathesis makes one item per API operation, named ``test[GET /api/runs]``, with the bare function
    name as ``originalname`` and no ``callspec``, and pytest 9.2 builds an item's node id from those two: all
    twelve operations of tests/test_web_schema.py had one id. xdist schedules by node id, so on several workers
    one of them ran and eleven were silently left out (``744 items``, ``733 passed``).
    """
    counts = Counter(item.nodeid for item in items)
    for item in items:
        name, original = item.name, getattr(item, "originalname", item.name)
        if counts[item.nodeid] > 1 and name.startswith(f"{original}[") and name.endswith("]"):
            item._id = item.parent.id.child(original).with_params(name[len(original) + 1 : -1])
    shared = sorted(nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1)
    if shared:
        raise pytest.UsageError(f"tests share a node id, so several workers would run one of them: {shared}")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests that share a module fixture, and put the long units of work first (see the docstring)."""
    _unique_ids(items)
    if not getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        return
    units: dict[str, list[pytest.Item]] = {}
    groups: dict[str, str] = {}
    for item in items:
        module = item.nodeid.split("::")[0]
        if _module_fixtures(item):
            groups[item.nodeid] = module.replace("/", "-")
            unit = module
        else:
            unit = item.nodeid
        units.setdefault(unit, []).append(item)
    order = sorted(units, key=lambda unit: _priority(unit, units[unit]))  # stable: equal keys keep their order
    items[:] = [item for unit in order for item in units[unit]]
    if _GROUPS_INPUT in getattr(config, "workerinput", {}):
        _write_groups(config, groups)
