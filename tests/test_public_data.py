"""The FY2016-FY2024 public figures carry their sources, and outcomes stay out of the builds.

A scenario that starts after FY2020 will read ``data/public/inputs-fy2016-fy2024.csv``.
The project's rule is that outcomes of a year after a scenario's start (pending
cases, completions, arrests, removals) are never inputs or calibration targets,
only out-of-sample checks; they live apart in
``outcomes-fy2016-fy2024-check-only.csv``. These tests hold both files to that
rule and to the provenance rules of data/README.md: every figure names a source
and how it was obtained, and a figure not read in a stored copy carries a range.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "data" / "public"
SOURCES = PUBLIC / "sources-fy2016-fy2024.csv"
INPUTS = PUBLIC / "inputs-fy2016-fy2024.csv"
OUTCOMES = PUBLIC / "outcomes-fy2016-fy2024-check-only.csv"
FIGURE_FILES = (INPUTS, OUTCOMES)

# Strongest first: a figure cannot be better established than the document it cites.
STRENGTH = {"primary": 3, "secondary": 2, "recalled": 1, "assumption": 1}
NEEDS_RANGE = {"recalled", "assumption"}
ROLES = {"input", "initial_state_or_check", "calibration"}
#: Inputs named ``<outcome series>_fy<year>_initial_state`` copy that outcome of that year as a start state, and
#: ``<outcome series>_fy<year>_calibration`` as a calibration target of a scenario that starts after that year.
COPY_ROLES = {"_initial_state": "initial_state_or_check", "_calibration": "calibration"}
#: The first fiscal year of the latest scenario built from these files (us-2024): a calibration target is earlier.
LATEST_START_FY = 2024
CHECK_ONLY = "out-of-sample check only; never an input or calibration target"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sources() -> dict[str, dict]:
    rows = _rows(SOURCES)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate source ids"
    return {r["id"]: r for r in rows}


def test_every_source_says_what_it_is(sources):
    for sid, s in sources.items():
        assert s["kind"] in STRENGTH, sid
        for field in ("title", "publisher", "date"):
            assert s[field].strip(), (sid, field)
        if s["kind"] in ("primary", "secondary"):
            assert s["url"].strip(), f"{sid}: a document that was read has an address"


@pytest.mark.parametrize("path", FIGURE_FILES, ids=lambda p: p.name)
def test_every_figure_names_its_source_kind_and_place(path, sources):
    rows = _rows(path)
    assert rows, path.name
    for r in rows:
        where = (path.name, r["series"], r["fiscal_year"])
        assert r["source_id"] in sources, where
        assert r["kind"] in STRENGTH, where
        assert r["locator"].strip(), where
        assert 2016 <= int(r["fiscal_year"]) <= 2024, where
        assert float(r["value"]) >= 0, where
        source_kind = sources[r["source_id"]]["kind"]
        assert STRENGTH[r["kind"]] <= STRENGTH[source_kind], f"{where}: {r['kind']} figure from a {source_kind} source"


@pytest.mark.parametrize("path", FIGURE_FILES, ids=lambda p: p.name)
def test_figures_not_read_carry_a_range_that_holds_them(path):
    for r in _rows(path):
        where = (path.name, r["series"], r["fiscal_year"])
        has_range = bool(r["low"].strip()) and bool(r["high"].strip())
        if r["kind"] in NEEDS_RANGE:
            assert has_range, f"{where}: a {r['kind']} figure needs low and high"
        if has_range:
            assert float(r["low"]) <= float(r["value"]) <= float(r["high"]), where
        else:
            assert not r["low"].strip() and not r["high"].strip(), f"{where}: half a range"


@pytest.mark.parametrize("path", FIGURE_FILES, ids=lambda p: p.name)
def test_each_series_has_one_figure_a_year_without_gaps(path):
    years: dict[str, list[int]] = defaultdict(list)
    for r in _rows(path):
        years[r["series"]].append(int(r["fiscal_year"]))
    for series, ys in years.items():
        assert len(ys) == len(set(ys)), f"{series}: a year twice"
        assert sorted(ys) == list(range(min(ys), max(ys) + 1)), f"{series}: years {sorted(ys)} have a gap"


def test_inputs_have_a_role_and_outcomes_say_they_are_checks_only():
    inputs, outcomes = _rows(INPUTS), _rows(OUTCOMES)
    assert {r["role"] for r in inputs} <= ROLES
    assert {r["use"] for r in outcomes} == {CHECK_ONLY}
    assert not {r["series"] for r in inputs} & {r["series"] for r in outcomes}, "a series in both files"
    outcome_words = ("pending", "completion", "resolution", "arrest", "removal")
    copies = {r["series"]: suffix for r in inputs for suffix in COPY_ROLES if r["series"].endswith(suffix)}
    for series in {r["series"] for r in inputs} - copies.keys():
        assert not any(w in series for w in outcome_words), f"{series} looks like an outcome"
    # An outcome copied on purpose as an initial state or a calibration target: one year, the role its name says,
    # the outcome's own figure; a calibration target only of a year before the latest scenario's start.
    for series, suffix in copies.items():
        rows = [r for r in inputs if r["series"] == series]
        assert len(rows) == 1 and rows[0]["role"] == COPY_ROLES[suffix], series
        outcome = series.removesuffix(suffix).rsplit("_fy", 1)[0]
        fy = rows[0]["fiscal_year"]
        assert series.endswith(f"_fy{fy}{suffix}"), series
        assert suffix != "_calibration" or int(fy) < LATEST_START_FY, series
        same = [o for o in outcomes if o["series"] == outcome and o["fiscal_year"] == fy]
        assert len(same) == 1 and float(same[0]["value"]) == float(rows[0]["value"]), series


def test_no_build_script_reads_the_outcomes():
    """Tools and the package are what build scenarios and targets; none may open the outcomes file."""
    scripts = [*(ROOT / "tools").glob("*.py"), *(ROOT / "src").rglob("*.py")]
    assert scripts
    for path in scripts:
        text = path.read_text()
        assert OUTCOMES.name not in text and "outcomes-fy2016" not in text, path
        # A tool that listed data/public would pick the outcomes file up without naming it.
        if "public" in text:
            assert ".glob(" not in text and "listdir(" not in text and "iterdir(" not in text, path


def _by_year(rows: list[dict], series: str) -> dict[int, float]:
    return {int(r["fiscal_year"]): float(r["value"]) for r in rows if r["series"] == series}


def test_the_new_figures_agree_with_the_files_the_scenarios_read():
    inputs, outcomes = _rows(INPUTS), _rows(OUTCOMES)
    court = {int(r["fiscal_year"]): r for r in _rows(PUBLIC / "court-inputs.csv")}
    history = {int(r["fiscal_year"]): r for r in _rows(PUBLIC / "eoir-history.csv")}
    targets = {(r["metric"], r["period"]): r["value"] for r in _rows(PUBLIC / "targets-fy2017.csv")}
    receipts = _by_year(inputs, "eoir_initial_receipts")
    judges = _by_year(inputs, "immigration_judges_end")
    for fy, r in court.items():
        assert receipts[fy] == int(r["initial_receipts"]), fy
        assert judges[fy] == int(r["immigration_judges_end"]), fy
    pending, done = _by_year(outcomes, "eoir_pending_end"), _by_year(outcomes, "eoir_total_completions")
    for fy in (2016, 2017):
        assert pending[fy] == int(history[fy]["pending_end"])
        assert done[fy] == int(history[fy]["total_completions"])
        assert receipts[fy] == int(history[fy]["initial_receipts"])
        assert _by_year(outcomes, "ice_ero_admin_arrests")[fy] == float(targets[("ice_admin_arrests", f"FY{fy}")])
        assert _by_year(inputs, "ice_detention_adp")[fy] == float(
            targets[("detention_average_daily_population", f"FY{fy}")]
        )
        assert _by_year(inputs, "ice_initial_book_ins")[fy] == float(targets[("detention_book_ins", f"FY{fy}")])


def test_cbp_nationwide_encounters_add_up_or_say_they_do_not():
    """OFO plus Border Patrol is CBP's total, except where CBP's own table does not add up and the note says so."""
    inputs = _rows(INPUTS)
    ofo = _by_year(inputs, "cbp_ofo_encounters_nationwide")
    usbp = _by_year(inputs, "cbp_usbp_encounters_nationwide")
    total = _by_year(inputs, "cbp_encounters_nationwide")
    flagged = {
        int(r["fiscal_year"])
        for r in inputs
        if r["series"] == "cbp_encounters_nationwide" and "does not add up" in r["note"]
    }
    assert set(ofo) == set(usbp) == set(total)
    for fy in total:
        assert (ofo[fy] + usbp[fy] == total[fy]) != (fy in flagged), fy
    assert len(flagged) < len(total) / 2


def test_pending_cases_move_with_receipts_less_completions_where_all_were_read():
    """Stock and flows from EOIR's own tables: pending grows by receipts less completions, plus re-entries.

    Initial receipts leave out cases that come back (reopened, recalendared)
    while completions count their second completion, so pending grows by a
    little more than receipts less completions. In the years where all three
    figures were read in EOIR's table (FY2017-FY2020) the surplus is positive
    and at most 9.4 % of receipts (FY2020); a figure entered wrongly, or with
    another definition, breaks the bound.
    """
    inputs, outcomes = _rows(INPUTS), _rows(OUTCOMES)

    def primary(rows: list[dict], series: str) -> dict[int, float]:
        return {
            int(r["fiscal_year"]): float(r["value"]) for r in rows if r["series"] == series and r["kind"] == "primary"
        }

    receipts = primary(inputs, "eoir_initial_receipts")
    pending = primary(outcomes, "eoir_pending_end")
    done = primary(outcomes, "eoir_total_completions")
    checked = 0
    for fy in sorted(receipts):
        if fy in done and fy in pending and fy - 1 in pending:
            surplus = (pending[fy] - pending[fy - 1]) - (receipts[fy] - done[fy])
            assert 0 <= surplus <= 0.10 * receipts[fy], (fy, surplus)
            checked += 1
    assert checked >= 4


def test_the_fy2024_completions_estimate_spans_what_tracs_count_allows():
    """EOIR's FY2024 total was not read; it is TRAC's count over the TRAC/EOIR ratios of the years where both were.

    The range must hold TRAC's FY2024 count divided by the largest and the
    smallest ratio seen, so a new year read, or a wrong figure, that widens the
    ratios shows here.
    """
    outcomes = _rows(OUTCOMES)
    trac = _by_year(outcomes, "trac_court_completions")
    eoir = {
        int(r["fiscal_year"]): r for r in outcomes if r["series"] == "eoir_total_completions" and r["kind"] == "primary"
    }
    ratios = [trac[fy] / float(eoir[fy]["value"]) for fy in eoir if fy in trac]
    assert len(ratios) >= 5
    assert 0.95 < min(ratios) <= max(ratios) < 1.15, "TRAC's count and EOIR's differ by more than case types explain"
    fy2024 = next(r for r in outcomes if r["series"] == "eoir_total_completions" and r["fiscal_year"] == "2024")
    assert float(fy2024["low"]) <= trac[2024] / max(ratios)
    assert float(fy2024["high"]) >= trac[2024] / min(ratios)


def test_southwest_encounters_from_other_sources_agree_with_ohss():
    """OHSS's table (rounded to tens, later vintage) is the yardstick for the quoted and recalled SW totals.

    Later data vintages move a year's total by well under 1 % (FY2017:
    415,517 quoted in 2019 against 415,200 now); the recalled FY2016 figure is
    allowed 1.5 %, its stated range.
    """
    inputs = _rows(INPUTS)
    ohss = {int(r["fiscal_year"]): float(r["value"]) for r in inputs if r["series"] == "sw_land_border_encounters_ohss"}
    for r in inputs:
        if r["series"] != "sw_border_encounters":
            continue
        fy = int(r["fiscal_year"])
        tolerance = 0.015 if r["kind"] == "recalled" else 0.005
        assert abs(float(r["value"]) / ohss[fy] - 1) < tolerance, fy


def test_mpp_enrollments_add_up_to_the_total_sent_back_by_january_2021():
    """The FY2019-FY2021 estimates split one read total (over 71,000 by Jan 2021, TRAC via the Arizona Republic).

    Their values must sum to it within 1 % and their ranges must hold it; a
    year changed alone breaks the sum.
    """
    mpp = [r for r in _rows(INPUTS) if r["series"] == "mpp_enrollments" and int(r["fiscal_year"]) <= 2021]
    assert [int(r["fiscal_year"]) for r in mpp] == [2019, 2020, 2021]
    total = 71000
    assert abs(sum(float(r["value"]) for r in mpp) / total - 1) < 0.01
    assert sum(float(r["low"]) for r in mpp) <= total <= sum(float(r["high"]) for r in mpp)
