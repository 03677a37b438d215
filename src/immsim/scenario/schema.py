"""The scenario file format, as Pydantic models.

A scenario names its jurisdictions (each in one ICE field-office area, with its
removable population and its cooperation policy at the start), the enforcement
regimes it uses, cohorts that injunctions may cover, the initial state, every
model parameter (see ``immsim.model.parameters``) with unit, meaning and source,
and dated events. Unknown fields are errors, so that a typo never passes
silently.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator

from immsim._strict import Strict
from immsim.model.codes import ACTIONS, HISTORIES, STATUSES
from immsim.scenario.priors import Prior
from immsim.scenario.sources import Source, is_assumption

#: Cohorts are stored in one signed byte per person (0 means none).
MAX_COHORTS = 100

Number = Annotated[float, Field(allow_inf_nan=False)]
Value = Number | dict[str, Number]
PolicyName = Annotated[str, Field(min_length=1, max_length=80)]  # built-in or defined in ``policies``
Action = Literal[ACTIONS]  # type: ignore[valid-type]


def _not_a_number(value: Any) -> Any:
    """Refuse a number where a date belongs.

    Pydantic reads a number as a Unix timestamp: ``0`` would be 1970-01-01
    and ``20170101`` an error about "zero time"; in a scenario file a number
    is a typo for a date.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} is a number; write a date as YYYY-MM-DD")
    return value


Date = Annotated[dt.date, BeforeValidator(_not_a_number)]


class Dated(Strict):
    """One step of a dated series: ``value`` applies from ``from`` on."""

    start: Date = Field(alias="from")
    value: Value


class Parameter(Strict):
    value: Value | None = None
    series: list[Dated] | None = None
    unit: str
    meaning: str = Field(min_length=1)
    source: Source = Field(description="a public source, or the word 'assumption'")
    range: tuple[Number, Number] | None = None
    calibratable: bool = False
    prior: Prior | None = None  # over ``range``; uniform if not given (see immsim.scenario.priors)
    notes: str | None = None

    @field_validator("prior")
    @classmethod
    def _prior_fits(cls, prior: Prior | None, info: ValidationInfo) -> Prior | None:
        # fields validate in order, so source and range are known here and the error names 'prior'
        if prior is None:
            return prior
        if "source" in info.data and not is_assumption(info.data["source"]):
            raise ValueError("only an assumption (source 'assumption') takes a prior")
        rng = info.data.get("range")
        if rng is None:
            raise ValueError("a prior spreads over the parameter's 'range'; give a range [low, high]")
        problem = prior.problem(*rng)
        if problem:
            raise ValueError(problem)
        return prior

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        if (self.value is None) == (self.series is None):
            raise ValueError("give exactly one of 'value' or 'series'")
        if self.series is not None:
            if not self.series:
                raise ValueError("'series' is empty")
            dates = [s.start for s in self.series]
            if dates != sorted(dates) or len(set(dates)) != len(dates):
                raise ValueError("'series' dates must be strictly increasing")
        if is_assumption(self.source) and self.range is None:
            raise ValueError("an assumption must give a plausible 'range' [low, high]")
        if self.calibratable and not is_assumption(self.source):
            raise ValueError("only a parameter whose source is 'assumption' can be calibratable")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("'range' low is above high")
        return self


class Jurisdiction(Strict):
    code: str = Field(min_length=1)
    name: str
    state: str = Field(min_length=2, max_length=2)
    office: str = Field(min_length=1)
    removable_population: int = Field(ge=0, le=100_000_000)
    policy: PolicyName
    source: Source
    kind: Literal["state", "county", "city", "city-county", "rest_of_state"] = "state"


def _every(table: dict, names: tuple[str, ...], what: str) -> None:
    keys = set(table)
    if keys != set(names):
        missing, extra = set(names) - keys, keys - set(names)
        raise ValueError(f"must list every {what}; missing {sorted(missing)}, unknown {sorted(extra)}")


