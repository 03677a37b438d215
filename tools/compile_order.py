"""Write src/immsim/engine/compile_order.pkl: the helpers a cold compile of the kernels reaches, in order.

Usage::

    python tools/compile_order.py

Compiles the kernels into an empty, temporary Numba cache (about half a minute) with no helper process, so
that every helper is compiled here and noted (``immsim.engine.precompile``). Run it again when helpers are
added, renamed or change their arguments; a stale list only makes a cold start slower, never a result
different (tests/test_precompile.py checks that the list names the kernels' helpers).

The list is in the order the compiles ended here (callees before callers): ``run_days``'s helpers, then those
only ``initialize`` needs. A cold start's helper process compiles ``initialize`` first and then works through
the list from its end, where it finds those already compiled.
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

try:
    immsim.simulate("us-2017", years=0.01)
    n = precompile.write_order(target)
finally:
    shutil.rmtree(cache, ignore_errors=True)
print(f"{target}: {n} helpers, {target.stat().st_size:,} bytes")
