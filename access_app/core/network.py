"""Road networks from line datasets, OpenStreetMap files, downloads and saved files.

Every builder returns one osmnx-style :class:`networkx.MultiDiGraph` in British National
Grid (``EPSG:27700``): nodes carry ``x``/``y`` (metres), every edge carries ``length`` (m),
``travel_time`` (s), ``highway`` (OSM-style class) and ``urban`` (bool), and
``G.graph["crs"]`` is set. Only the largest strongly connected component is kept; what was
dropped is reported in ``G.graph["dropped"]`` (counts), the coordinates of the dropped
nodes are kept in ``G.graph["dropped_nodes_xy"]`` (``(n, 2)`` float array) and the gap
between each dropped node's component and the kept network in
``G.graph["dropped_nodes_gap_m"]``, so routing can tell an area on a road island (Isle of
Wight, 6.3 km of sea from the DfT mainland network) from one beside a fragment that only
misses a join in the data (most DfT fragments are under 30 m from the main network).

Sources
-------
- :func:`graph_from_lines`: a road line dataset (the DfT major roads link network 2013, OS
  Open Roads, any Shapefile/GeoPackage/FlatGeobuf read with geopandas). Lines are noded at
  shared end points (optionally snapped within ``snap_tolerance_m``), each line becomes a
  pair of opposite edges, and the road class comes from a column (road numbers such as
  ``M1``/``A1(M)``/``A52``, OS Open Roads classes or OSM classes).
- :func:`graph_from_osm_file`: ``.osm``/``.osm.xml``/``.osm.bz2`` through osmnx and
  ``.osm.pbf`` through pyosmium (see :mod:`access_app.core.osm`).
- :func:`graph_from_download`: osmnx download by place name, polygon or bounding box with
  a road-class filter; :func:`configure_osmnx` is the only function that writes
  ``osmnx.settings``.
- :func:`save_network` / :func:`load_network`: GraphML for interchange and ``.npz`` arrays
  (:mod:`access_app.core.graphstore`) for fast reopening.

Urban links
-----------
:func:`classify_urban_links` decides whether a link runs through an urban area: points
are sampled along each link (its vertices and points every ``step_m`` metres); a sample is
urban when its nearest area centroid is classed ``"Urban"`` and lies within ``radius_m``
(default 1,000 m, about the spacing of suburban LSOA centroids); the link is urban when at
least ``min_share`` (default half) of its samples are urban.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from . import graphstore, schema
from .errors import DataError, NetworkError
from .progress import CancelFn, ProgressFn, check_cancelled, report
from .speeds import DEFAULT_SPEEDS_KMH, SpeedModel, road_class_from_number

log = logging.getLogger(__name__)

#: OS Open Roads ``class`` values and their OSM-style equivalents.
OS_OPEN_ROADS_CLASSES: Mapping[str, str] = MappingProxyType({
    "motorway": "motorway",
    "a road": "primary",
    "b road": "secondary",
    "classified unnumbered": "tertiary",
    "unclassified": "unclassified",
    "not classified": "unclassified",
    "unknown": "unclassified",
})


# --------------------------------------------------------------------------- urban links


def classify_urban_links(
    lines: gpd.GeoDataFrame | gpd.GeoSeries,
    areas: gpd.GeoDataFrame,
    *,
    radius_m: float = 1000.0,
    step_m: float = 500.0,
    min_share: float = 0.5,
    urban_col: str = schema.URBAN_RURAL,
) -> pd.Series:
    """Classify each road link as urban or rural from nearby area centroids.

    Parameters
    ----------
    lines
        Road links (LineString/MultiLineString) in a metric CRS.
    areas
        Area centroids (points) with an ``urban_col`` column holding ``"Urban"`` or
        ``"Rural"`` (case-insensitive; booleans are accepted too). Reprojected to the
        CRS of ``lines`` if needed.
    radius_m
        A sample point counts as urban if its nearest area centroid is urban and at most
        this far away.
    step_m
        Spacing of the sample points added between a link's vertices.
    min_share
        Share of a link's samples that must be urban for the link to be urban.
    urban_col
        Column of ``areas`` with the urban/rural class.

    Returns
    -------
    pandas.Series
        Boolean, indexed like ``lines``: True where the link runs through an urban area.
    """
    geoms = lines.geometry if isinstance(lines, gpd.GeoDataFrame) else lines
    if geoms.crs is None or not geoms.crs.is_projected:
        raise DataError("road lines need a projected (metric) CRS such as EPSG:27700")
    if urban_col not in areas.columns:
        raise DataError(
            f"areas have no {urban_col!r} column; add one with 'Urban'/'Rural' values"
        )
    if len(geoms) == 0:
        return pd.Series([], index=geoms.index, dtype=bool, name="urban")
    pts = areas.geometry
    if areas.crs is not None and areas.crs != geoms.crs:
        pts = pts.to_crs(geoms.crs)
    flags = _urban_flags(areas[urban_col])
    ax, ay = shapely.get_x(pts.values.centroid), shapely.get_y(pts.values.centroid)
    ok = np.isfinite(ax) & np.isfinite(ay)
    if not ok.any():
        return pd.Series(False, index=geoms.index, name="urban")
    tree = cKDTree(np.column_stack([ax[ok], ay[ok]]))
    flags = flags[ok]

    arr = geoms.values
    lengths = shapely.length(arr)
    # samples: every vertex plus points every step_m along the line
    coords, owner = shapely.get_coordinates(arr, return_index=True)
    n_extra = np.maximum(np.floor(lengths / step_m).astype(np.int64), 0)
    owner_extra = np.repeat(np.arange(len(arr)), n_extra)
    first = np.concatenate([[0], np.cumsum(n_extra)[:-1]])
    rank = np.arange(owner_extra.size) - np.repeat(first, n_extra) + 1
    dist_along = rank * step_m
    extra = shapely.line_interpolate_point(arr[owner_extra], dist_along)
    extra_xy = shapely.get_coordinates(extra)
    sample_xy = np.vstack([coords[:, :2], extra_xy]) if extra_xy.size else coords[:, :2]
    sample_owner = np.concatenate([owner, owner_extra])
    dist, idx = tree.query(sample_xy)
    urban_sample = (dist <= radius_m) & flags[idx]
    n_samples = np.bincount(sample_owner, minlength=len(arr))
    n_urban = np.bincount(sample_owner, weights=urban_sample, minlength=len(arr))
    share = np.divide(n_urban, n_samples, out=np.zeros(len(arr)), where=n_samples > 0)
    return pd.Series(share >= min_share, index=geoms.index, name="urban")


def _urban_flags(values: pd.Series) -> np.ndarray:
    if values.dtype == bool:
        return values.to_numpy(dtype=bool)
    text = values.astype(str).str.strip().str.lower()
    bad = ~text.isin(["urban", "rural", "true", "false"])
    if bad.any():
        raise DataError(
            f"urban/rural column has values other than 'Urban'/'Rural', "
            f"e.g. {values[bad].iloc[0]!r}"
        )
    return text.isin(["urban", "true"]).to_numpy()


# --------------------------------------------------------------------------- line datasets


def highway_class(value: object) -> str:
    """Return the OSM-style road class for a class or road-number value.

    Accepts OSM classes (``"trunk"``), OS Open Roads classes (``"A Road"``) and British
    road numbers (``"M1"``, ``"A1(M)"``, ``"A52"``).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "unclassified"
    text = str(value).strip()
    low = text.lower()
    if low in DEFAULT_SPEEDS_KMH:
        return low
    if low in OS_OPEN_ROADS_CLASSES:
        return OS_OPEN_ROADS_CLASSES[low]
    return road_class_from_number(text)


