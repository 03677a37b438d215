"""Level 3 of validation: the model against public figures.

``compare_targets`` runs a scenario over FY2017 with replications and sets
each public figure it produces beside the simulated mean and 95 % interval,
with a pass or fail against a tolerance that reflects the source's
confidence, and the figure's role (``calibration``: fitted; ``construction``:
an input was derived from it; ``check``: independent), so a report can keep
the fit apart from the evidence; figures the model does not produce are
listed with the reason.
``backtest_court`` runs the court sub-model alone over FY2009-FY2017 with
EOIR's receipts and judges as inputs and reports its error year by year.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import pandas as pd

from immsim.errors import ImmsimError
from immsim.figures import HEADLINES
from immsim.model import codes as c
from immsim.results import Result
from immsim.scenario.loader import Scenario, load_scenario
from immsim.simulation import simulate

FY2017_START = dt.date(2016, 10, 1)


def _data(name: str) -> pd.DataFrame:
    with resources.files("immsim.validation").joinpath("data", name).open() as f:
        return pd.read_csv(f)


#: Columns a targets table needs: what is compared (metric, figure, period), with what (value, tolerance) and why.
TARGET_COLUMNS = ("metric", "value", "period", "figure", "tolerance", "role")


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """Public figures with their source, confidence, model figure and tolerance (default: the FY2017 targets).

    A user's file that cannot be read, or lacks a column, raises ``ImmsimError`` naming the file.
    """
    if not path:
        return _data("targets-fy2017.csv")
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise ImmsimError(f"{path}: cannot read the targets ({e})") from None
    missing = [col for col in TARGET_COLUMNS if col not in table.columns]
    if missing:
        need, lack = ", ".join(TARGET_COLUMNS), ", ".join(missing)
        raise ImmsimError(f"{path}: the targets need the columns {need} (missing: {lack})")
    return table


def fy2017_run(scenario: Scenario | str, replications: int = 5, seed: int = 1, progress=None, years: int = 1) -> Result:
    """The run ``compare_targets`` and ``window_checks`` read: ``scenario`` from FY2017's start, ``replications`` times.

    ``years`` > 1 runs on past FY2017, for checks of later years to read the same run (``forward_check``).
    FY2017's figures do not depend on it: each day's random numbers depend only on the seed, the mechanism and
    the day (``engine.rng``), and nothing in a day looks ahead to the run's end (tests/test_forward.py).
    """
    return simulate(scenario, start=FY2017_START, years=years, seed=seed, replications=replications, progress=progress)


def compare_targets(
    scenario: Scenario | str,
    targets: pd.DataFrame | None = None,
    replications: int = 5,
    seed: int = 1,
    progress=None,
    result: Result | None = None,
) -> pd.DataFrame:
    """One row per public figure: target, simulated mean and interval, relative error, status.

    ``result``: a ``fy2017_run`` of the same scenario, replications and seed to read instead of running it again
    (``immsim validate`` runs once for this table, ``window_checks`` and the forward check).
    """
    targets = load_targets() if targets is None else targets
    result = result if result is not None else fy2017_run(scenario, replications, seed, progress)
    summary = result.summary(2017).set_index("figure")
    rows = []
    for t in targets.itertuples():
        row = {
            "metric": t.metric,
            "period": t.period,
            "target": t.value,
            "unit": t.unit,
            "source": t.source,
            "confidence": t.confidence,
            "figure": t.figure if isinstance(t.figure, str) else "",
            "tolerance": t.tolerance,
            "note": t.comparison_note if isinstance(t.comparison_note, str) else "",
            "role": getattr(t, "role", "") if isinstance(getattr(t, "role", ""), str) else "",
        }
        if row["figure"] and row["figure"] in summary.index:
            s = summary.loc[row["figure"]]
            target = float(t.value)
            rel = (s["mean"] - target) / target
            row.update(
                mean=s["mean"],
                ci_low=s["ci_low"],
                ci_high=s["ci_high"],
                rel_error=rel,
                status="pass" if abs(rel) <= float(t.tolerance) else "fail",
            )
        else:
            row.update(
                mean=float("nan"),
                ci_low=float("nan"),
                ci_high=float("nan"),
                rel_error=float("nan"),
                status="not produced",
            )
        rows.append(row)
    out = pd.DataFrame(rows)
    order = {"pass": 0, "fail": 0, "not produced": 1}
    return out.sort_values("status", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


#: The court back-test's tolerance on pending at year end and on completions, stated before any run (issue 14):
#: a year passes when the model is within 15 % of EOIR's figure. FY2017 is in sample (the judges' hearing time
#: comes from it); the earlier years are out of sample.
BACKTEST_TOLERANCE = 0.15
BACKTEST_OUT_OF_SAMPLE = tuple(range(2009, 2017))
#: Years and figures the model misses today, with the reason; the tests mark them expected-to-fail (strictly),
#: so a court model that fixes one is noticed and the entry is removed. None since the court's relief stage and
#: the yearly counsel shares (2026-12-01).
BACKTEST_KNOWN_MISSES: dict[tuple[int, str], str] = {}


def eoir_history() -> pd.DataFrame:
    return _data("eoir-history.csv")


def court_practice() -> pd.DataFrame:
    """The court's case mix, continuances and closures in FY2009-FY2016, with their sources: the back-test's inputs.

    Dated inputs of the years before ``us-2017`` starts (tools/build_court_practice.py writes the file from the
    published figures): the asylum share of cases, the probability that a hearing is continued, the share of
    hearings ending in administrative closure, the detained share of new cases and the share of non-detained
    respondents with counsel. ``asylum_share`` applies to every docket, ``represented_share_nondetained`` to the
    released and never-detained ones.
    """
    return _data("court-practice-fy2009-fy2016.csv")


def _value_at(base: Scenario, name: str, day: dt.date) -> float:
    """The base scenario's value of scalar parameter ``name`` on ``day``."""
    par = base.data.parameters[name]
    if par.series:
        return float([s.value for s in par.series if s.start <= day][-1])
    return float(par.value)


