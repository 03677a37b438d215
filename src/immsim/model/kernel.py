"""The daily loop: runs every mechanism in a fixed order, day after day.

Order within a day: ICE sets its officers per office (``staffing``), the
community changes, jails book people, due events fire
(jail releases, removals, detained cases becoming ready), ICE picks people up
at jails, community operations arrest, border book-ins and external court
cases arrive, judges hear cases, ended injunctions release their stays, and at
month end the stocks are recorded. Each mechanism draws from its own random
stream re-seeded per day (``engine.rng``), so scenarios compared with the same
seed share their random numbers mechanism by mechanism.

Every day function is compiled apart (``engine.jit.jit_apart``): ``run_days``
calls each by name instead of compiling the whole model again into one
function, so a cold start compiles the day functions side by side.

``run_days`` stops early, returning the day it reached, when the person table
is nearly full; the Python driver grows the arrays and calls it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from immsim.engine.calendar import take_day
from immsim.engine.jit import jit, jit_apart
from immsim.engine.rng import reseed
from immsim.engine.unowned import unowned
from immsim.model import codes as c
from immsim.model.community import community_day
from immsim.model.courts import external_receipts_day, hearings_day, median_days_pending, recalendar_day
from immsim.model.custody import border_day, detained_case_due
from immsim.model.jails import bookings_day, pickups_day, release
from immsim.model.operations import at_large_day, task_force_day, worksite_day
from immsim.model.removals import lift_stays_day, removal_due
from immsim.model.staffing import staff_day
from immsim.model.supervision import end_supervision

if TYPE_CHECKING:
    from immsim.engine.buckets import Buckets
    from immsim.engine.bundle import Bundle

# random streams, one per mechanism
S_COMMUNITY, S_JAILS, S_EVENTS, S_PICKUPS, S_AT_LARGE, S_TASK_FORCE, S_WORKSITE, S_BORDER, S_COURT_IN, S_HEARINGS = (
    range(10)
)


class World(NamedTuple):
    """What every day reads and writes, each as one bundle (engine/bundle.py)."""

    pe: Bundle  # people (model.people.People)
    tally: Bundle  # counters (model.people.Tally)
    cal: Bundle  # the calendar of due events
    court: Bundle  # judges and dockets (model.docket.Court)


class Stores(NamedTuple):
    """The bucket stores (engine/buckets.py) a day may replace when one of them grows; returned by ``run_days``."""

    pool: Buckets  # known targets at large, by (jurisdiction, class)
    holds: Buckets  # people waiting for ICE pickup, by office
    stayed: Buckets  # removals stayed by an injunction, by cohort


@jit_apart
def _events_day(inp, par, pe, tally, cal, court, pool, holds, stayed, t):
    for p in take_day(cal, t):
        s = pe.state[p]
        if s == c.JAIL:
            pool, holds = release(inp, par, pe, tally, cal, court, pool, holds, p, t)
        elif s == c.DETAINED_REMOVAL or s == c.RELEASED_REMOVAL:
            pool, stayed = removal_due(inp, par, pe, tally, cal, pool, stayed, p, t)
        elif s == c.DETAINED_COURT:  # a bond hearing, or the case is ready for hearing
            detained_case_due(inp, par, pe, tally, cal, court, p, t)
        elif s == c.COURT_NONDETAINED:  # ICE ends the respondent's supervision (alternatives to detention)
            end_supervision(inp, pe, tally, cal, p, t)
    return pool, holds, stayed


@jit_apart
def _month_end(inp, par, pe, tally, court, t) -> None:
    m = inp.month_of_day[t]
    J = tally.live.shape[0]
    for j in range(J):
        for h in range(c.N_HISTORIES):
            for s in range(c.N_STOCKS - 1):
                tally.stocks[m, j, h, s] = tally.live[j, h, s]
        for k in range(c.N_CLASSES):
            tally.stocks[m, j, k % c.N_HISTORIES, c.K_COMMUNITY] += tally.community[j, k]
    na = tally.national[m]
    pending_det = tally.live[:, :, c.DETAINED_COURT].sum()
    na[c.NA_COURT_PENDING] = pending_det + tally.live[:, :, c.COURT_NONDETAINED].sum() + tally.live[:, :, c.MPP].sum()
    na[c.NA_COURT_PENDING_DETAINED] = pending_det
    na[c.NA_MEDIAN_DAYS_PENDING] = median_days_pending(pe, court, t)
    na[c.NA_BEDS_USED] = tally.beds_used[0]
    na[c.NA_DETENTION_BEDS] = par.detention_beds[t]
    na[c.NA_ATD_USED] = tally.atd_used[0]
    na[c.NA_ATD_SLOTS] = par.atd_slots[t]


@jit
def run_days(inp, par, world, stores, seed, t0, t1, headroom):
    """Simulate days t0 .. t1-1 of ``world`` (a ``World``); returns the day reached and the ``Stores``."""
    pe, tally, cal, court = world
    pool, holds, stayed = stores
    capacity = pe.state.shape[0]
    # The caller keeps these arrays alive for the whole call, so they need no reference counting
    # (engine/unowned.py). A bucket store grown during the call is allocated here and counted as usual.
    inp, par, pe, tally, cal, court = unowned((inp, par, pe, tally, cal, court))
    pool, holds, stayed = unowned((pool, holds, stayed))
    for t in range(t0, t1):
        if pe.count[0] + headroom > capacity:
            return t, Stores(pool, holds, stayed)
        staff_day(inp, par, tally, t)
        reseed(seed, S_COMMUNITY, t)
        pool = community_day(inp, par, pe, tally, pool, t)
        reseed(seed, S_JAILS, t)
        bookings_day(inp, par, pe, tally, cal, pool, t)
        reseed(seed, S_EVENTS, t)
        pool, holds, stayed = _events_day(inp, par, pe, tally, cal, court, pool, holds, stayed, t)
        reseed(seed, S_PICKUPS, t)
        pool, holds = pickups_day(inp, par, pe, tally, cal, court, pool, holds, t)
        reseed(seed, S_AT_LARGE, t)
        at_large_day(inp, par, pe, tally, cal, court, pool, t)
        reseed(seed, S_TASK_FORCE, t)
        task_force_day(inp, par, pe, tally, cal, court, t)
        reseed(seed, S_WORKSITE, t)
        worksite_day(inp, par, pe, tally, cal, court, t)
        reseed(seed, S_BORDER, t)
        border_day(inp, par, pe, tally, cal, court, t)
        reseed(seed, S_COURT_IN, t)
        external_receipts_day(inp, par, pe, tally, cal, court, t)
        reseed(seed, S_HEARINGS, t)
        recalendar_day(inp, par, pe, tally, court, t)
        pool = hearings_day(inp, par, pe, tally, cal, court, pool, t)
        lift_stays_day(inp, par, pe, tally, cal, stayed, t)
        na = tally.national[inp.month_of_day[t]]
        na[c.NA_DETENTION_BED_DAYS] += tally.beds_used[0]
        na[c.NA_ATD_PARTICIPANT_DAYS] += tally.atd_used[0]
        na[c.NA_JAIL_PERSON_DAYS] += tally.live[:, :, c.JAIL].sum()
        na[c.NA_COURT_PENDING_DAYS] += (
            tally.live[:, :, c.DETAINED_COURT].sum()
            + tally.live[:, :, c.COURT_NONDETAINED].sum()
            + tally.live[:, :, c.MPP].sum()
        )
        if inp.month_end[t]:
            _month_end(inp, par, pe, tally, court, t)
    return t1, Stores(pool, holds, stayed)
