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
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from immsim._format import MISSING_TERMINAL, interval, number
from immsim._progress import progress_bar

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="immsim: simulate U.S. interior immigration enforcement (jails, detainers, "
    "operations, detention, courts, removals).",
)
console = Console(stderr=True, soft_wrap=True)  # errors stay on one line, whatever the path length
out_console = Console()


def _fmt(x: float, unit: str, signed: bool = False) -> str:
    """A figure in a terminal table (``immsim._format.number``, missing values as "-")."""
    return number(x, unit, missing=MISSING_TERMINAL, signed=signed)


def summary_table(summary, replications: int) -> Table:
    fy = int(summary.fiscal_year.iloc[0])
    t = Table(
        title=f"Fiscal year {fy} (October {fy - 1} to September {fy})"
        + (f", mean of {replications} replications with 95% interval" if replications > 1 else "")
    )
    total = "total_low" in summary  # run with --uncertainty: the Monte Carlo band and the total band
    t.add_column("figure")
    t.add_column("value", justify="right")
    if replications > 1:
        t.add_column("95% Monte Carlo" if total else "95% interval", justify="right")
    if total and replications > 1:
        t.add_column("95% total", justify="right")
    for row in summary.itertuples():
        cells = [row.description, _fmt(row.mean, row.unit)]
        if replications > 1:
            cells.append(interval(row.ci_low, row.ci_high, row.unit, missing=MISSING_TERMINAL))
        if total and replications > 1:
            cells.append(interval(row.total_low, row.total_high, row.unit, missing=MISSING_TERMINAL))
        t.add_row(*cells)
    return t


#: The ``--uncertainty`` option of run, compare and solve.
UNCERTAINTY_HELP = (
    "none (the scenario's values), posterior (the ensemble shipped with the scenario) or an ensemble file "
    "(posterior.csv from calibrate --method abc): each group of --per-draw replications runs one parameter set, "
    "and figures get a Monte Carlo and a total band"
)


def _say_drivers(fiscal_years, result, what: str) -> None:
    """With --uncertainty: the assumptions whose factors go most with ``what`` (one fiscal year's rows)."""
    from immsim.uncertainty import drivers

    if result.draws.empty:
        return
    year = fiscal_years.set_index("replication").ice_admin_arrests.reindex(result.draws.replication)
    found = drivers(year.to_numpy(), result.draws)
    if not found.empty:
        shares = ", ".join(f"{p} {r2:.0%}" for p, r2 in found.items())
        console.print(f"assumptions that move {what} most (r^2 over the sets run): {shares}", highlight=False)


def _say_if_compiling() -> None:
    """Before the first run of a version, say that the kernels compile (else the bar sits at 0% meanwhile)."""
    from immsim._cache import COMPILE_SECONDS, kernels_compiled

    if not kernels_compiled():
        console.print(
            f"compiling the simulation kernels (first run of this version, about {COMPILE_SECONDS} s)...",
            highlight=False,
        )


