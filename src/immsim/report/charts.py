"""National monthly charts of a run, as Plotly figures.

Every public function takes plain DataFrames (the ``national`` frame of a
``Result``: one row per replication and month) and returns a figure, with no
file or network I/O, so the same code serves the static HTML report and any
later interactive front end. ``figures(result)`` bundles them for a report.

With several replications a chart shows the mean over replications and a
shaded 95% Student-t interval for that mean; with one replication there is no
spread to estimate, so it shows the single line only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from immsim._student import t_quantile
from immsim.metrics import label
from immsim.model import codes as c

if TYPE_CHECKING:
    from immsim.results import Result

#: Okabe-Ito colours, distinguishable under the common colour-vision deficiencies.
#: Black is last so that it is used only when a chart has many series.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Chart keys and titles, in report order. Titles are plain text so that they
#: read the same in a figure, an HTML heading and a test.
TITLES: dict[str, str] = {
    "court_backlog": "Immigration court backlog and median days pending",
    "arrests_by_channel": "ICE administrative arrests by channel",
    "detainers": "Detainers issued, honored, declined and not picked up",
    "at_large_operations": "At-large operations and use-of-force incidents",
    "removals_by_path": "Removals by path",
}

#: Level of the shaded interval around the mean over replications.
LEVEL = 0.95

#: Trace ``meta`` marking an interval band, so that callers and tests can tell
#: bands from lines without relying on display names.
BAND_META = "band"


def replication_stats(national: pd.DataFrame, column: str, level: float = LEVEL) -> pd.DataFrame:
    """Mean of ``column`` per month over replications, with its Student-t interval.

    Replications are independent runs, so the interval for the monthly mean is
    mean +/- t(level, R-1) * sd / sqrt(R). Columns: month, mean, low, high, n;
    low and high are NaN when there is only one replication.
    """
    g = national.groupby("month", sort=True)[column]
    out = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "n": g.count()})
    n = out["n"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(n > 1, t_quantile(0.5 + level / 2, np.maximum(n - 1, 1)), np.nan)
        half = t * out["sd"].to_numpy(float) / np.sqrt(n)
    out["low"] = out["mean"] - half
    out["high"] = out["mean"] + half
    return out.drop(columns="sd").reset_index()


def _rgba(hex_colour: str, alpha: float) -> str:
    """A translucent version of a palette colour, for a band that must not hide the line."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def band_trace(s: pd.DataFrame, name: str, colour: str) -> go.Scatter:
    """A closed polygon from ``high`` forward and ``low`` back, filled in a pale colour.

    One self-filling trace (rather than a pair with ``tonexty``) keeps each
    band independent of trace order, which matters on multi-panel figures.
    """
    x = list(s["month"]) + list(s["month"][::-1])
    y = list(s["high"]) + list(s["low"][::-1])
    return go.Scatter(
        x=x,
        y=y,
        fill="toself",
        fillcolor=_rgba(colour, 0.2),
        line={"width": 0},
        mode="lines",
        hoverinfo="skip",
        showlegend=False,
        legendgroup=name,
        name=f"{name} ({LEVEL:.0%} interval)",
        meta=BAND_META,
    )


def line_trace(s: pd.DataFrame, name: str, colour: str, unit: str, dash: str | None = None) -> go.Scatter:
    """The mean (or single-run) line, with the unit in the hover text."""
    return go.Scatter(
        x=s["month"],
        y=s["mean"],
        mode="lines+markers",
        marker={"size": 4},
        line={"color": colour, "width": 2, "dash": dash},
        name=name,
        legendgroup=name,
        hovertemplate=f"%{{x|%b %Y}}: %{{y:,.0f}} {unit}<extra>{name}</extra>",
    )


def add_series(
    fig: go.Figure,
    national: pd.DataFrame,
    column: str,
    name: str,
    colour: str,
    unit: str,
    dash: str | None = None,
    **where,
) -> go.Figure:
    """Add one variable: its band first (so the line is drawn on top), then its line.

    ``where`` is passed to ``add_trace`` (``row``, ``col``, ``secondary_y``) so
    the same helper serves single-panel, two-panel and two-axis charts.
    """
    s = replication_stats(national, column)
    if s["n"].max() > 1:
        fig.add_trace(band_trace(s, name, colour), **where)
    fig.add_trace(line_trace(s, name, colour, unit, dash), **where)
    return fig


def _layout(fig: go.Figure, key: str, height: int = 420) -> go.Figure:
    """Common look: title, white background, legend below the plot, month ticks."""
    fig.update_layout(
        title={"text": TITLES[key]},
        template="plotly_white",
        height=height,
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "xanchor": "left", "x": 0},
        margin={"l": 70, "r": 70, "t": 60, "b": 40},
    )
    fig.update_xaxes(title_text="Month", tickformat="%b %Y")
    return fig


def stacked_lines(
    national: pd.DataFrame, key: str, columns: Sequence[str], names: Sequence[str], unit: str
) -> go.Figure:
    """One panel with one line per column: the shape of most monthly count charts."""
    fig = go.Figure()
    for i, (col, name) in enumerate(zip(columns, names, strict=True)):
        add_series(fig, national, col, name, OKABE_ITO[i % len(OKABE_ITO)], unit)
    fig.update_yaxes(title_text=f"{unit.capitalize()} per month", rangemode="tozero")
    return _layout(fig, key)


