"""Two steps of Numba's compiler made cheaper for the model's kernels, producing the same code.

Why: a cold compile of the kernels spent about 8 % of its CPU emitting
reference-count operations and 3 % comparing compile flags (measured on
2026-12-01: 3.3 and 1.2 s of about 40 s of CPU, one process), both far more
than the work they do.

- **Reference counts of named tuples of arrays.** Before it increments or
  decrements the counts of a value, Numba lists the memory it manages by
  walking the value's members, and the members' members, emitting an LLVM
  instruction to read each: for an array, every field of its descriptor (its
  shape, strides, data pointer, ...), though only one holds managed memory.
  The bucket stores (``engine.buckets``, 7 arrays) and the judges' stations
  (``engine.servers``, 10) are passed around as such tuples, so each count
  cost 2.6 and 10 ms to emit, and LLVM then removed the unused reads again.
  ``_get_meminfos`` walks only into members whose type holds managed memory
  (known per type, once) and returns the same list, in the same order.
- **Compile flags as keys.** Numba looks up the implementations of NumPy and
  other library functions in caches keyed by the compile flags, and each
  lookup hashed and compared the flags by reading all of their fifty-odd
  options through properties, about 76,000 times a cold compile.
  ``_config_values`` builds the same mapping from the class's defaults and the
  options set, and ``_config_hash`` the same hash (Numba hashes the sorted
  option names, which depend on the class only).

Both replace functions of Numba's for the whole process, with the same
results for any code; they are checked against Numba's own on the model's
types by tests/test_compile_speed.py.
"""

from __future__ import annotations

from typing import Any

from numba.core import targetconfig
from numba.core.runtime import context as nrt_context

_numba_get_meminfos = nrt_context.NRTContext.get_meminfos
_numba_values = targetconfig.TargetConfig.values
_numba_hash = targetconfig.TargetConfig.__hash__
_numba_eq = targetconfig.TargetConfig.__eq__

_holds: dict[tuple[Any, Any], bool] = {}  # (data model manager, type) -> whether a value holds managed memory


def _holds_meminfo(manager: Any, ty: Any) -> bool:  # noqa: ANN401 (Numba's objects)
    """Whether a value of ``ty`` holds memory that Numba's runtime counts references to, itself or in a member."""
    key = (manager, ty)
    held = _holds.get(key)
    if held is None:
        model = manager[ty]
        # ``traverse`` lists the members' types; its builder is only used when a member is read
        held = model.has_nrt_meminfo() or any(_holds_meminfo(manager, t) for t, _ in model.traverse(None))
        _holds[key] = held
    return held


def _get_meminfos(self, builder, ty, val):  # noqa: ANN001, ANN202 (Numba's signature)
    """Numba's ``NRTContext.get_meminfos``, reading only the members that hold managed memory."""
    manager = self._context.data_model_manager
    if not _holds_meminfo(manager, ty):
        return []
    model = manager[ty]
    meminfos = []
    if model.has_nrt_meminfo():
        meminfos.append((ty, model.get_nrt_meminfo(builder, val)))
    for member, read in model.traverse(builder):
        if _holds_meminfo(manager, member):
            meminfos.extend(_get_meminfos(self, builder, member, read(val)))
    return meminfos


_defaults: dict[type, dict[str, Any]] = {}
_hashes: dict[type, int] = {}


def _config_values(self) -> dict[str, Any]:  # noqa: ANN001
    """Numba's ``TargetConfig.values``: every option's value, set or default."""
    cls = type(self)
    defaults = _defaults.get(cls)
    if defaults is None:
        defaults = _defaults[cls] = {k: option.default for k, option in cls.options.items()}
    return {**defaults, **self._values}


def _config_hash(self) -> int:  # noqa: ANN001
    """Numba's ``TargetConfig.__hash__``: the hash of the sorted option names (``values``'s keys)."""
    cls = type(self)
    h = _hashes.get(cls)
    if h is None:
        h = _hashes[cls] = hash(tuple(sorted(cls.options)))
    return h


def _config_eq(self, other: object) -> bool:  # noqa: ANN001
    """Numba's ``TargetConfig.__eq__``."""
    if isinstance(other, targetconfig.TargetConfig):
        return _config_values(self) == _config_values(other)
    return NotImplemented


nrt_context.NRTContext.get_meminfos = _get_meminfos
targetconfig.TargetConfig.values = _config_values
targetconfig.TargetConfig.__hash__ = _config_hash
targetconfig.TargetConfig.__eq__ = _config_eq
