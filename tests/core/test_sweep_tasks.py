"""Sweep tasks on the hand-worked fixture: base matrix, re-routing, assignment, measures."""

from __future__ import annotations

import numpy as np
import pytest
import sweep_fixture as fx
from shapely.geometry import Point

from access_app.core import routing, scenarios, tables
from access_app.core.errors import ScenarioError
from access_app.core.network import RoadNetwork
from access_app.core.sweep import draws, spec, tasks

SECONDS = np.array([[0, 960, 2160], [360, 600, 1800], [960, 0, 1200], [2160, 1200, 0], [3960, 3000, 1800]],
                   dtype=float)


def _spec(*params):
    return spec.parse_spec({"parameter": list(params)}, source="t.toml")


def test_base_matrix_and_edge_groups_follow_the_fixture():
    inp = fx.inputs()
    np.testing.assert_allclose(inp.base_minutes, SECONDS / 60, rtol=0, atol=1e-12)
    assert set(inp.groups) == {("motorway", "rural"), ("primary", "rural"), ("primary", "urban")}
    assert inp.ferry_routes == ("IOW-Test",)
    assert (inp.edge_ferry >= 0).sum() == 2 and (inp.edge_group[inp.edge_ferry >= 0] == -1).all()


def test_base_draw_matches_assign_and_build_report():
    G, a, s = fx.graph(), fx.areas(), fx.sites()
    m = routing.travel_time_matrix(RoadNetwork.from_graph(G), a, s, params=fx.PARAMS)
    scs = [*fx.scenario_list(),
           scenarios.Scenario(name="Hubs", rule="hub_per_network", hubs={"North": ["s0"], "South": ["s3"]}),
           scenarios.Scenario(name="Hub anywhere", rule="hub_anywhere", hubs={"South": ["s2"]})]
    inp = tasks.prepare_inputs(RoadNetwork.from_graph(G), a, s, scs, m.minutes, params=fx.PARAMS)
    sp = _spec({"kind": "fractions", "distribution": "uniform", "low": 10, "high": 30})
    rows = tasks.evaluate_draw(inp, sp, draws.Draw(0, "base", draws.base_values(sp)))
    rep = tables.build_report([scenarios.assign(a, s, m, sc) for sc in scs], a, s)
    summ = rep.summary.set_index("scenario")
    groups = rep.groups.set_index(["scenario", "group_by", "group"])
    for row in rows:
        ref = summ.loc[row["scenario"]]
        for key in ("mean_min", "median_min", "p90_min", "within_45_share", "q1_mean_min", "q5_mean_min",
                    "q1_q5_gap_min", "gini", "concentration_index", "hours_per_course", "reachable_demand"):
            assert row[key] == pytest.approx(ref[key], rel=1e-12, abs=1e-12), key
        g = groups.loc[(row["scenario"], "imd_quintile", 1)]
        for t in (30, 60, 90):  # the reach curve agrees with the report's within shares
            assert row[f"reach_{t}"] == pytest.approx(ref[f"within_{t}_share"], rel=1e-12)
        for label in ("Urban", "Rural"):
            g = groups.loc[(row["scenario"], "urban_rural", label)]
            assert row[f"{label.lower()}_mean_min"] == pytest.approx(g["mean_min"], rel=1e-12)
            assert row[f"{label.lower()}_within_45_share"] == pytest.approx(g["within_45_share"], rel=1e-12)
        for q in (2, 3, 4):
            g = groups.loc[(row["scenario"], "imd_quintile", q)]
            assert row[f"q{q}_mean_min"] == pytest.approx(g["mean_min"], rel=1e-12)
    # by hand: All = 0, 6, 0, 0, 30 minutes; Central = 36, 30, 20, 0, 30
    by = {r["scenario"]: r for r in rows}
    assert by["All"]["mean_min"] == pytest.approx(7.2)
    assert by["Central"]["mean_min"] == pytest.approx(23.2)
    assert by["Networked"]["mean_min"] == pytest.approx(7.2)
    assert by["Hubs"]["mean_min"] == pytest.approx((0 + 6 + 20 + 0 + 30) / 5)
    assert len(rows) == 5
    assert not any(r["rerouted"] for r in rows)


