"""The levers the web app offers, written as a reform of the base scenario.

People ask a few questions again and again: the cooperation policy of a state,
a county or a city from a date (any policy the scenario knows: the built-in ones
and its own), more or fewer officers, judges, detention beds or ATD slots, more
people contesting their cases, another priority regime, how far ICE moves
at-large officers toward the places that release people with detainers, and the
court's dated policies (judges' completion goals, the end of administrative
closure, a suspension of hearings: the scenario's own kept or removed, new ones
added). Each lever here becomes one
or more ordinary reform changes (``immsim.scenario.reform``), so what the
browser runs is a reform file a user can download, read, and run again with
``immsim run`` or ``immsim compare``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from immsim._strict import Strict
from immsim.model.codes import CLASSES, HISTORIES, HISTORY_LABELS
from immsim.model.parameters import SPECS
from immsim.scenario.compile import scenario_policies
from immsim.scenario.loader import Scenario
from immsim.scenario.schema import SUSPENDED_DOCKETS, CourtPolicyEvent
from immsim.scenario.sources import is_assumption, references, source_kinds, source_text

#: Model modules, in the order a person follows the pipeline, with the titles the app shows.
MECHANISMS = {
    "community": "Community, leads and departures",
    "jails": "Jails, detainers and transfers",
    "operations": "At-large, work-site and task-force operations",
    "custody": "Detention and removal",
    "courts": "Immigration courts",
    "hearings": "Court hearings: case types, hearing stages, continuances",
}

Scale = Annotated[float, Field(gt=0, le=10)]


class PolicyLever(Strict):
    """Every jurisdiction in ``states``, and the local ones named in ``jurisdictions``, apply ``policy`` from ``start``.

    Counties and cities set their own policies, so a lever can name them by
    their codes (``CA-SAN-FRANCISCO``) as well as whole states. The policy is
    any name the base scenario knows (built-in or its own ``policies``), and
    both are checked against the scenario in ``lever_problem``.
    """

    states: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] = Field(default_factory=list, max_length=60)
    jurisdictions: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=200
    )
    policy: str = Field(min_length=1, max_length=80)
    start: dt.date

    @model_validator(mode="after")
    def _somewhere(self) -> PolicyLever:
        if not (self.states or self.jurisdictions):
            raise ValueError("name the states or the jurisdictions that apply the policy")
        return self

    def where(self) -> dict[str, list[str]]:
        """The reform's ``where`` for this lever."""
        return {k: list(v) for k, v in (("states", self.states), ("jurisdictions", self.jurisdictions)) if v}

    def places(self) -> str:
        """The states and jurisdictions, in a few words."""
        return ", ".join([*self.states, *self.jurisdictions])


#: The court policies the app can add (``mpp`` needs a docket's shares and appearance: a reform file sets one).
ADDABLE_COURT_POLICIES = ("completion_goals", "hearing_suspension", "no_admin_closure")


class CourtPolicyLever(Strict):
    """A court policy in force from ``start`` up to the day before ``end`` (or to the end of the run).

    ``factor``: for ``completion_goals``, the judges' completions multiplied (a productivity change);
    ``dockets``: for ``hearing_suspension``, the dockets whose hearings stop (both if none is named). The
    scenario schema's ``CourtPolicyEvent`` checks the combination (``lever_problem``).
    """

    policy: Literal[ADDABLE_COURT_POLICIES]  # type: ignore[valid-type]
    start: dt.date
    end: dt.date | None = None
    factor: Annotated[float, Field(gt=0, le=10)] | None = None
    dockets: Annotated[list[Literal[SUSPENDED_DOCKETS]], Field(min_length=1, max_length=2)] | None = None  # type: ignore[valid-type]


class CourtPolicyRef(Strict):
    """One of the base scenario's court-policy events, named by its policy and first day."""

    policy: str = Field(min_length=1, max_length=40)
    date: dt.date


