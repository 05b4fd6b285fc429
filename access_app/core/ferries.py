"""Islands by sea and air: ferry, plane and helicopter links added to a road graph.

On the road network alone the Isle of Wight (89 LSOAs, about 140,000 people) and the Isles of
Scilly cannot reach a radiotherapy centre; neither has one. :func:`add_ferry_links` joins them:

- each link's mainland port (``from``) is snapped to the nearest node of the main network, and
  the crossing edge starts there, its time including the leg from that node to the port
  (straight line x detour factor at the urban access speed of
  :class:`~access_app.core.routing.RoutingParams`);
- its island port (``to``) becomes a node joined to the nearest node of the island's own roads
  by an access edge of the same kind (the island component, built from the road lines that
  the main network left out), or stands
  alone where the island has no mapped road (the Isles of Scilly on the DfT network: areas
  there join the port node by their access leg);
- the crossing is a pair of edges with ``travel_time`` = crossing + half the headway (the
  average wait for a traveller who arrives at random) + check-in, every value taken from the
  table and editable, and attribute ``ferry`` = the route id (``highway`` = "ferry").

The table (``geodata/ferries.csv``, derived from ``../shared/geodata/roads/ferries_england.csv``:
operators' published timetables, approximate, 2024) can be replaced with ``--ferries FILE``.
Links with ``enabled`` false are skipped; :func:`select_links` switches off those that carry no
cars or do not run in winter. Areas that reach the network only through a ferry are marked by
:func:`ferry_areas` (``via_ferry``); areas with no link at all stay unreachable, with the reason.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from . import schema as S
from .errors import DataError
from .network import RoadNetwork

log = logging.getLogger(__name__)

#: Columns of a ferry table (a user's file may give ports as lat/lon instead of easting/northing,
#: and ``typical_headway_min`` for ``headway_min``, as the shared source table does).
COLUMNS = ("route", "operator", "mode", "from_name", "from_easting", "from_northing", "to_name",
           "to_easting", "to_northing", "crossing_min", "headway_min", "check_in_min",
           "carries_cars", "runs_in_winter", "enabled", "note")
#: An island port farther than this (m) from every island road node stands alone; a link whose
#: mainland port is farther than this from the network (outside a regional extract) is skipped.
ISLAND_PORT_MAX_M = 5_000.0
#: Node attribute naming the ferry routes that serve an island node.
ISLAND_ATTR = "island_routes"

_TRUE = {"yes", "true", "1", "y", "t"}
_FALSE = {"no", "false", "0", "n", "f", ""}


def link_minutes(crossing_min: float, headway_min: float, check_in_min: float) -> float:
    """Return a link's door-to-door minutes: crossing + half the headway + check-in."""
    return float(crossing_min) + float(headway_min) / 2.0 + float(check_in_min)


def _flag(values: pd.Series, *, column: str, path: str) -> pd.Series:
    text = values.astype(str).str.strip().str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        raise DataError(f"{path}: column {column!r} must say yes/no (or true/false); found "
                        f"{', '.join(sorted(set(values[bad].astype(str))))}.")
    return text.isin(_TRUE)


