"""The helper process that compiles kernels' helpers on a second core (engine/precompile.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from numba.core import caching, types

import immsim.engine
import immsim.model
from immsim.engine import precompile
from immsim.engine.bundle import BundleType
from immsim.engine.jit import _WideDispatcher


def test_shipped_list_names_the_kernels_helpers_with_their_arguments():
    """A stale list only slows a cold start, so nothing else would notice it: run tools/compile_order.py."""
    entries = precompile.read_order()
    assert len(entries) >= 90
    names = [(m, q) for m, q, _ in entries]
    assert len(set(names)) == len(names)
    bundles = set()
    for module, qualname, args in entries:
        disp = getattr(importlib.import_module(module), qualname)
        assert isinstance(disp, _WideDispatcher), f"{module}.{qualname} is not a kernel helper"
        assert len(args) == len(inspect.signature(disp.py_func).parameters), f"{module}.{qualname}: arguments"
        bundles |= {a for a in args if isinstance(a, str)}
    # every bundle the kernels take, and only those, by the name of its named tuple
    assert bundles == {f"bundle:{n}" for n in ("Inputs", "Params", "People", "Tally", "Calendar", "Court")}
    # callees before callers: the entry points are not listed, and a helper's callees come before it
    assert ("immsim.model.kernel", "run_days") not in names
    assert names.index(("immsim.engine.rng", "_splitmix64")) < names.index(("immsim.engine.rng", "reseed"))


def test_every_compiled_helper_of_the_engine_and_model_is_listed():
    """A helper added since the list was written would compile in one process only: run tools/compile_order.py."""
    listed = {(m, q) for m, q, _ in precompile.read_order()}
    entry_points = {("immsim.model.kernel", "run_days"), ("immsim.model.initial", "initialize")}
    for pkg in (immsim.engine, immsim.model):
        for info in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            for obj in vars(module).values():
                if not isinstance(obj, _WideDispatcher) or obj.py_func.__module__ != module.__name__:
                    continue
                key = (module.__name__, obj.py_func.__qualname__)
                assert key in listed or key in entry_points, f"{key} is not in the list"


def test_bundles_named_in_the_list_become_todays_types():
    today = BundleType("People", ("state",), (types.int8[::1],))
    args = ("bundle:People", types.int64, ("bundle:People", types.float64))
    current = tuple(precompile._current(a, {"People": today}) for a in args)
    assert current[0] is today and current[1] == types.int64
    assert current[2] == types.Tuple((today, types.float64))


def _index(tmp_path: Path) -> caching.IndexDataCacheFile:
    return caching.IndexDataCacheFile(cache_path=str(tmp_path), filename_base="f", source_stamp=(1.0, 2))


def test_the_helper_never_replaces_what_the_model_saved(tmp_path):
    ours, numbas = _index(tmp_path), _index(tmp_path)
    numbas.save("model key", "model code")
    precompile._save_without_replacing(ours, "helper key", "helper code")
    assert numbas.load("model key") == "model code"
    assert numbas.load("helper key") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.1.nbc", "f.nbi"]  # no file of the helper left


def test_what_the_helper_saved_is_loaded_and_extended_by_numba(tmp_path):
    precompile._save_without_replacing(_index(tmp_path), "helper key", "helper code")
    numbas = _index(tmp_path)
    assert numbas.load("helper key") == "helper code"
    numbas.save("model key", "model code")  # another signature: Numba picks another data file
    assert numbas.load("helper key") == "helper code"
    assert numbas.load("model key") == "model code"


def test_the_helper_leaves_a_data_file_being_saved_alone(tmp_path):
    """The model's process writes the index, then the data: a data file without an index is its save under way."""
    (tmp_path / "f.1.nbc").write_bytes(b"the model's")
    precompile._save_without_replacing(_index(tmp_path), "helper key", "helper code")
    assert (tmp_path / "f.1.nbc").read_bytes() == b"the model's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.1.nbc"]


def test_helper_process_compiles_listed_helpers_into_the_cache_and_a_new_process_loads_them(tmp_path, monkeypatch):
    entries = [
        ("immsim.engine.rng", "_splitmix64", (types.uint64,)),
        ("immsim.engine.rng", "stream_seed", (types.int64, types.int64, types.int64)),
        ("immsim.engine.rng", "no_such_helper", (types.int64,)),  # a stale entry is skipped
    ]
    first = [("immsim.engine.rng", "reseed", (types.int64, types.int64, types.int64))]  # before the list
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert precompile.start_helper({}, entries, first).wait(timeout=300) == 0
    assert len(list(tmp_path.rglob("*rng*.nbi"))) == 3
    code = (
        "from numba.core import types; from immsim.engine import rng; "
        "rng.stream_seed.compile((types.int64,) * 3); "
        "print(sum(rng.stream_seed.stats.cache_hits.values()), sum(rng.stream_seed.stats.cache_misses.values()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "0"]


@pytest.mark.skipif(precompile._cores() < 2, reason="the helper only runs with a second core")
def test_helper_is_stopped_when_the_compile_ends(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    started = []
    real = precompile.start_helper

    def start(bundles, entries, first=None):
        started.append(real(bundles, entries, first))
        return started[-1]

    monkeypatch.setattr(precompile, "start_helper", start)
    with precompile.helping([]):
        pass
    assert len(started) == 1
    deadline = time.monotonic() + 60
    while started[0].poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert started[0].returncode is not None
    precompile._reap(started[0])  # as at exit: a helper stopped before it read its job leaves the file to this
    assert not Path(started[0].args[-1]).exists()
