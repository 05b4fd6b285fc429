"""Check a road network for broken junctions: no area should reach a site faster through another.

Over a connected road network, going from an area to site *t* through site *s* can never be
quicker than going to *t* directly (the direct route may pass the same way). It can only be
quicker when site *s*'s access legs bridge two parts of the network that the roads themselves
join only by a detour: a junction missing from the data. This tool computes, for every area
*a* and every pair of sites *s*, *t*, ``time(a, s) + time(s, t)`` against ``time(a, t)`` and
lists every case quicker by more than ``--threshold`` minutes (default 2), with its cause: the
two candidate nodes of site *s* that are close in a straight line but far apart by road
(within 100 m: a junction missing from the data; farther: the site's access legs act as a
shortcut, which grows with the access speeds and the number of candidate nodes).

Run from the repository root (the embedded England data and DfT network by default)::

    python tools/check_junctions.py                     # with the default junction repair
    python tools/check_junctions.py --tolerance 0       # as the network was before the repair
    python tools/check_junctions.py --histogram         # the data behind the default tolerance
    python tools/check_junctions.py --points repair.gpkg --csv exceptions.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from access_app.core import defaults, network, pipeline, repair, routing  # noqa: E402
from access_app.core import schema as S  # noqa: E402

#: Cause named when a site's two candidate nodes lie this close (m) yet far apart by road.
JUNCTION_GAP_M = 100.0
MISSING_JUNCTION = "a junction missing between them"


def endpoint_histograms(lines: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return counts of nearest-other-end-point and dangling-end-to-line distances by bin."""
    geoms = lines.explode(index_parts=False).geometry.to_numpy()
    ends = np.vstack([shapely.get_coordinates(shapely.get_point(geoms, i)) for i in (0, -1)])
    loc, inv, count = np.unique(ends, axis=0, return_inverse=True, return_counts=True)
    d, _ = cKDTree(loc).query(loc, k=2)
    nearest = d[:, 1]
    owner = np.zeros(len(loc), dtype=np.int64)
    owner[inv.ravel()] = np.concatenate([np.arange(len(geoms))] * 2)
    dangling = np.flatnonzero(count == 1)
    pts = shapely.points(loc[dangling])
    pi, lj = shapely.STRtree(geoms).query(pts, predicate="dwithin", distance=50)
    other = owner[dangling][pi] != lj
    side = (pd.Series(shapely.distance(pts[pi[other]], geoms[lj[other]]))
            .groupby(pi[other]).min().to_numpy())
    bins = [0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 50, 100]
    labels = [f"{a}-{b} m" for a, b in zip(bins[:-1], bins[1:], strict=True)]
    return pd.DataFrame({
        "distance": labels,
        "nearest other end point": np.histogram(nearest, bins=bins)[0],
        "dangling end to another line": np.histogram(side, bins=bins)[0],
    })


#: Access legs before the calibration of docs/validation.md.
LEGACY_PARAMS = routing.RoutingParams(access_speed_urban_kmh=24.0, access_speed_rural_kmh=40.0,
                                      k_nearest=4)


def site_to_site_minutes(graph: object, sites: gpd.GeoDataFrame,
                         params: routing.RoutingParams) -> np.ndarray:
    """Return minutes from each site (as an origin, urban access) to each site."""
    origins = gpd.GeoDataFrame({S.AREA_ID: sites[S.SITE_ID].astype(str).to_numpy(),
                                S.URBAN_RURAL: "Urban" if params.site_access == "urban" else "Rural"},
                               geometry=sites.geometry.to_numpy(), crs=sites.crs)
    return routing.travel_time_matrix(graph, origins, sites, params=params).minutes


def exceptions(
    direct: np.ndarray,
    between: np.ndarray,
    *,
    threshold_min: float,
    chunk: int = 2048,
) -> pd.DataFrame:
    """Return every (area, target) quicker through another site by more than the threshold.

    Parameters
    ----------
    direct
        ``(n_areas, n_sites)`` minutes.
    between
        ``(n_sites, n_sites)`` site-to-site minutes.
    threshold_min
        Minutes by which the detour through a site must win to count.

    Returns
    -------
    pandas.DataFrame
        ``area``, ``target``, ``via`` (positions), ``direct_min``, ``via_min``, ``gain_min``:
        for each area and target, the best intermediate site.
    """
    rows = []
    np.fill_diagonal(between := between.copy(), np.inf)
    for start in range(0, len(direct), chunk):
        block = direct[start:start + chunk]
        # via[a, s, t] = direct[a, s] + between[s, t]
        via = block[:, :, None] + between[None, :, :]
        best_s = np.argmin(via, axis=1)
        best = np.take_along_axis(via, best_s[:, None, :], axis=1)[:, 0, :]
        with np.errstate(invalid="ignore"):
            gain = block - best
        a, t = np.nonzero(gain > threshold_min)
        for i, j in zip(a, t, strict=True):
            rows.append((start + i, j, int(best_s[i, j]), block[i, j], best[i, j], gain[i, j]))
    return pd.DataFrame(rows, columns=["area", "target", "via", "direct_min", "via_min", "gain_min"])


