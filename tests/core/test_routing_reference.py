"""The CSR engine against an independent networkx computation, pair by pair (1e-6 s)."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from access_app.core import network, routing
from access_app.core.routing import RoutingParams


def _reference_seconds(G, areas, sites, params):
    """Brute-force snapping + networkx Dijkstra from every site candidate (reversed graph)."""
    nodes = list(G.nodes)
    nxy = np.array([(G.nodes[n]["x"], G.nodes[n]["y"]) for n in nodes])
    k = params.k_nearest

    def candidates(pts, urban):
        xy = np.column_stack([pts.geometry.x, pts.geometry.y])
        d = np.hypot(xy[:, None, 0] - nxy[None, :, 0], xy[:, None, 1] - nxy[None, :, 1])
        order = np.argsort(d, axis=1, kind="stable")[:, :k]
        dist = np.take_along_axis(d, order, axis=1)
        speed = np.where(urban, params.access_speed_urban_kmh, params.access_speed_rural_kmh)
        return order, dist * params.detour_factor / (speed[:, None] / 3.6)

    a_urban = areas["urban_rural"].eq("Urban").to_numpy()
    a_nodes, a_legs = candidates(areas, a_urban)
    s_nodes, s_legs = candidates(sites, np.ones(len(sites), bool))
    R = G.reverse(copy=False)
    out = np.full((len(areas), len(sites)), np.inf)
    for j in range(len(sites)):
        to_site = {}
        for c in range(k):
            s = nodes[s_nodes[j, c]]
            lengths = nx.single_source_dijkstra_path_length(R, s, weight="travel_time")
            for n, t in lengths.items():
                to_site[n] = min(to_site.get(n, np.inf), t + s_legs[j, c])
        for i in range(len(areas)):
            out[i, j] = min(
                a_legs[i, c] + to_site.get(nodes[a_nodes[i, c]], np.inf) for c in range(k)
            )
    return out


def _lsoa_points(shared_geodata, query):
    df = pd.read_csv(shared_geodata / "population" / "england_lsoa11_combined.csv.gz")
    df = df.query(query)
    return gpd.GeoDataFrame(
        {"area_id": df["lsoa11cd"], "urban_rural": df["urban_rural"]},
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")


def test_rutland_every_pair_matches_networkx(shared_geodata):
    net = network.graph_from_osm_file(shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf")
    G = net.graph
    areas = _lsoa_points(shared_geodata, "lad19nm == 'Rutland'")
    assert len(areas) == 23
    # sites: four LSOA centroids in the county's towns and villages
    sites = areas.iloc[[0, 7, 14, 21]].rename(columns={"area_id": "site_id"})
    params = RoutingParams(max_snap_m=5000)
    m = routing.travel_time_matrix(net, areas, sites, params=params)
    ref = _reference_seconds(G, areas, sites, params)
    assert np.isfinite(ref).all()
    np.testing.assert_allclose(m.minutes * 60, ref, rtol=0, atol=1e-6)
    near = routing.nearest_site_minutes(net, areas, sites, params=params)
    np.testing.assert_allclose(near["minutes"] * 60, ref.min(axis=1), rtol=0, atol=1e-6)


def test_dft_sample_matches_networkx(shared_geodata):
    lines = network.read_lines(shared_geodata / "roads" / "dft_major_roads_link_network_2013.zip")
    net = network.graph_from_lines(lines, road_col="Road")
    G = net.graph
    areas = _lsoa_points(shared_geodata, "region21_name == 'East Midlands'").sample(
        80, random_state=3
    )
    s = pd.read_csv(shared_geodata / "sites" / "england_radiotherapy_sites.csv").iloc[::7]
    sites = gpd.GeoDataFrame(
        {"site_id": s["site_id"]},
        geometry=gpd.points_from_xy(s["easting"], s["northing"]),
        crs="EPSG:27700",
    )
    params = RoutingParams(k_nearest=3)
    m = routing.travel_time_matrix(net, areas, sites, params=params)
    ref = _reference_seconds(G, areas, sites, params)
    assert np.isfinite(ref).all() and ref.shape == (80, 10)
    np.testing.assert_allclose(m.minutes * 60, ref, rtol=0, atol=1e-6)
