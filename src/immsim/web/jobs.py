"""The web app's runs: a bounded queue, one process per run, results kept in the catalog.

At most ``workers`` runs compute at once and at most ``max_waiting`` wait;
a request beyond that is refused (``QueueFull``) rather than lost. Each run
computes in its own process (``worker.run_job``) into ``results/.<id>.partial``.
When the process exits cleanly the directory is renamed to ``results/<id>``
and the run is added to the catalog in one transaction, so a result is
either complete and listed, or absent. Cancelling ends the process and
removes its directory. When the server starts it removes partial
directories left by a crash and lists complete ones the catalog missed.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from immsim._cache import COMPILE_SECONDS, kernels_compiled
from immsim.catalog import Catalog, ResultRecord, RunRecord, run_key
from immsim.errors import ImmsimError
from immsim.store import load_result, scenario_hash
from immsim.web.worker import ERROR_FILE, run_job

RESULTS = "results"
ACTIVE = ("queued", "running")


class QueueFull(ImmsimError):
    """Too many runs are waiting; the request is refused, nothing is queued."""


def new_id() -> str:
    return secrets.token_hex(6)


@dataclass
class Job:
    """A run the app was asked for: what to run, and where it stands."""

    id: str
    spec: dict[str, Any]  # what the worker process gets (see worker.run_job)
    status: str = "queued"  # queued, running, done, failed, cancelled
    error: str | None = None
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))
    started: float | None = None
    finished: float | None = None
    _process: Any = None
    _progress: Any = None
    _cancel: bool = False

    @property
    def progress(self) -> float:
        if self.status == "done":
            return 1.0
        return float(self._progress.value) if self._progress is not None else 0.0

    @property
    def compiling(self) -> bool:
        """Running at 0 % on kernels not yet compiled: the page says so, and how long it takes, not a stuck bar."""
        return self.status == "running" and self.progress == 0.0 and not kernels_compiled()

    def describe(self) -> dict[str, Any]:
        req = self.spec["request"]
        return {
            "id": self.id,
            "status": self.status,
            "progress": round(self.progress, 4),
            "compiling": self.compiling,
            "compile_seconds": COMPILE_SECONDS,
            "error": self.error,
            "created": self.created.isoformat(timespec="seconds"),
            "title": req["title"],
            "scenario": self.spec["scenario_name"],
            "base": self.spec.get("base_name"),
            "years": req["years"],
            "replications": req["replications"],
            "seed": req["seed"],
            "seconds": None if self.started is None else round((self.finished or time.time()) - self.started, 1),
        }


class Runner:
    """Owns the queue, the worker processes and the catalog (DuckDB allows one writer)."""

    def __init__(self, data_dir: Path, workers: int = 1, max_waiting: int = 20) -> None:
        self.dir = data_dir
        self.results = data_dir / RESULTS
        self.results.mkdir(parents=True, exist_ok=True)
        self.workers, self.max_waiting = workers, max_waiting
        self.jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._ctx = multiprocessing.get_context("spawn")
        self._thread: threading.Thread | None = None
        self.start()

    def start(self) -> None:
        """Open the catalog and start the queue (again, after ``close``: an app may be started twice)."""
        with self._lock:
            if self._thread is not None:
                return
            self.catalog = Catalog(self.dir)
            self._recover()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._loop, name="immsim-runs", daemon=True)
            self._thread.start()

    # --- requests -------------------------------------------------------------------------------------------------

    def submit(self, spec: dict[str, Any]) -> Job:
        with self._lock:
            waiting = sum(j.status == "queued" for j in self.jobs.values())
            if waiting >= self.max_waiting:
                raise QueueFull(f"{waiting} runs are already waiting; try again when some have finished")
            job = Job(new_id(), spec)
            spec["request"]["submitted"] = job.created.isoformat(timespec="seconds")
            self.jobs[job.id] = job
            return job

    def cancel(self, job_id: str) -> Job | None:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.status not in ACTIVE:
                return job
            job._cancel = True
            if job.status == "queued":
                job.status, job.finished = "cancelled", time.time()
            elif job._process is not None:
                job._process.terminate()
            return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self.jobs.get(job_id)

    def record(self, result_id: str) -> dict | None:
        """The catalog's row for a finished run (from this session or an earlier one)."""
        with self._lock:
            return self.catalog.result(result_id)

    def history(self) -> list[dict[str, Any]]:
        """Every run: those of this session not (yet) in the catalog, then the catalog's, newest first."""
        with self._lock:
            rows = self.catalog.results()
            listed = set(rows.id)
            live = [j.describe() for j in self.jobs.values() if j.id not in listed]
        done = [
            {
                "id": r.id,
                "status": "done",
                "progress": 1.0,
                "error": None,
                "created": r.created.isoformat(timespec="seconds"),
                "title": r.title,
                "scenario": r.scenario,
                "base": r.base,
                "years": r.years,
                "replications": int(r.replications),
                "seed": int(r.seed),
                "seconds": None if r.seconds is None else round(float(r.seconds), 1),
            }
            for r in rows.itertuples()
        ]
        return sorted(live, key=lambda j: j["created"], reverse=True) + done

    def result_dir(self, result_id: str) -> Path | None:
        row = self.record(result_id)
        return None if row is None else self.dir / row["directory"]

    def close(self) -> None:
        """Stop the queue: running processes are ended and their partial results removed."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            for job in self.jobs.values():
                if job.status in ACTIVE:
                    if job._process is not None:
                        job._process.terminate()
                        job._process.join(timeout=5)
                        self._discard(job.id)
                    job.status, job.error = "cancelled", "the app stopped"
            self.catalog.close()
            self._thread = None

    # --- the loop -------------------------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                running = [j for j in self.jobs.values() if j.status == "running"]
                for job in running:
                    if not job._process.is_alive():
                        self._finish(job)
                slots = self.workers - sum(j.status == "running" for j in self.jobs.values())
                for job in [j for j in self.jobs.values() if j.status == "queued"][: max(0, slots)]:
                    self._start(job)
            self._stop.wait(0.1)

    def _partial(self, job_id: str) -> Path:
        return self.results / f".{job_id}.partial"

    def _start(self, job: Job) -> None:
        job._progress = self._ctx.Value("d", 0.0, lock=False)
        job._process = self._ctx.Process(
            target=run_job, args=(job.spec, str(self._partial(job.id)), job._progress), daemon=True
        )
        job._process.start()
        job.status, job.started = "running", time.time()

    def _finish(self, job: Job) -> None:
        job._process.join()
        job.finished = time.time()
        error_file = self.results / f".{job.id}.partial.{ERROR_FILE}"
        if job._cancel:
            job.status = "cancelled"
        elif job._process.exitcode == 0:
            try:
                final = self.results / job.id
                self._partial(job.id).rename(final)
                self._register(job.id, final, job.finished - (job.started or job.finished))
                job.status = "done"
            except (OSError, ImmsimError) as e:
                job.status, job.error = "failed", f"the result could not be stored: {e}"
        else:
            job.status = "failed"
            job.error = (
                error_file.read_text(encoding="utf-8")
                if error_file.exists()
                else f"the run's process ended unexpectedly (exit code {job._process.exitcode})"
            )
        error_file.unlink(missing_ok=True)
        if job.status != "done":
            self._discard(job.id)

    def _discard(self, job_id: str) -> None:
        shutil.rmtree(self._partial(job_id), ignore_errors=True)

    def _register(self, result_id: str, directory: Path, seconds: float | None) -> None:
        """Add a complete result directory to the catalog: its runs and its row, in one transaction."""
        result = load_result(directory)
        request = json.loads((directory / "request.json").read_text())
        base = load_result(directory / "base") if (directory / "base" / "run.json").exists() else None
        years = float(request["years"])
        runs = []
        for res in [result] if base is None else [result, base]:
            digest = scenario_hash(res.scenario.text)
            sets = res.draws.set_index("replication") if not res.draws.empty else None
            for rep in range(res.replications):
                # over a posterior, replication rep ran the scenario with its set's factors: that is in its key,
                # as a sweep's factors are in a sweep run's, so equal keys still mean identical results
                factors = {} if sets is None else sets.loc[rep].drop(["draw", "set"]).to_dict()
                record = RunRecord(
                    key=run_key(digest, factors, res.seed + rep, res.start, years),
                    kind="web",
                    scenario=res.scenario.name,
                    scenario_hash=digest,
                    seed=res.seed + rep,
                    start=res.start,
                    years=years,
                    days=res.days,
                    replication=rep,
                )
                national = res.national[res.national.replication == rep]
                runs.append((record, national, res.headline_figures(rep)))
        entry = ResultRecord(
            id=result_id,
            kind="web",
            title=request["title"],
            scenario=result.scenario.name,
            base=None if base is None else base.scenario.name,
            scenario_hash=scenario_hash(result.scenario.text),
            seed=result.seed,
            start=result.start,
            years=years,
            replications=result.replications,
            directory=directory.relative_to(self.dir).as_posix(),
            request=request,
            seconds=seconds,
            created=dt.datetime.fromisoformat(request["submitted"]) if "submitted" in request else None,
        )
        self.catalog.save_result(entry, runs)

    def _recover(self) -> None:
        """After a crash: remove partial results; list complete ones the catalog does not have."""
        for p in self.results.glob(".*.partial*"):
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        listed = set(self.catalog.results().id)
        for d in sorted(self.results.iterdir()):
            if d.is_dir() and d.name not in listed and (d / "run.json").exists():
                try:
                    self._register(d.name, d, None)
                except (OSError, ValueError, KeyError, ImmsimError):
                    shutil.rmtree(d, ignore_errors=True)
