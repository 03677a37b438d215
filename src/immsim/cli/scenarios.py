"""``immsim scenario list`` and ``immsim scenario show``: what the built-in and user scenarios hold."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from immsim.cli.common import (
    app,
    guarded,
    out_console,
)

scenario_app = typer.Typer(no_args_is_help=True, help="List and inspect scenarios.")
app.add_typer(scenario_app, name="scenario")


@scenario_app.command("list")
@guarded
def scenario_list() -> None:
    """List the built-in scenarios and the question each answers."""
    import immsim

    t = Table(title="Built-in scenarios")
    for col in ("name", "base", "title"):
        t.add_column(col)
    for name in immsim.builtin_names():
        sc = immsim.load_scenario(name)
        t.add_row(name, Text(sc.base or "-"), Text(sc.data.title))
    out_console.print(t)


@scenario_app.command("show")
@guarded
def scenario_show(
    scenario: Annotated[str, typer.Argument(help="built-in scenario name or scenario file")],
) -> None:
    """Print a scenario's parameters, jurisdictions, policies and events, with sources and the change that set each."""
    import immsim
    from immsim.cli.tables import jurisdictions_table, policies_table
    from immsim.scenario.priors import describe
    from immsim.scenario.sources import is_assumption, source_text

    sc = immsim.load_scenario(scenario)
    heading = sc.data.title + (f" (changes to {sc.base})" if sc.base else "")
    out_console.print(f"[bold]{escape(sc.name)}[/bold]: {escape(heading)}")
    out_console.print(sc.data.description, highlight=False, markup=False)
    t = Table(title="Parameters")
    for col in ("parameter", "value", "unit", "source", "range (prior)", "set by"):
        t.add_column(col, overflow="fold")
    for name, p in sc.data.parameters.items():
        value = (
            _short(p.value)
            if p.value is not None
            else "; ".join(f"from {s.start}: {_short(s.value)}" for s in p.series or [])
        )
        spread = f"{p.range[0]:g} to {p.range[1]:g}" if p.range else "-"
        if p.range and is_assumption(p.source):  # only an assumption has a prior (uniform unless it names one)
            spread += f" ({describe(p.prior)})"
        changed = sc.changed_by.get(f"parameters.{name}", "base")
        cells = (name, value, p.unit, source_text(p.source), spread, changed)
        t.add_row(*map(Text, cells))  # sources are text, not markup
    out_console.print(t)
    out_console.print(jurisdictions_table(sc))
    out_console.print(policies_table(sc))
    ev = Table(title="Dated events")
    for col in ("date", "type", "what", "source"):
        ev.add_column(col, overflow="fold")
    for e in sorted(sc.data.events, key=lambda e: e.date):
        ev.add_row(*map(Text, (str(e.date), e.type, _event_text(e), source_text(e.source))))
    out_console.print(ev)
    for key, label in sc.changed_by.items():
        if not key.startswith("parameters."):
            out_console.print(f"{label}: {key}", highlight=False, markup=False)


def _event_text(e) -> str:
    if e.type == "policy":
        return f"{e.scope} {e.target}: {e.mode} {e.policy}"
    if e.type == "regime":
        return f"regime {e.regime}"
    if e.type == "injunction":
        return f"stay removals of {e.cohort}" + (f" until {e.end}" if e.end else "")
    if e.type == "court_policy":
        factor = "" if e.factor is None else f" x{e.factor:g}"
        if e.policy == "mpp":
            factor = f" share {e.share:g}, no-show {e.no_show_probability:g}, judges {e.judge_share:g}"
        return f"court: {e.policy}{factor}" + (f" until {e.end}" if e.end else "")
    return f"HYPOTHETICAL federal pressure: comply probability {e.comply_probability}"


def _short(v) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}={x:g}" for k, x in v.items())
    return f"{v:g}"
