"""The web app's HTML pages: explore a scenario, follow a run, read its results, list the runs.

Pages are rendered on the server from Jinja2 templates (autoescaped); the
charts are the HTML report's own Plotly figures (``immsim.report``), sent as
JSON and drawn by the plotly.js that ships with the plotly package, so the app
and the report always show the same charts and nothing is fetched from the
internet.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from threading import Lock
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from immsim._format import number
from immsim.figures import STATE_FIGURES as STATE_COLUMNS
from immsim.figures import in_split_states
from immsim.metrics import label
from immsim.model.codes import HISTORIES, HISTORY_LABELS
from immsim.results import Result
from immsim.store import load_result
from immsim.web.api import JOB_ID, Limits, uncertainty_context
from immsim.web.jobs import Runner
from immsim.web.levers import lever_context, parameter_groups, source_fields
from immsim.web.library import Library

#: Tile-grid map of the 50 states and DC: state -> (row, column).
TILES = {
    "AK": (0, 0), "ME": (0, 11), "VT": (1, 10), "NH": (1, 11),
    "WA": (2, 1), "ID": (2, 2), "MT": (2, 3), "ND": (2, 4), "MN": (2, 5), "IL": (2, 6), "WI": (2, 7),
    "MI": (2, 8), "NY": (2, 9), "RI": (2, 10), "MA": (2, 11),
    "OR": (3, 1), "NV": (3, 2), "WY": (3, 3), "SD": (3, 4), "IA": (3, 5), "IN": (3, 6), "OH": (3, 7),
    "PA": (3, 8), "NJ": (3, 9), "CT": (3, 10),
    "CA": (4, 1), "UT": (4, 2), "CO": (4, 3), "NE": (4, 4), "MO": (4, 5), "KY": (4, 6), "WV": (4, 7),
    "VA": (4, 8), "MD": (4, 9), "DE": (4, 10),
    "AZ": (5, 2), "NM": (5, 3), "KS": (5, 4), "AR": (5, 5), "TN": (5, 6), "NC": (5, 7), "SC": (5, 8), "DC": (5, 9),
    "OK": (6, 4), "LA": (6, 5), "MS": (6, 6), "AL": (6, 7), "GA": (6, 8),
    "HI": (7, 0), "TX": (7, 4), "FL": (7, 9),
}  # fmt: skip

#: Per-state columns of ``Result.by_state`` the map can colour by, with their labels (``immsim.metrics``).
STATE_FIGURES = {name: label(name) for name in STATE_COLUMNS}


class LRU:
    """The last ``size`` values made, by key, safe across threads (a value is made outside the lock)."""

    def __init__(self, size: int) -> None:
        self.size, self._items, self._lock = size, OrderedDict(), Lock()

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class ResultCache:
    """Results read from disk and finished runs' pages, by directory: both are immutable once written."""

    def __init__(self, size: int = 8) -> None:
        self.results, self.pages = LRU(size), LRU(2 * size)

    def get(self, directory: Path) -> Result:
        return self.results.get(str(directory), lambda: load_result(directory))


def _chart(key: str, fig) -> dict:
    """A chart for a page: its key, its title (the run report's, or the figure's own), and its JSON."""
    from immsim.report import charts  # here, not at import: plotly is slow to import

    return {"key": key, "title": charts.TITLES.get(key) or fig.layout.title.text, "json": fig.to_json()}


def templates() -> Environment:
    env = Environment(loader=PackageLoader("immsim.web", "templates"), autoescape=select_autoescape(["html"]))
    env.filters["num"] = number  # {{ x | num(unit) }}, {{ x | num(unit, signed=True) }}: as in the reports
    return env


