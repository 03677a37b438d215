"""The base of every model that reads user input: unknown fields are errors, and values do not change.

A misspelt field in a scenario, a reform, a sweep or a web request must be
refused with its name, not silently ignored; and a validated value is shared
(between replications, threads and caches), so it is frozen.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A Pydantic model that forbids unknown fields and is immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)
