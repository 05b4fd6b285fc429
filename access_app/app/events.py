"""What the session's parts share: event names, task and listener types, small helpers.

The session (:mod:`.session`) and its verbs in :mod:`.hubs`, :mod:`.sweeps` and
:mod:`.exports` import these; front ends use them through :mod:`.session`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd

from access_app.core.progress import CancelFn, ProgressFn

Task = Callable[[ProgressFn, CancelFn], Any]
Listener = Callable[[frozenset[str]], None]

EVENT_DATA = "data"
"""Areas, sites, network or matrix changed."""
EVENT_SCENARIOS = "scenarios"
"""A scenario was added, removed, renamed or edited."""
EVENT_SELECTION = "selection"
"""The current, compared or baseline scenario changed."""
EVENT_RESULTS = "results"
"""New results and equity tables are in place."""
EVENT_SITE = "site"
"""The selected site changed (drive-time maps follow it)."""
EVENT_ASSIGNED = "assigned"
"""Every scenario has a result (the maps can show them); the tables may still be computing."""
EVENT_SAVED = "saved"
"""The scenarios were saved or opened (the unsaved mark changed)."""
EVENT_SWEEP = "sweep"
"""A sensitivity sweep finished: intervals and bands are in place."""

def nothing(_fraction: float, _message: str) -> None:
    """Report nowhere (the progress hook of a task run at once)."""
    return None


def never() -> bool:
    """Never cancel (the cancel hook of a task run at once)."""
    return False


def own_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a shallow copy of ``gdf`` whose CRS object belongs to the calling thread.

    PROJ objects are tied to the thread they were made in; work on a worker thread that
    projects a frame shared with another thread takes a copy whose CRS is parsed afresh.
    """
    if gdf.crs is None:
        return gdf
    return gdf.set_crs(gdf.crs.srs, allow_override=True)
