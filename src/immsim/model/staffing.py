"""Where ICE puts its officers: the allocation of jail and at-large officers among field offices.

The scenario gives officers per field office (``jail_officers``,
``at_large_officers``; a national total is split by removable population).
ICE's stated response to declined detainers was to send more at-large teams
where people with detainers are released; this module makes that a rule with
two parameters:

- ``at_large_reallocation_share`` (s): the share of the at-large officers
  allocated by each office's recent releases of people with detainers instead
  of the scenario's split. ``jail_reallocation_share`` does the same for jail
  officers, by each office's recent pickup workload (people waiting at jails).
- ``reallocation_days`` (tau): recent workload is an exponentially weighted
  daily average with time constant tau, and officers move toward their target
  at 1/tau a day, so a change of policy draws teams over months, not at once.

The target of office f is ``(1 - s) x given_f + s x total x workload_f / sum
of workloads``, so the national total of officers is never changed. With s = 0
(the default) every office has exactly the officers the scenario gives, and
results equal those of the rule "by population". Officer-days are counted per
office and month, so results can report officer-days per arrest by channel.
"""

from __future__ import annotations

from immsim.engine.jit import jit, jit_apart

JAIL, AT_LARGE = 0, 1


@jit
def _copy(to, source) -> None:
    """``to[:] = source``: an array-to-array slice assignment compiles its shape-mismatch message (about 1 s)."""
    for f in range(to.shape[0]):
        to[f] = source[f]


@jit
def _allocate(given, staff, workload, share: float, tau: float) -> None:
    """Move ``staff`` (one office per entry) toward the reallocation rule's target."""
    total = given.sum()
    if share <= 0.0 or total <= 0.0:
        _copy(staff, given)
        return
    now = staff.sum()
    if now <= 0.0:
        _copy(staff, given)
    elif abs(now - total) > 1e-9 * total:  # the total changed (a dated series): keep the shape, take the new total
        staff *= total / now
    signal = workload.sum()
    for f in range(staff.shape[0]):
        by_work = workload[f] / signal if signal > 0.0 else given[f] / total
        target = (1.0 - share) * given[f] + share * total * by_work
        staff[f] += (target - staff[f]) / tau


@jit_apart
def staff_day(inp, par, tally, t) -> None:
    """Set today's officers per office, then age the workload average (today's events add to it)."""
    tau = max(1.0, par.reallocation_days[t])
    _allocate(par.jail_officers[t], tally.staff[:, JAIL], tally.workload[:, JAIL], par.jail_reallocation_share[t], tau)
    _allocate(
        par.at_large_officers[t],
        tally.staff[:, AT_LARGE],
        tally.workload[:, AT_LARGE],
        par.at_large_reallocation_share[t],
        tau,
    )
    workload = tally.workload
    workload *= 1.0 - 1.0 / tau
    days = tally.officer_days[inp.month_of_day[t]]
    for f in range(days.shape[0]):  # loops, not days += staff: see _copy
        for kind in range(days.shape[1]):
            days[f, kind] += tally.staff[f, kind]
