"""The web app's API: uploads, levers as reforms, runs with the same numbers as the Python API, limits, files.

Runs compute in real worker processes (as under ``immsim serve``), on the
small synthetic scenario of ``tests/scenarios.py`` uploaded as a file.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient

import immsim
from immsim.catalog import Catalog
from immsim.model.parameters import SPECS
from immsim.web import create_app
from immsim.web.api import Limits
from scenarios import base, dump

SMALL = dump(base())


def wait(client: TestClient, run_id: str, timeout: float = 900) -> dict:
    """Poll a run until it leaves the queue; the first run of a fresh install compiles the model."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/runs/{run_id}").json()
        if status["status"] not in ("queued", "running"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def upload(client: TestClient, text: str = SMALL, name: str = "small.yaml"):
    return client.post("/api/scenarios", files={"file": (name, io.BytesIO(text.encode()), "application/yaml")})


def app_client(data: Path, limits: Limits | None = None) -> TestClient:
    """A client of the app as ``immsim serve`` builds it (loopback: only loopback Host names are served)."""
    return TestClient(create_app(data, limits), base_url="http://127.0.0.1")


@pytest.fixture
def client(tmp_path):
    with app_client(tmp_path / "data", Limits(max_years=5, max_replications=6, max_simulated_years=40)) as c:
        yield c


@pytest.fixture
def small(client) -> str:
    r = upload(client)
    assert r.status_code == 201, r.text
    return r.json()["id"]


LEVERS = {"policies": [{"states": ["BB"], "policy": "decline_holds", "start": "2017-03-01"}], "immigration_judges": 1.5}


def test_an_upload_is_validated_off_the_event_loop(client, monkeypatch):
    """Validating a county-level file takes seconds; on the event loop it would stall every other request."""
    from immsim.web.library import Library

    seen = []
    original = Library.add

    def add(self, raw, filename):
        try:
            asyncio.get_running_loop()
            seen.append("event loop")
        except RuntimeError:
            seen.append("worker thread")
        return original(self, raw, filename)

    monkeypatch.setattr(Library, "add", add)
    assert upload(client).status_code == 201
    assert seen == ["worker thread"]


def test_upload_is_validated_and_kept_under_a_content_id(client):
    r = upload(client)
    assert r.status_code == 201
    sid = r.json()["id"]
    assert re.fullmatch(r"u-[0-9a-f]{16}", sid)
    assert upload(client).json()["id"] == sid  # same content, same scenario
    assert sid in [s["id"] for s in client.get("/api/scenarios").json()]
    assert client.get(f"/api/scenarios/{sid}/file").text == SMALL


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("name: [unclosed\n", 400, ["bad.yaml:2", "not valid YAML"]),
        (SMALL.replace("jail_officers:", "jail_oficers:", 1), 400, ["bad.yaml", "jail_oficers"]),
        ("name: x\ntitle: t\nbase: ../../etc/passwd\nchanges: []\n", 400, ["bad.yaml", "base", "built-in"]),
        ("x" * 5_000_100, 413, ["limit"]),
        ("!!python/object/apply:os.system ['touch /tmp/immsim-pwned']\n", 400, ["bad.yaml", "not valid YAML"]),
        ("name: !!python/name:os.system\n", 400, ["bad.yaml", "not valid YAML"]),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_naming_the_file_and_field(client, text, status, words):
    r = upload(client, text, "bad.yaml")
    assert r.status_code == status
    detail = r.json()["detail"]
    assert detail["field"] == "file"
    for w in words:
        assert w in detail["message"]
    assert not Path("/tmp/immsim-pwned").exists()  # YAML is parsed with the safe loader: no code runs


def test_a_body_sent_in_chunks_is_cut_off_at_the_limit(client):
    def chunks():
        for _ in range(100):
            yield b"x" * 100_000  # 10 MB in all, with no Content-Length

    r = client.post("/api/scenarios", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]["message"]


def test_every_parameter_is_listed_by_mechanism_with_unit_and_source(client):
    detail = client.get("/api/scenarios/us-2017").json()
    listed = {p["name"]: p for g in detail["parameters"] for p in g["parameters"]}
    assert set(listed) == {s.name for s in SPECS}
    assert [g["mechanism"] for g in detail["parameters"]] == [
        "community",
        "jails",
        "operations",
        "custody",
        "courts",
        "hearings",
    ]
    for s in SPECS:
        assert listed[s.name]["unit"] and listed[s.name]["source"]
    assert {s["state"] for s in detail["levers"]["states"]} >= {"CA", "TX", "MA"}
    assert set(detail["levers"]["regimes"]) == {"pep2014", "eo13768"}


def test_levers_become_a_reform_that_the_command_line_runs(client, tmp_path):
    levers = {
        "policies": [{"states": ["CA"], "policy": "honor", "start": "2018-01-01"}],
        "jail_officers": 1.2,
        "contest": 1.1,
        "regime": "pep2014",
        "regime_start": "2016-10-01",
    }
    r = client.post("/api/reform", json={"scenario": "us-2017", "levers": levers})
    assert r.status_code == 200
    doc = yaml.safe_load(r.text)
    assert doc["base"] == "us-2017"
    path = tmp_path / "reform.yaml"
    path.write_text(r.text)
    reform = immsim.load_scenario(path)
    base_sc = immsim.load_scenario("us-2017")
    ca = [e for e in reform.data.events if e.type == "policy" and e.target == "CA" and e.policy == "honor"]
    assert [e.date.isoformat() for e in ca] == ["2018-01-01"]
    assert [e.regime for e in reform.data.events if e.type == "regime"] == ["pep2014"]  # EO 13768 removed
    assert reform.data.parameters["jail_officers"].value == pytest.approx(
        1.2 * base_sc.data.parameters["jail_officers"].value
    )
    accept = reform.data.parameters["accept_removal_probability"].value
    for k, a in base_sc.data.parameters["accept_removal_probability"].value.items():
        assert 1 - accept[k] == pytest.approx(min(1.0, 1.1 * (1 - a)), abs=1e-6)


def _policy_events(sc) -> list[tuple]:
    return sorted((e.target, e.policy, e.date.isoformat()) for e in sc.data.events if e.type == "policy")


def test_a_policy_lever_names_counties_and_cities_as_well_as_states(client, tmp_path):
    """The levers reach one county: the reform changes that jurisdiction's policy, not its state's others."""
    detail = client.get("/api/scenarios/us-2017").json()["levers"]
    local = {j["code"]: j for j in detail["jurisdictions"]}
    assert {"CA-SAN-FRANCISCO", "CO-DENVER", "CA"} <= set(local) and "AL" not in local  # Alabama is one jurisdiction
    assert local["CA"]["name"] == "California (rest of state)"
    assert {s["state"]: s["name"] for s in detail["states"]}["CA"] == "California"
    page = client.get("/?scenario=us-2017").text
    assert '<option value="jurisdiction:CA-SAN-FRANCISCO">' in page and '<option value="state:CA">' in page
    levers = {"policies": [{"jurisdictions": ["CA-SAN-FRANCISCO"], "policy": "honor", "start": "2017-01-01"}]}
    r = client.post("/api/reform", json={"scenario": "us-2017", "levers": levers})
    assert r.status_code == 200, r.text
    assert yaml.safe_load(r.text)["changes"][0]["where"] == {"jurisdictions": ["CA-SAN-FRANCISCO"]}
    path = tmp_path / "reform.yaml"
    path.write_text(r.text)
    base_events = _policy_events(immsim.load_scenario("us-2017"))
    added = [e for e in _policy_events(immsim.load_scenario(path)) if e not in base_events]
    assert added == [("CA-SAN-FRANCISCO", "honor", "2017-01-01")]
    for bad, field, words in [
        ({"jurisdictions": ["CA-NOWHERE"]}, "levers.policies.0.jurisdictions", "no jurisdiction CA-NOWHERE"),
        ({}, "levers.policies.0", "name the states or the jurisdictions"),
    ]:
        lever = {**bad, "policy": "honor", "start": "2017-01-01"}
        r = client.post("/api/reform", json={"scenario": "us-2017", "levers": {"policies": [lever]}})
        assert r.status_code == 422, r.text
        assert r.json()["detail"]["field"].startswith(field) and words in r.json()["detail"]["message"], r.json()


def test_court_policy_levers_remove_the_scenarios_own_and_add_new_ones(client, tmp_path):
    page = client.get("/?scenario=us-2017").text
    base_sc = immsim.load_scenario("us-2017")
    own = [(e.policy, e.date.isoformat()) for e in base_sc.data.events if e.type == "court_policy"]
    assert own and all(f'data-policy="{p}" data-date="{d}"' in page for p, d in own)  # one box for each
    closure = next(d for p, d in own if p == "no_admin_closure")
    levers = {
        "remove_court_policies": [{"policy": "no_admin_closure", "date": closure}],
        "court_policies": [
            {"policy": "completion_goals", "start": "2017-01-01", "factor": 1.5},
            {"policy": "hearing_suspension", "start": "2017-02-01", "end": "2017-03-01", "dockets": ["non_detained"]},
        ],
    }
    r = client.post("/api/reform", json={"scenario": "us-2017", "levers": levers})
    assert r.status_code == 200, r.text
    path = tmp_path / "reform.yaml"
    path.write_text(r.text)
    court = [e for e in immsim.load_scenario(path).data.events if e.type == "court_policy"]
    assert ("no_admin_closure", closure) not in {(e.policy, e.date.isoformat()) for e in court}
    goals = [e for e in court if e.policy == "completion_goals" and e.date.isoformat() == "2017-01-01"]
    assert [(e.factor, e.end) for e in goals] == [(1.5, None)]
    stop = [e for e in court if e.policy == "hearing_suspension" and e.date.isoformat() == "2017-02-01"]
    assert [(e.end.isoformat(), e.dockets) for e in stop] == [("2017-03-01", ["non_detained"])]
    assert len(court) == len(own) - 1 + 2


def test_a_completion_goal_from_the_app_raises_completions_by_its_factor(client, tmp_path):
    # From day one the judges work through a backlog they never empty (us-2017: some 600,000 cases), so their
    # completions follow their hearing rate: a goal of 1.5 gives 1.5 times the completions. Same seed, paired
    # runs; the Poisson spread of a quarter's ~40,000 completions is about 0.5 %.
    levers = {"court_policies": [{"policy": "completion_goals", "start": "2016-10-01", "factor": 1.5}]}
    r = client.post("/api/reform", json={"scenario": "us-2017", "levers": levers})
    path = tmp_path / "reform.yaml"
    path.write_text(r.text)
    changed = immsim.simulate(immsim.load_scenario(path), years=0.25, seed=2).national.court_completions.sum()
    base = immsim.simulate("us-2017", years=0.25, seed=2).national.court_completions.sum()
    assert changed / base == pytest.approx(1.5, rel=0.05)


@pytest.mark.parametrize(
    ("levers", "field", "words"),
    [
        ({"remove_court_policies": [{"policy": "mpp", "date": "2017-01-01"}]}, "remove_court_policies", "no mpp"),
        ({"court_policies": [{"policy": "completion_goals", "start": "2017-01-01"}]}, "court_policies", "factor"),
        (
            {"court_policies": [{"policy": "no_admin_closure", "start": "2017-01-01", "factor": 2}]},
            "court_policies",
            "takes no 'factor'",
        ),
        (
            {"court_policies": [{"policy": "no_admin_closure", "start": "2017-05-01", "end": "2017-04-01"}]},
            "court_policies",
            "'end' must be after 'date'",
        ),
        (
            {
                "court_policies": [
                    {"policy": "completion_goals", "start": "2017-01-01", "dockets": ["mpp"], "factor": 2}
                ]
            },
            "court_policies",
            "takes no 'dockets'",
        ),
    ],
)
def test_a_court_policy_the_scenario_cannot_take_is_refused_next_to_its_control(client, levers, field, words):
    r = client.post("/api/reform", json={"scenario": "us-2017", "levers": levers})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail["field"].startswith(f"levers.{field}.0.") and words in detail["message"], detail


def test_the_atd_lever_scales_every_step_of_the_capacity_series(client, tmp_path):
    r = client.post("/api/reform", json={"scenario": "us-2017", "levers": {"atd_slots": 0.5}})
    assert r.status_code == 200
    path = tmp_path / "reform.yaml"
    path.write_text(r.text)
    reform = immsim.load_scenario(path).data.parameters["atd_slots"]
    base = immsim.load_scenario("us-2017").data.parameters["atd_slots"]
    assert len(base.series) >= 2
    assert [s.value for s in reform.series] == pytest.approx([0.5 * s.value for s in base.series])


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"scenario": "us-2017", "years": 6}, 422, "years"),
        ({"scenario": "us-2017", "replications": 7}, 422, "replications"),
        ({"scenario": "us-2017", "years": 5, "replications": 6, "levers": LEVERS}, 422, "levers.policies"),
        ({"scenario": "us-2017", "years": 5, "replications": 6, "levers": {"jail_officers": 2}}, 422, "replications"),
        ({"scenario": "nowhere"}, 404, "scenario"),
        ({"scenario": "../etc/passwd"}, 422, "scenario"),
        ({"scenario": "us-2017", "levers": {"regime": "pep2014"}}, 422, "levers.regime_start"),
        ({"scenario": "us-2017", "levers": {"jail_officers": -1}}, 422, "levers.jail_officers"),
        ({"scenario": "us-2017", "years": "ten"}, 422, "years"),
    ],
)
def test_a_run_refused_says_why_next_to_the_field(client, body, status, field):
    r = client.post("/api/runs", json=body)
    assert r.status_code == status, r.text
    assert r.json()["detail"]["field"].startswith(field)
    assert r.json()["detail"]["message"]


