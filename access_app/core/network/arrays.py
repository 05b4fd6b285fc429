"""The array form of a road graph that routing searches.

:class:`GraphArrays` holds what routing needs (node coordinates, edge end points, travel
times, coordinates of nodes dropped as islands) as flat numpy arrays, with the reversed
compressed sparse row (CSR) matrix that :mod:`scipy.sparse.csgraph` searches.
:func:`build_arrays` is the one function that makes them from a graph; a network read from
the ``.npz`` cache (:mod:`access_app.core.network.npz`) gets them from the file instead.
Both are held, with the graph, by :class:`~access_app.core.network.RoadNetwork`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from ..errors import NetworkError


@dataclass(frozen=True, eq=False)
class GraphArrays:
    """Flat arrays of a road graph, in node-position space.

    Attributes
    ----------
    node_ids
        Graph node id of each position.
    x, y
        Node coordinates in the graph CRS (metres).
    u, v
        Positions of each directed edge's start and end node.
    travel_time
        Seconds per edge.
    dropped_xy
        ``(n, 2)`` coordinates of nodes dropped from the kept component.
    dropped_gap_m
        Gap in metres between each dropped node's component and the kept network.
    speed_model
        Fingerprint of the speed model that made the travel times ("" if unknown).
    land
        Land-mass label per node (``None`` when the graph has no ferries; 0 = main network,
        set by :mod:`access_app.core.ferries` for islands joined by a ferry, see
        :func:`land_of`): a point's access candidates are kept on the land of its nearest
        node, so no access leg crosses the sea.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    travel_time: np.ndarray
    dropped_xy: np.ndarray
    dropped_gap_m: np.ndarray
    speed_model: str = ""
    land: np.ndarray | None = None

    @property
    def n_nodes(self) -> int:
        """Return the number of nodes."""
        return int(self.node_ids.size)

    @property
    def n_edges(self) -> int:
        """Return the number of directed edges (parallel edges counted)."""
        return int(self.u.size)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return ``(xmin, ymin, xmax, ymax)`` of the kept nodes (NaN if there are none)."""
        if self.n_nodes == 0:
            return (float("nan"),) * 4  # type: ignore[return-value]
        return (float(self.x.min()), float(self.y.min()), float(self.x.max()), float(self.y.max()))

    @cached_property
    def fingerprint(self) -> str:
        """Return a SHA-256 hash of nodes, edges, travel times and speed model.

        Edges enter through :attr:`reversed_csr` (sorted, quickest of parallel edges), so
        the hash does not depend on the order in which edges were stored.
        """
        h = hashlib.sha256()
        extra = () if self.land is None else (self.land,)
        for arr in (self.node_ids, self.x, self.y, *self.reversed_csr,
                    self.dropped_xy, self.dropped_gap_m, *extra):
            a = np.ascontiguousarray(arr)
            h.update(str(a.dtype).encode() + str(a.shape).encode())
            h.update(a.tobytes())
        h.update(self.speed_model.encode())
        return h.hexdigest()

    @cached_property
    def kd_tree(self) -> cKDTree:
        """Return a k-d tree of the node coordinates (built once)."""
        return cKDTree(np.column_stack([self.x, self.y]))

    @cached_property
    def reversed_csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(indptr, indices, data)`` of the reversed graph (row = edge end node).

        Parallel edges are reduced to the quickest one; zero-time edges stay as explicit
        entries (csgraph treats explicit zeros in a sparse matrix as edges).
        """
        n = self.n_nodes
        rows = self.v.astype(np.int64)
        cols = self.u.astype(np.int64)
        w = self.travel_time.astype(np.float64)
        if w.size and (not np.isfinite(w).all() or (w < 0).any()):
            raise NetworkError("edge travel times must be finite and >= 0")
        order = np.lexsort((w, cols, rows))
        rows, cols, w = rows[order], cols[order], w[order]
        first = np.ones(rows.size, dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols, w = rows[first], cols[first], w[first]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return indptr, cols.astype(np.int32), w

    def csr_with_sources(
        self, sources: list[tuple[np.ndarray, np.ndarray]]
    ) -> sparse.csr_matrix:
        """Return the reversed CSR with one extra row (super node) per source.

        Parameters
        ----------
        sources
            For each extra node, ``(node positions, seconds)`` of its edges into the graph.
        """
        indptr, indices, data = self.reversed_csr
        n = self.n_nodes
        counts = np.array([len(p) for p, _ in sources], dtype=np.int64)
        new_ptr = np.concatenate([indptr, indptr[-1] + np.cumsum(counts)])
        pos = [np.asarray(p, dtype=np.int32) for p, _ in sources]
        sec = [np.asarray(s, dtype=np.float64) for _, s in sources]
        all_idx = np.concatenate([indices, *pos]) if pos else indices
        all_dat = np.concatenate([data, *sec]) if sec else data
        size = n + len(sources)
        return sparse.csr_matrix((all_dat, all_idx, new_ptr), shape=(size, size))


def land_of(G: nx.MultiDiGraph) -> np.ndarray | None:
    """Return the land-mass label of each node of ``G`` in node order, or None.

    The labels are the node attribute ``land`` (missing = 0, the main network), present
    only when :func:`access_app.core.ferries.add_ferries` has set ``G.graph["has_land"]``.
    """
    if not G.graph.get("has_land"):
        return None
    return np.fromiter((int(d.get("land", 0) or 0) for _, d in G.nodes(data=True)),
                       np.int64, G.number_of_nodes())


def build_arrays(G: nx.MultiDiGraph) -> GraphArrays:
    """Return the routing arrays of ``G`` (the one function that builds them from a graph).

    Raises
    ------
    NetworkError
        If nodes lack ``x``/``y``, node ids are not integers or an edge lacks
        ``travel_time``.
    """
    try:
        node_ids = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
    except (TypeError, ValueError) as exc:
        raise NetworkError("network node ids must be integers (as osmnx makes them)") from exc
    try:
        x = np.fromiter((d["x"] for _, d in G.nodes(data=True)), float, len(node_ids))
        y = np.fromiter((d["y"] for _, d in G.nodes(data=True)), float, len(node_ids))
    except KeyError as exc:
        raise NetworkError("every network node needs 'x' and 'y' coordinates") from exc
    pos = dict(zip(node_ids.tolist(), range(len(node_ids)), strict=True))
    try:
        triples = [(pos[a], pos[b], t) for a, b, t in G.edges(data="travel_time")]
        starts, ends, times = zip(*triples, strict=True) if triples else ((), (), ())
        u = np.array(starts, dtype=np.int32)
        v = np.array(ends, dtype=np.int32)
        tt = np.array(times, dtype=np.float64)
    except TypeError as exc:
        raise NetworkError(
            "every network edge needs a 'travel_time' in seconds; "
            "build the network with access_app.core.network"
        ) from exc
    if np.isnan(tt).any():
        raise NetworkError(
            "every network edge needs a 'travel_time' in seconds; "
            "build the network with access_app.core.network"
        )
    dropped = np.asarray(G.graph.get("dropped_nodes_xy", np.zeros((0, 2))), dtype=float)
    dropped = dropped.reshape(-1, 2)
    gap = np.asarray(G.graph.get("dropped_nodes_gap_m", np.full(len(dropped), np.inf)), float)
    if gap.shape != (len(dropped),):
        raise NetworkError("graph attribute dropped_nodes_gap_m does not match dropped_nodes_xy")
    return GraphArrays(
        node_ids=node_ids,
        x=x,
        y=y,
        u=u,
        v=v,
        travel_time=tt,
        dropped_xy=dropped,
        dropped_gap_m=gap,
        speed_model=str(G.graph.get("speed_model", "")),
        land=land_of(G),
    )
