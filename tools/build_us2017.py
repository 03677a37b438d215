"""Build the scenario ``us-2017-prior`` from the public figures in data/ (data/README.md says where each comes from).

``us-2017-prior`` is the default scenario before calibration: ``immsim calibrate``
fits its calibratable (assumption) parameters to the FY2017 targets and writes
the built-in default ``us-2017`` (see docs/calibration.md).

Run by developers when the figures change (``python tools/build_us2017.py``);
the package ships the YAML it writes, so nothing reads data/ at run time, and
``tests/test_provenance.py`` checks that the shipped file is what this tool writes.
Every parameter carries its source; what no public figure gives is marked
``assumption`` with a plausible range.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "data" / "public"
OUT = ROOT / "src" / "immsim" / "scenario" / "data" / "us-2017-prior.yaml"

PEW = "Pew Research Center (2018-11-27), unauthorized immigrant population by state, 2016"
A = "assumption"
#: New convictions in the community (tools/steady_state.py prints these after a change of the model).
CONVICTION_RATE = 0.0146
SERIOUS_SHARE_OF_CONVICTIONS = 0.59
#: Collateral arrests per targeted at-large arrest from the DHS memorandum of 2017-02-20 (calibration round 10).
COLLATERAL_AFTER_MEMO = 0.47
#: Detained people at start whose case is in court (tools/steady_state.py).
DETENTION_COURT_SHARE = 0.174

NAMES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}
# Total resident population, millions, July 2016 (U.S. Census Bureau Vintage 2016
# estimates, recalled): the proxy used to share out the 2.15 million
# unauthorized residents of the states Pew's top-15 table does not list.
CENSUS_2016 = {
    "AL": 4.86,
    "AK": 0.74,
    "AR": 2.99,
    "CT": 3.58,
    "DE": 0.95,
    "DC": 0.68,
    "HI": 1.43,
    "ID": 1.68,
    "IN": 6.63,
    "IA": 3.13,
    "KS": 2.91,
    "KY": 4.44,
    "LA": 4.68,
    "ME": 1.33,
    "MI": 9.93,
    "MN": 5.52,
    "MS": 2.99,
    "MO": 6.09,
    "MT": 1.04,
    "NE": 1.91,
    "NH": 1.33,
    "NM": 2.08,
    "ND": 0.76,
    "OH": 11.61,
    "OK": 3.92,
    "OR": 4.09,
    "PA": 12.78,
    "RI": 1.06,
    "SC": 4.96,
    "SD": 0.87,
    "TN": 6.65,
    "UT": 3.05,
    "VT": 0.62,
    "WV": 1.83,
    "WI": 5.78,
    "WY": 0.59,
}
REST_TOTAL = 2_150_000

# Cooperation policy in October 2016 where it is not "honor".
INITIAL_POLICY = {
    "CA": ("decline_holds", "California TRUST Act (AB 4), in effect 2014-01-01 (recalled)"),
    "CT": ("decline_holds", "Connecticut TRUST Act (2013), in effect 2014-01-01 (policy-events.csv)"),
    "OR": ("decline_holds", "Miranda-Olivares v. Clackamas County, D. Or. April 2014 (policy-events.csv)"),
}
# Share of bookings in jails with 287(g) jail-model agreements (assumption: CRS
# IF11898 counts 35 agencies in January 2017, ICE 60 in 18 states by August 2017;
# shares reflect where the larger agreements were).
SHARE_287G = {
    "TX": 0.15,
    "FL": 0.05,
    "GA": 0.25,
    "NC": 0.2,
    "SC": 0.3,
    "VA": 0.1,
    "AZ": 0.1,
    "NV": 0.5,
    "MA": 0.1,
    "TN": 0.1,
    "OK": 0.2,
    "NJ": 0.05,
}
#: Share of EOIR's receipts from outside the simulated pipeline: what its FY2017 receipts (a construction row of
#: the targets) leave after the pipeline's own, 134,600 of 295,245 in the calibrated us-2017 (was an assumed 0.62).
EXTERNAL_SHARE = 0.544
BORDER_SHARE = {"TX": 0.5, "AZ": 0.2, "CA": 0.15, "NM": 0.1, "FL": 0.05}
# State events in policy-events.csv: date -> (state, policy, mode).
EVENT_POLICY = {
    ("MA", "2017-07-24"): ("notify_only", "at_most"),
    ("IL", "2017-08-28"): ("decline_holds", "at_most"),
    ("TX", "2017-09-01"): ("honor", "at_least"),
    ("CA", "2018-01-01"): ("decline_holds", "at_most"),
    ("IA", "2018-07-01"): ("honor", "at_least"),
    ("TN", "2019-01-01"): ("honor", "at_least"),
    ("NJ", "2019-03-15"): ("decline_holds", "at_most"),
    ("WA", "2019-05-21"): ("decline_holds", "at_most"),
    ("CO", "2019-05-29"): ("decline_holds", "at_most"),
    ("FL", "2019-10-01"): ("honor", "at_least"),
}
EFFECTIVE_DATE = {("TX", "2017-09-01"): "2017-09-25"}  # SB 4's detainer provisions took effect then


def rows(name: str) -> list[dict]:
    with open(PUBLIC / name, newline="") as f:
        return list(csv.DictReader(f))


BEDS_FY2017 = 41000  # assumption: capacity above FY2017's ADP (38,106)


def detention_beds() -> dict:
    """ICE's bed capacity FY2017-FY2020: FY2017's assumed capacity, then moved with each year's funded ADP."""
    funded = {int(r["fiscal_year"]): r for r in rows("inputs-fy2016-fy2024.csv") if r["series"] == "ice_funded_beds"}
    sources = {r["id"]: r for r in rows("sources-fy2016-fy2024.csv")}
    years = range(2017, 2021)
    refs = []
    for fy in years:
        s = sources[funded[fy]["source_id"]]
        ref = {"title": s["title"], "publisher": s["publisher"], "date": s["date"]}
        if s["url"]:
            ref["url"] = s["url"]
        refs.append({**ref, "locator": f"ice_funded_beds FY{fy}: {funded[fy]['locator']}", "kind": funded[fy]["kind"]})
    base = float(funded[2017]["value"])
    return par(
        [{"from": f"{fy - 1}-10-01", "value": round(BEDS_FY2017 * float(funded[fy]["value"]) / base)} for fy in years],
        "beds",
        "ICE detention capacity",
        [
            {
                "title": f"{BEDS_FY2017:,} beds in FY2017: capacity above the FY2017 ADP of 38,106 (crimmigration.com "
                "2018-04-03), which must fit",
                "kind": "assumption",
            },
            *refs,
        ],
        (36000, 45000),
        notes=f"from FY2018 the capacity moves with the funded average daily population (inputs-fy2016-fy2024.csv "
        f"ice_funded_beds): {BEDS_FY2017:,} x funded / {base:,.0f} (FY2017's), held after FY2020 (assumption); the "
        "range is FY2017's",
    )


