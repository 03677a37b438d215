"""Run a scenario: replications of the compiled kernel, checked and collected.

``simulate`` is the one entry point the CLI, reports and later analyses use.
Each replication gets its own seed (``seed + replication``), so replication r
of two scenarios run with the same ``seed`` shares random numbers (common
random numbers), while replications are independent of each other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from immsim._cache import compiling, mark_kernels_compiled
from immsim.engine.buckets import Buckets, new_buckets
from immsim.engine.bundle import bundle
from immsim.engine.calendar import Calendar
from immsim.engine.interrupts import signals_held
from immsim.engine.precompile import helping
from immsim.engine.reserve import lengthen, new_rows
from immsim.errors import ImmsimError
from immsim.frames import replication_frames
from immsim.ledger import check_ledger
from immsim.model import codes as c
from immsim.model.docket import Court, new_court
from immsim.model.initial import Initial, initialize
from immsim.model.kernel import Stores, World, run_days
from immsim.model.people import RECORD_FILL, People, TableFull, Tally, new_records, new_tally, people_of, records
from immsim.results import Result
from immsim.scenario.compile import Compiled, compile_scenario
from immsim.scenario.loader import Scenario, load_scenario
from immsim.scenario.sources import source_document
from immsim.uncertainty import PER_DRAW, Ensemble, group_of, resolve_uncertainty

MAX_YEARS = 60
MAX_REPLICATIONS = 10_000
#: Free rows kept before each day (``_headroom``): at least, at most, and the most a rerun may ask for.
MIN_HEADROOM, HEADROOM, MAX_HEADROOM = 10_000, 200_000, 20_000_000
#: New people a day beyond which a scenario is refused: its people would not fit in memory for long.
MAX_PER_DAY = 2_000_000
#: Address space set aside for the per-person arrays, in times their first rows (``_reserve``).
RESERVE = 3
Progress = Callable[[int, int], None]  # (days done, days in all replications)


def _buffer_size(beds_max: float, capacity: int, headroom: int) -> int:
    """Room for a day's new court cases: today's new people plus detained cases becoming ready."""
    return headroom + int(min(beds_max, capacity))


@dataclass
class _World:
    pe: People
    tally: Tally
    cal: Calendar
    court: Court
    pool: Buckets
    holds: Buckets
    stayed: Buckets
    beds_max: float
    headroom: int

    def bundles(self) -> World:
        """People, tally, calendar and court for compiled code (see engine/bundle.py); valid until ``grow``."""
        return World(bundle(self.pe), bundle(self.tally), bundle(self.cal), bundle(self.court))

    def stores(self) -> Stores:
        """The bucket stores, as ``run_days`` takes and returns them."""
        return Stores(self.pool, self.holds, self.stayed)

    def grow(self, capacity: int) -> None:
        """Make room for ``capacity`` people in every per-person array; the caller's bundles must be dropped.

        In place, within the arrays' reserve (``engine.reserve``): the next rows are filled and every array
        becomes a longer view of the same memory, nothing copied. Past the reserve, each array is copied into a
        new one with room for twice ``capacity``, one table at a time: each copy replaces its table at once, so
        the old one is freed before the next is made, and growing needs the old table and one new one, not both
        worlds whole.
        """
        old, head = records(self.pe), self.cal.head
        free, count, n_free = lengthen(self.pe.free, capacity, -1), self.pe.count, self.pe.n_free
        self.pe = self.cal = None  # ``old`` holds the only reference to the old records, freed if copied
        rec = lengthen(old, capacity, RECORD_FILL)
        del old
        self.pe, self.cal = _tables(rec, head, free, count, n_free)
        size = _buffer_size(self.beds_max, capacity, self.headroom)
        queues = dict.fromkeys(("detq", "ndq", "closed", "mppq"), (capacity, -1))
        self._lengthen("court", {**queues, "new": (size, 0), "new_time": (size, 0)})
        for store in ("pool", "holds", "stayed"):
            self._lengthen(store, dict.fromkeys(("slot", "bucket"), (capacity, -1)))

    def _lengthen(self, attr: str, arrays: dict[str, tuple[int, float]]) -> None:
        """Give each array named in ``arrays`` of named tuple ``attr`` its (length, fill) (see ``grow``)."""
        t = getattr(self, attr)
        setattr(self, attr, None)  # ``t`` holds the only reference: each replaced array is freed at once
        for name, (size, fill) in arrays.items():
            t = t._replace(**{name: lengthen(getattr(t, name), size, fill)})
        setattr(self, attr, t)


def _tables(
    rec: np.ndarray, head: np.ndarray, free: np.ndarray, count: np.ndarray, n_free: np.ndarray
) -> tuple[People, Calendar]:
    """People and the calendar, whose per-person fields are all views of the same records ``rec``."""
    return people_of(rec, free, count, n_free), Calendar(head, rec["link"], rec["when"], rec["prev"])


def _new_world(comp: Compiled, days: int, capacity: int, headroom: int) -> _World:
    reserve = _reserve(comp, capacity, days)
    J = comp.population.shape[0]
    months = comp.month_starts.shape[0]
    F = comp.inputs.office_ptr.shape[0] - 1
    K = comp.inputs.cohort_share.shape[0]
    tally = new_tally(months, J, F)
    beds_max = float(comp.params.detention_beds.max())
    max_judges = int(comp.params.immigration_judges.max() + 0.5)
    heads, free = np.full(days + 1, -1, np.int32), new_rows(capacity, np.int32, -1, reserve)
    pe, cal = _tables(new_records(capacity, reserve), heads, free, np.zeros(1, np.int64), np.zeros(1, np.int64))
    buffer = _buffer_size(beds_max, capacity, headroom)
    return _World(
        pe,
        tally,
        cal,
        new_court(capacity, max_judges, buffer, _first_filing_day(comp), days, reserve),
        new_buckets(J * c.N_CLASSES, capacity, _pool_room(comp), reserve),
        new_buckets(F, capacity, 256, reserve),
        new_buckets(K, capacity, 16, reserve),
        beds_max,
        headroom,
    )


def _reserve(comp: Compiled, capacity: int, days: int) -> int:
    """Rows of address space for each per-person array to grow into in place (``engine.reserve``).

    At most every person the run could add (no row reused) and at most ``RESERVE`` times the first capacity:
    rows not yet used cost no memory, but some systems count address space against a limit. us-2017's decade
    ends with about 1.5 times its first rows.
    """
    return int(min(capacity + _new_per_day(comp) * days, RESERVE * capacity))


def _first_filing_day(comp: Compiled) -> int:
    """A day before every filing day of the cases at the start (the court counts cases by filing day).

    The backlog's ages are exponential (``model.initial``): one older than 60 times their mean has a chance of
    about 1e-26 a case; the kernel stops with an error rather than miscount one.
    """
    preparation = float(comp.params.detained_case_preparation_days[0])
    return -int(math.ceil(60 * comp.court_mean_age + preparation)) - 1


def _pool_room(comp: Compiled) -> np.ndarray:
    """Room in each bucket of the known at-large pool for the targets known at the start, and a margin.

    ``initialize`` adds them one by one (a million in us-2017); buckets that start with room for 64 would
    grow, each time moving their members, about a fifth of its time. Room never changes a result.
    """
    known = (comp.population * comp.known_at_start).ravel()  # bucket j * N_CLASSES + k, as model.community's
    return np.maximum(64, np.ceil(1.1 * known + 4 * np.sqrt(known))).astype(np.int64)


def _bookings_per_year(comp: Compiled) -> np.ndarray:
    """A high estimate of each class's jail bookings a year from the community stock (``model.jails``)."""
    P = comp.params
    factor = max(1.0, float(P.booking_rate_factor.max())) * max(1.0, float(P.no_record_booking_factor.max()))
    return comp.population.sum(axis=0) * P.booking_rate.max(axis=0) * factor


