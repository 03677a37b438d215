"""Bayesian calibration by ABC-SMC: a posterior ensemble over the assumptions, not one point.

``immsim calibrate --method abc`` fits the same parameters as the point
calibration (``calibratable: true``, each moved by one factor inside its
range, see ``immsim.validation.calibrate``) to the same FY2017 targets, but
keeps every parameter set the targets leave plausible. Approximate Bayesian
computation with sequential Monte Carlo (``pyabc``) draws sets from the
prior (each assumption's ``prior`` over its range, carried to its factor),
runs the model on each, and keeps a set when its *distance* to the targets is
below a threshold that shrinks from one generation to the next; importance
weights correct for the proposals. The distance is the root mean square over
targets of the relative error divided by the target's stated tolerance, so
a threshold of 1 means the typical target is met within its tolerance: the
tolerances are the error model.

Each evaluation runs with a seed derived from its parameter values, so a run
is reproducible and yet the model's own noise enters the acceptance, as it
should in ABC. pyabc's database (``abc.db`` in the output folder) holds every
generation, so a run stopped (or a budget later raised) goes on from the
last complete generation.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from immsim.errors import ImmsimError
from immsim.scenario.loader import Scenario, parse_scenario
from immsim.scenario.priors import UNIFORM, describe
from immsim.scenario.yamldoc import load_document
from immsim.uncertainty import Ensemble, fit_key
from immsim.validation.calibrate import calibratable, calibration_targets, figures_of

#: Below this ratio of posterior to prior width (central 90 %), the targets pin a parameter down.
PINNED = 0.5
#: Below this ratio, they narrow it.
NARROWED = 0.9


def prior_space(scenario: Scenario, only: list[str] | None = None) -> pd.DataFrame:
    """The calibratable parameters with factor bounds, range and prior: what the ABC samples."""
    doc = load_document(scenario.text)
    space = calibratable(doc)
    if space.empty:
        raise ImmsimError(f"calibrate: {scenario.path} marks no parameter calibratable")
    if only is not None:
        unknown = sorted(set(only) - set(space.parameter))
        if unknown:
            raise ImmsimError(f"calibrate: {', '.join(unknown)} not calibratable in {scenario.path}")
        space = space[space.parameter.isin(only)].reset_index(drop=True)
    params = scenario.data.parameters
    space["low"] = [params[p].range[0] for p in space.parameter]
    space["high"] = [params[p].range[1] for p in space.parameter]
    space["prior"] = [params[p].prior or UNIFORM for p in space.parameter]
    for r in space.itertuples():
        problem = r.prior.problem(r.low, r.high)
        if problem:  # a range of one point: the parameter cannot move
            raise ImmsimError(f"calibrate: {r.parameter}: {problem}")
    return space


#: How a parameter with a ``loguniform`` prior is named in the sampler: it is sampled as its log factor.
LOG = "log_"


def sampled_name(parameter: str, prior) -> str:
    """The name under which the sampler moves ``parameter``: its log factor's for a ``loguniform`` prior.

    Why: the sampler perturbs the accepted sets with a normal kernel and weighs each new set by prior over
    proposal density. On a factor spanning orders of magnitude, a normal step is too coarse near the bottom
    of the range and too fine at the top, and the prior's density (1 / factor) makes the few sets near the
    bottom carry most of the weight (an effective sample size of 24 of 200 in a trial on us-2017). In log
    factor the prior is uniform and a step is the same at every scale.
    """
    return LOG + parameter if prior.distribution == "loguniform" else parameter


def factors_of(sampled: dict[str, float]) -> dict[str, float]:
    """The factors of a set as the sampler holds it (log factors back to factors)."""
    return {
        (k[len(LOG) :] if k.startswith(LOG) else k): (math.exp(v) if k.startswith(LOG) else v)
        for k, v in sampled.items()
    }


def pyabc_prior(space: pd.DataFrame):
    """The prior as a ``pyabc.Distribution`` over the factors (over the log factors for ``loguniform`` priors)."""
    import pyabc

    rvs = {}
    for r in space.itertuples():
        if r.prior.distribution == "loguniform":
            rvs[sampled_name(r.parameter, r.prior)] = pyabc.RV(
                "uniform", math.log(r.lower), math.log(r.upper / r.lower)
            )
        else:
            name, args = r.prior.scipy_form(r.low, r.high, r.lower, r.upper)
            rvs[r.parameter] = pyabc.RV(name, *args)
    return pyabc.Distribution(**rvs)


@lru_cache(maxsize=4)
def _scenario(text: str, shown: str) -> Scenario:
    return parse_scenario(text, shown)


class FigureModel:
    """The model as ABC sees it: factors in, the targets' figures out (picklable, for worker processes)."""

    def __init__(self, scenario: Scenario, figures: list[str], seed: int, replications: int) -> None:
        self.text, self.shown, self.name = scenario.text, str(scenario.path), scenario.name
        self.figures, self.seed, self.replications = figures, seed, replications
        doc = load_document(scenario.text)
        self.sources = {p: v["source"] for p, v in doc["parameters"].items()}

    def seed_of(self, factors: dict[str, float]) -> int:
        """A seed of the parameter values: the same set gives the same run, different sets different dice."""
        key = np.array([factors[k] for k in sorted(factors)], float).tobytes()
        return self.seed + int.from_bytes(hashlib.sha256(key).digest()[:6], "little")

    def __call__(self, sampled: dict[str, float]) -> dict[str, float]:
        factors = factors_of(dict(sampled))
        base = _scenario(self.text, self.shown)
        changes = [{"parameter": p, "scale": float(f), "source": self.sources[p]} for p, f in sorted(factors.items())]
        sc = base.with_changes(changes, name=self.name, title=base.data.title)
        out = figures_of(sc, self.name, self.seed_of(dict(factors)), self.replications)
        return {f: float(out.get(f, math.nan)) for f in self.figures}


