"""The jail-bookings data behind ``booking_rate_factor`` and the factors the build derives from it.

``tools/us2017_local.py`` turns ``data/jail-bookings.csv`` into a factor per
listed jurisdiction and states the range the factors lie in; these tests hold
the shipped figures to their sources and the derived factors to that range.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
KINDS = {"primary", "secondary", "recalled"}


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def local():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import us2017_local
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return us2017_local


@pytest.fixture(scope="module")
def codes() -> dict[str, str]:
    """Jurisdiction code -> state, as ``localize`` builds it (listed places and the rest of each state)."""
    rows = _rows("jurisdictions.csv")
    out = {r["code"]: r["state"] for r in rows}
    out.update({r["state"]: r["state"] for r in rows})
    return out


def test_every_bookings_row_names_a_known_source_a_kind_and_a_locator(codes):
    sources = {r["id"]: r for r in _rows("sources.csv")}
    rows = _rows("jail-bookings.csv")
    assert [r["code"] for r in rows if r["code"] == "US"] == ["US"]
    seen = set()
    for r in rows:
        assert r["code"] == "US" or r["code"] in codes, r["code"]
        assert r["code"] not in seen, f"{r['code']}: two figures"
        seen.add(r["code"])
        assert r["source_id"] in sources, r["source_id"]
        assert r["population_source_id"] in sources, r["population_source_id"]
        assert r["kind"] in KINDS and r["locator"].strip(), r["code"]
        assert 2011 <= int(r["year"]) <= 2019, r["code"]  # FY2016 or the nearest year read; none after 2019
        assert 0 < int(r["admissions"]) < int(r["total_population"]), r["code"]


def test_derived_factors_lie_inside_the_stated_range(local, codes):
    entry = local.booking_factors(codes, local.read_sources())
    lo, hi = local.FACTOR_RANGE
    factors = entry["value"]
    assert set(factors) - {"default"} == {r["code"] for r in _rows("jail-bookings.csv")} - {"US"}
    outside = {c: f for c, f in factors.items() if not lo <= f <= hi}
    assert not outside, f"outside the stated {lo}-{hi}: {outside}"
    assert f"{lo}-{hi}" in entry["notes"]


def test_the_resident_weighted_mean_factor_is_one(local, codes):
    """By construction (listed jurisdictions at their own rate, the rest at the national remainder's)."""
    entry = local.booking_factors(codes, local.read_sources())
    rows = _rows("jail-bookings.csv")
    us = next(r for r in rows if r["code"] == "US")
    listed = [r for r in rows if r["code"] != "US"]
    res = int(us["total_population"])
    rest = res - sum(int(r["total_population"]) for r in listed)
    mean = (
        sum(entry["value"][r["code"]] * int(r["total_population"]) for r in listed) + entry["value"]["default"] * rest
    ) / res
    assert mean == pytest.approx(1.0, abs=1e-3)  # each factor is rounded to 0.001


def test_a_factor_outside_the_range_is_refused(local, codes, monkeypatch):
    rows = _rows("jail-bookings.csv")
    bad = dict(rows[1], admissions=str(int(rows[1]["total_population"]) // 2))  # a jail booking half its county
    monkeypatch.setattr(local, "_read", lambda name: [rows[0], bad] if name == "jail-bookings.csv" else _rows(name))
    with pytest.raises(ValueError, match="outside its stated range"):
        local.booking_factors(codes, local.read_sources())


def test_the_shipped_scenario_carries_the_derived_factors(local, codes):
    from immsim.scenario.yamldoc import load_document

    doc = load_document((ROOT / "src/immsim/scenario/data/us-2017.yaml").read_text())
    shipped = doc["parameters"]["booking_rate_factor"]["value"]
    assert shipped == local.booking_factors(codes, local.read_sources())["value"]
