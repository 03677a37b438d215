"""The court inputs of ``us-2017-prior``: appearance by counsel, custody and supervision, the Hamama cohort, and
the dated court policies.

Run by ``tools/build_us2017.py`` after ``us2017_local.localize`` (so the court events follow the enforcement
events in the written file, where ``tools/us2017_carry_local.py`` copies them into ``us-2017``). It

- replaces the flat non-detained ``no_show_probability`` (the CRS in-absentia share) by the probability for an
  unrepresented, unsupervised respondent never detained, and adds after it the shares with counsel by kind of
  case, supervision of released respondents and the factors on the no-show probability (docs/model.md, court
  appearance). The derived values are computed here from the figures they come from and rounded to two places;
  the titles of the ``derived`` references show the arithmetic;
- makes the ``iraqi_nationals`` cohort the closed Hamama v. Adducci class (``orders_by``) and gives its
  injunction the date the Sixth Circuit vacated it;
- appends the ``court_policy`` events of ``COURT_EVENTS``.

Published sources are rows of ``data/sources.csv`` named by id with a locator; derivations, recalled figures
and assumptions are written here as references of their own kind.
"""

from __future__ import annotations

from us2017_local import read_sources, source_ref
from us2017_release import release_parameters

# Eagly & Shafer (2015): of the cases decided 2007-2012, 37 % of all immigrants and 14 % of detained ones had counsel.
REPRESENTED_ALL = 0.37
REPRESENTED_DETAINED = 0.14
DETAINED_SHARE_OF_DECIDED = 0.5  # about half of those cases were detained (recalled)
# AIC (2021): 83 % of nondetained people attended all hearings FY2008-FY2018, 96 % of those with a lawyer.
MISSED_NONDETAINED = 0.17
MISSED_REPRESENTED = 0.04
FLAT_NO_SHOW = 0.38  # the former flat non-detained no-show probability (CRS IF11892's in-absentia share)

EAGLY_SHAFER_LOCATOR = (
    "abstract: of 1.2 million cases decided 2007-2012, 37% of all immigrants and 14% of detained immigrants "
    "secured representation"
)
AIC_LOCATOR = (
    "key findings: 83% of nondetained immigrants with completed or pending removal cases attended all hearings "
    "FY2008-FY2018; 96% of those represented by a lawyer did"
)
CRS_IN_ABSENTIA = "CRS IF11892: in absentia 36% of initial completions FY2011-FY2020 (24% FY2012, 46% FY2019)"

#: Dated court policies: (date, end, policy, factor, meaning, [(source id, locator) or (title, kind)]).
COURT_EVENTS = (
    (
        "2018-05-17",
        "2021-07-15",
        "no_admin_closure",
        None,
        "Matter of Castro-Tum, 27 I&N Dec. 271 (A.G. 2018): immigration judges may not administratively close cases "
        "(closed cases come back on motion); overruled by Matter of Cruz-Valdez, 28 I&N Dec. 326 (A.G. 2021-07-15). "
        "The Fourth (2019-08-29) and Seventh (2020-06-26) Circuits restored closure in their circuits earlier; not "
        "modelled",
        [
            ("iptp-castro-tum", "effective date May 17, 2018; revoked by Matter of Cruz-Valdez, July 15, 2021"),
            ("cruz-valdez-2021-07-15", "holding (1): Matter of Castro-Tum is overruled in its entirety"),
        ],
    ),
    (
        "2018-10-01",
        None,
        "completion_goals",
        1.2,
        "EOIR performance metrics for immigration judges from FY2019: 700 completions a year satisfactory, fewer than "
        "560 unsatisfactory. Against FY2017's 163,078 completions by 313.5 judges (520 each) the goals are factors "
        "1.08 (560) to 1.35 (700); 1.2 taken between them (assumption, range 1.08-1.35)",
        [
            (
                "ilw-kolken-2018-04",
                "performance metrics implemented as of October 1, 2018: 700 cases a year; unsatisfactory below 560",
            ),
            (
                "factor: goals of 560 and 700 over 163,078 / 313.5 = 520 completions per judge in FY2017 "
                "(data/public/eoir-history.csv, court-inputs.csv); the share of judges meeting each goal is an "
                "assumption",
                "derived",
            ),
        ],
    ),
    (
        "2020-03-18",
        "2020-06-29",
        "hearing_suspension",
        None,
        "EOIR postponed all non-detained hearings nationwide (COVID-19) while detained hearings went on; six courts "
        "resumed non-detained hearings on 2020-06-29, others in July. The partial operation after the reopenings is "
        "not modelled",
        [
            (
                "jkmlaw-2020-05-29",
                "all non-detained hearings postponed through June 26, 2020; detained hearings continue",
            ),
            (
                "aila-20062532",
                "resumption on June 29, 2020 at Boston, Buffalo, Dallas, Hartford, Las Vegas and New Orleans",
            ),
            (
                "start date 2020-03-18 (EOIR's nationwide postponement of non-detained hearings; recalled, not read; "
                "master calendar hearings postponed from 2020-03-16 per Roll Call)",
                "recalled",
            ),
        ],
    ),
)


