"""The model's own pipeline (its daily kernel, through a scenario) against exact answers of queueing theory.

Why: the engine's checks (``theory_table``'s engine rows, ``peer.py`` against
Ciw) run ``validation/network/``, a simulator the model's kernel never calls,
so a wrong hold window, pickup rule or bed rule in ``model/`` would pass them.
Here the model itself is configured, by an ordinary scenario document, as a
network whose every station has a known answer:

- jail: bookings are Poisson (a very large community stock, booked at a tiny
  rate) and stays geometric, so the jail is a discrete-time M/G/infinity
  station: its population is bookings x mean stay, and its releases are again
  Poisson (the output theorem), which makes everything downstream exact;
- hold and pickups: people with lesser convictions are held (``hold``) and
  picked up by one officer, earliest deadline first, within the hold window:
  the hold chain of ``chains.py``;
- detention: everyone picked up accepts removal and needs a bed; beds are
  freed by geometric stays before the day's pickups: the joint chain of
  ``chains.py`` (the pickups are not Poisson when capacity binds);
- court: people with serious convictions are transferred at release under a
  287(g) agreement (no pickup) and all contest, on the non-detained docket: a
  Poisson stream, filings spread over the day, exponential hearings by c
  judges, so the court is exactly M/M/c (Erlang C), as the kernel keeps
  continuous time within the day.

The scenario is built in ``pipeline.py``. Neglected, with bounds: the
community stock loses the people removed, so bookings drift by at most
bookings x run length / stock (3e-4 after six years, 1.3e-4 on average,
against relative standard errors of 1e-3 and more); people released at large are booked again at the same tiny
rate (fewer than one a run); the first ``WARMUP_MONTHS`` are dropped because
detention, the hold and the court start empty (and the jails one day off
their steady state). Each statistic is compared with its exact
value by a one-sample t-test over independent replications (fixed seeds),
Bonferroni-corrected over the statistics: the tolerance is the sampling error,
not a figure chosen after seeing the output.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from scipy import stats

from immsim.simulation import simulate
from immsim.validation import theory
from immsim.validation.chains import beds_after_pickups, hold_chain
from immsim.validation.pipeline import DEFAULT, YEAR, Pipeline, pipeline_scenario

#: Months dropped at the start: detention starts empty and relaxes at 1 / mean stay a day, (5/6)^90 ~ 1e-7.
WARMUP_MONTHS = 3
#: Run length and replications of the check: the smallest relative standard error is then about 1e-3.
YEARS, REPLICATIONS, SEED = 6, 20, 1
#: Family-wise level: a correct model fails the whole comparison with probability at most 1 %.
ALPHA = 0.01

#: (station, statistic, how it is read from the model's output), in report order.
STATISTICS = (
    ("jail", "releases_per_day", "jail_releases / days"),
    ("jail", "people_in_jail", "jail_person_days / days"),
    ("hold", "missed_share", "detainers_not_picked_up / people held"),
    ("hold", "pickups_per_day", "arrests_jail_hold / days"),
    ("hold", "days_in_hold", "month-end stock_hold / people held a day (Little)"),
    ("detention", "overflow_share", "released_no_bed / people picked up"),
    ("detention", "beds_in_use", "detention_bed_days / days"),
    ("detention", "length_of_stay", "detention_stay_days / detention_exits"),
    ("court", "hearings_per_day", "court_completions / days"),
    ("court", "mean_wait", "days_waiting_for_hearing / court_completions"),
    ("court", "cases_pending", "court_pending_days / days"),
)


@functools.cache
def exact(p: Pipeline = DEFAULT) -> dict[str, float]:
    """The exact stationary value of every statistic (discrete-time chains, M/G/infinity, Erlang C)."""
    hold = hold_chain(p.hold_releases, p.pickups, p.window)
    beds = beds_after_pickups(hold, p.beds, p.removal_days)
    wait = theory.mmc_wait(p.transfers, 1.0 / p.hearing_days, p.judges)
    return {
        "releases_per_day": p.hold_releases + p.transfers,
        "people_in_jail": p.hold_releases * p.hold_stay + p.transfers * p.transfer_stay,
        "missed_share": hold.missed_share,
        "pickups_per_day": hold.pickups_per_day,
        "days_in_hold": hold.mean_days_in_hold,
        "overflow_share": beds.overflow_share,
        "beds_in_use": beds.beds_in_use,
        "length_of_stay": p.removal_days,
        "hearings_per_day": p.transfers,
        "mean_wait": wait,
        "cases_pending": p.transfers * (wait + p.hearing_days),
    }


def statistics(national: pd.DataFrame, warmup_months: int = WARMUP_MONTHS) -> pd.DataFrame:
    """One row per replication, one column per statistic, from ``Result.national`` after the warm-up."""
    months = np.sort(national.month.unique())
    n = national[national.month >= months[warmup_months]]
    g = n.groupby("replication")
    s = g.sum(numeric_only=True)
    days = s.days
    held = s.arrests_jail_hold + s.detainers_not_picked_up
    return pd.DataFrame(
        {
            "releases_per_day": s.jail_releases / days,
            "people_in_jail": s.jail_person_days / days,
            "missed_share": s.detainers_not_picked_up / held,
            "pickups_per_day": s.arrests_jail_hold / days,
            "days_in_hold": g.stock_hold.mean() / (held / days),
            "overflow_share": s.released_no_bed / (s.detention_book_ins + s.released_no_bed),
            "beds_in_use": s.detention_bed_days / days,
            "length_of_stay": s.detention_stay_days / s.detention_exits,
            "hearings_per_day": s.court_completions / days,
            "mean_wait": s.days_waiting_for_hearing / s.court_completions,
            "cases_pending": s.court_pending_days / days,
        }
    )


def run(
    p: Pipeline = DEFAULT,
    years: float = YEARS,
    replications: int = REPLICATIONS,
    seed: int = SEED,
    changes: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Replications of the model on the pipeline scenario (``changes``: a deliberately wrong model)."""
    r = simulate(pipeline_scenario(p, changes), years=years, seed=seed, replications=replications)
    return statistics(r.national)


