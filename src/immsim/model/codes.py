"""Names and integer codes shared by the compiled kernels and the Python layer.

Kernels work on integer codes; everything a user sees uses the names. Keep the
tuples and the constants in the same order.
"""

from __future__ import annotations

# Priority classes of removable people (MODEL.md mechanism 1).
CLASSES = (
    "serious_criminal",  # convicted of a serious (felony or aggravated) offence
    "other_criminal",  # other convictions or pending charges
    "recent_entrant",  # entered within the last few years
    "prior_removal",  # removed before and re-entered: order can be reinstated
    "fugitive",  # final order of removal not complied with (incl. in absentia)
    "non_priority",  # none of the above
)
SERIOUS, OTHER_CRIMINAL, RECENT, PRIOR_REMOVAL, FUGITIVE, NON_PRIORITY = range(6)
N_CLASSES = len(CLASSES)

# Jail cooperation policies, from least to most cooperative (mechanism 3).
POLICIES = ("no_contact", "decline_holds", "notify_only", "honor", "jail_287g")
NO_CONTACT, DECLINE_HOLDS, NOTIFY_ONLY, HONOR, JAIL_287G = range(5)

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
    REMOVED,
    RELIEF,
    RETURNED,
    DEPARTED,
) = range(13)
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
    "detention_exits",
    "detention_stay_days",
)
F = {name: i for i, name in enumerate(FLOWS)}
N_FLOWS = len(FLOWS)
F_ARREST0 = F["arrests_jail_hold"]
F_REMOVAL0 = F["removals_expedited"]

# Month-end stocks per jurisdiction: one per state, then the community stock.
STOCKS = (*STATES[:9], "community")
N_STOCKS = len(STOCKS)
K_COMMUNITY = N_STOCKS - 1

# Month-end national figures.
NATIONAL = (
    "court_pending",  # cases on both dockets at month end
    "court_pending_detained",
    "median_days_pending",  # median age of the cases waiting for a hearing
    "beds_used",  # at month end
    "detention_beds",  # capacity at month end
    "detention_bed_days",  # summed over the month: average daily population x days
    "jail_person_days",  # people in jail at the end of each day, summed over the month
    "court_pending_days",  # cases pending at the end of each day, summed over the month
)
N_NATIONAL = len(NATIONAL)

# Integer constants for compiled code, which cannot look names up in a dict:
# FL_<FLOW> for each flow (FL_BOOKINGS, FL_DETAINERS_ISSUED, ...) and
# NA_<FIGURE> for each national figure.
globals().update({f"FL_{name.upper()}": i for i, name in enumerate(FLOWS)})
globals().update({f"NA_{name.upper()}": i for i, name in enumerate(NATIONAL)})