class Levers(Strict):
    """Changes to a base scenario; every field left empty keeps the base's value."""

    policies: list[PolicyLever] = Field(default_factory=list, max_length=60)
    jail_officers: Scale | None = Field(None, description="multiplier of the base's jail-transfer officers")
    at_large_officers: Scale | None = Field(None, description="multiplier of the base's at-large officers")
    immigration_judges: Scale | None = Field(None, description="multiplier of the base's immigration judges")
    detention_beds: Scale | None = Field(None, description="multiplier of the base's detention beds")
    atd_slots: Scale | None = Field(
        None, description="multiplier of the base's capacity of alternatives to detention (ATD slots)"
    )
    contest: Scale | None = Field(None, description="multiplier of the share who contest removal (capped at 1)")
    regime: str | None = Field(None, max_length=100, description="priority regime from regime_start on")
    regime_start: dt.date | None = None
    at_large_reallocation_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="share of at-large officers ICE moves toward offices that release people with detainers "
        "(0: allocated by population)",
    )
    counsel: float | None = Field(
        None, ge=0, le=1, description="share of respondents with counsel, in every kind of case (detained or not)"
    )
    atd_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="share of people released with a court case (by ICE, or at the border with a notice to "
        "appear) whom ICE places under alternatives to detention while a slot is free",
    )
    court_policies: list[CourtPolicyLever] = Field(
        default_factory=list, max_length=10, description="court policies added, each for a time"
    )
    remove_court_policies: list[CourtPolicyRef] = Field(
        default_factory=list, max_length=20, description="court policies of the scenario taken out"
    )

    def is_empty(self) -> bool:
        return not (self.policies or self.court_policies or self.remove_court_policies) and all(
            getattr(self, f) is None
            for f in (
                "jail_officers",
                "at_large_officers",
                "immigration_judges",
                "detention_beds",
                "atd_slots",
                "contest",
                "regime",
                "at_large_reallocation_share",
                "counsel",
                "atd_share",
            )
        )


#: The parameters the counsel lever sets: the represented share of each kind of case.
COUNSEL = ("represented_share_detained", "represented_share_released", "represented_share_never_detained")

#: The parameters the ATD lever sets: the supervised share of released respondents and of border releases.
ATD_SHARE = ("supervised_share_released", "supervised_share_external")

#: Capacity levers: lever field -> (scenario parameter, what the change says).
_SCALED = {
    "jail_officers": ("jail_officers", "jail-transfer officers"),
    "at_large_officers": ("at_large_officers", "at-large officers"),
    "immigration_judges": ("immigration_judges", "immigration judges"),
    "detention_beds": ("detention_beds", "detention beds"),
    "atd_slots": ("atd_slots", "ATD slots"),
}


def lever_problem(levers: Levers, base: Scenario) -> tuple[str, str] | None:
    """(field, message) for a lever the base scenario cannot take, else None."""
    states = {j.state for j in base.data.jurisdictions}
    codes = {j.code for j in base.data.jurisdictions}
    known = scenario_policies(base.data)
    for i, p in enumerate(levers.policies):
        missing = [s for s in p.states if s not in states]
        if missing:
            return f"policies.{i}.states", f"the scenario has no jurisdiction in {', '.join(missing)}"
        missing = [c for c in p.jurisdictions if c not in codes]
        if missing:
            return f"policies.{i}.jurisdictions", f"the scenario has no jurisdiction {', '.join(missing)}"
        if p.policy not in known:
            return f"policies.{i}.policy", f"the scenario has no policy {p.policy!r} (it has {', '.join(known)})"
    if levers.atd_slots not in (None, 1) and "atd_slots" not in base.data.parameters:
        return "atd_slots", "the scenario sets no ATD capacity (no limit), so there is none to scale"
    if levers.regime is not None:
        if levers.regime not in base.data.regimes:
            known = ", ".join(base.data.regimes)
            return "regime", f"the scenario has no priority regime {levers.regime!r} (it has {known})"
        if levers.regime_start is None:
            return "regime_start", "give the date the priority regime starts"
    court = {(e.policy, e.date) for e in base.data.events if e.type == "court_policy"}
    for i, ref in enumerate(levers.remove_court_policies):
        if (ref.policy, ref.date) not in court:
            return f"remove_court_policies.{i}.policy", f"the scenario has no {ref.policy} from {ref.date.isoformat()}"
    for i, lever in enumerate(levers.court_policies):
        try:
            CourtPolicyEvent.model_validate(_court_event(lever))
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(str(x) for x in err["loc"]) or "policy"
            return f"court_policies.{i}.{where}", err["msg"].removeprefix("Value error, ")
    return None


