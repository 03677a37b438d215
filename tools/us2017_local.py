"""Split a state-level scenario into local jurisdictions, from the figures in data/.

Most limiting policies of 2016-2017 were county or city policies, not state
laws (docs/model.md, section 2). This tool turns a scenario whose jurisdictions
are whole states into one whose jurisdictions are the local jurisdictions of
``data/jurisdictions.csv`` (the jail operators with their own detainer policy,
and the largest counties by unauthorized population) plus the rest of each
state as one jurisdiction:

- each local jurisdiction has its field office, removable population and
  policy on 2016-10-01 from the CSV, with structured sources from
  ``data/sources.csv``;
- the rest of a state keeps the state's code, office and policy, and holds the
  state total less its listed parts; a part whose source also gives the state
  figure of the same year (``data/pop-state-totals.csv``) keeps its share of
  that figure rather than its count (see ``_source_shares``); if the parts,
  estimated in other years, add up to more than 90 % of the state, they are
  scaled down to 90 % and the source says so;
- dated local changes after the start come from
  ``data/jurisdiction-policy-events.csv``; state events of the scenario stay,
  and state events of the CSV that the scenario lacks are added;
- a jurisdiction-level rate keyed by a state code (``share_287g_jails``)
  applies to every jurisdiction of the state; a distribution over
  jurisdictions (``border_share``) stays with the rest of the state;
- ``booking_rate_factor`` (bookings per resident relative to the national
  rate) is derived from ``data/jail-bookings.csv``; see ``booking_factors``.

Run by ``tools/build_us2017.py`` for the prior and applied to the calibrated
``us-2017`` (``python tools/us2017_local.py src/immsim/scenario/data/us-2017.yaml``).
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

from scenario_file import rewrite

from immsim.scenario.sources import is_assumption, reference_from_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
START = dt.date(2016, 10, 1)
RATES_BY_STATE = {"share_287g_jails"}  # per-jurisdiction rates a state key applies to throughout the state
MAX_LOCAL_SHARE = 0.9
#: Bounds every derived booking_rate_factor must lie within (``booking_factors`` refuses a factor outside them).
#: The lower bound is 0.2, not 0.5: two figures count narrower events than jail bookings (New York City's DOC
#: admits only people held after arraignment, 0.21; Montgomery County MD counts arrests reaching its Central
#: Processing Unit, 0.32), and large urban jails read directly book at a third to two thirds of the national rate
#: (Los Angeles 0.34, Cook 0.41). The upper bound 2.0 is above the highest read (Denver 1.60). Each factor is
#: itself uncertain by about a factor of two (mixed years 2011-2019 and definitions).
FACTOR_RANGE = (0.2, 2.0)
UNKNOWN_SHARE = 0.005  # a listed place with no population estimate read: this share of its state (assumption)

#: State events of the scenario whose policy the carve-outs now describe better.
RECODED_STATE_EVENTS = {
    ("CA", "2018-01-01"): (
        "notify_serious",
        "California SB 54 (California Values Act) in effect: no holds on detainers; notification and transfer "
        "allowed only for people with listed serious or violent convictions",
    ),
}
#: Policies of the rest of a state on 2016-10-01 that differ from the state-level file: code -> (policy, source id,
#: locator). Connecticut's TRUST Act (2013) let jails hold for serious convictions only. California's (2014) did too,
#: but by March 2017 none of the 58 sheriffs held anyone past release (after Miranda-Olivares, 2014): no holds;
#: notification of releases for everyone is assumed (the TRUST Act limited holds, not notification).
RECODED_STATE_POLICIES = {
    "CA": (
        "notify_only",
        "latimes-2017-03-30",
        "none of the 58 sheriffs held inmates past release for ICE; notification of every release assumed",
    ),
    "CT": ("honor_serious", "", ""),
}


def _read(name: str) -> list[dict]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_sources() -> dict[str, dict]:
    out = {}
    for r in _read("sources.csv"):
        ref = {"title": r["title"], "kind": r["kind"]}
        for key in ("publisher", "date", "url"):
            if r.get(key):
                ref[key] = r[key]
        out[r["id"]] = ref
    return out


def source_ref(sources: dict, sid: str, locator: str = "", kind: str | None = None) -> dict:
    base = sources.get(sid) or {"title": f"source {sid!r} (not in data/sources.csv)", "kind": "recalled"}
    ref = dict(base)
    if locator:
        ref["locator"] = locator
    if kind == "recalled":  # the figure was recalled, whatever the source's own kind
        ref["kind"] = "recalled"
    return ref


def _refs(*refs: dict) -> list[dict]:
    out: list[dict] = []
    for r in refs:
        if r not in out:
            out.append(r)
    return out


def localize(doc: dict) -> dict:
    """Split ``doc``'s state jurisdictions into local ones (in place); returns ``doc``."""
    sources = read_sources()
    rows = _read("jurisdictions.csv")
    states = {j["code"]: j for j in doc["jurisdictions"]}
    by_state: dict[str, list[dict]] = {}
    for r in rows:
        by_state.setdefault(r["state"], []).append(r)
    new: list[dict] = []
    for code, sj in states.items():
        locals_ = by_state.get(code, [])
        total = int(sj["removable_population"])
        for r in locals_:
            if not r["unauthorized_pop"].strip():
                r["unauthorized_pop"] = str(int(UNKNOWN_SHARE * total))
                r["pop_source_id"] = ""
                r["pop_locator"] = ""
        shares = _source_shares(locals_, code, total)
        for r in locals_:
            if r["code"] in shares:
                r["unauthorized_pop"], r["pop_locator"] = shares[r["code"]]
        wanted = sum(int(r["unauthorized_pop"]) for r in locals_)
        scale = min(1.0, MAX_LOCAL_SHARE * total / wanted) if wanted else 1.0
        rest = total
        for r in locals_:
            pop = int(round(int(r["unauthorized_pop"]) * scale))
            rest -= pop
            pop_ref = (
                source_ref(sources, r["pop_source_id"], r["pop_locator"])
                if r["pop_source_id"]
                else {
                    "title": f"no published estimate read: {UNKNOWN_SHARE:.1%} of the state's removable population",
                    "kind": "assumption",
                }
            )
            if scale < 1.0:
                pop_ref = {
                    **pop_ref,
                    "locator": f"{r['pop_locator']}; scaled by {scale:.3f} so that the listed "
                    f"parts of {code} hold at most {MAX_LOCAL_SHARE:.0%} of the state total",
                }
            new.append(
                {
                    "code": r["code"],
                    "name": r["name"],
                    "state": code,
                    "office": r["office"],
                    "removable_population": pop,
                    "policy": r["policy_2016_10"],
                    "kind": r["kind"] if r["kind"] in ("county", "city", "city-county") else "county",
                    "source": _refs(
                        pop_ref,
                        source_ref(sources, r["policy_source_id"], r["policy_locator"]),
                        source_ref(sources, r["office_source_id"], "field office of the county", r["office_kind"]),
                    ),
                }
            )
        rest_entry = dict(sj)
        rest_entry["removable_population"] = rest
        if code in RECODED_STATE_POLICIES:
            policy, sid, locator = RECODED_STATE_POLICIES[code]
            rest_entry["policy"] = policy
            if sid:
                own = sj["source"] if isinstance(sj["source"], list) else [sj["source"]]
                own = [reference_from_text(r) if isinstance(r, str) else r for r in own]
                rest_entry["source"] = _refs(*own, source_ref(sources, sid, f"rest of the state's policy: {locator}"))
        if locals_:
            rest_entry["name"] = f"{sj['name']} (rest of state)"
            rest_entry["kind"] = "rest_of_state"
        if rest > 0 or not locals_:
            new.append(rest_entry)
    doc["jurisdictions"] = new
    codes = {j["code"]: j["state"] for j in new}
    _expand_state_keys(doc, codes)
    factors = booking_factors(codes, sources)
    if factors:
        doc["parameters"]["booking_rate_factor"] = factors
    _events(doc, codes, sources)
    structure_sources(doc)
    return doc


