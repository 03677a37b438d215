"""Sobol sensitivity indices of the headline figures, from a Sobol sweep's catalog.

For each headline figure Y and swept parameter X_i:

- the first-order index S1_i is the share of Var(Y) explained by X_i alone
  (what would remain of the variance if X_i were fixed, subtracted);
- the total-order index ST_i is the share that involves X_i at all, alone or
  in interaction with others. ST_i near 0 means X_i can be fixed anywhere in
  its range without changing Y; ST_i much larger than S1_i means X_i acts
  through interactions.

Replications of a point are averaged first, so the indices describe the
expected figure; the remaining simulation noise widens the bootstrap
confidence intervals SALib reports. Because every point shares the same seeds
(common random numbers), a parameter that no mechanism connects to a figure
gives exactly the same figure at every point, and its indices are exactly 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from immsim.catalog import Catalog
from immsim.errors import ImmsimError
from immsim.figures import HEADLINES
from immsim.scenario.loader import parse_scenario
from immsim.sweeps.design import runs, sobol_problem
from immsim.sweeps.runner import runs_table
from immsim.sweeps.spec import Spec, parse_spec

COLUMNS = ["figure", "description", "parameter", "S1", "S1_conf", "ST", "ST_conf", "variance"]


def sobol_spec(catalog: Catalog, sweep: str | None = None) -> Spec:
    """The Sobol sweep stored in ``catalog`` (the only one, or the one whose id starts with ``sweep``)."""
    table = catalog.sweeps()
    table = table[table.design == "sobol"]
    if sweep:
        table = table[table.id.str.startswith(sweep)]
    if len(table) != 1:
        found = ", ".join(f"{r.id} ({r.name})" for r in table.itertuples()) or "none"
        which = f"matching {sweep!r}" if sweep else "in the catalog"
        raise ImmsimError(f"{catalog.dir}: need exactly one Sobol sweep {which}; found {found} (choose with --sweep)")
    row = table.iloc[0]
    shown = f"{catalog.dir} (sweep {row.id})"
    # the scenario as run, from the catalog: its file may have moved or changed since
    return parse_spec(row.spec_text, shown, catalog.dir, parse_scenario(row.scenario_text, shown))


def indices(frame: pd.DataFrame, spec: Spec, level: float = 0.95) -> pd.DataFrame:
    """S1 and ST with confidence intervals for each headline figure (columns ``COLUMNS``).

    ``frame`` is a sweep's ``runs_table``: replications are averaged per point.
    Figures that do not vary at all (or are undefined somewhere) get NaN indices.
    """
    from SALib.analyze import sobol

    problem = sobol_problem(spec)
    n_runs = len(runs(spec))
    if len(frame) != n_runs:
        raise ImmsimError(
            f"the catalog has {len(frame)} of the sweep's {n_runs} runs; run the sweep again to finish it"
        )
    means = frame.groupby("point")[list(HEADLINES)].mean()
    rows = []
    for figure, (desc, _) in HEADLINES.items():
        y = means[figure].to_numpy(float)
        var = float(np.var(y)) if np.isfinite(y).all() else np.nan
        if np.isfinite(var) and var > 0:
            res = sobol.analyze(problem, y, calc_second_order=False, conf_level=level, seed=spec.data.seed)
            values = [res["S1"], res["S1_conf"], res["ST"], res["ST_conf"]]
        else:
            values = [np.full(len(spec.names), np.nan)] * 4
        for i, name in enumerate(spec.names):
            rows.append([figure, desc, name, *(float(v[i]) for v in values), var])
    return pd.DataFrame(rows, columns=COLUMNS)


def sensitivity(directory, *, sweep: str | None = None, fiscal_year: int | None = None) -> pd.DataFrame:
    """Sobol indices of the headline figures of the Sobol sweep stored in ``directory``."""
    with Catalog(directory, read_only=True) as catalog:
        spec = sobol_spec(catalog, sweep)
        frame = runs_table(catalog, spec, fiscal_year)
    if frame.empty:
        raise ImmsimError(f"{directory}: the sweep has no finished runs yet")
    table = indices(frame, spec)
    table.insert(0, "fiscal_year", int(frame.fiscal_year.iloc[0]))
    return table
