"""Read population areas and sites from the formats planners have, and check them.

Supported inputs: GeoPackage, GeoJSON, Shapefile (also zipped), FlatGeobuf,
Parquet/GeoParquet and CSV. A CSV gives locations as longitude/latitude (WGS84),
British National Grid easting/northing (EPSG:27700), or a postcode column geocoded with
an OS Code-Point Open zip.

A :class:`ColumnMapping` says which of the user's columns is the id, name, population,
deprivation and so on; :func:`detect_columns` guesses it from common names. Loading renames
the columns to the canonical names of :mod:`access_app.core.schema`, parses numbers written
with thousands separators (``"1,954"``), projects everything to one metric CRS and refuses
bad input with a :class:`~access_app.core.errors.DataError` that names the file, the column
or the value and says what to do. Nothing is half-loaded: either a complete, valid frame is
returned or an error is raised.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from . import schema as S
from .errors import DataError
from .postcodes import CodePointOpen, normalise_postcode

log = logging.getLogger(__name__)

Kind = Literal["areas", "sites"]

GEO_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".zip", ".parquet", ".geoparquet"}
TABLE_SUFFIXES = {".csv", ".txt", ".tsv"}

#: Great Britain in British National Grid metres, with a margin (x_min, y_min, x_max, y_max).
GB_BOUNDS_BNG = (-50_000.0, -50_000.0, 750_000.0, 1_250_000.0)


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a user's file holds each canonical field (``None`` = absent).

    Location comes from the file's geometry, or for tables from ``lon``/``lat``,
    ``easting``/``northing`` or ``postcode`` (in that order of preference).
    """

    id: str | None = None
    name: str | None = None
    population: str | None = None
    imd_rank: str | None = None
    imd_decile: str | None = None
    ruc_class: str | None = None
    urban_rural: str | None = None
    network: str | None = None
    region: str | None = None
    icb: str | None = None
    pop60plus: str | None = None
    linacs: str | None = None
    site_type: str | None = None
    trust: str | None = None
    postcode: str | None = None
    lon: str | None = None
    lat: str | None = None
    easting: str | None = None
    northing: str | None = None

    def used(self) -> dict[str, str]:
        """Return the canonical field -> user column pairs that are set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


#: Canonical output column of each mapping field.
_TARGET = {
    "id": None,  # area_id or site_id by kind
    "name": None,
    "population": S.POPULATION,
    "imd_rank": S.IMD_RANK,
    "imd_decile": S.IMD_DECILE,
    "ruc_class": S.RUC_CLASS,
    "urban_rural": S.URBAN_RURAL,
    "network": S.NETWORK,
    "region": S.REGION,
    "icb": S.ICB,
    "pop60plus": S.POP60,
    "linacs": S.LINACS,
    "site_type": S.SITE_TYPE,
    "trust": S.TRUST,
    "postcode": S.POSTCODE,
}

# Common names, compared after lower-casing and dropping everything but letters and digits.
_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "areas": {
        "id": ("areaid", "lsoa11cd", "lsoacode", "lsoa11code", "lsoacode2011", "lsoa", "lsoa11",
               "lsoa21cd", "datazone", "dzcode", "geocode", "code", "id"),
        "name": ("areaname", "lsoa11nm", "lsoaname", "lsoaname2011", "lsoa21nm", "name"),
        "population": ("population", "pop", "popmid2019", "totalpopulation", "allages", "usualresidents",
                       "persons", "people"),
        "imd_rank": ("imdrank", "imd2019rank", "indexofmultipledeprivationimdrank", "imdrank2019"),
        "imd_decile": ("imddecile", "imd2019decile", "indexofmultipledeprivationimddecile",
                       "imddecile2019", "decile"),
        "ruc_class": ("rucclass", "ruc11cd", "ruc11", "ruc", "ruralurbanclassification"),
        "urban_rural": ("urbanrural", "urbanorrural"),
        "network": ("network", "odn", "networkname"),
        "region": ("region", "region21name", "rgn11nm", "rgn21nm", "regionname"),
        "icb": ("icb", "icb22code", "icbcode", "icb22cd", "icb23cd"),
        "pop60plus": ("pop60plus", "pop60plusmid2015", "aged60plus", "population60plus", "over60"),
    },
    "sites": {
        "id": ("siteid", "sitecode", "siteods", "odscode", "code", "id"),
        "name": ("sitename", "name", "hospitalname", "site", "centre", "centrename"),
        "network": ("network", "odn", "networkname"),
        "linacs": ("linacs", "linac", "linaccount", "nlinacs", "machines"),
        "site_type": ("sitetype", "type", "role"),
        "trust": ("trust", "trustname", "provider"),
        "region": ("region", "onsregion21", "region21name", "regionname"),
    },
}
_LOCATION_SYNONYMS = {
    "postcode": ("postcode", "postalcode", "pcd", "pcds", "pcd7", "pcd8"),
    "lon": ("lon", "long", "longitude", "lng"),
    "lat": ("lat", "latitude"),
    "easting": ("easting", "eastings", "oseast1m", "east", "bngx"),
    "northing": ("northing", "northings", "osnrth1m", "north", "bngy"),
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def detect_columns(df: pd.DataFrame, *, kind: Kind) -> ColumnMapping:
    """Guess a :class:`ColumnMapping` from the column names of ``df``.

    Parameters
    ----------
    df
        The user's table (only its column names and, for bare ``X``/``Y``, values are read).
    kind
        ``"areas"`` or ``"sites"``.

    Returns
    -------
    ColumnMapping
        Fields whose column was recognised; the others are ``None``.
    """
    by_key: dict[str, str] = {}
    for col in df.columns:
        if col == getattr(df, "_geometry_column_name", None):
            continue
        by_key.setdefault(_key(col), col)
    found: dict[str, str] = {}
    taken: set[str] = set()
    synonyms = dict(_SYNONYMS[kind])
    synonyms.update(_LOCATION_SYNONYMS)
    for field_name, names in synonyms.items():
        for n in names:
            col = by_key.get(n)
            if col is not None and col not in taken:
                found[field_name] = col
                taken.add(col)
                break
    # Bare X/Y columns: degrees or metres, decided by the values.
    if "x" in by_key and "y" in by_key and not ({"lon", "easting"} & found.keys()):
        x = _to_number(df[by_key["x"]])
        y = _to_number(df[by_key["y"]])
        if x.notna().any() and x.abs().max() <= 180 and y.abs().max() <= 90:
            found["lon"], found["lat"] = by_key["x"], by_key["y"]
        else:
            found["easting"], found["northing"] = by_key["x"], by_key["y"]
    return ColumnMapping(**found)


def _to_number(values: pd.Series) -> pd.Series:
    """Parse numbers that may carry thousands separators or spaces; bad values become NaN."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    text = values.astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _list(values: pd.Series | list[object], limit: int = 5) -> str:
    items = [str(v) for v in list(values)[:limit]]
    more = len(values) - len(items)
    return ", ".join(items) + (f" and {more} more" if more > 0 else "")


