"""Closed-form results of queueing theory that the simulator must reproduce.

- Erlang C: probability of waiting and mean wait in queue of an M/M/c queue.
- Non-preemptive priorities (Cobham 1954): mean wait in queue per class of an
  M/M/c queue whose servers take the highest-priority waiting job first, all
  classes with the same exponential service rate.
- Erlang B: blocking probability of an M/G/c/c loss system (insensitive to
  the service-time distribution beyond its mean).
"""

from __future__ import annotations

import math


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


def birth_death_time_average_variance(lam: float, mu: float, c: int, f, n_max: int = 5000) -> tuple[float, float]:
    """Mean and asymptotic variance constant of the time average of f(N) in an M/M/c queue.

    For a birth-death process with stationary law pi and birth rates lambda_n,
    the time average of f(N(t)) over a run of length T has variance about
    sigma^2 / T with sigma^2 = 2 sum_n F(n)^2 / (pi_n lambda_n), where
    F(n) = sum_{k<=n} pi_k (f(k) - E f) (Whitt 1992). This sizes simulation
    runs so that a tolerance follows from theory rather than from the output.
    """
    rho = lam / (c * mu)
    if rho >= 1:
        raise ValueError("unstable queue")
    # unnormalized stationary probabilities, computed in logs to avoid overflow
    logp = [0.0]
    for n in range(1, n_max):
        logp.append(logp[-1] + math.log(lam / (min(n, c) * mu)))
    m = max(logp)
    p = [math.exp(x - m) for x in logp]
    z = sum(p)
    pi = [x / z for x in p]
    fvals = [f(n) for n in range(n_max)]
    mean = sum(pi[n] * fvals[n] for n in range(n_max))
    # F(n) = -sum_{k>n} pi_k (f(k) - mean): the tail form stays accurate where pi_n is tiny
    tail = [0.0] * (n_max + 1)
    for n in range(n_max - 1, -1, -1):
        tail[n] = tail[n + 1] + pi[n] * (fvals[n] - mean)
    var = 0.0
    for n in range(n_max - 1):
        if pi[n] < 1e-250:
            break
        var += tail[n + 1] ** 2 / (pi[n] * lam)
    return mean, 2 * var
