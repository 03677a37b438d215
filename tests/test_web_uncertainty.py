"""The web app's runs over the assumptions: a posterior per scenario, two bands, drivers, and clear refusals.

The runs compute in real worker processes on the small synthetic scenario of
``tests/scenarios.py``, with a hand-made ensemble of two sets far apart on
at-large search success (``found_probability`` 0.4 and 1.4 times the
scenario's): at-large arrests scale with it, so the assumptions' band must
be much wider than the dice's.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

import immsim
from immsim.uncertainty import Ensemble, write_ensemble
from test_web_api import LEVERS, app_client, upload, wait

#: At most 6 replications: 3 draws of 2 replications fit, 4 do not.
LIMITS = dict(max_years=5, max_replications=6, max_simulated_years=40)


def spread() -> Ensemble:
    return Ensemble("synthetic", pd.DataFrame({"weight": [0.5, 0.5], "found_probability": [0.4, 1.4]}))


@pytest.fixture
def client(tmp_path):
    from immsim.web.api import Limits

    with app_client(tmp_path / "data", Limits(**LIMITS)) as c:
        yield c


@pytest.fixture
def small(client) -> str:
    r = upload(client)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload_posterior(client, scenario_id: str, text: str, name: str = "posterior.csv"):
    files = {"file": (name, io.BytesIO(text.encode()), "text/csv")}
    return client.post(f"/api/scenarios/{scenario_id}/posterior", files=files)


@pytest.fixture
def with_posterior(client, small, tmp_path) -> str:
    write_ensemble(spread(), tmp_path / "p.csv", "made by hand for the test")
    r = upload_posterior(client, small, (tmp_path / "p.csv").read_text())
    assert r.status_code == 201, r.text
    assert r.json()["posterior"] and r.json()["sets"] == 2 and r.json()["effective_size"] == 2.0
    return small


def bands(html: str, table: str) -> dict[str, tuple[float, float, float, float]]:
    """Each row of a result table: (Monte Carlo low, high, total low, high), read from the cells' data."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    out = {}
    for figure, row in re.findall(r'<tr data-figure="([^"]+)">(.*?)</tr>', body, re.S):
        mc = re.search(r'class="num mc-band"[^>]*data-low="([^"]*)" data-high="([^"]*)"', row)
        total = re.search(r'class="num total-band"[^>]*data-low="([^"]*)" data-high="([^"]*)"', row)
        out[figure] = tuple(float(x) for x in (*mc.groups(), *total.groups()))
    return out


def test_a_run_over_the_posterior_pairs_its_draws_and_gives_the_apis_two_bands(client, with_posterior, tmp_path):
    small = with_posterior
    body = {"scenario": small, "levers": LEVERS, "years": 0.5, "seed": 3, "compare": True}
    body |= {"uncertainty": "posterior", "draws": 3, "per_draw": 2}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202, r.text
    assert r.json()["replications"] == 6  # draws x per_draw
    run_id = r.json()["id"]
    status = wait(client, run_id)
    assert status["status"] == "done", status
    directory = client.app.state.runner.result_dir(run_id)
    # both scenarios ran the same parameter set in replication r: seed 3 draws sets 0, 1, 1 for the three groups
    changed, base = (pd.read_parquet(d / "draws.parquet") for d in (directory, directory / "base"))
    pd.testing.assert_frame_equal(changed, base)
    offered = pd.read_csv(io.StringIO(client.get(f"/api/runs/{run_id}/files/draws.csv").text))
    pd.testing.assert_frame_equal(offered, changed, check_dtype=False)
    assert list(changed.draw) == [0, 0, 1, 1, 2, 2] and list(changed.set) == [0, 0, 1, 1, 1, 1]
    # the catalog keys each replication by its parameter set too: a plain run of the same seed is another run
    from immsim.catalog import run_key
    from immsim.store import scenario_hash

    keys = json.loads(client.app.state.runner.record(run_id)["run_keys"])
    result = client.app.state.results.get(directory)
    digest, start = scenario_hash(result.scenario.text), result.start
    factors = [{"found_probability": f} for f in changed.found_probability]
    assert keys[:6] == [run_key(digest, factors[r], 3 + r, start, 0.5) for r in range(6)]
    assert run_key(digest, {}, 3, start, 0.5) not in keys and len(set(keys)) == 12
    # the web's differences are those of the Python API called with the same ensemble and per_draw
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / f"{small}.yaml").write_text(client.get(f"/api/scenarios/{small}/file").text)
    (folder / "reform.yaml").write_text(client.get(f"/api/runs/{run_id}/files/reform.yaml").text)
    table, _ = immsim.compare(
        immsim.load_scenario(folder / f"{small}.yaml"),
        [immsim.load_scenario(folder / "reform.yaml")],
        years=0.5,
        replications=6,
        seed=3,
        uncertainty=spread(),
        per_draw=2,
    )
    web = pd.read_csv(io.StringIO(client.get(f"/api/runs/{run_id}/files/differences.csv").text))
    for col in ("difference", "ci_low", "ci_high", "total_low", "total_high"):
        np.testing.assert_allclose(web[col], table[col], rtol=1e-12, equal_nan=True, err_msg=col)
    # the page shows both bands in the headline and difference tables
    page = client.get(f"/runs/{run_id}").text
    assert page.count("95 % Monte Carlo") == 2 and page.count("95 % total") == 2
    assert "3 parameter sets drawn by weight, 2 replications each, the same sets for both scenarios" in page
    for table_id in ("summary", "difference-table"):
        rows = bands(page, table_id)
        assert len(rows) > 5
        for figure, (lo, hi, t_lo, t_hi) in rows.items():
            if not np.isnan(lo):  # a figure that never varies has no band
                assert t_lo <= lo <= hi <= t_hi, (table_id, figure)
    # at-large arrests follow search success, 0.4 or 1.4 times: the sets' spread dwarfs the dice's
    lo, hi, t_lo, t_hi = bands(page, "summary")["ice_at_large_arrests"]
    assert t_hi - t_lo > 3 * (hi - lo)
    assert "draws.csv" in page
    summary = {r["figure"]: r for r in client.get(f"/api/runs/{run_id}/summary").json()["summary"]}
    lo, hi, t_lo, t_hi = bands(page, "summary")["ice_admin_arrests"]
    assert (summary["ice_admin_arrests"]["total_low"], summary["ice_admin_arrests"]["total_high"]) == (t_lo, t_hi)
    # the only assumption the ensemble moves is named as what drives the width
    assert re.search(r'id="drivers">.*<code>found_probability</code> \d+ %', page)