# The case mix and continuances of FY2017 (docs/model.md, hearings): each figure as read, the derivations below.
ASYLUM_DECISIONS_FY2017 = 30_179  # TRAC (trac-a2986)
COMPLETIONS_FY2017 = 163_078  # EOIR Adjudication Statistics (data/public/eoir-history.csv)
FOUR_PLUS_CONTINUANCES_FY2015 = 0.20  # GAO-17-438 via CIS: share of completed cases with 4 or more continuances
ASYLUM_MERITS_TIME = 3.0  # assumption: an asylum merits hearing takes three times a non-asylum one
# Eagly & Shafer (AIC 2016), cases decided 2007-2012: shares that applied for relief, by custody and counsel.
RELIEF_SOUGHT = {
    "detained_represented": 0.32,
    "detained_unrepresented": 0.03,
    "represented": 0.78,  # never detained; taken for released respondents too (their figure was not read)
    "unrepresented": 0.15,
}
RELIEF_LOCATOR = (
    "detained immigrants with counsel sought relief in 32 percent of cases, without counsel in 3 percent; never "
    "detained, 78 percent with counsel and 15 percent without"
)
MASTER_MINUTES = 15  # JKM Law (2020-08-14): a master calendar hearing might take only 15 minutes
ASYLUM_HEARING_HOURS = 3.0  # assumption behind ASYLUM_MERITS_TIME: an asylum individual hearing set for ~3 hours
# The detained share of us-2017's FY2017 completions before the relief stage existed (53,914 of 162,837, seed 1):
# the model's own case mix, to keep its judge time; EOIR's FY2017 detained completions were not read.
DETAINED_SHARE_OF_COMPLETIONS = 0.33


def nondetained_represented() -> float:
    """Counsel among non-detained cases, from the 2007-2012 shares (``REPRESENTED_ALL``, ``REPRESENTED_DETAINED``)."""
    return round(
        (REPRESENTED_ALL - DETAINED_SHARE_OF_DECIDED * REPRESENTED_DETAINED) / (1 - DETAINED_SHARE_OF_DECIDED), 2
    )


NO_RELIEF_HEARING_TIME = round(MASTER_MINUTES / 60 / (ASYLUM_HEARING_HOURS / ASYLUM_MERITS_TIME), 2)


def case_time(asylum: float, applied: float, no_relief: float) -> float:
    """Mean judge time of a case's deciding hearing, in reference hearings (``model.hearings``).

    An asylum case takes ``ASYLUM_MERITS_TIME``; of the others, those that apply for relief (what ``applied``
    leaves after the asylum cases) take one reference hearing, the rest ``no_relief``.
    """
    return asylum * ASYLUM_MERITS_TIME + max(0.0, applied - asylum) + (1 - max(applied, asylum)) * no_relief


def _note(title: str, kind: str) -> dict:
    """A reference that is not a published source: a derivation, a recalled figure or an assumption."""
    return {"title": title, "kind": kind}


