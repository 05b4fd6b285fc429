"""Planner tools on the map: drive-time bands around one site.

:func:`drive_time_map` colours every area by its car travel time to one chosen site (a
column of the travel-time matrix, not the assigned site), with the population inside each
band in the legend and, where shapes are known, one dissolved outline per band.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access_app.core import schema
from access_app.core.errors import DataError
from access_app.core.progress import CancelFn, ProgressFn, check_cancelled, report

from .builders import (
    _approx,
    _assemble,
    _legend_extra,
    _numbers,
    _prepare,
    has_capacity,
)
from .classify import TRAVEL_TIME_COLOURS, classify_travel_time, travel_time_legend
from .context import MapContext
from .layers import esc, legend_html
from .offline import OfflineMap
from .shapes import align_shapes
from .themes import Theme

logger = logging.getLogger(__name__)

#: Drive-time bands, minutes (the 45-minute NRAG guideline among them, as in the
#: travel-time classes of :mod:`access_app.maps.classify`).
DRIVE_TIME_BANDS: tuple[float, ...] = (30.0, 45.0, 60.0, 90.0)
#: Colours of the bands (viridis, as the travel-time classes) and, beyond the last band,
#: a pale grey so the bands stand out.
DRIVE_TIME_COLOURS: tuple[str, ...] = (*TRAVEL_TIME_COLOURS[:4], "#e4e1da")
#: Simplification of the band outlines, degrees (about 100 m).
OUTLINE_TOLERANCE = 0.001


def band_outlines(shapes: Sequence[Any] | np.ndarray, minutes: np.ndarray,
                  bands: Sequence[float]) -> list[dict[str, Any]]:
    """Return one GeoJSON geometry per band: the outline of the areas within it.

    Parameters
    ----------
    shapes
        WGS84 polygon (or ``None``) per area.
    minutes
        Minutes per area to the chosen site (non-finite = unreachable).
    bands
        Upper limits, minutes; band ``b`` holds the areas with ``minutes <= b``.
    """
    geoms = np.asarray(shapes, dtype=object)
    have = np.array([g is not None for g in geoms], dtype=bool)
    out = []
    for b in bands:
        sel = have & np.isfinite(minutes) & (minutes <= b)
        if not sel.any():
            out.append({"type": "GeometryCollection", "geometries": []})
            continue
        union = shapely.union_all(shapely.buffer(geoms[sel], 0.0002), grid_size=1e-5)
        edge = shapely.simplify(union, OUTLINE_TOLERANCE).boundary
        out.append(shapely.geometry.mapping(shapely.set_precision(edge, 1e-5)))
    return out


def drive_time_map(
    areas: gpd.GeoDataFrame,
    minutes: str | Sequence[float] | np.ndarray | pd.Series,
    site: str,
    *,
    sites: gpd.GeoDataFrame,
    attribution: str,
    boundaries: Mapping[str, gpd.GeoDataFrame] | None = None,
    bands: Sequence[float] = DRIVE_TIME_BANDS,
    colours: Sequence[str] = DRIVE_TIME_COLOURS,
    outlines: bool = True,
    title: str | None = None,
    tiles: bool = False,
    open_sites: Collection[str] | None = None,
    hubs: Collection[str] = (),
    context: MapContext | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> OfflineMap:
    """Build a map of drive-time bands around one site.

    Parameters
    ----------
    areas
        Area points (as for :func:`~access_app.maps.travel_time_map`).
    minutes
        Minutes from each area to ``site``: a column of ``areas`` or an array in the row
        order of ``areas`` (one column of the travel-time matrix).
    site
        ``site_id`` (or ``site_name``) of the chosen site.
    sites
        All sites (drawn as usual; the chosen one is ringed and named in the title).
    attribution, boundaries, tiles, open_sites, hubs, context, progress, cancelled
        As in :func:`~access_app.maps.travel_time_map`.
    bands
        Upper limits of the bands, minutes; ``len(colours) - 1`` of them.
    colours
        Colour per band plus one for beyond the last band.
    outlines
        Draw one dissolved outline per band (needs area shapes in ``context``).
    title
        Title; by default "Drive time to <site>".

    Returns
    -------
    OfflineMap
        The map.
    """
    report(progress, 0.0, "Preparing the drive-time map")
    if len(colours) != len(bands) + 1:
        raise ValueError(f"Need {len(bands) + 1} colours for {len(bands)} bands, "
                         f"got {len(colours)}.")
    if isinstance(minutes, str):
        if minutes not in areas.columns:
            raise DataError(f"The areas have no column {minutes!r} of minutes to {site!r}.")
        mins = pd.to_numeric(areas[minutes], errors="coerce").to_numpy(dtype=float)
    else:
        mins = np.asarray(minutes, dtype=float).ravel()
    if len(mins) != len(areas):
        raise DataError(f"Got {len(mins)} travel times to {site!r} for {len(areas)} areas; "
                        "pass the matrix column in the order of the areas.")
    areas = areas.assign(__drive_minutes=mins)
    areas, sites_4326, boundaries = _prepare(areas, sites, boundaries, "__drive_minutes")
    mins = areas["__drive_minutes"].to_numpy(dtype=float)
    ids = sites_4326[schema.SITE_ID].astype(str) if schema.SITE_ID in sites_4326.columns \
        else sites_4326[schema.SITE_NAME].astype(str)
    hit = np.flatnonzero((ids == str(site)).to_numpy()
                         | (sites_4326[schema.SITE_NAME].astype(str) == str(site)).to_numpy())
    if not len(hit):
        raise DataError(f"Site {site!r} is not among the sites' ids or names.")
    site_name = str(sites_4326[schema.SITE_NAME].iloc[hit[0]])
    chosen = sites_4326.geometry.iloc[hit[0]]
    cls = classify_travel_time(mins, breaks=bands)
    pop = (pd.to_numeric(areas[schema.POPULATION], errors="coerce").fillna(0.0).to_numpy()
           if schema.POPULATION in areas.columns else None)
    approximate = _approx(context, areas)
    note = "Car travel time from each area to this one site, whichever site it is assigned to."
    if pop is not None:
        total = float(pop.sum()) or 1.0
        rows = "".join(
            f"<tr><td>within {b:g} min</td><td>{float(pop[mins <= b].sum()):,.0f}</td>"
            f"<td>{100 * float(pop[mins <= b].sum()) / total:.1f}%</td></tr>" for b in bands)
        within = f'<div class="access-stats"><table>{rows}</table></div>'
    else:
        within = ""
    legend = (legend_html(f"Drive time to {site_name}",
                          travel_time_legend(breaks=bands, colours=colours), note=note)
              + within + _legend_extra(approximate, capacity=has_capacity(sites)))
    main = Theme("drive", "Drive time", cls, tuple(colours), legend)
    fields = {"min": _numbers(mins), "minLabel": esc(f"Drive time to {site_name}")}
    check_cancelled(cancelled)
    outline_layers: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if outlines and context is not None and context.shapes is not None \
            and schema.AREA_ID in areas.columns:
        report(progress, 0.2, "Outlining the drive-time bands")
        aligned = align_shapes(areas, context.shapes)
        geo = band_outlines(aligned, mins, bands)
        feats = [{"type": "Feature", "properties": {}, "geometry": g} for g in geo]
        outline_layers.append((
            "Band outlines", {"type": "FeatureCollection", "features": feats},
            {"color": "#1a1a1a", "weight": 1.6, "opacity": 0.9, "fill": False}))
    check_cancelled(cancelled)
    return _assemble(main, fields, sites_4326, areas=areas, context=context,
                     boundaries=boundaries, title=title or f"Drive time to {site_name}",
                     attribution=attribution, tiles=tiles, open_sites=open_sites, hubs=hubs,
                     outlines=outline_layers, highlight=(chosen.y, chosen.x),
                     progress=progress, cancelled=cancelled)
