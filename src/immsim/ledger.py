"""The stock-and-flow ledger check run at the end of every replication.

Every person is in exactly one state. For every state and for the community
stock: initial stock + inflows - outflows must equal the final stock, the
live counters must equal a recount of the person table, no stock may be
negative, detention may never have admitted anyone without a free bed, and
the ATD slots in use must be the supervised respondents on the non-detained
docket.
"""

from __future__ import annotations

import numpy as np

from immsim.errors import LedgerError
from immsim.model import codes as c
from immsim.model.people import COMMUNITY, SUPERVISED, People, Tally


def check_ledger(pe: People, tally: Tally) -> None:
    """Raise ``LedgerError`` describing the first imbalance found.

    The ledger is kept by criminal history: for each history, each state and
    the community, initial stock + inflows - outflows + people whose history
    changed to it - people whose history changed from it = final stock. The
    totals then balance too.
    """
    n = int(pe.count[0])
    state = pe.state[:n]
    if n and (state.min() < 0 or state.max() >= c.N_STATES):
        raise LedgerError(f"{int(((state < 0) | (state >= c.N_STATES)).sum())} people are in no state")
    H, S = c.N_HISTORIES, c.N_STATES
    hist = pe.klass[:n].astype(np.int64) % H
    # rows reused after their person reached a final state still count in that state
    recount = np.bincount(hist * S + state, minlength=H * S).reshape(H, S) + tally.retired.sum(axis=0)
    live = tally.live.sum(axis=0)  # [H, S]
    moves, changed = tally.moves, tally.reclassed
    for h in range(H):
        flow = moves[h]
        net_changed = changed[:, h, :].sum(axis=0) - changed[h, :, :].sum(axis=0)
        for s in range(S):
            where = f"criminal history {c.HISTORIES[h]!r}, state {c.STATES[s]!r}"
            if s == c.RETURNED:
                expected = int(flow[:S, COMMUNITY].sum())
                if recount[h, s] != expected:
                    raise LedgerError(
                        f"{where}: {recount[h, s]} returned to the community but the ledger shows {expected}"
                    )
                continue
            balance = int(tally.initial[h, s] + flow[:, s].sum() - flow[s, :].sum() + net_changed[s])
            if not (balance == live[h, s] == recount[h, s]):
                raise LedgerError(
                    f"{where}: initial {tally.initial[h, s]} + in {flow[:, s].sum()} - out {flow[s, :].sum()} "
                    f"+ history changes {net_changed[s]} = {balance}, but {live[h, s]} counted live "
                    f"and {recount[h, s]} in the table"
                )
        community = int(
            tally.initial[h, COMMUNITY] + flow[:, COMMUNITY].sum() - flow[COMMUNITY, :].sum() + net_changed[COMMUNITY]
        )
        stock = int(tally.community[:, h::H].sum())
        if community != stock:
            raise LedgerError(
                f"criminal history {c.HISTORIES[h]!r}: community stock is {stock} but the ledger gives {community}"
            )
    J = tally.live.shape[0]
    by_jur = np.bincount(pe.jur[:n].astype(np.int64) * S + state, minlength=J * S).reshape(J, S)
    by_jur = by_jur + tally.retired.sum(axis=1)
    live_states = [s for s in range(S) if s != c.RETURNED]
    live_j = tally.live.sum(axis=1)
    if not np.array_equal(by_jur[:, live_states], live_j[:, live_states]):
        j, s = np.argwhere(by_jur[:, live_states] != live_j[:, live_states])[0]
        raise LedgerError(
            f"jurisdiction {j}, state {c.STATES[live_states[s]]!r}: {live_j[j, live_states[s]]} "
            f"counted live but {by_jur[j, live_states[s]]} in the table"
        )
    if (tally.live < 0).any() or (tally.community < 0).any():
        raise LedgerError("a stock went negative")
    detained = int(recount[:, c.DETAINED_REMOVAL].sum() + recount[:, c.DETAINED_COURT].sum())
    if int(tally.beds_used[0]) != detained:
        raise LedgerError(f"{int(tally.beds_used[0])} beds in use but {detained} people detained")
    if int(tally.beds_over[0]) > 0:
        raise LedgerError(f"{int(tally.beds_over[0])} people were detained with no free bed")
    supervised = int(((state == c.COURT_NONDETAINED) & (pe.flags[:n] & SUPERVISED > 0)).sum())
    if int(tally.atd_used[0]) != supervised:
        raise LedgerError(f"{int(tally.atd_used[0])} ATD slots in use but {supervised} respondents supervised")
