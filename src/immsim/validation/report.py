"""Run the levels of validation and write them as tables or Markdown.

1. Queueing theory: the model's court configured as M/M/1 and M/M/c queues
   and as a priority M/M/1, and the network engine on M/M/5, Erlang B and
   Little's law, against closed forms (the engine rows are the engine's own
   checks: the model's kernel does not call ``validation/network/``).
2. The model's own pipeline: the daily kernel, configured by a scenario as a
   jail, hold and pickups, detention beds and court with exact answers
   (``model_peer``), statistic by statistic, with a power check.
3. A peer simulator: the jail-detention-court network in immsim's engine and
   in Ciw, replicated, compared statistic by statistic (the engine's check).
4. Public figures: FY2017 targets and the court back-test on EOIR history.

``docs/validation.md`` is written by ``immsim validate --markdown``: it is
generated, not typed, so it can be refreshed after any change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from immsim._format import MISSING_MARKDOWN, number
from immsim.model.parameters import neutral_values
from immsim.scenario.loader import Scenario, load_scenario
from immsim.simulation import simulate
from immsim.validation import theory
from immsim.validation.network import Network, simulate_network
from immsim.validation.public import BACKTEST_OUT_OF_SAMPLE, BACKTEST_TOLERANCE

MU = 1000.0  # hearings per judge per day in the court-as-queue runs (a time scale)


def _court_queue(base: Scenario, lam: float, judges: int, detained_share: float = 0.0) -> Scenario:
    """``base`` with only Poisson court filings: the court becomes a textbook queue.

    Nothing else reaches the court (no bookings, leads, entrants, border book-ins or operations), nothing is
    closed administratively, every case is heard once (the hearing stages, case types and continuances at their
    neutral values), detention never fills, no detained case is released on bond (the release and supervision
    features at their neutral values), and the run starts with no stock anywhere.
    """
    why = "validation: the court as a textbook queue"
    values: dict = {
        "new_entrants_per_year": 0.0,
        "border_book_ins_per_year": 0.0,
        "worksite_operations_per_year": 0.0,
        "at_large_officers": 0.0,
        "admin_closure_probability": 0.0,
        "external_court_receipts_per_year": lam * MU * 365,
        "external_detained_share": detained_share,
        "immigration_judges": float(judges),
        "completions_per_judge_year": MU * 365,
        "detained_case_preparation_days": 1.0,
        "detention_beds": 1e9,
        "bond_hearing_probability": 0.0,  # a bond would move a detained case to the other queue mid-wait
        **neutral_values("hearings"),  # one hearing per case: no asylum cases, master-calendar stage or continuance
    }
    P = base.data.parameters
    values |= {name: {k: 0.0 for k in P[name].value} for name in ("lead_rate", "booking_rate")}
    changes: list[dict] = [{"parameter": n, "value": v, "source": why} for n, v in values.items()]
    ini = base.data.initial
    changes += [
        {"initial": key, "value": 0, "source": why}
        for key in ("court_pending", "detention_population", "court_admin_closed", "atd_participants")
        if getattr(ini, key) is not None
    ]
    changes.append({"initial": "known_at_start", "value": {k: 0.0 for k in ini.known_at_start.value}})
    if base.data.events:
        changes.append({"remove_event": {}})
    return base.with_changes(changes, name="court-as-a-textbook-queue", title="court as a textbook queue")


def _waits(r) -> tuple[float, float, float]:
    n = r.national
    det = n.days_waiting_for_hearing_detained.sum() / max(1, n.court_completions_detained.sum())
    nd_n = n.court_completions.sum() - n.court_completions_detained.sum()
    nd = (n.days_waiting_for_hearing.sum() - n.days_waiting_for_hearing_detained.sum()) / max(1, nd_n)
    return n.days_waiting_for_hearing.sum() / n.court_completions.sum() * MU, det * MU, nd * MU


def theory_table(scenario: Scenario | str = "us-2017", seed: int = 1) -> pd.DataFrame:
    """Simulated against closed-form values, with relative errors."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    rows = []

    def add(check: str, sim: float, exact: float, tol: float = 0.02) -> None:
        rows.append(
            {
                "check": check,
                "simulated": sim,
                "theory": exact,
                "rel_error": sim / exact - 1,
                "tolerance": tol,
                "status": "pass" if abs(sim / exact - 1) <= tol else "fail",
            }
        )

    r = simulate(_court_queue(base, 0.5, 1), years=5, seed=seed)
    add("model court as M/M/1 (rho 0.5): mean wait", _waits(r)[0], theory.mmc_wait(0.5, 1, 1))
    r = simulate(_court_queue(base, 3.0, 5), years=4, seed=seed)
    add("model court as M/M/5 (rho 0.6): mean wait (Erlang C)", _waits(r)[0], theory.mmc_wait(3.0, 1, 5))
    r = simulate(_court_queue(base, 0.5, 1, detained_share=0.4), years=7, seed=seed)
    w_det, w_nd = theory.priority_waits([0.2, 0.3], 1, 1)
    _, det, nd = _waits(r)
    add("model court, detained docket first: detained wait", det, w_det)
    add("model court, detained docket first: non-detained wait", nd, w_nd)
    reps = [
        simulate_network(
            Network(servers=[5], service_mean=[[1.0]], arrival_rate=[[4.5]]), 500_000, seed=seed + i, warmup=20_000
        ).table.iloc[0]
        for i in range(20)
    ]
    add(
        "engine M/M/5 (rho 0.9): mean wait (Erlang C)", np.mean([x.mean_wait for x in reps]), theory.mmc_wait(4.5, 1, 5)
    )
    add(
        "engine M/M/5: Little's law L = lambda W",
        np.mean([x.mean_in_station for x in reps]),
        np.mean([x.throughput * x.mean_sojourn for x in reps]),
    )
    loss = simulate_network(
        Network(servers=[10], service_mean=[[1.0]], arrival_rate=[[8.0]], capacity=[10]),
        1_000_000,
        seed=seed,
        warmup=10_000,
    ).table.iloc[0]
    add("engine M/M/10/10: blocking (Erlang B)", loss.overflowed / loss.arrivals, theory.erlang_b(10, 8.0), 0.03)
    return pd.DataFrame(rows)


