"""Results as tidy DataFrames: monthly series, fiscal-year figures, summaries.

Rows are observations (replication x month x jurisdiction, or replication x
fiscal year) and columns are variables, so results filter, group and plot
directly with pandas. U.S. federal fiscal years run October to September and
are named by the year they end in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from immsim.model import codes as c
from immsim.model.people import Tally
from immsim.scenario.compile import Compiled
from immsim.scenario.loader import Scenario

#: Headline figures per fiscal year: name -> (description, unit).
HEADLINES: dict[str, tuple[str, str]] = {
    "ice_admin_arrests": ("ICE administrative arrests, all channels", "people"),
    "custodial_share_of_arrests": ("share of arrests made in jails and prisons", "share"),
    "ice_at_large_arrests": ("at-large arrests (targeted and collateral)", "people"),
    "detainers_issued": ("detainers issued", "detainers"),
    "detainers_honored": ("detainers honored (transfer at the jail)", "detainers"),
    "detainers_declined": ("detainers declined by jail policy", "detainers"),
    "detainers_not_picked_up": ("detainers honored but not picked up in the hold window", "detainers"),
    "released_to_at_large": ("people with detainers released to the community", "people"),
    "at_large_attempts": ("at-large arrest attempts", "attempts"),
    "use_of_force": ("use-of-force incidents", "incidents"),
    "assaults_on_officers": ("assaults on officers", "incidents"),
    "worksite_admin_arrests": ("work-site administrative arrests", "people"),
    "removals_from_ice_arrests": ("removals of people arrested by ICE in the interior", "people"),
    "removals_total": ("removals, all origins", "people"),
    "detention_book_ins": ("ICE detention book-ins", "people"),
    "detention_average_daily_population": ("ICE detention average daily population", "people"),
    "detention_average_length_of_stay": ("ICE detention average length of stay", "days"),
    "court_receipts": ("immigration court receipts", "cases"),
    "court_completions": ("immigration court completions", "cases"),
    "in_absentia_share": ("share of completions ordered in absentia", "share"),
    "mean_days_to_completion": ("mean days from filing to completion, cases completed", "days"),
    "court_pending_end": ("court cases pending at year end", "cases"),
    "median_days_pending_end": ("median days pending at year end", "days"),
}


def fiscal_year_of(month: pd.Series) -> pd.Series:
    return month.dt.year + (month.dt.month >= 10).astype(int)


def replication_frames(scenario: Scenario, comp: Compiled, tally: Tally, rep: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-jurisdiction monthly frame, national monthly frame) of one replication."""
    months = pd.to_datetime(comp.month_starts)
    jurs = scenario.data.jurisdictions
    M, J = len(months), len(jurs)
    flows = tally.flows.reshape(M * J, c.N_FLOWS)
    stocks = tally.stocks.reshape(M * J, c.N_STOCKS)
    jur = pd.DataFrame(
        {
            "replication": rep,
            "month": np.repeat(months, J),
            "jurisdiction": np.tile([j.code for j in jurs], M),
            "state": np.tile([j.state for j in jurs], M),
            "office": np.tile([j.office for j in jurs], M),
            "policy": [c.POLICIES[x] for x in comp.inputs.policy[_last_days(comp)].ravel()],
        }
    )
    jur = pd.concat(
        [
            jur,
            pd.DataFrame(flows, columns=list(c.FLOWS)),
            pd.DataFrame(stocks, columns=[f"stock_{s}" for s in c.STOCKS]),
        ],
        axis=1,
    )
    nat = pd.DataFrame(flows.reshape(M, J, c.N_FLOWS).sum(axis=1), columns=list(c.FLOWS))
    nat = pd.concat(
        [
            pd.DataFrame({"replication": rep, "month": months}),
            nat,
            pd.DataFrame(stocks.reshape(M, J, c.N_STOCKS).sum(axis=1), columns=[f"stock_{s}" for s in c.STOCKS]),
            pd.DataFrame(tally.national, columns=list(c.NATIONAL)),
        ],
        axis=1,
    )
    nat["days"] = np.bincount(comp.inputs.month_of_day, minlength=M)
    return jur, nat


def _last_days(comp: Compiled) -> np.ndarray:
    return np.flatnonzero(comp.inputs.month_end)


