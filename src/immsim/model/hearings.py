"""Case types, hearing stages and continuances (docs/model.md, mechanism 8).

A judge's capacity is hearing time, not a number of completions: the court's
``completions_per_judge_year`` counts that time in reference hearings (one
merits hearing of a non-asylum case), and each hearing a case needs uses some
of it. A case has a type, the kind of its docket (detained, released, never
detained: ``appearance``) crossed with whether it carries an asylum
application (drawn when the case is filed, with a share per kind). Its path:

1. a master-calendar hearing (if ``master_hearing_time`` > 0), where a
   non-detained respondent who does not appear is ordered removed in absentia
   and where administrative closure is decided;
2. a merits hearing, longer for an asylum case (``asylum_merits_hearing_time``),
   at the court's next free slot: the case goes to the head of its queue;
3. the decision, at the end of the merits hearing.

A case in which the respondent applies for no relief from removal (neither
asylum nor anything else) has no merits hearing: it is decided at a short
hearing of its own kind (``no_relief_hearing_time``), a removal order or
voluntary departure at a master-calendar hearing. Whether the respondent
applies depends on counsel and custody (``relief_application_share_*``, from
the national study of access to counsel), so the docket's mix of counsel and
custody sets how much judge time a completion costs.

Why the head of the queue: the model has one queue per docket, so a case
sent to the back for its merits hearing would wait the whole backlog twice
(and the initial backlog would need a stage it is not published with); the
one queue wait stands for the whole time to decision, as it did before this
module, and the queues stay in order of arrival.

Any hearing may end in a continuance, for preparation, for an unrepresented
respondent to find counsel, or for judge availability: the hearing's time is
spent and the case goes back to the end of its docket's queue, to wait for a
later slot (the queue's wait is the continuance's delay). So completions per
judge come out of the case mix and the continuances rather than being set.

The state of a case is one byte per person (``People.hearing``): the kind of
its next hearing in the low two bits (the server station reads them to scale
the hearing's mean time, ``engine.servers``), an asylum bit, and a bit set
once the respondent has appeared at the first hearing (so that appearance and
closure are drawn once per case).

Neutral values: no asylum share, asylum merits time 1, every respondent
applying for relief, no master-calendar stage and no continuances. Every case
is then heard once, with mean 365 / ``completions_per_judge_year`` days, and
no extra random draw is made:
the court is the M/M/c queue with priority classes it was before this module,
draw for draw.
"""

from __future__ import annotations

from immsim.engine import servers
from immsim.engine.jit import jit, jit_apart
from immsim.model.appearance import DETAINED, RELEASED_KIND, chance, is_represented

# kinds of hearing: the low two bits of ``People.hearing`` (``servers.KIND_MASK``)
MERITS, MERITS_ASYLUM, MASTER, NO_RELIEF = 0, 1, 2, 3
KIND = servers.KIND_MASK
ASYLUM = 4  # the case carries an asylum application
APPEARED = 8  # the first hearing is over: appearance and closure have been decided

#: A continuance's reason, as ``continuance`` returns it (``codes.CONTINUANCE_REASONS``); -1: none.
PREPARATION, REPRESENTATION, JUDGE_AVAILABILITY = 0, 1, 2


@jit_apart
def file_hearings(par, pe, p, kind, t) -> None:
    """Give ``p``'s new case (of docket ``kind``, ``appearance``) its type and its first hearing."""
    if kind == DETAINED:
        share = par.asylum_share_detained[t]
    elif kind == RELEASED_KIND:
        share = par.asylum_share_released[t]
    else:
        share = par.asylum_share_never_detained[t]
    h = ASYLUM if chance(share) else 0
    if h == 0 and not chance(_other_relief_share(par, pe, p, kind, share, t)):
        pe.hearing[p] = NO_RELIEF  # decided at its one short hearing, master-calendar stage or not
        return
    if par.master_hearing_time[t] > 0.0:
        h |= MASTER
    else:
        h |= MERITS_ASYLUM if h & ASYLUM else MERITS
    pe.hearing[p] = h


@jit
def _other_relief_share(par, pe, p, kind, asylum_share, t) -> float:
    """Probability that a case without an asylum application applies for other relief.

    ``relief_application_share_*`` counts every application, asylum included, so the
    rest of it is spread over the cases without one; where the docket's asylum share
    is the larger, no other case applies. At the neutral share (1) the result is
    exactly 1 and no random number is drawn.
    """
    if kind == DETAINED:
        if is_represented(pe, p):
            applied = par.relief_application_share_detained_represented[t]
        else:
            applied = par.relief_application_share_detained_unrepresented[t]
    elif is_represented(pe, p):
        applied = par.relief_application_share_represented[t]
    else:
        applied = par.relief_application_share_unrepresented[t]
    if asylum_share >= 1.0:
        return 1.0
    return max(0.0, (applied - asylum_share) / (1.0 - asylum_share))


@jit
def set_hearing_times(st, par, t) -> None:
    """Today's mean time of each kind of hearing, relative to the station's mean (a reference hearing)."""
    servers.set_kind_scale(st, MERITS, 1.0)
    servers.set_kind_scale(st, MERITS_ASYLUM, par.asylum_merits_hearing_time[t])
    servers.set_kind_scale(st, MASTER, par.master_hearing_time[t])
    servers.set_kind_scale(st, NO_RELIEF, par.no_relief_hearing_time[t])


@jit
def continuance(par, pe, p, t) -> int:
    """Whether the hearing just held is continued, and why (a ``PREPARATION``.. reason), or -1."""
    if chance(par.continuance_probability_preparation[t]):
        return PREPARATION
    if not is_represented(pe, p) and chance(par.continuance_probability_representation[t]):
        return REPRESENTATION
    if chance(par.continuance_probability_judge[t]):
        return JUDGE_AVAILABILITY
    return -1


@jit
def first_hearing(pe, p) -> bool:
    """The respondent's appearance (and closure) is still to be decided at this hearing."""
    return (pe.hearing[p] & APPEARED) == 0


@jit
def at_master(pe, p) -> bool:
    return (pe.hearing[p] & KIND) == MASTER


@jit
def to_merits(pe, p) -> None:
    """The master-calendar stage is over: the case waits for its merits hearing."""
    h = pe.hearing[p]
    merits = MERITS_ASYLUM if h & ASYLUM else MERITS
    pe.hearing[p] = (h & ~KIND) | merits | APPEARED
