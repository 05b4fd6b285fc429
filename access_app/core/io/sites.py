"""Load treatment sites with their network, linac count and type; make rows for new sites."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from .. import schema as S
from ..errors import DataError
from ..limits import check_series_names
from ..postcodes import CodePointOpen
from .columns import ColumnMapping, _require
from .points import _load_points
from .values import _check_ids, _list, _numeric_column

log = logging.getLogger(__name__)


def load_sites(
    path: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    crs: str = S.BNG,
    source_crs: str | None = None,
    postcodes: CodePointOpen | None = None,
    allow_unknown_postcodes: bool = False,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Load treatment sites and check them.

    Parameters are those of :func:`load_areas`. Only an id (or, failing that, a name)
    and a location are required; ``linacs`` defaults to 1 and ``site_type`` to ``"main"``.

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical site columns, point geometry in ``crs``.
    """
    gdf, mapping, p = _load_points(path, kind="sites", mapping=mapping, crs=crs,
                                   source_crs=source_crs, postcodes=postcodes,
                                   allow_unknown_postcodes=allow_unknown_postcodes, layer=layer)
    if not mapping.id and mapping.name:
        mapping = replace(mapping, id=mapping.name)
    id_col = _require(gdf, mapping, "id", path=p, kind="sites")
    ids = _check_ids(gdf[id_col], path=p, column=id_col)
    out = pd.DataFrame(index=gdf.index)
    out[S.SITE_ID] = ids
    out[S.SITE_NAME] = gdf[mapping.name].astype("string") if mapping.name else ids
    out[S.NETWORK] = (gdf[mapping.network].astype("string").str.strip() if mapping.network
                      else pd.Series(pd.NA, index=gdf.index, dtype="string"))
    # Linac counts are often unknown for some sites (blank = unknown, kept as NaN).
    out[S.LINACS] = (_numeric_column(gdf, mapping.linacs, path=p, ids=ids, allow_missing=True)
                     if mapping.linacs else np.nan)
    if mapping.site_type:
        st = gdf[mapping.site_type].astype("string").str.strip().str.lower()
        bad = ~st.isin(["main", "satellite"])
        if bad.any():
            raise DataError(
                f"{p}: column '{mapping.site_type}' must say 'main' or 'satellite'; found "
                f"{_list([f'{i}={v!r}' for i, v in zip(ids[bad], st[bad], strict=True)])}."
            )
        out[S.SITE_TYPE] = st
    else:
        out[S.SITE_TYPE] = "main"
    for name, target in (("postcode", S.POSTCODE), ("trust", S.TRUST), ("region", S.REGION)):
        col = getattr(mapping, name)
        if col:
            out[target] = gdf[col].astype("string").str.strip()
    for name, target in (("id", S.SITE_ID), ("name", S.SITE_NAME), ("network", S.NETWORK),
                         ("trust", S.TRUST), ("region", S.REGION)):
        if getattr(mapping, name) and target in out:
            check_series_names(out[target], what=f"column '{getattr(mapping, name)}'", where=str(p))
    result = gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs)
    result = result.reset_index(drop=True)
    result.attrs["source"] = str(p)
    result.attrs["unknown_postcodes"] = gdf.attrs.get("unknown_postcodes", [])
    return result


def site_id_slug(text: str) -> str:
    """Return a lower-case id made of letters, digits and dashes ("site" if nothing is left)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "site"


def unique_site_id(name: str, existing: Iterable[str]) -> str:
    """Return an id for a new site called ``name`` that is not in ``existing``.

    The id is :func:`site_id_slug` of the name, then ``-2``, ``-3``... if it is taken
    ("Royal Infirmary" -> ``royal-infirmary``, then ``royal-infirmary-2``).
    """
    taken = set(map(str, existing))
    base = site_id_slug(name)
    site_id, i = base, 2
    while site_id in taken:
        site_id, i = f"{base}-{i}", i + 1
    return site_id


def make_site_row(
    site_id: str,
    site_name: str,
    location: BaseGeometry,
    *,
    crs: str | CRS,
    network: str | None = None,
    linacs: float | None = None,
    site_type: str = "main",
    postcode: str = "",
    trust: str = "",
    region: str | None = None,
    to_crs: str | CRS | None = None,
) -> gpd.GeoDataFrame:
    """Return one canonical site row, as :func:`load_sites` makes them, for a new site.

    Parameters
    ----------
    site_id
        The new site's id (see :func:`unique_site_id`).
    site_name
        Its name.
    location
        A point in ``crs``.
    crs
        CRS of ``location`` (e.g. ``"EPSG:4326"`` for a click on the map, ``"EPSG:27700"``
        for a geocoded postcode).
    network
        Network the site belongs to; ``None`` or "" = none.
    linacs
        Number of linacs; ``None`` = unknown (NaN, as :func:`load_sites` keeps blanks).
    site_type
        ``"main"`` or ``"satellite"``.
    postcode, trust
        Free text.
    region
        The site's region; left empty unless given (the network is not a region).
    to_crs
        CRS of the returned row (e.g. the sites table's); ``crs`` if None.

    Raises
    ------
    DataError
        For an empty id or name, a location that is not a point, an unknown site type or
        a negative or non-finite linac count.
    """
    sid = str(site_id).strip()
    name = str(site_name).strip()
    if not sid:
        raise DataError("A new site needs an id: give it a name to make one from.")
    if not name:
        raise DataError(f"Site {sid!r} needs a name.")
    if not isinstance(location, BaseGeometry) or location.geom_type != "Point" or location.is_empty:
        raise DataError(f"Site {sid!r}: the location must be a point, got {location!r}.")
    kind = str(site_type).strip().lower()
    if kind not in ("main", "satellite"):
        raise DataError(f"Site {sid!r}: site type {site_type!r} must be 'main' or 'satellite'.")
    count = np.nan
    if linacs is not None:
        count = float(linacs)
        if not np.isfinite(count) or count < 0:
            raise DataError(f"Site {sid!r}: linacs = {linacs!r} must be a number of machines, 0 or more.")
    net = str(network).strip() if network is not None and str(network).strip() else None
    row = gpd.GeoDataFrame(
        {
            S.SITE_ID: pd.Series([sid], dtype=object),
            S.SITE_NAME: pd.Series([name], dtype="string"),
            S.NETWORK: pd.Series([net], dtype="string"),
            S.LINACS: [count],
            S.SITE_TYPE: [kind],
            S.POSTCODE: pd.Series([str(postcode).strip()], dtype="string"),
            S.TRUST: pd.Series([str(trust).strip()], dtype="string"),
            S.REGION: pd.Series([region if region else None], dtype="string"),
        },
        geometry=[location],
        crs=crs,
    )
    return row.to_crs(to_crs) if to_crs is not None else row
