"""Parameter sweeps: a grid or a Sobol sample of parameter factors, times replications.

``immsim.sweep`` runs a spec (serially or on Dask) into a run catalog
(``immsim.catalog``) and resumes where an interrupted sweep stopped;
``immsim.sensitivity`` computes Sobol indices from a Sobol sweep. Modules:
``spec`` (the YAML spec), ``design`` (grid and Sobol points), ``runner``
(execution), ``signals`` (stopping cleanly), ``analysis`` (Sobol indices), ``report``
(tables and chart).

Nothing heavy is imported here: Dask, DuckDB and SALib load when a sweep runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from immsim.sweeps.spec import Spec


def as_spec(spec: Spec | dict[str, Any] | str | Path) -> Spec:
    """A ``Spec`` from a spec object, a mapping, a file path, or the name of a built-in example."""
    from immsim.sweeps.spec import Spec, load_spec, spec_from_dict

    if isinstance(spec, Spec):
        return spec
    if isinstance(spec, dict):
        return spec_from_dict(spec)
    return load_spec(example_path(str(spec)) or spec)


def example_path(name: str) -> Path | None:
    """The packaged example spec called ``name`` (``judges-officers``), if there is one."""
    from importlib import resources

    p = Path(str(resources.files("immsim.sweeps") / "examples" / f"{name}.yaml"))
    return p if "/" not in name and p.is_file() else None


def sweep(
    spec: Spec | dict[str, Any] | str | Path,
    out: str | Path = "immsim-sweep",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    serial: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run (or resume) a sweep into the catalog at ``out``; return its runs with their headline figures.

    One row per run: key, point, replication, seed, fiscal_year, one column per
    swept parameter (its factor) and one per headline figure. ``attrs`` holds
    ``skipped`` (runs already in the catalog) and ``ran`` (runs computed now).
    """
    from immsim._extras import require

    require("sweep", "a sweep")
    from immsim.sweeps.runner import run_sweep

    outcome = run_sweep(as_spec(spec), out, workers=workers, scheduler=scheduler, serial=serial, progress=progress)
    frame = outcome.runs
    frame.attrs.update(skipped=outcome.skipped, ran=outcome.ran, seconds=outcome.seconds)
    return frame


def sensitivity(directory: str | Path, *, sweep: str | None = None, fiscal_year: int | None = None) -> pd.DataFrame:
    """First- and total-order Sobol indices (S1, ST, with 95% intervals) per headline figure and parameter."""
    from immsim._extras import require

    require("sweep", "a sensitivity analysis")
    from immsim.sweeps.analysis import sensitivity as _sensitivity

    return _sensitivity(directory, sweep=sweep, fiscal_year=fiscal_year)
