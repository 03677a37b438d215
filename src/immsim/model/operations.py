"""Enforcement in the community: at-large teams, 287(g) task forces, work sites.

At-large teams (docs/model.md, mechanism 6) work from the pool of known targets in
their field-office area, with the officers ``staffing`` assigns to the office.
Each attempt picks a target class and jurisdiction in proportion to (known
targets x share eligible x targeting weight of the class) under the regime in
force, then a random target; the target may not be found,
may refuse to open the door, or is arrested. Each targeted arrest may bring
collateral arrests of other removable people present. 287(g) task-force
officers (mechanism 5) and work-site operations (mechanism 7) arrest people
from the community stock, eligible classes only.
"""

from __future__ import annotations

import numpy as np

from immsim.engine import buckets as bk
from immsim.engine.jit import jit_apart
from immsim.engine.rng import pick_cumulative, pick_weighted, poisson, round_random
from immsim.model import codes as c
from immsim.model.community import draw_cohort
from immsim.model.custody import admit
from immsim.model.people import COMMUNITY, create, history

YEAR = 365.0


@jit_apart
def arrest_from_community(inp, par, pe, tally, cal, court, j, channel, t) -> bool:
    """Arrest one eligible removable person from the community stock of ``j``."""
    w = np.empty(c.N_CLASSES)
    for k in range(c.N_CLASSES):
        w[k] = tally.community[j, k] * inp.eligible[t, k]
    total = w.sum()
    if total <= 0.0:
        return False
    k = pick_weighted(w, total)
    p = create(pe, tally, COMMUNITY, j, k, draw_cohort(inp), c.O_INTERIOR, t)
    admit(inp, par, pe, tally, cal, court, p, channel, t)
    return True


@jit_apart
def at_large_day(inp, par, pe, tally, cal, court, pool, t) -> None:
    fl = tally.flows[inp.month_of_day[t]]
    C = c.N_CLASSES
    for f in range(inp.office_ptr.shape[0] - 1):
        teams = tally.staff[f, 1] / par.team_size[t]
        attempts = round_random(teams * par.attempts_per_team_day[t])
        if attempts == 0:
            continue
        jurs = inp.office_jur[inp.office_ptr[f] : inp.office_ptr[f + 1]]
        w = np.zeros(jurs.shape[0] * C)
        for i in range(jurs.shape[0]):
            for k in range(C):
                w[i * C + k] = pool.size[jurs[i] * C + k] * inp.eligible[t, k] * inp.weight[t, k]
        total = w.sum()
        for _ in range(attempts):
            if total <= 1e-9:
                break
            i = pick_weighted(w, total)
            j = jurs[i // C]
            p = bk.pick(pool, j * C + i % C)
            fl[j, history(pe, p), c.FL_AT_LARGE_ATTEMPTS] += 1
            if np.random.random() >= par.found_probability[t]:
                continue
            fl[j, history(pe, p), c.FL_AT_LARGE_FOUND] += 1
            if np.random.random() < par.refused_probability[t]:
                fl[j, history(pe, p), c.FL_AT_LARGE_REFUSED] += 1
                continue
            bk.remove(pool, p)
            step = inp.eligible[t, i % C] * inp.weight[t, i % C]
            w[i] = max(0.0, w[i] - step)
            total = w.sum()
            admit(inp, par, pe, tally, cal, court, p, c.CH_AT_LARGE, t)
            for _ in range(poisson(par.collateral_per_arrest[t])):
                arrest_from_community(inp, par, pe, tally, cal, court, j, c.CH_COLLATERAL, t)


@jit_apart
def task_force_day(inp, par, pe, tally, cal, court, t) -> None:
    for j in range(tally.community.shape[0]):
        officers = par.task_force_officers[t, j]
        if officers <= 0.0:
            continue
        for _ in range(poisson(officers * par.task_force_arrests_per_officer_day[t])):
            arrest_from_community(inp, par, pe, tally, cal, court, j, c.CH_TASK_FORCE, t)


@jit_apart
def worksite_day(inp, par, pe, tally, cal, court, t) -> None:
    fl = tally.flows[inp.month_of_day[t]]
    pop_cum = np.cumsum(inp.pop_share)
    for _ in range(poisson(par.worksite_operations_per_year[t] / YEAR)):
        j = pick_cumulative(pop_cum, 1.0)
        fl[j, c.H_NONE, c.FL_WORKSITE_OPERATIONS] += 1
        fl[j, c.H_NONE, c.FL_EMPLOYER_CASES] += poisson(par.worksite_employer_cases_per_operation[t])
        for _ in range(poisson(par.worksite_arrests_per_operation[t])):
            arrest_from_community(inp, par, pe, tally, cal, court, j, c.CH_WORKSITE, t)
