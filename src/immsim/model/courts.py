"""Immigration courts: two dockets, judges, outcomes (docs/model.md, mechanism 8).

Cases come from ICE arrests (people who contest), from border book-ins, and
from outside the interior pipeline (an input series). Each judge is a server
in continuous time (``engine.servers``) who holds one hearing at a time, of
exponential length with mean 365 / ``completions_per_judge_year`` days times
the hearing's relative time (``hearings``: master-calendar or merits, asylum
or not); when free, a judge takes the oldest ready detained case, or else the
oldest case of the non-detained backlog (non-preemptive priority). A hearing
may be continued (the case goes back to the end of its queue) or be the
master-calendar stage (the case goes back near the head for its merits
hearing); otherwise it ends the case. A detained case becomes ready after a
preparation time. With one hearing per case and Poisson filings this is
exactly the M/M/c queue with priority classes of queueing theory, which the
validation suite checks.

A share of non-detained first hearings ends in administrative closure: the case
leaves the active docket and the pending count without counting as a
completion (as EOIR counts them) and comes back at the recalendaring rate, to
the back of the queue. These two flows are why EOIR's pending counts do not
close under receipts minus completions.

Outcomes: a non-detained respondent who does not appear at the first hearing
(with a probability that depends on counsel, custody and supervision:
``appearance``) is ordered removed in absentia and joins the at-large pool as a fugitive; one who appears and is
ordered removed departs or becomes a fugitive; detained removal orders go to
removal; relief and termination leave the system.
"""

from __future__ import annotations

import numpy as np

from immsim.engine import fifo, servers
from immsim.engine.jit import jit, jit_apart
from immsim.engine.order import stable_order
from immsim.engine.rng import pick_cumulative, poisson
from immsim.model import codes as c
from immsim.model import mpp
from immsim.model.appearance import chance, no_show_probability
from immsim.model.community import draw_cohort, join_pool, order_issued
from immsim.model.custody import free_bed, open_case, start_removal
from immsim.model.docket import enter, leave, to_court
from immsim.model.hearings import APPEARED, at_master, continuance, first_hearing, set_hearing_times, to_merits
from immsim.model.people import OUTSIDE, create, history, move, set_status
from immsim.model.supervision import end_supervision, enroll

YEAR = 365.0


@jit_apart
def external_receipts_day(inp, par, pe, tally, cal, court, t) -> None:
    fl = tally.flows[inp.month_of_day[t]]
    pop_cum = np.cumsum(inp.pop_share)
    for _ in range(poisson(par.external_court_receipts_per_year[t] / YEAR)):
        j = pick_cumulative(pop_cum, 1.0)
        p = create(pe, tally, OUTSIDE, j, c.K_RECENT_NONE, draw_cohort(inp), c.O_COURT_EXTERNAL, t)
        fl[j, history(pe, p), c.FL_COURT_RECEIPTS_EXTERNAL] += 1
        detain = np.random.random() < par.external_detained_share[t]
        open_case(inp, par, pe, tally, cal, court, p, detain, False, t)
        if pe.state[p] == c.COURT_NONDETAINED and chance(par.supervised_share_external[t]):
            enroll(inp, par, pe, tally, cal, p, t)  # no draw when the share is 0 (the neutral value)


@jit_apart
def _complete_detained(inp, par, pe, tally, cal, p, t) -> None:
    fl = tally.flows[inp.month_of_day[t]]
    if np.random.random() < par.removal_order_probability_detained[t]:
        fl[pe.jur[p], history(pe, p), c.FL_REMOVAL_ORDERS] += 1
        order_issued(inp, pe, p, t)
        start_removal(inp, par, pe, tally, cal, p, c.P_COURT_ORDER, True, t)
    else:
        fl[pe.jur[p], history(pe, p), c.FL_RELIEF_OR_TERMINATION] += 1
        free_bed(inp, pe, tally, p, t)
        move(pe, tally, p, c.RELIEF)


