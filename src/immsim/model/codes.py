"""Names and integer codes shared by the compiled kernels and the Python layer.

Kernels work on integer codes; everything a user sees uses the names. Keep the
tuples and the constants in the same order.
"""

from __future__ import annotations

# A removable person has two dimensions (docs/model.md, section 1): an immigration
# status and a criminal history. Policies, priorities and results depend on
# both. The class of a person is the pair, coded status * N_HISTORIES + history.
STATUSES = (
    "recent_entrant",  # entered within the last few years
    "prior_removal",  # removed before and re-entered: the order can be reinstated
    "final_order",  # final order of removal not complied with (incl. in absentia): a fugitive
    "other",  # none of the above
)
RECENT, PRIOR_REMOVAL, FINAL_ORDER, OTHER_STATUS = range(4)
N_STATUSES = len(STATUSES)

HISTORIES = (
    "none",  # no criminal record known to ICE
    "pending",  # criminal charges pending, no conviction (a booking with no conviction makes it so)
    "lesser",  # convicted of a non-violent or lesser offence only
    "serious",  # convicted of a serious or violent offence (what carve-outs name)
)
H_NONE, H_PENDING, H_LESSER, H_SERIOUS = range(4)
N_HISTORIES = len(HISTORIES)
HISTORY_LABELS = ("no conviction", "pending charges", "lesser conviction", "serious or violent conviction")

CLASSES = tuple(f"{s}/{h}" for s in STATUSES for h in HISTORIES)
N_CLASSES = len(CLASSES)


K_RECENT_NONE = RECENT * N_HISTORIES + H_NONE  # border arrivals and court cases from outside the interior


# What a jail does at release with a person ICE has asked for (mechanism 3),
# from least to most cooperative. A policy (``immsim.scenario.policies``) gives
# one action per criminal history.
ACTIONS = ("no_contact", "decline", "notify", "hold", "transfer_287g")
A_NO_CONTACT, A_DECLINE, A_NOTIFY, A_HOLD, A_287G = range(5)

# Where a simulated person is. Community members are a stock, not individuals.
STATES = (
    "jail",  # in local custody after a booking
    "hold",  # released by the jail, waiting for ICE pickup (hold window or notification)
    "at_large",  # known target living in the community
    "detained_removal",  # ICE detention, waiting to be removed
    "detained_court",  # ICE detention, case on the detained docket
    "released_removal",  # ordered removed, released for lack of a bed
    "court_nondetained",  # case on the non-detained docket
    "stayed",  # removal stayed by an injunction
    "admin_closed",  # court case administratively closed: off the active docket until recalendared
    "mpp",  # case on the MPP docket: the respondent waits outside the United States (model/mpp.py)
    "removed",  # removed from the country (final)
    "relief",  # relief granted or case terminated (final)
    "returned",  # back in the community stock, no longer tracked (final)
    "departed",  # left the system by departing or adjusting (final)
)
(
    JAIL,
    HOLD,
    AT_LARGE,
    DETAINED_REMOVAL,
    DETAINED_COURT,
    RELEASED_REMOVAL,
    COURT_NONDETAINED,
    STAYED,
    ADMIN_CLOSED,
    MPP,
    REMOVED,
    RELIEF,
    RETURNED,
    DEPARTED,
) = range(14)
N_STATES = len(STATES)
FINAL_STATES = (REMOVED, RELIEF, RETURNED, DEPARTED)

# How a person came to ICE custody.
CHANNELS = ("jail_hold", "jail_notified", "jail_287g", "at_large", "collateral", "worksite", "task_force")
CH_JAIL_HOLD, CH_JAIL_NOTIFIED, CH_287G, CH_AT_LARGE, CH_COLLATERAL, CH_WORKSITE, CH_TASK_FORCE = range(7)
CUSTODIAL_CHANNELS = (CH_JAIL_HOLD, CH_JAIL_NOTIFIED, CH_287G)

# Removal paths (mechanism 8).
PATHS = ("expedited", "reinstated", "final_order", "accepted", "court_order")
P_EXPEDITED, P_REINSTATED, P_FINAL_ORDER, P_ACCEPTED, P_COURT_ORDER = range(5)

