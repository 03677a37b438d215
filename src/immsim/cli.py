"""The ``immsim`` command line: a thin layer over the Python API.

Errors a user can act on (a bad scenario, bad options, a failed model check)
are printed as one plain message and exit with status 2; nothing is written.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="immsim: simulate U.S. interior immigration enforcement (jails, detainers, "
    "operations, detention, courts, removals).",
)
console = Console(stderr=True)
out_console = Console()


def _fmt(x: float, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.3f}" if unit == "share" else f"{x:,.0f}"


def summary_table(summary, replications: int) -> Table:
    fy = int(summary.fiscal_year.iloc[0])
    t = Table(
        title=f"Fiscal year {fy} (October {fy - 1} to September {fy})"
        + (f", mean of {replications} replications with 95% interval" if replications > 1 else "")
    )
    t.add_column("figure")
    t.add_column("value", justify="right")
    if replications > 1:
        t.add_column("95% interval", justify="right")
    for row in summary.itertuples():
        cells = [row.description, _fmt(row.mean, row.unit)]
        if replications > 1:
            cells.append(f"{_fmt(row.ci_low, row.unit)} to {_fmt(row.ci_high, row.unit)}")
        t.add_row(*cells)
    return t


def _guarded(fn):
    """Print errors a user can act on as one line, exit 2; Ctrl-C exits 130."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from immsim.errors import ImmsimError

        try:
            return fn(*args, **kwargs)
        except ImmsimError as e:
            console.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            console.print("interrupted: no partial result was written")
            raise typer.Exit(130) from None

    return wrapper


@app.command()
@_guarded
def run(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")] = "us-2017",
    start: Annotated[str | None, typer.Option(help="first simulated day, YYYY-MM-DD (default: the scenario's)")] = None,
    years: Annotated[float, typer.Option(help="simulated years")] = 1.0,
    seed: Annotated[int, typer.Option(help="random seed (replication r uses seed + r)")] = 1,
    replications: Annotated[int, typer.Option("--replications", "-r", help="independent replications")] = 1,
    out: Annotated[Path, typer.Option(help="directory for results")] = Path("immsim-out"),
    report: Annotated[bool, typer.Option(help="write the HTML report")] = True,
) -> None:
    """Simulate a scenario and write monthly series, fiscal-year figures and a report."""
    import immsim
    from immsim.simulation import run_span
    from immsim.store import save_result

    sc = immsim.load_scenario(scenario)
    run_span(sc, start, years, seed, replications)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(f"simulating {sc.name}", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = immsim.simulate(sc, start=start, years=years, seed=seed, replications=replications, progress=progress)
    save_result(result, out, report=report)
    out_console.print(summary_table(result.summary(), replications))
    console.print(
        f"results written to {out}/ (report: {out / 'report.html'})" if report else f"results written to {out}/"
    )


@app.command("scenarios")
@_guarded
def scenarios() -> None:
    """List the built-in scenarios."""
    import immsim

    for name in immsim.builtin_names():
        sc = immsim.load_scenario(name)
        out_console.print(f"{name}: {sc.data.title}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
