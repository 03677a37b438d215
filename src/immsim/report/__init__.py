"""Reports of a run: national monthly charts and a self-contained HTML file.

``figures(result)`` returns Plotly figures (no I/O, reusable by other front
ends); ``write_html_report(result, path)`` writes them, the headline figures,
the figures by criminal history with officer-days per arrest
(``report.history``) and a per-state table to one offline HTML file.
"""

from immsim.report.charts import figures
from immsim.report.html import write_html_report

__all__ = ["figures", "write_html_report"]