def deciding_hearing_time(
    asylum: float, no_relief: float, f: float = DETAINED_SHARE_OF_COMPLETIONS
) -> tuple[float, float, float]:
    """Mean time of a case's deciding hearing over a mix of custody (``f`` of completions detained, FY2017's by
    default) and counsel: (all, detained, others)."""
    rd, rn = REPRESENTED_DETAINED, nondetained_represented()
    detained = rd * case_time(asylum, RELIEF_SOUGHT["detained_represented"], no_relief) + (1 - rd) * case_time(
        asylum, RELIEF_SOUGHT["detained_unrepresented"], no_relief
    )
    others = rn * case_time(asylum, RELIEF_SOUGHT["represented"], no_relief) + (1 - rn) * case_time(
        asylum, RELIEF_SOUGHT["unrepresented"], no_relief
    )
    return f * detained + (1 - f) * others, detained, others


def appearance_parameters(sources: dict) -> dict[str, dict]:
    """``no_show_probability`` and the counsel and supervision parameters, in the order they are written."""

    def eagly() -> dict:  # a new mapping at each use: a shared one would be written as a YAML anchor
        return source_ref(sources, "eagly-shafer-2015", EAGLY_SHAFER_LOCATOR)

    def aic() -> dict:
        return source_ref(sources, "aic-in-absentia-2021", AIC_LOCATOR)

    nondetained = nondetained_represented()
    shares = (
        f"({REPRESENTED_ALL} - {DETAINED_SHARE_OF_DECIDED} x {REPRESENTED_DETAINED}) / "
        f"{1 - DETAINED_SHARE_OF_DECIDED} = {nondetained:.2f}"
    )
    unrepresented_missed = (MISSED_NONDETAINED - nondetained * MISSED_REPRESENTED) / (1 - nondetained)
    factor = round(MISSED_REPRESENTED / unrepresented_missed, 2)
    base = round(FLAT_NO_SHOW / ((1 - nondetained) + nondetained * factor), 2)
    half = (
        f"{shares}: non-detained representation if detained cases were about half of the cases decided 2007-2012 "
        "(recalled)"
    )
    return {
        "no_show_probability": {
            "value": base,
            "unit": "probability",
            "meaning": "an unrepresented, unsupervised non-detained respondent never detained does not appear at "
            "the deciding hearing",
            "source": [
                _note(CRS_IN_ABSENTIA, "recalled"),
                aic(),
                _note(
                    f"{base} = {FLAT_NO_SHOW} / ({1 - nondetained:.1f} + {nondetained:.1f} x {factor}): the former flat "
                    f"non-detained no-show probability {FLAT_NO_SHOW} (from the CRS figure) spread over represented "
                    f"({nondetained:.0%}, no-show factor {factor}) and unrepresented respondents",
                    "derived",
                ),
            ],
            "range": [0.6, 1.0],
            "notes": "The model decides a case at one hearing, so its no-shows per completion equal its no-shows per "
            "person; in EOIR's data people who miss a hearing are ordered removed at once while others stay pending, "
            "so in absentia orders are a larger share of completions (about a third) than of people (17% of "
            "nondetained people FY2008-FY2018, AIC 2021). The value is per completion, the basis of the in-absentia "
            "target; hearings and continuances (issue 14, point 1) would let the two differ.",
        },
        "represented_share_detained": {
            "value": REPRESENTED_DETAINED,
            "unit": "share",
            "meaning": "detained cases with counsel",
            "source": [eagly()],
            "range": [0.14, 0.35],
            "notes": "cases decided 2007-2012; later years' detained representation was higher (recalled, not read), "
            "hence the range",
        },
        "represented_share_released": {
            "value": nondetained,
            "unit": "share",
            "meaning": "released cases (filed in ICE or border custody, not held) with counsel",
            "source": [eagly(), _note(half, "derived")],
            "range": [0.45, 0.8],
        },
        "represented_share_never_detained": {
            "value": nondetained,
            "unit": "share",
            "meaning": "never-detained cases with counsel",
            "source": [
                eagly(),
                _note(half + "; the study's split between released and never-detained cases was not read", "derived"),
            ],
            "range": [0.45, 0.8],
        },
        "represented_no_show_factor": {
            "value": factor,
            "unit": "factor",
            "meaning": "no-show probability of a represented respondent relative to an unrepresented one",
            "source": [
                aic(),
                _note(
                    f"{MISSED_REPRESENTED} / {unrepresented_missed:.3f} = {factor}: represented nondetained people "
                    f"missed a hearing in {MISSED_REPRESENTED:.0%} of cases; with {nondetained:.0%} represented the "
                    f"unrepresented missed one in ({MISSED_NONDETAINED} - {nondetained:.1f} x {MISSED_REPRESENTED}) / "
                    f"{1 - nondetained:.1f} = {unrepresented_missed:.1%}",
                    "derived",
                ),
            ],
            "range": [0.05, 0.25],
        },
        "released_no_show_factor": {
            "value": 1.0,
            "unit": "factor",
            "meaning": "no-show probability of a released respondent relative to one never detained",
            "source": "assumption",
            "range": [0.7, 1.3],
            "notes": "no public figure read that separates released from never-detained appearance; counsel and "
            "supervision, which differ between them, are separate factors",
        },
        "supervised_share_released": {
            "value": 0.1,
            "unit": "share",
            "meaning": "released respondents ICE places under alternatives to detention (while a slot is free)",
            "source": [
                source_ref(
                    sources, "gao-15-26", "highlights: ATD participants rose from 32,065 (FY2011) to 40,864 (FY2013)"
                ),
                _note(
                    "share of released respondents: about 40,000 participants a year against a non-detained docket "
                    "of several hundred thousand (assumption)",
                    "assumption",
                ),
            ],
            "range": [0.03, 0.3],
        },
        "supervised_no_show_factor": {
            "value": 0.2,
            "unit": "factor",
            "meaning": "no-show probability of a supervised respondent relative to an unsupervised one",
            "source": [
                _note(
                    "ICE reports of ISAP full-service participants appearing at about 99% of scheduled hearings "
                    "(GAO-15-26; recalled, not read)",
                    "recalled",
                ),
                _note(
                    "final hearings and technology-only supervision appear less often: factor taken well above "
                    f"0.01 / {unrepresented_missed:.3f}",
                    "assumption",
                ),
            ],
            "range": [0.05, 0.6],
        },
    }


