"""Compile the kernels' helpers on a second core while the first compiles: a cold start in less wall time.

Why: Numba compiles in one thread (a global lock), and a cold compile of the
kernels is a chain of about a hundred helpers, each compiled before its
callers, then the two entry points. On an empty cache the process that runs
the model (``helping``, from ``simulation.run_replication``) starts a
helper process that compiles the same helpers from the other end of that
chain and saves each into the shared Numba cache; whichever process comes to
a helper the other has saved loads it instead of compiling it. They meet near
the middle. The helper process starts with ``initialize`` (``first``, given
with the types of its arguments of the moment), which the model's process
then loads; the model's process compiles ``run_days``, which calls the day
functions by name (``engine.jit.jit_apart``), so its own compile is short.

The helper process needs each helper's signature before any compile has
typed it: ``ORDER_FILE`` lists them in the order a cold compile reaches them
(``record``, written by ``python tools/compile_order.py``). A bundle's type
(engine/bundle.py) names every array of its named tuple, so it changes
whenever a parameter is added; the list names bundles by their named tuple
and the helper process is given today's bundle types by the process it
helps. An entry that no longer fits the code (a renamed helper, a changed
argument) only wastes the helper's compile: a compiled function's cache key
is its exact signature, and nothing but the model's own calls decides what
the model runs.

Safety of the shared cache: the helper process never replaces a file. It
saves a function only where no cache index exists yet for it, and creates the
index and data files with ``os.link`` (which fails if the name exists), so
whatever the model's process saves stays as it wrote it, and an index never
points at data of another signature (Numba's own ``save`` picks a data file
name from the index it read, which two processes could do at once).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from numba.core import caching, types

ORDER_FILE = Path(__file__).with_name("compile_order.pkl")
_BUNDLE = "bundle:"  # how the list names a bundle type: by its named tuple's class

#: Helpers compiled in this process for a call from compiled code, in the order their compiles ended
#: (callees before callers): (module, qualified name) -> argument types. Filled by ``jit``'s dispatcher.
_recorded: dict[tuple[str, str], tuple] = {}


def record(module: str, qualname: str, args: tuple) -> None:
    """Note a helper's first compile (``engine.jit`` calls this for compiles nested in another)."""
    _recorded.setdefault((module, qualname), args)


def _portable(ty: types.Type) -> object:
    from immsim.engine.bundle import BundleType

    if isinstance(ty, BundleType):
        return _BUNDLE + ty.name.split("&", 1)[0]
    if isinstance(ty, types.BaseTuple) and not isinstance(ty, types.BaseNamedTuple):
        return tuple(_portable(t) for t in ty)
    return ty


def _current(desc: object, bundles: dict[str, types.Type]) -> types.Type:
    if isinstance(desc, str) and desc.startswith(_BUNDLE):
        return bundles[desc.removeprefix(_BUNDLE)]
    if isinstance(desc, tuple):
        return types.BaseTuple.from_types([_current(d, bundles) for d in desc])
    return desc  # type: ignore[return-value]


def write_order(path: Path = ORDER_FILE) -> int:
    """Write the helpers this process compiled, in order, with bundles by name; returns how many."""
    entries = [(m, q, tuple(_portable(a) for a in args)) for (m, q), args in _recorded.items() if "<locals>" not in q]
    path.write_bytes(pickle.dumps(entries, protocol=4))
    return len(entries)


def read_order(path: Path = ORDER_FILE) -> list[tuple[str, str, tuple]]:
    """The list ``write_order`` wrote, or an empty one where it cannot be read (another Numba, no file)."""
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # noqa: BLE001 (a list that cannot be read only means no help)
        return []


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


#: A compile the helper process does before the listed helpers: (module, qualified name, argument types).
First = tuple[str, str, tuple]