def test_a_run_gives_the_python_apis_numbers_and_is_kept_in_the_catalog(client, small, tmp_path):
    body = {"scenario": small, "levers": LEVERS, "years": 0.5, "replications": 3, "seed": 11, "compare": True}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    status = wait(client, run_id)
    assert status["status"] == "done", status
    # the same reform, downloaded and run with the Python API, gives the same paired differences
    folder = tmp_path / "cli"
    folder.mkdir()
    (folder / f"{small}.yaml").write_text(client.get(f"/api/scenarios/{small}/file").text)
    (folder / "reform.yaml").write_text(client.get(f"/api/runs/{run_id}/files/reform.yaml").text)
    comparison = immsim.compare(
        immsim.load_scenario(folder / f"{small}.yaml"),
        [immsim.load_scenario(folder / "reform.yaml")],
        years=0.5,
        replications=3,
        seed=11,
    )
    table, results = comparison
    web = pd.read_csv(io.StringIO(client.get(f"/api/runs/{run_id}/files/differences.csv").text))
    np.testing.assert_allclose(web.difference, table.difference, rtol=1e-12, equal_nan=True)
    web = pd.read_csv(io.StringIO(client.get(f"/api/runs/{run_id}/files/differences_by_history.csv").text))
    assert len(web) == len(comparison.by_history) > 0
    np.testing.assert_allclose(web.difference, comparison.by_history.difference, rtol=1e-12, equal_nan=True)
    summary = client.get(f"/api/runs/{run_id}/summary").json()
    changed_result = results[next(n for n in results if n.endswith("-changed"))]
    expected = changed_result.summary_by_history(summary["fiscal_year"])
    assert [(r["criminal_history"], r["figure"]) for r in summary["by_history"]] == list(
        zip(expected.criminal_history, expected.figure, strict=True)
    )
    np.testing.assert_allclose([r["mean"] for r in summary["by_history"]], expected["mean"], rtol=1e-12)
    national = pd.read_csv(io.StringIO(client.get(f"/api/runs/{run_id}/files/national.csv").text))
    changed = results[next(n for n in results if n.endswith("-changed"))]
    numeric = changed.national.select_dtypes("number").columns
    np.testing.assert_allclose(national[numeric].to_numpy(float), changed.national[numeric].to_numpy(float))
    parquet = pd.read_parquet(io.BytesIO(client.get(f"/api/runs/{run_id}/files/national.parquet").content))
    pd.testing.assert_frame_equal(parquet, changed.national, check_dtype=False)
    # the catalog holds the result and its six runs (three replications of each scenario)
    data = Path(client.app.state.runner.dir)
    row = client.app.state.runner.record(run_id)
    assert row["replications"] == 3 and row["base"] == "synthetic"
    assert len(set(json.loads(row["run_keys"]))) == 6
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200
    sections = ('id="summary"', 'id="history-table"', 'id="difference-table"', 'id="history-difference-table"')
    for section in (*sections, 'id="fig-court_backlog"', 'id="state-table"'):
        assert section in page.text
    assert "report.html" in page.text and "draws.csv" not in page.text  # no parameter sets: Monte Carlo only
    assert 'id="tile-map"' not in page.text  # the synthetic states AA and BB are not on the map of the U.S.
    assert client.get(f"/api/runs/{run_id}/files/report.html").text.startswith("<!DOCTYPE html>")
    assert "Comparison against synthetic" in client.get(f"/api/runs/{run_id}/files/comparison.html").text
    assert not list((data / "results").glob(".*"))  # nothing partial left


