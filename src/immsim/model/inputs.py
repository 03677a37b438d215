"""Structural inputs of a run: geography, calendar, and dated policy tables.

Parameters (``model.parameters``) are numbers with units; ``Inputs`` holds
what the scenario compiler derives from the scenario's structure: which
jurisdiction is in which field office, the policy in force in every
jurisdiction on every day, the enforcement regime, injunctions and the
fiscal-month calendar, and the
court policies that events put in force (hearing suspensions, the MPP docket).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Inputs(NamedTuple):
    month_of_day: np.ndarray  # int32[T]: report month of each day
    month_end: np.ndarray  # bool[T]: last simulated day of a month
    jur_office: np.ndarray  # int32[J]
    office_ptr: np.ndarray  # int32[F+1]: jurisdictions of office f are office_jur[ptr[f]:ptr[f+1]]
    office_jur: np.ndarray  # int32[J]
    pop_share: np.ndarray  # float64[J]: share of the removable population at start
    policy: np.ndarray  # int8[T, J]: cooperation policy in force (a code into policy_action)
    policy_action: np.ndarray  # int8[P, H]: what policy p does at release by criminal history (codes.ACTIONS)
    policy_warrant: np.ndarray  # bool[P]: policy p holds or transfers only with a judicial warrant
    eligible: np.ndarray  # float64[T, C]: share of each class (status x history) eligible for enforcement
    weight: np.ndarray  # float64[T, C]: relative targeting priority of each class
    injunction: np.ndarray  # bool[T, K+1]: removals of cohort k stayed on day t
    stay_detains: np.ndarray  # bool[T, K+1]: the stay in force on day t keeps cohort k's detained members detained
    cohort_share: np.ndarray  # float64[K+1]: share of people in each cohort (0: none)
    cohort_closes: np.ndarray  # int64[K+1]: last day of removal orders that count for a closed cohort (open: int32 max)
    hearings_suspended: np.ndarray  # bool[T]: non-detained hearings suspended (court policy events)
    mpp_hearings_suspended: np.ndarray  # bool[T]: MPP hearings suspended (court policy events)
    mpp_share: np.ndarray  # float64[T]: share of border-origin non-detained receipts placed on the MPP docket
    mpp_no_show: np.ndarray  # float64[T]: probability that an MPP respondent fails to appear (model/mpp.py)
    mpp_judge_share: np.ndarray  # float64[T]: share of the judges assigned to the MPP docket while it holds cases
