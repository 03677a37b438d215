"""Rewrite a scenario of the six priority classes into status x criminal-history classes.

Until November 2026 a person had one "priority class" (serious_criminal,
other_criminal, recent_entrant, prior_removal, fugitive, non_priority), which
mixed criminal history with immigration status. The model now keeps the two
apart (``immsim.model.codes``). This tool carries a scenario's values across:

- a class table becomes a table by pair (status/history): the value of a pair
  is the larger of its status's old value (recent_entrant, prior_removal,
  fugitive for final_order; none for other) and its history's old value
  (non_priority for none, other_criminal for pending and lesser,
  serious_criminal for serious); a table whose values are all equal becomes
  one number; the removal paths that status alone decides (expedited removal,
  reinstatement) keep only their status's value;
- the population shares keep both old marginals, status and history taken
  as independent;
- the regimes become tables by status and by history.

It is used by ``tools/build_us2017.py`` for the prior and was applied once to
the calibrated ``us-2017`` so that its calibration carries over
(``python tools/us2017_classes.py src/immsim/scenario/data/us-2017.yaml``).
"""

from __future__ import annotations

import sys

from scenario_file import rewrite

STATUS_OLD = {"recent_entrant": "recent_entrant", "prior_removal": "prior_removal", "final_order": "fugitive"}
HISTORY_OLD = {
    "none": "non_priority",
    "pending": "other_criminal",
    "lesser": "other_criminal",
    "serious": "serious_criminal",
}
STATUSES = ("recent_entrant", "prior_removal", "final_order", "other")
HISTORIES = ("none", "pending", "lesser", "serious")
STATUS_ONLY = {"expedited_removal_probability", "reinstatement_probability"}
CLASS_PARAMETERS = {
    "community_departure_rate",
    "lead_rate",
    "booking_rate",
    "jail_stay_days",
    "detainer_issue_probability",
    "expedited_removal_probability",
    "reinstatement_probability",
    "accept_removal_probability",
    "detain_contested_probability",
}
OLD = {"serious_criminal", "other_criminal", "recent_entrant", "prior_removal", "fugitive", "non_priority"}


def pair_table(old: dict, status_only: bool = False) -> dict | float:
    """An old six-class table as a table by status/history pair (or one number)."""
    if len(set(old.values())) == 1:
        return float(next(iter(old.values())))
    if status_only:
        table = {s: float(old[o]) for s, o in STATUS_OLD.items()}
        return table | {"other": 0.0}
    out = {}
    for s in STATUSES:
        for h in HISTORIES:
            by_status = float(old[STATUS_OLD[s]]) if s in STATUS_OLD else 0.0
            out[f"{s}/{h}"] = max(by_status, float(old[HISTORY_OLD[h]]))
    return out


def population_shares(old: dict) -> dict:
    """Shares by pair keeping the old status and history marginals (independent)."""
    history = {
        "none": 1.0 - old["serious_criminal"] - old["other_criminal"],
        "pending": 0.0,  # charges are pending after a booking (model.jails), not in the community at start
        "lesser": old["other_criminal"],
        "serious": old["serious_criminal"],
    }
    status = {s: old[o] for s, o in STATUS_OLD.items()}
    status["other"] = 1.0 - sum(status.values())
    return {f"{s}/{h}": round(status[s] * history[h], 8) for s in STATUSES for h in HISTORIES}


#: Targeting weights of convictions relative to the old criminal classes' weights (assumption: at-large
#: teams favour people with convictions; set so that about three in four ICE arrests are of convicted people,
#: as ICE reported for FY2017).
CONVICTION_WEIGHT = 3.0
WEIGHT_NOTE = (
    " Weights of lesser and serious convictions are three times the old class weights (assumption: at-large teams"
    " favour people with convictions; set so that about three in four ICE arrests are of convicted people, as ICE"
    " reported for FY2017)."
)


