"""Glue between the equity report and the burden and capacity modules.

:func:`_burden_and_capacity` computes, for every scenario, the road km each area drives to
its assigned site, then the capacity tables (:mod:`access_app.core.capacity`) and the
burden tables (:mod:`access_app.core.burden`); :func:`_add_per_course` adds the per-course
burden of every area to the per-area table. Without a distance matrix, km, cost and
emissions are ``NaN`` and hours are still given.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import burden as burden_mod
from .. import capacity as capacity_mod
from ..distance import DistanceMatrix
from ..scenarios import ScenarioResult
from .options import ReportOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BurdenTables:
    """The burden and capacity tables of a report, and the km each scenario's areas drive."""

    burden: pd.DataFrame
    burden_changes: pd.DataFrame
    capacity: pd.DataFrame
    capacity_summary: pd.DataFrame
    km: dict[str, np.ndarray]


def _burden_and_capacity(
    results: Sequence[ScenarioResult],
    areas: pd.DataFrame,
    coded: Mapping[str, tuple[np.ndarray, list[object]]],
    site_info: pd.DataFrame,
    *,
    baseline: str,
    distances: DistanceMatrix | None,
    options: ReportOptions,
) -> BurdenTables:
    """Return the burden and capacity tables of ``results`` (see the module docstring)."""
    km = {
        r.scenario.name: burden_mod.assigned_km(
            r, None if distances is None else distances.km,
            None if distances is None else distances.site_ids.tolist(),
            None if distances is None else distances.area_ids.tolist(),
        )
        for r in results
    }
    capacity, capacity_summary, courses = capacity_mod.capacity_tables(
        results, areas, site_info, options=options.capacity
    )
    burden, burden_changes = burden_mod.burden_tables(
        results, coded, km=km, courses=courses, baseline=baseline, options=options.burden
    )
    return BurdenTables(burden=burden, burden_changes=burden_changes, capacity=capacity,
                        capacity_summary=capacity_summary, km=km)


def _add_per_course(
    area_table: pd.DataFrame,
    results: Sequence[ScenarioResult],
    km: Mapping[str, np.ndarray],
    *,
    options: ReportOptions,
) -> None:
    """Add the per-course km, miles, cost and CO2e of every area to ``area_table`` (in place)."""
    per_area = [
        burden_mod.per_course(np.where(r.reachable, r.minutes, np.nan), km[r.scenario.name],
                              fractions=r.scenario.fractions, options=options.burden)
        for r in results
    ]
    for m_name in burden_mod.MEASURES[1:]:
        area_table[m_name] = np.concatenate([p[m_name] for p in per_area])
