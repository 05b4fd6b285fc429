"""The assignment rules: which open sites each area may use, and the array core that picks one."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

log = logging.getLogger(__name__)


RULES: tuple[str, ...] = ("nearest", "within_network", "hub_per_network", "hub_anywhere")
"""Assignment rules understood by :func:`assign`."""

HUB_RULES: frozenset[str] = frozenset({"hub_per_network", "hub_anywhere"})

RULE_LABELS: dict[str, str] = {
    "nearest": "nearest open site",
    "within_network": "nearest open site in the area's own network",
    "hub_per_network": "nearest hub of the area's own network",
    "hub_anywhere": "nearest hub in any network",
}



def choose_sites(
    minutes: np.ndarray, allowed: np.ndarray, group: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pick, for every row, the fastest allowed column (the array core of :func:`assign`).

    Parameters
    ----------
    minutes
        ``(n_areas, n_sites)`` minutes; ``inf`` or ``NaN`` = unreachable.
    allowed
        ``(n_groups, n_sites)`` boolean: which columns each group may use.
    group
        ``(n_areas,)`` group of each row; ``-1`` = no allowed column.

    Returns
    -------
    index, chosen
        Column of the chosen site (``-1`` if none is reachable) and its minutes (``NaN``).
        Ties go to the lowest column index.
    """
    n = minutes.shape[0]
    index = np.full(n, -1, dtype=np.intp)
    chosen = np.full(n, np.nan)
    if n == 0 or minutes.shape[1] == 0:
        return index, chosen
    has_group = group >= 0
    rows = np.flatnonzero(has_group)
    if allowed.shape[0] == 1:
        cols = np.flatnonzero(allowed[0])
        if cols.size == 0:
            return index, chosen
        cost = minutes[np.ix_(rows, cols)] if rows.size < n else minutes[:, cols]
        local = np.argmin(np.where(np.isnan(cost), np.inf, cost), axis=1)
        best = cost[np.arange(rows.size), local]
        pick = cols[local]
    else:
        cost = np.where(allowed[group[rows]], minutes[rows], np.inf)
        cost[np.isnan(cost)] = np.inf
        pick = np.argmin(cost, axis=1)
        best = cost[np.arange(rows.size), pick]
    ok = np.isfinite(best)
    index[rows[ok]] = pick[ok]
    chosen[rows[ok]] = best[ok]
    return index, chosen



def _network_groups(
    area_networks: np.ndarray, candidates: Mapping[str, np.ndarray], n_sites: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    names = sorted(candidates)
    allowed = np.zeros((max(len(names), 1), n_sites), dtype=bool)
    for i, net in enumerate(names):
        allowed[i, candidates[net]] = True
    lookup = {net: i for i, net in enumerate(names)}
    group = np.array([lookup.get(n, -1) for n in area_networks], dtype=np.intp)
    return allowed, group, names
