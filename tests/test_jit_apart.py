"""Functions compiled apart (``engine.jit.jit_apart``): called by name, found across processes, never a crash.

Each check runs a small module in fresh processes sharing one Numba cache, as
separate runs of the model do: the first compiles and saves, the next load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MODULE = """
import numpy as np
from immsim.engine.jit import jit, jit_apart

@jit_apart
def step(a, x):
    a[0] += x
    return twice(a[0]), np.full(2, x)

@jit_apart
def twice(v):  # compiled apart too, and defined after its caller: loads follow the calls, not this order
    return v * 2.0

@jit
def loop(a, n):
    s = 0.0
    for i in range(n):
        v, w = step(a, 1.0 + i)
        s += v + w.sum()
    return s
"""

RUN = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
if sys.argv[2:] == ["bump"]:  # compile something else first: Numba numbers each compile in a process
    from numba import njit
    njit(lambda x: x + 1)(1)
import apartmod as m
a = np.zeros(3)
out = {"value": m.loop(a, 5), "a0": a[0]}
out["loop"] = dict(hits=sum(m.loop.stats.cache_hits.values()), misses=sum(m.loop.stats.cache_misses.values()))
for f in ("step", "twice"):
    d = getattr(m, f)
    out[f] = dict(hits=sum(d.stats.cache_hits.values()), misses=sum(d.stats.cache_misses.values()))
sig = m.loop.signatures[0]
library = m.loop.overloads[sig].library
out["loop_defines_step"] = any(
    "4step" in f.name and not f.is_declaration for f in (library._shared_module or library._final_module).functions
)
print(json.dumps(out))
"""


def _run(folder: Path, cache: Path, *extra: str) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(folder), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def module(tmp_path: Path) -> Path:
    (tmp_path / "apartmod.py").write_text(textwrap.dedent(MODULE))
    return tmp_path


def _expected() -> float:
    a0, s = 0.0, 0.0
    for i in range(5):
        a0 += 1.0 + i
        s += a0 * 2.0 + 2 * (1.0 + i)
    return s


def test_a_function_compiled_apart_is_called_by_name_and_loaded_from_the_cache(module, tmp_path):
    cache = tmp_path / "cache"
    first = _run(module, cache)
    assert first["value"] == _expected() and first["a0"] == 15.0
    assert first["loop"]["misses"] == 1 and first["step"]["misses"] == 1
    assert not first["loop_defines_step"]  # declared in the caller's module, defined only in its own
    again = _run(module, cache)
    assert again["value"] == first["value"]
    assert again["loop"] == again["step"] == again["twice"] == {"hits": 1, "misses": 0}


def test_a_cached_caller_whose_callee_is_gone_is_compiled_again_not_a_crash(module, tmp_path):
    """The JIT's linker stops the process on a name it cannot resolve: the cache must see it first."""
    cache = tmp_path / "cache"
    _run(module, cache)
    removed = _files(cache, "step")
    assert removed
    for p in removed:
        p.unlink()
    after = _run(module, cache)
    assert after["value"] == _expected()
    assert after["loop"]["misses"] == 1 and after["step"]["misses"] == 1
    assert after["twice"] == {"hits": 1, "misses": 0}


def _files(cache: Path, function: str) -> list[Path]:
    return [p for p in cache.rglob("*") if p.is_file() and f".{function}-" in p.name]


def test_a_callee_compiled_again_elsewhere_keeps_its_name_for_cached_callers(module, tmp_path):
    """The same symbol in every process: a caller cached by one process runs with a callee another compiled,
    even where that process had compiled other functions first (Numba numbers them in each process)."""
    cache = tmp_path / "cache"
    _run(module, cache)
    first_loop = {p: p.read_bytes() for p in _files(cache, "loop")}
    for p in _files(cache, "step"):
        p.unlink()
    second = _run(module, cache, "bump")  # compiles step and, since step is gone, loop again
    assert second["step"]["misses"] == 1
    for p, data in first_loop.items():  # the first process's loop, which names the first process's step
        p.write_bytes(data)
    last = _run(module, cache)
    assert last["value"] == _expected()
    assert last["loop"] == last["step"] == last["twice"] == {"hits": 1, "misses": 0}