def _guarded(fn):
    """Print errors a user can act on as one line, exit 2; Ctrl-C exits 130."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from immsim.errors import ImmsimError

        try:
            return fn(*args, **kwargs)
        except ImmsimError as e:
            console.print("[red]error:[/red]", escape(str(e)), highlight=False)  # the message is text, not markup
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
        _say_if_compiling()
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
        _say_drivers(fy[fy.fiscal_year == summary.fiscal_year.iloc[0]], result, "ICE administrative arrests")
        if not result.by_history.empty:
            from immsim.cli_tables import history_summary_table

            out_console.print(history_summary_table(result.summary_by_history(), replications))
        console.print(
            f"results written to {out}/ (report: {out / 'report.html'})" if report else f"results written to {out}/"
        )


@app.command()
@_guarded
def validate(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")] = "us-2017",
    replications: Annotated[int, typer.Option("--replications", "-r", help="replications for FY2017")] = 5,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    peer: Annotated[bool, typer.Option(help="compare with the peer simulator Ciw (needs the test extras)")] = True,
    markdown: Annotated[Path | None, typer.Option(help="also write the levels as Markdown here")] = None,
) -> None:
    """Check the model: queueing theory, its own pipeline against theory, a peer simulator, and FY2017 figures."""
    import immsim
    from immsim._files import atomic_write
    from immsim.validation import public, report

    sc = immsim.load_scenario(scenario)
    with console.status("level 1: queueing theory"):
        theory_df = report.theory_table(sc, seed=seed)
    out_console.print(_table("Queueing theory", theory_df, ["check", "simulated", "theory", "rel_error", "status"]))
    with console.status("level 2: the model's own pipeline against theory"):
        from immsim.validation import model_peer

        pipeline_df, power_df = model_peer.model_peer_check(seed=seed), model_peer.power_check(seed=seed)
    cols = ["station", "statistic", "model", "exact", "rel_error", "p", "agree"]
    out_console.print(_table("The model's own pipeline against theory", pipeline_df, cols))
    cols = ["wrong_model", "disagree", "smallest_p", "detected"]
    out_console.print(_table("Power check: deliberately wrong models, each to be rejected", power_df, cols))
    peer_df = None
    if peer:
        with console.status("level 3: peer simulator (Ciw)"):
            peer_df = report.peer_table()
        if peer_df is None:
            console.print("level 3 skipped: Ciw is not installed (pip install -e '.[test]')")
        else:
            cols = ["station", "cls", "statistic", "immsim", "ciw", "p", "agree"]
            out_console.print(_table("immsim engine vs Ciw (the engine's own check)", peer_df, cols))
    with console.status("level 4: public figures (FY2017)"):
        fy2017 = public.fy2017_run(sc, replications=replications, seed=seed)  # read by both tables
        targets_df = public.compare_targets(sc, replications=replications, seed=seed, result=fy2017)
        backtest_df = public.backtest_court(sc, seed=seed)
        windows_df = public.window_checks(sc, replications=replications, seed=seed, result=fy2017)
    cols = ["metric", "target", "mean", "ci_low", "ci_high", "rel_error", "tolerance", "status"]
    groups = report.targets_by_role(targets_df)
    for role, heading, _ in report.sections(groups):  # fitted, constructed and independent figures apart
        if role in groups:
            out_console.print(_table(f"{sc.name}, FY2017: {heading}", groups[role], cols))
    for r in targets_df[targets_df.status == "not produced"].itertuples():
        out_console.print(f"  not reproduced: {r.metric} ({r.period}): {r.note}", highlight=False, markup=False)
    out_console.print(_table("Court back-test on EOIR history", backtest_df, list(backtest_df.columns)))
    window_cols = ["metric", "target", "mean", "rel_error", "tolerance", "status"]
    out_console.print(_table("Windows inside FY2017 (checks)", windows_df, window_cols))
    if markdown:
        text = report.markdown(
            sc.name,
            theory_df,
            peer_df,
            targets_df,
            backtest_df,
            replications,
            seed,
            windows_df=windows_df,
            pipeline_df=pipeline_df,
            power_df=power_df,
        )
        atomic_write(markdown, lambda p: p.write_text(text))
        console.print(f"wrote {markdown}", markup=False)


@app.command()
@_guarded
def calibrate(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")],
    targets: Annotated[Path | None, typer.Option(help="targets CSV (default: the packaged FY2017 figures)")] = None,
    method: Annotated[
        str, typer.Option(help="point: one best fit (bounded Powell); abc: a posterior ensemble (ABC-SMC)")
    ] = "point",
    out: Annotated[
        Path | None,
        typer.Option(help="point: the calibrated scenario (calibrated.yaml); abc: a folder (immsim-abc), resumable"),
    ] = None,
    report_file: Annotated[Path, typer.Option("--report", help="point: where to write the fit report")] = Path(
        "calibration.md"
    ),
    name: Annotated[str | None, typer.Option(help="name of the calibrated scenario")] = None,
    seed: Annotated[int, typer.Option(help="random seed (fixed across evaluations)")] = 1,
    max_evaluations: Annotated[int, typer.Option(help="point: simulation runs the optimizer may use")] = 100,
    only: Annotated[
        str | None, typer.Option(help="comma-separated calibratable parameters to move (default: all)")
    ] = None,
    population: Annotated[int, typer.Option(help="abc: parameter sets per generation (the ensemble's size)")] = 200,
    generations: Annotated[int, typer.Option(help="abc: generations in all (a resumed fit counts its own)")] = 8,
    min_epsilon: Annotated[
        float, typer.Option(help="abc: stop at this threshold (RMS of target errors over tolerances)")
    ] = 1.0,
    max_simulations: Annotated[int | None, typer.Option(help="abc: stop after this many model runs")] = None,
    workers: Annotated[int | None, typer.Option(help="abc: local worker processes (default: one per CPU)")] = None,
    scheduler: Annotated[str | None, typer.Option(help="abc: address of a Dask scheduler to use instead")] = None,
) -> None:
    """Fit the calibratable (assumption) parameters to the targets: one best fit, or a posterior ensemble."""
    import immsim
    from immsim.validation import public

    if method not in ("point", "abc"):
        raise immsim.ImmsimError(f"--method: {method!r} is not one of point, abc")
    sc = immsim.load_scenario(scenario)
    table = public.load_targets(targets)  # a bad file is an ImmsimError naming it
    chosen = [p.strip() for p in only.split(",") if p.strip()] if only else None
    if method == "abc":
        from immsim.cli_abc import calibrate_abc

        calibrate_abc(
            sc,
            table,
            out or Path("immsim-abc"),
            population=population,
            generations=generations,
            min_epsilon=min_epsilon,
            max_simulations=max_simulations,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            only=chosen,
        )
        return
    shown = str(targets or "targets-fy2017.csv (packaged)")
    _calibrate_point(sc, table, shown, out or Path("calibrated.yaml"), report_file, name, seed, max_evaluations, chosen)
    console.print(f"wrote {out or 'calibrated.yaml'} and {report_file}", markup=False)


def _calibrate_point(
    sc, table, targets_name: str, out: Path, report_file: Path, name, seed: int, max_evaluations: int, only
) -> None:
    """``immsim calibrate --method point``: the bounded Powell fit, a calibrated scenario and its report."""
    from immsim._files import atomic_write
    from immsim.scenario.loader import parse_scenario
    from immsim.validation import calibrate as cal

    with progress_bar(
        console,
        "calibrating",
        count="runs",
        total=max_evaluations,
        note="best objective {task.fields[best]}",
        fields={"best": "-"},
    ) as update:

        def progress(n: int, best: float) -> None:
            update(min(n, max_evaluations), best=f"{best:.3f}")

        fit = cal.calibrate(
            sc, table, seed=seed, max_evaluations=max_evaluations, progress=progress, name=name, only=only
        )
    parse_scenario(fit.scenario_text, str(out))  # the result must itself be a valid scenario
    atomic_write(out, lambda p: p.write_text(fit.scenario_text))
    report_text = cal.fit_report(fit, sc.name, targets_name)
    atomic_write(report_file, lambda p: p.write_text(report_text))
    cols = ["figure", "target", "before", "error_before", "after", "error_after"]
    out_console.print(_table("Fit", fit.targets, cols))


def _table(title: str, df, columns: list[str]) -> Table:
    t = Table(title=title)
    for col in columns:
        t.add_column(col, justify="left" if df[col].dtype == object else "right")
    for row in df[columns].itertuples(index=False):
        t.add_row(*(Text(_cell(v, col)) for v, col in zip(row, columns, strict=True)))  # text, not markup
    return t


def _cell(v, col: str) -> str:
    """A validation or fit table's cell: relative errors as signed percentages, other numbers as figures."""
    if isinstance(v, float):
        error = "error" in col
        return number(v, missing=MISSING_TERMINAL, signed=error, percent=error)
    return str(v)


