"""The pieces every HTML page of immsim shares: styling, click-to-sort tables, cells and number formats.

The run report (``report.html``), the comparison report and the sweep report
are self-contained pages built from these, so they look and sort alike.
"""

from __future__ import annotations

import math
from html import escape

#: Minimal styling, inline so the file stays self-contained.
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0 1rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #eee; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; }
dl.settings { display: grid; grid-template-columns: max-content auto; gap: .15rem 1rem; }
dl.settings dt { font-weight: 600; }
dl.settings dd { margin: 0; }
.note { background: #f6f6f6; border-left: 4px solid #0072B2; padding: .6rem 1rem; font-size: .9rem; }
"""

#: Click-to-sort for tables marked ``sortable``, sorting on each cell's
#: ``data-value`` so that formatted numbers ("12,345") sort numerically.
SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.from(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.value, y = b.cells[col].dataset.value;
        var nx = parseFloat(x), ny = parseFloat(y);
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""

#: Plotly options for embedded charts: no logo link, no cloud editing.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

MISSING = "n/a"


def fmt(value: float, unit: str = "") -> str:
    """Readable number: shares as percentages, large counts with thousands separators.

    Means over replications are rarely whole numbers; showing decimals on
    counts in the thousands would suggest a precision the model does not have.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    v = float(value)
    if unit == "share":
        return f"{v:.1%}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def raw_value(value) -> str:
    """Machine-readable cell value for sorting and checking (``repr`` keeps full float precision)."""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def td(value, text: str | None = None, numeric: bool = False) -> str:
    """A table cell showing ``text`` (or the value) and carrying the raw value for sorting."""
    cls = ' class="num"' if numeric else ""
    shown = str(value) if text is None else text
    return f'<td{cls} data-value="{escape(raw_value(value))}">{escape(shown)}</td>'


def th(text: str, numeric: bool = False) -> str:
    """A column header."""
    cls = ' class="num"' if numeric else ""
    return f'<th scope="col"{cls}>{escape(text)}</th>'
