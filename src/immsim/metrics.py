"""What each figure of a run is called, in words, and its unit: one table for every front end.

The same figure used to be named in four tables (the headline figures, the
figures by criminal history, the web app's state map, the report's bars), and
they had drifted apart: "at-large arrests (targeted and collateral)" in one,
"ICE at-large arrests (targeted and collateral)" in another, "at-large arrests"
in a third. Every table, chart, page and terminal column now asks
:func:`label`, so a figure reads the same everywhere, and renaming one is one
edit. Names not listed (channels, removal paths, parameters, policies) read as
their words: ``jail_287g`` is "jail 287g".

This module imports nothing from immsim, so any layer may use it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """A figure's label (a table row, a chart title), its unit, and a short label for bars and narrow columns."""

    label: str
    unit: str
    short: str = ""


#: Every named figure of a run, by column name.
METRICS: dict[str, Metric] = {
    "ice_admin_arrests": Metric("ICE administrative arrests, all channels", "people", "ICE arrests"),
    "custodial_arrests": Metric("ICE arrests at jails (custodial, 287(g) included)", "people", "custodial arrests"),
    "custodial_share_of_arrests": Metric("share of arrests made in jails and prisons", "share", "custodial share"),
    "ice_at_large_arrests": Metric("ICE at-large arrests (targeted and collateral)", "people", "at-large arrests"),
    "arrests_collateral": Metric("collateral arrests", "people"),
    "detainers_issued": Metric("detainers issued", "detainers"),
    "detainers_honored": Metric("detainers honored (transfer at the jail)", "detainers", "detainers honored"),
    "detainers_declined": Metric("detainers declined by jail policy", "detainers", "detainers declined"),
    "detainers_not_picked_up": Metric(
        "detainers honored but not picked up in the hold window", "detainers", "not picked up"
    ),
    "released_to_at_large": Metric(
        "people with detainers released to the community", "people", "released with a detainer"
    ),
    "local_policies": Metric(
        "local jurisdictions with another policy than the rest of their state", "jurisdictions", "local policies"
    ),
    "at_large_attempts": Metric("at-large arrest attempts", "attempts"),
    "use_of_force": Metric("use-of-force incidents", "incidents"),
    "assaults_on_officers": Metric("assaults on officers", "incidents"),
    "worksite_admin_arrests": Metric("work-site administrative arrests", "people", "work-site arrests"),
    "removals_from_ice_arrests": Metric(
        "removals of people arrested by ICE in the interior", "people", "removals of ICE arrests"
    ),
    "removals_total": Metric("removals, all origins", "people", "removals"),
    "detention_book_ins": Metric("ICE detention book-ins", "people", "detention book-ins"),
    "detention_average_daily_population": Metric(
        "ICE detention average daily population", "people", "detention population"
    ),
    "detention_average_length_of_stay": Metric("ICE detention average length of stay", "days", "length of stay"),
    "released_on_recognizance": Metric(
        "contesting people released by ICE on recognizance or parole", "people", "released on recognizance"
    ),
    "released_no_bed_contested": Metric(
        "contesting people released for lack of a detention bed", "people", "released, no bed"
    ),
    "bond_hearings": Metric("bond hearings of detained respondents", "hearings", "bond hearings"),
    "bonds_posted": Metric("detained respondents released on bond", "people", "released on bond"),
    "atd_enrollments": Metric("enrollments in alternatives to detention", "people", "ATD enrollments"),
    "atd_average_daily_participants": Metric(
        "alternatives to detention average daily participants", "people", "ATD participants"
    ),
    "atd_average_length_of_stay": Metric(
        "alternatives to detention average time in the program, of those who left", "days", "ATD length of stay"
    ),
    "court_receipts": Metric("immigration court receipts", "cases", "court receipts"),
    "court_completions": Metric("immigration court completions", "cases", "court completions"),
    "in_absentia_share": Metric("share of completions ordered in absentia", "share", "in absentia share"),
    "mean_days_to_completion": Metric(
        "mean days from filing to completion, cases completed", "days", "days to completion"
    ),
    "court_pending_end": Metric("court cases pending at year end", "cases", "court pending"),
    "median_days_pending_end": Metric("median days pending at year end", "days", "median days pending"),
    "share_arrests_convicted": Metric(
        "share of ICE arrests of people with criminal convictions", "share", "arrests convicted"
    ),
    "share_arrests_pending_charges": Metric(
        "share of ICE arrests of people with pending charges only", "share", "arrests pending charges"
    ),
    "share_removals_convicted": Metric(
        "share of removals of people with criminal convictions", "share", "removals convicted"
    ),
    "officer_days_per_jail_transfer": Metric(
        "ICE jail officer-days per transfer at a jail", "officer-days", "officer-days per transfer"
    ),
    "officer_days_per_at_large_arrest": Metric(
        "ICE at-large officer-days per at-large arrest", "officer-days", "officer-days per at-large arrest"
    ),
    "bookings": Metric("jail bookings of removable people", "people", "jail bookings"),
    "at_large_pool_end": Metric("known at-large targets at year end", "people", "known targets"),
    "court_pending": Metric("court cases pending (month end)", "cases", "cases pending"),
}


def label(name: str, short: bool = False) -> str:
    """A figure's label (its short one with ``short``, where it has one), or any other name's words.

    >>> label("ice_at_large_arrests", short=True), label("jail_287g")
    ('at-large arrests', 'jail 287g')
    """
    metric = METRICS.get(name)
    if metric is None:
        return name.replace("_", " ")
    return (metric.short or metric.label) if short else metric.label


def unit(name: str) -> str:
    """A figure's unit (``""`` for a name that is not a figure)."""
    metric = METRICS.get(name)
    return metric.unit if metric else ""
