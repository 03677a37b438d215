"""Where Numba keeps compiled kernels: a folder named after the kernels' source.

Numba's own cache is invalidated only when a function's own file changes, not
when a constant it imports from another module does (for example a state code
in ``model/codes.py``); a stale kernel would then run with old codes. Naming
the cache folder after a hash of every compiled module's source makes any
change start from a fresh folder. The files' modification times are part of
the hash too: a process that compiles a kernel after a source file was edited
under it stores code that does not match the hash it computed at start-up, and
only a hash no later process can compute again keeps that code out of their
way. This runs before Numba is imported.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _source_hash() -> str:
    h = hashlib.sha256()
    for folder in ("engine", "model"):
        for f in sorted((_PACKAGE / folder).glob("*.py")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
            h.update(str(f.stat().st_mtime_ns).encode())
    return h.hexdigest()[:16]


def configure() -> None:
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "immsim"
    os.environ["NUMBA_CACHE_DIR"] = str(base / f"numba-{_source_hash()}")


configure()
