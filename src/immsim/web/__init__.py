"""A local web app over immsim: choose and change a scenario, run it, read and share its results.

``immsim serve`` starts it on 127.0.0.1; ``create_app`` builds it for other
servers and for tests. Modules:

- ``library``: the scenarios on offer (built-in and uploaded)
- ``levers``: the changes people ask about, written as a reform file
- ``jobs`` and ``worker``: the bounded run queue, one process per run
- ``api``: the JSON API; ``pages``: the HTML pages that use it
"""

from immsim.web.app import create_app

__all__ = ["create_app"]
