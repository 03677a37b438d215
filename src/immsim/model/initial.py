"""The state on the first simulated day: community, known targets, jails, detention, courts.

Initial stocks are set directly (not as flows): the ledger starts from them.
Each stock starts at a level consistent with the scenario's rates, so that
the first months of a run do not trend while stocks fill up: the jails hold
their steady-state population (bookings a day x mean stay, Poisson, each with
a detainer drawn as at booking and a remaining stay drawn from the same
memoryless law as a stay), known targets are a share of each class, detention
and the court docket are published figures.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from immsim.engine import buckets as bk
from immsim.engine import fifo
from immsim.engine.calendar import schedule
from immsim.engine.jit import jit
from immsim.engine.order import stable_order
from immsim.engine.rng import duration, pick_cumulative, reseed
from immsim.engine.unowned import unowned
from immsim.model import codes as c
from immsim.model.appearance import DETAINED, NEVER_DETAINED, RELEASED_KIND, file_case, file_supervised_case
from immsim.model.community import draw_cohort, join_pool
from immsim.model.custody import schedule_detained_case
from immsim.model.docket import enter
from immsim.model.hearings import file_hearings
from immsim.model.jails import book, booking_rate
from immsim.model.people import COMMUNITY, ICE_ARREST, OUTSIDE, create, move

S_INITIAL = 99


class Initial(NamedTuple):
    """The stocks on the first day, as the scenario compiler gives them (``scenario.compile.Compiled``).

    One argument for ``initialize`` instead of nine: a stock added here is
    named once, not threaded by position through every caller.
    """

    population: np.ndarray  # int64[J, C] removable people at start
    known_at_start: np.ndarray  # float64[C]: share of each class already known to ICE
    court_pending: int  # non-detained cases pending in court
    court_mean_age: float  # their mean age, days
    court_admin_closed: int  # administratively closed cases
    atd_participants: int  # of the pending cases, the youngest released respondents under ATD
    detained: int  # people in detention
    detained_court_share: float  # share of them with a case in court
    detained_border_share: float  # share of them booked in at the border
    detained_history_cum: np.ndarray  # float64[H]: cumulative shares of criminal history among interior detainees


@jit
def initialize(inp, par, world, pool, seed, init):
    """Fill ``world`` (a ``model.kernel.World``) from ``init`` (an ``Initial``); returns the pool of known targets."""
    pe, tally, cal, court = world
    # As in run_days: the caller keeps these arrays alive for the call, so they need no reference counting
    # (engine/unowned.py); every person made here goes through helpers that take the pool, millions of calls.
    pool, init = unowned((pool, init))
    reseed(seed, S_INITIAL, 0)
    J = init.population.shape[0]
    for j in range(J):  # a loop, not tally.community[:, :] = init.population: see engine/buckets.py _copy_note
        for k in range(c.N_CLASSES):
            tally.community[j, k] = init.population[j, k]
    pop_cum = np.cumsum(inp.pop_share)
    for j in range(J):
        for k in range(c.N_CLASSES):
            n = np.random.binomial(init.population[j, k], init.known_at_start[k])
            for _ in range(n):
                p = create(pe, tally, COMMUNITY, j, k, draw_cohort(inp), c.O_INTERIOR, 0)
                pool = join_pool(pe, tally, pool, p)
    for j in range(J):
        for k in range(c.N_CLASSES):
            booked = k - c.H_NONE + c.H_PENDING if k % c.N_HISTORIES == c.H_NONE else k  # a booking adds charges
            stay = par.jail_stay_days[0, booked]
            rate = booking_rate(par, j, k, 0)
            n = min(np.random.poisson(tally.community[j, k] * rate * stay), tally.community[j, k])
            for _ in range(n):
                p = create(pe, tally, COMMUNITY, j, k, draw_cohort(inp), c.O_INTERIOR, 0)
                book(inp, par, pe, tally, cal, p, 0, True)
                pe.since[p] = 1 - duration(stay)  # time already served: the same law as what remains
            b = j * c.N_CLASSES + k  # known targets are booked at the same rate
            n = min(np.random.poisson(pool.size[b] * rate * stay), pool.size[b])
            for _ in range(n):
                p = bk.pick(pool, b)
                bk.remove(pool, p)
                book(inp, par, pe, tally, cal, p, 0, True)
                pe.since[p] = 1 - duration(stay)
    for _ in range(init.detained):
        j = pick_cumulative(pop_cum, 1.0)
        border = np.random.random() < init.detained_border_share
        origin = c.O_BORDER if border else c.O_INTERIOR
        in_court = np.random.random() < init.detained_court_share
        # interior detainees on a removal path hold final orders; those in court do not yet
        h = pick_cumulative(init.detained_history_cum, 1.0)
        status = c.RECENT if border else (c.OTHER_STATUS if in_court else c.FINAL_ORDER)
        klass = c.K_RECENT_NONE if border else status * c.N_HISTORIES + h
        p = create(pe, tally, OUTSIDE, j, klass, draw_cohort(inp), origin, 0)
        tally.beds_used[0] += 1
        pe.since[p] = 0
        if not border:
            pe.flags[p] |= ICE_ARREST
        if in_court:
            pe.day_in[p] = -int(np.random.random() * par.detained_case_preparation_days[0])
            pe.t_arrive[p] = pe.day_in[p] + np.random.random()
            move(pe, tally, p, c.DETAINED_COURT)
            file_case(inp, par, pe, tally, cal, p, DETAINED, 0)
            file_hearings(par, pe, p, DETAINED, 0)
            schedule_detained_case(par, pe, cal, p, 0)
        else:
            path = c.P_EXPEDITED if border else c.P_FINAL_ORDER
            pe.path[p] = path
            move(pe, tally, p, c.DETAINED_REMOVAL)
            schedule(cal, p, duration(par.removal_processing_days[0, path]))
    ages = np.empty(init.court_pending)  # np.random.exponential(mean age, number), one draw at a time
    for i in range(init.court_pending):
        ages[i] = np.random.exponential(init.court_mean_age)
    oldest_first = stable_order(ages)[::-1]  # np.sort(ages)[::-1], with the model's one compiled sort
    supervised_from = init.court_pending - init.atd_participants  # the youngest cases, last of the backlog
    for i in range(init.court_pending):
        j = pick_cumulative(pop_cum, 1.0)
        p = create(pe, tally, OUTSIDE, j, c.K_RECENT_NONE, draw_cohort(inp), c.O_COURT_EXTERNAL, 0)
        move(pe, tally, p, c.COURT_NONDETAINED)
        if i >= supervised_from:  # under ATD at start: released respondents (``supervision``)
            file_supervised_case(inp, par, pe, tally, cal, p, 0)
            file_hearings(par, pe, p, RELEASED_KIND, 0)
        else:  # the backlog's kinds are not published: taken as never detained
            file_case(inp, par, pe, tally, cal, p, NEVER_DETAINED, 0)
            file_hearings(par, pe, p, NEVER_DETAINED, 0)
        pe.t_arrive[p] = -ages[oldest_first[i]]
        pe.day_in[p] = int(np.floor(pe.t_arrive[p]))
        fifo.push(court.ndq, court.ndq_ends, p)
        enter(court, pe.day_in[p])
    for _ in range(init.court_admin_closed):
        j = pick_cumulative(pop_cum, 1.0)
        p = create(pe, tally, OUTSIDE, j, c.K_RECENT_NONE, draw_cohort(inp), c.O_COURT_EXTERNAL, 0)
        move(pe, tally, p, c.ADMIN_CLOSED)
        file_case(inp, par, pe, tally, cal, p, NEVER_DETAINED, 0)
        file_hearings(par, pe, p, NEVER_DETAINED, 0)
        fifo.push(court.closed, court.closed_ends, p)
    # What exists now is the initial stock, not a flow.
    tally.moves[:] = 0
    tally.reclassed[:] = 0
    open_at_start = tally.flows[0, :, :, c.FL_DETAINERS_ISSUED].copy()
    tally.flows[:] = 0.0
    for j in range(J):  # loops, not an array assignment: see engine/buckets.py _copy_note
        for h in range(c.N_HISTORIES):
            tally.flows[0, j, h, c.FL_DETAINERS_OPEN_AT_START] = open_at_start[j, h]
    for h in range(c.N_HISTORIES):
        for s in range(c.N_STATES):
            tally.initial[h, s] = tally.live[:, h, s].sum()
    for k in range(c.N_CLASSES):
        tally.initial[k % c.N_HISTORIES, COMMUNITY] += tally.community[:, k].sum()
    return pool