def _new_per_day(comp: Compiled) -> float:
    """A high estimate of the rows a day adds: arrivals, border book-ins, court receipts, leads and bookings
    from the community stock, recalendared cases (arrests by officers, bounded by their numbers, are left out)."""
    P = comp.params
    per_year = float(P.new_entrants_per_year.max() + P.border_book_ins_per_year.max())
    per_year += float(P.external_court_receipts_per_year.max())
    per_year += float(comp.population.sum(axis=0) @ P.lead_rate.max(axis=0) + _bookings_per_year(comp).sum())
    per_year += comp.court_admin_closed * float(P.recalendar_rate.max())
    return per_year / 365


def _headroom(comp: Compiled) -> int:
    """Free rows to keep before each day: ten days of ``_new_per_day``, within ``MIN_HEADROOM``-``HEADROOM``.

    Only speed depends on it: a day that needs more raises ``TableFull`` and the replication runs again
    with more room (``run_replication``), to the same result. Empty rows cost time to fill: 400,000 of
    them, the fixed headroom this replaced, were a sixth of a one-year run of a small scenario.
    """
    return int(min(HEADROOM, max(MIN_HEADROOM, 10 * _new_per_day(comp))))


def _initial_capacity(comp: Compiled, headroom: int) -> int:
    """Rows for the first day's people (``initialize``) and twice the headroom."""
    known = int((comp.population * comp.known_at_start).sum())
    jails = float(_bookings_per_year(comp) @ comp.params.jail_stay_days.max(axis=0)) / 365  # the stock in jail
    rows = known + comp.court_pending + comp.court_admin_closed + comp.detained + int(1.2 * jails)
    return rows + 2 * headroom


