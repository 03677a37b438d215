"""Removals, and injunctions that stay them for a cohort (mechanism 9).

When a person's removal comes due, a person released pending removal may have
absconded (joining the at-large pool as a fugitive). Otherwise, if an
injunction covering the person's cohort is in force that day, the removal is
stayed: the person leaves detention and waits in the ``stayed`` state until
the injunction ends, when their removal starts again; or, while the order
keeps detention (``Inputs.stay_detains``), a detained person stays detained,
holding the bed, until the order releases them or ends. Otherwise the person
is removed, and the removal is counted by path and by origin.
"""

from __future__ import annotations

import numpy as np

from immsim.engine import buckets as bk
from immsim.engine.jit import jit_apart
from immsim.model import codes as c
from immsim.model.community import join_pool
from immsim.model.custody import free_bed, start_removal
from immsim.model.people import ICE_ARREST, history, move, set_status


@jit_apart
def removal_due(inp, par, pe, tally, cal, pool, stayed, p, t):
    """The removal of ``p`` comes due; returns (pool, stayed), possibly grown."""
    j = pe.jur[p]
    fl = tally.flows[inp.month_of_day[t]]
    detained = pe.state[p] == c.DETAINED_REMOVAL
    if not detained and np.random.random() < par.abscond_probability[t]:
        fl[j, history(pe, p), c.FL_ABSCONDED] += 1
        set_status(pe, p, c.FINAL_ORDER)
        return join_pool(pe, tally, pool, p), stayed
    k = pe.cohort[p]
    if k > 0 and inp.injunction[t, k]:
        fl[j, history(pe, p), c.FL_REMOVALS_STAYED] += 1
        if detained and inp.stay_detains[t, k]:
            return pool, bk.add(stayed, k, p)  # kept detained, on the removal path, with no removal due
        if detained:
            free_bed(inp, pe, tally, p, t)
        move(pe, tally, p, c.STAYED)
        return pool, bk.add(stayed, k, p)
    if detained:
        free_bed(inp, pe, tally, p, t)
    fl[j, history(pe, p), c.FL_REMOVALS_EXPEDITED + pe.path[p]] += 1
    if pe.flags[p] & ICE_ARREST:
        fl[j, history(pe, p), c.FL_REMOVALS_FROM_ICE_ARRESTS] += 1
    if pe.origin[p] == c.O_BORDER:
        fl[j, history(pe, p), c.FL_REMOVALS_BORDER] += 1
    move(pe, tally, p, c.REMOVED)
    return pool, stayed


@jit_apart
def lift_stays_day(inp, par, pe, tally, cal, stayed, t) -> None:
    """Restart the removal of everyone whose cohort's injunction ended today; release those it no longer detains."""
    if t == 0:
        return
    for k in range(1, stayed.size.shape[0]):
        if inp.injunction[t - 1, k] and not inp.injunction[t, k]:
            while stayed.size[k] > 0:
                p = stayed.store[stayed.start[k]]
                bk.remove(stayed, p)
                tally.flows[inp.month_of_day[t], pe.jur[p], history(pe, p), c.FL_STAYS_LIFTED] += 1
                kept = pe.state[p] == c.DETAINED_REMOVAL  # still holds the bed the stay kept
                start_removal(inp, par, pe, tally, cal, p, pe.path[p], kept, t)
        elif inp.stay_detains[t - 1, k] and not inp.stay_detains[t, k]:
            for i in range(stayed.size[k]):  # members keep their place in the bucket: only their state changes
                p = stayed.store[stayed.start[k] + i]
                if pe.state[p] == c.DETAINED_REMOVAL:
                    free_bed(inp, pe, tally, p, t)
                    move(pe, tally, p, c.STAYED)
