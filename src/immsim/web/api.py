"""The web app's JSON API: scenarios, reforms, runs and their files.

Every refusal is a 4xx with ``{"detail": {"message": ..., "field": ...}}``:
``field`` names the control or file field that caused it, so the page can
show the message next to it. The browser pages use this API and nothing else.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, PlainTextResponse, Response
from pydantic import Field

from immsim._strict import Strict
from immsim.errors import ImmsimError, ScenarioError
from immsim.scenario.loader import MAX_BYTES, parse_scenario
from immsim.uncertainty import PER_DRAW
from immsim.web.jobs import QueueFull, Runner
from immsim.web.levers import (
    Levers,
    lever_context,
    lever_problem,
    parameter_groups,
    reform_document,
    reform_yaml,
    source_fields,
)
from immsim.web.library import Library

JOB_ID = r"^[0-9a-f]{12}$"
SCENARIO_ID = r"^[A-Za-z0-9_.-]{1,60}$"


@dataclass(frozen=True)
class Limits:
    """What one request may ask for (``immsim serve`` options)."""

    max_years: float = 10.0
    max_replications: int = 20
    max_simulated_years: float = 60.0  # years x replications x scenarios (2 when paired with the base)
    max_upload_bytes: int = MAX_BYTES
    workers: int = 1
    max_waiting: int = 20


class RunRequest(Strict):
    scenario: str = Field(pattern=SCENARIO_ID, description="a built-in scenario name or an uploaded scenario's id")
    levers: Levers = Field(default_factory=Levers)
    years: float = Field(1.0, gt=0, le=1000)
    replications: int = Field(3, ge=1, le=100_000)
    seed: int = Field(1, ge=0, lt=2**62)
    compare: bool = Field(True, description="also run the base scenario with the same seeds (paired differences)")
    title: str = Field("", max_length=200)
    uncertainty: Literal["none", "posterior"] = Field(
        "none",
        description="none: the scenario's values, Monte Carlo band only (fast); posterior: each group of per_draw "
        "replications runs one parameter set of the scenario's posterior ensemble, and figures get a Monte Carlo "
        "and a total band (immsim run --uncertainty posterior)",
    )
    draws: int | None = Field(
        None, ge=1, le=10_000, description="with uncertainty: parameter sets drawn; replications = draws x per_draw"
    )
    per_draw: int = Field(PER_DRAW, ge=1, le=1000, description="with uncertainty: replications per parameter set")

    def run_replications(self) -> int:
        """Replications the run makes: ``replications``, or with uncertainty ``draws`` x ``per_draw``."""
        if self.uncertainty == "none" or self.draws is None:
            return self.replications
        return self.draws * self.per_draw


class ReformRequest(Strict):
    scenario: str = Field(pattern=SCENARIO_ID)
    levers: Levers


def refuse(status: int, message: str, field: str = "") -> HTTPException:
    return HTTPException(status, {"message": message, "field": field})


def _entry(library: Library, scenario_id: str):
    try:
        entry = library.get(scenario_id)
    except ScenarioError as e:
        raise refuse(422, f"the scenario no longer validates: {e}", "scenario") from None
    if entry is None:
        raise refuse(404, f"no scenario {scenario_id!r}; choose a built-in one or upload a file", "scenario")
    return entry


def _reform(library: Library, scenario_id: str, levers: Levers) -> tuple[Any, Any, str]:
    """(base entry, resolved reform scenario, reform text) for ``levers`` on a scenario."""
    entry = _entry(library, scenario_id)
    problem = lever_problem(levers, entry.scenario)
    if problem:
        raise refuse(422, problem[1], f"levers.{problem[0]}")
    base_ref = entry.id if entry.kind == "built-in" else f"{entry.id}.yaml"
    name = f"{entry.scenario.name}-changed"[:100]
    try:
        doc = reform_document(levers, entry.scenario, base_ref, name, f"{entry.scenario.data.title}, changed")
        text = reform_yaml(doc)
        # the reform sits beside the uploads, so that an uploaded base resolves by its file name
        scenario = parse_scenario(text, str(library.dir / "changes.yaml"))
    except (ScenarioError, ValueError) as e:
        message = e.problem if isinstance(e, ScenarioError) else str(e)
        raise refuse(422, f"the changes cannot be applied: {message}", "levers") from None
    return entry, scenario, text


def uncertainty_context(library: Library, entry: Any) -> dict[str, Any]:
    """What the run form's uncertainty choice offers for a scenario: whether a posterior exists, and where from."""
    return {"posterior": library.posterior_file(entry) is not None, "note": library.posterior_note(entry)}


