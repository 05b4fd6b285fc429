"""Network membership: the 11 Radiotherapy ODNs, the 9-region proxy, and assignment by location.

NHS England set up 11 adult external beam radiotherapy Operational Delivery Networks (ODNs) in
2019, but publishes no machine-readable membership. The embedded default rebuilds it from
public sources (``geodata/sites.csv`` columns ``network``, ``network_confidence``,
``network_source``; ``geodata/icb_networks.csv`` for the 42 ICBs of 2022; the judgement calls
are in ``../shared/geodata/networks/README.md`` and ``docs/networks.md``). Areas belong to the
ODN of their ICB.

A site or area without a network gets one from its location: the ICB of the nearest
embedded LSOA centroid (more reliable than the generalised ICB polygons, see :func:`locate`),
for points within :data:`LOCATION_TOLERANCE_M` of England, then the ICB table. The 9 English regions
(ONS 2021) remain available as a labelled proxy (``networks="regions"``).
"""

from __future__ import annotations

import logging
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from . import schema as S
from .errors import DataError

log = logging.getLogger(__name__)

#: Which membership the default data uses: the rebuilt ODNs, or the 9 regions as a proxy.
NetworkSource = Literal["odn", "regions"]
NETWORK_SOURCES: tuple[str, ...] = ("odn", "regions")

#: Largest distance (m) from a point to the (generalised) England outline for it to be placed
#: in an English ICB or region. The outline is simplified with a 250 m tolerance and coastal
#: hospitals can lie a little outside it; 2 km covers both while leaving Welsh and Scottish
#: towns beyond the border outside.
LOCATION_TOLERANCE_M = 2_000.0

#: Number of adult external beam radiotherapy ODNs in England (NHS England, 2019).
ODN_COUNT = 11

#: ``network_confidence`` of a membership taken from a user's own table or file.
USER_CONFIDENCE = "user"
#: ``network_confidence`` of the region proxy.
PROXY_CONFIDENCE = "proxy (region)"


def locate(
    points: gpd.GeoSeries,
    reference: gpd.GeoDataFrame,
    *,
    column: str,
    outline: gpd.GeoDataFrame | None = None,
    tolerance_m: float = LOCATION_TOLERANCE_M,
) -> pd.Series:
    """Return, for each point, ``column`` of the nearest reference point (e.g. an LSOA centroid).

    The nearest population-weighted LSOA centroid places a point in its ICB more reliably
    than the embedded ICB polygons, which are generalised: measured on the embedded data,
    the polygons put 2 of the 67 radiotherapy sites (UCLH, Mount Vernon) and 1,380 of the
    32,844 LSOA centroids in the wrong ICB, the nearest other centroid 0 sites and 236
    centroids (leave-one-out).

    Parameters
    ----------
    points
        Points in a metric CRS.
    reference
        Points (any CRS; reprojected) carrying ``column``, such as the embedded LSOAs.
    column
        Column of ``reference`` to return.
    outline
        Polygons (e.g. the England outline); points farther than ``tolerance_m`` from them
        get ``<NA>``.
    tolerance_m
        See ``outline``.

    Returns
    -------
    pandas.Series
        String values indexed like ``points``.
    """
    from scipy.spatial import cKDTree

    if points.crs is None or not points.crs.is_projected:
        raise DataError("Locating points needs points in a metric CRS.")
    out = pd.Series(pd.NA, index=points.index, dtype="string")
    if points.empty or reference.empty:
        return out
    ref = reference.to_crs(points.crs)
    tree = cKDTree(np.column_stack([ref.geometry.x.to_numpy(), ref.geometry.y.to_numpy()]))
    _, idx = tree.query(np.column_stack([points.x.to_numpy(), points.y.to_numpy()]))
    values = ref[column].astype("string").to_numpy()[idx]
    out[:] = values
    if outline is not None and not outline.empty:
        shape = outline.to_crs(points.crs).union_all()
        inside = points.distance(shape).to_numpy() <= tolerance_m
        out[~inside] = pd.NA
    return out


