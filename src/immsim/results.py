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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from immsim.figures import (
    HEADLINES,
    HISTORY_HEADLINES,
    STATE_FIGURES,
    add_derived,
    fiscal_year_of,
    fiscal_year_table,
    history_year_table,
    state_policies,
)
from immsim.intervals import interval_columns, mean_interval, set_groups
from immsim.model import codes as c
from immsim.scenario.loader import Scenario

if TYPE_CHECKING:
    from immsim.frames import Frames


@dataclass
class Result:
    """The outcome of ``simulate``: tidy frames over all replications.

    Each frame has one row per observation and one column per variable, with
    a ``replication`` column, so that results filter, group and plot directly
    with pandas and replications stay apart until a summary averages them.
    Flows are counts in the month (or year); stocks (``stock_*``) are counts
    at the month's end. ``immsim run`` writes these frames as Parquet files.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run.
    start : datetime.date
        The first simulated day.
    days : int
        The number of simulated days.
    seed : int
        The seed of replication 0 (replication ``r`` used ``seed + r``).
    replications : int
        The number of replications.
    monthly : pandas.DataFrame
        Replication x month x jurisdiction: ``jurisdiction``, ``state``,
        ``office``, ``policy`` (at the month's end), flows (bookings,
        detainers, arrests by channel, removals by path, court flows, ...)
        and month-end stocks.
    national : pandas.DataFrame
        Replication x month: national flows and stocks, the court's backlog
        (``court_pending``, ``median_days_pending``), detention bed-days,
        officer-days and ``days`` (days of the month simulated).
    fiscal_years : pandas.DataFrame
        Replication x fiscal year (October to September, named by the year it
        ends in): the headline figures (``HEADLINES``), arrests by channel and
        removals by path, and ``days``; partial years included.
    by_history : pandas.DataFrame
        Replication x month x jurisdiction x criminal history (``none``,
        ``pending``, ``lesser``, ``serious``): flows of people and month-end
        stocks (``HISTORY_FLOWS``, ``HISTORY_STOCKS``).
    offices : pandas.DataFrame
        Replication x month x field office: jail and at-large officer-days,
        the jail transfers and at-large arrests they made, releases with a
        detainer, use of force.
    federal_pressure : pandas.DataFrame
        The jurisdictions whose policy the hypothetical ``federal_pressure``
        lever changed: replication, date, jurisdiction, policy before.
    draws : pandas.DataFrame
        Empty unless run with ``uncertainty``: the parameter set of each
        replication (``replication``, ``draw``: the group of replications
        sharing a set, ``set``: its row in the ensemble, then the factors).

    Examples
    --------
    >>> import immsim
    >>> result = immsim.simulate("us-2017", years=0.25, replications=2, seed=1)
    >>> result.fiscal_years[["replication", "fiscal_year", "days"]]
       replication  fiscal_year  days
    0            0         2017    91
    1            1         2017    91
    >>> monthly = result.monthly
    >>> len(monthly) == 2 * 3 * len(result.scenario.data.jurisdictions)
    True
    >>> arrests = monthly.groupby(["replication", "state"]).arrests_at_large.sum()
    >>> arrests.index.names
    FrozenList(['replication', 'state'])
    """

    scenario: Scenario
    start: dt.date
    days: int
    seed: int
    replications: int
    monthly: pd.DataFrame
    national: pd.DataFrame
    fiscal_years: pd.DataFrame
    by_history: pd.DataFrame = field(default_factory=pd.DataFrame)
    offices: pd.DataFrame = field(default_factory=pd.DataFrame)
    federal_pressure: pd.DataFrame = field(default_factory=pd.DataFrame)
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_replications(
        cls,
        scenario: Scenario,
        start: dt.date,
        days: int,
        seed: int,
        frames: list[Frames],
        pressure: list[tuple],
        draws: pd.DataFrame | None = None,
    ) -> Result:
        """Gather the frames of each replication into one result (``simulate`` calls this).

        Parameters
        ----------
        scenario : Scenario
            The scenario that was run.
        start : datetime.date
            The first simulated day.
        days : int
            The number of simulated days.
        seed : int
            The seed of replication 0.
        frames : list of Frames
            Each replication's frames, in order (``immsim.frames.replication_frames``).
        pressure : list of tuple
            ``(replication, date, jurisdiction, policy_before)`` for each
            change made by the ``federal_pressure`` lever.
        draws : pandas.DataFrame, optional
            With ``uncertainty``: the parameter set each replication ran
            (``replication``, ``draw``, ``set`` and the factors).

        Returns
        -------
        Result
            With ``fiscal_years`` computed from the national frames.
        """

        def cat(name: str) -> pd.DataFrame:
            return pd.concat([getattr(f, name) for f in frames], ignore_index=True)

        national = cat("national")
        fp = pd.DataFrame(pressure, columns=["replication", "date", "jurisdiction", "policy_before"])
        return cls(
            scenario,
            start,
            days,
            seed,
            len(frames),
            cat("monthly"),
            national,
            fiscal_year_table(national),
            cat("by_history"),
            cat("offices"),
            fp,
            pd.DataFrame() if draws is None else draws,
        )

    def fingerprint(self) -> str:
        """SHA-256 of every value of ``monthly``, ``national``, ``fiscal_years`` and ``by_history``.

        Equal fingerprints mean identical results. Values are hashed column by
        column in a fixed width (float64, int64, ISO dates, text), so the
        fingerprint does not depend on how pandas happened to store them; the
        tests keep the fingerprint of a reference run, so any change that
        alters results shows.

        Returns
        -------
        str
            64 hexadecimal digits.

        Examples
        --------
        Runs with the same scenario, options and seed are identical:

        >>> import immsim
        >>> a = immsim.simulate("us-2017", years=0.25, seed=7)
        >>> b = immsim.simulate("us-2017", years=0.25, seed=7)
        >>> a.fingerprint() == b.fingerprint(), len(a.fingerprint())
        (True, 64)
        """
        h = hashlib.sha256()
        for name in ("monthly", "national", "fiscal_years", "by_history"):
            frame = getattr(self, name)
            h.update(f"{name}:{len(frame)}".encode())
            for col in frame.columns:
                values = frame[col]
                h.update(f"|{col}:".encode())
                if isinstance(values.dtype, pd.CategoricalDtype):
                    values = values.astype(str)
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
        """Fiscal years the run covers in full (12 months).

        Summaries report the first of them by default, since a partial year's
        totals are not comparable with public annual figures.

        Returns
        -------
        list of int
            Fiscal years (October to September, named by the year they end
            in), in order; empty for a run shorter than a fiscal year.

        Examples
        --------
        >>> import immsim
        >>> immsim.simulate("us-2017", years=1, seed=1).complete_fiscal_years()
        [2017]
        >>> immsim.simulate("us-2017", years=0.25, seed=1).complete_fiscal_years()
        []
        """
        first = self.national[self.national.replication == 0]
        fy, days = fiscal_year_of(first.month).to_numpy(), first["days"].to_numpy()
        years = np.unique(fy)  # ascending
        return [int(y) for y in years if (fy == y).sum() == 12 and days[fy == y].sum() >= 365]

    def headline_figures(self, replication: int = 0) -> pd.DataFrame:
        """One replication's headline figures in long form, as catalogs store them.

        Only complete fiscal years are kept when there is at least one; a run
        shorter than a year keeps its partial year, marked ``complete=False``.

        Parameters
        ----------
        replication : int, default 0
            Which replication.

        Returns
        -------
        pandas.DataFrame
            Columns ``fiscal_year``, ``complete``, ``figure`` (a name in
            ``HEADLINES``) and ``value``; one row per year and figure.

        Examples
        --------
        >>> import immsim
        >>> result = immsim.simulate("us-2017", years=0.25, seed=1)
        >>> figures = result.headline_figures()
        >>> list(figures.columns)
        ['fiscal_year', 'complete', 'figure', 'value']
        >>> bool(figures.complete.any())
        False
        """
        complete = set(self.complete_fiscal_years())
        fy = self.fiscal_years[self.fiscal_years.replication == replication]
        if complete:
            fy = fy[fy.fiscal_year.isin(complete)]
        figures = fy.melt(id_vars=["fiscal_year"], value_vars=list(HEADLINES), var_name="figure", value_name="value")
        figures.insert(1, "complete", figures.fiscal_year.isin(complete))
        return figures

    def summary(self, fiscal_year: int | None = None) -> pd.DataFrame:
        """Headline figures for one fiscal year: mean and 95% interval over replications.

        The interval is Student's t over independent replications; with one
        replication its bounds are NaN.

        Parameters
        ----------
        fiscal_year : int, optional
            By default the first complete fiscal year, or the first (partial)
            year of a shorter run.

        Returns
        -------
        pandas.DataFrame
            One row per headline figure (``HEADLINES``): ``figure``,
            ``description``, ``unit``, ``fiscal_year``, ``mean``, ``ci_low``,
            ``ci_high``. A year the run does not cover gives NaN means.

        Examples
        --------
        >>> import immsim
        >>> result = immsim.simulate("us-2017", years=0.25, replications=2, seed=1)
        >>> table = result.summary().set_index("figure")
        >>> row = table.loc["ice_admin_arrests"]
        >>> row.unit, int(row.fiscal_year), bool(row.ci_low <= row["mean"] <= row.ci_high)
        ('people', 2017, True)
        """
        fys = self.complete_fiscal_years() or sorted(self.fiscal_years.fiscal_year.unique())
        fy = fiscal_year if fiscal_year is not None else fys[0]
        rows = self.fiscal_years[self.fiscal_years.fiscal_year == fy]
        groups = set_groups(self, rows.replication)
        out = []
        for name, (desc, unit) in HEADLINES.items():
            row = {"figure": name, "description": desc, "unit": unit, "fiscal_year": fy}
            row.update(interval_columns(rows[name].to_numpy(float), groups))
            out.append(row)
        return pd.DataFrame(out)

    def by_state(self, fiscal_year: int | None = None) -> pd.DataFrame:
        """Per-state totals for one fiscal year, averaged over replications.

        Parameters
        ----------
        fiscal_year : int, optional
            By default the first complete fiscal year; for a run shorter than a
            fiscal year, every simulated month.

        Returns
        -------
        pandas.DataFrame
            One row per state: ``state``, arrests (all, custodial, at large),
            detainers issued and declined, releases with a detainer, use of
            force, removals of people arrested by ICE; at the last month,
            ``local_policies`` (how many of the state's jurisdictions have
            another policy than the rest of the state) and ``policy`` (of the
            rest of the state: the jurisdiction whose code is the state's, else
            the policy most of its jurisdictions have).

        Examples
        --------
        >>> import immsim
        >>> states = immsim.simulate("us-2017", years=0.25, seed=1).by_state().set_index("state")
        >>> len(states), bool(states.loc["CA", "ice_admin_arrests"] > states.loc["VT", "ice_admin_arrests"])
        (51, True)
        """
        m = self._year_of_monthly(fiscal_year)
        per_rep = m.groupby(["replication", "state"])[list(STATE_FIGURES)].sum()
        out = per_rep.groupby("state").mean()
        return out.join(state_policies(m[m.month == m.month.max()])).reset_index()

    def by_jurisdiction(self, fiscal_year: int | None = None) -> pd.DataFrame:
        """Per-jurisdiction totals for one fiscal year, averaged over replications: counties and cities apart.

        Counties and cities set their own policies, so the effect of a local
        policy shows here rather than in its state's total.

        Parameters
        ----------
        fiscal_year : int, optional
            As for ``by_state``.

        Returns
        -------
        pandas.DataFrame
            One row per jurisdiction, in the scenario's order: ``jurisdiction``
            (its code), ``name``, ``state``, ``policy`` at the last month, and
            the figures of ``by_state``.

        Examples
        --------
        >>> import immsim
        >>> places = immsim.simulate("us-2017", years=0.25, seed=1).by_jurisdiction().set_index("jurisdiction")
        >>> places.loc["CA-SAN-FRANCISCO", ["name", "state"]].tolist()
        ['City and County of San Francisco', 'CA']
        """
        m = self._year_of_monthly(fiscal_year)
        per_rep = m.groupby(["replication", "jurisdiction"])[list(STATE_FIGURES)].sum()
        out = per_rep.groupby("jurisdiction").mean()
        last = m[m.month == m.month.max()].drop_duplicates("jurisdiction").set_index("jurisdiction")
        jurs = self.scenario.data.jurisdictions
        codes = [j.code for j in jurs]
        head = pd.DataFrame(
            {"name": [j.name for j in jurs], "state": [j.state for j in jurs], "policy": last.policy.reindex(codes)},
            index=pd.Index(codes, name="jurisdiction"),
        )
        return head.join(out).reset_index()

    def _year_of_monthly(self, fiscal_year: int | None) -> pd.DataFrame:
        """``monthly`` with the derived totals, for one fiscal year (see ``by_state``)."""
        fy = fiscal_year if fiscal_year is not None else (self.complete_fiscal_years() or [None])[0]
        m = add_derived(self.monthly, fiscal_year=fiscal_year_of(self.monthly["month"]).to_numpy())
        return m if fy is None else m[m.fiscal_year == fy]

    def fiscal_years_by_history(self) -> pd.DataFrame:
        """Headline figures by replication, fiscal year and criminal history (``HISTORY_HEADLINES``).

        Returns
        -------
        pandas.DataFrame
            Columns ``replication``, ``fiscal_year``, ``criminal_history`` and
            one per figure in ``HISTORY_HEADLINES``; partial years included.

        Examples
        --------
        >>> import immsim
        >>> table = immsim.simulate("us-2017", years=0.25, seed=1).fiscal_years_by_history()
        >>> list(table.criminal_history)
        ['none', 'pending', 'lesser', 'serious']
        """
        return history_year_table(self.by_history)

    def summary_by_history(self, fiscal_year: int | None = None) -> pd.DataFrame:
        """Figures by criminal history for one fiscal year: mean and 95% interval over replications.

        A policy that treats criminal histories differently moves them apart,
        which the headline totals alone would hide.

        Parameters
        ----------
        fiscal_year : int, optional
            By default the first complete fiscal year, or the first (partial)
            year of a shorter run.

        Returns
        -------
        pandas.DataFrame
            One row per history and figure (``HISTORY_HEADLINES``):
            ``criminal_history``, ``label``, ``figure``, ``description``,
            ``fiscal_year``, ``mean``, ``ci_low``, ``ci_high``.

        Examples
        --------
        >>> import immsim
        >>> result = immsim.simulate("us-2017", years=0.25, replications=2, seed=1)
        >>> table = result.summary_by_history()
        >>> table[table.figure == "detainers_issued"].label.tolist()
        ['no conviction', 'pending charges', 'lesser conviction', 'serious or violent conviction']
        """
        fys = self.complete_fiscal_years() or sorted(self.fiscal_years.fiscal_year.unique())
        fy = fiscal_year if fiscal_year is not None else fys[0]
        table = self.fiscal_years_by_history()
        table = table[table.fiscal_year == fy]
        out = []
        for h, label in zip(c.HISTORIES, c.HISTORY_LABELS, strict=True):
            rows = table[table.criminal_history == h]
            for name, desc in HISTORY_HEADLINES.items():
                m, lo, hi = mean_interval(rows[name])
                out.append(
                    {
                        "criminal_history": h,
                        "label": label,
                        "figure": name,
                        "description": desc,
                        "fiscal_year": fy,
                        "mean": m,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
        return pd.DataFrame(out)
