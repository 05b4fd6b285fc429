"""Tables that assign areas, ICBs or sites to networks, and applying them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from .. import schema as S
from ..errors import DataError
from ..limits import check_series_names
from .columns import _key
from .tables import read_table
from .values import _list

log = logging.getLogger(__name__)


def read_network_table(path: str | Path, *, key: str) -> dict[str, str]:
    """Read a two-column table that assigns areas, ICBs or sites to networks.

    Parameters
    ----------
    path
        CSV (or any format :func:`read_table` reads) with a key column and a ``network`` column.
    key
        Name of the key column (e.g. ``"site_id"``, ``"area_id"``, ``"icb"``); matched
        case-insensitively, and the first column is used if it is absent.

    Returns
    -------
    dict
        Key -> network name.
    """
    p = Path(path)
    df = read_table(p)
    if len(df) == 0:
        raise DataError(f"{p} has no rows: it assigns nothing to a network.")
    cols = {_key(c): c for c in df.columns}
    net_col = cols.get("network") or cols.get("odn") or cols.get("networkname")
    if net_col is None:
        raise DataError(f"{p}: no 'network' column. Columns found: {_list(list(df.columns))}.")
    geometry = getattr(df, "_geometry_column_name", None)
    others = [c for c in df.columns if c != net_col and c != geometry]
    key_col = cols.get(_key(key)) or (others[0] if others else None)
    if key_col is None:
        raise DataError(
            f"{p}: only a '{net_col}' column; add a '{key}' column beside it saying which "
            f"{key} belongs to each network."
        )
    keys = df[key_col].astype("string").str.strip()
    nets = df[net_col].astype("string").str.strip()
    if keys.isna().any() or (keys == "").any():
        rows = [int(i) + 2 for i in df.index[keys.isna() | (keys == "")]]
        raise DataError(f"{p}: '{key_col}' is empty in rows {_list(rows)} (counting the header as row 1).")
    check_series_names(keys, what=f"column '{key_col}'", where=str(p))
    check_series_names(nets, what=f"column '{net_col}'", where=str(p))
    if keys.duplicated().any():
        raise DataError(f"{p}: '{key_col}' repeats {_list(sorted(set(keys[keys.duplicated()])))}.")
    if nets.isna().any() or (nets == "").any():
        raise DataError(f"{p}: '{net_col}' is empty for {_list(keys[nets.isna() | (nets == '')])}.")
    return dict(zip(keys.tolist(), nets.tolist(), strict=True))


def apply_networks(
    gdf: gpd.GeoDataFrame,
    table: Mapping[str, str],
    *,
    key_column: str,
    what: str,
) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` whose ``network`` column comes from ``table``.

    Every row must be covered: a row whose key is missing from the table is an error
    that names the keys, so no area or site silently loses its network.
    """
    if key_column not in gdf.columns:
        raise DataError(f"{what}: no '{key_column}' column to look networks up by.")
    keys = gdf[key_column].astype("string")
    missing = sorted(set(keys[~keys.isin(list(table))].dropna().tolist()))
    if missing or keys.isna().any():
        raise DataError(
            f"The network table does not cover {len(missing)} {key_column} values of {what}: "
            f"{_list(missing)}. Add them to the table."
        )
    out = gdf.copy()
    out[S.NETWORK] = keys.map(dict(table)).astype("string")
    return out
