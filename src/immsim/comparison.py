"""Paired comparison of scenarios with common random numbers.

Replication r of every scenario uses the same seed, and each mechanism draws
from its own stream re-seeded per day, so the differences between scenarios
come from the changes, not from the dice. The difference of each headline
figure is averaged over replications with a Student-t 95 % interval; the
variance reduction is the variance the difference would have with independent
runs (Var base + Var alt) over the variance of the paired difference.

The same pairing gives the differences by criminal history
(``history_differences``): a policy that treats histories differently moves
them apart, and the headline totals alone would hide which moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from immsim.figures import HEADLINES, HISTORY_HEADLINES, history_year_table
from immsim.intervals import interval_columns, mean_interval, set_groups
from immsim.model import codes as c
from immsim.results import Result
from immsim.scenario.loader import Scenario, load_scenario
from immsim.simulation import simulate
from immsim.uncertainty import PER_DRAW, Ensemble, resolve_uncertainty


class _Pair(NamedTuple):
    table: pd.DataFrame
    results: dict[str, Result]


class Comparison(_Pair):
    """What ``compare`` returns: unpacks as ``(table, results)``; ``by_history`` holds the differences by history.

    A pair, so that code written before criminal history was kept
    (``table, results = compare(...)``) keeps working.

    Attributes
    ----------
    table : pandas.DataFrame
        The paired differences of the headline figures, one row per
        alternative and figure: ``scenario``, ``figure``, ``description``,
        ``unit``, ``fiscal_year``, ``base`` and ``alternative`` (means over
        replications), ``difference`` (alternative minus base, mean over
        paired replications), ``ci_low``, ``ci_high`` (its 95% interval) and
        ``variance_reduction`` (the variance of the difference with
        independent runs over its variance with common random numbers).
    results : dict of str to Result
        Each scenario's result, by scenario name, the base first.
    by_history : pandas.DataFrame
        The paired differences by criminal history (``history_differences``).

    Examples
    --------
    >>> import immsim
    >>> comparison = immsim.compare("us-2017", ["all-honor"], years=0.25, replications=2)
    >>> table, results = comparison
    >>> list(results)
    ['us-2017', 'all-honor']
    >>> comparison.table is table, list(comparison.by_history.criminal_history.unique())
    (True, ['none', 'pending', 'lesser', 'serious'])
    """

    by_history: pd.DataFrame


def compare(
    base: Scenario | str,
    alternatives: list[Scenario | str],
    *,
    start: dt.date | str | None = None,
    years: float = 1.0,
    seed: int = 1,
    replications: int = 10,
    fiscal_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    uncertainty: Ensemble | str | None = None,
    per_draw: int = PER_DRAW,
) -> Comparison:
    """Run a base scenario and alternatives with the same seeds, and their paired differences.

    Replication r of every scenario uses the same seed (common random
    numbers), so each alternative's difference from the base comes from its
    changes, not from the dice, and is measured far more precisely than by
    independent runs: ``variance_reduction`` says by how much. ``immsim
    compare`` prints this table.

    Parameters
    ----------
    base : Scenario or str
        The base scenario, or a built-in name or path.
    alternatives : list of Scenario or str
        The scenarios compared with it. Results are kept by scenario name; a
        name given twice is told apart as ``name (2)``, ``name (3)``, ... in
        the order given (``with_changes`` names a derived scenario
        ``<base>-changed`` unless told otherwise).
    start : datetime.date or str, optional
        The first simulated day of every run; by default the base's start.
    years : float, default 1.0
        Simulated years of every run.
    seed : int, default 1
        The seed of replication 0 of every scenario.
    replications : int, default 10
        Replications of every scenario; at least 2 for intervals.
    fiscal_year : int, optional
        The year compared; by default the base's first complete fiscal year,
        or its first year in a run shorter than one.
    progress : callable, optional
        Called as ``progress(days_done, days_total)`` over all runs.
    uncertainty : Ensemble or str, optional
        Answer over the assumptions' uncertainty (see ``simulate``; ``"posterior"`` is the ensemble shipped
        with the base scenario). Replication r of every scenario runs the same parameter set, and the
        table gains ``total_low`` and ``total_high``: the difference's band over the posterior as well as
        the dice, while ``ci_low`` and ``ci_high`` stay the Monte Carlo band.
    per_draw : int, default 2
        Paired replications that share a parameter set.

    Returns
    -------
    Comparison
        Unpacks as ``(table, results)``: the paired differences of the
        headline figures as a tidy DataFrame, one row per alternative and
        figure, and each scenario's ``Result`` by name; ``.by_history`` holds
        the paired differences by criminal history.

    Raises
    ------
    ScenarioError
        If a scenario names no scenario or an invalid one.
    ImmsimError
        If ``start``, ``years``, ``replications`` or ``seed`` is out of range.

    Examples
    --------
    >>> import immsim
    >>> base = immsim.load_scenario("us-2017")
    >>> honor = base.with_changes([{"policy": "honor", "where": {"all": True}, "from": "2016-10-01"}],
    ...                           name="all-honor-now")
    >>> table, results = immsim.compare(base, [honor], years=0.25, replications=2, seed=1)
    >>> row = table.set_index("figure").loc["detainers_declined"]
    >>> row.scenario, bool(row.difference < 0), bool(row.alternative == 0)
    ('all-honor-now', True, True)
    """
    scenarios = [s if isinstance(s, Scenario) else load_scenario(s) for s in [base, *alternatives]]
    ensemble = resolve_uncertainty(uncertainty, scenarios[0].base or scenarios[0].name)  # one for every scenario
    names = _distinct([sc.name for sc in scenarios])
    results: dict[str, Result] = {}
    for i, sc in enumerate(scenarios):
        results[names[i]] = simulate(
            sc,
            start=start or scenarios[0].data.start,
            years=years,
            seed=seed,
            replications=replications,
            progress=(lambda d, t, i=i: progress(i * t + d, len(scenarios) * t)) if progress else None,
            uncertainty=ensemble,
            per_draw=per_draw,
        )
    base_res = results[names[0]]
    fy = fiscal_year or (base_res.complete_fiscal_years() or [int(base_res.fiscal_years.fiscal_year.min())])[0]
    b = base_res.fiscal_years[base_res.fiscal_years.fiscal_year == fy].set_index("replication")
    rows = []
    for name_i in names[1:]:
        a = results[name_i].fiscal_years
        a = a[a.fiscal_year == fy].set_index("replication")
        for name, (desc, unit) in HEADLINES.items():
            d = (a[name] - b[name]).dropna()
            bands = interval_columns(d.to_numpy(float), set_groups(base_res, d.index.to_series()))
            m, lo, hi = bands["mean"], bands["ci_low"], bands["ci_high"]
            var_paired = float(d.var(ddof=1)) if len(d) > 1 else np.nan
            var_indep = float(a[name].var(ddof=1) + b[name].var(ddof=1)) if len(d) > 1 else np.nan
            rows.append(
                {
                    "scenario": name_i,
                    "figure": name,
                    "description": desc,
                    "unit": unit,
                    "fiscal_year": fy,
                    "base": float(b[name].mean()),
                    "alternative": float(a[name].mean()),
                    "difference": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "variance_reduction": var_indep / var_paired if var_paired > 0 else np.inf,
                    **{k: v for k, v in bands.items() if k.startswith("total")},
                }
            )
    out = Comparison(pd.DataFrame(rows), results)
    out.by_history = history_differences(results, fy)
    return out


#: Columns of ``history_differences``.
HISTORY_DIFFERENCE_COLUMNS = [
    "scenario",
    "criminal_history",
    "label",
    "figure",
    "description",
    "fiscal_year",
    "base",
    "alternative",
    "difference",
    "ci_low",
    "ci_high",
]


def history_differences(results: dict[str, Result], fiscal_year: int) -> pd.DataFrame:
    """Paired differences by criminal history: each alternative minus the first result, figure by figure.

    Replication r of every scenario shares its seeds, as in ``compare``; the
    difference of each ``HISTORY_HEADLINES`` figure in each history is averaged
    over replications with a Student-t 95 % interval. Results read from
    folders written before criminal history was kept give no rows.
    """
    names = list(results)
    tables = {n: history_year_table(r.by_history) for n, r in results.items()}
    rows = []

    def year(name: str, history: str) -> pd.DataFrame:
        t = tables[name]
        return t[(t.fiscal_year == fiscal_year) & (t.criminal_history == history)].set_index("replication")

    for name in names[1:]:
        if tables[names[0]].empty or tables[name].empty:
            continue
        for history, label in zip(c.HISTORIES, c.HISTORY_LABELS, strict=True):
            b, a = year(names[0], history), year(name, history)
            for figure, description in HISTORY_HEADLINES.items():
                m, lo, hi = mean_interval((a[figure] - b[figure]).dropna())
                rows.append(
                    {
                        "scenario": name,
                        "criminal_history": history,
                        "label": label,
                        "figure": figure,
                        "description": description,
                        "fiscal_year": fiscal_year,
                        "base": float(b[figure].mean()),
                        "alternative": float(a[figure].mean()),
                        "difference": m,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
    return pd.DataFrame(rows, columns=HISTORY_DIFFERENCE_COLUMNS)


def largest_differences(
    results: dict[str, Result],
    base: str,
    alternative: str,
    fiscal_year: int,
    figure: str = "ice_admin_arrests",
    top: int = 5,
    by: str = "state",
) -> pd.DataFrame:
    """States (``by="state"``) or jurisdictions (``by="jurisdiction"``: counties and cities apart) where the paired
    difference in ``figure`` is largest (mean over replications)."""
    if by not in ("state", "jurisdiction"):
        raise ValueError(f"by: 'state' or 'jurisdiction', not {by!r}")

    def table(result: Result) -> pd.Series:
        rows = result.by_state(fiscal_year) if by == "state" else result.by_jurisdiction(fiscal_year)
        return rows.set_index(by)[figure]

    a, b = table(results[alternative]), table(results[base])
    d = (a - b).rename("difference").to_frame()
    d["base"], d["alternative"] = b, a
    return d.reindex(d.difference.abs().sort_values(ascending=False).index).head(top).reset_index()


def _distinct(names: list[str]) -> list[str]:
    """``names`` with repeats told apart (``a``, ``a (2)``, ...), so no result silently replaces another."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