def _court_event(lever: CourtPolicyLever) -> dict[str, Any]:
    """The scenario event a court-policy lever adds (validated as one by ``lever_problem``)."""
    words = {
        "completion_goals": f"judges' completions x {lever.factor:g}" if lever.factor is not None else "",
        "hearing_suspension": "hearings suspended on the "
        + (" and ".join(lever.dockets) if lever.dockets else "non-detained and MPP")
        + " dockets",
        "no_admin_closure": "no administrative closure",
    }[lever.policy]
    until = f" to {lever.end.isoformat()}" if lever.end else ""
    return {
        "type": "court_policy",
        "policy": lever.policy,
        "date": lever.start.isoformat(),
        **({"end": lever.end.isoformat()} if lever.end else {}),
        **({"factor": lever.factor} if lever.factor is not None else {}),
        **({"dockets": list(lever.dockets)} if lever.dockets else {}),
        "meaning": f"web app: {words} from {lever.start.isoformat()}{until}",
        "source": "web app (hypothetical)",
    }


def reform_document(levers: Levers, base: Scenario, base_ref: str, name: str, title: str) -> dict[str, Any]:
    """A reform file (as a mapping) that applies ``levers`` to ``base``; ``base_ref`` is what its ``base:`` says."""
    changes: list[dict[str, Any]] = []
    for p in levers.policies:
        changes.append(
            {
                "policy": p.policy,
                "where": p.where(),
                "from": p.start.isoformat(),
                "source": f"web app: {p.places()} {p.policy} from {p.start.isoformat()}",
            }
        )
    for lever, (param, words) in _SCALED.items():
        factor = getattr(levers, lever)
        if factor is not None and factor != 1:
            changes.append({"parameter": param, "scale": factor, "source": f"web app: {factor:g} x the base's {words}"})
    if levers.contest is not None and levers.contest != 1:
        changes.append(_contest_change(base, levers.contest))
    if levers.at_large_reallocation_share is not None:
        share = levers.at_large_reallocation_share
        changes.append(
            {
                "parameter": "at_large_reallocation_share",
                "value": share,
                "source": f"web app: {share:g} of at-large officers allocated by recent releases with a detainer",
            }
        )
    if levers.counsel is not None:
        for param in COUNSEL:
            changes.append(
                {
                    "parameter": param,
                    "value": levers.counsel,
                    "source": f"web app: {levers.counsel:g} of respondents with counsel",
                }
            )
    if levers.atd_share is not None:
        changes += [
            {
                "parameter": param,
                "value": levers.atd_share,
                "source": f"web app: {levers.atd_share:g} of released respondents placed under ATD",
            }
            for param in ATD_SHARE
        ]
    if levers.regime is not None and levers.regime_start is not None:
        changes += _regime_changes(base, levers.regime, levers.regime_start)
    for ref in levers.remove_court_policies:
        changes.append({"remove_event": {"type": "court_policy", "policy": ref.policy, "date": ref.date.isoformat()}})
    changes += [{"add_event": _court_event(lever)} for lever in levers.court_policies]
    return {
        "name": name,
        "title": title,
        "question": "Made with the immsim web app: what do these changes do, against the base scenario?",
        "base": base_ref,
        "changes": changes,
    }


def reform_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True)