def read_table(path: str | Path, *, layer: str | None = None) -> pd.DataFrame:
    """Read a file of areas or sites as it is, without mapping or checks.

    Parameters
    ----------
    path
        GeoPackage, GeoJSON, Shapefile (or a zip holding one), FlatGeobuf,
        Parquet/GeoParquet or CSV.
    layer
        Layer of a multi-layer file (GeoPackage); the first layer by default.

    Returns
    -------
    pandas.DataFrame
        A GeoDataFrame for spatial formats, a DataFrame of strings for CSV.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p} does not exist: check the path or choose the file again.")
    if p.is_dir():
        raise DataError(f"{p} is a folder: choose a file inside it.")
    suffix = "".join(p.suffixes[-2:]).lower() if p.name.lower().endswith(".csv.gz") else p.suffix.lower()
    try:
        if suffix in TABLE_SUFFIXES or suffix == ".csv.gz":
            sep = "\t" if suffix == ".tsv" else ","
            df = pd.read_csv(p, dtype=str, sep=sep, encoding="utf-8-sig", keep_default_na=False,
                             na_values=[""])
        elif suffix in {".parquet", ".geoparquet"}:
            try:
                df = gpd.read_parquet(p)
            except (ValueError, KeyError):
                df = pd.read_parquet(p)
        elif suffix in GEO_SUFFIXES:
            df = gpd.read_file(p, layer=layer) if layer else gpd.read_file(p)
        else:
            raise DataError(
                f"{p}: files ending {p.suffix or '(none)'} cannot be read. Use GeoPackage, "
                "GeoJSON, Shapefile (or zip), FlatGeobuf, Parquet or CSV."
            )
    except DataError:
        raise
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{p} is empty: it has no header and no rows.") from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"{p} cannot be read as {suffix} data: {exc}") from exc
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, ValueError) as exc:
        raise DataError(f"{p} cannot be read: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df


def read_preview(path: str | Path, *, n: int = 20) -> pd.DataFrame:
    """Return the first ``n`` rows of a file for the column-mapping dialog."""
    return read_table(path).head(n)


def _points_from_table(
    df: pd.DataFrame,
    mapping: ColumnMapping,
    *,
    path: Path,
    source_crs: str | None,
    postcodes: CodePointOpen | None,
    allow_unknown_postcodes: bool,
) -> gpd.GeoDataFrame:
    """Make point geometry from coordinate or postcode columns of a plain table."""
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
    geom = gpd.points_from_xy(x, y)
    return gpd.GeoDataFrame(df.copy(), geometry=geom, crs=crs)


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


def _require(df: pd.DataFrame, mapping: ColumnMapping, field_name: str, *, path: Path,
             kind: Kind) -> str:
    col = getattr(mapping, field_name)
    if not col:
        raise DataError(
            f"{path}: no column for the {kind[:-1]} {field_name.replace('_', ' ')}. "
            f"Columns found: {_list(list(df.columns), 12)}. Rename one or map it in the column dialog."
        )
    if col not in df.columns:
        raise DataError(
            f"{path}: column '{col}' (mapped to {field_name}) is not in the file. "
            f"Columns found: {_list(list(df.columns), 12)}."
        )
    return col


def _numeric_column(df: pd.DataFrame, col: str, *, path: Path, ids: pd.Series,
                    allow_missing: bool = False, nonnegative: bool = True) -> pd.Series:
    raw = df[col]
    values = _to_number(raw)
    missing = raw.isna() | (raw.astype("string").str.strip() == "")
    bad = values.isna() & ~missing
    if bad.any():
        raise DataError(
            f"{path}: column '{col}' has {int(bad.sum())} values that are not numbers "
            f"({_list([f'{i}={v!r}' for i, v in zip(ids[bad], raw[bad], strict=True)])}). "
            "Fix them or map another column."
        )
    if missing.any() and not allow_missing:
        raise DataError(
            f"{path}: column '{col}' is empty for {int(missing.sum())} rows "
            f"({_list(ids[missing])}). Fill them in or remove those rows."
        )
    if nonnegative and (values < 0).any():
        neg = values < 0
        raise DataError(
            f"{path}: column '{col}' has {int(neg.sum())} negative values "
            f"({_list([f'{i}={v:g}' for i, v in zip(ids[neg], values[neg], strict=True)])}). "
            "Counts cannot be negative."
        )
    return values


def _urban_from_ruc(ruc: pd.Series) -> pd.Series:
    first = ruc.astype("string").str.strip().str.upper().str[0]
    return first.map({"A": "Urban", "B": "Urban", "C": "Urban", "D": "Rural", "E": "Rural"})


def _normalise_urban(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.lower()
    return text.map(lambda v: "Urban" if isinstance(v, str) and v.startswith("urban")
                    else ("Rural" if isinstance(v, str) and v.startswith("rural") else pd.NA))


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
    if isinstance(df, gpd.GeoDataFrame) and df.geometry.name in df.columns and df.geometry.notna().any():
        gdf = _check_crs(df, path=p, source_crs=source_crs)
        gdf = _to_points(gdf, path=p)
    else:
        frame = pd.DataFrame(df.drop(columns=[c for c in ["geometry"] if c in df.columns]))
        gdf = _points_from_table(frame, mapping, path=p, source_crs=source_crs, postcodes=postcodes,
                                 allow_unknown_postcodes=allow_unknown_postcodes)
        gdf = _check_crs(gdf, path=p, source_crs=None)
    try:
        target = CRS.from_user_input(crs)
    except CRSError as exc:
        raise DataError(f"'{crs}' is not a coordinate reference system: {exc}") from exc
    if not target.is_projected:
        raise DataError(f"{crs} is not a projected (metric) CRS: choose one in metres, e.g. EPSG:27700.")
    gdf = gdf.to_crs(target)
    if not np.isfinite(gdf.geometry.x).all() or not np.isfinite(gdf.geometry.y).all():
        raise DataError(f"{p}: some locations cannot be projected to {crs}; check the CRS.")
    if target.equals(CRS.from_user_input(S.BNG)):
        x, y = gdf.geometry.x, gdf.geometry.y
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
    result = gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs)
    result = result.reset_index(drop=True)
    result.attrs["source"] = str(p)
    return result


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
    result = gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs)
    result = result.reset_index(drop=True)
    result.attrs["source"] = str(p)
    result.attrs["unknown_postcodes"] = gdf.attrs.get("unknown_postcodes", [])
    return result


def _check_ids(values: pd.Series, *, path: Path, column: str) -> pd.Series:
    ids = values.astype("string").str.strip()
    empty = ids.isna() | (ids == "")
    if empty.any():
        rows = [int(i) + 2 for i in values.index[empty]]
        raise DataError(
            f"{path}: column '{column}' is empty in {int(empty.sum())} rows "
            f"(rows {_list(rows)}, counting the header as row 1). Every row needs an id."
        )
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        raise DataError(
            f"{path}: column '{column}' has duplicate ids: {_list(sorted(set(dup.tolist())))}. "
            "Each id must appear once; remove or merge the repeated rows."
        )
    return ids.astype(object)


def deciles_from_rank(rank: pd.Series, *, n: int | None = None) -> pd.Series:
    """Return deciles 1..10 from ranks 1..n (1 = most deprived), as IMD deciles are made.

    Decile ``d`` holds ranks ``(d-1)*n/10 < rank <= d*n/10``; ``n`` defaults to the
    largest rank present.
    """
    r = _to_number(rank)
    total = float(n if n is not None else r.max())
    dec = np.ceil(r / total * 10).clip(1, 10)
    return pd.Series(dec, index=rank.index).astype("Int64")


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
    key_col = cols.get(_key(key)) or next(c for c in df.columns if c != net_col)
    keys = df[key_col].astype("string").str.strip()
    nets = df[net_col].astype("string").str.strip()
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