def _ensemble(library: Library, body: RunRequest) -> tuple[Any, str]:
    """The ensemble a run draws its parameter sets from (None: Monte Carlo only), and the field its count is in.

    Read here, not in the run's process, so that a missing or unreadable posterior is refused at once with
    a message next to the control, and the run's process gets the very sets that were checked.
    """
    if body.uncertainty == "none":
        return None, "replications"
    if body.draws is None:
        raise refuse(422, "draws: give the number of parameter sets to draw from the posterior", "draws")
    if "replications" in body.model_fields_set and body.replications != body.run_replications():
        raise refuse(
            422,
            f"replications: over the posterior a run makes draws x per_draw = {body.run_replications()} "
            f"replications; leave replications out (it says {body.replications})",
            "replications",
        )
    entry = _entry(library, body.scenario)
    try:
        return library.ensemble(entry), "draws"
    except ImmsimError as e:
        raise refuse(422, str(e), "uncertainty") from None


def _describe_levers(levers: Levers) -> str:
    parts = [f"{'/'.join([*p.states, *p.jurisdictions])} {p.policy} from {p.start}" for p in levers.policies]
    for name in ("jail_officers", "at_large_officers", "immigration_judges", "detention_beds", "atd_slots", "contest"):
        v = getattr(levers, name)
        if v is not None and v != 1:
            parts.append(f"{name.replace('_', ' ')} x{v:g}")
    if levers.regime:
        parts.append(f"{levers.regime} priorities from {levers.regime_start}")
    if levers.at_large_reallocation_share is not None:
        parts.append(f"at-large officers reallocated by releases: share {levers.at_large_reallocation_share:g}")
    if levers.counsel is not None:
        parts.append(f"respondents with counsel: share {levers.counsel:g}")
    if levers.atd_share is not None:
        parts.append(f"released respondents under ATD: share {levers.atd_share:g}")
    return "; ".join(parts)


