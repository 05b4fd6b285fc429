"""Scale: the DfT network densified to ~1 million nodes, one-to-all search per site.

Run: ``.venv/bin/python benchmarks/bench_scale.py [target_nodes]``. Prints seconds, ratios
and peak memory measured in this run.

Every DfT link is split into segments of equal length so the graph has about
``target_nodes`` nodes (default 1,000,000), standing in for a full OpenStreetMap network
of a large region. For each of the 67 radiotherapy sites we time a one-to-all search:

- ours: :func:`access_app.core.routing.site_to_node_seconds` (the production path: a site
  super node joined to its 4 nearest nodes by access legs, Dijkstra over the reversed CSR
  with scipy.sparse.csgraph), all 67 sites;
- scipy raw: ``dijkstra`` from the site's nearest node only (what ours costs without the
  super node);
- igraph: ``Graph.distances(source=node, weights=...)`` on the same reversed edges;
- networkx: ``nx.single_source_dijkstra_path_length`` on an osmnx-style MultiDiGraph; too
  slow for every site, so it is timed on a few sites and the per-site mean is used.

Peak memory is the process's peak resident set size (``ru_maxrss``) after each phase;
networkx comes last because its graph dwarfs the others.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_routing import dft_graph, england_sites, peak_rss_mb  # noqa: E402

from access_app.core import routing  # noqa: E402
from access_app.core.network import GraphArrays  # noqa: E402
from access_app.core.routing import RoutingParams  # noqa: E402


def densify(G: nx.MultiDiGraph, target_nodes: int) -> GraphArrays:
    """Split every two-way link of ``G`` into equal segments; return two-way arrays."""
    nodes = list(G.nodes)
    pos = {n: i for i, n in enumerate(nodes)}
    links = [(pos[u], pos[v], d["geometry"], d["travel_time"], d["length"])
             for u, v, d in G.edges(data=True) if pos[u] < pos[v]]
    lu = np.array([a for a, *_ in links])
    lv = np.array([b for _, b, *_ in links])
    geoms = np.array([g for _, _, g, *_ in links], dtype=object)
    tt = np.array([t for *_, t, _ in links])
    total = shapely.length(geoms).sum()
    step = total / max(1, target_nodes - len(nodes))
    dense = shapely.segmentize(geoms, step)
    coords, owner = shapely.get_coordinates(dense, return_index=True)
    n_pts = np.bincount(owner, minlength=len(links))
    first = np.concatenate([[0], np.cumsum(n_pts)[:-1]])
    last = first + n_pts - 1
    is_end = np.zeros(len(coords), bool)
    is_end[first] = True
    is_end[last] = True
    node_of = np.empty(len(coords), np.int64)
    node_of[first] = lu
    node_of[last] = lv
    interior = np.flatnonzero(~is_end)
    n0 = len(nodes)
    node_of[interior] = n0 + np.arange(interior.size)
    x = np.concatenate([[G.nodes[n]["x"] for n in nodes], coords[interior, 0]])
    y = np.concatenate([[G.nodes[n]["y"] for n in nodes], coords[interior, 1]])
    seg = np.flatnonzero(owner[:-1] == owner[1:])
    seg_len = np.hypot(*(coords[seg + 1] - coords[seg]).T)
    link_len = shapely.length(geoms)[owner[seg]]
    seg_tt = tt[owner[seg]] * seg_len / link_len
    a, b = node_of[seg], node_of[seg + 1]
    return GraphArrays(
        node_ids=np.arange(len(x), dtype=np.int64), x=x, y=y,
        u=np.concatenate([a, b]).astype(np.int32), v=np.concatenate([b, a]).astype(np.int32),
        travel_time=np.concatenate([seg_tt, seg_tt]),
        dropped_xy=np.zeros((0, 2)), dropped_gap_m=np.zeros(0),
    )


def main() -> None:
    target = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    t = time.perf_counter()
    arrays = densify(dft_graph().graph, target)
    print(f"densified DfT network: {arrays.n_nodes:,} nodes, {arrays.u.size:,} directed edges "
          f"(built in {time.perf_counter() - t:.1f} s); peak RSS {peak_rss_mb():,.0f} MB")
    sites = england_sites()
    xy = np.column_stack([sites.geometry.x, sites.geometry.y])
    snap = routing.snap_points(arrays, xy, np.ones(len(xy), bool), params=RoutingParams())
    node = snap.nodes[:, 0]
    m = len(node)

    t = time.perf_counter()
    _ = arrays.reversed_csr
    csr_build = time.perf_counter() - t
    t = time.perf_counter()
    ours_total = 0.0
    for j in range(m):  # one site at a time, as a one-to-all search each
        one = routing.Snap(snap.nodes[j:j + 1], snap.leg_s[j:j + 1], snap.snap_m[j:j + 1],
                           snap.reason[j:j + 1])
        s = time.perf_counter()
        out = routing.site_to_node_seconds(arrays, one)
        ours_total += time.perf_counter() - s
        del out
    ours = ours_total / m
    print(f"ours: CSR built once in {csr_build:.2f} s; one-to-all per site {ours:.3f} s "
          f"(mean of {m} sites); peak RSS {peak_rss_mb():,.0f} MB")

    from scipy import sparse
    from scipy.sparse.csgraph import dijkstra

    indptr, indices, data = arrays.reversed_csr
    csr = sparse.csr_matrix((data, indices, indptr), shape=(arrays.n_nodes,) * 2)
    t = time.perf_counter()
    for j in range(m):
        dijkstra(csr, indices=[int(node[j])])
    raw = (time.perf_counter() - t) / m
    print(f"scipy raw (site node only): {raw:.3f} s per site")

    import igraph as ig

    t = time.perf_counter()
    g = ig.Graph(n=arrays.n_nodes, edges=np.column_stack([arrays.v, arrays.u]), directed=True)
    g.es["w"] = arrays.travel_time
    ig_build = time.perf_counter() - t
    n_ig = min(m, 20)
    t = time.perf_counter()
    for j in range(n_ig):
        d_ig = g.distances(source=[int(node[j])], weights="w", mode="out")
    igt = (time.perf_counter() - t) / n_ig
    ref = dijkstra(csr, indices=[int(node[n_ig - 1])])[0]
    agree = np.nanmax(np.abs(np.asarray(d_ig[0]) - ref))
    print(f"igraph: graph built in {ig_build:.1f} s; one-to-all per site {igt:.3f} s "
          f"(mean of {n_ig} sites; agrees with scipy to {agree:.1e} s); "
          f"peak RSS {peak_rss_mb():,.0f} MB")
    del g
    gc.collect()

    t = time.perf_counter()
    R = nx.MultiDiGraph()
    R.add_nodes_from(range(arrays.n_nodes))
    R.add_edges_from(
        (int(b), int(a), {"travel_time": float(w)})
        for a, b, w in zip(arrays.u, arrays.v, arrays.travel_time, strict=True)
    )
    nx_build = time.perf_counter() - t
    n_nx = 3
    t = time.perf_counter()
    for j in range(n_nx):
        nx.single_source_dijkstra_path_length(R, int(node[j]), weight="travel_time")
    nxt = (time.perf_counter() - t) / n_nx
    print(f"networkx: MultiDiGraph built in {nx_build:.1f} s; one-to-all per site {nxt:.2f} s "
          f"(mean of the first {n_nx} sites only, scaled per site: all {m} would take "
          f"~{nxt * m:.0f} s); peak RSS {peak_rss_mb():,.0f} MB")
    print(f"ratio networkx / ours: {nxt / ours:.0f}x (target >= 30x)")
    print(f"ratio ours / igraph: {ours / igt:.2f} (target <= 1.5); "
          f"scipy raw / igraph: {raw / igt:.2f}")


if __name__ == "__main__":
    main()