scenario_app = typer.Typer(no_args_is_help=True, help="List and inspect scenarios.")
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("list")
@_guarded
def scenario_list() -> None:
    """List the built-in scenarios and the question each answers."""
    import immsim

    t = Table(title="Built-in scenarios")
    for col in ("name", "base", "title"):
        t.add_column(col)
    for name in immsim.builtin_names():
        sc = immsim.load_scenario(name)
        t.add_row(name, Text(sc.base or "-"), Text(sc.data.title))
    out_console.print(t)


@scenario_app.command("show")
@_guarded
def scenario_show(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")],
) -> None:
    """Print a scenario's parameters, jurisdictions, policies and events, with sources and the change that set each."""
    import immsim
    from immsim.cli_tables import jurisdictions_table, policies_table
    from immsim.scenario.priors import describe
    from immsim.scenario.sources import is_assumption, source_text

    sc = immsim.load_scenario(scenario)
    heading = sc.data.title + (f" (changes to {sc.base})" if sc.base else "")
    out_console.print(f"[bold]{escape(sc.name)}[/bold]: {escape(heading)}")
    out_console.print(sc.data.description, highlight=False, markup=False)
    t = Table(title="Parameters")
    for col in ("parameter", "value", "unit", "source", "range (prior)", "set by"):
        t.add_column(col, overflow="fold")
    for name, p in sc.data.parameters.items():
        value = (
            _short(p.value)
            if p.value is not None
            else "; ".join(f"from {s.start}: {_short(s.value)}" for s in p.series or [])
        )
        spread = f"{p.range[0]:g} to {p.range[1]:g}" if p.range else "-"
        if p.range and is_assumption(p.source):  # only an assumption has a prior (uniform unless it names one)
            spread += f" ({describe(p.prior)})"
        changed = sc.changed_by.get(f"parameters.{name}", "base")
        cells = (name, value, p.unit, source_text(p.source), spread, changed)
        t.add_row(*map(Text, cells))  # sources are text, not markup
    out_console.print(t)
    out_console.print(jurisdictions_table(sc))
    out_console.print(policies_table(sc))
    ev = Table(title="Dated events")
    for col in ("date", "type", "what", "source"):
        ev.add_column(col, overflow="fold")
    for e in sorted(sc.data.events, key=lambda e: e.date):
        ev.add_row(*map(Text, (str(e.date), e.type, _event_text(e), source_text(e.source))))
    out_console.print(ev)
    for key, label in sc.changed_by.items():
        if not key.startswith("parameters."):
            out_console.print(f"{label}: {key}", highlight=False, markup=False)


