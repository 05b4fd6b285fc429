"""The common base of the board report: the areas that reach a site in every scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.tables import EquityReport


def common_mask(report_: EquityReport) -> np.ndarray:
    """Return, per area (row order of one scenario), whether it reaches a site in every scenario."""
    a = report_.areas
    ok = np.ones(int((a["scenario"] == report_.scenarios[0].name).sum()), dtype=bool)
    for sc in report_.scenarios:
        ok &= np.isfinite(a.loc[a["scenario"] == sc.name, "minutes"].to_numpy(dtype=float))
    return ok


def scenario_areas(report_: EquityReport, name: str) -> pd.DataFrame:
    """Return the per-area rows of scenario ``name`` in the areas' order."""
    a = report_.areas
    return a[a["scenario"] == name].reset_index(drop=True)


def common_group_table(report_: EquityReport, group_by: str) -> pd.DataFrame:
    """Return mean minutes and share within 45 per group and scenario on the common base.

    Columns: ``group``, ``demand`` (common base, the baseline's weights), then per
    scenario ``<name>|mean``, ``<name>|within45``, ``<name>|no_site`` (demand of the
    group with no site in that scenario).
    """
    common = common_mask(report_)
    base = scenario_areas(report_, report_.baseline)
    if group_by not in base.columns:
        return pd.DataFrame()
    keys = base[group_by].astype(object).where(base[group_by].notna(), "(missing)")
    out = (
        pd.DataFrame({"group": keys, "demand": np.where(common, base["demand"], 0.0)})
        .groupby("group", sort=True)["demand"]
        .sum()
        .to_frame()
    )
    for sc in report_.scenarios:
        s = scenario_areas(report_, sc.name)
        w = s["demand"].to_numpy(dtype=float)
        m = s["minutes"].to_numpy(dtype=float)
        frame = (
            pd.DataFrame(
                {
                    "group": keys,
                    "wm": np.where(common, w * np.nan_to_num(m, posinf=0.0), 0.0),
                    "w": np.where(common, w, 0.0),
                    "w45": np.where(common & (m <= 45), w, 0.0),
                    "none": np.where(~np.isfinite(m), w, 0.0),
                }
            )
            .groupby("group", sort=True)
            .sum()
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{sc.name}|mean"] = frame["wm"] / frame["w"].where(frame["w"] > 0)
            out[f"{sc.name}|within45"] = frame["w45"] / frame["w"].where(frame["w"] > 0)
        out[f"{sc.name}|no_site"] = frame["none"]
    return out.reset_index()
