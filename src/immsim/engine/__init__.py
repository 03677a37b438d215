"""Generic, domain-free simulation machinery compiled with Numba.

Nothing in this package knows about jails, courts or ICE: it offers seeded
random streams, a day calendar, bucketed sets with O(1) random picks and FIFO
queues, all as plain NumPy arrays so that compiled kernels can share them and
Numba can cache the compiled code between runs.
"""
