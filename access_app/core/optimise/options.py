"""What to optimise, under which constraints, and what comes back.

- :class:`Objective`: p-median (least mean minutes), maximal coverage within ``T``
  minutes, p-centre (least worst journey), the least inequality-averse burden (Kolm-Pollak
  or Atkinson equally distributed equivalent, EDE), or the least mean of one group (the most
  deprived IMD quintile, or rural areas).
- :class:`Constraints`: nobody beyond ``X`` minutes, at least ``S`` within 45 minutes in
  every IMD quintile and for rural areas, the gap between the most and least deprived
  quintiles' means at most ``G`` minutes, capacity per linac, sites that must or must not
  be hubs.
- :class:`HubOption`: one choice of hubs with its headline measures;
  :class:`BlockResult`: the ranked options of one network (or of the nation) with the method,
  whether the best is proven optimal, the gap, the objective and the runtime.
- :func:`measures`: the headline numbers of a choice, through :mod:`access_app.core.equity`.
- :func:`option_scenario`: turn chosen options into a
  :class:`~access_app.core.scenarios.Scenario`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import equity
from ..errors import ScenarioError
from ..scenarios import Scenario
from .problem import NATIONAL, HubProblem, SubProblem

log = logging.getLogger(__name__)

OBJECTIVES: tuple[str, ...] = ("median", "coverage", "centre", "kolm_pollak", "atkinson", "group_mean")
"""Objective kinds understood by :class:`Objective`."""

OBJECTIVE_LABELS: dict[str, str] = {
    "median": "least mean travel time (p-median)",
    "coverage": "most demand within {T:g} minutes (maximal coverage)",
    "centre": "least worst journey (p-centre)",
    "kolm_pollak": "least Kolm-Pollak equally distributed equivalent (kappa {kappa:.4g} per minute)",
    "atkinson": "least Atkinson equally distributed equivalent (epsilon {epsilon:g})",
    "group_mean": "least mean travel time of {group}",
}

GROUPS: dict[str, str] = {
    "imd1": "IMD quintile 1 (most deprived)",
    "imd2": "IMD quintile 2",
    "imd3": "IMD quintile 3",
    "imd4": "IMD quintile 4",
    "imd5": "IMD quintile 5 (least deprived)",
    "rural": "rural areas",
    "urban": "urban areas",
}
"""Demand groups the constraints, the group objective and the Pareto front can name."""

#: Minutes of the headline "within 45 minutes" share (the app's reach threshold,
#: docs/measures.md).
WITHIN_MINUTES = 45.0


class InfeasibleError(ScenarioError):
    """The constraints cannot be met by any choice of hubs.

    Attributes
    ----------
    constraint
        Name of the constraint that cannot be met (``"together"`` if each can alone).
    best
        The best value of that constraint's measure that any choice reaches (``NaN`` if not
        computed).
    """

    def __init__(self, message: str, *, constraint: str, best: float = float("nan")) -> None:
        super().__init__(message)
        self.constraint = constraint
        self.best = best


@dataclass(frozen=True)
class Objective:
    """Define what the choice of hubs optimises.

    Attributes
    ----------
    kind
        One of :data:`OBJECTIVES`.
    coverage_minutes
        ``T`` of maximal coverage (45 by default, the app's reach threshold).
    kappa
        Kolm-Pollak aversion per minute; if ``None``, calibrated as
        ``aversion x sum(w t) / sum(w t^2)`` on the baseline minutes (Sheriff and Maguire
        2020; :func:`access_app.core.equity.kolm_pollak_kappa`).
    aversion
        Dimensionless aversion used to calibrate ``kappa`` (0.5 by default, as the app's
        equity tables).
    epsilon
        Atkinson inequality aversion (``> 0``; 1 by default, as the equity tables).
    group
        Group of ``group_mean`` (a key of :data:`GROUPS`, ``"imd1"`` by default).
    """

    kind: str = "median"
    coverage_minutes: float = 45.0
    kappa: float | None = None
    aversion: float = 0.5
    epsilon: float = 1.0
    group: str = "imd1"

    def __post_init__(self) -> None:
        if self.kind not in OBJECTIVES:
            raise ScenarioError(
                f"objective = {self.kind!r} is not known; use one of {', '.join(OBJECTIVES)}."
            )
        if not (math.isfinite(self.coverage_minutes) and self.coverage_minutes > 0):
            raise ScenarioError(f"coverage minutes = {self.coverage_minutes!r} must be a positive number.")
        if self.kappa is not None and not (math.isfinite(self.kappa) and self.kappa > 0):
            raise ScenarioError(f"kappa = {self.kappa!r} must be a positive number per minute.")
        if not self.aversion > 0:
            raise ScenarioError(f"aversion = {self.aversion!r} must be > 0.")
        if not self.epsilon > 0:
            raise ScenarioError(f"epsilon = {self.epsilon!r} must be > 0 (Atkinson for a bad).")
        if self.group not in GROUPS:
            raise ScenarioError(f"group = {self.group!r} is not known; use one of {', '.join(GROUPS)}.")

    @property
    def maximise(self) -> bool:
        """Return ``True`` for objectives where more is better (coverage)."""
        return self.kind == "coverage"

    def label(self, kappa: float | None = None) -> str:
        """Return a plain-English description of the objective."""
        return OBJECTIVE_LABELS[self.kind].format(
            T=self.coverage_minutes,
            kappa=kappa if kappa is not None else (self.kappa or float("nan")),
            epsilon=self.epsilon,
            group=GROUPS[self.group],
        )


@dataclass(frozen=True)
class Constraints:
    """Conditions every choice of hubs must meet.

    Attributes
    ----------
    max_minutes
        Nobody (with a reachable candidate) travels longer than this; ``None`` = no limit.
        Areas that reach no candidate at all are excepted and reported.
    min_share_within
        At least this share (0..1) of the demand of every IMD quintile and of rural areas
        within ``within_minutes``; ``None`` = no condition.
    share_groups
        Groups the share condition applies to (keys of :data:`GROUPS`).
    within_minutes
        Threshold of the share condition (45 by default).
    max_gap_minutes
        The most (Q1) and least (Q5) deprived quintiles' mean minutes differ by at most
        this, either way; ``None`` = no condition.
    capacity_per_linac
        Demand per linac a hub may carry (areas then go to a hub with room, not always the
        nearest, and one area's demand may be split); ``None`` = unlimited.
    must_open
        Sites that must be hubs.
    never
        Sites that must not be hubs.
    """

    max_minutes: float | None = None
    min_share_within: float | None = None
    share_groups: tuple[str, ...] = ("imd1", "imd2", "imd3", "imd4", "imd5", "rural")
    within_minutes: float = WITHIN_MINUTES
    max_gap_minutes: float | None = None
    capacity_per_linac: float | None = None
    must_open: tuple[str, ...] = ()
    never: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("max_minutes", "max_gap_minutes", "capacity_per_linac"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v >= 0):
                raise ScenarioError(f"{name} = {v!r} must be a number >= 0 or left out.")
        s = self.min_share_within
        if s is not None and not (0.0 <= s <= 1.0):
            raise ScenarioError(f"min_share_within = {s!r} must be a share between 0 and 1 (e.g. 0.8).")
        object.__setattr__(self, "share_groups", tuple(self.share_groups))
        object.__setattr__(self, "must_open", tuple(map(str, self.must_open)))
        object.__setattr__(self, "never", tuple(map(str, self.never)))
        bad = [g for g in self.share_groups if g not in GROUPS]
        if bad:
            raise ScenarioError(f"share groups {bad} are not known; use {', '.join(GROUPS)}.")
        both = sorted(set(self.must_open) & set(self.never))
        if both:
            raise ScenarioError(f"Sites {both} are both 'must open' and 'never a hub'.")

    @property
    def needs_assignment(self) -> bool:
        """Return ``True`` if capacity makes the nearest-hub assignment no longer apply."""
        return self.capacity_per_linac is not None


def group_masks(problem: HubProblem, rows: np.ndarray) -> dict[str, np.ndarray]:
    """Return a boolean mask over ``rows`` for every group the data can define."""
    out: dict[str, np.ndarray] = {}
    if problem.imd_quintile is not None:
        q = problem.imd_quintile[rows]
        for k in range(1, 6):
            out[f"imd{k}"] = q == k
    if problem.rural is not None:
        r = problem.rural[rows]
        out["rural"] = r
        out["urban"] = ~r
    return out


@dataclass(frozen=True)
class HubOption:
    """One choice of hubs for one network (or the nation) and what it does.

    Attributes
    ----------
    network
        Network name, or :data:`~access_app.core.optimise.problem.NATIONAL`.
    hubs
        ``site_id`` of the hubs, in matrix column order.
    rank
        1 = best by the objective (ties broken by the mean, then the site ids).
    objective
        Value of the objective (minutes; a share for coverage).
    feasible
        Whether every constraint is met (Pareto points are always feasible).
    measures
        Headline numbers (see :func:`measures`).
    allocation
        With capacity: rows ``(area_id, site_id, share)`` of the split allocation; else empty.
    """

    network: str
    hubs: tuple[str, ...]
    rank: int
    objective: float
    feasible: bool = True
    measures: Mapping[str, float] = field(default_factory=dict)
    allocation: tuple[tuple[str, str, float], ...] = ()


@dataclass(frozen=True)
class BlockResult:
    """The ranked options of one network (or of the nation).

    Attributes
    ----------
    network
        Network name or :data:`NATIONAL`.
    p
        Number of hubs chosen.
    options
        Ranked options (``options[0]`` is the best found).
    method
        ``"enumeration"`` (every combination evaluated) or ``"milp"`` (HiGHS).
    proven_optimal
        ``True`` only if the best option is proven optimal (every combination evaluated, or
        HiGHS reports an optimal status within ``mip_rel_gap``).
    gap
        Relative optimality gap HiGHS reports for the best option (0 for enumeration).
    objective
        Objective of the best option.
    runtime
        Seconds spent.
    unreachable
        ``area_id`` of areas that reach no candidate (excepted and reported).
    pareto
        Options on the efficiency-equity front (ascending mean minutes).
    combinations
        Number of combinations (enumeration) or solver calls (MILP).
    note
        Anything the reader should know (e.g. a time limit was hit).
    """

    network: str
    p: int
    options: tuple[HubOption, ...]
    method: str
    proven_optimal: bool
    gap: float
    objective: float
    runtime: float
    unreachable: tuple[str, ...] = ()
    pareto: tuple[HubOption, ...] = ()
    combinations: int = 0
    note: str = ""

    @property
    def best(self) -> HubOption:
        """Return the best option found."""
        return self.options[0]


@dataclass(frozen=True)
class OptimiseResult:
    """Everything one optimisation run found.

    Attributes
    ----------
    blocks
        One :class:`BlockResult` per network (or one for the nation), by name.
    objective
        The objective used (with ``kappa`` filled in if it was calibrated).
    constraints
        The constraints used.
    kappa
        Kolm-Pollak ``kappa`` used for the objective and the measures.
    national
        ``True`` if hubs were chosen nationally (scenario rule ``hub_anywhere``).
    demand_column, incidence_per_100k
        The demand, for the scenarios.
    pareto_measure
        Equity measure of the Pareto fronts (``None`` if none was asked for).
    """

    blocks: Mapping[str, BlockResult]
    objective: Objective
    constraints: Constraints
    kappa: float
    national: bool
    demand_column: str
    incidence_per_100k: float | None = None
    pareto_measure: str | None = None

    @property
    def proven_optimal(self) -> bool:
        """Return ``True`` if the best option of every block is proven optimal."""
        return all(b.proven_optimal for b in self.blocks.values())

    @property
    def runtime(self) -> float:
        """Return the seconds spent over all blocks."""
        return float(sum(b.runtime for b in self.blocks.values()))


def nearest_minutes(sub: SubProblem, hub_cols: np.ndarray) -> np.ndarray:
    """Return, per row of ``sub``, minutes to the nearest of ``hub_cols`` (global columns)."""
    if len(hub_cols) == 0:
        return np.full(sub.rows.size, np.inf)
    return sub.problem.cost[np.ix_(sub.rows, np.asarray(hub_cols))].min(axis=1)


def measures(
    sub: SubProblem,
    rows: np.ndarray,
    minutes: np.ndarray,
    weights: np.ndarray,
    *,
    kappa: float,
    epsilon: float = 1.0,
    within: float = WITHIN_MINUTES,
) -> dict[str, float]:
    """Return the headline measures of one assignment.

    Parameters
    ----------
    sub
        The block the assignment is for.
    rows
        Local row (position in ``sub.rows``) of every journey; a row appears more than once
        when its demand is split between hubs.
    minutes, weights
        Minutes and demand of every journey (finite; unreachable rows left out).
    kappa, epsilon
        Aversion parameters of the Kolm-Pollak and Atkinson EDE.
    within
        Threshold of the "share within" measures.

    Returns
    -------
    dict
        ``demand``, ``mean_min``, ``p90_min``, ``worst_min``, ``within_45_share`` (the name
        keeps 45 whatever ``within``), ``kolm_pollak_ede``, ``atkinson_ede``, and per group
        ``<group>_mean_min`` / ``<group>_within_45_share``, ``gap_q1_q5_min`` and, with a
        baseline, ``demand_longer`` (demand whose journey grows by more than 0.01 minute).
    """
    out: dict[str, float] = {}
    w = np.asarray(weights, dtype=float)
    t = np.asarray(minutes, dtype=float)
    pos = w > 0
    out["demand"] = float(w.sum())
    out["mean_min"] = equity.weighted_mean(t, w)
    out["p90_min"] = equity.weighted_quantile(t, w, 0.9) if pos.any() else float("nan")
    out["worst_min"] = float(t[pos].max()) if pos.any() else float("nan")
    out["within_45_share"] = float(w[t <= within].sum() / w.sum()) if w.sum() > 0 else float("nan")
    out["kolm_pollak_ede"] = equity.kolm_pollak_ede(t, w, kappa=kappa) if pos.any() else float("nan")
    out["atkinson_ede"] = equity.atkinson_bad_ede(t, w, epsilon=epsilon) if pos.any() else float("nan")
    masks = group_masks(sub.problem, sub.rows)
    for g, mask in masks.items():
        m = mask[rows]
        wg = w[m]
        out[f"{g}_mean_min"] = equity.weighted_mean(t[m], wg) if m.any() else float("nan")
        out[f"{g}_within_45_share"] = (
            float(wg[t[m] <= within].sum() / wg.sum()) if wg.sum() > 0 else float("nan")
        )
    if "imd1" in masks:
        out["gap_q1_q5_min"] = out["imd1_mean_min"] - out["imd5_mean_min"]
    base = sub.problem.baseline_minutes
    if base is not None:
        b = base[sub.rows][rows]
        out["demand_longer"] = float(w[np.isfinite(b) & (t > b + 0.01)].sum())
    return out


def option_scenario(
    result: OptimiseResult,
    choice: Mapping[str, HubOption] | None = None,
    *,
    name: str,
    description: str = "",
) -> Scenario:
    """Turn chosen options into a scenario that runs through maps, tables and exports.

    Parameters
    ----------
    result
        The optimisation run.
    choice
        Network -> option; the best option of every block when ``None`` (a block left out
        keeps its best option).
    name
        Scenario name.
    description
        Free text; by default the objective, the method and whether it is proven optimal.

    Returns
    -------
    Scenario
        Rule ``hub_per_network`` with the hubs of every network, or ``hub_anywhere`` when
        hubs were chosen nationally. Capacity is not part of a scenario: the scenario sends
        every area to its nearest hub, so a capacitated option's split allocation is only in
        the optimiser's own output (said in the description).
    """
    chosen = {net: b.best for net, b in result.blocks.items()}
    if choice:
        unknown = sorted(set(choice) - set(chosen))
        if unknown:
            raise ScenarioError(f"Networks {unknown} are not in the optimisation result.")
        chosen.update(choice)
    if not description:
        proven = "proven optimal" if result.proven_optimal else "not proven optimal"
        description = f"Hubs chosen by the optimiser: {result.objective.label(result.kappa)}; {proven}."
        if result.constraints.capacity_per_linac is not None:
            description += (
                f" Chosen with at most {result.constraints.capacity_per_linac:g} demand per "
                "linac; this scenario sends each area to its nearest hub."
            )
    if result.national:
        hubs: dict[str, tuple[str, ...]] = {NATIONAL: chosen[NATIONAL].hubs}
        rule = "hub_anywhere"
    else:
        hubs = {net: opt.hubs for net, opt in sorted(chosen.items())}
        rule = "hub_per_network"
    return Scenario(
        name=name,
        rule=rule,
        hubs=hubs,
        demand=result.demand_column,
        incidence_per_100k=result.incidence_per_100k,
        description=description,
    )


def ranked_scenarios(
    result: OptimiseResult, ranks: Sequence[int], *, prefix: str = "Optimised"
) -> list[Scenario]:
    """Return one scenario per rank: every network's option of that rank (or its last one)."""
    out: list[Scenario] = []
    for r in ranks:
        if r < 1:
            raise ScenarioError(f"rank {r} must be 1 or more.")
        choice = {net: b.options[min(r, len(b.options)) - 1] for net, b in result.blocks.items()}
        out.append(option_scenario(result, choice, name=f"{prefix} #{r}"))
    return out


def option_row(
    block: BlockResult, option: HubOption, *, site_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Return one flat row (for CSV and workbook) describing ``option`` of ``block``."""
    names = site_names or {}
    row: dict[str, Any] = {
        "network": option.network,
        "rank": option.rank,
        "p": block.p,
        "hubs": "; ".join(option.hubs),
        "hub_names": "; ".join(names.get(h, h) for h in option.hubs),
        "objective": option.objective,
        "feasible": option.feasible,
        "method": block.method,
        "proven_optimal": block.proven_optimal if option.rank == 1 else "",
        "gap": block.gap if option.rank == 1 else "",
    }
    row.update(option.measures)
    return row
