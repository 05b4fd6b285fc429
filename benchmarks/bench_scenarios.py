"""Applying scenarios and building the equity tables on an England-sized synthetic matrix.

32,844 areas x 67 sites (as England's LSOAs and radiotherapy centres), 9 networks, random
minutes; the same data as the consistency checks in ``tests/core/test_scenarios.py`` and
``tests/core/test_tables.py``, which hold no timings.

- ``assign``, rule ``within_network`` with 51 open sites, against a baseline measured in
  the same process: the same answer as one masked ``numpy`` minimum over the whole matrix
  (what :func:`access_app.core.scenarios.assign` must not be much slower than);
- the four default scenarios applied and the whole report built, against the time of
  applying them alone (so the ratio is what the tables cost on top of the assignment).

Run from the repository root: ``.venv/bin/python benchmarks/bench_scenarios.py``.
Targets (the bounds the tests used to assert): ``assign`` under 0.25 s, the report under 5 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from access_app.core.matrix import TravelTimeMatrix  # noqa: E402
from access_app.core.scenarios import Scenario, assign, assign_all, default_scenarios  # noqa: E402
from access_app.core.tables import build_report  # noqa: E402

N_AREAS, N_SITES = 32_844, 67


def _best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def assign_case() -> tuple[pd.DataFrame, pd.DataFrame, TravelTimeMatrix]:
    rng = np.random.default_rng(0)
    nets = np.array([f"R{i}" for i in range(9)])
    areas = pd.DataFrame({
        "area_id": np.arange(N_AREAS).astype(str),
        "population": rng.integers(1000, 3000, N_AREAS).astype(float),
        "network": nets[rng.integers(0, 9, N_AREAS)],
    })
    sites = pd.DataFrame({"site_id": [f"S{i}" for i in range(N_SITES)],
                          "network": nets[np.arange(N_SITES) % 9]})
    matrix = TravelTimeMatrix(minutes=rng.uniform(5, 200, (N_AREAS, N_SITES)),
                              area_ids=areas.area_id.to_numpy(), site_ids=sites.site_id.to_numpy(),
                              area_snap_m=np.zeros(N_AREAS), site_snap_m=np.zeros(N_SITES))
    return areas, sites, matrix


def report_case():
    import geopandas as gpd
    from shapely import points

    rng = np.random.default_rng(2)
    nets = np.array([f"R{i}" for i in range(9)])
    rank = rng.permutation(N_AREAS) + 1
    areas = gpd.GeoDataFrame(
        {
            "area_id": [f"E{i:08d}" for i in range(N_AREAS)],
            "population": rng.integers(1000, 3000, N_AREAS).astype(float),
            "imd_rank": rank,
            "imd_decile": (rank - 1) * 10 // N_AREAS + 1,
            "urban_rural": rng.choice(["Urban", "Rural"], N_AREAS),
            "ruc_class": rng.choice(["A1", "C1", "D1", "E1"], N_AREAS),
            "network": nets[rng.integers(0, 9, N_AREAS)],
            "icb": rng.choice([f"I{i}" for i in range(42)], N_AREAS),
        },
        geometry=points(rng.uniform(0, 1e5, N_AREAS), rng.uniform(0, 1e5, N_AREAS)),
        crs="EPSG:27700",
    )
    areas["region"] = areas["network"]
    sites = pd.DataFrame({
        "site_id": [f"S{i:02d}" for i in range(N_SITES)],
        "network": nets[np.arange(N_SITES) % 9],
        "linacs": rng.integers(1, 10, N_SITES),
        "site_type": ["main"] * 51 + ["satellite"] * 16,
    })
    matrix = TravelTimeMatrix(minutes=rng.uniform(5, 200, (N_AREAS, N_SITES)).round(1),
                              area_ids=areas.area_id.to_numpy(), site_ids=sites.site_id.to_numpy(),
                              area_snap_m=np.zeros(N_AREAS), site_snap_m=np.zeros(N_SITES))
    return areas, sites, matrix


def main() -> None:
    areas, sites, matrix = assign_case()
    sc = Scenario("Net", open_sites=tuple(sites.site_id[:51]), rule="within_network")
    allowed = (sites.network.to_numpy()[None, :] == areas.network.to_numpy()[:, None]) & (
        np.arange(N_SITES) < 51)
    ours = _best(lambda: assign(areas, sites, matrix, sc))
    base = _best(lambda: np.where(allowed, matrix.minutes, np.inf).min(axis=1))
    same = np.array_equal(assign(areas, sites, matrix, sc).minutes,
                          np.where(allowed, matrix.minutes, np.inf).min(axis=1))
    print(f"assign, within_network, {N_AREAS:,} x {N_SITES}: {ours:.3f} s (target < 0.25 s); "
          f"masked numpy minimum {base:.3f} s; ratio ours / numpy {ours / base:.2f}; same minutes: {same}")

    areas, sites, matrix = report_case()
    scs = default_scenarios(sites)
    applied = _best(lambda: assign_all(areas, sites, matrix, scs), repeat=3)
    whole = _best(lambda: build_report(assign_all(areas, sites, matrix, scs), areas, sites), repeat=3)
    print(f"4 default scenarios applied: {applied:.3f} s; applied + every table: {whole:.3f} s "
          f"(target < 5 s); ratio whole / applied {whole / applied:.1f}")


if __name__ == "__main__":
    main()