def compare(reps: pd.DataFrame, expected: dict[str, float], alpha: float = ALPHA) -> pd.DataFrame:
    """Statistic by statistic: model mean and 95 % interval, exact value, t-test p-value, agreement.

    ``agree`` is decided at the family-wise level ``alpha`` (Bonferroni over
    the statistics); ``rel_se`` is the standard error of the model's mean
    relative to the exact value, the resolution of the comparison.
    """
    rows = []
    for station, name, measure in STATISTICS:
        x = reps[name].to_numpy(float)
        n, mean, se = len(x), x.mean(), x.std(ddof=1) / math.sqrt(len(x))
        diff = mean - expected[name]
        rows.append(
            {
                "station": station,
                "statistic": name,
                "model": mean,
                "model_ci": stats.t.ppf(0.975, n - 1) * se,
                "exact": expected[name],
                "rel_error": diff / expected[name],
                "rel_se": se / abs(expected[name]),
                "p": 2 * stats.t.sf(abs(diff) / se, n - 1) if se > 0 else float(diff == 0),
                "measure": measure,
            }
        )
    out = pd.DataFrame(rows)
    out["agree"] = out.p > alpha / len(out)
    return out


def model_peer_check(
    p: Pipeline = DEFAULT,
    years: float = YEARS,
    replications: int = REPLICATIONS,
    seed: int = SEED,
    changes: dict[str, object] | None = None,
) -> pd.DataFrame:
    """The model on the pipeline scenario against the exact answers for ``p`` (``changes`` alter the model only)."""
    table = compare(run(p, years, replications, seed, changes), exact(p))
    table.attrs.update(years=years, replications=replications, seed=seed)
    return table


def wrong_models(p: Pipeline = DEFAULT) -> list[tuple[str, dict[str, object], tuple[str, ...]]]:
    """Deliberately wrong models for the power check: (label, changes to the model only, statistics they move)."""
    return [
        ("judges 15 % faster", {"completions_per_judge_year": 1.15 * YEAR / p.hearing_days}, ("mean_wait",)),
        ("one more pickup a day", {"pickups_per_officer_day": p.pickups + 1.0}, ("missed_share", "days_in_hold")),
        ("hold window one day longer", {"hold_window_days": p.window + 1.0}, ("missed_share", "days_in_hold")),
        ("two beds fewer", {"detention_beds": p.beds - 2.0}, ("overflow_share", "beds_in_use")),
    ]


