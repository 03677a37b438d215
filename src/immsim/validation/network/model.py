"""The network a user describes (``Network``) and the validated arrays the compiled loop reads (``NetworkParams``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

EXIT = -1  # destination "leave the network"


@dataclass(frozen=True)
class Network:
    """An open network; arrays are indexed [station] or [station][class], classes in priority order.

    ``patience`` is in time units (``inf``: none), exponential with that mean unless
    ``patience_fixed``. ``capacity`` counts servers plus queue (``inf``: unlimited).
    Destinations are station indices or ``EXIT``; ``overflow_class`` of -1 keeps the class.
    """

    servers: ArrayLike
    service_mean: ArrayLike  # [K][C]
    arrival_rate: ArrayLike  # [K][C], external Poisson rate
    routing: ArrayLike | None = None  # [C][K][K] or [K][K] (same for all classes); rows sum to <= 1
    patience: ArrayLike | None = None  # [K]
    patience_fixed: ArrayLike | bool = False  # [K] or one flag
    renege_to: ArrayLike | None = None  # [K], default EXIT
    capacity: ArrayLike | None = None  # [K]
    overflow_to: ArrayLike | None = None  # [K], default EXIT
    overflow_class: ArrayLike | None = None  # [K], default -1 (keep)
    names: tuple[str, ...] | None = None

    def params(self) -> NetworkParams:
        """Validated NumPy arrays for the compiled loop."""
        servers = np.asarray(self.servers, np.int64)
        k = servers.size
        svc = np.ascontiguousarray(np.asarray(self.service_mean, np.float64).reshape(k, -1))
        c = svc.shape[1]
        rate = np.ascontiguousarray(np.asarray(self.arrival_rate, np.float64).reshape(k, c))
        r = np.zeros((k, k)) if self.routing is None else np.asarray(self.routing, np.float64)
        r = np.broadcast_to(r, (c, k, k)) if r.ndim == 2 else r.reshape(c, k, k)
        if (r < 0).any() or (r.sum(axis=2) > 1 + 1e-12).any():
            raise ValueError("routing probabilities must be >= 0 and each row must sum to <= 1")

        def per_station(x, default, dtype):
            return np.full(k, default, dtype) if x is None else np.broadcast_to(np.asarray(x, dtype), (k,)).copy()

        cap = per_station(self.capacity, np.inf, np.float64)
        overflow_to = per_station(self.overflow_to, EXIT, np.int64)
        _check_overflow_chains(cap, overflow_to)
        if (servers < 0).any() or (svc < 0).any() or (rate < 0).any() or (cap < 0).any():
            raise ValueError("servers, service means, arrival rates and capacities must be >= 0")
        renege_to, overflow_class = (
            per_station(self.renege_to, EXIT, np.int64),
            per_station(self.overflow_class, -1, np.int64),
        )
        if not all(((d >= EXIT) & (d < k)).all() for d in (renege_to, overflow_to)) or (overflow_class >= c).any():
            raise ValueError("destinations must be station indices or EXIT, and overflow classes class indices or -1")
        return NetworkParams(
            servers,
            svc,
            rate,
            np.cumsum(r, axis=2),
            per_station(self.patience, np.inf, np.float64),
            per_station(self.patience_fixed, False, np.bool_),
            renege_to,
            np.where(np.isinf(cap), -1, np.minimum(cap, 2**62)).astype(np.int64),
            overflow_to,
            overflow_class,
            np.arange(k * c, dtype=np.int64) // c,
            np.arange(k * c, dtype=np.int64) % c,
        )

    def station_names(self) -> list[str]:
        k = np.asarray(self.servers).size
        return list(self.names) if self.names is not None else [f"station {i}" for i in range(k)]


def _check_overflow_chains(cap: np.ndarray, overflow_to: np.ndarray) -> None:
    """Overflow chains must end, or a full network would pass a customer around forever."""
    for start in range(cap.size):
        seen, j = set(), start
        while j != EXIT and cap[j] < np.inf:
            if j in seen:
                raise ValueError("overflow destinations form a cycle of capacity-limited stations")
            seen.add(j)
            j = overflow_to[j]


class NetworkParams(NamedTuple):
    """``Network`` as validated arrays for the compiled loop (not the model's ``model.parameters.Params``)."""

    servers: np.ndarray  # int64[K]
    service_mean: np.ndarray  # float64[K, C]
    arrival_rate: np.ndarray  # float64[K, C]
    route_cum: np.ndarray  # float64[C, K, K], cumulative along the last axis
    patience: np.ndarray  # float64[K]
    patience_fixed: np.ndarray  # bool[K]
    renege_to: np.ndarray  # int64[K]
    capacity: np.ndarray  # int64[K], -1: unlimited
    overflow_to: np.ndarray  # int64[K]
    overflow_class: np.ndarray  # int64[K]
    kc_k: np.ndarray  # int64[K * C]: the station of queue kc = k * C + c
    kc_c: np.ndarray  # int64[K * C]: the class of queue kc