def par(value, unit, meaning, source, rng=None, **kw):
    out = {"value": value} if not isinstance(value, list) else {"series": value}
    out.update(unit=unit, meaning=meaning, source=source)
    if rng is not None:
        out["range"] = list(rng)
    out.update(kw)
    return out


def cls(**v):
    return {
        k: v[k]
        for k in ("serious_criminal", "other_criminal", "recent_entrant", "prior_removal", "fugitive", "non_priority")
    }


def jurisdictions() -> list[dict]:
    pew = {r["state"]: r for r in rows("unauthorized-by-state-2016.csv")}
    offices = {r["state"]: r["field_offices"].split(";")[0] for r in rows("field-offices.csv")}
    rest = sum(CENSUS_2016.values())
    out = []
    for code, name in NAMES.items():
        if code in pew:
            pop, src = int(pew[code]["unauthorized_population"]), f"{pew[code]['source']} ({pew[code]['confidence']})"
        else:
            pop = round(REST_TOTAL * CENSUS_2016[code] / rest, -2)
            src = "assumption: Pew's 2.15 million outside the top 15 states shared by 2016 Census population (recalled)"
        out.append(
            {
                "code": code,
                "name": name,
                "state": code,
                "office": offices[code],
                "removable_population": int(pop),
                "policy": INITIAL_POLICY.get(code, ("honor",))[0],
                "source": src
                + "; field office: field-offices.csv (first-listed office for states spanning several)"
                + (f"; policy: {INITIAL_POLICY[code][1]}" if code in INITIAL_POLICY else ""),
            }
        )
    return out


