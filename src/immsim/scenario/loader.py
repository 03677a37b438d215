"""Read a scenario file, validate it, and say precisely what is wrong if it is not.

Errors name the file, the line and the field (``parameters.booking_rate.value``),
and the problem. The YAML is read by ``scenario.yamldoc``, its structure is
checked by the Pydantic schema (``scenario.schema``) and its meaning
(parameter names and shapes, bounds, references between sections) by
``scenario.checks``. A file with a ``base`` is a reform: its base is loaded
here and its changes applied by ``scenario.reform``. ``Scenario.with_changes``
derives a scenario in code with the same changes, without writing a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from immsim.errors import ScenarioError
from immsim.scenario import reform
from immsim.scenario.checks import semantic_problem
from immsim.scenario.schema import ScenarioFile
from immsim.scenario.yamldoc import (
    MAX_BYTES,
    dotted,
    dump_document,
    line_of,
    load_document,
    read_bytes,
    read_yaml,
    validation_error,
)

__all__ = ["MAX_BYTES", "Scenario", "builtin_names", "load_scenario", "parse_scenario", "resolve"]

#: Reforms of reforms: each step re-validates a whole scenario, and the chain is followed by recursion.
MAX_BASES = 20


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: the parsed file and where it came from.

    Made by ``load_scenario`` (or ``parse_scenario``) and by
    ``Scenario.with_changes``, never edited in place: a scenario is frozen, so
    the runs, reports and catalogs that hold one can trust that it is the one
    that was validated. To change one, derive a new one with ``with_changes``.

    Attributes
    ----------
    data : ScenarioFile
        The validated contents (``immsim.scenario.schema.ScenarioFile``):
        ``name``, ``title``, ``start``, ``jurisdictions``, ``parameters``,
        ``events``, ... (``docs/model.md``, "The scenario file").
    path : str
        Where it came from, as given (a built-in name or a path), for messages.
    text : str
        The YAML text; for a reform or a derived scenario, the resolved scenario's whole document.
    changed_by : dict of str to str
        For a reform or a derived scenario: field (``parameters.immigration_judges``)
        to the change that set it (``more-judges change 1``).
    base : str or None
        The name of the scenario a reform changes; None for a scenario file.

    Examples
    --------
    >>> import immsim
    >>> scenario = immsim.load_scenario("ma-without-lunn")
    >>> scenario.name, scenario.base
    ('ma-without-lunn', 'us-2017')
    >>> scenario.data.start.isoformat()
    '2016-10-01'
    >>> list(scenario.changed_by.values())
    ['ma-without-lunn change 1']
    """

    data: ScenarioFile
    path: str
    _source: str | dict = field(repr=False, compare=False)  # the YAML text, or the document ``text`` writes
    changed_by: dict[str, str] = field(default_factory=dict)  # field -> the reform change that set it
    base: str | None = None  # the scenario a reform changes

    @cached_property
    def text(self) -> str:
        """The YAML text; for a reform or a derived scenario, the resolved scenario's whole document.

        A derived scenario keeps its document and writes the text when it is first read: the
        calibrations and solvers derive and run hundreds of scenarios whose text nobody reads, and
        writing one is most of the cost of deriving it.

        Examples
        --------
        >>> import immsim
        >>> base = immsim.load_scenario("us-2017")
        >>> more = base.with_changes([{"parameter": "immigration_judges", "scale": 1.1, "source": "example"}])
        >>> more.text.splitlines()[0], "solver" in more.text, "example" in more.text
        ('name: us-2017-changed', False, True)
        """
        return self._source if isinstance(self._source, str) else dump_document(self._source)

    @property
    def name(self) -> str:
        """The scenario's ``name`` field (letters, digits, ``_ . -``), which results and catalogs use.

        Examples
        --------
        >>> import immsim
        >>> immsim.load_scenario("us-2017").name
        'us-2017'
        """
        return self.data.name

    @property
    def offices(self) -> list[str]:
        """The ICE field offices of the scenario's jurisdictions, in the order they first appear.

        Office-level parameters (officers) and ``Result.offices`` are by these offices.

        Examples
        --------
        >>> import immsim
        >>> offices = immsim.load_scenario("us-2017").offices
        >>> "Los Angeles" in offices, len(offices) == len(set(offices))
        (True, True)
        """
        seen: dict[str, None] = {}
        for j in self.data.jurisdictions:
            seen.setdefault(j.office, None)
        return list(seen)

    def with_changes(
        self,
        changes: Sequence[dict[str, Any] | BaseModel],
        *,
        name: str | None = None,
        title: str | None = None,
        start: str | None = None,
    ) -> Scenario:
        """This scenario with ``changes`` applied, validated like any scenario.

        The one way to derive a scenario in code: the solvers, the sweeps, the
        court back-test and the sanctuary report use it, and a reform file is
        read into the same changes. Nothing is written or parsed again, and
        the result remembers which change set each field (``changed_by``).

        Parameters
        ----------
        changes : sequence of dict or pydantic.BaseModel
            Changes in the forms a reform file lists under ``changes`` (the README and
            ``docs/model.md``, "The scenario file"), applied in order: mappings such as
            ``{"parameter": "immigration_judges", "value": 500}``, ``{"parameter": "jail_officers",
            "scale": 1.5}`` or ``{"policy": "honor", "where": {"all": True}, "from": "2017-01-01"}``,
            or the models of ``immsim.scenario.reform`` (``SetParameter``, ``SetPolicy``,
            ``DefinePolicy``, ``SetInitial``, ``AddEvent``, ``RemoveEvent``).
        name, title : str, optional
            Of the new scenario; by default this one's name with ``-changed``, and its title.
        start : str, optional
            A new first day (ISO date), as a reform file's ``start``.

        Returns
        -------
        Scenario
            A new scenario whose ``base`` is this one and whose ``changed_by`` says which change set what.

        Raises
        ------
        ScenarioError
            Naming the change (``changes.2``) and the problem when a change is malformed or cannot be
            applied, or the field when the result does not validate.

        Examples
        --------
        >>> import immsim
        >>> more = immsim.load_scenario("us-2017").with_changes(
        ...     [{"parameter": "immigration_judges", "scale": 1.5}], name="more-judges-50pct")
        >>> more.changed_by["parameters.immigration_judges"]
        'more-judges-50pct change 1'
        """
        name = name or f"{self.name}-changed"
        shown = f"{self.path} ({name})"
        try:
            parsed = reform.read_changes(changes)
        except ValidationError as e:
            raise validation_error(
                e, {"changes": [_plain(c) for c in changes]}, {}, shown, prefix=("changes",)
            ) from None
        return _derive(self, parsed, shown, {}, name=name, title=title or self.data.title, start=start)


