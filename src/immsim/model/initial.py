"""The state on the first simulated day: community, known targets, detention, courts.

Initial stocks are set directly (not as flows): the ledger starts from them.
"""

from __future__ import annotations

import numpy as np

from immsim.engine import fifo
from immsim.engine.calendar import schedule
from immsim.engine.jit import jit
from immsim.engine.rng import duration, pick_cumulative, reseed
from immsim.model import codes as c
from immsim.model.community import draw_cohort, join_pool
from immsim.model.people import COMMUNITY, ICE_ARREST, OUTSIDE, create, move

S_INITIAL = 99


@jit
def initialize(
    inp,
    par,
    pe,
    tally,
    cal,
    court,
    pool,
    seed,
    population,
    known_at_start,
    court_pending,
    court_mean_age,
    court_admin_closed,
    detained,
    detained_court_share,
    detained_border_share,
):
    """Fill the world; ``population`` is int64[J, C] removable people at start."""
    reseed(seed, S_INITIAL, 0)
    J = population.shape[0]
    for j in range(J):  # a loop, not tally.community[:, :] = population: see engine/buckets.py _copy_note
        for k in range(c.N_CLASSES):
            tally.community[j, k] = population[j, k]
    pop_cum = np.cumsum(inp.pop_share)
    for j in range(J):
        for k in range(c.N_CLASSES):
            n = np.random.binomial(population[j, k], known_at_start[k])
            for _ in range(n):
                p = create(pe, tally, COMMUNITY, j, k, draw_cohort(inp), c.O_INTERIOR, 0)
                pool = join_pool(pe, tally, pool, p)
    for _ in range(detained):
        j = pick_cumulative(pop_cum, 1.0)
        border = np.random.random() < detained_border_share
        origin = c.O_BORDER if border else c.O_INTERIOR
        in_court = np.random.random() < detained_court_share
        # interior detainees on a removal path hold final orders; those in court do not yet
        klass = c.RECENT if border else (c.OTHER_CRIMINAL if in_court else c.FUGITIVE)
        p = create(pe, tally, OUTSIDE, j, klass, draw_cohort(inp), origin, 0)
        tally.beds_used[0] += 1
        pe.since[p] = 0
        if not border:
            pe.flags[p] |= ICE_ARREST
        if in_court:
            pe.day_in[p] = -int(np.random.random() * par.detained_case_preparation_days[0])
            pe.t_arrive[p] = pe.day_in[p] + np.random.random()
            move(pe, tally, p, c.DETAINED_COURT)
            schedule(cal, p, duration(par.detained_case_preparation_days[0]))
        else:
            path = c.P_EXPEDITED if border else c.P_FINAL_ORDER
            pe.path[p] = path
            move(pe, tally, p, c.DETAINED_REMOVAL)
            schedule(cal, p, duration(par.removal_processing_days[0, path]))
    ages = np.sort(np.random.exponential(court_mean_age, court_pending))[::-1]
    for i in range(court_pending):
        j = pick_cumulative(pop_cum, 1.0)
        p = create(pe, tally, OUTSIDE, j, c.RECENT, draw_cohort(inp), c.O_COURT_EXTERNAL, 0)
        move(pe, tally, p, c.COURT_NONDETAINED)
        pe.t_arrive[p] = -ages[i]
        pe.day_in[p] = int(np.floor(pe.t_arrive[p]))
        fifo.push(court.ndq, court.ndq_ends, p)
    for _ in range(court_admin_closed):
        j = pick_cumulative(pop_cum, 1.0)
        p = create(pe, tally, OUTSIDE, j, c.RECENT, draw_cohort(inp), c.O_COURT_EXTERNAL, 0)
        move(pe, tally, p, c.ADMIN_CLOSED)
        fifo.push(court.closed, court.closed_ends, p)
    # What exists now is the initial stock, not a flow.
    tally.moves[:, :] = 0
    for s in range(c.N_STATES):
        tally.initial[s] = tally.live[:, s].sum()
    tally.initial[COMMUNITY] = tally.community.sum()
    return pool
