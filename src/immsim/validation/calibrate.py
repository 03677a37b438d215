"""Fit the parameters no public figure gives to the public figures that exist.

Only parameters marked ``calibratable: true`` move, and only those whose
source is ``assumption`` may be so marked (the loader refuses the rest), so a
parameter with a direct source never changes. Each calibratable parameter gets
one multiplicative factor, applied to every entry of a table (class, path,
...) or dated step, and bounded so that every value stays inside the
parameter's stated range. The objective is the sum over targets of the
squared relative error divided by the target's tolerance, from runs with fixed
seeds (common random numbers make it smooth). SciPy's bounded Powell method
searches the factors in log space.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from immsim._format import MISSING_MARKDOWN, number
from immsim.errors import ImmsimError
from immsim.scenario.loader import Scenario, parse_scenario
from immsim.scenario.yamldoc import load_document
from immsim.simulation import simulate
from immsim.validation.public import FY2017_START


@dataclass
class Fit:
    scenario_text: str  # the calibrated scenario file
    factors: pd.DataFrame  # parameter, factor, lower, upper
    targets: pd.DataFrame  # figure, target, tolerance, before, after, error_before, error_after
    evaluations: int
    objective_before: float
    objective_after: float
    figures: pd.Series | None = None  # every headline figure of the calibrated scenario (mean), not only the fitted


def _values(p: dict) -> list[float]:
    def flat(v):
        return list(v.values()) if isinstance(v, dict) else [v]

    if p.get("series"):
        return [x for step in p["series"] for x in flat(step["value"])]
    return flat(p["value"])


def calibratable(doc: dict) -> pd.DataFrame:
    """Calibratable parameters with the factor bounds that keep them inside their range."""
    rows = []
    for name, p in doc["parameters"].items():
        if not p.get("calibratable"):
            continue
        vals = [v for v in _values(p) if v > 0]
        if not vals:
            continue
        lo, hi = p["range"]
        rows.append(
            {"parameter": name, "lower": max(lo / min(vals), 1e-3) if lo > 0 else 1e-3, "upper": hi / max(vals)}
        )
    out = pd.DataFrame(rows, columns=["parameter", "lower", "upper"])
    out["lower"] = np.minimum(out.lower, 1.0)
    out["upper"] = np.maximum(out.upper, 1.0)
    return out


def figures_of(scenario: Scenario | str, name: str, seed: int, replications: int) -> pd.Series:
    """The FY2017 headline figures (means over replications) of a scenario (or its text): what the objective reads."""
    sc = scenario if isinstance(scenario, Scenario) else parse_scenario(scenario, name)
    r = simulate(sc, start=FY2017_START, years=1, seed=seed, replications=replications)
    return r.summary(2017).set_index("figure")["mean"]


ROLES = ("calibration", "construction", "check")


def calibration_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The rows the calibration fits: a model figure and ``role == "calibration"``."""
    if "role" not in targets:
        raise ImmsimError(
            "calibrate: the targets have no 'role' column (calibration, construction or check for each figure)"
        )
    role = targets.role.fillna("").astype(str)
    unknown = sorted(set(role[role != ""]) - set(ROLES))
    if unknown:
        raise ImmsimError(f"calibrate: unknown role(s) {unknown}; use one of {list(ROLES)} or leave it empty")
    named = targets.figure.notna() & (targets.figure.astype(str) != "")
    return targets[named & (role == "calibration")].copy()


