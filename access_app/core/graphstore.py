"""Array form of a road graph and the fast ``.npz`` network cache.

:class:`GraphArrays` holds what routing needs (node coordinates, edge end points, travel
times, coordinates of nodes dropped as islands) as flat numpy arrays, with the reversed
compressed sparse row (CSR) matrix that :mod:`scipy.sparse.csgraph` searches. It is built
once per graph by :func:`arrays_of` and kept in ``G.graph["_arrays"]`` (tied to that graph
object); a graph loaded from the cache gets it for free. If you change a graph's edges in
place, call :func:`forget_arrays` so it is rebuilt.

Cache file format (``numpy.savez``, no pickles; ``allow_pickle=False`` on load)
----------------------------------------------------------------------------------
``format``            "access-app-network/1"
``graph_json``        graph attributes as JSON (crs, source, speed_model, dropped counts)
``node_ids``          int64 node ids; ``x``, ``y`` float64 (metres, ``crs``)
``u``, ``v``, ``k``   edge end points as node positions (int32/int64) and edge keys
``length``, ``travel_time``   float64 per edge
``dropped_xy``        (n, 2) coordinates of nodes outside the kept component
``dropped_gap_m``     gap (m) from each dropped node's component to the kept network
``ea:<name>``         any other edge attribute: bool, float64 (NaN = missing) or unicode
                      (JSON text for lists, "" = missing, with ``em:<name>`` mask)
``na:<name>``         the same for node attributes
``geom_coords``, ``geom_offsets``, ``geom_mask``   edge LineStrings as ragged coordinates
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely
from scipy import sparse
from scipy.spatial import cKDTree

from .errors import NetworkError

log = logging.getLogger(__name__)

FORMAT = "access-app-network/1"
_CORE_EDGE = {"length", "travel_time", "geometry"}
_CORE_NODE = {"x", "y"}


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
        Optional land-mass label per node (node attribute ``land``, 0 = main network, set
        by :mod:`access_app.core.ferries` for islands joined by a ferry): a point's access
        candidates are kept on the land of its nearest node, so no access leg crosses the sea.
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


def arrays_of(G: nx.MultiDiGraph) -> GraphArrays:
    """Return the :class:`GraphArrays` of ``G``, building and caching them once.

    Raises
    ------
    NetworkError
        If nodes lack ``x``/``y``, node ids are not integers or an edge lacks
        ``travel_time``.
    """
    cached = G.graph.get("_arrays")
    if (
        isinstance(cached, tuple)
        and len(cached) == 2
        and cached[0] == id(G)
        and isinstance(cached[1], GraphArrays)
        and cached[1].n_nodes == G.number_of_nodes()
    ):
        return cached[1]
    arrays = _build_arrays(G)
    attach_arrays(G, arrays)
    return arrays


def attach_arrays(G: nx.MultiDiGraph, arrays: GraphArrays) -> None:
    """Keep ``arrays`` on ``G`` for :func:`arrays_of` (valid for this graph object only).

    The arrays are tied to the graph object's identity, so a copy (``G.copy()``, which
    copies ``G.graph``) rebuilds its own; edits made in place need :func:`forget_arrays`.
    Counting a MultiDiGraph's edges costs a pass over every node, so it is not re-checked.
    """
    G.graph["_arrays"] = (id(G), arrays)


def forget_arrays(G: nx.MultiDiGraph) -> None:
    """Drop the cached arrays of ``G`` (call after editing edges in place)."""
    G.graph.pop("_arrays", None)


def _build_arrays(G: nx.MultiDiGraph) -> GraphArrays:
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
    land = (np.fromiter((d.get("land", 0) for _, d in G.nodes(data=True)), np.int64, len(node_ids))
            if G.graph.get("has_land") else None)
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
        land=land,
    )


# --------------------------------------------------------------------------- npz cache


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    return str(obj)


def public_graph_attrs(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Return graph attributes that can be written to a file (no arrays, no private keys)."""
    return {
        k: v
        for k, v in G.graph.items()
        if not k.startswith("_") and k not in ("dropped_nodes_xy", "dropped_nodes_gap_m")
    }