def odn_label(sites: pd.DataFrame) -> str:
    """Return the network label for the rebuilt ODN membership, with the low-confidence count."""
    n_sites = len(sites)
    n_networks = sites[S.NETWORK].dropna().nunique() if S.NETWORK in sites.columns else 0
    conf = (sites[S.NETWORK_CONFIDENCE].astype("string") if S.NETWORK_CONFIDENCE in sites.columns
            else pd.Series(pd.NA, index=sites.index, dtype="string"))
    low = int(conf.eq("low").sum())
    located = int(sites[S.NETWORK_SOURCE].astype("string").str.startswith("location").sum()
                  ) if S.NETWORK_SOURCE in sites.columns else 0
    which = (f"the {n_networks} Radiotherapy ODNs" if n_networks == ODN_COUNT
             else f"Radiotherapy ODNs ({n_networks} of the {ODN_COUNT} in use)")
    text = (
        f"Networks: {which} (NHS England, 2019), membership rebuilt from "
        f"public sources (network, Cancer Alliance and trust pages; areas by their ICB); "
        f"{low} of {n_sites} sites low confidence (column network_confidence)"
    )
    if located:
        text += f"; {located} sites placed by location"
    return text


def _icb_lookup(icb_table: pd.DataFrame) -> pd.DataFrame:
    for col in (S.ICB, S.NETWORK):
        if col not in icb_table.columns:
            raise DataError(f"The ICB-to-network table has no {col!r} column.")
    return icb_table.drop_duplicates(S.ICB).set_index(S.ICB)


