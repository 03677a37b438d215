"""The HTML comparison report: trajectories of each scenario and paired differences, with bands.

Uses the same chart helpers as the run report (``charts``), so both look and
read alike. For each series: one panel with every scenario's monthly mean and
95 % band over replications, and one with each alternative's paired difference
from the base (replication r minus replication r, common random numbers).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from immsim._files import atomic_write
from immsim._format import interval, number
from immsim.metrics import label
from immsim.model import codes as c
from immsim.report import charts
from immsim.report.history import history_differences_table
from immsim.report.html import chart_items
from immsim.report.markup import Cell, Row, Table, columns, render_page
from immsim.results import Result

#: Series of the trajectories: key -> (title, unit, columns summed); titles from ``immsim.metrics``.
SERIES = {
    "ice_arrests": (label("ice_admin_arrests"), "arrests", [f"arrests_{ch}" for ch in c.CHANNELS]),
    "custodial": (
        label("custodial_arrests"),
        "arrests",
        [f"arrests_{c.CHANNELS[i]}" for i in c.CUSTODIAL_CHANNELS],
    ),
    "released": (label("released_to_at_large"), "people", ["released_to_at_large"]),
    "use_of_force": (label("use_of_force"), "incidents", ["use_of_force"]),
    "removals": (label("removals_total"), "people", [f"removals_{p}" for p in c.PATHS]),
    "court_pending": (label("court_pending"), "cases", ["court_pending"]),
}


def _series(result: Result, summed: list[str]) -> pd.DataFrame:
    n = result.national
    return pd.DataFrame({"replication": n.replication, "month": n.month, "value": n[summed].sum(axis=1)})


def comparison_figures(results: dict[str, Result]) -> dict[str, go.Figure]:
    """Per series, a level panel (every scenario) over a paired-difference panel (each alternative minus the base).

    The difference is taken replication by replication, so its band shows what common random numbers leave.
    """
    names = list(results)
    base = names[0]
    figs = {}
    for key, (title, unit, summed) in SERIES.items():
        fig = make_subplots(
            rows=2,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.12,
            subplot_titles=("level", f"difference from {base} (paired)"),
        )
        frames = {name: _series(r, summed) for name, r in results.items()}
        for i, name in enumerate(names):
            charts.add_series(
                fig, frames[name], "value", name, charts.OKABE_ITO[i % len(charts.OKABE_ITO)], unit, row=1, col=1
            )
        b = frames[base].set_index(["replication", "month"]).value
        for i, name in enumerate(names[1:], start=1):
            a = frames[name].set_index(["replication", "month"]).value
            diff = (a - b).rename("value").reset_index()
            charts.add_series(
                fig,
                diff,
                "value",
                f"{name} minus {base}",
                charts.OKABE_ITO[i % len(charts.OKABE_ITO)],
                unit,
                row=2,
                col=1,
            )
        fig.update_yaxes(title_text=unit, row=1, col=1)
        fig.update_yaxes(title_text=f"{unit} (difference)", row=2, col=1)
        fig.update_layout(
            title={"text": title},
            template="plotly_white",
            height=620,
            hovermode="x unified",
            legend={"orientation": "h", "y": -0.12},
        )
        figs[f"compare_{key}"] = fig
    return figs


def differences_table(table: pd.DataFrame) -> Table:
    """The paired differences of every alternative (``immsim.compare``'s table), one row per figure; with
    uncertainty, the Monte Carlo band and the total band."""
    total = "total_low" in table
    bands = [("95% Monte Carlo", True), ("95% total", True)] if total else [("95% interval", True)]
    head = columns(
        "scenario",
        "figure",
        ("base", True),
        ("alternative", True),
        ("difference", True),
        *bands,
        ("variance reduction", True),
    )
    rows = []
    for r in table.itertuples():

        def cell(x: float, signed: bool = False, unit: str = r.unit) -> Cell:
            return Cell(float(x), number(x, unit, signed=signed), numeric=True)

        cells = [Cell(r.scenario), Cell(r.figure, r.description), cell(r.base), cell(r.alternative)]
        cells += [cell(r.difference, signed=True)]
        cells += [Cell(float(r.ci_low), interval(r.ci_low, r.ci_high, r.unit, signed=True), numeric=True)]
        if total:
            text = interval(r.total_low, r.total_high, r.unit, signed=True)
            cells += [Cell(float(r.total_low), text, numeric=True)]
        cells += [Cell(float(r.variance_reduction), f"x{r.variance_reduction:,.1f}", numeric=True)]
        rows.append(Row(cells, figure=r.figure))
    return Table(head, rows, id="differences")


def render(table: pd.DataFrame, results: dict[str, Result], by_history: pd.DataFrame | None = None) -> str:
    """The comparison report (``templates/comparison.html.j2``); ``by_history`` defaults to ``history_differences``."""
    base = next(iter(results))
    if by_history is None:
        from immsim.comparison import history_differences

        by_history = history_differences(results, int(table.fiscal_year.iloc[0])) if len(table) else pd.DataFrame()
    history = [
        (str(name), history_differences_table(rows)) for name, rows in by_history.groupby("scenario", sort=False)
    ]
    return render_page(
        "comparison.html.j2",
        title=f"immsim comparison: {', '.join(results)}",
        base=base,
        first=results[base],
        fiscal_year=int(table.fiscal_year.iloc[0]) if len(table) else "",
        differences=differences_table(table),
        history=history,
        history_year=int(by_history.fiscal_year.iloc[0]) if history else "",
        trajectories=chart_items(comparison_figures(results)),
    )


def write_comparison_report(
    table: pd.DataFrame, results: dict[str, Result], path: str | Path, by_history: pd.DataFrame | None = None
) -> Path:
    """Write the comparison report atomically (``by_history``: see ``render``)."""
    path = Path(path)
    text = render(table, results, by_history)
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path
