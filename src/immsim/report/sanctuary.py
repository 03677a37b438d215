"""What local limits on cooperation change, by criminal history: docs/sanctuary.md.

Two counterfactuals of a scenario, each compared with it replication by
replication (common random numbers, ``immsim.compare``):

- **all honor**: every jurisdiction whose policy limits cooperation on some day
  of the run (a policy scoring below ``honor``, ``scenario.policies``) honors
  every detainer from the start, and the dated events that would limit it are
  removed;
- **serious-only carve-out**: the same jurisdictions honor detainers only for
  people with a serious or violent conviction (``honor_serious``), from the
  start, with the same events removed.

Both are written as reforms of the scenario (``scenario.reform``), so what
they change can be read and rerun: ``sanctuary_reforms`` returns their text.
``sanctuary_markdown`` runs them and writes the page with the mechanism behind
each difference. Command: ``immsim sanctuary us-2017 --markdown docs/sanctuary.md``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import yaml

from immsim._format import MISSING_MARKDOWN, number
from immsim.comparison import compare
from immsim.model import codes as c
from immsim.scenario.compile import compile_scenario, scenario_policies
from immsim.scenario.loader import Scenario, load_scenario
from immsim.simulation import run_span

COUNTERFACTUALS = {
    "all-honor-local": ("honor", "every jurisdiction with a limiting policy honors all detainers"),
    "serious-carve-out-local": (
        "honor_serious",
        "every jurisdiction with a limiting policy honors detainers only for serious or violent convictions",
    ),
}
FIGURES = (
    "detainers_declined",
    "released_to_at_large",
    "custodial_arrests",
    "ice_at_large_arrests",
    "arrests_collateral",
    "ice_admin_arrests",
    "removals_from_ice_arrests",
    "at_large_pool_end",
)


def limiting_jurisdictions(scenario: Scenario, start: dt.date, days: int) -> list[str]:
    """Codes of the jurisdictions whose policy scores below ``honor`` on some day of the run."""
    comp = compile_scenario(scenario, start, days)
    table = scenario_policies(scenario.data)
    score = [table[n].score for n in comp.policy_names]
    honor = table["honor"].score
    codes = [j.code for j in scenario.data.jurisdictions]
    return [code for j, code in enumerate(codes) if min(score[p] for p in set(comp.inputs.policy[:, j])) < honor]


def _counterfactuals(scenario: Scenario, start: dt.date, days: int) -> dict[str, dict]:
    """The two counterfactuals as reforms of ``scenario`` (name, title, question and changes), by name."""
    targets = limiting_jurisdictions(scenario, start, days)
    states = {j.state for j in scenario.data.jurisdictions if j.code in targets}
    removed = [
        {"type": "policy", "target": e.target, "date": e.date.isoformat()}
        for e in scenario.data.events
        if e.type == "policy" and e.mode != "at_least" and (e.target in targets or e.target in states)
    ]
    out = {}
    for name, (policy, meaning) in COUNTERFACTUALS.items():
        changes: list[dict] = [{"remove_event": ev} for ev in removed]
        changes.append(
            {
                "policy": policy,
                "where": {"jurisdictions": targets},
                "from": start.isoformat(),
                "source": f"counterfactual: {meaning}",
            }
        )
        out[name] = {
            "name": name,
            "title": f"{scenario.data.title}: {meaning}",
            "question": f"What if {meaning} from {start.isoformat()}?",
            "changes": changes,
        }
    return out


def sanctuary_reforms(scenario: Scenario, start: dt.date, days: int) -> dict[str, str]:
    """The two counterfactuals as reform files (YAML text) of ``scenario``, by name, to read and rerun."""
    return {
        name: yaml.safe_dump(
            {**{k: v for k, v in r.items() if k != "changes"}, "base": scenario.path, "changes": r["changes"]},
            sort_keys=False,
            width=110,
        )
        for name, r in _counterfactuals(scenario, start, days).items()
    }


def run_sanctuary(
    scenario: Scenario | str = "us-2017",
    *,
    years: float = 1.0,
    replications: int = 5,
    seed: int = 1,
    progress=None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(headline differences, differences by criminal history, the jurisdictions changed)."""
    scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    start, days = run_span(scenario, None, years, seed, replications)
    alternatives = [
        scenario.with_changes(r["changes"], name=r["name"], title=r["title"])
        for r in _counterfactuals(scenario, start, days).values()
    ]
    comparison = compare(scenario, alternatives, years=years, seed=seed, replications=replications, progress=progress)
    return comparison.table, comparison.by_history, limiting_jurisdictions(scenario, start, days)


def _fmt(x: float, unit: str = "") -> str:
    """A paired difference on the page: signed, shares in percentage points (``immsim._format.number``)."""
    return number(x, unit, missing=MISSING_MARKDOWN, signed=True)


