"""Errors a user can act on. The CLI prints them without a traceback."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with control and other unprintable characters escaped (``\\n``, ``\\x1b``, ``\\u202e``).

    Messages quote names and values from the user's file: escaped, a message
    stays one line and cannot move the cursor or recolor the terminal.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ImmsimError(Exception):
    """Base class for errors caused by input or by a failed model check."""


class ScenarioError(ImmsimError):
    """A scenario file is invalid; says which file, line and field, and why.

    The attributes hold the text as given; the message escapes unprintable characters.
    """

    def __init__(self, file: str, field: str, problem: str, line: int | None = None) -> None:
        self.file, self.field, self.problem, self.line = file, field, problem, line
        where = f"{file}:{line}" if line else file
        super().__init__(printable(f"{where}: {field}: {problem}" if field else f"{where}: {problem}"))


class LedgerError(ImmsimError):
    """The stock-and-flow ledger does not balance: people were lost or duplicated."""