def calibrate(
    scenario: Scenario,
    targets: pd.DataFrame,
    *,
    seed: int = 1,
    replications: int = 1,
    max_evaluations: int = 100,
    progress: Callable[[int, float], None] | None = None,
    name: str | None = None,
    only: Sequence[str] | None = None,
    before: pd.Series | None = None,
) -> Fit:
    """Fit the calibratable parameters of ``scenario`` to the FY2017 rows of ``targets`` whose role is calibration.

    Rows that hold by construction (an input was derived from them) would only pull the fit towards what the
    inputs already give, and rows kept as independent checks must stay out of the fit to remain independent, so
    only ``role == "calibration"`` is fitted; a targets table without a ``role`` column is refused rather than
    guessed at. ``only`` restricts the search to some of the calibratable parameters (the others keep their
    values): Powell's method spends its first evaluations along each parameter in turn, so a round that should
    move two parameters of fifteen reaches them only with this. ``before``, the figures of ``scenario`` itself
    with the same seed and replications, saves a run when the caller already has them (a cross-validation fits
    the same start many times).
    """
    t = calibration_targets(targets)
    t = t[t.period.astype(str).str.startswith("FY2017")]
    if t.empty:
        raise ImmsimError("calibrate: no calibration target names a model figure for FY2017")
    goal = t.set_index("figure")
    target_values = goal.value.astype(float)
    tolerance = goal.tolerance.astype(float)
    doc = load_document(scenario.text)
    space = calibratable(doc)
    if space.empty:
        raise ImmsimError(f"calibrate: {scenario.path} marks no parameter calibratable")
    if only is not None:
        unknown = sorted(set(only) - set(space.parameter))
        if unknown:
            raise ImmsimError(
                f"calibrate: {', '.join(unknown)} not calibratable in {scenario.path} "
                f"(calibratable: {', '.join(space.parameter)})"
            )
        space = space[space.parameter.isin(list(only))].reset_index(drop=True)

    def scenario_at(factors: np.ndarray, new_name: str | None = None) -> Scenario:
        # each parameter keeps its own source (an assumption), so it stays calibratable in the result
        changes = [
            {"parameter": p, "scale": float(f), "source": doc["parameters"][p]["source"]}
            for p, f in zip(space.parameter, factors, strict=True)
        ]
        return scenario.with_changes(changes, name=new_name or scenario.name, title=scenario.data.title)

    def loss(figures: pd.Series) -> float:
        err = (figures.reindex(target_values.index) - target_values) / target_values / tolerance
        return float((err**2).sum())

    evals = 0
    best = (math.inf, np.ones(len(space)))
    # Runs are deterministic for fixed seeds, so a point already run is not run again: the start (Powell's first
    # point) and the best point (the report's "after") are each run once.
    runs: dict[bytes, pd.Series] = {}

    def figures_at(factors: np.ndarray) -> pd.Series:
        key = np.asarray(factors, dtype=float).tobytes()
        if key not in runs:
            runs[key] = figures_of(scenario_at(factors), scenario.name, seed, replications)
        return runs[key]

    if before is not None:
        runs[np.ones(len(space)).tobytes()] = before

    def objective(x: np.ndarray) -> float:
        nonlocal evals, best
        factors = np.exp(x)
        value = loss(figures_at(factors))
        evals += 1
        if value < best[0]:
            best = (value, factors)
        if progress:
            progress(evals, best[0])
        return value

    bounds = list(zip(np.log(space.lower), np.log(space.upper), strict=True))
    before = figures_at(np.ones(len(space)))
    optimize.minimize(
        objective,
        np.zeros(len(space)),
        method="Powell",
        bounds=bounds,
        options={"maxfev": max_evaluations, "xtol": 1e-2, "ftol": 1e-3},
    )
    factors = best[1]
    after = figures_at(factors)
    text = scenario_at(factors, name).text
    table = pd.DataFrame(
        {
            "figure": target_values.index,
            "target": target_values.to_numpy(),
            "tolerance": tolerance.to_numpy(),
            "before": before.reindex(target_values.index).to_numpy(),
            "after": after.reindex(target_values.index).to_numpy(),
        }
    )
    table["error_before"] = table.before / table.target - 1
    table["error_after"] = table.after / table.target - 1
    fac = space.assign(factor=factors, moved=np.abs(np.log(factors)) > 0.01)
    return Fit(_stamp(text, fac), fac, table, evals, loss(before), loss(after), after)


def _stamp(text: str, factors: pd.DataFrame) -> str:
    moved = ", ".join(f"{r.parameter} x{r.factor:.3f}" for r in factors.itertuples() if r.moved) or "none"
    header = (
        f"# Calibrated by `immsim calibrate` on {dt.date.today().isoformat()}: factors applied to "
        f"calibratable parameters: {moved}.\n"
    )
    return header + text


def figure_text(x: float) -> str:
    """A figure as the targets file gives it (shares as fractions), to four significant digits below 100."""
    return number(x, missing=MISSING_MARKDOWN, percent=False, digits=4)


def error_text(x: float) -> str:
    """A relative error on a page: a signed percentage."""
    return number(x, missing=MISSING_MARKDOWN, signed=True, percent=True)


def fit_report(fit: Fit, scenario_name: str, targets_name: str) -> str:
    """A Markdown report of a fit: targets before and after, and the factors."""
    lines = [
        f"# Calibration of `{scenario_name}`",
        "",
        f"Targets: `{targets_name}` (FY2017). {fit.evaluations} evaluations; objective (sum of squared "
        f"relative errors over tolerances) {fit.objective_before:.2f} before, {fit.objective_after:.2f} after.",
        "",
        "| figure | target | tolerance | before | error | after | error |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in fit.targets.itertuples():
        before, after = error_text(r.error_before), error_text(r.error_after)
        lines.append(
            f"| {r.figure} | {figure_text(r.target)} | {r.tolerance:.0%} | {figure_text(r.before)} | {before} "
            f"| {figure_text(r.after)} | {after} |"
        )
    lines += ["", "| parameter | factor | bounds | moved |", "|---|---:|---|---|"]
    for r in fit.factors.itertuples():
        lines.append(
            f"| {r.parameter} | {r.factor:.3f} | {r.lower:.3f} to {r.upper:.3f} | {'yes' if r.moved else 'no'} |"
        )
    lines += [
        "",
        "Only parameters marked `calibratable` with source `assumption` can move; every other parameter "
        "keeps its sourced value.",
    ]
    return "\n".join(lines) + "\n"
