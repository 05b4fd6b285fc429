"""Saving and reopening networks: the .npz cache and GraphML."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from access_app.core import network
from access_app.core.errors import NetworkError

BNG = "EPSG:27700"


def _lines():
    return gpd.GeoDataFrame(
        {"road": ["M1", "A52", "A6", "A1"], "urban": [False, True, False, False]},
        geometry=[
            LineString([(0, 0), (1000, 0)]),
            LineString([(1000, 0), (1000, 500), (1000, 2000)]),
            LineString([(1000, 2000), (0, 0)]),
            LineString([(10000, 0), (11000, 0)]),
        ],
        crs=BNG,
    )


def _same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> None:
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    ea = sorted(a.edges(keys=True, data=True), key=lambda e: e[:3])
    eb = sorted(b.edges(keys=True, data=True), key=lambda e: e[:3])
    assert len(ea) == len(eb)
    for (u1, v1, k1, d1), (u2, v2, k2, d2) in zip(ea, eb, strict=True):
        assert (u1, v1, k1) == (u2, v2, k2)
        assert set(d1) == set(d2)
        for key in d1:
            if key == "geometry":
                assert shapely.equals_exact(d1[key], d2[key], tolerance=0)
            else:
                assert d1[key] == d2[key], key
    for n in a.nodes:
        assert list(a.successors(n)) == list(b.successors(n))
        assert sorted(a.predecessors(n)) == sorted(b.predecessors(n))


def test_npz_roundtrip_equals_public_api_graph(tmp_path):
    net = network.graph_from_lines(_lines(), road_col="road", urban_col="urban")
    G = net.graph
    path = network.save_network(net, tmp_path / "net.npz")
    loaded = network.load_network(path)
    H = loaded.graph
    _same_graph(G, H)
    assert H.graph["crs"] == BNG and H.graph["dropped"] == G.graph["dropped"]
    np.testing.assert_array_equal(H.graph["dropped_nodes_xy"], G.graph["dropped_nodes_xy"])
    np.testing.assert_array_equal(H.graph["dropped_nodes_gap_m"], [9000.0, 9000.0])
    # the arrays read from the file are those a fresh build would make
    attached = loaded.arrays
    assert network.build_arrays(H).fingerprint == attached.fingerprint
    assert attached.fingerprint == network.build_arrays(G).fingerprint == net.fingerprint
    # the graph still behaves under networkx algorithms
    assert nx.shortest_path_length(H, 0, 1, weight="travel_time") == pytest.approx(
        nx.shortest_path_length(G, 0, 1, weight="travel_time")
    )
    H.add_edge(0, 1, length=1.0, travel_time=1.0)
    assert H.number_of_edges() == G.number_of_edges() + 1


def test_npz_roundtrip_osm_attributes(tmp_path, shared_geodata):
    G = network.graph_from_osm_file(shared_geodata / "roads" / "its-leeds-example.osm.pbf").graph
    H = network.load_network(network.save_network(G, tmp_path / "leeds.npz")).graph
    _same_graph(G, H)  # lists (osmid of merged ways), bools, missing tags survive


def test_graphml_roundtrip(tmp_path):
    G = network.graph_from_lines(_lines(), road_col="road", urban_col="urban").graph
    H = network.load_network(network.save_network(G, tmp_path / "net.graphml")).graph
    assert sorted(H.nodes) == sorted(G.nodes)
    for u, v, k, d in G.edges(keys=True, data=True):
        h = H.edges[u, v, k]
        assert h["travel_time"] == pytest.approx(d["travel_time"], abs=1e-9)
        assert h["urban"] is d["urban"] and h["ref"] == d["ref"]
    np.testing.assert_allclose(H.graph["dropped_nodes_xy"], G.graph["dropped_nodes_xy"])
    np.testing.assert_allclose(H.graph["dropped_nodes_gap_m"], [9000.0, 9000.0])
    assert H.graph["dropped"] == G.graph["dropped"]


def test_bad_files(tmp_path):
    with pytest.raises(NetworkError, match="does not exist"):
        network.load_network(tmp_path / "missing.npz")
    other = tmp_path / "other.npz"
    np.savez(other, a=np.arange(3))
    with pytest.raises(NetworkError, match="not an access-app network cache"):
        network.load_network(other)
    with pytest.raises(NetworkError, match=r"\.graphml or \.npz"):
        network.save_network(nx.MultiDiGraph(), tmp_path / "net.pickle")


def test_foreign_graphml_keeps_largest_component(tmp_path):
    import osmnx as ox

    G = nx.MultiDiGraph(crs=BNG)
    for n, x in ((1, 0.0), (2, 100.0), (3, 5000.0)):
        G.add_node(n, x=x, y=0.0)
    G.add_edge(1, 2, length=100.0, highway="primary")
    G.add_edge(2, 1, length=100.0, highway="primary")
    G.add_edge(2, 3, length=4900.0, highway="primary")  # one way out: 3 is not kept
    ox.save_graphml(G, tmp_path / "foreign.graphml")
    H = network.load_network(tmp_path / "foreign.graphml").graph
    assert sorted(H.nodes) == [1, 2]
    np.testing.assert_allclose(H.graph["dropped_nodes_xy"], [[5000.0, 0.0]])
    # rural primary at the default 80 km/h
    assert H.edges[1, 2, 0]["travel_time"] == pytest.approx(100 / (80 / 3.6))


def test_npz_keeps_attribute_types(tmp_path):
    G = nx.MultiDiGraph(crs=BNG)
    G.add_node(1, x=0.0, y=0.0, street_count=3)
    G.add_node(2, x=10.0, y=0.0, street_count=1)
    G.add_edge(1, 2, length=10.0, travel_time=1.0, osmid=[5, 6], lanes=2, oneway=True,
               speed_kph=80.0, name="High St", width=None)
    G.add_edge(2, 1, length=10.0, travel_time=1.5, osmid=7, oneway=False, speed_kph=64.5)
    H = network.load_network(network.save_network(G, tmp_path / "types.npz")).graph
    a, b = H.edges[1, 2, 0], H.edges[2, 1, 0]
    assert a["osmid"] == [5, 6] and b["osmid"] == 7 and type(b["osmid"]) is int
    assert a["lanes"] == 2 and type(a["lanes"]) is int and "lanes" not in b
    assert a["speed_kph"] == 80.0 and type(a["speed_kph"]) is float
    assert a["oneway"] is True and b["oneway"] is False
    assert a["name"] == "High St" and "name" not in b and "width" not in a
    assert H.nodes[1]["street_count"] == 3 and type(H.nodes[1]["street_count"]) is int
