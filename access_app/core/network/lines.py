"""Road networks from line datasets (DfT major roads, OS Open Roads, any line file).

Lines are noded at shared end points (optionally snapped within ``snap_tolerance_m``),
each line becomes a pair of opposite edges, and the road class comes from a column (road
numbers such as ``M1``/``A1(M)``/``A52``, OS Open Roads classes or OSM classes).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from .. import schema
from ..errors import DataError, NetworkError
from ..progress import CancelFn, ProgressFn, check_cancelled, report
from ..speeds import DEFAULT_SPEEDS_KMH, SpeedModel, road_class_from_number
from .components import _largest_scc
from .road_network import RoadNetwork
from .urban import classify_urban_links

log = logging.getLogger(__name__)


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
) -> RoadNetwork:
    """Build a two-way road network from a line dataset.

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
    RoadNetwork
        The largest strongly connected component (see :mod:`access_app.core.network`)
        with its routing arrays.
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
    return RoadNetwork.from_graph(G)


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
