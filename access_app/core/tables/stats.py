"""Demand-weighted statistics of minutes, overall and by group, and the inequality indices."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import equity, schema
from ..scenarios import ScenarioResult
from .groups import MISSING, minutes_order
from .options import ReportOptions

log = logging.getLogger(__name__)


def group_stats(
    minutes: np.ndarray,
    demand: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    thresholds: Sequence[int],
    order: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Return weighted travel-time statistics per group code.

    Parameters
    ----------
    minutes
        One-way minutes; ``NaN`` = unreachable.
    demand
        Weight of each area.
    codes
        Group of each area, ``0 .. n_groups - 1``.
    n_groups
        Number of groups.
    thresholds
        Minutes for the ``within_T_demand`` / ``within_T_share`` columns.
    order
        Optional positions of the reachable areas sorted by minutes (stable), from
        :func:`minutes_order`; saves a sort when one scenario is broken down many ways.

    Returns
    -------
    dict
        Arrays of length ``n_groups``: ``areas``, ``demand``, ``reachable_demand``,
        ``unreachable_demand``, ``mean_min``, ``median_min``, ``p90_min``, ``max_min`` and
        the within columns. Statistics of groups without reachable demand are ``NaN``.
    """
    reach = np.isfinite(minutes)
    c_r, x_r, w_r = codes[reach], minutes[reach], demand[reach]
    out: dict[str, np.ndarray] = {
        "areas": np.bincount(codes, minlength=n_groups).astype(np.int64),
        "demand": np.bincount(codes, weights=demand, minlength=n_groups),
    }
    rd = np.bincount(c_r, weights=w_r, minlength=n_groups)
    out["reachable_demand"] = rd
    out["unreachable_demand"] = out["demand"] - rd
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_min"] = np.where(
            rd > 0, np.bincount(c_r, weights=w_r * x_r, minlength=n_groups) / rd, np.nan
        )
    med = np.full(n_groups, np.nan)
    p90 = np.full(n_groups, np.nan)
    mx = np.full(n_groups, np.nan)
    if order is None:
        order = minutes_order(minutes)
    # stable sort by group keeps the minutes order inside each group (radix sort on int16)
    small = codes.astype(np.int16) if n_groups < np.iinfo(np.int16).max else codes
    order = order[np.argsort(small[order], kind="stable")]
    cs = codes[order]
    bounds = np.searchsorted(cs, np.arange(n_groups + 1), side="left")
    xs_all, ws_all = minutes[order], demand[order]
    for g in range(n_groups):
        lo, hi = bounds[g], bounds[g + 1]
        if hi <= lo or rd[g] <= 0:
            continue
        xs, ws = xs_all[lo:hi], ws_all[lo:hi]
        cw = np.cumsum(ws)
        med[g] = equity.sorted_quantile(xs, cw, 0.5)
        p90[g] = equity.sorted_quantile(xs, cw, 0.9)
        mx[g] = xs[ws > 0].max()
    out["median_min"] = med
    out["p90_min"] = p90
    out["max_min"] = mx
    for t in thresholds:
        within = np.bincount(c_r, weights=w_r * (x_r <= t), minlength=n_groups)
        out[f"within_{t}_demand"] = within
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"within_{t}_share"] = np.where(rd > 0, within / rd, np.nan)
    return out



def _indices(
    result: ScenarioResult,
    areas: pd.DataFrame,
    quint: pd.Series | None,
    *,
    kappa: float,
    options: ReportOptions,
) -> dict[str, float]:
    r = result.reachable
    x, w = result.minutes[r], result.demand[r]
    nan = float("nan")
    out: dict[str, float] = {}
    ok = w.sum() > 0
    out["gini"] = equity.gini(x, w) if ok else nan
    out["theil_t"] = equity.theil_t(x, w) if ok else nan
    for name, labels in (
        ("imd_quintile", quint),
        ("network", areas[schema.NETWORK] if schema.NETWORK in areas.columns else None),
    ):
        if labels is None or not ok:
            out[f"theil_between_{name}"] = nan
            out[f"theil_within_{name}"] = nan
            continue
        lab = labels.astype(object).where(labels.notna(), MISSING).to_numpy()[r]
        dec = equity.theil_decomposition(x, lab, w)
        out[f"theil_between_{name}"] = dec.between
        out[f"theil_within_{name}"] = dec.within
    eps = options.atkinson_epsilon
    out["atkinson_bad"] = equity.atkinson_bad(x, w, epsilon=eps) if ok else nan
    out["atkinson_ede_min"] = equity.atkinson_bad_ede(x, w, epsilon=eps) if ok else nan
    kp_ok = ok and np.isfinite(kappa) and kappa > 0
    out["kolm_pollak_ede_min"] = equity.kolm_pollak_ede(x, w, kappa=kappa) if kp_ok else nan
    mean = equity.weighted_mean(x, w) if ok else nan
    out["kolm_pollak_index_min"] = out["kolm_pollak_ede_min"] - mean
    if schema.IMD_RANK in areas.columns and ok:
        rank = pd.to_numeric(areas[schema.IMD_RANK], errors="coerce").to_numpy(dtype=float)[r]
        has = np.isfinite(rank)
        out["concentration_index"] = (
            equity.concentration_index(x[has], rank[has], w[has]) if has.any() else nan
        )
    else:
        out["concentration_index"] = nan
    if quint is not None and ok:
        q = quint.astype(object).where(quint.notna(), MISSING).to_numpy()[r]
        q1, q5, ratio, gap = equity.group_gap(x, q, w, first=1, last=5)
    else:
        q1 = q5 = ratio = gap = nan
    out["q1_mean_min"] = q1
    out["q5_mean_min"] = q5
    out["q1_q5_ratio"] = ratio
    out["q1_q5_gap_min"] = gap
    return out



def _stats_frame(stats: dict[str, np.ndarray], fractions: int, thresholds: Sequence[int]) -> pd.DataFrame:
    frame = pd.DataFrame(stats)
    frame["hours_per_course"] = fractions * 2.0 * frame["mean_min"] / 60.0
    order = [
        "areas",
        "demand",
        "reachable_demand",
        "unreachable_demand",
        "mean_min",
        "median_min",
        "p90_min",
        "max_min",
    ]
    for t in thresholds:
        order += [f"within_{t}_demand", f"within_{t}_share"]
    return frame[[*order, "hours_per_course"]]
