"""Scenario validation, default scenarios and assignment on a hand-built matrix."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from test_tables_fixtures import MINUTES, make_areas, make_matrix, make_sites

from access_app.core.errors import ScenarioError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.scenarios import (
    Scenario,
    assign,
    assign_all,
    centralised_hubs,
    choose_sites,
    default_scenarios,
)


def test_default_scenarios_on_synthetic_sites():
    scs = default_scenarios(make_sites())
    assert [s.name for s in scs] == [
        "Status quo",
        "Status quo (all sites)",
        "Networked",
        "Centralised",
    ]
    assert scs[0].open_sites == ("S1", "S2", "S3")
    assert scs[0].service == "Less common cancer radiotherapy"
    assert scs[1].open_sites == ("S1", "S2", "S3", "S4")
    assert scs[2].rule == "within_network"
    assert scs[3].hubs == {"North": ("S1",), "South": ("S3",)}
    assert scs[3].open_sites == ("S1", "S3")


def test_centralised_hub_ties_go_to_smallest_site_id():
    sites = make_sites()
    sites.loc[sites.site_id == "S2", "linacs"] = 4  # S1 and S2 tie on 4 linacs
    sites.loc[sites.site_id == "S4", "linacs"] = 9  # satellites never become hubs
    sites = sites.iloc[::-1]
    assert centralised_hubs(sites) == {"North": ("S1",), "South": ("S3",)}


def test_nearest_assignment():
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    res = assign(areas, sites, matrix, Scenario("All", open_sites=("S1", "S2", "S3", "S4")))
    assert res.site_ids.tolist() == ["S1", "S2", "S3", "S4", "S3", "S4"]
    np.testing.assert_array_equal(res.minutes, [10, 25, 35, 15, 30, 35])
    np.testing.assert_array_equal(res.demand, areas.population.to_numpy())
    assert res.reachable.all()
    assert res.to_frame().index.equals(areas.index)


def test_ties_go_to_lowest_matrix_column():
    # A3 is 50 minutes from both S1 and S2
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    res = assign(areas, sites, matrix, Scenario("North only", open_sites=("S2", "S1")))
    assert res.site_ids[2] == "S1"
    assert res.minutes[2] == 50.0
    index, chosen = choose_sites(
        np.array([[5.0, 3.0, 3.0], [np.inf, np.inf, np.inf], [np.nan, 2.0, 2.0]]),
        np.array([[True, True, True]]),
        np.array([0, 0, 0]),
    )
    assert index.tolist() == [1, -1, 1]
    np.testing.assert_array_equal(chosen, [3.0, np.nan, 2.0])


def test_within_network_sends_past_closer_site():
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    sc = Scenario("Net", open_sites=("S1", "S2", "S3"), rule="within_network")
    res = assign(areas, sites, matrix, sc)
    # A3 is 35 min from S3 (South) but must stay in North: 50 min to S1 (tie with S2)
    assert res.site_ids.tolist() == ["S1", "S2", "S1", "S3", "S3", "S3"]
    np.testing.assert_array_equal(res.minutes, [10, 25, 50, 20, 30, 55])


def test_network_without_open_site_is_unreachable_with_reason():
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    res = assign(areas, sites, matrix, Scenario("N", open_sites=("S1",), rule="within_network"))
    assert res.site_ids.tolist()[:3] == ["S1", "S1", "S1"]
    assert res.site_index.tolist()[3:] == [-1, -1, -1]
    assert np.isnan(res.minutes[3:]).all()
    assert set(res.reason[3:]) == {"network South has no open site in this scenario"}
    assert res.unreachable_demand == 400.0


def test_hub_rules():
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    hubs = {"North": ("S2",), "South": ("S3", "S4")}
    per_net = assign(areas, sites, matrix, Scenario("H", rule="hub_per_network", hubs=hubs))
    assert per_net.site_ids.tolist() == ["S2", "S2", "S2", "S4", "S3", "S4"]
    anywhere = assign(areas, sites, matrix, Scenario("A", rule="hub_anywhere", hubs=hubs))
    assert anywhere.site_ids.tolist() == ["S2", "S2", "S3", "S4", "S3", "S4"]
    only_north = Scenario("O", rule="hub_per_network", hubs={"North": ("S1",)})
    res = assign(areas, sites, matrix, only_north)
    assert res.reason[3] == "network South has no hub in this scenario"


def test_hub_for_unknown_network_is_logged(caplog):
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    sc = Scenario("Typo", rule="hub_per_network", hubs={"North": ("S1",), "Suoth": ("S3",)})
    with caplog.at_level("WARNING", logger="access_app.core.scenarios"):
        res = assign(areas, sites, matrix, sc)
    assert "'Suoth', which no area belongs to" in caplog.text
    assert "network South has no hub" in caplog.text
    assert (res.site_index[3:] == -1).all()


def test_unreachable_area_takes_reason_from_matrix():
    areas, sites = make_areas(), make_sites()
    minutes = MINUTES.copy()
    minutes[4, :] = np.inf
    matrix = dataclasses.replace(
        make_matrix(minutes),
        unreachable=pd.DataFrame({"id": ["A5"], "kind": ["area"], "reason": ["island"]}),
    )
    res = assign(areas, sites, matrix, Scenario("All", open_sites=("S1", "S3")))
    assert res.reason.tolist() == ["", "", "", "", "island", ""]
    # A5 cannot reach S4 (inf) -> with only S4 open the generic reason is given
    res = assign(areas, sites, make_matrix(), Scenario("S4", open_sites=("S4",)))
    assert res.reason[4] == "no road route to any open site"
    assert res.site_ids[4] is None


def test_matrix_rows_and_columns_matched_by_id():
    areas, sites = make_areas(), make_sites()
    m = make_matrix()
    order = [5, 3, 1, 0, 2, 4]
    cols = [3, 2, 1, 0]
    shuffled = TravelTimeMatrix(
        minutes=m.minutes[np.ix_(order, cols)],
        area_ids=m.area_ids[order],
        site_ids=m.site_ids[cols],
        area_snap_m=m.area_snap_m[order],
        site_snap_m=m.site_snap_m[cols],
    )
    sc = Scenario("All", open_sites=("S1", "S2", "S3"))
    a = assign(areas, sites, m, sc)
    b = assign(areas, sites, shuffled, sc)
    assert a.site_ids.tolist() == b.site_ids.tolist()
    np.testing.assert_array_equal(a.minutes, b.minutes)
    missing = TravelTimeMatrix(
        minutes=m.minutes[:5],
        area_ids=m.area_ids[:5],
        site_ids=m.site_ids,
        area_snap_m=m.area_snap_m[:5],
        site_snap_m=m.site_snap_m,
    )
    with pytest.raises(ScenarioError, match="1 areas have no travel times"):
        assign(areas, sites, missing, sc)


def test_demand_column_and_incidence():
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    sc = Scenario("Old", open_sites=("S1",), demand="pop60plus", incidence_per_100k=50.0)
    res = assign(areas, sites, matrix, sc)
    np.testing.assert_allclose(res.demand, areas.pop60plus.to_numpy() * 50 / 100_000)
    with pytest.raises(ScenarioError, match="'Bad'.*'nope' is not a column"):
        assign(areas, sites, matrix, Scenario("Bad", open_sites=("S1",), demand="nope"))
    areas.loc[1, "population"] = -5
    with pytest.raises(ScenarioError, match="first: area 'A2' = -5"):
        assign(areas, sites, matrix, Scenario("Neg", open_sites=("S1",)))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rule": "nearst", "open_sites": ("S1",)}, "rule = 'nearst' is not a rule"),
        ({"open_sites": ()}, "open_sites = \\(\\) is empty"),
        ({"open_sites": ("S1",), "fractions": -3}, "fractions = -3 must be at least 1"),
        ({"open_sites": ("S1",), "fractions": 2.5}, "fractions = 2.5 must be a whole"),
        ({"open_sites": ("S1",), "incidence_per_100k": -1.0}, "incidence_per_100k = -1.0"),
        ({"open_sites": ("S1", "S1")}, "listed more than once"),
        (
            {"open_sites": ("S1",), "rule": "hub_per_network", "hubs": {"North": ("S2",)}},
            "hubs = \\['S2'\\] are not open sites",
        ),
        ({"rule": "hub_anywhere"}, "needs hubs"),
        ({"open_sites": ("S1",), "hubs": {"North": ("S1",)}}, "only used by the hub rules"),
    ],
)
def test_scenario_validation_names_scenario_field_and_value(kwargs, message):
    with pytest.raises(ScenarioError, match="Scenario 'X'.*" + message):
        Scenario("X", **kwargs)


def test_unknown_site_and_duplicate_names():
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    with pytest.raises(ScenarioError, match=r"open_sites \['S9'\] are not in the sites table"):
        assign(areas, sites, matrix, Scenario("X", open_sites=("S1", "S9")))
    with pytest.raises(ScenarioError, match="repeated"):
        assign_all(areas, sites, matrix, [Scenario("A", open_sites=("S1",))] * 2)


def test_scenario_is_hashable_and_frozen():
    a = Scenario("H", rule="hub_per_network", hubs={"North": ["S1"]})
    b = Scenario("H", rule="hub_per_network", hubs={"North": ("S1",)})
    assert a == b and hash(a) == hash(b)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "other"  # type: ignore[misc]
    assert "1 hubs" in a.describe()


def test_assign_on_england_sized_matrix():
    # the timing of this case is in benchmarks/bench_scenarios.py
    rng = np.random.default_rng(0)
    n, k = 32_844, 67
    nets = np.array([f"R{i}" for i in range(9)])
    areas = pd.DataFrame(
        {
            "area_id": np.arange(n).astype(str),
            "population": rng.integers(1000, 3000, n).astype(float),
            "network": nets[rng.integers(0, 9, n)],
        }
    )
    sites = pd.DataFrame({"site_id": [f"S{i}" for i in range(k)], "network": nets[np.arange(k) % 9]})
    matrix = TravelTimeMatrix(
        minutes=rng.uniform(5, 200, (n, k)),
        area_ids=areas.area_id.to_numpy(),
        site_ids=sites.site_id.to_numpy(),
        area_snap_m=np.zeros(n),
        site_snap_m=np.zeros(k),
    )
    sc = Scenario("Net", open_sites=tuple(sites.site_id[:51]), rule="within_network")
    res = assign(areas, sites, matrix, sc)
    allowed = (sites.network.to_numpy()[None, :] == areas.network.to_numpy()[:, None]) & (np.arange(k) < 51)
    expected = np.where(allowed, matrix.minutes, np.inf).min(axis=1)
    np.testing.assert_array_equal(res.minutes, expected)


def test_area_without_network_is_unreachable():
    areas, sites, matrix = make_areas(), make_sites(), make_matrix()
    areas["network"] = areas["network"].astype("string")
    areas.loc[0, "network"] = pd.NA
    res = assign(areas, sites, matrix, Scenario("N", open_sites=("S1", "S3"), rule="within_network"))
    assert res.reason[0] == "area has no network"
    assert res.site_ids.tolist()[1:] == ["S1", "S1", "S3", "S3", "S3"]
