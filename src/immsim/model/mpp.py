"""The Migrant Protection Protocols: a separate docket for cases that wait outside the United States.

While a ``court_policy`` event of kind ``mpp`` is in force (``Inputs.mpp_share``),
a share of the non-detained cases that come from the border (border book-ins
not detained, and external receipts, which the model takes as cases filed from
outside the interior) is placed on the MPP docket instead of the non-detained
one. Such a respondent is returned to wait outside the United States: the case
is in its own state (``codes.MPP``), never in the community stock or the
at-large pool, so no interior operation can find, arrest or detain the person,
and no supervision or counsel is drawn for it (EOIR's MPP respondents were
rarely represented; a continuance for representation applies to them as to any
unrepresented respondent).

The docket has its own queue and its own judges (``docket.Court.mppq``,
``mpp_judges``): a share of the day's judges (``Inputs.mpp_judge_share``) hears it
alone while it holds cases, as EOIR assigned judges to the MPP courts; the
others hear the detained and non-detained dockets. At the hearing that decides
the case the respondent fails to appear with the docket's own probability
(``Inputs.mpp_no_show``), whatever the other appearance parameters say, and is
ordered removed in absentia while outside the country: the person leaves the
simulation as departed (no one of them re-enters in the model). One who appears
is ordered removed (``removal_order_probability_nondetained``) and removed from
the border, with no bed, or is granted relief or has the case terminated.

Why a state of its own rather than a flag on the non-detained docket: the
stocks, the ledger and the interior operations then keep these people apart
with no further test, and the docket's size is a stock in every result.
Neutral: with no ``mpp`` event the share is 0, no random draw is made and no
judge is assigned, so a scenario runs exactly as before this module.
"""

from __future__ import annotations

import numpy as np

from immsim.engine.jit import jit, jit_apart
from immsim.model import codes as c
from immsim.model.appearance import RELEASED_KIND, chance
from immsim.model.community import order_issued
from immsim.model.docket import to_court
from immsim.model.hearings import file_hearings
from immsim.model.people import ICE_ARREST, RELEASED, REPRESENTED, SUPERVISED, history, move


@jit
def enrolled(inp, pe, p, t) -> bool:
    """Whether non-detained case ``p``, filed today, goes on the MPP docket.

    Only a case filed at the border or from outside the interior may: not
    one that follows an ICE arrest in the interior, whatever the person's
    origin (a border arrival ordered removed in absentia and arrested later).
    """
    if inp.mpp_share[t] <= 0.0 or pe.origin[p] == c.O_INTERIOR or pe.flags[p] & ICE_ARREST:
        return False
    return chance(inp.mpp_share[t])


@jit_apart
def enroll(inp, par, pe, tally, court, p, t) -> None:
    """Put ``p``'s new case on the MPP docket: the respondent waits outside the United States."""
    tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p), c.FL_MPP_RECEIPTS] += 1
    move(pe, tally, p, c.MPP)
    pe.flags[p] &= ~(REPRESENTED | RELEASED | SUPERVISED)
    file_hearings(par, pe, p, RELEASED_KIND, t)  # a case filed at the border, after CBP custody
    to_court(court, p, pe.t_arrive[p])


@jit
def judges_today(inp, tally, judges: int, t) -> int:
    """How many of today's ``judges`` hear the MPP docket: its share, at least one, while it holds cases.

    None while its hearings are suspended: its judges hear the other dockets meanwhile.
    """
    share = inp.mpp_judge_share[t]
    if share <= 0.0 or judges <= 0 or inp.mpp_hearings_suspended[t]:
        return 0
    if tally.live[:, :, c.MPP].sum() == 0:
        return 0
    return min(judges, max(1, int(share * judges + 0.5)))


@jit
def no_show(inp, t) -> bool:
    """Whether an MPP respondent fails to appear at the hearing that decides the case (the docket's own probability)."""
    return chance(inp.mpp_no_show[t])


@jit
def absent(inp, pe, tally, p, t) -> None:
    """MPP respondent ``p`` did not appear and was ordered removed in absentia (already counted): ``p`` is abroad."""
    fl = tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p)]
    fl[c.FL_MPP_IN_ABSENTIA_ORDERS] += 1
    fl[c.FL_DEPARTURES] += 1
    move(pe, tally, p, c.DEPARTED)


@jit_apart
def decide(inp, par, pe, tally, p, t) -> None:
    """The decision for an MPP respondent who appeared: removal from the border, or relief or termination."""
    fl = tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p)]
    if np.random.random() < par.removal_order_probability_nondetained[t]:
        fl[c.FL_REMOVAL_ORDERS] += 1
        order_issued(inp, pe, p, t)
        pe.path[p] = c.P_COURT_ORDER
        fl[c.FL_REMOVALS_COURT_ORDER] += 1
        if pe.origin[p] == c.O_BORDER:
            fl[c.FL_REMOVALS_BORDER] += 1
        move(pe, tally, p, c.REMOVED)
    else:
        fl[c.FL_RELIEF_OR_TERMINATION] += 1
        move(pe, tally, p, c.RELIEF)