def _event_text(e) -> str:
    if e.type == "policy":
        return f"{e.scope} {e.target}: {e.mode} {e.policy}"
    if e.type == "regime":
        return f"regime {e.regime}"
    if e.type == "injunction":
        return f"stay removals of {e.cohort}" + (f" until {e.end}" if e.end else "")
    if e.type == "court_policy":
        factor = "" if e.factor is None else f" x{e.factor:g}"
        return f"court: {e.policy}{factor}" + (f" until {e.end}" if e.end else "")
    return f"HYPOTHETICAL federal pressure: comply probability {e.comply_probability}"


def _short(v) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}={x:g}" for k, x in v.items())
    return f"{v:g}"


@app.command("compare")
@_guarded
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

        _say_if_compiling()
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
        from immsim.cli_tables import history_difference_table

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
                    _fmt(r.base, r.unit),
                    _fmt(r.alternative, r.unit),
                    _fmt(r.difference, r.unit, signed=True),
                    *bands,
                    f"x{r.variance_reduction:,.1f}",
                )
            out_console.print(t)
            alt_fy = results[name].fiscal_years.set_index(["replication", "fiscal_year"])
            base_fy = results[base_name].fiscal_years.set_index(["replication", "fiscal_year"])
            diff = (alt_fy - base_fy).reset_index()
            _say_drivers(diff[diff.fiscal_year == fy], results[base_name], "the difference in ICE arrests")
            history_rows = by_history[by_history.scenario == name]
            if not history_rows.empty:
                out_console.print(history_difference_table(history_rows, base_name, name, replications))
            top = largest_differences(results, base_name, name, fy)
            out_console.print(
                "largest differences in ICE arrests by state: "
                + ", ".join(f"{r.state} {number(r.difference, signed=True)}" for r in top.itertuples()),
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
@_guarded
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
    now = {n: _total(alt.data.parameters[n]) for n in ("jail_officers", "at_large_officers")}
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
@_guarded
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


@app.command("sanctuary")
@_guarded
def sanctuary_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")] = "us-2017",
    replications: Annotated[int, typer.Option("--replications", "-r", help="paired replications")] = 5,
    years: Annotated[float, typer.Option(help="years from the scenario's start")] = 1.0,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    markdown: Annotated[Path, typer.Option(help="write the page here")] = Path("sanctuary.md"),
) -> None:
    """What local limits on cooperation change, by criminal history: all honor, or a serious-only carve-out."""
    from immsim._files import atomic_write
    from immsim.report.sanctuary import sanctuary_markdown

    _say_if_compiling()
    with progress_bar(console, "sanctuary counterfactuals") as progress:
        text = sanctuary_markdown(scenario, years=years, replications=replications, seed=seed, progress=progress)
    atomic_write(markdown, lambda p: p.write_text(text))
    console.print(f"wrote {markdown}", markup=False)


@app.command("sweep")
@_guarded
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
@_guarded
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
@_guarded
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


def _total(p) -> float:
    v = p.value if p.value is not None else p.series[0].value
    return sum(v.values()) if isinstance(v, dict) else float(v)


from immsim.cli_crossval import crossvalidate_cmd  # noqa: E402  (a long command kept in its own module)

app.command("crossvalidate")(_guarded(crossvalidate_cmd))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
