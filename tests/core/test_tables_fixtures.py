"""Small synthetic areas, sites and matrix shared by the equity, tables and export tests.

Six areas in two networks, four sites. Minutes (rows = areas A1..A6, columns S1..S4)::

          S1    S2    S3    S4
    A1    10    20    50    60
    A2    30    25    40    70
    A3    50    50    35    45
    A4    80    70    20    15
    A5    95    90    30    np.inf
    A6    40    60    55    35

S1, S2 are in network "North" (S1 has 4 linacs, S2 2); S3 (main, 3 linacs) and S4
(satellite, 1 linac) in "South". A1-A3 live in "North", A4-A6 in "South".
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from access_app.core.matrix import TravelTimeMatrix

MINUTES = np.array(
    [
        [10.0, 20.0, 50.0, 60.0],
        [30.0, 25.0, 40.0, 70.0],
        [50.0, 50.0, 35.0, 45.0],
        [80.0, 70.0, 20.0, 15.0],
        [95.0, 90.0, 30.0, np.inf],
        [40.0, 60.0, 55.0, 35.0],
    ]
)


def make_areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "area_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
            "area_name": ["Area 1", "Area 2", "Area 3", "Area 4", "Area 5", "Area 6"],
            "population": [100.0, 200.0, 300.0, 100.0, 200.0, 100.0],
            "imd_rank": [1, 2, 3, 4, 5, 6],
            "imd_decile": [1, 2, 4, 6, 9, 10],
            "ruc_class": ["A1", "C1", "D1", "C1", "E1", "E2"],
            "urban_rural": ["Urban", "Urban", "Rural", "Urban", "Rural", "Rural"],
            "network": ["North", "North", "North", "South", "South", "South"],
            "region": ["North", "North", "North", "South", "South", "South"],
            "icb": ["I1", "I1", "I2", "I3", "I3", "I3"],
            "pop60plus": [20.0, 50.0, 90.0, 30.0, 80.0, 40.0],
        },
        geometry=[Point(400000 + 1000 * i, 300000) for i in range(6)],
        crs="EPSG:27700",
    )


def make_sites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "site_id": ["S1", "S2", "S3", "S4"],
            "site_name": ["Site One", "Site Two", "Site Three", "Site Four"],
            "network": ["North", "North", "South", "South"],
            "linacs": [4, 2, 3, 1],
            "site_type": ["main", "main", "main", "satellite"],
            "postcode": ["AA1 1AA", "AA2 2AA", "BB1 1BB", "BB2 2BB"],
            "trust": ["T1", "T1", "T2", "T2"],
            "region": ["North", "North", "South", "South"],
        },
        geometry=[Point(400000, 301000), Point(402000, 301000), Point(404000, 301000), Point(405000, 301000)],
        crs="EPSG:27700",
    )


def make_matrix(minutes: np.ndarray = MINUTES) -> TravelTimeMatrix:
    n_a, n_s = minutes.shape
    return TravelTimeMatrix(
        minutes=minutes.copy(),
        area_ids=np.array(["A1", "A2", "A3", "A4", "A5", "A6"][:n_a], dtype=object),
        site_ids=np.array(["S1", "S2", "S3", "S4"][:n_s], dtype=object),
        area_snap_m=np.zeros(n_a),
        site_snap_m=np.zeros(n_s),
    )
