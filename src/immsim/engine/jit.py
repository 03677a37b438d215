"""``jit``: Numba's ``njit(cache=True)`` with one compiled version per function, not one per integer width.

Why: a compiled function called from compiled code is specialized for the
exact types of the call's arguments. The model calls the same helpers with
person ids that are int32 in one place (read from an int32 queue) and int64
in another, with int8 classes, and with constants that Numba types as literals
(``reseed(seed, S_JAILS, t)``, ``start_removal(..., False, t)``), so one
function was compiled up to eleven times, each a full compilation. Here a call
from compiled code compiles the function once for its arguments widened to
int64 (literal integers and booleans lose their literal type); the call site
converts the narrower arguments. Widening is exact, so results are unchanged.
Calls from Python are typed as usual (Python integers are int64 already).

No C callback wrapper: for every compiled function Numba builds, besides the
wrapper Python calls, one with the C calling convention (for ``cfunc`` use and
first-class function values). The model never uses it; not building it saves
about 5 % of a cold compile.

No function-level optimization before the module's: Numba optimizes each new
function with LLVM's function passes, then links it with everything it calls
and optimizes that whole module with the full module pipeline, which runs the
same function simplifications again after inlining. For the model's kernels
the first round only costs time: skipping it saves 4.2 s of function passes
and adds 2.3 s to the module passes, a cold compile 6 % faster (34.4 to 32.4 s
of CPU), with the same warm speed (ten years: 14.4 s of CPU either way) and
identical results (docs/performance.md). It is skipped only while one of these
functions compiles, so other Numba code in the same process compiles as Numba
would.

Reference counts inlined: the module's optimization also lets LLVM inline
Numba's reference-counting calls, which vanish for the unowned arrays the
kernels handle (``engine.refcounts``).
"""

from __future__ import annotations

from collections.abc import Callable

from numba.core import codegen, types
from numba.core.registry import CPUDispatcher

from immsim.engine import precompile, refcounts

_numba_function_passes = codegen.CPUCodeLibrary._optimize_functions
_compiling = 0  # compiles of ``jit`` functions under way (nested: a kernel compiles its helpers)


def _optimize_functions(self, ll_module) -> None:  # noqa: ANN001 (Numba's signature)
    if not _compiling:
        return _numba_function_passes(self, ll_module)
    ll_module.data_layout = self._codegen._data_layout  # what Numba's version sets before its passes
    return None


def _optimize_final_module(self) -> None:  # noqa: ANN001 (Numba's signature)
    if not _compiling or not refcounts.supported():
        return _numba_module_passes(self)
    return refcounts.optimize_inlining_counts(self)  # see engine/refcounts.py


_numba_module_passes = codegen.CPUCodeLibrary._optimize_final_module
codegen.CPUCodeLibrary._optimize_functions = _optimize_functions
codegen.CPUCodeLibrary._optimize_final_module = _optimize_final_module


def _wide(ty: types.Type) -> types.Type:
    ty = types.unliteral(ty)
    if isinstance(ty, types.Integer) and ty.signed:
        return types.int64
    return ty


class _WideDispatcher(CPUDispatcher):
    def compile(self, sig):
        global _compiling
        nested = _compiling > 0  # a helper, compiled for a call from compiled code: see ``precompile``
        # Counted before Numba takes its compiler lock: other Numba code compiled by another thread meanwhile
        # would skip the function passes too, which costs it some speed, never a result.
        _compiling += 1
        try:
            compiled = super().compile(sig)
        finally:
            _compiling -= 1
        if nested:
            precompile.record(self.py_func.__module__, self.py_func.__qualname__, tuple(sig))
        return compiled

    def get_call_template(self, args, kws):
        return super().get_call_template(tuple(_wide(a) for a in args), {k: _wide(v) for k, v in kws.items()})


def jit(fn: Callable) -> _WideDispatcher:
    """Compile ``fn`` in nopython mode, cached on disk, once per widened signature."""
    disp = _WideDispatcher(py_func=fn, locals={}, targetoptions={"nopython": True, "no_cfunc_wrapper": True})
    disp.enable_caching()
    return disp


def jit_inline(fn: Callable) -> _WideDispatcher:
    """``jit``, inlined into its caller's Numba IR: for the day functions ``run_days`` calls once each.

    Why: Numba links a compiled function's callees into its own LLVM module and
    optimizes and generates machine code for that whole module, so the code of a
    helper is compiled once in its own library and again in every caller above
    it. A day function (``community_day``, ``hearings_day``, ...) sits between
    ``run_days`` and the helpers; inlined, its callees are compiled once fewer
    and it has no library of its own (about 10 % of a cold compile, 14 fewer
    compiled functions). Only for functions called from one place: inlining a
    function called from many would compile its body at each call site.
    """
    disp = _WideDispatcher(
        py_func=fn, locals={}, targetoptions={"nopython": True, "no_cfunc_wrapper": True, "inline": "always"}
    )
    disp.enable_caching()
    return disp
