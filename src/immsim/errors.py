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
    """Base class for errors caused by input or by a failed model check.

    Anything immsim raises on purpose is an ``ImmsimError`` with a message a
    user can act on; the command line prints it as one line, without a
    traceback, and exits with status 2. Any other exception is a bug.

    Examples
    --------
    >>> import immsim
    >>> try:
    ...     immsim.simulate("us-2017", replications=0)
    ... except immsim.ImmsimError as e:
    ...     print(e)
    replications: must be between 1 and 10000 (got 0)
    """


class ScenarioError(ImmsimError):
    """A scenario file is invalid; says which file, line and field, and why.

    The attributes hold the text as given; the message escapes unprintable characters.
    Sweep specs, reform changes and uploads to the web app report their
    problems with it too.

    Parameters
    ----------
    file : str
        The file (or built-in name) as the user gave it.
    field : str
        The field's dotted path (``parameters.booking_rate.value``), or ``""``
        when the problem is the file as a whole.
    problem : str
        What is wrong, in words.
    line : int, optional
        The line of the field in the file, when known.

    Attributes
    ----------
    file, field, problem : str
        As given.
    line : int or None
        As given.

    Examples
    --------
    >>> import immsim
    >>> try:
    ...     immsim.load_scenario("us-2016")
    ... except immsim.ScenarioError as e:
    ...     print(e.file, "|", e.problem[:38])
    us-2016 | no such file or built-in scenario (bui
    >>> str(immsim.ScenarioError("spec.yaml", "years", "must be more than 0", 4))
    'spec.yaml:4: years: must be more than 0'
    """

    def __init__(self, file: str, field: str, problem: str, line: int | None = None) -> None:
        self.file, self.field, self.problem, self.line = file, field, problem, line
        where = f"{file}:{line}" if line else file
        super().__init__(printable(f"{where}: {field}: {problem}" if field else f"{where}: {problem}"))


class LedgerError(ImmsimError):
    """The stock-and-flow ledger does not balance: people were lost or duplicated.

    Every replication is checked before its result is kept (``immsim.ledger``):
    each person is in exactly one state and, state by state and by criminal
    history, the initial stock plus the flows in minus the flows out equals
    the final stock. A failure is a bug in the model, not in the input; the
    message names the first state that does not add up.

    Examples
    --------
    >>> import immsim
    >>> issubclass(immsim.LedgerError, immsim.ImmsimError)
    True
    """
