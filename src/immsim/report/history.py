"""HTML tables by criminal history and of officer time, shared by the run and comparison reports.

Policies now act differently on people with different criminal histories
(carve-outs for serious convictions, warrants), so a report that only gave
national totals could show no change where two histories moved in opposite
directions. These tables put the histories side by side; the officer table
says what one arrest costs in officer time in each channel, which is what a
change in jail policy trades against.
"""

from __future__ import annotations

import pandas as pd

from immsim._format import interval, is_missing, number
from immsim.figures import fiscal_year_of
from immsim.intervals import mean_interval
from immsim.model import codes as c
from immsim.report.markup import Cell, Column, Row, Table
from immsim.results import Result

#: Officer channels: name -> (officer-days column, arrest columns), as in ``figures.fiscal_year_table``.
CHANNELS = {
    "jail transfers (detainers and notifications)": (
        "jail_officer_days",
        ["arrests_jail_hold", "arrests_jail_notified"],
    ),
    "at-large arrests (targeted and collateral)": ("at_large_officer_days", ["arrests_at_large", "arrests_collateral"]),
}


def _num(value: float, text: str | None = None) -> Cell:
    return Cell(float(value), number(value) if text is None else text, numeric=True)


def _head(labels: list[str]) -> list[Column]:
    """The first column names the row; the others hold numbers."""
    return [Column(x, numeric=i > 0) for i, x in enumerate(labels)]


def history_table(summary: pd.DataFrame, replications: int) -> Table:
    """``Result.summary_by_history`` as a table: a row per figure, per history its mean (and 95 % interval)."""
    with_ci = replications > 1
    head = ["Figure"]
    for label in c.HISTORY_LABELS:
        head += [label, f"{label}: 95% interval"] if with_ci else [label]
    cells = summary.set_index(["figure", "criminal_history"])
    rows = []
    for figure, description in dict(zip(summary.figure, summary.description, strict=True)).items():
        tds = [Cell(figure, description)]
        for h in c.HISTORIES:
            r = cells.loc[(figure, h)]
            tds.append(_num(r["mean"]))
            if with_ci:
                tds.append(_num(r["ci_low"], interval(r["ci_low"], r["ci_high"])))
        rows.append(Row(tds, figure=figure))
    return Table(_head(head), rows, id="history")


def officer_days(result: Result, fiscal_year: int) -> pd.DataFrame:
    """Officer-days, arrests and officer-days per arrest by channel in one fiscal year (mean, 95 % interval).

    The ratio is taken per replication, then averaged, as the headline figures
    are. Results written before officer time was kept give an empty table.
    """
    nat = result.national
    if any(col not in nat for col, _ in CHANNELS.values()):
        return pd.DataFrame()
    year = nat[fiscal_year_of(nat["month"]) == fiscal_year]
    rows = []
    for channel, (days_col, arrest_cols) in CHANNELS.items():
        per_rep = year.groupby("replication")[[days_col, *arrest_cols]].sum()
        arrests = per_rep[arrest_cols].sum(axis=1)
        ratio = per_rep[days_col] / arrests.where(arrests > 0)
        m, lo, hi = mean_interval(ratio)
        rows.append(
            {
                "channel": channel,
                "officer_days": float(per_rep[days_col].mean()),
                "arrests": float(arrests.mean()),
                "per_arrest": m,
                "ci_low": lo,
                "ci_high": hi,
            }
        )
    return pd.DataFrame(rows)


def officer_table(table: pd.DataFrame, replications: int) -> Table:
    """``officer_days`` as a table."""
    with_ci = replications > 1
    head = ["Channel", "Officer-days", "Arrests", "Officer-days per arrest"] + (["95% interval"] if with_ci else [])
    rows = []
    for r in table.itertuples(index=False):
        tds = [Cell(r.channel), _num(r.officer_days), _num(r.arrests), _num(r.per_arrest)]
        if with_ci:
            tds.append(_num(r.ci_low, interval(r.ci_low, r.ci_high)))
        rows.append(Row(tds))
    return Table(_head(head), rows, id="officers")


def history_differences_table(rows: pd.DataFrame) -> Table:
    """Paired differences by criminal history of one alternative: difference and 95 % interval per history."""
    name = str(rows.scenario.iloc[0])
    by = rows.set_index(["figure", "criminal_history"])
    body = []
    for figure, description in dict(zip(rows.figure, rows.description, strict=True)).items():
        tds = [Cell(figure, description)]
        for h in c.HISTORIES:
            r = by.loc[(figure, h)]
            bounds = "" if is_missing(r.ci_low) else f" ({interval(r.ci_low, r.ci_high, signed=True)})"
            tds.append(_num(r.difference, number(r.difference, signed=True) + bounds))
        body.append(Row(tds, figure=figure))
    head = _head(["Figure", *c.HISTORY_LABELS])
    return Table(head, body, sortable=False, css_class="history-differences", data={"scenario": name})