def builtin_names() -> list[str]:
    """The names of the built-in scenarios, which ``load_scenario`` accepts in place of a path.

    Each is a file in ``src/immsim/scenario/data/``; ``docs/scenarios.md``
    gives the question each answers.

    Returns
    -------
    list of str
        Sorted names, ``us-2017`` (the default) among them.

    Examples
    --------
    >>> import immsim
    >>> "us-2017" in immsim.builtin_names()
    True
    """
    folder = resources.files("immsim.scenario") / "data"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _exists(p: Path) -> bool:
    """``p.exists()``, but False for names the OS refuses (too long, ...): those name no file either."""
    try:
        return p.exists()
    except (OSError, ValueError):
        return False


def resolve(name_or_path: str | Path) -> Path:
    """A built-in scenario name (``us-2017``) or a path to a file."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or _exists(p):
        return p
    if str(name_or_path) in builtin_names():
        return Path(str(resources.files("immsim.scenario") / "data" / f"{name_or_path}.yaml"))
    known = ", ".join(builtin_names())
    raise ScenarioError(str(name_or_path), "", f"no such file or built-in scenario (built-in: {known})")


def load_scenario(name_or_path: str | Path) -> Scenario:
    r"""Load and validate a scenario: a built-in name or a YAML file.

    A file with a ``base`` is a reform: its base is loaded (a built-in name,
    or a path relative to the file) and its changes applied, as
    ``Scenario.with_changes`` does. Everything is checked before anything
    runs, so that a mistake is reported with its file, line and field rather
    than as a wrong number later.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A built-in name (``builtin_names()``, for example ``"us-2017"``) or
        the path of a scenario or reform file (``.yaml`` or ``.yml``).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        When there is no such file or built-in scenario, the file cannot be
        read or is not UTF-8 YAML, a field is missing, unknown or out of
        bounds, a reference (policy, regime, jurisdiction, ...) names nothing,
        or reforms name each other as ``base`` in a cycle. The error names
        the file, the line and the field (``e.file``, ``e.line``,
        ``e.field``, ``e.problem``).

    See Also
    --------
    Scenario.with_changes : derive a scenario in code.

    Examples
    --------
    >>> import immsim
    >>> immsim.load_scenario("us-2017").data.title
    'United States, from October 2016 (built-in default, calibrated)'

    A reform file changes another scenario:

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "judges.yaml").write_text(
    ...     "name: judges-600\n"
    ...     "title: 600 judges\n"
    ...     "base: us-2017\n"
    ...     "changes:\n"
    ...     "  - parameter: immigration_judges\n"
    ...     "    value: 600\n")
    >>> judges = immsim.load_scenario(folder / "judges.yaml")
    >>> judges.base, judges.data.parameters["immigration_judges"].value
    ('us-2017', 600.0)

    A mistake names the file, the line and the field:

    >>> _ = (folder / "typo.yaml").write_text(
    ...     "name: typo\ntitle: t\nbase: us-2017\nchanges:\n  - parameter: immigration_judgs\n    value: 600\n")
    >>> immsim.load_scenario(folder / "typo.yaml")
    Traceback (most recent call last):
    ...
    immsim.errors.ScenarioError: .../typo.yaml:5: changes.0: ...
    """
    return _load(name_or_path, ())


def _load(name_or_path: str | Path, _seen: tuple[str, ...]) -> Scenario:
    """``load_scenario``, with the files already being loaded down a chain of reforms (to refuse a cycle)."""
    path = resolve(name_or_path)
    shown = str(name_or_path)
    if len(_seen) > MAX_BASES:
        raise ScenarioError(shown, "base", f"more than {MAX_BASES} scenarios chained through 'base'")
    try:
        key = str(path.resolve())
    except (OSError, ValueError, RuntimeError) as e:  # RuntimeError: a symbolic link loop (Python < 3.13)
        raise ScenarioError(shown, "", f"cannot read the file ({getattr(e, 'strerror', None) or e})") from None
    if key in _seen:
        chain = " -> ".join([*_seen, key])
        raise ScenarioError(shown, "base", f"scenarios name each other as base in a cycle: {chain}")
    _seen = (*_seen, key)
    raw = read_bytes(path, shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(shown, "", f"not UTF-8 text (byte {e.start})") from None
    return parse_scenario(text, shown, _seen)


def parse_scenario(text: str, shown: str = "<scenario>", _seen: tuple[str, ...] = ()) -> Scenario:
    """Validate scenario ``text`` (YAML); ``shown`` names it in error messages.

    A file with a ``base`` field is a reform: a list of changes to another
    scenario (see ``immsim.scenario.reform``).
    """
    doc, lines = read_yaml(text, shown)
    if "base" in doc:
        return _resolve_reform(doc, lines, shown, _seen)
    return validate_document(doc, lines, text, shown)


def validate_document(
    doc: dict, lines: dict, text: str | None, shown: str, changed_by: dict | None = None, base: str | None = None
) -> Scenario:
    """A Scenario from a parsed document; ``lines`` maps field paths to lines of ``text`` for the errors.

    Without ``text`` (a derived scenario) the document is kept, and becomes the text when that is first read.
    """
    try:
        data = ScenarioFile.model_validate(doc)
    except ValidationError as e:
        raise validation_error(e, doc, lines, shown) from None
    problem = semantic_problem(data)
    if problem:
        loc, msg = problem
        raise ScenarioError(shown, dotted(loc), msg, line_of(lines, loc))
    return Scenario(data, shown, doc if text is None else text, changed_by or {}, base)


def _base_path(base: str, shown: str) -> str:
    """A reform's base: a built-in name, an absolute path, or a path relative to the reform file."""
    if base in builtin_names() or Path(base).is_absolute():
        return base
    return str(Path(shown).parent / base)