def read_ferries(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a ferry table (the embedded one when ``path`` is ``None``).

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, ports in British National Grid metres, ``minutes`` added.
    """
    if path is None:
        from .defaults import default_ferries_path

        path = default_ferries_path()
    p = Path(path)
    if not p.is_file():
        raise DataError(f"Ferry table {p} does not exist: check the path.")
    raw = pd.read_csv(p, dtype=str, keep_default_na=False)
    raw.columns = [c.strip() for c in raw.columns]
    if "headway_min" not in raw.columns and "typical_headway_min" in raw.columns:
        raw = raw.rename(columns={"typical_headway_min": "headway_min"})
    for end in ("from", "to"):
        if f"{end}_easting" not in raw.columns and {f"{end}_lat", f"{end}_lon"} <= set(raw.columns):
            pts = gpd.GeoSeries(gpd.points_from_xy(pd.to_numeric(raw[f"{end}_lon"], errors="coerce"),
                                                   pd.to_numeric(raw[f"{end}_lat"], errors="coerce")),
                                crs=S.WGS84).to_crs(S.BNG)
            raw[f"{end}_easting"], raw[f"{end}_northing"] = pts.x, pts.y
    required = ("route", "from_easting", "from_northing", "to_easting", "to_northing",
                "crossing_min", "headway_min", "check_in_min")
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise DataError(f"{p}: ferry table lacks columns {', '.join(missing)} (ports may be given "
                        "as from_lat/from_lon and to_lat/to_lon instead of easting/northing).")
    if raw.empty:
        raise DataError(f"{p} has no rows: it lists no ferry link.")
    out = pd.DataFrame({"route": raw["route"].str.strip()})
    if out["route"].eq("").any() or not out["route"].is_unique:
        raise DataError(f"{p}: every ferry link needs a unique, non-empty 'route' id.")
    for col in ("operator", "mode", "from_name", "to_name", "note"):
        out[col] = raw[col] if col in raw.columns else ""
    if "mode" not in raw.columns:
        out["mode"] = "sea"
    for col in required[1:]:
        values = pd.to_numeric(raw[col], errors="coerce")
        bad = values.isna() | ((values < 0) & col.endswith("_min"))
        if bad.any():
            found = ", ".join(f"{r}={v!r}" for r, v in
                              zip(out["route"][bad], raw[col][bad], strict=True))
            what = "numbers >= 0" if col.endswith("_min") else "numbers (metres)"
            raise DataError(f"{p}: column {col!r} must hold {what}; found {found}.")
        out[col] = values.astype(float)
    out["carries_cars"] = (_flag(raw["carries_cars"], column="carries_cars", path=str(p))
                           if "carries_cars" in raw.columns else True)
    if "runs_in_winter" in raw.columns:
        out["runs_in_winter"] = _flag(raw["runs_in_winter"], column="runs_in_winter", path=str(p))
    else:
        out["runs_in_winter"] = ~out["note"].str.contains("no sailings in winter", case=False)
    out["enabled"] = (_flag(raw["enabled"], column="enabled", path=str(p))
                      if "enabled" in raw.columns else True)
    out["minutes"] = [link_minutes(c, h, k) for c, h, k in
                      zip(out["crossing_min"], out["headway_min"], out["check_in_min"], strict=True)]
    out.attrs["source"] = str(p)
    return out[[*COLUMNS, "minutes"]]


def select_links(
    ferries: pd.DataFrame,
    *,
    cars_only: bool = False,
    winter: bool = False,
    disabled: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Return the enabled links, optionally without passenger-only or summer-only ones.

    Parameters
    ----------
    ferries
        Table from :func:`read_ferries`.
    cars_only
        Drop links that carry no cars (passenger boats, planes, helicopters).
    winter
        Drop links that do not run in winter.
    disabled
        Route ids to switch off.
    """
    unknown = sorted(set(disabled) - set(ferries["route"]))
    if unknown:
        raise DataError(f"Unknown ferry routes {', '.join(unknown)}: the table has "
                        f"{', '.join(ferries['route'])}.")
    keep = ferries["enabled"].astype(bool) & ~ferries["route"].isin(disabled)
    if cars_only:
        keep &= ferries["carries_cars"].astype(bool)
    if winter:
        keep &= ferries["runs_in_winter"].astype(bool)
    return ferries[keep].reset_index(drop=True)


def _island_line_components(lines: gpd.GeoDataFrame) -> np.ndarray:
    """Return a component label per line (lines sharing an end point share a label)."""
    geoms = lines.geometry.to_numpy()
    n = len(geoms)
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(geoms, i)) for i in (0, -1)])
    _, inv = np.unique(np.round(ends, 2), axis=0, return_inverse=True)
    inv = inv.ravel()
    m = int(inv.max()) + 1 + n
    rows = np.concatenate([np.arange(n), np.arange(n)]) + int(inv.max()) + 1
    graph = coo_matrix((np.ones(2 * n), (rows, inv)), shape=(m, m))
    _, label = connected_components(graph, directed=False)
    return label[int(inv.max()) + 1:]


