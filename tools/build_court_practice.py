"""Write src/immsim/validation/data/court-practice-fy2009-fy2016.csv: the court back-test's dated inputs.

The court's practice in the years before ``us-2017`` starts, from published figures (every figure is a literal
below, with its source; the arithmetic is written into each row's ``derivation``):

- ``continuance_probability_preparation``: GAO-17-438 (via CIS) gives the share of completed cases with four or
  more continuances, 9 % in FY2006 and 20 % in FY2015. The share is interpolated linearly between the two and held
  after FY2015; a hearing is continued with the probability ``q`` that makes ``q ** 4`` that share (each hearing
  continued independently, a geometric count), as ``us-2017`` does for FY2017 (tools/us2017_court.py).
- ``asylum_share``: TRAC's asylum decisions over EOIR's completions (data/public/eoir-history.csv), interpolated
  between the years read; FY2009 takes FY2010's share.
- ``admin_closure_probability``: GAO's 2 % of completed cases in FY2006 until prosecutorial-discretion closures
  began in FY2012; TRAC's prosecutorial-discretion closures plus about 2,400 others over all closures in FY2012
  and FY2013; GAO's 23 % in FY2015, held for FY2016; FY2014 between.
- ``external_detained_share``: the share of new cases whose respondent was detained throughout (custody code
  ``D``; ``R``, detained then released, and ``N``, never detained, are on the non-detained docket), from EOIR's
  case database (CASE) as released under FOIA to BuzzFeed News (records to 2015-01-15) and tabulated by
  nationality and calendar year of the first scheduled hearing in a public repository; the counts below are
  that table summed over nationalities. A calendar year stands for the fiscal year ending in it (a quarter
  apart); CY2014's share is held for FY2015 and FY2016 (and by the back-test for FY2017: with the pipeline off,
  every receipt takes the external path).
- ``represented_share_nondetained``: counsel on the non-detained dockets (released and never detained). EOIR's
  statistical year book counts the share of completed proceedings with counsel (39 % in FY2009, 59 % in FY2013,
  a slim minority in FY2012, as quoted); TRAC's monthly series passed 60 % in 2014 and reached 65 % by the end of
  2015. Years between are interpolated. Detained respondents keep ``us-2017``'s 14 % (cases decided 2007-2012),
  so the non-detained share is what the year's overall share leaves with the year's detained share of cases
  (``external_detained_share``): (all - detained share x 0.14) / (1 - detained share). The back-test holds
  FY2016's value for FY2017: ``us-2017``'s counsel shares are those of cases decided 2007-2012.

    python tools/build_court_practice.py
"""

from __future__ import annotations

import csv
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1] / "src" / "immsim" / "validation" / "data" / "court-practice-fy2009-fy2016.csv"
)
YEARS = range(2009, 2017)
GAO_CONTINUANCES = (
    "GAO-17-438 via CIS (NumbersUSA summary): cases completed with 4 or more continuances 9% in FY2006, 20% in FY2015"
)
FOUR_PLUS = {2006: 0.09, 2015: 0.20}
#: fiscal year: (asylum decisions, EOIR completions, source)
ASYLUM = {
    2010: (19_445, 222_277, "TRAC report 306: 19,445 asylum decisions in FY2010"),
    2012: (21_512, 186_080, "TRAC report 306: 21,512 asylum cases decided in FY2012"),
    2015: (18_581, 143_652, "TRAC (email 2016-12-13): 18,581 asylum cases decided in FY2015"),
    2016: (22_312, 143_489, "TRAC at Work A2986: 22,312 asylum cases resolved in FY2016"),
}
TRAC_306 = "TRAC report 306: other administrative closures averaged about 2,400 a year in the five years before FY2012"
TRAC_339 = (
    "TRAC report 339, Table 1: prosecutorial-discretion closures 9,684 of 206,330 closures (FY2012), "
    "16,306 of 191,803 (FY2013)"
)
GAO_CLOSURES = "GAO-17-438 via CIS: administrative closures 2% of completed cases in FY2006, 23% in FY2015"
OTHER_CLOSURES = 2_400
#: fiscal year: (prosecutorial-discretion closures, all closures)
PD_CLOSURES = {2012: (9_684, 206_330), 2013: (16_306, 191_803)}
GAO_SHARES = {2006: 0.02, 2015: 0.23}
CASE_CUSTODY = (
    "EOIR CASE database (FOIA copy of BuzzFeed News, records to 2015-01-15), cases by custody and calendar year of "
    "the first scheduled hearing, as tabulated by nationality in github fordb/2015-08-immigrant-detention "
    "(notebooks/custody_by_nationality_year.csv), summed over nationalities"
)
#: fiscal year: (share of completed proceedings with counsel, source)
EOIR_YEARBOOK = (
    "HotAir (2014-04-22), quoting EOIR's FY2013 Statistical Year Book: 59 percent of those in immigration proceedings "
    "had legal representation in 2013, 39 percent in 2009; in 2012 a very slim majority had none"
)
TRAC_485 = (
    "TRAC report 485 (Who is Represented in Immigration Court?, 2017): the representation rate surpassed 60 percent "
    "after 2014 and rose to 65 percent by the end of 2015"
)
REPRESENTED_ALL = {
    2009: (0.39, EOIR_YEARBOOK),
    2012: (0.49, EOIR_YEARBOOK + " (0.49: just under half)"),
    2013: (0.59, EOIR_YEARBOOK),
    2014: (0.60, TRAC_485),
    2016: (0.65, TRAC_485 + " (the end of calendar 2015 is the start of FY2016)"),
}
REPRESENTED_DETAINED = 0.14  # Eagly & Shafer (2015), cases decided 2007-2012, as in us-2017
#: calendar year of the first scheduled hearing: (cases detained throughout (D), all cases (N + D + R))
DETAINED_CASES = {
    2009: (122_813, 238_096),
    2010: (107_441, 234_320),
    2011: (107_719, 235_951),
    2012: (80_933, 203_275),
    2013: (58_985, 185_948),
    2014: (60_114, 204_640),
}


