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
import time

import numpy as np

from ..errors import ScenarioError
from ..progress import CancelFn, ProgressFn, check_cancelled, report
from .common import (
    TOL,
    Block,
    active_share_groups,
    check_gap_groups,
    constraint_label,
    infeasible_message,
)
from .large import LARGE_NEAREST_K, solve_large
from .model import (
    CAPACITY_STRONG_LIMIT,
    MIP_REL_GAP,
    Model,
    add_constraints,
    build_base,
    expr_mean,
    expr_within,
    hubs_of,
    objective_vector,
    option_from,
    solve_model,
    with_coverage,
)
from .options import BlockResult, Constraints, HubOption, InfeasibleError, Objective

log = logging.getLogger(__name__)


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
        return solve_large(
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
        options[0] = with_coverage(options[0], model, first.x, objective)
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
            opt = with_coverage(opt, model, last.x, objective)
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
            opt = with_coverage(opt, base, res.x, objective)
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