class ToleranceDistance:
    """Root mean square of (model - target) / target / tolerance over the targets; a missing figure is infinite."""

    def __init__(self, tolerance: dict[str, float]) -> None:
        self.tolerance = tolerance

    def __call__(self, x: dict, x0: dict) -> float:
        err = [(x[k] - x0[k]) / x0[k] / tol for k, tol in self.tolerance.items()]
        value = math.sqrt(sum(e * e for e in err) / len(err))
        return value if math.isfinite(value) else math.inf


@dataclass
class Posterior:
    """What ``abc_calibrate`` returns (and writes to its folder)."""

    ensemble: Ensemble
    parameters: pd.DataFrame  # parameter, prior, bounds, prior and posterior 90 % widths, ratio, verdict
    generations: pd.DataFrame  # t, epsilon, samples, particles, acceptance, ess
    targets: pd.DataFrame  # figure, target, tolerance, posterior mean and 90 % band of the model figure
    ess: float
    simulations: int
    method: str = "ABC-SMC"  # or "rejection ABC" (one generation), "rejection ABC, N fits pooled"
    fits: int = 1  # pooled one-generation fits (``pool_rejection``): then ``generations`` has one row per fit


def fy2017_goal(targets: pd.DataFrame) -> pd.DataFrame:
    """The FY2017 calibration rows of ``targets`` that name a model figure: ``value`` and ``tolerance`` by figure.

    What a fit's distance reads (``ToleranceDistance``), and what ``pool_rejection`` needs to summarize fits.
    """
    t = calibration_targets(targets)
    t = t[t.period.astype(str).str.startswith("FY2017")]
    if t.empty:
        raise ImmsimError("calibrate: no calibration target names a model figure for FY2017")
    return t.set_index("figure")[["value", "tolerance"]].astype(float)


def _sampler(workers: int | None, scheduler: str | None):
    import pyabc

    if scheduler:
        from distributed import Client

        from immsim._dask import quiet_cancel_race

        quiet_cancel_race()
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as e:
            raise ImmsimError(f"cannot reach the Dask scheduler at {scheduler} ({e})") from None
        return pyabc.sampler.DaskDistributedSampler(dask_client=client, batch_size=1)
    if workers == 1:
        return pyabc.sampler.SingleCoreSampler()
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)


