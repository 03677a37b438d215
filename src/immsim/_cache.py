"""Where Numba keeps compiled kernels: a folder named after the kernels' source.

Numba's own cache is invalidated only when a function's own file changes, not
when a constant it imports from another module does (for example a state code
in ``model/codes.py``); a stale kernel would then run with old codes. Naming
the cache folder after a hash of every compiled module's source makes any
change start from a fresh folder. The files' modification times are hashed
too: Numba compiles lazily, so a process that computed the hash before a file
was edited may store code of the edited file under the old name; with the
times in the hash, no later process computes that name again. Folders unused
for a week are removed. This runs before Numba is imported.

Compiling the kernels into an empty folder takes tens of seconds, so the
command line says so before it starts: ``kernels_compiled`` is true once a
process has compiled (or loaded) this source's kernels under the lock below, or
a run has finished, and left a marker file next to the kernels.

Processes that start together on an empty folder (the test suite's workers,
a sweep's Dask workers, the web app's runs, two terminals) would each compile
the same kernels, half a minute of CPU each, and race to write the same
files. ``compiling`` makes them take turns: the first compiles while holding
a lock file in the folder, the others wait for it and then load its kernels.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: no lock, see ``compiling``
    fcntl = None  # type: ignore[assignment]

_PACKAGE = Path(__file__).resolve().parent

#: Wall time of a cold compile of every kernel on a 2-core machine (docs/performance.md), for the message.
COMPILE_SECONDS = 30


def _source_hash() -> str:
    h = hashlib.sha256()
    for folder in ("engine", "model", "validation/network"):  # every folder with compiled code
        for f in sorted((_PACKAGE / folder).glob("*.py")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
            h.update(str(f.stat().st_mtime_ns).encode())
    return h.hexdigest()[:16]


def configure() -> None:
    """Point Numba's cache at this source's folder, unless the user chose one (``NUMBA_CACHE_DIR``).

    Numba reads the variable when it is imported; a program that imported
    Numba before immsim would otherwise cache next to the sources, where a
    kernel is only recompiled when its own file changes (a stale caller of a
    changed helper then fails to load). Its config is set too in that case.
    """
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "immsim"
    current = base / f"numba-{_source_hash()}"
    os.environ["NUMBA_CACHE_DIR"] = str(current)
    if "numba" in sys.modules:  # imported first: its config already read the (unset) variable
        sys.modules["numba"].config.CACHE_DIR = str(current)
    _prune(base, current)


@functools.cache
def _marker() -> Path:
    # named after the source too, for a NUMBA_CACHE_DIR set by the user and reused across versions
    return Path(os.environ["NUMBA_CACHE_DIR"]) / f"compiled-{_source_hash()}"


def kernels_compiled() -> bool:
    """Whether a run of this source has completed with this cache folder, so its kernels load instead of compiling."""
    return _marker().exists()


def mark_kernels_compiled() -> None:
    """Record that the kernels are compiled and cached (best effort: a read-only cache only repeats the message)."""
    if not kernels_compiled():
        with contextlib.suppress(OSError):
            _marker().touch()


@contextlib.contextmanager
def compiling() -> Iterator[bool]:
    """Hold the folder's compile lock around a first call of the kernels; yields whether this process compiles.

    True while the lock is held and no other process has compiled the kernels
    meanwhile (they are then loaded, still under the lock). A no-op (yields
    False) once the kernels are marked compiled, or where the lock cannot be
    taken (no ``fcntl``, a read-only folder): processes then compile side by
    side as before, which is slower but correct.
    """
    if fcntl is None or kernels_compiled():
        yield False
        return
    folder = Path(os.environ["NUMBA_CACHE_DIR"])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / "compile.lock", "a")  # noqa: SIM115 (held across the yield)
    except OSError:
        yield False
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # waits while another process compiles
        try:
            yield not kernels_compiled()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _prune(base: Path, current: Path, max_age_days: float = 7.0) -> None:
    """Remove cache folders of other sources not used for ``max_age_days`` (each holds tens of MB of kernels)."""
    cutoff = time.time() - max_age_days * 86400
    try:
        old = [d for d in base.glob("numba-*") if d != current and d.stat().st_mtime < cutoff]
    except OSError:
        return
    for d in old:
        shutil.rmtree(d, ignore_errors=True)


configure()