def run_replication(
    comp: Compiled, seed: int, progress: Progress | None = None, done_before: int = 0, total: int = 0
) -> _World:
    """One replication, checked against the ledger; returns its final world.

    If a day needs more rows than were kept free (``TableFull``), the replication runs again from its
    first day with eight times the room: the same draws, so the same result.
    """
    per_day = _new_per_day(comp)
    if per_day > MAX_PER_DAY:  # before anything is allocated: such a run would fill the memory within days
        raise ImmsimError(
            f"the scenario's inflows (arrivals, border book-ins, court receipts, leads and bookings a year) "
            f"add about {per_day:,.0f} people a day, more than the {MAX_PER_DAY:,} a run can hold"
        )
    headroom = _headroom(comp)
    while True:
        try:
            return _replication(comp, seed, headroom, progress, done_before, total)
        except TableFull:
            headroom *= 8
            if headroom > MAX_HEADROOM:
                raise ImmsimError(f"a single day of the scenario adds more than {MAX_HEADROOM // 8:,} people") from None


def _replication(comp: Compiled, seed: int, headroom: int, progress: Progress | None, done_before: int, total: int):
    days = comp.dates.shape[0]
    w = _new_world(comp, days, _initial_capacity(comp, headroom), headroom)
    inp, par = bundle(comp.inputs), bundle(comp.params)  # one pointer each for compiled code: see engine/bundle.py
    world = w.bundles()  # made once, and again only when w.grow replaces the arrays
    initial = Initial(**{f: getattr(comp, f) for f in Initial._fields})
    with compiling() as first:  # on an empty cache, one process compiles and the others wait (see _cache)
        # compiling, a second process compiles ``initialize``, then helpers from the other end of the chain
        # (engine/precompile.py), while this one compiles ``run_days``
        helper = contextlib.nullcontext()
        if first:
            args = tuple(initialize.typeof_pyval(a) for a in (inp, par, world, w.pool, seed, initial))
            helper = helping([b.numba_type for b in (inp, par, *world)], [("immsim.model.initial", "initialize", args)])
        with helper:
            with signals_held():  # Ctrl-C waits for the kernels to return (see engine/interrupts.py)
                if first:  # no days: compiles (or loads) run_days while the lock is held
                    run_days(inp, par, world, w.stores(), seed, 0, 0, headroom)
                w.pool = initialize(inp, par, world, w.pool, seed, initial)
            if first:
                mark_kernels_compiled()  # before the lock is released: a process waiting for it then loads
    t = 0
    chunk = 30
    while t < days:
        stop = min(days, t + chunk)
        with signals_held():
            reached, (w.pool, w.holds, w.stayed) = run_days(inp, par, world, w.stores(), seed, t, stop, headroom)
        if reached < stop:
            world = None  # the bundles keep the arrays alive: dropped so that ``grow`` can free each old one
            w.grow(int(w.pe.count[0]) + 4 * headroom)  # in place, within the reserve: only the rows to be used
            world = w.bundles()
        t = reached
        if progress:
            progress(done_before + t, total)
    check_ledger(w.pe, w.tally)
    mark_kernels_compiled()
    return w