def test_reroute_matches_routing_on_a_graph_changed_by_hand():
    # areas 300 m off their nodes and k = 4, so the access legs and their rescaling count
    base = routing.RoutingParams(k_nearest=4)
    a = fx.areas()
    a["geometry"] = [Point(x, y + 300.0) for x, y in (fx.XY[i] for i in range(5))]
    G, s = fx.graph(), fx.sites()
    m = routing.travel_time_matrix(RoadNetwork.from_graph(G), a, s, params=base)
    inp = tasks.prepare_inputs(RoadNetwork.from_graph(G), a, s, fx.scenario_list(), m.minutes, params=base)
    sp = _spec(
        {"name": "mw", "kind": "speed", "road_class": "motorway", "distribution": "uniform",
         "low": 0.4, "high": 2},
        {"name": "urban", "kind": "speed", "road_class": "all", "setting": "urban", "distribution": "uniform",
         "low": 0.5, "high": 2},
        {"name": "cong", "kind": "congestion", "distribution": "uniform", "low": 1, "high": 2},
        {"name": "ferry", "kind": "ferry", "route": "IOW-Test", "distribution": "uniform",
         "low": 0.5, "high": 2},
        {"name": "detour", "kind": "access", "field": "detour_factor", "distribution": "uniform",
         "low": 1, "high": 2},
        {"name": "ua", "kind": "access", "field": "access_speed_urban_kmh", "distribution": "uniform",
         "low": 10, "high": 50},
    )
    values = {"mw": 0.5, "urban": 0.8, "cong": 1.2, "ferry": 1.5, "detour": 1.5, "ua": 30.0}
    got, rerouted = tasks.travel_minutes(inp, sp, values)
    H = fx.graph()
    for _, _, d in H.edges(data=True):
        if d.get("ferry"):
            d["travel_time"] *= 1.5
        elif d["highway"] == "motorway":
            d["travel_time"] *= 1.2 / 0.5
        elif d["urban"]:
            d["travel_time"] *= 1.2 / 0.8
        else:
            d["travel_time"] *= 1.2
    want = routing.travel_time_matrix(RoadNetwork.from_graph(H), a, s, params=routing.RoutingParams(
        k_nearest=4, detour_factor=1.5, access_speed_urban_kmh=30.0)).minutes
    assert rerouted
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    assert not np.allclose(got, m.minutes)


def test_demand_side_draws_reuse_the_base_matrix():
    inp = fx.inputs()
    sp = _spec({"name": "q1", "kind": "incidence", "group_by": "imd_quintile", "group": 1,
                "distribution": "uniform", "low": 1, "high": 3},
               {"name": "mw", "kind": "speed", "road_class": "motorway", "distribution": "uniform",
                "low": 0.5, "high": 2})
    minutes, rerouted = tasks.travel_minutes(inp, sp, {"q1": 3.0, "mw": 1.0})
    assert minutes is inp.base_minutes and not rerouted
    rows = tasks.evaluate_draw(inp, sp, draws.Draw(0, "x", {"q1": 3.0, "mw": 1.0}))
    by = {r["scenario"]: r for r in rows}
    # a0 weighs 300: All (0*300 + 6*100 + 30*100) / 700, Central (36*300 + 30 + 20 + 0 + 30 each *100) / 700
    assert by["All"]["mean_min"] == pytest.approx(3600 / 700)
    assert by["Central"]["mean_min"] == pytest.approx(18800 / 700)
    assert by["All"]["reachable_demand"] == pytest.approx(700)


def test_network_membership_changes_within_network_only():
    inp = fx.inputs()
    sp = _spec({"name": "s2 net", "kind": "network", "site": "s2", "networks": ["South", "North"]})
    rows = tasks.evaluate_draw(inp, sp, draws.Draw(0, "x", {"s2 net": "North"}))
    by = {r["scenario"]: r for r in rows}
    # s2 in North: a2 (South) can only use s3, 20 minutes; All and Central unchanged
    assert by["Networked"]["mean_min"] == pytest.approx((0 + 6 + 20 + 0 + 30) / 5)
    assert by["All"]["mean_min"] == pytest.approx(7.2)


def test_a_bad_drawn_value_raises_naming_the_parameter():
    inp = fx.inputs()
    sp = _spec({"name": "mw", "kind": "speed", "road_class": "motorway", "distribution": "normal",
                "mean": 1.0, "sd": 0.5})
    with pytest.raises(ScenarioError, match="'mw' = -0.2"):
        tasks.travel_minutes(inp, sp, {"mw": -0.2})


def test_check_spec_names_unknown_classes_routes_and_sites():
    inp = fx.inputs()
    for param, msg in (
        ({"kind": "speed", "road_class": "trunk", "distribution": "uniform", "low": 0.5, "high": 1}, "trunk"),
        ({"kind": "speed", "road_class": "motorway", "setting": "urban", "distribution": "uniform",
          "low": 0.5, "high": 1}, "no urban edges of class 'motorway'"),
        ({"kind": "ferry", "route": "Nowhere", "distribution": "uniform", "low": 0.5, "high": 1}, "Nowhere"),
        ({"kind": "network", "site": "s9", "networks": ["South", "North"]}, "s9"),
        ({"kind": "network", "site": "s2", "networks": ["South", "West"]}, "West"),
    ):
        with pytest.raises(ScenarioError, match=msg):
            tasks.check_spec(_spec(param), inp)
