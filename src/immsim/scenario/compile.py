"""Turn a validated scenario into the daily arrays the kernels read.

Every parameter becomes an array of shape ``(days, *dims)``: a single value is
repeated, a dated series is stepped at its dates (a step dated before the run
applies from day 0). Office-level parameters given as one number are national
totals, split between offices by removable population (an assumption stated in
docs/model.md). Policy events are applied in date order; a state-level event
sets every jurisdiction of the state from that day on. Court policy events
(completion goals, hearing suspensions, the end of administrative closure,
the MPP docket) change the court's parameters for the days they are in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from immsim.model import codes as c
from immsim.model.inputs import Inputs
from immsim.model.parameters import SPECS, Params
from immsim.scenario.checks import class_values, keys_for
from immsim.scenario.loader import Scenario
from immsim.scenario.policies import PolicyDef, compile_policies, policy_table
from immsim.scenario.schema import Parameter, ScenarioFile


@dataclass(frozen=True)
class Compiled:
    """Everything a replication needs, built from a scenario for one horizon."""

    inputs: Inputs
    params: Params
    population: np.ndarray  # int64[J, C] removable people at start
    known_at_start: np.ndarray  # float64[C]
    court_pending: int
    court_mean_age: float
    court_admin_closed: int
    atd_participants: int
    detained: int
    detained_court_share: float
    detained_border_share: float
    detained_history_cum: np.ndarray  # float64[H]: cumulative shares of criminal history among interior detainees
    dates: np.ndarray  # datetime64[D] of each day
    month_starts: np.ndarray  # datetime64[D] of each report month
    pressure_changes: list[tuple[str, str, str]]  # (date, jurisdiction, old policy) changed by federal pressure
    policy_names: list[str]  # policy code -> name (built-in policies first, then the scenario's own)


def _table(value, dims: str, data: ScenarioFile, office_share: np.ndarray) -> np.ndarray:
    keys = keys_for(dims, data)
    if dims == "scalar":
        return np.asarray(float(value))
    if not isinstance(value, dict):
        if dims == "office":
            return float(value) * office_share
        return np.full(len(keys), float(value))
    if dims == "class":
        return np.array(class_values(value))
    default = float(value.get("default", 0.0))
    return np.array([float(value.get(k, default)) for k in keys])


def _day(date: dt.date, start: dt.date) -> int:
    return (date - start).days


def _daily(
    p: Parameter | float, dims: str, data: ScenarioFile, start: dt.date, days: int, office_share: np.ndarray
) -> np.ndarray:
    if isinstance(p, float):  # a parameter's default: the scenario leaves it out
        v = _table(p, dims, data, office_share)
        return np.broadcast_to(v, (days, *v.shape)).copy()
    if p.value is not None:
        v = _table(p.value, dims, data, office_share)
        return np.broadcast_to(v, (days, *v.shape)).copy()
    first = _table(p.series[0].value, dims, data, office_share)
    out = np.empty((days, *first.shape))
    out[:] = first
    for step in p.series:
        d = max(0, _day(step.start, start))
        if d < days:
            out[d:] = _table(step.value, dims, data, office_share)
    return out


def scenario_policies(data: ScenarioFile) -> dict[str, PolicyDef]:
    """The built-in policies and the scenario's own, by name."""
    own = {name: PolicyDef(d.actions(), d.judicial_warrant, d.meaning) for name, d in data.policies.items()}
    return policy_table(own)


def _policies(
    data: ScenarioFile, start: dt.date, days: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[str, str, str]]]:
    """The policy in force in each jurisdiction on each day, as codes into ``scenario_policies``.

    ``at_least`` and ``at_most`` events compare policies by their cooperation
    score (``PolicyDef.score``); federal pressure raises any policy scoring
    below ``honor`` to ``honor``.
    """
    names, _, _, score = compile_policies(scenario_policies(data))
    code_of = {n: i for i, n in enumerate(names)}
    honor = code_of["honor"]
    J = len(data.jurisdictions)
    policy = np.empty((days, J), np.int8)
    policy[:] = [code_of[j.policy] for j in data.jurisdictions]
    state = np.array([j.state for j in data.jurisdictions])
    codes = np.array([j.code for j in data.jurisdictions])
    changes = []
    events = sorted((e for e in data.events if e.type in ("policy", "federal_pressure")), key=lambda e: e.date)
    for ev in events:
        d = min(max(0, _day(ev.date, start)), days)
        if d >= days:
            continue
        if ev.type == "federal_pressure":
            targets = (
                np.ones(J, bool) if ev.targets == "all" else np.isin(state, ev.targets) | np.isin(codes, ev.targets)
            )
            below = targets & (score[policy[d]] < score[honor])
            comply = below & (rng.random(J) < ev.comply_probability)
            for j in np.flatnonzero(comply):
                changes.append((ev.date.isoformat(), str(codes[j]), names[policy[d, j]]))
            policy[d:, comply] = honor
            continue
        if ev.scope == "national":
            mask = np.ones(J, bool)
        elif ev.scope == "state":
            mask = state == ev.target
        else:
            mask = codes == ev.target
        new = code_of[ev.policy]
        cur = policy[d:, mask]
        if ev.mode == "at_least":
            cur[score[cur] < score[new]] = new
        elif ev.mode == "at_most":
            cur[score[cur] > score[new]] = new
        else:
            cur[:] = new
        policy[d:, mask] = cur
    return policy, changes