def power_check(
    p: Pipeline = DEFAULT, years: float = YEARS, replications: int = REPLICATIONS, seed: int = SEED
) -> pd.DataFrame:
    """The same comparison on each wrong model, which it must reject.

    One row per wrong model: the statistics that disagree with the exact answers
    for ``p``, and whether those the change must move are among them.
    """
    rows = []
    for label, changes, moved in wrong_models(p):
        table = model_peer_check(p, years, replications, seed, changes).set_index("statistic")
        rejected = list(table.index[~table.agree])
        rows.append(
            {
                "wrong_model": label,
                "changes": ", ".join(f"{k} = {v:g}" for k, v in changes.items()),
                "disagree": ", ".join(rejected),
                "smallest_p": float(table.p.min()),
                "detected": set(moved) <= set(rejected),
            }
        )
    return pd.DataFrame(rows)


def markdown_lines(pipeline_df: pd.DataFrame | None, power_df: pd.DataFrame | None = None) -> list[str]:
    """Section 2 of ``docs/validation.md``: what is configured, the comparison, and the power check."""
    out = ["", "## 2. The model's own pipeline against theory", ""]
    if pipeline_df is None:
        return [*out, "Not run."]
    p, answer = DEFAULT, exact(DEFAULT)
    offered = answer["pickups_per_day"] * p.removal_days
    runs = pipeline_df.attrs
    out += [
        "The model itself (`simulate` on a scenario document: the daily kernel with its jails, custody, removals "
        "and courts modules; `validation/pipeline.py`) configured as a network whose every station has an exact "
        f"answer. Poisson bookings and geometric jail stays; people with lesser convictions held at release "
        f"({p.hold_releases:g} a day) and picked up by one officer, {p.pickups} a day, earliest deadline first "
        f"within a {p.window}-day hold window, then given one of {p.beds} beds (mean stay {p.removal_days:g} days) "
        f"or released pending removal; people with serious convictions ({p.transfers:g} a day) transferred at "
        f"release under 287(g) and heard by {p.judges} judges (mean hearing {p.hearing_days:g} day). Exact values: "
        "the jail as a discrete-time M/G/infinity station, the hold and the beds as the Markov chains of the daily "
        "rules (`validation/chains.py`; the pickups are not Poisson when capacity binds, so the beds' chain is the "
        "joint one), the court by Erlang C (the kernel's court runs in continuous time within the day). The daily "
        f"rules are not the continuous ones: Erlang B with the same offered load ({offered:.1f} on {p.beds} beds) "
        f"would give an overflow share of {theory.erlang_b(p.beds, offered):.3f}, where the daily rule gives "
        f"{answer['overflow_share']:.3f}. {runs.get('replications', REPLICATIONS)} replications of "
        f"{runs.get('years', YEARS)} years from seed {runs.get('seed', SEED)}, the first {WARMUP_MONTHS} months "
        f"dropped; one-sample t-test per statistic, Bonferroni-corrected at a family-wise {ALPHA:.0%} "
        "(tests/test_model_peer.py).",
        "",
        "| station | statistic | model | exact | error | p | agree | read from the output as |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in pipeline_df.itertuples():
        out.append(
            f"| {r.station} | {r.statistic} | {r.model:.4g} ± {r.model_ci:.2g} | {r.exact:.4g} | "
            f"{r.rel_error:+.2%} | {r.p:.3f} | {'yes' if r.agree else 'no'} | {r.measure} |"
        )
    if power_df is not None:
        out += [
            "",
            "Power check: the same comparison, with a deliberate error made in the model's scenario only (the "
            "exact values stay those of the correct configuration); each must be rejected.",
            "",
            "| wrong model | change | statistics that disagree | smallest p | rejected |",
            "|---|---|---|---:|---|",
        ]
        for r in power_df.itertuples():
            out.append(
                f"| {r.wrong_model} | `{r.changes}` | {r.disagree or 'none'} | {r.smallest_p:.1e} | "
                f"{'yes' if r.detected else 'NO'} |"
            )
    return out
