"""The community: the stock of removable people and the known at-large pool.

The community at large is a stock per jurisdiction and class; people enter the
simulation one by one only when they enter the pipeline. Each day the stock
loses people who leave (emigration, change of status), gains new entrants
(recent entrants with no record), recent entrants stop counting as recent
(status ``other``, same criminal history), people with no conviction, in the
stock or known at large, are convicted at a rate (``convict``,
``convict_known``), and some people become known to ICE as at-large targets
(leads). Known targets leave at their own rate.
"""

from __future__ import annotations

import numpy as np

from immsim.engine import buckets as bk
from immsim.engine.jit import jit, jit_apart
from immsim.engine.rng import pick_cumulative, pick_weighted, poisson
from immsim.model import codes as c
from immsim.model.people import COMMUNITY, KNOWN, OUTSIDE, create, history, move, set_history

YEAR = 365.0


@jit_apart
def draw_cohort(inp) -> int:
    """Cohort of a newly individualized person (0 = none)."""
    k = inp.cohort_share.shape[0]
    if k <= 1:
        return 0
    return pick_weighted(inp.cohort_share, inp.cohort_share.sum())


@jit
def order_issued(inp, pe, p, t) -> None:
    """A removal order for ``p`` is issued on day ``t``: after a closed cohort's date, ``p`` is not in it.

    A closed cohort (``orders_by``) is the group with orders on that date, as
    the court defined its class; people with later orders are outside it. An
    order held when entering the simulation (status ``final_order``) was issued
    before the run and keeps the person's cohort.
    """
    k = pe.cohort[p]
    if k > 0 and t > inp.cohort_closes[k]:
        pe.cohort[p] = 0


@jit
def pool_bucket(pe, p) -> int:
    return pe.jur[p] * c.N_CLASSES + pe.klass[p]


@jit_apart
def join_pool(pe, tally, pool, p):
    """Make ``p`` a known at-large target; returns the (possibly grown) pool."""
    move(pe, tally, p, c.AT_LARGE)
    pe.flags[p] |= KNOWN
    return bk.add(pool, pool_bucket(pe, p), p)


@jit
def convict(inp, par, tally, j, t) -> None:
    """People of jurisdiction ``j`` with no conviction are convicted, each status apart.

    Enforcement takes convicted people out of the community faster than others
    (more bookings, detainers, at-large priority), so without new convictions
    the convicted stock would only shrink: by about a quarter a year at
    FY2017's rates. With a rate of 0 (the default) nothing is drawn.
    """
    rate = par.conviction_rate[t]
    if rate <= 0.0:
        return
    q = min(1.0, rate / YEAR)
    serious = par.serious_share_of_convictions[t]
    for s in range(c.N_STATUSES):
        k = s * c.N_HISTORIES + c.H_NONE
        n = np.random.binomial(tally.community[j, k], q)
        if n == 0:
            continue
        ns = np.random.binomial(n, serious)
        tally.community[j, k] -= n
        tally.community[j, s * c.N_HISTORIES + c.H_SERIOUS] += ns
        tally.community[j, s * c.N_HISTORIES + c.H_LESSER] += n - ns
        tally.reclassed[c.H_NONE, c.H_SERIOUS, COMMUNITY] += ns
        tally.reclassed[c.H_NONE, c.H_LESSER, COMMUNITY] += n - ns
        fl = tally.flows[inp.month_of_day[t], j]
        fl[c.H_SERIOUS, c.FL_CONVICTIONS] += ns
        fl[c.H_LESSER, c.FL_CONVICTIONS] += n - ns


@jit_apart
def convict_known(inp, par, pe, tally, pool, t):
    """Known targets at large with no conviction are convicted at the community's rate; returns the pool.

    Most of the pool are fugitives (final orders, all known to ICE), who
    are convicted as often as anyone else; without this, at-large teams
    emptied the pool of convicted fugitives within a few years.
    """
    rate = par.conviction_rate[t]
    if rate <= 0.0:
        return pool
    q = min(1.0, rate / YEAR)
    serious = par.serious_share_of_convictions[t]
    m = inp.month_of_day[t]
    for b in range(pool.size.shape[0]):
        if (b % c.N_CLASSES) % c.N_HISTORIES != c.H_NONE:
            continue
        for _ in range(np.random.binomial(pool.size[b], q)):
            p = bk.pick(pool, b)
            bk.remove(pool, p)
            h = c.H_SERIOUS if np.random.random() < serious else c.H_LESSER
            set_history(pe, tally, p, h)
            tally.flows[m, pe.jur[p], h, c.FL_CONVICTIONS] += 1
            pool = bk.add(pool, pool_bucket(pe, p), p)
    return pool


@jit_apart
def community_day(inp, par, pe, tally, pool, t):
    J = tally.community.shape[0]
    fl = tally.flows[inp.month_of_day[t]]
    for j in range(J):
        for k in range(c.N_CLASSES):
            n = tally.community[j, k]
            if n <= 0:
                continue
            h = k % c.N_HISTORIES
            gone = np.random.binomial(n, min(1.0, par.community_departure_rate[t, k] / YEAR))
            tally.community[j, k] -= gone
            tally.moves[h, COMMUNITY, OUTSIDE] += gone
            fl[j, h, c.FL_DEPARTURES] += gone
            leads = np.random.binomial(n - gone, min(1.0, par.lead_rate[t, k] / YEAR))
            fl[j, h, c.FL_LEADS] += leads
            for _ in range(leads):
                p = create(pe, tally, COMMUNITY, j, k, draw_cohort(inp), c.O_INTERIOR, t)
                pool = join_pool(pe, tally, pool, p)
        convict(inp, par, tally, j, t)
        for h in range(c.N_HISTORIES):
            recent = c.RECENT * c.N_HISTORIES + h
            aging = np.random.binomial(tally.community[j, recent], min(1.0, par.recent_entrant_aging_rate[t] / YEAR))
            tally.community[j, recent] -= aging
            tally.community[j, c.OTHER_STATUS * c.N_HISTORIES + h] += aging
    new = poisson(par.new_entrants_per_year[t] / YEAR)
    pop_cum = np.cumsum(inp.pop_share)
    for _ in range(new):
        j = pick_cumulative(pop_cum, 1.0)
        tally.community[j, c.K_RECENT_NONE] += 1
        tally.moves[c.H_NONE, OUTSIDE, COMMUNITY] += 1
    pool = convict_known(inp, par, pe, tally, pool, t)
    # known targets who leave
    rate = min(1.0, par.at_large_departure_rate[t] / YEAR)
    for b in range(pool.size.shape[0]):
        gone = np.random.binomial(pool.size[b], rate)
        for _ in range(gone):
            p = bk.pick(pool, b)
            bk.remove(pool, p)
            move(pe, tally, p, c.DEPARTED)
            fl[pe.jur[p], history(pe, p), c.FL_DEPARTURES] += 1
    return pool
