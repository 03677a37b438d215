"""The files an ABC calibration leaves in its folder: the ensemble, a report and its plots.

``posterior.csv`` is the ensemble (``immsim.uncertainty.read_ensemble`` reads
it; ``--uncertainty`` takes it); ``report.md`` says how the fit went (the
thresholds and effective sample sizes by generation, the figures the
posterior reproduces) and which parameters the targets pin down: the central
90 % interval of each posterior factor against its prior's. ``marginals.png``
draws each posterior over its prior, ``pairs.png`` every pair of parameters,
where a ridge shows two assumptions the targets can trade against each other.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from immsim._files import atomic_write
from immsim.uncertainty import write_ensemble
from immsim.validation.abc import NARROWED, PINNED, Posterior
from immsim.validation.calibrate import error_text, figure_text

FILES = ("posterior.csv", "report.md", "marginals.png", "pairs.png")
#: Below this effective sample size, the report calls the fit a trial.
FEW = 50


def write_posterior(post: Posterior, space: pd.DataFrame, out: Path, command: str = "") -> list[Path]:
    """Write the ensemble, the report and the plots into ``out``; returns the paths."""
    note = f"made by: {command}" if command else ""
    note += f"\neffective sample size {post.ess:.0f} of {len(post.ensemble.table)} sets"
    atomic_write(out / "posterior.csv", lambda p: write_ensemble(post.ensemble, p, note))
    atomic_write(out / "report.md", lambda p: p.write_text(report_markdown(post, command)))
    atomic_write(out / "marginals.png", lambda p: _marginals(post, space, p))
    atomic_write(out / "pairs.png", lambda p: _pairs(post, p))
    return [out / f for f in FILES]


def _over(post: Posterior) -> str:
    """Where the runs were made: generations of one fit, or pooled one-generation (rejection) fits."""
    if post.fits > 1:
        return f"in {post.fits} fits of one generation each (sets drawn from the prior), pooled"
    n = len(post.generations)
    return f"over {n} generation" + ("s" if n != 1 else "")


def report_markdown(post: Posterior, command: str = "") -> str:
    """The report of an ABC fit as Markdown."""
    g = post.generations
    last = g.iloc[-1]
    lines = [
        f"# Bayesian calibration of `{post.ensemble.scenario}` ({post.method})",
        "",
        (f"Made by `{command}`. " if command else "")
        + f"{post.simulations:,} model runs {_over(post)}; the last threshold is "
        f"{last.epsilon:.3f} (root mean square of each target's relative error over its tolerance: 1 means "
        f"the typical target is met within its tolerance). The ensemble holds {len(post.ensemble.table)} "
        f"weighted parameter sets, worth **{post.ess:.0f} independent sets** (Kish's effective sample size).",
        "",
        *(
            [
                f"**A trial fit**: an effective sample size under {FEW} sets makes the widths and verdicts below "
                "noise; give the fit more sets (`--population`) and generations before reading them.",
                "",
            ]
            if post.ess < FEW
            else []
        ),
        "![posterior marginals over the priors](marginals.png)",
        "",
        "## What the targets pin down",
        "",
        f"Each parameter's factor (on every entry of its table): the central 90 % interval of the posterior "
        f"against the prior's. A ratio under {PINNED} means the targets pin the parameter down, under "
        f"{NARROWED} that they narrow it; above, the targets say little about it and its uncertainty stays "
        "the prior's, to be carried into every answer (`--uncertainty`).",
        "",
        "| parameter | prior | factor bounds | posterior median | posterior 90 % | width / prior width | |",
        "|---|---|---|---:|---|---:|---|",
    ]
    for r in post.parameters.itertuples():
        lines.append(
            f"| {r.parameter} | {r.prior} | {r.lower:.3g} to {r.upper:.3g} | {r.median:.3g} | "
            f"{r.posterior_low:.3g} to {r.posterior_high:.3g} | {r.width_ratio:.2f} | {r.verdict} |"
        )
    lines += [
        "",
        "![pairs of parameters](pairs.png)",
        "",
        "## The figures the posterior gives",
        "",
        "The model's figure over the last generation's sets (weighted median and 90 % interval).",
        "",
        "| figure | target | tolerance | median | error | 90 % interval |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in post.targets.itertuples():
        lines.append(
            f"| {r.figure} | {figure_text(r.target)} | {r.tolerance:.0%} | {figure_text(r.median)} | "
            f"{error_text(r.median / r.target - 1)} | {figure_text(r.low)} to {figure_text(r.high)} |"
        )
    lines += [
        "",
        "## Generations",
        "",
        "| generation | threshold | runs | accepted | acceptance | effective sample size |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in g.itertuples():
        lines.append(f"| {r.t} | {r.epsilon:.3f} | {r.samples:,} | {r.particles} | {r.acceptance:.0%} | {r.ess:.0f} |")
    return "\n".join(lines) + "\n"


def _figure(rows: int, cols: int, size: float):
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows), squeeze=False)
    return plt, fig, axes


def _marginals(post: Posterior, space: pd.DataFrame, path: Path) -> None:
    from matplotlib.ticker import NullFormatter

    table = post.ensemble.table
    w = post.ensemble.weights
    k = len(space)
    cols = min(k, 4)
    plt, fig, axes = _figure((k + cols - 1) // cols, cols, 3.0)
    for ax, r in zip(axes.flat, space.itertuples(), strict=False):
        prior = r.prior.frozen(r.low, r.high, r.lower, r.upper)
        if r.prior.distribution == "loguniform":  # drawn over the log factor, where its prior is flat
            edges = np.geomspace(r.lower, r.upper, 21)
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # decade labels only: the others overlap
            grid = np.geomspace(r.lower, r.upper, 200)
            density = prior.pdf(grid) * grid * np.log(10)  # per decade
            values = np.log10(table[r.parameter].to_numpy())
            counts, _ = np.histogram(values, bins=np.log10(edges), weights=w, density=True)
            ax.stairs(counts, edges, fill=True, alpha=0.6)
        else:
            grid = np.linspace(r.lower, r.upper, 200)
            density = prior.pdf(grid)
            ax.hist(table[r.parameter], bins=20, range=(r.lower, r.upper), weights=w, density=True, alpha=0.6)
        ax.plot(grid, density, color="black", lw=1)
        ax.set_title(r.parameter, fontsize=8)
        ax.set_xlabel(
            "factor (log scale, density per decade)" if r.prior.distribution == "loguniform" else "factor", fontsize=7
        )
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    fig.suptitle("posterior (bars) over prior (line)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)


def _pairs(post: Posterior, path: Path) -> None:
    table = post.ensemble.table
    names = post.ensemble.parameters
    w = post.ensemble.weights
    k = len(names)
    plt, fig, axes = _figure(k, k, 1.6)
    sizes = 4 + 40 * w / w.max()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
            elif i == j:
                ax.hist(table[a], bins=15, weights=w, alpha=0.6)
            else:
                ax.scatter(table[b], table[a], s=sizes, alpha=0.4, lw=0)
            ax.tick_params(labelsize=5)
            if i == k - 1:
                ax.set_xlabel(b, fontsize=6)
            if j == 0:
                ax.set_ylabel(a, fontsize=6)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
