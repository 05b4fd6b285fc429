"""Constraints on hand-worked examples: equity and capacity change the answer; infeasible cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from access_app.core import scenarios
from access_app.core.errors import DataError, ScenarioError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.optimise import (
    NATIONAL,
    Constraints,
    HubProblem,
    InfeasibleError,
    from_session_data,
    optimise,
    option_scenario,
    ranked_scenarios,
)

METHODS = ["enumeration", "milp"]


def _two_areas() -> HubProblem:
    # a1: most deprived, 1 person, 10 min to S1, 20 to S2; a2: least deprived, 2 people, 30 / 12.
    return HubProblem(
        cost=np.array([[10.0, 20.0], [30.0, 12.0]]),
        demand=np.array([1.0, 2.0]),
        area_ids=["a1", "a2"],
        site_ids=["S1", "S2"],
        imd_quintile=np.array([1, 5]),
    )


@pytest.mark.parametrize("method", METHODS)
def test_share_condition_changes_the_answer(method: str) -> None:
    prob = _two_areas()
    # S1: mean (10 + 2 x 30) / 3 = 23.33; S2: (20 + 2 x 12) / 3 = 14.67
    free = optimise(prob, p=1, national=True, method=method).blocks[NATIONAL]
    assert free.best.hubs == ("S2",)
    assert free.objective == pytest.approx(44 / 3)
    # everyone of quintile 1 within 15 minutes: only S1 (10 min) does it
    cons = Constraints(min_share_within=1.0, share_groups=("imd1",), within_minutes=15.0)
    res = optimise(prob, p=1, national=True, method=method, constraints=cons).blocks[NATIONAL]
    assert res.best.hubs == ("S1",)
    assert res.objective == pytest.approx(70 / 3)
    assert res.best.measures["imd1_within_45_share"] == 1.0  # threshold of the constraint: 15 minutes


@pytest.mark.parametrize("method", METHODS)
def test_gap_condition_changes_the_answer(method: str) -> None:
    # a1 (Q1): 10 / 25 min; a2 (Q5): 20 / 4. S1: mean 15, gap |10 - 20| = 10; S2: mean 14.5, gap 21.
    prob = HubProblem(
        cost=np.array([[10.0, 25.0], [20.0, 4.0]]),
        demand=np.array([1.0, 1.0]),
        area_ids=["a1", "a2"],
        site_ids=["S1", "S2"],
        imd_quintile=np.array([1, 5]),
    )
    assert optimise(prob, p=1, national=True, method=method).blocks[NATIONAL].best.hubs == ("S2",)
    res = optimise(
        prob, p=1, national=True, method=method, constraints=Constraints(max_gap_minutes=12.0)
    ).blocks[NATIONAL]
    assert res.best.hubs == ("S1",)
    assert res.objective == pytest.approx(15.0)
    assert res.best.measures["gap_q1_q5_min"] == pytest.approx(-10.0)


def test_gap_keeps_nearest_assignment() -> None:
    # With both sites open, a free assignment could send a2 (Q5) to the far site to shrink the
    # gap; the scenario rule sends it to its nearest, and so must the MILP.
    prob = HubProblem(
        cost=np.array([[30.0, 40.0], [5.0, 50.0]]),
        demand=np.array([1.0, 1.0]),
        area_ids=["a1", "a2"],
        site_ids=["S1", "S2"],
        imd_quintile=np.array([1, 5]),
    )
    with pytest.raises(InfeasibleError) as exc:
        optimise(prob, p=2, national=True, method="milp", constraints=Constraints(max_gap_minutes=10.0))
    assert exc.value.constraint == "gap"
    assert exc.value.best == pytest.approx(25.0)  # |30 - 5|


def test_capacity_changes_the_answer_and_splits_demand() -> None:
    # a (10 people): 5 min to S1, 15 to S2; b (10 people): 6 / 30. One linac each, 15 per linac.
    prob = HubProblem(
        cost=np.array([[5.0, 15.0], [6.0, 30.0]]),
        demand=np.array([10.0, 10.0]),
        area_ids=["a", "b"],
        site_ids=["S1", "S2"],
        linacs=np.array([1.0, 1.0]),
    )
    free = optimise(prob, p=2, national=True).blocks[NATIONAL]
    assert free.objective == pytest.approx(5.5)  # everyone at S1
    res = optimise(prob, p=2, national=True, constraints=Constraints(capacity_per_linac=15.0)).blocks[
        NATIONAL
    ]
    assert res.method == "milp" and res.proven_optimal
    # S1 takes 15: b stays (moving it costs 24 a person), 5 of a move for 10 more each:
    # (10 x 6 + 5 x 5 + 5 x 15) / 20 = 8.0
    assert res.objective == pytest.approx(8.0)
    alloc = {(a, s): v for a, s, v in res.best.allocation}
    assert alloc[("a", "S2")] == pytest.approx(0.5)
    assert alloc[("b", "S1")] == pytest.approx(1.0)
    assert res.best.measures["max_demand_per_linac"] == pytest.approx(15.0)


def test_capacity_picks_the_hub_with_room() -> None:
    # p = 1: S1 is nearer for both but has 1 linac; S2 has 2. 20 people, 15 per linac.
    prob = HubProblem(
        cost=np.array([[5.0, 15.0], [6.0, 30.0]]),
        demand=np.array([10.0, 10.0]),
        area_ids=["a", "b"],
        site_ids=["S1", "S2"],
        linacs=np.array([1.0, 2.0]),
    )
    assert optimise(prob, p=1, national=True).blocks[NATIONAL].best.hubs == ("S1",)
    res = optimise(prob, p=1, national=True, constraints=Constraints(capacity_per_linac=15.0)).blocks[
        NATIONAL
    ]
    assert res.best.hubs == ("S2",)
    assert res.objective == pytest.approx(22.5)
    with pytest.raises(InfeasibleError) as exc:
        optimise(prob, p=1, national=True, constraints=Constraints(capacity_per_linac=5.0))
    assert exc.value.constraint == "capacity"
    assert "at most 5 demand per linac" in str(exc.value)
    assert exc.value.best == pytest.approx(10.0)  # 20 people / the 2 linacs of the largest site


@pytest.mark.parametrize("method", METHODS)
def test_infeasible_limit_names_the_constraint_and_best_value(method: str) -> None:
    prob = _two_areas()
    with pytest.raises(InfeasibleError) as exc:
        optimise(prob, p=1, national=True, method=method, constraints=Constraints(max_minutes=15.0))
    # worst journey: S1 30, S2 20, so the best reachable is 20 minutes
    assert exc.value.constraint == "max_minutes"
    assert exc.value.best == pytest.approx(20.0)
    assert str(exc.value) == (
        "England: the condition 'nobody beyond 15 minutes' cannot be met with 1 hubs; the best any "
        "choice reaches is 20.0 minutes. Relax it, raise p or add candidates."
    )


@pytest.mark.parametrize("method", METHODS)
def test_conditions_that_only_fail_together(method: str) -> None:
    # Q1 within 15 needs S1, Q5 within 15 needs S2, one hub: each alone is possible.
    prob = _two_areas()
    cons = Constraints(min_share_within=1.0, share_groups=("imd1", "imd5"), within_minutes=15.0)
    with pytest.raises(InfeasibleError) as exc:
        optimise(prob, p=1, national=True, method=method, constraints=cons)
    assert exc.value.constraint == "together"
    assert "not all together" in str(exc.value)


def test_share_condition_best_value() -> None:
    prob = _two_areas()
    cons = Constraints(min_share_within=1.0, share_groups=("imd5",), within_minutes=10.0)
    for method in METHODS:
        with pytest.raises(InfeasibleError) as exc:
            optimise(prob, p=1, national=True, method=method, constraints=cons)
        assert exc.value.constraint == "share:imd5"
        assert exc.value.best == 0.0
        assert "best any choice reaches is 0.0%" in str(exc.value)


def test_bad_requests() -> None:
    prob = _two_areas()
    with pytest.raises(ScenarioError, match="only 2 candidate sites"):
        optimise(prob, p=3, national=True)
    with pytest.raises(DataError, match="'nowhere'"):
        optimise(prob, p=1, national=True, constraints=Constraints(must_open=("nowhere",)))
    with pytest.raises(InfeasibleError, match="must be hubs"):
        optimise(prob, p=1, national=True, constraints=Constraints(must_open=("S1", "S2")))
    with pytest.raises(ScenarioError, match="both"):
        Constraints(must_open=("S1",), never=("S1",))
    with pytest.raises(ScenarioError, match="need a 'network'"):
        optimise(prob, p=1)


def _tables() -> tuple[pd.DataFrame, pd.DataFrame, TravelTimeMatrix]:
    areas = pd.DataFrame(
        {
            "area_id": ["a1", "a2", "a3", "a4"],
            "population": [100.0, 200.0, 300.0, 50.0],
            "network": ["N", "N", "M", "M"],
            "imd_decile": [1, 10, 3, 8],
            "urban_rural": ["Urban", "Rural", "Urban", "Urban"],
        }
    )
    sites = pd.DataFrame(
        {
            "site_id": ["x", "y", "z", "sat"],
            "network": ["N", "N", "M", "M"],
            "site_type": ["main", "main", "main", "satellite"],
            "linacs": [2, 3, 4, np.nan],
        }
    )
    minutes = np.array(
        [
            [10.0, 30.0, 90.0, 95.0],
            [40.0, 20.0, 80.0, 85.0],
            [70.0, 60.0, 15.0, 5.0],
            [75.0, 65.0, 25.0, 35.0],
        ]
    )
    matrix = TravelTimeMatrix(
        minutes=minutes,
        area_ids=np.array(["a1", "a2", "a3", "a4"]),
        site_ids=np.array(["x", "y", "z", "sat"]),
        area_snap_m=np.zeros(4),
        site_snap_m=np.zeros(4),
    )
    return areas, sites, matrix


def test_from_session_data_and_scenarios_round_trip(tmp_path) -> None:  # noqa: ANN001
    areas, sites, matrix = _tables()
    prob = from_session_data(areas, sites, matrix)
    assert prob.candidate.tolist() == [True, True, True, False]  # main centres
    assert prob.imd_quintile.tolist() == [1, 5, 2, 4]
    assert prob.rural.tolist() == [False, True, False, False]
    assert prob.baseline_minutes.tolist() == [10.0, 20.0, 15.0, 25.0]  # nearest main centre
    res = optimise(prob, p=1, top_k=2)
    # N: x -> (100 x 10 + 200 x 40) / 300 = 30; y -> (3000 + 4000) / 300 = 23.33
    assert res.blocks["N"].best.hubs == ("y",)
    assert res.blocks["N"].objective == pytest.approx(70 / 3)
    assert [o.hubs for o in res.blocks["N"].options] == [("y",), ("x",)]
    assert res.blocks["M"].best.hubs == ("z",)
    assert res.blocks["N"].best.measures["demand_longer"] == pytest.approx(100.0)  # a1: 10 -> 30
    scen = option_scenario(res, name="Best")
    assert scen.rule == "hub_per_network"
    assert dict(scen.hubs) == {"M": ("z",), "N": ("y",)}
    assigned = scenarios.assign(areas, sites, matrix, scen)
    assert assigned.minutes.tolist() == [30.0, 20.0, 15.0, 25.0]
    second = ranked_scenarios(res, [1, 2])
    assert dict(second[1].hubs) == {"M": ("z",), "N": ("x",)}  # M has one candidate: its last option
    path = scenarios.save_scenarios(second, tmp_path / "s.toml")
    loaded = scenarios.load_scenarios(path, sites=sites)
    assert [dict(s.hubs) for s in loaded] == [dict(s.hubs) for s in second]
    nat = optimise(from_session_data(areas, sites, matrix, use_networks=False), p=2, national=True)
    scen = option_scenario(nat, name="National")
    assert scen.rule == "hub_anywhere"
    got = scenarios.assign(areas, sites, matrix, scen).minutes
    best = nat.blocks[NATIONAL].best
    assert float(np.average(got, weights=areas["population"])) == pytest.approx(best.objective)


@pytest.mark.parametrize("capacity", [None, 400.0])
def test_large_problem_path_reports_a_true_gap(
    monkeypatch: pytest.MonkeyPatch, capacity: float | None
) -> None:
    """Force the heuristic-with-bound path on a small case and check it against the exact optimum."""
    from access_app.core.optimise import milp

    rng = np.random.default_rng(7)
    n, m = 120, 9
    prob = HubProblem(
        cost=rng.uniform(5.0, 90.0, (n, m)),
        demand=rng.integers(1, 30, n).astype(float),
        area_ids=[f"a{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
        linacs=rng.integers(1, 4, m).astype(float),
    )
    cons = Constraints(capacity_per_linac=capacity)
    exact = optimise(prob, p=3, national=True, constraints=cons, method="milp").blocks[NATIONAL]
    assert exact.proven_optimal
    monkeypatch.setattr(milp, "CAPACITY_STRONG_LIMIT", 10)
    res = optimise(prob, p=3, national=True, constraints=cons, method="milp").blocks[NATIONAL]
    assert res.method == "heuristic+bound"
    assert res.objective >= exact.objective - 1e-9  # a feasible choice, never better than the optimum
    lower = res.objective * (1 - res.gap)
    assert lower <= exact.objective + 1e-9  # the bound is a true lower bound
    assert res.proven_optimal == (res.gap <= milp.MIP_REL_GAP)
    if capacity is not None:
        load: dict[str, float] = {}
        for a, s, share in res.best.allocation:
            load[s] = load.get(s, 0.0) + share * prob.demand[int(a[1:])]
        lin = dict(zip(prob.site_ids, prob.linac_counts, strict=True))
        assert all(v <= capacity * lin[s] + 1e-6 for s, v in load.items())
