"""HTML tables by criminal history and of officer time, shared by the run and comparison reports.

Policies now act differently on people with different criminal histories
(carve-outs for serious convictions, warrants), so a report that only gave
national totals could show no change where two histories moved in opposite
directions. These tables put the histories side by side; the officer table
says what one arrest costs in officer time in each channel, which is what a
change in jail policy trades against.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from immsim.model import codes as c
from immsim.report.markup import fmt
from immsim.results import Result, fiscal_year_of, mean_interval

#: Officer channels: name -> (officer-days column, arrest columns), as in ``results.fiscal_year_table``.
CHANNELS = {
    "jail transfers (detainers and notifications)": (
        "jail_officer_days",
        ["arrests_jail_hold", "arrests_jail_notified"],
    ),
    "at-large arrests (targeted and collateral)": ("at_large_officer_days", ["arrests_at_large", "arrests_collateral"]),
}


def _cell(value: float, text: str | None = None) -> str:
    raw = "" if value is None or np.isnan(value) else repr(float(value))
    return f'<td class="num" data-value="{raw}">{escape(fmt(value) if text is None else text)}</td>'


def _signed(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:+,.0f}"


def _head(labels: list[str]) -> str:
    num = ' class="num"'
    return "".join(f'<th scope="col"{num if i else ""}>{escape(x)}</th>' for i, x in enumerate(labels))


def history_table_html(summary: pd.DataFrame, replications: int) -> str:
    """``Result.summary_by_history`` as a table: a row per figure, per history its mean (and 95 % interval)."""
    with_ci = replications > 1
    head = ["Figure"]
    for label in c.HISTORY_LABELS:
        head += [label, f"{label}: 95% interval"] if with_ci else [label]
    cells = summary.set_index(["figure", "criminal_history"])
    rows = []
    for figure, description in dict(zip(summary.figure, summary.description, strict=True)).items():
        tds = [f'<td data-value="{escape(figure)}">{escape(description)}</td>']
        for h in c.HISTORIES:
            r = cells.loc[(figure, h)]
            tds.append(_cell(r["mean"]))
            if with_ci:
                tds.append(_cell(r["ci_low"], f"{fmt(r['ci_low'])} to {fmt(r['ci_high'])}"))
        rows.append(f'<tr data-figure="{escape(figure)}">{"".join(tds)}</tr>')
    return (
        f'<table id="history" class="sortable"><thead><tr>{_head(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


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


def officer_table_html(table: pd.DataFrame, replications: int) -> str:
    """``officer_days`` as a table."""
    with_ci = replications > 1
    head = ["Channel", "Officer-days", "Arrests", "Officer-days per arrest"] + (["95% interval"] if with_ci else [])
    rows = []
    for r in table.itertuples(index=False):
        tds = [f'<td data-value="{escape(r.channel)}">{escape(r.channel)}</td>']
        tds += [_cell(r.officer_days), _cell(r.arrests), _cell(r.per_arrest, f"{r.per_arrest:,.2f}")]
        if with_ci:
            tds.append(_cell(r.ci_low, f"{r.ci_low:,.2f} to {r.ci_high:,.2f}" if not np.isnan(r.ci_low) else "n/a"))
        rows.append(f"<tr>{''.join(tds)}</tr>")
    return (
        f'<table id="officers" class="sortable"><thead><tr>{_head(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def history_differences_html(rows: pd.DataFrame) -> str:
    """Paired differences by criminal history of one alternative: difference and 95 % interval per history."""
    name = str(rows.scenario.iloc[0])
    head = ["Figure", *c.HISTORY_LABELS]
    by = rows.set_index(["figure", "criminal_history"])
    body = []
    for figure, description in dict(zip(rows.figure, rows.description, strict=True)).items():
        tds = [f'<td data-value="{escape(figure)}">{escape(description)}</td>']
        for h in c.HISTORIES:
            r = by.loc[(figure, h)]
            interval = "" if np.isnan(r.ci_low) else f" ({_signed(r.ci_low)} to {_signed(r.ci_high)})"
            tds.append(_cell(r.difference, _signed(r.difference) + interval))
        body.append(f'<tr data-figure="{escape(figure)}">{"".join(tds)}</tr>')
    return (
        f'<table class="history-differences" data-scenario="{escape(name)}"><thead><tr>{_head(head)}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
