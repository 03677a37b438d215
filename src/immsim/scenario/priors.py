"""Prior distributions of assumptions: what a scenario believes about a value no source gives.

An ``assumption`` parameter gives a plausible ``range``; it may also name how
belief spreads over that range, for Bayesian calibration
(``immsim calibrate --method abc``)::

    prior: uniform                                 # the default: every value in the range alike
    prior: loguniform                              # every order of magnitude alike (range above 0)
    prior: {distribution: triangular, mode: 0.3}   # most likely near mode, none outside the range
    prior: {distribution: beta, a: 2, b: 5}        # beta(a, b) stretched over the range

Calibration moves a parameter by one factor applied to every entry of its
table or dated series (see ``immsim.validation.calibrate``), so the prior is
carried over to that factor: the range ``[low, high]`` maps onto the factor's
bounds ``[lower, upper]`` (affinely; in log space for ``loguniform``). For a
parameter with one value, whose factor bounds are ``low / value`` and
``high / value``, the map is the plain division by the value, so the prior on
the factor is exactly the prior on the value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from immsim._strict import Strict

DISTRIBUTIONS = ("uniform", "loguniform", "triangular", "beta")
Positive = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]


class Prior(Strict):
    """A prior over an assumption's range (see the module docstring for the forms a scenario writes)."""

    distribution: Literal[DISTRIBUTIONS] = "uniform"  # type: ignore[valid-type]
    mode: Annotated[float, Field(allow_inf_nan=False)] | None = None
    a: Positive | None = None
    b: Positive | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_word(cls, data: Any) -> Any:
        """``prior: loguniform`` is short for ``prior: {distribution: loguniform}``."""
        return {"distribution": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _fields(self) -> Prior:
        wanted = {"uniform": set(), "loguniform": set(), "triangular": {"mode"}, "beta": {"a", "b"}}[self.distribution]
        given = {k for k in ("mode", "a", "b") if getattr(self, k) is not None}
        if wanted - given:
            raise ValueError(f"a {self.distribution} prior needs {' and '.join(sorted(wanted - given))}")
        if given - wanted:
            raise ValueError(f"a {self.distribution} prior takes no {' or '.join(sorted(given - wanted))}")
        return self

    def problem(self, low: float, high: float) -> str | None:
        """Why this prior cannot spread over ``[low, high]``, or None."""
        if not low < high:
            return f"a prior needs a range with low below high (range is [{low:g}, {high:g}])"
        if self.distribution == "loguniform" and low <= 0:
            return f"a loguniform prior needs a range above 0 (range starts at {low:g})"
        if self.mode is not None and not low <= self.mode <= high:
            return f"the mode {self.mode:g} is outside the range [{low:g}, {high:g}]"
        return None

    def scipy_form(self, low: float, high: float, lower: float, upper: float) -> tuple[str, tuple[float, ...]]:
        """The prior carried from the range ``[low, high]`` to a factor on ``[lower, upper]``.

        Returns the name of a ``scipy.stats`` distribution and its positional
        arguments (shape, loc, scale), the form ``pyabc.RV`` takes.
        """
        width = upper - lower
        if self.distribution == "uniform":
            return "uniform", (lower, width)
        if self.distribution == "loguniform":
            return "loguniform", (lower, upper)
        if self.distribution == "triangular":
            return "triang", ((self.mode - low) / (high - low), lower, width)
        return "beta", (self.a, self.b, lower, width)

    def frozen(self, low: float, high: float, lower: float | None = None, upper: float | None = None) -> Any:
        """A frozen ``scipy.stats`` distribution: over the range itself, or carried to ``[lower, upper]``."""
        lower = low if lower is None else lower
        upper = high if upper is None else upper
        from scipy import stats  # here, not at the top: scipy.stats takes most of a second to import (see _student)

        name, args = self.scipy_form(low, high, lower, upper)
        return getattr(stats, name)(*args)

    def width(self, low: float, high: float, lower: float, upper: float, level: float = 0.9) -> float:
        """The central ``level`` interval's width of the factor's prior (what a posterior's width is set against)."""
        d = self.frozen(low, high, lower, upper)
        lo, hi = d.ppf([(1 - level) / 2, (1 + level) / 2])
        return float(hi - lo)


UNIFORM = Prior()


def draw(prior: Prior | None, low: float, high: float, rng: np.random.Generator, size: int = 1) -> np.ndarray:
    """Values drawn from ``prior`` over the range ``[low, high]`` (seeded by ``rng``); none given is uniform."""
    d = (prior or UNIFORM).frozen(low, high)
    out = np.asarray(d.ppf(rng.random(size)), float)
    return np.clip(out, low, high)  # ppf's last bit can leave the range by a rounding error


def describe(prior: Prior | None) -> str:
    """One line for tables: ``uniform``, ``triangular (mode 0.3)``, ``beta (a 2, b 5)``."""
    prior = prior or UNIFORM
    extra = [f"{k} {getattr(prior, k):g}" for k in ("mode", "a", "b") if getattr(prior, k) is not None]
    return prior.distribution + (f" ({', '.join(extra)})" if extra else "")
