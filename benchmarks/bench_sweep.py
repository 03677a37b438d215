"""Speed-up of a sweep on a local Dask cluster of two workers against one.

Runs the same sweep (us-2017, a 3 x 2 grid of judges and officers, R
replications of one year) twice in this invocation, on a LocalCluster of one
worker process and then of two, each into a fresh catalog; checks that the two
catalogs hold identical results; and prints wall times and the ratio. The
goal on a two-core machine is a ratio of at least 1.7.

Wall time includes starting the cluster and storing every run, as a user
sees it; the kernels are compiled once beforehand so neither side pays for it.

    .venv/bin/python benchmarks/bench_sweep.py [--replications 3] [--years 1] [--markdown docs/sweeps.md]

With ``--markdown``, the figures (and when and where they were measured) are saved beside the page
(``sweeps.figures.json``) and written into its generated block (``page_blocks``); tests/test_docs.py checks
that the committed page is what ``render`` makes of the committed figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd
from page_blocks import replace

from immsim.catalog import Catalog
from immsim.sweeps.design import runs
from immsim.sweeps.runner import run_sweep, warm_cache
from immsim.sweeps.spec import spec_from_dict

GOAL = 1.7


def content(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """A catalog's rows (without creation times and compute times), figures and series."""
    with Catalog(out) as cat:
        rows = cat.runs().drop(columns=["created", "seconds"])
        return rows, cat.figures(), [cat.series(k) for k in rows.key]


def identical(a: Path, b: Path) -> bool:
    (ra, fa, sa), (rb, fb, sb) = content(a), content(b)
    return (
        ra.equals(rb) and fa.equals(fb) and len(sa) == len(sb) and all(x.equals(y) for x, y in zip(sa, sb, strict=True))
    )


def render(f: dict) -> dict[str, str]:
    """The page's generated block: the measurement, with when and where it was made."""
    text = (
        f"`benchmarks/bench_sweep.py` runs the same sweep ({f['runs']} runs of `us-2017`, {f['years']:g} year(s) "
        f"each) on one worker and then on two, and checks that the two catalogs are identical. "
        f"On {f['date']}, on {f['machine']}, it measured {f['wall'][0]:.1f} s and {f['wall'][1]:.1f} s, "
        f"a ratio of {f['ratio']:.2f}."
    )
    if f.get("shared"):
        text += " The runs themselves took longer on two workers: other processes shared the cores."
    return {"sweep-speed": text}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=3)
    ap.add_argument("--years", type=float, default=1.0)
    ap.add_argument("--markdown", type=Path, help="write the figures into this page's generated block")
    ap.add_argument("--figures", type=Path, help="with --markdown: render these saved figures, run nothing")
    args = ap.parse_args()
    if args.figures:
        page = args.markdown or Path("docs/sweeps.md")
        page.write_text(replace(page.read_text(), render(json.loads(args.figures.read_text()))))
        return
    spec = spec_from_dict(
        {
            "name": "bench",
            "scenario": "us-2017",
            "years": args.years,
            "seed": 1,
            "replications": args.replications,
            "parameters": {
                "immigration_judges": {"scale": [0.9, 1.0, 1.1]},
                "at_large_officers": {"scale": [0.9, 1.1]},
            },
        }
    )
    n = len(runs(spec))
    warm_cache(spec)
    load = os.getloadavg()[0]
    print(f"sweep: {n} runs of us-2017, {args.years:g} year(s) each; {os.cpu_count()} CPUs; load {os.getloadavg()}")
    times, busy = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            out = Path(tmp) / f"w{workers}"
            stamps: list[float] = []
            t0 = time.perf_counter()
            outcome = run_sweep(
                spec, out, workers=workers, progress=lambda d, t, s=stamps: s.append(time.perf_counter())
            )
            times[workers] = time.perf_counter() - t0
            with Catalog(out) as cat:
                busy[workers] = float(cat.runs().seconds.sum())
            print(
                f"{workers} worker(s): {times[workers]:6.1f} s wall for {outcome.ran} runs "
                f"(first run saved after {stamps[1] - t0:.1f} s; {busy[workers]:.1f} s of run time in the workers)"
            )
        same = identical(Path(tmp) / "w1", Path(tmp) / "w2")
    ratio = times[1] / times[2]
    print(f"results identical: {same}")
    slower = busy[2] / busy[1]
    if slower > 1.15:  # each run should take as long on either cluster when every worker has a core
        print(f"warning: runs took x{slower:.2f} as long with two workers: other processes shared the cores")
    print(f"speed-up, 2 workers over 1: x{ratio:.2f} (goal: at least x{GOAL})")
    if not same:
        raise SystemExit("the two sweeps differ")
    if args.markdown:
        figures = {
            "date": dt.date.today().isoformat(),
            "machine": f"{platform.node() or 'unknown host'} ({os.cpu_count()} CPUs, load average {load:.1f})",
            "runs": n,
            "years": args.years,
            "wall": [round(times[1], 1), round(times[2], 1)],
            "ratio": round(ratio, 2),
            "shared": slower > 1.15,
        }
        saved = args.markdown.with_name(args.markdown.stem + ".figures.json")
        saved.write_text(json.dumps(figures, indent=1) + "\n")
        args.markdown.write_text(replace(args.markdown.read_text(), render(figures)))
        print(f"wrote {saved} and {args.markdown}")


if __name__ == "__main__":  # Dask starts workers by spawning: they must not re-run this
    main()