class Selection(Strict):
    """A regime's table on both dimensions of a person: by immigration status and by criminal history.

    A class's value is the larger of its status's and its history's (a person
    is a priority if either makes them one); for ``eligible``, the share of
    the class eligible is 1 - (1 - status share)(1 - history share), the two
    criteria taken as independent.
    """

    status: dict[str, Annotated[float, Field(ge=0, le=1e6)]]
    history: dict[str, Annotated[float, Field(ge=0, le=1e6)]]

    @model_validator(mode="after")
    def _keys(self) -> Selection:
        _every(self.status, STATUSES, "status")
        _every(self.history, HISTORIES, "criminal history")
        return self


class Regime(Strict):
    meaning: str
    source: Source
    eligible: Selection
    weight: Selection

    @model_validator(mode="after")
    def _shares(self) -> Regime:
        for table in (self.eligible.status, self.eligible.history):
            if any(v > 1 for v in table.values()):
                raise ValueError("'eligible' shares must be between 0 and 1")
        return self


class PolicyDefinition(Strict):
    """A cooperation policy defined by a scenario (see ``immsim.scenario.policies``)."""

    meaning: str = Field(min_length=1)
    source: Source
    detainer: Action | dict[str, Action]
    judicial_warrant: bool = False

    @model_validator(mode="after")
    def _histories(self) -> PolicyDefinition:
        if isinstance(self.detainer, dict):
            _every(self.detainer, HISTORIES, "criminal history")
        return self

    def actions(self) -> tuple[str, ...]:
        if isinstance(self.detainer, str):
            return (self.detainer,) * len(HISTORIES)
        return tuple(self.detainer[h] for h in HISTORIES)


class Cohort(Strict):
    """A group whose removals an injunction may stay.

    ``share`` is the group's share of the people in the pipeline (a
    nationality, for example), drawn when a person enters it. With
    ``orders_by`` the cohort is closed, as a court's class is: only people
    whose removal order was issued on or before that date belong to it;
    anyone ordered removed later does not, whatever their group.
    """

    share: float = Field(ge=0, le=1)
    meaning: str
    source: Source
    orders_by: Date | None = None


class Initial(Strict):
    regime: str
    class_share: Parameter
    known_at_start: Parameter
    court_pending: Parameter
    court_pending_mean_age_days: Parameter
    court_admin_closed: Parameter | None = None
    atd_participants: Parameter | None = None  # released respondents under ATD at start, among court_pending
    detention_population: Parameter
    detention_court_share: Parameter
    detention_border_share: Parameter
    detention_history_share: Parameter | None = None  # interior detainees by criminal history


class PolicyEvent(Strict):
    type: Literal["policy"]
    date: Date
    scope: Literal["national", "state", "jurisdiction"]
    target: str
    policy: PolicyName
    mode: Literal["set", "at_least", "at_most"] = "set"
    meaning: str
    source: Source


class RegimeEvent(Strict):
    type: Literal["regime"]
    date: Date
    regime: str
    meaning: str
    source: Source


class InjunctionEvent(Strict):
    """A court order that stays the removals of a cohort from ``date`` until ``end``.

    A stayed person waits outside detention, unless ``detained_until`` is
    given: a stay that reaches a detained person then keeps them detained
    (holding their bed) until that date, when they are released to wait,
    as an order that first kept detention and later required release or
    bond hearings did.
    """

    type: Literal["injunction"]
    date: Date
    end: Date | None = None
    detained_until: Date | None = None
    cohort: str
    meaning: str
    source: Source

    @model_validator(mode="after")
    def _order(self) -> InjunctionEvent:
        if self.end is not None and self.end <= self.date:
            raise ValueError("'end' must be after 'date'")
        if self.detained_until is not None and self.detained_until <= self.date:
            raise ValueError("'detained_until' must be after 'date'")
        if self.detained_until is not None and self.end is not None and self.detained_until > self.end:
            raise ValueError("'detained_until' must not be after 'end'")
        return self


class FederalPressureEvent(Strict):
    """HYPOTHETICAL lever: federal pressure makes some jurisdictions honor detainers."""

    type: Literal["federal_pressure"]
    date: Date
    targets: Literal["all"] | list[str]
    comply_probability: float = Field(ge=0, le=1)
    hypothetical: Literal[True]
    meaning: str
    source: Source


