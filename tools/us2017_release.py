"""The release and supervision inputs of ``us-2017-prior``: bond hearings and ATD capacity (issue 14, point 3).

Run by ``tools/us2017_court.add_courts``, which writes these parameters after the appearance parameters. Bond
grant rates and ATD enrollment are published figures (rows of ``data/sources.csv``); who asks for a bond
hearing, how soon, and how many post the bond set are assumptions with ranges, chosen so that about one in four
detained people is ordered released on bond, as TRAC counts them.
"""

from __future__ import annotations

from us2017_local import source_ref

#: TRAC: immigration judges granted bond at 56 % of hearings in FY2015-FY2016 and 50 % in FY2018.
GRANT_FY2016, GRANT_FY2018 = 0.56, 0.50
#: TRAC (2018): somewhat over one in four detained individuals obtain a custody decision allowing release.
RELEASED_ON_BOND_SHARE = 0.27
#: Who asks for (and may have) a bond hearing, by criminal history: people with serious convictions are mostly
#: held without bond (INA 236(c)); some lesser convictions (drug offences, aggravated felonies) are too.
HEARING = {"none": 0.75, "pending": 0.75, "lesser": 0.5, "serious": 0.05}
HEARING_DAYS = 21.0
#: ATD: more than 100,000 enrolled on 2019-06-22 (CRS R45804, read); about 80,000 in FY2017 (recalled).
ATD_FY2017 = 80000.0
ATD_2019 = 100000.0


def _note(title: str, kind: str) -> dict:
    return {"title": title, "kind": kind}


def release_parameters(sources: dict) -> dict[str, dict]:
    """The bond and ATD parameters, in the order they are written."""
    grant = round((GRANT_FY2016 + GRANT_FY2018) / 2, 2)
    trac_grant = source_ref(
        sources,
        "trac-email-200618",
        "para. 2: immigration judges granted bond at 56 percent of hearings during FY 2015 and FY 2016; 50 percent "
        "during FY 2018",
    )

    def trac_share() -> dict:  # a new mapping at each use: a shared one would be written as a YAML alias
        return source_ref(
            sources,
            "trac-email-180702",
            "para. 3: somewhat over one in four detained individuals are ultimately successful in obtaining a "
            "judge's custody decision that allows them to be released, if they are able to raise the bond amount set",
        )

    return {
        "bond_hearing_probability": {
            "value": dict(HEARING),
            "unit": "probability",
            "meaning": "a detained contesting respondent asks for and may have a bond hearing, by criminal history",
            "source": [
                trac_share(),
                _note(
                    f"shares by history: with a grant rate near {grant} and hearings held before the case is ready "
                    f"in about two cases in three (a {HEARING_DAYS:g}-day delay against the detained preparation "
                    f"time), about {RELEASED_ON_BOND_SHARE:.0%} of detained people are ordered released on bond; "
                    "serious convictions mostly mandatory detention (INA 236(c))",
                    "assumption",
                ),
            ],
            "range": [0.0, 1.0],
            "notes": "a table by criminal history; the lesser and serious values are the least known",
        },
        "bond_hearing_days": {
            "value": HEARING_DAYS,
            "unit": "days",
            "meaning": "mean time from detention to the bond hearing",
            "source": "assumption",
            "range": [7.0, 60.0],
            "notes": "no published national figure read; a bond hearing is usually asked for at or soon after the "
            "first master calendar hearing",
        },
        "bond_grant_probability": {
            "value": grant,
            "unit": "probability",
            "meaning": "an immigration judge grants bond at a bond hearing",
            "source": [
                trac_grant,
                _note(
                    f"{grant} = ({GRANT_FY2016} + {GRANT_FY2018}) / 2: FY2017 between the two published rates",
                    "derived",
                ),
            ],
            "range": [GRANT_FY2018, GRANT_FY2016],
        },
        "bond_posted_probability": {
            "value": 0.8,
            "unit": "probability",
            "meaning": "a respondent granted bond posts it and is released",
            "source": [
                trac_share(),
                _note(
                    "share of bonds granted that are posted: no national figure read (median bond $7,500 "
                    "in FY2017 per TRAC 2020)",
                    "assumption",
                ),
            ],
            "range": [0.6, 0.95],
        },
        "atd_slots": {
            "series": [
                {"from": "2016-10-01", "value": ATD_FY2017},
                {"from": "2019-06-22", "value": ATD_2019},
            ],
            "unit": "participants",
            "meaning": "capacity of alternatives to detention (people supervised at once)",
            "source": [
                _note(
                    "about 80,000 average daily ATD participants in FY2017 (ICE budget documents; recalled, not read)",
                    "recalled",
                ),
                source_ref(
                    sources,
                    "crs-r45804",
                    "summary: on June 22, 2019, ISAP III enrollment included more than 100,000 foreign nationals, a "
                    "subgroup of a non-detained docket of approximately 3 million",
                ),
                source_ref(
                    sources, "gao-15-26", "highlights: ATD participants rose from 32,065 (FY2011) to 40,864 (FY2013)"
                ),
            ],
            "range": [50000.0, 120000.0],
            "notes": "ICE's ATD also supervises people the model does not place on it (people released pending "
            "removal, families); the model's supervised respondents are released court respondents only, so the "
            "capacity binds only when they alone fill it",
        },
        "atd_end_rate": {
            "value": 0.0,
            "unit": "per participant-year",
            "meaning": "rate at which ICE ends supervision before the case ends",
            "source": "assumption",
            "range": [0.0, 1.0],
            "notes": "0: supervised until the case is decided or closed, as supervised_share_released was read "
            "before ATD had a capacity; ICE's average time in the program was not read",
        },
    }