# Where a person first entered the simulation.
ORIGINS = ("interior", "border", "court_external")
O_INTERIOR, O_BORDER, O_COURT_EXTERNAL = range(3)

#: Why a hearing is continued (model/hearings.py), in the order the draws are made.
CONTINUANCE_REASONS = ("preparation", "representation", "judge")

# Monthly counters per jurisdiction (flows). Arrest and removal counters are
# laid out by channel and path so that kernels index them arithmetically.
FLOWS = (
    "bookings",
    "identified",
    "detainers_issued",
    "detainers_honored",
    "detainers_declined",
    "detainers_not_picked_up",
    "released_to_at_large",
    *(f"arrests_{c}" for c in CHANNELS),
    "at_large_attempts",
    "at_large_found",
    "at_large_refused",
    "use_of_force",
    "assaults_on_officers",
    "worksite_operations",
    "employer_cases",
    "detention_book_ins",
    "released_no_bed",
    "notices_to_appear",
    "released_on_recognizance",  # a contesting person ICE chose not to detain (recognizance, parole)
    "released_no_bed_contested",  # a contesting person ICE would detain, released for lack of a bed
    "bond_hearings",
    "bonds_granted",
    "bonds_posted",  # released on bond: the case moves from the detained to the non-detained docket
    "atd_enrollments",  # released respondents placed under alternatives to detention
    "atd_full",  # released respondents ICE would place on ATD, not placed for lack of a slot
    "atd_exits",  # left ATD: the case ended or was closed, or the time in the program ran out
    "atd_days",  # days in ATD of those who left (ATD's length of stay = atd_days / atd_exits)
    "court_receipts",
    "court_receipts_external",
    "court_completions",
    "court_completions_detained",
    "in_absentia_orders",
    "removal_orders",
    "relief_or_termination",
    "administrative_closures",
    "recalendared",
    *(f"removals_{p}" for p in PATHS),
    "removals_from_ice_arrests",
    "removals_border",
    "removals_stayed",
    "stays_lifted",
    "absconded",
    "departures",
    "leads",
    "days_pending_at_completion",
    "days_waiting_for_hearing",
    "days_waiting_for_hearing_detained",
    "jail_releases",
    "jail_stay_days",
    "detainers_open_at_start",  # detainers of the people in jail when the run starts (an initial stock, month 0)
    "detention_exits",
    "detention_stay_days",
    "convictions",  # people in the community newly convicted, under their new criminal history
    "court_hearings",  # hearings held (master-calendar, merits and continued ones)
    *(f"continuances_{r}" for r in CONTINUANCE_REASONS),
    "mpp_receipts",  # cases placed on the MPP docket (model/mpp.py), also counted in court_receipts
    "mpp_completions",  # completions of MPP cases, also counted in court_completions
    "mpp_in_absentia_orders",  # in-absentia orders of MPP cases, also counted in in_absentia_orders
)
F = {name: i for i, name in enumerate(FLOWS)}
N_FLOWS = len(FLOWS)
F_ARREST0 = F["arrests_jail_hold"]
F_REMOVAL0 = F["removals_expedited"]

# Month-end stocks per jurisdiction: one per state, then the community stock.
STOCKS = (*STATES[: MPP + 1], "community")
N_STOCKS = len(STOCKS)
K_COMMUNITY = N_STOCKS - 1

# Month-end national figures.
NATIONAL = (
    "court_pending",  # cases on every docket (detained, non-detained, MPP) at month end
    "court_pending_detained",
    "median_days_pending",  # median age of the cases waiting for a hearing
    "beds_used",  # at month end
    "detention_beds",  # capacity at month end
    "detention_bed_days",  # summed over the month: average daily population x days
    "jail_person_days",  # people in jail at the end of each day, summed over the month
    "court_pending_days",  # cases pending at the end of each day, summed over the month
    "atd_used",  # people under alternatives to detention at month end
    "atd_slots",  # ATD capacity at month end (inf: no limit)
    "atd_participant_days",  # summed over the month: ATD average daily participants x days
)
N_NATIONAL = len(NATIONAL)

