"""Local jails: bookings, identification, detainers, the hold window and pickups.

A removable person booked into a jail is identified to ICE with some
probability (fingerprint sharing); if their class is eligible under the regime
in force, ICE may issue a detainer (docs/model.md, mechanism 2). A booking of a
person with no conviction records pending charges (criminal history
``pending``). At normal release, the jurisdiction's policy on that day gives
the action for the person's criminal history (mechanism 3,
``scenario.policies``):

- ``transfer_287g``: local officers process the person and hand them to ICE;
- ``hold``: the jail holds the person up to the hold window (48 hours) for
  pickup; a share of bookings may be in 287(g) jails;
- ``notify``: no hold; ICE is told the release time and may be there;
- ``decline``: no hold and no routine notice; ICE rarely meets the release;
- ``no_contact``: nothing; the person is released.

A policy that requires a judicial warrant holds or transfers only when ICE
brings one, and declines otherwise. Pickups in each field-office area are
limited to the office's jail officers (``staffing``) x pickups per officer per
day, earliest deadline first. Whoever ICE does not pick up joins the at-large
pool as a known target.
"""

from __future__ import annotations

import numpy as np

from immsim.engine import buckets as bk
from immsim.engine.calendar import schedule
from immsim.engine.jit import jit, jit_apart
from immsim.engine.order import stable_order
from immsim.engine.rng import duration, round_random
from immsim.model import codes as c
from immsim.model.community import draw_cohort, join_pool
from immsim.model.custody import admit
from immsim.model.people import COMMUNITY, DETAINER, HELD, KNOWN, create, history, move, set_history, to_community

YEAR = 365.0


@jit
def book(inp, par, pe, tally, cal, p, t, in_jail_already) -> None:
    """``p`` is booked into the jail of its jurisdiction on day ``t`` (identification, detainer, stay).

    ``in_jail_already`` marks the jail population the run starts with: a stay still to serve from the start of
    day ``t`` may end on that day, so the release comes a day earlier than a new booking's (whose stay is at
    least one day); without it, no one would leave the jails on the first day.
    """
    j = pe.jur[p]
    move(pe, tally, p, c.JAIL)
    if history(pe, p) == c.H_NONE:
        set_history(pe, tally, p, c.H_PENDING)
    k = pe.klass[p]
    fl = tally.flows[inp.month_of_day[t], j, history(pe, p)]
    pe.since[p] = t
    pe.flags[p] &= ~(DETAINER | HELD)
    fl[c.FL_BOOKINGS] += 1
    if np.random.random() < par.identification_probability[t]:
        fl[c.FL_IDENTIFIED] += 1
        issue = inp.eligible[t, k] * par.detainer_issue_probability[t, k]
        if np.random.random() < issue:
            pe.flags[p] |= DETAINER
            fl[c.FL_DETAINERS_ISSUED] += 1
    schedule(cal, p, t + duration(par.jail_stay_days[t, k]) - (1 if in_jail_already else 0))


@jit
def booking_rate(par, j, k, t) -> float:
    """Daily probability that a person of class ``k`` in jurisdiction ``j`` is booked on day ``t``."""
    rate = par.booking_rate[t, k] * par.booking_rate_factor[t, j]
    if k % c.N_HISTORIES == c.H_NONE:
        rate *= par.no_record_booking_factor[t]
    return min(1.0, rate / YEAR)


@jit_apart
def bookings_day(inp, par, pe, tally, cal, pool, t) -> None:
    """Bookings from the community stock and from the known at-large pool."""
    J = tally.community.shape[0]
    for j in range(J):
        for k in range(c.N_CLASSES):
            rate = booking_rate(par, j, k, t)
            n = min(np.random.poisson(tally.community[j, k] * rate), tally.community[j, k])
            for _ in range(n):
                p = create(pe, tally, COMMUNITY, j, k, draw_cohort(inp), c.O_INTERIOR, t)
                book(inp, par, pe, tally, cal, p, t, False)
            b = j * c.N_CLASSES + k
            for _ in range(np.random.binomial(pool.size[b], rate)):
                p = bk.pick(pool, b)
                bk.remove(pool, p)
                book(inp, par, pe, tally, cal, p, t, False)


