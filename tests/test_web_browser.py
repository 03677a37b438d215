"""End to end in a real browser: headless Chromium (Debian's package) driven by Playwright.

The app runs as ``immsim serve`` in its own process on a free loopback port,
with a fresh data folder. The tests do what a user does: open the app,
change a state's policy, run, read the chart and the difference from the
base, download the CSV; and they check that errors show next to their cause,
that a run can be followed and cancelled, and that the keyboard reaches
every control.

Set ``IMMSIM_SCREENSHOTS=DIR`` to save screenshots of the main pages there
(``docs/images`` holds the ones in the docs).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
import yaml
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Flags for a sandboxed CI machine without a network: no GPU, no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIRST_RUN_TIMEOUT_MS = 900_000  # a fresh install compiles the model in the first run's process
SHOTS = os.environ.get("IMMSIM_SCREENSHOTS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """``immsim serve`` on a free loopback port with its files in ``data``: the process and its URL, once it answers."""
    port = _free_port()
    log_file = data / f"server-{port}.log"
    with open(log_file, "w") as log:  # the child keeps its own handle
        command = [sys.executable, "-m", "immsim.cli", "serve", "--port", str(port), "--data", str(data), *options]
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/api/scenarios", timeout=2).read()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the server did not start:\n" + log_file.read_text()) from None
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start_server(tmp_path_factory.mktemp("web-data"), "--max-years", "5")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: scripts/install-browser.sh installs Debian's package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 850}, accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def shot(page, name: str, selector: str | None = None) -> None:
    """Save a screenshot of the page (or of one element) when IMMSIM_SCREENSHOTS names a folder."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        path = str(Path(SHOTS) / f"web-{name}.png")
        page.locator(selector).screenshot(path=path) if selector else page.screenshot(path=path)


def test_change_a_states_policy_run_and_download(server, page):
    page.goto(server + "/")
    assert page.title().startswith("Explore us-2017")
    shot(page, "explore")
    # California honors detainers from the start instead of declining holds
    page.select_option("#policy-where-0", "state:CA")
    page.select_option("#policy-policy-0", "honor")
    page.fill("#policy-start-0", "2016-10-01")
    page.fill("#years", "1")
    page.fill("#replications", "2")
    page.click("#run")
    page.wait_for_url("**/runs/*")
    assert page.locator("#status, #summary").count() >= 1
    page.wait_for_selector("#difference-table", timeout=FIRST_RUN_TIMEOUT_MS)
    # the report's charts are drawn (plotly.js, served by the app)
    page.wait_for_selector("#fig-court_backlog .main-svg")
    assert page.locator(".chart .main-svg").count() >= 5
    # the difference from the base: California no longer declines detainers, so fewer are declined
    row = page.locator('#difference-table tr[data-figure="detainers_declined"] td').nth(2)
    assert float(row.get_attribute("data-value")) < 0
    assert "CA" in page.locator("#tile-map").inner_text()
    # and in Los Angeles County, which declined some of them before, as the table of local jurisdictions shows
    page.click("#by-jurisdiction summary")
    columns = page.locator("#place-table thead th").all_inner_texts()
    at = columns.index(next(t for t in columns if t.lower().startswith("detainers declined") and "difference" in t))
    cell = page.locator('#place-table tr[data-jurisdiction="CA-LOS-ANGELES"] > *').nth(at)
    assert float(cell.get_attribute("data-value")) < 0
    shot(page, "result")
    shot(page, "difference-chart", "#fig-compare_custodial")
    page.select_option("#state-figure", "custodial_arrests_difference")
    shot(page, "states", "#by-state .tile-map")
    # the CSV download holds the national monthly series: 12 months x 2 replications
    with page.expect_download() as d:
        page.click("a[href$='/files/national.csv']")
    csv = pd.read_csv(io.StringIO(Path(d.value.path()).read_text()))
    assert len(csv) == 24 and sorted(csv.replication.unique()) == [0, 1]
    # the run is in the history, with a permalink
    run_url = page.url
    page.goto(server + "/runs")
    shot(page, "runs")
    page.click("#runs-table a")
    assert page.url == run_url


