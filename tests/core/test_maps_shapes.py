"""Approximate area shapes, packing for the page, roads and places."""

import json
import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from access_app.core import defaults
from access_app.core.errors import DataError
from access_app.maps import shapes as sh
from access_app.maps.layers import RUNTIME_JS

NODE = shutil.which("node") or shutil.which("nodejs")


# ---------------------------------------------------------------- the committed shapes


@pytest.fixture(scope="module")
def committed():
    return gpd.read_parquet(defaults.geodata_dir() / sh.SHAPES_FILE)


@pytest.fixture(scope="module")
def areas():
    return defaults.load_default_areas()


def test_every_area_has_one_valid_polygon(committed, areas):
    assert len(committed) == 32_844
    assert committed["area_id"].is_unique
    assert set(committed["area_id"]) == set(areas["area_id"])
    geoms = committed.geometry.to_numpy()
    assert set(committed.geom_type) <= {"Polygon", "MultiPolygon"}
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert committed.crs.to_epsg() == 4326
    assert (defaults.geodata_dir() / sh.SHAPES_FILE).stat().st_size < 4_000_000


def test_shapes_tile_england_without_overlap(committed):
    eng = defaults.load_default_boundaries()["england"].to_crs("EPSG:27700")
    england_km2 = float(eng.area.sum()) / 1e6
    bng = committed.to_crs("EPSG:27700")
    total = float(bng.area.sum()) / 1e6
    # the shapes are clipped to the same coastline (the basemap is generalised to 250 m,
    # the shapes' clip outline less so): totals agree within 1%
    assert total == pytest.approx(england_km2, rel=0.01)
    assert committed["area_km2"].to_numpy() == pytest.approx(bng.area.to_numpy() / 1e6,
                                                             rel=1e-3, abs=1e-3)


@pytest.mark.slow
def test_shapes_hold_their_centroids_and_stay_in_their_local_authority(committed, areas):
    joined = committed.set_index("area_id").loc[areas["area_id"]]
    pts = areas.to_crs(4326).geometry.to_numpy()
    inside = shapely.contains(joined.geometry.to_numpy(), pts) | shapely.touches(
        joined.geometry.to_numpy(), pts)
    # centroids that the generalised coastline cuts off keep a shape beside them
    assert inside.mean() > 0.99
    # cells of one local authority do not overlap: their union is as large as their sum
    bng = committed.to_crs("EPSG:27700")
    lads = bng.dissolve("lad_code")
    assert len(lads) == 309
    assert float(lads.area.sum()) == pytest.approx(float(bng.area.sum()), rel=1e-5)
    # and cells of different local authorities only meet along borders (each is clipped
    # to its own); the 10 stand-in discs and rounding leave under 2 km2 England-wide
    tree = shapely.STRtree(lads.geometry.to_numpy())
    left, right = tree.query(lads.geometry.to_numpy(), predicate="intersects")
    pairs = left < right
    over = shapely.area(shapely.intersection(lads.geometry.to_numpy()[left[pairs]],
                                             lads.geometry.to_numpy()[right[pairs]]))
    assert over.sum() / 1e6 < 2.0


def test_places_table(areas):
    places = sh.default_places()
    lad = places[places["kind"] == "lad"]
    dist = places[places["kind"] == "district"]
    assert len(lad) == 309 and lad["code"].str.match(r"^E0[6-9]").all()
    assert len(dist) > 2000
    tr1 = dist.set_index("name").loc["TR1"]
    # Truro's TR1 district lies within 5 km of Truro (50.263 N, 5.051 W)
    assert abs(tr1["lat"] - 50.263) < 0.05 and abs(tr1["lon"] + 5.051) < 0.07
    assert set(lad["name"]) >= {"Cornwall", "Isles of Scilly", "Eden", "Westminster"}


@pytest.mark.slow
def test_tool_rebuilds_the_committed_shapes(shared_geodata, committed):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    import build_area_shapes as tool

    df, lad, england = tool.load_inputs(shared_geodata)
    rebuilt = tool.build_shapes(df, lad, england)
    assert rebuilt["area_id"].tolist() == committed["area_id"].tolist()
    assert np.allclose(rebuilt["area_km2"], committed["area_km2"], atol=1e-3)


# ---------------------------------------------------------------- packing


SQUARE_WITH_HOLE = Polygon([(0, 50), (1, 50), (1, 51), (0, 51)],
                           [[(0.25, 50.25), (0.5, 50.25), (0.5, 50.5)]])
TWO_PARTS = MultiPolygon([Polygon([(2, 52), (2.5, 52), (2.5, 52.5)]),
                          Polygon([(3, 53), (3.1234, 53), (3.1234, 53.1)])])


