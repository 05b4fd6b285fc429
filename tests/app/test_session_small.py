"""The session's scenario verbs on a hand-made three-site case (expected minutes by hand)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from access_app.app.session import Session
from access_app.core.errors import ScenarioError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.pipeline import Dataset
from access_app.core.scenarios import Scenario


def small_session() -> Session:
    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c"], "site_name": ["A", "B", "C"],
         "network": ["N1", "N1", "N2"], "linacs": [4.0, 2.0, 3.0],
         "site_type": ["main", "main", "main"]},
        geometry=[Point(0, 0), Point(10_000, 0), Point(50_000, 0)], crs="EPSG:27700")
    areas = gpd.GeoDataFrame(
        {"area_id": ["x", "y"], "area_name": ["X", "Y"], "population": [100.0, 300.0],
         "network": ["N1", "N2"]},
        geometry=[Point(1_000, 0), Point(45_000, 0)], crs="EPSG:27700")
    matrix = TravelTimeMatrix(
        minutes=np.array([[5.0, 12.0, 60.0], [70.0, 50.0, 8.0]]),
        area_ids=np.array(["x", "y"]), site_ids=np.array(["a", "b", "c"]),
        area_snap_m=np.zeros(2), site_snap_m=np.zeros(3))
    s = Session()
    s.use(Dataset(areas=areas, sites=sites), None, matrix)
    s.open_scenarios_from([Scenario("All", open_sites=("a", "b", "c")),
                           Scenario("Hubs", rule="hub_per_network",
                                    hubs={"N1": ("a",), "N2": ("c",)})])
    return s


def test_site_switches_and_hubs_edit_the_current_scenario():
    s = small_session()
    assert s.current == "All"
    assert s.result("All").minutes.tolist() == [5.0, 8.0]
    s.set_site_open("c", False)
    assert s.scenario("All").open_sites == ("a", "b")
    assert s.result("All").minutes.tolist() == [5.0, 50.0]  # y now goes to b
    s.set_site_open("c", True)
    assert s.scenario("All").open_sites == ("a", "b", "c")  # back in table order
    with pytest.raises(ScenarioError, match="no site 'zz'"):
        s.set_site_open("zz", True)
    with pytest.raises(ScenarioError, match="no hubs"):
        s.set_hub("b", True)
    s.set_hub("b", True, name="Hubs")
    assert s.scenario("Hubs").hubs == {"N1": ("a", "b"), "N2": ("c",)}
    s.set_site_open("a", False, name="Hubs")  # closing a hub removes it from the hubs
    assert s.scenario("Hubs").hubs == {"N1": ("b",), "N2": ("c",)}
    assert s.result("Hubs").minutes.tolist() == [12.0, 8.0]
    with pytest.raises(ScenarioError, match="needs hubs"):
        for site in ("b", "c"):
            s.set_site_open(site, False, name="Hubs")


def test_moving_a_site_to_another_network_moves_its_hub():
    s = small_session()
    s.set_site_network("a", "N2")
    assert s.site_network("a") == "N2"
    assert s.scenario("Hubs").hubs == {"N2": ("c", "a")}
    # x (network N1) now has no hub in its network: unreachable, with the reason.
    res = s.result("Hubs")
    assert np.isnan(res.minutes[0]) and "N1" in res.reason[0]


def test_names_stay_unique_and_one_scenario_remains():
    s = small_session()
    assert s.duplicate("All").name == "All (copy)"
    assert s.duplicate("All").name == "All (copy) (2)"
    with pytest.raises(ScenarioError, match="already exists"):
        s.rename("All (copy)", "Hubs")
    s.set_current("All")
    s.set_compare("Hubs")
    s.rename("All", "Everything")
    assert (s.current, s.baseline) == ("Everything", "Everything")
    for name in ["All (copy)", "All (copy) (2)", "Hubs"]:
        s.delete(name)
    assert s.compare == "Everything"
    with pytest.raises(ScenarioError, match="at least one"):
        s.delete("Everything")


def test_evaluation_reports_the_small_case():
    s = small_session()
    rep = s.evaluate()
    summary = rep.summary.set_index("scenario")
    # Demand-weighted mean minutes: (100 x 5 + 300 x 8) / 400 = 7.25.
    assert summary.loc["All", "mean_min"] == pytest.approx(7.25)
    assert s.headline("All").startswith("3 open sites · mean 7.2 min")