@contextlib.contextmanager
def helping(bundle_types: Iterable[types.Type], first: Iterable[First] = ()) -> Iterator[None]:
    """Run a helper process that compiles each of ``first``, then the listed helpers (``ORDER_FILE``) from the end,
    while this block compiles.

    ``bundle_types``: the types of the bundles the kernels are called with now. Nothing is started on a single
    core, without a list, or where Numba's cache is not in a folder of its own (``NUMBA_CACHE_DIR``); the helper is
    stopped when the block ends, whatever happened in it.
    """
    proc = None
    entries = read_order(ORDER_FILE)
    if entries and os.environ.get("NUMBA_CACHE_DIR") and _cores() > 1:
        bundles = {str(ty.name).split("&", 1)[0]: ty for ty in bundle_types}
        with contextlib.suppress(OSError, pickle.PicklingError):
            proc = start_helper(bundles, entries, list(first))
    try:
        yield
    finally:
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.terminate()  # it exits between two steps of its current compile (``_main``)
            atexit.register(_reap, proc)  # not waited for now: the model runs meanwhile


def _reap(proc: subprocess.Popen) -> None:
    """Wait for a stopped helper at exit, so that no zombie is left and its CPU time counts as this process's.

    The job file is removed here too: the helper removes it once read, but a helper stopped before it got
    that far (a warm start stops it at once) would leave it behind in the temporary folder.
    """
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        proc.wait(timeout=30)
    with contextlib.suppress(OSError):
        os.unlink(proc.args[-1])


def start_helper(
    bundles: dict[str, types.Type], entries: list[tuple[str, str, tuple]], first: list[First] | None = None
) -> subprocess.Popen:
    """Start the helper process on ``entries`` (``read_order``'s form), with today's ``bundles`` by name, and
    ``first`` to compile before them."""
    fd, job = tempfile.mkstemp(prefix="immsim-precompile-", suffix=".pkl")
    with os.fdopen(fd, "wb") as f:
        pickle.dump((bundles, entries, first or []), f, protocol=4)
    code = "import sys; from immsim.engine.precompile import _main; _main(sys.argv[1])"
    return subprocess.Popen(
        [sys.executable, "-c", code, job],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _save_without_replacing(self: caching.IndexDataCacheFile, key: object, data: object) -> None:
    """Numba's ``save``, except that an existing index or data file is never replaced (see the module's text)."""
    if os.path.exists(self._index_path):
        return
    data_name = self._data_name(1)
    target = os.path.join(self._cache_path, data_name)
    tmp_name = f"{data_name}.helper{os.getpid()}"
    self._save_data(tmp_name, data)  # Numba writes it whole, then renames: it is complete here
    tmp = os.path.join(self._cache_path, tmp_name)
    try:
        os.link(tmp, target)
    except OSError:
        return
    finally:
        os.unlink(tmp)
    index, real_index = f"{self._index_path}.helper{os.getpid()}", self._index_path
    self._index_path = index
    try:
        self._save_index({key: data_name})
    finally:
        self._index_path = real_index
    try:
        os.link(index, real_index)
    except OSError:  # the model's process saved one meanwhile: its index and data stand
        pass
    finally:
        os.unlink(index)


def _main(job: str) -> None:
    """The helper process: compile ``first``, then the listed helpers, last first, until done, stopped or orphaned."""
    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(OSError):
        os.nice(10)  # the model's own compile comes first where cores are short
    try:
        bundles, entries, first = pickle.loads(Path(job).read_bytes())
    finally:
        os.unlink(job)
    caching.IndexDataCacheFile.save = _save_without_replacing
    steps = [(m, q, tuple(_current(a, bundles) for a in args)) for m, q, args in reversed(entries)]
    for module, qualname, args in [*first, *steps]:
        if os.getppid() != parent:
            return
        try:
            getattr(importlib.import_module(module), qualname).compile(args)
        except Exception:  # noqa: BLE001, S112 (a stale entry: the model's process compiles what it needs)
            continue
