"""Classify road links as urban or rural from nearby area centroids.

:func:`classify_urban_links` decides whether a link runs through an urban area: points
are sampled along each link (its vertices and points every ``step_m`` metres); a sample is
urban when its nearest area centroid is classed ``"Urban"`` and lies within ``radius_m``
(default 1,000 m, about the spacing of suburban LSOA centroids); the link is urban when at
least ``min_share`` (default half) of its samples are urban.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from .. import schema
from ..errors import DataError

log = logging.getLogger(__name__)


def classify_urban_links(
    lines: gpd.GeoDataFrame | gpd.GeoSeries,
    areas: gpd.GeoDataFrame,
    *,
    radius_m: float = 1000.0,
    step_m: float = 500.0,
    min_share: float = 0.5,
    urban_col: str = schema.URBAN_RURAL,
) -> pd.Series:
    """Classify each road link as urban or rural from nearby area centroids.

    Parameters
    ----------
    lines
        Road links (LineString/MultiLineString) in a metric CRS.
    areas
        Area centroids (points) with an ``urban_col`` column holding ``"Urban"`` or
        ``"Rural"`` (case-insensitive; booleans are accepted too). Reprojected to the
        CRS of ``lines`` if needed.
    radius_m
        A sample point counts as urban if its nearest area centroid is urban and at most
        this far away.
    step_m
        Spacing of the sample points added between a link's vertices.
    min_share
        Share of a link's samples that must be urban for the link to be urban.
    urban_col
        Column of ``areas`` with the urban/rural class.

    Returns
    -------
    pandas.Series
        Boolean, indexed like ``lines``: True where the link runs through an urban area.
    """
    geoms = lines.geometry if isinstance(lines, gpd.GeoDataFrame) else lines
    if geoms.crs is None or not geoms.crs.is_projected:
        raise DataError("road lines need a projected (metric) CRS such as EPSG:27700")
    if urban_col not in areas.columns:
        raise DataError(
            f"areas have no {urban_col!r} column; add one with 'Urban'/'Rural' values"
        )
    if len(geoms) == 0:
        return pd.Series([], index=geoms.index, dtype=bool, name="urban")
    pts = areas.geometry
    if areas.crs is not None and areas.crs != geoms.crs:
        pts = pts.to_crs(geoms.crs)
    flags = _urban_flags(areas[urban_col])
    ax, ay = shapely.get_x(pts.values.centroid), shapely.get_y(pts.values.centroid)
    ok = np.isfinite(ax) & np.isfinite(ay)
    if not ok.any():
        return pd.Series(False, index=geoms.index, name="urban")
    tree = cKDTree(np.column_stack([ax[ok], ay[ok]]))
    flags = flags[ok]

    arr = geoms.values
    lengths = shapely.length(arr)
    # samples: every vertex plus points every step_m along the line
    coords, owner = shapely.get_coordinates(arr, return_index=True)
    n_extra = np.maximum(np.floor(lengths / step_m).astype(np.int64), 0)
    owner_extra = np.repeat(np.arange(len(arr)), n_extra)
    first = np.concatenate([[0], np.cumsum(n_extra)[:-1]])
    rank = np.arange(owner_extra.size) - np.repeat(first, n_extra) + 1
    dist_along = rank * step_m
    extra = shapely.line_interpolate_point(arr[owner_extra], dist_along)
    extra_xy = shapely.get_coordinates(extra)
    sample_xy = np.vstack([coords[:, :2], extra_xy]) if extra_xy.size else coords[:, :2]
    sample_owner = np.concatenate([owner, owner_extra])
    dist, idx = tree.query(sample_xy)
    urban_sample = (dist <= radius_m) & flags[idx]
    n_samples = np.bincount(sample_owner, minlength=len(arr))
    n_urban = np.bincount(sample_owner, weights=urban_sample, minlength=len(arr))
    share = np.divide(n_urban, n_samples, out=np.zeros(len(arr)), where=n_samples > 0)
    return pd.Series(share >= min_share, index=geoms.index, name="urban")


def _urban_flags(values: pd.Series) -> np.ndarray:
    if values.dtype == bool:
        return values.to_numpy(dtype=bool)
    text = values.astype(str).str.strip().str.lower()
    bad = ~text.isin(["urban", "rural", "true", "false"])
    if bad.any():
        raise DataError(
            f"urban/rural column has values other than 'Urban'/'Rural', "
            f"e.g. {values[bad].iloc[0]!r}"
        )
    return text.isin(["urban", "true"]).to_numpy()
