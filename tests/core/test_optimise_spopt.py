"""The optimiser against PySAL spopt (an independent implementation) on the same matrices."""

from __future__ import annotations

import numpy as np
import pulp
import pytest
from spopt.locate import MCLP, PCenter, PMedian

from access_app.core import pipeline
from access_app.core.optimise import NATIONAL, HubProblem, Objective, from_session_data, optimise

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _cbc() -> pulp.LpSolver:
    return pulp.PULP_CBC_CMD(msg=False)


def _problem(cost: np.ndarray, w: np.ndarray) -> HubProblem:
    n, m = cost.shape
    return HubProblem(
        cost=cost, demand=w, area_ids=[f"a{i}" for i in range(n)], site_ids=[f"s{j}" for j in range(m)]
    )


CASES = [(0, 40, 7), (1, 50, 10), (2, 25, 6)]


@pytest.mark.parametrize(("seed", "n", "m"), CASES)
@pytest.mark.parametrize("method", ["enumeration", "milp"])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_pmedian_mclp_pcentre_match_spopt(seed: int, n: int, m: int, method: str, p: int) -> None:
    rng = np.random.default_rng(seed)
    cost = rng.uniform(3.0, 90.0, (n, m)).round(2)
    w = rng.integers(1, 500, n).astype(float)
    prob = _problem(cost, w)

    ours = optimise(prob, p=p, national=True, method=method, top_k=1).blocks[NATIONAL]
    theirs = PMedian.from_cost_matrix(cost, w, p_facilities=p).solve(_cbc())
    assert ours.objective * w.sum() == pytest.approx(pulp.value(theirs.problem.objective), rel=1e-9)
    assert ours.proven_optimal

    ours = optimise(
        prob,
        p=p,
        national=True,
        method=method,
        top_k=1,
        objective=Objective("coverage", coverage_minutes=30.0),
    ).blocks[NATIONAL]
    theirs = MCLP.from_cost_matrix(cost, w, service_radius=30.0, p_facilities=p).solve(_cbc())
    assert ours.objective * w.sum() == pytest.approx(pulp.value(theirs.problem.objective), rel=1e-9)

    ours = optimise(prob, p=p, national=True, method=method, top_k=1, objective=Objective("centre")).blocks[
        NATIONAL
    ]
    theirs = PCenter.from_cost_matrix(cost, p_facilities=p).solve(_cbc())
    assert ours.objective == pytest.approx(pulp.value(theirs.problem.objective), abs=1e-6)


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> HubProblem:
    cache = tmp_path_factory.mktemp("cache")
    # The 9-region proxy: blocks the size of these checks (the optimiser, not the membership,
    # is under test).
    data = pipeline.load_default_dataset(networks="regions")
    graph = pipeline.load_default_network(cache_dir=cache)
    matrix = pipeline.compute_matrix(data, graph, cache_dir=cache)
    return from_session_data(data.areas, data.sites, matrix)


@pytest.mark.parametrize("network", ["North East", "East Midlands"])
def test_england_networks_match_spopt(england: HubProblem, network: str) -> None:
    """p-median and coverage with 2 hubs among the main centres (p-centre with 1 in the North East)."""
    sub = england.restrict(network)
    cost = sub.cost
    w = sub.demand
    keep = np.isfinite(cost).any(axis=1) & (w > 0)
    cost, w = cost[keep], w[keep]
    assert np.isfinite(cost).all()
    res = optimise(england, p=2, top_k=1).blocks[network]
    theirs = PMedian.from_cost_matrix(cost, w, p_facilities=2).solve(_cbc())
    assert res.objective * w.sum() == pytest.approx(pulp.value(theirs.problem.objective), rel=1e-7)
    res = optimise(england, p=2, top_k=1, objective=Objective("coverage")).blocks[network]
    theirs = MCLP.from_cost_matrix(cost, w, service_radius=45.0, p_facilities=2).solve(_cbc())
    assert res.objective * w.sum() == pytest.approx(pulp.value(theirs.problem.objective), rel=1e-7)
    if network == "North East":  # CBC is slow on p-centre with more areas
        res = optimise(england, p=1, top_k=1, objective=Objective("centre")).blocks[network]
        theirs = PCenter.from_cost_matrix(cost, p_facilities=1).solve(_cbc())
        assert res.objective == pytest.approx(pulp.value(theirs.problem.objective), abs=1e-5)
