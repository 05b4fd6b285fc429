"""The per-area table: every area's site, minutes and change under every scenario."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import schema
from ..scenarios import ScenarioResult
from .groups import IMD_QUINTILE, imd_quintile

log = logging.getLogger(__name__)


def _areas_table(
    results: Sequence[ScenarioResult],
    base: ScenarioResult,
    areas: pd.DataFrame,
    info: pd.DataFrame,
) -> pd.DataFrame:
    n = len(areas)
    k = len(results)

    def col(name: str) -> np.ndarray:
        if name in areas.columns:
            return np.tile(areas[name].to_numpy(dtype=object), k)
        return np.full(n * k, None, dtype=object)

    names = info[schema.SITE_NAME].to_dict()
    site_ids = np.concatenate([r.site_ids for r in results])
    minutes = np.concatenate([r.minutes for r in results])
    base_min = np.tile(base.minutes, k)
    decile = pd.to_numeric(pd.Series(col(schema.IMD_DECILE)), errors="coerce")
    fractions = np.repeat([r.scenario.fractions for r in results], n)
    frame = pd.DataFrame(
        {
            schema.AREA_ID: np.tile(areas[schema.AREA_ID].astype(str).to_numpy(), k),
            schema.AREA_NAME: col(schema.AREA_NAME),
            "scenario": np.repeat([r.scenario.name for r in results], n),
            "demand": np.concatenate([r.demand for r in results]),
            schema.IMD_DECILE: decile.astype("Int64").to_numpy(),
            IMD_QUINTILE: imd_quintile(decile).to_numpy(),
            schema.URBAN_RURAL: col(schema.URBAN_RURAL),
            schema.NETWORK: col(schema.NETWORK),
            schema.SITE_ID: site_ids,
            schema.SITE_NAME: pd.Series(site_ids, dtype=object).map(names).to_numpy(),
            "minutes": minutes,
            "baseline_minutes": base_min,
            "change_min": minutes - base_min,
            "hours_per_course": fractions * 2.0 * minutes / 60.0,
            "unreachable_reason": np.concatenate([r.reason for r in results]),
        }
    )
    if "via_ferry" in areas.columns:  # sea or air routes the area depends on ("" = none)
        frame.insert(frame.columns.get_loc("minutes"), "via_ferry", col("via_ferry"))
    return frame
