"""Scenario editing as pure functions, and the new-site helpers (hand-worked on four sites)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point
from test_tables_fixtures import make_sites

from access_app.core import io, scenarios
from access_app.core.errors import DataError, ScenarioError
from access_app.core.scenarios import Scenario, editing

# make_sites(): S1..S4; networks North, North, South, South; linacs 4, 2, 3, 1; S4 satellite


def _hubs() -> Scenario:
    return Scenario(name="Hubs", rule="hub_per_network", open_sites=("S1", "S3"),
                    hubs={"North": ("S1",), "South": ("S3",)})


def test_set_site_open_returns_a_new_scenario_in_table_order():
    sites = make_sites()
    sc = Scenario(name="A", open_sites=("S3", "S1"))
    opened = editing.set_site_open(sc, "S2", True, sites=sites)
    assert opened.open_sites == ("S1", "S2", "S3") and sc.open_sites == ("S3", "S1")
    closed = editing.set_site_open(opened, "S2", False, sites=sites)
    assert closed.open_sites == ("S1", "S3")
    assert editing.set_site_open(opened, "S2", True, sites=sites) == opened  # idempotent
    with pytest.raises(ScenarioError, match="no site 'S9'"):
        editing.set_site_open(sc, "S9", True, sites=sites)
    with pytest.raises(ScenarioError, match="open_sites = \\(\\) is empty"):
        editing.set_site_open(Scenario(name="One", open_sites=("S1",)), "S1", False, sites=sites)


def test_closing_a_hub_removes_it_from_the_hubs():
    sites = make_sites()
    sc = editing.set_hubs(_hubs(), "North", ["S1", "S2"])
    assert sc.hubs == {"North": ("S1", "S2"), "South": ("S3",)} and sc.open_sites == ("S1", "S3", "S2")
    after = editing.set_site_open(sc, "S1", False, sites=sites)
    assert after.hubs == {"North": ("S2",), "South": ("S3",)} and after.open_sites == ("S3", "S2")
    # the last hub of a hub scenario cannot close
    with pytest.raises(ScenarioError, match="needs hubs"):
        editing.set_site_open(editing.set_hubs(_hubs(), "South", []), "S1", False, sites=sites)


def test_set_open_sites_and_open_all():
    sites = make_sites()
    sc = Scenario(name="A", open_sites=("S1",))
    assert editing.set_open_sites(sc, ["S4", "S2", "S4"], sites=sites).open_sites == ("S2", "S4")
    assert editing.open_all(sc, sites=sites).open_sites == ("S1", "S2", "S3", "S4")
    assert editing.open_all(sc, sites=sites, which="main").open_sites == ("S1", "S2", "S3")
    # hubs stay open: a satellite hub survives "open every main centre"
    hub_sat = Scenario(name="H", rule="hub_anywhere", open_sites=("S4",), hubs={"South": ("S4",)})
    assert editing.open_all(hub_sat, sites=sites, which="main").open_sites == ("S1", "S2", "S3", "S4")
    # hubs no longer open are dropped by set_open_sites
    assert editing.set_open_sites(_hubs(), ["S1", "S2"], sites=sites).hubs == {"North": ("S1",)}
    with pytest.raises(ScenarioError, match="must be 'all' or 'main'"):
        editing.open_all(sc, sites=sites, which="some")  # type: ignore[arg-type]


def test_main_centres_have_one_definition_in_any_case():
    sites = make_sites().assign(site_type=["Main", "MAIN", "main", "Satellite"])
    assert scenarios.main_site_ids(sites) == ("S1", "S2", "S3")
    assert editing.open_all(Scenario(name="A", open_sites=("S4",)), sites=sites,
                            which="main").open_sites == ("S1", "S2", "S3")
    assert scenarios.default_scenarios(sites)[0].open_sites == ("S1", "S2", "S3")
    no_type = make_sites().drop(columns="site_type")
    assert scenarios.main_site_ids(no_type) == ("S1", "S2", "S3", "S4")


def test_set_hubs_and_set_hub():
    sites = make_sites()
    sc = editing.set_hub(_hubs(), "S4", True, sites=sites)
    assert sc.hubs == {"North": ("S1",), "South": ("S3", "S4")} and "S4" in sc.open_sites
    assert editing.set_hub(sc, "S3", False, sites=sites).hubs == {"North": ("S1",), "South": ("S4",)}
    with pytest.raises(ScenarioError, match="which has no hubs"):
        editing.set_hub(Scenario(name="A", open_sites=("S1",)), "S1", True, sites=sites)
    with pytest.raises(ScenarioError, match="which has no hubs"):
        editing.set_hubs(Scenario(name="A", open_sites=("S1",)), "North", ["S1"])
    no_net = make_sites().assign(network=[None, "North", "South", "South"])
    with pytest.raises(ScenarioError, match="'S1' has no network"):
        editing.set_hub(_hubs(), "S1", True, sites=no_net)


def test_set_rule_chooses_hubs_as_centralised_does():
    sites = make_sites()
    sc = Scenario(name="A", open_sites=("S2", "S4"))
    hub = editing.set_rule(sc, "hub_per_network", sites=sites)
    # each network's main centre with the most linacs: S1 (4) in North, S3 (3) in South
    assert hub.hubs == scenarios.centralised_hubs(sites) == {"North": ("S1",), "South": ("S3",)}
    assert hub.open_sites == ("S2", "S4", "S1", "S3") and hub.rule == "hub_per_network"
    # hubs kept when switching between hub rules, dropped for a rule without hubs
    assert editing.set_rule(hub, "hub_anywhere", sites=sites).hubs == hub.hubs
    back = editing.set_rule(hub, "within_network", sites=sites)
    assert back.hubs == {} and back.open_sites == hub.open_sites
    with pytest.raises(ScenarioError, match="'closest' is not a rule"):
        editing.set_rule(sc, "closest", sites=sites)


def test_names_unique_copy_and_rename():
    assert editing.unique_name("A", ["B"]) == "A"
    assert editing.unique_name("A", ["A", "A (2)"]) == "A (3)"
    assert editing.copy_name("A", ["A", "A (copy)"]) == "A (copy) (2)"
    sc = Scenario(name="A", open_sites=("S1",))
    assert editing.rename(sc, "  Bee ", existing=["A", "C"]).name == "Bee"
    assert editing.rename(sc, "A", existing=["A"]) is sc
    with pytest.raises(ScenarioError, match="'C' already exists"):
        editing.rename(sc, "C", existing=["A", "C"])
    with pytest.raises(ScenarioError, match="new name is empty"):
        editing.rename(sc, "  ", existing=["A"])


def test_check_unique_names_is_the_one_check():
    a, b = Scenario(name="A", open_sites=("S1",)), Scenario(name="B", open_sites=("S1",))
    editing.check_unique_names([a, b])
    with pytest.raises(ScenarioError, match=r"here: Scenario names must be unique; repeated: \['A'\]"):
        editing.check_unique_names([a, b, a], where="here")
    # assign_all and the report use it too
    with pytest.raises(ScenarioError, match="repeated"):
        scenarios.assign_all(pd.DataFrame(), pd.DataFrame(), None, [a, a])  # type: ignore[arg-type]


def test_check_scenarios_against_sites_lists_every_problem():
    sites = make_sites()
    good = Scenario(name="Good", open_sites=("S1",))
    bad = Scenario(name="Bad", rule="hub_anywhere", open_sites=("S1", "X2"), hubs={"N": ("X2",)})
    assert editing.check_scenarios_against_sites([good], sites) == []
    assert editing.check_scenarios_against_sites([good, bad], sites) == [
        "Scenario 'Bad': site ids ['X2'] are not in the sites table."]


def test_initial_scenarios_policy(tmp_path):
    sites = make_sites()
    defaults = tuple(scenarios.default_scenarios(sites))
    first = editing.initial_scenarios(sites)
    assert first.scenarios == defaults and first.source == "defaults" and first.message == ""
    mine = [Scenario(name="Mine", open_sites=("S2",))]
    kept = editing.initial_scenarios(sites, mine)
    assert kept.scenarios == tuple(mine) and kept.source == "saved" and kept.problems == ()
    other = editing.initial_scenarios(sites, [Scenario(name="Old", open_sites=("X1",))])
    assert other.scenarios == defaults and other.source == "defaults"
    assert other.problems == ("Scenario 'Old': site ids ['X1'] are not in the sites table.",)
    assert "default scenarios" in other.message
    path = scenarios.save_scenarios(mine, tmp_path / "mine.toml")
    assert editing.initial_scenarios(sites, path).scenarios == tuple(mine)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[scenario]\n")
    fallback = editing.initial_scenarios(sites, broken)
    assert fallback.scenarios == defaults and "is not valid TOML" in fallback.problems[0]


def test_editing_never_mutates():
    sites = make_sites()
    before = make_sites()
    sc = _hubs()
    snapshot = dataclasses.replace(sc)
    editing.set_site_open(sc, "S2", True, sites=sites)
    editing.set_hub(sc, "S4", True, sites=sites)
    editing.set_rule(sc, "nearest", sites=sites)
    editing.open_all(sc, sites=sites)
    assert sc == snapshot and sc.hubs == {"North": ("S1",), "South": ("S3",)}
    pd.testing.assert_frame_equal(pd.DataFrame(sites.drop(columns="geometry")),
                                  pd.DataFrame(before.drop(columns="geometry")))


def test_unique_site_id():
    assert io.unique_site_id("Royal Infirmary (New)", []) == "royal-infirmary-new"
    taken = ["royal-infirmary", "royal-infirmary-2"]
    assert io.unique_site_id("Royal Infirmary", taken) == "royal-infirmary-3"
    assert io.unique_site_id("!!!", []) == "site"


def test_make_site_row_is_canonical_and_keeps_region_empty():
    sites = make_sites()
    row = io.make_site_row("new-centre", "New Centre", Point(-1.5, 53.0), crs="EPSG:4326",
                           network="North", linacs=2, site_type="Main", postcode="AB1 2CD",
                           to_crs=sites.crs)
    assert row.crs == sites.crs and len(row) == 1
    assert set(sites.columns) <= set(row.columns)
    r = row.iloc[0]
    assert (r["site_id"], r["site_name"], r["network"], r["linacs"], r["site_type"]) == (
        "new-centre", "New Centre", "North", 2.0, "main")
    assert pd.isna(r["region"])  # the network is not a region
    x, y = r.geometry.x, r.geometry.y
    assert 400_000 < x < 460_000 and 330_000 < y < 360_000  # near Derby in BNG metres
    unknown = io.make_site_row("s", "S", Point(400000, 300000), crs="EPSG:27700")
    assert np.isnan(unknown.iloc[0]["linacs"]) and pd.isna(unknown.iloc[0]["network"])
    for kwargs, message in (({"site_type": "hub"}, "must be 'main' or 'satellite'"),
                            ({"linacs": -1}, "0 or more"), ({"linacs": float("nan")}, "0 or more")):
        with pytest.raises(DataError, match=message):
            io.make_site_row("s", "S", Point(0, 0), crs="EPSG:27700", **kwargs)
    with pytest.raises(DataError, match="must be a point"):
        io.make_site_row("s", "S", Point(0, 0).buffer(1), crs="EPSG:27700")
    with pytest.raises(DataError, match="needs a name"):
        io.make_site_row("s", " ", Point(0, 0), crs="EPSG:27700")
