"""The examples in README.md and docs/*.md: fenced blocks and command lines, as the tests read them.

A fenced block is an example in the language its fence names: ``python`` is
run, ``sh`` has its ``immsim`` commands checked, ``yaml`` is validated as a
scenario, reform, change list, parameter entry or sweep spec, ``sql`` is run
against a run catalog. ``text`` is output, a diagram or a listing, and is
not checked; a fence without a language is refused, so that every block says
what it is.

An example that is deliberately not run says so, with its reason, in an HTML
comment on the last non-blank line before its fence (invisible on GitHub and
in the manual)::

    <!-- not run: needs a running Dask scheduler -->

    ```python
    ...
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LANGUAGES = ("python", "sh", "yaml", "sql", "text")

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)[^`]*$")
_NOT_RUN = re.compile(r"^\s*<!--\s*not run:\s*(?P<reason>.*?)\s*-->\s*$")
_INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
#: How an ``immsim`` command line begins in the docs.
_COMMAND = re.compile(r"^(?:\$\s+)?(?:\.venv/bin/)?immsim(?:\s|$)")


@dataclass(frozen=True)
class Block:
    """One fenced block of a page."""

    page: Path
    line: int  # of the opening fence, counting from 1
    language: str
    code: str
    not_run: str | None  # the reason given in a ``<!-- not run: ... -->`` comment, if any

    @property
    def where(self) -> str:
        return f"{_shown(self.page)}:{self.line}"


def _shown(page: Path) -> str:
    """A page's path from the repository's root (or as it is, outside the repository)."""
    return str(page.relative_to(ROOT)) if page.is_relative_to(ROOT) else str(page)


def blocks(pages: list[Path] = PAGES) -> list[Block]:
    """Every fenced block of ``pages``, in order."""
    out = []
    for page in pages:
        lines = page.read_text().splitlines()
        i = 0
        while i < len(lines):
            m = _FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            fence, start = m["fence"], i
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i][len(m["indent"]) :] if lines[i].startswith(m["indent"]) else lines[i])
                i += 1
            before = next((t for t in reversed(lines[:start]) if t.strip()), "")
            reason = _NOT_RUN.match(before)
            out.append(Block(page, start + 1, m["info"], "\n".join(body) + "\n", reason["reason"] if reason else None))
            i += 1
    return out


def _prose(page: Path) -> str:
    """The page without its fenced blocks."""
    keep, inside = [], None
    for line in page.read_text().splitlines():
        m = _FENCE.match(line)
        if inside is None and m:
            inside = m["fence"]
        elif inside is not None and line.strip().startswith(inside):
            inside = None
        elif inside is None:
            keep.append(line)
    return "\n".join(keep)


@dataclass(frozen=True)
class Command:
    """One shell command from a page: an ``sh`` block's line or an inline code span."""

    where: str
    text: str
    args: list[str]  # the words after the program


def commands(pages: list[Path] = PAGES) -> list[Command]:
    """Every shell command of ``pages`` that runs ``immsim``, a script or a Python file.

    ``sh`` blocks give one command per line (joined with ``&&`` or ``;``
    they are split); inline code spans count when they begin with
    ``immsim`` (or ``.venv/bin/immsim``) and a word, as in ``immsim run``.
    """
    out = []
    for b in blocks(pages):
        if b.language != "sh" or b.not_run:
            continue
        for n, line in enumerate(b.code.splitlines()):
            for part in re.split(r"\s*(?:&&|;|\|\|)\s*", line):
                words = _words(part)
                if words:
                    out.append(Command(f"{b.where}+{n + 1}", part.strip(), words))
    for page in pages:
        for m in _INLINE.finditer(_prose(page)):
            text = m[1].strip()
            if _COMMAND.match(text) and len(text.split()) > 1:
                out.append(Command(f"{_shown(page)} (inline)", text, _words(text)))
    return out


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # an unbalanced quote: keep the words, the check reports what it cannot read
        return line.split()


def variants(args: list[str]) -> list[list[str]]:
    """The command lines a synopsis stands for: optional ``[...]`` parts left out, and all put in.

    ``run [SCENARIO] --years 10`` gives ``run --years 10`` and ``run SCENARIO --years 10``.
    """
    without, with_all, depth = [], [], 0
    for word in args:
        opens, closes = word.startswith("["), word.endswith("]")
        bare = word.removeprefix("[").removesuffix("]") if (opens or closes) else word
        depth += opens
        with_all.append(bare)
        if depth == 0:
            without.append(bare)
        depth -= closes
    return [without] if without == with_all else [without, with_all]
