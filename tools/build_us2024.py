"""Build the built-in scenario ``us-2024`` (start 2023-10-01, FY2024) from ``us-2017`` and the FY2016-FY2024 inputs.

Issue 14, point 5: a scenario that answers today's questions (``immsim solve
judges us-2024 --fiscal-year 2024 --clear-by 2032``) from inputs only. What
changes from ``us-2017``:

- dated inputs from ``data/public/inputs-fy2016-fy2024.csv`` (judges, EOIR
  initial receipts, CBP book-ins into ICE detention, funded detention beds),
  FY2017-FY2024, each step with its figure's structured source, held after
  FY2024 (a series keeps its last value);
- the initial state at the end of FY2023: the court docket (the one outcome
  copied on purpose, as ``eoir_pending_end_fy2023_initial_state``), the
  detention population (FY2023 average daily population), the share of
  detainees arrested at the border and the people under alternatives to
  detention (ATD);
- ATD at that level: its capacity held at FY2023's participants, ICE ending a
  supervision after 2022's 200 days on average, and the share of the
  external receipts placed under ATD that keeps FY2023's participants level
  (``supervision``);
- the case mix: the share of completions that were asylum decisions in
  FY2022, the last year read, in place of FY2017's (``asylum_mix``);
- the judges' hearing time derived from FY2023's resolutions per judge, the
  year before the start, as ``us-2017``'s is from FY2017's, with the asylum
  share of FY2022's completions in place of FY2017's (``court_capacity``; the
  figures are copied into the inputs file as calibration targets);
- the removable population scaled to Pew's July 2023 estimate, the
  jurisdictions' shares kept from ``us-2017``;
- the enforcement regime of the 2021 DHS guidelines (``mayorkas2021``) and the
  dated events of 2020-2023 of ``data/public/policy-events-fy2020-fy2023.csv``
  after ``us-2017``'s events, which carry forward.

Every other parameter, the calibrated ones included, is ``us-2017``'s: they
were fitted to FY2017 alone. So is the posterior ensemble over them: the tool
writes ``us-2024.posterior.csv``, ``us-2017``'s shipped posterior under this
scenario's name (its factors multiply the same values), for
``--uncertainty posterior``. No figure of FY2024 or later other than the
inputs above is read: the outcomes file is never opened here (tests check it).

Run by developers when the figures change (``python tools/build_us2024.py``);
``tests/test_us2024.py`` checks that the shipped YAML is what this writes.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "data" / "public"
DATA = ROOT / "src" / "immsim" / "scenario" / "data"
BASE = DATA / "us-2017.yaml"
OUT = DATA / "us-2024.yaml"
INPUTS = PUBLIC / "inputs-fy2016-fy2024.csv"
SOURCES = PUBLIC / "sources-fy2016-fy2024.csv"
EVENTS = PUBLIC / "policy-events-fy2020-fy2023.csv"

START = "2023-10-01"
START_FY = 2024
FIRST_FY = 2017  # first fiscal year of the dated series (FY2016 needs FY2015's judges)
#: Court receipts the simulated interior and border pipeline makes itself, held at FY2017's: us-2017 takes 54.4 % of
#: EOIR's initial receipts as external, so 45.6 % of FY2017's 295,245 (134,600) come from the pipeline.
PIPELINE_RECEIPTS = 134_600
PIPELINE_RANGE = (80_000, 160_000)
#: us-2017's judge time stands for FY2017's 555 completions and closures per judge (its source says how).
US2017_RESOLUTIONS_PER_JUDGE = 555
#: The detained share of us-2024's completions in its first year (83,865 of 597,577 with seed 1, before this figure
#: was used): the model's own case mix, as us-2017's derivation takes its own; EOIR's FY2023 detained completions
#: were not read. A case's judge time depends on custody (detained respondents seldom apply for relief).
US2024_DETAINED_SHARE_OF_COMPLETIONS = 0.14
#: us-2017's asylum share of FY2017's completions, in the same derivation (30,179 decisions / 163,078).
US2017_ASYLUM_SHARE = 0.19
DOCKETS = ("detained", "released", "never_detained")
GOALS_RANGE = (1.08, 1.35)  # the completion goals' factor, as us-2017's event gives it
US2017_POPULATION = 10_700_000  # Pew 2016, us-2017's total
POPULATION_SERIES, POPULATION_FY = "unauthorized_population_pew", 2023
HEADER = (
    "# Built by tools/build_us2024.py from us-2017.yaml and data/public/inputs-fy2016-fy2024.csv,\n"
    "# sources-fy2016-fy2024.csv and policy-events-fy2020-fy2023.csv (docs/us-2024.md). Do not edit by hand.\n"
)

#: The 2021 DHS guidelines as a regime: which classes are eligible and how at-large teams weight them.
MAYORKAS2021 = {
    "meaning": (
        "Guidelines for the Enforcement of Civil Immigration Law (DHS, 2021-09-30): national security, public safety "
        "(serious criminal conduct, case by case) and border security (entered after 2020-11-01); removability or a "
        "final order alone is not a ground for action. Eligibility per class and weights are assumptions: recent "
        "entrants all eligible (border security), serious convictions all eligible, lesser convictions and pending "
        "charges one in five (case by case), prior removals three in ten, final orders and other statuses none on "
        "their status alone; weights as in pep2014."
    ),
    "source": [
        {
            "title": "The Most Important Immigration Rulings of 2023 and the Forecast for 2024",
            "publisher": "Center for Immigration Studies",
            "date": "2024-02-06",
            "url": "https://www.cis.org/Report/Most-Important-Immigration-Rulings-2023-and-Forecast-2024",
            "locator": "United States v. Texas, 'The Policy Challenged' (the three categories, the 2020-11-01 date)",
            "kind": "secondary",
        },
        {"title": "shares of each class eligible under the guidelines", "kind": "assumption"},
    ],
    "eligible": {
        "status": {"recent_entrant": 1.0, "prior_removal": 0.3, "final_order": 0.0, "other": 0.0},
        "history": {"none": 0.0, "pending": 0.2, "lesser": 0.2, "serious": 1.0},
    },
}


class _NoAliases(yaml.SafeDumper):
    """Writes a mapping used twice in full, not as a YAML alias: the file is read by people too."""

    def ignore_aliases(self, data) -> bool:
        return True


def rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def figures() -> dict[tuple[str, int], dict]:
    """The inputs file by (series, fiscal year)."""
    return {(r["series"], int(r["fiscal_year"])): r for r in rows(INPUTS)}


def reference(row: dict, sources: dict[str, dict], locator: str | None = None) -> dict:
    """The structured source of one figure: its source's title, publisher, date and address, its own kind."""
    s = sources[row["source_id"]]
    ref = {"title": s["title"], "publisher": s["publisher"], "date": s["date"]}
    if s["url"]:
        ref["url"] = s["url"]
    ref["locator"] = locator or f"{row['series']} FY{row['fiscal_year']}: {row['locator']}"
    ref["kind"] = row["kind"]
    return ref