@jit_apart
def _decide_nondetained(inp, par, pe, tally, pool, p, t):
    """The decision for a non-detained respondent who appeared: a removal order (then departure or not), or relief."""
    fl = tally.flows[inp.month_of_day[t]]
    j = pe.jur[p]
    if np.random.random() < par.removal_order_probability_nondetained[t]:
        fl[j, history(pe, p), c.FL_REMOVAL_ORDERS] += 1
        order_issued(inp, pe, p, t)
        if np.random.random() < par.order_compliance_probability[t]:
            fl[j, history(pe, p), c.FL_DEPARTURES] += 1
            move(pe, tally, p, c.DEPARTED)
            return pool
        set_status(pe, p, c.FINAL_ORDER)
        return join_pool(pe, tally, pool, p)
    fl[j, history(pe, p), c.FL_RELIEF_OR_TERMINATION] += 1
    move(pe, tally, p, c.RELIEF)
    return pool


@jit
def _count_completion(inp, pe, tally, st, p, t) -> None:
    """A completion, with the days since filing and the wait since the case last joined its queue.

    The time of day of the filing is taken from ``t_arrive``, which a continued case
    resets to its re-entry: the days pending are then off by less than a day.
    """
    fl = tally.flows[inp.month_of_day[t]]
    j = pe.jur[p]
    start, end = st.last[0], st.last[1]
    filed = pe.day_in[p] + (pe.t_arrive[p] - np.floor(pe.t_arrive[p]))
    wait = start - pe.t_arrive[p]
    fl[j, history(pe, p), c.FL_COURT_COMPLETIONS] += 1
    fl[j, history(pe, p), c.FL_DAYS_PENDING_AT_COMPLETION] += end - filed
    fl[j, history(pe, p), c.FL_DAYS_WAITING_FOR_HEARING] += wait
    if pe.state[p] == c.DETAINED_COURT:
        fl[j, history(pe, p), c.FL_COURT_COMPLETIONS_DETAINED] += 1
        fl[j, history(pe, p), c.FL_DAYS_WAITING_FOR_HEARING_DETAINED] += wait
    elif pe.state[p] == c.MPP:
        fl[j, history(pe, p), c.FL_MPP_COMPLETIONS] += 1


@jit
def _queue(court, pe, p):
    """The queue (items, ends) of ``p``'s docket: detained, MPP or non-detained."""
    if pe.state[p] == c.DETAINED_COURT:
        return court.detq, court.detq_ends
    if pe.state[p] == c.MPP:
        return court.mppq, court.mppq_ends
    return court.ndq, court.ndq_ends


@jit_apart
def _requeue(st, court, pe, p) -> None:
    """``p``'s hearing was continued: the case waits again, at the end of its docket's queue, from now."""
    pe.t_arrive[p] = st.last[1]  # keeps each queue in arrival order (days pending still count from day_in)
    items, ends = _queue(court, pe, p)
    servers.requeue(st, items, ends, p)
    enter(court, pe.day_in[p])


@jit_apart
def _mpp_hearing_ended(inp, par, pe, tally, court, st, p, t) -> None:
    """A hearing on the MPP docket is over and not continued: appearance, the merits stage, or the decision."""
    fl = tally.flows[inp.month_of_day[t]]
    j = pe.jur[p]
    if first_hearing(pe, p) and mpp.no_show(inp, t):
        _count_completion(inp, pe, tally, st, p, t)
        fl[j, history(pe, p), c.FL_IN_ABSENTIA_ORDERS] += 1
        fl[j, history(pe, p), c.FL_REMOVAL_ORDERS] += 1
        order_issued(inp, pe, p, t)
        mpp.absent(inp, pe, tally, p, t)
        return
    if at_master(pe, p):
        to_merits(pe, p)
        servers.resume(st, court.mppq, court.mppq_ends, p, pe.t_arrive)
        enter(court, pe.day_in[p])
        return
    pe.hearing[p] |= APPEARED
    _count_completion(inp, pe, tally, st, p, t)
    mpp.decide(inp, par, pe, tally, p, t)


