"""ICE custody: arrests, detention beds and the choice of removal path.

Every arrest, whatever its channel, comes through ``admit``. The person's class
decides the path (docs/model.md, mechanism 8): a final order is executed, recent
entrants may be removed by expedited removal, people removed before may have
their order reinstated, others accept removal or contest it in court. People
on a removal path are detained if a bed is free, or released to await removal
(and may abscond); contesting people are detained if the class calls for it
and a bed is free, otherwise their case goes on the non-detained docket:
released on recognizance or parole (ICE chose not to detain) or for lack of
a bed, two flows kept apart. Border book-ins (an input series) use the same
beds.

A detained contesting respondent may get a bond hearing
(``bond_hearing_probability``, by class: people with serious convictions are
mostly held without bond) after a memoryless delay that competes with the
case's preparation: whichever comes first happens (a case decided first
needs no bond). A bond granted and posted frees the bed and moves the case to
the non-detained docket as a released one (``appearance``), where it queues
behind the cases already there; a bond denied or not posted leaves the case
to its preparation, whose remaining time has the law of a whole preparation
(geometric durations are memoryless). Neutral values (no hearings) add no
random draw.
"""

from __future__ import annotations

import numpy as np

from immsim.engine.calendar import schedule
from immsim.engine.jit import jit, jit_apart
from immsim.engine.rng import duration, pick_cumulative, poisson
from immsim.model import codes as c
from immsim.model import mpp
from immsim.model.appearance import (
    DETAINED,
    NEVER_DETAINED,
    RELEASED_KIND,
    chance,
    file_case,
    release_on_bond,
)
from immsim.model.community import draw_cohort, order_issued
from immsim.model.docket import to_court
from immsim.model.hearings import file_hearings
from immsim.model.people import ICE_ARREST, OUTSIDE, create, history, move

YEAR = 365.0


@jit
def bed_free(par, tally, t) -> bool:
    return tally.beds_used[0] + 1 <= par.detention_beds[t]


@jit
def take_bed(inp, par, pe, tally, p, t) -> None:
    if not bed_free(par, tally, t):
        tally.beds_over[0] += 1
    tally.beds_used[0] += 1
    pe.since[p] = t
    tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p), c.FL_DETENTION_BOOK_INS] += 1


@jit_apart
def start_removal(inp, par, pe, tally, cal, p, path, has_bed, t) -> None:
    """Put ``p`` on removal ``path``: detained if possible, else released pending removal."""
    pe.path[p] = path
    fl = tally.flows[inp.month_of_day[t]]
    if has_bed or bed_free(par, tally, t):
        if not has_bed:
            take_bed(inp, par, pe, tally, p, t)
        move(pe, tally, p, c.DETAINED_REMOVAL)
        schedule(cal, p, t + duration(par.removal_processing_days[t, path]))
    else:
        fl[pe.jur[p], history(pe, p), c.FL_RELEASED_NO_BED] += 1
        move(pe, tally, p, c.RELEASED_REMOVAL)
        schedule(cal, p, t + duration(par.released_removal_days[t]))


@jit_apart
def open_case(inp, par, pe, tally, cal, court, p, detain, in_custody, t) -> None:
    """File a court case for ``p``, on the detained docket if ``detain`` and a bed is free.

    ``in_custody``: the case is filed while ``p`` is in ICE or border custody,
    so a non-detained case is a released one (``appearance``); otherwise the
    respondent was never detained. The filing time is spread uniformly over the day, so that a Poisson number
    of filings a day is a Poisson process in continuous time. A detained case
    reaches the court after its preparation time; a non-detained one at once,
    on the MPP docket if a case from the border is enrolled there (``mpp``).
    """
    pe.day_in[p] = t
    pe.t_arrive[p] = t + np.random.random()
    fl = tally.flows[inp.month_of_day[t]]
    fl[pe.jur[p], history(pe, p), c.FL_COURT_RECEIPTS] += 1
    if detain and bed_free(par, tally, t):
        take_bed(inp, par, pe, tally, p, t)
        move(pe, tally, p, c.DETAINED_COURT)
        file_case(inp, par, pe, tally, cal, p, DETAINED, t)
        file_hearings(par, pe, p, DETAINED, t)
        schedule_detained_case(par, pe, cal, p, t)
    elif mpp.enrolled(inp, pe, p, t):  # returned to wait outside the United States (``mpp``)
        mpp.enroll(inp, par, pe, tally, court, p, t)
    else:
        if in_custody:
            why = c.FL_RELEASED_NO_BED_CONTESTED if detain else c.FL_RELEASED_ON_RECOGNIZANCE
            fl[pe.jur[p], history(pe, p), why] += 1
        move(pe, tally, p, c.COURT_NONDETAINED)
        file_case(inp, par, pe, tally, cal, p, RELEASED_KIND if in_custody else NEVER_DETAINED, t)
        file_hearings(par, pe, p, RELEASED_KIND if in_custody else NEVER_DETAINED, t)
        to_court(court, p, pe.t_arrive[p])


