"""Tables and a chart for sweeps: a summary of the points, and the Sobol indices.

The chart is a Plotly figure built from the indices table alone (no I/O), in
the style of the run reports (``immsim.report.charts``: Okabe-Ito colours,
white template, legend below); the HTML file is self-contained like them.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from rich.table import Table

from immsim._files import atomic_write
from immsim._format import MISSING_TERMINAL, number
from immsim.metrics import label, unit
from immsim.report.charts import OKABE_ITO
from immsim.report.markup import Cell, Row, chart_html, columns, render_page
from immsim.report.markup import Table as HtmlTable

#: Figures shown in the terminal summary of a sweep (all are in the catalog).
SUMMARY_FIGURES = ("ice_admin_arrests", "removals_total", "detention_average_daily_population", "court_pending_end")
MAX_ROWS = 40


def summary_table(frame: pd.DataFrame, names: list[str], title: str) -> Table:
    """Mean headline figures per design point (first ``MAX_ROWS`` points)."""
    t = Table(title=title)
    for n in names:
        t.add_column(f"{label(n)} x", justify="right")
    t.add_column("runs", justify="right")
    for f in SUMMARY_FIGURES:
        t.add_column(label(f, short=True), justify="right")
    means = frame.groupby("point").agg(
        {**dict.fromkeys(names, "first"), "key": "count", **dict.fromkeys(SUMMARY_FIGURES, "mean")}
    )
    for _, row in means.head(MAX_ROWS).iterrows():
        cells = [f"{row[n]:.3f}" for n in names] + [str(int(row["key"]))]
        t.add_row(*cells, *(number(row[f], unit(f), missing=MISSING_TERMINAL) for f in SUMMARY_FIGURES))
    if len(means) > MAX_ROWS:
        t.caption = f"first {MAX_ROWS} of {len(means)} points; every run is in the catalog"
    return t


def _index(v: float, conf: float) -> str:
    return "-" if math.isnan(v) else f"{v:.2f} ± {conf:.2f}"


def indices_table(table: pd.DataFrame) -> Table:
    """One row per headline figure, one column per parameter: 'S1 / ST' with 95% half-widths."""
    names = list(dict.fromkeys(table.parameter))
    fy = int(table.fiscal_year.iloc[0])
    t = Table(title=f"Sobol indices, fiscal year {fy}: first order S1 and total order ST (± 95% interval)")
    t.add_column("figure")
    for n in names:
        t.add_column(f"{label(n)}\nS1", justify="right")
        t.add_column("ST", justify="right")
    for figure, rows in table.groupby("figure", sort=False):
        rows = rows.set_index("parameter")
        if rows.S1.isna().all():
            t.add_row(label(figure), *(["no variation"] + [""] * (2 * len(names) - 1)))
            continue
        cells = []
        for n in names:
            r = rows.loc[n]
            cells += [_index(r.S1, r.S1_conf), _index(r.ST, r.ST_conf)]
        t.add_row(label(figure), *cells)
    return t


def indices_figure(table: pd.DataFrame) -> go.Figure:
    """Bars of S1 and ST with their 95% intervals, one panel per figure that varies across the sweep."""
    shown = table[table.S1.notna()]
    figures = list(dict.fromkeys(shown.figure))
    names = list(dict.fromkeys(table.parameter))
    rows = max(1, len(figures))
    fig = make_subplots(
        rows=rows,
        cols=1,
        subplot_titles=[label(f) for f in figures] or ["no figure varies across the sweep"],
        vertical_spacing=min(0.3 / rows, 0.08),
    )
    for i, f in enumerate(figures):
        d = shown[shown.figure == f].set_index("parameter").loc[names]
        for j, (col, what) in enumerate((("S1", "first order S1"), ("ST", "total order ST"))):
            fig.add_trace(
                go.Bar(
                    y=[label(n) for n in names],
                    x=d[col],
                    error_x={"type": "data", "array": d[f"{col}_conf"], "visible": True},
                    orientation="h",
                    name=what,
                    legendgroup=what,
                    showlegend=i == 0,
                    marker_color=OKABE_ITO[3 if j == 0 else 0],
                    hovertemplate=f"%{{y}}: {col} %{{x:.3f}}<extra>{label(f, short=True)}</extra>",
                ),
                row=i + 1,
                col=1,
            )
    fig.update_layout(
        title={"text": "Sobol sensitivity indices of the headline figures"},
        template="plotly_white",
        barmode="group",
        height=120 + rows * (60 + 28 * len(names)),
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
        margin={"l": 220, "r": 40, "t": 90, "b": 40},
    )
    fig.update_xaxes(range=[-0.1, 1.1])
    return fig


def indices_html_table(table: pd.DataFrame) -> HtmlTable:
    """Every index with its 95% half-width, one row per figure and parameter (sortable)."""
    head = columns("Figure", "Parameter", *((c, True) for c in ("S1", "S1 ±", "ST", "ST ±")))
    rows = [
        Row(
            [Cell(r.figure, r.description), Cell(r.parameter, label(r.parameter))]
            + [Cell(v, "-" if math.isnan(v) else f"{v:.3f}", numeric=True) for v in (r.S1, r.S1_conf, r.ST, r.ST_conf)]
        )
        for r in table.itertuples()
    ]
    return HtmlTable(head, rows, id="indices")


def write_indices_report(table: pd.DataFrame, sweep_name: str, path: str | Path) -> Path:
    """A self-contained HTML page (``templates/sensitivity.html.j2``): how to read the indices, the chart, the table."""
    path = Path(path)
    html = render_page(
        "sensitivity.html.j2",
        title=f"immsim sensitivity: {sweep_name}",
        sweep=sweep_name,
        fiscal_year=int(table.fiscal_year.iloc[0]),
        chart=chart_html("sobol", indices_figure(table), with_plotlyjs=True),
        indices=indices_html_table(table),
    )
    atomic_write(path, lambda p: p.write_text(html, encoding="utf-8"))
    return path
