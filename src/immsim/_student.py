"""Student-t quantiles for confidence intervals, without importing ``scipy.stats``.

Why: ``scipy.stats`` takes about half a second to a second to import (it
builds the docstrings of a hundred distributions), and every command that
prints intervals or writes a report paid it, once per process: the tests
start such processes by the hundred. ``scipy.stats.t.ppf(q, df)`` is
``scipy.special.stdtrit(df, q)`` (SciPy's ``t._ppf``), so the values are
exactly the same; ``scipy.special`` imports in a fraction of the time.
"""

from __future__ import annotations

from typing import Any


def t_quantile(q: float, df: Any) -> Any:
    """The ``q`` quantile of Student's t with ``df`` degrees of freedom (``df`` may be an array)."""
    from scipy import special

    return special.stdtrit(df, q)
