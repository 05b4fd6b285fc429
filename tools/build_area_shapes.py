"""Derive approximate LSOA shapes and a place-name table for the maps from ``../shared/geodata``.

No LSOA boundary file is available offline, so each area gets an **approximate** shape: the
Voronoi cell of its population-weighted centroid among the centroids of its own local
authority, clipped to that local authority's boundary and to the England coastline. Cells
therefore never cross a local authority border and together cover England exactly once.
Run from the repository root::

    python tools/build_area_shapes.py [--shared ../shared/geodata] [--out geodata]

Outputs (derived, none copied):

- ``area_shapes.parquet``: one row per England LSOA 2011 (32,844): ``area_id``,
  ``lad_code`` (local authority 2021/22), ``area_km2`` (area of the approximate shape in
  British National Grid) and the polygon in WGS84 (GeoParquet, coordinates rounded to
  5 decimals, about 1 m), simplified with a shared-edge (coverage) simplification so
  neighbours keep common borders.
- ``places.csv``: names the map's search box and labels use: ``kind`` (``lad`` = local
  authority label point, the population-weighted mean of its LSOA centroids when that lies
  inside it, else a point on its surface; ``district`` = postcode district, the mean of its
  English postcodes in OS Code-Point Open), ``name``, ``code``, ``lat``, ``lon``.

Sources: ONS LSOA 2011 population-weighted centroids and LSOA to local authority look-up
(``population/england_lsoa11_combined.csv.gz``, itself joined from the ONS files listed in
``../shared/geodata/README.md``), ONS local authority boundaries 2021 generalised
(``boundaries/ltla21_england.geojson``), the England outline dissolved from them, and OS
Code-Point Open 2025 (``postcodes/os_codepoint_open_2025.zip``); all Open Government
Licence v3.0.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
ENGLAND_LSOAS = 32_844
#: Tolerance of the coverage simplification, metres (the local authority boundaries are
#: already generalised, so this removes little; see docs/maps.md).
SIMPLIFY_M = 25.0
#: Radius of the stand-in disc for a centroid that falls outside its generalised local
#: authority polygon (a coastal area cut off by the generalised coastline), metres.
FALLBACK_M = 150.0
SHAPES_FILE = "area_shapes.parquet"
PLACES_FILE = "places.csv"


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_inputs(shared: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame, shapely.Geometry]:
    """Return the LSOA centroids (BNG x/y, LAD code, population), LADs and England (BNG)."""
    df = pd.read_csv(shared / "population" / "england_lsoa11_combined.csv.gz",
                     usecols=["lsoa11cd", "lat", "lon", "pop_mid2019", "ltla22_code"])
    if len(df) != ENGLAND_LSOAS:
        raise SystemExit(f"expected {ENGLAND_LSOAS} LSOAs, found {len(df)}")
    pts = gpd.GeoSeries(gpd.points_from_xy(df["lon"], df["lat"]), crs=WGS84).to_crs(BNG)
    df["x"] = pts.x.to_numpy()
    df["y"] = pts.y.to_numpy()
    lad = gpd.read_file(shared / "boundaries" / "ltla21_england.geojson").to_crs(BNG)
    missing = sorted(set(df["ltla22_code"]) - set(lad["ltla21_code"]))
    if missing:
        raise SystemExit(f"LSOA local authorities without a boundary: {missing[:5]}")
    eng = gpd.read_file(shared / "boundaries" / "england_outline.geojson").to_crs(BNG)
    return df, lad, shapely.make_valid(eng.union_all())


def voronoi_cells(df: pd.DataFrame, lad: gpd.GeoDataFrame, england: shapely.Geometry
                  ) -> np.ndarray:
    """Return one polygon per row of ``df``: its Voronoi cell within its own LAD (BNG)."""
    lad_geom = dict(zip(lad["ltla21_code"], lad.geometry, strict=True))
    x = df["x"].to_numpy()
    y = df["y"].to_numpy()
    out = np.empty(len(df), dtype=object)
    for code, idx in df.groupby("ltla22_code").indices.items():
        poly = shapely.make_valid(lad_geom[code]).intersection(england)
        xy = np.column_stack([x[idx], y[idx]])
        if len(idx) == 1:
            out[idx] = poly
            continue
        cells = shapely.voronoi_polygons(
            shapely.multipoints(xy), extend_to=poly.envelope.buffer(10_000), ordered=True)
        parts = shapely.get_parts(cells)
        if len(parts) != len(idx):
            raise SystemExit(f"{code}: {len(parts)} Voronoi cells for {len(idx)} centroids")
        clipped = shapely.intersection(parts, poly)
        # A centroid outside the generalised LAD polygon (coast cut off) would leave its
        # area without a shape: give it a small disc of its own cell instead.
        empty = shapely.is_empty(clipped) | (shapely.area(clipped) < 1.0)
        for k in np.flatnonzero(empty):
            disc = shapely.Point(xy[k]).buffer(FALLBACK_M)
            clipped[k] = shapely.intersection(parts[k], disc)
        out[idx] = clipped
    return out


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Return the polygonal part of each geometry (drops stray lines/points of clipping)."""
    out = np.empty(len(geoms), dtype=object)
    for k, g in enumerate(geoms):
        g = shapely.make_valid(g)
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.union_all(parts) if parts else shapely.Polygon()
        out[k] = g
    return out


