"""The model's pipeline as a queueing network: a scenario document whose every station has an exact answer.

Why a scenario and not a patched kernel: the check must run the model as
users run it (``simulate`` on a validated scenario, the same compiled
kernel), so the only thing special about it is the numbers. One jurisdiction
and one field office; two classes of people with a detainer, both booked at
a tiny rate from a very large community stock (Poisson bookings):

- ``other/lesser``: held at release for pickup (policy action ``hold``); one
  officer picks up ``pickups`` a day, earliest deadline first, within the hold
  window; everyone picked up accepts removal and needs a bed (``beds``, stays
  geometric with mean ``removal_days``), or is released pending removal;
- ``other/serious``: transferred at release under 287(g) (no pickup, no bed)
  and contests, on the non-detained docket heard by ``judges`` judges.

Everything else (leads, departures, teams, work sites, task forces, border
and external cases, no-shows, closures) is switched off, and the run starts
with empty detention and courts.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from immsim.model.codes import CLASSES, HISTORIES, STATUSES
from immsim.model.parameters import SPECS
from immsim.scenario.loader import Scenario, parse_scenario

YEAR = 365.0
POPULATION = 100_000_000  # removable people in the one jurisdiction: the largest a scenario allows
HOLD, TRANSFER = "other/lesser", "other/serious"  # the two classes of the pipeline
SOURCE = {"title": "validation configuration (immsim.validation.model_peer)", "kind": "derived"}


@dataclass(frozen=True)
class Pipeline:
    """The network's rates, in days. Defaults keep every station busy: pickups at load 1 held in check by the
    window (about 3 % missed), beds full for about 12 % of pickups, judges at load 0.75."""

    hold_releases: float = 6.0  # a day: people with a detainer released into the hold (lesser convictions)
    hold_stay: float = 10.0  # mean days in jail of those people
    transfers: float = 3.0  # a day: people transferred at release under 287(g) (serious convictions)
    transfer_stay: float = 20.0
    window: int = 2  # hold window, days
    pickups: int = 6  # pickups a day (one officer)
    beds: int = 32
    removal_days: float = 6.0  # mean days in detention before removal
    judges: int = 4
    hearing_days: float = 1.0  # mean hearing time per judge


DEFAULT = Pipeline()


def _values(p: Pipeline) -> dict[str, object]:
    """The model's parameters: the pipeline's rates, and everything else switched off.

    A parameter added to the model later with a neutral default needs no entry; one without a default makes
    ``pipeline_scenario`` fail (the loader names it), so the check cannot silently run a half-configured model.
    """
    by_history = {h: 0.0 for h in HISTORIES}
    share = POPULATION / 2 / YEAR  # bookings a day per unit of booking rate, for each of the two classes
    return {
        "community_departure_rate": 0.0,
        "new_entrants_per_year": 0.0,
        "recent_entrant_aging_rate": 0.0,
        "lead_rate": 0.0,
        "at_large_departure_rate": 0.0,
        "booking_rate": by_history | {"lesser": p.hold_releases / share, "serious": p.transfers / share},
        "booking_rate_factor": 1.0,
        "no_record_booking_factor": 1.0,
        "jail_stay_days": by_history | {"none": 1.0, "pending": 1.0, "lesser": p.hold_stay, "serious": p.transfer_stay},
        "identification_probability": 1.0,
        "detainer_issue_probability": 1.0,
        "hold_window_days": float(p.window),
        "pickups_per_officer_day": float(p.pickups),
        "jail_officers": 1.0,
        "notify_pickup_probability": 0.0,
        "decline_pickup_probability": 0.0,
        "share_287g_jails": 0.0,
        "judicial_warrant_probability": 0.0,
        "jail_reallocation_share": 0.0,
        "at_large_reallocation_share": 0.0,
        "reallocation_days": 90.0,
        "at_large_officers": 0.0,
        "team_size": 5.0,
        "attempts_per_team_day": 1.0,
        "found_probability": 0.5,
        "refused_probability": 0.0,
        "collateral_per_arrest": 0.0,
        "use_of_force_probability_at_large": 0.0,
        "use_of_force_probability_custodial": 0.0,
        "assault_probability_at_large": 0.0,
        "assault_probability_custodial": 0.0,
        "worksite_operations_per_year": 0.0,
        "worksite_arrests_per_operation": 0.0,
        "worksite_employer_cases_per_operation": 0.0,
        "task_force_officers": 0.0,
        "task_force_arrests_per_officer_day": 0.0,
        "detention_beds": float(p.beds),
        "expedited_removal_probability": 0.0,
        "reinstatement_probability": 0.0,
        "accept_removal_probability": by_history | {"lesser": 1.0},  # picked up: removal; transferred: court
        "detain_contested_probability": 0.0,
        "removal_processing_days": p.removal_days,
        "released_removal_days": 90.0,
        "abscond_probability": 0.0,
        "border_book_ins_per_year": 0.0,
        "border_expedited_probability": 0.0,
        "border_share": 0.0,
        "immigration_judges": float(p.judges),
        "completions_per_judge_year": YEAR / p.hearing_days,
        "external_court_receipts_per_year": 0.0,
        "external_detained_share": 0.0,
        "detained_case_preparation_days": 1.0,
        "no_show_probability": 0.0,
        "removal_order_probability_detained": 0.0,
        "removal_order_probability_nondetained": 0.0,
        "order_compliance_probability": 0.0,
        "admin_closure_probability": 0.0,
        "recalendar_rate": 0.0,
    }


def pipeline_scenario(p: Pipeline = DEFAULT, changes: dict[str, object] | None = None) -> Scenario:
    """The scenario document of the pipeline; ``changes`` set parameters in the model only (a wrong model)."""
    values = _values(p) | dict(changes or {})

    def entry(value: object, unit: str, meaning: str) -> dict:
        return {"value": value, "unit": unit, "meaning": meaning, "source": SOURCE}

    doc = {
        "name": "model-peer-pipeline",
        "title": "The model's pipeline as a queueing network with exact answers",
        "description": "jail, hold and pickups, detention beds and a court; see immsim.validation.model_peer",
        "start": "2017-01-01",
        "jurisdictions": [
            {
                "code": "P1",
                "name": "Pipeline",
                "state": "PP",
                "office": "O1",
                "removable_population": POPULATION,
                "policy": "pipeline",
                "source": SOURCE,
            }
        ],
        "regimes": {
            "all": {
                "meaning": "every class eligible",
                "source": SOURCE,
                "eligible": {"status": dict.fromkeys(STATUSES, 1.0), "history": dict.fromkeys(HISTORIES, 1.0)},
                "weight": {"status": dict.fromkeys(STATUSES, 1.0), "history": dict.fromkeys(HISTORIES, 1.0)},
            }
        },
        "policies": {
            "pipeline": {
                "meaning": "lesser convictions held for pickup, serious ones transferred under 287(g)",
                "source": SOURCE,
                "detainer": {"none": "decline", "pending": "decline", "lesser": "hold", "serious": "transfer_287g"},
            }
        },
        "initial": {
            "regime": "all",
            "class_share": entry({k: 0.5 if k in (HOLD, TRANSFER) else 0.0 for k in CLASSES}, "share", "classes"),
            "known_at_start": entry(0.0, "share", "none known"),
            "court_pending": entry(0, "cases", "empty court"),
            "court_pending_mean_age_days": entry(1.0, "days", "unused"),
            "detention_population": entry(0, "people", "empty detention"),
            "detention_court_share": entry(0.0, "share", "unused"),
            "detention_border_share": entry(0.0, "share", "unused"),
        },
        # a parameter left out takes its neutral default; one without a default must be given above
        "parameters": {s.name: entry(values[s.name], s.unit, s.meaning) for s in SPECS if s.name in values},
    }
    return parse_scenario(yaml.safe_dump(doc, sort_keys=False), "model-peer pipeline")
