"""Car travel times from areas to sites: snapping, access legs and array graph search.

Door-to-door time from area ``i`` to site ``j``::

    t(i, j) = min over a in K(i), s in K(j) of  leg(i, a) + network(a -> s) + leg(s, j)

where ``K(p)`` are the ``k_nearest`` network nodes of point ``p`` and
``leg(p, n) = straight-line distance x detour_factor / access speed``. The network part
is searched with :func:`scipy.sparse.csgraph.dijkstra` on the reversed graph's CSR
arrays (built once per network and held by :class:`~access_app.core.network.RoadNetwork`,
see :mod:`access_app.core.network.arrays`), from one extra
"super node" per site joined to the site's candidate nodes by its access legs, so a
single search per site gives the time from every node to that site door; the
area legs are then added with array operations. :func:`nearest_site_minutes` runs one
multi-source search from all super nodes at once.

Routing parameters (:class:`RoutingParams`) and their defaults
--------------------------------------------------------------
- ``detour_factor`` 1.3: road distance over straight-line distance for the access legs
  (circuity of British local roads is typically 1.2 to 1.4).
- ``access_speed_urban_kmh`` 42 (26 mph), ``access_speed_rural_kmh`` 60 (37 mph): speed
  on the minor roads between a point and the network; areas use their ``urban_rural``
  class (rural if the column is missing), sites use ``site_access`` ("urban"). Calibrated
  against a full OpenStreetMap network of Rutland (``tools/validate_times.py``,
  ``docs/validation.md``): the earlier 24 / 40 km/h made LSOA-to-town trips 6.2 min too
  slow on average (MAE 6.2 min); 42 / 60 with 16 candidates gives +0.6 min (MAE 1.6). They
  lie between free-flow car speeds on 30 mph roads (about 31 mph) and on national-limit
  single carriageways (about 48 mph) with junction delays, as DfT vehicle speed
  compliance statistics give them.
- ``k_nearest`` 16: candidate nodes per point; the quickest is used. On Rutland (with the
  access speeds above) 4 candidates give a bias of +2.2 min (MAE 2.9), 8 give +1.2 (2.0),
  16 give +0.7 (1.7) and 24 no better: a point often joins the network quicker at a node a
  little farther away on a faster road.
- ``max_snap_m`` 20,000: a point whose nearest network node is further away is
  unreachable ("46.5 km from the nearest road node, beyond the 20 km limit": the Isles of
  Scilly on the DfT network). The DfT network holds only motorways and A roads, so some
  rural LSOAs (Dales, Purbeck, Maldon) lie 10 to 16 km from one; with a full OSM network
  a limit of 2 to 5 km is more telling.
- ``island_min_gap_m`` 2,000: see islands below.

Islands: a point whose nearest node in the *full* network (kept nodes plus the nodes
dropped with small components, ``G.graph["dropped_nodes_xy"]``) is a dropped node nearer
than every kept node is reported "on a road island with no link to the main network"
(Isle of Wight LSOAs on the DfT network) instead of being routed over the sea. Only
components at least ``island_min_gap_m`` from the kept network count: fragments a few
metres off the main network (missing joins in the data, 40 of the 44 DfT fragments) are
not islands, and points near them join the main network.
Unreachable pairs are ``inf`` in the matrix and each unreachable point gets a row in
``TravelTimeMatrix.unreachable``.

Matrices are cached in ``cache_dir`` as ``ttm_<key>.npz`` where the key hashes the graph
arrays (nodes, edges, travel times, speed model), the routing parameters and the point
ids, coordinates and urban/rural classes.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from . import schema
from .errors import DataError, NetworkError
from .matrix import TravelTimeMatrix
from .network.arrays import GraphArrays
from .network.road_network import RoadNetwork, as_road_network
from .progress import CancelFn, ProgressFn, check_cancelled, report, scaled

log = logging.getLogger(__name__)

ISLAND_REASON = "on a road island with no link to the main network"
_CACHE_VERSION = "ttm/1"


@dataclass(frozen=True)
class RoutingParams:
    """How points join the network (see the module docstring for the defaults' basis)."""

    detour_factor: float = 1.3
    access_speed_urban_kmh: float = 42.0
    access_speed_rural_kmh: float = 60.0
    site_access: str = "urban"
    k_nearest: int = 16
    max_snap_m: float = 20_000.0
    island_min_gap_m: float = 2_000.0

    def __post_init__(self) -> None:
        if self.detour_factor < 1:
            raise NetworkError(f"detour_factor must be >= 1, got {self.detour_factor}")
        if min(self.access_speed_urban_kmh, self.access_speed_rural_kmh) <= 0:
            raise NetworkError("access speeds must be > 0 km/h")
        if self.k_nearest < 1:
            raise NetworkError(f"k_nearest must be >= 1, got {self.k_nearest}")
        if not self.max_snap_m > 0:
            raise NetworkError(f"max_snap_m must be > 0, got {self.max_snap_m}")
        if self.site_access not in ("urban", "rural"):
            raise NetworkError(f"site_access must be 'urban' or 'rural', not {self.site_access!r}")


@dataclass(frozen=True)
class Snap:
    """Candidate network nodes of a set of points and the access leg to each.

    Attributes
    ----------
    nodes
        ``(n, k)`` node positions (into :class:`GraphArrays`).
    leg_s
        ``(n, k)`` access-leg seconds; ``inf`` for every candidate of an unreachable point.
    snap_m
        Straight-line metres to the nearest kept node.
    reason
        Empty string, or why the point is unreachable.
    """

    nodes: np.ndarray
    leg_s: np.ndarray
    snap_m: np.ndarray
    reason: np.ndarray


def snap_points(
    arrays: GraphArrays,
    xy: np.ndarray,
    urban: np.ndarray,
    *,
    params: RoutingParams,
) -> Snap:
    """Return each point's ``k`` nearest kept nodes, access legs and unreachable reasons.

    Parameters
    ----------
    arrays
        Graph arrays (kept component only; ``dropped_xy`` used for the island test).
    xy
        ``(n, 2)`` point coordinates in the graph CRS.
    urban
        Boolean per point: use the urban access speed.
    params
        Routing parameters.
    """
    n = len(xy)
    k = min(params.k_nearest, arrays.n_nodes)
    if arrays.n_nodes == 0:
        raise NetworkError("the road network has no nodes")
    tree = arrays.kd_tree
    dist, idx = tree.query(xy, k=k, workers=-1)
    dist = np.asarray(dist, dtype=float).reshape(n, k)
    idx = np.asarray(idx, dtype=np.int64).reshape(n, k)
    if arrays.land is not None:
        # Keep the k nearest on the land of the nearest node (no access leg across the sea):
        # rows whose candidates mix land masses are searched again, wider.
        mixed = np.flatnonzero((arrays.land[idx] != arrays.land[idx[:, :1]]).any(axis=1))
        if len(mixed):
            wide = min(arrays.n_nodes, 3 * k)
            wd, wi = tree.query(xy[mixed], k=wide, workers=-1)
            wd = np.asarray(wd, dtype=float).reshape(len(mixed), wide)
            wi = np.asarray(wi, dtype=np.int64).reshape(len(mixed), wide)
            other = arrays.land[wi] != arrays.land[idx[mixed, :1]]
            order = np.argsort(other, axis=1, kind="stable")[:, :k]
            idx[mixed] = np.take_along_axis(wi, order, axis=1)
            dist[mixed] = np.where(np.take_along_axis(other, order, axis=1), np.inf,
                                   np.take_along_axis(wd, order, axis=1))
    speed = np.where(urban, params.access_speed_urban_kmh, params.access_speed_rural_kmh) / 3.6
    leg = dist * params.detour_factor / speed[:, None]
    nearest = dist[:, 0]
    reason = np.full(n, "", dtype=object)
    far = nearest > params.max_snap_m
    for i in np.flatnonzero(far):
        reason[i] = (
            f"{nearest[i] / 1000:.1f} km from the nearest road node, beyond the "
            f"{params.max_snap_m / 1000:g} km limit"
        )
    islands = arrays.dropped_xy[arrays.dropped_gap_m >= params.island_min_gap_m]
    if len(islands):
        d_drop, _ = cKDTree(islands).query(xy, workers=-1)
        island = d_drop < nearest  # an island beats "too far" as the reason
        for i in np.flatnonzero(island):
            reason[i] = (
                f"{ISLAND_REASON} (nearest road node {d_drop[i] / 1000:.1f} km away is cut "
                f"off; the main network is {nearest[i] / 1000:.1f} km away)"
            )
    bad = reason != ""
    leg[bad] = np.inf
    return Snap(nodes=idx, leg_s=leg, snap_m=nearest, reason=reason.astype(str))


def site_to_node_seconds(
    arrays: GraphArrays,
    site_snap: Snap,
    *,
    keep: np.ndarray | None = None,
    chunk: int | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> np.ndarray:
    """Return seconds from nodes to every site door, shape ``(n_sites, n_kept)``.

    One Dijkstra search per site over the reversed graph, started at the site's super
    node, in chunks of ``chunk`` sites to bound memory.

    Parameters
    ----------
    arrays
        Graph arrays.
    site_snap
        Candidate nodes and access legs of the sites.
    keep
        Node positions whose times are returned (all nodes if None).
    chunk, progress, cancelled
        Sites per search call; progress callback; cancel check.
    """
    m = len(site_snap.nodes)
    n = arrays.n_nodes
    cols = np.arange(n) if keep is None else np.asarray(keep, dtype=np.int64)
    out = np.full((m, cols.size), np.inf)
    if m == 0:
        return out
    csr = arrays.csr_with_sources(_site_sources(site_snap))
    if chunk is None:
        chunk = int(max(1, min(16, 2e8 // (8 * (n + m)))))
    for start in range(0, m, chunk):
        check_cancelled(cancelled)
        stop = min(m, start + chunk)
        dist = dijkstra(csr, directed=True, indices=np.arange(n + start, n + stop))
        out[start:stop] = dist[:, cols]
        report(progress, stop / m, f"Searched the network from {stop} of {m} sites")
    return out


def _site_sources(site_snap: Snap) -> list[tuple[np.ndarray, np.ndarray]]:
    ok = np.isfinite(site_snap.leg_s)
    return [(site_snap.nodes[j][ok[j]], site_snap.leg_s[j][ok[j]]) for j in range(len(ok))]


def combine_area_legs(node_seconds: np.ndarray, area_nodes: np.ndarray,
                      area_legs: np.ndarray) -> np.ndarray:
    """Return ``(n_areas, n_sites)`` seconds: best over candidates of leg + node-to-site.

    Parameters
    ----------
    node_seconds
        ``(n_sites, n_cols)`` seconds from nodes to sites.
    area_nodes
        ``(n_areas, k)`` column positions (into ``node_seconds``) of each area's candidates.
    area_legs
        ``(n_areas, k)`` access-leg seconds.
    """
    by_node = np.ascontiguousarray(node_seconds.T)
    if len(area_nodes) == 0:
        return np.full((0, node_seconds.shape[0]), np.inf)
    best = by_node[area_nodes[:, 0]]
    best += area_legs[:, 0][:, None]
    tmp = np.empty_like(best)
    for c in range(1, area_nodes.shape[1]):
        np.take(by_node, area_nodes[:, c], axis=0, out=tmp)
        tmp += area_legs[:, c][:, None]
        np.minimum(best, tmp, out=best)
    return best


def _points(
    gdf: gpd.GeoDataFrame, id_col: str, crs: object, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"{kind}s must be a GeoDataFrame, got {type(gdf).__name__}")
    if id_col not in gdf.columns:
        raise DataError(f"{kind}s have no {id_col!r} column")
    if gdf.crs is None:
        raise DataError(f"{kind}s have no CRS; set one (e.g. EPSG:27700)")
    geom = gdf.geometry if gdf.crs == crs else gdf.geometry.to_crs(crs)
    if len(geom) and not (geom.geom_type == "Point").all():
        geom = geom.centroid
    xy = shapely.get_coordinates(geom.values)
    if len(xy) != len(gdf) or not np.isfinite(xy).all():
        raise DataError(f"every {kind} needs a point location; some are empty or missing")
    return gdf[id_col].astype(str).to_numpy(), xy


def _area_urban(areas: gpd.GeoDataFrame) -> np.ndarray:
    if schema.URBAN_RURAL not in areas.columns:
        return np.zeros(len(areas), dtype=bool)
    return areas[schema.URBAN_RURAL].astype(str).str.lower().eq("urban").to_numpy()


def matrix_key(
    arrays: GraphArrays,
    params: RoutingParams,
    area_ids: np.ndarray,
    area_xy: np.ndarray,
    area_urban: np.ndarray,
    site_ids: np.ndarray,
    site_xy: np.ndarray,
) -> str:
    """Return the cache key of a matrix: hash of graph, speed model, params and points."""
    h = hashlib.sha256(_CACHE_VERSION.encode())
    h.update(arrays.fingerprint.encode())
    h.update(repr(params).encode())
    for ids in (area_ids, site_ids):
        h.update("\x1f".join(ids.tolist()).encode() + b"\x1e")
    for arr in (area_xy, area_urban, site_xy):
        h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def travel_time_matrix(
    network: RoadNetwork,
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    params: RoutingParams | None = None,
    cache_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> TravelTimeMatrix:
    """Compute car minutes from every area to every site.

    Parameters
    ----------
    network
        Road network from :mod:`access_app.core.network` (graph with ``travel_time`` on
        every edge, ``x``/``y`` in a metric CRS, and its routing arrays).
    areas
        Points with ``area_id`` and optionally ``urban_rural``.
    sites
        Points with ``site_id``.
    params
        Snapping and access-leg parameters; defaults if None.
    cache_dir
        Folder for cached matrices; a matrix with the same key is read instead of
        recomputed. None disables the cache.
    progress, cancelled
        Progress callback and cancel check.

    Returns
    -------
    TravelTimeMatrix
        Minutes (``inf`` where unreachable), snap distances and the unreachable table.
    """
    network = as_road_network(network)
    params = params or RoutingParams()
    crs = network.crs
    area_ids, area_xy = _points(areas, schema.AREA_ID, crs, "area")
    site_ids, site_xy = _points(sites, schema.SITE_ID, crs, "site")
    area_urban = _area_urban(areas)
    report(progress, 0.0, "Preparing the network arrays")
    arrays = network.arrays
    key = matrix_key(arrays, params, area_ids, area_xy, area_urban, site_ids, site_xy)
    cache_file = Path(cache_dir) / f"ttm_{key[:40]}.npz" if cache_dir is not None else None
    if cache_file is not None and cache_file.exists():
        try:
            result = _read_matrix(cache_file, key)
            report(progress, 1.0, "Travel times read from the cache")
            return result
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable matrix cache %s: %s", cache_file, exc)
    check_cancelled(cancelled)
    report(progress, 0.05, "Joining areas and sites to the network")
    area_snap = snap_points(arrays, area_xy, area_urban, params=params)
    site_urban = np.full(len(site_ids), params.site_access == "urban")
    site_snap = snap_points(arrays, site_xy, site_urban, params=params)
    check_cancelled(cancelled)
    needed, cols = np.unique(area_snap.nodes, return_inverse=True)
    node_s = site_to_node_seconds(
        arrays, site_snap, keep=needed, progress=scaled(progress, 0.1, 0.9), cancelled=cancelled
    )
    report(progress, 0.9, "Adding access legs")
    cols = cols.reshape(area_snap.nodes.shape)
    minutes = combine_area_legs(node_s, cols, area_snap.leg_s) / 60.0
    unreachable = _unreachable_table(area_ids, area_snap, site_ids, site_snap, minutes)
    result = TravelTimeMatrix(
        minutes=minutes,
        area_ids=area_ids,
        site_ids=site_ids,
        area_snap_m=area_snap.snap_m,
        site_snap_m=site_snap.snap_m,
        unreachable=unreachable,
        key=key,
    )
    if cache_file is not None:
        try:
            _write_matrix(cache_file, result)
        except OSError as exc:  # a cache that cannot be written is not fatal
            log.warning("could not cache the travel-time matrix in %s: %s", cache_file, exc)
    report(progress, 1.0, "Travel times ready")
    return result


def _unreachable_table(
    area_ids: np.ndarray,
    area_snap: Snap,
    site_ids: np.ndarray,
    site_snap: Snap,
    minutes: np.ndarray,
) -> pd.DataFrame:
    """List unreachable areas and sites; no ``inf`` in ``minutes`` is left unexplained."""
    area_ok = area_snap.reason == ""
    site_ok = site_snap.reason == ""
    rows = [(area_ids[i], "area", area_snap.reason[i]) for i in np.flatnonzero(~area_ok)]
    rows += [(site_ids[j], "site", site_snap.reason[j]) for j in np.flatnonzero(~site_ok)]
    # a graph that is not strongly connected (e.g. a raw osmnx graph) can leave pairs
    # without a route although both ends joined the network: report them too
    stuck = np.isinf(minutes[np.ix_(area_ok, site_ok)]).sum(axis=1)
    for i, n in zip(np.flatnonzero(area_ok), stuck, strict=True):
        if n:
            rows.append((
                area_ids[i], "area",
                f"no road route to {n} of {int(site_ok.sum())} sites: the network is not "
                "strongly connected (build it with access_app.core.network)",
            ))
    return pd.DataFrame(rows, columns=["id", "kind", "reason"]).astype(str)


def _write_matrix(path: Path, m: TravelTimeMatrix) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp.npz")
    np.savez(
        tmp,
        key=np.array(m.key),
        minutes=m.minutes,
        area_ids=m.area_ids.astype(str),
        site_ids=m.site_ids.astype(str),
        area_snap_m=m.area_snap_m,
        site_snap_m=m.site_snap_m,
        unr_id=m.unreachable["id"].to_numpy(dtype=str),
        unr_kind=m.unreachable["kind"].to_numpy(dtype=str),
        unr_reason=m.unreachable["reason"].to_numpy(dtype=str),
    )
    os.replace(tmp, path)


def _read_matrix(path: Path, key: str) -> TravelTimeMatrix:
    with np.load(path, allow_pickle=False) as z:
        if str(z["key"]) != key:
            raise ValueError("key mismatch")
        unreachable = pd.DataFrame(
            {"id": z["unr_id"], "kind": z["unr_kind"], "reason": z["unr_reason"]}
        ).astype(str)
        return TravelTimeMatrix(
            minutes=z["minutes"],
            area_ids=z["area_ids"].astype(object),
            site_ids=z["site_ids"].astype(object),
            area_snap_m=z["area_snap_m"],
            site_snap_m=z["site_snap_m"],
            unreachable=unreachable,
            key=key,
        )


def nearest_site_minutes(
    network: RoadNetwork,
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    params: RoutingParams | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> pd.DataFrame:
    """Return each area's minutes to the nearest of ``sites`` with one multi-source search.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_id``, ``minutes`` (``inf`` if unreachable) and ``site_id`` of the
        nearest site (None if unreachable), in the order of ``areas``.
    """
    network = as_road_network(network)
    params = params or RoutingParams()
    crs = network.crs
    area_ids, area_xy = _points(areas, schema.AREA_ID, crs, "area")
    site_ids, site_xy = _points(sites, schema.SITE_ID, crs, "site")
    arrays = network.arrays
    report(progress, 0.1, "Joining areas and sites to the network")
    area_snap = snap_points(arrays, area_xy, _area_urban(areas), params=params)
    site_snap = snap_points(
        arrays, site_xy, np.full(len(site_ids), params.site_access == "urban"), params=params
    )
    check_cancelled(cancelled)
    n = arrays.n_nodes
    m = len(site_ids)
    if m == 0:
        dist = np.full(n, np.inf)
        src = np.full(n, -1)
    else:
        csr = arrays.csr_with_sources(_site_sources(site_snap))
        report(progress, 0.3, "Searching from all sites at once")
        dist_all, _, src_all = dijkstra(
            csr, directed=True, indices=np.arange(n, n + m), min_only=True,
            return_predecessors=True,
        )
        dist, src = dist_all[:n], src_all[:n]
    total = area_snap.leg_s + dist[area_snap.nodes]
    best = np.argmin(total, axis=1)
    rows = np.arange(len(area_ids))
    seconds = total[rows, best]
    best_src = src[area_snap.nodes[rows, best]] - n
    site_of = np.where(np.isfinite(seconds), best_src, -1)
    report(progress, 1.0, "Nearest-site times ready")
    return pd.DataFrame(
        {
            schema.AREA_ID: area_ids,
            "minutes": seconds / 60.0,
            schema.SITE_ID: [site_ids[s] if s >= 0 else None for s in site_of],
        }
    )
