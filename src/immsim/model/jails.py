"""Local jails: bookings, identification, detainers, the hold window and pickups.

A removable person booked into a jail is identified to ICE with some
probability (fingerprint sharing); if their class is eligible under the regime
in force, ICE may issue a detainer (MODEL.md mechanism 2). At normal release the
jurisdiction's policy on that day decides (mechanism 3):

- ``jail_287g``: local officers process the person and hand them to ICE;
- ``honor``: the jail holds the person up to the hold window (48 hours) for
  pickup; a share of its bookings may be in 287(g) jails;
- ``notify_only``: no hold; ICE is told the release time and may be there;
- ``decline_holds``: no hold and no routine notice; ICE rarely meets the release;
- ``no_contact``: nothing; the person is released.

Pickups in each field-office area are limited to jail officers x pickups per
officer per day, earliest deadline first. Whoever ICE does not pick up joins
the at-large pool as a known target.
"""

from __future__ import annotations

import numpy as np

from immsim.engine import buckets as bk
from immsim.engine.calendar import schedule
from immsim.engine.jit import jit
from immsim.engine.rng import duration, round_random
from immsim.model import codes as c
from immsim.model.community import draw_cohort, join_pool
from immsim.model.custody import admit
from immsim.model.people import COMMUNITY, DETAINER, HELD, KNOWN, create, move, to_community

YEAR = 365.0


@jit
def _book(inp, par, pe, tally, cal, p, t) -> None:
    j = pe.jur[p]
    k = pe.klass[p]
    fl = tally.flows[inp.month_of_day[t]]
    move(pe, tally, p, c.JAIL)
    pe.since[p] = t
    pe.flags[p] &= ~(DETAINER | HELD)
    fl[j, c.FL_BOOKINGS] += 1
    if np.random.random() < par.identification_probability[t]:
        fl[j, c.FL_IDENTIFIED] += 1
        issue = inp.eligible[t, k] * par.detainer_issue_probability[t, k]
        if np.random.random() < issue:
            pe.flags[p] |= DETAINER
            fl[j, c.FL_DETAINERS_ISSUED] += 1
    schedule(cal, p, t + duration(par.jail_stay_days[t, k]))


@jit
def bookings_day(inp, par, pe, tally, cal, pool, t) -> None:
    """Bookings from the community stock and from the known at-large pool."""
    J = tally.community.shape[0]
    for j in range(J):
        for k in range(c.N_CLASSES):
            rate = min(1.0, par.booking_rate[t, k] / YEAR)
            n = min(np.random.poisson(tally.community[j, k] * rate), tally.community[j, k])
            for _ in range(n):
                p = create(pe, tally, COMMUNITY, j, k, draw_cohort(inp), c.O_INTERIOR, t)
                _book(inp, par, pe, tally, cal, p, t)
            b = j * c.N_CLASSES + k
            for _ in range(np.random.binomial(pool.size[b], rate)):
                p = bk.pick(pool, b)
                bk.remove(pool, p)
                _book(inp, par, pe, tally, cal, p, t)


@jit
def release_to_pool(inp, pe, tally, pool, p, t):
    tally.flows[inp.month_of_day[t], pe.jur[p], c.FL_RELEASED_TO_AT_LARGE] += 1
    return join_pool(pe, tally, pool, p)


@jit
def release(inp, par, pe, tally, cal, court, pool, holds, p, t):
    """Normal release from jail of ``p``; returns (pool, holds), possibly grown."""
    j = pe.jur[p]
    fl = tally.flows[inp.month_of_day[t]]
    fl[j, c.FL_JAIL_RELEASES] += 1
    fl[j, c.FL_JAIL_STAY_DAYS] += t - pe.since[p]
    if not pe.flags[p] & DETAINER:
        if pe.flags[p] & KNOWN:
            pool = join_pool(pe, tally, pool, p)
        else:
            to_community(pe, tally, p)
        return pool, holds
    policy = inp.policy[t, j]
    if policy == c.JAIL_287G or (policy == c.HONOR and np.random.random() < par.share_287g_jails[t, j]):
        fl[j, c.FL_DETAINERS_HONORED] += 1
        admit(inp, par, pe, tally, cal, court, p, c.CH_287G, t)
        return pool, holds
    if policy == c.HONOR:
        pe.flags[p] |= HELD
        pe.deadline[p] = t + int(par.hold_window_days[t] + 0.5)
        move(pe, tally, p, c.HOLD)
        return pool, bk.add(holds, inp.jur_office[j], p)
    fl[j, c.FL_DETAINERS_DECLINED] += 1
    meet = 0.0
    if policy == c.NOTIFY_ONLY:
        meet = par.notify_pickup_probability[t]
    elif policy == c.DECLINE_HOLDS:
        meet = par.decline_pickup_probability[t]
    if np.random.random() < meet:
        pe.deadline[p] = t
        move(pe, tally, p, c.HOLD)
        return pool, bk.add(holds, inp.jur_office[j], p)
    return release_to_pool(inp, pe, tally, pool, p, t), holds


@jit
def pickups_day(inp, par, pe, tally, cal, court, pool, holds, t):
    """ICE jail officers pick people up, earliest deadline first, office by office."""
    fl = tally.flows[inp.month_of_day[t]]
    for f in range(holds.size.shape[0]):
        n = holds.size[f]
        if n == 0:
            continue
        waiting = holds.store[holds.start[f] : holds.start[f] + n].copy()
        order = np.argsort(pe.deadline[waiting], kind="mergesort")
        capacity = round_random(par.jail_officers[t, f] * par.pickups_per_officer_day[t])
        for i in order:
            p = waiting[i]
            held = pe.flags[p] & HELD
            if capacity > 0:
                capacity -= 1
                bk.remove(holds, p)
                if held:
                    fl[pe.jur[p], c.FL_DETAINERS_HONORED] += 1
                admit(inp, par, pe, tally, cal, court, p, c.CH_JAIL_HOLD if held else c.CH_JAIL_NOTIFIED, t)
            elif pe.deadline[p] <= t:
                bk.remove(holds, p)
                if held:
                    fl[pe.jur[p], c.FL_DETAINERS_NOT_PICKED_UP] += 1
                pool = release_to_pool(inp, pe, tally, pool, p, t)
    return pool, holds
