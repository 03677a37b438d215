"""A single self-contained HTML report of a run.

The file embeds plotly.js once and loads nothing from the network, so it can
be archived, mailed or opened offline and still show the same thing. It is
written to a temporary file beside the target and moved into place, so an
interrupted run never leaves a half-written report behind.
"""

from __future__ import annotations

import datetime as dt
import os
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from immsim._files import write_text
from immsim.report import charts
from immsim.report import history as hist
from immsim.report.markup import CSS, PLOTLY_CONFIG, SORT_JS, fmt, td, th

if TYPE_CHECKING:
    from immsim.results import Result

def source_text(result: Result) -> str:
    """Where the scenario came from: a file path, or the name of a built-in scenario."""
    path = str(result.scenario.path)
    return path if Path(path).is_file() else f"built-in scenario {result.scenario.name}"


def settings_html(result: Result) -> str:
    """Run settings as a definition list: enough to reproduce the run."""
    end = result.start + dt.timedelta(days=result.days - 1)
    items = [
        ("Scenario", f"{result.scenario.name}: {result.scenario.data.title}"),
        ("Scenario file", source_text(result)),
        ("Start", result.start.isoformat()),
        ("Days", f"{result.days:,} (to {end.isoformat()})"),
        ("Seed", str(result.seed)),
        ("Replications", str(result.replications)),
    ]
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items)
    return f'<dl class="settings">{rows}</dl>'


def summary_html(summary: pd.DataFrame, replications: int) -> str:
    """Headline table: mean, plus the 95% interval when there is more than one replication."""
    with_ci = replications > 1
    head = [th("Figure"), th("Unit"), th("Mean" if with_ci else "Value", True)]
    if with_ci:
        head += [th("95% interval, low", True), th("95% interval, high", True)]
    rows = []
    for r in summary.itertuples(index=False):
        cells = [td(r.figure, r.description), td(r.unit), td(r.mean, fmt(r.mean, r.unit), True)]
        if with_ci:
            cells += [td(r.ci_low, fmt(r.ci_low, r.unit), True), td(r.ci_high, fmt(r.ci_high, r.unit), True)]
        rows.append(f'<tr data-figure="{escape(r.figure)}">{"".join(cells)}</tr>')
    return (
        f'<table id="summary" class="sortable"><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def state_html(states: pd.DataFrame) -> str:
    """Per-state table, one row per state, every column shown as in ``Result.by_state``."""
    numeric = [pd.api.types.is_numeric_dtype(states[col]) for col in states.columns]
    head = "".join(th(charts.label(col), num) for col, num in zip(states.columns, numeric, strict=True))
    rows = []
    for rec in states.itertuples(index=False):
        cells = []
        for value, num in zip(rec, numeric, strict=True):
            if num:
                cells.append(td(float(value), fmt(float(value)), True))
            else:
                cells.append(td(value, charts.label(str(value))))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table id="states" class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def charts_html(figs: dict) -> str:
    """Each chart under its own heading; plotly.js goes inline with the first chart only."""
    parts = []
    for i, (key, fig) in enumerate(figs.items()):
        div = fig.to_html(
            full_html=False,
            include_plotlyjs=(i == 0),
            include_mathjax=False,
            div_id=f"chart-{key}",
            config=PLOTLY_CONFIG,
        )
        title = charts.TITLES.get(key) or fig.layout.title.text or key
        parts.append(f'<section id="{escape(key)}"><h3>{escape(title)}</h3>{div}</section>')
    return "\n".join(parts)


def history_section(result: Result, fy: int) -> str:
    """The "By criminal history" section: figures by history (table and bars) and officer-days per arrest.

    Empty for a result read from a folder written before criminal history was kept.
    """
    if result.by_history.empty:
        return ""
    summary = result.summary_by_history(fy)
    fig = charts.history_bars_figure(summary)
    div = fig.to_html(
        full_html=False, include_plotlyjs=False, include_mathjax=False, div_id="chart-by_history", config=PLOTLY_CONFIG
    )
    officers = hist.officer_days(result, fy)
    officer_part = (
        "<h3>Officer-days per arrest, by channel</h3>\n<p>ICE officer time spent in each channel over the fiscal "
        "year, the arrests it produced, and their ratio (taken per replication, then averaged).</p>\n"
        + hist.officer_table_html(officers, result.replications)
        if not officers.empty
        else ""
    )
    interval = " Mean over replications, with the 95% interval for the mean." if result.replications > 1 else ""
    return f"""<h2>By criminal history, {escape(_fiscal_year_text(fy))}</h2>
<p>The same people counted by criminal history: no conviction, pending charges, a lesser conviction, a serious or
violent conviction. Cooperation policies may treat these histories differently (for example, holds for serious
convictions only).{interval}</p>
{hist.history_table_html(summary, result.replications)}
<section id="by_history"><h3>{escape(charts.HISTORY_TITLE)}</h3>{div}</section>
{officer_part}
"""


def _fiscal_year_text(fy) -> str:
    return f"fiscal year {int(fy)} (October {int(fy) - 1} to September {int(fy)})"


def render(result: Result) -> str:
    """The whole report as one HTML string."""
    scen = result.scenario
    summary = result.summary()
    fy = summary["fiscal_year"].iloc[0]
    complete = int(fy) in result.complete_fiscal_years()
    states = result.by_state(int(fy))
    partial = "" if complete else " The run does not cover this fiscal year in full; figures are partial-year totals."
    interval = (
        f" Mean over {result.replications} replications with a 95% Student-t interval for the mean."
        if result.replications > 1
        else " One replication: single values, no interval."
    )
    bands = (
        " Shaded bands show the 95% interval for the monthly mean over replications." if result.replications > 1 else ""
    )
    title = f"immsim report: {scen.name} ({scen.data.title})"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>{escape(scen.data.title)}</h1>
<p class="subtitle">Scenario <code>{escape(scen.name)}</code>: simulated U.S. interior immigration enforcement</p>
</header>
<p class="note">All figures in this report are outputs of the immsim simulation model, not observed statistics.
They follow from the parameters and data of the scenario file, where each input and its source are recorded
({escape(source_text(result))}).</p>
<h2>Run settings</h2>
{settings_html(result)}
<h2>Headline figures, {escape(_fiscal_year_text(fy))}</h2>
<p>{escape((interval + partial).strip())}</p>
{summary_html(summary, result.replications)}
<h2>National monthly series</h2>
<p>{escape(("Monthly totals over the run." + bands).strip())}</p>
{charts_html(charts.figures(result))}
{history_section(result, int(fy))}
<h2>By state, {escape(_fiscal_year_text(fy))}</h2>
<p>Totals per state, averaged over replications. Policy is the jail cooperation policy of the state's first
listed jurisdiction in the last month of the period; jurisdictions within a state can differ.</p>
{state_html(states)}
<footer><p class="note">Generated by immsim. Model outputs; inputs and sources are in the scenario file.</p></footer>
<script>{SORT_JS}</script>
</body>
</html>
"""


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
