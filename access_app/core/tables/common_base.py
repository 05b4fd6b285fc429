"""Headline statistics on a *common base*: the areas that reach a site in every scenario.

When scenarios leave different areas without a site, their own means are over different
people. :func:`_common_stats` repeats the summary's headline statistics over the areas
reachable in every scenario, so the summary's ``common_*`` columns compare scenarios on
the same people.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..scenarios import ScenarioResult
from .stats import group_stats

log = logging.getLogger(__name__)


def common_reachable(results: Sequence[ScenarioResult]) -> np.ndarray:
    """Return a boolean per area: reachable in every one of ``results``."""
    return np.logical_and.reduce([r.reachable for r in results])


def _common_stats(
    res: ScenarioResult, common: np.ndarray, thresholds: Sequence[int], quint: pd.Series | None
) -> dict[str, float]:
    """Return the headline statistics over the areas that reach a site in every scenario.

    Mean, median, 90th percentile, shares within each threshold, and the mean of IMD
    quintiles 1 and 5 (``NaN`` without IMD).
    """
    minutes = np.where(common, res.minutes, np.nan)
    zero = np.zeros(len(minutes), dtype=np.intp)
    st = group_stats(minutes, res.demand, zero, 1, thresholds=thresholds)
    out = {
        "common_demand": float(st["reachable_demand"][0]),
        "common_mean_min": float(st["mean_min"][0]),
        "common_median_min": float(st["median_min"][0]),
        "common_p90_min": float(st["p90_min"][0]),
    }
    for t in thresholds:
        out[f"common_within_{t}_share"] = float(st[f"within_{t}_share"][0])
    for q in (1, 5):
        if quint is None:
            out[f"common_q{q}_mean_min"] = float("nan")
            continue
        inq = common & (quint.to_numpy(dtype=float, na_value=np.nan) == q)
        w = res.demand[inq]
        total = float(w.sum())
        out[f"common_q{q}_mean_min"] = float(np.sum(w * res.minutes[inq]) / total) if total > 0 else math.nan
    return out