def continuances() -> list[tuple]:
    rows = []
    (a, sa), (b, sb) = FOUR_PLUS.items()
    for fy in YEARS:
        four = sa + (sb - sa) * min(fy - a, b - a) / (b - a)
        held = " and held after" if fy > b else ""
        how = f"{four:.3f} ** (1/4): the share with four or more continuances interpolated linearly FY{a}-FY{b}{held}"
        rows.append(
            (
                fy,
                "continuance_probability_preparation",
                round(four**0.25, 3),
                how + ", as a geometric count",
                GAO_CONTINUANCES,
            )
        )
    return rows


def asylum() -> list[tuple]:
    share = {fy: d / c for fy, (d, c, _) in ASYLUM.items()}
    rows = []
    for fy in YEARS:
        if fy in share:
            v, how, src = share[fy], f"{ASYLUM[fy][0]:,} / {ASYLUM[fy][1]:,} EOIR completions", ASYLUM[fy][2]
        elif fy < min(share):
            first = min(share)
            v, how, src = share[first], f"FY{first}'s share (no FY{fy} figure read)", ASYLUM[first][2]
        else:
            lo, hi = max(y for y in share if y < fy), min(y for y in share if y > fy)
            v = share[lo] + (share[hi] - share[lo]) * (fy - lo) / (hi - lo)
            how, src = f"interpolated between FY{lo} and FY{hi}", f"{ASYLUM[lo][2]}; {ASYLUM[hi][2]}"
        rows.append((fy, "asylum_share", round(v, 3), f"asylum decisions as a share of completions: {how}", src))
    return rows


def closures() -> list[tuple]:
    pd_share = {fy: (n + OTHER_CLOSURES) / total for fy, (n, total) in PD_CLOSURES.items()}
    rows = []
    for fy in YEARS:
        if fy < min(PD_CLOSURES):
            v, how, src = (
                GAO_SHARES[2006],
                "FY2006's share, held until prosecutorial-discretion closures began in FY2012",
                f"{GAO_CLOSURES}; {TRAC_306}",
            )
        elif fy in PD_CLOSURES:
            n, total = PD_CLOSURES[fy]
            v = pd_share[fy]
            how = f"({n:,} prosecutorial-discretion closures + about {OTHER_CLOSURES:,} others) / {total:,} closures"
            src = f"{TRAC_339}; {TRAC_306}"
        elif fy < 2015:
            v, how, src = (
                (pd_share[2013] + GAO_SHARES[2015]) / 2,
                "interpolated between FY2013 and FY2015",
                f"{TRAC_339}; {GAO_CLOSURES}",
            )
        else:
            v, how, src = GAO_SHARES[2015], "FY2015's share" + (", held" if fy > 2015 else ""), GAO_CLOSURES
        rows.append((fy, "admin_closure_probability", round(v, 3), how, src))
    return rows


def detained() -> list[tuple]:
    last = max(DETAINED_CASES)
    rows = []
    for fy in YEARS:
        year = min(fy, last)
        d, total = DETAINED_CASES[year]
        held = ", held (no later year in the data)" if fy > last else ""
        how = f"{d:,} detained / {total:,} cases with a first hearing in CY{year}{held}"
        rows.append((fy, "external_detained_share", round(d / total, 3), how, CASE_CUSTODY))
    return rows


def counsel() -> list[tuple]:
    shares = {fy: v for fy, _, v, *_ in detained()}
    rows = []
    for fy in YEARS:
        if fy in REPRESENTED_ALL:
            r, src = REPRESENTED_ALL[fy]
            how = f"{r:g} of completed proceedings with counsel"
        else:
            lo = max(y for y in REPRESENTED_ALL if y < fy)
            hi = min(y for y in REPRESENTED_ALL if y > fy)
            (a, sa), (b, sb) = REPRESENTED_ALL[lo], REPRESENTED_ALL[hi]
            r = a + (b - a) * (fy - lo) / (hi - lo)
            how = f"{r:.3f} of completed proceedings with counsel, interpolated between FY{lo} and FY{hi}"
            src = sa if sb == sa else f"{sa}; {sb}"
        f = shares[fy]
        v = min(1.0, (r - f * REPRESENTED_DETAINED) / (1 - f))
        how += f"; ({r:.3f} - {f} x {REPRESENTED_DETAINED}) / (1 - {f}) with the year's detained share of cases"
        rows.append((fy, "represented_share_nondetained", round(v, 3), how, src))
    return rows


COLUMNS = ("fiscal_year", "parameter", "value", "derivation", "source")


def rows() -> list[dict]:
    """The file's rows, by parameter and year."""
    out = sorted(closures() + asylum() + continuances() + detained() + counsel(), key=lambda r: (r[1], r[0]))
    return [dict(zip(COLUMNS, r, strict=True)) for r in out]


def main() -> None:
    table = rows()
    with OUT.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(table)
    print(f"wrote {OUT}: {len(table)} rows")


if __name__ == "__main__":
    main()
