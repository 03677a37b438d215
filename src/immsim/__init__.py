"""immsim: a simulator of U.S. interior immigration enforcement.

The public API is small::

    import immsim
    scenario = immsim.load_scenario("us-2017")
    result = immsim.simulate(scenario, years=1, replications=5, seed=1)
    result.summary()          # headline figures, mean and 95% interval
    result.monthly            # replication x month x jurisdiction
    result.fiscal_years       # replication x fiscal year

Everything else is internal and may change.
"""

import immsim._cache  # noqa: F401  (must run before Numba is imported)
from immsim import solvers
from immsim.compare import compare
from immsim.errors import ImmsimError, LedgerError, ScenarioError
from immsim.results import Result
from immsim.scenario.loader import Scenario, builtin_names, load_scenario
from immsim.simulation import simulate
from immsim.sweeps import sensitivity, sweep  # light: Dask, DuckDB and SALib load when called

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
