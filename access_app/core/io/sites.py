"""Load treatment sites with their network, linac count and type."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

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