#: Court-practice figures whose last year holds through FY2017 instead of giving way to the base scenario's
#: value: ``us-2017``'s ``external_detained_share`` is the detained share of the receipts its pipeline does not
#: make, while in the back-test, the pipeline off, every receipt is external; its counsel shares are those of cases
#: decided 2007-2012, not FY2017's.
_HELD_INTO_FY2017 = frozenset({"external_detained_share", "represented_share_nondetained"})
#: Figures of the file that several parameters take.
_SHARED = {
    "asylum_share": [f"asylum_share_{k}" for k in ("detained", "released", "never_detained")],
    "represented_share_nondetained": ["represented_share_released", "represented_share_never_detained"],
}


def _court_practice_changes(base: Scenario, first_fy: int) -> list[dict]:
    """Each year's court practice from ``court_practice``, then the base scenario's own values from FY2017
    (but for ``_HELD_INTO_FY2017``)."""
    table = court_practice()
    table = table[table.fiscal_year >= first_fy]
    changes = []
    for figure, rows in table.groupby("parameter", sort=False):
        for name in _SHARED.get(figure, [figure]):
            steps = [
                {"from": f"{fy - 1}-10-01", "value": float(v)}
                for fy, v in zip(rows.fiscal_year, rows.value, strict=True)
            ]
            if figure not in _HELD_INTO_FY2017:
                steps.append({"from": FY2017_START.isoformat(), "value": _value_at(base, name, FY2017_START)})
            source = "; ".join(dict.fromkeys(rows.source))
            changes.append(
                {"parameter": name, "series": steps, "source": f"court-practice-fy2009-fy2016.csv: {source}"}
            )
    return changes


#: What bounds the stock of closed cases before FY2012: ABA Journal (2018-01-05) as quoted by CIS (2018-01-09).
_CLOSED_2018 = (
    "about 350,000 administratively closed cases in January 2018, 'more than half of which were closed in four years "
    "under the Obama Administration and exceeding the total in the previous 22 years' (ABA Journal via CIS)"
)


