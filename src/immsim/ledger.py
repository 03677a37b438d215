"""The stock-and-flow ledger check run at the end of every replication.

Every person is in exactly one state. For every state and for the community
stock: initial stock + inflows - outflows must equal the final stock, the
live counters must equal a recount of the person table, no stock may be
negative, and detention may never have admitted anyone without a free bed.
"""

from __future__ import annotations

import numpy as np

from immsim.errors import LedgerError
from immsim.model import codes as c
from immsim.model.people import COMMUNITY, People, Tally


def check_ledger(pe: People, tally: Tally) -> None:
    """Raise ``LedgerError`` describing the first imbalance found."""
    n = int(pe.count[0])
    state = pe.state[:n]
    if n and (state.min() < 0 or state.max() >= c.N_STATES):
        raise LedgerError(f"{int(((state < 0) | (state >= c.N_STATES)).sum())} people are in no state")
    # rows reused after their person reached a final state still count in that state
    recount = np.bincount(state, minlength=c.N_STATES).astype(np.int64) + tally.retired.sum(axis=0)
    live = tally.live.sum(axis=0)
    moves = tally.moves
    for s in range(c.N_STATES):
        if s == c.RETURNED:
            expected = int(moves[: c.N_STATES, COMMUNITY].sum())
            if recount[s] != expected:
                raise LedgerError(f"{recount[s]} people returned to the community but the ledger shows {expected}")
            continue
        balance = int(tally.initial[s] + moves[:, s].sum() - moves[s, :].sum())
        if not (balance == live[s] == recount[s]):
            raise LedgerError(
                f"state {c.STATES[s]!r}: initial {tally.initial[s]} + in {moves[:, s].sum()} - out "
                f"{moves[s, :].sum()} = {balance}, but {live[s]} counted live and {recount[s]} in the table"
            )
    J = tally.live.shape[0]
    by_jur = np.bincount(pe.jur[:n].astype(np.int64) * c.N_STATES + state, minlength=J * c.N_STATES)
    by_jur = by_jur.reshape(J, c.N_STATES) + tally.retired
    live_states = [s for s in range(c.N_STATES) if s != c.RETURNED]
    if not np.array_equal(by_jur[:, live_states], tally.live[:, live_states]):
        j, s = np.argwhere(by_jur[:, live_states] != tally.live[:, live_states])[0]
        raise LedgerError(
            f"jurisdiction {j}, state {c.STATES[live_states[s]]!r}: {tally.live[j, live_states[s]]} "
            f"counted live but {by_jur[j, live_states[s]]} in the table"
        )
    community = int(tally.initial[COMMUNITY] + moves[:, COMMUNITY].sum() - moves[COMMUNITY, :].sum())
    if community != int(tally.community.sum()):
        raise LedgerError(f"community stock is {int(tally.community.sum())} but the ledger gives {community}")
    if (tally.live < 0).any() or (tally.community < 0).any():
        raise LedgerError("a stock went negative")
    detained = int(recount[c.DETAINED_REMOVAL] + recount[c.DETAINED_COURT])
    if int(tally.beds_used[0]) != detained:
        raise LedgerError(f"{int(tally.beds_used[0])} beds in use but {detained} people detained")
    if int(tally.beds_over[0]) > 0:
        raise LedgerError(f"{int(tally.beds_over[0])} people were detained with no free bed")
