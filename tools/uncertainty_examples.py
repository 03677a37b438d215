"""Three comparisons with both bands, for docs/uncertainty.md.

``python tools/uncertainty_examples.py --markdown docs/uncertainty.md`` runs
``immsim.compare`` of us-2017 against ``ma-without-lunn``, ``priorities-2014``
and ``all-honor`` twice with the same seeds: with the scenario's values (the
Monte Carlo interval a user gets by default) and over the posterior shipped
with us-2017 (both bands). It saves the figures beside the page
(``uncertainty.figures.json``) and writes them into the page's generated block
(``benchmarks/page_blocks.py``); tests/test_docs.py checks that the committed
page is what ``render`` makes of the committed figures. ``--figures FILE``
renders saved figures and runs nothing. Slow: 2 x 4 scenarios x REPLICATIONS
simulated years (about 15 minutes on two cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from page_blocks import replace  # noqa: E402

REFORMS = ("ma-without-lunn", "priorities-2014", "all-honor")
FIGURES = {
    "ice_admin_arrests": "ICE arrests",
    "removals_total": "removals",
    "detention_average_daily_population": "detention population",
}
REPLICATIONS = 40  # 20 parameter sets of 2 replications: Student's quantile about 2.1 for the total band
SEED = 1


def _compare(uncertainty: str) -> pd.DataFrame:
    import immsim

    return immsim.compare("us-2017", list(REFORMS), replications=REPLICATIONS, seed=SEED, uncertainty=uncertainty).table


def measure() -> dict:
    """Run the comparisons (the two in two processes); the figures ``render`` writes."""
    from immsim.uncertainty import packaged_posterior, read_ensemble

    ens = read_ensemble(packaged_posterior("us-2017"))
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        plain, over = pool.map(_compare, ["none", "posterior"])
    rows = []
    for reform in REFORMS:
        for fig in FIGURES:
            a = plain[(plain.scenario == reform) & (plain.figure == fig)].iloc[0]
            b = over[(over.scenario == reform) & (over.figure == fig)].iloc[0]
            rows.append(
                {
                    "reform": reform,
                    "figure": fig,
                    "fiscal_year": int(a.fiscal_year),
                    "plain": [float(a.difference), float(a.ci_low), float(a.ci_high)],
                    "over": [
                        float(b.difference),
                        float(b.ci_low),
                        float(b.ci_high),
                        float(b.total_low),
                        float(b.total_high),
                    ],
                }
            )
    return {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.node() or 'unknown host'} ({os.cpu_count()} CPUs, load average {load:.1f})",
        "minutes": round((time.perf_counter() - t0) / 60, 1),
        "replications": REPLICATIONS,
        "seed": SEED,
        "sets": len(ens.table),
        "ess": round(ens.effective_size(), 1),
        "rows": rows,
    }


def _n(x: float) -> str:
    return f"{x:+,.0f}"


def render(f: dict) -> dict[str, str]:
    """The page's generated block: the table, with how and when it was made."""
    lines = [
        f"`python tools/uncertainty_examples.py --markdown docs/uncertainty.md` on {f['date']}, on {f['machine']} "
        f"({f['minutes']:g} minutes): `immsim.compare` of `us-2017` with each reform, {f['replications']} paired "
        f"replications of one year from its start, seed {f['seed']}; over the posterior, {f['replications'] // 2} "
        f"parameter sets of 2 replications drawn from the shipped ensemble ({f['sets']} sets, effective size "
        f"{f['ess']:.0f}). Differences are reform minus `us-2017` in FY{f['rows'][0]['fiscal_year']}.",
        "",
        "| reform | figure | scenario's values: difference | its 95 % interval | over the posterior: difference "
        "| Monte Carlo band | total band | total / Monte Carlo width |",
        "|---|---|---:|---|---:|---|---|---:|",
    ]
    for r in f["rows"]:
        d, lo, hi = r["plain"]
        e, mlo, mhi, tlo, thi = r["over"]
        ratio = f"{(thi - tlo) / (mhi - mlo):.1f}" if mhi > mlo else "-"
        lines.append(
            f"| `{r['reform']}` | {FIGURES[r['figure']]} | {_n(d)} | {_n(lo)} to {_n(hi)} | {_n(e)} | "
            f"{_n(mlo)} to {_n(mhi)} | {_n(tlo)} to {_n(thi)} | {ratio} |"
        )
    return {"comparisons": "\n".join(lines) + "\n"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", type=Path, default=ROOT / "docs" / "uncertainty.md")
    ap.add_argument("--figures", type=Path, help="render these saved figures, run nothing")
    args = ap.parse_args()
    if args.figures:
        figures = json.loads(args.figures.read_text())
    else:
        figures = measure()
        saved = args.markdown.with_name(args.markdown.stem + ".figures.json")
        saved.write_text(json.dumps(figures, indent=1) + "\n")
    args.markdown.write_text(replace(args.markdown.read_text(), render(figures)))
    print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