def run_span(
    scenario: Scenario, start: dt.date | str | None, years: float, seed: int, replications: int
) -> tuple[dt.date, int]:
    """Check run options; return the first day and the number of days.

    Whole years end on the same calendar day, so that ten years from 1 October
    cover ten fiscal years exactly.
    """
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            raise ImmsimError(f"start: {start!r} is not a date (YYYY-MM-DD)") from None
    start = start or scenario.data.start
    if not (0 < years <= MAX_YEARS) or math.isnan(years):
        raise ImmsimError(f"years: must be more than 0 and at most {MAX_YEARS} (got {years})")
    if not (1 <= replications <= MAX_REPLICATIONS):
        raise ImmsimError(f"replications: must be between 1 and {MAX_REPLICATIONS} (got {replications})")
    if not (0 <= seed < 2**63 - MAX_REPLICATIONS):
        raise ImmsimError(f"seed: must be a non-negative integer below 2**63 - {MAX_REPLICATIONS} (got {seed})")
    if float(years).is_integer():
        end = dt.date(start.year + int(years), start.month, min(start.day, 28) if start.month == 2 else start.day)
        days = (end - start).days
    else:
        days = max(1, round(years * 365.25))
    return start, days


def simulate(
    scenario: Scenario | str,
    *,
    start: dt.date | str | None = None,
    years: float = 1.0,
    seed: int = 1,
    replications: int = 1,
    progress: Progress | None = None,
    uncertainty: Ensemble | str | None = None,
    per_draw: int = PER_DRAW,
) -> Result:
    """Simulate ``scenario`` for ``years`` from ``start``, ``replications`` times.

    Replication ``r`` uses the seed ``seed + r``, and each mechanism draws from
    its own random stream, so replication ``r`` of two scenarios run with the
    same ``seed`` shares its random numbers (common random numbers) and their
    difference measures the change, not the dice. Every replication is checked
    against the stock-and-flow ledger before it is kept. The first run of an
    installed version compiles the kernels (about half a minute); later runs
    load them from the cache.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario, or a built-in name or path passed to ``load_scenario``.
    start : datetime.date or str, optional
        The first simulated day (ISO date); by default the scenario's ``start``.
    years : float, default 1.0
        How long to simulate, more than 0 and at most 60. Whole years end on
        the same calendar day, so ten years from 1 October cover ten fiscal
        years exactly; a fraction is ``years * 365.25`` days.
    seed : int, default 1
        The seed of replication 0, a non-negative integer.
    replications : int, default 1
        Independent replications, 1 to 10,000; with two or more, summaries
        give 95% intervals.
    progress : callable, optional
        Called as ``progress(days_done, days_total)`` over all replications.
    uncertainty : Ensemble or str, optional
        Answer over the assumptions' uncertainty: an ``Ensemble`` (a
        posterior from ``immsim calibrate --method abc``), the path of its
        file, or ``"posterior"`` (the ensemble shipped with the scenario).
        Each group of ``per_draw`` replications runs one parameter set drawn
        by weight (seeded by ``seed``, so paired runs share it), and
        ``Result.summary`` gives a Monte Carlo and a total band (see
        ``immsim.uncertainty``). ``None`` (the default) holds the
        scenario's values.
    per_draw : int, default 2
        Replications that share a parameter set; two or more let the Monte
        Carlo band be told apart from the total.

    Returns
    -------
    Result
        Tidy DataFrames over all replications (``Result.monthly``,
        ``Result.fiscal_years``, ...).

    Raises
    ------
    ScenarioError
        If ``scenario`` names no scenario or an invalid one.
    ImmsimError
        If ``start``, ``years``, ``replications`` or ``seed`` is out of range.
    LedgerError
        If a run loses or duplicates a person (a bug in the model).

    Examples
    --------
    >>> import immsim
    >>> result = immsim.simulate("us-2017", years=0.25, replications=2, seed=1)
    >>> result.replications, result.start.isoformat(), result.days
    (2, '2016-10-01', 91)
    >>> sorted(result.national.month.dt.strftime("%Y-%m").unique())
    ['2016-10', '2016-11', '2016-12']
    >>> immsim.simulate("us-2017", years=0)
    Traceback (most recent call last):
    ...
    immsim.errors.ImmsimError: years: must be more than 0 and at most 60 (got 0)
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    start, days = run_span(scenario, start, years, seed, replications)
    ensemble = resolve_uncertainty(uncertainty, scenario.base or scenario.name)
    draws, run_as = _draws(scenario, ensemble, replications, seed, per_draw)
    frames = []
    pressure = []
    for r in range(replications):
        comp = compile_scenario(run_as(r), start, days, seed + r)
        w = run_replication(comp, seed + r, progress, r * days, replications * days)
        frames.append(replication_frames(scenario, comp, w.tally, r))
        pressure += [(r, *ch) for ch in comp.pressure_changes]
    return Result.from_replications(scenario, start, days, seed, frames, pressure, draws)


def _draws(
    scenario: Scenario, ensemble: Ensemble | None, replications: int, seed: int, per_draw: int
) -> tuple[pd.DataFrame, Callable[[int], Scenario]]:
    """Which parameter set each replication runs, and the scenario it runs as.

    The sets depend only on the ensemble, ``seed``, ``replications`` and
    ``per_draw``, so replication r of every scenario of a comparison runs
    the same set (its factors applied to that scenario's own values).
    """
    if ensemble is None:
        return pd.DataFrame(), lambda r: scenario
    if per_draw < 1:
        raise ImmsimError(f"per_draw: must be at least 1 (got {per_draw})")
    unknown = [p for p in ensemble.parameters if p not in scenario.data.parameters]
    if unknown:
        raise ImmsimError(f"the ensemble moves {', '.join(unknown)}, which {scenario.name} does not have")
    groups = group_of(replications, per_draw)
    chosen = ensemble.draw(int(groups.max()) + 1, seed)[groups]
    sources = {p: source_document(scenario.data.parameters[p].source) for p in ensemble.parameters}
    made: dict[int, Scenario] = {}

    def run_as(r: int) -> Scenario:
        i = int(chosen[r])
        if i not in made:
            changes = ensemble.changes(i, sources)
            made[i] = scenario.with_changes(changes, name=scenario.name, title=scenario.data.title)
        return made[i]

    table = ensemble.table.iloc[chosen].drop(columns="weight").reset_index(drop=True)
    table.insert(0, "set", chosen)
    table.insert(0, "draw", groups)
    table.insert(0, "replication", np.arange(replications))
    return table, run_as
