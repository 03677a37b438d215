"""The posterior ensemble shipped with us-2017: it belongs to the scenario as it is now, and it is a fit, not a trial.

A factor multiplies a value of us-2017.yaml, and the weights say which sets fit the targets through the model
as us-2017 defines it; once a value, an event or an initial stock changes, the shipped sets mean something
else. The ensemble keeps a hash of what it was fitted on (``fit_key``: the scenario's text without its
prose), and this test fails until the fit is made again.
"""

from __future__ import annotations

import numpy as np
import pytest

import immsim
from immsim.uncertainty import fit_key, packaged_posterior, read_ensemble
from immsim.validation.abc_report import FEW

REFIT = (
    "fit again as docs/uncertainty.md (The shipped posterior) shows: immsim calibrate us-2017 --method abc "
    "--generations 1 --first-epsilon 2.25 ..., python tools/pool_abc.py ..., then copy posterior.csv to "
    "src/immsim/scenario/data/us-2017.posterior.csv and run python tools/build_us2024.py"
)


@pytest.fixture(scope="module")
def shipped():
    return read_ensemble(packaged_posterior("us-2017"))


def test_it_is_fitted_on_us_2017_as_it_is_now(shipped):
    sc = immsim.load_scenario("us-2017")
    calibratable = [n for n, p in sc.data.parameters.items() if p.calibratable]
    assert shipped.scenario == "us-2017"
    assert sorted(shipped.parameters) == sorted(calibratable), REFIT
    assert shipped.fitted_on == fit_key(sc.text), REFIT


def test_it_is_a_fit_within_its_priors(shipped):
    pytest.importorskip("scipy")
    from immsim.validation.abc import prior_space

    assert shipped.effective_size() >= FEW  # below, the report itself calls the fit a trial
    assert shipped.weights.sum() == pytest.approx(1.0)
    space = prior_space(immsim.load_scenario("us-2017")).set_index("parameter")
    for p in shipped.parameters:
        f = shipped.table[p].to_numpy()
        assert (f >= space.lower[p] * (1 - 1e-9)).all() and (f <= space.upper[p] * (1 + 1e-9)).all(), p


def test_a_reform_of_us_2017_runs_over_it_and_gets_both_bands(shipped):
    """all-honor finds its base's posterior: 2 sets of 2 replications, each set a row of the ensemble."""
    r = immsim.simulate("all-honor", years=0.25, replications=4, seed=3, uncertainty="posterior")
    d = r.draws
    assert len(d) == 4 and d.draw.nunique() == 2 and (d.groupby("draw").set.nunique() == 1).all()
    for row in d.itertuples():
        assert np.allclose(
            [getattr(row, p) for p in shipped.parameters], shipped.table.loc[row.set, shipped.parameters]
        )
    s = r.summary().set_index("figure").loc["ice_admin_arrests"]
    assert s.total_low <= s.ci_low <= s["mean"] <= s.ci_high <= s.total_high


def test_us_2024_carries_it_over_the_same_values():
    """us-2024's calibratable parameters keep us-2017's values, so us-2017's posterior is theirs too."""
    import sys
    from pathlib import Path

    tools = str(Path(__file__).resolve().parents[1] / "tools")
    sys.path.insert(0, tools)
    try:
        import build_us2024
    finally:
        sys.path.remove(tools)
    us17, us24 = immsim.load_scenario("us-2017"), immsim.load_scenario("us-2024")
    for name, p in us17.data.parameters.items():
        if p.calibratable:
            q = us24.data.parameters[name]
            assert q.calibratable and (q.value, q.series, q.range, q.prior) == (p.value, p.series, p.range, p.prior)
    assert packaged_posterior("us-2024").read_text() == build_us2024.carried_posterior(), (
        "run: python tools/build_us2024.py"
    )
    assert read_ensemble(packaged_posterior("us-2024")).scenario == "us-2024"
