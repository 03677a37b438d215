"""Answers over the assumptions' uncertainty: a posterior ensemble, and results with two bands.

Calibration by ABC (``immsim calibrate --method abc``) leaves an *ensemble*:
a few hundred sets of factors on the calibratable parameters, each with a
weight, that together describe what the FY2017 targets leave plausible. A run
``with uncertainty`` draws one set for each group of replications (by weight,
seeded), so the spread of its results holds both the dice and the assumptions:

- the *Monte Carlo* band is today's interval: how far the random draws move
  the mean with the parameters held, estimated from the replications that
  share a parameter set;
- the *total* band adds the spread of the expected figure over the posterior
  (a random-effects decomposition of the replications into between-set and
  within-set variance).

Replication ``r`` of a paired comparison uses the same parameter set in every
scenario (the draw depends only on the seed and ``r``), as it uses the same
random numbers, so a difference's bands hold the assumptions' effect on the
difference, not on each level.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from immsim._student import t_quantile
from immsim.errors import ImmsimError, ScenarioError

#: The first line of an ensemble file (CSV; the lines starting with ``#`` are its header).
MAGIC = "# immsim posterior ensemble"
#: Replications that share one parameter set, by default: two or more let the bands be told apart.
PER_DRAW = 2


@dataclass(frozen=True)
class Ensemble:
    """Weighted sets of factors on a scenario's calibratable parameters (a posterior, or any sample).

    Attributes
    ----------
    scenario : str
        The name of the scenario whose values the factors multiply.
    table : pandas.DataFrame
        One row per parameter set: ``weight`` (summing to 1) and one column per
        parameter, the factor applied to every entry of its table or series.
    fitted_on : str
        ``fit_key`` of the scenario the sets were fitted on ("" if not known), so that a shipped
        ensemble can be tested against its scenario as it is now.
    """

    scenario: str
    table: pd.DataFrame
    fitted_on: str = ""

    def __post_init__(self) -> None:
        t = self.table
        if "weight" not in t or len(t.columns) < 2 or t.empty:
            raise ImmsimError("an ensemble needs a 'weight' column, one column per parameter and at least one row")
        values = t.to_numpy(float)
        if not np.isfinite(values).all() or (values < 0).any() or (t.drop(columns="weight").to_numpy() <= 0).any():
            raise ImmsimError("an ensemble's weights must be finite and non-negative, and its factors above 0")
        if t.weight.sum() <= 0:
            raise ImmsimError("an ensemble's weights sum to 0")

    @property
    def parameters(self) -> list[str]:
        """The parameters the sets move, in column order."""
        return [c for c in self.table.columns if c != "weight"]

    @property
    def weights(self) -> np.ndarray:
        w = self.table.weight.to_numpy(float)
        return w / w.sum()

    def effective_size(self) -> float:
        """Kish's effective sample size, (sum w)^2 / sum w^2: how many equally weighted sets it is worth."""
        w = self.weights
        return float(1.0 / (w**2).sum())

    def draw(self, groups: int, seed: int) -> np.ndarray:
        """Indices of ``groups`` sets drawn with replacement by weight; the same for the same seed in any scenario."""
        rng = np.random.default_rng([seed, 0x0E5E_AB1E])  # a stream of its own, apart from the model's
        return rng.choice(len(self.table), size=groups, p=self.weights)

    def changes(self, index: int, sources: dict[str, object]) -> list[dict]:
        """Set ``index`` as changes for ``Scenario.with_changes``: each parameter scaled, keeping its source."""
        row = self.table.iloc[index]
        return [
            {"parameter": p, "scale": float(row[p]), "source": sources.get(p, "assumption")} for p in self.parameters
        ]


#: Keys of a scenario document that hold prose, not model input: left out of ``fit_key``.
PROSE = frozenset({"name", "title", "description", "question", "source", "notes", "meaning", "locator"})


def _model_content(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _model_content(v) for k, v in node.items() if k not in PROSE}
    if isinstance(node, list):
        return [_model_content(v) for v in node]
    return node