def quoted(sources: dict[str, dict], source_id: str, locator: str, kind: str = "secondary") -> dict:
    """The structured source of a figure read in source ``source_id`` of the sources file, at ``locator``."""
    s = sources[source_id]
    return {
        "title": s["title"],
        "publisher": s["publisher"],
        "date": s["date"],
        "url": s["url"],
        "locator": locator,
        "kind": kind,
    }


def _number(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def series_param(base: dict, steps: list[tuple[int, float]], source: list[dict], meaning: str, notes: str) -> dict:
    """``base`` (a us-2017 parameter) with a dated series of fiscal-year steps and a new source."""
    out = {k: v for k, v in base.items() if k not in ("value", "series", "source", "notes", "range")}
    out = {"series": [{"from": f"{fy - 1}-10-01", "value": _number(v)} for fy, v in steps], **out}
    out["meaning"] = meaning
    out["source"] = source
    out["notes"] = notes
    return out


def dated_inputs(params: dict, fig: dict, sources: dict) -> dict:
    """Judges, external receipts, border book-ins and beds as FY2017-FY2024 series from the inputs file."""
    years = range(FIRST_FY, START_FY + 1)
    held = "held at the FY2024 value after FY2024 (assumption)"
    judges = [
        (
            fy,
            (float(fig["immigration_judges_end", fy - 1]["value"]) + float(fig["immigration_judges_end", fy]["value"]))
            / 2,
        )
        for fy in years
    ]
    out = dict(params)
    out["immigration_judges"] = series_param(
        params["immigration_judges"],
        judges,
        [reference(fig["immigration_judges_end", fy], sources) for fy in (START_FY - 1, START_FY)],
        "immigration judges (fiscal-year average of adjacent year-end counts)",
        f"inputs-fy2016-fy2024.csv immigration_judges_end, FY average of year ends; {held}",
    )
    receipts = [(fy, float(fig["eoir_initial_receipts", fy]["value"]) - PIPELINE_RECEIPTS) for fy in years]
    out["external_court_receipts_per_year"] = series_param(
        params["external_court_receipts_per_year"],
        receipts,
        [
            reference(fig["eoir_initial_receipts", START_FY], sources),
            reference(fig["eoir_initial_receipts", START_FY - 1], sources),
            {
                "title": f"EOIR initial receipts less {PIPELINE_RECEIPTS:,} a year that the simulated pipeline makes "
                f"(46 % of FY2017's receipts, us-2017's split; range {PIPELINE_RANGE[0]:,}-{PIPELINE_RANGE[1]:,})",
                "kind": "assumption",
            },
        ],
        "court receipts from outside the interior pipeline",
        f"derived: EOIR initial receipts (inputs-fy2016-fy2024.csv) less {PIPELINE_RECEIPTS:,}; {held}",
    )
    book_ins = [(fy, float(fig["ice_book_ins_from_cbp", fy]["value"])) for fy in years]
    low, high = fig["ice_book_ins_from_cbp", START_FY]["low"], fig["ice_book_ins_from_cbp", START_FY]["high"]
    out["border_book_ins_per_year"] = series_param(
        params["border_book_ins_per_year"],
        book_ins,
        [reference(fig["ice_book_ins_from_cbp", fy], sources) for fy in (START_FY - 1, START_FY)],
        "detention book-ins from border arrests (CBP arrests booked into ICE detention)",
        f"inputs-fy2016-fy2024.csv ice_book_ins_from_cbp; FY2024 is an assumption from TRAC's monthly figures "
        f"(range {int(low):,}-{int(high):,}); {held}",
    )
    beds = [(fy, float(fig["ice_funded_beds", fy]["value"])) for fy in years]
    out["detention_beds"] = series_param(
        params["detention_beds"],
        beds,
        [reference(fig["ice_funded_beds", fy], sources) for fy in (START_FY - 1, START_FY)],
        "ICE detention capacity (funded average daily population)",
        f"inputs-fy2016-fy2024.csv ice_funded_beds; {held}",
    )
    # us-2017's value after the 2017 memorandum that allowed collateral arrests would be in force at this start;
    # the 2021 guidelines in force in October 2023 made removability alone no ground for enforcement again.
    collateral = dict(params["collateral_per_arrest"])
    before = collateral.pop("series")[0]["value"]
    collateral["value"] = before
    collateral["notes"] = (
        f"{before}, us-2017's value under the 2014 priorities: the 2021 guidelines (in force from 2023-06-23 to "
        "2025-01-20) again made removability alone no ground for enforcement (assumption: that collateral "
        "arrests fell back to their 2016 rate)"
    )
    out["collateral_per_arrest"] = collateral
    return out


def initial_state(initial: dict, fig: dict, sources: dict) -> dict:
    """The published state at the end of FY2023, where one was read; us-2017's values where none was."""
    out = dict(initial)
    out["regime"] = "mayorkas2021"
    row = fig["eoir_pending_end_fy2023_initial_state", START_FY - 1]
    out["court_pending"] = {
        "value": int(row["value"]),
        "unit": "cases",
        "meaning": "court cases pending at the end of FY2023",
        "source": reference(row, sources),
        "notes": f"EOIR's Appendix E says over 2.64 million (range {int(row['low']):,}-{int(row['high']):,})",
    }
    closed = dict(initial["court_admin_closed"])
    closed.update(
        source="assumption",
        range=[150_000, 600_000],
        meaning="administratively closed cases at start",
        notes="no end-FY2023 count was found: us-2017's FY2017 stock (339,441, CIS via EOIR) is kept",
    )
    out["court_admin_closed"] = closed
    adp = fig["ice_detention_adp", START_FY - 1]
    out["detention_population"] = {
        "value": int(adp["value"]),
        "unit": "people",
        "meaning": "people in ICE detention at start (FY2023 average daily population)",
        "source": reference(adp, sources),
        "notes": f"aggregator figure, weak (range {int(adp['low']):,}-{int(adp['high']):,}); {adp['note']}",
    }
    share = dict(initial["detention_border_share"])
    share.update(
        value=0.7,
        source=[
            quoted(sources, "trac-2023-12-22", "7 in 10 of the people detained in December 2023 were arrested by CBP")
        ],
        range=[0.6, 0.8],
        notes="read for December 2023, ten weeks after the start (a state, not an outcome)",
    )
    out["detention_border_share"] = share
    atd = fig["ice_atd_participants_fy_end", START_FY - 1]
    out["atd_participants"] = {
        "value": int(atd["value"]),
        "unit": "people",
        "meaning": "released respondents under alternatives to detention at start (the end of FY2023)",
        "source": reference(atd, sources),
        "range": [int(atd["low"]), int(atd["high"])],
        "notes": f"{atd['note']}; taken as the youngest of the pending cases (model.initial)",
    }
    return out


#: TRAC (2022-10-20): the time people spent on ATD, read for 2022 (before the start).
ATD_DAYS_2022 = 200


def supervision(params: dict, fig: dict, sources: dict) -> dict:
    """ATD's capacity and turnover at the start: FY2023's participants, and 2022's time in the program."""
    out = dict(params)
    atd = fig["ice_atd_participants_fy_end", START_FY - 1]
    slots = {k: v for k, v in params["atd_slots"].items() if k not in ("series", "source", "notes", "range")}
    out["atd_slots"] = {
        "value": int(atd["value"]),
        **slots,
        "source": reference(atd, sources),
        "range": [int(atd["low"]), int(atd["high"])],
        "notes": "the participants at the end of FY2023 taken as the capacity, as us-2017 takes FY2017's; held "
        f"(FY2024's own count is a figure of the scenario's first year and is not read). {params['atd_slots']['notes']}",
    }
    end = {k: v for k, v in params["atd_end_rate"].items() if k not in ("value", "source", "notes", "range")}
    out["atd_end_rate"] = {
        "value": round(365 / ATD_DAYS_2022, 2),
        **end,
        "source": [
            quoted(
                sources,
                "trac-2022-10-20",
                "'Immigrants have spent shorter and shorter time on ATD—about 200 days on average in 2022 down from "
                "700 days on average at the start of the Biden administration'",
            ),
            {
                "title": f"365 / {ATD_DAYS_2022} days: a case waits years, so nearly every exit is ICE's",
                "kind": "derived",
            },
        ],
        "range": [round(365 / 700, 2), round(365 / 150, 2)],
        "notes": "us-2017 keeps 0 (no time in the program was read for 2017)",
    }
    enrollments = int(atd["value"]) * 365 / ATD_DAYS_2022
    receipts = float(fig["eoir_initial_receipts", START_FY - 1]["value"]) - PIPELINE_RECEIPTS
    share = round(enrollments / receipts, 3)
    out["supervised_share_external"] = {
        "value": share,
        "unit": "share",
        "meaning": "external receipts not detained (people released at the border with a notice to appear) that ICE "
        "places under alternatives to detention (while a slot is free)",
        "source": [
            reference(atd, sources),
            {
                "title": f"{share} = {int(atd['value']):,} participants x 365 / {ATD_DAYS_2022} days = {enrollments:,.0f} "
                f"enrollments a year, the number that keeps FY2023's participants level, over FY2023's "
                f"{receipts:,.0f} external receipts (this scenario's FY2023 value)",
                "kind": "derived",
            },
        ],
        "range": [round(share / 2, 3), min(1.0, round(share * 1.5, 3))],
        "notes": "a share calibrated to FY2023 (before the start), on the assumption that the enrollments come from "
        "the external receipts, most of FY2023's new cases (the model's own released respondents are few); "
        "us-2017 leaves it at 0",
    }
    return out


def asylum_share_fy2022(fig: dict, sources: dict) -> tuple[float, list[dict]]:
    """The share of completions that were asylum decisions in FY2022, the last year read, with its sources.

    The model's asylum share is drawn when a case is filed but costs judge time only when the case reaches its
    merits hearing, so ``us-2017`` takes the share of completions that were asylum decisions (0.19 in FY2017), not
    the share of receipts with an application (about 0.40 in FY2017, as in FY2023): this is the same measure.
    """
    decisions = fig["trac_asylum_decisions", 2022]
    completions = fig["eoir_total_completions_fy2022_calibration", 2022]
    share = round(float(decisions["value"]) / float(completions["value"]), 3)
    how = {
        "title": f"derived: {int(decisions['value']):,} asylum decisions / {int(completions['value']):,} completions "
        f"in FY2022 = {share:g}, the last year read (FY2023's not read), as us-2017 takes FY2017's "
        f"({US2017_ASYLUM_SHARE:g})",
        "kind": "derived",
    }
    return share, [reference(decisions, sources), reference(completions, sources), how]


def asylum_mix(params: dict, fig: dict, sources: dict) -> dict:
    """Every docket's asylum share at FY2022's (``asylum_share_fy2022``), in place of us-2017's FY2017 share."""
    share, source = asylum_share_fy2022(fig, sources)
    out = dict(params)
    for docket in DOCKETS:
        name = f"asylum_share_{docket}"
        p = {k: v for k, v in params[name].items() if k not in ("value", "source", "notes")}
        out[name] = {
            "value": share,
            **p,
            "source": source,
            "notes": "the same share on every docket, as in us-2017 (detained asylum seekers are likely fewer: no "
            f"figure read); us-2017 keeps {US2017_ASYLUM_SHARE:g} (FY2017)",
        }
    return out


def court_capacity(params: dict, fig: dict, sources: dict, events: list[dict]) -> dict:
    """The judges' hearing time derived from FY2023 (before the start) as ``us-2017``'s is from FY2017.

    ``us-2017``'s ``completions_per_judge_year`` is FY2017's completions and closures per judge (555) times the
    reference hearings a case needs; EOIR's completion goals (a court policy from October 2018, still in force)
    multiply it. FY2023's resolutions per judge stand in for FY2017's (``US2017_RESOLUTIONS_PER_JUDGE``, checked
    against us-2017's own derivation), with us-2017's continuances and the asylum share of FY2022's completions (the
    last year read) for FY2017's (``US2017_ASYLUM_SHARE``) and its own share of detained completions
    (``US2024_DETAINED_SHARE_OF_COMPLETIONS``): the reference hearings a case's deciding hearing takes on average
    (an asylum application three, another application one, none ``no_relief_hearing_time``; who applies depends on
    custody and counsel) come from ``us2017_court.deciding_hearing_time``, as in ``us-2017``'s derivation.
    """
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from us2017_court import NO_RELIEF_HEARING_TIME, deciding_hearing_time  # us-2017's own derivation
    finally:
        sys.path.remove(str(ROOT / "tools"))
    base = params["completions_per_judge_year"]
    assert f"{US2017_RESOLUTIONS_PER_JUDGE} x" in str(base["source"]), "us-2017's derivation changed"
    goals = [e for e in events if e.get("type") == "court_policy" and e.get("policy") == "completion_goals"]
    assert len(goals) == 1 and "end" not in goals[0], "one completion-goals policy in force at the start"
    goal, (goal_low, goal_high) = float(goals[0]["factor"]), GOALS_RANGE
    target = fig["eoir_case_resolutions_fy2023_calibration", START_FY - 1]
    ends = [fig["immigration_judges_end", fy] for fy in (START_FY - 2, START_FY - 1)]
    judges = sum(float(r["value"]) for r in ends) / 2
    judges_range = [
        sum(float(r["low"] or r["value"]) for r in ends) / 2,
        sum(float(r["high"] or r["value"]) for r in ends) / 2,
    ]
    per_judge = float(target["value"]) / judges
    share, share_source = asylum_share_fy2022(fig, sources)
    no_relief = float(params["no_relief_hearing_time"]["value"])
    assert f"asylum {US2017_ASYLUM_SHARE}," in str(base["source"]), "us-2017's derivation changed"
    assert no_relief == NO_RELIEF_HEARING_TIME, "us-2017's derivation changed"
    f = US2024_DETAINED_SHARE_OF_COMPLETIONS
    mix = deciding_hearing_time(share, no_relief, f)[0] / deciding_hearing_time(US2017_ASYLUM_SHARE, no_relief)[0]

    def value(per: float, factor: float) -> int:
        return round(float(base["value"]) * mix * per / (US2017_RESOLUTIONS_PER_JUDGE * factor))

    v = value(per_judge, goal)
    low = value(float(target["value"]) / judges_range[1], goal_high)
    high = value(float(target["value"]) / judges_range[0], goal_low)
    out = dict(params)
    kept = {k: val for k, val in base.items() if k not in ("value", "source", "notes", "range")}
    out["completions_per_judge_year"] = {
        "value": v,
        **kept,
        "source": [
            reference(target, sources),
            *(reference(r, sources) for r in ends),
            *share_source[:2],
            {
                "title": f"{v} = us-2017's {base['value']} x ({int(target['value']):,} FY2023 resolutions / {judges:g} "
                f"average judges = {per_judge:.0f} a judge) / ({US2017_RESOLUTIONS_PER_JUDGE} in FY2017 x {goal:g}, the "
                f"completion goals in force) x {mix:.4f}: FY2023's output per judge in place of FY2017's, and the "
                f"reference hearings a case needs with FY2022's asylum share of completions ({share:g}) over those "
                f"with FY2017's ({US2017_ASYLUM_SHARE:g}) and {f:g} of completions detained (us-2024's own mix) "
                "against us-2017's mix (tools/us2017_court.py, deciding_hearing_time: custody, counsel and relief "
                "applications); us-2017's continuances",
                "kind": "derived",
            },
        ],
        "range": [low, high],
        "notes": "calibrated to FY2023, the year before the start (issue 14: a later scenario only to years before its "
        f"start); the range spans the judges' count at the end of FY2022 and the completion goals' factor "
        f"({goal_low:g}-{goal_high:g}). us-2017 keeps {base['value']} (FY2017)",
    }
    return out


def scaled_jurisdictions(jurisdictions: list[dict], fig: dict, sources: dict) -> list[dict]:
    """Each jurisdiction's removable population times Pew 2023 / Pew 2016: us-2017's shares kept."""
    row = fig[POPULATION_SERIES, POPULATION_FY]
    factor = float(row["value"]) / US2017_POPULATION
    pew = reference(row, sources, f"{row['locator']}; all of us-2017's jurisdictions scaled by {factor:.4f}")
    out = []
    for j in jurisdictions:
        j = dict(j)
        j["removable_population"] = round(j["removable_population"] * factor)
        old = j["source"]
        if isinstance(old, str):
            kind = "assumption" if old.lower().startswith("assumption") else "recalled"
            old = [{"title": old, "kind": kind}]
        elif isinstance(old, dict):
            old = [old]
        j["source"] = [*old, dict(pew)]
        out.append(j)
    return out


def _event_source(r: dict, sources: dict) -> list[dict] | dict:
    if r["source_ids"] == "recalled":
        return {"title": r["locator"], "kind": "recalled"}
    refs = []
    for sid in r["source_ids"].split(";"):
        s = sources[sid]
        ref = {"title": s["title"], "publisher": s["publisher"], "date": s["date"], "url": s["url"]}
        refs.append({**ref, "locator": r["locator"], "kind": r["kind"]})
    return refs


def new_events(sources: dict) -> list[dict]:
    """The dated events of 2020-2023 from the events file, in the scenario's event format."""
    out = []
    for r in rows(EVENTS):
        if r["type"] == "regime":
            ev = {"type": "regime", "date": r["date"], "regime": r["value"]}
        else:
            ev = {"type": "policy", "date": r["date"], "scope": r["scope"], "target": r["target"], "policy": r["value"]}
            ev["mode"] = r["mode"]
        ev["meaning"] = r["meaning"]
        ev["source"] = _event_source(r, sources)
        out.append(ev)
    return out


def description(fig: dict) -> str:
    pop = int(fig[POPULATION_SERIES, POPULATION_FY]["value"])
    return (
        "us-2017's 130 jurisdictions from 2023-10-01 (FY2024): judges, external court receipts, border book-ins and "
        "detention beds as dated FY2017-FY2024 inputs held after FY2024; the court docket (2.46 million) and "
        f"detention population at the end of FY2023; the removable population scaled to Pew's 2023 estimate "
        f"({pop / 1e6:.1f} million, us-2017's jurisdiction shares kept); the state and local events of 2017-2023 and "
        "the 2021 DHS enforcement guidelines (reinstated 2023-06-23). Every assumption parameter keeps us-2017's "
        "value, calibrated to FY2017 only; a recalibration may use only years before FY2024. Outcomes of FY2024 "
        "and later are out-of-sample checks (docs/us-2024.md)."
    )


def build() -> str:
    """The YAML text of us-2024."""
    sources = {r["id"]: r for r in rows(SOURCES)}
    fig = figures()
    doc = yaml.safe_load(BASE.read_text())
    doc["name"] = "us-2024"
    doc["title"] = "United States, from October 2023 (FY2024 inputs; assumptions calibrated to FY2017)"
    doc["description"] = description(fig)
    doc["start"] = START
    doc["jurisdictions"] = scaled_jurisdictions(doc["jurisdictions"], fig, sources)
    weights = doc["regimes"]["pep2014"]["weight"]
    doc["regimes"] = {**doc["regimes"], "mayorkas2021": {**MAYORKAS2021, "weight": weights}}
    doc["initial"] = initial_state(doc["initial"], fig, sources)
    doc["parameters"] = supervision(dated_inputs(doc["parameters"], fig, sources), fig, sources)
    doc["parameters"] = court_capacity(doc["parameters"], fig, sources, doc["events"])
    doc["parameters"] = asylum_mix(doc["parameters"], fig, sources)
    doc["events"] = sorted([*doc["events"], *new_events(sources)], key=lambda e: str(e["date"]))
    return HEADER + yaml.dump(doc, Dumper=_NoAliases, sort_keys=False, width=110, allow_unicode=True)


def carried_posterior() -> str | None:
    """``us-2017``'s posterior ensemble as ``us-2024``'s (None if none is shipped): the same calibratable values."""
    from immsim.uncertainty import Ensemble, read_ensemble, write_ensemble

    source = BASE.with_suffix(".posterior.csv")
    if not source.exists():
        return None
    ens = read_ensemble(source)
    note = (
        "carried from us-2017.posterior.csv by tools/build_us2024.py: us-2024's calibratable parameters keep "
        "us-2017's values, fitted to FY2017 alone"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.csv"
        write_ensemble(Ensemble("us-2024", ens.table, ens.fitted_on), path, note)
        return path.read_text()


def main() -> int:
    OUT.write_text(build())
    print(f"wrote {OUT}")
    posterior = carried_posterior()
    if posterior is not None:
        OUT.with_suffix(".posterior.csv").write_text(posterior)
        print(f"wrote {OUT.with_suffix('.posterior.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
