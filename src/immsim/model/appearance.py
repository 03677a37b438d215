"""Representation and appearance in court (docs/model.md, mechanism 8).

When a case is filed, the respondent is given counsel with a probability that
depends on the kind of case, as EOIR and the studies of access to counsel
count them: detained, released (in ICE or border custody, then out without a
bed or a hold, or on bond) or never detained (a case filed from outside
custody). A released respondent may also be under supervision (alternatives
to detention, ``supervision``). At the hearing that decides a non-detained case, the respondent
fails to appear with the probability of an unrepresented, unsupervised
respondent who was never detained (``no_show_probability``), multiplied by
the factor of each condition that applies: released, represented,
supervised. Detained respondents are brought to their hearings and always
appear.

Why a product of factors: the public figures are ratios (represented people
missed hearings about a tenth as often as others), and a factor of 1 or a
share of 0 is neutral: the draws are then skipped, so a scenario that sets
none of these parameters runs exactly as before they existed.
"""

from __future__ import annotations

import numpy as np

from immsim.engine.jit import jit
from immsim.model.people import RELEASED, REPRESENTED, SUPERVISED
from immsim.model.supervision import enroll, supervise

#: Kinds of case, as EOIR counts custody.
DETAINED, RELEASED_KIND, NEVER_DETAINED = 0, 1, 2


@jit
def chance(share: float) -> bool:
    """True with probability ``share``, with no random draw when the answer is certain."""
    if share <= 0.0:
        return False
    if share >= 1.0:
        return True
    return np.random.random() < share


@jit
def file_case(inp, par, pe, tally, cal, p, kind, t) -> None:
    """Record the kind of ``p``'s case and draw counsel and supervision for it."""
    pe.flags[p] &= ~(REPRESENTED | RELEASED | SUPERVISED)
    if kind == DETAINED:
        share = par.represented_share_detained[t]
    elif kind == RELEASED_KIND:
        share = par.represented_share_released[t]
        pe.flags[p] |= RELEASED
        if chance(par.supervised_share_released[t]):
            enroll(inp, par, pe, tally, cal, p, t)
    else:
        share = par.represented_share_never_detained[t]
    if chance(share):
        pe.flags[p] |= REPRESENTED


@jit
def file_supervised_case(inp, par, pe, tally, cal, p, t) -> None:
    """``p``'s case is a released one already under ATD (the initial stock): counsel is drawn, supervision is not."""
    pe.flags[p] &= ~(REPRESENTED | SUPERVISED)
    pe.flags[p] |= RELEASED
    supervise(inp, par, pe, tally, cal, p, t)
    if chance(par.represented_share_released[t]):
        pe.flags[p] |= REPRESENTED


@jit
def release_on_bond(inp, par, pe, tally, cal, p, t) -> None:
    """A detained respondent released on bond: the case becomes a released one, counsel stays as drawn."""
    pe.flags[p] |= RELEASED
    if chance(par.supervised_share_released[t]):
        enroll(inp, par, pe, tally, cal, p, t)


@jit
def no_show_probability(par, pe, p, t) -> float:
    """Probability that non-detained respondent ``p`` fails to appear at the hearing that decides the case."""
    q = par.no_show_probability[t]
    f = pe.flags[p]
    if f & RELEASED:
        q *= par.released_no_show_factor[t]
    if f & REPRESENTED:
        q *= par.represented_no_show_factor[t]
    if f & SUPERVISED:
        q *= par.supervised_no_show_factor[t]
    return min(q, 1.0)


@jit
def is_represented(pe, p) -> bool:
    return (pe.flags[p] & REPRESENTED) != 0
