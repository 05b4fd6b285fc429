"""Load small areas (population-weighted centroids) with their population and deprivation."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .. import schema as S
from ..errors import DataError
from ..limits import check_population, check_series_names
from ..postcodes import CodePointOpen
from .columns import ColumnMapping, _require
from .points import _load_points
from .values import _check_ids, _list, _normalise_urban, _numeric_column, _urban_from_ruc, deciles_from_rank

log = logging.getLogger(__name__)


def load_areas(
    path: str | Path,
    *,
    mapping: ColumnMapping | None = None,
    crs: str = S.BNG,
    source_crs: str | None = None,
    postcodes: CodePointOpen | None = None,
    allow_unknown_postcodes: bool = False,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Load small areas (population-weighted centroids) and check them.

    Parameters
    ----------
    path
        File of areas, one row each.
    mapping
        Which column holds what; detected from common names when ``None``.
    crs
        Metric CRS to project to (British National Grid by default).
    source_crs
        CRS of the file's coordinates when the file does not say (or says wrongly).
    postcodes
        Code-Point Open, for tables that locate areas by postcode only.
    allow_unknown_postcodes
        Drop rows whose postcode is unknown instead of refusing the file.
    layer
        Layer of a GeoPackage.

    Returns
    -------
    geopandas.GeoDataFrame
        Canonical columns (``area_id``, ``area_name``, ``population`` and those optional
        ones present), point geometry in ``crs``.
    """
    gdf, mapping, p = _load_points(path, kind="areas", mapping=mapping, crs=crs,
                                   source_crs=source_crs, postcodes=postcodes,
                                   allow_unknown_postcodes=allow_unknown_postcodes, layer=layer)
    id_col = _require(gdf, mapping, "id", path=p, kind="areas")
    pop_col = _require(gdf, mapping, "population", path=p, kind="areas")
    ids = _check_ids(gdf[id_col], path=p, column=id_col)
    out = pd.DataFrame(index=gdf.index)
    out[S.AREA_ID] = ids
    out[S.AREA_NAME] = gdf[mapping.name].astype("string") if mapping.name else ids
    out[S.POPULATION] = _numeric_column(gdf, pop_col, path=p, ids=ids)
    if mapping.pop60plus:
        out[S.POP60] = _numeric_column(gdf, mapping.pop60plus, path=p, ids=ids)
    if mapping.imd_rank:
        out[S.IMD_RANK] = _numeric_column(gdf, mapping.imd_rank, path=p, ids=ids,
                                          allow_missing=True)
    if mapping.imd_decile:
        dec = _numeric_column(gdf, mapping.imd_decile, path=p, ids=ids, allow_missing=True)
        bad = dec.notna() & ~dec.isin(range(1, 11))
        if bad.any():
            raise DataError(
                f"{p}: column '{mapping.imd_decile}' must hold deciles 1 to 10; found "
                f"{_list([f'{i}={v:g}' for i, v in zip(ids[bad], dec[bad], strict=True)])}."
            )
        out[S.IMD_DECILE] = dec.astype("Int64")
    elif mapping.imd_rank:
        out[S.IMD_DECILE] = deciles_from_rank(out[S.IMD_RANK])
    if mapping.ruc_class:
        out[S.RUC_CLASS] = gdf[mapping.ruc_class].astype("string").str.strip()
    if mapping.urban_rural:
        out[S.URBAN_RURAL] = _normalise_urban(gdf[mapping.urban_rural])
    elif mapping.ruc_class:
        out[S.URBAN_RURAL] = _urban_from_ruc(out[S.RUC_CLASS])
    for name, target in (("network", S.NETWORK), ("region", S.REGION), ("icb", S.ICB)):
        col = getattr(mapping, name)
        if col:
            out[target] = gdf[col].astype("string").str.strip()
    check_population(out[S.POPULATION].to_numpy(), ids, path=p, column=pop_col)
    if mapping.pop60plus:
        check_population(out[S.POP60].to_numpy(), ids, path=p, column=mapping.pop60plus,
                         allow_zero_total=True)
    for name, target in (("id", S.AREA_ID), ("name", S.AREA_NAME), ("network", S.NETWORK),
                         ("region", S.REGION), ("icb", S.ICB)):
        if getattr(mapping, name) and target in out:
            check_series_names(out[target], what=f"column '{getattr(mapping, name)}'", where=str(p))
    result = gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs)
    result = result.reset_index(drop=True)
    result.attrs["source"] = str(p)
    return result
