"""Alternatives to detention (ATD): supervision of released respondents, with a capacity.

ICE places a share of released respondents (``supervised_share_released``),
and of external receipts not detained, people released at the border with a
notice to appear (``supervised_share_external``, ``courts``), under
supervision while a slot is free: the people supervised at once never
exceed ``atd_slots`` (a dated series) when an enrollment is made. A supervised
respondent misses the deciding hearing less often (``appearance``, the
supervised factor) and leaves ATD when the case is decided or
administratively closed, or earlier when ICE ends the supervision
(``atd_end_rate`` per participant-year, so a memoryless time in the program;
0: never). The slots a
respondent leaves are free for the next released respondent.

Neutral values (no limit, no time limit) add no random draw, so a scenario
without these parameters runs as before they existed.
"""

from __future__ import annotations

from immsim.engine.calendar import cancel, schedule
from immsim.engine.jit import jit, jit_apart
from immsim.engine.rng import duration
from immsim.model import codes as c
from immsim.model.people import SUPERVISED, history

YEAR = 365.0
NEVER_DAYS = 1e6  # about 2,700 years


@jit
def slot_free(par, tally, t) -> bool:
    return tally.atd_used[0] + 1 <= par.atd_slots[t]


@jit_apart
def enroll(inp, par, pe, tally, cal, p, t) -> None:
    """Place released respondent ``p`` under ATD if a slot is free (ICE's choice was made by the caller)."""
    fl = tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p)]
    if not slot_free(par, tally, t):
        fl[c.FL_ATD_FULL] += 1
        return
    supervise(inp, par, pe, tally, cal, p, t)
    fl[c.FL_ATD_ENROLLMENTS] += 1


@jit_apart
def supervise(inp, par, pe, tally, cal, p, t) -> None:
    """``p`` is under ATD from day ``t``: a slot taken and, if ICE ends supervision early, its end scheduled.

    Without the capacity check and the count of enrollments: ``enroll`` adds those for new participants;
    the participants of the initial state (``model.initial``) start here directly, and may exceed the slots.
    """
    pe.flags[p] |= SUPERVISED
    tally.atd_used[0] += 1
    pe.since[p] = t
    rate = par.atd_end_rate[t]
    if rate * NEVER_DAYS > YEAR:  # a mean time in the program past any horizon never ends it (and never overflows)
        schedule(cal, p, t + duration(YEAR / rate))


@jit
def end_supervision(inp, pe, tally, cal, p, t) -> None:
    """``p`` leaves ATD, if under it: the slot is freed and a pending end of supervision cancelled."""
    if not pe.flags[p] & SUPERVISED:
        return
    pe.flags[p] &= ~SUPERVISED
    tally.atd_used[0] -= 1
    cancel(cal, p)
    fl = tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p)]
    fl[c.FL_ATD_EXITS] += 1
    fl[c.FL_ATD_DAYS] += t - pe.since[p]