def selection(old: dict, pending_like: str = "other_criminal", conviction_factor: float = 1.0) -> dict:
    """An old regime table as a table by status and by history."""
    factor = {"lesser": conviction_factor, "serious": conviction_factor}
    return {
        "status": {s: float(old[STATUS_OLD[s]]) if s in STATUS_OLD else 0.0 for s in STATUSES}
        | {"other": float(old["non_priority"])},
        "history": {
            h: float(old[HISTORY_OLD[h] if h != "pending" else pending_like]) * factor.get(h, 1.0) for h in HISTORIES
        },
    }


def _convert_value(name: str, v):
    if isinstance(v, dict) and set(v) == OLD:
        return pair_table(v, name in STATUS_ONLY)
    return v


def convert(doc: dict) -> dict:
    """Convert a scenario document in place and return it."""
    for name, p in doc.get("parameters", {}).items():
        if name not in CLASS_PARAMETERS:
            continue
        if "value" in p:
            p["value"] = _convert_value(name, p["value"])
        for step in p.get("series") or []:
            step["value"] = _convert_value(name, step["value"])
    ini = doc.get("initial", {})
    if isinstance(ini.get("class_share", {}).get("value"), dict) and set(ini["class_share"]["value"]) == OLD:
        ini["class_share"]["value"] = population_shares(ini["class_share"]["value"])
        ini["class_share"]["meaning"] = "removable population by immigration status and criminal history"
        ini["class_share"]["notes"] = (
            "status and history taken as independent; history: MPI (2015) about 820,000 unauthorized immigrants "
            "with criminal convictions, about 300,000 of them felonies; pending charges start at 0 (a booking "
            "with no conviction makes them)"
        )
    if isinstance(ini.get("known_at_start", {}).get("value"), dict) and set(ini["known_at_start"]["value"]) == OLD:
        ini["known_at_start"]["value"] = pair_table(ini["known_at_start"]["value"])
    doc["parameters"].setdefault(
        "no_record_booking_factor",
        {
            "value": 1.0,
            "unit": "factor",
            "meaning": "bookings of people with no criminal record relative to the booking_rate table",
            "source": "assumption",
            "range": [0.1, 2.0],
            "calibratable": True,
            "prior": "loguniform",  # a range of 10 times or more: every order of magnitude alike
            "notes": "fitted to the FY2017 shares of ICE arrests with convictions and with pending charges only "
            "(Pew 2018 from ICE data: 74% and 16%)",
        },
    )
    doc["parameters"].setdefault(
        "conviction_targeting_factor",
        {
            "value": 1.0,
            "unit": "factor",
            "meaning": "at-large teams' preference for people with convictions beyond the regime's weights",
            "source": "assumption",
            "range": [0.5, 5.0],
            "calibratable": True,
            "prior": "loguniform",  # a range of 10 times or more: every order of magnitude alike
            "notes": "multiplies the regimes' weights of lesser and serious convictions (already three times the old"
            " class weights); fitted to the FY2017 share of ICE arrests with convictions (Pew 2018 from ICE data: 74%)",
        },
    )
    ini.setdefault(
        "detention_history_share",
        {
            "value": {"none": 0.11, "pending": 0.16, "lesser": 0.49, "serious": 0.24},
            "unit": "share",
            "meaning": "people in ICE detention at start (interior arrests) by criminal history",
            "source": "assumption",
            "range": [0.0, 1.0],
            "notes": "none and pending from the FY2017 arrest shares (Pew 2018 from ICE data: 74% convicted, 16% "
            "pending charges); the split of convictions into lesser and serious (two to one) is an assumption",
        },
    )
    for r in doc.get("regimes", {}).values():
        if set(r.get("eligible", {})) == OLD:
            r["eligible"] = selection(r["eligible"])
            r["weight"] = selection(r["weight"], conviction_factor=CONVICTION_WEIGHT)
            r["meaning"] = r["meaning"].rstrip() + WEIGHT_NOTE
    return doc


def main(paths: list[str]) -> int:
    return rewrite(paths, convert, "converted")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
