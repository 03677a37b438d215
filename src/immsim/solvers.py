"""Answer "how many?" questions by root-finding over paired stochastic runs.

- ``officers_to_match_arrests``: the factor on ICE officers (jail transfers and
  at-large teams) under an alternative scenario that brings ICE arrests back
  to the base scenario's level.
- ``judges_to_stop_growth``: the number of judges from a fiscal year on that
  keeps the court backlog from growing that year, or, with ``clear_by``, that
  brings it under a target by the end of a later fiscal year.

Each evaluation runs R replications with the same seeds (common random
numbers), so the function being solved is the mean paired difference, which
moves smoothly with the lever. A bracketing search (regula falsi with
bisection safeguards) narrows the lever until the 95 % interval of the
difference at the answer contains zero and the bracket is tight; the answer's
interval is the lever range over which the difference's interval contains
zero, from the slope of a line through the evaluations (delta method).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd

from immsim.errors import ImmsimError
from immsim.intervals import interval_columns, set_groups
from immsim.scenario.loader import Scenario, load_scenario
from immsim.simulation import simulate
from immsim.uncertainty import PER_DRAW, Ensemble, resolve_uncertainty


@dataclass
class Answer:
    """What a solver returns: the lever's value at the answer, its interval, and every evaluation.

    Attributes
    ----------
    lever : str
        What was solved for (``officer factor``, ``judges``).
    value : float
        The lever's value at which the mean paired difference is zero.
    ci_low, ci_high : float
        The lever range over which the 95% interval of the difference
        contains zero (from the slope of a line through the evaluations); NaN with one replication.
        With ``uncertainty``, the interval of the Monte Carlo band.
    total_low, total_high : float
        With ``uncertainty``: the same from the total band (the dice and
        the assumptions); NaN otherwise.
    steps : pandas.DataFrame
        Every evaluation, in order: ``lever``, ``difference`` (mean over
        replications), ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from immsim.solvers import Answer
    >>> import pandas as pd
    >>> answer = Answer("judges", 420.0, 410.0, 430.0, pd.DataFrame())
    >>> answer.table().iloc[0].to_dict()
    {'lever': 'judges', 'value': 420.0, 'ci_low': 410.0, 'ci_high': 430.0, 'evaluations': 0}
    """

    lever: str
    value: float  # the lever's value at the answer
    ci_low: float
    ci_high: float
    steps: pd.DataFrame  # every evaluation: lever, mean difference, interval
    total_low: float = float("nan")  # with uncertainty: the lever's band over the assumptions as well
    total_high: float = float("nan")

    def table(self) -> pd.DataFrame:
        """The answer as a one-row table, as ``immsim solve`` prints it.

        Returns
        -------
        pandas.DataFrame
            Columns ``lever``, ``value``, ``ci_low``, ``ci_high`` and
            ``evaluations`` (the number of steps).

        Examples
        --------
        >>> from immsim.solvers import Answer
        >>> import pandas as pd
        >>> steps = pd.DataFrame({"lever": [1.0, 2.0], "difference": [-5.0, 5.0]})
        >>> list(Answer("officer factor", 1.5, 1.4, 1.6, steps).table().evaluations)
        [2]
        """
        return pd.DataFrame(
            [
                {
                    "lever": self.lever,
                    "value": self.value,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "evaluations": len(self.steps),
                }
            ]
        )


def _scaled(sc: Scenario, names: list[str], factor: float) -> Scenario:
    source = f"solver: {factor:.4f} x the scenario's value"
    changes = [{"parameter": name, "scale": factor, "source": source} for name in names]
    return sc.with_changes(changes, name=sc.name, title=sc.data.title)


def _with_judges(sc: Scenario, judges: float, from_date: dt.date) -> Scenario:
    p = sc.data.parameters["immigration_judges"]
    steps = p.series or [SimpleNamespace(start=sc.data.start, value=p.value)]
    kept = [{"from": s.start.isoformat(), "value": s.value} for s in steps if s.start < from_date]
    series = [*kept, {"from": from_date.isoformat(), "value": float(judges)}]
    source = f"solver: {judges:.1f} judges from {from_date}"
    change = {"parameter": "immigration_judges", "series": series, "source": source}
    return sc.with_changes([change], name=sc.name, title=sc.data.title)


def _slope(steps: pd.DataFrame, rise: float, run: float) -> float:
    """How fast the difference changes with the lever, for the answer's interval (delta method).

    The slope of a least-squares line through every evaluation, not the
    secant of the last bracket: near the answer the bracket is narrow (whole
    judges are one apart), so its two differences are mostly noise and their
    secant was far too steep, which made the interval far too narrow. A
    line through the whole search averages that noise out; the difference
    is close to linear in the lever over the range the search visits.
    """
    x, y = steps.lever.to_numpy(float), steps.difference.to_numpy(float)
    if len(np.unique(x)) >= 3:
        return float(np.polyfit(x, y, 1)[0])
    return rise / run if run > 0 else np.nan


def _solve(
    f: Callable[[float], dict[str, float]],
    lo: float,
    hi: float,
    lever: str,
    rel_tol: float,
    max_evaluations: int,
) -> Answer:
    """Find x in [lo, hi] with mean f(x) = 0; f returns ``interval_columns`` (mean, ci_*, maybe total_*) and
    increases with x.

    Regula falsi with the Illinois rule: when the same end of the bracket moves twice in a row, the other end's
    difference is halved for the next secant. Without it one end can stay put for every step when f bends, as
    a backlog target does: once the docket is cleared, more judges cannot lower pending further, so the
    difference is flat above the answer, and plain regula falsi crept up from below and stopped far short. The
    answer is kept inside the last bracket.
    """
    rows = []

    def ev(x: float) -> float:
        bands = f(x)
        rows.append({"lever": x, "difference": bands.pop("mean"), **bands})
        return rows[-1]["difference"]

    f_lo, f_hi = ev(lo), ev(hi)
    if f_lo > 0 or f_hi < 0:
        raise ImmsimError(f"{lever}: no answer between {lo:g} and {hi:g} (differences {f_lo:+,.0f} and {f_hi:+,.0f})")
    w_lo, w_hi, moved = f_lo, f_hi, 0  # the differences the secant uses (Illinois); which end moved last
    while len(rows) < max_evaluations and hi - lo > rel_tol * max(abs(hi), 1e-9):
        x = lo - w_lo * (hi - lo) / (w_hi - w_lo) if w_hi != w_lo else (lo + hi) / 2
        x = min(max(x, lo + 0.1 * (hi - lo)), hi - 0.1 * (hi - lo))  # stay inside: bisection safeguard
        fx = ev(x)
        row = rows[-1]
        if row["ci_low"] <= 0 <= row["ci_high"] and hi - lo < 10 * rel_tol * max(abs(hi), 1e-9):
            break
        if fx < 0:
            lo, f_lo, w_lo = x, fx, fx
            w_hi = w_hi / 2 if moved < 0 else w_hi
            moved = -1
        else:
            hi, f_hi, w_hi = x, fx, fx
            w_lo = w_lo / 2 if moved > 0 else w_lo
            moved = 1
    steps = pd.DataFrame(rows)
    best = steps.iloc[(steps.difference.abs()).argmin()]
    slope = _slope(steps, f_hi - f_lo, hi - lo)
    value = best.lever - best.difference / slope if slope and np.isfinite(slope) else best.lever
    value = min(max(value, lo), hi)  # the slope of the whole search is too shallow where f bends

    def width(low: str, high: str) -> float:
        half = max(best[high] - best.difference, best.difference - best[low])
        return abs(half / slope) if slope and np.isfinite(slope) else np.nan

    mc = width("ci_low", "ci_high")
    total = width("total_low", "total_high") if "total_low" in steps else np.nan
    return Answer(lever, float(value), float(value - mc), float(value + mc), steps, value - total, value + total)


def officers_to_match_arrests(
    base: Scenario | str,
    alternative: Scenario | str,
    *,
    fiscal_year: int | None = None,
    replications: int = 5,
    seed: int = 1,
    max_factor: float = 4.0,
    rel_tol: float = 0.01,
    max_evaluations: int = 12,
    uncertainty: Ensemble | str | None = None,
    per_draw: int = PER_DRAW,
) -> Answer:
    """Factor on ICE officers under ``alternative`` that gives the base's ICE arrests (same seeds).

    Both kinds of officers (``jail_officers`` and ``at_large_officers``) are
    scaled by the same factor; each evaluation runs the scaled alternative
    with the base's seeds, and the search stops when the paired difference
    in ICE administrative arrests is zero within its interval and the
    bracket is tight (see the module's description).

    Parameters
    ----------
    base : Scenario or str
        The scenario whose arrests are the target.
    alternative : Scenario or str
        The scenario whose officers are scaled (a policy that lowers arrests).
    fiscal_year : int, optional
        The fiscal year compared; by default the first fiscal year from the
        base's start.
    replications : int, default 5
        Replications of each evaluation.
    seed : int, default 1
        The seed of replication 0 of every run.
    max_factor : float, default 4.0
        The largest factor tried; the search starts from ``[0.5, max_factor]``.
    rel_tol : float, default 0.01
        Relative width of the bracket at which the search stops.
    max_evaluations : int, default 12
        At most this many evaluations of the alternative.
    uncertainty : Ensemble or str, optional
        Answer over the assumptions (see ``simulate``): every run, base
        and alternative, draws the same parameter sets, and the answer
        gains ``total_low`` and ``total_high``.
    per_draw : int, default 2
        Replications that share a parameter set.

    Returns
    -------
    Answer
        ``lever`` is ``"officer factor"``; ``value`` the factor.

    Raises
    ------
    ImmsimError
        If the arrests are not matched anywhere between 0.5 and
        ``max_factor`` (the message gives the differences at both ends).
    ScenarioError
        If a scenario names no scenario or an invalid one.

    Examples
    --------
    A coarse answer (one replication, three evaluations; ``immsim solve`` uses more):

    >>> from immsim import solvers
    >>> answer = solvers.officers_to_match_arrests("us-2017", "all-decline", replications=1, max_evaluations=3)
    >>> answer.lever, len(answer.steps), bool(1.0 < answer.value < 4.0)
    ('officer factor', 3, True)
    """
    base = base if isinstance(base, Scenario) else load_scenario(base)
    alt = alternative if isinstance(alternative, Scenario) else load_scenario(alternative)
    start = base.data.start
    years = 1 if fiscal_year is None else fiscal_year - start.year + (0 if start.month >= 10 else 1)
    fy = fiscal_year or (start.year + 1 if start.month >= 10 else start.year)
    ensemble = resolve_uncertainty(uncertainty, base.base or base.name)
    run = dict(start=start, years=max(1, years), seed=seed, replications=replications)
    run |= dict(uncertainty=ensemble, per_draw=per_draw)
    base_run = simulate(base, **run)
    b = base_run.fiscal_years
    b = b[b.fiscal_year == fy].set_index("replication").ice_admin_arrests

    def f(k: float):
        sc = _scaled(alt, ["jail_officers", "at_large_officers"], k)
        a = simulate(sc, **run).fiscal_years
        d = (a[a.fiscal_year == fy].set_index("replication").ice_admin_arrests - b).dropna()
        return interval_columns(d.to_numpy(float), set_groups(base_run, d.index.to_series()))

    return _solve(f, 0.5, max_factor, "officer factor", rel_tol, max_evaluations)


def judges_to_stop_growth(
    scenario: Scenario | str,
    fiscal_year: int,
    *,
    clear_by: int | None = None,
    target_pending: float = 100_000,
    replications: int = 3,
    seed: int = 1,
    max_judges: float = 5_000,
    rel_tol: float = 0.01,
    max_evaluations: int = 12,
    uncertainty: Ensemble | str | None = None,
    per_draw: int = PER_DRAW,
) -> Answer:
    """Judges from the start of ``fiscal_year`` so the backlog stops growing that year (or is cleared).

    Without ``clear_by``: pending at the end of the fiscal year equals pending
    at its start. With ``clear_by``: pending at the end of fiscal year
    ``clear_by`` falls to ``target_pending``. The scenario's judges before
    ``fiscal_year`` are kept; from its first day (1 October) the number of
    judges is the lever.

    Parameters
    ----------
    scenario : Scenario or str
        The scenario, or a built-in name or path.
    fiscal_year : int
        The first fiscal year with the new number of judges.
    clear_by : int, optional
        A later fiscal year by whose end the backlog must have fallen to
        ``target_pending``.
    target_pending : float, default 100000
        The backlog to reach with ``clear_by``.
    replications : int, default 3
        Replications of each evaluation.
    seed : int, default 1
        The seed of replication 0 of every run.
    max_judges : float, default 5000
        The most judges tried; the search starts from ``[1, max_judges]``.
    rel_tol : float, default 0.01
        Relative width of the bracket at which the search stops.
    max_evaluations : int, default 12
        At most this many evaluations.
    uncertainty : Ensemble or str, optional
        Answer over the assumptions (see ``simulate``); the answer gains
        ``total_low`` and ``total_high``.
    per_draw : int, default 2
        Replications that share a parameter set.

    Returns
    -------
    Answer
        ``lever`` is ``"judges"``; ``value`` the number of judges.

    Raises
    ------
    ImmsimError
        If no number of judges between 1 and ``max_judges`` meets the goal,
        or ``fiscal_year`` starts before the scenario.
    ScenarioError
        If ``scenario`` names no scenario or an invalid one.

    Examples
    --------
    A coarse answer (one replication, three evaluations; ``immsim solve`` uses more):

    >>> from immsim import solvers
    >>> answer = solvers.judges_to_stop_growth("us-2017", 2017, replications=1, max_evaluations=3)
    >>> answer.lever, len(answer.steps), bool(1 < answer.value < 5000)
    ('judges', 3, True)
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    fy_start = dt.date(fiscal_year - 1, 10, 1)
    last = clear_by or fiscal_year
    years = last - sc.data.start.year + (0 if sc.data.start.month >= 10 else 1)

    ensemble = resolve_uncertainty(uncertainty, sc.base or sc.name)

    def f(judges: float):
        scj = _with_judges(sc, judges, fy_start)
        r = simulate(scj, years=years, seed=seed, replications=replications, uncertainty=ensemble, per_draw=per_draw)
        fy = r.fiscal_years.set_index(["replication", "fiscal_year"]).court_pending_end.unstack()
        if clear_by:
            # positive when too many judges: the backlog ends below the target
            d = target_pending - fy[clear_by]
        else:
            before = fy[fiscal_year - 1] if fiscal_year - 1 in fy else _pending_at_start(r)
            d = before - fy[fiscal_year]  # growth, negated: rises with judges
        d = d.dropna()
        return interval_columns(d.to_numpy(float), set_groups(r, d.index.to_series()))

    return _solve(f, 1.0, max_judges, "judges", rel_tol, max_evaluations)


def _pending_at_start(r) -> pd.Series:
    first = r.national.month.min()
    n = r.national[r.national.month == first].set_index("replication")
    return n.court_pending - n.court_receipts - n.recalendared + n.court_completions + n.administrative_closures