def run_view(directory: Path, cache: ResultCache) -> dict[str, Any]:
    """Everything the result page shows, from a result directory."""
    from immsim.report import charts
    from immsim.report.comparison import comparison_figures

    result = cache.get(directory)
    base_dir = directory / "base"
    base = cache.get(base_dir) if (base_dir / "run.json").exists() else None
    summary = result.summary()
    fy = int(summary.fiscal_year.iloc[0])
    view: dict[str, Any] = {
        "result": result,
        "fiscal_year": fy,
        "complete": fy in result.complete_fiscal_years(),
        "summary": summary.to_dict("records"),
        "charts": [_chart(k, f) for k, f in charts.figures(result).items()],
        "base": base,
        "differences": [],
        "comparison_charts": [],
        "history_labels": dict(zip(HISTORIES, HISTORY_LABELS, strict=True)),
        "by_history": _by_figure(result.summary_by_history(fy)) if not result.by_history.empty else [],
        "history_differences": [],
    }
    if base is not None:
        view["differences"] = pd.read_csv(directory / "differences.csv").to_dict("records")
        if (directory / "differences_by_history.csv").exists():
            view["history_differences"] = _by_figure(pd.read_csv(directory / "differences_by_history.csv"))
        figs = comparison_figures({base.scenario.name: base, result.scenario.name: result})
        view["comparison_charts"] = [_chart(k, f) for k, f in figs.items()]
    view |= _uncertainty_view(result, base, fy, view)
    states = result.by_state(fy)
    columns = [c for c in STATE_FIGURES if c in states]
    if base is not None:
        b = base.by_state(fy).set_index("state")
        for c in columns:
            states[f"{c}_difference"] = states[c].to_numpy() - b.loc[states.state, c].to_numpy()
    view["state_columns"] = [{"key": c, "label": STATE_FIGURES[c]} for c in columns] + (
        [{"key": f"{c}_difference", "label": f"{STATE_FIGURES[c]}: difference from the base"} for c in columns]
        if base is not None
        else []
    )
    view["states"] = states.to_dict("records")
    view["tiles"] = _tiles_json(view) if any(s in TILES for s in states.state) else None  # uploads may use other codes
    view["places"] = _places(result, base, fy, columns)
    return view


def _places(result: Result, base: Result | None, fy: int, columns: list[str]) -> list[dict[str, Any]]:
    """The jurisdictions of the states that have several (counties, cities, the rest of the state): rows of
    ``Result.by_jurisdiction``, with the differences from the base as for the states."""
    places = in_split_states(result.by_jurisdiction(fy)).copy()
    if base is not None and not places.empty:
        b = base.by_jurisdiction(fy).set_index("jurisdiction")
        for c in columns:
            places[f"{c}_difference"] = places[c].to_numpy() - b.loc[places.jurisdiction, c].to_numpy()
    return places.to_dict("records")


def _uncertainty_view(result: Result, base: Result | None, fy: int, view: dict[str, Any]) -> dict[str, Any]:
    """Over the posterior: whether the tables have a total band, how many sets ran, and what drives the width.

    The drivers are what ``immsim run`` and ``compare`` print (``immsim.uncertainty.year_drivers``): the
    assumptions whose factors go most with ICE arrests, or with the paired difference in them.
    """
    from immsim.uncertainty import year_drivers

    out: dict[str, Any] = {"two_bands": bool(view["summary"]) and "total_low" in view["summary"][0]}
    if result.draws.empty:
        return out | {"sets": 0, "drivers": [], "difference_drivers": []}
    out["sets"] = int(result.draws.draw.nunique())
    out["per_draw"] = int(result.draws.groupby("draw").size().max())
    out["drivers"] = list(year_drivers(result.fiscal_years, result.draws, fy).items())
    out["difference_drivers"] = []
    if base is not None:
        keys = ["replication", "fiscal_year"]
        alt, ref = result.fiscal_years.set_index(keys), base.fiscal_years.set_index(keys)
        diff = (alt - ref.reindex(alt.index)).reset_index()
        out["difference_drivers"] = list(year_drivers(diff, result.draws, fy).items())
    return out


