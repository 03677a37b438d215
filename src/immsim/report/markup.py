"""What every HTML page of immsim shares: the Jinja2 templates, the table model, and the chart embedding.

The run report (``report.html``), the comparison report and the sweep's
sensitivity page are self-contained pages rendered from the templates in
``report/templates`` (one base page with the styling and the click-to-sort
script, inline, so a page needs nothing from the network). Python builds the
content: tables as :class:`Table` (each cell showing formatted text and
carrying its raw value for sorting), charts as Plotly divs; the templates
only lay them out. Autoescaping is on, so scenario text (titles, names) is
never markup; the one exception is a chart's div, which Plotly writes and
:func:`chart_html` marks safe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

#: Plotly options for embedded charts: no logo link, no cloud editing.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def raw_value(value: Any) -> str:
    """Machine-readable cell value for sorting and checking (``repr`` keeps full float precision)."""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


@dataclass(frozen=True)
class Cell:
    """A table cell: ``text`` is shown, ``value`` is kept in ``data-value`` (sorting, tests, scrapers)."""

    value: Any
    text: str | None = None
    numeric: bool = False

    @property
    def raw(self) -> str:
        return raw_value(self.value)

    @property
    def shown(self) -> str:
        return str(self.value) if self.text is None else self.text


@dataclass(frozen=True)
class Column:
    """A column header; numeric columns are right-aligned."""

    text: str
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    """A table row; ``figure`` (a headline figure's name) goes to ``data-figure`` for tests and scripts."""

    cells: list[Cell]
    figure: str | None = None


@dataclass(frozen=True)
class Table:
    """A table for the ``table`` macro; ``sortable`` tables sort on a header click by their cells' raw values."""

    columns: list[Column]
    rows: list[Row]
    id: str | None = None
    sortable: bool = True
    css_class: str = ""
    data: dict[str, str] = field(default_factory=dict)

    @property
    def classes(self) -> str:
        return " ".join(x for x in ("sortable" if self.sortable else "", self.css_class) if x)


def columns(*headers: str | tuple[str, bool]) -> list[Column]:
    """Headers as columns: a bare string is a text column, ``(text, True)`` a numeric one."""
    return [Column(h) if isinstance(h, str) else Column(*h) for h in headers]


@cache
def environment() -> Environment:
    """The templates' environment: autoescaped (every template is HTML), undefined names are errors."""
    env = Environment(
        loader=PackageLoader("immsim.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render_page(template: str, **context: Any) -> str:
    """A page from ``templates/<template>``."""
    return environment().get_template(template).render(**context)


def chart_html(key: str, fig: Any, with_plotlyjs: bool = False) -> Markup:
    """A Plotly figure as a div with id ``chart-<key>``; plotly.js inline only when ``with_plotlyjs``.

    A page includes plotly.js once, with its first chart, and nothing from the network.
    """
    div = fig.to_html(
        full_html=False,
        include_plotlyjs=with_plotlyjs,
        include_mathjax=False,
        div_id=f"chart-{key}",
        config=PLOTLY_CONFIG,
    )
    return Markup(div)  # Plotly's own output: the data in it is JSON, escaped by Plotly
