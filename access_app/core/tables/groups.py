"""The breakdowns of a report (IMD decile and quintile, urban/rural, network, site...) and their labels."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import schema
from ..scenarios import ScenarioResult

log = logging.getLogger(__name__)


IMD_QUINTILE = "imd_quintile"
SITE_GROUP = "site"
GROUPINGS: tuple[str, ...] = (
    schema.IMD_DECILE,
    IMD_QUINTILE,
    schema.URBAN_RURAL,
    schema.RUC_CLASS,
    schema.NETWORK,
    schema.REGION,
    schema.ICB,
    SITE_GROUP,
)
"""Breakdowns computed when the areas table has the column (``site`` always)."""

MISSING = "(missing)"
UNREACHABLE = "(unreachable)"



def minutes_order(minutes: np.ndarray) -> np.ndarray:
    """Return the positions of reachable (finite) minutes in ascending order, ties stable."""
    reach = np.flatnonzero(np.isfinite(minutes))
    return reach[np.argsort(minutes[reach], kind="stable")]


def imd_quintile(decile: pd.Series) -> pd.Series:
    """Return the IMD quintile ``(decile + 1) // 2`` (1 = most deprived), nullable integer."""
    d = pd.to_numeric(decile, errors="coerce")
    return ((d + 1) // 2).astype("Int64")


def _group_labels(values: pd.Series) -> tuple[np.ndarray, list[object]]:
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    labels: list[object] = [
        int(u) if isinstance(u, int | np.integer) else (float(u) if isinstance(u, float) else u)
        for u in uniques.tolist()
    ]
    labels = [int(v) if isinstance(v, float) and float(v).is_integer() else v for v in labels]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels.append(MISSING)
    return codes.astype(np.intp), labels


def _area_groupings(areas: pd.DataFrame) -> dict[str, pd.Series]:
    cols: dict[str, pd.Series] = {}
    for g in GROUPINGS:
        if g == IMD_QUINTILE:
            if schema.IMD_DECILE in areas.columns:
                cols[g] = imd_quintile(areas[schema.IMD_DECILE])
        elif g != SITE_GROUP and g in areas.columns:
            cols[g] = areas[g]
    return cols


def _site_labels(result: ScenarioResult) -> tuple[np.ndarray, list[object]]:
    n = len(result.site_order)
    codes = np.where(result.site_index >= 0, result.site_index, n)
    labels: list[object] = [*result.site_order.tolist(), UNREACHABLE]
    used = np.unique(codes)
    remap = np.full(n + 1, -1, dtype=np.intp)
    remap[used] = np.arange(used.size)
    return remap[codes], [labels[i] for i in used]