def sanctuary_markdown(
    scenario: Scenario | str = "us-2017", *, years: float = 1.0, replications: int = 5, seed: int = 1, progress=None
) -> str:
    """docs/sanctuary.md: the two counterfactuals, nationally and by criminal history, with their mechanisms."""
    scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    table, by_history, changed = run_sanctuary(
        scenario, years=years, replications=replications, seed=seed, progress=progress
    )
    fy = int(by_history.fiscal_year.iloc[0]) if not by_history.empty else None
    lines = [
        "# Local limits on cooperation, by criminal history",
        "",
        "Generated by `immsim sanctuary "
        f"{scenario.name} --replications {replications} --seed {seed} --markdown docs/sanctuary.md`; "
        "do not edit by hand.",
        "",
        f"Scenario `{scenario.name}`, fiscal year {fy}, {replications} paired replications (common random numbers). "
        f"{len(changed)} of {len(scenario.data.jurisdictions)} jurisdictions limit cooperation on some day of the "
        "run (a policy below `honor`); both counterfactuals change exactly those, from the first day, and remove "
        "the dated events that would limit them. Each difference is the counterfactual minus the scenario, with "
        "its 95 % interval over paired replications.",
        "",
        "Jurisdictions changed: " + ", ".join(f"`{code}`" for code in changed) + ".",
        "",
    ]
    for name, (_, meaning) in COUNTERFACTUALS.items():
        lines += [
            f"## {meaning.capitalize()}",
            "",
            "### Nationally",
            "",
            "| figure | scenario | counterfactual | difference (95 % interval) |",
            "|---|---:|---:|---|",
        ]
        rows = table[table.scenario == name] if "scenario" in table else table.iloc[0:0]
        for r in rows.itertuples():
            if r.figure not in (
                "ice_admin_arrests",
                "detainers_declined",
                "released_to_at_large",
                "ice_at_large_arrests",
                "use_of_force",
                "removals_from_ice_arrests",
                "officer_days_per_at_large_arrest",
                "share_arrests_convicted",
            ):
                continue
            lines.append(
                f"| {r.figure} | {number(r.base, r.unit)} | {number(r.alternative, r.unit)} | "
                f"{_fmt(r.difference, r.unit)} ({_fmt(r.ci_low, r.unit)} to {_fmt(r.ci_high, r.unit)}) |"
            )
        lines += [
            "",
            "### By criminal history",
            "",
            "| figure | " + " | ".join(c.HISTORY_LABELS) + " |",
            "|---|" + "---:|" * c.N_HISTORIES,
        ]
        h = by_history[by_history.scenario == name]
        for figure in FIGURES:
            cells = []
            for history in c.HISTORIES:
                row = h[(h.figure == figure) & (h.criminal_history == history)]
                if row.empty:
                    cells.append("")
                    continue
                r = row.iloc[0]
                cells.append(f"{_fmt(r.difference)} ({_fmt(r.ci_low)} to {_fmt(r.ci_high)})")
            lines.append(f"| {figure} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += MECHANISMS
    return "\n".join(lines) + "\n"


MECHANISMS = [
    "## The mechanisms behind the differences",
    "",
    "- **Detainers declined and people released with a detainer.** A jail applies its policy's action for the "
    "person's criminal history at normal release (`model/jails.py`). Honoring all detainers removes every "
    "decline, so no one with a detainer is released to the community from those jails; the carve-out keeps "
    "declining for people with no conviction, pending charges or a lesser conviction, and removes the declines "
    "for serious or violent convictions only.",
    "- **Transfers at the jail.** A detainer honored becomes a transfer in the hold window, within the jail "
    "officers' pickup capacity (`pickups_per_officer_day` x officers of the field office). Custodial arrests "
    "rise by about the declines removed, less the few whom a notify-only or declining jail would have let ICE "
    "meet anyway (`notify_pickup_probability`, `decline_pickup_probability`).",
    "- **At-large arrests and their side effects.** A person released with a detainer joins the at-large pool "
    "as a known target (`model/operations.py`). At-large arrests are limited by the teams' attempts (officers "
    "x attempts a day), not by the number of known targets, which is far larger; so fewer releases change "
    "*whom* the teams arrest (fewer people with convictions, more with final orders and no record), not how "
    "many. Collateral arrests, use of force and assaults follow the at-large arrests; use of force also "
    "follows the transfers at jails, at its lower custodial rate. With the reallocation rule on "
    "(`at_large_reallocation_share` > 0, `model/staffing.py`) teams also move toward offices with more "
    "releases; in the default scenario the rule is off (share 0).",
    "- **Part-year policies.** Some jurisdictions limit cooperation for part of the year only (Miami-Dade "
    "until January 2017, the rest of Illinois from August 2017, Massachusetts from July 2017). Under the "
    "carve-out they limit it all year, so the declines of people without serious convictions can rise even "
    "as the serious declines vanish.",
    "- **Removals.** Every arrest, whatever its channel, goes through the same removal paths "
    "(`model/custody.py`), so removals of people arrested in the interior follow the total of arrests, "
    "a year or more later for people who contest in court.",
    "- **By criminal history.** Pending charges are recorded at a booking of a person with no conviction, so "
    "jail-based figures have no `no conviction` row; the at-large pool's `no conviction` row is mostly people "
    "with final orders.",
]
