"""Exhaustive enumeration equals the HiGHS MILP on small cases, with and without constraints."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access_app.core.optimise import Constraints, HubProblem, InfeasibleError, Objective, optimise


def _two_networks(seed: int, n: int = 60, m: int = 10) -> HubProblem:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(5.0, 100.0, (n, m)).round(1)
    cost[0, :] = np.inf  # an island: excepted and reported, never makes a choice infeasible
    cost[rng.random((n, m)) < 0.05] = np.inf
    nets_a = np.where(np.arange(n) < n // 2, "A", "B")
    nets_s = np.where(np.arange(m) < m // 2, "A", "B")
    own = nets_a[:, None] == nets_s[None, :]
    cost[own & ~np.isfinite(cost) & (np.arange(n) > 0)[:, None]] = 50.0  # gaps only across networks
    return HubProblem(
        cost=cost,
        demand=rng.integers(1, 300, n).astype(float),
        area_ids=[f"a{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
        area_network=nets_a,
        site_network=nets_s,
        imd_quintile=rng.integers(1, 6, n),
        rural=rng.random(n) < 0.35,
        baseline_minutes=cost.min(axis=1),
    )


OBJECTIVES = [
    Objective("median"),
    Objective("coverage", coverage_minutes=40.0),
    Objective("centre"),
    Objective("kolm_pollak", kappa=0.05),
    Objective("atkinson", epsilon=2.0),
    Objective("group_mean", group="rural"),
]
CONSTRAINTS = [
    Constraints(),
    Constraints(max_minutes=80.0),
    Constraints(min_share_within=0.3),
    Constraints(max_gap_minutes=4.0),
    Constraints(must_open=("s1",), never=("s6",)),
]


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda o: o.kind)
@pytest.mark.parametrize("constraints", CONSTRAINTS, ids=range(len(CONSTRAINTS)))
@pytest.mark.parametrize("p", [1, 2])
def test_enumeration_equals_milp(objective: Objective, constraints: Constraints, p: int) -> None:
    prob = _two_networks(3)
    try:
        enum = optimise(
            prob, p=p, objective=objective, constraints=constraints, method="enumeration", top_k=3
        )
    except InfeasibleError as exc:
        with pytest.raises(InfeasibleError) as again:
            optimise(prob, p=p, objective=objective, constraints=constraints, method="milp", top_k=3)
        assert again.value.constraint == exc.constraint
        assert again.value.best == pytest.approx(exc.best, rel=1e-6, nan_ok=True)
        return
    milp = optimise(prob, p=p, objective=objective, constraints=constraints, method="milp", top_k=3)
    for net in ("A", "B"):
        e, m = enum.blocks[net], milp.blocks[net]
        assert e.method == "enumeration" and m.method == "milp"
        assert e.unreachable == m.unreachable == (("a0",) if net == "A" else ())
        assert e.proven_optimal and m.proven_optimal
        assert [o.objective for o in m.options] == pytest.approx([o.objective for o in e.options], rel=1e-6)
        if constraints.must_open and net == "A":
            assert all("s1" in o.hubs for o in e.options + m.options)
        assert all("s6" not in o.hubs for o in e.options + m.options) or not constraints.never


@pytest.mark.parametrize("measure", ["imd1_mean", "rural_within"])
def test_pareto_fronts_agree(measure: str) -> None:
    prob = _two_networks(5, n=80, m=12)
    enum = optimise(prob, p=2, method="enumeration", pareto=measure)
    milp = optimise(prob, p=2, method="milp", pareto=measure)
    key = "imd1_mean_min" if measure == "imd1_mean" else "rural_within_45_share"
    for net in ("A", "B"):
        fe = [(o.measures["mean_min"], o.measures[key]) for o in enum.blocks[net].pareto]
        fm = [(o.measures["mean_min"], o.measures[key]) for o in milp.blocks[net].pareto]
        assert len(fe) >= 1
        assert np.allclose(fm, fe, rtol=1e-6)
        # a front: mean rises and the equity measure improves along it
        means = [a for a, _ in fe]
        assert means == sorted(means)
        assert fe[0][0] == pytest.approx(enum.blocks[net].best.measures["mean_min"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    p=st.integers(1, 3),
    kind=st.sampled_from(["median", "coverage", "centre", "kolm_pollak", "group_mean"]),
    share=st.one_of(st.none(), st.floats(0.0, 0.9)),
    limit=st.one_of(st.none(), st.floats(40.0, 120.0)),
    gap=st.one_of(st.none(), st.floats(0.0, 20.0)),
)
def test_enumeration_equals_milp_on_random_cases(
    seed: int, p: int, kind: str, share: float | None, limit: float | None, gap: float | None
) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(8, 30)), int(rng.integers(p, 7))
    prob = HubProblem(
        cost=rng.uniform(5.0, 100.0, (n, m)).round(0),
        demand=rng.integers(0, 50, n).astype(float),
        area_ids=[f"a{i}" for i in range(n)],
        site_ids=[f"s{j}" for j in range(m)],
        imd_quintile=rng.integers(1, 6, n),
        rural=rng.random(n) < 0.4,
    )
    objective = Objective(kind, kappa=0.03, group="rural")
    cons = Constraints(min_share_within=share, max_minutes=limit, max_gap_minutes=gap)
    outcomes = []
    for method in ("enumeration", "milp"):
        try:
            res = optimise(
                prob, p=p, national=True, objective=objective, constraints=cons, method=method, top_k=2
            )
            outcomes.append(("ok", [o.objective for o in res.blocks["England"].options]))
        except InfeasibleError as exc:
            outcomes.append((exc.constraint, [exc.best]))
    (a, va), (b, vb) = outcomes
    assert a == b
    assert np.allclose(va, vb, rtol=1e-6, atol=1e-9, equal_nan=True)
