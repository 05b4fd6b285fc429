"""Changes against the baseline: journeys, indices and site loads before and after."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import schema
from ..scenarios import ScenarioResult
from .options import ReportOptions

log = logging.getLogger(__name__)


def _changes(
    res: ScenarioResult,
    base: ScenarioResult,
    coded: dict[str, tuple[np.ndarray, list[object]]],
    options: ReportOptions,
) -> pd.DataFrame:
    before, after, w = base.minutes, res.minutes, res.demand
    both = np.isfinite(before) & np.isfinite(after)
    delta = np.where(both, after - before, 0.0)
    tol = 1e-9
    cols: dict[str, np.ndarray] = {
        "demand": w,
        "compared_demand": w * both,
        "_wb": w * np.where(both, before, 0.0),
        "_wa": w * np.where(both, after, 0.0),
        "demand_longer": w * (both & (delta > tol)),
        "demand_shorter": w * (both & (delta < -tol)),
        "demand_longer_15": w * (both & (delta > 15 + tol)),
        "demand_longer_30": w * (both & (delta > 30 + tol)),
    }
    for t in options.push_thresholds:
        cols[f"pushed_past_{t}_demand"] = w * (both & (before <= t) & (after > t))
    cols["newly_unreachable_demand"] = w * (np.isfinite(before) & ~np.isfinite(after))
    cols["newly_reachable_demand"] = w * (~np.isfinite(before) & np.isfinite(after))
    frames = []
    all_codes: tuple[np.ndarray, list[object]] = (np.zeros(len(w), dtype=np.intp), ["all"])
    for g, (codes, labels) in [("all", all_codes), *coded.items()]:
        k = len(labels)
        sums = {name: np.bincount(codes, weights=v, minlength=k) for name, v in cols.items()}
        cd = sums["compared_demand"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mb = np.where(cd > 0, sums.pop("_wb") / cd, np.nan)
            ma = np.where(cd > 0, sums.pop("_wa") / cd, np.nan)
        frame = pd.DataFrame(
            {
                "scenario": res.scenario.name,
                "baseline": base.scenario.name,
                "group_by": g,
                "group": pd.Series(labels, dtype=object),
                "demand": sums.pop("demand"),
                "compared_demand": sums.pop("compared_demand"),
                "mean_min_before": mb,
                "mean_min_after": ma,
                "change_mean_min": ma - mb,
                **sums,
            }
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


_NOT_MEASURES = {"scenario", "service", "rule", "demand_column", "areas", "fractions"}


def _index_changes(summary: pd.DataFrame, baseline: str) -> pd.DataFrame:
    measures = [c for c in summary.columns if c not in _NOT_MEASURES]
    base = summary.set_index("scenario").loc[baseline, measures]
    rows = []
    for _, row in summary.iterrows():
        if row["scenario"] == baseline:
            continue
        for m in measures:
            b, v = float(base[m]), float(row[m])
            rows.append(
                {
                    "scenario": row["scenario"],
                    "baseline": baseline,
                    "measure": m,
                    "baseline_value": b,
                    "value": v,
                    "change": v - b,
                }
            )
    cols = ["scenario", "baseline", "measure", "baseline_value", "value", "change"]
    return pd.DataFrame(rows, columns=cols)


def _site_changes(sites_table: pd.DataFrame, baseline: str) -> pd.DataFrame:
    base = sites_table[sites_table["scenario"] == baseline].set_index(schema.SITE_ID)
    frames = []
    for name, part in sites_table.groupby("scenario", sort=False):
        if name == baseline:
            continue
        b = base.reindex(part[schema.SITE_ID])
        frames.append(
            pd.DataFrame(
                {
                    "scenario": name,
                    "baseline": baseline,
                    schema.SITE_ID: part[schema.SITE_ID].to_numpy(),
                    schema.SITE_NAME: part[schema.SITE_NAME].to_numpy(),
                    schema.LINACS: part[schema.LINACS].to_numpy(),
                    "demand_before": b["demand"].to_numpy(),
                    "demand_after": part["demand"].to_numpy(),
                    "demand_change": part["demand"].to_numpy() - b["demand"].to_numpy(),
                    "demand_per_linac_before": b["demand_per_linac"].to_numpy(),
                    "demand_per_linac_after": part["demand_per_linac"].to_numpy(),
                }
            )
        )
    cols = [
        "scenario",
        "baseline",
        schema.SITE_ID,
        schema.SITE_NAME,
        schema.LINACS,
        "demand_before",
        "demand_after",
        "demand_change",
        "demand_per_linac_before",
        "demand_per_linac_after",
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
