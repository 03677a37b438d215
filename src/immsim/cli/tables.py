"""Rich tables for the command line: figures by criminal history, policies, jurisdictions.

Kept apart from the command modules so that they stay lists of commands;
imported only by the commands that print these tables (``immsim --help``
must not load pandas). Every cell is ``Text``: scenario text is never markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from immsim._format import MISSING_TERMINAL, interval, is_missing, number

if TYPE_CHECKING:
    import pandas as pd

    from immsim.scenario.loader import Scenario


def history_summary_table(summary: pd.DataFrame, replications: int) -> Table:
    """Figures by criminal history (``Result.summary_by_history``): one row per figure, one column per history.

    Means only, to stay narrow enough for a terminal; the intervals are in
    ``summary_by_history.csv`` and the report.
    """
    from immsim.model.codes import HISTORIES, HISTORY_LABELS

    fy = int(summary.fiscal_year.iloc[0])
    what = f"mean of {replications} replications" if replications > 1 else "one replication"
    t = Table(title=f"By criminal history, fiscal year {fy} ({what})")
    t.add_column("figure")
    for label in HISTORY_LABELS:
        t.add_column(label, justify="right")
    cells = summary.set_index(["figure", "criminal_history"])["mean"]
    for figure, description in dict(zip(summary.figure, summary.description, strict=True)).items():
        t.add_row(Text(description), *(Text(number(cells[(figure, h)], missing=MISSING_TERMINAL)) for h in HISTORIES))
    return t


def history_difference_table(rows: pd.DataFrame, base: str, name: str, replications: int) -> Table:
    """Paired differences by criminal history (``Comparison.by_history``, one alternative), with 95 % intervals."""
    from immsim.model.codes import HISTORIES, HISTORY_LABELS

    fy = int(rows.fiscal_year.iloc[0])
    t = Table(
        title=f"{name} minus {base} by criminal history, fiscal year {fy}: difference (95% interval), "
        f"{replications} paired replications"
    )
    t.add_column("figure")
    for label in HISTORY_LABELS:
        t.add_column(label, justify="right")
    by = rows.set_index(["figure", "criminal_history"])
    for figure, description in dict(zip(rows.figure, rows.description, strict=True)).items():
        cells = []
        for h in HISTORIES:
            r = by.loc[(figure, h)]
            bounds = "" if is_missing(r.ci_low) else f" ({interval(r.ci_low, r.ci_high, signed=True)})"
            cells.append(Text(number(r.difference, missing=MISSING_TERMINAL, signed=True) + bounds))
        t.add_row(Text(description), *cells)
    return t


def policies_table(scenario: Scenario) -> Table:
    """Every policy a scenario can use, built-in and its own: the action per criminal history and the warrant rule."""
    from immsim.model.codes import HISTORY_LABELS
    from immsim.scenario.compile import scenario_policies
    from immsim.scenario.sources import source_text

    own = scenario.data.policies
    t = Table(title="Cooperation policies (action at release, by criminal history)")
    for col in ("policy", "defined by", *HISTORY_LABELS, "judicial warrant", "meaning", "source"):
        t.add_column(col, overflow="fold")
    for name, p in scenario_policies(scenario.data).items():
        source = source_text(own[name].source) if name in own else ""
        warrant = "required for holds and 287(g) transfers" if p.judicial_warrant else "no"
        t.add_row(*map(Text, (name, "scenario" if name in own else "built-in", *p.actions, warrant, p.meaning, source)))
    return t


def jurisdictions_table(scenario: Scenario) -> Table:
    """The scenario's jurisdictions: state, field office, removable population, starting policy and source."""
    from immsim.scenario.sources import source_text

    t = Table(title="Jurisdictions")
    for col in ("code", "name", "state", "office", "removable population", "policy", "source"):
        t.add_column(col, overflow="fold", justify="right" if col == "removable population" else "left")
    for j in scenario.data.jurisdictions:
        cells: tuple[Any, ...] = (
            j.code,
            j.name,
            j.state,
            j.office,
            f"{j.removable_population:,}",
            j.policy,
            source_text(j.source),
        )
        t.add_row(*map(Text, cells))
    return t