def hearing_parameters(sources: dict, before: dict) -> dict[str, dict]:
    """The case types, the continuances and the judges' hearing time that together give FY2017's completions.

    ``before`` is the prior's ``completions_per_judge_year`` (completions per judge, hearings neutral). Judge time
    is kept: the new rate counts reference hearings, so FY2017's completions per judge are unchanged when the rate
    is those completions times the reference hearings a case needs on average: its deciding hearing's mean time
    (``case_time``: asylum, other relief or none, by custody and counsel, mixed by FY2017's share of detained
    completions) over ``1 - q`` (q: the continuance probability). The court back-test (docs/validation.md) then
    gives earlier years their own case mix and continuances, not their own rate.
    """
    share = round(ASYLUM_DECISIONS_FY2017 / COMPLETIONS_FY2017, 2)
    q = round(FOUR_PLUS_CONTINUANCES_FY2015**0.25, 2)
    no_relief = NO_RELIEF_HEARING_TIME
    rd, rn, f = REPRESENTED_DETAINED, nondetained_represented(), DETAINED_SHARE_OF_COMPLETIONS
    per_hearing, detained, others = deciding_hearing_time(share, no_relief)
    per_case = per_hearing / (1 - q)
    rate = round(before["value"] * per_case)
    low, high = before["range"]
    earlier = before["source"] if isinstance(before["source"], list) else [before["source"]]
    asylum_ref = [
        source_ref(sources, "trac-a2986", "asylum decisions were up sharply in FY 2017, with a total of 30,179"),
        _note(
            f"{share} = {ASYLUM_DECISIONS_FY2017:,} asylum decisions / {COMPLETIONS_FY2017:,} EOIR completions in "
            "FY2017; the same share on every docket (detained asylum seekers were likely fewer: no figure read)",
            "derived",
        ),
    ]
    out = {
        f"asylum_share_{kind}": {
            "value": share,
            "unit": "share",
            "meaning": f"{what} cases with an asylum application (a longer merits hearing)",
            "source": [dict(r) for r in asylum_ref],
            "range": [0.1, 0.4],
        }
        for kind, what in (("detained", "detained"), ("released", "released"), ("never_detained", "never-detained"))
    }
    out["asylum_merits_hearing_time"] = {
        "value": ASYLUM_MERITS_TIME,
        "unit": "reference hearings",
        "meaning": "judge time of an asylum case's hearing relative to a non-asylum merits hearing",
        "source": "assumption",
        "range": [2.0, 5.0],
        "notes": "no published figure of hearing length by case type was read; an individual asylum hearing is "
        "usually set for several hours, a non-asylum one (most end in an order or voluntary departure) for less",
    }
    relief_ref = [
        source_ref(sources, "aic-counsel-2016-ivlaw", RELIEF_LOCATOR),
        _note("cases decided 2007-2012 (the study's sample)", "derived"),
    ]
    for which, what in (
        ("detained_represented", "detained represented"),
        ("detained_unrepresented", "detained unrepresented"),
        ("represented", "represented non-detained (released or never detained)"),
        ("unrepresented", "unrepresented non-detained (released or never detained)"),
    ):
        value = RELIEF_SOUGHT[which]
        out[f"relief_application_share_{which}"] = {
            "value": value,
            "unit": "share",
            "meaning": f"{what} respondents who apply for relief from removal, asylum included; the others' cases "
            "are decided at one short hearing",
            "source": [dict(r) for r in relief_ref],
            "range": [round(max(0.0, value - 0.1), 2), round(min(1.0, value + 0.1), 2)],
            **(
                {"notes": "the never-detained figure: released respondents' own was not read"}
                if not which.startswith("detained")
                else {}
            ),
        }
    out["no_relief_hearing_time"] = {
        "value": no_relief,
        "unit": "reference hearings",
        "meaning": "judge time of a case decided without an application for relief (an order at a master-calendar "
        "hearing) relative to a non-asylum merits hearing",
        "source": [
            source_ref(
                sources,
                "eoir-benchbook-master-calendar",
                "cases susceptible to summary disposition (voluntary departure, or removability clearly shown and no "
                "relief available) are disposed of on the master calendar with an oral decision from the bench",
            ),
            source_ref(sources, "jkmlaw-2020-08-14", "master calendar hearings ... might only take 15 minutes"),
            _note(
                f"{no_relief} = {MASTER_MINUTES} minutes / ({ASYLUM_HEARING_HOURS:g} hours / {ASYLUM_MERITS_TIME:g}): "
                "a reference hearing is an asylum hearing's time over asylum_merits_hearing_time, an asylum "
                f"individual hearing taken as about {ASYLUM_HEARING_HOURS:g} hours (assumption)",
                "derived",
            ),
        ],
        "range": [0.05, 0.5],
    }
    out["continuance_probability_preparation"] = {
        "value": q,
        "unit": "probability",
        "meaning": "a hearing ends in a continuance (for preparation, counsel or the judge's calendar: the reasons "
        "are not split in the figure)",
        "source": [
            source_ref(
                sources,
                "numbersusa-cis-continuances",
                "cases with four or more continuances rose from 9 percent of cases completed in FY 2006 to 20 "
                "percent in FY 2015",
            ),
            _note(
                f"{q} = {FOUR_PLUS_CONTINUANCES_FY2015} ** (1/4): the probability that makes four or more "
                f"continuances {FOUR_PLUS_CONTINUANCES_FY2015:.0%} of completions when each hearing is continued "
                "independently (a geometric count); FY2015's figure, the last read, held for FY2017",
                "derived",
            ),
        ],
        "range": [0.5, 0.75],
    }
    out["completions_per_judge_year"] = {
        "value": rate,
        "unit": "reference hearings/judge/year",
        "meaning": "judge time per year, counted in reference hearings (one non-asylum merits hearing)",
        "source": [
            *earlier,
            _note(
                f"{rate} = {before['value']} x {per_hearing:.3f} / (1 - {q}): FY2017's completions and closures per "
                f"judge times the reference hearings a case needs on average; {per_hearing:.3f} = the mean time of a "
                f"deciding hearing, {f} x {detained:.3f} (detained) + {1 - f:.2f} x {others:.3f} (others), each "
                f"mixing counsel ({rd}, {rn}) and what the represented and unrepresented apply for (asylum "
                f"{share}, relief_application_share_*, no_relief_hearing_time {no_relief})",
                "derived",
            ),
            _note(
                f"{f}: the detained share of us-2017's FY2017 completions before the relief stage (53,914 of "
                "162,837 with seed 1), the model's own case mix; EOIR's FY2017 detained completions were not read",
                "derived",
            ),
        ],
        "range": [round(low * per_case), round(high * per_case)],
        "notes": before.get("notes", ""),
    }
    return out


