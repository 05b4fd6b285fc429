"""Pieces the enumeration and the MILP share: active rows, candidate columns, scores."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ScenarioError
from .options import GROUPS, Constraints, InfeasibleError, Objective, group_masks
from .problem import SubProblem

#: Tolerance when a constraint is compared with its limit (minutes or shares).
TOL = 1e-9


@dataclass(frozen=True)
class Block:
    """A sub-problem prepared for solving: active rows and allowed columns.

    Attributes
    ----------
    sub
        The sub-problem.
    active
        Local rows (positions in ``sub.rows``) with demand that reach a candidate.
    unreachable
        Local rows that reach no candidate (excepted and reported).
    cols
        Global columns that may be hubs (candidates minus ``never``).
    must
        Global columns that must be hubs.
    cost
        ``(active, cols)`` minutes.
    w
        Demand of the active rows.
    groups
        Group -> mask over the active rows.
    """

    sub: SubProblem
    active: np.ndarray
    unreachable: np.ndarray
    cols: np.ndarray
    must: np.ndarray
    cost: np.ndarray
    w: np.ndarray
    groups: dict[str, np.ndarray]

    @property
    def total(self) -> float:
        """Return the demand of the active rows."""
        return float(self.w.sum())


def prepare(sub: SubProblem, p: int, constraints: Constraints) -> Block:
    """Return the :class:`Block` of ``sub`` for ``p`` hubs, checking counts and site lists."""
    prob = sub.problem
    never = set(constraints.never)
    must_ids = set(constraints.must_open)
    cols = np.array([c for c in sub.cols if prob.site_ids[c] not in never], dtype=np.intp)
    must = np.array([c for c in cols if prob.site_ids[c] in must_ids], dtype=np.intp)
    if p < 1:
        raise ScenarioError(f"{sub.label}: the number of hubs must be at least 1, not {p}.")
    if cols.size < p:
        raise ScenarioError(
            f"{sub.label}: {p} hubs asked for but only {cols.size} candidate sites "
            f"({', '.join(prob.site_ids[cols]) or 'none'}); lower p or add candidates."
        )
    if must.size > p:
        raise InfeasibleError(
            f"{sub.label}: {must.size} sites must be hubs ({', '.join(prob.site_ids[must])}) "
            f"but only {p} hubs are chosen; raise p or drop a must-open site.",
            constraint="must_open",
            best=float(must.size),
        )
    block = prob.cost[np.ix_(sub.rows, cols)]
    w_all = prob.demand[sub.rows]
    reach = np.isfinite(block).any(axis=1)
    active = np.flatnonzero(reach & (w_all > 0))
    unreachable = np.flatnonzero(~reach)
    masks = {g: m[active] for g, m in group_masks(prob, sub.rows).items()}
    return Block(
        sub=sub,
        active=active,
        unreachable=unreachable,
        cols=cols,
        must=must,
        cost=block[active],
        w=w_all[active],
        groups=masks,
    )


def reference_minutes(block: Block) -> float:
    """Return the shift used inside the Kolm-Pollak exponentials (the median nearest minutes)."""
    if block.cost.size == 0:
        return 0.0
    nearest = block.cost.min(axis=1)
    return float(np.median(nearest[np.isfinite(nearest)])) if np.isfinite(nearest).any() else 0.0


def scale_minutes(block: Block) -> float:
    """Return the scale used inside the Atkinson powers (the largest finite minutes)."""
    finite = block.cost[np.isfinite(block.cost)]
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def journey_value(
    objective: Objective, t: np.ndarray, *, kappa: float, ref: float, scale: float
) -> np.ndarray:
    """Return f(t) whose demand-weighted sum the objective minimises (or, for coverage, maximises)."""
    if objective.kind in ("median", "group_mean", "centre"):
        return t
    if objective.kind == "coverage":
        return (t <= objective.coverage_minutes + TOL).astype(float)
    if objective.kind == "kolm_pollak":
        with np.errstate(over="ignore"):
            return np.exp(kappa * (t - ref))
    if objective.kind == "atkinson":
        return (t / scale) ** (1.0 + objective.epsilon)
    raise AssertionError(objective.kind)


def value_from_sum(
    objective: Objective, total: float, weight: float, *, kappa: float, ref: float, scale: float
) -> float:
    """Return the objective in its own units from the weighted sum of :func:`journey_value`."""
    if weight <= 0:
        return float("nan")
    mean = total / weight
    if objective.kind == "kolm_pollak":
        return ref + math.log(mean) / kappa if mean > 0 else float("-inf")
    if objective.kind == "atkinson":
        return scale * mean ** (1.0 / (1.0 + objective.epsilon))
    return mean


def constraint_label(name: str, constraints: Constraints) -> str:
    """Return the plain-English name of a constraint (``share:<group>``, ``max_minutes``, ``gap``)."""
    if name == "max_minutes":
        return f"nobody beyond {constraints.max_minutes:g} minutes"
    if name == "gap":
        return (
            f"gap between the most and least deprived quintiles' means at most "
            f"{constraints.max_gap_minutes:g} minutes"
        )
    if name.startswith("share:"):
        g = name.split(":", 1)[1]
        return (
            f"at least {100 * (constraints.min_share_within or 0):g}% within "
            f"{constraints.within_minutes:g} minutes for {GROUPS[g]}"
        )
    if name == "capacity":
        return f"at most {constraints.capacity_per_linac:g} demand per linac"
    return name


def active_share_groups(block: Block, constraints: Constraints) -> list[str]:
    """Return the groups the share condition applies to that have demand in ``block``."""
    if constraints.min_share_within is None:
        return []
    missing = [g for g in constraints.share_groups if g not in block.groups]
    if missing:
        raise ScenarioError(
            f"The share condition names {missing} but the areas have no "
            f"{'IMD decile or rank' if any(g.startswith('imd') for g in missing) else 'urban/rural'} column."
        )
    return [g for g in constraints.share_groups if block.w[block.groups[g]].sum() > 0]


def check_gap_groups(block: Block, constraints: Constraints) -> bool:
    """Return ``True`` if the gap condition applies (both Q1 and Q5 have demand in ``block``)."""
    if constraints.max_gap_minutes is None:
        return False
    if "imd1" not in block.groups:
        raise ScenarioError("The gap condition needs an IMD decile or rank column in the areas table.")
    return bool(block.w[block.groups["imd1"]].sum() > 0 and block.w[block.groups["imd5"]].sum() > 0)


def infeasible_message(block: Block, p: int, name: str, best: float, constraints: Constraints) -> str:
    """Return the one-line message for a constraint that no choice of ``p`` hubs meets."""
    label = constraint_label(name, constraints)
    if name.startswith("share:"):
        shown = f"{100 * best:.1f}%"
    elif name == "capacity":
        shown = f"{best:,.1f} demand per linac"
    else:
        shown = f"{best:.1f} minutes"
    return (
        f"{block.sub.label}: the condition '{label}' cannot be met with {p} hubs; the best any "
        f"choice reaches is {shown}. Relax it, raise p or add candidates."
    )
