"""Compile time and a warm national decade, this code against an older commit: ``python benchmarks/bench_speed.py``.

Usage::

    python benchmarks/bench_speed.py [--baseline e15b273] [--years 10] [--rounds 2]

What it measures, for this checkout and for ``--baseline`` (a commit checked
out beside it with ``git worktree``, run by the same Python and packages with
its own ``src`` first on the path), each in fresh child processes:

- **cold compile**: ``immsim.simulate("us-2017", years=0.01)`` on an empty
  Numba cache (a new temporary ``NUMBA_CACHE_DIR``): what the first run of a
  version waits for, almost all of it compiling the kernels; its CPU time
  includes the helper process that compiles on a second core
  (engine/precompile.py), which the child waits for before it exits;
- **warm decade**: one replication of ``--years`` of us-2017 (each commit's
  own us-2017) in a process whose kernels load from that cache: CPU, wall and
  peak memory (max RSS).

Why a baseline checked out beside it rather than a stored figure: the
machines are shared and noisy, so a time means something only next to another
taken in the same run. Runs of the two codes alternate (best of ``--rounds``),
and a fixed NumPy workload of the kernels' kind (``bench_scale.reference_seconds``:
scattered reads of a large table) timed at the start and the end gives each
figure as a multiple of the machine's speed at the time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import reference_seconds  # the same fixed workload (this script's folder is on the path)

ROOT = Path(__file__).resolve().parents[1]
COLD = "import immsim; immsim.simulate('us-2017', years=0.01, seed=1)"


def _child(years: float) -> None:
    """Run in a child: one warm replication of ``years`` of us-2017 (kernels loaded by a first short run)."""
    import immsim

    immsim.simulate("us-2017", years=0.01, seed=1)
    wall, cpu = time.perf_counter(), time.process_time()
    immsim.simulate("us-2017", years=years, seed=1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mib": peak}))


def _run(src: Path, args: list[str], cache: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of a child process on ``src``'s code, and its last line of output."""
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": cache}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=src.parent)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"child on {src} failed:\n{out.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def measure(src: Path, years: float, cache: str) -> dict:
    """One round on ``src``: a cold compile into the empty ``cache``, then a warm decade loading from it."""
    cold_wall, cold_cpu, _ = _run(src, ["-c", COLD], cache)
    _, _, line = _run(src, [str(Path(__file__).resolve()), "--child", "--years", str(years)], cache)
    warm = json.loads(line)
    return {"cold_wall": cold_wall, "cold_cpu": cold_cpu, **{f"warm_{k}": v for k, v in warm.items()}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="e15b273", help="commit to compare with (default: the code of issue 13)")
    ap.add_argument("--years", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.years)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.baseline], check=True)
        try:
            ref0 = reference_seconds()
            runs: dict[str, list[dict]] = {"this": [], "baseline": []}
            for r in range(args.rounds):
                for kind in ("this", "baseline") if r % 2 == 0 else ("baseline", "this"):
                    src = (ROOT if kind == "this" else base) / "src"
                    with tempfile.TemporaryDirectory() as cache:
                        runs[kind].append(measure(src, args.years, cache))
            ref = min(ref0, reference_seconds())
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
    report(runs, ref, args)
    return 0


def report(runs: dict[str, list[dict]], ref: float, args: argparse.Namespace) -> None:
    best = {k: {m: min(r[m] for r in v) for m in v[0]} for k, v in runs.items()}
    this, base = best["this"], best["baseline"]
    print(
        f"this checkout against {args.baseline}; best of {args.rounds} alternating rounds; reference workload "
        f"{ref:.2f} s (30 million reads at random places in a 200 MB table)"
    )
    print(f"| figure | {args.baseline} | this | baseline / this | this / reference |")
    print("|---|---:|---:|---:|---:|")
    rows = [
        ("cold compile, wall (s)", "cold_wall"),
        ("cold compile, CPU of every process (s)", "cold_cpu"),
        (f"warm {args.years:g} years, wall (s)", "warm_wall"),
        (f"warm {args.years:g} years, CPU (s)", "warm_cpu"),
    ]
    for label, key in rows:
        print(f"| {label} | {base[key]:.1f} | {this[key]:.1f} | {base[key] / this[key]:.2f} | {this[key] / ref:.1f} |")
    print(
        f"| warm run, peak memory (MiB) | {base['warm_peak_mib']:.0f} | {this['warm_peak_mib']:.0f} | "
        f"{base['warm_peak_mib'] / this['warm_peak_mib']:.2f} | |"
    )


if __name__ == "__main__":
    sys.exit(main())
