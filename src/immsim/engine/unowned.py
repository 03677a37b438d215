"""Views of arrays that skip Numba's reference counting inside a kernel call.

Numba counts references to every array it handles with atomic operations, and
a function that receives a tuple of arrays counts each member on entry and on
exit. The model passes tuples of dozens of arrays to small functions millions
of times a day of simulated time, and profiling showed those atomic counts
taking nearly half of the run. ``unowned`` returns the same arrays without
their reference-count handle (the ``meminfo``), so counting them is a no-op.

This is safe only while the caller keeps the original arrays alive, which the
Python driver does for the whole kernel call: ``unowned`` views are made at
the top of a kernel and never outlive it. The ``parent`` pointer is kept, so
an unowned array returned to Python is boxed as its original NumPy array.
"""

from __future__ import annotations

from numba import types
from numba.extending import intrinsic
from numba.np.arrayobj import make_array


def strip(context, builder, ty, value):
    """LLVM code for ``value`` (of Numba type ``ty``) with a constant null ``meminfo`` in every array."""
    if isinstance(ty, types.Array):
        ary = make_array(ty)(context, builder, value=value)
        ary.meminfo = context.get_constant_null(types.MemInfoPointer(types.voidptr))
        return ary._getvalue()
    if isinstance(ty, types.BaseTuple):
        for i, member in enumerate(ty):
            value = builder.insert_value(value, strip(context, builder, member, builder.extract_value(value, i)), i)
    return value


@intrinsic
def unowned(typingctx, x):
    """``x`` (an array, or a possibly nested tuple of arrays) without reference counting."""

    def codegen(context, builder, sig, args):
        return strip(context, builder, sig.args[0], args[0])

    return x(x), codegen