def peer_table(reps: int = 10) -> pd.DataFrame | None:
    """immsim's engine against Ciw on the jail-detention-court network, or None without Ciw."""
    try:
        from immsim.validation.peer import peer_check
    except ImportError:
        return None
    try:
        return peer_check(reps=reps)
    except ImportError:
        return None


class InBackground:
    """``fn(*args)`` running in a process of its own, beside this one's work, where there is a second core.

    For the peer check (``peer_table``): Ciw is pure Python, and its ten runs are about 40 s of a validation's
    two minutes on one core, needing nothing from the other levels. On one core ``fn`` runs when its result is
    asked for, as before. The process is started fresh (spawn), not forked from this one: a fork would copy the
    console's live status thread mid-way. ``fn`` must be importable by name (a module-level function).
    """

    def __init__(self, fn: Callable, *args: object) -> None:
        import multiprocessing
        import os

        self._fn, self._args, self._pool, self._job = fn, args, None, None
        if (os.cpu_count() or 1) > 1:
            self._pool = multiprocessing.get_context("spawn").Pool(1)
            self._job = self._pool.apply_async(fn, args)

    def result(self) -> Any:
        """What ``fn`` returned (waiting for it if it is still running); its exception is raised here."""
        if self._job is None:
            return self._fn(*self._args)
        try:
            return self._job.get()
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop the process, finished or not (an interrupted validation does not wait for Ciw)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


#: The groups of compared figures, in report order: (role, heading, what agreement shows).
ROLE_SECTIONS = (
    (
        "calibration",
        "Calibration targets (fitted)",
        "In the calibration objective (`immsim calibrate`): agreement shows how well the fit went, not that "
        "the model is right.",
    ),
    (
        "construction",
        "Holds by construction (inputs)",
        "An input was derived from the figure itself (for example the hearing rate per judge from FY2017 "
        "completions and judges): agreement is not evidence.",
    ),
    (
        "check",
        "Independent checks (not fitted)",
        "Neither fitted nor used to derive an input: agreement or disagreement is evidence about the model.",
    ),
)


