"""Scenario results joined to areas for the maps, and the full England map."""

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from access_app import maps
from access_app.core.errors import DataError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.scenarios import Scenario, assign
from access_app.maps.frames import change_areas, scenario_areas, site_roles

INF = float("inf")


def small_case():
    areas = gpd.GeoDataFrame(
        {"area_id": ["A1", "A2", "A3"], "area_name": ["One", "Two", "Three"],
         "population": [100, 200, 300], "imd_decile": [1, 5, 10], "network": ["N", "N", "N"]},
        geometry=[Point(0, 0), Point(1000, 0), Point(2000, 0)], crs="EPSG:27700",
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["s1", "s2"], "site_name": ["Site 1", "Site <2>"], "linacs": [2, 4],
         "network": ["N", "N"]},
        geometry=[Point(0, 100), Point(2000, 100)], crs="EPSG:27700",
    )
    minutes = np.array([[10.0, 50.0], [30.0, 20.0], [INF, 5.0]])
    matrix = TravelTimeMatrix(
        minutes=minutes, area_ids=np.array(["A1", "A2", "A3"]), site_ids=np.array(["s1", "s2"]),
        area_snap_m=np.zeros(3), site_snap_m=np.zeros(2),
    )
    return areas, sites, matrix


def test_scenario_and_change_frames():
    areas, sites, matrix = small_case()
    both = assign(areas, sites, matrix, Scenario("Both", open_sites=("s1", "s2")))
    only1 = assign(areas, sites, matrix, Scenario("Only s1", open_sites=("s1",)))
    frame = scenario_areas(areas, sites, only1)
    assert frame["site_name"].tolist()[:2] == ["Site 1", "Site 1"]
    assert frame["site_name"].isna().tolist() == [False, False, True]
    np.testing.assert_array_equal(frame["minutes"], [10.0, 30.0, np.nan])
    ch = change_areas(areas, sites, only1, both)
    np.testing.assert_array_equal(ch["baseline_minutes"], [10.0, 20.0, 5.0])
    np.testing.assert_array_equal(ch["change"], [0.0, 10.0, np.nan])
    m = maps.change_map(ch, sites, attribution="OGL", open_sites=site_roles(only1.scenario)[0])
    page = maps.map_html(m, standalone=False)
    assert '"cls":[3,4,-1]' in page
    assert '"role":["closed","open"]' in page


def test_site_roles_of_a_hub_scenario():
    sc = Scenario("Hubs", open_sites=("s1", "s2"), rule="hub_anywhere", hubs={"N": ("s2",)})
    assert site_roles(sc) == (("s1", "s2"), ("s2",))


def test_result_must_match_the_areas():
    areas, sites, matrix = small_case()
    res = assign(areas, sites, matrix, Scenario("Both", open_sites=("s1", "s2")))
    with pytest.raises(DataError, match="recompute"):
        scenario_areas(areas.iloc[:2], sites, res)


def test_full_england_map(shared_geodata):
    df = pd.read_csv(shared_geodata / "population" / "england_lsoa11_combined.csv.gz")
    areas = gpd.GeoDataFrame(
        {"area_id": df["lsoa11cd"], "area_name": df["lsoa11nm"],
         "population": df["pop_mid2019"], "imd_decile": df["imd2019_decile"]},
        geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326",
    )
    # stand-in minutes: a ramp 0..149.99 so every class is used
    minutes = np.arange(len(areas)) % 15000 / 100.0
    areas["minutes"] = minutes
    areas.loc[areas.index[:7], "minutes"] = INF
    sites = gpd.GeoDataFrame({"site_name": ["X"]}, geometry=[Point(-1.5, 52.5)], crs=4326)
    m = maps.travel_time_map(areas, sites, attribution="OGL")
    page = maps.map_html(m, standalone=False)
    assert len(page) < 3_000_000  # compact enough to load fast
    body = re.search(r'id="access_areas_[0-9a-f]+_data">(.*?)</script>', page, re.S).group(1)
    data = json.loads(body)
    assert len(data["lat"]) == len(data["name"]) == 32_844
    cls = np.array(data["cls"])
    # independent classification with explicit comparisons
    t = areas["minutes"].to_numpy()
    expected = np.select(
        [~np.isfinite(t), t <= 30, t <= 45, t <= 60, t <= 90], [-1, 0, 1, 2, 3], default=4)
    np.testing.assert_array_equal(cls, expected)
    assert (cls == -1).sum() == 7