def fit_key(text: str) -> str:
    """A short hash of what a scenario's text gives the model (its prose and sources left out).

    An ensemble keeps the key of the scenario it was fitted on: a factor means nothing once the value it
    multiplies has changed, and a posterior means nothing once the model it was fitted through has.
    """
    from immsim.scenario.yamldoc import load_document

    data = _model_content(load_document(text))
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def write_ensemble(ensemble: Ensemble, path: Path, note: str = "") -> None:
    """Write ``ensemble`` as CSV with a commented header naming its scenario (``read_ensemble`` reads it)."""
    lines = [
        MAGIC,
        f"# scenario: {ensemble.scenario}",
        "# columns: weight, then one factor per calibratable parameter (multiplying every entry of its table)",
    ]
    if ensemble.fitted_on:
        lines.append(f"# fitted on: {ensemble.fitted_on} (fit_key of the scenario's text)")
    lines += [f"# {line}" for line in note.splitlines() if line.strip()]
    Path(path).write_text("\n".join(lines) + "\n" + ensemble.table.to_csv(index=False))


def read_ensemble(path: str | Path) -> Ensemble:
    """Read an ensemble file written by ``write_ensemble`` (``immsim calibrate --method abc``)."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise ImmsimError(f"{path}: cannot read the ensemble ({e})") from None
    if not text.startswith(MAGIC):
        raise ImmsimError(f"{path}: not an immsim posterior ensemble (its first line is not {MAGIC!r})")
    header = {
        key.strip(): value.strip()
        for ln in text.splitlines()
        if ln.startswith("# ") and ":" in ln
        for key, value in [ln[2:].split(":", 1)]
    }
    try:
        table = pd.read_csv(path, comment="#")
    except (ValueError, pd.errors.ParserError) as e:
        raise ImmsimError(f"{path}: cannot read the ensemble ({e})") from None
    try:
        return Ensemble(header.get("scenario", ""), table.astype(float), header.get("fitted on", "").split(" ")[0])
    except (ValueError, TypeError) as e:
        raise ImmsimError(f"{path}: the ensemble holds a value that is not a number ({e})") from None


def packaged_posterior(scenario: str) -> Path:
    """The posterior shipped with a built-in scenario (``<name>.posterior.csv`` beside its file)."""
    from immsim.scenario.loader import resolve

    try:
        return resolve(scenario).with_suffix(".posterior.csv")
    except ScenarioError:  # a scenario read from a file of another name: no packaged posterior
        return Path(f"{scenario}.posterior.csv")


def resolve_uncertainty(uncertainty: str | Path | Ensemble | None, scenario: str) -> Ensemble | None:
    """What ``--uncertainty`` names: ``none``, ``posterior`` (the ensemble shipped with ``scenario``) or a file."""
    if uncertainty is None or isinstance(uncertainty, Ensemble):
        return uncertainty
    if str(uncertainty) == "none":
        return None
    if str(uncertainty) == "posterior":
        path = packaged_posterior(scenario)
        if not path.exists():
            raise ImmsimError(
                f"no posterior is shipped with {scenario}: make one with `immsim calibrate {scenario} --method abc "
                f"--out DIR` and pass --uncertainty DIR/posterior.csv"
            )
        return read_ensemble(path)
    return read_ensemble(uncertainty)


def group_of(replications: int, per_draw: int) -> np.ndarray:
    """The parameter set (group) of each replication: ``per_draw`` consecutive replications share one."""
    return np.arange(replications) // max(1, per_draw)


def two_bands(values: np.ndarray, groups: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Mean, Monte Carlo band and total band of replications grouped by parameter set.

    A one-way random-effects decomposition: ``y = mu(theta_g) + e``. The
    pooled within-set variance ``s_w^2`` is the dice's; the Monte Carlo band
    is the mean plus or minus ``t * s_w / sqrt(n)`` (the interval a run with the
    parameters held would give). The variance of the sets' means, less the
    part the dice explain, estimates ``tau^2``, the variance of the expected
    figure over the posterior; the total band is the mean plus or minus
    ``t * sqrt(tau^2 + var(set means) / sets)`` (Student's t with sets - 1
    degrees of freedom): the posterior spread of the expected figure and the
    error of estimating its mean from that many sets, a prediction interval
    for the expected figure at the true parameters if the posterior holds
    them. It is never narrower than the Monte Carlo band.
    With one replication per set the two variances cannot be told apart, and
    the Monte Carlo band is NaN.
    """
    y = np.asarray(values, float)
    keep = ~np.isnan(y)
    y, g = y[keep], np.asarray(groups)[keep]
    out = {"mean": math.nan, "mc_low": math.nan, "mc_high": math.nan, "total_low": math.nan, "total_high": math.nan}
    if y.size == 0:
        return out
    m = float(y.mean())
    out["mean"] = m
    labels, inverse, counts = np.unique(g, return_inverse=True, return_counts=True)
    sets = labels.size
    means = np.bincount(inverse, weights=y) / counts
    within_df = y.size - sets
    s2_within = float(((y - means[inverse]) ** 2).sum() / within_df) if within_df > 0 else math.nan
    if within_df > 0:
        half = t_quantile(0.5 + level / 2, within_df) * math.sqrt(s2_within / y.size)
        out["mc_low"], out["mc_high"] = m - half, m + half
    if sets >= 2:
        var_means = float(means.var(ddof=1))
        dice = s2_within * float(np.mean(1.0 / counts)) if within_df > 0 else 0.0
        # Var(expected figure at a new set - mean) = tau^2 + var_means / sets, with tau^2 = var_means - dice:
        # a difference of mean squares, whose degrees of freedom Satterthwaite's rule gives
        a1 = (1 + 1 / sets) * var_means
        var_total = max(a1 - dice, var_means / sets, dice / sets)
        terms = a1**2 / (sets - 1) + (dice**2 / within_df if within_df > 0 else 0.0)
        df = max(1.0, min(var_total**2 / terms, y.size - 1)) if terms > 0 else sets - 1
        half = t_quantile(0.5 + level / 2, df) * math.sqrt(var_total)
        if within_df > 0:
            half = max(half, out["mc_high"] - m)  # the total band holds the Monte Carlo one
        out["total_low"], out["total_high"] = m - half, m + half
    return out