def test_the_policy_lever_offers_the_scenarios_own_policies(client):
    doc = base()
    doc["policies"] = {
        "notify_convicted": {
            "meaning": "notifies ICE of the release of people with a conviction",
            "source": "assumption",
            "detainer": {"none": "decline", "pending": "decline", "lesser": "notify", "serious": "notify"},
        }
    }
    sid = upload(client, dump(doc), "own.yaml").json()["id"]
    listed = {p["name"]: p for p in client.get(f"/api/scenarios/{sid}").json()["levers"]["policies"]}
    assert {"honor", "honor_serious", "warrant_serious", "notify_convicted"} <= set(listed)
    assert listed["notify_convicted"]["defined_by"] == "scenario"
    page = client.get(f"/?scenario={sid}").text
    assert '<option value="notify_convicted">' in page and '<option value="honor_serious">' in page
    assert 'id="lever-at_large_reallocation_share"' in page
    levers = {"policies": [{"states": ["AA"], "policy": "no_such_policy", "start": "2017-03-01"}]}
    r = client.post("/api/reform", json={"scenario": sid, "levers": levers})
    assert r.status_code == 422 and r.json()["detail"]["field"] == "levers.policies.0.policy"
    r = client.post("/api/reform", json={"scenario": sid, "levers": {"at_large_reallocation_share": 0.4}})
    assert r.status_code == 200, r.text
    assert yaml.safe_load(r.text)["changes"][0]["value"] == 0.4
    assert 'id="lever-counsel"' in page
    r = client.post("/api/reform", json={"scenario": sid, "levers": {"counsel": 0.9}})
    assert r.status_code == 200, r.text
    changes = {ch["parameter"]: ch["value"] for ch in yaml.safe_load(r.text)["changes"]}
    assert changes == dict.fromkeys(
        ["represented_share_detained", "represented_share_released", "represented_share_never_detained"], 0.9
    )
    r = client.post("/api/reform", json={"scenario": sid, "levers": {"counsel": 1.5}})
    assert r.status_code == 422
    assert 'id="lever-atd_share"' in page
    r = client.post("/api/reform", json={"scenario": sid, "levers": {"atd_share": 0.6}})
    assert r.status_code == 200, r.text
    changes = {ch["parameter"]: ch["value"] for ch in yaml.safe_load(r.text)["changes"]}
    assert changes == dict.fromkeys(["supervised_share_released", "supervised_share_external"], 0.6)
    r = client.post("/api/reform", json={"scenario": sid, "levers": {"atd_share": -0.1}})
    assert r.status_code == 422 and r.json()["detail"]["field"] == "levers.atd_share"