def _source_shares(locals_: list[dict], state: str, total: int) -> dict[str, tuple[str, str]]:
    """County figures turned into shares of their own source's state figure, times the scenario's state total.

    A county estimate and the scenario's state total often come from different
    sources or years (MPI or PPIC county figures, Pew's 2016 state totals), and
    the sources differ in level (PPIC put California at 2.67 million when Pew
    put it at 2.35 million). Subtracting one from the other would move people
    into or out of the rest of the state for no reason but the mismatch. Where
    ``data/pop-state-totals.csv`` gives the state figure of the same source
    and vintage as a county figure, the county keeps its share of that state
    figure instead. Returns code -> (population, locator) for the rows scaled.
    """
    totals = {(r["source_id"], r["state"]): r for r in _read("pop-state-totals.csv")}
    out = {}
    for r in locals_:
        st = totals.get((r["pop_source_id"], state))
        if not st or not r["unauthorized_pop"].strip():
            continue
        read, of = int(r["unauthorized_pop"]), int(st["unauthorized_pop"])
        pop = round(read / of * total)
        out[r["code"]] = (
            str(pop),
            f"{r['pop_locator']}; {read:,} is {read / of:.1%} of the same source's {of:,} for {state} "
            f"({st['vintage']}), applied to the scenario's {total:,}",
        )
    return out


