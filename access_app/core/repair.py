"""Repair broken junctions in a road line network before it becomes a graph.

Published road line files often join at junctions only approximately: the DfT major roads
link network 2013 has hundreds of end points a few metres from the end point or the side of
the road they meet. Joined only where end points coincide, such a network routes around the
gap (at Stamford the A6121 ends 3.6 m from the A16, and the A16 4.5 m from the A43; a Rutland
LSOA was routed 58.6 km for 17.5 km straight-line). :func:`repair_lines` fixes two faults:

1. **Near-miss end points**: end points closer than the tolerance are merged into one node
   (clusters of end points linked by distances within the tolerance; each cluster moves to its
   location shared by most end points, so existing junctions stay where they are).
2. **T-junctions**: where an end point lies within the tolerance of another line's interior,
   that line is split there and the end point becomes a vertex of both pieces.

Lines that merely cross (a motorway over a bridge) are never joined: a join needs an end point.

Default tolerance (:data:`DEFAULT_TOLERANCE_M` = 15 m), from the data: on the embedded DfT
network the distance from each end-point location to the nearest other one has a mass of
near misses between 1 and 10 m (728 locations; the file is rounded to 1 m), 59 at 10-15 m, then
a trough (6 at 15-20 m) before the spacing of genuine separate junctions takes over (33 at
20-30 m, 385 at 50-100 m); the distance from dangling ends to the side of another link shows
the same trough. Merging two points 15 m apart changes a journey by about a second, while
leaving a gap can add an hour, so the tolerance sits at the trough rather than below it.
``tools/check_junctions.py --histogram`` prints both histograms.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from .errors import NetworkError
from .progress import CancelFn, ProgressFn, check_cancelled, report

log = logging.getLogger(__name__)

#: Default distance (m) within which end points are merged and T-junctions split; see the
#: module docstring for how it was chosen from the DfT network.
DEFAULT_TOLERANCE_M = 15.0
#: Pieces shorter than this (m) are not cut off a line at a T-junction.
MIN_PIECE_M = 1.0


@dataclass(frozen=True)
class RepairReport:
    """What :func:`repair_lines` changed.

    Attributes
    ----------
    tolerance_m
        Distance used.
    merged
        One point per merged cluster of end points (where they now meet): ``n_ends``,
        ``n_locations`` (distinct positions merged), ``max_shift_m``, ``roads``.
    split
        One point per T-junction split: ``road`` (the line split), ``by_roads`` (the roads
        ending there), ``gap_m`` (distance from the end point to the line).
    links_in, links_out
        Line counts before and after (after exploding multi-part lines).
    collapsed
        Lines shorter than the tolerance whose two ends merged into one point (dropped).
    """

    tolerance_m: float
    merged: gpd.GeoDataFrame
    split: gpd.GeoDataFrame
    links_in: int
    links_out: int
    collapsed: int

    def summary(self) -> str:
        """Return one line saying what was merged and split."""
        n_ends = int(self.merged["n_ends"].sum()) if len(self.merged) else 0
        return (f"Junction repair within {self.tolerance_m:g} m: {len(self.merged):,} near-miss "
                f"junctions merged ({n_ends:,} line ends), {len(self.split):,} lines split at "
                f"T-junctions, {self.collapsed:,} tiny links dropped; {self.links_in:,} links in, "
                f"{self.links_out:,} out")

    def to_gpkg(self, path: str | Path) -> Path:
        """Write the merged and split points as layers ``merged`` and ``split`` of a GeoPackage."""
        p = Path(path)
        if p.exists():
            p.unlink()
        for layer, frame in (("merged", self.merged), ("split", self.split)):
            frame.to_file(p, layer=layer, driver="GPKG")
        return p


def _empty_points(columns: dict[str, str], crs: object) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _roads_of(values: np.ndarray) -> str:
    return ", ".join(sorted({str(v) for v in values if str(v) not in ("", "nan", "None")}))


def repair_lines(
    lines: gpd.GeoDataFrame,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    road_col: str | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> tuple[gpd.GeoDataFrame, RepairReport]:
    """Merge near-miss end points and split lines at T-junctions.

    Parameters
    ----------
    lines
        Road links (LineString or MultiLineString) in a metric CRS; other columns are kept
        (a split line's pieces each carry its values).
    tolerance_m
        End points closer than this are merged; an end point this close to another line's
        interior splits that line. ``0`` returns the lines unchanged (exploded).
    road_col
        Column with the road number, named in the report (optional).
    progress, cancelled
        Progress callback and cancel check.

    Returns
    -------
    (geopandas.GeoDataFrame, RepairReport)
        The repaired lines (new index) and what was changed.
    """
    if lines.crs is None or not lines.crs.is_projected:
        raise NetworkError("Junction repair needs road lines in a metric CRS (e.g. EPSG:27700).")
    if tolerance_m < 0:
        raise NetworkError(f"Junction repair tolerance must be >= 0 m, got {tolerance_m}.")
    gdf = lines[lines.geometry.notna() & ~lines.geometry.is_empty]
    gdf = gdf.explode(index_parts=False)
    gdf = gdf[gdf.geometry.geom_type == "LineString"].reset_index(drop=True)
    crs = gdf.crs
    n = len(gdf)
    merged_cols = {"n_ends": "int64", "n_locations": "int64", "max_shift_m": "float64",
                   "roads": "object"}
    split_cols = {"road": "object", "by_roads": "object", "gap_m": "float64"}
    if n == 0 or tolerance_m == 0:
        rep = RepairReport(tolerance_m, _empty_points(merged_cols, crs), _empty_points(split_cols, crs),
                           n, n, 0)
        return gdf, rep
    roads = (gdf[road_col].astype(str).to_numpy() if road_col and road_col in gdf.columns
             else np.full(n, "", dtype=object))
    report(progress, 0.0, "Repairing junctions: merging near-miss end points")
    geoms = gdf.geometry.to_numpy()
    coords = shapely.get_coordinates(geoms)
    counts = shapely.get_num_coordinates(geoms)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    last = first + counts - 1
    ends = np.vstack([coords[first], coords[last]])  # 2n: starts then ends
    owner = np.concatenate([np.arange(n), np.arange(n)])

    # 1. cluster end-point locations within the tolerance
    loc, loc_of_end, loc_count = np.unique(ends, axis=0, return_inverse=True, return_counts=True)
    loc_of_end = loc_of_end.ravel()
    pairs = cKDTree(loc).query_pairs(tolerance_m, output_type="ndarray")
    m = len(loc)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
    n_comp, comp = connected_components(graph, directed=False)
    # representative: the location shared by most end points (ties: the first)
    order = np.lexsort((np.arange(m), -loc_count, comp))
    rep_of_comp = np.empty(n_comp, dtype=np.int64)
    comp_sorted = comp[order]
    starts = np.flatnonzero(np.r_[True, comp_sorted[1:] != comp_sorted[:-1]])
    rep_of_comp[comp_sorted[starts]] = order[starts]
    new_loc = loc[rep_of_comp[comp]]
    new_ends = new_loc[loc_of_end]
    shift = np.hypot(*(new_ends - ends).T)
    comp_of_end = comp[loc_of_end]
    size = np.bincount(comp, minlength=n_comp)
    multi = np.flatnonzero(size > 1)
    merged_rows = []
    if len(multi):
        frame = pd.DataFrame({"comp": comp_of_end, "shift": shift, "road": roads[owner]})
        frame = frame[np.isin(frame["comp"], multi)]
        for c, grp in frame.groupby("comp", sort=True):
            merged_rows.append((int(len(grp)), int(size[c]), float(grp["shift"].max()),
                                _roads_of(grp["road"].to_numpy()), loc[rep_of_comp[c]]))
    coords = coords.copy()
    coords[first] = new_ends[:n]
    coords[last] = new_ends[n:]
    node_u, node_v = comp_of_end[:n], comp_of_end[n:]
    line_index = np.repeat(np.arange(n), counts)
    new_geoms = shapely.linestrings(coords, indices=line_index)
    lengths = shapely.length(new_geoms)
    collapsed = (node_u == node_v) & (lengths < tolerance_m)
    check_cancelled(cancelled)

    # 2. T-junctions: a node within the tolerance of another line's interior
    report(progress, 0.5, "Repairing junctions: splitting lines at T-junctions")
    keep = np.flatnonzero(~collapsed)
    node_ids = np.unique(np.concatenate([node_u[keep], node_v[keep]]))
    node_xy = loc[rep_of_comp[node_ids]]
    node_pts = shapely.points(node_xy)
    tree = shapely.STRtree(new_geoms[keep])
    pi, lj = tree.query(node_pts, predicate="dwithin", distance=tolerance_m)
    lj = keep[lj]
    own = (node_u[lj] == node_ids[pi]) | (node_v[lj] == node_ids[pi])
    pi, lj = pi[~own], lj[~own]
    along = shapely.line_locate_point(new_geoms[lj], node_pts[pi])
    inner = (along >= MIN_PIECE_M) & (along <= lengths[lj] - MIN_PIECE_M)
    pi, lj, along = pi[inner], lj[inner], along[inner]
    gap = shapely.distance(node_pts[pi], new_geoms[lj])
    # roads ending at each node, for the report
    node_roads: dict[int, str] = {}
    if len(pi):
        wanted = set(node_ids[pi].tolist())
        end_frame = pd.DataFrame({"node": np.concatenate([node_u, node_v]), "road": roads[owner]})
        end_frame = end_frame[end_frame["node"].isin(wanted)]
        node_roads = {int(k): _roads_of(g["road"].to_numpy()) for k, g in end_frame.groupby("node")}
    cuts: dict[int, list[tuple[float, np.ndarray]]] = {}
    split_rows = []
    for p, j, a, g in zip(pi, lj, along, gap, strict=True):
        cuts.setdefault(int(j), []).append((float(a), node_xy[p]))
        split_rows.append((str(roads[j]), node_roads.get(int(node_ids[p]), ""), float(g),
                           node_xy[p]))
    check_cancelled(cancelled)

    # 3. rebuild: untouched lines as they are, split lines as their pieces
    out_geoms: list[object] = []
    out_rows: list[int] = []
    for j in keep:
        if int(j) not in cuts:
            out_geoms.append(new_geoms[j])
            out_rows.append(int(j))
            continue
        for piece in _split(coords[first[j]:last[j] + 1], cuts[int(j)]):
            out_geoms.append(piece)
            out_rows.append(int(j))
    out = gdf.drop(columns=gdf.geometry.name).iloc[out_rows].reset_index(drop=True)
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(out_geoms, crs=crs), crs=crs)
    geometry_name = lines.geometry.name
    if geometry_name != "geometry":
        result = result.rename_geometry(geometry_name)

    def points(rows: list[tuple], cols: dict[str, str]) -> gpd.GeoDataFrame:
        if not rows:
            return _empty_points(cols, crs)
        names = list(cols)
        frame = pd.DataFrame([r[:-1] for r in rows], columns=names).astype(cols)
        xy = np.array([r[-1] for r in rows])
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)

    rep = RepairReport(
        tolerance_m=float(tolerance_m),
        merged=points(merged_rows, merged_cols),
        split=points(split_rows, split_cols),
        links_in=n,
        links_out=len(result),
        collapsed=int(collapsed.sum()),
    )
    log.info("%s", rep.summary())
    report(progress, 1.0, rep.summary())
    return result, rep


def _split(coords: np.ndarray, cuts: list[tuple[float, np.ndarray]]) -> list[shapely.LineString]:
    """Cut a line (vertex array) at distances along it, inserting each cut's own point."""
    seg = np.hypot(*np.diff(coords, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    pieces = []
    current = [coords[0]]
    k = 1  # next vertex to consider
    last_cut = -np.inf
    for a, xy in sorted(cuts, key=lambda c: c[0]):
        if a - last_cut < MIN_PIECE_M:
            continue  # two end points at one spot: the first one joins
        while k < len(coords) - 1 and cum[k] <= a:
            current.append(coords[k])
            k += 1
        current.append(xy)
        pieces.append(shapely.LineString(current))
        current = [xy]
        last_cut = a
    current.extend(coords[k:])
    pieces.append(shapely.LineString(current))
    return pieces


__all__ = ["DEFAULT_TOLERANCE_M", "MIN_PIECE_M", "RepairReport", "repair_lines"]
