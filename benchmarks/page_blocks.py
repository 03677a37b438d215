"""Generated blocks inside hand-written pages: the figures a benchmark measured, between two markers.

Pages such as docs/reliability.md and docs/sweeps.md are prose written by hand around figures measured by a
command. The figures sit between ``<!-- generated: NAME -->`` and ``<!-- /generated: NAME -->`` (invisible
once rendered) and only the command rewrites them, so the prose can be edited freely and the figures cannot
be edited without the command noticing (tests/test_docs.py renders them again from the saved figures).
"""

from __future__ import annotations

import re

_BLOCK = re.compile(r"<!-- generated: (?P<name>[\w-]+) -->\n(?P<body>.*?)<!-- /generated: (?P=name) -->", re.S)


def blocks(text: str) -> dict[str, str]:
    """Each generated block of ``text``: its name and what is between its markers."""
    found: dict[str, str] = {}
    for m in _BLOCK.finditer(text):
        if m["name"] in found:
            raise ValueError(f"generated block {m['name']!r} appears twice")
        found[m["name"]] = m["body"]
    return found


def replace(text: str, new: dict[str, str]) -> str:
    """``text`` with each block named in ``new`` replaced; every block of the page must be given, and no other.

    A block the page lacks, or one the page has and the command no longer writes, is an error rather than a
    silent skip: either would leave figures that no command produces.
    """
    have = set(blocks(text))
    if have != set(new):
        raise ValueError(f"the page's generated blocks {sorted(have)} are not those the command writes {sorted(new)}")

    def body(m: re.Match) -> str:
        content = new[m["name"]].rstrip("\n") + "\n"
        return f"<!-- generated: {m['name']} -->\n{content}<!-- /generated: {m['name']} -->"

    return _BLOCK.sub(body, text)
