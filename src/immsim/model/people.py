"""People in the pipeline, one row each, and the ledger of their moves.

Every change of state goes through ``create``, ``move`` or ``to_community`` so
that the ledger ``moves[from, to]`` records every flow and ``live[j, state]``
every stock. At the end of a run the ledger must reproduce every stock (see
``immsim.ledger``): a run that loses or duplicates a person fails.

A person who reaches a final state (removed, relief, departed, back in the
community) is never touched again, so the row goes on a free list and the
next ``create`` reuses it. The table then stays as large as the people in the
pipeline at once rather than everyone who ever passed through it (3.5 rather
than 8.5 million rows over ten national years), which keeps memory flat and
the rows in use close together in the cache. A reused row's old final state is added to
``retired[jur, state]`` first, so that recounting the table plus ``retired``
still gives every stock.

The per-person fields are views of one table of records (``new_records``,
``people_of``), 48 bytes a person with the calendar's links (``LINKS``), not
one array per field: a day's work reads several fields of people picked all
over a table of millions, and a record brings them in with one cache miss
where separate arrays cost one each (a national decade took 16 % less time).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from immsim.engine.jit import jit, jit_apart
from immsim.engine.reserve import new_rows
from immsim.model import codes as c

#: Ledger nodes besides the person states: the community stock, and outside
#: the simulated population (new entrants, border arrivals, emigration).
COMMUNITY = c.N_STATES
OUTSIDE = c.N_STATES + 1
N_NODES = c.N_STATES + 2

# flag bits
DETAINER = 1  # a detainer was issued at the current booking
ICE_ARREST = 2  # arrested by ICE in the interior at least once
KNOWN = 4  # was in the at-large pool (known to ICE) before the current booking
HELD = 8  # held past release under an honored detainer
REPRESENTED = 16  # the court case has counsel (drawn when the case is filed; ``appearance``)
RELEASED = 32  # the case was filed after ICE or border custody without a bed: the "released" docket
SUPERVISED = 64  # a released respondent under alternatives to detention now (``supervision``; holds a slot)


class People(NamedTuple):
    state: np.ndarray  # int8: a state code, or a ledger node while being created
    jur: np.ndarray  # int16: jurisdiction index
    klass: np.ndarray  # int8: priority class
    cohort: np.ndarray  # int8: 0 none, k for cohort k (injunctions)
    origin: np.ndarray  # int8
    flags: np.ndarray  # int8: bits above
    path: np.ndarray  # int8: removal path once on one
    channel: np.ndarray  # int8: channel of the latest ICE arrest
    day_in: np.ndarray  # int32: day the court case was received (or the stage began)
    deadline: np.ndarray  # int32: last day ICE can pick the person up (hold); day of the bond hearing (detained case)
    t_arrive: np.ndarray  # float64: time (in days) the court case reached the court (filed, or ready if detained)
    since: np.ndarray  # int32: day the current jail, detention or ATD stay began
    hearing: np.ndarray  # int8: the court case's type and next hearing (bits in ``hearings``)
    count: np.ndarray  # int64[1]: rows handed out so far (the high-water mark)
    free: np.ndarray  # int32[capacity]: rows of people in a final state, free for reuse (a stack)
    n_free: np.ndarray  # int64[1]: rows on the free stack


class Tally(NamedTuple):
    """Counters of a run. Flows, stocks and the ledger are kept by criminal history (axis H)."""

    flows: np.ndarray  # float64[months, J, H, N_FLOWS]
    stocks: np.ndarray  # int64[months, J, H, N_STOCKS] at month end
    national: np.ndarray  # float64[months, N_NATIONAL]
    moves: np.ndarray  # int64[H, N_NODES, N_NODES]: ledger of moves
    initial: np.ndarray  # int64[H, N_NODES]: stocks when the run started
    live: np.ndarray  # int64[J, H, N_STATES]: current stocks of people by state
    community: np.ndarray  # int64[J, N_CLASSES]: the community stock
    beds_used: np.ndarray  # int64[1]
    beds_over: np.ndarray  # int64[1]: admissions made with no free bed (must stay 0)
    atd_used: np.ndarray  # int64[1]: people under alternatives to detention now
    retired: np.ndarray  # int64[J, H, N_STATES]: reused rows, by the jurisdiction, history and final state they held
    reclassed: np.ndarray  # int64[H, H, N_NODES]: people whose criminal history changed (old, new, state)
    officer_days: np.ndarray  # float64[months, F, 2]: jail and at-large officer-days worked in each office
    staff: np.ndarray  # float64[F, 2]: jail and at-large officers in each office today
    workload: np.ndarray  # float64[F, 2]: smoothed daily pickups and releases with detainers per office


def new_tally(months: int, J: int, F: int) -> Tally:
    H = c.N_HISTORIES
    return Tally(
        np.zeros((months, J, H, c.N_FLOWS)),
        np.zeros((months, J, H, c.N_STOCKS), np.int64),
        np.zeros((months, c.N_NATIONAL)),
        np.zeros((H, N_NODES, N_NODES), np.int64),
        np.zeros((H, N_NODES), np.int64),
        np.zeros((J, H, c.N_STATES), np.int64),
        np.zeros((J, c.N_CLASSES), np.int64),
        np.zeros(1, np.int64),
        np.zeros(1, np.int64),
        np.zeros(1, np.int64),
        np.zeros((J, H, c.N_STATES), np.int64),
        np.zeros((H, H, N_NODES), np.int64),
        np.zeros((months, F, 2)),
        np.full((F, 2), -1.0),  # -1: not yet set (the first day sets it from the parameters)
        np.zeros((F, 2)),
    )


#: Each per-row field of ``People`` (a record field, but for the free stack ``free``, an array of its own): its
#: type and the value a row starts with (no state, no removal path, no channel; the free stack is empty).
#: ``count`` and ``n_free`` are counters.
ROWS: dict[str, tuple[type, int]] = {
    "state": (np.int8, -1),
    "jur": (np.int16, 0),
    "klass": (np.int8, 0),
    "cohort": (np.int8, 0),
    "origin": (np.int8, 0),
    "flags": (np.int8, 0),
    "path": (np.int8, -1),
    "channel": (np.int8, -1),
    "day_in": (np.int32, 0),
    "deadline": (np.int32, 0),
    "t_arrive": (np.float64, 0),
    "since": (np.int32, 0),
    "hearing": (np.int8, 0),
    "free": (np.int32, -1),
}


#: Per-person fields kept by others in the same records (``engine.calendar``'s links), with their fills.
LINKS: dict[str, tuple[type, int]] = {"link": (np.int32, -1), "when": (np.int32, -1), "prev": (np.int32, -1)}
_FIELDS = {**ROWS, **LINKS}
#: One person's fields, each at a multiple of its size: 48 bytes, where separate arrays cost one cache miss
#: per field read (a day's work reads several fields of people picked all over the table).
_RECORD = np.dtype(
    [
        (name, _FIELDS[name][0])
        for name in (
            "t_arrive",
            "day_in",
            "deadline",
            "since",
            "link",
            "when",
            "prev",
            "jur",
            "state",
            "klass",
            "cohort",
            "origin",
            "flags",
            "path",
            "channel",
            "hearing",
        )
    ],
    align=True,
)


#: Each record field's starting value.
RECORD_FILL = {name: _FIELDS[name][1] for name in _RECORD.names}


def new_records(capacity: int, reserve: int = 0) -> np.ndarray:
    """A table of ``capacity`` person records, each field holding its starting value (``ROWS``, ``LINKS``),
    with room to grow in place up to ``reserve`` records (``engine.reserve``)."""
    return new_rows(capacity, _RECORD, RECORD_FILL, reserve)


def people_of(rec: np.ndarray, free: np.ndarray, count: np.ndarray, n_free: np.ndarray) -> People:
    """``People`` whose per-person fields are views of the records ``rec`` (``new_records``)."""
    return People(**{name: rec[name] for name in ROWS if name != "free"}, count=count, free=free, n_free=n_free)


def records(pe: People) -> np.ndarray:
    """The records ``pe``'s per-person fields are views of (``people_of``), as many as ``pe`` has rows."""
    full = pe.state.base  # the whole allocation, reserve included (``new_records``)
    assert isinstance(full, np.ndarray) and full.dtype == _RECORD
    return full[: pe.state.shape[0]]