def drivers(values: np.ndarray, draws: pd.DataFrame, top: int = 3) -> pd.Series:
    """Which assumptions move a figure most over the sets run: each factor's r^2 with the sets' mean figure.

    The share of the spread of the sets' means that each factor explains alone (its squared correlation
    with them, in log factor), largest first. Alone, because posterior factors are correlated (two
    assumptions the targets trade against each other) and the shares then overlap; with few sets they are
    rough (a correlation over 10 sets is known to about 0.3). Empty without sets or with fewer than 3.
    """
    if draws.empty:
        return pd.Series(dtype=float)
    frame = draws.drop(columns=["replication", "set"]).assign(y=np.asarray(values, float))
    means = frame.groupby("draw").mean()
    if len(means) < 3 or means.y.std() == 0:
        return pd.Series(dtype=float)
    x = np.log(means.drop(columns="y"))
    r2 = {p: float(np.corrcoef(x[p], means.y)[0, 1] ** 2) for p in x.columns if x[p].std() > 0}
    return pd.Series(r2, dtype=float).sort_values(ascending=False).head(top)


def year_drivers(
    fiscal_years: pd.DataFrame, draws: pd.DataFrame, fiscal_year: int, figure: str = "ice_admin_arrests", top: int = 3
) -> pd.Series:
    """``drivers`` of one figure of one fiscal year: ``fiscal_years`` has a row per replication and fiscal year
    (a run's, or the paired differences of two runs'), ``draws`` is the run's ``Result.draws``.

    What ``immsim run`` and ``compare`` with ``--uncertainty`` and the web app's result page say moves a figure.
    """
    if draws.empty:
        return pd.Series(dtype=float)
    year = fiscal_years[fiscal_years.fiscal_year == fiscal_year].set_index("replication")[figure]
    return drivers(year.reindex(draws.replication).to_numpy(), draws, top)