@jit_apart
def _hearing_ended(inp, par, pe, tally, cal, court, st, pool, p, t):
    """A hearing of ``p``'s case by a judge of station ``st`` is over: a continuance, the next stage, or the
    case's end (``hearings``)."""
    fl = tally.flows[inp.month_of_day[t]]
    j = pe.jur[p]
    fl[j, history(pe, p), c.FL_COURT_HEARINGS] += 1
    reason = continuance(par, pe, p, t)
    if reason >= 0:
        fl[j, history(pe, p), c.FL_CONTINUANCES_PREPARATION + reason] += 1
        _requeue(st, court, pe, p)
        return pool
    if pe.state[p] == c.MPP:
        _mpp_hearing_ended(inp, par, pe, tally, court, st, p, t)
        return pool
    detained = pe.state[p] == c.DETAINED_COURT
    if first_hearing(pe, p) and not detained:
        if np.random.random() < par.admin_closure_probability[t]:
            # off the active docket: neither a completion nor pending, as EOIR counts them
            fl[j, history(pe, p), c.FL_ADMINISTRATIVE_CLOSURES] += 1
            end_supervision(inp, pe, tally, cal, p, t)
            move(pe, tally, p, c.ADMIN_CLOSED)
            fifo.push(court.closed, court.closed_ends, p)
            return pool
        if np.random.random() < no_show_probability(par, pe, p, t):
            _count_completion(inp, pe, tally, st, p, t)
            fl[j, history(pe, p), c.FL_IN_ABSENTIA_ORDERS] += 1
            fl[j, history(pe, p), c.FL_REMOVAL_ORDERS] += 1
            order_issued(inp, pe, p, t)
            set_status(pe, p, c.FINAL_ORDER)
            end_supervision(inp, pe, tally, cal, p, t)  # after the hearing, which a supervised respondent missed
            return join_pool(pe, tally, pool, p)
    if at_master(pe, p):  # the merits hearing comes at the next free slot, ahead of newer cases
        to_merits(pe, p)
        items, ends = _queue(court, pe, p)
        servers.resume(st, items, ends, p, pe.t_arrive)
        enter(court, pe.day_in[p])
        return pool
    _count_completion(inp, pe, tally, st, p, t)
    if detained:
        _complete_detained(inp, par, pe, tally, cal, p, t)
        return pool
    pool = _decide_nondetained(inp, par, pe, tally, pool, p, t)
    end_supervision(inp, pe, tally, cal, p, t)  # after the hearing, which a supervised respondent attended as such
    return pool


@jit
def _hear_until(inp, par, pe, tally, cal, court, pool, nd_ends, until, t):
    """Hear cases until ``until``; judges take non-detained cases from the queue whose ends are ``nd_ends``."""
    st = court.judges
    while True:
        p = servers.next_completion(st, court.detq, court.detq_ends, court.ndq, nd_ends, pe.hearing, until)
        if p < 0:
            return pool
        leave(court, pe.day_in[p])
        pool = _hearing_ended(inp, par, pe, tally, cal, court, st, pool, p, t)


@jit
def _hear_mpp_until(inp, par, pe, tally, cal, court, pool, mpp_ends, until, t):
    """The MPP judges hear cases until ``until``, from the MPP queue whose ends are ``mpp_ends``."""
    st = court.mpp_judges
    none = np.zeros(2, np.int64)  # the station's second queue: always empty
    while True:
        p = servers.next_completion(st, court.mppq, mpp_ends, court.mppq, none, pe.hearing, until)
        if p < 0:
            return pool
        leave(court, pe.day_in[p])
        pool = _hearing_ended(inp, par, pe, tally, cal, court, st, pool, p, t)


@jit_apart
def recalendar_day(inp, par, pe, tally, court, t) -> None:
    """Administratively closed cases return, oldest closure first, to the back of the active docket."""
    rate = min(1.0, par.recalendar_rate[t] / YEAR)
    for _ in range(np.random.binomial(fifo.length(court.closed_ends), rate)):
        p = fifo.pop(court.closed, court.closed_ends)
        tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p), c.FL_RECALENDARED] += 1
        move(pe, tally, p, c.COURT_NONDETAINED)
        pe.day_in[p] = t
        pe.t_arrive[p] = t + np.random.random()
        to_court(court, p, pe.t_arrive[p])


@jit
def _set_judges(st, par, judges, t) -> None:
    """Open ``judges`` servers on station ``st`` with today's hearing times."""
    servers.set_servers(st, judges)
    rate = par.completions_per_judge_year[t]
    servers.set_mean_service(st, YEAR / rate if rate > 0 else np.inf)
    set_hearing_times(st, par, t)