@jit_apart
def release_to_pool(inp, par, pe, tally, pool, p, t):
    """A person with a detainer released to the community: a known target, and work for the at-large teams."""
    tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p), c.FL_RELEASED_TO_AT_LARGE] += 1
    tally.workload[inp.jur_office[pe.jur[p]], 1] += 1.0 / par.reallocation_days[t]
    return join_pool(pe, tally, pool, p)


@jit
def _to_pickup(inp, par, tally, holds, j, p, t):
    tally.workload[inp.jur_office[j], 0] += 1.0 / par.reallocation_days[t]
    return bk.add(holds, inp.jur_office[j], p)


@jit_apart
def release(inp, par, pe, tally, cal, court, pool, holds, p, t):
    """Normal release from jail of ``p``; returns (pool, holds), possibly grown."""
    j = pe.jur[p]
    h = history(pe, p)
    fl = tally.flows[inp.month_of_day[t], j, h]
    fl[c.FL_JAIL_RELEASES] += 1
    fl[c.FL_JAIL_STAY_DAYS] += t - pe.since[p]
    if not pe.flags[p] & DETAINER:
        if pe.flags[p] & KNOWN:
            pool = join_pool(pe, tally, pool, p)
        else:
            to_community(pe, tally, p)
        return pool, holds
    policy = inp.policy[t, j]
    act = inp.policy_action[policy, h]
    if act >= c.A_HOLD and inp.policy_warrant[policy] and np.random.random() >= par.judicial_warrant_probability[t]:
        act = c.A_DECLINE
    if act == c.A_287G or (act == c.A_HOLD and np.random.random() < par.share_287g_jails[t, j]):
        fl[c.FL_DETAINERS_HONORED] += 1
        admit(inp, par, pe, tally, cal, court, p, c.CH_287G, t)
        return pool, holds
    if act == c.A_HOLD:
        pe.flags[p] |= HELD
        pe.deadline[p] = t + int(par.hold_window_days[t] + 0.5)
        move(pe, tally, p, c.HOLD)
        return pool, _to_pickup(inp, par, tally, holds, j, p, t)
    fl[c.FL_DETAINERS_DECLINED] += 1
    meet = 0.0
    if act == c.A_NOTIFY:
        meet = par.notify_pickup_probability[t]
    elif act == c.A_DECLINE:
        meet = par.decline_pickup_probability[t]
    if np.random.random() < meet:
        pe.deadline[p] = t
        move(pe, tally, p, c.HOLD)
        return pool, _to_pickup(inp, par, tally, holds, j, p, t)
    return release_to_pool(inp, par, pe, tally, pool, p, t), holds


@jit_apart
def pickups_day(inp, par, pe, tally, cal, court, pool, holds, t):
    """ICE jail officers pick people up, earliest deadline first, office by office."""
    fl = tally.flows[inp.month_of_day[t]]
    for f in range(holds.size.shape[0]):
        n = holds.size[f]
        if n == 0:
            continue
        waiting = holds.store[holds.start[f] : holds.start[f] + n].copy()
        order = stable_order(pe.deadline[waiting].astype(np.float64))  # earliest first, ties as stored
        capacity = round_random(tally.staff[f, 0] * par.pickups_per_officer_day[t])
        for i in order:
            p = waiting[i]
            held = pe.flags[p] & HELD
            if capacity > 0:
                capacity -= 1
                bk.remove(holds, p)
                if held:
                    fl[pe.jur[p], history(pe, p), c.FL_DETAINERS_HONORED] += 1
                admit(inp, par, pe, tally, cal, court, p, c.CH_JAIL_HOLD if held else c.CH_JAIL_NOTIFIED, t)
            elif pe.deadline[p] <= t:
                bk.remove(holds, p)
                if held:
                    fl[pe.jur[p], history(pe, p), c.FL_DETAINERS_NOT_PICKED_UP] += 1
                pool = release_to_pool(inp, par, pe, tally, pool, p, t)
    return pool, holds
