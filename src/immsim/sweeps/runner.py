"""Run a sweep serially or on Dask, streaming each finished run into the catalog.

Workers receive the scenario as text (never a path, so a remote worker needs
no access to the spec's files) and return small results: the run's national
monthly series and its headline figures. Only this process writes the
catalog, one run at a time as runs finish, so an interruption at any moment
loses at most the runs still in flight; running the same spec again skips
every run whose key is already in the catalog.

Serial and Dask execution call the same function on the same inputs and
store through the same code, so they give identical catalogs.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from immsim._dask import quiet_cancel_race
from immsim.catalog import Catalog, RunRecord
from immsim.errors import ImmsimError
from immsim.sweeps.design import Run, runs
from immsim.sweeps.signals import Interrupts, workers_ignore_ctrl_c
from immsim.sweeps.spec import Spec

Progress = Callable[[int, int], None]  # (runs in the catalog, runs in the sweep)


class SweepInterrupted(ImmsimError):
    """The sweep was stopped (Ctrl-C, SIGTERM); finished runs are saved and the sweep can resume."""

    def __init__(self, saved: int, total: int, out: Path) -> None:
        self.saved, self.total, self.out = saved, total, out
        super().__init__(f"{saved} of {total} runs are saved in {out}; run the same command again to resume")


class _WorkersDied(Exception):
    """Dask gave up on a run because every worker that ran it died (killed, out of memory)."""


@dataclass
class RunOutput:
    """What a worker sends back: small enough to move between processes cheaply."""

    run: Run
    days: int
    national: pd.DataFrame
    figures: pd.DataFrame  # fiscal_year, complete, figure, value
    seconds: float


@dataclass
class Outcome:
    """A finished sweep: its runs (from the catalog), and how many were skipped or run now."""

    runs: pd.DataFrame
    skipped: int
    ran: int
    seconds: float


@functools.lru_cache(maxsize=8)
def _base(text: str, shown: str):
    from immsim.scenario.loader import parse_scenario

    return parse_scenario(text, shown)


@functools.lru_cache(maxsize=64)
def _scaled(text: str, shown: str, factors: tuple[tuple[str, float], ...]):
    """The base scenario with each parameter scaled; cached so replications of a point build it once."""
    base = _base(text, shown)
    if not factors:
        return base
    changes = [{"parameter": n, "scale": f, "source": f"sweep: {f!r} x the scenario's value"} for n, f in factors]
    return base.with_changes(changes, name=base.name, title=base.data.title)


def scaled_scenario(text: str, factors: dict[str, float], shown: str = "<scenario>"):
    """Scenario ``text`` with each parameter in ``factors`` multiplied by its factor."""
    return _scaled(text, shown, tuple(factors.items()))


def run_one(text: str, shown: str, start: str, years: float, run: Run, progress: Progress | None = None) -> RunOutput:
    """One run: replication ``run.replication`` of the scaled scenario, as ``simulate`` would run it.

    ``progress`` is passed to ``simulate``: a serial sweep stops there, between kernel calls, when interrupted.
    """
    from immsim.simulation import simulate

    t0 = time.perf_counter()
    sc = scaled_scenario(text, run.factors, shown)
    result = simulate(sc, start=start, years=years, seed=run.seed, replications=1, progress=progress)
    national = result.national.assign(replication=run.replication)
    return RunOutput(run, result.days, national, result.headline_figures(0), time.perf_counter() - t0)


def _save(catalog: Catalog, spec: Spec, out: RunOutput) -> None:
    r = out.run
    record = RunRecord(
        key=r.key,
        kind="sweep",
        scenario=spec.scenario.name,
        scenario_hash=spec.scenario_hash,
        seed=r.seed,
        start=spec.start,
        years=spec.data.years,
        days=out.days,
        replication=r.replication,
        parameters=r.factors,
        sweep=spec.id,
        point=r.point,
        seconds=out.seconds,
    )
    catalog.save(record, out.national, out.figures)


def _cache_is_warm() -> bool:
    """Whether Numba's disk cache already holds the daily kernel, so workers will not compile it."""
    folder = Path(os.environ.get("NUMBA_CACHE_DIR", ""))
    return folder.is_dir() and any(folder.glob("*/kernel.run_days-*.nbc"))


def warm_cache(spec: Spec) -> None:
    """Compile the kernels once here, so that worker processes load them instead of each compiling."""
    if not _cache_is_warm():
        from immsim.simulation import simulate

        simulate(spec.scenario, start=spec.start, years=0.01, seed=spec.data.seed)


def _serial(
    todo: list[Run], spec: Spec, args: tuple, save: Callable[[RunOutput], None], interrupts: Interrupts
) -> None:
    """Run in this process; a signal is held while the kernels run and acted on between their calls."""
    for run in todo:
        with interrupts.holding():
            output = run_one(*args, run, lambda done, total: interrupts.check())
        save(output)


def _same(text: str) -> str:
    """The scenario text as a task's result (see ``_dask``)."""
    return text


