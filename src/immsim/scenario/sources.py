"""Structured references: where a value comes from, in a form a program can read.

A value in a scenario names its source as the word ``assumption`` (no public
figure; the parameter then gives a range), or as one or more references::

    source:
      title: Weekly Declined Detainer Outcome Report, Section III
      publisher: U.S. Immigration and Customs Enforcement
      date: 2017-03-20
      locator: Section III, p. 5
      url: ...
      kind: primary        # primary | secondary | recalled | derived

``kind`` says how the figure was obtained: read in the agency's or court's
own document (primary), read in a page quoting it (secondary), known but not
read in a stored copy (recalled: treat as a placeholder), or computed from
other figures (derived), or chosen where no figure was found (assumption: in
a list of references, the one part of a value that no source gives). A plain line of text is still accepted, so that a
quick reform or a solver can say where its value came from; it is read as a
reference with that title, of the kind its text names ("(primary)",
"(secondary)") or else ``recalled``. The built-in scenarios use full
references (a test checks it).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from immsim._strict import Strict

KINDS = ("primary", "secondary", "recalled", "derived", "assumption")
ASSUMPTION = "assumption"


class Reference(Strict):
    """One public source of a value."""

    title: str = Field(min_length=1)
    publisher: str | None = None
    date: Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")] | None = None
    locator: str | None = None
    url: str | None = None
    kind: Literal[KINDS]  # type: ignore[valid-type]

    def text(self) -> str:
        """One line for tables: title, publisher, date, locator, kind."""
        parts = [self.title]
        parts += [x for x in (self.publisher, self.date, self.locator) if x]
        return ", ".join(parts) + f" ({self.kind})"


def _kind_of(text: str) -> str:
    low = text.lower()
    for kind in ("primary", "secondary", "derived"):
        if f"({kind})" in low or low.startswith(f"{kind}:"):
            return kind
    return "recalled"


def reference_from_text(text: str) -> dict:
    """A reference (as a document mapping) from a line of text: its title, and the kind the text names."""
    return {"title": text.strip(), "kind": _kind_of(text)}


def _read(value: Any) -> Any:
    """A line of text becomes a reference (or stays the word 'assumption')."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower().startswith(ASSUMPTION):
            return text  # "assumption", perhaps with a remark: "assumption (about 1,400 people)"
        if not text:
            raise ValueError("a source must not be empty: name a public source, or write 'assumption'")
        return reference_from_text(text)
    return value


#: A field that names where a value comes from.
Assumption = Annotated[str, Field(pattern=r"^(?i:assumption)")]
Source = Annotated[Assumption | Reference | list[Reference], BeforeValidator(_read)]


def is_assumption(source: Any) -> bool:
    """True if ``source`` (parsed, or as written in a document) says ``assumption``."""
    if isinstance(source, str):
        return source.strip().lower().startswith(ASSUMPTION)
    return False


def references(source: Any) -> list[Reference]:
    """The references of a parsed source (none for an assumption)."""
    if isinstance(source, Reference):
        return [source]
    if isinstance(source, list):
        return list(source)
    return []


def source_text(source: Any) -> str:
    """A source as one line of text, for tables and reports."""
    if isinstance(source, str):
        return source
    if isinstance(source, dict):  # as written in a document
        return source.get("title", "")
    refs = references(source)
    return "; ".join(r.text() for r in refs)


def source_kinds(source: Any) -> list[str]:
    """The kinds of a source's references, or ['assumption']."""
    return ["assumption"] if is_assumption(source) else [r.kind for r in references(source)]


def source_document(source: Any) -> Any:
    """A parsed source as it is written in a document (text, a mapping, or a list of mappings); None stays None."""
    if isinstance(source, Reference):
        return source.model_dump(exclude_none=True)
    if isinstance(source, list):
        return [source_document(r) for r in source]
    return source
