"""Hub optimisation with equity constraints: which centres should carry a service.

Qt-free. Build a :class:`HubProblem` (:func:`from_session_data` from the session's tables
and travel-time matrix), then call :func:`optimise` with an :class:`Objective`, the number
of hubs and :class:`Constraints`. The result ranks the options per network, gives the
Pareto front of efficiency against equity, and any option becomes a scenario
(:func:`option_scenario`, :func:`ranked_scenarios`). Formulations and references:
``docs/optimise.md``.
"""

from __future__ import annotations

from . import report
from .options import (
    GROUPS,
    OBJECTIVES,
    BlockResult,
    Constraints,
    HubOption,
    InfeasibleError,
    Objective,
    OptimiseResult,
    measures,
    option_row,
    option_scenario,
    ranked_scenarios,
)
from .problem import NATIONAL, HubProblem, SubProblem, from_session_data
from .solve import METHODS, calibrate_kappa, optimise

__all__ = [
    "GROUPS",
    "METHODS",
    "NATIONAL",
    "OBJECTIVES",
    "BlockResult",
    "Constraints",
    "HubOption",
    "HubProblem",
    "InfeasibleError",
    "Objective",
    "OptimiseResult",
    "SubProblem",
    "calibrate_kappa",
    "from_session_data",
    "measures",
    "option_row",
    "option_scenario",
    "optimise",
    "report",
    "ranked_scenarios",
]
