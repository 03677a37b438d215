"""Commands that check the model against public figures: ``validate``, ``calibrate`` and ``sanctuary``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from immsim._progress import progress_bar
from immsim.cli.common import (
    app,
    console,
    guarded,
    out_console,
    say_if_compiling,
    titled_table,
)

if TYPE_CHECKING:
    from immsim.scenario.loader import Scenario
    from immsim.validation.report import InBackground


@app.command()
@guarded
def validate(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")] = "us-2017",
    replications: Annotated[int, typer.Option("--replications", "-r", help="replications for FY2017")] = 5,
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    peer: Annotated[bool, typer.Option(help="compare with the peer simulator Ciw (needs the test extras)")] = True,
    markdown: Annotated[Path | None, typer.Option(help="also write the levels as Markdown here")] = None,
) -> None:
    """Check the model: queueing theory, its own pipeline against theory, a peer simulator, and FY2017 figures."""
    import immsim
    from immsim.validation import report

    sc = immsim.load_scenario(scenario)
    peer_job = report.InBackground(report.peer_table) if peer else None  # level 3 runs beside levels 1, 2, 4
    try:
        _validate(sc, peer_job, replications, seed, markdown)
    finally:
        if peer_job is not None:
            peer_job.stop()


def _validate(sc: Scenario, peer_job: InBackground | None, replications: int, seed: int, markdown: Path | None) -> None:
    """``validate``'s levels in order, the peer simulator's table (``peer_job``) taken when its turn comes."""
    from immsim._files import atomic_write
    from immsim.validation import public, report

    with console.status("level 1: queueing theory"):
        theory_df = report.theory_table(sc, seed=seed)
    out_console.print(
        titled_table("Queueing theory", theory_df, ["check", "simulated", "theory", "rel_error", "status"])
    )
    with console.status("level 2: the model's own pipeline against theory"):
        from immsim.validation import model_peer

        pipeline_df, power_df = model_peer.model_peer_check(seed=seed), model_peer.power_check(seed=seed)
    cols = ["station", "statistic", "model", "exact", "rel_error", "p", "agree"]
    out_console.print(titled_table("The model's own pipeline against theory", pipeline_df, cols))
    cols = ["wrong_model", "disagree", "smallest_p", "detected"]
    out_console.print(titled_table("Power check: deliberately wrong models, each to be rejected", power_df, cols))
    from immsim.validation import forward

    # FY2018-FY2020 outcomes follow from a run that starts in FY2017: then one run, read by every table below
    ahead = sc.data.start == public.FY2017_START
    with console.status("level 4: public figures (FY2017" + (" to FY2020)" if ahead else ")")):
        fy2017 = public.fy2017_run(sc, replications=replications, seed=seed, years=forward.RUN_YEARS if ahead else 1)
        targets_df = public.compare_targets(sc, replications=replications, seed=seed, result=fy2017)
        backtest_df = public.backtest_court(sc, seed=seed)
        windows_df = public.window_checks(sc, replications=replications, seed=seed, result=fy2017)
        forward_df = forward.forward_check(sc, replications, seed, result=fy2017) if ahead else None
    peer_df = None
    if peer_job is not None:
        with console.status("level 3: peer simulator (Ciw)"):
            peer_df = peer_job.result()
        if peer_df is None:
            console.print("level 3 skipped: Ciw is not installed (pip install -e '.[test]')")
        else:
            cols = ["station", "cls", "statistic", "immsim", "ciw", "p", "agree"]
            out_console.print(titled_table("immsim engine vs Ciw (the engine's own check)", peer_df, cols))
    cols = ["metric", "target", "mean", "ci_low", "ci_high", "rel_error", "tolerance", "status"]
    groups = report.targets_by_role(targets_df)
    for role, heading, _ in report.sections(groups):  # fitted, constructed and independent figures apart
        if role in groups:
            out_console.print(titled_table(f"{sc.name}, FY2017: {heading}", groups[role], cols))
    for r in targets_df[targets_df.status == "not produced"].itertuples():
        out_console.print(f"  not reproduced: {r.metric} ({r.period}): {r.note}", highlight=False, markup=False)
    out_console.print(titled_table("Court back-test on EOIR history", backtest_df, list(backtest_df.columns)))
    window_cols = ["metric", "target", "mean", "rel_error", "tolerance", "status"]
    out_console.print(titled_table("Windows inside FY2017 (checks)", windows_df, window_cols))
    if forward_df is not None:
        cols = ["figure", "fiscal_year", "published", "model", "rel_error", "status"]
        out_console.print(titled_table("Forward check, FY2018-FY2020 (out of sample)", forward_df, cols))
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
            forward_df=forward_df,
        )
        atomic_write(markdown, lambda p: p.write_text(text))
        console.print(f"wrote {markdown}", markup=False)


@app.command()
@guarded
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
    first_epsilon: Annotated[
        float | None,
        typer.Option(help="abc: the first generation's threshold (default: the median distance of prior draws)"),
    ] = None,
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
        from immsim.cli.abc import calibrate_abc

        calibrate_abc(
            sc,
            table,
            out or Path("immsim-abc"),
            population=population,
            generations=generations,
            min_epsilon=min_epsilon,
            first_epsilon=first_epsilon,
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
    out_console.print(titled_table("Fit", fit.targets, cols))


@app.command("sanctuary")
@guarded
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

    say_if_compiling()
    with progress_bar(console, "sanctuary counterfactuals") as progress:
        text = sanctuary_markdown(scenario, years=years, replications=replications, seed=seed, progress=progress)
    atomic_write(markdown, lambda p: p.write_text(text))
    console.print(f"wrote {markdown}", markup=False)