def router(library: Library, runner: Runner, limits: Limits) -> APIRouter:
    api = APIRouter(prefix="/api")

    @api.get("/scenarios")
    def list_scenarios() -> list[dict]:
        """Built-in and uploaded scenarios."""
        out = []
        for sid in library.ids():
            try:
                out.append(_entry(library, sid).describe())
            except HTTPException:
                continue
        return out

    @api.post("/scenarios", status_code=201)
    async def upload_scenario(file: Annotated[UploadFile, File(description="a scenario or reform file (YAML)")]):
        """Upload a scenario or a reform of a built-in scenario; it is validated and kept."""
        raw = await file.read(limits.max_upload_bytes + 1)
        if len(raw) > limits.max_upload_bytes:
            raise refuse(413, f"the file is larger than the {limits.max_upload_bytes:,}-byte limit", "file")
        try:  # validating a county-level file takes seconds: off the event loop, which serves every request
            entry = await run_in_threadpool(library.add, raw, file.filename or "upload.yaml")
        except ScenarioError as e:
            raise refuse(400, str(e), "file") from None
        return entry.describe()

    @api.get("/scenarios/{scenario_id}")
    def scenario_detail(scenario_id: Annotated[str, PathParam(pattern=SCENARIO_ID)]) -> dict:
        """A scenario's parameters by mechanism (value, unit, source), its events, and what the levers start from."""
        entry = _entry(library, scenario_id)
        sc = entry.scenario
        return entry.describe() | {
            "start": sc.data.start.isoformat(),
            "parameters": parameter_groups(sc),
            "levers": lever_context(sc),
            "uncertainty": uncertainty_context(library, entry),
            "events": [
                {"date": e.date.isoformat(), "type": e.type, "meaning": e.meaning, **source_fields(e.source)}
                for e in sc.data.events
            ],
        }

    @api.get("/scenarios/{scenario_id}/file", response_class=PlainTextResponse)
    def scenario_file(scenario_id: Annotated[str, PathParam(pattern=SCENARIO_ID)]) -> Response:
        """The scenario file as run (a reform resolved into a whole scenario)."""
        entry = _entry(library, scenario_id)
        name = f"{entry.id}.yaml"
        return PlainTextResponse(entry.scenario.text, headers=_attachment(name), media_type="application/yaml")

    @api.post("/reform", response_class=PlainTextResponse)
    def reform_file(body: ReformRequest) -> Response:
        """The levers as a reform file of the chosen scenario, ready to download and run with ``immsim run``."""
        _, _, text = _reform(library, body.scenario, body.levers)
        return PlainTextResponse(text, headers=_attachment("reform.yaml"), media_type="application/yaml")

    @api.post("/scenarios/{scenario_id}/posterior", status_code=201)
    async def upload_posterior(
        scenario_id: Annotated[str, PathParam(pattern=SCENARIO_ID)],
        file: Annotated[UploadFile, File(description="posterior.csv from immsim calibrate --method abc")],
    ) -> dict:
        """Upload a posterior ensemble for a scenario: runs over the posterior then draw from it."""
        entry = _entry(library, scenario_id)
        raw = await file.read(limits.max_upload_bytes + 1)
        if len(raw) > limits.max_upload_bytes:
            raise refuse(413, f"the file is larger than the {limits.max_upload_bytes:,}-byte limit", "posterior")
        try:
            ensemble = await run_in_threadpool(library.add_posterior, entry, raw, file.filename or "posterior.csv")
        except ImmsimError as e:
            raise refuse(400, str(e), "posterior") from None
        return uncertainty_context(library, entry) | {
            "sets": len(ensemble.table),
            "effective_size": round(ensemble.effective_size(), 1),
        }

    @api.post("/runs", status_code=202)
    def start_run(body: RunRequest) -> dict:
        """Queue a run; with levers and ``compare``, the base scenario runs too, with the same seeds."""
        if body.years > limits.max_years:
            raise refuse(422, f"at most {limits.max_years:g} years per run here (asked {body.years:g})", "years")
        replications = body.run_replications()
        ensemble, where = _ensemble(library, body)
        if replications > limits.max_replications:
            n = limits.max_replications
            asked = f"{body.draws} draws x {body.per_draw}" if body.draws and ensemble is not None else ""
            raise refuse(
                422,
                f"at most {n} replications per run here (asked {replications}{f': {asked}' if asked else ''})",
                where,
            )
        if body.levers.is_empty():
            entry, reform_text = _entry(library, body.scenario), None
            scenario = entry.scenario
        else:
            entry, scenario, reform_text = _reform(library, body.scenario, body.levers)
        paired = body.compare and reform_text is not None
        cost = body.years * replications * (2 if paired else 1)
        if cost > limits.max_simulated_years:
            raise refuse(
                422,
                f"this run asks for {cost:g} simulated years ({body.years:g} years x {replications} replications"
                f"{' x 2 scenarios' if paired else ''}); the limit is {limits.max_simulated_years:g}: "
                "ask for fewer replications or a shorter horizon",
                where,
            )
        changes = _describe_levers(body.levers)
        title = body.title.strip() or (f"{entry.scenario.name}: {changes}" if changes else entry.scenario.name)
        spec = {
            "scenario_text": scenario.text,
            "scenario_name": scenario.name,
            "base_text": entry.scenario.text if paired else None,
            "base_name": entry.scenario.name if paired else None,
            "reform_text": reform_text,
            "years": body.years,
            "seed": body.seed,
            "replications": replications,
            "uncertainty": ensemble,  # the same parameter sets for the changed scenario and the base (paired)
            "per_draw": body.per_draw,
            "request": body.model_dump(mode="json")
            | {"title": title, "changes": changes, "replications": replications},
        }
        try:
            job = runner.submit(spec)
        except QueueFull as e:
            raise HTTPException(429, {"message": str(e), "field": ""}, headers={"Retry-After": "30"}) from None
        return job.describe() | {"url": f"/runs/{job.id}"}

    @api.get("/runs")
    def list_runs() -> list[dict]:
        """Every run, newest first: this session's queued, running, failed and cancelled runs, then the catalog's."""
        return runner.history()

    @api.get("/runs/{run_id}")
    def run_status(run_id: Annotated[str, PathParam(pattern=JOB_ID)]) -> dict:
        job = runner.get(run_id)
        if job is not None:
            return job.describe()
        for row in runner.history():
            if row["id"] == run_id:
                return row
        raise refuse(404, f"no run {run_id!r}", "")

    @api.post("/runs/{run_id}/cancel")
    def cancel_run(run_id: Annotated[str, PathParam(pattern=JOB_ID)]) -> dict:
        job = runner.cancel(run_id)
        if job is None:
            raise refuse(404, f"no run {run_id!r} in this session", "")
        return job.describe()

    @api.get("/runs/{run_id}/summary")
    def run_summary(run_id: Annotated[str, PathParam(pattern=JOB_ID)], request: Request) -> dict:
        """A finished run's figures as JSON: headline figures and figures by criminal history (mean, 95 % interval)."""
        directory = runner.result_dir(run_id)
        if directory is None:
            raise refuse(404, f"no finished run {run_id!r}", "")
        result = request.app.state.results.get(directory)
        summary = result.summary()
        fy = int(summary.fiscal_year.iloc[0])
        by_history = result.summary_by_history(fy) if not result.by_history.empty else summary.iloc[:0]
        return {
            "fiscal_year": fy,
            "summary": _records(summary),
            "by_history": _records(by_history),
        }

    @api.get("/runs/{run_id}/files/{name}")
    def run_file(run_id: Annotated[str, PathParam(pattern=JOB_ID)], name: str, request: Request) -> Response:
        """One of the run's files (see ``FILES``); CSV tables are made from the Parquet ones on request."""
        directory = runner.result_dir(run_id)
        if directory is None:
            raise refuse(404, f"no finished run {run_id!r}", "")
        if name not in FILES:
            raise refuse(404, f"no file {name!r}; the files are {', '.join(FILES)}", "")
        return FILES[name](directory, f"{run_id}-{name}", request)

    return api