def _add_derived(df: pd.DataFrame) -> pd.DataFrame:
    arrests = [f"arrests_{ch}" for ch in c.CHANNELS]
    df["ice_admin_arrests"] = df[arrests].sum(axis=1)
    df["custodial_arrests"] = df[[f"arrests_{c.CHANNELS[i]}" for i in c.CUSTODIAL_CHANNELS]].sum(axis=1)
    df["ice_at_large_arrests"] = df["arrests_at_large"] + df["arrests_collateral"]
    df["removals_total"] = df[[f"removals_{p}" for p in c.PATHS]].sum(axis=1)
    return df


def fiscal_year_table(national: pd.DataFrame) -> pd.DataFrame:
    """Headline figures by replication and fiscal year (complete and partial years)."""
    nat = _add_derived(national.copy())
    nat["fiscal_year"] = fiscal_year_of(nat["month"])
    g = nat.groupby(["replication", "fiscal_year"], sort=True)
    sums = g[
        [
            *c.FLOWS,
            "ice_admin_arrests",
            "custodial_arrests",
            "ice_at_large_arrests",
            "removals_total",
            "detention_bed_days",
            "days",
        ]
    ].sum()
    last = g[["court_pending", "median_days_pending"]].last()
    out = pd.DataFrame(index=sums.index)
    for name in (
        "ice_admin_arrests",
        "ice_at_large_arrests",
        "detainers_issued",
        "detainers_honored",
        "detainers_declined",
        "detainers_not_picked_up",
        "released_to_at_large",
        "at_large_attempts",
        "use_of_force",
        "assaults_on_officers",
        "removals_from_ice_arrests",
        "removals_total",
        "detention_book_ins",
        "court_receipts",
        "court_completions",
    ):
        out[name] = sums[name]
    out["custodial_share_of_arrests"] = sums["custodial_arrests"] / sums["ice_admin_arrests"].where(
        sums["ice_admin_arrests"] > 0
    )
    out["worksite_admin_arrests"] = sums["arrests_worksite"]
    out["detention_average_daily_population"] = sums["detention_bed_days"] / sums["days"]
    out["detention_average_length_of_stay"] = sums["detention_stay_days"] / sums["detention_exits"].where(
        sums["detention_exits"] > 0
    )
    out["mean_days_to_completion"] = sums["days_pending_at_completion"] / sums["court_completions"].where(
        sums["court_completions"] > 0
    )
    out["in_absentia_share"] = sums["in_absentia_orders"] / sums["court_completions"].where(
        sums["court_completions"] > 0
    )
    out["court_pending_end"] = last["court_pending"]
    out["median_days_pending_end"] = last["median_days_pending"]
    out["days"] = sums["days"]
    for ch in c.CHANNELS:
        out[f"arrests_{ch}"] = sums[f"arrests_{ch}"]
    for p in c.PATHS:
        out[f"removals_{p}"] = sums[f"removals_{p}"]
    return out.reset_index()


