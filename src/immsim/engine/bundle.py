"""Hand a named tuple of arrays to compiled code as one pointer.

Why: the kernels take named tuples of dozens of arrays (``Params`` alone has
one array per parameter). Numba passes a tuple by value, member by member, so
every compiled function that receives one gets a signature, a Python wrapper
and reference-counting code for each array, and every call between compiled
functions copies them all. Compiling the kernels from an empty cache took about
three minutes, most of it generating and optimizing that code.

``bundle(nt)`` packs the arrays' native descriptors (data pointer, shape and
strides, as Numba lays them out) into one small buffer; compiled code receives
the buffer's address, and ``b.name`` reads a descriptor from it. The kernel
code is unchanged: ``par.booking_rate[t, k]`` reads the same as before.

As with ``engine.unowned``, the descriptors carry no reference count, so this
is safe only while the named tuple is alive and its arrays are neither resized
nor replaced: the Python driver makes a bundle just before each kernel call
and keeps it until the call returns. Nested named tuples of arrays (the court's
``judges``) are read as ordinary tuples.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from llvmlite import ir
from numba import typeof
from numba.core import types
from numba.core.imputils import impl_ret_borrowed
from numba.core.typing.templates import AttributeTemplate
from numba.extending import (
    NativeValue,
    infer_getattr,
    lower_getattr_generic,
    models,
    register_model,
    typeof_impl,
    unbox,
)

from immsim.engine.unowned import strip

_WORD = 8  # every member of Numba's array descriptor is a pointer or an intp


class BundleType(types.Type):
    """A named tuple of arrays seen through one pointer; fields keep their array (or tuple) types."""

    def __init__(self, name: str, names: tuple[str, ...], fields: tuple[types.Type, ...]) -> None:
        self.names = names
        self.fields = fields
        self.offsets = tuple(np.cumsum([0] + [_words(f) * _WORD for f in fields[:-1]]).tolist())
        super().__init__(name=f"{name}&({', '.join(f'{n}: {f}' for n, f in zip(names, fields, strict=True))})")


def _words(ty: types.Type) -> int:
    """Machine words of a value of type ``ty`` (an array or a tuple of them) in Numba's layout."""
    if isinstance(ty, types.Array):
        return 5 + 2 * ty.ndim  # meminfo, parent, nitems, itemsize, data, shape[ndim], strides[ndim]
    if isinstance(ty, types.BaseTuple):
        return sum(_words(t) for t in ty)
    raise TypeError(f"bundle: only arrays and tuples of arrays can be bundled, not {ty}")


def _descriptor(x: object) -> list[int]:
    if isinstance(x, np.ndarray):
        # no meminfo (no reference counting); the parent lets Numba box the array back as itself
        return [0, id(x), x.size, x.itemsize, x.ctypes.data, *x.shape, *x.strides]
    return [w for member in x for w in _descriptor(member)]  # type: ignore[attr-defined]


#: What Numba's type of an array depends on besides its class, dtype and dimensions: layout, alignment, writability.
_TYPE_FLAGS = 0x1 | 0x2 | 0x100 | 0x400  # NPY_ARRAY_C_CONTIGUOUS, F_CONTIGUOUS, ALIGNED, WRITEABLE
#: Bundle types already made, by the kind of each member (see ``_kind``).
_TYPES: dict[tuple, BundleType] = {}


def _kind(x: object) -> tuple:
    """What decides Numba's type of ``x`` (an array or a tuple of them), cheaper to compute than the type."""
    if isinstance(x, np.ndarray):
        return (type(x), x.dtype, x.ndim, x.flags.num & _TYPE_FLAGS)
    return tuple(_kind(member) for member in x)  # type: ignore[attr-defined]


def _bundle_type(nt: NamedTuple) -> BundleType:
    """The type of a bundle of ``nt``, made once per kind of named tuple.

    Why: Numba's ``typeof`` takes about 14 microseconds an array, and the
    kernels' named tuples hold about 100 arrays; short runs (validation,
    property tests) bundle them thousands of times.
    """
    key = (type(nt), tuple(_kind(x) for x in nt))
    ty = _TYPES.get(key)
    if ty is None:
        ty = _TYPES[key] = BundleType(type(nt).__name__, tuple(nt._fields), tuple(typeof(x) for x in nt))
    return ty


class Bundle:
    """``nt``'s arrays for compiled code; keep the bundle alive for the whole kernel call."""

    def __init__(self, nt: NamedTuple) -> None:
        self.source = nt  # keeps the arrays alive
        self.numba_type = _bundle_type(nt)
        self.buffer = np.array(_descriptor(nt), np.int64)
        self.address = self.buffer.ctypes.data


def bundle(nt: NamedTuple) -> Bundle:
    return Bundle(nt)


@typeof_impl.register(Bundle)
def _typeof_bundle(val: Bundle, c: object) -> BundleType:
    return val.numba_type


register_model(BundleType)(models.OpaqueModel)


@unbox(BundleType)
def _unbox_bundle(typ, obj, c):
    address = c.pyapi.object_getattr_string(obj, "address")
    ptr = c.pyapi.long_as_voidptr(address)
    c.pyapi.decref(address)
    return NativeValue(ptr)


@infer_getattr
class _BundleAttributes(AttributeTemplate):
    key = BundleType

    def generic_resolve(self, typ, attr):
        if attr in typ.names:
            return typ.fields[typ.names.index(attr)]
        return None


@lower_getattr_generic(BundleType)
def _bundle_getattr(context, builder, typ, value, attr):
    i = typ.names.index(attr)
    fty = typ.fields[i]
    llty = context.get_value_type(fty)
    assert context.get_abi_sizeof(llty) == _words(fty) * _WORD, "unexpected array descriptor layout"
    ptr = builder.gep(value, [ir.Constant(ir.IntType(64), typ.offsets[i])])
    # the null meminfo as a constant, not as loaded from the buffer: reference counts of it then compile to nothing
    value = strip(context, builder, fty, builder.load(builder.bitcast(ptr, llty.as_pointer())))
    return impl_ret_borrowed(context, builder, fty, value)