def court_series():
    ci = {int(r["fiscal_year"]): r for r in rows("court-inputs.csv")}
    judges, receipts = [], []
    for fy in sorted(ci):
        prev = int(ci[fy - 1]["immigration_judges_end"]) if fy - 1 in ci else int(ci[fy]["immigration_judges_end"])
        judges.append({"from": f"{fy - 1}-10-01", "value": (prev + int(ci[fy]["immigration_judges_end"])) / 2})
        receipts.append({"from": f"{fy - 1}-10-01", "value": round(EXTERNAL_SHARE * int(ci[fy]["initial_receipts"]))})
    return judges, receipts


def events() -> list[dict]:
    out = []
    for r in rows("policy-events.csv"):
        src = f"{r['source']} ({r['confidence']})"
        if r["scope"] == "national" and r["date"] == "2017-01-25":
            out.append({"type": "regime", "date": r["date"], "regime": "eo13768", "meaning": r["event"], "source": src})
        elif r["scope"] == "injunction":
            out.append(
                {
                    "type": "injunction",
                    "date": r["date"],
                    "end": None,
                    "cohort": "iraqi_nationals",
                    "meaning": r["event"],
                    "source": src,
                }
            )
        elif r["scope"] == "state" and (r["jurisdiction"], r["date"]) in EVENT_POLICY:
            policy, mode = EVENT_POLICY[(r["jurisdiction"], r["date"])]
            out.append(
                {
                    "type": "policy",
                    "date": EFFECTIVE_DATE.get((r["jurisdiction"], r["date"]), r["date"]),
                    "scope": "state",
                    "target": r["jurisdiction"],
                    "policy": policy,
                    "mode": mode,
                    "meaning": f"{r['event']}: {r['effect_on_detainers']}",
                    "source": src,
                }
            )
    return sorted(out, key=lambda e: e["date"])


