"""Rewrite scenario files in place with a transform, keeping their leading comment lines.

Shared by the one-off transforms of the default scenario (``us2017_classes.py``,
``us2017_local.py``): read the YAML, apply the transform, write it back with
the same comment header.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml


def rewrite(paths: list[str], transform: Callable[[dict], dict], verb: str) -> int:
    """Apply ``transform`` to each scenario file of ``paths``; prints one line per file."""
    for path in paths:
        p = Path(path)
        text = p.read_text()
        header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        doc = transform(yaml.safe_load(text))
        p.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True))
        print(f"{verb} {p}: {len(doc['jurisdictions'])} jurisdictions")
    return 0
