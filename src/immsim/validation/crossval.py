"""Leave-one-out cross-validation of the calibration: how well does the fit predict a target it never saw?

A calibration target that agrees after the fit shows only that the fit went
well (issue 17). To learn how much the model, rather than the fit, carries a
figure, each calibration target is left out in turn: the calibratable
parameters are fitted to the other targets, and the left-out figure is read
from that fit. Beside it stands the in-sample value, from a fit to all the
targets with the same start, seeds and budget, so that the two differ only in
whether the figure was in the objective.

Every fit is independent of the others, so folds can run in parallel
processes, and each finished fold is saved to a checkpoint file: an
interrupted run started again with the same settings resumes where it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from immsim._files import atomic_write
from immsim.errors import ImmsimError
from immsim.scenario.loader import Scenario, parse_scenario
from immsim.validation import calibrate as cal

#: The fold that leaves nothing out: the in-sample fit.
ALL = "(none)"


@dataclass
class CrossValidation:
    """The folds of a leave-one-out run and the table that compares them."""

    table: pd.DataFrame  # one row per calibration target: target, start, in-sample, left-out, errors, within
    folds: dict[str, dict]  # fold name (a figure, or ALL) -> evaluations, objective, factors, figures, fitted
    settings: dict  # scenario, hashes, seed, replications, max_evaluations
    seconds: float  # wall time of the whole run, over every call that added to its checkpoint


def fitted_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The FY2017 calibration rows, one per figure: the rows a full fit uses and each fold leaves out in turn."""
    t = cal.calibration_targets(targets)
    t = t[t.period.astype(str).str.startswith("FY2017")]
    if t.empty:
        raise ImmsimError("crossvalidate: no calibration target names a model figure for FY2017")
    repeated = sorted(set(t.figure[t.figure.duplicated()]))
    if repeated:
        raise ImmsimError(f"crossvalidate: figure(s) {repeated} have more than one calibration target")
    if len(t) < 2:
        raise ImmsimError("crossvalidate: leaving one target out needs at least two calibration targets")
    return t


def without(targets: pd.DataFrame, figure: str) -> pd.DataFrame:
    """``targets`` less the calibration row of ``figure``: what the fold that leaves ``figure`` out may see."""
    out = (targets.role.astype(str) == "calibration") & (targets.figure.astype(str) == figure)
    return targets[~out]


