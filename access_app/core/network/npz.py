"""The fast ``.npz`` network file: a road graph and its routing arrays, no pickles.

:func:`save_arrays` writes a graph; :func:`load_arrays` reads it back as a
:class:`~access_app.core.network.RoadNetwork` whose routing arrays come straight from the
file (no pass over the graph to build them).

File format (``numpy.savez``, no pickles; ``allow_pickle=False`` on load)
-------------------------------------------------------------------------
``format``            "access-app-network/1"
``graph_json``        graph attributes as JSON (crs, source, speed_model, dropped counts)
``node_ids``          int64 node ids; ``x``, ``y`` float64 (metres, ``crs``)
``u``, ``v``, ``k``   edge end points as node positions (int32/int64) and edge keys
``length``, ``travel_time``   float64 per edge
``dropped_xy``        (n, 2) coordinates of nodes outside the kept component
``dropped_gap_m``     gap (m) from each dropped node's component to the kept network
``land``              int64 land-mass label per node (only for a graph with ferries,
                      ``graph_json`` ``has_land``; see :attr:`GraphArrays.land`)
``ea:<name>``         any other edge attribute: bool, float64 (NaN = missing) or unicode
                      (JSON text for lists, "" = missing, with ``em:<name>`` mask)
``na:<name>``         the same for node attributes
``geom_coords``, ``geom_offsets``, ``geom_mask``   edge LineStrings as ragged coordinates
"""

from __future__ import annotations

import gc
import json
import logging
import os
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely

from ..errors import NetworkError
from .arrays import GraphArrays, land_of
from .road_network import RoadNetwork

log = logging.getLogger(__name__)

FORMAT = "access-app-network/1"
_CORE_EDGE = {"length", "travel_time", "geometry"}
_CORE_NODE = {"x", "y", "land"}  # land: its own array (graphs with ferries)


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
    land = land_of(G)
    if land is not None:
        out["land"] = land
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


def load_arrays(path: str | Path) -> RoadNetwork:
    """Read a network written by :func:`save_arrays`, with its routing arrays from the file.

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


#: Arrays every network cache file must hold.
REQUIRED_ARRAYS = ("format", "graph_json", "node_ids", "x", "y", "u", "v", "k", "length",
                   "travel_time", "dropped_xy")


def _load_arrays(path: str | Path) -> RoadNetwork:
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"network file {path} does not exist")
    try:
        z = np.load(path, allow_pickle=False)
        files = set(z.files) if hasattr(z, "files") else set()
        if "format" not in files or str(z["format"]) != FORMAT:
            raise NetworkError(f"{path} is not an access-app network cache ({FORMAT})")
        data = {name: z[name] for name in files}
    except NetworkError:
        raise
    except Exception as exc:  # noqa: BLE001 - numpy/zipfile raise many types
        # numpy's own text suggests loading pickles "unsafely": never pass that on.
        why = ("it holds Python objects (pickles), which are never loaded"
               if "pickle" in str(exc).lower() else type(exc).__name__)
        raise NetworkError(
            f"cannot read network file {path}: not a valid access-app network cache ({why}). "
            "Save the network again from the app, or load the original road file."
        ) from None
    missing = [name for name in REQUIRED_ARRAYS if name not in data]
    if missing:
        raise NetworkError(
            f"{path}: the network cache lacks the arrays {', '.join(missing)}. Save the network "
            "again from the app, or load the original road file."
        )
    try:
        return _graph_from_data(data, files)
    except (KeyError, IndexError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        raise NetworkError(
            f"{path}: the network cache is inconsistent ({type(exc).__name__}: {str(exc)[:120]}). "
            "Save the network again from the app, or load the original road file."
        ) from None


def _graph_from_data(data: dict[str, np.ndarray], files: set[str]) -> RoadNetwork:
    graph_attrs = json.loads(str(data["graph_json"]))
    if not isinstance(graph_attrs, dict):
        raise ValueError("graph_json is not a JSON object")
    node_ids = data["node_ids"]
    x, y = data["x"], data["y"]
    u, v, k = data["u"], data["v"], data["k"]
    length, tt = data["length"], data["travel_time"]
    dropped = data["dropped_xy"]
    gap = data.get("dropped_gap_m", np.full(len(dropped), np.inf))
    n, m = len(node_ids), len(u)
    if not (node_ids.ndim == 1 and x.shape == (n,) and y.shape == (n,)):
        raise ValueError(f"node arrays differ in length ({n} ids, {len(x)} x, {len(y)} y)")
    if not all(a.ndim == 1 and len(a) == m for a in (v, k, length, tt)):
        raise ValueError("edge arrays differ in length")
    if not (np.issubdtype(u.dtype, np.integer) and np.issubdtype(v.dtype, np.integer)):
        raise ValueError("edge end points are not integers")
    if m and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
        raise ValueError("edge end points outside the node arrays")
    if not (np.isfinite(tt).all() and (tt >= 0).all()):
        raise ValueError("travel times must be finite and >= 0")
    if dropped.ndim != 2 or dropped.shape[1] != 2 or gap.shape != (len(dropped),):
        raise ValueError("dropped node arrays have the wrong shape")

    land = data["land"].astype(np.int64) if "land" in data else None
    if land is not None and land.shape != (n,):
        raise ValueError(f"land array has {land.size} labels for {n} nodes")
    node_cols = {"x": x.tolist(), "y": y.tolist()}
    if land is not None:
        node_cols["land"] = land.tolist()
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
        land=land,
    )
    return RoadNetwork(graph=G, arrays=arrays)


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
