"""Check that areas and sites lie within a road network's extent."""

from __future__ import annotations

import logging

import geopandas as gpd

from ..errors import DataError
from .values import _list

log = logging.getLogger(__name__)


def check_within_extent(
    points: gpd.GeoDataFrame,
    bounds: tuple[float, float, float, float],
    *,
    id_column: str,
    what: str,
    margin_m: float = 10_000.0,
    tolerate_share: float = 0.0,
) -> int:
    """Refuse points that lie outside a road network's bounding box.

    Parameters
    ----------
    points
        Areas or sites in the network's CRS.
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the network.
    id_column
        Column named in the message.
    what
        Words for the points in the message (``"areas in population.csv"``).
    margin_m
        Distance beyond the box still accepted (the access leg covers it).
    tolerate_share
        Share of points that may lie outside without an error (e.g. 0.01 lets the Isles of
        Scilly stay in an England analysis: routing then reports them unreachable).

    Returns
    -------
    int
        How many points lie outside (only when within ``tolerate_share``).
    """
    if len(points) == 0:
        return 0
    xmin, ymin, xmax, ymax = bounds
    x, y = points.geometry.x, points.geometry.y
    outside = (x < xmin - margin_m) | (x > xmax + margin_m) | (y < ymin - margin_m) | (
        y > ymax + margin_m
    )
    if outside.any() and outside.mean() > tolerate_share:
        raise DataError(
            f"{int(outside.sum())} of {len(points)} {what} lie outside the road network's extent "
            f"({_list(points.loc[outside, id_column])}). Load a network that covers them, "
            "or remove them."
        )
    if outside.any():
        log.warning("%d %s lie outside the road network's extent and will be reported unreachable: %s",
                    int(outside.sum()), what, _list(points.loc[outside, id_column]))
    return int(outside.sum())
