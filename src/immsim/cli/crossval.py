"""``immsim crossvalidate``: leave-one-out cross-validation of the calibration, over ``immsim.validation.crossval``.

The package registers ``crossvalidate_cmd`` on its app with its error handling
(``immsim.cli.__init__``); it prints with consoles of its own.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from immsim._format import MISSING_TERMINAL, number
from immsim._progress import progress_bar

console = Console(stderr=True, soft_wrap=True)
out_console = Console()


def leave_one_out_table(cv_table) -> Table:
    """The leave-one-out table as printed: each figure's target, in-sample and left-out values and errors."""
    t = Table(title="Leave-one-out")
    for col in ("figure", "target", "tolerance", "in-sample", "error", "left out", "error", "within"):
        t.add_column(col, justify="left" if col == "figure" else "right")
    for r in cv_table.itertuples():
        t.add_row(
            r.figure,
            number(r.target, missing=MISSING_TERMINAL),
            f"{r.tolerance:.0%}",
            number(r.in_sample, missing=MISSING_TERMINAL),
            number(r.error_in_sample, missing=MISSING_TERMINAL, signed=True, percent=True),
            number(r.left_out, missing=MISSING_TERMINAL),
            number(r.error_left_out, missing=MISSING_TERMINAL, signed=True, percent=True),
            "yes" if r.within_tolerance else "no",
        )
    return t


def crossvalidate_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file (every fit starts here)")] = (
        "us-2017"
    ),
    targets: Annotated[Path | None, typer.Option(help="targets CSV (default: the packaged FY2017 figures)")] = None,
    seed: Annotated[int, typer.Option(help="random seed (fixed across evaluations)")] = 1,
    replications: Annotated[int, typer.Option(min=1, help="replications per evaluation")] = 1,
    max_evaluations: Annotated[int, typer.Option(min=1, help="simulation runs each fit may use")] = 40,
    workers: Annotated[int, typer.Option(min=1, max=64, help="folds fitted at once, in separate processes")] = 2,
    only: Annotated[
        str | None, typer.Option(help="comma-separated calibratable parameters every fit may move (default: all)")
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="file keeping finished folds, so that a rerun with the same settings resumes "
            "(default: the report's path with .checkpoint.json)"
        ),
    ] = None,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="write the Markdown page here (e.g. docs/crossvalidation.md)")
    ] = None,
) -> None:
    """Calibrate with each calibration target left out in turn; show how well the left-out figure is predicted."""
    import immsim
    from immsim._files import atomic_write
    from immsim.validation import crossval, public

    sc = immsim.load_scenario(scenario)
    table = public.load_targets(targets)  # a bad file is an ImmsimError naming it
    if checkpoint is None and report_file is not None:
        checkpoint = report_file.with_suffix(".checkpoint.json")
    where, date = crossval.machine(), crossval.today()  # the load before the run, not the run's own
    try:
        cv = _folds(crossval, sc, table, seed, replications, max_evaluations, workers, only, checkpoint)
    except KeyboardInterrupt:
        kept = f"finished folds are kept in {checkpoint}; the same command resumes" if checkpoint else "nothing kept"
        console.print(f"interrupted: {kept}", markup=False, highlight=False)
        raise typer.Exit(130) from None
    out_console.print(leave_one_out_table(cv.table))
    if report_file:
        command = (  # the options that set the figures, spelled out so the page says how to regenerate it
            f"immsim crossvalidate {shlex.quote(scenario)}"
            + (f" --targets {shlex.quote(str(targets))}" if targets else "")
            + f" --seed {seed} --replications {replications} --max-evaluations {max_evaluations}"
            + (f" --only {shlex.quote(only)}" if only else "")
            + f" --workers {workers} --report {shlex.quote(str(report_file))}"
        )
        text = crossval.markdown(cv, command, workers=workers, where=where, date=date)
        atomic_write(report_file, lambda p: p.write_text(text))
        console.print(f"wrote {report_file}", markup=False)


def _folds(crossval, sc, table, seed, replications, max_evaluations, workers, only, checkpoint):
    """Run the folds under a progress bar (each finished fold goes to ``checkpoint`` as it ends)."""
    with progress_bar(console, "cross-validating", count="runs") as progress:
        return crossval.crossvalidate(
            sc,
            table,
            seed=seed,
            replications=replications,
            max_evaluations=max_evaluations,
            workers=workers,
            only=[p.strip() for p in only.split(",") if p.strip()] if only else None,
            checkpoint=checkpoint,
            progress=progress,
        )
