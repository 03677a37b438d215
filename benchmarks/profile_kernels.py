"""Where a warm run of the compiled kernels spends its time, by function (Linux ``perf``).

Usage::

    python benchmarks/profile_kernels.py [--scenario us-2017] [--counties] [--years 4] [--top 30]

Why a script: ``perf`` sees compiled Numba code only as anonymous addresses.
This script compiles the kernels in its own process (an empty, temporary
Numba cache, so each function's machine code is at hand; about a minute),
writes ``/tmp/perf-<pid>.map`` naming the address range of every compiled
function, then runs ``perf record`` on itself while it simulates, and prints
each function's share of the samples (self time), with the names shortened
from Numba's mangled form (``immsim.model.jails.release``). Shares are
fractions of one run, so they need no reference workload; the machine's other
load only thins the samples.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _perf_map(path: Path) -> int:
    """Write the address range of every function of every compiled dispatcher; returns how many."""
    from numba.core.registry import CPUDispatcher

    entries = set()
    for obj in gc.get_objects():
        if not isinstance(obj, CPUDispatcher):
            continue
        for cres in obj.overloads.values():
            lib = cres.library
            module = getattr(lib, "_final_module", None)
            if module is None:  # loaded from a cache: no symbols (this script compiles afresh)
                continue
            for fn in module.functions:
                if not fn.is_declaration:
                    address = lib.get_pointer_to_function(fn.name)
                    if address:
                        entries.add((address, fn.name))
    ordered = sorted(entries)
    with path.open("w") as f:
        for i, (address, name) in enumerate(ordered):
            size = ordered[i + 1][0] - address if i + 1 < len(ordered) else 4096
            f.write(f"{address:x} {size:x} {name}\n")
    return len(ordered)


def _demangle(symbol: str) -> str:
    """``_ZN6immsim5model5jails7releaseB3v..`` -> ``immsim.model.jails.release`` (Itanium-style name parts)."""
    if not symbol.startswith("_ZN"):
        return symbol[:60]
    parts, i = [], 3
    while i < len(symbol) and symbol[i].isdigit():
        j = i
        while symbol[j].isdigit():
            j += 1
        n = int(symbol[i:j])
        parts.append(symbol[j : j + n])
        i = j + n
    return ".".join(parts).replace("_3clocals_3e", "<locals>")


def _shares(data: Path) -> list[tuple[float, str]]:
    """Self-time share per function from ``perf report``, names demangled and merged."""
    out = subprocess.run(
        ["perf", "report", "-i", str(data), "--no-children", "--sort", "sym", "-g", "none", "--stdio"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    shares: dict[str, float] = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+\[\.\]\s+(\S+)", line)
        if m:
            name = _demangle(m.group(2))
            shares[name] = shares.get(name, 0.0) + float(m.group(1))
    return sorted(((v, k) for k, v in shares.items()), reverse=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="us-2017")
    ap.add_argument("--years", type=float, default=4.0)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--counties", action="store_true", help="the scenario split into its 3,143 counties")
    args = ap.parse_args()
    if shutil.which("perf") is None:
        sys.exit("perf is not installed (Debian: linux-perf)")
    cache = tempfile.mkdtemp(prefix="immsim-profile-")
    os.environ["NUMBA_CACHE_DIR"] = cache  # before immsim configures its own: compile here, keep the symbols
    import immsim
    from immsim.scenario.scale import split_counties

    scenario = immsim.load_scenario(args.scenario)
    if args.counties:
        scenario = split_counties(scenario)
    t = time.perf_counter()
    immsim.simulate(scenario, years=0.02, seed=1)  # compiles every kernel in this process
    print(f"compiled in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    n = _perf_map(Path(f"/tmp/perf-{os.getpid()}.map"))
    data = Path(cache) / "perf.data"
    perf = subprocess.Popen(
        ["perf", "record", "-F", "999", "-g", "-p", str(os.getpid()), "-o", str(data)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # perf attaches
    t = time.perf_counter()
    immsim.simulate(scenario, years=args.years, seed=1)
    seconds = time.perf_counter() - t
    perf.send_signal(2)
    perf.wait()
    rows = _shares(data)
    label = f"{scenario.name} (counties)" if args.counties else scenario.name
    print(f"{label}, {args.years:g} years, {seconds:.1f} s wall; {n} compiled functions mapped")
    print("| self % | function |\n|---:|---|")
    for share, name in rows[: args.top]:
        print(f"| {share:.1f} | `{name}` |")
    shutil.rmtree(cache, ignore_errors=True)
    Path(f"/tmp/perf-{os.getpid()}.map").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
