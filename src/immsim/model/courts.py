"""Immigration courts: two dockets, judge capacity, outcomes (mechanism 8).

Cases arrive from ICE arrests (people who contest), from border book-ins, and
from outside the interior pipeline (an input series). Detained cases become
ready for hearing after a preparation time and are heard first; non-detained
cases wait first-in, first-out in the backlog. Each day judges complete
judges x completions per judge per year / 365 cases. A non-detained
respondent who does not appear is ordered removed in absentia and joins the
at-large pool as a fugitive; detained removal orders go to removal; relief and
termination leave the system.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from immsim.engine import fifo
from immsim.engine.rng import pick_weighted, poisson, round_random
from immsim.model import codes as c
from immsim.model.community import draw_cohort, join_pool
from immsim.model.custody import free_bed, open_case, start_removal
from immsim.model.people import OUTSIDE, create, move

YEAR = 365.0


@nb.njit(cache=True)
def external_receipts_day(inp, par, pe, tally, cal, ndq, ndq_ends, t) -> None:
    fl = tally.flows[inp.month_of_day[t]]
    for _ in range(poisson(par.external_court_receipts_per_year[t] / YEAR)):
        j = pick_weighted(inp.pop_share, 1.0)
        p = create(pe, tally, OUTSIDE, j, c.RECENT, draw_cohort(inp), c.O_COURT_EXTERNAL, t)
        fl[j, c.FL_COURT_RECEIPTS_EXTERNAL] += 1
        detain = np.random.random() < par.external_detained_share[t]
        open_case(inp, par, pe, tally, cal, ndq, ndq_ends, p, detain, t)


@nb.njit(cache=True)
def _complete_detained(inp, par, pe, tally, cal, p, t) -> None:
    fl = tally.flows[inp.month_of_day[t]]
    if np.random.random() < par.removal_order_probability_detained[t]:
        fl[pe.jur[p], c.FL_REMOVAL_ORDERS] += 1
        start_removal(inp, par, pe, tally, cal, p, c.P_COURT_ORDER, True, t)
    else:
        fl[pe.jur[p], c.FL_RELIEF_OR_TERMINATION] += 1
        free_bed(tally)
        move(pe, tally, p, c.RELIEF)


@nb.njit(cache=True)
def _complete_nondetained(inp, par, pe, tally, pool, p, t):
    fl = tally.flows[inp.month_of_day[t]]
    j = pe.jur[p]
    if np.random.random() < par.no_show_probability[t]:
        fl[j, c.FL_IN_ABSENTIA_ORDERS] += 1
        fl[j, c.FL_REMOVAL_ORDERS] += 1
        pe.klass[p] = c.FUGITIVE
        return join_pool(pe, tally, pool, p)
    if np.random.random() < par.removal_order_probability_nondetained[t]:
        fl[j, c.FL_REMOVAL_ORDERS] += 1
        if np.random.random() < par.order_compliance_probability[t]:
            fl[j, c.FL_DEPARTURES] += 1
            move(pe, tally, p, c.DEPARTED)
            return pool
        pe.klass[p] = c.FUGITIVE
        return join_pool(pe, tally, pool, p)
    fl[j, c.FL_RELIEF_OR_TERMINATION] += 1
    move(pe, tally, p, c.RELIEF)
    return pool


@nb.njit(cache=True)
def hearings_day(inp, par, pe, tally, cal, detq, detq_ends, ndq, ndq_ends, pool, t):
    """Complete today's cases: detained docket first, then the backlog in order."""
    fl = tally.flows[inp.month_of_day[t]]
    capacity = round_random(par.immigration_judges[t] * par.completions_per_judge_year[t] / YEAR)
    while capacity > 0 and fifo.length(detq_ends) > 0:
        p = fifo.pop(detq, detq_ends)
        capacity -= 1
        fl[pe.jur[p], c.FL_COURT_COMPLETIONS] += 1
        fl[pe.jur[p], c.FL_COURT_COMPLETIONS_DETAINED] += 1
        fl[pe.jur[p], c.FL_DAYS_PENDING_AT_COMPLETION] += t - pe.day_in[p]
        _complete_detained(inp, par, pe, tally, cal, p, t)
    while capacity > 0 and fifo.length(ndq_ends) > 0:
        p = fifo.pop(ndq, ndq_ends)
        capacity -= 1
        fl[pe.jur[p], c.FL_COURT_COMPLETIONS] += 1
        fl[pe.jur[p], c.FL_DAYS_PENDING_AT_COMPLETION] += t - pe.day_in[p]
        pool = _complete_nondetained(inp, par, pe, tally, pool, p, t)
    return pool


@nb.njit(cache=True)
def median_days_pending(pe, detq, detq_ends, ndq, ndq_ends, t) -> float:
    """Median age of the cases waiting for a hearing on both dockets."""
    a = detq[detq_ends[0] : detq_ends[1]]
    b = ndq[ndq_ends[0] : ndq_ends[1]]
    n = a.shape[0] + b.shape[0]
    if n == 0:
        return 0.0
    ages = np.empty(n)
    for i in range(a.shape[0]):
        ages[i] = t - pe.day_in[a[i]]
    for i in range(b.shape[0]):
        ages[a.shape[0] + i] = t - pe.day_in[b[i]]
    return np.median(ages)