def mean_interval(values: pd.Series | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval over independent replications."""
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    m = float(x.mean())
    if x.size < 2:
        return (m, np.nan, np.nan)
    from scipy import stats  # here, not at import: SciPy's stats module costs half a second of start-up

    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return (m, m - half, m + half)


@dataclass
class Result:
    """The outcome of ``simulate``: tidy frames over all replications.

    - ``monthly``: replication x month x jurisdiction, flows and month-end stocks
    - ``national``: replication x month, national flows, stocks and court figures
    - ``fiscal_years``: replication x fiscal year, headline figures
    - ``federal_pressure``: jurisdictions whose policy the hypothetical lever changed
    """

    scenario: Scenario
    start: dt.date
    days: int
    seed: int
    replications: int
    monthly: pd.DataFrame
    national: pd.DataFrame
    fiscal_years: pd.DataFrame
    federal_pressure: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_replications(
        cls,
        scenario: Scenario,
        start: dt.date,
        days: int,
        seed: int,
        frames: list[tuple[pd.DataFrame, pd.DataFrame]],
        pressure: list[tuple],
    ) -> Result:
        monthly = pd.concat([f[0] for f in frames], ignore_index=True)
        national = pd.concat([f[1] for f in frames], ignore_index=True)
        fp = pd.DataFrame(pressure, columns=["replication", "date", "jurisdiction", "policy_before"])
        return cls(scenario, start, days, seed, len(frames), monthly, national, fiscal_year_table(national), fp)

    def fingerprint(self) -> str:
        """SHA-256 of every value of ``monthly``, ``national`` and ``fiscal_years``, column by column.

        Equal fingerprints mean identical results. Values are hashed in a fixed
        width (float64, int64, ISO dates, text), so the fingerprint does not
        depend on how pandas happened to store them; the tests keep the
        fingerprint of a reference run, so any change that alters results shows.
        """
        h = hashlib.sha256()
        for name in ("monthly", "national", "fiscal_years"):
            frame = getattr(self, name)
            h.update(f"{name}:{len(frame)}".encode())
            for col in frame.columns:
                values = frame[col]
                h.update(f"|{col}:".encode())
                if pd.api.types.is_datetime64_any_dtype(values):
                    h.update("\x1f".join(values.dt.strftime("%Y-%m-%d")).encode())
                elif pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
                    h.update(values.to_numpy().astype("<i8").tobytes())
                elif pd.api.types.is_float_dtype(values):
                    h.update(values.to_numpy().astype("<f8").tobytes())
                else:
                    h.update("\x1f".join(map(str, values)).encode())
        return h.hexdigest()

    def complete_fiscal_years(self) -> list[int]:
        """Fiscal years the run covers in full (12 months)."""
        counts = self.national[self.national.replication == 0].assign(fy=lambda d: fiscal_year_of(d.month))
        full = counts.groupby("fy")["days"].agg(["count", "sum"])
        return [int(fy) for fy, row in full.iterrows() if row["count"] == 12 and row["sum"] >= 365]

    def headline_figures(self, replication: int = 0) -> pd.DataFrame:
        """One replication's headline figures in long form, as catalogs store them.

        Columns: fiscal_year, complete, figure, value.

        Only complete fiscal years are kept when there is at least one; a run
        shorter than a year keeps its partial year, marked ``complete=False``.
        """
        complete = set(self.complete_fiscal_years())
        fy = self.fiscal_years[self.fiscal_years.replication == replication]
        if complete:
            fy = fy[fy.fiscal_year.isin(complete)]
        figures = fy.melt(id_vars=["fiscal_year"], value_vars=list(HEADLINES), var_name="figure", value_name="value")
        figures.insert(1, "complete", figures.fiscal_year.isin(complete))
        return figures

    def summary(self, fiscal_year: int | None = None) -> pd.DataFrame:
        """Headline figures for one fiscal year: mean and 95% interval over replications."""
        fys = self.complete_fiscal_years() or sorted(self.fiscal_years.fiscal_year.unique())
        fy = fiscal_year if fiscal_year is not None else fys[0]
        rows = self.fiscal_years[self.fiscal_years.fiscal_year == fy]
        out = []
        for name, (desc, unit) in HEADLINES.items():
            m, lo, hi = mean_interval(rows[name])
            out.append(
                {
                    "figure": name,
                    "description": desc,
                    "unit": unit,
                    "fiscal_year": fy,
                    "mean": m,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
        return pd.DataFrame(out)

    def by_state(self, fiscal_year: int | None = None) -> pd.DataFrame:
        """Per-state totals for one fiscal year, averaged over replications."""
        fy = fiscal_year if fiscal_year is not None else (self.complete_fiscal_years() or [None])[0]
        m = _add_derived(self.monthly.copy())
        m["fiscal_year"] = fiscal_year_of(m["month"])
        if fy is not None:
            m = m[m.fiscal_year == fy]
        cols = [
            "ice_admin_arrests",
            "custodial_arrests",
            "ice_at_large_arrests",
            "detainers_issued",
            "detainers_declined",
            "released_to_at_large",
            "use_of_force",
            "removals_from_ice_arrests",
        ]
        per_rep = m.groupby(["replication", "state"])[cols].sum()
        out = per_rep.groupby("state").mean()
        last = m[m.month == m.month.max()].groupby("state")[["policy"]].first()
        return out.join(last).reset_index()