def abc_calibrate(
    scenario: Scenario,
    targets: pd.DataFrame,
    out: Path,
    *,
    population: int = 200,
    generations: int = 8,
    min_epsilon: float = 1.0,
    first_epsilon: float | None = None,
    max_simulations: int | None = None,
    seed: int = 1,
    replications: int = 1,
    workers: int | None = None,
    scheduler: str | None = None,
    only: list[str] | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> Posterior:
    """ABC-SMC of the calibratable parameters of ``scenario`` against the FY2017 calibration rows of ``targets``.

    Stops after ``generations`` generations in all (a resumed run counts those in ``out/abc.db``), when the
    threshold reaches ``min_epsilon``, or after ``max_simulations`` model runs. The last generation's
    ``population`` weighted sets are the posterior ensemble. ``first_epsilon`` sets the first generation's
    threshold (by default the median distance of a sample from the prior); later ones are the median of
    the last generation's distances. With ``generations=1`` that is rejection ABC: sets drawn from the prior,
    kept below ``first_epsilon``, all of weight one, which a longer fit can resume from. ``workers``
    processes on this machine (pyabc's multicore sampler; 1 runs in this process), or the Dask scheduler at
    ``scheduler``.
    """
    import pyabc

    goal = fy2017_goal(targets)
    space = prior_space(scenario, only)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "abc.db"
    model = FigureModel(scenario, list(goal.index), seed, replications)
    distance = ToleranceDistance(goal.tolerance.to_dict())
    np.random.seed(seed % 2**32)  # pyabc draws its proposals from NumPy's global generator
    sampler = _sampler(workers, scheduler)
    try:
        eps = pyabc.QuantileEpsilon(initial_epsilon=first_epsilon if first_epsilon else "from_sample", alpha=0.5)
        abc = pyabc.ABCSMC(model, pyabc_prior(space), distance, population_size=population, sampler=sampler, eps=eps)
        _run(abc, db, space, goal, scenario.name, generations, min_epsilon, max_simulations)
    finally:
        if scheduler:  # the Dask sampler's client: closed, the scheduler and its workers left running
            sampler.shutdown()
    return summarize(abc.history, space, goal, scenario.name, fit_key(scenario.text))


def _run(
    abc,
    db: Path,
    space: pd.DataFrame,
    goal: pd.DataFrame,
    scenario: str,
    generations: int,
    min_epsilon: float,
    max_simulations: int | None,
) -> None:
    """Start the fit in ``db``, or go on with the one there, up to ``generations`` in all."""
    done = 0
    if db.exists():
        abc.load(f"sqlite:///{db}", 1)
        history = abc.history
        stored = set(history.get_distribution(m=0, t=history.max_t)[0].columns)
        if stored != {sampled_name(r.parameter, r.prior) for r in space.itertuples()}:
            raise ImmsimError(f"{db} holds a fit of other parameters ({sorted(stored)}); use another --out")
        done = history.max_t + 1
    else:
        abc.new(f"sqlite:///{db}", goal.value.to_dict(), meta_info={"scenario": scenario})
    if done < generations:
        abc.run(
            minimum_epsilon=min_epsilon,
            max_nr_populations=generations - done,
            max_total_nr_simulations=max_simulations or np.inf,
        )


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles of ``x`` under weights ``w`` (midpoint rule: each value at the middle of its weight)."""
    order = np.argsort(x)
    cw = np.cumsum(w[order]) / w.sum()
    return np.interp(qs, cw - w[order] / w.sum() / 2, x[order])


def summarize(history, space: pd.DataFrame, goal: pd.DataFrame, scenario: str, fitted_on: str = "") -> Posterior:
    """The ensemble, widths, generations and fitted figures of the last generation of a pyabc history.

    ``fitted_on`` is the ``fit_key`` of the fitted scenario's text, kept with the ensemble.
    """
    t = history.max_t
    df, w = history.get_distribution(m=0, t=t)
    sw, stats = history.get_weighted_sum_stats(t=t)
    post = _posterior(
        df, w, sw, stats, _generations(history), int(history.total_nr_simulations), space, goal, scenario, fitted_on
    )
    return replace(post, method="rejection ABC") if t == 0 else post


def pool_rejection(
    folders: list[Path], space: pd.DataFrame, goal: pd.DataFrame, scenario: str, fitted_on: str = ""
) -> Posterior:
    """One posterior from several rejection fits (one generation each, the same threshold, other seeds).

    Each fit's sets are independent draws from the prior kept below the same threshold, so together they are
    one larger sample of the same ABC posterior, all of weight one: more sets without running the first again.
    """
    import pyabc

    frames, weights, stat_w, stats, gens, runs = [], [], [], [], [], 0
    expected = {sampled_name(r.parameter, r.prior) for r in space.itertuples()}
    for folder in folders:
        history = pyabc.History(f"sqlite:///{Path(folder) / 'abc.db'}")
        if history.max_t != 0:
            raise ImmsimError(f"{folder}: {history.max_t + 1} generations; only one-generation (rejection) fits pool")
        df, w = history.get_distribution(m=0, t=0)
        if set(df.columns) != expected:
            raise ImmsimError(f"{folder} holds a fit of other parameters ({sorted(df.columns)})")
        sw, st = history.get_weighted_sum_stats(t=0)
        frames.append(df)
        weights.append(np.asarray(w, float) / np.sum(w) * len(w))  # weight one each, as drawn
        stat_w.append(np.asarray(sw, float) / np.sum(sw) * len(sw))
        stats += list(st)
        gens.append(_generations(history).assign(t=len(gens)))
        runs += int(history.total_nr_simulations)
    generations = pd.concat(gens, ignore_index=True)
    if generations.epsilon.nunique() != 1:
        raise ImmsimError(f"the fits have different thresholds ({sorted(generations.epsilon)}); they do not pool")
    df = pd.concat(frames, ignore_index=True)
    post = _posterior(
        df, np.concatenate(weights), np.concatenate(stat_w), stats, generations, runs, space, goal, scenario, fitted_on
    )
    return replace(post, method=f"rejection ABC, {len(folders)} fits pooled", fits=len(folders))


def _generations(history) -> pd.DataFrame:
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    pops = pops[pops.t >= 0]
    gens = pd.DataFrame(
        {
            "t": pops.t.to_numpy(int),
            "epsilon": pops.epsilon.to_numpy(float),
            "samples": pops.samples.to_numpy(int),
            "particles": [history.get_nr_particles_per_population().get(i, 0) for i in pops.t],
        }
    )
    gens["acceptance"] = gens.particles / gens.samples
    gens["ess"] = [effective_sample_size(np.asarray(history.get_distribution(m=0, t=i)[1])) for i in gens.t]
    return gens


def _posterior(df, w, sw, stats, gens, simulations, space, goal, scenario, fitted_on) -> Posterior:
    """The Posterior of one population: sets ``df`` of weights ``w``, model figures ``stats`` of weights ``sw``."""
    w = np.asarray(w, float) / np.sum(w)
    table = pd.DataFrame({"weight": w})
    for r in space.itertuples():
        name = sampled_name(r.parameter, r.prior)
        values = df[name].to_numpy(float)
        table[r.parameter] = np.exp(values) if name != r.parameter else values
    ensemble = Ensemble(scenario, table, fitted_on)
    rows = []
    for r in space.itertuples():
        prior_w = r.prior.width(r.low, r.high, r.lower, r.upper)
        lo, mid, hi = weighted_quantiles(table[r.parameter].to_numpy(), w, [0.05, 0.5, 0.95])
        ratio = (hi - lo) / prior_w if prior_w > 0 else math.nan
        verdict = "pinned down" if ratio < PINNED else "narrowed" if ratio < NARROWED else "not pinned down"
        rows.append(
            {
                "parameter": r.parameter,
                "prior": describe(r.prior),
                "lower": r.lower,
                "upper": r.upper,
                "median": mid,
                "posterior_low": lo,
                "posterior_high": hi,
                "prior_width": prior_w,
                "width_ratio": ratio,
                "verdict": verdict,
            }
        )
    sw = np.asarray(sw, float)
    fig_rows = []
    for f, g in goal.iterrows():
        x = np.array([s[f] for s in stats], float)
        ok = np.isfinite(x)
        lo, mid, hi = weighted_quantiles(x[ok], sw[ok], [0.05, 0.5, 0.95]) if ok.any() else (math.nan,) * 3
        fig_rows.append(
            {"figure": f, "target": g.value, "tolerance": g.tolerance, "median": mid, "low": lo, "high": hi}
        )
    return Posterior(ensemble, pd.DataFrame(rows), gens, pd.DataFrame(fig_rows), ensemble.effective_size(), simulations)
