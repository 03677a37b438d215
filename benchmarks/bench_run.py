"""Time and memory of the default scenario: ``python benchmarks/bench_run.py``.

Runs ``immsim run us-2017 --years 10`` (one replication) in a fresh process,
twice: the first may compile the Numba kernels, the second uses the on-disk
cache. Prints wall time and peak memory (max RSS of the child) of each, and,
because this machine is shared and noisy, the ratio of each wall time to a
fixed NumPy reference workload timed in the same invocation.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GOAL_SECONDS = 60.0
GOAL_GIB = 4.0


def reference_seconds() -> float:
    """A fixed CPU workload (sort 20 million floats, 3 times), best of 3."""
    rng = np.random.default_rng(0)
    x = rng.random(20_000_000)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(3):
            np.sort(x)
        best = min(best, time.perf_counter() - t)
    return best


def run_child(years: int, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB) of one `immsim run` in a child process."""
    cmd = [
        sys.executable,
        "-m",
        "immsim.cli",
        "run",
        "us-2017",
        "--years",
        str(years),
        "--out",
        str(out),
        "--no-report",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024**2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=10)
    args = ap.parse_args()
    ref = reference_seconds()
    print(f"reference workload: {ref:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for label in ("first run (may compile)", "second run (cached)"):
            wall, gib = run_child(args.years, Path(tmp) / "out")
            ok = "meets" if wall < GOAL_SECONDS and gib < GOAL_GIB else "MISSES"
            print(
                f"{label}: us-2017, {args.years} years, 1 replication: {wall:.1f} s wall "
                f"({wall / ref:.1f} x reference), peak memory {gib:.2f} GiB; {ok} the goal "
                f"(< {GOAL_SECONDS:.0f} s, < {GOAL_GIB:.0f} GiB)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
