"""The report layer: national charts and the self-contained HTML report."""

from __future__ import annotations

import dataclasses
import math
import re
from html import escape
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import plotly.offline
import pytest
from scipy import stats

import immsim
from immsim._format import number
from immsim.model import codes as c
from immsim.report import charts, figures, write_html_report
from immsim.report import html as report_html


@pytest.fixture(scope="module")
def result():
    return immsim.simulate("us-2017", years=1, seed=1, replications=2)


@pytest.fixture(scope="module")
def single():
    return immsim.simulate("us-2017", years=1, seed=1, replications=1)


@pytest.fixture(scope="module")
def report(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    written = write_html_report(result, path)
    return written, path.read_text(encoding="utf-8")


class Tables(HTMLParser):
    """Collect each table's cells as (data-value, shown text), by table id."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str]]]] = {}
        self.current: str | None = None
        self.cell: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.current = a.get("id")
            self.tables[self.current] = []
        elif tag == "tr" and self.current is not None:
            self.tables[self.current].append([])
        elif tag == "td" and self.current is not None:
            self.cell = [a.get("data-value"), ""]

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.tables[self.current][-1].append(tuple(self.cell))
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def parse_tables(text: str) -> dict[str, list[list[tuple[str, str]]]]:
    p = Tables()
    p.feed(text)
    return {k: [row for row in rows if row] for k, rows in p.tables.items()}


def same(raw: str, value: float) -> bool:
    return raw == "" if math.isnan(value) else float(raw) == value


# --- charts -----------------------------------------------------------------------------------------------------


def test_figures_has_each_chart_with_its_title(result):
    figs = figures(result)
    assert list(figs) == list(charts.TITLES)
    for key, fig in figs.items():
        assert fig.layout.title.text == charts.TITLES[key]


def test_each_chart_plots_the_requested_columns(result):
    figs = figures(result)

    def lines(key):
        return [t.name for t in figs[key].data if not charts.is_band(t)]

    assert lines("arrests_by_channel") == [charts.label(ch) for ch in c.CHANNELS]
    assert lines("removals_by_path") == [charts.label(p) for p in c.PATHS]
    assert len(lines("detainers")) == 4
    assert len(lines("at_large_operations")) == 5
    assert len(lines("court_backlog")) == 2


def test_lines_are_the_mean_over_replications(result):
    fig = charts.arrests_by_channel_figure(result.national)
    line = next(t for t in fig.data if t.name == "at large" and not charts.is_band(t))
    expected = result.national.groupby("month")["arrests_at_large"].mean().to_numpy()
    np.testing.assert_allclose(np.asarray(line.y, float), expected)


def test_bands_when_several_replications(result):
    for key, fig in figures(result).items():
        bands = [t for t in fig.data if charts.is_band(t)]
        others = [t for t in fig.data if not charts.is_band(t)]
        assert len(bands) == len(others) > 0, key
        assert all(t.fill == "toself" for t in bands)


def test_band_is_the_student_t_interval(result):
    s = charts.replication_stats(result.national, "court_pending")
    g = result.national.groupby("month")["court_pending"]
    R = result.replications
    half = stats.t.ppf(0.975, R - 1) * g.std(ddof=1).to_numpy() / np.sqrt(R)
    np.testing.assert_allclose(s["high"], g.mean().to_numpy() + half)
    np.testing.assert_allclose(s["low"], g.mean().to_numpy() - half)

    fig = charts.court_backlog_figure(result.national)
    band = next(t for t in fig.data if charts.is_band(t))
    M = len(s)
    np.testing.assert_allclose(np.asarray(band.y[:M], float), s["high"])
    np.testing.assert_allclose(np.asarray(band.y[M:], float), s["low"][::-1])


def test_no_bands_with_one_replication(single):
    for key, fig in figures(single).items():
        assert not [t for t in fig.data if charts.is_band(t)], key
        assert len(fig.data) > 0


def test_court_chart_has_two_y_axes_with_units(result):
    fig = charts.court_backlog_figure(result.national)
    assert "cases" in fig.layout.yaxis.title.text.lower()
    assert "days" in fig.layout.yaxis2.title.text.lower()
    assert {t.yaxis for t in fig.data} == {"y", "y2"}


def test_axes_are_labelled_and_colours_are_okabe_ito(result):
    for key, fig in figures(result).items():
        assert fig.layout.yaxis.title.text, key
        assert fig.layout.xaxis.title.text == "Month" or fig.layout.xaxis2.title.text == "Month", key
        for t in fig.data:
            if not charts.is_band(t):
                assert t.line.color in charts.OKABE_ITO, (key, t.name)


# --- HTML report ----------------------------------------------------------------------------------------------


def test_report_is_written_without_leftovers(report):
    path, text = report
    assert path.is_file()
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_report_names_scenario_and_settings(report, result):
    _, text = report
    assert result.scenario.name in text
    assert escape(result.scenario.data.title) in text
    for label, value in (
        ("Start", result.start.isoformat()),
        ("Seed", str(result.seed)),
        ("Replications", str(result.replications)),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in text
    assert f"<dt>Days</dt><dd>{result.days:,}" in text
    assert "model" in text and "scenario file" in text


def test_report_contains_every_chart_title(report):
    _, text = report
    for key, title in charts.TITLES.items():
        assert f"<h3>{escape(title)}</h3>" in text
        assert f'id="chart-{key}"' in text


def test_report_is_self_contained(report):
    _, text = report
    srcs = re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)", text, flags=re.I)
    hrefs = re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]+)", text, flags=re.I)
    assert not [u for u in srcs + hrefs if u.lower().startswith(("http://", "https://", "//"))]


def test_plotly_js_embedded_exactly_once(report):
    _, text = report
    js = plotly.offline.get_plotlyjs()
    assert text.count(js) == 1
    assert text.count(js[:500]) == 1


def test_summary_table_matches_result_summary(report, result):
    _, text = report
    rows = parse_tables(text)["summary"]
    summary = result.summary()
    assert len(rows) == len(summary)
    for row, s in zip(rows, summary.itertuples(index=False), strict=True):
        (figure, description), (unit, _), mean, lo, hi = row
        assert (figure, description, unit) == (s.figure, s.description, s.unit)
        for (raw, shown), value in ((mean, s.mean), (lo, s.ci_low), (hi, s.ci_high)):
            assert same(raw, value), (s.figure, raw, value)
            assert shown == number(value, s.unit)


def test_state_table_matches_by_state(report, result):
    _, text = report
    rows = parse_tables(text)["states"]
    fy = int(result.summary()["fiscal_year"].iloc[0])
    states = result.by_state(fy)
    assert len(rows) == len(states)
    for row, rec in zip(rows, states.itertuples(index=False), strict=True):
        assert row[0][0] == rec.state
        assert same(row[1][0], float(rec.ice_admin_arrests))
        assert row[-1][0] == rec.policy


def test_single_replication_report_has_no_interval(single, tmp_path):
    text = write_html_report(single, tmp_path / "one.html").read_text(encoding="utf-8")
    rows = parse_tables(text)["summary"]
    assert all(len(r) == 3 for r in rows)
    assert "95% interval, low" not in text
    assert '"meta":"band"' not in text.replace(" ", "")


def test_text_is_escaped(result, tmp_path):
    data = result.scenario.data.model_copy(update={"title": "<b>A & B</b>"})
    scenario = dataclasses.replace(result.scenario, data=data)
    odd = dataclasses.replace(result, scenario=scenario)
    text = write_html_report(odd, tmp_path / "odd.html").read_text(encoding="utf-8")
    assert "<b>A & B</b>" not in text
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in text


def test_interrupted_write_keeps_the_old_file(result, tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    path.write_text("old report", encoding="utf-8")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(report_html.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_html_report(result, path)
    assert path.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_report_embeds_the_bands(report, result):
    _, text = report
    n_bands = sum(charts.is_band(t) for fig in figures(result).values() for t in fig.data)
    assert n_bands > 0
    assert text.count('"meta":"band"') == n_bands


def test_a_state_reads_as_the_rest_of_the_state_with_its_local_policies_counted():
    """New York's first jurisdiction is New York City, with its own policy; the state row is the rest of the state."""
    result = immsim.simulate("us-2017", years=1 / 12, seed=1)
    states = result.by_state().set_index("state")
    last = result.monthly[result.monthly.month == result.monthly.month.max()]
    rows = last.drop_duplicates("jurisdiction").set_index("jurisdiction")
    for state in ("CA", "NY", "VT"):
        mine = rows[rows.state == state]
        assert states.loc[state, "policy"] == rows.loc[state, "policy"]
        assert states.loc[state, "local_policies"] == (mine.policy != rows.loc[state, "policy"]).sum()
    assert states.loc["CA", "local_policies"] > 0 and states.loc["VT", "local_policies"] == 0


def test_jurisdictions_add_up_to_their_states_and_keep_their_own_policies(result):
    """``by_jurisdiction`` splits ``by_state``: each state's figures are the sum of its jurisdictions'."""
    places = result.by_jurisdiction(2017)
    assert list(places.jurisdiction) == [j.code for j in result.scenario.data.jurisdictions]
    states = result.by_state(2017).set_index("state")
    figures_ = [c for c in states.columns if c not in ("policy", "local_policies")]
    sums = places.groupby("state")[figures_].sum()
    pd.testing.assert_frame_equal(sums.sort_index(), states[figures_].sort_index(), check_names=False)
    last = result.monthly[result.monthly.month == result.monthly.month.max()].drop_duplicates("jurisdiction")
    assert dict(zip(places.jurisdiction, places.policy, strict=True)) == dict(
        zip(last.jurisdiction, last.policy, strict=True)
    )
    sf = places.set_index("jurisdiction").loc["CA-SAN-FRANCISCO"]
    assert sf["name"] == "City and County of San Francisco" and sf.policy != states.loc["CA", "policy"]


def test_the_report_has_the_local_jurisdictions_of_split_states(report, result):
    _, text = report
    rows = parse_tables(text)["jurisdictions"]
    places = result.by_jurisdiction(2017)
    split = places[places.state.map(places.state.value_counts()) > 1]
    assert 0 < len(rows) == len(split) < len(places)  # Vermont, one jurisdiction, is in the state table only
    for row, rec in zip(rows, split.itertuples(index=False), strict=True):
        assert row[0][0] == rec.jurisdiction and row[2][0] == rec.state
        assert same(row[4][0], float(rec.ice_admin_arrests))