def _encode_column(values: list[Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """Encode one attribute column; the second item is the text mask (None if not text).

    Complete bool or int columns are stored as such, float columns (missing = NaN) as
    float64; anything else as text, with JSON for non-strings (lists of osmids, ints with
    gaps) and a ``(2, n)`` mask: row 0 "value present", row 1 "value is JSON".
    """
    present = [v for v in values if v is not None]
    complete = bool(present) and len(present) == len(values)
    if complete and all(isinstance(v, (bool, np.bool_)) for v in present):
        return np.array(values, dtype=bool), None
    if complete and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in present
    ):
        return np.array(values, dtype=np.int64), None
    if present and all(isinstance(v, (float, np.floating)) for v in present):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64), None
    mask = np.array([v is not None for v in values], dtype=bool)
    is_json = np.array([v is not None and not isinstance(v, str) for v in values], dtype=bool)
    text = [
        "" if v is None else v if isinstance(v, str) else json.dumps(v, default=_json_default)
        for v in values
    ]
    return np.array(text, dtype=str), np.stack([mask, is_json])


def _decode_column(arr: np.ndarray, mask: np.ndarray | None) -> list[Any]:
    if mask is None:
        if arr.dtype.kind == "f":
            return [None if v != v else v for v in arr.tolist()]
        return arr.tolist()
    present, is_json = mask[0], mask[1]
    out: list[Any] = arr.tolist()
    for i in np.flatnonzero(~present):
        out[i] = None
    for i in np.flatnonzero(is_json):
        out[i] = json.loads(out[i])
    return out


