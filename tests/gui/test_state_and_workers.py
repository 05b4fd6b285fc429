"""The Qt-free state object, and the worker threads (no window needed)."""

from __future__ import annotations

import threading

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from access_app.core.errors import Cancelled, ScenarioError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.pipeline import Dataset
from access_app.core.scenarios import Scenario
from access_app.gui.state import AppState
from access_app.gui.workers import TaskRunner


def small_state() -> AppState:
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
    st = AppState()
    st.set_dataset(Dataset(areas=areas, sites=sites), matrix=matrix)
    st.set_scenarios([Scenario("All", open_sites=("a", "b", "c")),
                      Scenario("Hubs", rule="hub_per_network", hubs={"N1": ("a",), "N2": ("c",)})])
    return st


def test_site_switches_and_hubs_edit_the_current_scenario():
    st = small_state()
    assert st.result("All").minutes.tolist() == [5.0, 8.0]
    st.set_site_open("All", "c", False)
    assert st.scenario("All").open_sites == ("a", "b")
    assert st.result("All").minutes.tolist() == [5.0, 50.0]  # y now goes to b
    st.set_site_open("All", "c", True)
    assert st.scenario("All").open_sites == ("a", "b", "c")  # back in table order
    with pytest.raises(ScenarioError, match="no site 'zz'"):
        st.set_site_open("All", "zz", True)
    with pytest.raises(ScenarioError, match="no hubs"):
        st.set_hub("All", "b", True)
    st.set_hub("Hubs", "b", True)
    assert st.scenario("Hubs").hubs == {"N1": ("a", "b"), "N2": ("c",)}
    st.set_site_open("Hubs", "a", False)  # closing a hub removes it from the hubs
    assert st.scenario("Hubs").hubs == {"N1": ("b",), "N2": ("c",)}
    assert st.result("Hubs").minutes.tolist() == [12.0, 8.0]


def test_moving_a_site_to_another_network_moves_its_hub():
    st = small_state()
    st.set_site_network("a", "N2")
    assert st.site_network("a") == "N2"
    assert st.scenario("Hubs").hubs == {"N2": ("c", "a")}
    # x (network N1) now has no hub in its network: unreachable, with the reason.
    res = st.result("Hubs")
    assert np.isnan(res.minutes[0]) and "N1" in res.reason[0]


def test_names_stay_unique_and_one_scenario_remains():
    st = small_state()
    assert st.duplicate("All").name == "All (copy)"
    assert st.duplicate("All").name == "All (copy) (2)"
    with pytest.raises(ScenarioError, match="already exists"):
        st.rename("All (copy)", "Hubs")
    st.current, st.compare = "All", "Hubs"
    st.rename("All", "Everything")
    assert (st.current, st.baseline) == ("Everything", "Everything")
    for name in ["All (copy)", "All (copy) (2)", "Hubs"]:
        st.delete(name)
    assert st.compare == "Everything"
    with pytest.raises(ScenarioError, match="at least one"):
        st.delete("Everything")


def test_new_task_in_a_slot_drops_the_old_result(qtbot):
    runner = TaskRunner()
    release = threading.Event()
    got: list[object] = []
    threads: list[int] = []

    def slow(progress, cancelled):
        progress(0.5, "half way")
        release.wait(10)
        if cancelled():
            raise Cancelled("stopped")
        return "old"

    def fast(progress, cancelled):
        return "new"

    runner.start("s", slow, on_finished=got.append, on_error=got.append)
    runner.start("s", fast, on_finished=lambda r: (got.append(r),
                                                   threads.append(threading.get_ident())))
    qtbot.waitUntil(lambda: got == ["new"], timeout=5000)
    assert threads == [threading.get_ident()]  # delivered on the GUI thread
    release.set()
    assert runner.shutdown(5000)
    assert got == ["new"]  # the first task's outcome never arrived


def test_errors_arrive_with_details_and_busy_state_follows(qtbot):
    runner = TaskRunner()
    errors = []

    def broken(progress, cancelled):
        raise ValueError("bad value 42")

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda b: b is False):
        runner.start("s", broken, label="Breaking", on_error=errors.append)
    assert len(errors) == 1
    err = errors[0]
    assert isinstance(err.exception, ValueError) and not err.cancelled
    assert err.label == "Breaking" and "bad value 42" in err.details
    assert "Traceback" in err.details
