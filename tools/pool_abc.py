"""Pool one-generation (rejection) ABC fits of the same scenario and threshold into one posterior.

``python tools/pool_abc.py us-2017 DIR1 DIR2 --out DIR`` reads each fit's database (``DIR/abc.db``, made by
``immsim calibrate SCENARIO --method abc --generations 1 --first-epsilon E --seed S``, with other seeds),
and writes the pooled ensemble, report and plots into ``--out`` as the command would. The sets of each fit
are independent prior draws kept below the same threshold, so together they are one larger sample of the
same ABC posterior (``immsim.validation.abc.pool_rejection``). How the shipped us-2017 posterior was made
(docs/uncertainty.md).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import immsim
from immsim.uncertainty import fit_key
from immsim.validation.abc import fy2017_goal, pool_rejection, prior_space
from immsim.validation.abc_report import write_posterior
from immsim.validation.public import load_targets


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    sc = immsim.load_scenario(args.scenario)
    space = prior_space(sc)
    post = pool_rejection(args.folders, space, fy2017_goal(load_targets()), sc.name, fit_key(sc.text))
    args.out.mkdir(parents=True, exist_ok=True)
    command = "python tools/pool_abc.py " + shlex.join(sys.argv[1:])
    files = write_posterior(post, space, args.out, command)
    print(f"pooled {len(post.ensemble.table)} sets from {post.simulations:,} runs; wrote {', '.join(map(str, files))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