def scenario() -> dict:
    judges, receipts = court_series()
    P = {
        "community_departure_rate": par(
            cls(
                serious_criminal=0.05,
                other_criminal=0.05,
                recent_entrant=0.05,
                prior_removal=0.05,
                fugitive=0.05,
                non_priority=0.05,
            ),
            "per person-year",
            "leaving the unauthorized population each year",
            A,
            (0.02, 0.08),
            notes="Pew: 10.7M (2016) to 10.5M (2017) net of new entrants",
        ),
        "new_entrants_per_year": par(
            350000,
            "people/year",
            "new unauthorized residents per year",
            A,
            (200000, 600000),
            notes="chosen with the departure rate so the total falls about as Pew reports (10.7M to 10.5M)",
        ),
        "recent_entrant_aging_rate": par(
            0.33, "per person-year", "recent entrants stop being recent after about 3 years", A, (0.2, 0.5)
        ),
        # Set so that the convicted stock (community and known at large, lesser and serious apart) is stationary
        # over FY2017 at the calibrated rates: tools/steady_state.py prints the values that do it.
        "conviction_rate": par(
            CONVICTION_RATE,
            "per person-year",
            "people with no conviction convicted (in the community stock and among known targets at large)",
            A,
            (0.5 * CONVICTION_RATE, 2.0 * CONVICTION_RATE),
            notes=(
                "set so that the stock with convictions neither grows nor shrinks over FY2017"
                " (tools/steady_state.py); that this stock was roughly stable is an assumption"
                " (MPI's estimate of about 820,000 unauthorized immigrants with convictions, 2015, is the starting"
                " level); with no new convictions, enforcement would shrink it by about a quarter a year"
            ),
        ),
        "serious_share_of_convictions": par(
            SERIOUS_SHARE_OF_CONVICTIONS,
            "share",
            "share of new convictions for serious or violent offences",
            A,
            (0.2, 0.8),
            notes="set with conviction_rate so that each class's stock is stationary over FY2017",
        ),
        "lead_rate": par(
            cls(
                serious_criminal=0.05,
                other_criminal=0.02,
                recent_entrant=0.01,
                prior_removal=0.02,
                fugitive=0.0,
                non_priority=0.002,
            ),
            "per person-year",
            "community members becoming known targets",
            A,
            # Wide enough for these guesses and for us-2017's calibrated values (1.7e-5 to 4.2e-4 by class), above
            # 0 so that its prior can be loguniform: the ABC's factors then spread over orders of magnitude rather
            # than sitting mostly far above the calibrated value, as a uniform prior from 0 put them.
            (1e-6, 0.1),
            calibratable=True,
            prior="loguniform",
        ),
        "at_large_departure_rate": par(0.03, "per person-year", "known targets leaving the pool", A, (0.01, 0.08)),
        "booking_rate": par(
            cls(
                serious_criminal=0.25,
                other_criminal=0.12,
                recent_entrant=0.03,
                prior_removal=0.06,
                fugitive=0.03,
                non_priority=0.012,
            ),
            "bookings per person-year",
            "bookings into local jails and prisons",
            A,
            (0.005, 0.4),
            calibratable=True,
            prior="loguniform",  # a range of 80 times: every order of magnitude alike, not the top one favoured
        ),
        "jail_stay_days": par(
            cls(
                serious_criminal=90, other_criminal=30, recent_entrant=10, prior_removal=20, fugitive=15, non_priority=7
            ),
            "days",
            "mean local custody before release",
            A,
            (2, 365),
        ),
        "identification_probability": par(
            0.9,
            "probability",
            "fingerprints matched to DHS records at booking",
            A,
            (0.7, 1.0),
            notes="Secure Communities fingerprint sharing was nationwide from 2013",
        ),
        "detainer_issue_probability": par(
            cls(
                serious_criminal=0.84,
                other_criminal=0.6,
                recent_entrant=0.6,
                prior_removal=0.72,
                fugitive=0.84,
                non_priority=0.3,
            ),
            "probability",
            "detainer issued for an identified, eligible person",
            A,
            (0.1, 1.0),
            calibratable=True,
        ),
        "hold_window_days": par(
            2,
            "days",
            "detainer hold beyond normal release: 48 hours",
            "the July 2017 report (Washington Times); 8 CFR 287.7(d)",
        ),
        "pickups_per_officer_day": par(
            10,
            "people/officer/day",
            "one officer in a jail processes about 10 people a day",
            "the July 2017 report (Washington Times)",
        ),
        "jail_officers": par(
            60,
            "officers",
            "ICE officers on jail transfers (national full-time equivalents, split by removable population)",
            A,
            (30, 200),
            calibratable=True,
        ),
        "notify_pickup_probability": par(0.6, "probability", "ICE meets a notified release", A, (0.3, 0.9)),
        "decline_pickup_probability": par(0.15, "probability", "ICE meets a release without notice", A, (0.0, 0.4)),
        "share_287g_jails": par(
            [
                {"from": "2016-10-01", "value": dict(SHARE_287G, default=0.0)},
                {
                    "from": "2017-08-01",
                    "value": {k: min(1.0, v * 1.6) for k, v in SHARE_287G.items()} | {"default": 0.0},
                },
            ],
            "share of bookings",
            "bookings in 287(g) jail-model jails",
            A,
            (0.0, 0.6),
            notes="CRS IF11898: 35 agencies 2017-01; ICE: 60 agencies in 18 states 2017-08-01",
        ),
        "at_large_officers": par(
            800,
            "officers",
            "officers on at-large (fugitive operations) teams, national",
            A,
            (400, 2000),
            calibratable=True,
        ),
        "team_size": par(
            5,
            "officers",
            "officers per arrest team",
            A,
            (3, 10),
            notes="the July 2017 report: a whole team for one community arrest; press 2025: 8-10 officers",
        ),
        "attempts_per_team_day": par(1.0, "attempts/team/day", "arrest attempts per team per day", A, (0.5, 3)),
        "found_probability": par(0.6, "probability", "target found at the address", A, (0.3, 0.9)),
        "refused_probability": par(
            0.15,
            "probability",
            "found target refuses to open the door",
            A,
            (0.0, 0.4),
            notes="the July 2017 report: people refuse to open doors",
        ),
        # Collateral arrests were discouraged under the 2014 priorities and allowed from the DHS memorandum of
        # 2017-02-20; the value after it was fitted by hand to FY2017's at-large arrests (docs/calibration.md,
        # round 10): with one value all year the model had the same at-large arrests a month before and after.
        "collateral_per_arrest": par(
            [{"from": "2016-10-01", "value": 0.2}, {"from": "2017-02-20", "value": COLLATERAL_AFTER_MEMO}],
            "people/arrest",
            "collateral arrests per targeted arrest",
            A,
            (0.05, 0.65),
            notes=(
                "Operation Safe City 2017: 188 collateral of 498 arrests (0.61 per targeted), sanctuary areas only;"
                " from 2017-02-20 the DHS memorandum 'Enforcement of the Immigration Laws to Serve the National"
                " Interest' no longer exempts classes of removable people from enforcement (read as quoted:"
                " cis.org, 2017-03-15); the later value is fitted to FY2017's at-large arrests (40,066)"
            ),
        ),
        "use_of_force_probability_at_large": par(
            0.02, "probability", "use of force in an at-large arrest", A, (0.005, 0.05)
        ),
        "use_of_force_probability_custodial": par(
            0.002, "probability", "use of force in a custodial transfer", A, (0.0, 0.01)
        ),
        "assault_probability_at_large": par(
            0.001,
            "probability",
            "assault on an officer in an at-large arrest",
            A,
            (0.0, 0.005),
            notes="DHS OIG-18-76: 48 assaults in FY2017",
        ),
        "assault_probability_custodial": par(
            0.0001, "probability", "assault on an officer in a custodial transfer", A, (0.0, 0.001)
        ),
        "worksite_operations_per_year": par(
            1691,
            "operations/year",
            "work-site investigations opened",
            "ICE worksite enforcement release (FY2018): 1,691 investigations in FY2017",
        ),
        "worksite_arrests_per_operation": par(
            172 / 1691,
            "people/operation",
            "administrative arrests per investigation",
            "ICE worksite release (FY2018): 172 administrative arrests / 1,691 investigations, FY2017",
        ),
        "worksite_employer_cases_per_operation": par(
            139 / 1691,
            "cases/operation",
            "criminal arrests per investigation",
            "ICE worksite release (FY2018): 139 criminal arrests / 1,691 investigations, FY2017",
        ),
        "task_force_officers": par(
            {"default": 0.0},
            "officers",
            "287(g) task-force officers",
            "CRS IF11898: task-force agreements ended in 2012; none in FY2017",
        ),
        "task_force_arrests_per_officer_day": par(
            0.05, "arrests/officer/day", "community arrests per task-force officer", A, (0.01, 0.2)
        ),
        "detention_beds": detention_beds(),
        "expedited_removal_probability": par(
            cls(
                serious_criminal=0.0,
                other_criminal=0.0,
                recent_entrant=0.35,
                prior_removal=0.0,
                fugitive=0.0,
                non_priority=0.0,
            ),
            "probability",
            "interior expedited removal (recent entrants only)",
            A,
            (0.0, 0.6),
        ),
        "reinstatement_probability": par(
            cls(
                serious_criminal=0.0,
                other_criminal=0.0,
                recent_entrant=0.0,
                prior_removal=0.9,
                fugitive=0.0,
                non_priority=0.0,
            ),
            "probability",
            "prior order reinstated",
            A,
            (0.7, 1.0),
        ),
        "accept_removal_probability": par(
            cls(
                serious_criminal=0.3,
                other_criminal=0.25,
                recent_entrant=0.3,
                prior_removal=0.3,
                fugitive=0.3,
                non_priority=0.2,
            ),
            "probability",
            "accepts removal instead of contesting",
            A,
            (0.1, 0.8),
            calibratable=True,
            notes="the July 2017 report: people who once accepted removal now contest",
        ),
        "detain_contested_probability": par(
            cls(
                serious_criminal=0.8,
                other_criminal=0.4,
                recent_entrant=0.3,
                prior_removal=0.5,
                fugitive=0.5,
                non_priority=0.15,
            ),
            "probability",
            "contesting person kept in detention",
            A,
            (0.1, 1.0),
            calibratable=True,
        ),
        "removal_processing_days": par(
            {"expedited": 25, "reinstated": 30, "final_order": 45, "accepted": 40, "court_order": 35},
            "days",
            "detention from order to removal",
            A,
            (5, 90),
            notes="FY2017 average length of stay 43.7 days (crimmigration.com) includes court time",
            calibratable=True,
            prior="loguniform",  # a range of 18 times
        ),
        "released_removal_days": par(120, "days", "time to removal when released for lack of a bed", A, (30, 365)),
        "abscond_probability": par(0.3, "probability", "released person absconds before removal", A, (0.1, 0.6)),
        "border_book_ins_per_year": par(
            215000,
            "people/year",
            "detention book-ins from border arrests",
            "derived: DHS book-ins 323,591 in FY2017 (ICE FY2017 ERO report) less the book-ins of ICE interior arrests (about 105,000 in the model)",
            notes="held at the FY2017 level for later years (assumption)",
        ),
        "border_expedited_probability": par(
            0.7,
            "probability",
            "border book-in removed without a court case",
            A,
            (0.5, 0.9),
            calibratable=True,
        ),
        "border_share": par(dict(BORDER_SHARE, default=0.0), "share", "where border detainees are held", A, (0.0, 1.0)),
        "immigration_judges": par(
            judges,
            "judges",
            "immigration judges (fiscal-year average of year-end counts)",
            "court-inputs.csv: EOIR judge hiring table (recalled); FY average of adjacent year ends",
        ),
        "completions_per_judge_year": par(
            555,
            "cases/judge/year",
            "hearings (completions and administrative closures) per judge",
            "derived: EOIR FY2017 completions 163,078 plus about 10,000 administrative closures (assumption) "
            "/ 313.5 average judges",
            range=(450, 810),
            notes="GAO-17-438 gives 807 per judge in FY2015 with another count of judges",
        ),
        "external_court_receipts_per_year": par(
            receipts,
            "cases/year",
            "court receipts from outside the interior pipeline",
            "derived: 54.4% of EOIR initial receipts (court-inputs.csv), what FY2017's receipts leave after the 45.6%"
            " the simulated interior and border pipeline makes (calibrated us-2017; range 50-80%)",
        ),
        "external_detained_share": par(0.03, "share", "external receipts on the detained docket", A, (0.0, 0.2)),
        "detained_case_preparation_days": par(
            45, "days", "detained case filing to hearing readiness", A, (14, 60), calibratable=True
        ),
        "no_show_probability": par(
            0.38,
            "probability",
            "non-detained respondent does not appear",
            "CRS IF11892: in absentia 36% of initial completions FY2011-FY2020 (24% FY2012, 46% FY2019)",
            range=(0.24, 0.46),
        ),
        "removal_order_probability_detained": par(
            0.8,
            "probability",
            "detained case ends in a removal order",
            A,
            (0.6, 0.95),
            calibratable=True,
        ),
        "removal_order_probability_nondetained": par(
            0.35, "probability", "appearing non-detained respondent ordered removed", A, (0.2, 0.6)
        ),
        "order_compliance_probability": par(
            0.3, "probability", "non-detained person ordered removed departs", A, (0.1, 0.6)
        ),
        "admin_closure_probability": par(
            0.1,
            "probability",
            "non-detained hearing ending in administrative closure",
            A,
            (0.0, 0.3),
            calibratable=True,
            notes="Matter of Avetisyan (2012) allowed administrative closure; Matter of Castro-Tum (May 2018) curtailed it",
        ),
        "recalendar_rate": par(
            0.04,
            "per case-year",
            "administratively closed cases put back on the active docket",
            A,
            (0.0, 0.2),
            calibratable=True,
            notes="EOIR pending counts grow by more or less than receipts minus completions: +14,000 in FY2009, "
            "-22,600 in FY2016, +2,400 in FY2017 (eoir-history.csv)",
        ),
    }
    t = {r["metric"] + "@" + r["period"]: r for r in rows("targets-fy2017.csv")}
    return {
        "name": "us-2017-prior",
        "title": "United States, from October 2016, before calibration",
        "description": (
            "130 jurisdictions (79 listed counties and cities with their own detainer policies or large "
            "unauthorized populations, and the rest of each state), each in its ICE field-office area, with the "
            "cooperation policies of October 2016 by criminal history, the 2014 priorities until Executive Order "
            "13768, and the dated state and local events of 2017-2020."
        ),
        "start": "2016-10-01",
        "jurisdictions": jurisdictions(),
        "regimes": {
            "pep2014": {
                "meaning": "Priority Enforcement Program (November 2014 memo): about 13% of the population in priority classes",
                "source": "DHS memo 2014-11-20; MPI (Rosenblum, July 2015): 13% in 2014 priorities; shares per class are assumptions",
                "eligible": cls(
                    serious_criminal=1.0,
                    other_criminal=0.35,
                    recent_entrant=1.0,
                    prior_removal=0.5,
                    fugitive=0.6,
                    non_priority=0.0,
                ),
                "weight": cls(
                    serious_criminal=3.0,
                    other_criminal=1.0,
                    recent_entrant=2.0,
                    prior_removal=1.0,
                    fugitive=1.0,
                    non_priority=0.0,
                ),
            },
            "eo13768": {
                "meaning": "Executive Order 13768: most removable people eligible; serious criminals, recent entrants and fugitives first",
                "source": "EO 13768 (2017-01-25); weights are assumptions",
                "eligible": cls(
                    serious_criminal=1.0,
                    other_criminal=1.0,
                    recent_entrant=1.0,
                    prior_removal=1.0,
                    fugitive=1.0,
                    non_priority=1.0,
                ),
                "weight": cls(
                    serious_criminal=3.0,
                    other_criminal=1.5,
                    recent_entrant=2.0,
                    prior_removal=1.5,
                    fugitive=2.0,
                    non_priority=0.5,
                ),
            },
        },
        "cohorts": {
            "iraqi_nationals": {
                "share": 0.0003,
                "meaning": "Iraqi nationals (Hamama v. Adducci class)",
                "source": "assumption (about 1,400 class members among some 1M with final orders)",
            }
        },
        "initial": {
            "regime": "pep2014",
            "class_share": par(
                cls(
                    serious_criminal=0.03,
                    other_criminal=0.05,
                    recent_entrant=0.04,
                    prior_removal=0.06,
                    fugitive=0.09,
                    non_priority=0.73,
                ),
                "share",
                "removable population by priority class",
                A,
                (0.0, 1.0),
                notes="MPI 2015: about 13% (1.4M) in the 2014 priorities; about 820,000 with criminal convictions",
            ),
            "known_at_start": par(
                cls(
                    serious_criminal=0.2,
                    other_criminal=0.05,
                    recent_entrant=0.05,
                    prior_removal=0.1,
                    fugitive=1.0,
                    non_priority=0.0,
                ),
                "share",
                "share of each class already known to ICE",
                A,
                (0.0, 1.0),
            ),
            "court_pending": par(
                int(t["court_pending_end@FY2016"]["value"]),
                "cases",
                "court cases pending at the end of FY2016",
                t["court_pending_end@FY2016"]["source"],
            ),
            "court_admin_closed": par(
                int(t["court_admin_closed_inactive_pending@FY2017"]["value"]),
                "cases",
                "administratively closed cases at start (FY2017 figure used for the end of FY2016)",
                t["court_admin_closed_inactive_pending@FY2017"]["source"] + " (secondary)",
            ),
            "court_pending_mean_age_days": par(500, "days", "mean age of pending cases at start", A, (300, 900)),
            "detention_population": par(
                int(t["detention_average_daily_population@FY2016"]["value"]),
                "people",
                "people in ICE detention at start (FY2016 average daily population)",
                t["detention_average_daily_population@FY2016"]["source"],
            ),
            "detention_court_share": par(
                DETENTION_COURT_SHARE,
                "share",
                "detained at start with a case in court",
                A,
                (0.1, 0.5),
                notes=(
                    "the split of detention by path that the model's rates keep (tools/steady_state.py); no"
                    " published figure splits ICE's detained population this way; a split the rates do not keep"
                    " moves thousands of people between paths in a run's first weeks"
                ),
            ),
            "detention_border_share": par(0.5, "share", "detained at start after a border arrest", A, (0.3, 0.7)),
        },
        "parameters": P,
        "events": events(),
    }


def build() -> str:
    """The text of ``us-2017-prior.yaml`` as the figures in data/ give it."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from us2017_classes import convert  # the two dimensions of a person
        from us2017_court import add_courts  # court appearance, the Hamama cohort, dated court policies
        from us2017_local import localize  # local jurisdictions from data/
    finally:
        sys.path.remove(str(ROOT / "tools"))
    doc = add_courts(localize(convert(yaml.safe_load(yaml.safe_dump(scenario(), sort_keys=False)))))
    text = yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True)
    header = (
        "# Written by tools/build_us2017.py, tools/us2017_classes.py, tools/us2017_local.py and tools/us2017_court.py\n"
        "# from the public figures; `immsim calibrate` turns it into us-2017 (docs/calibration.md).\n"
    )
    return header + text


def main() -> int:
    OUT.write_text(build())
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