class TableFull(Exception):  # noqa: N818 - the name says what happened; it is not reported as an error
    """A day needed more rows (people, or cases reaching the court) than the arrays had room for.

    The kernel checks for room before each day (its ``headroom``), so this
    happens only when one day creates more than that; ``simulation`` then runs
    the replication again with more room, which gives the same result (room
    changes no draw). Raised rather than written past the end of an array.
    """


_NO_ROOM = "a day created more people than the headroom left room for"


@jit_apart
def create(pe: People, tally: Tally, source: int, jur: int, klass: int, cohort: int, origin: int, day: int) -> int:
    """A new row for a person coming from ``source`` (COMMUNITY or OUTSIDE).

    The row holds the source node as its state until the caller ``move``s it,
    so the ledger records the flow from the community or from outside.
    """
    nf = pe.n_free[0]
    if nf > 0:
        pe.n_free[0] = nf - 1
        p = pe.free[nf - 1]
        tally.retired[pe.jur[p], history(pe, p), pe.state[p]] += 1
        pe.path[p] = -1
        pe.channel[p] = -1
        pe.deadline[p] = 0
        pe.t_arrive[p] = 0.0
        pe.since[p] = 0
    else:
        p = pe.count[0]
        if p >= pe.state.shape[0]:
            raise TableFull(_NO_ROOM)
        pe.count[0] = p + 1
    pe.state[p] = source
    pe.jur[p] = jur
    pe.klass[p] = klass
    pe.cohort[p] = cohort
    pe.origin[p] = origin
    pe.flags[p] = 0
    pe.hearing[p] = 0
    pe.day_in[p] = day
    if source == COMMUNITY:
        tally.community[jur, klass] -= 1
    return p