def test_a_finished_run_survives_a_restart(tmp_path):
    data = tmp_path / "data"
    with app_client(data) as c:
        sid = upload(c).json()["id"]
        run_id = c.post("/api/runs", json={"scenario": sid, "years": 0.25, "replications": 1}).json()["id"]
        assert wait(c, run_id)["status"] == "done"
    with app_client(data) as c:
        assert [r["id"] for r in c.get("/api/runs").json()] == [run_id]
        assert c.get(f"/runs/{run_id}").status_code == 200
        assert c.get(f"/api/runs/{run_id}/files/summary.csv").status_code == 200
    with Catalog(data, read_only=True) as cat:
        assert cat.problems() == []
        assert len(cat.runs()) == 1


def test_a_cancelled_run_leaves_nothing(client):
    run_id = client.post("/api/runs", json={"scenario": "us-2017", "years": 5, "replications": 6}).json()["id"]
    deadline = time.monotonic() + 600
    while client.get(f"/api/runs/{run_id}").json()["status"] == "queued" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.post(f"/api/runs/{run_id}/cancel").json()["id"] == run_id
    assert wait(client, run_id)["status"] == "cancelled"
    results = Path(client.app.state.runner.results)
    assert list(results.iterdir()) == []
    assert client.app.state.runner.record(run_id) is None
    assert client.get(f"/api/runs/{run_id}/files/summary.csv").status_code == 404


