"""An open queueing network in continuous time, compiled: immsim's own peer of Ciw and SimPy.

Why it exists: the domain model uses single stations (``engine/servers.py``); to
check that a compiled event loop reproduces a *network* of jails, detention and
courts the way an established simulator does (``validation/peer.py``, against
Ciw), and to show what such a loop buys (``benchmarks/bench_peers.py``), we need
a network simulator whose whole event loop runs in Numba. Only validation and
the benchmark use it; the model's daily kernel never calls it.

Model. ``K`` stations, each with ``c_k`` identical servers and one FIFO queue per
class; class 0 is served first (non-preemptive priorities). Service times are
exponential with a mean per (station, class). External arrivals are Poisson per
(station, class). A customer still waiting after its patience (exponential or
fixed, per station) reneges and goes to that station's ``renege_to``. A station
with a ``capacity`` (servers plus queue) turns arrivals away when full to its
``overflow_to``, optionally in another class (e.g. beds full: the case goes to
the court's non-detained docket). After service, customers move from ``k`` to
``j`` with probability ``routing[class][k][j]``, or leave (the remainder).

Implementation, by module:

- ``model``: ``Network`` (what a user describes) and ``NetworkParams`` (its validated arrays).
- ``state``: the loop's arrays (customers in reusable slots, queues as intrusive
  doubly linked lists, so a reneging customer leaves the middle of a queue in
  O(1)), their growth, and the integer codes.
- ``xoshiro``: xoshiro256++ and a ziggurat, the state in four scalars.
- ``heap``: one 4-ary heap of events (times plus packed integer codes).
- ``events``: what each kind of event does. With exponential patience every
  waiting customer has a reneging event, and those of customers who started
  service meanwhile are discarded when popped (lazy deletion, checked with a
  per-slot visit counter). With fixed patience (the hold window) deadlines fall
  in queue order, so each queue has one event, for its head, moved on to the
  next head when it fires late: no event per waiting customer.
- ``kernel``: the loop, which returns to Python only to enlarge its arrays.
- ``result``: ``simulate_network`` and ``NetworkResult``. Time averages are areas
  under the curves, updated at every change; the result table is built only if
  asked for.
"""

from immsim.validation.network.model import EXIT, Network, NetworkParams
from immsim.validation.network.result import NetworkResult, simulate_network

__all__ = ["EXIT", "Network", "NetworkResult", "NetworkParams", "simulate_network"]
