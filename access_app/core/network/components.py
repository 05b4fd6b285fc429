"""Keep the largest strongly connected component of a road graph, recording what was dropped."""

from __future__ import annotations

import logging

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

log = logging.getLogger(__name__)


def _largest_scc(
    u: np.ndarray, v: np.ndarray, xy: np.ndarray
) -> tuple[np.ndarray, dict[str, int], np.ndarray]:
    """Return the largest strongly connected component and the gap of every other one.

    Returns
    -------
    keep
        Mask of the nodes in the largest strongly connected component.
    dropped
        Counts: ``nodes`` and ``components`` dropped.
    gap_m
        For each dropped node (in node order), the straight-line distance from its
        component to the nearest kept node: large for real islands, metres for fragments
        that only miss a join in the data.
    """
    n = len(xy)
    if n == 0:
        return np.zeros(0, bool), {"nodes": 0, "components": 0}, np.zeros(0)
    adj = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n)).tocsr()
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels)
    keep = labels == int(np.argmax(sizes))
    drop = np.flatnonzero(~keep)
    gap = np.zeros(drop.size)
    if drop.size:
        d, _ = cKDTree(xy[keep]).query(xy[drop])
        comp_gap = np.full(n_comp, np.inf)
        np.minimum.at(comp_gap, labels[drop], d)
        gap = comp_gap[labels[drop]]
    return keep, {"nodes": int(drop.size), "components": int(n_comp - 1)}, gap


def keep_largest_component(
    G: nx.MultiDiGraph,
) -> nx.MultiDiGraph:
    """Return the largest strongly connected component of ``G``, recording what was dropped.

    The dropped nodes' coordinates go to ``graph["dropped_nodes_xy"]`` (added to any
    already there) and counts to ``graph["dropped"]``.
    """
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    uv = np.array([(index[a], index[b]) for a, b in G.edges()], dtype=np.int64).reshape(-1, 2)
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], dtype=float).reshape(-1, 2)
    keep, dropped, gap = _largest_scc(uv[:, 0], uv[:, 1], xy)
    H = G.subgraph([n for n, k in zip(nodes, keep, strict=True) if k]).copy()
    prev = np.asarray(G.graph.get("dropped_nodes_xy", np.zeros((0, 2)))).reshape(-1, 2)
    prev_gap = np.asarray(G.graph.get("dropped_nodes_gap_m", np.full(len(prev), np.inf)))
    H.graph["dropped_nodes_xy"] = np.vstack([prev, xy[~keep]])
    H.graph["dropped_nodes_gap_m"] = np.concatenate([prev_gap, gap])
    H.graph["dropped"] = dropped
    return H