def build_shapes(df: pd.DataFrame, lad: gpd.GeoDataFrame, england: shapely.Geometry
                 ) -> gpd.GeoDataFrame:
    """Return the approximate LSOA shapes (WGS84) with ``area_id``, ``lad_code``, ``area_km2``."""
    cells = voronoi_cells(df, lad, england)
    simple = polygonal(shapely.coverage_simplify(cells, SIMPLIFY_M))
    bad = shapely.is_empty(simple)
    simple[bad] = cells[bad]
    wgs = gpd.GeoSeries(simple, crs=BNG).to_crs(WGS84)
    rounded = shapely.set_precision(wgs.to_numpy(), 1e-5)
    rounded = polygonal(np.asarray(rounded, dtype=object))
    # the area of the shape as stored (and drawn), measured in British National Grid
    area_km2 = np.round(gpd.GeoSeries(rounded, crs=WGS84).to_crs(BNG).area.to_numpy() / 1e6, 4)
    return gpd.GeoDataFrame(
        {"area_id": df["lsoa11cd"].to_numpy(), "lad_code": df["ltla22_code"].to_numpy(),
         "area_km2": area_km2},
        geometry=rounded, crs=WGS84,
    )


def lad_places(df: pd.DataFrame, lad: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return one label point per LAD: population-weighted centre if inside, else on surface."""
    w = df["pop_mid2019"].to_numpy(dtype=float)
    g = df.assign(wx=df["x"] * w, wy=df["y"] * w, w=w).groupby("ltla22_code")[
        ["wx", "wy", "w"]].sum()
    rows = []
    for code, name, geom in zip(lad["ltla21_code"], lad["ltla21_name"], lad.geometry,
                                strict=True):
        pt = shapely.Point(g.at[code, "wx"] / g.at[code, "w"], g.at[code, "wy"] / g.at[code, "w"])
        if not geom.contains(pt):
            pt = geom.point_on_surface()
        rows.append({"kind": "lad", "name": name, "code": code, "x": pt.x, "y": pt.y})
    return pd.DataFrame(rows)


def district_places(codepoint_zip: Path) -> pd.DataFrame:
    """Return the mean location of each postcode district's English postcodes (Code-Point)."""
    frames = []
    with zipfile.ZipFile(codepoint_zip) as zf:
        for name in zf.namelist():
            if not (name.startswith("Data/CSV/") and name.endswith(".csv")):
                continue
            t = pd.read_csv(io.BytesIO(zf.read(name)), header=None, usecols=[0, 2, 3, 4],
                            names=["pc", "x", "y", "country"], dtype={"pc": str, "country": str})
            t = t[(t["country"] == "E92000001") & (t["x"] > 0)]
            frames.append(t)
    pc = pd.concat(frames, ignore_index=True)
    pc["district"] = pc["pc"].str.strip().str.split(" ").str[0].str.upper()
    d = pc.groupby("district")[["x", "y"]].mean().reset_index()
    return pd.DataFrame({"kind": "district", "name": d["district"], "code": d["district"],
                         "x": d["x"], "y": d["y"]})


def build_places(df: pd.DataFrame, lad: gpd.GeoDataFrame, codepoint_zip: Path) -> pd.DataFrame:
    """Return the place table (LAD label points and postcode districts) in WGS84."""
    p = pd.concat([lad_places(df, lad), district_places(codepoint_zip)], ignore_index=True)
    ll = gpd.GeoSeries(gpd.points_from_xy(p["x"], p["y"]), crs=BNG).to_crs(WGS84)
    return pd.DataFrame({"kind": p["kind"], "name": p["name"], "code": p["code"],
                         "lat": np.round(ll.y.to_numpy(), 4),
                         "lon": np.round(ll.x.to_numpy(), 4)})


def main(argv: list[str] | None = None) -> int:
    """Build ``area_shapes.parquet`` and ``places.csv``; return the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "geodata")
    ap.add_argument("--out", type=Path, default=REPO / "geodata")
    args = ap.parse_args(argv)
    shared = args.shared
    t0 = time.perf_counter()
    df, lad, england = load_inputs(shared)
    shapes = build_shapes(df, lad, england)
    _atomic_write(args.out / SHAPES_FILE,
                  lambda p: shapes.to_parquet(p, compression="zstd", index=False))
    places = build_places(df, lad, shared / "postcodes" / "os_codepoint_open_2025.zip")
    _atomic_write(args.out / PLACES_FILE,
                  lambda p: places.to_csv(p, index=False, lineterminator="\n"))
    size = (args.out / SHAPES_FILE).stat().st_size
    print(f"{SHAPES_FILE}: {len(shapes)} shapes, "
          f"{int(shapely.get_num_coordinates(shapes.geometry.to_numpy()).sum())} vertices, "
          f"{shapes['area_km2'].sum():,.0f} km2, {size / 1e6:.2f} MB")
    print(f"{PLACES_FILE}: {int((places['kind'] == 'lad').sum())} local authorities, "
          f"{int((places['kind'] == 'district').sum())} postcode districts")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