def test_a_refused_run_says_why_next_to_the_control(server, page):
    page.goto(server + "/")
    page.fill("#years", "50")
    page.click("#run")
    page.wait_for_selector("#err-years:not(:empty)")
    assert "at most 5 years" in page.inner_text("#err-years")
    assert page.evaluate("document.activeElement.id") == "years"


def test_a_bad_upload_is_shown_next_to_the_file_control(server, page):
    page.goto(server + "/")
    page.set_input_files("#upload", files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": b"name: [oops\n"}])
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#err-file:not(:empty)")
    assert "bad.yaml" in page.inner_text("#err-file") and "not valid YAML" in page.inner_text("#err-file")


def test_progress_is_live_and_a_run_can_be_cancelled(server, page):
    page.goto(server + "/")
    page.fill("#years", "5")
    page.fill("#replications", "2")
    page.click("#run")
    page.wait_for_url("**/runs/*")
    page.wait_for_function(
        "document.querySelector('#progress') && document.querySelector('#progress').value > 0",
        timeout=FIRST_RUN_TIMEOUT_MS,
    )
    shot(page, "progress")
    page.click("#cancel")
    page.wait_for_function("document.querySelector('#status-text').textContent.startsWith('Cancelled')")
    assert page.locator("#cancel").is_hidden()


def test_the_keyboard_reaches_every_control(server, page):
    page.goto(server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    seen = set()
    for _ in range(100):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.id"))
    wanted = {"scenario", "upload", "policy-where-0", "policy-policy-0", "lever-jail_officers", "lever-regime"}
    wanted |= {"court-keep-0", "court-add-policy", "court-add-start", "court-add-end", "court-add-factor"}
    assert wanted | {"years", "replications", "seed", "compare", "run", "download-reform"} <= seen


def test_court_policies_from_the_form_become_the_reforms_events(server, page):
    page.goto(server + "/")
    box = page.locator('.court-keep[data-policy="no_admin_closure"]')
    closure = box.get_attribute("data-date")
    box.uncheck()
    page.select_option("#court-add-policy", "completion_goals")
    page.fill("#court-add-start", "2017-01-01")
    page.fill("#court-add-factor", "1.5")
    with page.expect_download() as d:
        page.click("#download-reform")
    changes = yaml.safe_load(Path(d.value.path()).read_text())["changes"]
    assert {"remove_event": {"type": "court_policy", "policy": "no_admin_closure", "date": closure}} in changes
    added = [c["add_event"] for c in changes if "add_event" in c]
    assert [(e["policy"], e["date"], e["factor"]) for e in added] == [("completion_goals", "2017-01-01", 1.5)]
    # a goal without a factor is refused next to the control
    page.fill("#court-add-factor", "")
    page.click("#download-reform")
    page.wait_for_selector("#err-levers-court_policies:not(:empty)")


def test_a_countys_policy_and_a_states_from_the_form_become_the_reforms_changes(server, page):
    """Local jurisdictions set their own policies: the form offers them beside whole states, one per row."""
    page.goto(server + "/")
    page.select_option("#policy-where-0", "jurisdiction:CO-DENVER")
    page.select_option("#policy-policy-0", "honor")
    page.fill("#policy-start-0", "2017-04-01")
    page.click("#add-policy")
    assert page.evaluate("document.activeElement.id") == "policy-where-1"
    page.select_option("#policy-where-1", "state:TX")
    page.select_option("#policy-policy-1", "decline_holds")
    with page.expect_download() as d:
        page.click("#download-reform")
    changes = yaml.safe_load(Path(d.value.path()).read_text())["changes"]
    assert [(c["where"], c["policy"], c["from"]) for c in changes if "policy" in c] == [
        ({"jurisdictions": ["CO-DENVER"]}, "honor", "2017-04-01"),
        ({"states": ["TX"]}, "decline_holds", page.input_value("#policy-start-1")),
    ]


def test_a_run_over_the_posterior_from_the_form_shows_both_bands(server, page, tmp_path):
    """The form's uncertainty choice reaches the API: bad draws are refused next to the control, good ones run."""
    from immsim.uncertainty import Ensemble, write_ensemble
    from scenarios import base, dump

    page.goto(server + "/")
    scenario = {"name": "s.yaml", "mimeType": "text/yaml", "buffer": dump(base()).encode()}
    page.set_input_files("#upload", files=[scenario])
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/?scenario=u-*")
    assert page.locator('#uncertainty option[value="posterior"]').is_disabled()
    assert "no posterior ensemble is shipped" in page.inner_text("#uncertainty-note")
    table = pd.DataFrame({"weight": [0.5, 0.5], "found_probability": [0.4, 1.4]})
    write_ensemble(Ensemble("synthetic", table), tmp_path / "p.csv")
    page.set_input_files("#posterior", str(tmp_path / "p.csv"))
    page.click("#posterior-form button[type=submit]")
    page.wait_for_selector('#uncertainty option[value="posterior"]:not([disabled])', state="attached")
    page.select_option("#uncertainty", "posterior")
    assert page.locator("#replications").is_disabled()
    page.fill("#years", "0.5")
    for draws, words in (("0", "greater than or equal to 1"), ("", "valid integer")):
        page.fill("#draws", draws)
        page.click("#run")
        page.wait_for_selector("#err-draws:not(:empty)")
        assert words in page.inner_text("#err-draws")
        assert page.evaluate("document.activeElement.id") == "draws"
    page.fill("#draws", "2")
    page.fill("#per_draw", "2")
    assert page.input_value("#replications") == "4"  # draws x replications per set
    shot(page, "uncertainty-form", "#uncertainty-controls")
    page.click("#run")
    page.wait_for_url("**/runs/*")
    page.wait_for_selector("#summary", timeout=FIRST_RUN_TIMEOUT_MS)
    assert "2 parameter sets drawn by weight, 2 replications each" in page.inner_text("#uncertainty-setting")
    headers = page.locator("#summary thead th").all_inner_texts()
    assert "95 % Monte Carlo" in headers and "95 % total" in headers
    assert page.locator("#summary td.total-band").count() == page.locator("#summary td.mc-band").count() > 5
    shot(page, "uncertainty-result", "#headlines")


@pytest.fixture(scope="module")
def static_reports(tmp_path_factory):
    """A run report and a comparison report of a small scenario, as files (``report/templates``)."""
    import immsim
    from immsim.report import write_html_report
    from immsim.report.comparison import write_comparison_report
    from scenarios import base, dump

    folder = tmp_path_factory.mktemp("static-reports")
    (folder / "small.yaml").write_text(dump(base()))
    small = str(folder / "small.yaml")
    comparison = immsim.compare(small, [small], years=0.5, seed=1, replications=2)
    table, results = comparison
    run = write_html_report(next(iter(results.values())), folder / "report.html")
    compared = write_comparison_report(table, results, folder / "comparison.html", comparison.by_history)
    return run, compared


@pytest.mark.parametrize(("name", "table"), [("report", "#summary"), ("comparison", "#differences")])
def test_a_report_opened_offline_draws_its_charts_and_sorts_its_tables(browser, static_reports, name, table):
    path = static_reports[0] if name == "report" else static_reports[1]
    context = browser.new_context(viewport={"width": 1366, "height": 850}, offline=True)
    pg = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None)
    pg.goto(path.as_uri())
    pg.wait_for_selector(".js-plotly-plot .main-svg")
    assert pg.locator(".js-plotly-plot").count() >= 5
    header = pg.locator(f"{table} th").nth(2)  # a numeric column
    values = f"Array.from(document.querySelectorAll('{table} tbody tr')).map(r => parseFloat(r.cells[2].dataset.value))"
    header.click()
    ascending = pg.evaluate(values)
    assert ascending == sorted(ascending) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert pg.evaluate(values) == sorted(ascending, reverse=True)
    context.close()
    assert errors == [] and requests == []
