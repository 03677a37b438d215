"""Exact answers for the model's daily jail hold, pickups and detention beds (discrete-time Markov chains).

Why: the model steps in days, so the continuous-time formulas (Erlang B for
beds, M/M/c+D for a hold window) are only approximations of what it does, and
the size of the gap depends on the rates. The daily rules, however, define
Markov chains whose stationary laws can be computed to machine precision;
these are the "theory" the model's own pipeline is compared with
(``model_peer``). Each rule below is the one the kernel applies, with the
module that applies it:

- Hold and pickups (``model/jails.py``: ``release``, ``pickups_day``): each day
  a Poisson number A of people are released into the hold with a deadline
  ``window`` days later; then ICE picks up at most ``capacity`` people,
  earliest deadline first; whoever reaches the deadline unserved is released
  at large. Releases come before pickups within a day, so a person released
  on day t can be picked up on days t to t + ``window``: ``window`` + 1
  chances (the continuous 48 hours straddle three calendar days).
  After the day's pickups the state is the number still waiting from
  each of the last ``window`` days; because the oldest are served first, only
  the oldest of those days can be partly served, which keeps the chain small.
- Beds (``model/custody.py``: ``start_removal``; ``model/removals.py``:
  ``removal_due``): removals due today free their beds before the day's
  pickups (a geometric stay: each occupant leaves on a given day with
  probability 1 / mean stay), then each person picked up takes a free bed or
  is released pending removal. The beds are driven by the pickups, which are
  not Poisson when capacity binds, so the chain is the joint one (hold state,
  beds in use).

Poisson arrivals are cut at a count whose tail probability is below ``TAIL``;
the tail's mass goes to the largest count kept, so the answers are exact to
about that order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse, stats
from scipy.sparse.linalg import spsolve

TAIL = 1e-12


def poisson_counts(lam: float, tail: float = TAIL) -> np.ndarray:
    """P(A = a) for a = 0 .. amax, the tail above amax added to the last entry."""
    amax = int(stats.poisson.isf(tail, lam)) + 1
    p = stats.poisson.pmf(np.arange(amax + 1), lam)
    p[-1] += stats.poisson.sf(amax, lam)
    return p


@dataclass(frozen=True)
class HoldChain:
    """The hold-and-pickup chain: states, its transitions, and its stationary law."""

    states: list[tuple[int, ...]]  # people still waiting after pickups, by days since release (0 .. window-1)
    src: np.ndarray  # transition (src, arrivals) -> dst, with the day's pickups and misses
    dst: np.ndarray
    prob: np.ndarray  # P(arrivals)
    served: np.ndarray
    lost: np.ndarray
    pi: np.ndarray  # stationary law of the state after the day's pickups
    lam: float

    @property
    def pickups_per_day(self) -> float:
        return float((self.pi[self.src] * self.prob * self.served).sum())

    @property
    def missed_per_day(self) -> float:
        return float((self.pi[self.src] * self.prob * self.lost).sum())

    @property
    def missed_share(self) -> float:
        return self.missed_per_day / self.lam

    @property
    def waiting(self) -> float:
        """Mean number in the hold at the end of a day (after pickups), as month-end stocks see it."""
        return float(self.pi @ np.array([sum(s) for s in self.states], float))

    @property
    def mean_days_in_hold(self) -> float:
        """Ends of day spent in the hold per person (Little's law in discrete time: waiting / arrivals)."""
        return self.waiting / self.lam


def _pickups(state: tuple[int, ...], a: int, capacity: int, window: int) -> tuple[tuple[int, ...], int, int]:
    """One day: arrivals ``a`` join, the oldest are served first, the unserved at the deadline leave."""
    ages = [a, *state]  # ages[i]: released i days ago, i = 0 .. window
    left = capacity
    for i in range(window, -1, -1):
        take = min(left, ages[i])
        ages[i] -= take
        left -= take
    return tuple(ages[:window]), capacity - left, ages[window]


def hold_chain(lam: float, capacity: int, window: int) -> HoldChain:
    """Stationary hold chain for Poisson(``lam``) releases a day, ``capacity`` pickups a day, ``window`` days."""
    pa = poisson_counts(lam)
    index: dict[tuple[int, ...], int] = {(0,) * window: 0}
    states, rows = [(0,) * window], []
    i = 0
    while i < len(states):  # breadth-first over the states reachable from an empty hold
        for a in range(len(pa)):
            nxt, served, lost = _pickups(states[i], a, capacity, window)
            if nxt not in index:
                index[nxt] = len(states)
                states.append(nxt)
            rows.append((i, a, index[nxt], served, lost))
        i += 1
    src, a, dst, served, lost = (np.array(x) for x in zip(*rows, strict=True))
    n = len(states)
    prob = pa[a]
    p = sparse.csr_matrix((prob, (src, dst)), shape=(n, n))
    # pi (P - I) = 0 with sum(pi) = 1: replace one equation by the normalisation
    m = (p.T - sparse.identity(n)).tolil()
    m[0, :] = 1.0
    rhs = np.zeros(n)
    rhs[0] = 1.0
    pi = spsolve(m.tocsc(), rhs)
    return HoldChain(states, src, dst, prob, served, lost, pi, lam)


@dataclass(frozen=True)
class BedAnswer:
    """Stationary figures of the beds fed by the day's pickups."""

    beds_in_use: float  # mean beds in use at the end of a day
    overflow_share: float  # share of people picked up who find no free bed
    book_ins_per_day: float


def beds_after_pickups(
    hold: HoldChain, beds: int, mean_stay: float, tol: float = 1e-13, max_iter: int = 100_000
) -> BedAnswer:
    """Joint stationary law of (hold state, beds in use), by power iteration.

    Each day: occupants leave independently with probability 1 / ``mean_stay``
    (a binomial thinning), then the day's pickups take free beds up to ``beds``.
    The iteration contracts at least by the daily survival probability, so it
    stops when a step changes the law by less than ``tol`` (total variation).
    """
    q = 1.0 - 1.0 / mean_stay if mean_stay > 1.0 else 0.0  # the geometric stay of engine.rng.duration
    x = np.arange(beds + 1)
    survive = stats.binom.pmf(x[None, :], x[:, None], q)  # [occupied before, survivors]
    n = len(hold.states)
    # one sparse matrix per number of pickups s: (dst, src) -> P(arrivals); the s people fill min(s, free) beds
    moves = {
        s: sparse.csr_matrix((hold.prob[k], (hold.dst[k], hold.src[k])), shape=(n, n))
        for s in np.unique(hold.served)
        for k in [hold.served == s]
    }

    def step(joint: np.ndarray) -> tuple[np.ndarray, float]:
        rho = joint @ survive  # [hold state, survivors]
        new = np.zeros_like(joint)
        overflow = 0.0
        for s, m in moves.items():
            y = m @ rho  # [next hold state, survivors], the day's pickups s
            if s == 0:
                new += y
                continue
            new[:, s:] += y[:, : beds + 1 - s] if s <= beds else 0.0
            full = y[:, max(0, beds + 1 - s) :]
            new[:, beds] += full.sum(axis=1)
            overflow += float(full.sum(axis=0) @ (x[max(0, beds + 1 - s) :] + s - beds))
        return new, overflow

    # start from the beds' law as if each day's pickups were independent of the last (exact when capacity never
    # binds): the iteration then only has to add the correlation, which takes fewer steps
    served_law = np.bincount(hold.served, hold.pi[hold.src] * hold.prob)
    fill = np.zeros((beds + 1, beds + 1))
    for s, w in enumerate(served_law):
        np.add.at(fill, (x, np.minimum(x + s, beds)), w)
    marginal = np.linalg.lstsq(
        np.vstack([(survive @ fill).T - np.eye(beds + 1), np.ones(beds + 1)]),
        np.r_[np.zeros(beds + 1), 1.0],
        rcond=None,
    )[0]
    joint = np.outer(hold.pi, np.clip(marginal, 0.0, None))
    for _ in range(max_iter):
        new, overflow = step(joint)
        change = np.abs(new - joint).sum()
        joint = new
        if change < tol:
            break
    else:
        raise RuntimeError("the bed chain did not converge")
    served = hold.pickups_per_day
    return BedAnswer(float(joint.sum(axis=0) @ x), overflow / served, served - overflow)
