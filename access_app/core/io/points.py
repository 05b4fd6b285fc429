"""Point locations of areas and sites: geometry, coordinate columns, postcodes and CRS checks."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from .. import schema as S
from ..errors import DataError
from ..postcodes import CodePointOpen, normalise_postcode
from .columns import ColumnMapping, Kind, detect_columns
from .tables import read_table
from .values import _list, _to_number

log = logging.getLogger(__name__)


#: Great Britain in British National Grid metres, with a margin (x_min, y_min, x_max, y_max).
GB_BOUNDS_BNG = (-50_000.0, -50_000.0, 750_000.0, 1_250_000.0)


def _points_from_table(
    df: pd.DataFrame,
    mapping: ColumnMapping,
    *,
    path: Path,
    source_crs: str | None,
    postcodes: CodePointOpen | None,
    allow_unknown_postcodes: bool,
    target: CRS | None = None,
) -> gpd.GeoDataFrame:
    """Make point geometry from coordinate or postcode columns of a plain table.

    Coordinates are projected to ``target`` (if given) as arrays, before the points are made.
    """
    if mapping.lon and mapping.lat:
        xcol, ycol, crs = mapping.lon, mapping.lat, source_crs or S.WGS84
    elif mapping.easting and mapping.northing:
        xcol, ycol, crs = mapping.easting, mapping.northing, source_crs or S.BNG
    elif mapping.postcode:
        return _points_from_postcodes(df, mapping.postcode, path=path, postcodes=postcodes,
                                      allow_unknown=allow_unknown_postcodes)
    else:
        raise DataError(
            f"{path}: no location columns. Add lon/lat (WGS84), easting/northing "
            "(British National Grid) or a postcode column, or map them in the column dialog."
        )
    x, y = _to_number(df[xcol]), _to_number(df[ycol])
    bad = df.index[x.isna() | y.isna()]
    if len(bad):
        raise DataError(
            f"{path}: {len(bad)} rows have missing or non-numeric coordinates in "
            f"'{xcol}'/'{ycol}' (rows {_list([i + 2 for i in bad])}, counting the header as row 1). "
            "Fix or remove them."
        )
    xs, ys = x.to_numpy(), y.to_numpy()
    source = _checked_crs(crs, what=f"{path}: CRS")
    _check_bounds(xs, ys, source, path=path)
    if target is not None and not source.equals(target):
        # Project the coordinate arrays, then make the points once (not twice, as to_crs would).
        xs, ys = Transformer.from_crs(source, target, always_xy=True).transform(xs, ys)
        source = target
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(xs, ys), crs=source)


def _checked_crs(crs: str | CRS, *, what: str) -> CRS:
    try:
        return CRS.from_user_input(crs)
    except CRSError as exc:
        raise DataError(f"{what} '{crs}' is not a coordinate reference system: {exc}") from None


def _check_bounds(x: np.ndarray, y: np.ndarray, crs: CRS, *, path: Path) -> None:
    """Refuse coordinates that contradict their CRS (degrees said to be metres or the reverse)."""
    if len(x) == 0:
        return
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.all():
        raise DataError(f"{path}: {int((~finite).sum())} rows have infinite coordinates; fix them.")
    ax, ay = np.abs(x), np.abs(y)
    if crs.is_projected and ax.max() <= 180 and ay.max() <= 90:
        raise DataError(
            f"{path}: coordinates look like longitude/latitude degrees but the file says "
            f"{crs.to_string()} (metres). Set the CRS to EPSG:4326 when loading."
        )
    if crs.is_geographic and (ax.max() > 180 or ay.max() > 90):
        raise DataError(
            f"{path}: coordinates are outside longitude/latitude range but the file says "
            f"{crs.to_string()}. If they are eastings/northings, set EPSG:27700."
        )


def _points_from_postcodes(
    df: pd.DataFrame,
    column: str,
    *,
    path: Path,
    postcodes: CodePointOpen | None,
    allow_unknown: bool,
) -> gpd.GeoDataFrame:
    if postcodes is None:
        raise DataError(
            f"{path}: locations are given only as postcodes in '{column}'. Choose an OS "
            "Code-Point Open zip to geocode them (Data > Postcode file, or --postcodes)."
        )
    found = postcodes.geocode(df[column].tolist())
    keys = df[column].map(normalise_postcode)
    known = keys.isin(found.coordinates.index)
    if not known.all():
        unknown = df.loc[~known, column].astype(str).tolist()
        if not allow_unknown:
            raise UnknownPostcodesError(path, unknown)
        log.warning("%s: dropped %d rows with unknown postcodes: %s", path, len(unknown),
                    _list(unknown))
    kept = df.loc[known].copy()
    coords = found.coordinates.loc[keys[known]]
    geom = gpd.points_from_xy(coords["easting"].to_numpy(), coords["northing"].to_numpy())
    out = gpd.GeoDataFrame(kept, geometry=geom, crs=S.BNG)
    out.attrs["unknown_postcodes"] = [str(v) for v in df.loc[~known, column]]
    return out


class UnknownPostcodesError(DataError):
    """Some postcodes are not in Code-Point Open; ``unknown`` lists them.

    Load again with ``allow_unknown_postcodes=True`` to continue without those rows.
    """

    def __init__(self, path: Path, unknown: list[str]) -> None:
        self.path = path
        self.unknown = unknown
        super().__init__(
            f"{path}: {len(unknown)} postcodes not found in Code-Point Open: {_list(unknown, 10)}. "
            "Correct them, or continue without those rows (allow unknown postcodes)."
        )


def _check_crs(gdf: gpd.GeoDataFrame, *, path: Path, source_crs: str | None) -> gpd.GeoDataFrame:
    if source_crs is not None:
        try:
            crs = CRS.from_user_input(source_crs)
        except CRSError as exc:
            raise DataError(f"'{source_crs}' is not a coordinate reference system: {exc}") from exc
        gdf = gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        raise DataError(
            f"{path} has no coordinate reference system. Save it with one (e.g. EPSG:27700 "
            "for British National Grid, EPSG:4326 for longitude/latitude) or choose the CRS "
            "when loading."
        )
    bounds = gdf.total_bounds
    if gdf.crs.is_projected and np.all(np.abs(bounds[[0, 2]]) <= 180) and np.all(
        np.abs(bounds[[1, 3]]) <= 90
    ):
        raise DataError(
            f"{path}: coordinates look like longitude/latitude degrees but the file says "
            f"{gdf.crs.to_string()} (metres). Set the CRS to EPSG:4326 when loading."
        )
    if gdf.crs.is_geographic and (np.abs(bounds[[0, 2]]).max() > 180 or np.abs(bounds[[1, 3]]).max() > 90):
        raise DataError(
            f"{path}: coordinates are outside longitude/latitude range but the file says "
            f"{gdf.crs.to_string()}. If they are eastings/northings, set EPSG:27700."
        )
    return gdf


def _to_points(gdf: gpd.GeoDataFrame, *, path: Path) -> gpd.GeoDataFrame:
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)] if len(gdf) else gdf
    types = set(gdf.geom_type.unique())
    if types <= {"Point"}:
        return gdf
    if types <= {"Polygon", "MultiPolygon"}:
        log.warning("%s: polygons given; using a point inside each as its location", path)
        out = gdf.copy()
        out["geometry"] = gdf.geometry.representative_point()
        return out
    raise DataError(
        f"{path}: geometry must be points (or polygons), found {', '.join(sorted(types))}."
    )



def _load_points(
    path: str | Path,
    *,
    kind: Kind,
    mapping: ColumnMapping | None,
    crs: str,
    source_crs: str | None,
    postcodes: CodePointOpen | None,
    allow_unknown_postcodes: bool,
    layer: str | None,
) -> tuple[gpd.GeoDataFrame, ColumnMapping, Path]:
    p = Path(path)
    df = read_table(p, layer=layer)
    if len(df) == 0:
        raise DataError(f"{p} has no rows: it holds no {kind}.")
    if mapping is None:
        mapping = detect_columns(df, kind=kind)
    for name, col in mapping.used().items():
        if col not in df.columns:
            raise DataError(
                f"{p}: column '{col}' (mapped to {name}) is not in the file. "
                f"Columns found: {_list(list(df.columns), 12)}."
            )
    try:
        target = CRS.from_user_input(crs)
    except CRSError as exc:
        raise DataError(f"'{crs}' is not a coordinate reference system: {exc}") from exc
    if not target.is_projected:
        raise DataError(f"{crs} is not a projected (metric) CRS: choose one in metres, e.g. EPSG:27700.")
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns and df.geometry.notna().any():
        gdf = _check_crs(df, path=p, source_crs=source_crs)
        gdf = _to_points(gdf, path=p)
    else:
        frame = pd.DataFrame(df.drop(columns=[c for c in ["geometry"] if c in df.columns]))
        gdf = _points_from_table(frame, mapping, path=p, source_crs=source_crs, postcodes=postcodes,
                                 allow_unknown_postcodes=allow_unknown_postcodes, target=target)
    if not target.equals(gdf.crs):
        gdf = gdf.to_crs(target)
    xy = shapely.get_coordinates(gdf.geometry.values)
    if len(xy) != len(gdf) or not np.isfinite(xy).all():
        raise DataError(f"{p}: some locations cannot be projected to {crs}; check the CRS.")
    if target.equals(CRS.from_user_input(S.BNG)):
        x, y = xy[:, 0], xy[:, 1]
        xmin, ymin, xmax, ymax = GB_BOUNDS_BNG
        outside = ~((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
        if outside.any():
            idcol = mapping.id if mapping.id in gdf.columns else None
            which = gdf.loc[outside, idcol] if idcol else gdf.index[outside]
            raise DataError(
                f"{p}: {int(outside.sum())} {kind} lie outside Great Britain ({_list(which)}). "
                "Check the coordinates and the CRS."
            )
    return gdf, mapping, p