def _contest_change(base: Scenario, factor: float) -> dict[str, Any]:
    """Scale the share who contest (1 - accept_removal_probability), class by class, capped at 1.

    A reform's ``scale`` multiplies the share who *accept*; people ask about
    those who *contest*, so the new values are computed here and written out.
    """
    entry = base.data.parameters["accept_removal_probability"]
    if entry.series:
        raise ValueError("the base gives accept_removal_probability as a dated series; edit it in a reform file")
    value = entry.value
    accept = value if isinstance(value, dict) else dict.fromkeys(CLASSES, value)
    new = {k: round(1 - min(1.0, factor * (1 - float(a))), 6) for k, a in accept.items()}
    return {
        "parameter": "accept_removal_probability",
        "value": new,
        "source": f"web app: {factor:g} x the base's share who contest (capped at 1)",
    }


def _regime_changes(base: Scenario, regime: str, start: dt.date) -> list[dict[str, Any]]:
    """The regime from ``start`` on: the base's later regime changes are removed so that it holds."""
    out: list[dict[str, Any]] = [
        {"remove_event": {"type": "regime", "date": e.date.isoformat()}}
        for e in base.data.events
        if e.type == "regime" and e.date >= start
    ]
    out.append(
        {
            "add_event": {
                "type": "regime",
                "date": start.isoformat(),
                "regime": regime,
                "meaning": f"web app: the {regime} priorities from {start.isoformat()}",
                "source": "web app (hypothetical)",
            }
        }
    )
    return out


def describe_value(entry: Any) -> str:
    """A parameter's value in a few words: a number, a range over a table, or its dated steps."""

    def one(v: Any) -> str:
        if isinstance(v, dict):
            nums = [float(x) for x in v.values()]
            lo, hi = min(nums), max(nums)
            return f"{lo:,.4g}" if lo == hi else f"{lo:,.4g} to {hi:,.4g} ({len(nums)} entries)"
        return f"{float(v):,.4g}"

    if entry.series:
        steps = [f"from {s.start.isoformat()}: {one(s.value)}" for s in entry.series[:4]]
        more = f"; ... ({len(entry.series)} steps)" if len(entry.series) > 4 else ""
        return "; ".join(steps) + more
    return one(entry.value)


