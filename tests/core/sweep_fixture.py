"""A five-node road network with a ferry, five areas and three sites, worked by hand.

Nodes lie 10 km apart on a line (x = 0, 10, 20, 30 km, y = 0), plus an island node at
(30 km, 20 km) joined to node 3 by a ferry (route "IOW-Test", 1,800 s each way):

    n0 --motorway rural 360 s-- n1 --primary rural 600 s-- n2 --primary urban 1200 s-- n3 ~~ferry~~ n4

Every area and site sits exactly on a node and routing uses ``k_nearest = 1``, so every
access leg is 0 s and the travel times are sums of edge times. Areas a0..a4 sit on n0..n4,
100 people each, IMD deciles 1, 3, 5, 7, 10 (quintiles 1..5), ranks 1..5; a0, a1 and a4
are rural; a0 and a1 are in network North, the rest in South. Sites: s0 on n0 (North),
s2 on n2 (South), s3 on n3 (South).

Seconds from each area to each site (s0, s2, s3):
a0: 0, 960, 2160; a1: 360, 600, 1800; a2: 960, 0, 1200; a3: 2160, 1200, 0;
a4: 3960, 3000, 1800.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
from shapely.geometry import Point

from access_app.core.network import RoadNetwork
from access_app.core.routing import RoutingParams
from access_app.core.scenarios import Scenario

BNG = "EPSG:27700"
PARAMS = RoutingParams(k_nearest=1)
XY = {0: (0.0, 0.0), 1: (10_000.0, 0.0), 2: (20_000.0, 0.0), 3: (30_000.0, 0.0), 4: (30_000.0, 20_000.0)}


def graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs=BNG)
    for n, (x, y) in XY.items():
        G.add_node(n, x=x, y=y)
    for a, b, hw, urban, t in ((0, 1, "motorway", False, 360.0), (1, 2, "primary", False, 600.0),
                               (2, 3, "primary", True, 1200.0)):
        for u, v in ((a, b), (b, a)):
            G.add_edge(u, v, length=10_000.0, highway=hw, urban=urban, travel_time=t)
    for u, v in ((3, 4), (4, 3)):
        G.add_edge(u, v, length=20_000.0, highway="ferry", urban=False, ferry="IOW-Test", travel_time=1800.0)
    return G


def areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "area_id": [f"a{i}" for i in range(5)],
            "population": [100.0] * 5,
            "imd_decile": [1, 3, 5, 7, 10],
            "imd_rank": [1, 2, 3, 4, 5],
            "urban_rural": ["Rural", "Rural", "Urban", "Urban", "Rural"],
            "network": ["North", "North", "South", "South", "South"],
        },
        geometry=[Point(XY[i]) for i in range(5)],
        crs=BNG,
    )


def sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"site_id": ["s0", "s2", "s3"], "network": ["North", "South", "South"],
         "site_type": ["main"] * 3, "linacs": [2, 2, 4]},
        geometry=[Point(XY[0]), Point(XY[2]), Point(XY[3])],
        crs=BNG,
    )


def scenario_list() -> list[Scenario]:
    return [
        Scenario(name="All", open_sites=("s0", "s2", "s3"), rule="nearest"),
        Scenario(name="Central", open_sites=("s3",), rule="nearest"),
        Scenario(name="Networked", open_sites=("s0", "s2", "s3"), rule="within_network"),
    ]


def inputs(params: RoutingParams = PARAMS):
    from access_app.core import routing
    from access_app.core.sweep import tasks

    G, a, s = graph(), areas(), sites()
    m = routing.travel_time_matrix(RoadNetwork.from_graph(G), a, s, params=params)
    return tasks.prepare_inputs(RoadNetwork.from_graph(G), a, s, scenario_list(), m.minutes, params=params)