def graph_from_lines(
    lines: gpd.GeoDataFrame,
    *,
    road_col: str = "road",
    class_col: str | None = None,
    urban_col: str | None = None,
    areas: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float = 0.01,
    speed_model: SpeedModel | None = None,
    source: str = "road lines",
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> nx.MultiDiGraph:
    """Build a two-way road graph from a line dataset.

    Parameters
    ----------
    lines
        Road links; LineString or MultiLineString geometries in any CRS (reprojected to
        EPSG:27700).
    road_col
        Column with the road number or name (``"Road"`` in the raw DfT file, ``"road"`` in
        the compact copy); stored on edges as ``ref``.
    class_col
        Column with the road class (OSM or OS Open Roads classes). If None the class is
        taken from the road number in ``road_col`` (M.. and A..(M) motorway, A.. primary).
    urban_col
        Boolean column saying whether each link is urban. If None and ``areas`` is given,
        links are classified with :func:`classify_urban_links`; otherwise all are rural.
    areas
        Area centroids with ``urban_rural``, used only when ``urban_col`` is None.
    snap_tolerance_m
        End points closer than this are merged into one node (0 = identical points only;
        the default 1 cm absorbs rounding noise in published files such as the DfT one).
    speed_model
        Speeds per class; :class:`~access_app.core.speeds.SpeedModel` defaults if None.
    source
        Name of the input, used in messages.
    progress, cancelled
        Progress callback and cancel check.

    Returns
    -------
    networkx.MultiDiGraph
        The largest strongly connected component, see the module docstring.
    """
    speed_model = speed_model or SpeedModel()
    _check_lines(lines, road_col=road_col, class_col=class_col, urban_col=urban_col, source=source)
    report(progress, 0.0, f"Reading {len(lines):,} road links")
    gdf = lines if lines.crs == schema.BNG else lines.to_crs(schema.BNG)
    gdf = gdf[~gdf.geometry.is_empty & gdf.geometry.notna()]
    if urban_col is not None:
        urban = gdf[urban_col].astype(bool)
    elif areas is not None:
        report(progress, 0.05, "Classifying urban and rural links")
        urban = classify_urban_links(gdf, areas)
    else:
        log.info("%s: no urban/rural information, every link uses rural speeds", source)
        urban = pd.Series(False, index=gdf.index)
    gdf = gdf.assign(_urban=urban.to_numpy())
    gdf = gdf.explode(index_parts=False)
    gdf = gdf[gdf.geometry.geom_type == "LineString"]
    if gdf.empty:
        raise NetworkError(f"{source}: no LineString geometries to build a network from")
    check_cancelled(cancelled)

    geoms = gdf.geometry.values
    start = shapely.get_coordinates(shapely.get_point(geoms, 0))
    end = shapely.get_coordinates(shapely.get_point(geoms, -1))
    node_xy, inv = _node_points(np.vstack([start, end]), snap_tolerance_m)
    n_links = len(gdf)
    u, v = inv[:n_links], inv[n_links:]
    length = shapely.length(geoms)
    refs = gdf[road_col].astype(str).to_numpy() if road_col in gdf.columns else None
    cls_src = gdf[class_col] if class_col is not None else gdf[road_col]
    highway = np.array([highway_class(c) for c in cls_src.to_numpy()], dtype=object)
    is_urban = gdf["_urban"].to_numpy(dtype=bool)
    ttime = np.array(
        [
            speed_model.travel_time_s(ln, hw, urban=ub)
            for ln, hw, ub in zip(length, highway, is_urban, strict=True)
        ]
    )
    report(progress, 0.4, "Finding the main connected network")
    check_cancelled(cancelled)

    # both directions of every link
    uu = np.concatenate([u, v])
    vv = np.concatenate([v, u])
    both = np.concatenate([np.arange(n_links), np.arange(n_links)])
    fwd = np.concatenate([np.ones(n_links, bool), np.zeros(n_links, bool)])
    keep_node, dropped, gap_m = _largest_scc(uu, vv, node_xy)
    keep_edge = keep_node[uu] & keep_node[vv]
    report(progress, 0.6, "Building the graph")
    check_cancelled(cancelled)

    G = nx.MultiDiGraph(crs=schema.BNG, source=source, speed_model=speed_model.fingerprint())
    kept = np.flatnonzero(keep_node)
    G.add_nodes_from(
        (int(i), {"x": float(node_xy[i, 0]), "y": float(node_xy[i, 1])}) for i in kept
    )
    rev_geoms = shapely.reverse(geoms)
    for e in np.flatnonzero(keep_edge):
        i = both[e]
        G.add_edge(
            int(uu[e]),
            int(vv[e]),
            length=float(length[i]),
            travel_time=float(ttime[i]),
            highway=str(highway[i]),
            ref=str(refs[i]) if refs is not None else "",
            urban=bool(is_urban[i]),
            geometry=geoms[i] if fwd[e] else rev_geoms[i],
        )
    dropped_xy = node_xy[~keep_node]
    G.graph["dropped_nodes_xy"] = dropped_xy
    G.graph["dropped_nodes_gap_m"] = gap_m
    # routing arrays from what is already in hand (saves a pass over the graph later)
    position = np.cumsum(keep_node) - 1
    edges = np.flatnonzero(keep_edge)
    graphstore.attach_arrays(G, graphstore.GraphArrays(
        node_ids=kept.astype(np.int64),
        x=node_xy[kept, 0].copy(),
        y=node_xy[kept, 1].copy(),
        u=position[uu[edges]].astype(np.int32),
        v=position[vv[edges]].astype(np.int32),
        travel_time=ttime[both[edges]].astype(np.float64),
        dropped_xy=dropped_xy,
        dropped_gap_m=gap_m,
        speed_model=speed_model.fingerprint(),
    ))
    G.graph["dropped"] = {**dropped, "links": int(n_links - keep_edge[:n_links].sum())}
    log.info(
        "%s: %d nodes, %d edges kept; dropped %d nodes in %d components",
        source,
        G.number_of_nodes(),
        G.number_of_edges(),
        dropped["nodes"],
        dropped["components"],
    )
    report(progress, 1.0, f"Network ready: {G.number_of_nodes():,} nodes")
    return G


def _check_lines(
    lines: object,
    *,
    road_col: str,
    class_col: str | None,
    urban_col: str | None,
    source: str,
) -> None:
    if not isinstance(lines, gpd.GeoDataFrame):
        raise DataError(f"{source}: expected a GeoDataFrame of road lines, got {type(lines)}")
    if lines.crs is None:
        raise DataError(f"{source}: the road lines have no CRS; set one (e.g. EPSG:27700)")
    need = [c for c in (road_col, class_col, urban_col) if c is not None]
    missing = [c for c in need if c not in lines.columns]
    if missing:
        raise DataError(
            f"{source}: column(s) {', '.join(map(repr, missing))} not found; "
            f"columns are {', '.join(map(str, lines.columns))}"
        )
    kinds = set(lines.geom_type.dropna().unique())
    if not kinds <= {"LineString", "MultiLineString"}:
        raise DataError(f"{source}: road geometries must be lines, found {sorted(kinds)}")


def _node_points(points: np.ndarray, tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Return unique node coordinates and the node index of every input point."""
    if tolerance_m <= 0:
        node_xy, inv = np.unique(points, axis=0, return_inverse=True)
        return node_xy, inv.ravel()
    pairs = cKDTree(points).query_pairs(tolerance_m, output_type="ndarray")
    n = len(points)
    adj = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    counts = np.bincount(labels)
    node_xy = np.column_stack(
        [np.bincount(labels, points[:, 0]) / counts, np.bincount(labels, points[:, 1]) / counts]
    )
    return node_xy, labels


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


def set_travel_times(
    G: nx.MultiDiGraph,
    speed_model: SpeedModel,
    *,
    urban: Callable[[dict[str, Any]], bool] | None = None,
) -> None:
    """Set ``urban``, ``speed_kph`` and ``travel_time`` on every edge of ``G`` in place.

    Parameters
    ----------
    G
        Graph whose edges have ``length`` and ``highway`` (``maxspeed`` optional).
    speed_model
        The speed model.
    urban
        Function of an edge's attributes saying whether it is urban; by default an edge
        already flagged ``urban`` keeps its flag, otherwise it is urban when its parsed
        ``maxspeed`` is 40 mph or less or its class is residential/living street.
    """
    from .speeds import parse_maxspeed

    def _default_urban(d: dict[str, Any]) -> bool:
        if "urban" in d:
            return bool(d["urban"])
        limit = parse_maxspeed(d.get("maxspeed"))
        if limit is not None:
            return limit <= 40 * 1.609344 + 1e-9
        hw = d.get("highway")
        hw = hw[0] if isinstance(hw, list) and hw else hw
        return hw in {"residential", "living_street"}

    is_urban = urban or _default_urban
    for _, _, d in G.edges(data=True):
        ub = bool(is_urban(d))
        kmh = speed_model.speed_kmh(d.get("highway"), urban=ub, maxspeed=d.get("maxspeed"))
        d["urban"] = ub
        d["speed_kph"] = kmh
        d["travel_time"] = float(d["length"]) / (kmh / 3.6) * speed_model.congestion_factor
    G.graph["speed_model"] = speed_model.fingerprint()


def read_lines(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a road line file (Shapefile, zipped Shapefile, GeoPackage, FlatGeobuf, GeoParquet).

    Raises
    ------
    NetworkError
        If the file is missing or unreadable.
    """
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"road file {path} does not exist")
    try:
        if path.suffix.lower() == ".parquet":
            return gpd.read_parquet(path)
        target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
        return gpd.read_file(target, layer=layer) if layer else gpd.read_file(target)
    except Exception as exc:  # pyogrio/arrow raise many types
        raise NetworkError(f"cannot read road file {path}: {exc}") from exc


# --------------------------------------------------------------------------- OpenStreetMap


def _finish_osm_graph(
    G: nx.MultiDiGraph,
    *,
    classes: tuple[str, ...],
    speed_model: SpeedModel,
    areas: gpd.GeoDataFrame | None,
    source: str,
    progress: ProgressFn | None,
    cancelled: CancelFn | None,
) -> nx.MultiDiGraph:
    """Filter, simplify and project an unsimplified osmnx graph, then set travel times."""
    import osmnx as ox

    keep = set(classes)

    def _ok(hw: object) -> bool:
        vals = hw if isinstance(hw, list) else [hw]
        return any(v in keep for v in vals)

    bad = [(u, v, k) for u, v, k, hw in G.edges(keys=True, data="highway") if not _ok(hw)]
    G.remove_edges_from(bad)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if G.number_of_edges() == 0:
        raise NetworkError(f"{source}: no roads of the classes {', '.join(sorted(keep))}")
    check_cancelled(cancelled)
    report(progress, 0.5, "Simplifying the network")
    G = ox.simplify_graph(G)
    G = ox.project_graph(G, to_crs=schema.BNG)
    G.graph["crs"] = schema.BNG
    G.graph["source"] = source
    check_cancelled(cancelled)
    if areas is not None:
        report(progress, 0.7, "Classifying urban and rural roads")
        edges = ox.graph_to_gdfs(G, nodes=False, fill_edge_geometry=True)
        flags = classify_urban_links(edges, areas)
        for (u, v, k), flag in zip(edges.index, flags.to_numpy(), strict=True):
            G.edges[u, v, k]["urban"] = bool(flag)
    report(progress, 0.8, "Setting speeds and travel times")
    set_travel_times(G, speed_model)
    H = keep_largest_component(G)
    H.graph["speed_model"] = speed_model.fingerprint()
    log.info(
        "%s: %d nodes, %d edges kept; dropped %d nodes",
        source, H.number_of_nodes(), H.number_of_edges(), H.graph["dropped"]["nodes"],
    )
    report(progress, 1.0, f"Network ready: {H.number_of_nodes():,} nodes")
    return H


def graph_from_osm_file(
    path: str | Path,
    *,
    classes: tuple[str, ...] | None = None,
    speed_model: SpeedModel | None = None,
    areas: gpd.GeoDataFrame | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> nx.MultiDiGraph:
    """Build a car network from a local OpenStreetMap extract.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.xml`` or ``.osm.bz2`` (read by osmnx) or ``.osm.pbf`` (read with
        pyosmium, then handed to osmnx as XML so one-way and simplification rules match).
    classes
        ``highway`` classes to keep; every car class
        (:data:`access_app.core.osm.DRIVE_CLASSES`) if None.
    speed_model
        Speeds; defaults if None. ``maxspeed`` tags cap class speeds.
    areas
        Optional area centroids with ``urban_rural`` to classify roads as urban; without
        them, roads with a limit of 40 mph or less and residential streets are urban.
    progress, cancelled
        Progress callback and cancel check.
    """
    import tempfile

    import osmnx as ox

    from . import osm

    path = Path(path)
    classes = tuple(classes or osm.DRIVE_CLASSES)
    speed_model = speed_model or SpeedModel()
    if not path.exists():
        raise NetworkError(f"OSM file {path} does not exist")
    name = path.name.lower()
    report(progress, 0.0, f"Reading {path.name}")
    try:
        if name.endswith(".pbf"):
            data = osm.read_pbf_elements(path, classes=classes)
            if not any(el["type"] == "way" for el in data["elements"]):
                raise NetworkError(
                    f"{path.name}: no roads of the classes {', '.join(sorted(classes))}"
                )
            with tempfile.TemporaryDirectory() as tmp:
                xml = osm.write_osm_xml(data, Path(tmp) / "roads.osm")
                G = ox.graph_from_xml(xml, simplify=False, retain_all=True)
        elif name.endswith((".osm", ".xml", ".osm.bz2", ".xml.bz2")):
            G = ox.graph_from_xml(path, simplify=False, retain_all=True)
        else:
            raise NetworkError(
                f"{path.name}: unknown OSM file type; use .osm, .osm.xml, .osm.bz2 or .osm.pbf"
            )
    except NetworkError:
        raise
    except Exception as exc:  # osmnx/xml raise many types
        raise NetworkError(f"cannot read OSM file {path}: {exc}") from exc
    check_cancelled(cancelled)
    return _finish_osm_graph(
        G, classes=classes, speed_model=speed_model, areas=areas, source=str(path),
        progress=progress, cancelled=cancelled,
    )


@dataclass(frozen=True)
class OsmnxSettings:
    """The osmnx settings this application controls.

    Attributes
    ----------
    overpass_url
        Overpass API endpoint (e.g. a local or company mirror).
    use_cache, cache_folder
        osmnx's HTTP response cache.
    requests_timeout
        Seconds before a request fails.
    overpass_rate_limit
        Ask the server's ``/status`` for a pause before each query.
    doh_url_template
        DNS-over-HTTPS template osmnx uses to resolve the Overpass host; None resolves
        by name (needed behind firewalls and for local servers).
    """

    overpass_url: str = "https://overpass-api.de/api"
    use_cache: bool = True
    cache_folder: str = "./cache"
    requests_timeout: float = 180.0
    overpass_rate_limit: bool = True
    doh_url_template: str | None = "https://8.8.8.8/resolve?name={hostname}"


def current_osmnx_settings() -> OsmnxSettings:
    """Return the osmnx settings now in force."""
    import osmnx as ox

    s = ox.settings
    return OsmnxSettings(
        overpass_url=str(s.overpass_url),
        use_cache=bool(s.use_cache),
        cache_folder=str(s.cache_folder),
        requests_timeout=float(s.requests_timeout),
        overpass_rate_limit=bool(s.overpass_rate_limit),
        doh_url_template=s.doh_url_template,
    )


def configure_osmnx(settings: OsmnxSettings) -> OsmnxSettings:
    """Apply ``settings`` to ``osmnx.settings`` and return the previous ones.

    This is the only function that writes osmnx's global settings; call it once at
    start-up (and again with the returned value to restore them, as the tests do).
    """
    import osmnx as ox

    previous = current_osmnx_settings()
    ox.settings.overpass_url = settings.overpass_url
    ox.settings.use_cache = settings.use_cache
    ox.settings.cache_folder = settings.cache_folder
    ox.settings.requests_timeout = settings.requests_timeout
    ox.settings.overpass_rate_limit = settings.overpass_rate_limit
    ox.settings.doh_url_template = settings.doh_url_template
    return previous


def graph_from_download(
    query: str | BaseGeometry | tuple[float, float, float, float],
    *,
    classes: tuple[str, ...] | None = None,
    speed_model: SpeedModel | None = None,
    areas: gpd.GeoDataFrame | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> nx.MultiDiGraph:
    """Download a car network with osmnx by place name, polygon or bounding box.

    Parameters
    ----------
    query
        A place name (geocoded by Nominatim), a shapely Polygon/MultiPolygon in WGS84
        longitude/latitude, or a bounding box ``(west, south, east, north)`` in degrees.
    classes
        ``highway`` classes to download; motorway to tertiary
        (:data:`access_app.core.osm.REGIONAL_CLASSES`) if None, which suits regional work.
    speed_model, areas, progress, cancelled
        As for :func:`graph_from_osm_file`.

    Raises
    ------
    NetworkError
        If the download fails (no internet, server error, nothing found).
    """
    import osmnx as ox

    from . import osm

    classes = tuple(classes or osm.REGIONAL_CLASSES)
    speed_model = speed_model or SpeedModel()
    filt = osm.highway_filter(classes)
    report(progress, 0.0, "Downloading roads from OpenStreetMap (Overpass)")
    kwargs: dict[str, Any] = {"custom_filter": filt, "simplify": False, "retain_all": True}
    try:
        if isinstance(query, str):
            G = ox.graph_from_place(query, **kwargs)
        elif isinstance(query, BaseGeometry):
            G = ox.graph_from_polygon(query, **kwargs)
        elif isinstance(query, tuple) and len(query) == 4:
            west, south, east, north = (float(q) for q in query)
            G = ox.graph_from_bbox((west, south, east, north), **kwargs)
        else:
            raise NetworkError(
                "download query must be a place name, a polygon or (west, south, east, north)"
            )
    except NetworkError:
        raise
    except Exception as exc:  # requests/osmnx raise many types
        raise NetworkError(
            f"downloading the road network failed: {exc}. Check the internet connection "
            "or the Overpass URL in the settings, or load a local OSM extract instead."
        ) from exc
    check_cancelled(cancelled)
    return _finish_osm_graph(
        G, classes=classes, speed_model=speed_model, areas=areas,
        source=f"OpenStreetMap download ({query if isinstance(query, str) else 'area'})",
        progress=progress, cancelled=cancelled,
    )


# --------------------------------------------------------------------------- saved networks


def save_network(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Save a network as ``.graphml`` (interchange) or ``.npz`` (fast cache).

    Raises
    ------
    NetworkError
        For another suffix or an unwritable path.
    """
    import json

    import osmnx as ox


    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npz":
            return graphstore.save_arrays(G, path)
        if suffix == ".graphml":
            H = G.copy()
            for key in [k for k in H.graph if k.startswith("_")]:
                del H.graph[key]
            H.graph["dropped_nodes_xy"] = json.dumps(
                np.asarray(G.graph.get("dropped_nodes_xy", np.zeros((0, 2)))).tolist()
            )
            gap = np.asarray(G.graph.get("dropped_nodes_gap_m", np.zeros(0)), dtype=float)
            H.graph["dropped_nodes_gap_m"] = json.dumps(
                [g if np.isfinite(g) else None for g in gap.tolist()]
            )
            if "dropped" in H.graph:
                H.graph["dropped"] = json.dumps(H.graph["dropped"])
            path.parent.mkdir(parents=True, exist_ok=True)
            ox.save_graphml(H, path)
            return path
    except OSError as exc:
        raise NetworkError(f"cannot write network file {path}: {exc}") from exc
    raise NetworkError(f"{path.name}: save a network as .graphml or .npz")


def load_network(path: str | Path) -> nx.MultiDiGraph:
    """Open a network saved by :func:`save_network` (``.npz``) or any osmnx GraphML.

    GraphML edges without ``travel_time`` get one from the default speed model.
    """
    import json


    path = Path(path)
    if not path.exists():
        raise NetworkError(f"network file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return graphstore.load_arrays(path)
    if suffix != ".graphml":
        raise NetworkError(f"{path.name}: open a network saved as .graphml or .npz")
    import osmnx as ox  # only here: importing osmnx takes longer than reading a .npz

    try:
        G = ox.load_graphml(
            path, edge_dtypes={"urban": lambda s: str(s) == "True", "length": float}
        )
    except Exception as exc:  # xml/osmnx raise many types
        raise NetworkError(f"cannot read GraphML file {path}: {exc}") from exc
    for key, shape in (("dropped_nodes_xy", (-1, 2)), ("dropped_nodes_gap_m", (-1,))):
        if isinstance(G.graph.get(key), str):
            vals = json.loads(G.graph[key])
            arr = np.array([np.inf if v is None else v for v in np.ravel(vals).tolist()]
                           if key.endswith("gap_m") else vals, dtype=float)
            G.graph[key] = arr.reshape(shape)
    if isinstance(G.graph.get("dropped"), str):
        G.graph["dropped"] = json.loads(G.graph["dropped"])
    if "crs" in G.graph and str(G.graph["crs"]).upper() != schema.BNG:
        G = ox.project_graph(G, to_crs=schema.BNG)
        G.graph["crs"] = schema.BNG
    if any("travel_time" not in d for _, _, d in G.edges(data=True)):
        set_travel_times(G, SpeedModel())
    if "dropped" not in G.graph:  # not saved by us: make sure every node can reach every other
        G = keep_largest_component(G)
    return G
