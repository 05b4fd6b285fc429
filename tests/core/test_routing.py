"""Hand-worked routing cases: access legs, direction, parallel edges, unreachable points."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import Point

from access_app.core import routing
from access_app.core.errors import Cancelled, DataError, NetworkError
from access_app.core.network import RoadNetwork
from access_app.core.routing import RoutingParams

BNG = "EPSG:27700"
URBAN_MPS = 24 / 3.6  # urban access speed of these hand-worked cases, m/s
#: The hand-worked cases fix their access parameters (24 / 40 km/h, 4 candidates) so that
#: they test the mechanics, whatever the calibrated defaults (docs/validation.md).
HAND = RoutingParams(access_speed_urban_kmh=24.0, access_speed_rural_kmh=40.0, k_nearest=4)
_net = RoadNetwork.from_graph


def _toy_graph(dropped_xy=None, gap=None):
    G = nx.MultiDiGraph(crs=BNG)
    for n, x in ((1, 0.0), (2, 1000.0), (3, 2000.0)):
        G.add_node(n, x=x, y=0.0)
    G.add_edge(1, 2, length=1000.0, travel_time=60.0)
    G.add_edge(1, 2, length=1000.0, travel_time=50.0)  # parallel, quicker
    G.add_edge(2, 1, length=1000.0, travel_time=60.0)
    G.add_edge(2, 3, length=1000.0, travel_time=30.0)
    G.add_edge(3, 2, length=1000.0, travel_time=90.0)  # slower the other way
    if dropped_xy is not None:
        G.graph["dropped_nodes_xy"] = np.asarray(dropped_xy, dtype=float)
        G.graph["dropped_nodes_gap_m"] = np.asarray(gap, dtype=float)
    return G


def _pts(ids, xy, id_col, urban=None):
    data = {id_col: ids}
    if urban is not None:
        data["urban_rural"] = urban
    return gpd.GeoDataFrame(data, geometry=[Point(p) for p in xy], crs=BNG)


def test_matrix_hand_worked_direction_and_legs():
    areas = _pts(["a", "b"], [(0, 300), (2000, -100)], "area_id", ["Urban", "Urban"])
    sites = _pts(["s", "t"], [(2000, -100), (0, 300)], "site_id")
    m = routing.travel_time_matrix(_net(_toy_graph()), areas, sites, params=HAND)
    leg_a = 300 * 1.3 / URBAN_MPS  # 58.5 s
    leg_s = 100 * 1.3 / URBAN_MPS  # 19.5 s
    # a -> s: 58.5 + 50 (quicker parallel edge) + 30 + 19.5 = 158 s
    # b -> t: 19.5 + 90 + 60 + 58.5 = 228 s (the reverse direction is slower)
    # a -> t and b -> s: both legs to the same node, no network time
    expected = np.array([[158.0, 2 * leg_a], [2 * leg_s, 228.0]]) / 60
    np.testing.assert_allclose(m.minutes, expected, rtol=0, atol=1e-9)
    assert leg_a == pytest.approx(58.5) and leg_s == pytest.approx(19.5)
    np.testing.assert_allclose(m.area_snap_m, [300.0, 100.0])
    np.testing.assert_allclose(m.site_snap_m, [100.0, 300.0])
    assert m.area_ids.tolist() == ["a", "b"] and m.site_ids.tolist() == ["s", "t"]
    assert m.unreachable.empty


def test_rural_speed_detour_and_k_nearest():
    # rural access 40 km/h; the area is half-way between nodes 2 and 3 (a hair nearer 2)
    areas = _pts(["r"], [(1500 - 1e-9, 0)], "area_id", ["Rural"])
    sites = _pts(["s"], [(2000, 0)], "site_id")
    G = _toy_graph()
    p1 = RoutingParams(k_nearest=1, detour_factor=1.0, access_speed_rural_kmh=40.0)
    p2 = RoutingParams(k_nearest=2, detour_factor=1.0, access_speed_rural_kmh=40.0)
    t1 = routing.travel_time_matrix(_net(G), areas, sites, params=p1).minutes[0, 0] * 60
    t2 = routing.travel_time_matrix(_net(G), areas, sites, params=p2).minutes[0, 0] * 60
    rural = 40 / 3.6
    # k=1: only node 2 (500 m): 45 s leg + 30 s edge; k=2 also tries node 3: 45 s leg only
    assert t1 == pytest.approx(500 / rural + 30.0)
    assert t2 == pytest.approx(500 / rural + 0.0)
    # without an urban_rural column the rural speed is used
    no_col = areas.drop(columns="urban_rural")
    t3 = routing.travel_time_matrix(_net(G), no_col, sites, params=p2).minutes[0, 0] * 60
    assert t3 == pytest.approx(t2)


def test_unreachable_far_and_island():
    G = _toy_graph(dropped_xy=[[0, 10000], [5000, 0]], gap=[9000, 5])
    areas = _pts(
        ["far", "island", "fragment"],
        [(0, -30000), (0, 9500), (5000, 10)],
        "area_id",
        ["Rural", "Rural", "Rural"],
    )
    sites = _pts(["s", "sea"], [(2000, 0), (60000, 0)], "site_id")
    m = routing.travel_time_matrix(_net(G), areas, sites, params=HAND)
    assert np.isinf(m.minutes[0]).all() and np.isinf(m.minutes[1]).all()
    assert np.isinf(m.minutes[:, 1]).all()
    # the area beside a 5 m fragment is not an island: it joins node 3 (3000 m away)
    assert m.minutes[2, 0] == pytest.approx((3000.0166 * 1.3 / (40 / 3.6)) / 60, rel=1e-6)
    rows = {r.id: (r.kind, r.reason) for r in m.unreachable.itertuples()}
    assert set(rows) == {"far", "island", "sea"}
    assert rows["far"] == ("area", "30.0 km from the nearest road node, beyond the 20 km limit")
    assert rows["island"][1].startswith(routing.ISLAND_REASON)
    assert "0.5 km away is cut off" in rows["island"][1]
    assert rows["sea"] == ("site", "58.0 km from the nearest road node, beyond the 20 km limit")
    tight = routing.travel_time_matrix(_net(G), areas, sites, params=RoutingParams(max_snap_m=2000))
    assert set(tight.unreachable["id"]) == {"far", "island", "fragment", "sea"}


def test_nearest_site_matches_matrix_min():
    areas = _pts(["a", "b", "c"], [(0, 300), (2000, -100), (900, 50)], "area_id",
                 ["Urban", "Rural", "Urban"])
    sites = _pts(["s", "t"], [(2000, -100), (0, 300)], "site_id")
    G = _toy_graph()
    m = routing.travel_time_matrix(_net(G), areas, sites)
    near = routing.nearest_site_minutes(_net(G), areas, sites)
    np.testing.assert_allclose(near["minutes"], m.minutes.min(axis=1), atol=1e-12)
    assert near["site_id"].tolist() == [m.site_ids[j] for j in m.minutes.argmin(axis=1)]
    none = routing.nearest_site_minutes(_net(G), areas, sites.iloc[:0])
    assert np.isinf(none["minutes"]).all() and none["site_id"].isna().all()


def test_empty_areas_give_empty_matrix():
    sites = _pts(["s"], [(2000, 0)], "site_id")
    areas = _pts([], [], "area_id")
    m = routing.travel_time_matrix(_net(_toy_graph()), areas, sites)
    assert m.minutes.shape == (0, 1)


def test_progress_and_cancel():
    areas = _pts(["a"], [(0, 0)], "area_id")
    sites = _pts(["s"], [(2000, 0)], "site_id")
    seen = []
    routing.travel_time_matrix(_net(_toy_graph()), areas, sites, progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(Cancelled):
        routing.travel_time_matrix(_net(_toy_graph()), areas, sites, cancelled=lambda: True)


def test_matrix_cache_reused_and_keyed(tmp_path, monkeypatch):
    areas = _pts(["a"], [(0, 300)], "area_id", ["Urban"])
    sites = _pts(["s"], [(2000, -100)], "site_id")
    G = _toy_graph()
    first = routing.travel_time_matrix(_net(G), areas, sites, cache_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [f"ttm_{first.key[:40]}.npz"]

    def _boom(*args, **kwargs):
        raise AssertionError("searched again instead of reading the cache")

    monkeypatch.setattr(routing, "site_to_node_seconds", _boom)
    again = routing.travel_time_matrix(_net(G), areas, sites, cache_dir=tmp_path)
    np.testing.assert_array_equal(again.minutes, first.minutes)
    assert again.key == first.key and again.site_ids.tolist() == ["s"]
    # any change of params, points or travel times makes a new key
    for kwargs in ({"params": RoutingParams(detour_factor=1.5)},):
        with pytest.raises(AssertionError, match="searched again"):
            routing.travel_time_matrix(_net(G), areas, sites, cache_dir=tmp_path, **kwargs)
    moved = _pts(["a"], [(0, 301)], "area_id", ["Urban"])
    with pytest.raises(AssertionError, match="searched again"):
        routing.travel_time_matrix(_net(G), moved, sites, cache_dir=tmp_path)
    H = _toy_graph()
    H.edges[2, 3, 0]["travel_time"] = 31.0
    with pytest.raises(AssertionError, match="searched again"):
        routing.travel_time_matrix(_net(H), areas, sites, cache_dir=tmp_path)


def test_bad_inputs():
    G = _toy_graph()
    sites = _pts(["s"], [(2000, 0)], "site_id")
    with pytest.raises(DataError, match="'area_id'"):
        routing.travel_time_matrix(_net(G), _pts(["a"], [(0, 0)], "id"), sites)
    no_crs = gpd.GeoDataFrame({"area_id": ["a"]}, geometry=[Point(0, 0)])
    with pytest.raises(DataError, match="no CRS"):
        routing.travel_time_matrix(_net(G), no_crs, sites)
    with pytest.raises(NetworkError, match="k_nearest"):
        RoutingParams(k_nearest=0)
    bad = _toy_graph()
    del bad.edges[1, 2, 0]["travel_time"]
    with pytest.raises(NetworkError, match="travel_time"):
        routing.travel_time_matrix(_net(bad), _pts(["a"], [(0, 0)], "area_id"), sites)


def test_graph_not_strongly_connected_is_reported():
    G = _toy_graph()
    G.add_node(4, x=5000.0, y=0.0)
    G.add_edge(3, 4, length=3000.0, travel_time=100.0)  # one way out, no way back
    areas = _pts(["a", "dead-end"], [(0, 0), (5000, 0)], "area_id", ["Urban", "Urban"])
    sites = _pts(["s"], [(0, 0)], "site_id")
    m = routing.travel_time_matrix(_net(G), areas, sites, params=RoutingParams(k_nearest=1))
    assert np.isfinite(m.minutes[0, 0]) and np.isinf(m.minutes[1, 0])
    assert m.unreachable["id"].tolist() == ["dead-end"]
    assert m.unreachable["reason"].iloc[0].startswith("no road route to 1 of 1 sites")


def test_unwritable_cache_is_not_fatal(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    areas = _pts(["a"], [(0, 300)], "area_id", ["Urban"])
    sites = _pts(["s"], [(2000, -100)], "site_id")
    m = routing.travel_time_matrix(_net(_toy_graph()), areas, sites, cache_dir=blocker / "sub",
                                   params=HAND)
    assert m.minutes[0, 0] == pytest.approx(158.0 / 60)


def test_routing_takes_a_road_network_not_a_bare_graph():
    areas = _pts(["a"], [(0, 300)], "area_id")
    sites = _pts(["s"], [(2000, 0)], "site_id")
    with pytest.raises(NetworkError, match="RoadNetwork.from_graph"):
        routing.travel_time_matrix(_toy_graph(), areas, sites)
    net = RoadNetwork.from_graph(_toy_graph())
    assert (net.n_nodes, net.n_edges, net.crs) == (3, 5, BNG)
    assert net.bounds == (0.0, 0.0, 2000.0, 0.0)
    assert net.describe() == "road network: 3 nodes, 5 edges"
