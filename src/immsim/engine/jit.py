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
kernels handle (``engine.refcounts``). Two of Numba's own steps are made
cheaper for the whole process, with the same results (``engine.compile_speed``).
"""

from __future__ import annotations

from collections.abc import Callable

from numba.core import caching, codegen, cpu, itanium_mangler, types
from numba.core.registry import CPUDispatcher
from numba.core.typing import Signature

from immsim.engine import compile_speed, precompile, refcounts  # noqa: F401 (compile_speed: patches on import)

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
    apart = False  # compiled apart: see ``jit_apart``

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
        if self.apart:
            # a caller's call declares the function without linking its library in (``jit_apart``)
            for _, impl in self.targetctx._defns[compiled].versions:  # noqa: SLF001 (Numba's table of calls)
                impl.libs = ()
        return compiled

    def get_call_template(self, args, kws):
        return super().get_call_template(tuple(_wide(a) for a in args), {k: _wide(v) for k, v in kws.items()})


def jit(fn: Callable) -> _WideDispatcher:
    """Compile ``fn`` in nopython mode, cached on disk, once per widened signature."""
    disp = _WideDispatcher(py_func=fn, locals={}, targetoptions={"nopython": True, "no_cfunc_wrapper": True})
    disp._cache = _Cache(fn)  # noqa: SLF001 (Numba's attribute: what ``enable_caching`` sets)
    return disp


def jit_apart(fn: Callable) -> _WideDispatcher:
    """``jit``, compiled on its own and called by name, never copied into its callers.

    Why: Numba links a compiled function's callees into its own LLVM module and
    optimizes and generates machine code for that whole module again. A helper
    called, directly or not, by eight day functions was compiled nine times, and
    the loop over the days, which called them all, was one compile of the whole
    model, done after all the others and alone on its core. A function compiled
    apart stays in its own library; a caller declares it and calls it by its
    symbol, which the JIT's linker resolves like any other. A cold start then
    optimizes less code (its libraries' LLVM text: 25.3 MB before, 17.8 MB)
    and compiles the day functions side by side in its two processes
    (``engine.precompile``); results are the same code's, bit for bit.

    For: the day functions (``run_days`` calls each once a day), and the larger
    helpers that several of them call (a hearing's end, a jail release, the
    start of supervision, a bucket store's growth, ...). The price is a call
    LLVM cannot inline or optimize across: at most a few per person-event,
    where the called function does far more; a warm decade measured the same.
    Small helpers called everywhere (``people.move``, the random draws) stay
    ``jit``: a call would cost more than their copies.

    The symbol is the same in every process (no per-process number in it,
    ``_mangler``), so a caller saved in Numba's cache by one process finds the
    function another process compiled; a cached caller whose function is not
    loaded yet makes the cache load it first (``_Cache``).
    """
    disp = jit(fn)
    disp.apart = True
    name = f"{fn.__module__}.{fn.__qualname__}"
    _apart[name] = disp  # a module loaded again replaces its functions
    _apart_prefixes[name] = _symbol_prefix(name)
    return disp


#: Functions compiled apart, by the name Numba mangles into their symbols (module and qualified name).
_apart: dict[str, _WideDispatcher] = {}
_apart_prefixes: dict[str, bytes] = {}
_numba_mangler = cpu.CPUContext.mangler


def _mangler(self, name, argtypes, *, abi_tags=(), uid=None):  # noqa: ANN001, ANN202 (Numba's signature)
    """Numba's mangling, without the process's compile number for a function compiled apart (and its
    environment), so that its symbol is the same in every process."""
    if name in _apart or name.removeprefix(".NumbaEnv.") in _apart:
        uid = None
    return _numba_mangler(self, name, argtypes, abi_tags=abi_tags, uid=uid)


cpu.CPUContext.mangler = _mangler


def _symbol_prefix(name: str) -> bytes:
    """The start of the symbol of every compiled version of the function ``name`` (module and qualified name)."""
    return b"_Z" + itanium_mangler.mangle_identifier(name)[:-1].encode()  # without the closing "E"


def _missing(object_code: bytes, engine, own: bytes) -> list[str]:  # noqa: ANN001 (Numba's JIT engine)
    """The functions compiled apart that ``object_code`` (of the function whose symbols start with ``own``) calls
    and that no library in this process defines yet."""
    missing = []
    for name, prefix in _apart_prefixes.items():
        if prefix == own:
            continue
        at = object_code.find(prefix)
        while at >= 0:
            end = object_code.find(b"\0", at)
            symbol = object_code[at:end]
            if symbol[len(prefix) : len(prefix) + 1] in (b"B", b"E") and not engine.is_symbol_defined(symbol.decode()):
                missing.append(name)
                break
            at = object_code.find(prefix, end)
    return missing


def _load_cached(disp: _WideDispatcher) -> None:
    """Load every version of ``disp`` that Numba's cache holds for this machine (each loads what it calls first)."""
    magic = disp.targetctx.codegen().magic_tuple()
    for key in disp._cache._cache_file._load_index():  # noqa: SLF001 (Numba's index: signature, machine, code)
        if key[1] == magic and _arguments(key[0]) not in disp.overloads:
            disp.compile(key[0])


def _arguments(sig: tuple | Signature) -> tuple:
    """The argument types of a signature as Numba's compile takes it (the types, or a ``Signature``)."""
    return tuple(sig.args) if isinstance(sig, Signature) else tuple(sig)


class _Cache(caching.FunctionCache):
    """Numba's cache of compiled functions, which first loads the functions compiled apart that a cached one calls.

    A caller in the cache only names them (``jit_apart``), and the JIT's linker stops the process if a name is
    not defined when the caller is loaded. So before a load, the cached machine code is searched for their
    names; any not loaded yet are loaded from the cache, and if one cannot be (its file was removed), the caller
    counts as not cached and is compiled again.
    """

    def _load_overload(self, sig, target_context):  # noqa: ANN001, ANN202 (Numba's signature)
        if not self._enabled:
            return None
        data = self._cache_file.load(self._index_key(sig, target_context.codegen()))
        if data is None:
            return None
        object_code = data[0][2][0]  # the library: (name, "object", (machine code, module for linking))
        engine = target_context.codegen()._engine  # noqa: SLF001
        own = _symbol_prefix(f"{self._py_func.__module__}.{self._py_func.__qualname__}")
        for name in _missing(object_code, engine, own):
            _load_cached(_apart[name])
        if _missing(object_code, engine, own):
            return None
        return self._impl.rebuild(target_context, data)