def test_pack_polygons_by_hand():
    p = sh.pack_polygons([SQUARE_WITH_HOLE, None, TWO_PARTS])
    assert p["s"] == 10_000
    assert p["g"] == [1, 0, 2]           # polygons per area
    assert p["p"] == [2, 1, 1]           # rings per polygon
    assert p["r"] == [4, 3, 3, 3]        # vertices per ring, closing vertex dropped
    xy = np.cumsum(np.array(p["xy"]).reshape(-1, 2), axis=0) / 1e4  # lat, lng
    assert xy[:4].tolist() == [[50, 0], [50, 1], [51, 1], [51, 0]]
    assert xy[4:7].tolist() == [[50.25, 0.25], [50.25, 0.5], [50.5, 0.5]]
    assert xy[-2].tolist() == [53.0, 3.1234]
    assert len(xy) == 13


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_runtime_unpacks_what_python_packs(tmp_path):
    p = sh.pack_polygons([SQUARE_WITH_HOLE, None, TWO_PARTS])
    lines = sh.pack_lines([LineString([(0, 50), (1, 51), (2, 51.5)])])
    code = ("var window = globalThis; var L = {latLng: function (a, b) { return [a, b]; }};\n"
            + RUNTIME_JS + f"""
console.log(JSON.stringify(accessApp.unpackPolygons({json.dumps(p)})));
console.log(JSON.stringify(accessApp.unpackLines({json.dumps(lines)})));
""")
    script = tmp_path / "run.js"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    polys, lns = (json.loads(s) for s in out.stdout.splitlines())
    assert polys[0] == [[[50, 0], [50, 1], [51, 1], [51, 0]],
                        [[50.25, 0.25], [50.25, 0.5], [50.5, 0.5]]]
    assert polys[1] is None
    assert polys[2] == [[[[52, 2], [52, 2.5], [52.5, 2.5]]],
                        [[[53, 3], [53, 3.1234], [53.1, 3.1234]]]]
    assert lns == [[[[50, 0], [51, 1], [51.5, 2]]]]


def test_align_shapes_matches_ids_and_checks_input():
    shapes = gpd.GeoDataFrame({"area_id": ["b", "a"]},
                              geometry=[SQUARE_WITH_HOLE, TWO_PARTS], crs=4326)
    areas = pd.DataFrame({"area_id": ["a", "c", "b"]})
    got = sh.align_shapes(areas, shapes)
    assert got[0].equals(TWO_PARTS) and got[1] is None and got[2].equals(SQUARE_WITH_HOLE)
    with pytest.raises(DataError, match="repeat area_id 'b'"):
        sh.align_shapes(areas, pd.concat([shapes, shapes.iloc[:1]]))
    with pytest.raises(DataError, match="no 'area_id' column"):
        sh.align_shapes(areas, shapes.rename(columns={"area_id": "code"}))
    with pytest.raises(DataError, match="must be polygons"):
        sh.align_shapes(areas, shapes.set_geometry([Point(0, 0), Point(1, 1)], crs=4326))
    with pytest.raises(DataError, match="no coordinate reference system"):
        sh.align_shapes(areas, shapes.set_crs(None, allow_override=True))


def test_shape_area_from_geometry_in_km2():
    sq = Polygon([(500000, 200000), (502000, 200000), (502000, 201000), (500000, 201000)])
    shapes = gpd.GeoDataFrame({"area_id": ["x"]}, geometry=[sq], crs=27700)
    km2 = sh.shape_area_km2(pd.DataFrame({"area_id": ["x", "y"]}), shapes)
    assert km2[0] == pytest.approx(2.0, rel=1e-6) and np.isnan(km2[1])


# ---------------------------------------------------------------- roads


def test_road_class():
    got = sh.road_class(["M1", "A1(M)", "A38", "a30", "B1234", None, "", "M6 Toll"])
    assert got.tolist() == [0, 0, 1, 1, -1, -1, -1, 0]


def test_road_data_merges_links_per_road_and_drops_minor_roads():
    roads = gpd.GeoDataFrame(
        {"road": ["M1", "M1", "A38", "B1234", "A38"]},
        geometry=[LineString([(400000, 300000), (401000, 300000)]),
                  LineString([(401000, 300000), (402000, 300500)]),
                  LineString([(300000, 100000), (300000, 105000)]),
                  LineString([(350000, 150000), (351000, 150000)]),
                  LineString([(600000, 600000), (600000, 601000)])],
        crs=27700)
    d = sh.road_data(roads, tolerance_m=1.0)
    assert d["n"] == ["A38", "M1"] and d["k"] == [1, 0]
    assert d["g"] == [2, 1]          # A38: two separate pieces; M1: one merged line
    assert d["r"] == [2, 2, 3]
    inside = shapely.box(0, 0, 500000, 500000)
    clipped = sh.road_data(roads, tolerance_m=1.0, within=inside)
    assert clipped["g"] == [1, 1]    # the A38 link at 600 km north is left out