def _records(frame: Any) -> list[dict]:
    """Rows as JSON-ready dicts: NaN (an interval from one replication) becomes null."""
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _stored(name: str, media: str):
    def serve(directory: Path, filename: str, request: Request) -> Response:
        path = directory / name
        if not path.is_file():
            raise refuse(404, f"this run has no {name}", "")
        return FileResponse(path, media_type=media, filename=filename)

    return serve


def _csv(table: str):
    def serve(directory: Path, filename: str, request: Request) -> Response:
        import pandas as pd

        if table == "states":
            cache = request.app.state.results
            frame = cache.get(directory).by_state()
        elif not (directory / f"{table}.parquet").is_file():
            raise refuse(404, f"this run has no {table}.csv", "")
        else:
            frame = pd.read_parquet(directory / f"{table}.parquet")
        buf = io.StringIO()
        frame.to_csv(buf, index=False)
        return Response(buf.getvalue(), media_type="text/csv", headers=_attachment(filename))

    return serve


#: Files a run offers for download, by the name in its URL: a fixed list, so no request names a path.
FILES = {
    "summary.csv": _stored("summary.csv", "text/csv"),
    "summary_by_history.csv": _stored("summary_by_history.csv", "text/csv"),
    "differences.csv": _stored("differences.csv", "text/csv"),
    "differences_by_history.csv": _stored("differences_by_history.csv", "text/csv"),
    "national.csv": _csv("national"),
    "monthly.csv": _csv("monthly"),
    "fiscal_years.csv": _csv("fiscal_years"),
    "draws.csv": _csv("draws"),
    "states.csv": _csv("states"),
    "national.parquet": _stored("national.parquet", "application/vnd.apache.parquet"),
    "monthly.parquet": _stored("monthly.parquet", "application/vnd.apache.parquet"),
    "fiscal_years.parquet": _stored("fiscal_years.parquet", "application/vnd.apache.parquet"),
    "by_history.parquet": _stored("by_history.parquet", "application/vnd.apache.parquet"),
    "draws.parquet": _stored("draws.parquet", "application/vnd.apache.parquet"),
    "offices.parquet": _stored("offices.parquet", "application/vnd.apache.parquet"),
    "scenario.yaml": _stored("scenario.yaml", "application/yaml"),
    "reform.yaml": _stored("reform.yaml", "application/yaml"),
    "report.html": _stored("report.html", "text/html"),
    "comparison.html": _stored("comparison.html", "text/html"),
}
