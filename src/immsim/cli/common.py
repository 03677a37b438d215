"""What every command shares: the Typer app, the consoles, error handling and table cells.

Errors a user can act on (a bad scenario, bad options, a failed model check)
are printed as one plain message and exit with status 2; nothing is written.
Ctrl-C exits with status 130. Heavy modules are imported inside the commands,
so ``immsim --help`` stays fast.
"""

from __future__ import annotations

import functools

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from immsim._format import MISSING_TERMINAL, interval, number

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="immsim: simulate U.S. interior immigration enforcement (jails, detainers, "
    "operations, detention, courts, removals).",
)
console = Console(stderr=True, soft_wrap=True)  # errors stay on one line, whatever the path length
out_console = Console()


def fmt(x: float, unit: str, signed: bool = False) -> str:
    """A figure in a terminal table (``immsim._format.number``, missing values as "-")."""
    return number(x, unit, missing=MISSING_TERMINAL, signed=signed)


def summary_table(summary, replications: int) -> Table:
    """One fiscal year's headline figures (``Result.summary``): value, and intervals when there are several runs."""
    fy = int(summary.fiscal_year.iloc[0])
    t = Table(
        title=f"Fiscal year {fy} (October {fy - 1} to September {fy})"
        + (f", mean of {replications} replications with 95% interval" if replications > 1 else "")
    )
    total = "total_low" in summary  # run with --uncertainty: the Monte Carlo band and the total band
    t.add_column("figure")
    t.add_column("value", justify="right")
    if replications > 1:
        t.add_column("95% Monte Carlo" if total else "95% interval", justify="right")
    if total and replications > 1:
        t.add_column("95% total", justify="right")
    for row in summary.itertuples():
        cells = [row.description, fmt(row.mean, row.unit)]
        if replications > 1:
            cells.append(interval(row.ci_low, row.ci_high, row.unit, missing=MISSING_TERMINAL))
        if total and replications > 1:
            cells.append(interval(row.total_low, row.total_high, row.unit, missing=MISSING_TERMINAL))
        t.add_row(*cells)
    return t


#: The ``--uncertainty`` option of run, compare and solve.
UNCERTAINTY_HELP = (
    "none (the scenario's values), posterior (the ensemble shipped with the scenario) or an ensemble file "
    "(posterior.csv from calibrate --method abc): each group of --per-draw replications runs one parameter set, "
    "and figures get a Monte Carlo and a total band"
)


def say_drivers(fiscal_years, result, what: str) -> None:
    """With --uncertainty: the assumptions whose factors go most with ``what`` (one fiscal year's rows)."""
    from immsim.uncertainty import year_drivers

    if result.draws.empty or fiscal_years.empty:
        return
    found = year_drivers(fiscal_years, result.draws, int(fiscal_years.fiscal_year.iloc[0]))
    if not found.empty:
        shares = ", ".join(f"{p} {r2:.0%}" for p, r2 in found.items())
        console.print(f"assumptions that move {what} most (r^2 over the sets run): {shares}", highlight=False)


def say_if_compiling() -> None:
    """Before the first run of a version, say that the kernels compile (else the bar sits at 0% meanwhile)."""
    from immsim._cache import COMPILE_SECONDS, kernels_compiled

    if not kernels_compiled():
        console.print(
            f"compiling the simulation kernels (first run of this version, about {COMPILE_SECONDS} s)...",
            highlight=False,
        )


def guarded(fn):
    """Print errors a user can act on as one line, exit 2; Ctrl-C exits 130."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from immsim.errors import ImmsimError

        try:
            return fn(*args, **kwargs)
        except ImmsimError as e:
            console.print("[red]error:[/red]", escape(str(e)), highlight=False)  # the message is text, not markup
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            console.print("interrupted: no partial result was written")
            raise typer.Exit(130) from None
        except RuntimeError as e:
            if not _duckdb_interrupted(e):
                raise
            console.print("interrupted: no partial result was written")
            raise typer.Exit(130) from None

    return wrapper


def _duckdb_interrupted(e: RuntimeError) -> bool:
    """Ctrl-C inside a DuckDB statement: DuckDB ends the statement with this error instead of the interrupt."""
    return str(e) == "Query interrupted"


def titled_table(title: str, df, columns: list[str]) -> Table:
    """``columns`` of a validation or fit table as a terminal table; every cell is text, never Rich markup."""
    t = Table(title=title)
    for col in columns:
        t.add_column(col, justify="left" if df[col].dtype == object else "right")
    for row in df[columns].itertuples(index=False):
        t.add_row(*(Text(cell_text(v, col)) for v, col in zip(row, columns, strict=True)))  # text, not markup
    return t


def cell_text(v, col: str) -> str:
    """A validation or fit table's cell: relative errors as signed percentages, other numbers as figures."""
    if isinstance(v, float):
        error = "error" in col
        return number(v, missing=MISSING_TERMINAL, signed=error, percent=error)
    return str(v)


def total_value(p) -> float:
    """A parameter's first value summed over its table (officers by office): the staffing the factor multiplies."""
    v = p.value if p.value is not None else p.series[0].value
    return sum(v.values()) if isinstance(v, dict) else float(v)
