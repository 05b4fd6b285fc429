"""Large capacitated hub problems: greedy interchange for the hubs, HiGHS for the allocation, an LP bound."""

from __future__ import annotations

import logging
import time

import numpy as np
import scipy.sparse as sp

from ..errors import ScenarioError
from ..progress import ProgressFn, report
from .common import (
    Block,
)
from .model import (
    MIP_REL_GAP,
    Model,
    Solved,
    add_constraints,
    build_base,
    objective_vector,
    option_from,
    solve_model,
    with_coverage,
)
from .options import BlockResult, Constraints, HubOption, Objective

log = logging.getLogger(__name__)


#: Candidates per area in the allocation of large capacitated problems.
LARGE_NEAREST_K = 10


def greedy_hubs(model: Model, p: int, *, capacity: float | None = None, swaps: int = 2) -> np.ndarray:
    """Return ``p`` hub positions by greedy adding then one-at-a-time interchange.

    A starting point for large capacitated problems (after Teitz and Bart 1968): every area
    goes to its nearest hub among the model's pairs, and demand above a hub's capacity costs
    as much as the longest journey per unit, so the choice leans to hubs with room. The
    allocation LP with these hubs fixed then meets capacity exactly (or proves it cannot).
    Every candidate is scored at once per step (NumPy), so a step costs one pass over the
    areas x candidates block.
    """
    block = model.block
    big = (float(model.pc.max()) if model.pc.size else 1.0) * 10.0
    n_rows = int(block.cost.shape[0])
    cost: np.ndarray = np.full(block.cost.shape, big)
    cost[model.pi, model.pj] = model.pc
    w = block.w
    cap = (capacity * block.sub.problem.linac_counts[block.cols]) if capacity is not None else None
    penalty = big

    def scores(hubs: list[int]) -> np.ndarray:
        """Return the penalised total for ``hubs + [j]`` for every candidate ``j``."""
        if hubs:
            sub = cost[:, hubs]
            pick = np.argmin(sub, axis=1)
            t = sub[np.arange(sub.shape[0]), pick]
        else:
            pick = np.zeros(n_rows, dtype=np.intp)
            t = np.full(n_rows, big * 10)
        switch = cost < t[:, None]
        total = w @ np.minimum(cost, t[:, None])
        if cap is None:
            return total
        moved = w[:, None] * switch
        new_load = moved.sum(axis=0)
        over = np.maximum(new_load - cap, 0.0)
        if hubs:
            load = np.bincount(pick, weights=w, minlength=len(hubs))
            onehot = sp.csr_matrix(
                (np.ones(pick.size), (pick, np.arange(pick.size))), shape=(len(hubs), pick.size)
            )
            left = load[:, None] - onehot @ moved
            over = over + np.maximum(left - cap[hubs][:, None], 0.0).sum(axis=0)
        return total + penalty * over

    fixed = [int(j) for j in np.flatnonzero(np.isin(block.cols, block.must))]
    chosen = list(fixed)
    while len(chosen) < p:
        v = scores(chosen)
        v[chosen] = np.inf
        chosen.append(int(np.argmin(v)))
    current = float(scores(chosen[:-1])[chosen[-1]]) if chosen else 0.0
    for _ in range(swaps):
        improved = False
        for pos in range(len(chosen)):
            if chosen[pos] in fixed:
                continue
            others = chosen[:pos] + chosen[pos + 1 :]
            v = scores(others)
            v[chosen] = np.inf
            j = int(np.argmin(v))
            if v[j] < current - 1e-9 * abs(current):
                chosen = others[:pos] + [j] + others[pos:]
                current, improved = float(v[j]), True
        if not improved:
            break
    return np.array(sorted(chosen), dtype=np.intp)


