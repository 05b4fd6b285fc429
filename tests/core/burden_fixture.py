"""A three-area, two-site case shared by the burden, capacity and report tests.

Areas a1 (100 people, urban, IMD decile 1), a2 (300, rural, decile 10), a3 (50, no road).
Sites S1 (2 linacs) and S2 (linacs unknown). a1 cannot reach S2.

========  =====  =====  =====  =====
area      S1 min S2 min S1 km  S2 km
========  =====  =====  =====  =====
a1         10     inf     8     inf
a2         40     20     50     24
a3        inf     inf    inf    inf
========  =====  =====  =====  =====

Scenarios (10 fractions): *Both* (S1, S2 nearest), *One* (S1), *Two* (S2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from access_app.core import scenarios
from access_app.core.distance import DistanceMatrix
from access_app.core.matrix import TravelTimeMatrix

INF = np.inf
AREAS = pd.DataFrame(
    {
        "area_id": ["a1", "a2", "a3"],
        "population": [100.0, 300.0, 50.0],
        "imd_decile": [1, 10, 5],
        "imd_rank": [10, 30000, 15000],
        "urban_rural": ["Urban", "Rural", "Rural"],
        "network": ["N", "N", "N"],
    }
)
SITES = pd.DataFrame(
    {
        "site_id": ["S1", "S2"],
        "site_name": ["Site one", "Site two"],
        "network": ["N", "N"],
        "linacs": [2.0, np.nan],
    }
)
MATRIX = TravelTimeMatrix(
    minutes=np.array([[10.0, INF], [40.0, 20.0], [INF, INF]]),
    area_ids=np.array(["a1", "a2", "a3"], dtype=object),
    site_ids=np.array(["S1", "S2"], dtype=object),
    area_snap_m=np.zeros(3),
    site_snap_m=np.zeros(2),
)
DISTANCES = DistanceMatrix(
    km=np.array([[8.0, INF], [50.0, 24.0], [INF, INF]]),
    area_ids=MATRIX.area_ids,
    site_ids=MATRIX.site_ids,
)
SCENARIOS = [
    scenarios.Scenario(name="Both", open_sites=("S1", "S2"), fractions=10),
    scenarios.Scenario(name="One", open_sites=("S1",), fractions=10),
    scenarios.Scenario(name="Two", open_sites=("S2",), fractions=10),
]


def results():
    """Return the three scenario results."""
    return [scenarios.assign(AREAS, SITES, MATRIX, s) for s in SCENARIOS]
