r"""Exact choice of hubs as a mixed-integer linear programme, solved by HiGHS.

Used when there are too many combinations to evaluate, and whenever capacity binds (areas
then no longer simply go to the nearest hub). Variables: :math:`y_j \in \{0,1\}` (site
:math:`j` is a hub) and :math:`x_{ij} \in [0,1]` (share of area :math:`i`'s demand
:math:`w_i` sent to :math:`j`), one for every pair with a finite time (and within the
``max_minutes`` limit, which is how "nobody beyond X minutes" is imposed). With
:math:`W = \sum_i w_i`:

- assignment :math:`\sum_j x_{ij} = 1`; linking :math:`x_{ij} \le y_j`;
  :math:`\sum_j y_j = p`; must-open :math:`y_j = 1`; never-hub sites are left out;
- p-median (ReVelle and Swain 1970): minimise :math:`\sum w_i c_{ij} x_{ij} / W`;
- maximal coverage (Church and ReVelle 1974): maximise
  :math:`\sum_{c_{ij} \le T} w_i x_{ij} / W`;
- p-centre (Hakimi 1964): minimise :math:`D` with :math:`\sum_j c_{ij} x_{ij} \le D`
  for every area (with capacity :math:`x` is then binary, so no journey is averaged);
- Kolm-Pollak EDE (Kolm 1976): :math:`\xi = \frac1\kappa\ln(\frac1W\sum w_i
  e^{\kappa t_i})` is increasing in :math:`\sum w_i e^{\kappa t_i}`, which is linear in
  :math:`x` for a fixed :math:`\kappa`: minimise :math:`\sum w_i e^{\kappa(c_{ij}-r)}
  x_{ij}/W` (:math:`r` a reference shift for numerical range);
- Atkinson EDE for a bad: increasing in :math:`\sum w_i c_{ij}^{1+\varepsilon} x_{ij}`;
- share within 45 minutes of group :math:`g`:
  :math:`\sum_{i\in g, c_{ij}\le 45} w_i x_{ij} \ge S\,W_g`;
- gap: :math:`|\bar t_{Q1} - \bar t_{Q5}| \le G` (two linear rows). The gap is not monotone
  in journey times, so without capacity the closest-assignment rows
  :math:`y_j + \sum_{k: c_{ik} > c_{ij}} x_{ik} \le 1` (Rojeski and ReVelle 1970) keep
  every area at its nearest hub, as the scenario rule does;
- capacity: :math:`\sum_i w_i x_{ij} \le C\,L_j\,y_j` (:math:`L_j` linacs).

Without the gap condition the optimum with free assignment already sends each area to its
nearest hub (every other term is monotone in each journey), and the reported measures are
recomputed with nearest-hub assignment. Top-k options come from "no-good" cuts
:math:`\sum_{j\in S} y_j \le p-1` excluding each option found; the Pareto front from the
epsilon-constraint method (least mean subject to the equity measure at most the last
point's value less a step). HiGHS's status and relative gap are reported as they are: a
result is ``proven_optimal`` only if HiGHS says optimal within ``mip_rel_gap``.
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
)
from .enumerate import make_option
from .options import BlockResult, Constraints, HubOption, InfeasibleError, Objective, measures

log = logging.getLogger(__name__)

#: Default relative optimality gap at which HiGHS stops and reports "optimal".
MIP_REL_GAP = 1e-6
#: Pairs above which the linking rows are aggregated per site instead of one per pair.
STRONG_LINK_LIMIT = 4_000_000
#: With capacity, pairs above which the per-pair linking rows are left out (the capacity
#: rows link hubs and allocation on their own).
CAPACITY_STRONG_LIMIT = 300_000
#: Candidates per area in the allocation of large capacitated problems.
LARGE_NEAREST_K = 10


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


def solve(
    block: Block,
    p: int,
    objective: Objective,
    constraints: Constraints,
    *,
    kappa: float,
    top_k: int = 5,
    pareto: str | None = None,
    time_limit: float = 60.0,
    mip_rel_gap: float = MIP_REL_GAP,
    max_pareto_points: int = 15,
    nearest_k: int | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> BlockResult:
    """Choose ``p`` hubs for ``block`` with HiGHS.

    Parameters
    ----------
    block, p, objective, constraints, kappa, top_k, pareto
        As :func:`access_app.core.optimise.enumerate.solve` (capacity allowed here).
    time_limit
        Seconds HiGHS may spend on the best option; the other options and the Pareto points
        share the same budget again.
    mip_rel_gap
        Relative gap at which HiGHS may stop and call the solution optimal.
    max_pareto_points
        Most points of the Pareto front.
    nearest_k
        If given, each area may only be allocated to its ``nearest_k`` nearest candidates: a
        smaller model for large capacitated problems. Its solution is feasible for the full
        problem but never reported as proven optimal (the gap refers to the restricted model).
    progress, cancelled
        Checked between solver calls (HiGHS itself cannot be interrupted from here).

    Returns
    -------
    BlockResult
        ``method = "milp"``; ``proven_optimal`` and ``gap`` as HiGHS reports them.

    Raises
    ------
    InfeasibleError
        If no choice meets the constraints, naming the one at fault and the best value reached.
    """
    start = time.perf_counter()
    capacity = constraints.capacity_per_linac is not None
    plain = (
        constraints.max_minutes is None
        and constraints.min_share_within is None
        and constraints.max_gap_minutes is None
    )
    if (
        objective.kind != "centre"
        and (capacity or plain)
        and np.isfinite(block.cost).sum() > CAPACITY_STRONG_LIMIT
    ):
        return _large(
            block,
            p,
            objective,
            constraints,
            kappa=kappa,
            time_limit=time_limit,
            nearest_k=nearest_k or LARGE_NEAREST_K,
            start=start,
            progress=progress,
        )
    closest = (not capacity) and check_gap_groups(block, constraints)
    binary_x = capacity and objective.kind == "centre"
    if objective.kind == "coverage" and abs(objective.coverage_minutes - constraints.within_minutes) > TOL:
        log.info(
            "coverage threshold %s differs from the share threshold %s",
            objective.coverage_minutes,
            constraints.within_minutes,
        )
    report(progress, 0.0, f"{block.sub.label}: building the MILP")
    restricted = nearest_k is not None and nearest_k < block.cols.size
    model = build_base(
        block, p, constraints, binary_x=binary_x, closest=closest, nearest_k=nearest_k if restricted else None
    )
    if (np.bincount(model.pi, minlength=block.cost.shape[0]) == 0).any():
        _raise_max_minutes(block, p, constraints, time_limit)
    add_constraints(model, constraints)
    c = objective_vector(model, objective, kappa=kappa)
    check_cancelled(cancelled)
    report(progress, 0.05, f"{block.sub.label}: solving ({model.n_vars:,} variables)")
    first = solve_model(model, c, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    if first.x is None:
        if first.status == 2:
            _diagnose(block, p, objective, constraints, kappa=kappa, time_limit=time_limit)
        raise ScenarioError(
            f"{block.sub.label}: HiGHS found no solution within {time_limit:g} s "
            f"({first.message}); raise the time limit or relax the conditions."
        )
    options = [option_from(model, first.x, 1, objective, constraints, kappa=kappa)]
    if objective.kind == "coverage":
        options[0] = _with_coverage(options[0], model, first.x, objective)
    cuts: list[tuple[np.ndarray, np.ndarray, float, float]] = []
    calls = 1
    prev = first.x
    for r in range(2, top_k + 1):
        check_cancelled(cancelled)
        report(progress, 0.1 + 0.5 * r / max(top_k, 1), f"{block.sub.label}: option {r} of {top_k}")
        hubs = np.flatnonzero(np.isin(block.cols, hubs_of(model, prev)))
        cuts.append((model.y(hubs), np.ones(hubs.size), -np.inf, float(p - 1)))
        last = solve_model(model, c, time_limit=time_limit, mip_rel_gap=mip_rel_gap, extra_rows=cuts)
        calls += 1
        if last.x is None:
            break
        prev = last.x
        opt = option_from(model, last.x, r, objective, constraints, kappa=kappa)
        if objective.kind == "coverage":
            opt = _with_coverage(opt, model, last.x, objective)
        options.append(opt)
    front: tuple[HubOption, ...] = ()
    if pareto is not None:
        front, n = _pareto(
            model,
            block,
            objective,
            constraints,
            pareto,
            kappa=kappa,
            time_limit=time_limit,
            mip_rel_gap=mip_rel_gap,
            max_points=max_pareto_points,
            cancelled=cancelled,
        )
        calls += n
    note = "" if first.proven else f"HiGHS stopped: {first.message}; relative gap {first.gap:.3g}"
    if restricted:
        note = "; ".join(
            x
            for x in (
                f"each area allocated only among its {nearest_k} nearest candidates: the gap is that of the "
                "restricted model, and the result is not proven optimal for the full problem",
                note,
            )
            if x
        )
    return BlockResult(
        network=block.sub.label,
        p=p,
        options=tuple(options),
        method="milp",
        proven_optimal=first.proven and not restricted,
        gap=first.gap,
        objective=options[0].objective,
        runtime=time.perf_counter() - start,
        unreachable=tuple(block.sub.problem.area_ids[block.sub.rows[block.unreachable]]),
        pareto=front,
        combinations=calls,
        note=note,
    )


def _large(
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
            opt = _with_coverage(opt, full, _y_only(full, hubs), objective)
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
        opt = _with_coverage(opt, model, alloc.x, objective)
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


def _with_coverage(opt: HubOption, model: Model, x: np.ndarray, objective: Objective) -> HubOption:
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


def _pareto(
    model: Model,
    block: Block,
    objective: Objective,
    constraints: Constraints,
    measure: str,
    *,
    kappa: float,
    time_limit: float,
    mip_rel_gap: float,
    max_points: int,
    cancelled: CancelFn | None,
) -> tuple[tuple[HubOption, ...], int]:
    group, _, kind = measure.rpartition("_")
    if group not in block.groups or kind not in ("mean", "within"):
        raise InfeasibleError(
            f"Pareto measure {measure!r} is not available: use e.g. imd1_mean or "
            "rural_within with data that has IMD and urban/rural columns.",
            constraint="pareto",
        )
    if block.w[block.groups[group]].sum() <= 0:
        return (), 0
    base = Model(
        block=model.block,
        p=model.p,
        pi=model.pi,
        pj=model.pj,
        pc=model.pc,
        n_extra=0,
        rows=[r for r in model.rows],
    )
    setattr(base, "binary_x", getattr(model, "binary_x", False))  # noqa: B010
    # drop rows of the objective's own extra variable (p-centre), if any
    base.rows = [r for r in base.rows if not (r[1].size and r[1].max() >= base.n_vars)]
    eq = expr_mean(base, group) if kind == "mean" else -expr_within(base, constraints.within_minutes, group)
    step = 0.01 if kind == "mean" else 1e-4
    c = np.zeros(base.n_vars)
    c[: base.n_pairs] = expr_mean(base) + 1e-6 * eq
    k = np.arange(base.n_pairs)
    nz = eq != 0
    bound = np.inf
    points: list[HubOption] = []
    calls = 0
    while len(points) < max_points:
        check_cancelled(cancelled)
        extra = [] if not np.isfinite(bound) else [(k[nz], eq[nz], -np.inf, bound)]
        res = solve_model(base, c, time_limit=time_limit, mip_rel_gap=mip_rel_gap, extra_rows=extra)
        calls += 1
        if res.x is None:
            break
        opt = option_from(base, res.x, len(points) + 1, objective, constraints, kappa=kappa)
        if objective.kind == "coverage":
            opt = _with_coverage(opt, base, res.x, objective)
        points.append(opt)
        value = float(eq @ res.x[: base.n_pairs])
        bound = value - step
    return tuple(points), calls


def _raise_max_minutes(block: Block, p: int, constraints: Constraints, time_limit: float) -> None:
    centre = solve(
        block,
        p,
        Objective("centre"),
        Constraints(must_open=constraints.must_open, never=constraints.never),
        kappa=1.0,
        top_k=1,
        time_limit=time_limit,
    )
    raise InfeasibleError(
        infeasible_message(block, p, "max_minutes", centre.objective, constraints),
        constraint="max_minutes",
        best=centre.objective,
    )


def _diagnose(
    block: Block, p: int, objective: Objective, constraints: Constraints, *, kappa: float, time_limit: float
) -> None:
    """Find which condition cannot be met and the best value any choice reaches; raise."""
    bare = Constraints(must_open=constraints.must_open, never=constraints.never)
    model = build_base(block, p, bare)
    if solve_model(model, np.zeros(model.n_vars), time_limit=time_limit).status == 2:
        raise InfeasibleError(
            f"{block.sub.label}: every choice of {p} hubs leaves some areas with no reachable hub; "
            "add candidates they can reach.",
            constraint="reachability",
        )
    structural = Constraints(
        must_open=constraints.must_open,
        never=constraints.never,
        capacity_per_linac=constraints.capacity_per_linac,
        within_minutes=constraints.within_minutes,
    )
    if constraints.capacity_per_linac is not None:
        model = build_base(block, p, structural)
        res = solve_model(model, np.zeros(model.n_vars), time_limit=time_limit)
        if res.status == 2:
            lin = np.sort(block.sub.problem.linac_counts[block.cols])[::-1][:p].sum()
            need = block.total / lin if lin > 0 else float("inf")
            raise InfeasibleError(
                f"{block.sub.label}: the condition '{constraint_label('capacity', constraints)}' cannot be "
                f"met with {p} hubs: the demand of {block.total:,.0f} needs at least {need:,.1f} per linac "
                f"even at the {p} candidates with most linacs. Raise the capacity or p.",
                constraint="capacity",
                best=need,
            )
    if constraints.max_minutes is not None:
        centre = solve(
            block,
            p,
            Objective("centre"),
            Constraints(must_open=constraints.must_open, never=constraints.never),
            kappa=1.0,
            top_k=1,
            time_limit=time_limit,
        )
        if centre.objective > constraints.max_minutes + TOL:
            raise InfeasibleError(
                infeasible_message(block, p, "max_minutes", centre.objective, constraints),
                constraint="max_minutes",
                best=centre.objective,
            )
    plain = Constraints(
        must_open=constraints.must_open,
        never=constraints.never,
        capacity_per_linac=constraints.capacity_per_linac,
        within_minutes=constraints.within_minutes,
    )
    for g in active_share_groups(block, constraints):
        model = build_base(block, p, plain)
        c = np.zeros(model.n_vars)
        c[: model.n_pairs] = -expr_within(model, constraints.within_minutes, g)
        res = solve_model(model, c, time_limit=time_limit)
        if res.x is not None:
            best = min(1.0, max(0.0, 0.0 - res.fun))
            if best < (constraints.min_share_within or 0.0) - TOL:
                raise InfeasibleError(
                    infeasible_message(block, p, f"share:{g}", best, constraints),
                    constraint=f"share:{g}",
                    best=best,
                )
    if check_gap_groups(block, constraints):
        model = build_base(block, p, plain, closest=constraints.capacity_per_linac is None)
        d = model.add_extra()
        coef = expr_mean(model, "imd1") - expr_mean(model, "imd5")
        k = np.arange(model.n_pairs)
        model.add_row(np.concatenate([k, [d]]), np.concatenate([coef, [-1.0]]), -np.inf, 0.0)
        model.add_row(np.concatenate([k, [d]]), np.concatenate([-coef, [-1.0]]), -np.inf, 0.0)
        c = np.zeros(model.n_vars)
        c[d] = 1.0
        res = solve_model(model, c, time_limit=time_limit)
        if res.x is not None and res.fun > (constraints.max_gap_minutes or 0.0) + TOL:
            raise InfeasibleError(
                infeasible_message(block, p, "gap", res.fun, constraints), constraint="gap", best=res.fun
            )
    names = [
        constraint_label(n, constraints)
        for n in (["max_minutes"] if constraints.max_minutes is not None else [])
        + [f"share:{g}" for g in active_share_groups(block, constraints)]
        + (["gap"] if check_gap_groups(block, constraints) else [])
        + (["capacity"] if constraints.capacity_per_linac is not None else [])
    ]
    raise InfeasibleError(
        f"{block.sub.label}: each condition can be met with {p} hubs but not all together "
        f"({'; '.join(names)}); relax one of them or raise p.",
        constraint="together",
    )