def solve_large(
    block: Block,
    p: int,
    objective: Objective,
    constraints: Constraints,
    *,
    kappa: float,
    time_limit: float,
    nearest_k: int,
    start: float,
    progress: ProgressFn | None,
) -> BlockResult:
    """Solve a large problem by a heuristic with a proven bound.

    HiGHS cannot solve the LP relaxation with one linking row per pair on, e.g., 32,844
    areas x 51 candidates within a minute, and without those rows it finds no feasible
    solution. So: (1) the LP relaxation of the full model with one linking row per site (and
    the capacity rows) gives a valid lower bound; (2) greedy-interchange hubs
    (:func:`greedy_hubs`) give a feasible solution: with capacity, with the optimal allocation
    among each area's ``nearest_k`` nearest candidates (an LP, HiGHS); without, every area at
    its nearest hub. The gap between them is reported; the result is never called optimal
    unless the gap is closed.
    """
    capacity = constraints.capacity_per_linac is not None
    report(progress, 0.05, f"{block.sub.label}: lower bound (LP relaxation)")
    full = build_base(block, p, constraints, strong=False)
    add_constraints(full, constraints)
    c_full = objective_vector(full, objective, kappa=kappa)
    lp = solve_model(full, c_full, time_limit=time_limit, relax=True)
    report(progress, 0.5, f"{block.sub.label}: greedy interchange and allocation")
    if not capacity:
        hubs = greedy_hubs(full, p)
        opt = option_from(full, _y_only(full, hubs), 1, objective, constraints, kappa=kappa)
        if objective.kind == "coverage":
            opt = with_coverage(opt, full, _y_only(full, hubs), objective)
        ub = float(c_full[: full.n_pairs] @ _nearest_x(full, hubs))
        lb = lp.fun if lp.x is not None else float("nan")
        return _large_result(block, p, opt, ub, lb, lp, start, "every area at its nearest hub")
    model = build_base(block, p, constraints, nearest_k=nearest_k, strong=False)
    add_constraints(model, constraints)
    c = objective_vector(model, objective, kappa=kappa)
    hubs = greedy_hubs(model, p, capacity=constraints.capacity_per_linac)
    alloc = solve_model(model, c, time_limit=time_limit, fix_hubs=hubs)
    if alloc.x is None:
        raise ScenarioError(
            f"{block.sub.label}: no allocation meets the conditions for the greedy choice of {p} hubs "
            f"({alloc.message}); the conditions (capacity {constraints.capacity_per_linac:g} per linac) "
            "may be too tight: raise the capacity or p."
        )
    opt = option_from(model, alloc.x, 1, objective, constraints, kappa=kappa)
    if objective.kind == "coverage":
        opt = with_coverage(opt, model, alloc.x, objective)
    return _large_result(
        block,
        p,
        opt,
        alloc.fun,
        lp.fun if lp.x is not None else float("nan"),
        lp,
        start,
        f"allocation optimal among each area's {nearest_k} nearest candidates (HiGHS LP)",
    )


def _y_only(model: Model, hubs: np.ndarray) -> np.ndarray:
    x = np.zeros(model.n_vars)
    x[model.y(hubs)] = 1.0
    return x


def _nearest_x(model: Model, hubs: np.ndarray) -> np.ndarray:
    """Return the allocation sending every area to its nearest of ``hubs`` (positions in cols)."""
    open_pair = np.isin(model.pj, hubs)
    cost = np.where(open_pair, model.pc, np.inf)
    order = np.lexsort((cost, model.pi))
    first = np.ones(order.size, dtype=bool)
    first[1:] = model.pi[order][1:] != model.pi[order][:-1]
    x = np.zeros(model.n_pairs)
    x[order[first]] = 1.0
    return x


def _large_result(
    block: Block, p: int, opt: HubOption, ub: float, lb: float, lp: Solved, start: float, how: str
) -> BlockResult:
    gap = max(0.0, (ub - lb) / abs(ub)) if np.isfinite(lb) and ub != 0 else float("nan")
    proven = bool(np.isfinite(gap) and gap <= MIP_REL_GAP)
    note = (
        f"large problem: hubs by greedy interchange, {how}, lower bound from the LP relaxation of the "
        "full model "
        f"({'reached' if lp.x is not None else 'not reached: ' + lp.message}); relative gap "
        f"{gap:.3g}; only the best option is given"
    )
    return BlockResult(
        network=block.sub.label,
        p=p,
        options=(opt,),
        method="heuristic+bound",
        proven_optimal=proven,
        gap=gap,
        objective=opt.objective,
        runtime=time.perf_counter() - start,
        unreachable=tuple(block.sub.problem.area_ids[block.sub.rows[block.unreachable]]),
        combinations=2,
        note=note,
    )
