"""The forward check (FY2018-FY2020): its outcomes are the public figures, and it reads each year's own figures."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import immsim
from immsim.errors import ImmsimError
from immsim.validation.forward import RUN_YEARS, YEARS, forward_check, outcomes
from immsim.validation.public import BACKTEST_TOLERANCE, FY2017_START, fy2017_run
from scenarios import make

PUBLIC = Path(__file__).resolve().parents[1] / "data" / "public"


def _public() -> dict[tuple[str, int], float]:
    out = {}
    for name in ("outcomes-fy2016-fy2024-check-only.csv", "inputs-fy2016-fy2024.csv"):
        with open(PUBLIC / name, newline="") as f:
            out |= {(r["series"], int(r["fiscal_year"])): float(r["value"]) for r in csv.DictReader(f)}
    return out


def test_the_packaged_outcomes_are_the_public_figures_and_only_later_years():
    public, df = _public(), outcomes()
    assert set(df.fiscal_year) == set(YEARS) and min(YEARS) > 2017  # never FY2017, the calibration year
    for r in df.itertuples():
        assert r.value == public[r.public_series, r.fiscal_year], (r.figure, r.fiscal_year)
    # every figure is one the model reports, in each year
    assert df.groupby("figure").fiscal_year.nunique().eq(len(YEARS)).all()


@pytest.mark.slow
def test_each_row_is_that_years_model_figure_against_that_years_outcome():
    r = immsim.simulate("us-2017", start=FY2017_START, years=RUN_YEARS, seed=4, replications=2)
    df = forward_check("us-2017", replications=2, seed=4, result=r)
    fy = r.fiscal_years.groupby("fiscal_year").mean(numeric_only=True)
    for row in df.itertuples():
        assert row.model == pytest.approx(fy.loc[row.fiscal_year, row.figure], rel=1e-12)
        assert row.rel_error == pytest.approx(row.model / row.published - 1)
        assert row.status == ("pass" if abs(row.rel_error) <= BACKTEST_TOLERANCE else "miss")
    assert np.isfinite(df.ci_low).all() and (df.ci_low <= df.model).all() and (df.model <= df.ci_high).all()
    # `immsim validate` reads FY2017's figures from this longer run: they are those of a run of FY2017 alone
    pd.testing.assert_frame_equal(r.summary(2017), fy2017_run("us-2017", replications=2, seed=4).summary(2017))


def test_a_run_that_does_not_cover_the_checked_years_is_refused():
    short = fy2017_run(make(), replications=1, seed=1)
    with pytest.raises(ImmsimError, match="needs a run from 2016-10-01 through FY2020"):
        forward_check(short.scenario, replications=1, seed=1, result=short)
