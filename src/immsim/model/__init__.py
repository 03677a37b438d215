"""The domain model: one module per part of the enforcement system.

``codes`` names the states, classes, policies and counters; ``parameters``
lists every parameter the kernels read; ``community``, ``jails``,
``operations``, ``custody``, ``courts`` and ``removals`` hold the compiled
rules of each mechanism, and ``kernel`` runs them day by day.
"""