# Integer constants for compiled code, which cannot look names up in a dict: FL_<FLOW> is the
# position of each flow in FLOWS, NA_<FIGURE> of each national figure in NATIONAL (tests/test_ledger.py
# checks that the names and the positions agree).
(
    FL_BOOKINGS,
    FL_IDENTIFIED,
    FL_DETAINERS_ISSUED,
    FL_DETAINERS_HONORED,
    FL_DETAINERS_DECLINED,
    FL_DETAINERS_NOT_PICKED_UP,
    FL_RELEASED_TO_AT_LARGE,
    FL_ARRESTS_JAIL_HOLD,
    FL_ARRESTS_JAIL_NOTIFIED,
    FL_ARRESTS_JAIL_287G,
    FL_ARRESTS_AT_LARGE,
    FL_ARRESTS_COLLATERAL,
    FL_ARRESTS_WORKSITE,
    FL_ARRESTS_TASK_FORCE,
    FL_AT_LARGE_ATTEMPTS,
    FL_AT_LARGE_FOUND,
    FL_AT_LARGE_REFUSED,
    FL_USE_OF_FORCE,
    FL_ASSAULTS_ON_OFFICERS,
    FL_WORKSITE_OPERATIONS,
    FL_EMPLOYER_CASES,
    FL_DETENTION_BOOK_INS,
    FL_RELEASED_NO_BED,
    FL_NOTICES_TO_APPEAR,
    FL_RELEASED_ON_RECOGNIZANCE,
    FL_RELEASED_NO_BED_CONTESTED,
    FL_BOND_HEARINGS,
    FL_BONDS_GRANTED,
    FL_BONDS_POSTED,
    FL_ATD_ENROLLMENTS,
    FL_ATD_FULL,
    FL_ATD_EXITS,
    FL_ATD_DAYS,
    FL_COURT_RECEIPTS,
    FL_COURT_RECEIPTS_EXTERNAL,
    FL_COURT_COMPLETIONS,
    FL_COURT_COMPLETIONS_DETAINED,
    FL_IN_ABSENTIA_ORDERS,
    FL_REMOVAL_ORDERS,
    FL_RELIEF_OR_TERMINATION,
    FL_ADMINISTRATIVE_CLOSURES,
    FL_RECALENDARED,
    FL_REMOVALS_EXPEDITED,
    FL_REMOVALS_REINSTATED,
    FL_REMOVALS_FINAL_ORDER,
    FL_REMOVALS_ACCEPTED,
    FL_REMOVALS_COURT_ORDER,
    FL_REMOVALS_FROM_ICE_ARRESTS,
    FL_REMOVALS_BORDER,
    FL_REMOVALS_STAYED,
    FL_STAYS_LIFTED,
    FL_ABSCONDED,
    FL_DEPARTURES,
    FL_LEADS,
    FL_DAYS_PENDING_AT_COMPLETION,
    FL_DAYS_WAITING_FOR_HEARING,
    FL_DAYS_WAITING_FOR_HEARING_DETAINED,
    FL_JAIL_RELEASES,
    FL_JAIL_STAY_DAYS,
    FL_DETAINERS_OPEN_AT_START,
    FL_DETENTION_EXITS,
    FL_DETENTION_STAY_DAYS,
    FL_CONVICTIONS,
    FL_COURT_HEARINGS,
    FL_CONTINUANCES_PREPARATION,
    FL_CONTINUANCES_REPRESENTATION,
    FL_CONTINUANCES_JUDGE,
    FL_MPP_RECEIPTS,
    FL_MPP_COMPLETIONS,
    FL_MPP_IN_ABSENTIA_ORDERS,
) = range(70)
(
    NA_COURT_PENDING,
    NA_COURT_PENDING_DETAINED,
    NA_MEDIAN_DAYS_PENDING,
    NA_BEDS_USED,
    NA_DETENTION_BEDS,
    NA_DETENTION_BED_DAYS,
    NA_JAIL_PERSON_DAYS,
    NA_COURT_PENDING_DAYS,
    NA_ATD_USED,
    NA_ATD_SLOTS,
    NA_ATD_PARTICIPANT_DAYS,
) = range(11)
