"""The hub problem as a HiGHS model: variables, the rows of objectives and conditions, solving.

The formulation is described in :mod:`.milp`, which solves it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from ..errors import ScenarioError
from .common import (
    TOL,
    Block,
    active_share_groups,
    check_gap_groups,
    journey_value,
    reference_minutes,
    scale_minutes,
)
from .enumerate import make_option
from .options import Constraints, HubOption, Objective, measures

log = logging.getLogger(__name__)


#: Default relative optimality gap at which HiGHS stops and reports "optimal".
MIP_REL_GAP = 1e-6


#: Pairs above which the linking rows are aggregated per site instead of one per pair.
STRONG_LINK_LIMIT = 4_000_000


#: With capacity, pairs above which the per-pair linking rows are left out (the capacity
#: rows link hubs and allocation on their own).
CAPACITY_STRONG_LIMIT = 300_000


@dataclass
class Model:
    """A MILP under construction over one block (pairs, hub variables and extra columns)."""

    block: Block
    p: int
    pi: np.ndarray
    pj: np.ndarray
    pc: np.ndarray
    n_extra: int = 0
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, float, float]] = field(default_factory=list)

    @property
    def n_pairs(self) -> int:
        """Return the number of assignment variables."""
        return int(self.pi.size)

    @property
    def m(self) -> int:
        """Return the number of hub variables."""
        return int(self.block.cols.size)

    @property
    def n_vars(self) -> int:
        """Return the number of variables."""
        return self.n_pairs + self.m + self.n_extra

    def y(self, j: np.ndarray | int) -> np.ndarray:
        """Return the variable index of hub ``j`` (position in ``block.cols``)."""
        return self.n_pairs + np.asarray(j)

    def add_extra(self) -> int:
        """Add one continuous variable and return its index."""
        self.n_extra += 1
        return self.n_vars - 1

    def add_rows(
        self,
        r: np.ndarray,
        c: np.ndarray,
        v: np.ndarray,
        lo: np.ndarray | float,
        hi: np.ndarray | float,
        n: int,
    ) -> None:
        """Append ``n`` rows given as triplets (row offsets from 0) with bounds ``lo..hi``."""
        lo_a = np.broadcast_to(np.asarray(lo, dtype=float), (n,))
        hi_a = np.broadcast_to(np.asarray(hi, dtype=float), (n,))
        self.rows.append((np.asarray(r), np.asarray(c), np.asarray(v, dtype=float), lo_a, hi_a))  # type: ignore[arg-type]

    def add_row(self, c: np.ndarray, v: np.ndarray, lo: float, hi: float) -> None:
        """Append one row."""
        self.add_rows(np.zeros(len(c), dtype=np.intp), c, v, lo, hi, 1)

    def matrix(self) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """Return the stacked constraint matrix and its bounds."""
        rs, cs, vs, los, his = [], [], [], [], []
        offset = 0
        for r, c, v, lo, hi in self.rows:
            rs.append(r + offset)
            cs.append(c)
            vs.append(v)
            los.append(lo)
            his.append(hi)
            offset += int(np.size(lo))
        A = sp.csr_matrix(
            (np.concatenate(vs), (np.concatenate(rs), np.concatenate(cs))), shape=(offset, self.n_vars)
        )
        return A, np.concatenate(los), np.concatenate(his)


def nearest_pairs(cost: np.ndarray, k: int) -> np.ndarray:
    """Return a mask keeping, per row, the ``k`` smallest finite entries (ties at the k-th kept)."""
    if k >= cost.shape[1]:
        return np.isfinite(cost)
    kth = np.partition(cost, k - 1, axis=1)[:, k - 1 : k]
    return np.isfinite(cost) & (cost <= kth)


def build_base(
    block: Block,
    p: int,
    constraints: Constraints,
    *,
    binary_x: bool = False,
    closest: bool = False,
    nearest_k: int | None = None,
    strong: bool | None = None,
) -> Model:
    """Return the model with assignment, linking, count, must-open, capacity and limit rows.

    ``nearest_k`` restricts each area to its ``k`` nearest candidates (a smaller model whose
    optimum is not proven optimal for the full problem).
    """
    cost = block.cost
    cand = np.isfinite(cost) if nearest_k is None else nearest_pairs(cost, nearest_k)
    if constraints.max_minutes is not None:
        cand &= cost <= constraints.max_minutes + TOL
    pi, pj = np.nonzero(cand)
    model = Model(block=block, p=p, pi=pi, pj=pj, pc=cost[pi, pj])
    n_rows = cost.shape[0]
    # each area fully assigned
    model.add_rows(pi, np.arange(model.n_pairs), np.ones(model.n_pairs), 1.0, 1.0, n_rows)
    # linking: one row per pair (a tight relaxation), or with capacity on large problems
    # one row per site (the capacity row then links too; a far smaller LP, a weaker bound)
    if strong is None:
        strong = model.n_pairs <= STRONG_LINK_LIMIT
        if constraints.capacity_per_linac is not None and model.n_pairs > CAPACITY_STRONG_LIMIT:
            strong = False
    if strong:
        k = np.arange(model.n_pairs)
        model.add_rows(
            np.concatenate([k, k]),
            np.concatenate([k, model.y(pj)]),
            np.concatenate([np.ones(model.n_pairs), -np.ones(model.n_pairs)]),
            -np.inf,
            0.0,
            model.n_pairs,
        )
    else:
        per_site = np.bincount(pj, minlength=model.m).astype(float)
        j = np.arange(model.m)
        model.add_rows(
            np.concatenate([pj, j]),
            np.concatenate([np.arange(model.n_pairs), model.y(j)]),
            np.concatenate([np.ones(model.n_pairs), -per_site]),
            -np.inf,
            0.0,
            model.m,
        )
    # number of hubs
    j = np.arange(model.m)
    model.add_row(model.y(j), np.ones(model.m), float(p), float(p))
    if constraints.capacity_per_linac is not None:
        lin = block.sub.problem.linac_counts[block.cols]
        model.add_rows(
            np.concatenate([pj, j]),
            np.concatenate([np.arange(model.n_pairs), model.y(j)]),
            np.concatenate([block.w[pi], -constraints.capacity_per_linac * lin]),
            -np.inf,
            0.0,
            model.m,
        )
    if closest:
        _closest_rows(model)
    model_binary = binary_x
    setattr(model, "binary_x", model_binary)  # noqa: B010 - read by solve_model
    return model


def _closest_rows(model: Model) -> None:
    """Add y_j + sum_{k farther than j} x_ik <= 1 for every pair (closest assignment)."""
    order = np.lexsort((-model.pc, model.pi))  # by row, farthest first
    rr: list[np.ndarray] = []
    cc: list[np.ndarray] = []
    row = 0
    pi, pc = model.pi[order], model.pc[order]
    bounds = np.flatnonzero(np.diff(np.concatenate([[-1], pi, [pi.size and pi[-1] + 1]])))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        idx = order[a:b]  # pairs of one area, farthest first
        costs = pc[a:b]
        for t in range(idx.size):
            farther = idx[:t][costs[:t] > costs[t] + TOL]
            rr.append(np.full(farther.size + 1, row))
            cc.append(np.concatenate([[model.y(model.pj[idx[t]])], farther]))
            row += 1
    if row:
        r = np.concatenate(rr)
        model.add_rows(r, np.concatenate(cc), np.ones(r.size), -np.inf, 1.0, row)


def expr_mean(model: Model, group: str | None = None) -> np.ndarray:
    """Return coefficients on x of the mean minutes (of ``group``, or of everyone)."""
    w = model.block.w[model.pi]
    if group is None:
        return w * model.pc / model.block.total
    mask = model.block.groups[group][model.pi]
    wg = model.block.w[model.block.groups[group]].sum()
    return np.where(mask, w * model.pc / wg, 0.0)


def expr_within(model: Model, minutes: float, group: str | None = None) -> np.ndarray:
    """Return coefficients on x of the share within ``minutes`` (of ``group``, or of everyone)."""
    w = model.block.w[model.pi] * (model.pc <= minutes + TOL)
    if group is None:
        return w / model.block.total
    mask = model.block.groups[group][model.pi]
    wg = model.block.w[model.block.groups[group]].sum()
    return np.where(mask, w / wg, 0.0)


def add_constraints(model: Model, constraints: Constraints, skip: str | None = None) -> None:
    """Add the share and gap conditions (all but ``skip``)."""
    block = model.block
    k = np.arange(model.n_pairs)
    for g in active_share_groups(block, constraints):
        if skip == f"share:{g}":
            continue
        coef = expr_within(model, constraints.within_minutes, g)
        nz = coef != 0
        model.add_row(k[nz], coef[nz], float(constraints.min_share_within or 0.0) - TOL, np.inf)
    if skip != "gap" and check_gap_groups(block, constraints):
        coef = expr_mean(model, "imd1") - expr_mean(model, "imd5")
        nz = coef != 0
        G = float(constraints.max_gap_minutes or 0.0)
        model.add_row(k[nz], coef[nz], -G - TOL, G + TOL)


@dataclass(frozen=True)
class Solved:
    """Outcome of one HiGHS call."""

    x: np.ndarray | None
    status: int
    message: str
    fun: float
    gap: float
    runtime: float
    bound: float = float("nan")

    @property
    def proven(self) -> bool:
        """Return ``True`` if HiGHS reports an optimal solution (within its gap tolerance)."""
        return self.status == 0 and self.x is not None


def solve_model(
    model: Model,
    c: np.ndarray,
    *,
    time_limit: float,
    mip_rel_gap: float = MIP_REL_GAP,
    extra_rows: list[tuple[np.ndarray, np.ndarray, float, float]] | None = None,
    fix_hubs: np.ndarray | None = None,
    relax: bool = False,
) -> Solved:
    """Solve ``min c @ v`` over the model (plus ``extra_rows``) with HiGHS.

    ``fix_hubs`` (positions in ``block.cols``) fixes the hubs, leaving only the allocation;
    ``relax`` solves the LP relaxation (no integer variables).
    """
    saved = list(model.rows)
    for cols, vals, lo, hi in extra_rows or []:
        model.add_row(cols, vals, lo, hi)
    A, row_lo, row_hi = model.matrix()
    model.rows = saved
    integrality = np.zeros(model.n_vars, dtype=np.uint8)
    integrality[model.n_pairs : model.n_pairs + model.m] = 1
    if getattr(model, "binary_x", False):
        integrality[: model.n_pairs] = 1
    if relax or fix_hubs is not None:
        integrality[:] = 0
    lb = np.zeros(model.n_vars)
    ub = np.ones(model.n_vars)
    ub[model.n_pairs + model.m :] = np.inf
    lb[model.y(np.flatnonzero(np.isin(model.block.cols, model.block.must)))] = 1.0
    if fix_hubs is not None:
        ub[model.y(np.arange(model.m))] = 0.0
        ub[model.y(fix_hubs)] = 1.0
        lb[model.y(fix_hubs)] = 1.0
    big = float(np.abs(c).max()) if c.size else 0.0
    scale = 100.0 / big if big > 0 else 1.0
    start = time.perf_counter()
    res = milp(
        c * scale,
        integrality=integrality,
        bounds=Bounds(lb, ub),
        constraints=[LinearConstraint(A, row_lo, row_hi)],
        options={
            "time_limit": max(1.0, float(time_limit)),
            "mip_rel_gap": mip_rel_gap,
            "disp": bool(os.environ.get("ACCESS_APP_HIGHS_LOG")),
        },
    )
    runtime = time.perf_counter() - start
    gap = getattr(res, "mip_gap", None)
    log.info(
        "HiGHS: status %s (%s) in %.2f s, gap %s, %d vars, %d rows",
        res.status,
        res.message,
        runtime,
        gap,
        model.n_vars,
        A.shape[0],
    )
    x = res.x if res.x is not None else None
    bound = getattr(res, "mip_dual_bound", None)
    return Solved(
        x=x,
        status=int(res.status),
        message=str(res.message),
        fun=float(res.fun) / scale if res.fun is not None else float("nan"),
        gap=float(gap) if gap is not None else (0.0 if res.status == 0 else float("nan")),
        runtime=runtime,
        bound=float(bound) / scale if bound is not None and np.isfinite(bound) else float("nan"),
    )


def objective_vector(model: Model, objective: Objective, *, kappa: float) -> np.ndarray:
    """Return the cost vector (minimised) of ``objective``; adds the p-centre variable if needed."""
    block = model.block
    if objective.kind == "centre":
        d = model.add_extra()
        k = np.arange(model.n_pairs)
        model.add_rows(
            np.concatenate([model.pi, np.arange(block.cost.shape[0])]),
            np.concatenate([k, np.full(block.cost.shape[0], d)]),
            np.concatenate([model.pc, -np.ones(block.cost.shape[0])]),
            -np.inf,
            0.0,
            block.cost.shape[0],
        )
        c = np.zeros(model.n_vars)
        c[d] = 1.0
        # a tiny mean term picks, among equal worst journeys, a short assignment
        c[: model.n_pairs] = 1e-7 * expr_mean(model)
        return c
    c = np.zeros(model.n_vars)
    if objective.kind == "median":
        c[: model.n_pairs] = expr_mean(model)
    elif objective.kind == "group_mean":
        if objective.group not in block.groups:
            raise ScenarioError(f"objective group {objective.group!r} needs IMD or urban/rural columns.")
        c[: model.n_pairs] = expr_mean(model, objective.group) + 1e-7 * expr_mean(model)
    elif objective.kind == "coverage":
        c[: model.n_pairs] = -expr_within(model, objective.coverage_minutes) + 1e-7 * expr_mean(model)
    else:
        f = journey_value(
            objective, model.pc, kappa=kappa, ref=reference_minutes(block), scale=scale_minutes(block)
        )
        coef = block.w[model.pi] * f / block.total
        big = np.abs(coef).max() if coef.size else 1.0
        c[: model.n_pairs] = coef / (big if big > 0 else 1.0)
    return c


def hubs_of(model: Model, x: np.ndarray) -> np.ndarray:
    """Return the global columns of the hubs in a solution."""
    y = x[model.n_pairs : model.n_pairs + model.m]
    return model.block.cols[np.flatnonzero(y > 0.5)]


def option_from(
    model: Model, x: np.ndarray, rank: int, objective: Objective, constraints: Constraints, *, kappa: float
) -> HubOption:
    """Return the option of a solution: nearest-hub measures, or the split allocation with capacity."""
    block = model.block
    hubs = hubs_of(model, x)
    if constraints.capacity_per_linac is None:
        opt = make_option(
            block,
            hubs,
            rank,
            float("nan"),
            kappa=kappa,
            epsilon=objective.epsilon,
            within=constraints.within_minutes,
        )
        return HubOption(
            network=opt.network,
            hubs=opt.hubs,
            rank=rank,
            objective=_objective_of(opt.measures, objective),
            measures=opt.measures,
        )
    share = x[: model.n_pairs]
    keep = share > 1e-7
    rows = model.pi[keep]
    t = model.pc[keep]
    wt = block.w[rows] * share[keep]
    m = measures(
        block.sub,
        block.active[rows],
        t,
        wt,
        kappa=kappa,
        epsilon=objective.epsilon,
        within=constraints.within_minutes,
    )
    prob = block.sub.problem
    load = np.bincount(model.pj[keep], weights=wt, minlength=model.m)
    lin = prob.linac_counts[block.cols]
    pos = np.isin(block.cols, hubs)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(lin[pos] > 0, load[pos] / lin[pos], np.inf)
    m["max_demand_per_linac"] = float(per.max()) if per.size else float("nan")
    area = prob.area_ids[block.sub.rows[block.active[rows]]]
    site = prob.site_ids[block.cols[model.pj[keep]]]
    alloc = tuple((str(a), str(s), float(v)) for a, s, v in zip(area, site, share[keep], strict=True))
    if objective.kind == "centre":
        m["worst_min"] = float(t.max()) if t.size else float("nan")
    cols_sorted = np.sort(hubs)
    return HubOption(
        network=block.sub.label,
        hubs=tuple(str(s) for s in prob.site_ids[cols_sorted]),
        rank=rank,
        objective=_objective_of(m, objective),
        measures=m,
        allocation=alloc,
    )


def _objective_of(m: Mapping[str, float], objective: Objective) -> float:
    meas = dict(m)
    if objective.kind == "median":
        return float(meas["mean_min"])
    if objective.kind == "coverage":
        # the measures use the constraint threshold; coverage uses its own T
        return float(meas["coverage_share"] if "coverage_share" in meas else meas["within_45_share"])
    if objective.kind == "centre":
        return float(meas["worst_min"])
    if objective.kind == "kolm_pollak":
        return float(meas["kolm_pollak_ede"])
    if objective.kind == "atkinson":
        return float(meas["atkinson_ede"])
    return float(meas[f"{objective.group}_mean_min"])


def with_coverage(opt: HubOption, model: Model, x: np.ndarray, objective: Objective) -> HubOption:
    """Put the coverage share at the objective's own threshold into the option."""
    m = dict(opt.measures)
    if opt.allocation:
        share = x[: model.n_pairs]
        covered = float(
            np.sum(model.block.w[model.pi] * share * (model.pc <= objective.coverage_minutes + TOL))
        )
        m["coverage_share"] = covered / model.block.total
    else:
        hubs = np.isin(model.block.cols, model.block.sub.problem.site_index(list(opt.hubs)))
        t = model.block.cost[:, hubs].min(axis=1)
        m["coverage_share"] = float(
            model.block.w[t <= objective.coverage_minutes + TOL].sum() / model.block.total
        )
    return HubOption(
        network=opt.network,
        hubs=opt.hubs,
        rank=opt.rank,
        objective=m["coverage_share"],
        measures=m,
        allocation=opt.allocation,
    )
