"""Building graphs from road line datasets and classifying urban links."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from access_app.core import network
from access_app.core.errors import Cancelled, DataError

BNG = "EPSG:27700"


def _areas():
    return gpd.GeoDataFrame(
        {"area_id": ["u", "r"], "urban_rural": ["Urban", "Rural"]},
        geometry=[Point(0, 0), Point(5000, 0)],
        crs=BNG,
    )


def test_classify_urban_links_hand_worked():
    lines = gpd.GeoSeries(
        [
            LineString([(0, 0), (1000, 0)]),  # all samples within 1 km of the urban point
            LineString([(4000, 0), (6000, 0)]),  # nearest centroid is rural everywhere
            LineString([(0, 900), (0, 3000)]),  # 1 of 6 samples urban
            LineString([(0, 500), (0, 1500)]),  # samples 500, 1000 urban; 1500 x2 not: 2/4
        ],
        crs=BNG,
        index=[10, 11, 12, 13],
    )
    got = network.classify_urban_links(lines, _areas())
    assert got.index.tolist() == [10, 11, 12, 13]
    assert got.tolist() == [True, False, False, True]
    stricter = network.classify_urban_links(lines, _areas(), min_share=0.51)
    assert stricter.tolist() == [True, False, False, False]


def test_classify_urban_links_reprojects_areas_and_checks_columns():
    lines = gpd.GeoSeries([LineString([(0, 0), (100, 0)])], crs=BNG)
    areas = _areas().to_crs(4326)
    assert network.classify_urban_links(lines, areas).tolist() == [True]
    with pytest.raises(DataError, match="urban_rural"):
        network.classify_urban_links(lines, areas.drop(columns="urban_rural"))
    bad = _areas().assign(urban_rural=["Urban", "Town"])
    with pytest.raises(DataError, match="Town"):
        network.classify_urban_links(lines, bad)


def _toy_lines():
    return gpd.GeoDataFrame(
        {
            "road": ["M1", "A52", "A1(M)", "A1"],
            "urban": [False, True, False, False],
        },
        geometry=[
            LineString([(0, 0), (1000, 0)]),
            LineString([(1000, 0), (1000, 2000)]),
            LineString([(1000, 2000.005), (3000, 2000.005)]),  # 5 mm gap: joined at 1 cm
            LineString([(10000, 0), (11000, 0)]),  # an island
        ],
        crs=BNG,
    )


def test_graph_from_lines_hand_worked():
    G = network.graph_from_lines(_toy_lines(), road_col="road", urban_col="urban").graph
    assert G.graph["crs"] == BNG
    assert G.number_of_nodes() == 4
    assert G.number_of_edges() == 6
    assert G.graph["dropped"] == {"nodes": 2, "components": 1, "links": 1}
    np.testing.assert_allclose(
        np.sort(G.graph["dropped_nodes_xy"], axis=0), [[10000, 0], [11000, 0]]
    )
    times = sorted(
        (d["ref"], round(d["travel_time"], 6), d["highway"], d["urban"])
        for _, _, d in G.edges(data=True)
    )
    # M1 rural 1 km at 100 km/h; A52 urban 2 km at 40 km/h; A1(M) rural 2 km at 100 km/h
    assert times == [
        ("A1(M)", 72.0, "motorway", False),
        ("A1(M)", 72.0, "motorway", False),
        ("A52", round(2000 / (40 / 3.6), 6), "primary", True),
        ("A52", round(2000 / (40 / 3.6), 6), "primary", True),
        ("M1", 36.0, "motorway", False),
        ("M1", 36.0, "motorway", False),
    ]
    for u, _v, d in G.edges(data=True):
        assert d["length"] == pytest.approx(d["geometry"].length)
        start = d["geometry"].coords[0]
        assert abs(start[0] - G.nodes[u]["x"]) < 0.01 and abs(start[1] - G.nodes[u]["y"]) < 0.01


def test_graph_from_lines_exact_tolerance_splits_gap():
    G = network.graph_from_lines(_toy_lines(), road_col="road", snap_tolerance_m=0.0).graph
    # the 5 mm gap is not bridged: the M1+A52 piece (3 nodes) wins over A1(M) (2 nodes)
    assert G.number_of_nodes() == 3
    assert G.graph["dropped"]["components"] == 2
    # no urban information: every link rural (A52 at the default 80 km/h)
    a52 = [d["travel_time"] for _, _, d in G.edges(data=True) if d["ref"] == "A52"]
    assert a52 == [pytest.approx(2000 / (80 / 3.6))] * 2


def test_graph_from_lines_classifies_with_areas_and_reprojects():
    # moved into England (450 km E, 300 km N) so the WGS84 round trip is exact to < 1 m
    lines = _toy_lines().drop(columns="urban").translate(450000, 300000)
    lines = gpd.GeoDataFrame({"road": _toy_lines()["road"]}, geometry=lines, crs=BNG)
    areas = _areas().assign(geometry=_areas().translate(450000, 300000))
    G = network.graph_from_lines(lines.to_crs(4326), road_col="road", areas=areas).graph
    urban = {d["ref"]: d["urban"] for _, _, d in G.edges(data=True)}
    assert urban == {"M1": True, "A52": False, "A1(M)": False}
    xs = sorted(G.nodes[n]["x"] - 450000 for n in G.nodes)
    np.testing.assert_allclose(xs, [0.0, 1000.0, 1000.0, 3000.0], atol=1.0)


def test_graph_from_lines_bad_input():
    lines = _toy_lines()
    with pytest.raises(DataError, match="'Road' not found"):
        network.graph_from_lines(lines, road_col="Road")
    pts = gpd.GeoDataFrame({"road": ["M1"]}, geometry=[Point(0, 0)], crs=BNG)
    with pytest.raises(DataError, match="must be lines"):
        network.graph_from_lines(pts)
    with pytest.raises(DataError, match="no CRS"):
        network.graph_from_lines(gpd.GeoDataFrame(lines.drop(columns="geometry"),
                                                  geometry=list(lines.geometry)))
    with pytest.raises(DataError, match="GeoDataFrame"):
        network.graph_from_lines(pd.DataFrame({"road": ["M1"]}))


def test_dft_network_main_component(shared_geodata):
    lines = network.read_lines(shared_geodata / "roads" / "dft_major_roads_link_network_2013.zip")
    G = network.graph_from_lines(lines, road_col="Road").graph
    total = G.number_of_nodes() + G.graph["dropped"]["nodes"]
    # the data README: one component holds 98.2% of nodes when links join at end points
    assert round(G.number_of_nodes() / total, 3) == 0.982
    assert G.number_of_edges() == 2 * (len(lines) - G.graph["dropped"]["links"])
    hw = {d["highway"] for _, _, d in G.edges(data=True)}
    assert hw == {"motorway", "primary"}


@pytest.mark.parametrize(
    ("value", "cls"),
    [("A Road", "primary"), ("B Road", "secondary"), ("Classified Unnumbered", "tertiary"),
     ("Not Classified", "unclassified"), ("Motorway", "motorway"), ("trunk", "trunk"),
     ("A1(M)", "motorway"), ("A52", "primary"), (None, "unclassified")],
)
def test_highway_class(value, cls):
    assert network.highway_class(value) == cls


def test_class_column_progress_and_cancel():
    lines = _toy_lines().assign(cls=["Motorway", "B Road", "A Road", "A Road"])
    seen = []
    G = network.graph_from_lines(lines, road_col="road", class_col="cls", urban_col="urban",
                                 progress=lambda f, m: seen.append(f)).graph
    hw = {d["ref"]: d["highway"] for _, _, d in G.edges(data=True)}
    assert hw == {"M1": "motorway", "A52": "secondary", "A1(M)": "primary"}
    # A52 is urban secondary here: 2 km at 30 km/h
    a52 = [d["travel_time"] for _, _, d in G.edges(data=True) if d["ref"] == "A52"]
    assert a52 == [pytest.approx(240.0)] * 2
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        network.graph_from_lines(lines, road_col="road", cancelled=lambda: True)


def test_network_arrays_equal_a_rebuild():
    net = network.graph_from_lines(_toy_lines(), road_col="road", urban_col="urban")
    attached = net.arrays
    rebuilt = network.build_arrays(net.graph)
    assert attached is not rebuilt
    assert attached.fingerprint == rebuilt.fingerprint
    np.testing.assert_array_equal(attached.node_ids, rebuilt.node_ids)
    for a, b in zip(attached.reversed_csr, rebuilt.reversed_csr, strict=True):
        np.testing.assert_array_equal(a, b)
