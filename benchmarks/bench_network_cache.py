"""Reopening the England (DfT) network: our .npz cache vs GraphML vs building from the zip.

Run: ``.venv/bin/python benchmarks/bench_network_cache.py``. Prints seconds and ratios
measured in this run. The .npz load gives a full networkx MultiDiGraph (with geometries)
plus the routing arrays, so the first matrix after reopening needs no rebuild.
Target: reopening under 0.5 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_routing import dft_graph, england_areas, england_sites  # noqa: E402

from access_app.core import network, routing  # noqa: E402

_COLD = """
import sys, time
sys.path.insert(0, {repo!r})
from access_app.core import network
t = time.perf_counter()
G = network.load_network({path!r})
print(time.perf_counter() - t)
"""


def _time(fn, repeat: int = 5) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    areas, sites = england_areas(), england_sites()
    t = time.perf_counter()
    G = dft_graph(areas)
    build = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        npz = network.save_network(G, Path(tmp) / "england_dft.npz")
        gml = network.save_network(G, Path(tmp) / "england_dft.graphml")
        loads = _time(lambda: network.load_network(npz))
        gml_loads = _time(lambda: network.load_network(gml), repeat=2)
        cold = [
            float(subprocess.run([sys.executable, "-c", _COLD.format(repo=str(REPO),
                                                                    path=str(npz))],
                                 check=True, capture_output=True, text=True).stdout)
            for _ in range(3)
        ]
        H = network.load_network(npz)
        t = time.perf_counter()
        routing.travel_time_matrix(H, areas, sites)
        first = time.perf_counter() - t
        print(f"DfT network: {G.n_nodes:,} nodes, {G.n_edges:,} edges; "
              f".npz {npz.stat().st_size / 1e6:.1f} MB, GraphML {gml.stat().st_size / 1e6:.1f} MB")
        print(f"build from the zip (read, node, classify urban, speeds): {build:.2f} s")
        print(f"reopen .npz, same process: median {statistics.median(loads):.3f} s, "
              f"max {max(loads):.3f} s (target < 0.5 s)")
        print(f"reopen .npz, fresh process (imports excluded): median "
              f"{statistics.median(cold):.3f} s, max {max(cold):.3f} s")
        print(f"reopen GraphML (osmnx): median {statistics.median(gml_loads):.2f} s -> "
              f".npz is {statistics.median(gml_loads) / statistics.median(loads):.0f}x faster")
        print(f"first England matrix right after reopening .npz: {first:.3f} s")


if __name__ == "__main__":
    main()
