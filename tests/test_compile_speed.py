"""engine/compile_speed.py: Numba's steps made cheaper give exactly what Numba's own give."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from llvmlite import ir
from numba.core import cpu, types
from numba.core.compiler import Flags
from numba.core.registry import cpu_target
from numba.core.runtime import context as nrt_context

from immsim.engine import compile_speed
from immsim.engine.buckets import new_buckets
from immsim.engine.servers import new_station


def _describe(value: ir.Value) -> object:
    """What an LLVM value computes from the function's argument, without the names LLVM gives it."""
    if isinstance(value, ir.Argument):
        return "argument"
    if isinstance(value, ir.Constant):
        return ("constant", str(value))
    if isinstance(value, ir.instructions.ExtractValue):
        return ("extract", _describe(value.aggregate), tuple(value.indices))
    return (value.opname, *(_describe(v) for v in value.operands))


TYPES = {
    "bucket store": numba.typeof(new_buckets(3, 10)),
    "judges' station": numba.typeof(new_station(4, 2, 1.0)),
    "tuple of stores": types.UniTuple(numba.typeof(new_buckets(3, 10)), 3),
    "array": numba.typeof(np.zeros(3)),
    "array and numbers": types.Tuple((types.float64, numba.typeof(np.zeros((2, 2), np.int8)), types.int64)),
    "number": types.int64,
    "optional array": types.Optional(numba.typeof(np.zeros(3))),
    "list": types.List(types.float64, reflected=False),
}


@pytest.mark.parametrize("name", list(TYPES))
def test_the_memory_listed_for_reference_counts_is_numbas_and_reads_nothing_more(name, monkeypatch):
    ty = TYPES[name]
    context = cpu_target.target_context
    # a runtime context of its own: the target's ``nrt`` is made once, on first use, and would stay disabled for
    # every compile after this test (the target itself compiles without the runtime)
    nrt = nrt_context.NRTContext(context, True)
    llty = context.get_value_type(ty)
    found = {}
    for label, get in (("numba", compile_speed._numba_get_meminfos), ("ours", compile_speed._get_meminfos)):
        monkeypatch.setattr(nrt_context.NRTContext, "get_meminfos", get)  # Numba's recurses through the class
        module = ir.Module()
        fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [llty]), name="f")
        builder = ir.IRBuilder(fn.append_basic_block())
        found[label] = [(t, _describe(v)) for t, v in get(nrt, builder, ty, fn.args[0])]
        found[label + " reads"] = len(builder.block.instructions)
    assert found["ours"] == found["numba"]
    assert found["ours reads"] <= found["numba reads"]
    if name in ("bucket store", "judges' station"):
        assert found["ours reads"] < found["numba reads"] / 3


def _flags(**options: object) -> Flags:
    f = Flags()
    for k, v in options.items():
        setattr(f, k, v)
    return f


def test_compile_flags_compare_hash_and_list_as_numbas_do():
    variants = [_flags(), _flags(nrt=True), _flags(nrt=True, boundscheck=True), _flags(nrt=True)]
    variants.append(Flags(variants[2]))  # a copy
    variants.append(cpu.CPUTargetOptions)  # not a TargetConfig instance: equality defers
    for a in variants[:-1]:
        assert compile_speed._config_values(a) == compile_speed._numba_values(a)
        assert list(compile_speed._config_values(a)) == list(compile_speed._numba_values(a))  # the same order
        assert compile_speed._config_hash(a) == compile_speed._numba_hash(a)
        for b in variants:
            assert compile_speed._config_eq(a, b) is compile_speed._numba_eq(a, b)
