"""Distance along the fastest route: hand-worked legs and tree sums, networkx reference."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point

from access_app.core import distance, network, routing
from access_app.core.errors import NetworkError
from access_app.core.network import RoadNetwork

BNG = "EPSG:27700"
_net = RoadNetwork.from_graph


def _pts(ids, xy, id_col, urban=None):
    data = {id_col: ids}
    if urban is not None:
        data["urban_rural"] = urban
    return gpd.GeoDataFrame(data, geometry=[Point(p) for p in xy], crs=BNG)


def _toy_graph():
    G = nx.MultiDiGraph(crs=BNG)
    for n, x in ((1, 0.0), (2, 1000.0), (3, 2000.0)):
        G.add_node(n, x=x, y=0.0)
    G.add_edge(1, 2, length=1000.0, travel_time=60.0)
    G.add_edge(1, 2, length=1500.0, travel_time=50.0)  # parallel: quicker but longer
    G.add_edge(2, 1, length=1000.0, travel_time=60.0)
    G.add_edge(2, 3, length=1000.0, travel_time=30.0)
    G.add_edge(3, 2, length=1000.0, travel_time=90.0)
    return G


def test_toy_distance_hand_worked():
    areas = _pts(["a", "b"], [(0, 300), (2000, -100)], "area_id", ["Urban", "Urban"])
    sites = _pts(["s", "t"], [(2000, -100), (0, 300)], "site_id")
    d = distance.distance_matrix(_net(_toy_graph()), areas, sites)
    # a -> s: leg 300 x 1.3 = 390 m, the quicker 1-2 edge (1500 m), 2-3 (1000 m),
    # site leg 100 x 1.3 = 130 m: 3020 m
    # b -> t: 130 + 1000 + 1000 + 390 = 2520 m; a -> t and b -> s: two legs at one node
    expected = np.array([[3.020, 0.780], [0.260, 2.520]])
    np.testing.assert_allclose(d.km, expected, rtol=0, atol=1e-9)


def test_tree_distance_by_pointer_doubling():
    # chain 4 -> 3 -> 2 -> 0 (root) and 1 -> 0; node 5 unreached
    pred = np.array([-9999, 0, 0, 2, 3, -9999])
    step = np.array([0.0, 5.0, 1.0, 2.0, 4.0, 7.0])
    np.testing.assert_allclose(distance.tree_distance(pred, step), [0, 5, 1, 3, 7, 0])


def _grid(seed: int) -> nx.MultiDiGraph:
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(crs=BNG)
    size = 7
    for i in range(size):
        for j in range(size):
            G.add_node(i * size + j, x=i * 1000.0, y=j * 1000.0)
    for i in range(size):
        for j in range(size):
            a = i * size + j
            for di, dj in ((1, 0), (0, 1)):
                if i + di < size and j + dj < size:
                    b = (i + di) * size + j + dj
                    for u, v in ((a, b), (b, a)):
                        length = float(rng.uniform(1000, 1800))
                        G.add_edge(u, v, length=length, travel_time=length / rng.uniform(10, 30))
    return G


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matches_networkx_fastest_path_length(seed):
    G = _grid(seed)
    nodes = [0, 8, 17, 24, 33, 48]
    xy = [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in nodes]
    areas = _pts([f"a{n}" for n in nodes], xy, "area_id", ["Urban"] * len(nodes))
    site_nodes = [6, 30, 42]
    sites = _pts(
        [f"s{n}" for n in site_nodes], [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in site_nodes], "site_id"
    )
    params = routing.RoutingParams(k_nearest=1)
    d = distance.distance_matrix(_net(G), areas, sites, params=params)
    t = routing.travel_time_matrix(_net(G), areas, sites, params=params)
    simple = nx.DiGraph()
    for u, v, data in G.edges(data=True):
        simple.add_edge(u, v, **data)
    for i, a in enumerate(nodes):
        for j, s in enumerate(site_nodes):
            path = nx.shortest_path(simple, a, s, weight="travel_time")
            metres = sum(simple[u][v]["length"] for u, v in zip(path, path[1:], strict=False))
            secs = sum(simple[u][v]["travel_time"] for u, v in zip(path, path[1:], strict=False))
            assert d.km[i, j] == pytest.approx(metres / 1000, abs=1e-9)
            assert t.minutes[i, j] == pytest.approx(secs / 60, abs=1e-9)


def test_cache_round_trip_and_unreachable(tmp_path):
    G = _toy_graph()
    areas = _pts(["a", "far"], [(0, 300), (0, 90_000)], "area_id", ["Urban", "Rural"])
    sites = _pts(["s"], [(2000, -100)], "site_id")
    first = distance.distance_matrix(_net(G), areas, sites, cache_dir=tmp_path)
    assert list(tmp_path.glob("km_*.npz"))
    again = distance.distance_matrix(_net(G), areas, sites, cache_dir=tmp_path)
    np.testing.assert_array_equal(first.km, again.km)
    assert np.isinf(first.km[1, 0]) and first.km[0, 0] == pytest.approx(3.02)


def test_saved_network_gives_the_same_distances(tmp_path):
    # a network reopened from the .npz store carries its arrays from the file, not rebuilt
    G = _grid(4)
    path = tmp_path / "grid.npz"
    network.save_network(_net(G), path)
    reopened = network.load_network(path)
    nodes = [0, 17, 33]
    areas = _pts([f"a{n}" for n in nodes], [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in nodes],
                 "area_id", ["Urban"] * len(nodes))
    sites = _pts(["s6", "s42"], [(G.nodes[n]["x"], G.nodes[n]["y"]) for n in (6, 42)], "site_id")
    a = distance.distance_matrix(_net(G), areas, sites)
    b = distance.distance_matrix(reopened, areas, sites)
    np.testing.assert_allclose(a.km, b.km, rtol=0, atol=1e-9)


def test_bare_graph_is_refused():
    areas = _pts(["a"], [(0, 300)], "area_id")
    sites = _pts(["s"], [(2000, -100)], "site_id")
    with pytest.raises(NetworkError, match="RoadNetwork"):
        distance.distance_matrix(_toy_graph(), areas, sites)