def sites_by_location(
    sites: gpd.GeoDataFrame,
    *,
    reference: gpd.GeoDataFrame,
    icb_table: pd.DataFrame,
    outline: gpd.GeoDataFrame | None = None,
    known: pd.DataFrame | None = None,
    tolerance_m: float = LOCATION_TOLERANCE_M,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Fill the network of sites that have none: a known site's ODN, else the ODN of its ICB.

    Parameters
    ----------
    sites
        Canonical sites (metric CRS); rows whose ``network`` is set are kept as they are.
    reference
        Points with an ``icb`` column (the embedded LSOA centroids), see :func:`locate`.
    icb_table
        ICB code -> ``network`` (with ``network_confidence``), e.g.
        :func:`access_app.core.defaults.load_icb_networks`.
    known
        Sites whose membership is already established (``site_id``, ``network``,
        ``network_confidence``, ``network_source``), used first for matching ids.
    outline
        England outline, see :func:`locate`.
    tolerance_m
        See :func:`locate`.

    Returns
    -------
    (geopandas.GeoDataFrame, list of str)
        A copy with ``network``, ``network_confidence`` and ``network_source`` filled, and
        the ids of the sites placed by location (a warning names them).
    """
    out = sites.copy()
    if S.NETWORK not in out.columns:
        out[S.NETWORK] = pd.Series(pd.NA, index=out.index, dtype="string")
    out[S.NETWORK] = out[S.NETWORK].astype("string")
    for col in (S.NETWORK_CONFIDENCE, S.NETWORK_SOURCE):
        if col not in out.columns:
            out[col] = pd.Series(pd.NA, index=out.index, dtype="string")
        out[col] = out[col].astype("string")
    given = out[S.NETWORK].notna() & out[S.NETWORK].str.strip().ne("")
    out.loc[given & out[S.NETWORK_CONFIDENCE].isna(), S.NETWORK_CONFIDENCE] = USER_CONFIDENCE
    out.loc[given & out[S.NETWORK_SOURCE].isna(), S.NETWORK_SOURCE] = "sites file"
    todo = ~given
    if known is not None and todo.any():
        k = known.drop_duplicates(S.SITE_ID).set_index(S.SITE_ID)
        ids = out[S.SITE_ID].astype(str)
        hit = todo & ids.isin(k.index)
        for col in (S.NETWORK, S.NETWORK_CONFIDENCE, S.NETWORK_SOURCE):
            if col in k.columns:
                out.loc[hit, col] = k.loc[ids[hit], col].to_numpy()
        todo &= ~hit
    located: list[str] = []
    if todo.any():
        table = _icb_lookup(icb_table)
        codes = locate(out.geometry[todo], reference, column=S.ICB, outline=outline,
                       tolerance_m=tolerance_m)
        found = codes.notna() & codes.isin(table.index)
        idx = codes.index[found]
        out.loc[idx, S.NETWORK] = table.loc[codes[found], S.NETWORK].to_numpy()
        conf = (table.loc[codes[found], S.NETWORK_CONFIDENCE].to_numpy()
                if S.NETWORK_CONFIDENCE in table.columns else "medium")
        out.loc[idx, S.NETWORK_CONFIDENCE] = conf
        out.loc[idx, S.NETWORK_SOURCE] = ("location: ICB " + codes[found]).to_numpy()
        located = out.loc[idx, S.SITE_ID].astype(str).tolist()
        outside = out.loc[codes.index[~found], S.SITE_ID].astype(str).tolist()
        if located:
            log.info("%d sites had no network and were placed in the ODN of the ICB they lie in: %s",
                        len(located), ", ".join(located))
        if outside:
            log.info("%d sites have no network and lie in no English ICB (within %.0f m): %s",
                        len(outside), tolerance_m, ", ".join(outside))
    return out, located


def areas_by_icb(
    areas: gpd.GeoDataFrame,
    *,
    reference: gpd.GeoDataFrame,
    icb_table: pd.DataFrame,
    outline: gpd.GeoDataFrame | None = None,
    tolerance_m: float = LOCATION_TOLERANCE_M,
) -> tuple[gpd.GeoDataFrame, int]:
    """Fill the network of areas that have none from their ICB (the ``icb`` column or location).

    ``reference``, ``outline`` and ``tolerance_m`` are those of :func:`sites_by_location`.

    Returns
    -------
    (geopandas.GeoDataFrame, int)
        A copy with ``network`` and ``network_confidence`` filled where an ICB was found,
        and the number of areas placed by location.
    """
    out = areas.copy()
    if S.NETWORK not in out.columns:
        out[S.NETWORK] = pd.Series(pd.NA, index=out.index, dtype="string")
    out[S.NETWORK] = out[S.NETWORK].astype("string")
    todo = out[S.NETWORK].isna() | out[S.NETWORK].str.strip().eq("")
    if not todo.any():
        return out, 0
    table = _icb_lookup(icb_table)
    codes = (out[S.ICB].astype("string") if S.ICB in out.columns
             else pd.Series(pd.NA, index=out.index, dtype="string"))
    unknown = todo & ~codes.isin(table.index)
    n_located = 0
    if unknown.any():
        codes = codes.copy()
        codes[unknown] = locate(out.geometry[unknown], reference, column=S.ICB, outline=outline,
                                tolerance_m=tolerance_m)
        n_located = int(codes[unknown].notna().sum())
    hit = todo & codes.isin(table.index)
    out.loc[hit, S.NETWORK] = table.loc[codes[hit], S.NETWORK].to_numpy()
    if S.NETWORK_CONFIDENCE in table.columns:
        if S.NETWORK_CONFIDENCE not in out.columns:
            out[S.NETWORK_CONFIDENCE] = pd.Series(pd.NA, index=out.index, dtype="string")
        out[S.NETWORK_CONFIDENCE] = out[S.NETWORK_CONFIDENCE].astype("string")
        out.loc[hit, S.NETWORK_CONFIDENCE] = table.loc[codes[hit], S.NETWORK_CONFIDENCE].to_numpy()
    missed = int((todo & ~hit).sum())
    if n_located:
        log.info("%d areas had no network or ICB and were placed by location in an ICB's ODN",
                    n_located)
    if missed:
        log.info("%d areas have no network and lie in no English ICB", missed)
    return out, n_located


def regions_as_networks(
    frame: gpd.GeoDataFrame,
    *,
    reference: gpd.GeoDataFrame,
    id_column: str,
    outline: gpd.GeoDataFrame | None = None,
    tolerance_m: float = LOCATION_TOLERANCE_M,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Return a copy whose ``network`` is its ``region`` (located where missing).

    ``reference`` carries a ``region`` column (the embedded LSOAs); see :func:`locate`.

    Returns
    -------
    (geopandas.GeoDataFrame, list of str)
        The copy, and the ids placed in a region by location.
    """
    out = frame.copy()
    region = (out[S.REGION].astype("string") if S.REGION in out.columns
              else pd.Series(pd.NA, index=out.index, dtype="string"))
    missing = region.isna()
    located: list[str] = []
    if missing.any():
        region = region.copy()
        region[missing] = locate(out.geometry[missing], reference, column=S.REGION,
                                 outline=outline, tolerance_m=tolerance_m)
        located = out.loc[missing & region.notna(), id_column].astype(str).tolist()
    out[S.REGION] = region
    out[S.NETWORK] = region
    out[S.NETWORK_CONFIDENCE] = pd.Series(PROXY_CONFIDENCE, index=out.index, dtype="string")
    if S.NETWORK_SOURCE in out.columns:
        out = out.drop(columns=S.NETWORK_SOURCE)
    return out, located


__all__ = [
    "LOCATION_TOLERANCE_M",
    "NETWORK_SOURCES",
    "NetworkSource",
    "areas_by_icb",
    "locate",
    "odn_label",
    "regions_as_networks",
    "sites_by_location",
]
