"""Commands that simulate: ``run``, ``compare`` and ``solve`` (officers or judges)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from immsim._format import MISSING_TERMINAL, interval, number
from immsim._progress import progress_bar
from immsim.cli.common import (
    UNCERTAINTY_HELP,
    app,
    console,
    fmt,
    guarded,
    out_console,
    say_drivers,
    say_if_compiling,
    summary_table,
    total_value,
)


@app.command()
@guarded
def run(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")] = "us-2017",
    start: Annotated[str | None, typer.Option(help="first simulated day, YYYY-MM-DD (default: the scenario's)")] = None,
    years: Annotated[float, typer.Option(help="simulated years")] = 1.0,
    seed: Annotated[int, typer.Option(help="random seed (replication r uses seed + r)")] = 1,
    replications: Annotated[int, typer.Option("--replications", "-r", help="independent replications")] = 1,
    out: Annotated[Path, typer.Option(help="directory for results")] = Path("immsim-out"),
    report: Annotated[bool, typer.Option(help="write the HTML report")] = True,
    uncertainty: Annotated[str, typer.Option(help=UNCERTAINTY_HELP)] = "none",
    per_draw: Annotated[int, typer.Option(help="replications that share a parameter set (--uncertainty)")] = 2,
) -> None:
    """Simulate a scenario and write monthly series, fiscal-year figures and a report."""
    from immsim.sweeps.signals import Interrupts

    # SIGTERM stops like Ctrl-C (temporary files removed, a message, exit 130), and neither may land
    # inside a kernel call: see Interrupts
    with Interrupts().installed() as interrupts:
        import immsim
        from immsim.simulation import run_span
        from immsim.store import save_result

        sc = immsim.load_scenario(scenario)
        run_span(sc, start, years, seed, replications)
        say_if_compiling()
        # signals wait for the end of a kernel call: see Interrupts
        with progress_bar(console, f"simulating {sc.name}", check=interrupts.check) as progress, interrupts.holding():
            result = immsim.simulate(
                sc,
                start=start,
                years=years,
                seed=seed,
                replications=replications,
                progress=progress,
                uncertainty=uncertainty,
                per_draw=per_draw,
            )
        save_result(result, out, report=report)
        summary = result.summary()
        out_console.print(summary_table(summary, replications))
        fy = result.fiscal_years
        say_drivers(fy[fy.fiscal_year == summary.fiscal_year.iloc[0]], result, "ICE administrative arrests")
        if not result.by_history.empty:
            from immsim.cli.tables import history_summary_table

            out_console.print(history_summary_table(result.summary_by_history(), replications))
        console.print(
            f"results written to {out}/ (report: {out / 'report.html'})" if report else f"results written to {out}/"
        )


@app.command("compare")
@guarded
def compare_cmd(
    base: Annotated[str, typer.Argument(help="the baseline scenario")],
    alternatives: Annotated[list[str], typer.Argument(help="one or more alternative scenarios")],
    start: Annotated[str | None, typer.Option(help="first simulated day (default: the base scenario's)")] = None,
    years: Annotated[float, typer.Option(help="simulated years")] = 1.0,
    seed: Annotated[int, typer.Option(help="random seed shared by all scenarios (common random numbers)")] = 1,
    replications: Annotated[int, typer.Option("--replications", "-r", help="paired replications")] = 10,
    fiscal_year: Annotated[int | None, typer.Option(help="fiscal year to report (default: the first complete)")] = None,
    out: Annotated[
        Path | None, typer.Option(help="directory for comparison.csv, comparison_by_history.csv and comparison.html")
    ] = None,
    uncertainty: Annotated[str, typer.Option(help=UNCERTAINTY_HELP)] = "none",
    per_draw: Annotated[int, typer.Option(help="paired replications that share a parameter set")] = 2,
) -> None:
    """Run scenarios with common random numbers; print each difference from the base with its 95% interval."""
    from immsim.sweeps.signals import Interrupts

    # SIGTERM stops like Ctrl-C (temporary files removed, a message, exit 130), and neither may land
    # inside a kernel call: see Interrupts
    with Interrupts().installed() as interrupts:
        import immsim
        from immsim._files import atomic_write, remove_partials
        from immsim.comparison import largest_differences

        say_if_compiling()
        # signals wait for the end of a kernel call: see Interrupts
        with progress_bar(console, "comparing", check=interrupts.check) as progress, interrupts.holding():
            comparison = immsim.compare(
                base,
                alternatives,
                start=start,
                years=years,
                seed=seed,
                replications=replications,
                fiscal_year=fiscal_year,
                progress=progress,
                uncertainty=uncertainty,
                per_draw=per_draw,
            )
        from immsim.cli.tables import history_difference_table

        table, results = comparison
        by_history = comparison.by_history
        base_name = next(iter(results))
        for name, rows in table.groupby("scenario", sort=False):
            fy = int(rows.fiscal_year.iloc[0])
            t = Table(title=f"{name} minus {base_name}, fiscal year {fy}, {replications} paired replications")
            total = "total_low" in rows
            band = ["95% Monte Carlo", "95% total"] if total else ["95% interval"]
            for col in ("figure", "base", name, "difference", *band, "variance reduction"):
                t.add_column(col, justify="left" if col == "figure" else "right")
            for r in rows.itertuples():
                bands = [interval(r.ci_low, r.ci_high, r.unit, missing=MISSING_TERMINAL, signed=True)]
                if total:
                    bands.append(interval(r.total_low, r.total_high, r.unit, missing=MISSING_TERMINAL, signed=True))
                t.add_row(
                    r.description,
                    fmt(r.base, r.unit),
                    fmt(r.alternative, r.unit),
                    fmt(r.difference, r.unit, signed=True),
                    *bands,
                    f"x{r.variance_reduction:,.1f}",
                )
            out_console.print(t)
            alt_fy = results[name].fiscal_years.set_index(["replication", "fiscal_year"])
            base_fy = results[base_name].fiscal_years.set_index(["replication", "fiscal_year"])
            diff = (alt_fy - base_fy).reset_index()
            say_drivers(diff[diff.fiscal_year == fy], results[base_name], "the difference in ICE arrests")
            history_rows = by_history[by_history.scenario == name]
            if not history_rows.empty:
                out_console.print(history_difference_table(history_rows, base_name, name, replications))
            jurisdictions = results[base_name].scenario.data.jurisdictions
            split = len(jurisdictions) > len({j.state for j in jurisdictions})  # some state has local jurisdictions
            for by in ("state", "jurisdiction") if split else ("state",):
                top = largest_differences(results, base_name, name, fy, by=by)
                out_console.print(
                    f"largest differences in ICE arrests by {by}: "
                    + ", ".join(f"{getattr(r, by)} {number(r.difference, signed=True)}" for r in top.itertuples()),
                    highlight=False,
                )
        if out:
            from immsim.report.comparison import write_comparison_report

            files = ["comparison.csv", "comparison_by_history.csv", "comparison.html"]
            remove_partials(out, files)  # left by a killed earlier comparison
            atomic_write(out / "comparison.csv", lambda p: table.to_csv(p, index=False))
            atomic_write(out / "comparison_by_history.csv", lambda p: by_history.to_csv(p, index=False))
            write_comparison_report(table, results, out / "comparison.html", by_history)
            console.print(f"wrote {', '.join(str(out / f) for f in files)}", markup=False)


solve_app = typer.Typer(no_args_is_help=True, help="Solve for officers or judges with paired runs.")
app.add_typer(solve_app, name="solve")


@solve_app.command("officers")
@guarded
def solve_officers(
    base: Annotated[str, typer.Argument(help="the baseline scenario")],
    alternative: Annotated[str, typer.Argument(help="the scenario whose officers are scaled")],
    fiscal_year: Annotated[int | None, typer.Option(help="fiscal year to match (default: the first)")] = None,
    replications: Annotated[int, typer.Option("--replications", "-r")] = 5,
    seed: Annotated[int, typer.Option()] = 1,
    uncertainty: Annotated[str, typer.Option(help=UNCERTAINTY_HELP)] = "none",
    per_draw: Annotated[int, typer.Option(help="replications that share a parameter set")] = 2,
) -> None:
    """How many more officers would keep ICE arrests at the base level under the alternative?"""
    import immsim
    from immsim import solvers

    with console.status("solving (each step runs both scenarios with the same seeds)"):
        ans = solvers.officers_to_match_arrests(
            base,
            alternative,
            fiscal_year=fiscal_year,
            replications=replications,
            seed=seed,
            uncertainty=uncertainty,
            per_draw=per_draw,
        )
    alt = immsim.load_scenario(alternative)
    now = {n: total_value(alt.data.parameters[n]) for n in ("jail_officers", "at_large_officers")}
    total = "" if math.isnan(ans.total_low) else f"; total {ans.total_low:.3f} to {ans.total_high:.3f}"
    out_console.print(
        f"officer factor: {ans.value:.3f} (95% interval {ans.ci_low:.3f} to {ans.ci_high:.3f}{total}), "
        f"{len(ans.steps)} evaluations",
        highlight=False,
    )
    for n, v in now.items():
        out_console.print(
            f"  {n}: {v:,.0f} -> {v * ans.value:,.0f} ({v * ans.ci_low:,.0f} to {v * ans.ci_high:,.0f})",
            highlight=False,
        )


@solve_app.command("judges")
@guarded
def solve_judges(
    scenario: Annotated[str, typer.Argument(help="scenario")],
    fiscal_year: Annotated[int, typer.Option(help="fiscal year from which judges change")],
    clear_by: Annotated[int | None, typer.Option(help="instead: bring pending under --target by this FY")] = None,
    target: Annotated[float, typer.Option(help="pending cases that count as cleared")] = 100_000,
    replications: Annotated[int, typer.Option("--replications", "-r")] = 3,
    seed: Annotated[int, typer.Option()] = 1,
    uncertainty: Annotated[str, typer.Option(help=UNCERTAINTY_HELP)] = "none",
    per_draw: Annotated[int, typer.Option(help="replications that share a parameter set")] = 2,
) -> None:
    """How many judges would stop the backlog from growing (or clear it by a fiscal year)?"""
    from immsim import solvers

    with console.status("solving (each step runs the scenario with the same seeds)"):
        ans = solvers.judges_to_stop_growth(
            scenario,
            fiscal_year,
            clear_by=clear_by,
            target_pending=target,
            replications=replications,
            seed=seed,
            uncertainty=uncertainty,
            per_draw=per_draw,
        )
    goal = f"pending under {target:,.0f} by the end of FY{clear_by}" if clear_by else f"no growth in FY{fiscal_year}"
    total = "" if math.isnan(ans.total_low) else f"; total {ans.total_low:,.0f} to {ans.total_high:,.0f}"
    out_console.print(
        f"judges from FY{fiscal_year} for {goal}: {ans.value:,.0f} (95% interval {ans.ci_low:,.0f} "
        f"to {ans.ci_high:,.0f}{total}), {len(ans.steps)} evaluations",
        highlight=False,
    )
