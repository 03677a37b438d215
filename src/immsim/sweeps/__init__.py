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

    Every point shares its random numbers with the others (replication r of
    each point uses ``seed + r``), so differences between points come from
    the factors. Runs stream into the catalog as they finish and a run is
    known by a hash of what determines it, so an interrupted sweep resumes
    where it stopped, and serial and Dask runs give identical results
    (``docs/sweeps.md``). Needs the ``sweep`` extra.

    Parameters
    ----------
    spec : Spec, dict, str or pathlib.Path
        A spec: the path of a YAML spec file, the name of a built-in example
        (``judges-officers``, ``assumptions-sobol``), the same fields as a
        mapping, or a ``Spec``.
    out : str or pathlib.Path, default "immsim-sweep"
        The catalog's directory, created if needed (``catalog.duckdb`` and
        ``runs/``).
    workers : int, optional
        Processes of the local Dask cluster; by default one per CPU.
    scheduler : str, optional
        The address of a running Dask scheduler to use instead of a local
        cluster.
    serial : bool, default False
        Run in this process, without Dask.
    progress : callable, optional
        Called as ``progress(runs_saved, runs_total)``.

    Returns
    -------
    pandas.DataFrame
        One row per run: ``key``, ``point``, ``replication``, ``seed``,
        ``fiscal_year``, one column per swept parameter (its factor) and one
        per headline figure. ``attrs`` holds ``skipped`` (runs already in the
        catalog), ``ran`` (runs computed now) and ``seconds``.

    Raises
    ------
    ScenarioError
        If the spec or its scenario is invalid (file, line and field).
    ImmsimError
        If the ``sweep`` extra is missing, the catalog is in use by another
        process, ``workers`` is below 1, or both ``serial`` and
        ``scheduler`` are given. ``SweepInterrupted``, a subclass, when the
        sweep is stopped (Ctrl-C, SIGTERM); finished runs are saved.

    Examples
    --------
    Two points of one replication each, a quarter of a year, in this process:

    >>> import tempfile, immsim
    >>> spec = {"name": "judges", "scenario": "us-2017", "years": 0.25, "seed": 1, "replications": 1,
    ...         "design": "grid", "parameters": {"immigration_judges": {"scale": [1.0, 1.5]}}}
    >>> folder = tempfile.mkdtemp()
    >>> runs = immsim.sweep(spec, folder, serial=True)
    >>> runs[["point", "replication", "immigration_judges"]]
       point  replication  immigration_judges
    0      0            0                 1.0
    1      1            0                 1.5
    >>> runs.attrs["ran"], immsim.sweep(spec, folder, serial=True).attrs["skipped"]
    (2, 2)
    """
    from immsim._extras import require

    require("sweep", "a sweep")
    from immsim.sweeps.runner import run_sweep

    outcome = run_sweep(as_spec(spec), out, workers=workers, scheduler=scheduler, serial=serial, progress=progress)
    frame = outcome.runs
    frame.attrs.update(skipped=outcome.skipped, ran=outcome.ran, seconds=outcome.seconds)
    return frame


def sensitivity(directory: str | Path, *, sweep: str | None = None, fiscal_year: int | None = None) -> pd.DataFrame:
    """First- and total-order Sobol indices (S1, ST, with 95% intervals) per headline figure and parameter.

    S1 is the share of a figure's variance across the sweep that a parameter
    explains on its own, ST the share that involves it at all, alone or
    through interactions; ``docs/sweeps.md`` says how to read them.
    Replications of a point are averaged first. Needs the ``sweep`` extra.

    Parameters
    ----------
    directory : str or pathlib.Path
        A catalog written by ``sweep`` with a Sobol design.
    sweep : str, optional
        The start of the sweep's id, when the catalog holds more than one
        Sobol sweep.
    fiscal_year : int, optional
        By default the first fiscal year the runs cover.

    Returns
    -------
    pandas.DataFrame
        One row per headline figure and parameter: ``fiscal_year``,
        ``figure``, ``description``, ``parameter``, ``S1``, ``S1_conf``,
        ``ST``, ``ST_conf`` (half-widths of 95% bootstrap intervals) and
        ``variance`` (of the figure across points; NaN indices when it is 0).

    Raises
    ------
    ImmsimError
        If the ``sweep`` extra is missing, ``directory`` holds no catalog, not
        exactly one Sobol sweep (matching ``sweep``), or not all its runs.

    Examples
    --------
    A Sobol sample far too small to be read (N = 2, 8 runs), to show the calls:

    >>> import tempfile, immsim
    >>> spec = {"name": "tiny-sobol", "scenario": "us-2017", "years": 0.25, "seed": 1, "replications": 1,
    ...         "design": "sobol", "samples": 2,
    ...         "parameters": {"found_probability": {"scale": [0.75, 1.25]},
    ...                        "detention_beds": {"scale": [0.9, 1.1]}}}
    >>> folder = tempfile.mkdtemp()
    >>> len(immsim.sweep(spec, folder, serial=True))
    8
    >>> table = immsim.sensitivity(folder)
    >>> table[table.figure == "ice_admin_arrests"].parameter.tolist()
    ['found_probability', 'detention_beds']
    """
    from immsim._extras import require

    require("sweep", "a sensitivity analysis")
    from immsim.sweeps.analysis import sensitivity as _sensitivity

    return _sensitivity(directory, sweep=sweep, fiscal_year=fiscal_year)
