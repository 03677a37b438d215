"""A single self-contained HTML report of a run.

The file embeds plotly.js once and loads nothing from the network, so it can
be archived, mailed or opened offline and still show the same thing. It is
written to a temporary file beside the target and moved into place, so an
interrupted run never leaves a half-written report behind.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from immsim._files import write_text
from immsim._format import number
from immsim.figures import in_split_states
from immsim.metrics import label
from immsim.report import charts
from immsim.report import history as hist
from immsim.report.markup import Cell, Column, Row, Table, chart_html, columns, render_page

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from immsim.results import Result


def source_text(result: Result) -> str:
    """Where the scenario came from: a file path, or the name of a built-in scenario."""
    path = str(result.scenario.path)
    return path if Path(path).is_file() else f"built-in scenario {result.scenario.name}"


def settings(result: Result) -> list[tuple[str, str]]:
    """Run settings, enough to reproduce the run."""
    end = result.start + dt.timedelta(days=result.days - 1)
    return [
        ("Scenario", f"{result.scenario.name}: {result.scenario.data.title}"),
        ("Scenario file", source_text(result)),
        ("Start", result.start.isoformat()),
        ("Days", f"{result.days:,} (to {end.isoformat()})"),
        ("Seed", str(result.seed)),
        ("Replications", str(result.replications)),
    ]


def summary_table(summary: pd.DataFrame, replications: int) -> Table:
    """Headline table: mean, plus the 95% interval when there is more than one replication (with uncertainty,
    the Monte Carlo and the total band)."""
    with_ci = replications > 1
    total = with_ci and "total_low" in summary  # run with uncertainty: the Monte Carlo band, then the total band
    head = columns("Figure", "Unit", ("Mean" if with_ci else "Value", True))
    if total:
        head += columns(("95% Monte Carlo, low", True), ("95% Monte Carlo, high", True))
        head += columns(("95% total, low", True), ("95% total, high", True))
    elif with_ci:
        head += columns(("95% interval, low", True), ("95% interval, high", True))
    rows = []
    for r in summary.itertuples(index=False):
        values = (r.mean, r.ci_low, r.ci_high) if with_ci else (r.mean,)
        values += (r.total_low, r.total_high) if total else ()
        cells = [Cell(r.figure, r.description), Cell(r.unit)]
        cells += [Cell(v, number(v, r.unit), numeric=True) for v in values]
        rows.append(Row(cells, figure=r.figure))
    return Table(head, rows, id="summary")


def state_table(states: pd.DataFrame, id: str = "states") -> Table:  # noqa: A002 (the table's HTML id)
    """Per-state table, one row per state, every column shown as in ``Result.by_state`` (policy last); the same
    for ``Result.by_jurisdiction``'s rows, one per jurisdiction."""
    numeric = [pd.api.types.is_numeric_dtype(states[col]) for col in states.columns]
    head = [Column(label(col, short=True), num) for col, num in zip(states.columns, numeric, strict=True)]
    rows = []
    for rec in states.itertuples(index=False):
        cells = []
        for value, num in zip(rec, numeric, strict=True):
            if num:
                cells.append(Cell(float(value), number(float(value)), numeric=True))
            else:
                cells.append(Cell(value, label(str(value))))
        rows.append(Row(cells))
    return Table(head, rows, id=id)


def chart_items(figs: dict[str, go.Figure], with_plotlyjs: bool = True) -> list[dict[str, Any]]:
    """Charts for the ``charts`` macro: key, title and div; plotly.js goes inline with the first chart only."""
    return [
        {
            "key": key,
            "title": charts.TITLES.get(key) or fig.layout.title.text or key,
            "html": chart_html(key, fig, with_plotlyjs=with_plotlyjs and i == 0),
        }
        for i, (key, fig) in enumerate(figs.items())
    ]


def history_context(result: Result, fy: int) -> dict[str, Any] | None:
    """The "By criminal history" section: figures by history (table and bars) and officer-days per arrest.

    None for a result read from a folder written before criminal history was kept.
    """
    if result.by_history.empty:
        return None
    summary = result.summary_by_history(fy)
    officers = hist.officer_days(result, fy)
    chart = {
        "key": "by_history",
        "title": charts.HISTORY_TITLE,
        "html": chart_html("by_history", charts.history_bars_figure(summary)),
    }
    return {
        "with_interval": result.replications > 1,
        "table": hist.history_table(summary, result.replications),
        "chart": chart,
        "officers": hist.officer_table(officers, result.replications) if not officers.empty else None,
    }


def _fiscal_year_text(fy) -> str:
    return f"fiscal year {int(fy)} (October {int(fy) - 1} to September {int(fy)})"


def render(result: Result) -> str:
    """The whole report as one HTML string (``templates/run.html.j2``)."""
    scen = result.scenario
    summary = result.summary()
    fy = int(summary["fiscal_year"].iloc[0])
    complete = fy in result.complete_fiscal_years()
    partial = "" if complete else " The run does not cover this fiscal year in full; figures are partial-year totals."
    interval = (
        f" Mean over {result.replications} replications with a 95% Student-t interval for the mean."
        if result.replications > 1
        else " One replication: single values, no interval."
    )
    bands = (
        " Shaded bands show the 95% interval for the monthly mean over replications." if result.replications > 1 else ""
    )
    return render_page(
        "run.html.j2",
        title=f"immsim report: {scen.name} ({scen.data.title})",
        scenario_title=scen.data.title,
        scenario_name=scen.name,
        source=source_text(result),
        settings=settings(result),
        fiscal_year=_fiscal_year_text(fy),
        headline_note=(interval + partial).strip(),
        summary=summary_table(summary, result.replications),
        monthly_note=("Monthly totals over the run." + bands).strip(),
        national_charts=chart_items(charts.figures(result)),
        history=history_context(result, fy),
        states=state_table(result.by_state(fy)),
        places=state_table(in_split_states(result.by_jurisdiction(fy)), id="jurisdictions"),
    )


def write_html_report(result: Result, path: str | os.PathLike) -> Path:
    """Write the report to ``path`` atomically and return the path.

    The text goes to a temporary file in the same directory (same file
    system, so the final rename is atomic) and replaces ``path`` only once
    complete; on any error the temporary file is removed and ``path`` is
    left as it was.
    """
    target = Path(path)
    write_text(target, render(result))
    return target
