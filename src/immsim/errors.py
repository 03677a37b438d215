"""Errors a user can act on. The CLI prints them without a traceback."""

from __future__ import annotations


class ImmsimError(Exception):
    """Base class for errors caused by input or by a failed model check."""


class ScenarioError(ImmsimError):
    """A scenario file is invalid; says which file, line and field, and why."""

    def __init__(self, file: str, field: str, problem: str, line: int | None = None) -> None:
        self.file, self.field, self.problem, self.line = file, field, problem, line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field}: {problem}" if field else f"{where}: {problem}")


class LedgerError(ImmsimError):
    """The stock-and-flow ledger does not balance: people were lost or duplicated."""
