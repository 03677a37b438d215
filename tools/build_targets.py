"""Build the package's validation targets from data/public/targets-fy2017.csv.

Adds, per figure, the model output it is compared with, a tolerance that
reflects the source's confidence, where the model does not produce a
comparable figure, why, and the figure's role (calibration target, holds by
construction, or independent check), so that the report never counts a fitted
or constructed agreement as evidence. Run by developers: ``python tools/build_targets.py``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "data" / "public" / "targets-fy2017.csv"
OUT = ROOT / "src" / "immsim" / "validation" / "data" / "targets-fy2017.csv"

# (metric, period) -> (model figure, relative tolerance, note)
MAP = {
    ("ice_admin_arrests", "FY2017"): ("ice_admin_arrests", 0.10, "headline; secondary source"),
    ("custodial_share_of_arrests", "FY2017-FY2018Q3"): (
        "custodial_share_of_arrests",
        0.10,
        "source gives a range of 0.70-0.80 over FY2017-FY2018Q3",
    ),
    ("ice_at_large_arrests", "FY2017"): ("ice_at_large_arrests", 0.25, "recalled-low figure; wide tolerance"),
    ("detainers_issued", "FY2017"): ("detainers_issued", 0.10, "headline; TRAC count of ICE FOIA data"),
    ("removals_total", "FY2017"): (
        "removals_total",
        0.15,
        "includes border-origin removals, driven by the border book-in input series",
    ),
    ("removals_from_ice_arrests", "FY2017"): ("removals_from_ice_arrests", 0.10, "headline"),
    ("detention_book_ins", "FY2017"): (
        "detention_book_ins",
        0.15,
        "all arresting agencies; the border share is an input series",
    ),
    ("detention_average_daily_population", "FY2017"): ("detention_average_daily_population", 0.10, "headline"),
    ("detention_average_length_of_stay", "FY2017"): ("detention_average_length_of_stay", 0.15, "secondary source"),
    ("court_pending_end", "FY2017"): ("court_pending_end", 0.10, "headline; primary source"),
    ("court_receipts", "FY2017"): ("court_receipts", 0.05, "largely an input series (external receipts)"),
    ("court_completions", "FY2017"): ("court_completions", 0.10, "headline; primary source"),
    ("in_absentia_share_of_initial_completions", "FY2011-FY2020 average"): (
        "in_absentia_share",
        0.30,
        "a ten-year average (24% FY2012 to 46% FY2019), compared with FY2017",
    ),
    ("worksite_admin_arrests", "FY2017"): (
        "worksite_admin_arrests",
        0.25,
        "about 170 events a year: Poisson noise alone is 8%",
    ),
    ("assaults_on_ice_officers", "FY2017"): (
        "assaults_on_officers",
        0.50,
        "sources conflict (37 in 11 months vs 48); about 50 events",
    ),
}
MAP[("share_arrests_with_conviction", "FY2017")] = (
    "share_arrests_convicted",
    0.10,
    "criminal history: convictions are the lesser and serious classes",
)
#: Figures read after the shared file was written (data/criminal-history.csv), added as rows.
EXTRA = [
    {
        "metric": "share_arrests_pending_charges_only",
        "value": "0.16",
        "period": "FY2017",
        "unit": "share",
        "source": "Pew Research Center (2018), from ICE data: 16% of FY2017 arrests had pending charges and no conviction",
        "confidence": "secondary",
        "note": "calibration target",
        "figure": "share_arrests_pending_charges",
        "tolerance": "0.25",
        "comparison_note": "pending: booked on charges, no conviction",
    },
    {
        "metric": "share_removals_with_conviction",
        "value": str(round(127699 / 226119, 4)),
        "period": "FY2017",
        "unit": "share",
        "source": "ICE FY2017 ERO report: 127,699 removals of convicted criminals of 226,119 (recalled: data/criminal-history.csv)",
        "confidence": "recalled",
        "note": "check: not a calibration target",
        "figure": "share_removals_convicted",
        "tolerance": "0.15",
        "comparison_note": "border removals in the model carry no criminal history (an input series without one), so this share is low by construction",
    },
]
NOT_PRODUCED = {
    "share_arrests_conviction_pending_fugitive_reinstated": (
        "not produced: a fugitive or reinstated order is an immigration status, counted apart from criminal history"
    ),
    "arrest_location_prisons_jails_287g": "the model does not separate state and federal prisons from local jails",
    "detainers_weekly_issued_declined": "one week of early 2017; declines are a lower bound (agencies often do not report)",
    "law_enforcement_agencies_refusing_a_detainer": "the model's 130 jurisdictions (79 counties and cities and the rest of each state) are not the 3,774 agencies that received detainers",
    "court_admin_closed_inactive_pending": "used as the initial administratively closed stock, not as a target",
    "court_backlog_trac": "TRAC counts differ from EOIR's; the model follows EOIR's",
    "immigration_judges": "an input",
    "completions_per_judge": "FY2015, counted with another judge count; the model's rate is derived from FY2017",
    "avg_days_nta_to_removal_order": "TRAC measures notice to order for removal orders only; the model reports days to completion",
    "jail_model_287g_agencies": "jurisdictions are counties, cities and the rest of each state, not jail agencies; 287(g) enters as a share of each one's bookings",
    "unauthorized_population": "an input (2016); the 2017 estimate is not compared",
    "share_population_in_2014_priorities": "an input to the 2014 regime's eligible shares",
    "worksite_investigations_opened": "an input (operations per year)",
    "worksite_i9_audits": "audits are not simulated separately from investigations",
    "worksite_criminal_arrests": "an input (employer cases per operation)",
    "collateral_share_at_large_operation": "one operation in sanctuary jurisdictions, not a national rate",
    "officers_per_arrest_custodial_vs_community": "a 2025 statement about staffing, used for team size",
    "detention_book_ins_FY2016": "",
}

#: What agreement with each compared figure can show (the ``role`` column). ``calibration``: in the calibration
#: objective, so agreement shows the fit. ``construction``: an input was derived from the figure itself, so
#: agreement is not evidence. ``check``: not fitted and not an input, so agreement is an independent check.
#: Rows the model does not produce have no role.
CONSTRUCTION = {
    # completions_per_judge_year is EOIR's FY2017 completions (plus closures) over the FY2017 judges
    "court_completions": "completions_per_judge_year is derived from FY2017 completions and judges",
    # worksite_operations_per_year x worksite_arrests_per_operation = 1,691 x 172/1,691
    "worksite_admin_arrests": "operations per year x arrests per operation, both from the FY2017 release",
    # no_show_probability 0.38 is read from the same CRS figure
    "in_absentia_share": "no_show_probability is set from the same CRS figure",
    # border_book_ins_per_year = 323,591 less the model's interior book-ins
    "detention_book_ins": "border_book_ins_per_year is this figure less the model's interior book-ins",
    # external_court_receipts_per_year = 62 % (assumption) of EOIR's FY2017 initial receipts
    "court_receipts": "external_court_receipts_per_year is 62% (assumption) of this figure",
}
CHECK = {"share_removals_convicted"}


def role(figure: str) -> str:
    """The row's role: calibration, construction, check, or empty for a figure the model does not produce."""
    if not figure:
        return ""
    if figure in CONSTRUCTION:
        return "construction"
    return "check" if figure in CHECK else "calibration"


