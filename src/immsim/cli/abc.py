"""``immsim calibrate --method abc``: the Bayesian calibration's command, apart from the point fit's.

Called by ``calibrate`` (``immsim.cli.checks``) for ``--method abc``; it prints with consoles of its own.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from immsim.scenario.loader import Scenario

console = Console(stderr=True, soft_wrap=True)
out_console = Console()


def calibrate_abc(scenario: Scenario, targets: pd.DataFrame, out: Path, **options) -> None:
    """Run (or resume) the ABC fit into ``out``, write the ensemble and report, and print what it pinned down."""
    from immsim._extras import require

    require("bayes", "immsim calibrate --method abc")
    from immsim.validation.abc import abc_calibrate, prior_space
    from immsim.validation.abc_report import write_posterior

    resumed = (out / "abc.db").exists()
    console.print(
        f"{'resuming' if resumed else 'starting'} ABC-SMC in {out}/ (pyabc's log follows; the database "
        f"{out / 'abc.db'} keeps every generation, so a stopped fit goes on from its last)",
        highlight=False,
        markup=False,
    )
    post = abc_calibrate(scenario, targets, out, **options)
    command = "immsim calibrate " + shlex.join(sys.argv[2:]) if sys.argv[1:2] == ["calibrate"] else ""
    files = write_posterior(post, prior_space(scenario, options.get("only")), out, command)
    t = Table(title=f"Posterior of {scenario.name}: effective sample size {post.ess:.0f} of {len(post.ensemble.table)}")
    for col in ("parameter", "prior", "posterior 90%", "width / prior", "verdict"):
        t.add_column(col, justify="right" if col == "width / prior" else "left")
    for r in post.parameters.itertuples():
        cells = (r.parameter, r.prior, f"{r.posterior_low:.3g} to {r.posterior_high:.3g}", f"{r.width_ratio:.2f}")
        t.add_row(*map(Text, (*cells, r.verdict)))
    out_console.print(t)
    console.print(f"wrote {', '.join(map(str, files))}", markup=False)
