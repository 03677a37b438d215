"""immsim: a simulator of U.S. interior immigration enforcement.

The public API is small::

    import immsim
    scenario = immsim.load_scenario("us-2017")
    result = immsim.simulate(scenario, years=1, replications=5, seed=1)
    result.summary()          # headline figures, mean and 95% interval
    result.monthly            # replication x month x jurisdiction
    result.fiscal_years       # replication x fiscal year

Everything else is internal and may change. ``docs/reference.md`` (the
manual's Python reference, built by ``mkdocs build``) documents each public
name with its parameters, returns, errors and a tested example.
"""

import importlib
from typing import TYPE_CHECKING

import immsim._cache  # noqa: F401  (must run before Numba is imported)
from immsim.errors import ImmsimError, LedgerError, ScenarioError

if TYPE_CHECKING:
    from immsim import solvers
    from immsim.comparison import compare
    from immsim.results import Result
    from immsim.scenario.loader import Scenario, builtin_names, load_scenario
    from immsim.simulation import simulate
    from immsim.sweeps import sensitivity, sweep

# Public names load on first use (PEP 562): the command line answers ``--help``
# without importing NumPy, pandas, SciPy or Numba.
_LAZY = {
    "solvers": ("immsim.solvers", None),
    "compare": ("immsim.comparison", "compare"),
    "Result": ("immsim.results", "Result"),
    "Scenario": ("immsim.scenario.loader", "Scenario"),
    "builtin_names": ("immsim.scenario.loader", "builtin_names"),
    "load_scenario": ("immsim.scenario.loader", "load_scenario"),
    "simulate": ("immsim.simulation", "simulate"),
    "sensitivity": ("immsim.sweeps", "sensitivity"),
    "sweep": ("immsim.sweeps", "sweep"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'immsim' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = importlib.import_module(module)
    value = value if attr is None else getattr(value, attr)
    globals()[name] = value
    return value


__version__ = "0.1.0"
__all__ = [
    "compare",
    "solvers",
    "ImmsimError",
    "LedgerError",
    "Result",
    "Scenario",
    "ScenarioError",
    "builtin_names",
    "load_scenario",
    "simulate",
    "sensitivity",
    "sweep",
    "__version__",
]