def bridge_cause(graph: object, site_xy: np.ndarray, params: routing.RoutingParams) -> str:
    """Describe the gap a site's access legs bridge: its two candidate nodes far apart by road."""
    arrays = graph.arrays  # type: ignore[attr-defined]
    snap = routing.snap_points(arrays, site_xy[None, :], np.array([True]), params=params)
    nodes = snap.nodes[0]
    indptr, indices, data = arrays.reversed_csr
    from scipy.sparse import csr_matrix

    csr = csr_matrix((data, indices, indptr), shape=(arrays.n_nodes, arrays.n_nodes))
    dist = dijkstra(csr, directed=True, indices=nodes)[:, nodes] / 60.0
    xy = np.column_stack([arrays.x[nodes], arrays.y[nodes]])
    best = ""
    worst = -np.inf
    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            metres = float(np.hypot(*(xy[i] - xy[j])))
            by_road = float(min(dist[i, j], dist[j, i]))
            score = by_road - metres / 1000.0  # minutes lost beyond ~60 km/h straight
            if score > worst:
                worst = score
                kind = (MISSING_JUNCTION if metres <= JUNCTION_GAP_M else
                        "the site's access legs are a shortcut between roads that meet only "
                        "by a detour (a sparse strategic network, or a junction missing)")
                best = (f"nodes at ({xy[i, 0]:.0f}, {xy[i, 1]:.0f}) and ({xy[j, 0]:.0f}, "
                        f"{xy[j, 1]:.0f}) are {metres:,.0f} m apart but {by_road:.1f} min apart "
                        f"by road: {kind}")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=repair.DEFAULT_TOLERANCE_M,
                        help="junction repair tolerance in metres (0 = no repair; default %(default)s)")
    parser.add_argument("--threshold", type=float, default=2.0,
                        help="minutes a route through another site must save to be listed (default 2)")
    parser.add_argument("--network", type=Path, help="road line file (default: the embedded DfT network)")
    parser.add_argument("--histogram", action="store_true",
                        help="print the end-point distance histograms and stop")
    parser.add_argument("--points", type=Path,
                        help="write the repair's merged/split points to this GeoPackage")
    parser.add_argument("--csv", type=Path, help="write the exceptions to this CSV")
    parser.add_argument("--networks", choices=("odn", "regions"), default="odn")
    parser.add_argument("--legacy-access", action="store_true",
                        help="route with the access legs before calibration (24/40 km/h, 4 "
                             "candidates), which bridge fewer gaps and so show them more clearly")
    args = parser.parse_args(argv)

    if args.network is None:
        lines = gpd.read_parquet(defaults.default_roads_path()).set_crs(S.BNG, allow_override=True)
        road_col = "road"
    else:
        lines = network.read_lines(args.network)
        road_col = next((c for c in pipeline.ROAD_COLUMNS if c in lines.columns), None)
    if args.histogram:
        print(endpoint_histograms(lines.to_crs(S.BNG)).to_string(index=False))
        return 0
    data = pipeline.load_default_dataset(networks=args.networks)
    fixed, rep = repair.repair_lines(lines.to_crs(S.BNG), tolerance_m=args.tolerance,
                                     road_col=road_col)
    print(rep.summary())
    if args.points:
        print(f"wrote {rep.to_gpkg(args.points)}")
    urban_col = "urban" if "urban" in fixed.columns else None
    graph = network.graph_from_lines(fixed, road_col=road_col or "road", urban_col=urban_col,
                                     areas=None if urban_col else data.areas)
    params = LEGACY_PARAMS if args.legacy_access else routing.RoutingParams()
    print(f"routing: {params!r}")
    direct = routing.travel_time_matrix(graph, data.areas, data.sites, params=params).minutes
    between = site_to_site_minutes(graph, data.sites, params)
    found = exceptions(direct, between, threshold_min=args.threshold)
    area_ids = data.areas[S.AREA_ID].to_numpy()
    names = data.areas[S.AREA_NAME].to_numpy()
    sites = data.sites[S.SITE_ID].to_numpy()
    pop = data.areas[S.POPULATION].to_numpy()
    n_areas = found["area"].nunique()
    people = pop[found["area"].unique().astype(int)].sum()
    print(f"{len(found):,} area-site pairs in {n_areas:,} areas ({people:,.0f} "
          f"people) reach a site more than {args.threshold:g} min faster through another site "
          f"(largest gain {found['gain_min'].max() if len(found) else 0:.1f} min)")
    if len(found):
        site_xy = np.column_stack([data.sites.geometry.x, data.sites.geometry.y])
        causes = {v: bridge_cause(graph, site_xy[v], params) for v in found["via"].unique()}
        table = pd.DataFrame({
            "area_id": area_ids[found["area"]], "area_name": names[found["area"]],
            "target": sites[found["target"]], "via": sites[found["via"]],
            "direct_min": found["direct_min"].round(1), "via_min": found["via_min"].round(1),
            "gain_min": found["gain_min"].round(1),
            "cause": [f"{sites[v]}: {causes[v]}" for v in found["via"]],
        }).sort_values("gain_min", ascending=False)
        with pd.option_context("display.max_colwidth", 200, "display.width", 250):
            print(table.drop(columns="cause").head(40).to_string(index=False))
            print("\nCauses (site whose access legs bridge the gap):")
            for v, text in causes.items():
                print(f"- {sites[v]} ({int((found['via'] == v).sum())} pairs): {text}")
        if args.csv:
            table.to_csv(args.csv, index=False)
            print(f"wrote {args.csv}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
