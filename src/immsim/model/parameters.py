"""Every parameter the model reads: its name, shape, unit, bounds and meaning.

Scenario files give values (or dated series of values) for these names; the
scenario compiler turns them into daily arrays of shape ``(days, *dims)`` and
bundles them in a ``Params`` named tuple that the kernels read. Adding a
parameter means one line here and its value in the scenario files; a
parameter with a ``default`` may be left out of a scenario (the default is
the neutral value: the model then behaves as it did before the parameter
existed).

A ``class`` parameter varies over the classes of people: the pairs of an
immigration status and a criminal history (``codes.CLASSES``). A scenario
gives it per status, per history, or per pair (see ``scenario.loader``).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

INF = float("inf")

#: Dimensions a parameter can vary over besides time.
DIMS = ("scalar", "class", "office", "jurisdiction", "path")


@dataclass(frozen=True)
class Spec:
    name: str
    dims: str  # one of DIMS
    unit: str
    lo: float
    hi: float
    meaning: str
    module: str  # the model module that uses it
    default: float | None = None  # the neutral value used when a scenario leaves it out


def _p(
    name: str, dims: str, unit: str, lo: float, hi: float, module: str, meaning: str, default: float | None = None
) -> Spec:
    return Spec(name, dims, unit, lo, hi, meaning, module, default)


PROB = (0.0, 1.0)
POS = (0.0, INF)

SPECS: tuple[Spec, ...] = (
    # community
    _p(
        "community_departure_rate",
        "class",
        "per person-year",
        *POS,
        "community",
        "rate at which removable people leave the population (emigration, status, death)",
    ),
    _p(
        "new_entrants_per_year",
        "scalar",
        "people/year",
        *POS,
        "community",
        "people newly added to the removable population (as recent entrants)",
    ),
    _p(
        "recent_entrant_aging_rate",
        "scalar",
        "per person-year",
        *POS,
        "community",
        "rate at which recent entrants stop counting as recent (become non-priority)",
    ),
    _p(
        "lead_rate",
        "class",
        "per person-year",
        *POS,
        "community",
        "rate at which community members become known at-large targets (tips, database leads)",
    ),
    _p(
        "conviction_rate",
        "scalar",
        "per person-year",
        *POS,
        "community",
        "rate at which removable people in the community with no conviction are convicted (lesser or serious);"
        " without it the convicted stock only shrinks as enforcement removes people from it",
        0.0,
    ),
    _p(
        "serious_share_of_convictions",
        "scalar",
        "share",
        *PROB,
        "community",
        "share of those new convictions that are for serious or violent offences",
        0.0,
    ),
    _p(
        "at_large_departure_rate",
        "scalar",
        "per person-year",
        *POS,
        "community",
        "rate at which known at-large targets leave the country or change status",
    ),
    # jails
    _p(
        "booking_rate",
        "class",
        "bookings per person-year",
        *POS,
        "jails",
        "rate of bookings into local jails and prisons",
    ),
    _p(
        "booking_rate_factor",
        "jurisdiction",
        "factor",
        *POS,
        "jails",
        "bookings per removable resident relative to the national rate (local policing and jail use)",
        1.0,
    ),
    _p(
        "no_record_booking_factor",
        "scalar",
        "factor",
        *POS,
        "jails",
        "bookings of people with no criminal record relative to the booking_rate table (how often police book"
        " people never convicted)",
        1.0,
    ),
    _p("jail_stay_days", "class", "days", 1.0, INF, "jails", "mean time in local custody before normal release"),
    _p(
        "identification_probability",
        "scalar",
        "probability",
        *PROB,
        "jails",
        "a booked removable person is identified to ICE (fingerprint sharing)",
    ),
    _p(
        "detainer_issue_probability",
        "class",
        "probability",
        *PROB,
        "jails",
        "ICE issues a detainer for an identified person whose class is eligible",
    ),
    _p(
        "hold_window_days",
        "scalar",
        "days",
        0.0,
        30.0,
        "jails",
        "how long a jail honoring detainers holds a person past normal release (48 hours)",
    ),
    _p(
        "pickups_per_officer_day",
        "scalar",
        "people/officer/day",
        *POS,
        "jails",
        "custodial transfers one jail officer processes in a day",
    ),
    _p("jail_officers", "office", "officers", *POS, "jails", "ICE officers assigned to jail transfers"),
    _p(
        "notify_pickup_probability",
        "scalar",
        "probability",
        *PROB,
        "jails",
        "ICE is at the jail at release when a notify-only jail tells it the release time",
    ),
    _p(
        "decline_pickup_probability",
        "scalar",
        "probability",
        *PROB,
        "jails",
        "ICE learns of and meets a release in a jail that declines holds",
    ),
    _p(
        "share_287g_jails",
        "jurisdiction",
        "share of bookings",
        *PROB,
        "jails",
        "share of bookings in jails with a 287(g) jail-model agreement (honoring jurisdictions)",
    ),
    _p(
        "judicial_warrant_probability",
        "scalar",
        "probability",
        *PROB,
        "jails",
        "ICE obtains a judicial warrant for a person held by a jail whose policy requires one",
        0.0,
    ),
    _p(
        "jail_reallocation_share",
        "scalar",
        "share",
        *PROB,
        "jails",
        "share of jail officers allocated among offices by their recent pickup workload (0: by population)",
        0.0,
    ),
    # operations
    _p(
        "at_large_reallocation_share",
        "scalar",
        "share",
        *PROB,
        "operations",
        "share of at-large officers allocated among offices by their recent releases of people with detainers"
        " (0: by population, as given)",
        0.0,
    ),
    _p(
        "reallocation_days",
        "scalar",
        "days",
        1.0,
        3650.0,
        "operations",
        "time constant of officer reallocation: the window of recent releases and the speed of moving officers",
        90.0,
    ),
    _p(
        "at_large_officers",
        "office",
        "officers",
        *POS,
        "operations",
        "ICE officers on at-large (fugitive operations) teams",
    ),
    _p("team_size", "scalar", "officers", 1.0, INF, "operations", "officers per at-large arrest team"),
    _p(
        "attempts_per_team_day",
        "scalar",
        "attempts/team/day",
        *POS,
        "operations",
        "arrest attempts one team makes per day",
    ),
    _p(
        "conviction_targeting_factor",
        "scalar",
        "factor",
        0.1,
        20.0,
        "operations",
        "how much more at-large teams favour people with convictions than the regime's weights say (multiplies the"
        " targeting weight of the lesser and serious histories; applied when the scenario is compiled)",
        1.0,
    ),
    _p("found_probability", "scalar", "probability", *PROB, "operations", "an attempt finds its target"),
    _p(
        "refused_probability",
        "scalar",
        "probability",
        *PROB,
        "operations",
        "a found target refuses to open the door and is not arrested",
    ),
    _p(
        "collateral_per_arrest",
        "scalar",
        "people/arrest",
        *POS,
        "operations",
        "mean collateral arrests of other removable people per targeted at-large arrest",
    ),
    _p(
        "use_of_force_probability_at_large",
        "scalar",
        "probability",
        *PROB,
        "operations",
        "an at-large arrest involves use of force",
    ),
    _p(
        "use_of_force_probability_custodial",
        "scalar",
        "probability",
        *PROB,
        "operations",
        "a custodial transfer involves use of force",
    ),
    _p(
        "assault_probability_at_large",
        "scalar",
        "probability",
        *PROB,
        "operations",
        "an at-large arrest involves an assault on an officer",
    ),
    _p(
        "assault_probability_custodial",
        "scalar",
        "probability",
        *PROB,
        "operations",
        "a custodial transfer involves an assault on an officer",
    ),
    _p(
        "worksite_operations_per_year",
        "scalar",
        "operations/year",
        *POS,
        "operations",
        "work-site enforcement operations (investigations opened) nationally",
    ),
    _p(
        "worksite_arrests_per_operation",
        "scalar",
        "people/operation",
        *POS,
        "operations",
        "administrative arrests per work-site operation",
    ),
    _p(
        "worksite_employer_cases_per_operation",
        "scalar",
        "cases/operation",
        *POS,
        "operations",
        "criminal cases against employers or workers per work-site operation",
    ),
    _p(
        "task_force_officers",
        "jurisdiction",
        "officers",
        *POS,
        "operations",
        "local officers under 287(g) task-force agreements (arrests in the community)",
    ),
    _p(
        "task_force_arrests_per_officer_day",
        "scalar",
        "arrests/officer/day",
        *POS,
        "operations",
        "community arrests per task-force officer per day",
    ),
    # custody (ICE detention and removal paths)
    _p("detention_beds", "scalar", "beds", *POS, "custody", "ICE detention bed capacity"),
    _p(
        "expedited_removal_probability",
        "class",
        "probability",
        *PROB,
        "custody",
        "an arrested person is processed by expedited removal",
    ),
    _p(
        "reinstatement_probability",
        "class",
        "probability",
        *PROB,
        "custody",
        "an arrested person's prior removal order is reinstated",
    ),
    _p(
        "accept_removal_probability",
        "class",
        "probability",
        *PROB,
        "custody",
        "a person placed in proceedings accepts removal (stipulated order or departure) instead of contesting",
    ),
    _p(
        "detain_contested_probability",
        "class",
        "probability",
        *PROB,
        "custody",
        "a contesting person is held in detention (if a bed is free) rather than released",
    ),
    _p(
        "removal_processing_days",
        "path",
        "days",
        1.0,
        INF,
        "custody",
        "mean time in detention from order to removal, by removal path",
    ),
    _p(
        "released_removal_days",
        "scalar",
        "days",
        1.0,
        INF,
        "custody",
        "mean time to removal for people ordered removed but released for lack of a bed",
    ),
    _p(
        "abscond_probability",
        "scalar",
        "probability",
        *PROB,
        "custody",
        "a person released pending removal absconds and joins the at-large pool",
    ),
    _p(
        "bond_hearing_probability",
        "class",
        "probability",
        *PROB,
        "custody",
        "a detained contesting respondent asks for and is eligible for a bond hearing (people with serious"
        " convictions are mostly held without bond, INA 236(c))",
        0.0,
    ),
    _p(
        "bond_hearing_days",
        "scalar",
        "days",
        1.0,
        INF,
        "custody",
        "mean time from detention to the bond hearing; a case decided first has none (the two compete)",
        30.0,
    ),
    _p(
        "bond_grant_probability",
        "class",
        "probability",
        *PROB,
        "custody",
        "a bond hearing grants release on bond",
        0.0,
    ),
    _p(
        "bond_posted_probability",
        "scalar",
        "probability",
        *PROB,
        "custody",
        "a granted bond is posted: the respondent leaves detention and the case moves to the non-detained docket",
        1.0,
    ),
    _p(
        "atd_slots",
        "scalar",
        "participants",
        *POS,
        "custody",
        "capacity of alternatives to detention (ATD): people supervised at once (inf: no limit)",
        INF,
    ),
    _p(
        "atd_end_rate",
        "scalar",
        "per participant-year",
        *POS,
        "custody",
        "rate at which ICE ends a respondent's ATD supervision before the case ends (0: supervised until the"
        " case is decided or closed)",
        0.0,
    ),
    _p(
        "border_book_ins_per_year",
        "scalar",
        "people/year",
        *POS,
        "custody",
        "detention book-ins of people arrested at the border (input series)",
    ),
    _p(
        "border_expedited_probability",
        "scalar",
        "probability",
        *PROB,
        "custody",
        "a border book-in is removed by expedited removal or reinstatement",
    ),
    _p(
        "border_share",
        "jurisdiction",
        "share",
        *PROB,
        "custody",
        "where border book-ins and their court cases are held",
    ),
    # courts
    _p("immigration_judges", "scalar", "judges", *POS, "courts", "immigration judges hearing cases"),
    _p(
        "completions_per_judge_year",
        "scalar",
        "reference hearings/judge/year",
        *POS,
        "courts",
        "a judge's hearing time in a year, counted in reference hearings (one merits hearing of a non-asylum case):"
        " the completions a judge would make if every case were decided at one such hearing; with hearing stages and"
        " continuances (model/hearings.py) completions per judge come out lower",
    ),
    _p(
        "external_court_receipts_per_year",
        "scalar",
        "cases/year",
        *POS,
        "courts",
        "new court cases from outside the interior pipeline (border, affirmative, other) (input series)",
    ),
    _p(
        "external_detained_share",
        "scalar",
        "share",
        *PROB,
        "courts",
        "share of external court receipts on the detained docket",
    ),
    _p(
        "detained_case_preparation_days",
        "scalar",
        "days",
        1.0,
        INF,
        "courts",
        "mean time from a detained case's filing to its readiness for hearing",
    ),
    _p(
        "no_show_probability",
        "scalar",
        "probability",
        *PROB,
        "courts",
        "an unrepresented, unsupervised non-detained respondent who was never detained does not appear at the"
        " hearing that decides the case and is ordered removed in absentia (the factors below scale it)",
    ),
    _p(
        "represented_share_detained",
        "scalar",
        "share",
        *PROB,
        "courts",
        "share of detained cases with counsel (drawn when the case is filed)",
        0.0,
    ),
    _p(
        "represented_share_released",
        "scalar",
        "share",
        *PROB,
        "courts",
        "share of released cases (filed after ICE or border custody, not held) with counsel",
        0.0,
    ),
    _p(
        "represented_share_never_detained",
        "scalar",
        "share",
        *PROB,
        "courts",
        "share of never-detained cases (filed from outside custody) with counsel",
        0.0,
    ),
    _p(
        "represented_no_show_factor",
        "scalar",
        "factor",
        0.0,
        10.0,
        "courts",
        "no-show probability of a represented respondent relative to an unrepresented one",
        1.0,
    ),
    _p(
        "released_no_show_factor",
        "scalar",
        "factor",
        0.0,
        10.0,
        "courts",
        "no-show probability of a released respondent relative to one never detained",
        1.0,
    ),
    _p(
        "supervised_share_released",
        "scalar",
        "share",
        *PROB,
        "courts",
        "share of released respondents ICE places under alternatives to detention (when an ATD slot is free)",
        0.0,
    ),
    _p(
        "supervised_share_external",
        "scalar",
        "share",
        *PROB,
        "courts",
        "share of external receipts not detained (people released at the border with a notice to appear) ICE"
        " places under alternatives to detention (when an ATD slot is free)",
        0.0,
    ),
    _p(
        "supervised_no_show_factor",
        "scalar",
        "factor",
        0.0,
        10.0,
        "courts",
        "no-show probability of a supervised respondent relative to an unsupervised one",
        1.0,
    ),
    _p(
        "removal_order_probability_detained",
        "scalar",
        "probability",
        *PROB,
        "courts",
        "a detained case ends in a removal order (otherwise relief or termination)",
    ),
    _p(
        "removal_order_probability_nondetained",
        "scalar",
        "probability",
        *PROB,
        "courts",
        "a non-detained case where the respondent appears ends in a removal order",
    ),
    _p(
        "order_compliance_probability",
        "scalar",
        "probability",
        *PROB,
        "courts",
        "a non-detained person ordered removed in person departs (otherwise becomes a fugitive)",
    ),
    _p(
        "admin_closure_probability",
        "scalar",
        "probability",
        *PROB,
        "courts",
        "a non-detained hearing ends in administrative closure: the case leaves the active docket, still open",
    ),
    _p(
        "recalendar_rate",
        "scalar",
        "per case-year",
        *POS,
        "courts",
        "rate at which administratively closed cases return to the active docket",
    ),
    # hearings: case types, hearing stages and continuances (model/hearings.py)
    *(
        _p(
            f"asylum_share_{kind}",
            "scalar",
            "share",
            *PROB,
            "hearings",
            f"share of {what} cases with an asylum application (a longer merits hearing)",
            0.0,
        )
        for kind, what in (
            ("detained", "detained"),
            ("released", "released"),
            ("never_detained", "never-detained"),
        )
    ),
    _p(
        "master_hearing_time",
        "scalar",
        "reference hearings",
        0.0,
        10.0,
        "hearings",
        "judge time of a master-calendar hearing relative to a non-asylum merits hearing; 0: no master-calendar"
        " stage (a case is decided at its one hearing)",
        0.0,
    ),
    *(
        _p(
            f"relief_application_share{which}",
            "scalar",
            "share",
            *PROB,
            "hearings",
            f"share of {what} respondents who apply for relief from removal (asylum included); the others' cases"
            " are decided at one short hearing",
            1.0,
        )
        for which, what in (
            ("_detained_represented", "detained represented"),
            ("_detained_unrepresented", "detained unrepresented"),
            ("_represented", "represented non-detained (released or never detained)"),
            ("_unrepresented", "unrepresented non-detained (released or never detained)"),
        )
    ),
    _p(
        "no_relief_hearing_time",
        "scalar",
        "reference hearings",
        0.0,
        10.0,
        "hearings",
        "judge time of a case decided without an application for relief (an order at a master-calendar hearing)"
        " relative to a non-asylum merits hearing",
        1.0,
    ),
    _p(
        "asylum_merits_hearing_time",
        "scalar",
        "reference hearings",
        0.0,
        20.0,
        "hearings",
        "judge time of an asylum case's merits hearing relative to a non-asylum one",
        1.0,
    ),
    *(
        _p(
            f"continuance_probability_{reason}",
            "scalar",
            "probability",
            0.0,
            0.9,
            "hearings",
            f"a hearing ends in a continuance {what}: the case goes back to the end of its docket's queue",
            0.0,
        )
        for reason, what in (
            ("preparation", "for preparation (either party asks for time)"),
            ("representation", "for an unrepresented respondent to find counsel"),
            ("judge", "for judge availability (the judge's slot is lost to a reset)"),
        )
    ),
)

SPEC = {s.name: s for s in SPECS}


def neutral_values(module: str) -> dict[str, float]:
    """The neutral value of each parameter of model module ``module`` that has one (its ``default``).

    With the ``hearings`` parameters at these values every case is heard once: the court is the queue of
    queueing theory again, as the validation's theory checks need whatever a scenario gives them.
    """
    return {s.name: s.default for s in SPECS if s.module == module and s.default is not None}


PARAM_NAMES = tuple(s.name for s in SPECS)

#: The bundle of compiled daily arrays the kernels read, one field per parameter.
Params = namedtuple("Params", PARAM_NAMES)  # type: ignore[misc]