#: ``LocalCluster`` options for a cluster with no dashboard. The scheduler serves its HTTP routes even then, on
#: the dashboard's address (port 8787 by default): a second cluster on the machine found that port taken and said
#: so in a warning. Any free port will do.
NO_DASHBOARD = {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": ":0"}}


def _dask(todo: list[Run], spec: Spec, args: tuple, save, workers: int | None, scheduler: str | None) -> None:
    from distributed import Client, KilledWorker, LocalCluster, as_completed

    quiet_cancel_race()

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            warm_cache(spec)
            with workers_ignore_ctrl_c():
                cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    silence_logs=logging.ERROR,  # cancelled runs are expected when a sweep stops
                    **NO_DASHBOARD,
                )
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as e:
        if cluster is not None:
            cluster.close()
        where = f"reach the Dask scheduler at {scheduler}" if scheduler else "start a local Dask cluster"
        raise ImmsimError(f"cannot {where} ({e})") from None
    futures = []
    try:
        # The text is the result of a task, not scattered data: Dask computes a task again when the
        # workers holding its result die, but scattered data dies with them, and every run with it.
        text = client.submit(_same, args[0], key=f"immsim-scenario-{spec.scenario_hash}")
        futures = [client.submit(run_one, text, *args[1:], run, key=f"immsim-run-{run.key}") for run in todo]
        for fut in as_completed(futures):
            try:
                output = fut.result()
            except KilledWorker as e:  # Dask reschedules a run whose worker dies, but only so often
                n = e.allowed_failures + 1
                raise _WorkersDied(
                    f"Dask gave up on a run after {n} worker{'s' if n > 1 else ''} died running it "
                    f"(the last: {e.last_worker.address})"
                ) from None
            save(output)
            fut.release()
    finally:
        if futures:
            client.cancel(futures)
        client.close()
        if cluster is not None:
            cluster.close()


def run_sweep(
    spec: Spec,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Run every run of ``spec`` not yet in the catalog at ``out``; return the sweep's runs.

    ``serial`` runs in this process; otherwise on a new local Dask cluster of
    ``workers`` processes (default: one per CPU), or on the cluster whose
    scheduler is at ``scheduler``. Raises ``SweepInterrupted`` on Ctrl-C.
    """
    out = Path(out)
    if workers is not None and workers < 1:
        raise ImmsimError(f"workers: must be at least 1 (got {workers})")
    if serial and scheduler:
        raise ImmsimError("give --serial or --scheduler, not both")
    t0 = time.perf_counter()
    every = runs(spec)
    total = len({r.key for r in every})
    saved = 0
    # The handlers first: a signal that lands in a DuckDB statement (opening the catalog, reading it) ends the
    # statement with DuckDB's own error, a RuntimeError, which ``interrupts.received`` tells from a real one.
    with Interrupts().installed() as interrupts:
        try:
            with Catalog(out) as catalog:
                catalog.add_sweep(
                    spec.id, spec.data.name, spec.data.design, spec.resolved(), spec.text, spec.scenario.text
                )
                done = catalog.keys()
                todo = list({r.key: r for r in every if r.key not in done}.values())
                saved = total - len(todo)
                skipped = saved
                if progress:
                    progress(saved, total)

                def save(o: RunOutput) -> None:
                    nonlocal saved
                    with interrupts.holding():
                        _save(catalog, spec, o)
                        saved += 1
                    if progress:
                        progress(saved, total)

                args = (spec.scenario.text, spec.scenario.path, spec.start.isoformat(), spec.data.years)
                if todo and serial:
                    _serial(todo, spec, args, save, interrupts)
                elif todo:
                    _dask(todo, spec, args, save, workers, scheduler)
                frame = runs_table(catalog, spec)
        except BaseException as e:
            # an interrupt can surface as another error (Numba's mid-compilation, DuckDB's mid-statement)
            if isinstance(e, KeyboardInterrupt) or interrupts.received:
                raise SweepInterrupted(saved, total, out) from None
            if isinstance(e, _WorkersDied):
                raise ImmsimError(
                    f"{e}; {saved} of {total} runs are saved in {out}; run the same command again to resume"
                ) from None
            raise
    return Outcome(frame, skipped, saved - skipped, time.perf_counter() - t0)


def runs_table(catalog: Catalog, spec: Spec, fiscal_year: int | None = None) -> pd.DataFrame:
    """The sweep's runs: point, replication, seed, one column per factor, and the headline figures.

    Figures are those of ``fiscal_year``, by default the first fiscal year the runs cover in full.
    """
    every = runs(spec)
    keys = [r.key for r in every]
    figs = catalog.figures(keys)
    if figs.empty:
        return pd.DataFrame()
    fy = fiscal_year or int(figs[figs.complete].fiscal_year.min() if figs.complete.any() else figs.fiscal_year.min())
    wide = figs[figs.fiscal_year == fy].pivot(index="key", columns="figure", values="value")
    base = pd.DataFrame(
        [{"key": r.key, "point": r.point, "replication": r.replication, "seed": r.seed, **r.factors} for r in every]
    )
    frame = base.merge(wide.reset_index(), on="key", how="inner")
    frame.insert(4, "fiscal_year", fy)
    return frame.sort_values(["point", "replication"], ignore_index=True)