@jit
def history(pe: People, p: int) -> int:
    """The criminal history of ``p`` (``codes.HISTORIES``)."""
    return pe.klass[p] % c.N_HISTORIES


@jit
def set_history(pe: People, tally: Tally, p: int, h: int) -> None:
    """Change the criminal history of ``p`` (say, a booking adds pending charges); the ledger records it."""
    old = history(pe, p)
    if old == h:
        return
    s = pe.state[p]
    tally.reclassed[old, h, s] += 1
    if s < c.N_STATES:
        tally.live[pe.jur[p], old, s] -= 1
        tally.live[pe.jur[p], h, s] += 1
    pe.klass[p] = pe.klass[p] - old + h


@jit
def set_status(pe: People, p: int, status: int) -> None:
    """Change the immigration status of ``p`` (say, a removal order makes a fugitive), keeping their history."""
    pe.klass[p] = status * c.N_HISTORIES + history(pe, p)


@jit
def move(pe: People, tally: Tally, p: int, state: int) -> None:
    old = pe.state[p]
    h = history(pe, p)
    tally.moves[h, old, state] += 1
    if old < c.N_STATES:
        tally.live[pe.jur[p], h, old] -= 1
    tally.live[pe.jur[p], h, state] += 1
    pe.state[p] = state
    if state == c.REMOVED or state == c.RELIEF or state == c.DEPARTED:
        _free_row(pe, p)


@jit
def _free_row(pe: People, p: int) -> None:
    """``p`` reached a final state: its row may be reused (its fields stay readable until then)."""
    pe.free[pe.n_free[0]] = p
    pe.n_free[0] += 1


@jit
def to_community(pe: People, tally: Tally, p: int) -> None:
    """The person goes back into the community stock and is no longer tracked.

    The row keeps state ``returned`` as a tombstone; the ledger counts the
    person in the community node. Pending charges do not follow a person back
    into the community stock (history ``pending`` becomes ``none``): they are
    the charges of the booking just ended, and a pending class that only grew
    would book people at the rate of the convicted for ever.
    """
    old = pe.state[p]
    h = history(pe, p)
    tally.moves[h, old, COMMUNITY] += 1
    if old < c.N_STATES:
        tally.live[pe.jur[p], h, old] -= 1
    k = pe.klass[p]
    if h == c.H_PENDING:  # charges are disposed of in the community: no conviction is recorded
        k = k - c.H_PENDING + c.H_NONE
        tally.reclassed[c.H_PENDING, c.H_NONE, COMMUNITY] += 1
    tally.community[pe.jur[p], k] += 1
    pe.state[p] = c.RETURNED
    _free_row(pe, p)
