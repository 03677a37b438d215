"""Write src/immsim/engine/compile_order.pkl: the helpers a cold compile of the kernels reaches, in order.

Usage::

    python tools/compile_order.py

Compiles the kernels into an empty, temporary Numba cache (about half a minute) with no helper process, so
that every helper is compiled here and noted (``immsim.engine.precompile``). Run it again when helpers are
added, renamed or change their arguments; a stale list only makes a cold start slower, never a result
different (tests/test_precompile.py checks that the list names the kernels' helpers).

A cold start compiles ``run_days`` first, then ``initialize``; the helper process works through the list from
its end, then compiles ``initialize``. So ``run_days``'s helpers, in order, end the list, and the helpers only
``initialize`` needs come first: the helper process reaches them last, just before ``initialize`` itself.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

cache = tempfile.mkdtemp(prefix="immsim-compile-order-")
os.environ["NUMBA_CACHE_DIR"] = cache

from immsim.engine import precompile  # noqa: E402 (after the cache folder is chosen)

target = precompile.ORDER_FILE
precompile.ORDER_FILE = Path(cache) / "none"  # no helper process: every helper compiles in this one

import immsim  # noqa: E402
import immsim.simulation as sim  # noqa: E402

run_days, for_run_days = sim.run_days, []


def noting_run_days(*args):  # noqa: ANN002, ANN202 (the kernel's arguments, passed on)
    """``run_days``, noting how many helpers had been compiled when it first returned."""
    out = run_days(*args)
    if not for_run_days:
        for_run_days.append(len(precompile._recorded))
    return out


sim.run_days = noting_run_days
try:
    immsim.simulate("us-2017", years=0.01)
    compiled = list(precompile._recorded.items())
    precompile._recorded.clear()  # written with initialize's own helpers first (see above)
    precompile._recorded.update(compiled[for_run_days[0] :] + compiled[: for_run_days[0]])
    n = precompile.write_order(target)
finally:
    shutil.rmtree(cache, ignore_errors=True)
print(f"{target}: {n} helpers, {target.stat().st_size:,} bytes")
