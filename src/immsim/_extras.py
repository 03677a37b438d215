"""Optional parts of immsim and the packages they need.

The core install runs ``immsim run``, ``compare``, ``solve``, ``calibrate``
and ``validate``. The web app and the sweeps need more (a web server, Dask, a
database, SALib) and the Bayesian calibration (pyabc), installed as extras: ``pip install 'immsim[web]'`` or
``'immsim[sweep]'``. A command that needs a missing extra says which one,
rather than failing on an import deep inside.
"""

from __future__ import annotations

import importlib.util

from immsim.errors import ImmsimError

#: The modules each extra brings, as imported (``python-multipart`` is ``multipart``).
EXTRAS = {
    "web": ("fastapi", "uvicorn", "multipart", "duckdb"),  # Jinja2 is core: the run report needs it
    "sweep": ("dask", "distributed", "duckdb", "SALib"),
    "bayes": ("pyabc",),  # calibrate --method abc
}


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here."""
    out = []
    for module in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a module set to None in sys.modules, or a broken one
            found = False
        if not found:
            out.append(module)
    return out


def require(extra: str, what: str) -> None:
    """Raise an ``ImmsimError`` naming the extra to install if ``what`` (a command) cannot run without it."""
    gone = missing(extra)
    if gone:
        raise ImmsimError(
            f"{what} needs immsim's '{extra}' extra ({', '.join(gone)} not installed): "
            f"pip install 'immsim[{extra}]' (from a clone: pip install -e '.[{extra}]')"
        )
