"""Exact choice of hubs by evaluating every combination (vectorised with NumPy).

For ``m`` candidates and ``p`` hubs there are C(m, p) combinations; per network with
p = 1..3 this is at most a few hundred, and every one is evaluated exactly: each area goes
to its nearest hub of the combination (the scenario rule ``hub_per_network``), the
demand-weighted sums behind every objective, constraint and Pareto measure are matrix-vector
products over a chunk of combinations at once. The result is proven optimal because nothing
is left out. With capacity the nearest-hub assignment no longer holds, so capacity always
goes to :mod:`~access_app.core.optimise.milp`.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from dataclasses import dataclass

import numpy as np

from ..progress import CancelFn, ProgressFn, check_cancelled, report
from .common import (
    TOL,
    Block,
    active_share_groups,
    check_gap_groups,
    constraint_label,
    infeasible_message,
    journey_value,
    reference_minutes,
    scale_minutes,
    value_from_sum,
)
from .options import BlockResult, Constraints, HubOption, InfeasibleError, Objective, measures

log = logging.getLogger(__name__)

#: Largest number of (area x combination) evaluations :func:`solve` takes on by default.
MAX_WORK = 2e8


def n_combinations(block: Block, p: int) -> int:
    """Return the number of combinations of ``p`` hubs that include every must-open site."""
    free = block.cols.size - block.must.size
    k = p - block.must.size
    return math.comb(free, k) if 0 <= k <= free else 0


def combinations(block: Block, p: int) -> np.ndarray:
    """Return every combination as an ``(n, p)`` array of positions in ``block.cols``."""
    must_pos = [int(np.flatnonzero(block.cols == c)[0]) for c in block.must]
    free = [i for i in range(block.cols.size) if i not in set(must_pos)]
    k = p - len(must_pos)
    combos = [tuple(sorted((*must_pos, *c))) for c in itertools.combinations(free, k)]
    return np.array(combos, dtype=np.intp).reshape(len(combos), p)


@dataclass
class Stats:
    """Demand-weighted sums per combination (arrays of length ``n_combinations``)."""

    all_reached: np.ndarray
    sum_t: np.ndarray
    worst: np.ndarray
    sum_f: np.ndarray
    group_t: dict[str, np.ndarray]
    group_within: dict[str, np.ndarray]


def evaluate(
    block: Block,
    combos: np.ndarray,
    objective: Objective,
    constraints: Constraints,
    *,
    kappa: float,
    ref: float,
    scale: float,
    cancelled: CancelFn | None = None,
    progress: ProgressFn | None = None,
) -> Stats:
    """Return the :class:`Stats` of every combination (nearest-hub assignment)."""
    n, p = combos.shape
    w = block.w
    groups = block.groups
    out = Stats(
        np.zeros(n, bool),
        np.zeros(n),
        np.zeros(n),
        np.zeros(n),
        {g: np.zeros(n) for g in groups},
        {g: np.zeros(n) for g in groups},
    )
    wg = {g: np.where(m, w, 0.0) for g, m in groups.items()}
    rows = max(block.cost.shape[0], 1)
    chunk = max(1, int(4_000_000 // (rows * max(p, 1))))
    for start in range(0, n, chunk):
        check_cancelled(cancelled)
        sl = slice(start, min(n, start + chunk))
        t = block.cost[:, combos[sl]].min(axis=2) if block.cost.shape[0] else np.zeros((0, sl.stop - start))
        finite = np.isfinite(t)
        out.all_reached[sl] = finite.all(axis=0)
        tz = np.where(finite, t, 0.0)
        out.sum_t[sl] = w @ tz
        out.worst[sl] = t.max(axis=0) if t.shape[0] else 0.0
        if objective.kind not in ("median", "group_mean", "centre"):
            out.sum_f[sl] = w @ np.where(
                finite, journey_value(objective, tz, kappa=kappa, ref=ref, scale=scale), 0.0
            )
        within = (tz <= constraints.within_minutes + TOL) & finite
        for g in groups:
            out.group_t[g][sl] = wg[g] @ tz
            out.group_within[g][sl] = wg[g] @ within
        report(progress, sl.stop / n, f"evaluated {sl.stop:,} of {n:,} combinations")
    return out


def scores(
    block: Block,
    stats: Stats,
    objective: Objective,
    constraints: Constraints,
    *,
    kappa: float,
    ref: float,
    scale: float,
) -> np.ndarray:
    """Return the objective of every combination in its own units (``NaN`` if an area is left out)."""
    W = block.total
    if objective.kind == "median":
        val = stats.sum_t / W
    elif objective.kind == "centre":
        val = stats.worst.copy()
    elif objective.kind == "group_mean":
        wg = block.w[block.groups[objective.group]].sum() if objective.group in block.groups else 0.0
        val = stats.group_t[objective.group] / wg if wg > 0 else np.full(stats.sum_t.shape, np.nan)
    elif objective.kind == "coverage":
        val = stats.sum_f / W
    else:
        val = np.array(
            [value_from_sum(objective, s, W, kappa=kappa, ref=ref, scale=scale) for s in stats.sum_f]
        )
    return np.where(stats.all_reached, val, np.nan)


def constraint_values(
    block: Block, stats: Stats, constraints: Constraints
) -> dict[str, tuple[np.ndarray, str]]:
    """Return, per active constraint, its measure for every combination and its sense."""
    out: dict[str, tuple[np.ndarray, str]] = {}
    if constraints.max_minutes is not None:
        out["max_minutes"] = (stats.worst, "min")
    for g in active_share_groups(block, constraints):
        out[f"share:{g}"] = (stats.group_within[g] / block.w[block.groups[g]].sum(), "max")
    if check_gap_groups(block, constraints):
        w1 = block.w[block.groups["imd1"]].sum()
        w5 = block.w[block.groups["imd5"]].sum()
        out["gap"] = (np.abs(stats.group_t["imd1"] / w1 - stats.group_t["imd5"] / w5), "min")
    return out


def meets(values: np.ndarray, name: str, sense: str, constraints: Constraints) -> np.ndarray:
    """Return which combinations meet constraint ``name``."""
    if name == "max_minutes":
        return values <= (constraints.max_minutes or 0.0) + TOL
    if name == "gap":
        return values <= (constraints.max_gap_minutes or 0.0) + TOL
    return values >= (constraints.min_share_within or 0.0) - TOL


def pareto_front(mean: np.ndarray, equity: np.ndarray) -> np.ndarray:
    """Return positions of the non-dominated points (both minimised), by ascending mean."""
    ok = np.flatnonzero(np.isfinite(mean) & np.isfinite(equity))
    order = ok[np.lexsort((equity[ok], mean[ok]))]
    front: list[int] = []
    best = math.inf
    for i in order:
        if equity[i] < best - 1e-12:
            front.append(int(i))
            best = float(equity[i])
    return np.array(front, dtype=np.intp)


def pareto_values(block: Block, stats: Stats, measure: str) -> np.ndarray:
    """Return the equity measure of every combination, oriented so that smaller is better.

    ``measure`` is ``"<group>_mean"`` (mean minutes of a group) or ``"<group>_within"``
    (share within the threshold, negated).
    """
    group, _, kind = measure.rpartition("_")
    if group not in block.groups or kind not in ("mean", "within"):
        raise InfeasibleError(
            f"Pareto measure {measure!r} is not available: use e.g. imd1_mean or "
            "rural_within with data that has IMD and urban/rural columns.",
            constraint="pareto",
        )
    wg = block.w[block.groups[group]].sum()
    if wg <= 0:
        return np.full(stats.sum_t.shape, np.nan)
    if kind == "mean":
        return stats.group_t[group] / wg
    return -stats.group_within[group] / wg


def make_option(
    block: Block,
    hub_cols: np.ndarray,
    rank: int,
    objective_value: float,
    *,
    kappa: float,
    epsilon: float,
    within: float,
) -> HubOption:
    """Return the :class:`HubOption` of hubs ``hub_cols`` (global columns), nearest-hub assignment."""
    sub = block.sub
    cols = np.sort(np.asarray(hub_cols, dtype=np.intp))
    t = sub.problem.cost[np.ix_(sub.rows[block.active], cols)].min(axis=1)
    ok = np.isfinite(t)
    m = measures(sub, block.active[ok], t[ok], block.w[ok], kappa=kappa, epsilon=epsilon, within=within)
    return HubOption(
        network=sub.label,
        hubs=tuple(str(s) for s in sub.problem.site_ids[cols]),
        rank=rank,
        objective=float(objective_value),
        measures=m,
    )


def solve(
    block: Block,
    p: int,
    objective: Objective,
    constraints: Constraints,
    *,
    kappa: float,
    top_k: int = 5,
    pareto: str | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> BlockResult:
    """Choose ``p`` hubs for ``block`` by evaluating every combination.

    Parameters
    ----------
    block
        Prepared sub-problem (see :func:`~access_app.core.optimise.common.prepare`).
    p
        Number of hubs.
    objective, constraints
        What to optimise and what every option must meet (not capacity).
    kappa
        Kolm-Pollak aversion per minute (objective and measures).
    top_k
        How many ranked options to return.
    pareto
        Equity measure for the efficiency-equity front (``"imd1_mean"``, ``"rural_within"``
        ...), or ``None``.
    progress, cancelled
        Progress callback and cancel check.

    Returns
    -------
    BlockResult
        ``method = "enumeration"``, ``proven_optimal = True``, ``gap = 0``.

    Raises
    ------
    InfeasibleError
        Naming the constraint no combination meets and the best value any reaches.
    """
    if constraints.capacity_per_linac is not None:
        raise ValueError("capacity needs the MILP: the nearest-hub assignment no longer applies")
    start = time.perf_counter()
    combos = combinations(block, p)
    ref, scale = reference_minutes(block), scale_minutes(block)
    stats = evaluate(
        block,
        combos,
        objective,
        constraints,
        kappa=kappa,
        ref=ref,
        scale=scale,
        cancelled=cancelled,
        progress=progress,
    )
    score = scores(block, stats, objective, constraints, kappa=kappa, ref=ref, scale=scale)
    feasible = np.isfinite(score)
    cvals = constraint_values(block, stats, constraints)
    for name, (vals, sense) in cvals.items():
        feasible &= meets(vals, name, sense, constraints)
    if not feasible.any():
        _raise_infeasible(block, p, stats, score, cvals, constraints)
    key = -score if objective.maximise else score
    mean = stats.sum_t / block.total if block.total > 0 else np.zeros_like(score)
    idx = np.flatnonzero(feasible)
    order = idx[np.lexsort((idx, mean[idx], key[idx]))]
    within = constraints.within_minutes
    options = tuple(
        make_option(
            block, block.cols[combos[i]], r, score[i], kappa=kappa, epsilon=objective.epsilon, within=within
        )
        for r, i in enumerate(order[:top_k], start=1)
    )
    front: tuple[HubOption, ...] = ()
    if pareto is not None:
        eq = np.where(feasible, pareto_values(block, stats, pareto), np.nan)
        pts = pareto_front(np.where(feasible, mean, np.nan), eq)
        front = tuple(
            make_option(
                block,
                block.cols[combos[i]],
                r,
                score[i],
                kappa=kappa,
                epsilon=objective.epsilon,
                within=within,
            )
            for r, i in enumerate(pts, start=1)
        )
    best = options[0]
    return BlockResult(
        network=block.sub.label,
        p=p,
        options=options,
        method="enumeration",
        proven_optimal=True,
        gap=0.0,
        objective=best.objective,
        runtime=time.perf_counter() - start,
        unreachable=tuple(block.sub.problem.area_ids[block.sub.rows[block.unreachable]]),
        pareto=front,
        combinations=int(combos.shape[0]),
    )


def _raise_infeasible(
    block: Block,
    p: int,
    stats: Stats,
    score: np.ndarray,
    cvals: dict[str, tuple[np.ndarray, str]],
    constraints: Constraints,
) -> None:
    reached = np.isfinite(score)
    if not reached.any():
        raise InfeasibleError(
            f"{block.sub.label}: every choice of {p} hubs leaves some areas with no reachable hub; "
            "add candidates they can reach.",
            constraint="reachability",
        )
    for name, (vals, sense) in cvals.items():
        ok = meets(vals, name, sense, constraints) & reached
        if not ok.any():
            v = vals[reached]
            best = float(v.min() if sense == "min" else v.max())
            raise InfeasibleError(
                infeasible_message(block, p, name, best, constraints), constraint=name, best=best
            )
    names = "; ".join(constraint_label(n, constraints) for n in cvals)
    raise InfeasibleError(
        f"{block.sub.label}: each condition can be met with {p} hubs but not all together "
        f"({names}); relax one of them or raise p.",
        constraint="together",
    )
