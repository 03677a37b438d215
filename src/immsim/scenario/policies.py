"""Cooperation policies: what a jail does with ICE's requests, by criminal history.

A policy gives, for each criminal history (``codes.HISTORIES``), the action a
jail takes when it releases a person ICE has asked for (``codes.ACTIONS``):

- ``transfer_287g``: local officers under a 287(g) jail agreement process the
  person and hand them to ICE;
- ``hold``: the jail honors the detainer and holds the person up to the hold
  window for pickup;
- ``notify``: no hold, but ICE is told the release time (a request for
  notification is honored);
- ``decline``: no hold and no routine notice;
- ``no_contact``: nothing at all.

A policy may require a judicial warrant: its ``hold`` and ``transfer_287g``
actions then apply only when ICE brings one (``judicial_warrant_probability``),
and the jail declines otherwise. Carve-outs are written this way: California's
TRUST Act let jails honor detainers for listed serious or violent convictions
only (``honor_serious``); New York City honored them only with a judicial
warrant for listed convictions (``warrant_serious``).

Scenarios may define more policies in a ``policies:`` section and use their
names wherever a policy name is used. Events with ``mode: at_least`` or
``at_most`` compare policies by their cooperation score: the mean rank of their
actions over the histories, less a quarter if a warrant is required.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from immsim.model import codes as c

ACTION_CODE = {name: i for i, name in enumerate(c.ACTIONS)}


@dataclass(frozen=True)
class PolicyDef:
    """A policy's behaviour: one action per criminal history, and the warrant rule."""

    actions: tuple[str, ...]  # one per history, in codes.HISTORIES order
    judicial_warrant: bool
    meaning: str

    @property
    def score(self) -> float:
        ranks = [ACTION_CODE[a] for a in self.actions]
        return sum(ranks) / len(ranks) - (0.25 if self.judicial_warrant else 0.0)


def _uniform(action: str, meaning: str, warrant: bool = False) -> PolicyDef:
    return PolicyDef((action,) * c.N_HISTORIES, warrant, meaning)


def _serious_only(action: str, meaning: str, warrant: bool = False) -> PolicyDef:
    return PolicyDef(("decline",) * (c.N_HISTORIES - 1) + (action,), warrant, meaning)


#: The built-in policies, from least to most cooperative.
BUILTIN: dict[str, PolicyDef] = {
    "no_contact": _uniform("no_contact", "no holds and no communication with ICE"),
    "decline_holds": _uniform("decline", "declines every detainer: release at the normal time, no routine notice"),
    "warrant_serious": _serious_only(
        "hold", "holds only people with a serious or violent conviction, and only with a judicial warrant", True
    ),
    "notify_serious": _serious_only(
        "notify", "no holds; notifies ICE of the release of people with a serious or violent conviction only"
    ),
    "honor_serious": _serious_only(
        "hold", "honors detainers only for people with a serious or violent conviction; declines the others"
    ),
    "notify_only": _uniform("notify", "no holds; notifies ICE of every release it asks about"),
    "honor": _uniform("hold", "honors every detainer: holds up to the hold window for pickup"),
    "jail_287g": _uniform("transfer_287g", "287(g) jail agreement: local officers process and transfer to ICE"),
}
POLICIES = tuple(BUILTIN)


def policy_table(defined: Mapping[str, PolicyDef]) -> dict[str, PolicyDef]:
    """Built-in policies plus a scenario's own (which may not reuse a built-in name)."""
    return BUILTIN | dict(defined)


def compile_policies(table: Mapping[str, PolicyDef]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(names, actions int8[P, H], warrant bool[P], score float64[P]) for the kernels and the compiler."""
    names = list(table)
    actions = np.array([[ACTION_CODE[a] for a in table[n].actions] for n in names], np.int8)
    warrant = np.array([table[n].judicial_warrant for n in names], bool)
    score = np.array([table[n].score for n in names])
    return names, actions, warrant, score
