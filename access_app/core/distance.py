"""Road distance along the fastest route from every area to every site.

The travel-time matrix (:mod:`access_app.core.routing`) holds minutes only. Mileage,
cost and emissions need the *distance a driver covers on the fastest route*, which is
not the shortest distance: a motorway detour is longer but quicker. So the distance is
measured along the time-shortest tree, in one extra search per site:

1. the same reversed-graph Dijkstra search as the time matrix, from the site's super
   node, this time also returning each node's predecessor (its next node towards the
   site on the fastest route);
2. each node's edge towards the site gets the ``length`` (metres) of the edge the search
   used (the quickest of parallel edges, as in
   :attr:`~access_app.core.network.GraphArrays.reversed_csr`); the first edge out of
   the super node is the site's access leg (straight line x detour factor);
3. distances to the root are summed along the tree by pointer doubling (``log2`` of the
   tree depth vectorised passes instead of a walk per node);
4. each area takes the candidate node that gives the quickest time (the same choice as
   :func:`~access_app.core.routing.combine_area_legs`) and adds its own access leg.

Distances are kilometres, ``inf`` where the pair is unreachable. Matrices are cached as
``km_<key>.npz`` next to the time matrices; the key extends the time matrix's key with a
hash of the edge lengths.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from . import routing, schema
from .errors import NetworkError
from .network.arrays import GraphArrays
from .network.road_network import RoadNetwork, as_road_network
from .progress import CancelFn, ProgressFn, check_cancelled, report

log = logging.getLogger(__name__)

_CACHE_VERSION = "km/1"


@dataclass(frozen=True)
class DistanceMatrix:
    """Road kilometres along the fastest route from every area to every site.

    Attributes
    ----------
    km
        ``(n_areas, n_sites)`` kilometres, access legs included; ``inf`` where unreachable.
    area_ids, site_ids
        Row and column identifiers (the same order as the time matrix).
    key
        Cache key.
    """

    km: np.ndarray
    area_ids: np.ndarray
    site_ids: np.ndarray
    key: str = ""

    def __post_init__(self) -> None:
        if self.km.shape != (len(self.area_ids), len(self.site_ids)):
            raise ValueError(
                f"distance matrix shape {self.km.shape} does not match "
                f"{len(self.area_ids)} areas x {len(self.site_ids)} sites"
            )


def edge_lengths_reversed(G: nx.MultiDiGraph, arrays: GraphArrays) -> np.ndarray:
    """Return metres per entry of ``arrays.reversed_csr``, from the edges' ``length``.

    Parallel edges are reduced as the CSR reduces them: the quickest one (ties: the
    shorter one) gives the length.

    Raises
    ------
    NetworkError
        If an edge has no finite, non-negative ``length``.
    """
    pos = dict(zip(arrays.node_ids.tolist(), range(arrays.n_nodes), strict=True))
    rows_l: list[int] = []
    cols_l: list[int] = []
    tt_l: list[float] = []
    ln_l: list[float] = []
    for a, b, d in G.edges(data=True):
        rows_l.append(pos[b])
        cols_l.append(pos[a])
        tt_l.append(float(d["travel_time"]))
        ln_l.append(float(d.get("length", np.nan)))
    rows = np.asarray(rows_l, dtype=np.int64)
    cols = np.asarray(cols_l, dtype=np.int64)
    tt = np.asarray(tt_l, dtype=float)
    ln = np.asarray(ln_l, dtype=float)
    if ln.size and (not np.isfinite(ln).all() or (ln < 0).any()):
        raise NetworkError(
            "every network edge needs a 'length' in metres to measure distances; "
            "build the network with access_app.core.network"
        )
    order = np.lexsort((ln, tt, cols, rows))
    rows, cols, ln = rows[order], cols[order], ln[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    indptr, indices, _ = arrays.reversed_csr
    if int(first.sum()) != indices.size:
        raise NetworkError("the network's edges changed since its routing arrays were built")
    return ln[first]


def tree_distance(pred: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Return the summed ``step`` from every node to the root of a predecessor tree.

    Parameters
    ----------
    pred
        Predecessor of each node (negative for the root and for unreached nodes).
    step
        Length of the edge from each node to its predecessor (ignored where ``pred < 0``).

    Returns
    -------
    numpy.ndarray
        Sum of ``step`` along each node's path to the root (0 at the root).
    """
    n = pred.size
    p = np.where(pred >= 0, pred, np.arange(n))
    acc = np.where(pred >= 0, step, 0.0).astype(float)
    for _ in range(64):  # 2**64 exceeds any tree depth
        nxt = p[p]
        if np.array_equal(nxt, p):
            break
        acc = acc + acc[p]
        p = nxt
    else:  # pragma: no cover - only a cyclic predecessor array gets here
        raise NetworkError("the route tree has a cycle")
    return acc


def _leg_metres(arrays: GraphArrays, xy: np.ndarray, k: int, detour: float) -> np.ndarray:
    dist, _ = arrays.kd_tree.query(xy, k=k, workers=-1)
    return np.asarray(dist, dtype=float).reshape(len(xy), k) * detour