def court_backlog_figure(national: pd.DataFrame) -> go.Figure:
    """Pending cases (left axis) and median days pending (right axis).

    The two have different units and scales, so they share the time axis but
    not the y axis; the age line is dashed so the pair reads without colour.
    """
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    add_series(fig, national, "court_pending", "cases pending", OKABE_ITO[3], "cases", secondary_y=False)
    add_series(
        fig, national, "median_days_pending", "median days pending", OKABE_ITO[4], "days", "dash", secondary_y=True
    )
    fig.update_yaxes(title_text="Cases pending at month end", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text="Median days pending (days)", rangemode="tozero", secondary_y=True, showgrid=False)
    return _layout(fig, "court_backlog")


def arrests_by_channel_figure(national: pd.DataFrame) -> go.Figure:
    """Arrests per channel: shows whether arrests come from jails or from the community."""
    cols = [f"arrests_{ch}" for ch in c.CHANNELS]
    return stacked_lines(national, "arrests_by_channel", cols, [label(ch) for ch in c.CHANNELS], "arrests")


def detainers_figure(national: pd.DataFrame) -> go.Figure:
    """Detainers and their outcomes: the gap between issued and honored is what jail policy changes."""
    outcomes = ("issued", "honored", "declined", "not_picked_up")
    cols = [f"detainers_{o}" for o in outcomes]
    return stacked_lines(national, "detainers", cols, [label(o) for o in outcomes], "detainers")


def at_large_figure(national: pd.DataFrame) -> go.Figure:
    """Top: attempts, arrests and refusals; bottom: force incidents.

    Incidents are two orders of magnitude rarer than attempts, so they get
    their own panel rather than being flattened against the axis.
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.6, 0.4])
    top = (("at_large_attempts", "attempts"), ("arrests_at_large", "arrests"), ("at_large_refused", "refused"))
    for i, (col, name) in enumerate(top):
        add_series(fig, national, col, name, OKABE_ITO[i], "per month", row=1, col=1)
    bottom = (("use_of_force", "use-of-force incidents"), ("assaults_on_officers", "assaults on officers"))
    for i, (col, name) in enumerate(bottom):
        add_series(fig, national, col, name, OKABE_ITO[3 + i], "incidents", row=2, col=1)
    fig.update_yaxes(title_text="Attempts or people per month", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="Incidents per month", rangemode="tozero", row=2, col=1)
    fig = _layout(fig, "at_large_operations", height=560)
    fig.update_xaxes(title_text=None, row=1, col=1)
    return fig


def removals_by_path_figure(national: pd.DataFrame) -> go.Figure:
    """Removals per legal path: expedited and reinstated removals skip the court."""
    cols = [f"removals_{p}" for p in c.PATHS]
    return stacked_lines(national, "removals_by_path", cols, [label(p) for p in c.PATHS], "removals")


#: Chart key -> builder, in report order.
BUILDERS = {
    "court_backlog": court_backlog_figure,
    "arrests_by_channel": arrests_by_channel_figure,
    "detainers": detainers_figure,
    "at_large_operations": at_large_figure,
    "removals_by_path": removals_by_path_figure,
}


def figures(result: Result) -> dict[str, go.Figure]:
    """All national monthly charts of a run, keyed as in ``TITLES``."""
    return {key: build(result.national) for key, build in BUILDERS.items()}


def is_band(trace) -> bool:
    """Whether a trace is an interval band (as opposed to a mean or single-run line)."""
    return getattr(trace, "meta", None) == BAND_META


#: Figures of the by-history chart: what jail policy and ICE's response move, per criminal history.
HISTORY_BARS = {
    name: label(name, short=True)
    for name in ("detainers_declined", "released_to_at_large", "ice_at_large_arrests", "removals_total")
}
HISTORY_TITLE = "Detainers declined, releases with a detainer, at-large arrests and removals, by criminal history"


def history_bars_figure(summary: pd.DataFrame) -> go.Figure:
    """Grouped bars from ``Result.summary_by_history``: one group per figure, one bar per criminal history.

    Carve-out policies (honor or notify for serious convictions only) move
    these four figures in opposite directions for different histories; bars
    side by side show that where a national total would net it out. Error
    bars are the 95 % interval of the mean when there is one.
    """
    fig = go.Figure()
    figures = list(HISTORY_BARS)
    for i, (history, label_) in enumerate(zip(c.HISTORIES, c.HISTORY_LABELS, strict=True)):
        rows = summary[summary.criminal_history == history].set_index("figure").reindex(figures)
        mean = rows["mean"].to_numpy(float)
        has_ci = not np.isnan(rows["ci_low"].to_numpy(float)).all()
        fig.add_trace(
            go.Bar(
                x=[HISTORY_BARS[f] for f in figures],
                y=mean,
                name=label_,
                marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                error_y=(
                    {
                        "type": "data",
                        "symmetric": False,
                        "array": rows["ci_high"].to_numpy(float) - mean,
                        "arrayminus": mean - rows["ci_low"].to_numpy(float),
                    }
                    if has_ci
                    else None
                ),
                hovertemplate=f"%{{x}}: %{{y:,.0f}} people<extra>{label_}</extra>",
            )
        )
    fig.update_layout(
        title={"text": HISTORY_TITLE},
        template="plotly_white",
        barmode="group",
        height=440,
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "xanchor": "left", "x": 0},
        margin={"l": 70, "r": 30, "t": 60, "b": 40},
    )
    fig.update_yaxes(title_text="People (or detainers) per fiscal year", rangemode="tozero")
    return fig