def _resolve_reform(doc: dict, lines: dict, shown: str, seen: tuple[str, ...]) -> Scenario:
    """Load a reform's base, apply its changes and validate the result."""
    try:
        ref = reform.read_reform(doc)
    except ValidationError as e:
        raise validation_error(e, doc, lines, shown) from None
    base_path = _base_path(ref.base, shown)
    try:
        base = _load(base_path, seen)
    except ScenarioError as e:
        if e.file == base_path and e.line is None and e.field in ("", "base"):
            # the base itself is missing, unreadable or in a cycle: the fault is this file's 'base' field
            raise ScenarioError(shown, "base", f"{base_path}: {e.problem}", line_of(lines, ("base",))) from None
        raise
    return _derive(
        base,
        ref.changes,
        shown,
        lines,
        name=ref.name,
        title=ref.title,
        description=ref.description or ref.question or None,
        start=ref.start.isoformat() if ref.start else None,
    )


def _derive(
    base: Scenario,
    changes: list,
    shown: str,
    lines: dict,
    *,
    name: str,
    title: str,
    description: str | None = None,
    start: str | None = None,
) -> Scenario:
    """``base`` with ``changes`` applied; errors name the change, at its line of the reform file if there is one."""
    doc = load_document(base.text)  # a derived scenario's text is its whole document, so derivations chain
    changed_by = dict(base.changed_by)
    try:
        reform.apply_changes(doc, changes, name, title, changed_by)
    except reform.ChangeProblem as e:
        loc = ("changes", e.index)
        raise ScenarioError(shown, dotted(loc), e.problem, line_of(lines, loc)) from None
    doc["name"], doc["title"] = name, title
    if description:
        doc["description"] = description
    if start:
        doc["start"] = start
    try:
        return validate_document(doc, {}, None, shown, changed_by, base.name)
    except ScenarioError as e:
        raise ScenarioError(shown, e.field, f"after applying the changes: {e.problem}", None) from None


def _plain(change: Any) -> Any:
    return change.model_dump(by_alias=True) if isinstance(change, BaseModel) else change