@jit_apart
def hearings_day(inp, par, pe, tally, cal, court, pool, t):
    """Run the court through day ``t``: today's cases join the queues in time order.

    On a day when non-detained hearings are suspended (``Inputs.hearings_suspended``)
    the judges see an empty non-detained queue: hearings already under way
    finish, detained cases are heard as usual, and new non-detained cases wait
    on the docket. The MPP docket (``mpp``) has judges of its own, taken from
    the day's judges while it holds cases and its hearings are not suspended
    (``Inputs.mpp_hearings_suspended``, set with the non-detained docket's
    unless a suspension names one docket).
    """
    st, ms = court.judges, court.mpp_judges
    judges = int(par.immigration_judges[t] + 0.5)
    on_mpp = mpp.judges_today(inp, tally, judges, t)
    _set_judges(st, par, judges - on_mpp, t)
    if on_mpp > 0 or ms.state[servers.OPEN] > 0:
        _set_judges(ms, par, on_mpp, t)
    suspended, mpp_suspended = inp.hearings_suspended[t], inp.mpp_hearings_suspended[t]
    nd_ends = np.zeros(2, np.int64) if suspended else court.ndq_ends
    mpp_ends = np.zeros(2, np.int64) if mpp_suspended else court.mppq_ends
    none = np.zeros(2, np.int64)
    n = court.new_count[0]
    order = stable_order(court.new_time[:n])
    for i in order:
        time = court.new_time[i]
        pool = _hear_until(inp, par, pe, tally, cal, court, pool, nd_ends, time, t)
        p = court.new[i]
        enter(court, pe.day_in[p])
        if pe.state[p] == c.MPP:
            pool = _hear_mpp_until(inp, par, pe, tally, cal, court, pool, mpp_ends, time, t)
            if mpp_suspended:
                fifo.push(court.mppq, court.mppq_ends, p)
            else:
                servers.arrive(ms, court.mppq, mpp_ends, court.mppq, none, pe.hearing, p, True, time)
            continue
        high = pe.state[p] == c.DETAINED_COURT
        if suspended and not high:
            fifo.push(court.ndq, court.ndq_ends, p)
        else:
            servers.arrive(st, court.detq, court.detq_ends, court.ndq, nd_ends, pe.hearing, p, high, time)
    court.new_count[0] = 0
    pool = _hear_mpp_until(inp, par, pe, tally, cal, court, pool, mpp_ends, t + 1.0, t)
    return _hear_until(inp, par, pe, tally, cal, court, pool, nd_ends, t + 1.0, t)


@jit
def _count_heard(st, day_in, filed, offset, step) -> None:
    """Add ``step`` to the count by filing day of each case station ``st`` is hearing."""
    for s in range(st.job.shape[0]):
        p = st.job[s]
        if p >= 0:
            filed[day_in[p] + offset] += step


@jit
def median_days_pending(pe, court, t) -> float:
    """Median age in days of the cases waiting for a hearing on every docket (detained, non-detained, MPP).

    Read from the count of cases by filing day (``docket.enter`` and ``leave``), less the cases being heard,
    in one pass over the days: the value ``np.median`` of the waiting cases' filing days gives, without
    visiting the cases, which are scattered over the person table (a cache miss each: this was about 7 % of
    a national run when it gathered them). The count must match the queues' lengths, or the kernel stops.
    """
    n = court.detq_ends[1] - court.detq_ends[0] + court.ndq_ends[1] - court.ndq_ends[0]
    n += court.mppq_ends[1] - court.mppq_ends[0]
    filed, offset, first, last = court.filed, court.filed_span[0], court.filed_span[1], court.filed_span[2]
    _count_heard(court.judges, pe.day_in, filed, offset, -1)  # waiting: counted, less those being heard
    _count_heard(court.mpp_judges, pe.day_in, filed, offset, -1)
    lo, hi = (n - 1) // 2, n // 2  # 0-based ranks of the middle value(s)
    seen, low, high = 0, -1, -1
    for i in range(first, last + 1):
        seen += filed[i]
        if low < 0 and seen > lo:
            low = i
        if high < 0 and seen > hi:
            high = i
    _count_heard(court.judges, pe.day_in, filed, offset, 1)
    _count_heard(court.mpp_judges, pe.day_in, filed, offset, 1)
    if seen != n:
        raise ValueError("the court's count of cases by filing day does not match its queues")
    if n == 0:
        return 0.0
    return t - (0.5 * (low + high) - offset)