def targets_by_role(targets_df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Compared figures (status pass or fail) grouped by role.

    A figure without a known role (a user's targets file) goes to "unclassified", never to the checks: a
    figure is independent evidence only when someone has said so.
    """
    shown = targets_df[targets_df.status != "not produced"]
    role = shown.get("role", pd.Series("", index=shown.index)).fillna("").astype(str)
    role = role.where(role.isin([r for r, _, _ in ROLE_SECTIONS]), "unclassified")
    return {r: shown[role == r] for r in dict.fromkeys(role)}


def sections(groups: dict[str, pd.DataFrame]) -> list[tuple[str, str, str]]:
    """The three role sections, always, plus "unclassified" when some figure has no known role."""
    extra = [("unclassified", "Unclassified", "These figures have no role in the targets file.")]
    return list(ROLE_SECTIONS) + (extra if "unclassified" in groups else [])


def _fmt(x) -> str:
    """A figure on the page (``immsim._format.number``), as the targets file gives it: shares stay fractions.

    Four significant digits: the page compares model and target to within a few percent.
    """
    return number(x, missing=MISSING_MARKDOWN, percent=False, digits=4)


def markdown(
    scenario: str,
    theory_df: pd.DataFrame,
    peer_df: pd.DataFrame | None,
    targets_df: pd.DataFrame,
    backtest_df: pd.DataFrame,
    replications: int,
    seed: int,
    windows_df: pd.DataFrame | None = None,
    pipeline_df: pd.DataFrame | None = None,
    power_df: pd.DataFrame | None = None,
    forward_df: pd.DataFrame | None = None,
) -> str:
    out = [
        f"# Validation of immsim (scenario `{scenario}`)",
        "",
        f"Generated by `immsim validate {scenario} --replications {replications} --seed {seed} --markdown "
        f"docs/validation.md` on {dt.date.today().isoformat()}. Do not edit by hand.",
        "",
        "## 1. Queueing theory: the model's court, and the engine's own checks",
        "",
        "The model's court, configured as a textbook queue (Poisson filings only; judges as exponential "
        "servers; time scaled to 1,000 hearings a judge-day), and the network engine, against closed forms. "
        "Run lengths make three standard errors fall within the tolerance (see tests/test_queueing.py and "
        'tests/test_peer.py). The rows named "engine" are the engine\'s own checks: they run '
        "`validation/network/`, which the model's daily kernel does not call (section 2 checks the model's own "
        "pipeline).",
        "",
        "| check | simulated | theory | error | tolerance | status |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in theory_df.itertuples():
        out.append(
            f"| {r.check} | {r.simulated:.4f} | {r.theory:.4f} | {r.rel_error:+.2%} | {r.tolerance:.0%} | {r.status} |"
        )
    from immsim.validation.model_peer import markdown_lines

    out += markdown_lines(pipeline_df, power_df)
    out += ["", "## 3. Peer simulator (Ciw): the engine's own check", ""]
    if peer_df is None:
        out.append("Ciw is not installed here (`pip install -e '.[test]'`); this level was skipped.")
    else:
        out += [
            "The jail-detention-court network (hold window as patience, beds as a capacity whose overflow "
            "goes to the non-detained docket, detained docket first) in immsim's engine and in Ciw, 10 "
            "independent replications each; Welch t-test per statistic, Bonferroni-corrected. This runs the "
            "engine's `simulate_network`, not the model's kernel: section 2 is the model's own check.",
            "",
            "| station | class | statistic | immsim | Ciw | p | agree |",
            "|---|---|---|---:|---:|---:|---|",
        ]
        for r in peer_df.itertuples():
            out.append(
                f"| {r.station} | {r.cls} | {r.statistic} | {_fmt(r.immsim)} ± {_fmt(r.immsim_ci)} | "
                f"{_fmt(r.ciw)} ± {_fmt(r.ciw_ci)} | {r.p:.3f} | {'yes' if r.agree else 'no'} |"
            )
    out += [
        "",
        "## 4. Public figures, FY2017",
        "",
        f"`{scenario}` from 2016-10-01 for one year, {replications} replications (mean and 95% interval). "
        "Tolerances reflect each source's confidence (see src/immsim/validation/data/targets-fy2017.csv). "
        "Each figure's `role` there says what its agreement can show: the three groups below are kept apart "
        "because only the independent checks test the model; the others show the fit and the inputs.",
    ]
    groups = targets_by_role(targets_df)
    for role, heading, meaning in sections(groups):
        rows = groups.get(role)
        out += ["", f"### {heading}", "", meaning, ""]
        if rows is None or rows.empty:
            out.append("None.")
            continue
        out += [
            "| figure | target | simulated | 95% interval | error | tolerance | status | source | note |",
            "|---|---:|---:|---|---:|---:|---|---|---|",
        ]
        for r in rows.itertuples():
            out.append(
                f"| {r.metric} | {_fmt(float(r.target))} | {_fmt(r.mean)} | {_fmt(r.ci_low)} to "
                f"{_fmt(r.ci_high)} | {r.rel_error:+.1%} | {float(r.tolerance):.0%} | {r.status} | "
                f"{r.source} ({r.confidence}) | {r.note} |"
            )
    out += ["", "Figures the model does not reproduce, and why:", ""]
    for r in targets_df[targets_df.status == "not produced"].itertuples():
        out.append(f"- `{r.metric}` ({r.period}): {r.note}")
    out += [
        "",
        "## Court back-test, FY2009-FY2017",
        "",
        "The court sub-model alone (interior pipeline off), with EOIR's initial receipts and judges (year-end "
        "counts averaged over each fiscal year) as inputs, from EOIR's pending count at the end of FY2008. "
        "Administrative closures and recalendared cases are modelled as flows. The judges' hearing time is the "
        "default scenario's constant; each year's case mix (the asylum share and the detained share of new cases), "
        "the share of non-detained respondents with counsel, the probability that a hearing is continued and the "
        "share of hearings ending in administrative closure are dated inputs from published figures "
        "(`court_practice()`, "
        "src/immsim/validation/data/court-practice-fy2009-fy2016.csv), so completions per judge come out of the "
        "model. No factor is fitted to any year.",
        "",
        f"Tolerance, stated before the run (`BACKTEST_TOLERANCE` in validation/public.py): "
        f"{BACKTEST_TOLERANCE:.0%} on pending and on completions, for the out-of-sample years "
        f"FY{BACKTEST_OUT_OF_SAMPLE[0]}-FY{BACKTEST_OUT_OF_SAMPLE[-1]}; FY2017 is in sample (the hearing time "
        "comes from it). Known misses are tested as expected failures (tests/test_backtest.py), so a fix is noticed.",
        "",
        "| fiscal year | pending (EOIR) | pending (model) | error | status | completions (EOIR) | "
        "completions (model) | error | status | completions per judge (EOIR) | (model) |",
        "|---|---:|---:|---:|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in backtest_df.itertuples():
        model_per_judge = r.eoir_completions_per_judge * r.completions_model / r.completions_eoir
        out.append(
            f"| {r.fiscal_year} | {r.pending_eoir:,.0f} | {r.pending_model:,.0f} | {r.pending_error:+.1%} | "
            f"{getattr(r, 'pending_status', '')} | {r.completions_eoir:,.0f} | {r.completions_model:,.0f} | "
            f"{r.completions_error:+.1%} | {getattr(r, 'completions_status', '')} | "
            f"{r.eoir_completions_per_judge:,.0f} | {model_per_judge:,.0f} |"
        )
    per_judge = backtest_df.set_index("fiscal_year").eoir_completions_per_judge
    out += [
        "",
        f"EOIR's completions per judge went from {per_judge.iloc[0]:,.0f} in FY{per_judge.index[0]} to "
        f"{per_judge.iloc[-1]:,.0f} in FY{per_judge.index[-1]}. In the model a case needs more judge time when "
        "more cases carry an asylum application (a longer merits hearing), when more respondents apply for relief "
        "of any kind (a case without an application is decided at one short hearing; detained respondents, "
        "rarely represented, seldom apply) and when more hearings are continued, and an administrative closure "
        "uses a hearing without a completion. With the published shares of each year, the detained share of new "
        "cases (52 % in 2009, 29 % in 2014, from EOIR's case database) and the rise of counsel (39 % of completed "
        "proceedings in FY2009, 59 % in FY2013, 65 % by the end of 2015), this gives the higher output of "
        "FY2009-FY2011 and the fall after it. Misses, if any, are listed with their reasons in "
        "validation/public.py (`BACKTEST_KNOWN_MISSES`). The stock of "
        "administratively closed cases at the start, for which no count was found, is the level at which closures "
        "and recalendared cases balance (`_closed_at_start` in validation/public.py).",
    ]
    if windows_df is not None and not windows_df.empty:
        out += [
            "",
            "## Windows inside FY2017 (checks)",
            "",
            "Published figures for a window of days, against the model's monthly figures prorated to the window's "
            f"days ({windows_df.source.iloc[0]}). Checks, not calibration targets.",
            "",
            "| figure | published | model | error | tolerance | status |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for r in windows_df.itertuples():
            error = f"{r.rel_error:+.1%} | {r.tolerance:.0%}"
            out.append(f"| {r.metric} | {r.target:,.0f} | {r.mean:,.0f} | {error} | {r.status} |")
    if forward_df is not None and not forward_df.empty:
        from immsim.validation.forward import markdown_lines as forward_lines

        out += forward_lines(forward_df, replications)
    return "\n".join(out) + "\n"
