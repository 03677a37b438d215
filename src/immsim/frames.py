"""The tidy frames of one replication, from the counts the compiled kernel kept (its ``Tally``).

The kernel counts flows and stocks in arrays indexed by month, jurisdiction,
criminal history and flow code; these functions label them and lay them out
as tidy DataFrames (one row per observation, one column per variable), which
``Result.from_replications`` then gathers over replications. Kept apart from
``immsim.results`` so that the results a user reads do not depend on how the
kernel stores its counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from immsim.figures import HISTORY_FLOWS, HISTORY_STOCKS
from immsim.model import codes as c
from immsim.model.people import Tally
from immsim.scenario.compile import Compiled
from immsim.scenario.loader import Scenario


@dataclass(frozen=True)
class Frames:
    """The tidy frames of one replication."""

    monthly: pd.DataFrame  # month x jurisdiction
    national: pd.DataFrame  # month
    by_history: pd.DataFrame  # month x jurisdiction x criminal history
    offices: pd.DataFrame  # month x field office


def _history_frame(scenario: Scenario, comp: Compiled, tally: Tally, rep: int) -> pd.DataFrame:
    months = pd.to_datetime(comp.month_starts)
    jurs = scenario.data.jurisdictions
    M, J, H = len(months), len(jurs), c.N_HISTORIES
    flows = tally.flows[:, :, :, [c.F[f] for f in HISTORY_FLOWS]].reshape(M * J * H, len(HISTORY_FLOWS))
    stocks = tally.stocks[:, :, :, [c.STOCKS.index(s) for s in HISTORY_STOCKS]].reshape(M * J * H, -1)
    keys = pd.DataFrame(
        {
            "replication": rep,
            "month": np.repeat(months, J * H),
            "jurisdiction": np.tile(np.repeat([j.code for j in jurs], H), M),
            "state": np.tile(np.repeat([j.state for j in jurs], H), M),
            "criminal_history": pd.Categorical(np.tile(c.HISTORIES, M * J), categories=list(c.HISTORIES)),
        }
    )
    return pd.concat(
        [
            keys,
            pd.DataFrame(flows, columns=list(HISTORY_FLOWS)),
            pd.DataFrame(stocks, columns=[f"stock_{s}" for s in HISTORY_STOCKS]),
        ],
        axis=1,
    )


def _office_frame(scenario: Scenario, comp: Compiled, tally: Tally, rep: int) -> pd.DataFrame:
    """Officer-days and the arrests they made, per field office and month."""
    months = pd.to_datetime(comp.month_starts)
    offices = scenario.offices
    M, F = len(months), len(offices)
    per_jur = tally.flows.sum(axis=2)  # [M, J, N_FLOWS]
    by_office = np.zeros((M, F, c.N_FLOWS))
    np.add.at(by_office, (slice(None), comp.inputs.jur_office), per_jur)
    return pd.DataFrame(
        {
            "replication": rep,
            "month": np.repeat(months, F),
            "office": np.tile(offices, M),
            "jail_officer_days": tally.officer_days[:, :, 0].ravel(),
            "at_large_officer_days": tally.officer_days[:, :, 1].ravel(),
            "jail_transfers": (
                by_office[:, :, c.F["arrests_jail_hold"]] + by_office[:, :, c.F["arrests_jail_notified"]]
            ).ravel(),
            "at_large_arrests": (
                by_office[:, :, c.F["arrests_at_large"]] + by_office[:, :, c.F["arrests_collateral"]]
            ).ravel(),
            "released_to_at_large": by_office[:, :, c.F["released_to_at_large"]].ravel(),
            "use_of_force": by_office[:, :, c.F["use_of_force"]].ravel(),
        }
    )


def replication_frames(scenario: Scenario, comp: Compiled, tally: Tally, rep: int) -> Frames:
    """The tidy frames of one replication (see ``Frames``)."""
    months = pd.to_datetime(comp.month_starts)
    jurs = scenario.data.jurisdictions
    M, J = len(months), len(jurs)
    flows = tally.flows.sum(axis=2).reshape(M * J, c.N_FLOWS)
    stocks = tally.stocks.sum(axis=2).reshape(M * J, c.N_STOCKS)
    jur = pd.DataFrame(
        {
            "replication": rep,
            "month": np.repeat(months, J),
            "jurisdiction": np.tile([j.code for j in jurs], M),
            "state": np.tile([j.state for j in jurs], M),
            "office": np.tile([j.office for j in jurs], M),
            "policy": [comp.policy_names[x] for x in comp.inputs.policy[_last_days(comp)].ravel()],
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
    by_h = tally.flows.sum(axis=1)  # [M, H, N_FLOWS]
    arrests = by_h[:, :, c.F_ARREST0 : c.F_ARREST0 + len(c.CHANNELS)].sum(axis=2)
    removals = by_h[:, :, c.F_REMOVAL0 : c.F_REMOVAL0 + len(c.PATHS)].sum(axis=2)
    officer_days = tally.officer_days.sum(axis=1)
    # one concat of whole blocks: inserting columns one by one into a wide frame is slow
    nat = pd.concat(
        [
            pd.DataFrame({"replication": rep, "month": months}),
            pd.DataFrame(flows.reshape(M, J, c.N_FLOWS).sum(axis=1), columns=list(c.FLOWS)),
            pd.DataFrame(stocks.reshape(M, J, c.N_STOCKS).sum(axis=1), columns=[f"stock_{s}" for s in c.STOCKS]),
            pd.DataFrame(tally.national, columns=list(c.NATIONAL)),
            pd.DataFrame(
                {
                    "days": np.bincount(comp.inputs.month_of_day, minlength=M),
                    "arrests_convicted": arrests[:, c.H_LESSER] + arrests[:, c.H_SERIOUS],
                    "arrests_pending_charges": arrests[:, c.H_PENDING],
                    "removals_convicted": removals[:, c.H_LESSER] + removals[:, c.H_SERIOUS],
                    "jail_officer_days": officer_days[:, 0],
                    "at_large_officer_days": officer_days[:, 1],
                }
            ),
        ],
        axis=1,
    )
    return Frames(jur, nat, _history_frame(scenario, comp, tally, rep), _office_frame(scenario, comp, tally, rep))


def _last_days(comp: Compiled) -> np.ndarray:
    return np.flatnonzero(comp.inputs.month_end)
