"""The per-site table: open or not, areas and demand served, demand per linac, minutes."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import schema
from ..scenarios import ScenarioResult
from .stats import group_stats

log = logging.getLogger(__name__)


def _site_info(sites: pd.DataFrame) -> pd.DataFrame:
    info = pd.DataFrame({schema.SITE_ID: sites[schema.SITE_ID].astype(str).to_numpy()})
    info[schema.SITE_NAME] = (
        sites[schema.SITE_NAME].astype(str).to_numpy()
        if schema.SITE_NAME in sites.columns
        else info[schema.SITE_ID]
    )
    info[schema.NETWORK] = sites[schema.NETWORK].to_numpy() if schema.NETWORK in sites.columns else None
    info[schema.NETWORK_CONFIDENCE] = (sites[schema.NETWORK_CONFIDENCE].to_numpy(dtype=object)
                                       if schema.NETWORK_CONFIDENCE in sites.columns else None)
    info[schema.LINACS] = (
        pd.to_numeric(sites[schema.LINACS], errors="coerce").to_numpy()
        if schema.LINACS in sites.columns
        else np.nan
    )
    return info.set_index(schema.SITE_ID, drop=False)


def _sites_table(res: ScenarioResult, info: pd.DataFrame, thresholds: Sequence[int]) -> pd.DataFrame:
    n = len(res.site_order)
    codes = np.where(res.site_index >= 0, res.site_index, n)
    st = group_stats(res.minutes, res.demand, codes, n + 1, thresholds=())
    sc = res.scenario
    ids = res.site_order.tolist()
    known = info.reindex(ids)
    linacs = known[schema.LINACS].to_numpy(dtype=float)
    demand = st["demand"][:n]
    with np.errstate(invalid="ignore", divide="ignore"):
        per_linac = np.where(linacs > 0, demand / linacs, np.nan)
    hubs = set(sc.hub_sites)
    frame = pd.DataFrame(
        {
            "scenario": sc.name,
            schema.SITE_ID: ids,
            schema.SITE_NAME: known[schema.SITE_NAME].fillna("").to_numpy(),
            schema.NETWORK: known[schema.NETWORK].to_numpy(),
            schema.NETWORK_CONFIDENCE: known[schema.NETWORK_CONFIDENCE].to_numpy(dtype=object),
            schema.LINACS: linacs,
            "open": [s in set(sc.open_sites) for s in ids],
            "hub": [s in hubs for s in ids],
            "areas": st["areas"][:n],
            "demand": demand,
            "demand_per_linac": per_linac,
            "mean_min": st["mean_min"][:n],
            "p90_min": st["p90_min"][:n],
            "max_min": st["max_min"][:n],
        }
    )
    return frame
