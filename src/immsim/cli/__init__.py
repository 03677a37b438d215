"""The ``immsim`` command line: a thin layer over the Python API.

One module per group of commands, all registered on one Typer app
(``common.app``): ``simulate`` (run, compare, solve), ``checks`` (validate,
calibrate, sanctuary), ``crossval`` (crossvalidate), ``scenarios`` (scenario
list and show) and ``services`` (sweep, sensitivity, serve). Importing this
package registers them; ``main`` runs the app (the ``immsim`` script).
"""

from __future__ import annotations

from immsim.cli import checks, scenarios, services, simulate  # noqa: F401  (each registers its commands)
from immsim.cli.common import app, guarded
from immsim.cli.crossval import crossvalidate_cmd

app.command("crossvalidate")(guarded(crossvalidate_cmd))

#: The order of ``immsim --help``: simulate first, then check, then many runs (modules register alphabetically).
ORDER = ("run", "compare", "validate", "calibrate", "crossvalidate", "sanctuary", "sweep", "sensitivity", "serve")


def _place(command) -> int:
    name = command.name or command.callback.__name__  # @app.command() without a name: the function's
    return ORDER.index(name) if name in ORDER else len(ORDER)


app.registered_commands.sort(key=_place)


def main() -> None:
    app()


__all__ = ["app", "main"]