def hamama(doc: dict, sources: dict) -> None:
    """The ``iraqi_nationals`` cohort as the closed class of Hamama v. Adducci, and its injunction's end and detention."""
    doc["cohorts"]["iraqi_nationals"] = {
        "share": doc["cohorts"]["iraqi_nationals"]["share"],
        "orders_by": "2017-06-24",
        "meaning": "Iraqi nationals with final orders of removal on 2017-06-24 (Hamama v. Adducci class): a closed "
        "cohort; share: about 1,400 class members among some 1M people with final orders (assumption)",
        "source": [
            source_ref(
                sources,
                "clearinghouse-hamama",
                "Iraqi nationals subject to final orders of removal for years; amended habeas petition filed June 24, "
                "2017",
            ),
            _note(
                "class of Iraqi nationals with final orders on June 24, 2017, and about 1,400 members (recalled, not "
                "read)",
                "recalled",
            ),
        ],
    }
    (event,) = [e for e in doc["events"] if e["type"] == "injunction" and e["cohort"] == "iraqi_nationals"]
    event["end"] = "2018-12-20"
    event["detained_until"] = "2018-01-02"
    event["meaning"] = (
        "Hamama v. Adducci (E.D. Mich.): preliminary injunction halting removals of the class of Iraqi nationals with "
        "final orders; vacated by the Sixth Circuit on 2018-12-20 (912 F.3d 869). The stay kept detained class "
        "members detained until the order of 2018-01-02 (bond hearings for those held six months or more); the "
        "model releases them all that day, while the hearings released them over the following weeks"
    )
    event["source"] = [
        source_ref(sources, "hamama-edmich-2017-07-24", "decision date 24 July 2017"),
        source_ref(sources, "hamama-edmich-2018-01-02", "decision date 2 January 2018; bond hearings after six months"),
        source_ref(
            sources,
            "hamama-6cir-2018-12-20",
            "decision date 20 December 2018; the preliminary injunctions vacated (Clearinghouse summary)",
        ),
    ]


def court_events(sources: dict) -> list[dict]:
    """The ``court_policy`` events of ``COURT_EVENTS``, with their references."""
    out = []
    for date, end, policy, factor, meaning, refs in COURT_EVENTS:
        event: dict = {"type": "court_policy", "date": date}
        if end is not None:
            event["end"] = end
        event["policy"] = policy
        if factor is not None:
            event["factor"] = factor
        event["meaning"] = meaning
        event["source"] = [source_ref(sources, a, b) if a in sources else _note(a, b) for a, b in refs]
        out.append(event)
    return out


def add_courts(doc: dict) -> dict:
    """``doc`` (the localized prior) with the court inputs (in place); returns ``doc``."""
    sources = read_sources()
    params = {}
    for name, spec in doc["parameters"].items():
        if name == "no_show_probability":
            params.update(appearance_parameters(sources))
            params.update(release_parameters(sources))
        elif name == "completions_per_judge_year":
            params.update(hearing_parameters(sources, spec))
        else:
            params[name] = spec
    doc["parameters"] = params
    hamama(doc, sources)
    doc["events"] += court_events(sources)
    return doc
