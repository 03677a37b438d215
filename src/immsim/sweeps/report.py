"""Tables and a chart for sweeps: a summary of the points, and the Sobol indices.

The chart is a Plotly figure built from the indices table alone (no I/O), in
the style of the run reports (``immsim.report.charts``: Okabe-Ito colours,
white template, legend below); the HTML file is self-contained like them.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from rich.table import Table

from immsim._files import atomic_write
from immsim.report.charts import OKABE_ITO, label
from immsim.report.markup import CSS, PLOTLY_CONFIG, SORT_JS, td, th
from immsim.results import HEADLINES

#: Figures shown in the terminal summary of a sweep (all are in the catalog).
SUMMARY_FIGURES = ("ice_admin_arrests", "removals_total", "detention_average_daily_population", "court_pending_end")
MAX_ROWS = 40


def _num(x: float, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.3f}" if unit == "share" else f"{x:,.0f}"


def summary_table(frame: pd.DataFrame, names: list[str], title: str) -> Table:
    """Mean headline figures per design point (first ``MAX_ROWS`` points)."""
    t = Table(title=title)
    for n in names:
        t.add_column(f"{label(n)} x", justify="right")
    t.add_column("runs", justify="right")
    for f in SUMMARY_FIGURES:
        t.add_column(label(f), justify="right")
    means = frame.groupby("point").agg(
        {**dict.fromkeys(names, "first"), "key": "count", **dict.fromkeys(SUMMARY_FIGURES, "mean")}
    )
    for _, row in means.head(MAX_ROWS).iterrows():
        cells = [f"{row[n]:.3f}" for n in names] + [str(int(row["key"]))]
        t.add_row(*cells, *(_num(row[f], HEADLINES[f][1]) for f in SUMMARY_FIGURES))
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
        subplot_titles=[HEADLINES[f][0] for f in figures] or ["no figure varies across the sweep"],
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
                    hovertemplate=f"%{{y}}: {col} %{{x:.3f}}<extra>{escape(f)}</extra>",
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


def write_indices_report(table: pd.DataFrame, sweep_name: str, path: str | Path) -> Path:
    """A self-contained HTML page: how to read the indices, the table, and the chart."""
    path = Path(path)
    fy = int(table.fiscal_year.iloc[0])
    head = "".join(
        th(h, num)
        for h, num in [("Figure", False), ("Parameter", False)] + [(c, True) for c in ("S1", "S1 ±", "ST", "ST ±")]
    )
    body = "".join(
        "<tr>"
        + td(r.figure, r.description)
        + td(r.parameter, label(r.parameter))
        + "".join(td(v, "-" if math.isnan(v) else f"{v:.3f}", True) for v in (r.S1, r.S1_conf, r.ST, r.ST_conf))
        + "</tr>"
        for r in table.itertuples()
    )
    chart = indices_figure(table).to_html(
        full_html=False, include_plotlyjs=True, include_mathjax=False, div_id="chart-sobol", config=PLOTLY_CONFIG
    )
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>immsim sensitivity: {escape(sweep_name)}</title><style>{CSS}</style></head>
<body><h1>Sensitivity of the headline figures: sweep {escape(sweep_name)}</h1>
<p class="subtitle">Sobol indices over the sweep's parameter ranges, fiscal year {fy}; model outputs.</p>
<p class="note">S1 (first order) is the share of a figure's variance across the sweep that one parameter explains
on its own; ST (total order) is the share it is involved in, alone or through interactions. ST near 0: the
parameter can be fixed anywhere in its range without changing the figure. ST well above S1: the parameter acts
through interactions. ± is the half-width of SALib's 95% bootstrap interval; replications of a point are averaged
first. Figures that did not vary across the sweep have no indices.</p>
{chart}
<h2>All indices</h2>
<table id="indices" class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<script>{SORT_JS}</script></body></html>
"""

    atomic_write(path, lambda p: p.write_text(html, encoding="utf-8"))
    return path
