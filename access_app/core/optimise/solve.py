"""Choose hubs: split the problem by network, pick the method, collect the options.

:func:`optimise` is the one entry point: ``p`` hubs in every network (the same ``p``, or one
per network) or ``p`` nationally; each network is an independent problem (its areas may use
only its sites, as the scenario rule ``hub_per_network`` sends them), and the constraints
apply within each network. The method is exact enumeration when the number of combinations
is small and there is no capacity, else the HiGHS MILP.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from .. import equity
from ..errors import ScenarioError
from ..progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from . import enumerate as enum_mod
from . import milp as milp_mod
from .common import prepare
from .options import BlockResult, Constraints, Objective, OptimiseResult
from .problem import HubProblem

log = logging.getLogger(__name__)

METHODS = ("auto", "enumeration", "milp")


def calibrate_kappa(problem: HubProblem, objective: Objective) -> float:
    """Return the Kolm-Pollak ``kappa``: the objective's own, or calibrated on the baseline.

    Calibration: ``kappa = aversion x sum(w t) / sum(w t^2)`` over the baseline minutes
    (each area's nearest candidate if there is no baseline), as the equity tables do
    (Sheriff and Maguire 2020).
    """
    if objective.kappa is not None:
        return float(objective.kappa)
    t = problem.baseline_minutes
    if t is None:
        sub = problem.cost[:, problem.candidate_mask]
        t = np.where(np.isfinite(sub).any(axis=1), sub.min(axis=1), np.nan) if sub.size else np.array([])
    ok = np.isfinite(t) & (problem.demand > 0)
    kappa = (
        equity.kolm_pollak_kappa(t[ok], problem.demand[ok], aversion=objective.aversion) if ok.any() else 0.0
    )
    return float(kappa) if np.isfinite(kappa) and kappa > 0 else 0.01


def optimise(
    problem: HubProblem,
    *,
    p: int | Mapping[str, int],
    objective: Objective | None = None,
    constraints: Constraints | None = None,
    national: bool = False,
    top_k: int = 5,
    pareto: str | None = None,
    method: str = "auto",
    time_limit: float = 60.0,
    mip_rel_gap: float = milp_mod.MIP_REL_GAP,
    max_work: float = enum_mod.MAX_WORK,
    cap_p: bool = False,
    nearest_k: int | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> OptimiseResult:
    """Choose hubs for every network (or nationally) and rank the alternatives.

    Parameters
    ----------
    problem
        The data (see :func:`~access_app.core.optimise.problem.from_session_data`).
    p
        Hubs per network (one number for all, or network -> number covering every network),
        or the national number with ``national=True``.
    objective
        What to optimise (p-median by default).
    constraints
        What every option must meet (none by default). Must-open sites become candidates.
    national
        Choose ``p`` hubs for the whole country (areas go to the nearest hub anywhere).
    top_k
        Ranked options per network.
    pareto
        Equity measure of the efficiency-equity front: ``"imd1_mean"`` (most deprived
        quintile's mean minutes), ``"rural_within"`` (rural share within 45 minutes), or any
        ``<group>_mean`` / ``<group>_within``; ``None`` for no front.
    method
        ``"auto"`` (enumeration when feasible and no capacity, else MILP), ``"enumeration"``
        or ``"milp"``.
    time_limit
        Seconds per HiGHS call.
    mip_rel_gap
        Relative gap at which HiGHS may stop and call a solution optimal.
    max_work
        Largest ``areas x combinations`` that ``"auto"`` still enumerates.
    cap_p
        If a network has fewer candidates than ``p``, make all of them hubs (said in the
        block's note) instead of refusing.
    nearest_k
        MILP only: allocate each area only among its ``nearest_k`` nearest candidates (for
        large capacitated problems; such results are never reported as proven optimal).
    progress, cancelled
        Progress callback and cancel check (between networks, chunks and solver calls).

    Returns
    -------
    OptimiseResult
        One :class:`BlockResult` per network.

    Raises
    ------
    ScenarioError
        For a bad ``p``, unknown sites or method; :class:`InfeasibleError` (a subclass) when
        the constraints cannot be met, naming the constraint and the best value reached.
    """
    objective = objective or Objective()
    constraints = constraints or Constraints()
    if method not in METHODS:
        raise ScenarioError(f"method = {method!r}: use one of {', '.join(METHODS)}.")
    if top_k < 1:
        raise ScenarioError(f"top_k = {top_k} must be at least 1.")
    problem.site_index(list(constraints.must_open) + list(constraints.never))  # unknown ids raise
    if constraints.must_open:
        cand = problem.candidate_mask.copy()
        cand[problem.site_index(list(constraints.must_open))] = True
        problem = replace(problem, candidate=cand)
    blocks: list[tuple[str | None, int]]
    if national:
        if not isinstance(p, int):
            raise ScenarioError("With national hubs, p must be one number.")
        blocks = [(None, int(p))]
    else:
        nets = problem.networks()
        if not nets:
            raise ScenarioError(
                "Hubs per network need a 'network' column for areas and sites; "
                "load network tables or choose hubs nationally."
            )
        if isinstance(p, Mapping):
            missing = [n for n in nets if n not in p]
            if missing:
                raise ScenarioError(
                    f"p is not given for networks {missing}; give a number for every network."
                )
            unknown = sorted(set(p) - set(nets))
            if unknown:
                raise ScenarioError(f"p names networks {unknown} that no area belongs to (networks: {nets}).")
            blocks = [(n, int(p[n])) for n in nets]
        else:
            blocks = [(n, int(p)) for n in nets]
        if constraints.must_open:
            site_net = problem.site_network
            assert site_net is not None
            placed = {site_net[i] for i in problem.site_index(list(constraints.must_open))}
            if None in placed:
                raise ScenarioError("A must-open site has no network; give it one or choose hubs nationally.")
    kappa = calibrate_kappa(problem, objective)
    results: dict[str, BlockResult] = {}
    for b, (net, n_hubs) in enumerate(blocks):
        check_cancelled(cancelled)
        sub = problem.restrict(net)
        note = ""
        n_cand = int(sum(1 for c in sub.cols if problem.site_ids[c] not in set(constraints.never)))
        if cap_p and 0 < n_cand < n_hubs:
            note = f"only {n_cand} candidates, so all are hubs (p = {n_hubs} asked for)"
            n_hubs = n_cand
        block = prepare(sub, n_hubs, constraints)
        sub_progress = scaled(progress, b / len(blocks), (b + 1) / len(blocks))
        work = block.cost.shape[0] * enum_mod.n_combinations(block, n_hubs) * n_hubs
        use_enum = (
            method == "enumeration" or (method == "auto" and work <= max_work)
        ) and constraints.capacity_per_linac is None
        if method == "enumeration" and constraints.capacity_per_linac is not None:
            raise ScenarioError(
                "Capacity makes assignment no longer 'nearest hub': use method 'milp' or 'auto'."
            )
        report(
            progress,
            b / len(blocks),
            f"{sub.label}: {n_hubs} hubs by {'enumeration' if use_enum else 'MILP'}",
        )
        if use_enum:
            res = enum_mod.solve(
                block,
                n_hubs,
                objective,
                constraints,
                kappa=kappa,
                top_k=top_k,
                pareto=pareto,
                progress=sub_progress,
                cancelled=cancelled,
            )
        else:
            res = milp_mod.solve(
                block,
                n_hubs,
                objective,
                constraints,
                kappa=kappa,
                top_k=top_k,
                pareto=pareto,
                time_limit=time_limit,
                mip_rel_gap=mip_rel_gap,
                nearest_k=nearest_k,
                progress=sub_progress,
                cancelled=cancelled,
            )
        log.info(
            "%s: %s, objective %.4g, proven %s, gap %.3g, %.2f s",
            res.network,
            res.method,
            res.objective,
            res.proven_optimal,
            res.gap,
            res.runtime,
        )
        if note:
            res = replace(res, note="; ".join(x for x in (note, res.note) if x))
        results[res.network] = res
    report(progress, 1.0, "Hubs chosen")
    return OptimiseResult(
        blocks=results,
        objective=objective,
        constraints=constraints,
        kappa=kappa,
        national=national,
        demand_column=problem.demand_column,
        incidence_per_100k=problem.incidence_per_100k,
        pareto_measure=pareto,
    )
