"""Commands for many runs and for others: ``sweep``, ``sensitivity`` and ``serve`` (the web app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from immsim._progress import progress_bar
from immsim.cli.common import (
    app,
    console,
    guarded,
    out_console,
)


@app.command("sweep")
@guarded
def sweep_cmd(
    spec: Annotated[
        str, typer.Argument(help="sweep spec (YAML file), or a built-in example: judges-officers, assumptions-sobol")
    ],
    out: Annotated[Path, typer.Option(help="catalog directory; runs already there are not redone")] = Path(
        "immsim-sweep"
    ),
    workers: Annotated[int | None, typer.Option(help="local Dask worker processes (default: one per CPU)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler to use instead")] = None,
    serial: Annotated[bool, typer.Option("--serial", help="run in this process, without Dask")] = False,
) -> None:
    """Run a grid or Sobol sample of parameter factors x replications into a resumable run catalog."""
    from immsim.sweeps.signals import Interrupts

    # SIGTERM stops like Ctrl-C from the start; run_sweep installs its own handlers while it runs
    with Interrupts().installed():
        from immsim._extras import require

        require("sweep", "immsim sweep")
        from immsim.sweeps import as_spec
        from immsim.sweeps.report import summary_table as sweep_summary
        from immsim.sweeps.runner import SweepInterrupted, run_sweep

        sp = as_spec(spec)
        try:
            with progress_bar(console, "sweeping", count="runs") as progress:
                outcome = run_sweep(
                    sp,
                    out,
                    workers=workers,
                    scheduler=scheduler,
                    serial=serial,
                    progress=progress,
                )
        except SweepInterrupted as e:
            console.print(f"interrupted: {e}", highlight=False, markup=False)
            raise typer.Exit(130) from None
        title = f"sweep {sp.data.name} ({sp.id}) of {sp.scenario.name}, mean over replications"
        out_console.print(sweep_summary(outcome.runs, sp.names, title))
        out_console.print(
            f"{outcome.skipped + outcome.ran} runs: {outcome.skipped} already in the catalog, "
            f"{outcome.ran} run now in {outcome.seconds:.1f} s; catalog: {out / 'catalog.duckdb'}",
            highlight=False,
        )


@app.command("sensitivity")
@guarded
def sensitivity_cmd(
    directory: Annotated[Path, typer.Argument(help="catalog directory of a Sobol sweep")],
    out: Annotated[Path | None, typer.Option(help="write the indices and a chart to this HTML file")] = None,
    sweep: Annotated[
        str | None, typer.Option(help="id (or its start) of the sweep, if the catalog has several")
    ] = None,
    fiscal_year: Annotated[int | None, typer.Option(help="fiscal year (default: the first complete)")] = None,
) -> None:
    """First- and total-order Sobol indices of the headline figures, with 95% intervals."""
    import immsim
    from immsim._extras import require

    require("sweep", "immsim sensitivity")
    from immsim.sweeps.report import indices_table, write_indices_report

    table = immsim.sensitivity(directory, sweep=sweep, fiscal_year=fiscal_year)
    out_console.print(indices_table(table))
    if out:
        write_indices_report(table, str(directory), out)
        console.print(f"wrote {out}", markup=False)


@app.command("serve")
@guarded
def serve_cmd(
    host: Annotated[str, typer.Option(help="address to listen on; 127.0.0.1 keeps the app on this machine")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    data: Annotated[Path | None, typer.Option(help="folder for uploads, results and the run catalog")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="runs computed at once")] = 1,
    max_years: Annotated[float, typer.Option(min=0.1, help="longest horizon one run may ask for")] = 10.0,
    max_replications: Annotated[int, typer.Option(min=1, help="most replications one run may ask for")] = 20,
) -> None:
    """Start the web app: choose and change scenarios, run them, compare with the base, download results."""
    from immsim._extras import require

    require("web", "immsim serve")
    from immsim.web.api import Limits
    from immsim.web.serve import serve

    limits = Limits(max_years=max_years, max_replications=max_replications, workers=workers)
    serve(host, port, data, limits)