def save_arrays(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` to the ``.npz`` cache format (see the module docstring).

    The file is written to a temporary name and renamed, so a crash never leaves a
    half-written cache.
    """
    path = Path(path)
    node_ids = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
    pos = dict(zip(node_ids.tolist(), range(len(node_ids)), strict=True))
    nodes = list(G.nodes(data=True))
    edges = list(G.edges(keys=True, data=True))
    out: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "graph_json": np.array(json.dumps(public_graph_attrs(G), default=_json_default)),
        "node_ids": node_ids,
        "x": np.array([d["x"] for _, d in nodes], dtype=float),
        "y": np.array([d["y"] for _, d in nodes], dtype=float),
        "u": np.array([pos[a] for a, _, _, _ in edges], dtype=np.int64),
        "v": np.array([pos[b] for _, b, _, _ in edges], dtype=np.int64),
        "k": np.array([k for _, _, k, _ in edges], dtype=np.int64),
        "length": np.array([d["length"] for *_, d in edges], dtype=float),
        "travel_time": np.array([d["travel_time"] for *_, d in edges], dtype=float),
        "dropped_xy": np.asarray(
            G.graph.get("dropped_nodes_xy", np.zeros((0, 2))), dtype=float
        ).reshape(-1, 2),
    }
    out["dropped_gap_m"] = np.asarray(
        G.graph.get("dropped_nodes_gap_m", np.full(len(out["dropped_xy"]), np.inf)), dtype=float
    )
    for prefix, items, core in (("ea", [d for *_, d in edges], _CORE_EDGE),
                                ("na", [d for _, d in nodes], _CORE_NODE)):
        names = sorted({k for d in items for k in d} - core)
        for name in names:
            arr, mask = _encode_column([d.get(name) for d in items])
            out[f"{prefix}:{name}"] = arr
            if mask is not None:
                out[f"{prefix[0]}m:{name}"] = mask
    geoms = [d.get("geometry") for *_, d in edges]
    has = np.array([g is not None for g in geoms], dtype=bool)
    if has.any():
        lines = np.array([g for g in geoms if g is not None], dtype=object)
        _, coords, (offsets,) = shapely.to_ragged_array(lines)
        out["geom_coords"] = coords
        out["geom_offsets"] = offsets
        out["geom_mask"] = has
    tmp = path.with_name(path.name + ".tmp.npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(tmp, **out)  # type: ignore[arg-type]  # numpy stubs mistype **arrays
    os.replace(tmp, path)
    return path


def load_arrays(path: str | Path) -> nx.MultiDiGraph:
    """Read a network written by :func:`save_arrays`, with its routing arrays attached.

    Raises
    ------
    NetworkError
        If the file is missing or not in this format.
    """
    # building ~10^5 small dicts triggers the cyclic garbage collector many times for
    # nothing (nothing here forms a cycle); pausing it halves the load time
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_arrays(path)
    finally:
        if enabled:
            gc.enable()


def _load_arrays(path: str | Path) -> nx.MultiDiGraph:
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"network file {path} does not exist")
    try:
        z = np.load(path, allow_pickle=False)
        files = set(z.files)
        if "format" not in files or str(z["format"]) != FORMAT:
            raise NetworkError(f"{path} is not an access-app network cache ({FORMAT})")
        data = {name: z[name] for name in files}
    except (OSError, ValueError) as exc:
        raise NetworkError(f"cannot read network cache {path}: {exc}") from exc
    graph_attrs = json.loads(str(data["graph_json"]))
    node_ids = data["node_ids"]
    x, y = data["x"], data["y"]
    u, v, k = data["u"], data["v"], data["k"]
    length, tt = data["length"], data["travel_time"]
    dropped = data["dropped_xy"]
    gap = data.get("dropped_gap_m", np.full(len(dropped), np.inf))

    node_cols = {"x": x.tolist(), "y": y.tolist()}
    edge_cols: dict[str, list[Any]] = {"length": length.tolist(), "travel_time": tt.tolist()}
    for name in files:
        prefix, _, col = name.partition(":")
        if prefix in ("ea", "na"):
            mask = data.get(f"{prefix[0]}m:{col}")
            target = edge_cols if prefix == "ea" else node_cols
            target[col] = _decode_column(data[name], mask)
    if "geom_coords" in data:
        lines = shapely.from_ragged_array(
            shapely.GeometryType.LINESTRING, data["geom_coords"], (data["geom_offsets"],)
        )
        geoms: list[Any] = [None] * len(u)
        for i, g in zip(np.flatnonzero(data["geom_mask"]), lines, strict=True):
            geoms[i] = g
        edge_cols["geometry"] = geoms

    ids = node_ids.tolist()
    node_rows = _rows(node_cols)
    edge_rows = _rows(edge_cols)
    G = _assemble(graph_attrs, ids, node_rows, node_ids[u].tolist(), node_ids[v].tolist(),
                  k.tolist(), edge_rows)
    G.graph["dropped_nodes_xy"] = dropped
    G.graph["dropped_nodes_gap_m"] = gap
    arrays = GraphArrays(
        node_ids=node_ids,
        x=x,
        y=y,
        u=u.astype(np.int32),
        v=v.astype(np.int32),
        travel_time=tt,
        dropped_xy=dropped,
        dropped_gap_m=gap,
        speed_model=str(graph_attrs.get("speed_model", "")),
        land=(np.array([0 if v is None else int(v) for v in node_cols["land"]], dtype=np.int64)
              if graph_attrs.get("has_land") and "land" in node_cols else None),
    )
    attach_arrays(G, arrays)
    return G


def _rows(cols: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(cols)
    values = list(cols.values())
    if not any(None in col for col in values):
        return [dict(zip(names, vals, strict=True)) for vals in zip(*values, strict=True)]
    return [
        {c: val for c, val in zip(names, vals, strict=True) if val is not None}
        for vals in zip(*values, strict=True)
    ]


def _assemble(
    graph_attrs: dict[str, Any],
    ids: list[int],
    node_rows: list[dict[str, Any]],
    us: list[int],
    vs: list[int],
    keys: list[int],
    edge_rows: list[dict[str, Any]],
) -> nx.MultiDiGraph:
    """Build a MultiDiGraph by filling its adjacency dicts directly.

    This is what ``add_nodes_from``/``add_edges_from`` produce (networkx keeps
    ``_succ[u][v][key] = attrs`` with ``_pred[v][u]`` sharing the key dict), about three
    times faster; ``tests/core/test_network_cache.py`` checks the result equals a graph
    built through the public API.
    """
    G = nx.MultiDiGraph(**graph_attrs)
    node: dict[int, dict[str, Any]] = dict(zip(ids, node_rows, strict=True))
    succ: dict[int, dict[int, dict[int, dict[str, Any]]]] = {n: {} for n in ids}
    pred: dict[int, dict[int, dict[int, dict[str, Any]]]] = {n: {} for n in ids}
    for a, b, key, row in zip(us, vs, keys, edge_rows, strict=True):
        out = succ[a]
        keydict = out.get(b)
        if keydict is None:
            keydict = out[b] = {}
            pred[b][a] = keydict
        keydict[key] = row
    G._node.update(node)
    G._succ.update(succ)
    G._pred.update(pred)
    return G
