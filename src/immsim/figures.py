"""The figures of a run: their names, and how monthly counters become fiscal-year and per-state tables.

``Result`` (``immsim.results``) holds the frames; this module says which
columns are headline figures, which are kept by criminal history or by state,
and computes the tables from the monthly frames (derived shares, fiscal-year
sums and month-end stocks). U.S. federal fiscal years run October to September
and are named by the year they end in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from immsim.metrics import METRICS
from immsim.model import codes as c

#: Headline figures per fiscal year, in table order.
HEADLINE_FIGURES = (
    "ice_admin_arrests",
    "custodial_share_of_arrests",
    "ice_at_large_arrests",
    "detainers_issued",
    "detainers_honored",
    "detainers_declined",
    "detainers_not_picked_up",
    "released_to_at_large",
    "at_large_attempts",
    "use_of_force",
    "assaults_on_officers",
    "worksite_admin_arrests",
    "removals_from_ice_arrests",
    "removals_total",
    "detention_book_ins",
    "detention_average_daily_population",
    "detention_average_length_of_stay",
    "released_on_recognizance",
    "bonds_posted",
    "atd_average_daily_participants",
    "court_receipts",
    "court_completions",
    "in_absentia_share",
    "mean_days_to_completion",
    "court_pending_end",
    "median_days_pending_end",
    "share_arrests_convicted",
    "share_arrests_pending_charges",
    "share_removals_convicted",
    "officer_days_per_jail_transfer",
    "officer_days_per_at_large_arrest",
)
#: Headline figures: name -> (description, unit), from the one table of labels (``immsim.metrics``).
HEADLINES: dict[str, tuple[str, str]] = {name: (METRICS[name].label, METRICS[name].unit) for name in HEADLINE_FIGURES}


#: Per-state figures of ``Result.by_state`` (summed over the state's jurisdictions), in column order.
STATE_FIGURES = (
    "ice_admin_arrests",
    "custodial_arrests",
    "ice_at_large_arrests",
    "detainers_issued",
    "detainers_declined",
    "released_to_at_large",
    "use_of_force",
    "removals_from_ice_arrests",
)

#: Flows of people kept by criminal history in ``Result.by_history`` (operation-level counts such as
#: work-site operations have no history; sums such as days pending are left out).
HISTORY_FLOWS = (
    "bookings",
    "identified",
    "detainers_issued",
    "detainers_honored",
    "detainers_declined",
    "detainers_not_picked_up",
    "released_to_at_large",
    *(f"arrests_{ch}" for ch in c.CHANNELS),
    "at_large_attempts",
    "use_of_force",
    "assaults_on_officers",
    "detention_book_ins",
    "released_no_bed",
    "notices_to_appear",
    "court_receipts",
    "court_completions",
    "in_absentia_orders",
    "removal_orders",
    *(f"removals_{p}" for p in c.PATHS),
    "removals_from_ice_arrests",
    "absconded",
    "departures",
    "leads",
    "convictions",
)
#: Month-end stocks kept by criminal history.
HISTORY_STOCKS = ("jail", "at_large", "detained_removal", "detained_court", "court_nondetained", "community")

#: Headline figures by criminal history per fiscal year, in table order.
HISTORY_FIGURES = (
    "bookings",
    "detainers_issued",
    "detainers_honored",
    "detainers_declined",
    "released_to_at_large",
    "custodial_arrests",
    "ice_at_large_arrests",
    "arrests_collateral",
    "ice_admin_arrests",
    "removals_from_ice_arrests",
    "removals_total",
    "at_large_pool_end",
)
#: Headline figures by criminal history: name -> description (``immsim.metrics``).
HISTORY_HEADLINES: dict[str, str] = {name: METRICS[name].label for name in HISTORY_FIGURES}


def fiscal_year_of(month: pd.Series) -> pd.Series:
    """The fiscal year of each month (October starts the next year's), computed on the datetime64 values."""
    months = month.to_numpy(dtype="datetime64[M]").astype(np.int64)  # months since January 1970
    return pd.Series(1970 + (months + 3) // 12, index=month.index, name=month.name)


def _sum_of(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The sum of ``columns`` row by row, as an array (counts: whole numbers, exact in any order of addition)."""
    total = df[columns[0]].to_numpy().copy()
    for name in columns[1:]:
        total += df[name].to_numpy()
    return total


def add_derived(df: pd.DataFrame, **more: np.ndarray) -> pd.DataFrame:
    """``df`` and the arrest and removal totals, then the columns ``more``, as a new frame.

    The columns are made from the arrays and joined to ``df`` at once: inserting
    them one by one into a frame of ~150 columns took most of this function's time.
    """
    derived = {
        "ice_admin_arrests": _sum_of(df, [f"arrests_{ch}" for ch in c.CHANNELS]),
        "custodial_arrests": _sum_of(df, [f"arrests_{c.CHANNELS[i]}" for i in c.CUSTODIAL_CHANNELS]),
        "ice_at_large_arrests": _sum_of(df, ["arrests_at_large", "arrests_collateral"]),
        "removals_total": _sum_of(df, [f"removals_{p}" for p in c.PATHS]),
        **more,
    }
    return pd.concat([df, pd.DataFrame(derived, index=df.index)], axis=1)


def fiscal_year_table(national: pd.DataFrame) -> pd.DataFrame:
    """Headline figures by replication and fiscal year (complete and partial years)."""
    nat = add_derived(national, fiscal_year=fiscal_year_of(national["month"]).to_numpy())
    g = nat.groupby(["replication", "fiscal_year"], sort=True)
    sums = g[
        [
            *c.FLOWS,
            "ice_admin_arrests",
            "custodial_arrests",
            "ice_at_large_arrests",
            "removals_total",
            "detention_bed_days",
            "atd_participant_days",
            "days",
            "jail_officer_days",
            "at_large_officer_days",
            "arrests_convicted",
            "arrests_pending_charges",
            "removals_convicted",
        ]
    ].sum()
    last = g[["court_pending", "median_days_pending"]].last()
    # Columns as NumPy arrays, made a frame once: reading and inserting ~60 columns of frames with a
    # (replication, fiscal year) index one by one took most of a small simulation's time.
    index = sums.index
    sums = _columns(sums)
    last = _columns(last)
    out: dict[str, np.ndarray] = {}
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
        "released_on_recognizance",
        "released_no_bed_contested",
        "bond_hearings",
        "bonds_posted",
        "atd_enrollments",
        "court_receipts",
        "court_completions",
    ):
        out[name] = sums[name]
    out["custodial_share_of_arrests"] = sums["custodial_arrests"] / _positive(sums["ice_admin_arrests"])
    out["worksite_admin_arrests"] = sums["arrests_worksite"]
    out["detention_average_daily_population"] = sums["detention_bed_days"] / sums["days"]
    out["detention_average_length_of_stay"] = sums["detention_stay_days"] / _positive(sums["detention_exits"])
    out["atd_average_daily_participants"] = sums["atd_participant_days"] / sums["days"]
    out["atd_average_length_of_stay"] = sums["atd_days"] / _positive(sums["atd_exits"])
    out["mean_days_to_completion"] = sums["days_pending_at_completion"] / _positive(sums["court_completions"])
    out["in_absentia_share"] = sums["in_absentia_orders"] / _positive(sums["court_completions"])
    arrests = _positive(sums["ice_admin_arrests"])
    out["share_arrests_convicted"] = sums["arrests_convicted"] / arrests
    out["share_arrests_pending_charges"] = sums["arrests_pending_charges"] / arrests
    out["share_removals_convicted"] = sums["removals_convicted"] / _positive(sums["removals_total"])
    transfers = sums["arrests_jail_hold"] + sums["arrests_jail_notified"]
    out["officer_days_per_jail_transfer"] = sums["jail_officer_days"] / _positive(transfers)
    out["officer_days_per_at_large_arrest"] = sums["at_large_officer_days"] / _positive(sums["ice_at_large_arrests"])
    out["court_pending_end"] = last["court_pending"]
    out["median_days_pending_end"] = last["median_days_pending"]
    out["days"] = sums["days"]
    for ch in c.CHANNELS:
        out[f"arrests_{ch}"] = sums[f"arrests_{ch}"]
    for p in c.PATHS:
        out[f"removals_{p}"] = sums[f"removals_{p}"]
    return pd.DataFrame(out, index=index).reset_index()


def _columns(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A frame's columns as arrays, read at once (integers stay integers: exact below 2**53)."""
    values = frame.to_numpy(dtype=np.float64)
    return {
        str(name): values[:, i].astype(t) if t.kind in "iu" else values[:, i]
        for i, (name, t) in enumerate(frame.dtypes.items())
    }


def _positive(x: np.ndarray) -> np.ndarray:
    """``x`` where it is above 0, NaN elsewhere: a ratio over it is undefined, not infinite, when it is 0."""
    return np.where(x > 0, x, np.nan)


def history_year_table(by_history: pd.DataFrame) -> pd.DataFrame:
    """Fiscal-year figures by criminal history, summed over jurisdictions (``HISTORY_HEADLINES``)."""
    if by_history.empty:
        return pd.DataFrame(columns=["replication", "fiscal_year", "criminal_history", *HISTORY_HEADLINES])
    df = by_history.assign(fiscal_year=fiscal_year_of(by_history["month"]))
    monthly = df.groupby(["replication", "fiscal_year", "month", "criminal_history"], observed=True)[
        [*HISTORY_FLOWS, "stock_at_large"]
    ].sum()
    g = monthly.groupby(["replication", "fiscal_year", "criminal_history"], observed=True)
    sums = g[list(HISTORY_FLOWS)].sum()
    out: dict[str, pd.Series] = {}  # columns, made a frame once: inserting ~60 columns one by one is slow
    for name in ("bookings", "detainers_issued", "detainers_honored", "detainers_declined", "released_to_at_large"):
        out[name] = sums[name]
    out["custodial_arrests"] = sums[[f"arrests_{c.CHANNELS[i]}" for i in c.CUSTODIAL_CHANNELS]].sum(axis=1)
    out["ice_at_large_arrests"] = sums["arrests_at_large"] + sums["arrests_collateral"]
    out["arrests_collateral"] = sums["arrests_collateral"]
    out["ice_admin_arrests"] = sums[[f"arrests_{ch}" for ch in c.CHANNELS]].sum(axis=1)
    out["removals_from_ice_arrests"] = sums["removals_from_ice_arrests"]
    out["removals_total"] = sums[[f"removals_{p}" for p in c.PATHS]].sum(axis=1)
    out["at_large_pool_end"] = g["stock_at_large"].last()
    return pd.DataFrame(out, index=sums.index).reset_index()


def state_policies(last: pd.DataFrame) -> pd.DataFrame:
    """``policy`` and ``local_policies`` per state from one month's rows (see ``Result.by_state``).

    Why not the first row's policy: with local jurisdictions the first row of a
    state is often a county with its own policy (Los Angeles for California).
    """
    rows = last[["jurisdiction", "state", "policy"]].drop_duplicates(["jurisdiction"])
    rest = rows[rows.jurisdiction == rows.state].set_index("state")["policy"]
    common = rows.groupby("state")["policy"].agg(lambda p: p.value_counts().index[0])
    policy = rest.reindex(common.index).fillna(common)
    differ = rows.policy.to_numpy() != policy.reindex(rows.state).to_numpy()
    local = pd.Series(differ, index=rows.state.to_numpy()).groupby(level=0).sum().astype(int)
    return pd.DataFrame({"local_policies": local.reindex(policy.index).to_numpy(), "policy": policy})


def in_split_states(places: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``places`` (``Result.by_jurisdiction``) in states with more than one jurisdiction.

    Where a state is one jurisdiction its row says what the state's row says; the others are the counties,
    cities and rests of states whose policies can differ from their neighbours'.
    """
    return places[places.groupby("state")["state"].transform("size") > 1]