def test_the_queue_is_bounded_and_refuses_beyond_it(tmp_path):
    with app_client(tmp_path, Limits(workers=1, max_waiting=1)) as c:
        body = {"scenario": "us-2017", "years": 5, "replications": 6}
        codes = [c.post("/api/runs", json=body).status_code for _ in range(4)]
        assert codes[0] == 202 and codes.count(202) <= 2 and codes.count(429) >= 2
        for r in c.get("/api/runs").json():
            c.post(f"/api/runs/{r['id']}/cancel")


def test_queued_runs_all_finish_and_no_more_than_the_workers_run_at_once(tmp_path):
    with app_client(tmp_path, Limits(workers=2, max_waiting=20)) as c:
        sid = upload(c).json()["id"]
        ids = [
            c.post("/api/runs", json={"scenario": sid, "years": 0.25, "replications": 1, "seed": s}).json()["id"]
            for s in range(6)
        ]
        most = 0
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            snapshot = {r["id"]: r["status"] for r in c.get("/api/runs").json()}  # taken under the queue's lock
            states = [snapshot[i] for i in ids]
            most = max(most, states.count("running"))
            if all(s not in ("queued", "running") for s in states):
                break
            time.sleep(0.05)
        assert states == ["done"] * 6
        assert 1 <= most <= 2
        assert sorted(c.app.state.runner.catalog.results().id) == sorted(ids)


