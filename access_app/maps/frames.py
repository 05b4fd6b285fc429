"""Turn scenario results into the area tables the map builders draw.

The builders read plain columns (``minutes``, ``site_name``, ``change``...); these helpers
join a :class:`~access_app.core.scenarios.ScenarioResult` to the canonical areas and sites
so the GUI and the CLI do not repeat that join::

    frame = scenario_areas(ds.areas, ds.sites, result)
    open_sites, hubs = site_roles(result.scenario)
    m = travel_time_map(frame, ds.sites, open_sites=open_sites, hubs=hubs, ...)
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from access_app.core import schema
from access_app.core.errors import DataError
from access_app.core.scenarios import Scenario, ScenarioResult

_KEEP = (schema.AREA_ID, schema.AREA_NAME, schema.POPULATION, schema.IMD_DECILE,
         schema.URBAN_RURAL, "via_ferry")


def site_roles(scenario: Scenario) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return ``(open_sites, hubs)`` of a scenario for the ``open_sites``/``hubs`` options."""
    hubs = scenario.hub_sites
    opened = tuple(dict.fromkeys((*scenario.open_sites, *hubs)))
    return opened, hubs


def scenario_areas(
    areas: gpd.GeoDataFrame, sites: pd.DataFrame, result: ScenarioResult
) -> gpd.GeoDataFrame:
    """Return the areas with ``site_id``, ``site_name`` and ``minutes`` of a scenario.

    Parameters
    ----------
    areas
        Canonical areas (the table the scenario was assigned on).
    sites
        Canonical sites with ``site_id`` and ``site_name``.
    result
        The scenario's result, in the row order of ``areas``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``area_id``, ``area_name``, ``population``, ``imd_decile``, ``urban_rural`` (those
        present),
        ``site_id``, ``site_name`` (``None`` where unreachable), ``minutes`` (``NaN`` where
        unreachable) and the geometry, same index as ``areas``.
    """
    if len(result.area_index) != len(areas) or not result.area_index.equals(areas.index):
        raise DataError(
            f"The result of scenario {result.scenario.name!r} has {len(result.area_index)} "
            f"areas but the areas table has {len(areas)} (or another order); recompute the "
            "scenario on the loaded areas."
        )
    for col in (schema.SITE_ID, schema.SITE_NAME):
        if col not in sites.columns:
            raise DataError(f"The sites have no column {col!r}.")
    names = dict(zip(sites[schema.SITE_ID].astype(str), sites[schema.SITE_NAME], strict=False))
    keep = [c for c in _KEEP if c in areas.columns]
    out = gpd.GeoDataFrame(areas[keep].copy(), geometry=areas.geometry, crs=areas.crs)
    ids = [None if s is None or (isinstance(s, float) and np.isnan(s)) else str(s)
           for s in result.site_ids]
    out[schema.SITE_ID] = ids
    out[schema.SITE_NAME] = [names.get(s) if s is not None else None for s in ids]
    out["minutes"] = np.asarray(result.minutes, dtype=float)
    return out


def change_areas(
    areas: gpd.GeoDataFrame, sites: pd.DataFrame, result: ScenarioResult,
    baseline: ScenarioResult,
) -> gpd.GeoDataFrame:
    """Return :func:`scenario_areas` of ``result`` plus ``baseline_minutes`` and ``change``.

    ``change = minutes - baseline_minutes`` (positive = longer journey); ``NaN`` where
    either scenario leaves the area unreachable.
    """
    out = scenario_areas(areas, sites, result)
    base = scenario_areas(areas, sites, baseline)
    out["baseline_minutes"] = base["minutes"].to_numpy()
    out["change"] = out["minutes"].to_numpy() - out["baseline_minutes"].to_numpy()
    return out
