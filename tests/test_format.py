"""One number format for every front end (``immsim._format``), and one table of figure labels (``immsim.metrics``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from immsim._format import MISSING_MARKDOWN, MISSING_TERMINAL, interval, is_missing, number
from immsim.figures import HEADLINES, HISTORY_HEADLINES
from immsim.metrics import METRICS, label, unit


@pytest.mark.parametrize(
    ("value", "unit_", "options", "text"),
    [
        (120876.4, "people", {}, "120,876"),  # counts of 100 or more: whole, with separators
        (36.29, "incidents", {}, "36.3"),  # smaller values: three significant digits
        (-10.7062, "detainers", {}, "-10.7"),
        (0.04123, "days", {}, "0.0412"),
        (7, "", {}, "7"),
        (np.int64(12345), "", {}, "12,345"),  # NumPy scalars as Python numbers
        (0.7031, "share", {}, "70.3%"),  # shares as percentages
        (0.7031, "share", {"percent": False}, "0.703"),  # ... or as fractions, where a page compares with a file
        (1204.4, "people", {"signed": True}, "+1,204"),
        (-3.21, "", {"signed": True}, "-3.21"),
        (-0.0, "", {"signed": True}, "0"),  # no difference: no sign, and never "-0"
        (0.0, "share", {"signed": True}, "0.0 pp"),
        (0.012, "share", {"signed": True}, "+1.2 pp"),  # a difference of shares: percentage points
        (-0.042, "", {"signed": True, "percent": True}, "-4.2%"),  # a relative error
        (1.23456, "", {"digits": 4}, "1.235"),
    ],
)
def test_number(value, unit_, options, text):
    assert number(value, unit_, **options) == text


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, np.float32("nan")])
def test_a_missing_value_reads_as_the_context_says(missing):
    assert is_missing(missing)
    assert number(missing) == "n/a"
    assert number(missing, "share", missing=MISSING_TERMINAL, signed=True) == "-"
    assert number(missing, missing=MISSING_MARKDOWN) == ""
    assert interval(1.0, missing, missing="-") == "-"


def test_an_interval_uses_the_same_options_on_both_bounds():
    assert interval(-1500.2, 20.5, signed=True) == "-1,500 to +20.5"
    assert interval(0.1, 0.25, "share") == "10.0% to 25.0%"


def test_every_figure_of_the_tables_has_one_label_and_unit():
    for name, (description, unit_) in HEADLINES.items():
        assert name in METRICS and (description, unit_) == (label(name), unit(name))
    for name, description in HISTORY_HEADLINES.items():
        assert name in METRICS and description == label(name)
    # a figure in both tables reads the same in both
    assert HISTORY_HEADLINES["ice_at_large_arrests"] == HEADLINES["ice_at_large_arrests"][0]
    labels = [m.label for m in METRICS.values()]
    assert len(labels) == len(set(labels)), "two figures with one label"


def test_short_labels_and_other_names():
    assert label("ice_at_large_arrests", short=True) == "at-large arrests"
    assert label("detainers_issued", short=True) == "detainers issued"  # no short label: the label
    assert label("jail_287g") == "jail 287g" and unit("jail_287g") == ""
