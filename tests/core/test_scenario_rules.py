"""The assignment rules as a table of rule objects: a new rule is one class + one registration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from access_app.core import scenarios
from access_app.core.errors import ScenarioError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.scenarios import Rule, RuleInput, Scenario


class Farthest(Rule):
    """Toy rule: each area goes to its farthest reachable open site."""

    name = "farthest"
    label = "farthest open site"

    def assign(self, data: RuleInput) -> tuple[np.ndarray, np.ndarray]:
        cost = np.where(data.open_mask[None, :] & np.isfinite(data.minutes), data.minutes, -np.inf)
        index = np.argmax(cost, axis=1)
        index[~np.isfinite(cost[np.arange(data.n_areas), index])] = -1
        return index, np.full(data.n_areas, "", dtype=object)


@pytest.fixture
def farthest():
    rule = scenarios.register_rule(Farthest())
    yield rule
    scenarios.unregister_rule("farthest")


def _data():
    areas = pd.DataFrame({"area_id": ["a", "b", "c"], "population": [10.0, 20.0, 30.0]})
    sites = pd.DataFrame({"site_id": ["s", "t", "u"]})
    minutes = np.array([[10.0, 30.0, 20.0],
                        [40.0, 5.0, np.inf],
                        [np.inf, np.inf, np.inf]])
    matrix = TravelTimeMatrix(minutes=minutes, area_ids=np.array(["a", "b", "c"], dtype=object),
                              site_ids=np.array(["s", "t", "u"], dtype=object),
                              area_snap_m=np.zeros(3), site_snap_m=np.zeros(3))
    return areas, sites, matrix


def test_registered_toy_rule_is_used_by_assign(farthest):
    assert "farthest" in scenarios.RULES and scenarios.RULES[-1] == "farthest"
    assert scenarios.RULE_LABELS["farthest"] == "farthest open site"
    assert "farthest" not in scenarios.HUB_RULES
    areas, sites, matrix = _data()
    sc = Scenario(name="Far", rule="farthest", open_sites=("s", "t", "u"))
    res = scenarios.assign(areas, sites, matrix, sc)
    # a: 30 min to t beats 20 (u) and 10 (s); b: 40 min to s (u has no route); c: nothing
    assert res.site_ids.tolist() == ["t", "s", None]
    np.testing.assert_array_equal(res.minutes, [30.0, 40.0, np.nan])
    assert res.reason.tolist() == ["", "", "no road route to any open site"]
    assert "farthest open site" in sc.describe()


def test_toy_rule_honours_closed_sites(farthest):
    areas, sites, matrix = _data()
    res = scenarios.assign(areas, sites, matrix, Scenario(name="Far", rule="farthest", open_sites=("s", "u")))
    assert res.site_ids.tolist() == ["u", "s", None]


def test_unregistered_rule_is_refused_with_the_known_names():
    assert scenarios.RULES == ("nearest", "within_network", "hub_per_network", "hub_anywhere")
    with pytest.raises(ScenarioError, match="is not a rule; use one of nearest, within_network"):
        Scenario(name="Far", rule="farthest", open_sites=("s",))
    with pytest.raises(ScenarioError, match="already registered"):
        scenarios.register_rule(scenarios.get_rule("nearest"))


def test_built_in_rules_as_before():
    assert set(scenarios.HUB_RULES) == {"hub_per_network", "hub_anywhere"}
    assert "nearest" not in scenarios.HUB_RULES and "hub_anywhere" in scenarios.HUB_RULES
    assert dict(scenarios.RULE_LABELS) == {
        "nearest": "nearest open site",
        "within_network": "nearest open site in the area's own network",
        "hub_per_network": "nearest hub of the area's own network",
        "hub_anywhere": "nearest hub in any network",
    }
    assert scenarios.RULES.index("hub_per_network") == 2
