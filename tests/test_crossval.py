"""Leave-one-out cross-validation, for real on the small synthetic scenario (a fit is a few seconds there).

The properties that make the left-out prediction honest: the left-out target is nowhere in its fold's objective
(changing it changes nothing in that fold, while it does change the full fit), every calibration row is left out
exactly once and no other row ever is, and the table says what the folds found.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import immsim
from immsim.cli import app
from immsim.validation import calibrate as cal
from immsim.validation import crossval as cv
from scenarios import make, param

FITTED = ["detainers_issued", "ice_at_large_arrests", "removals_from_ice_arrests"]
EVALS = 8


def _calibratable(doc: dict) -> None:
    for name in ("booking_rate", "at_large_officers"):
        doc["parameters"][name].update(source="assumption", range=[0.0001, 100.0], calibratable=True)


@pytest.fixture(scope="module")
def scenario():
    return make(_calibratable, param("booking_rate", 0.02))


def _row(figure: str, value: float, role: str) -> dict:
    return {"metric": figure, "value": value, "period": "FY2017", "figure": figure, "tolerance": 0.1, "role": role}


@pytest.fixture(scope="module")
def targets(scenario):
    start = cal.figures_of(scenario.text, scenario.name, 1, 1)
    scale = {"detainers_issued": 1.4, "ice_at_large_arrests": 0.8, "removals_from_ice_arrests": 1.2}
    rows = [_row(f, scale[f] * start[f], "calibration") for f in FITTED]
    rows.append(_row("share_removals_convicted", 0.9, "check"))  # kept out of every fit, and never a fold
    rows.append(_row("court_receipts", 1.0, "construction"))
    rows.append({**_row("ice_admin_arrests", 1.0, "calibration"), "period": "FY2016"})  # not FY2017: not fitted
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result(scenario, targets, tmp_path_factory):
    path = tmp_path_factory.mktemp("cv") / "checkpoint.json"
    return cv.crossvalidate(scenario, targets, max_evaluations=EVALS, checkpoint=path), path


def test_each_calibration_row_is_left_out_exactly_once_and_nothing_else_is(result):
    res, _ = result
    assert list(res.folds) == [cv.ALL, *FITTED]
    assert res.folds[cv.ALL]["fitted"] == FITTED
    for figure in FITTED:
        assert res.folds[figure]["fitted"] == [f for f in FITTED if f != figure]
    assert list(res.table.figure) == FITTED


def test_the_table_is_what_the_folds_found(result, targets):
    res, _ = result
    goal = targets[targets.period == "FY2017"].set_index("figure")
    for r in res.table.itertuples():
        assert r.target == goal.value[r.figure] and r.tolerance == goal.tolerance[r.figure]
        assert r.in_sample == res.folds[cv.ALL]["figures"][r.figure]
        assert r.left_out == res.folds[r.figure]["figures"][r.figure]
        assert r.error_in_sample == pytest.approx(r.in_sample / r.target - 1)
        assert r.error_left_out == pytest.approx(r.left_out / r.target - 1)
        assert r.within_tolerance == (abs(r.error_left_out) <= r.tolerance)
        assert 1 <= r.evaluations <= EVALS
    # the fit to all targets improved on the start, so the folds searched
    assert res.folds[cv.ALL]["objective"] < sum(((res.table.start / res.table.target - 1) / 0.1) ** 2)


def test_the_left_out_target_is_not_in_the_objective_of_its_fold(scenario, targets, result):
    res, _ = result
    figure = "detainers_issued"
    moved = targets.assign(value=targets.value.where(targets.figure != figure, targets.value * 3))
    kw = {"seed": 1, "replications": 1, "max_evaluations": EVALS}
    assert cv.run_fold(scenario, moved, figure, **kw) == res.folds[figure]
    # power: the same change does move a fit that contains the target
    assert cv.run_fold(scenario, moved, cv.ALL, **kw)["factors"] != res.folds[cv.ALL]["factors"]


def test_a_checkpoint_resumes_without_running_and_is_not_reused_with_other_settings(
    scenario, targets, result, monkeypatch
):
    res, path = result
    saved = json.loads(path.read_text())
    assert set(saved["folds"]) == {cv.ALL, *FITTED} and saved["seconds"] > 0

    def no_runs(*a, **k):
        raise AssertionError("a finished fold was run again")

    with monkeypatch.context() as m:
        m.setattr(cal, "figures_of", no_runs)
        again = cv.crossvalidate(scenario, targets, max_evaluations=EVALS, checkpoint=path)
    pd.testing.assert_frame_equal(again.table, res.table)
    # another seed: the checkpoint is ignored, and a fold that was saved is run again
    runs = []
    with monkeypatch.context() as m:
        m.setattr(cal, "figures_of", lambda *a, **k: runs.append(a) or no_runs())
        with pytest.raises(AssertionError):
            cv.crossvalidate(scenario, targets, max_evaluations=EVALS, seed=2, checkpoint=path)
    assert runs
    # other code: the checkpoint is not reused either
    with monkeypatch.context() as m:
        m.setattr(cv, "code_digest", lambda: "another version")
        m.setattr(cal, "figures_of", no_runs)
        with pytest.raises(AssertionError, match="run again"):
            cv.crossvalidate(scenario, targets, max_evaluations=EVALS, checkpoint=path)


def test_only_restricts_every_fit_and_is_part_of_the_settings(scenario, targets):
    kw = {"seed": 1, "replications": 1, "max_evaluations": 4}
    fold = cv.run_fold(scenario, targets, "detainers_issued", only=["booking_rate"], **kw)
    assert list(fold["factors"]) == ["booking_rate"]
    assert cv.settings_of(scenario, targets, 1, 1, 4, ["booking_rate"]) != cv.settings_of(scenario, targets, 1, 1, 4)


def test_a_fold_needs_something_left_to_fit(scenario, targets):
    with pytest.raises(immsim.ImmsimError, match="at least two"):
        cv.crossvalidate(scenario, targets[targets.figure.isin(["detainers_issued", "court_receipts"])])


def test_the_command_writes_a_page_that_names_itself(scenario, targets, tmp_path):
    sc_file, t_file, page = tmp_path / "s.yaml", tmp_path / "t.csv", tmp_path / "cv.md"
    sc_file.write_text(scenario.text)
    targets.to_csv(t_file, index=False)
    args = ["crossvalidate", str(sc_file), "--targets", str(t_file), "--max-evaluations", "3", "--workers", "1"]
    args += ["--only", "booking_rate,at_large_officers"]
    out = CliRunner().invoke(app, [*args, "--report", str(page)])
    assert out.exit_code == 0, out.output
    text = page.read_text()
    command = f"immsim crossvalidate {sc_file} --targets {t_file} --seed 1 --replications 1 --max-evaluations 3"
    assert f"`{command} --only booking_rate,at_large_officers --workers 1 --report {page}`" in text
    assert "moves only `at_large_officers`, `booking_rate`." in text
    assert all(f"| {f} |" in text for f in FITTED) and "run time" in text
    assert (tmp_path / "cv.checkpoint.json").exists()


def test_ctrl_c_keeps_the_finished_folds_and_says_so(scenario, targets, tmp_path, monkeypatch):
    """Interrupted after its first fold is saved: exit 130, no page, and the message points at the checkpoint."""
    sc_file, t_file, page = tmp_path / "s.yaml", tmp_path / "t.csv", tmp_path / "cv.md"
    sc_file.write_text(scenario.text)
    targets.to_csv(t_file, index=False)
    saved = tmp_path / "cv.checkpoint.json"
    original = cv.crossvalidate

    def interrupted(*args, progress=None, **kwargs):
        def tick(done, total):
            if saved.exists():  # a fold is finished and saved: Ctrl-C now
                raise KeyboardInterrupt
            progress(done, total)

        return original(*args, progress=tick, **kwargs)

    monkeypatch.setattr(cv, "crossvalidate", interrupted)
    args = ["crossvalidate", str(sc_file), "--targets", str(t_file), "--max-evaluations", "3", "--workers", "1"]
    out = CliRunner().invoke(app, [*args, "--only", "booking_rate,at_large_officers", "--report", str(page)])
    assert out.exit_code == 130, out.output
    assert f"finished folds are kept in {saved}" in " ".join(out.output.split()) and "no partial" not in out.output
    assert saved.exists() and not page.exists()


@pytest.mark.slow
def test_folds_in_worker_processes_give_what_folds_in_this_process_give(scenario, targets, result):
    res, _ = result
    parallel = cv.crossvalidate(scenario, targets, max_evaluations=EVALS, workers=2)
    pd.testing.assert_frame_equal(parallel.table, res.table)
    assert parallel.folds == res.folds