def add_ferry_links(
    G: nx.MultiDiGraph,
    ferries: pd.DataFrame,
    *,
    lines: gpd.GeoDataFrame | None = None,
    build_island: object = None,
    detour_factor: float = 1.3,
    access_speed_kmh: float = 24.0,
) -> tuple[nx.MultiDiGraph, pd.DataFrame]:
    """Return a copy of ``G`` with the ferry links (and their islands' roads) added.

    Works on the graph; make the routing arrays of the result with
    :meth:`~access_app.core.network.RoadNetwork.from_graph` (which also labels each node's
    land mass, :attr:`~access_app.core.network.GraphArrays.land`).

    Parameters
    ----------
    G
        Road graph in a metric CRS (``G.graph["crs"]``), the main network only.
    ferries
        Links from :func:`read_ferries` / :func:`select_links`; ``from`` is the mainland end.
    lines
        The road lines ``G`` was built from (metric CRS), to find the island roads that the
        main network left out; ``None`` joins island ports to nothing but the ferry.
    build_island
        ``callable(lines) -> RoadNetwork`` (or a MultiDiGraph) building a network from a
        subset of ``lines`` with the same options as ``G`` (e.g. a ``functools.partial`` of
        :func:`access_app.core.network.graph_from_lines`); needed with ``lines``.
    detour_factor, access_speed_kmh
        Access edges between a port and its nearest road node (defaults of
        :class:`~access_app.core.routing.RoutingParams` for urban points).

    Returns
    -------
    (networkx.MultiDiGraph, pandas.DataFrame)
        The graph and one row per link added: ``route``, ``minutes``, ``mainland_leg_min``
        (mainland node to port), ``island_nodes`` (road nodes of the island joined),
        ``island_port_m`` (port to the island's nearest road node).
    """
    H = G.copy()
    crs = H.graph.get("crs", S.BNG)
    if crs != S.BNG:
        ferries = ferries.copy()
        for end in ("from", "to"):
            pts = gpd.GeoSeries(gpd.points_from_xy(ferries[f"{end}_easting"], ferries[f"{end}_northing"]),
                                crs=S.BNG).to_crs(crs)
            ferries[f"{end}_easting"], ferries[f"{end}_northing"] = pts.x, pts.y
    ids = np.fromiter(H.nodes, dtype=np.int64, count=H.number_of_nodes())
    xy = np.column_stack([[H.nodes[i]["x"] for i in ids], [H.nodes[i]["y"] for i in ids]])
    main_tree = cKDTree(xy)
    next_id = int(ids.max()) + 1 if len(ids) else 0
    speed_ms = access_speed_kmh / 3.6

    island_lines = None
    labels = None
    if lines is not None and len(lines):
        if build_island is None:
            raise DataError("add_ferry_links needs build_island together with lines.")
        geoms = lines.geometry.to_numpy()
        start = shapely.get_coordinates(shapely.get_point(geoms, 0))
        d, _ = main_tree.query(start)
        island_lines = lines[d > 0.05].reset_index(drop=True)
        labels = _island_line_components(island_lines) if len(island_lines) else None
    joined: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # island label -> (node ids, xy)
    rows = []
    dropped = np.asarray(H.graph.get("dropped_nodes_xy", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
    gap = np.asarray(H.graph.get("dropped_nodes_gap_m", np.full(len(dropped), np.inf)), dtype=float)
    keep_dropped = np.ones(len(dropped), dtype=bool)

    ports: dict[tuple[float, float], int] = {}
    next_land = 1

    def add_port(name: str, pxy: np.ndarray, land: int) -> tuple[int, bool]:
        nonlocal next_id
        key = (round(float(pxy[0]), 1), round(float(pxy[1]), 1))
        if key in ports:
            return ports[key], False
        node = next_id
        next_id += 1
        H.add_node(node, x=float(pxy[0]), y=float(pxy[1]), port=name, land=land,
                   **{ISLAND_ATTR: ""})
        ports[key] = node
        return node, True

    def join(port: int, pxy: np.ndarray, target: int, txy: np.ndarray) -> None:
        metres = float(np.hypot(*(pxy - txy)))
        seconds = metres * detour_factor / speed_ms
        geom = shapely.LineString([tuple(pxy), tuple(txy)])
        for a, b, g in ((port, target, geom), (target, port, shapely.reverse(geom))):
            H.add_edge(a, b, length=metres * detour_factor, travel_time=seconds,
                       highway="ferry_access", ref="", urban=True, geometry=g)

    for link in ferries.itertuples(index=False):
        fxy = np.array([link.from_easting, link.from_northing], dtype=float)
        txy = np.array([link.to_easting, link.to_northing], dtype=float)
        # mainland port -> nearest main-network node
        # (snapped, not a new node: a new node there would displace the access candidates
        # of mainland areas near the port)
        d_main, near = main_tree.query(fxy)
        if d_main > ISLAND_PORT_MAX_M:
            log.info("ferry %s: mainland port %.1f km from the network, outside it: skipped",
                     link.route, d_main / 1000)
            continue
        p_from = int(ids[near])
        from_leg_s = float(np.hypot(*(fxy - xy[near]))) * detour_factor / speed_ms
        # island port -> the island's own roads, if any are near
        island_nodes = 0
        port_m = np.nan
        label = -1
        if island_lines is not None and labels is not None:
            dist = shapely.distance(shapely.points(txy), island_lines.geometry.to_numpy())
            if dist.min() <= ISLAND_PORT_MAX_M:
                label = int(labels[int(np.argmin(dist))])
        if label >= 0 and label not in joined:
            part = island_lines[labels == label]  # type: ignore[index]
            sub = build_island(part)  # type: ignore[operator]
            if isinstance(sub, RoadNetwork):
                sub = sub.graph
            mapping = {n: next_id + k for k, n in enumerate(sub.nodes)}
            next_id += len(mapping)
            sub = nx.relabel_nodes(sub, mapping)
            for n, data in sub.nodes(data=True):
                H.add_node(n, **{**data, ISLAND_ATTR: "", "land": next_land})
            next_land += 1
            H.add_edges_from(sub.edges(keys=True, data=True))
            sids = np.array(list(sub.nodes), dtype=np.int64)
            sxy = np.column_stack([[sub.nodes[i]["x"] for i in sids],
                                   [sub.nodes[i]["y"] for i in sids]])
            joined[label] = (sids, sxy)
            if len(dropped):
                dd, _ = cKDTree(sxy).query(dropped)
                keep_dropped &= dd > 0.05
        if label >= 0:
            sids, sxy = joined[label]
            land = int(H.nodes[int(sids[0])]["land"])
        else:
            land = next_land
            next_land += 1
        p_to, new = add_port(str(link.to_name), txy, land)
        if label >= 0:
            d2, k2 = cKDTree(sxy).query(txy)
            if new:
                join(p_to, txy, int(sids[k2]), sxy[k2])
            island_nodes = len(sids)
            port_m = float(d2)
            for n in sids:
                H.nodes[int(n)][ISLAND_ATTR] = _add_route(H.nodes[int(n)][ISLAND_ATTR], link.route)
        H.nodes[p_to][ISLAND_ATTR] = _add_route(H.nodes[p_to][ISLAND_ATTR], link.route)
        seconds = float(link.minutes) * 60.0 + from_leg_s
        metres = float(np.hypot(*(fxy - txy)))
        geom = shapely.LineString([tuple(xy[near]), tuple(fxy), tuple(txy)])
        for a, b, g in ((p_from, p_to, geom), (p_to, p_from, shapely.reverse(geom))):
            H.add_edge(a, b, length=metres, travel_time=seconds, highway="ferry", ref=link.route,
                       ferry=link.route, urban=False, geometry=g)
        rows.append((link.route, float(link.minutes), from_leg_s / 60.0, island_nodes, port_m))
    # an island's port nodes list every route serving the island, as its road nodes do
    for sids, _ in joined.values():
        land = H.nodes[int(sids[0])]["land"]
        routes = H.nodes[int(sids[0])][ISLAND_ATTR]
        for node in ports.values():
            if H.nodes[node].get("land") == land:
                H.nodes[node][ISLAND_ATTR] = routes
    H.graph["has_land"] = True
    H.graph["dropped_nodes_xy"] = dropped[keep_dropped]
    H.graph["dropped_nodes_gap_m"] = gap[keep_dropped]
    H.graph["ferries"] = ", ".join(f"{r[0]} ({r[1]:g} min)" for r in rows)
    report = pd.DataFrame(rows, columns=["route", "minutes", "mainland_leg_min", "island_nodes",
                                         "island_port_m"])
    log.info("added %d ferry links: %s", len(rows), H.graph["ferries"])
    return H, report


def _add_route(current: str, route: str) -> str:
    routes = [r for r in str(current).split(";") if r]
    if route not in routes:
        routes.append(route)
    return ";".join(routes)


def ferry_areas(road_network: RoadNetwork, areas: gpd.GeoDataFrame) -> pd.Series:
    """Return, per area, the ferry routes serving the land its nearest node is on.

    Parameters
    ----------
    road_network
        Network of a graph from :func:`add_ferry_links` (any network: then every value is "").
    areas
        Area points (reprojected to the graph's CRS).

    Returns
    -------
    pandas.Series
        Route ids joined by ";" ("" for areas on the main network), indexed like ``areas``.
    """
    G = road_network.graph
    if road_network.arrays.land is None or areas.empty:
        return pd.Series("", index=areas.index, dtype=object)
    arrays = road_network.arrays
    pts = areas.geometry.to_crs(road_network.crs)
    _, pos = arrays.kd_tree.query(np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]))
    routes = [str(G.nodes[int(arrays.node_ids[k])].get(ISLAND_ATTR, "") or "") for k in pos]
    return pd.Series(routes, index=areas.index, dtype=object)


__all__ = [
    "COLUMNS",
    "ISLAND_ATTR",
    "ISLAND_PORT_MAX_M",
    "add_ferry_links",
    "ferry_areas",
    "link_minutes",
    "read_ferries",
    "select_links",
]