def test_the_form_offers_the_posterior_only_where_one_exists_and_says_why(client, small, tmp_path):
    page = client.get(f"/?scenario={small}").text
    assert '<option value="posterior" disabled>' in page
    assert f"no posterior ensemble is shipped with {small} or uploaded for it" in page
    detail = client.get(f"/api/scenarios/{small}").json()["uncertainty"]
    assert detail["posterior"] is False and "immsim calibrate" in detail["note"]
    # asked anyway, the run is refused at once, next to the choice, with what to do
    body = {"scenario": small, "years": 0.5, "uncertainty": "posterior", "draws": 2}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 422 and r.json()["detail"]["field"] == "uncertainty"
    message = r.json()["detail"]["message"]
    assert message.startswith("cannot run over the posterior: no posterior ensemble is shipped with")
    assert "immsim calibrate" in message and "upload DIR/posterior.csv" in message
    write_ensemble(spread(), tmp_path / "p.csv")
    assert upload_posterior(client, small, (tmp_path / "p.csv").read_text()).status_code == 201
    page = client.get(f"/?scenario={small}").text
    assert '<option value="posterior">' in page and "the posterior ensemble uploaded for this scenario" in page


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"draws": 0}, "draws", "greater than or equal to 1"),
        ({"draws": "many"}, "draws", "valid integer"),
        ({"draws": 2.5}, "draws", "valid integer"),
        ({"per_draw": 0}, "per_draw", "greater than or equal to 1"),
        ({"draws": None}, "draws", "give the number of parameter sets"),
        ({"uncertainty": "prior"}, "uncertainty", "'none' or 'posterior'"),
        ({"draws": 4}, "draws", "at most 6 replications per run here (asked 8: 4 draws x 2)"),
        ({"replications": 3}, "replications", "draws x per_draw = 4 replications"),
    ],
)
def test_bad_uncertainty_input_is_refused_next_to_its_field(client, with_posterior, change, field, words):
    body = {"scenario": with_posterior, "years": 0.5, "uncertainty": "posterior", "draws": 2} | change
    r = client.post("/api/runs", json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail["field"] == field and words in detail["message"], detail
    assert "Traceback" not in r.text
    assert client.get("/api/runs").json() == []  # nothing was queued


@pytest.mark.parametrize(
    "text, words",
    [
        ("weight,found_probability\n1,1\n", "mine.csv: not an immsim posterior ensemble"),
        ("# immsim posterior ensemble\nweight,found_probability\n1,x\n", "not a number"),
        ("# immsim posterior ensemble\nweight,no_such_parameter\n1,1\n", "moves no_such_parameter, which synthetic"),
    ],
)
def test_a_bad_posterior_file_is_refused_and_not_kept(client, small, text, words):
    r = upload_posterior(client, small, text, name="mine.csv")
    assert r.status_code == 400, r.text
    assert r.json()["detail"]["field"] == "posterior" and words in r.json()["detail"]["message"]
    assert "/tmp" not in r.json()["detail"]["message"]  # the file is named as the user knows it
    assert client.get(f"/api/scenarios/{small}").json()["uncertainty"]["posterior"] is False


def test_an_uploaded_reform_of_a_built_in_draws_from_its_bases_posterior(client, tmp_path):
    """As ``--uncertainty posterior`` reads the base's ensemble for a reform, so does the app: the one shipped
    with the base, or one uploaded for the base, which comes first."""
    reform = client.post("/api/reform", json={"scenario": "us-2017", "levers": {"immigration_judges": 1.5}})
    assert reform.status_code == 200, reform.text
    r = upload(client, reform.text, "reform.yaml")
    assert r.status_code == 201, r.text
    reform_id = r.json()["id"]
    before = client.get(f"/api/scenarios/{reform_id}").json()["uncertainty"]
    assert before == {"posterior": True, "note": "the posterior ensemble shipped with us-2017"}
    table = pd.DataFrame({"weight": [1.0], "found_probability": [0.9]})
    write_ensemble(Ensemble("us-2017", table), tmp_path / "p.csv")
    assert upload_posterior(client, "us-2017", (tmp_path / "p.csv").read_text()).status_code == 201
    after = client.get(f"/api/scenarios/{reform_id}").json()["uncertainty"]
    assert after == {"posterior": True, "note": "the posterior ensemble uploaded for its base, us-2017"}