def _by_figure(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A table by figure and criminal history as rows per figure: {figure, description, cells: {history: row}}."""
    out: dict[str, dict[str, Any]] = {}
    for row in table.to_dict("records"):
        entry = out.setdefault(row["figure"], {"figure": row["figure"], "description": row["description"], "cells": {}})
        entry["cells"][row["criminal_history"]] = row
    return list(out.values())


def _tiles_json(view: dict[str, Any]) -> str:
    """What the tile map's script reads: positions, every state's figures, and the columns it can show."""
    return json.dumps(
        {
            "tiles": {s: {"row": r, "col": c} for s, (r, c) in TILES.items()},
            "states": {row["state"]: {k: _plain(v) for k, v in row.items()} for row in view["states"]},
            "columns": view["state_columns"],
        }
    )


def _plain(v: Any) -> Any:
    if isinstance(v, float) and pd.isna(v):
        return None
    return v.item() if hasattr(v, "item") else v


def router(library: Library, runner: Runner, limits: Limits, env: Environment) -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(limits=limits, **context), status_code=status)

    @pages.get("/", response_class=HTMLResponse)
    def explore(scenario: str = "us-2017") -> HTMLResponse:
        entries = [library.get(i) for i in library.ids()]
        entry = library.get(scenario) if scenario in library.ids() else None
        if entry is None:
            return page("error.html", 404, message=f"There is no scenario {scenario!r}.", title="Not found")
        return page(
            "explore.html",
            title=f"Explore {entry.scenario.name}",
            entries=[e for e in entries if e is not None],
            entry=entry,
            groups=parameter_groups(entry.scenario),
            levers=lever_context(entry.scenario),
            uncertainty=uncertainty_context(library, entry),
            events=[
                {"date": e.date.isoformat(), "type": e.type, "meaning": e.meaning, **source_fields(e.source)}
                for e in sorted(entry.scenario.data.events, key=lambda e: e.date)
            ],
        )

    @pages.get("/runs", response_class=HTMLResponse)
    def history() -> HTMLResponse:
        return page("runs.html", title="Runs", runs=runner.history())

    @pages.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(request: Request, run_id: str = PathParam(pattern=JOB_ID)) -> HTMLResponse:
        job = runner.get(run_id)
        directory = runner.result_dir(run_id)
        if directory is None:
            if job is None:
                return page("error.html", 404, message=f"There is no run {run_id}.", title="Not found")
            return page("run.html", title=job.describe()["title"], run=job.describe(), view=None)
        cache = request.app.state.results

        def render() -> HTMLResponse:
            row = runner.record(run_id)
            status = {"id": run_id, "status": "done", "progress": 1.0}
            status |= {"title": row["title"], "request": json.loads(row["request"])}
            view = run_view(directory, cache)
            optional = (".yaml", "differences.csv", "comparison.html", "_by_history.csv", ".parquet", "draws.csv")
            stored = {"draws.csv": "draws.parquet"}  # a CSV made on request from the Parquet table
            files = [
                (n, d) for n, d in FILE_LIST if not n.endswith(optional) or (directory / stored.get(n, n)).exists()
            ]
            return page("run.html", title=row["title"], run=status, view=view, files=files)

        return cache.pages.get(str(directory), render)

    return pages


#: What the result page offers for download, in order: (file name, what it holds).
FILE_LIST = [
    ("summary.csv", "headline figures with 95 % intervals (CSV)"),
    ("summary_by_history.csv", "figures by criminal history with 95 % intervals (CSV)"),
    ("differences.csv", "paired differences from the base, with 95 % intervals (CSV)"),
    ("differences_by_history.csv", "paired differences from the base by criminal history (CSV)"),
    ("national.csv", "national monthly series, every replication (CSV)"),
    ("states.csv", "per-state totals for the fiscal year shown (CSV)"),
    ("monthly.csv", "monthly series by jurisdiction, every replication (CSV)"),
    ("fiscal_years.csv", "headline figures by fiscal year and replication (CSV)"),
    ("draws.csv", "over the posterior: the parameter set (factors) each replication ran (CSV)"),
    ("national.parquet", "national monthly series (Parquet)"),
    ("monthly.parquet", "monthly series by jurisdiction (Parquet)"),
    ("fiscal_years.parquet", "headline figures by fiscal year and replication (Parquet)"),
    ("by_history.parquet", "monthly series by jurisdiction and criminal history (Parquet)"),
    ("draws.parquet", "over the posterior: the parameter set each replication ran (Parquet)"),
    ("offices.parquet", "officer-days and arrests by field office and month (Parquet)"),
    ("scenario.yaml", "the scenario as run (YAML)"),
    ("reform.yaml", "the changes, as a reform of the base scenario (YAML)"),
    ("report.html", "the HTML report of this run"),
    ("comparison.html", "the HTML comparison report: both scenarios and their paired differences"),
]