# Immigration judges at fiscal-year end, FY2008-FY2015 (recalled from EOIR's judge
# hiring table as reported by TRAC; confidence recalled-low), and FY2016-FY2017
# from court-inputs.csv.
JUDGES_END = {
    2007: 212,
    2008: 214,
    2009: 231,
    2010: 245,
    2011: 272,
    2012: 267,
    2013: 262,
    2014: 249,
    2015: 254,
    2016: 289,
    2017: 338,
}
HISTORY_OUT = OUT.parent / "eoir-history.csv"


def history_rows() -> list[dict]:
    """EOIR's court history with the judge counts the back-test uses."""
    with open(PUBLIC.parent / "eoir-history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        fy = int(r["fiscal_year"])
        r["judges_end"] = JUDGES_END[fy]
        r["judges_source"] = (
            "EOIR judge hiring table as reported by TRAC (recalled-low)"
            if fy < 2016
            else ("court-inputs.csv (recalled)")
        )
    return rows


def target_rows() -> list[dict]:
    """The packaged targets: every public row, with the model figure it is compared with, its tolerance and role."""
    with open(PUBLIC, newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        key = (r["metric"], r["period"])
        if key in MAP:
            figure, tol, note = MAP[key]
        elif r["period"].startswith("FY2016") or r["period"] == "2016" or "FY2016" in r["period"]:
            figure, tol, note = "", "", "baseline year before the run (FY2016): an initial condition or context"
        else:
            figure, tol, note = "", "", NOT_PRODUCED.get(r["metric"], "not a model output")
        out.append({**r, "figure": figure, "tolerance": tol, "comparison_note": note})
        if r["metric"] == "share_arrests_with_conviction":
            out.extend(EXTRA)
    for o in out:
        o["role"] = role(o["figure"])
    return out


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main() -> int:
    out = target_rows()
    _write(OUT, out)
    print(f"wrote {OUT} ({sum(1 for o in out if o['figure'])} compared figures)")
    _write(HISTORY_OUT, history_rows())
    print(f"wrote {HISTORY_OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