def run_fold(
    scenario: Scenario,
    targets: pd.DataFrame,
    left_out: str,
    *,
    seed: int,
    replications: int,
    max_evaluations: int,
    only: Sequence[str] | None = None,
    before: pd.Series | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> dict:
    """One fit: to every calibration target but ``left_out`` (to all of them when ``left_out`` is ``ALL``)."""
    fit = cal.calibrate(
        scenario,
        targets if left_out == ALL else without(targets, left_out),
        seed=seed,
        replications=replications,
        max_evaluations=max_evaluations,
        progress=progress,
        only=only,
        before=before,
    )
    assert fit.figures is not None
    return {
        "evaluations": fit.evaluations,
        "objective": fit.objective_after,
        "factors": {r.parameter: float(r.factor) for r in fit.factors.itertuples()},
        "figures": {k: float(v) for k, v in fit.figures.items()},
        "fitted": list(fit.targets.figure),
    }


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def code_digest() -> str:
    """A hash of immsim's own source: a fold saved by other code may give other figures, so it is not reused."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def settings_of(
    scenario: Scenario,
    targets: pd.DataFrame,
    seed: int,
    replications: int,
    max_evaluations: int,
    only: Sequence[str] | None = None,
) -> dict:
    """What a fold's result depends on; a checkpoint with other settings is not reused."""
    return {
        "scenario": scenario.name,
        "scenario_sha256": _digest(scenario.text),
        "code_sha256": code_digest(),
        "targets_sha256": _digest(targets.to_csv(index=False)),
        "seed": seed,
        "replications": replications,
        "max_evaluations": max_evaluations,
        "only": sorted(only) if only is not None else None,
    }


class Checkpoint:
    """Finished folds, the start's figures and the wall time spent, in a JSON file rewritten after each fold.

    Kept only for the settings it was made with: a checkpoint of another scenario, targets, seed or budget is
    ignored (and overwritten), never mixed in.
    """

    def __init__(self, path: Path | None, settings: dict) -> None:
        self.path, self.settings = path, settings
        self.folds: dict[str, dict] = {}
        self.start: dict[str, float] | None = None
        self.seconds = 0.0
        if path is None or not path.exists():
            return
        try:
            saved = json.loads(path.read_text())
        except (OSError, ValueError):
            return
        if isinstance(saved, dict) and saved.get("settings") == settings:
            self.folds, self.start = dict(saved.get("folds", {})), saved.get("start")
            self.seconds = float(saved.get("seconds", 0.0))

    def save(self, seconds: float) -> None:
        self.seconds = seconds
        if self.path is not None:
            saved = {"settings": self.settings, "seconds": seconds, "start": self.start, "folds": self.folds}
            text = json.dumps(saved, indent=1)
            atomic_write(self.path, lambda p: p.write_text(text))


def _fold_in_process(args: tuple) -> tuple[str, dict]:
    """A fold in a worker process: the scenario travels as text, progress as messages on a queue."""
    text, shown, targets, left_out, kw, queue = args

    def progress(n: int, best: float) -> None:
        queue.put((left_out, n))

    return left_out, run_fold(parse_scenario(text, shown), targets, left_out, progress=progress, **kw)


def crossvalidate(
    scenario: Scenario,
    targets: pd.DataFrame,
    *,
    seed: int = 1,
    replications: int = 1,
    max_evaluations: int = 40,
    workers: int = 1,
    only: Sequence[str] | None = None,
    checkpoint: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CrossValidation:
    """Fit once to all calibration targets and once without each; compare each left-out figure with its target.

    ``only`` restricts every fit to some calibratable parameters (``calibrate``'s ``only``): with a budget of a
    few dozen runs, Powell's method otherwise spends it all along the first parameters in the scenario's order.
    ``progress(done, total)`` counts evaluations over all folds (a fold that stops early counts in full).
    """
    t = fitted_targets(targets)
    names = [ALL, *t.figure]
    saved = Checkpoint(checkpoint, settings_of(scenario, targets, seed, replications, max_evaluations, only))
    folds = saved.folds
    total = len(names) * max_evaluations
    done = {n: max_evaluations for n in folds}

    def tick(name: str, n: int) -> None:
        done[name] = n
        if progress:
            progress(sum(done.values()), total)

    tick(ALL, done.get(ALL, 0))
    began, earlier = time.perf_counter(), saved.seconds

    def save() -> None:
        saved.save(earlier + time.perf_counter() - began)

    if saved.start is None:
        saved.start = cal.figures_of(scenario, scenario.name, seed, replications).to_dict()
        save()
    start = pd.Series(saved.start, dtype=float)
    todo = [n for n in names if n not in folds]
    kw = {"seed": seed, "replications": replications, "max_evaluations": max_evaluations, "only": only, "before": start}
    if workers <= 1 or len(todo) <= 1:
        for name in todo:
            folds[name] = run_fold(scenario, targets, name, progress=lambda n, _b, k=name: tick(k, n), **kw)
            tick(name, max_evaluations)
            save()
    else:
        _parallel(scenario, targets, todo, workers, kw, folds, tick, save)
    return CrossValidation(comparison(t, folds, start), folds, saved.settings, saved.seconds)


def _parallel(scenario, targets, todo, workers, kw, folds, tick, save) -> None:
    """Run folds in ``workers`` spawned processes (Numba's compiled code is not fork-safe), saving each as it ends."""
    import multiprocessing as mp
    import queue as queue_module
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager, ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        messages = manager.Queue()
        args = [(scenario.text, scenario.name, targets, name, kw, messages) for name in todo]
        pending = {pool.submit(_fold_in_process, a) for a in args}
        while pending:
            finished, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            try:
                while True:
                    tick(*messages.get_nowait())
            except queue_module.Empty:
                pass
            for f in finished:
                name, fold = f.result()
                folds[name] = fold
                tick(name, kw["max_evaluations"])
                save()


def comparison(t: pd.DataFrame, folds: dict[str, dict], start: pd.Series) -> pd.DataFrame:
    """One row per calibration target: its value at the start, in the full fit, and in the fold that left it out."""
    rows = []
    for r in t.itertuples():
        fold = folds[r.figure]
        if r.figure in fold["fitted"]:
            raise ImmsimError(f"crossvalidate: the fold leaving out {r.figure} fitted it")  # never: a guard
        target, in_sample, left_out = float(r.value), folds[ALL]["figures"][r.figure], fold["figures"][r.figure]
        moved = {p: f for p, f in fold["factors"].items() if abs(np.log(f)) > 0.01}
        rows.append(
            {
                "figure": r.figure,
                "target": target,
                "tolerance": float(r.tolerance),
                "start": float(start[r.figure]),
                "in_sample": in_sample,
                "left_out": left_out,
                "error_in_sample": in_sample / target - 1,
                "error_left_out": left_out / target - 1,
                "within_tolerance": abs(left_out / target - 1) <= float(r.tolerance),
                "evaluations": fold["evaluations"],
                "moved": ", ".join(f"{p} x{f:.3f}" for p, f in moved.items()) or "none",
            }
        )
    return pd.DataFrame(rows)


def machine() -> str:
    """Where a run was made: host, CPUs and load, since the run time depends on them."""
    return f"{platform.node() or 'unknown host'}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"


def today() -> str:
    return dt.date.today().isoformat()


def markdown(cv: CrossValidation, command: str, *, workers: int, where: str, date: str) -> str:
    """The page: how it was made (command, date, machine, run time), the table, and what it can and cannot show."""
    s, tab = cv.settings, cv.table
    full = cv.folds[ALL]
    moved_all = ", ".join(f"{p} x{f:.3f}" for p, f in full["factors"].items() if abs(np.log(f)) > 0.01) or "none"
    run = f"{cv.seconds / 60:.1f} min with {workers} worker process(es)"
    lines = [
        f"# Leave-one-out cross-validation of the calibration (`{s['scenario']}`)",
        "",
        f"Generated by `{command}` on {date} ({where}; run time {run}). Do not edit by hand: the figures are "
        "deterministic for these settings, the date, machine and run time are not.",
        "",
        f"Each of the {len(tab)} calibration targets (role `calibration` in "
        "`src/immsim/validation/data/targets-fy2017.csv`) is left out in turn: the calibratable parameters are "
        f"fitted to the other {len(tab) - 1} (`immsim calibrate`'s objective and bounded Powell search, at most "
        f"{s['max_evaluations']} runs per fit, {s['replications']} replication(s), seed {s['seed']}), and the left-out "
        "figure is read from that fit. *In-sample* is the same figure from a fit to all the targets with the same "
        "start, seeds and budget, so the two columns differ only in whether the figure was in the objective. "
        f"Every fit starts from `{s['scenario']}` as it is (scenario sha256 {s['scenario_sha256']}...) and moves "
        + (f"only {', '.join(f'`{x}`' for x in s['only'])}." if s.get("only") else "every calibratable parameter."),
        "",
        "| figure | target | tolerance | start | in-sample | error | left out | error | within tolerance "
        "| runs | factors the fold moved |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in tab.itertuples():
        lines.append(
            f"| {r.figure} | {cal.figure_text(r.target)} | {r.tolerance:.0%} | {cal.figure_text(r.start)} "
            f"| {cal.figure_text(r.in_sample)} | {cal.error_text(r.error_in_sample)} | {cal.figure_text(r.left_out)} "
            f"| {cal.error_text(r.error_left_out)} "
            f"| {'yes' if r.within_tolerance else '**no**'} | {r.evaluations} | {r.moved} |"
        )
    inside = int(tab.within_tolerance.sum())
    inside_in = int((tab.error_in_sample.abs() <= tab.tolerance).sum())
    lines += [
        "",
        f"Left out, {inside} of {len(tab)} figures are predicted within their tolerance (in-sample: {inside_in} of "
        f"{len(tab)}). The fit to all targets used {full['evaluations']} runs and reached an objective of "
        f"{full['objective']:.2f} (sum of squared relative errors over tolerances); it moved {moved_all}.",
        "",
        "How to read it. A figure whose left-out error is close to its in-sample error is carried by the other "
        "targets and the model's structure: dropping it from the objective changes little. A figure whose "
        "left-out error is much larger than its in-sample one is held in place by its own target, so its "
        "agreement in the validation table shows the fit, not the model. Two limits: every fold starts from "
        "values that were themselves calibrated with all the targets, so with a small budget a fold stays near "
        "a start that has already seen the left-out figure (the left-out errors are, if anything, optimistic; "
        "starting from the uncalibrated `us-2017-prior` removes this at the cost of many more runs); and the "
        "search is short, so a fold shows where the other targets pull the parameters, not a converged optimum.",
    ]
    return "\n".join(lines) + "\n"