def parameter_groups(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's parameters grouped by mechanism, each with value, unit, meaning and source."""
    groups = []
    for module, title in MECHANISMS.items():
        rows = []
        for spec in SPECS:
            entry = scenario.data.parameters.get(spec.name)
            if spec.module != module or (entry is None and spec.default is None):
                continue
            if entry is None:  # left out: the model uses its neutral default, and the page says so
                rows.append(
                    {
                        "name": spec.name,
                        "meaning": spec.meaning,
                        "unit": spec.unit,
                        "value": f"{spec.default:,.4g}",
                        "source": "not set by the scenario: the model's neutral default",
                        "source_kinds": ["default"],
                        "assumption": False,
                        "references": [],
                        "range": None,
                        "changed_by": None,
                    }
                )
                continue
            rows.append(
                {
                    "name": spec.name,
                    "meaning": entry.meaning or spec.meaning,
                    "unit": entry.unit or spec.unit,
                    "value": describe_value(entry),
                    **source_fields(entry.source),
                    "range": list(entry.range) if entry.range else None,
                    "changed_by": scenario.changed_by.get(f"parameters.{spec.name}"),
                }
            )
        groups.append({"mechanism": module, "title": title, "parameters": rows})
    return groups


def source_fields(source: Any) -> dict[str, Any]:
    """A source for the app: one line of text, its kinds, whether it is an assumption, and its references."""
    return {
        "source": source_text(source),
        "source_kinds": source_kinds(source),
        "assumption": is_assumption(source),
        "references": [r.model_dump() | {"href": _safe_link(r.url)} for r in references(source)],
    }


def _safe_link(url: str | None) -> str | None:
    """The URL if it is a web address: an uploaded scenario must not put a ``javascript:`` link on the page."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def policy_list(scenario: Scenario) -> list[dict[str, Any]]:
    """Every policy the scenario can use (built-in first, then its own), with its action per criminal history."""
    own = scenario.data.policies
    return [
        {
            "name": name,
            "meaning": p.meaning,
            "defined_by": "scenario" if name in own else "built-in",
            "actions": dict(zip(HISTORIES, p.actions, strict=True)),
            "judicial_warrant": p.judicial_warrant,
            "summary": ", ".join(f"{label}: {a}" for label, a in zip(HISTORY_LABELS, p.actions, strict=True))
            + ("; holds only with a judicial warrant" if p.judicial_warrant else ""),
            **(source_fields(own[name].source) if name in own else {}),
        }
        for name, p in scenario_policies(scenario.data).items()
    ]


def lever_context(scenario: Scenario) -> dict[str, Any]:
    """What the lever form shows: states, local jurisdictions and their policies, regimes, and the base values
    it scales. ``jurisdictions`` lists those of the states that have more than one (a county, a city, the rest of
    the state): in a state with one, the state is the jurisdiction."""
    states: dict[str, dict[str, Any]] = {}
    for j in scenario.data.jurisdictions:
        s = states.setdefault(j.state, {"state": j.state, "name": j.state, "policies": set(), "count": 0})
        if j.code == j.state:  # the state's own entry: the whole state, or the rest of it beside its counties
            s["name"] = j.name.removesuffix(" (rest of state)")
        s["policies"].add(j.policy)
        s["count"] += 1
    params = scenario.data.parameters
    return {
        "states": [
            {"state": s["state"], "name": s["name"], "policy": "/".join(sorted(s["policies"]))}
            for s in sorted(states.values(), key=lambda s: s["state"])
        ],
        "jurisdictions": [
            {"code": j.code, "name": j.name, "state": j.state, "policy": j.policy}
            for j in sorted(scenario.data.jurisdictions, key=lambda j: (j.state, j.code))
            if states[j.state]["count"] > 1
        ],
        "policies": policy_list(scenario),
        "regimes": {k: r.meaning for k, r in scenario.data.regimes.items()},
        "start": scenario.data.start.isoformat(),
        "base_values": {
            lever: describe_value(params[param]) for lever, (param, _) in _SCALED.items() if param in params
        }
        | {"contest": _contest_text(scenario)},
        "at_large_reallocation_share": _share_value(scenario, "at_large_reallocation_share"),
        "counsel": _counsel_text(scenario),
        "atd_share": _atd_share_text(scenario),
        "court_policies": [
            {
                "policy": e.policy,
                "date": e.date.isoformat(),
                "end": e.end.isoformat() if e.end else None,
                "meaning": e.meaning,
            }
            for e in sorted((e for e in scenario.data.events if e.type == "court_policy"), key=lambda e: e.date)
        ],
    }


def _counsel_text(scenario: Scenario) -> str:
    """The scenario's represented shares by kind of case, in a few words."""
    kinds = ("detained", "released", "never detained")
    shares = [_share_value(scenario, p) for p in COUNSEL]
    if any(v is None for v in shares):
        return "0 (not set) or a dated series: see parameters"
    return ", ".join(f"{k} {v:.0%}" for k, v in zip(kinds, shares, strict=True))


def _atd_share_text(scenario: Scenario) -> str:
    """The scenario's supervised shares (ICE's releases, border releases), in a few words."""

    def text(name: str) -> str:
        if name not in scenario.data.parameters:
            return "0 (not set)"
        v = _share_value(scenario, name)
        return "a dated series" if v is None else f"{v:.0%}"

    return f"released by ICE {text(ATD_SHARE[0])}, released at the border {text(ATD_SHARE[1])}"


def _contest_text(scenario: Scenario) -> str:
    entry = scenario.data.parameters.get("accept_removal_probability")
    if entry is None or entry.series:
        return "dated series (see parameters)"
    v = entry.value
    shares = [1 - float(x) for x in (v.values() if isinstance(v, dict) else [v])]
    lo, hi = min(shares), max(shares)
    return f"{lo:.0%}" if lo == hi else f"{lo:.0%} to {hi:.0%} by class"


def _share_value(scenario: Scenario, name: str) -> float | None:
    """A scalar share parameter's value at the start (None if missing or given as a table)."""
    entry = scenario.data.parameters.get(name)
    if entry is None:
        return None
    value = entry.series[0].value if entry.series else entry.value
    return float(value) if isinstance(value, int | float) else None
