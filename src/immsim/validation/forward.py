"""The forward check: ``us-2017`` run past FY2017 against what happened in FY2018-FY2020.

The back-test (``public.backtest_court``) runs the court alone over the years
before FY2017. This check runs the whole model forward from its start, with
its dated inputs (judges, EOIR receipts, border book-ins, detention beds) and
its dated policies (completion goals, the end of administrative closure, the
2020 hearing suspension), and compares each fiscal year after FY2017 with the
published outcome: the court's pending cases and completions, ICE arrests,
removals and the detention population. Those outcomes
(``data/outcomes-fy2018-fy2020.csv``) are never inputs or calibration
targets, so agreement here is evidence about the model and its inputs, not
about the fit. What the model does not contain shows here too: nothing in it
knows of the pandemic's effect on arrests and removals in FY2020 beyond the
hearing suspension.

The tolerance is the back-test's (``BACKTEST_TOLERANCE``), stated before the
run; misses are reported, not tested as failures, since several have causes
the model does not represent.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from immsim.errors import ImmsimError
from immsim.results import Result
from immsim.scenario.loader import Scenario, load_scenario
from immsim.simulation import simulate
from immsim.validation.public import BACKTEST_TOLERANCE, FY2017_START

#: The fiscal years checked: those after FY2017 for which us-2017 has dated inputs.
YEARS = (2018, 2019, 2020)
#: Years of the run the check reads, from FY2017's start through the last year checked.
RUN_YEARS = YEARS[-1] - 2016


def outcomes() -> pd.DataFrame:
    """The published FY2018-FY2020 outcomes: figure, fiscal_year, value, source, kind, locator."""
    with resources.files("immsim.validation").joinpath("data", "outcomes-fy2018-fy2020.csv").open() as f:
        return pd.read_csv(f, comment="#")


def forward_check(
    scenario: Scenario | str = "us-2017", replications: int = 3, seed: int = 1, result: Result | None = None
) -> pd.DataFrame:
    """Each outcome of FY2018-FY2020 against the model's mean over ``replications`` runs from FY2017's start.

    Returns one row per figure and year: ``figure``, ``fiscal_year``, ``published``, ``model`` (mean),
    ``ci_low``, ``ci_high`` (Student's 95 % interval over replications), ``rel_error``, ``status`` (pass or
    miss against ``BACKTEST_TOLERANCE``) and ``source``.

    ``result``: a run of ``scenario`` from FY2017's start over ``RUN_YEARS`` to read instead of running it
    (``immsim validate`` reads FY2017's figures from the same run: ``public.fy2017_run``).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if result is None:
        result = simulate(sc, start=FY2017_START, years=RUN_YEARS, seed=seed, replications=replications)
    elif result.start != FY2017_START or not set(YEARS) <= set(result.complete_fiscal_years()):
        raise ImmsimError(f"the forward check needs a run from {FY2017_START} through FY{YEARS[-1]}")
    summaries = {fy: result.summary(fy).set_index("figure") for fy in YEARS}  # once a year, read by every row
    rows = []
    for r in outcomes().itertuples():  # every outcome names a headline figure (tests/test_forward.py)
        mean, lo, hi = (float(summaries[r.fiscal_year].loc[r.figure, k]) for k in ("mean", "ci_low", "ci_high"))
        error = mean / float(r.value) - 1
        rows.append(
            {
                "figure": r.figure,
                "fiscal_year": int(r.fiscal_year),
                "published": float(r.value),
                "model": mean,
                "ci_low": lo,
                "ci_high": hi,
                "rel_error": error,
                "status": "pass" if abs(error) <= BACKTEST_TOLERANCE else "miss",
                "source": f"{r.source} ({r.kind})",
            }
        )
    return pd.DataFrame(rows)


def markdown_lines(df: pd.DataFrame, replications: int) -> list[str]:
    """The validation page's section on the forward check."""
    out = [
        "",
        "## Forward check, FY2018-FY2020 (out of sample)",
        "",
        f"`us-2017` run forward from 2016-10-01 for four years, {replications} replications, with its dated "
        "inputs (judges, EOIR receipts, border book-ins, detention beds) and its dated court and enforcement "
        "policies, against the published outcome of each later year. None of these outcomes is an input or a "
        "calibration target (`src/immsim/validation/data/outcomes-fy2018-fy2020.csv`; `immsim.validation.forward`). "
        f"Tolerance {BACKTEST_TOLERANCE:.0%}, the back-test's; misses are reported, not hidden.",
        "",
        "| figure | fiscal year | published | model | 95% interval | error | status | source |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for r in df.itertuples():
        out.append(
            f"| {r.figure} | FY{r.fiscal_year} | {r.published:,.0f} | {r.model:,.0f} | "
            f"{r.ci_low:,.0f} to {r.ci_high:,.0f} | "
            f"{r.rel_error:+.1%} | {r.status} | {r.source} |"
        )
    out += [
        "",
        "What the model lacks shows in the misses it may have: `us-2017` holds border book-ins at FY2017's level "
        "after FY2017 (its notes say so: the published series after FY2017 subtracts ICE's own later arrests, an "
        "outcome), so a surge at the border reaches neither detention nor the court's non-detained docket; and "
        "nothing in it represents the pandemic's effect on ICE arrests and removals in FY2020 beyond the "
        "suspension of non-detained hearings.",
    ]
    return out
