"""Real-data sanity on the DfT major roads network: plausible times, islands reported."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from access_app.core import network, routing


@pytest.fixture(scope="module")
def england(shared_geodata):
    lines = network.read_lines(shared_geodata / "roads" / "dft_major_roads_link_network_2013.zip")
    df = pd.read_csv(shared_geodata / "population" / "england_lsoa11_combined.csv.gz")
    areas = gpd.GeoDataFrame(
        {"area_id": df["lsoa11cd"], "urban_rural": df["urban_rural"], "lad": df["lad19nm"]},
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")
    s = pd.read_csv(shared_geodata / "sites" / "england_radiotherapy_sites.csv")
    sites = gpd.GeoDataFrame(
        {"site_id": s["site_id"]},
        geometry=gpd.points_from_xy(s["easting"], s["northing"]),
        crs="EPSG:27700",
    )
    net = network.graph_from_lines(lines, road_col="Road", areas=areas)
    return net, areas, sites


def test_radiotherapy_centres_times_plausible(england):
    net, _, sites = england
    m = routing.travel_time_matrix(net, sites.rename(columns={"site_id": "area_id"}), sites)
    ids = m.site_ids.tolist()
    nott, leic = ids.index("nottingham-city"), ids.index("leicester-royal-infirmary")
    assert 35 <= m.minutes[nott, leic] <= 55
    assert 35 <= m.minutes[leic, nott] <= 55
    # the data README: every English radiotherapy centre is within about 1.7 km of a node
    assert m.site_snap_m.max() < 2000
    assert m.unreachable.empty and np.isfinite(m.minutes).all()
    # a site to itself: at most two urban access legs of 2 km x 1.3 at 24 km/h = 13 min
    assert (np.diag(m.minutes) <= 2 * 2000 * 1.3 / (24 / 3.6) / 60).all()


def test_islands_reported_not_routed(england):
    net, areas, sites = england
    m = routing.travel_time_matrix(net, areas, sites)
    unreachable = m.unreachable.merge(areas[["area_id", "lad"]], left_on="id", right_on="area_id")
    # exactly the 89 Isle of Wight LSOAs and the Isles of Scilly LSOA, all as islands
    assert unreachable["lad"].value_counts().to_dict() == {"Isle of Wight": 89,
                                                           "Isles of Scilly": 1}
    assert unreachable["reason"].str.startswith(routing.ISLAND_REASON).all()
    bad = m.area_ids[np.isinf(m.minutes).any(axis=1)]
    assert set(bad) == set(unreachable["id"])
    near = m.minutes[np.isfinite(m.minutes).all(axis=1)].min(axis=1)
    # nobody on the mainland is more than ~2 hours from a radiotherapy centre
    assert near.max() < 120 and np.median(near) < 30