def booking_factors(codes: dict[str, str], sources: dict) -> dict | None:
    """``booking_rate_factor`` from the jail bookings of ``data/jail-bookings.csv`` (a parameter entry).

    For a listed jurisdiction with a figure: its admissions per resident (total
    population, not only the removable) over the national admissions per
    resident (BJS, 2016). Every other jurisdiction (the rest of each state and
    the listed places without a figure) gets the rate of the national remainder:
    (national admissions - listed admissions) / (national residents - listed
    residents), over the national rate. So the resident-weighted mean factor is
    1 by construction: the factors move bookings among jurisdictions and leave
    the national total about where the booking_rate table puts it (exactly so
    only if removable people were spread like residents). Every factor must lie
    in ``FACTOR_RANGE``, the range the entry's notes state: a figure that falls
    outside is refused (ValueError) rather than shipped under a range it breaks.
    """
    rows = _read("jail-bookings.csv")
    nat = [r for r in rows if r["code"] == "US"]
    local = [r for r in rows if r["code"] in codes and r["code"] not in codes.values()]
    if not nat or not local:
        return None
    adm, res = int(nat[0]["admissions"]), int(nat[0]["total_population"])
    rate = adm / res
    listed_adm = sum(int(r["admissions"]) for r in local)
    listed_res = sum(int(r["total_population"]) for r in local)
    rest = (adm - listed_adm) / (res - listed_res) / rate
    table = {r["code"]: round(int(r["admissions"]) / int(r["total_population"]) / rate, 3) for r in local}
    table["default"] = round(rest, 3)
    outside = {code: f for code, f in table.items() if not FACTOR_RANGE[0] <= f <= FACTOR_RANGE[1]}
    if outside:
        raise ValueError(f"booking_rate_factor outside its stated range {FACTOR_RANGE}: {outside}")
    refs = [source_ref(sources, nat[0]["source_id"], f"{nat[0]['year']}: {nat[0]['locator']}")]
    for r in local:
        refs.append(source_ref(sources, r["source_id"], f"{r['code']}, {r['year']}: {r['locator']}"))
    refs.append(source_ref(sources, "census-county-recalled", "county residents of the same year (recalled, rounded)"))
    refs.append(
        {
            "title": "booking_rate_factor = (admissions / residents) / (U.S. admissions / U.S. residents); "
            "jurisdictions without a figure get the national remainder's rate (tools/us2017_local.py)",
            "kind": "derived",
        }
    )
    return {
        "value": table,
        "unit": "factor",
        "meaning": "jail bookings per resident relative to the national rate (derived from data/jail-bookings.csv)",
        "source": refs,
        "notes": (
            f"{len(local)} jurisdictions with a figure (years {min(r['year'] for r in local)}-"
            f"{max(r['year'] for r in local)}, definitions differ: jail admissions, bookings, DOC admissions); "
            f"national {adm:,} admissions / {res:,} residents (BJS 2016); the rest {rest:.3f}. "
            f"Derived factors span {min(table.values()):.3f}-{max(table.values()):.3f}, inside the stated range "
            f"{FACTOR_RANGE[0]}-{FACTOR_RANGE[1]} (the low end holds figures that count narrower events than "
            "bookings: NYC DOC admissions, Montgomery MD arrests processed); each factor is uncertain by about "
            "a factor of two."
        ),
    }


def structure_sources(node) -> None:
    """Every source written as a line of text becomes a reference (``immsim.scenario.sources``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source" and isinstance(value, str) and not is_assumption(value):
                node[key] = reference_from_text(value)
            else:
                structure_sources(value)
    elif isinstance(node, list):
        for item in node:
            structure_sources(item)


def _expand_state_keys(doc: dict, codes: dict[str, str]) -> None:
    def expand(table):
        if not isinstance(table, dict):
            return table
        out = dict(table)
        for code, state in codes.items():
            if code not in table and state in table and state != code:
                out[code] = table[state]
        return out

    for name in RATES_BY_STATE:
        p = doc["parameters"].get(name)
        if not p:
            continue
        if "value" in p:
            p["value"] = expand(p["value"])
        for step in p.get("series") or []:
            step["value"] = expand(step["value"])


def _events(doc: dict, codes: dict[str, str], sources: dict) -> None:
    events = doc.setdefault("events", [])
    for ev in events:
        key = (ev.get("target"), str(ev.get("date")))
        if ev.get("type") == "policy" and key in RECODED_STATE_EVENTS:
            ev["policy"], ev["meaning"] = RECODED_STATE_EVENTS[key]
    have = {(e.get("target"), str(e.get("date"))[:4]) for e in events if e.get("type") == "policy"}
    for r in _read("jurisdiction-policy-events.csv"):
        if dt.date.fromisoformat(r["date"]) < START:
            continue  # already in the jurisdiction's policy on the start date
        if r["scope"] == "jurisdiction" and r["target"] not in codes:
            continue
        if r["scope"] == "state" and ((r["target"], r["date"][:4]) in have or r["target"] not in codes.values()):
            continue
        events.append(
            {
                "type": "policy",
                "date": r["date"],
                "scope": r["scope"],
                "target": r["target"],
                "policy": r["policy"],
                "mode": r["mode"],
                "meaning": r["meaning"],
                "source": source_ref(sources, r["source_id"], r["locator"]),
            }
        )
    events.sort(key=lambda e: str(e.get("date")))


def main(paths: list[str]) -> int:
    return rewrite(paths, localize, "localized")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