@jit
def schedule_detained_case(par, pe, cal, p, t) -> None:
    """The next event of detained case ``p`` filed today: its bond hearing or its readiness, whichever is first.

    ``pe.deadline`` holds the day of a scheduled bond hearing (-1: the event is the readiness).
    """
    ready = t + duration(par.detained_case_preparation_days[t])
    pe.deadline[p] = -1
    if chance(par.bond_hearing_probability[t, pe.klass[p]]):
        bond = t + duration(par.bond_hearing_days[t])
        if bond < ready:
            pe.deadline[p] = bond
            schedule(cal, p, bond)
            return
    schedule(cal, p, ready)


@jit
def detained_case_due(inp, par, pe, tally, cal, court, p, t) -> None:
    """The event of detained case ``p``: its bond hearing, or its readiness for the hearing that decides it."""
    if pe.deadline[p] != t:  # ready, at the same time of day it was filed
        pe.t_arrive[p] = t + (pe.t_arrive[p] - np.floor(pe.t_arrive[p]))
        to_court(court, p, pe.t_arrive[p])
        return
    pe.deadline[p] = -1
    fl = tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p)]
    fl[c.FL_BOND_HEARINGS] += 1
    if chance(par.bond_grant_probability[t, pe.klass[p]]):
        fl[c.FL_BONDS_GRANTED] += 1
        if chance(par.bond_posted_probability[t]):
            fl[c.FL_BONDS_POSTED] += 1
            free_bed(inp, pe, tally, p, t)
            move(pe, tally, p, c.COURT_NONDETAINED)
            release_on_bond(inp, par, pe, tally, cal, p, t)
            # the case joins the non-detained docket today, behind the cases already on it (kept in filing order)
            pe.day_in[p] = t
            pe.t_arrive[p] = t + np.random.random()
            to_court(court, p, pe.t_arrive[p])
            return
    schedule(cal, p, t + duration(par.detained_case_preparation_days[t]))


@jit_apart
def admit(inp, par, pe, tally, cal, court, p, channel, t) -> None:
    """An ICE arrest of ``p`` by ``channel``; decides the removal path."""
    j = pe.jur[p]
    k = pe.klass[p]
    fl = tally.flows[inp.month_of_day[t]]
    fl[j, history(pe, p), c.FL_ARRESTS_JAIL_HOLD + channel] += 1
    pe.flags[p] |= ICE_ARREST
    pe.channel[p] = channel
    custodial = channel <= c.CH_287G
    uof = par.use_of_force_probability_custodial[t] if custodial else par.use_of_force_probability_at_large[t]
    ass = par.assault_probability_custodial[t] if custodial else par.assault_probability_at_large[t]
    if np.random.random() < uof:
        fl[j, history(pe, p), c.FL_USE_OF_FORCE] += 1
    if np.random.random() < ass:
        fl[j, history(pe, p), c.FL_ASSAULTS_ON_OFFICERS] += 1
    if k // c.N_HISTORIES == c.FINAL_ORDER:
        start_removal(inp, par, pe, tally, cal, p, c.P_FINAL_ORDER, False, t)
    elif np.random.random() < par.expedited_removal_probability[t, k]:
        order_issued(inp, pe, p, t)
        start_removal(inp, par, pe, tally, cal, p, c.P_EXPEDITED, False, t)
    elif np.random.random() < par.reinstatement_probability[t, k]:
        order_issued(inp, pe, p, t)  # reinstated today: the person was not here under the order at a cohort's date
        start_removal(inp, par, pe, tally, cal, p, c.P_REINSTATED, False, t)
    elif np.random.random() < par.accept_removal_probability[t, k]:
        order_issued(inp, pe, p, t)
        start_removal(inp, par, pe, tally, cal, p, c.P_ACCEPTED, False, t)
    else:
        fl[j, history(pe, p), c.FL_NOTICES_TO_APPEAR] += 1
        detain = np.random.random() < par.detain_contested_probability[t, k]
        open_case(inp, par, pe, tally, cal, court, p, detain, True, t)


@jit_apart
def border_day(inp, par, pe, tally, cal, court, t) -> None:
    """Book-ins of people arrested at the border (not ICE interior arrests).

    Those not removed at once (expedited removal or reinstatement) contest, for
    example after a credible-fear claim, and are detained like recent entrants.
    """
    total = par.border_share[t].sum()
    if total <= 0.0:
        return
    share_cum = np.cumsum(par.border_share[t])
    for _ in range(poisson(par.border_book_ins_per_year[t] / YEAR)):
        j = pick_cumulative(share_cum, total)
        p = create(pe, tally, OUTSIDE, j, c.K_RECENT_NONE, draw_cohort(inp), c.O_BORDER, t)
        if np.random.random() < par.border_expedited_probability[t]:
            order_issued(inp, pe, p, t)
            start_removal(inp, par, pe, tally, cal, p, c.P_EXPEDITED, False, t)
        else:
            detain = np.random.random() < par.detain_contested_probability[t, c.K_RECENT_NONE]
            open_case(inp, par, pe, tally, cal, court, p, detain, True, t)


@jit
def free_bed(inp, pe, tally, p, t) -> None:
    tally.beds_used[0] -= 1
    fl = tally.flows[inp.month_of_day[t]]
    fl[pe.jur[p], history(pe, p), c.FL_DETENTION_EXITS] += 1
    fl[pe.jur[p], history(pe, p), c.FL_DETENTION_STAY_DAYS] += t - pe.since[p]