def _closed_at_start(base: Scenario, history: pd.DataFrame, first_fy: int) -> tuple[int, str]:
    """The stock of administratively closed cases when the back-test starts, and how it was found.

    No count for FY2008 was found. While closures were a small, steady share of completions (2 % in FY2006 by
    GAO, held to FY2011 in ``court_practice``), the stock was near the level at which as many cases are
    recalendared as are closed: the year's closures over the recalendaring rate, both the back-test's own inputs.
    That level (about 114,000 for FY2008) sits below the bound of ``_CLOSED_2018``, fewer than about 240,000 then
    (under half of 350,000 closed before FY2012, back-cast at the same rate).
    """
    practice = court_practice()
    row = practice[(practice.parameter == "admin_closure_probability") & (practice.fiscal_year == first_fy)]
    share = float(row.value.iloc[0])
    completions = float(history.set_index("fiscal_year").total_completions[first_fy - 1])
    rate = _value_at(base, "recalendar_rate", dt.date(first_fy - 1, 10, 1))
    if rate <= 0:  # nothing ever comes back: the stock cannot change pending, and there is no balance to find
        return 0, "no closed case is recalendared (recalendar_rate 0), so none is kept"
    closed = round(share * completions / rate)
    how = (
        f"{closed:,} = {share:g} x {completions:,.0f} FY{first_fy - 1} completions / recalendaring rate {rate:g}: "
        f"the stock at which closures (court-practice-fy2009-fy2016.csv) and recalendared cases balance (derived); "
        f"below the bound from {_CLOSED_2018}"
    )
    return closed, how


def _court_only_scenario(base: Scenario, history: pd.DataFrame, first_fy: int) -> Scenario:
    """The base scenario with the interior pipeline switched off and EOIR's inputs in place."""
    P = base.data.parameters
    off = "court back-test: the interior pipeline is switched off"
    changes: list[dict] = [
        {"parameter": name, "value": 0.0, "source": off}
        for name in ("new_entrants_per_year", "border_book_ins_per_year", "worksite_operations_per_year")
    ]
    changes += [
        {"parameter": name, "value": {k: 0.0 for k in P[name].value}, "source": off}
        for name in ("lead_rate", "booking_rate")
    ]
    changes.append({"parameter": "at_large_officers", "value": 0.0, "source": off})
    years = history[history.fiscal_year >= first_fy]
    judges = history.set_index("fiscal_year").judges_end
    changes.append(
        {
            "parameter": "immigration_judges",
            "series": [
                {"from": f"{fy - 1}-10-01", "value": float((judges[fy - 1] + judges[fy]) / 2)}
                for fy in years.fiscal_year
            ],
            "source": "eoir-history.csv (judges recalled; fiscal-year average of year-end counts)",
        }
    )
    changes.append(
        {
            "parameter": "external_court_receipts_per_year",
            "series": [
                {"from": f"{fy - 1}-10-01", "value": float(r)}
                for fy, r in zip(years.fiscal_year, years.initial_receipts, strict=True)
            ],
            "source": "EOIR Adjudication Statistics (April 2021): all initial receipts",
        }
    )
    changes += _court_practice_changes(base, first_fy)
    pending = int(history.set_index("fiscal_year").pending_end[first_fy - 1])
    changes.append({"initial": "court_pending", "value": pending, "source": "eoir-history.csv"})
    closed, how = _closed_at_start(base, history, first_fy)
    changes.append({"initial": "court_admin_closed", "value": closed, "source": how})
    if base.data.initial.atd_participants is not None:  # the FY2008 docket's supervision was not read
        changes.append({"initial": "atd_participants", "value": 0, "source": off})
    known = base.data.initial.known_at_start.value
    changes.append({"initial": "known_at_start", "value": {k: 0.0 for k in known}, "source": off})
    if base.data.events:  # every dated event goes: EOIR's series carry the history
        changes.append({"remove_event": {}})
    return base.with_changes(
        changes, name=f"{base.name}-court-backtest", title=base.data.title, start=f"{first_fy - 1}-10-01"
    )


