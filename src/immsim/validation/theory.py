"""Closed-form results of queueing theory that the simulator must reproduce.

- Erlang C: probability of waiting and mean wait in queue of an M/M/c queue.
- Non-preemptive priorities (Cobham 1954): mean wait in queue per class of an
  M/M/c queue whose servers take the highest-priority waiting job first, all
  classes with the same exponential service rate.
- Erlang B: blocking probability of an M/G/c/c loss system (insensitive to
  the service-time distribution beyond its mean).
"""

from __future__ import annotations


def erlang_b(c: int, offered: float) -> float:
    """Blocking probability with ``c`` servers and ``offered`` = lambda / mu (stable recursion)."""
    b = 1.0
    for k in range(1, c + 1):
        b = offered * b / (k + offered * b)
    return b


def erlang_c(c: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (offered = lambda / mu < c)."""
    if offered >= c:
        raise ValueError("the queue is unstable: lambda / mu must be below c")
    b = erlang_b(c, offered)
    rho = offered / c
    return b / (1 - rho + rho * b)


def mmc_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue: C(c, a) / (c mu - lambda)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def priority_waits(lams: list[float], mu: float, c: int = 1) -> list[float]:
    """Mean wait in queue per class (first class served first), non-preemptive M/M/c.

    W_k = C(c, a) / (c mu) / ((1 - s_{k-1}) (1 - s_k)), with s_k the load of
    classes 1..k: sum lambda_i / (c mu).
    """
    total = sum(lams)
    base = erlang_c(c, total / mu) / (c * mu)
    out, s_prev = [], 0.0
    for lam in lams:
        s = s_prev + lam / (c * mu)
        out.append(base / ((1 - s_prev) * (1 - s)))
        s_prev = s
    return out