def distance_matrix(
    network: RoadNetwork,
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    params: routing.RoutingParams | None = None,
    cache_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> DistanceMatrix:
    """Compute road kilometres along the fastest route from every area to every site.

    Parameters
    ----------
    network
        Road network from :mod:`access_app.core.network` (graph with ``travel_time`` and
        ``length`` on every edge, and its routing arrays).
    areas, sites
        The same points as given to :func:`~access_app.core.routing.travel_time_matrix`.
    params
        Routing parameters (must match the time matrix's).
    cache_dir
        Folder for cached matrices; None disables the cache.
    progress, cancelled
        Progress callback and cancel check.

    Returns
    -------
    DistanceMatrix
    """
    network = as_road_network(network)
    params = params or routing.RoutingParams()
    crs = network.crs
    area_ids, area_xy = routing._points(areas, schema.AREA_ID, crs, "area")
    site_ids, site_xy = routing._points(sites, schema.SITE_ID, crs, "site")
    area_urban = routing._area_urban(areas)
    arrays = network.arrays
    lengths = edge_lengths_reversed(network.graph, arrays)
    h = hashlib.sha256(_CACHE_VERSION.encode())
    h.update(routing.matrix_key(arrays, params, area_ids, area_xy, area_urban, site_ids, site_xy).encode())
    h.update(np.ascontiguousarray(lengths).tobytes())
    key = h.hexdigest()
    cache_file = Path(cache_dir) / f"km_{key[:40]}.npz" if cache_dir is not None else None
    if cache_file is not None and cache_file.exists():
        try:
            with np.load(cache_file, allow_pickle=False) as z:
                if str(z["key"]) == key:
                    report(progress, 1.0, "Distances read from the cache")
                    return DistanceMatrix(km=z["km"], area_ids=area_ids, site_ids=site_ids, key=key)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable distance cache %s: %s", cache_file, exc)
    report(progress, 0.0, "Measuring distances along the fastest routes")
    area_snap = routing.snap_points(arrays, area_xy, area_urban, params=params)
    site_urban = np.full(len(site_ids), params.site_access == "urban")
    site_snap = routing.snap_points(arrays, site_xy, site_urban, params=params)
    k = area_snap.nodes.shape[1]
    area_leg_m = _leg_metres(arrays, area_xy, k, params.detour_factor)
    site_leg_m = _leg_metres(arrays, site_xy, site_snap.nodes.shape[1], params.detour_factor)
    km = _km_matrix(
        arrays, lengths, area_snap, site_snap, area_leg_m, site_leg_m, progress=progress, cancelled=cancelled
    )
    result = DistanceMatrix(km=km, area_ids=area_ids, site_ids=site_ids, key=key)
    if cache_file is not None:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_name(cache_file.name + f".{os.getpid()}.tmp.npz")
            np.savez(tmp, key=np.array(key), km=km)
            os.replace(tmp, cache_file)
        except OSError as exc:  # a cache that cannot be written is not fatal
            log.warning("could not cache the distance matrix in %s: %s", cache_file, exc)
    report(progress, 1.0, "Distances ready")
    return result


def _km_matrix(
    arrays: GraphArrays,
    lengths: np.ndarray,
    area_snap: routing.Snap,
    site_snap: routing.Snap,
    area_leg_m: np.ndarray,
    site_leg_m: np.ndarray,
    *,
    progress: ProgressFn | None,
    cancelled: CancelFn | None,
) -> np.ndarray:
    n = arrays.n_nodes
    m = len(site_snap.nodes)
    n_areas = len(area_snap.nodes)
    out = np.full((n_areas, m), np.inf)
    if m == 0 or n_areas == 0:
        return out
    ok = np.isfinite(site_snap.leg_s)
    sources = [(site_snap.nodes[j][ok[j]], site_snap.leg_s[j][ok[j]]) for j in range(m)]
    csr = arrays.csr_with_sources(sources)
    size = n + m
    entry_len = np.concatenate([lengths, *[site_leg_m[j][ok[j]] for j in range(m)]])
    # position of every CSR entry by (row, column), to find the edge a predecessor used
    row_of = np.repeat(np.arange(size, dtype=np.int64), np.diff(csr.indptr))
    keys = row_of * size + csr.indices.astype(np.int64)
    key_order = np.argsort(keys, kind="stable")
    sorted_keys = keys[key_order]
    rows = np.arange(n_areas)
    area_nodes = area_snap.nodes
    for j in range(m):
        check_cancelled(cancelled)
        dist, pred = dijkstra(csr, directed=True, indices=n + j, return_predecessors=True)
        has = pred >= 0
        step = np.zeros(size)
        q = pred[has].astype(np.int64) * size + np.flatnonzero(has)
        at = np.searchsorted(sorted_keys, q)
        step[has] = entry_len[key_order[at]]
        metres = tree_distance(pred, step)
        metres[~np.isfinite(dist)] = np.inf
        total_s = area_snap.leg_s + dist[area_nodes]
        best = np.argmin(total_s, axis=1)
        chosen = area_nodes[rows, best]
        km = (area_leg_m[rows, best] + metres[chosen]) / 1000.0
        out[:, j] = np.where(np.isfinite(total_s[rows, best]), km, np.inf)
        report(progress, (j + 1) / m, f"Measured distances to {j + 1} of {m} sites")
    return out


__all__ = ["DistanceMatrix", "distance_matrix", "edge_lengths_reversed", "tree_distance"]
