"""The HTML comparison report: trajectories of each scenario and paired differences, with bands.

Uses the same chart helpers as the run report (``charts``), so both look and
read alike. For each series: one panel with every scenario's monthly mean and
95 % band over replications, and one with each alternative's paired difference
from the base (replication r minus replication r, common random numbers).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from immsim._files import atomic_write
from immsim.model import codes as c
from immsim.report import charts
from immsim.report.history import history_differences_html
from immsim.report.html import charts_html
from immsim.results import Result

SERIES = {
    "ice_arrests": ("ICE arrests, all channels", "arrests", [f"arrests_{ch}" for ch in c.CHANNELS]),
    "custodial": (
        "custodial transfers (jails and 287(g))",
        "arrests",
        [f"arrests_{c.CHANNELS[i]}" for i in c.CUSTODIAL_CHANNELS],
    ),
    "released": ("people with detainers released to the community", "people", ["released_to_at_large"]),
    "use_of_force": ("use-of-force incidents", "incidents", ["use_of_force"]),
    "removals": ("removals, all paths", "people", [f"removals_{p}" for p in c.PATHS]),
    "court_pending": ("court cases pending (month end)", "cases", ["court_pending"]),
}


def _series(result: Result, columns: list[str]) -> pd.DataFrame:
    n = result.national
    return pd.DataFrame({"replication": n.replication, "month": n.month, "value": n[columns].sum(axis=1)})


def comparison_figures(results: dict[str, Result]) -> dict[str, go.Figure]:
    names = list(results)
    base = names[0]
    figs = {}
    for key, (title, unit, columns) in SERIES.items():
        fig = make_subplots(
            rows=2,
            cols=1,
            shared_xaxes=True,
            vertical_spacing=0.12,
            subplot_titles=("level", f"difference from {base} (paired)"),
        )
        frames = {name: _series(r, columns) for name, r in results.items()}
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


def history_html(by_history: pd.DataFrame, base: str) -> str:
    """The section of paired differences by criminal history, one table per alternative (empty if none)."""
    if by_history.empty:
        return ""
    fy = int(by_history.fiscal_year.iloc[0])
    parts = [
        f"<h2>By criminal history, fiscal year {fy}</h2>",
        "<p>The same paired differences (alternative minus base, replication by replication) within each criminal "
        "history: difference, and its 95% interval in brackets. Policies that treat histories differently move "
        "them apart even where the totals change little.</p>",
    ]
    for name, rows in by_history.groupby("scenario", sort=False):
        parts.append(f"<h3>{escape(str(name))} minus {escape(base)}</h3>{history_differences_html(rows)}")
    return "\n".join(parts)


def render(table: pd.DataFrame, results: dict[str, Result], by_history: pd.DataFrame | None = None) -> str:
    """The comparison report; ``by_history`` defaults to ``history_differences`` of ``results``."""
    base = next(iter(results))
    if by_history is None:
        from immsim.comparison import history_differences

        by_history = history_differences(results, int(table.fiscal_year.iloc[0])) if len(table) else pd.DataFrame()
    first = results[base]
    rows = []
    for r in table.itertuples():
        share = r.unit == "share"

        def f(x, share=share):
            return "" if pd.isna(x) else (f"{x:.3f}" if share else f"{x:,.0f}")

        rows.append(
            f"<tr><td>{escape(r.scenario)}</td><td>{escape(r.description)}</td><td>{f(r.base)}</td>"
            f"<td>{f(r.alternative)}</td><td>{f(r.difference)}</td><td>{f(r.ci_low)} to {f(r.ci_high)}</td>"
            f"<td>x{r.variance_reduction:,.1f}</td></tr>"
        )
    fy = int(table.fiscal_year.iloc[0]) if len(table) else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>immsim comparison: {escape(", ".join(results))}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:right}}
td:first-child,td:nth-child(2),th{{text-align:left}}</style></head><body>
<h1>Comparison against {escape(base)}</h1>
<p>{escape(first.scenario.data.title)}; from {first.start}, {first.days} days, seed {first.seed},
{first.replications} paired replications (replication r of every scenario uses the same random numbers).
Differences are alternative minus base, with 95% intervals over replications; the variance reduction is
what pairing gained over independent runs. Figures are model outputs; sources are in the scenario files.</p>
<h2>Fiscal year {fy}</h2>
<table><thead><tr><th>scenario</th><th>figure</th><th>base</th><th>alternative</th><th>difference</th>
<th>95% interval</th><th>variance reduction</th></tr></thead><tbody>{"".join(rows)}</tbody></table>
{history_html(by_history, base)}
<h2>Monthly trajectories</h2>
{charts_html(comparison_figures(results))}
</body></html>"""


def write_comparison_report(
    table: pd.DataFrame, results: dict[str, Result], path: str | Path, by_history: pd.DataFrame | None = None
) -> Path:
    """Write the comparison report atomically (``by_history``: see ``render``)."""
    path = Path(path)
    text = render(table, results, by_history)
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path
