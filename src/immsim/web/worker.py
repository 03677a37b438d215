"""What a web run does, in its own process: simulate, pair with the base, save.

The server starts one process per run (``jobs``), so that a run can be
cancelled by ending its process, and a long simulation never holds up the
server. The process writes everything into a fresh directory that the
server renames into place only when the process has exited cleanly: a
cancelled or failed run leaves no result behind. A run whose server has died
stops at its next progress report.

Layout of a result directory (``save_result``'s files, plus)::

    scenario.yaml, monthly.parquet, national.parquet, ...   the scenario as run
    base/                                                     the base, same seeds (paired runs)
    differences.csv, comparison.html                          paired differences with 95 % intervals
    differences_by_history.csv                                the same by criminal history
    reform.yaml                                               the changes, as a reform file
    request.json                                              what was asked
    draws.parquet (and base/draws.parquet)                    over the posterior: each replication's parameter set
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

ERROR_FILE = "error.txt"  # written beside the partial directory when a run fails


def run_job(spec: dict[str, Any], partial: str, progress: Any) -> None:
    """Entry point of the run's process; ``progress.value`` goes from 0 to 1."""
    out = Path(partial)
    try:
        _run(spec, out, progress)
    except Exception as e:  # noqa: BLE001 - the message goes to the user; the process then exits non-zero
        from immsim.errors import ImmsimError

        message = str(e) if isinstance(e, ImmsimError) else f"internal error: {type(e).__name__}: {e}"
        (out.parent / f"{out.name}.{ERROR_FILE}").write_text(message, encoding="utf-8")
        if not isinstance(e, ImmsimError):
            traceback.print_exc(file=sys.stderr)
        sys.exit(2)


def _run(spec: dict[str, Any], out: Path, progress: Any) -> None:
    from immsim._files import atomic_write
    from immsim.comparison import compare
    from immsim.scenario.loader import parse_scenario
    from immsim.simulation import simulate
    from immsim.store import save_result

    server = os.getppid()

    def report(done: int, total: int) -> None:
        progress.value = done / total if total else 1.0
        if os.getppid() != server:  # the server died (killed): nobody will collect this run
            os._exit(3)

    scenario = parse_scenario(spec["scenario_text"], spec["scenario_name"])
    options = {"years": spec["years"], "seed": spec["seed"], "replications": spec["replications"]}
    if spec.get("uncertainty") is not None:  # an Ensemble read by the server: compare draws one set list for both
        options |= {"uncertainty": spec["uncertainty"], "per_draw": spec["per_draw"]}
    out.mkdir(parents=True, exist_ok=False)
    if spec.get("base_text"):
        base = parse_scenario(spec["base_text"], spec["base_name"])
        comparison = compare(base, [scenario], progress=report, **options)
        table, results = comparison
        from immsim.report.comparison import write_comparison_report

        save_result(results[base.name], out / "base", report=False)
        atomic_write(out / "differences.csv", lambda p: table.to_csv(p, index=False))
        atomic_write(out / "differences_by_history.csv", lambda p: comparison.by_history.to_csv(p, index=False))
        write_comparison_report(table, results, out / "comparison.html", comparison.by_history)
        result = results[scenario.name]
    else:
        result = simulate(scenario, progress=report, **options)
    if spec.get("reform_text"):
        atomic_write(out / "reform.yaml", lambda p: p.write_text(spec["reform_text"], encoding="utf-8"))
    atomic_write(out / "request.json", lambda p: p.write_text(json.dumps(spec["request"], indent=2) + "\n"))
    save_result(result, out)  # run.json last: its presence marks a complete result
    progress.value = 1.0