#: Classes whose history is a conviction: ``conviction_targeting_factor`` scales their targeting weight.
_CONVICTED = [k for k, name in enumerate(c.CLASSES) if name.split("/")[1] in ("lesser", "serious")]


def _regimes(data: ScenarioFile, start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray]:
    def row(name: str, table: str) -> list[float]:
        sel = getattr(data.regimes[name], table)
        out = []
        for s in c.STATUSES:
            for h in c.HISTORIES:
                a, b = sel.status[s], sel.history[h]
                out.append(1.0 - (1.0 - a) * (1.0 - b) if table == "eligible" else max(a, b))
        return out

    eligible = np.empty((days, c.N_CLASSES))
    weight = np.empty((days, c.N_CLASSES))
    eligible[:] = row(data.initial.regime, "eligible")
    weight[:] = row(data.initial.regime, "weight")
    for ev in sorted((e for e in data.events if e.type == "regime"), key=lambda e: e.date):
        d = max(0, _day(ev.date, start))
        if d < days:
            eligible[d:] = row(ev.regime, "eligible")
            weight[d:] = row(ev.regime, "weight")
    return eligible, weight


#: ``Inputs.cohort_closes`` of an open cohort: no day of a run comes after it.
OPEN = np.iinfo(np.int32).max


def _injunctions(
    data: ScenarioFile, start: dt.date, days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Whether each cohort's removals are stayed each day and whether the stay keeps them detained, the cohorts'
    shares, and the day each closes."""
    names = list(data.cohorts)
    share = np.array([1.0 - sum(data.cohorts[n].share for n in names)] + [data.cohorts[n].share for n in names])
    closes = np.array(
        [OPEN] + [OPEN if data.cohorts[n].orders_by is None else _day(data.cohorts[n].orders_by, start) for n in names],
        np.int64,
    )
    active = np.zeros((days, len(names) + 1), bool)
    detains = np.zeros_like(active)
    for ev in (e for e in data.events if e.type == "injunction"):
        k = names.index(ev.cohort) + 1
        a = max(0, _day(ev.date, start))
        b = days if ev.end is None else min(days, max(0, _day(ev.end, start)))
        active[a:b, k] = True
        if ev.detained_until is not None:
            detains[a : min(b, max(0, _day(ev.detained_until, start))), k] = True
    return active, detains, share, closes


class CourtDays(NamedTuple):
    """The daily court inputs that court policy events set (``Inputs`` fields of the same names)."""

    hearings_suspended: np.ndarray  # bool[T]
    mpp_hearings_suspended: np.ndarray  # bool[T]
    mpp_share: np.ndarray  # float64[T]
    mpp_no_show: np.ndarray  # float64[T]
    mpp_judge_share: np.ndarray  # float64[T]


def _court_policies(data: ScenarioFile, start: dt.date, days: int, params: Params) -> CourtDays:
    """Apply dated court policies (see ``CourtPolicyEvent``) to the court's daily parameters, in place.

    Returns the days on which non-detained and MPP hearings are suspended and
    the MPP docket's daily inputs. An ``mpp`` event enrolls cases from its date up to
    its end; its appearance and its judges apply from its date to the end of
    the run (or to the next ``mpp`` event's date), since the cases it enrolled
    are heard after enrollment ends.
    """
    suspended, mpp_suspended = np.zeros(days, bool), np.zeros(days, bool)
    mpp_share, mpp_no_show, mpp_judges = np.zeros(days), np.zeros(days), np.zeros(days)
    for ev in sorted((e for e in data.events if e.type == "court_policy"), key=lambda e: e.date):
        a = min(max(0, _day(ev.date, start)), days)
        b = days if ev.end is None else min(days, max(0, _day(ev.end, start)))
        if ev.policy == "no_admin_closure":
            params.admin_closure_probability[a:b] = 0.0
        elif ev.policy == "hearing_suspension":
            dockets = ev.dockets or ("non_detained", "mpp")
            suspended[a:b] |= "non_detained" in dockets
            mpp_suspended[a:b] |= "mpp" in dockets
        elif ev.policy == "mpp":
            mpp_share[a:b] = ev.share
            mpp_no_show[a:] = ev.no_show_probability
            mpp_judges[a:] = ev.judge_share
        else:
            params.completions_per_judge_year[a:b] *= ev.factor
    return CourtDays(suspended, mpp_suspended, mpp_share, mpp_no_show, mpp_judges)


def _calendar(start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    dates = np.datetime64(start, "D") + np.arange(days)
    months = dates.astype("datetime64[M]")
    month_of_day = (months - months[0]).astype(np.int32)
    month_end = np.ones(days, bool)
    month_end[:-1] = months[1:] != months[:-1]
    month_starts = np.unique(months).astype("datetime64[D]")
    return dates, month_of_day, month_end, month_starts


def _history_cum(p: Parameter | None) -> np.ndarray:
    """Cumulative shares by criminal history (all ``pending`` when the scenario gives none)."""
    if p is None:
        shares = np.zeros(c.N_HISTORIES)
        shares[c.H_PENDING] = 1.0
    elif isinstance(p.value, dict):
        shares = np.array([float(p.value.get(h, 0.0)) for h in c.HISTORIES])
    else:
        shares = np.full(c.N_HISTORIES, float(p.value))
    return np.cumsum(shares / shares.sum())


def whole_people(exact: np.ndarray) -> np.ndarray:
    """Whole people per (jurisdiction, class) cell, each the floor or the ceiling of ``exact``.

    Why not the floor: it loses half a person per cell on average, almost all of
    them in the small classes (people with serious convictions are 0.12 % of
    recent entrants). Over the 3,143 counties of a county-level scenario that
    was 17,600 people and 0.8 % of national jail bookings. Rounding the running
    total of each class down the jurisdictions instead (systematic rounding)
    keeps every class's national total to the nearest person, and leaves each
    jurisdiction within a few people of its own.
    """
    running = np.floor(np.cumsum(exact, axis=0) + 0.5)
    return np.diff(running, axis=0, prepend=0.0).astype(np.int64)


def compile_scenario(scenario: Scenario, start: dt.date, days: int, seed: int = 0) -> Compiled:
    """Daily arrays for ``days`` days from ``start``; ``seed`` drives the hypothetical lever's draws."""
    data = scenario.data
    offices = scenario.offices
    pop = np.array([j.removable_population for j in data.jurisdictions], float)
    pop_share = pop / pop.sum()
    jur_office = np.array([offices.index(j.office) for j in data.jurisdictions], np.int32)
    office_share = np.bincount(jur_office, weights=pop_share, minlength=len(offices))
    order = np.argsort(jur_office, kind="stable").astype(np.int32)
    office_ptr = np.concatenate(([0], np.cumsum(np.bincount(jur_office, minlength=len(offices))))).astype(np.int32)
    dates, month_of_day, month_end, month_starts = _calendar(start, days)
    rng = np.random.default_rng([seed, 0x5EED])
    policy, changes = _policies(data, start, days, rng)
    policy_names, policy_action, policy_warrant, _ = compile_policies(scenario_policies(data))
    params = Params(
        *(
            np.ascontiguousarray(
                _daily(data.parameters.get(s.name, s.default), s.dims, data, start, days, office_share)
            )
            for s in SPECS
        )
    )
    court_days = _court_policies(data, start, days, params)
    eligible, weight = _regimes(data, start, days)
    weight[:, _CONVICTED] *= params.conviction_targeting_factor[:, None]
    injunction, stay_detains, cohort_share, cohort_closes = _injunctions(data, start, days)
    inputs = Inputs(
        month_of_day,
        month_end,
        jur_office,
        office_ptr,
        order,
        pop_share,
        policy,
        policy_action,
        policy_warrant,
        eligible,
        weight,
        injunction,
        stay_detains,
        cohort_share,
        cohort_closes,
        *court_days,
    )
    ini = data.initial
    share = np.array(class_values(ini.class_share.value))
    population = whole_people(np.outer(pop, share))
    return Compiled(
        inputs,
        params,
        population,
        _table(ini.known_at_start.value, "class", data, office_share),
        int(ini.court_pending.value),
        float(ini.court_pending_mean_age_days.value),
        int(ini.court_admin_closed.value) if ini.court_admin_closed else 0,
        int(ini.atd_participants.value) if ini.atd_participants else 0,
        int(ini.detention_population.value),
        float(ini.detention_court_share.value),
        float(ini.detention_border_share.value),
        _history_cum(ini.detention_history_share),
        dates,
        month_starts,
        changes,
        policy_names,
    )
