"""England: 32,844 LSOAs x all radiotherapy sites on the DfT network, ours vs plain osmnx.

Run: ``.venv/bin/python benchmarks/bench_routing.py``. Prints seconds and ratios measured
in this run. "Ours" is :func:`access_app.core.routing.travel_time_matrix` end to end
(snap with k=4 candidates, access legs, CSR arrays built from the graph, one Dijkstra per
site over the reversed graph, matrix); "cold" includes building the arrays, "warm" reuses
them. The baseline is the plain osmnx/networkx way: ``ox.distance.nearest_nodes`` for
areas and sites plus ``nx.single_source_dijkstra_path_length`` from each site's node,
then the same access legs. The DfT graph is two-way, so site->area equals area->site.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from access_app.core import routing  # noqa: E402
from access_app.core.network import RoadNetwork  # noqa: E402
from access_app.core.routing import RoutingParams  # noqa: E402

GEODATA = Path(__file__).resolve().parents[1].parent / "shared" / "geodata"
DFT_ZIP = GEODATA / "roads" / "dft_major_roads_link_network_2013.zip"


def england_areas() -> gpd.GeoDataFrame:
    df = pd.read_csv(GEODATA / "population" / "england_lsoa11_combined.csv.gz")
    return gpd.GeoDataFrame(
        {"area_id": df["lsoa11cd"], "urban_rural": df["urban_rural"]},
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")


def england_sites() -> gpd.GeoDataFrame:
    s = pd.read_csv(GEODATA / "sites" / "england_radiotherapy_sites.csv")
    return gpd.GeoDataFrame(
        {"site_id": s["site_id"]},
        geometry=gpd.points_from_xy(s["easting"], s["northing"]),
        crs="EPSG:27700",
    )


def dft_graph(areas: gpd.GeoDataFrame | None = None):
    from access_app.core import network

    lines = network.read_lines(DFT_ZIP)
    return network.graph_from_lines(lines, road_col="Road", areas=areas)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux ru_maxrss is in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024



def baseline(G, areas, sites, params: RoutingParams) -> np.ndarray:
    ax, ay = areas.geometry.x.to_numpy(), areas.geometry.y.to_numpy()
    sx, sy = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    a_nodes, a_dist = ox.distance.nearest_nodes(G, ax, ay, return_dist=True)
    s_nodes, s_dist = ox.distance.nearest_nodes(G, sx, sy, return_dist=True)
    urban = areas["urban_rural"].eq("Urban").to_numpy()
    a_speed = np.where(urban, params.access_speed_urban_kmh, params.access_speed_rural_kmh)
    a_leg = np.asarray(a_dist) * params.detour_factor / (a_speed / 3.6)
    s_leg = np.asarray(s_dist) * params.detour_factor / (params.access_speed_urban_kmh / 3.6)
    out = np.empty((len(areas), len(sites)))
    for j, node in enumerate(s_nodes):
        lengths = nx.single_source_dijkstra_path_length(G, node, weight="travel_time")
        col = np.array([lengths.get(n, np.inf) for n in a_nodes])
        out[:, j] = (col + a_leg + s_leg[j]) / 60
    return out


def main() -> None:
    areas, sites = england_areas(), england_sites()
    t = time.perf_counter()
    G = dft_graph(areas).graph
    build = time.perf_counter() - t
    print(f"DfT graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges "
          f"(built from the zip with urban classification in {build:.2f} s)")
    print(f"points: {len(areas):,} areas x {len(sites)} sites")

    params = RoutingParams()
    t = time.perf_counter()
    net = RoadNetwork.from_graph(G)  # cold: the routing arrays are built here
    m = routing.travel_time_matrix(net, areas, sites, params=params)
    cold = time.perf_counter() - t
    warm = min(_timed(lambda: routing.travel_time_matrix(net, areas, sites, params=params))
               for _ in range(3))

    t = time.perf_counter()
    ref = baseline(G, areas, sites, RoutingParams(k_nearest=1))
    base = time.perf_counter() - t

    one = routing.travel_time_matrix(net, areas, sites, params=RoutingParams(k_nearest=1))
    ok = np.isfinite(one.minutes)
    both = ok & np.isfinite(ref)
    diff = np.abs(one.minutes[both] - ref[both]).max() * 60
    print(f"ours, end to end, cold (arrays built): {cold:.3f} s")
    print(f"ours, end to end, warm (arrays reused): {warm:.3f} s")
    print(f"plain osmnx/networkx baseline:          {base:.3f} s")
    print(f"ratio baseline / ours: {base / cold:.1f}x cold, {base / warm:.1f}x warm "
          "(target: whole matrix < 5 s, >= 20x)")
    print(f"check: with k=1 ours equals the baseline to {diff:.2e} s on {both.sum():,} "
          f"pairs (the baseline routes the {len(m.unreachable)} island areas "
          "over the sea; ours reports them unreachable)")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
