"""Intervals over replications: Student-t for Monte Carlo noise, two bands with parameter-set draws.

With ``uncertainty`` (an ensemble of parameter sets), replications come in
groups sharing a set; ``interval_columns`` then gives the Monte Carlo band and
the total band (``immsim.uncertainty.two_bands``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from immsim._student import t_quantile
from immsim.uncertainty import two_bands

if TYPE_CHECKING:
    from immsim.results import Result


def set_groups(result: Result, replications: pd.Series) -> np.ndarray | None:
    """The parameter-set group of each of ``replications`` in ``result`` (None for a run without uncertainty)."""
    if result.draws.empty:
        return None
    return result.draws.set_index("replication").draw.reindex(replications.to_numpy()).to_numpy()


def interval_columns(values: np.ndarray, groups: np.ndarray | None) -> dict[str, float]:
    """``mean``, ``ci_low``, ``ci_high``; with parameter-set groups, the Monte Carlo band as ``ci_*`` and the
    total band as ``total_low``, ``total_high`` (``immsim.uncertainty.two_bands``)."""
    if groups is None:
        m, lo, hi = mean_interval(values)
        return {"mean": m, "ci_low": lo, "ci_high": hi}
    b = two_bands(values, groups)
    return {
        "mean": b["mean"],
        "ci_low": b["mc_low"],
        "ci_high": b["mc_high"],
        "total_low": b["total_low"],
        "total_high": b["total_high"],
    }


def mean_interval(values: pd.Series | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval over independent replications."""
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    m = float(x.mean())
    if x.size < 2:
        return (m, np.nan, np.nan)
    half = float(t_quantile(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return (m, m - half, m + half)
