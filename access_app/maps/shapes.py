"""Area shapes, roads and place names for the maps, packed compactly for the page.

Areas are drawn as polygons when shapes are known: a user's own polygons, or the embedded
**approximate** LSOA shapes (``geodata/area_shapes.parquet``, built by
``tools/build_area_shapes.py``: the Voronoi cell of each population-weighted centroid among
the centroids of its local authority, clipped to that local authority and the coastline).
Roads (motorways and A roads of the network in use) and place names (local authorities,
postcode districts) help a planner see where they are.

Geometry reaches the page as quantised, delta-encoded integers (:func:`pack_polygons`,
:func:`pack_lines`), which the runtime (``resources/maps/runtime.js``, ``unpack``) turns back
into Leaflet coordinate arrays: about 3 characters a coordinate instead of 9.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access_app.core import defaults, schema
from access_app.core.errors import DataError

logger = logging.getLogger(__name__)

#: Quantisation of packed coordinates: 1e-4 degree is about 11 m north-south, 7 m east-west.
PACK_SCALE = 10_000
SHAPES_FILE = defaults.SHAPES_FILE
PLACES_FILE = defaults.PLACES_FILE
#: The embedded shapes are derived (Voronoi cells clipped to local authorities), not real
#: LSOA boundaries; maps say so.
DEFAULT_SHAPES_APPROXIMATE = True
#: Text shown with approximate shapes (legend note and attribution).
APPROXIMATE_NOTE = (
    "Area shapes are approximate: each LSOA is drawn as the part of its local authority "
    "nearer its population-weighted centroid than any other (no LSOA boundary file is "
    "embedded)."
)


def _geodata_file(name: str) -> Any:
    return defaults.geodata_dir() / name


@lru_cache(maxsize=1)
def _default_shapes() -> gpd.GeoDataFrame:
    path = _geodata_file(SHAPES_FILE)
    if not path.is_file():
        raise DataError(f"{path} is missing; rebuild it with: python tools/build_area_shapes.py")
    gdf = gpd.read_parquet(path)
    gdf.attrs["approximate"] = DEFAULT_SHAPES_APPROXIMATE
    return gdf


def default_shapes() -> gpd.GeoDataFrame:
    """Return the embedded approximate LSOA shapes (WGS84), keyed by ``area_id``.

    The frame is shared between calls (read once); copy it before changing it. Its
    ``attrs["approximate"]`` is ``True``, so the maps label the shapes as approximate.
    """
    return _default_shapes()


@lru_cache(maxsize=1)
def _default_places() -> pd.DataFrame:
    path = _geodata_file(PLACES_FILE)
    if not path.is_file():
        raise DataError(f"{path} is missing; rebuild it with: python tools/build_area_shapes.py")
    return pd.read_csv(path, dtype={"kind": str, "name": str, "code": str})


def default_places() -> pd.DataFrame:
    """Return the embedded place table of local authorities and postcode districts.

    Columns ``kind`` (``lad``/``district``), ``name``, ``code``, ``lat``, ``lon``: local
    authority label points and postcode district centres.
    """
    return _default_places()


def default_roads() -> gpd.GeoDataFrame:
    """Return the embedded DfT major road network 2013 (``road`` column, EPSG:27700)."""
    from access_app.core import defaults

    return gpd.read_parquet(defaults.default_roads_path())


# ---------------------------------------------------------------------------- packing


def _to_4326(gdf: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> np.ndarray:
    if gdf.crs is None:
        raise DataError(f"The {what} have no coordinate reference system; set one first.")
    geoms = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    if not geoms.crs.equals(schema.WGS84):
        geoms = geoms.to_crs(schema.WGS84)
    return np.asarray(geoms.to_numpy(), dtype=object)


def _pack_coords(coords: np.ndarray, keep: np.ndarray) -> list[int]:
    """Return ``[dlat, dlng, ...]`` quantised deltas of ``coords[keep]`` (x = lng, y = lat)."""
    q = np.round(coords[keep] * PACK_SCALE).astype(np.int64)
    latlng = q[:, ::-1]
    d = np.diff(latlng, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return d.ravel().tolist()


def pack_polygons(geoms: Sequence[Any] | np.ndarray) -> dict[str, Any]:
    """Pack polygons (WGS84) as delta-encoded integers for the page.

    Parameters
    ----------
    geoms
        One Polygon, MultiPolygon or ``None``/empty per area.

    Returns
    -------
    dict
        ``s`` (scale), ``xy`` (lat/lng deltas from the previous vertex, rings without their
        closing vertex), ``r`` (vertices per ring), ``p`` (rings per polygon), ``g``
        (polygons per area; 0 = no shape).
    """
    arr = np.asarray(list(geoms), dtype=object)
    n = len(arr)
    if not n:
        return {"s": PACK_SCALE, "xy": [], "r": [], "p": [], "g": []}
    missing = np.array([g is None for g in arr], dtype=bool)
    arr[missing] = shapely.Polygon()
    types = shapely.get_type_id(arr)
    arr[(types != 3) & (types != 6)] = shapely.Polygon()  # not polygonal: no shape
    parts, owner = shapely.get_parts(arr, return_index=True)
    keep_part = ~shapely.is_empty(parts)
    parts, owner = parts[keep_part], owner[keep_part]
    if not len(parts):
        return {"s": PACK_SCALE, "xy": [], "r": [], "p": [], "g": [0] * n}
    _, coords, (ring_off, poly_off) = shapely.to_ragged_array(parts)
    keep = np.ones(len(coords), dtype=bool)
    keep[ring_off[1:] - 1] = False  # closing vertex of every ring
    return {
        "s": PACK_SCALE,
        "xy": _pack_coords(coords, keep),
        "r": (np.diff(ring_off) - 1).tolist(),
        "p": np.diff(poly_off).tolist(),
        "g": np.bincount(owner, minlength=n).tolist(),
    }


def pack_lines(geoms: Sequence[Any] | np.ndarray) -> dict[str, Any]:
    """Pack lines (WGS84) as delta-encoded integers.

    Returns ``s``, ``xy``, ``r`` (vertices per line) and ``g`` (lines per feature), as
    :func:`pack_polygons`.
    """
    arr = np.array([
        shapely.MultiLineString([g]) if g.geom_type == "LineString" else g for g in geoms
    ], dtype=object)
    if not len(arr):
        return {"s": PACK_SCALE, "xy": [], "r": [], "g": []}
    _, coords, (line_off, geom_off) = shapely.to_ragged_array(arr)
    return {
        "s": PACK_SCALE,
        "xy": _pack_coords(coords, np.ones(len(coords), dtype=bool)),
        "r": np.diff(line_off).tolist(),
        "g": np.diff(geom_off).tolist(),
    }


def align_shapes(areas: pd.DataFrame, shapes: gpd.GeoDataFrame) -> np.ndarray:
    """Return one WGS84 polygon (or ``None``) per row of ``areas``, matched on ``area_id``.

    Raises
    ------
    DataError
        If ``shapes`` has no ``area_id`` column, repeats an id, or is not polygonal.
    """
    if not isinstance(shapes, gpd.GeoDataFrame):
        raise DataError(f"The area shapes must be a GeoDataFrame, got {type(shapes).__name__}.")
    if schema.AREA_ID not in shapes.columns:
        raise DataError(f"The area shapes have no {schema.AREA_ID!r} column to match the areas "
                        f"(columns: {', '.join(map(str, shapes.columns))}).")
    if schema.AREA_ID not in areas.columns:
        raise DataError(f"The areas have no {schema.AREA_ID!r} column to match the shapes.")
    ids = shapes[schema.AREA_ID].astype(str)
    if ids.duplicated().any():
        raise DataError(f"The area shapes repeat {schema.AREA_ID} "
                        f"{ids[ids.duplicated()].iloc[0]!r}; keep one shape per area.")
    types = set(shapes.geom_type.dropna()) - {"Polygon", "MultiPolygon"}
    if types:
        raise DataError(f"The area shapes must be polygons, found {', '.join(sorted(types))}.")
    geoms = _to_4326(shapes, "area shapes")
    pos = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    where = pos.reindex(areas[schema.AREA_ID].astype(str).to_numpy()).to_numpy()
    out = np.full(len(areas), None, dtype=object)
    found = ~np.isnan(where)
    out[found] = geoms[where[found].astype(np.int64)]
    if (~found).any():
        logger.info("%d of %d areas have no shape; drawn as dots", int((~found).sum()), len(areas))
    return out


def shape_area_km2(areas: pd.DataFrame, shapes: gpd.GeoDataFrame) -> np.ndarray:
    """Return each area's shape area in km² (``NaN`` without a shape), in British National Grid.

    Uses the ``area_km2`` column of the shapes when present (the embedded file has it).
    """
    if "area_km2" in shapes.columns and schema.AREA_ID in shapes.columns:
        s = pd.Series(shapes["area_km2"].to_numpy(dtype=float),
                      index=shapes[schema.AREA_ID].astype(str).to_numpy())
        return s.reindex(areas[schema.AREA_ID].astype(str).to_numpy()).to_numpy(dtype=float)
    geoms = align_shapes(areas, shapes)
    out = np.full(len(areas), np.nan)
    have = np.array([g is not None for g in geoms], dtype=bool)
    if have.any():
        bng = gpd.GeoSeries(list(geoms[have]), crs=schema.WGS84).to_crs(schema.BNG)
        out[have] = bng.area.to_numpy() / 1e6
    return out


# ---------------------------------------------------------------------------- roads


_MOTORWAY = re.compile(r"^\s*(M\d+|A\d+\s*\(M\))", re.I)
_A_ROAD = re.compile(r"^\s*A\d+", re.I)


def road_class(names: Sequence[object] | np.ndarray) -> np.ndarray:
    """Return 0 for motorways (``M1``, ``A1(M)``), 1 for other A roads, -1 for the rest."""
    out = np.full(len(names), -1, dtype=np.int8)
    for k, n in enumerate(names):
        s = "" if n is None or (isinstance(n, float) and np.isnan(n)) else str(n)
        if _MOTORWAY.match(s):
            out[k] = 0
        elif _A_ROAD.match(s):
            out[k] = 1
    return out


def road_data(roads: gpd.GeoDataFrame, *, name_col: str = "road",
              tolerance_m: float = 60.0, within: Any = None,
              within_m: float = 0.0) -> dict[str, Any]:
    """Return the motorways and A roads of ``roads`` merged per road and packed for the page.

    Parameters
    ----------
    roads
        Road lines in any CRS with a road number column (``M1``, ``A38``, ``A1(M)``);
        other roads are left out. Without the column every line is drawn as an A road.
    name_col
        Column of road numbers (``road`` in the embedded network, ``ref`` in OSM).
    tolerance_m
        Simplification in metres (links are merged per road first).
    within, within_m
        Optional polygon in British National Grid: only links within ``within_m`` metres
        of it are kept (the England outline keeps Scottish and Welsh roads off the map).

    Returns
    -------
    dict
        Packed lines (:func:`pack_lines`) plus ``k`` (0 motorway, 1 A road) and ``n``
        (road number) per feature.
    """
    if not isinstance(roads, gpd.GeoDataFrame) or roads.crs is None:
        raise DataError("The roads must be a GeoDataFrame of lines with a CRS.")
    lines = roads[roads.geom_type.isin(["LineString", "MultiLineString"])]
    names = (lines[name_col].astype(object).to_numpy() if name_col in lines.columns
             else np.array(["A"] * len(lines), dtype=object))
    cls = road_class(names) if name_col in lines.columns else np.ones(len(lines), np.int8)
    keep = cls >= 0
    lines = lines.loc[keep].to_crs(schema.BNG)
    names = names[keep]
    cls = cls[keep]
    if within is not None:
        shapely.prepare(within)
        inside = shapely.dwithin(within, lines.geometry.to_numpy(), within_m)
        lines, names, cls = lines.loc[inside], names[inside], cls[inside]
    frame = pd.DataFrame({"n": [str(n).replace(" ", "") for n in names], "k": cls,
                          "geom": lines.geometry.to_numpy()})
    geoms, kinds, labels = [], [], []
    for (name, kind), grp in frame.groupby(["n", "k"], sort=True):
        merged = shapely.line_merge(shapely.union_all(grp["geom"].to_numpy()))
        merged = shapely.simplify(merged, tolerance_m)
        if merged.is_empty:
            continue
        geoms.append(merged)
        kinds.append(int(kind))
        labels.append(str(name))
    if not geoms:
        out = pack_lines([])
        out.update(k=[], n=[])
        return out
    wgs = gpd.GeoSeries(geoms, crs=schema.BNG).to_crs(schema.WGS84).to_numpy()
    out = pack_lines(wgs)
    out["k"] = kinds
    out["n"] = labels
    return out


def place_data(places: pd.DataFrame | None, sites: pd.DataFrame | None = None
               ) -> dict[str, Any]:
    """Return the search and label table: ``lat``, ``lng``, ``name``, ``kind`` per place.

    ``kind`` is ``"lad"`` (local authority: labelled by zoom and searchable) or
    ``"district"`` (postcode district: searchable only). Site names come from the site layer.
    """
    if places is None or not len(places):
        return {"lat": [], "lng": [], "name": [], "kind": []}
    for col in ("kind", "name", "lat", "lon"):
        if col not in places.columns:
            raise DataError(f"The place table has no column {col!r}.")
    from .markup import esc

    return {
        "lat": np.round(places["lat"].to_numpy(dtype=float), 4).tolist(),
        "lng": np.round(places["lon"].to_numpy(dtype=float), 4).tolist(),
        "name": [esc(n) for n in places["name"].astype(str)],
        "kind": places["kind"].astype(str).tolist(),
    }
