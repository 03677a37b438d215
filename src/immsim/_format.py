"""One way to write a model figure as text, for the terminal, the HTML reports, the web app and Markdown pages.

The same figure used to read ``0.703`` in the terminal, ``70.3%`` in the report
and ``0.7031`` in a generated page, with four rules for decimals. Every front
end now calls :func:`number`; its keywords cover what genuinely differs
between them (the text for a missing value, a sign for differences, shares as
fractions where a page compares them with a file that gives fractions).

The rule for decimals: counts of 100 or more are whole numbers with thousands
separators (means over replications are rarely whole, and decimals on
thousands would suggest a precision the model does not have); smaller values
keep ``digits`` significant digits, so a mean of 3.27 days or an incidence of
0.0412 still says something.
"""

from __future__ import annotations

import math
from numbers import Real

#: What a missing value (NaN or None) reads as, by where it is shown.
MISSING_HTML = "n/a"
MISSING_TERMINAL = "-"
MISSING_MARKDOWN = ""

#: The unit of a fraction of a whole (``figures.HEADLINES``): shown as a percentage.
SHARE = "share"


def is_missing(value: object) -> bool:
    """Whether ``value`` has no number to show: None, NaN (float or NumPy), or pandas' NA."""
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def number(
    value: Real | float | None,
    unit: str = "",
    *,
    missing: str = MISSING_HTML,
    signed: bool = False,
    percent: bool | None = None,
    digits: int = 3,
) -> str:
    """``value`` as text: ``120,876``, ``36.3``, ``70.3%``; with ``signed``: ``+1,204``, ``+2.5 pp``.

    ``unit`` ``"share"`` (a fraction of a whole) is shown as a percentage
    unless ``percent=False``; a signed share (a difference of two shares) is
    in percentage points, which cannot be misread as a relative change.
    ``percent=True`` shows any other fraction (a relative error) as a
    percentage: ``+4.2%``. A difference of exactly zero has no sign.
    ``missing`` is the text for None or NaN.
    """
    if is_missing(value):
        return missing
    v = float(value) + 0.0  # + 0.0 turns -0.0 into 0.0: no "-0"
    sign = "+" if signed and v != 0 else ""  # no difference reads "0", not "+0"
    as_percent = percent if percent is not None else unit == SHARE
    if as_percent:
        if unit == SHARE and signed:
            return f"{v * 100:{sign},.1f} pp"
        return f"{v:{sign}.1%}"
    if abs(v) >= 100:
        return f"{v:{sign},.0f}"
    return f"{v:{sign}.{digits}g}"


def interval(
    low: Real | float | None,
    high: Real | float | None,
    unit: str = "",
    *,
    missing: str = MISSING_HTML,
    signed: bool = False,
    percent: bool | None = None,
    digits: int = 3,
) -> str:
    """``low to high``, both written by :func:`number` with the same options; a missing bound gives ``missing``."""
    if is_missing(low) or is_missing(high):
        return missing
    options = {"signed": signed, "percent": percent, "digits": digits}
    return f"{number(low, unit, **options)} to {number(high, unit, **options)}"
