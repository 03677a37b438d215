"""Design points of a sweep: a full grid, or Saltelli's Sobol sample.

A point is a set of factors, one per swept parameter. Points are generated
again, identically, each time a sweep is resumed or analysed (the Sobol
sequence is scrambled with the spec's seed), so they are never stored apart
from the spec that defines them.

Each point runs R replications; replication r uses seed ``seed + r`` for every
point, exactly as ``simulate(..., replications=R, seed=seed)`` does, so all
points share their random numbers (common random numbers) and differences
between points come from the factors rather than from the dice.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from immsim.catalog import run_key
from immsim.sweeps.spec import Spec


@dataclass(frozen=True)
class Run:
    """One run of a sweep: a design point and a replication."""

    key: str
    point: int
    replication: int
    seed: int
    factors: dict[str, float]


def sobol_problem(spec: Spec) -> dict:
    """The problem description SALib's Sobol sampler and analyser take."""
    return {
        "num_vars": len(spec.names),
        "names": spec.names,
        "bounds": [list(spec.data.parameters[n].scale) for n in spec.names],
    }


def points(spec: Spec) -> list[dict[str, float]]:
    """Factors of every design point, in design order (the order SALib's analysis expects)."""
    names = spec.names
    if spec.data.design == "grid":
        grids = [spec.data.parameters[n].scale for n in names]
        return [dict(zip(names, map(float, combo), strict=True)) for combo in itertools.product(*grids)]
    from SALib.sample import sobol

    sample = sobol.sample(
        sobol_problem(spec), spec.data.samples, calc_second_order=False, scramble=True, seed=spec.data.seed
    )
    return [dict(zip(names, map(float, row), strict=True)) for row in np.asarray(sample)]


def runs(spec: Spec) -> list[Run]:
    """Every run of the sweep, point by point then replication by replication."""
    d = spec.data
    out = []
    for i, factors in enumerate(points(spec)):
        for r in range(d.replications):
            key = run_key(spec.scenario_hash, factors, d.seed + r, spec.start, d.years)
            out.append(Run(key, i, r, d.seed + r, factors))
    return out