@pytest.mark.parametrize(
    "path",
    [
        "/api/runs/000000000000/files/summary.csv",
        "/api/runs/..%2F..%2Fcatalog.duckdb/files/summary.csv",
        "/api/scenarios/..%2F..%2Fetc%2Fpasswd",
        "/api/scenarios/u-0000000000000000",
    ],
)
def test_request_paths_never_reach_the_file_system(client, path):
    assert client.get(path).status_code in (404, 422)


def test_file_names_are_a_fixed_list(client, small):
    run_id = client.post("/api/runs", json={"scenario": small, "years": 0.25, "replications": 1}).json()["id"]
    assert wait(client, run_id)["status"] == "done"
    for name in ("..%2Fcatalog.duckdb", "run.json", "%2E%2E", "national.csv%00.txt", "draws.csv", "draws.parquet"):
        assert client.get(f"/api/runs/{run_id}/files/{name}").status_code == 404


def test_only_loopback_names_are_served_on_loopback(client):
    assert client.get("/api/scenarios", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/api/scenarios", headers={"host": "localhost"}).status_code == 200


class _Controls(HTMLParser):
    """Collects form controls and the ids their labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])


def test_every_control_on_the_explore_page_has_a_label(client):
    page = client.get("/?scenario=us-2017")
    assert page.status_code == 200
    parser = _Controls()
    parser.feed(page.text)
    assert len(parser.controls) >= 12
    unlabelled = [c for c in parser.controls if c.get("id") not in parser.labelled and not c.get("aria-label")]
    assert unlabelled == []


def test_a_run_waiting_on_the_first_compile_says_so_with_the_expected_wait(monkeypatch):
    """Running at 0 % on uncompiled kernels reads "compiling", not a stuck bar; not once they exist, nor when queued."""
    from immsim.web import jobs

    job = jobs.Job("abc", {"request": {"title": "t", "years": 1, "replications": 1, "seed": 1}, "scenario_name": "s"})
    job.status = "running"
    monkeypatch.setattr(jobs, "kernels_compiled", lambda: False)
    shown = job.describe()
    assert shown["compiling"] and shown["compile_seconds"] > 0
    monkeypatch.setattr(jobs, "kernels_compiled", lambda: True)
    assert not job.describe()["compiling"]
    monkeypatch.setattr(jobs, "kernels_compiled", lambda: False)
    job.status = "queued"
    assert not job.describe()["compiling"]