def backtest_court(
    scenario: Scenario | str = "us-2017", first_fy: int = 2009, replications: int = 3, seed: int = 1
) -> pd.DataFrame:
    """Court sub-model over FY``first_fy``-FY2017 against EOIR: pending at year end and completions."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    history = eoir_history()
    sc = _court_only_scenario(base, history, first_fy)
    last = int(history.fiscal_year.max())
    result = simulate(sc, years=last - first_fy + 1, seed=seed, replications=replications)
    fy = result.fiscal_years.groupby("fiscal_year")[["court_pending_end", "court_completions"]].mean()
    h = history.set_index("fiscal_year")
    out = pd.DataFrame(
        {
            "fiscal_year": fy.index,
            "pending_eoir": h.pending_end.reindex(fy.index).to_numpy(),
            "pending_model": fy.court_pending_end.to_numpy(),
            "completions_eoir": h.total_completions.reindex(fy.index).to_numpy(),
            "completions_model": fy.court_completions.to_numpy(),
        }
    )
    judges = h.judges_end
    avg_judges = ((judges + judges.shift(1)) / 2).reindex(fy.index).to_numpy()
    out["eoir_completions_per_judge"] = out.completions_eoir / avg_judges
    out["pending_error"] = out.pending_model / out.pending_eoir - 1
    out["completions_error"] = out.completions_model / out.completions_eoir - 1
    out["out_of_sample"] = out.fiscal_year.isin(BACKTEST_OUT_OF_SAMPLE)
    for figure in ("pending", "completions"):
        out[f"{figure}_status"] = [
            backtest_status(int(fy), figure, float(err), bool(oos))
            for fy, err, oos in zip(out.fiscal_year, out[f"{figure}_error"], out.out_of_sample, strict=True)
        ]
    return out


def backtest_status(fiscal_year: int, figure: str, error: float, out_of_sample: bool) -> str:
    """pass or fail against BACKTEST_TOLERANCE, "(expected)" on a known miss, "in sample" for the fitted year."""
    if not out_of_sample:
        return "in sample"
    ok = abs(error) <= BACKTEST_TOLERANCE
    expected = (fiscal_year, figure) in BACKTEST_KNOWN_MISSES
    return ("pass" if ok else "fail") + (" (known miss)" if expected else "")


#: Published figures for windows of days inside FY2017 (month by month where published), kept as checks: ICE's
#: press release of 2017-05-17 on the 100 days after Executive Order 13768 (Jan 22 to Apr 29, 2017, 98 days),
#: as quoted by myattorneyusa.com and splinternews.com (secondary): 41,318 administrative arrests, 30,473 of
#: people with convictions, 12,766 at-large arrests.
WINDOW_CHECKS = (
    ("arrests_jan22_apr29_2017", "ice_admin_arrests", 41_318, 0.15),
    ("convicted_arrests_jan22_apr29_2017", "arrests_convicted", 30_473, 0.15),
    ("at_large_arrests_jan22_apr29_2017", "ice_at_large_arrests", 12_766, 0.25),
)
WINDOW = (dt.date(2017, 1, 22), dt.date(2017, 4, 29))
WINDOW_SOURCE = "ICE press release 2017-05-17 (100 days after EO 13768), as quoted by myattorneyusa.com (secondary)"


def window_total(national: pd.DataFrame, column: str, first: dt.date, last: dt.date) -> pd.Series:
    """Each replication's total of ``column`` over the days ``first`` to ``last``, from monthly figures.

    A month partly in the window counts in proportion to its days in it (the
    flow is taken as even within a month): the model reports by month.
    """
    n = national.copy()
    start = n.month.dt.date
    end = (n.month + pd.offsets.MonthBegin(1)).dt.date
    lo = start.map(lambda d: max(d, first))
    hi = end.map(lambda d: min(d, last + dt.timedelta(days=1)))
    inside = [(h - lo_).days for lo_, h in zip(lo, hi, strict=True)]
    share = pd.Series(inside, index=n.index).clip(lower=0) / n["days"]
    derived = n.assign(
        ice_admin_arrests=n[[f"arrests_{ch}" for ch in c.CHANNELS]].sum(axis=1),
        ice_at_large_arrests=n.arrests_at_large + n.arrests_collateral,
    )
    return (derived[column] * share).groupby(n.replication).sum()


def window_checks(
    scenario: Scenario | str, replications: int = 5, seed: int = 1, result: Result | None = None
) -> pd.DataFrame:
    """The model against ``WINDOW_CHECKS``: mean over replications, relative error, pass or fail.

    ``result``: a ``fy2017_run`` of the same scenario, replications and seed, as in ``compare_targets``.
    """
    result = result if result is not None else fy2017_run(scenario, replications, seed)
    rows = []
    for metric, column, target, tolerance in WINDOW_CHECKS:
        totals = window_total(result.national, column, *WINDOW)
        rel = float(totals.mean()) / target - 1
        rows.append(
            {
                "metric": metric,
                "target": target,
                "mean": float(totals.mean()),
                "rel_error": rel,
                "tolerance": tolerance,
                "status": "pass" if abs(rel) <= tolerance else "fail",
                "source": WINDOW_SOURCE,
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "WINDOW_CHECKS",
    "window_checks",
    "window_total",
    "BACKTEST_KNOWN_MISSES",
    "BACKTEST_OUT_OF_SAMPLE",
    "BACKTEST_TOLERANCE",
    "HEADLINES",
    "backtest_court",
    "compare_targets",
    "court_practice",
    "eoir_history",
    "fy2017_run",
    "load_targets",
]