#: Court policies an event can put in force for a time (see ``CourtPolicyEvent``).
COURT_POLICIES = ("completion_goals", "hearing_suspension", "no_admin_closure", "mpp")

#: The fields only an ``mpp`` event takes, each a share or a probability.
MPP_FIELDS = ("share", "no_show_probability", "judge_share")
#: The dockets whose hearings a ``hearing_suspension`` may suspend (both unless it names them).
SUSPENDED_DOCKETS = ("non_detained", "mpp")
Share = Annotated[float, Field(ge=0, le=1)]


class CourtPolicyEvent(Strict):
    """A dated court policy, in force from ``date`` up to the day before ``end`` (or to the end of the run).

    ``completion_goals`` multiplies the hearings a judge completes by
    ``factor`` (a productivity change; overlapping goals multiply);
    ``hearing_suspension`` (no ``factor``) suspends the hearings of the
    ``dockets`` it names (``non_detained``, ``mpp``; both if it names none):
    judges hear the other dockets only, and an MPP docket's judges go back
    to them while it is suspended; ``no_admin_closure`` (no ``factor``) ends
    administrative closure: closed cases still come back at the
    recalendaring rate; ``mpp`` (the Migrant Protection Protocols) places
    ``share`` of the non-detained cases that come from the border (border
    book-ins and external receipts) on a separate docket while it is in force:
    the respondent waits outside the United States (never in the community,
    never arrested in the interior), fails to appear with probability
    ``no_show_probability``, and is heard by ``judge_share`` of the judges,
    who hear that docket alone while it holds cases (also after ``end``, which
    ends new enrollments only). See ``model.mpp``.
    """

    type: Literal["court_policy"]
    policy: Literal[COURT_POLICIES]  # type: ignore[valid-type]
    date: Date
    end: Date | None = None
    factor: Annotated[float, Field(ge=0, le=10)] | None = None
    share: Share | None = None
    no_show_probability: Share | None = None
    judge_share: Share | None = None
    dockets: Annotated[list[Literal[SUSPENDED_DOCKETS]], Field(min_length=1)] | None = None  # type: ignore[valid-type]
    meaning: str
    source: Source

    @model_validator(mode="after")
    def _fields(self) -> CourtPolicyEvent:
        if self.dockets is not None and self.policy != "hearing_suspension":
            raise ValueError(f"'{self.policy}' takes no 'dockets' (only 'hearing_suspension' does)")
        if self.end is not None and self.end <= self.date:
            raise ValueError("'end' must be after 'date'")
        given = [f for f in MPP_FIELDS if getattr(self, f) is not None]
        if self.policy == "mpp":
            missing = [f for f in MPP_FIELDS if f not in given]
            if missing:
                raise ValueError(f"'mpp' needs {', '.join(repr(f) for f in missing)}")
            if self.share > 0 and self.judge_share <= 0:
                raise ValueError("'mpp' with a 'share' above 0 needs a 'judge_share' above 0 to hear its docket")
        elif given:
            raise ValueError(f"'{self.policy}' takes no {', '.join(repr(f) for f in given)}")
        if self.policy != "completion_goals":
            if self.factor is not None:
                raise ValueError(f"'{self.policy}' takes no 'factor'")
        elif self.factor is None:
            raise ValueError("'completion_goals' needs a 'factor'")
        elif self.factor <= 0:
            raise ValueError("a completion goal's 'factor' must be above 0")
        return self


Event = Annotated[
    PolicyEvent | RegimeEvent | InjunctionEvent | FederalPressureEvent | CourtPolicyEvent,
    Field(discriminator="type"),
]


class ScenarioFile(Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str
    description: str
    start: Date
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    regimes: dict[str, Regime] = Field(min_length=1)
    policies: dict[str, PolicyDefinition] = {}
    cohorts: dict[str, Cohort] = Field(default={}, max_length=MAX_COHORTS)
    initial: Initial
    parameters: dict[str, Parameter]
    events: list[Event] = []
