"""Options of an equity report: thresholds, inequality aversion, burden and capacity assumptions."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..burden import BurdenOptions
from ..capacity import CapacityOptions


@dataclass(frozen=True)
class ReportOptions:
    r"""Choose thresholds and inequality-aversion parameters of a report.

    Attributes
    ----------
    thresholds
        Minutes for the "within" counts and shares.
    push_thresholds
        Minutes for "pushed past" counts in the changes table.
    atkinson_epsilon
        Aversion of the Atkinson index for a bad (> 0).
    kolm_pollak_aversion
        Aversion :math:`\alpha` used to calibrate ``kappa`` on the baseline.
    kolm_pollak_kappa
        Fixed ``kappa`` per minute; ``None`` = calibrate on the baseline's reachable areas,
        :math:`\kappa = \alpha\sum wx/\sum wx^2`, so every scenario uses the same one.
    burden
        Cost per mile, parking per visit and kg CO2e per km (:mod:`~access_app.core.burden`).
    capacity
        Fractions per linac a year, staff per linac and course rate
        (:mod:`~access_app.core.capacity`).
    """

    thresholds: tuple[int, ...] = (30, 45, 60, 90)
    push_thresholds: tuple[int, ...] = (45, 60, 90)
    atkinson_epsilon: float = 1.0
    kolm_pollak_aversion: float = 0.5
    kolm_pollak_kappa: float | None = None
    burden: BurdenOptions = field(default_factory=BurdenOptions)
    capacity: CapacityOptions = field(default_factory=CapacityOptions)
