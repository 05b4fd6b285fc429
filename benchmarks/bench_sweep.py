"""Sweep throughput: Monte Carlo draws with re-routing on the England default, 1 and 2 workers.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [draws]`` (default 200). Prints, measured in
this run:

- the cost of one draw in this process, split into the network search (re-routing 67
  sites over the DfT network) and the rest (assignment of the 4 default scenarios and the
  headline measures);
- draws per second for the same sweep in one process (no Dask), on a ``LocalCluster`` of 1
  worker process and of 2 worker processes, and the scaling efficiency
  ``rate(2 workers) / (2 x rate(1 worker))``;
- the bytes sent once per worker (``client.scatter(..., broadcast=True)``) against the
  bytes each task carries;
- a projection for a full OpenStreetMap network of England from the search-time scaling
  measured by ``benchmarks/bench_scale.py`` (0.078 s per one-to-all search on the DfT
  network densified to 1,008,038 nodes; ``benchmarks/README.md``), assuming search time
  grows in proportion to the node count. The node count of a full-OSM England drive graph
  is an input (``--osm-nodes``, default 2,000,000 and 5,000,000 shown), not a measurement.

Every draw re-routes: the speed multipliers are continuous, so no draw leaves them all at 1.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from access_app.core import pipeline, scenarios  # noqa: E402
from access_app.core.sweep import draws, run, spec, tasks  # noqa: E402

#: bench_scale.py on this machine (benchmarks/README.md, 26 Nov 2026): seconds per one-to-all
#: search from a site super node on the DfT network densified to 1,008,038 nodes.
SCALE_SEARCH_S = 0.078
SCALE_NODES = 1_008_038

SPEC = {
    "seed": 20261201,
    "baseline": "Status quo",
    "parameter": [
        {"name": "motorway rural", "kind": "speed", "road_class": "motorway", "setting": "rural",
         "distribution": "uniform", "low": 0.85, "high": 1.1},
        {"name": "motorway urban", "kind": "speed", "road_class": "motorway", "setting": "urban",
         "distribution": "uniform", "low": 0.7, "high": 1.1},
        {"name": "A road rural", "kind": "speed", "road_class": "primary", "setting": "rural",
         "distribution": "uniform", "low": 0.8, "high": 1.1},
        {"name": "A road urban", "kind": "speed", "road_class": "primary", "setting": "urban",
         "distribution": "triangular", "low": 0.6, "mode": 0.9, "high": 1.1},
        {"name": "congestion", "kind": "congestion", "distribution": "triangular", "low": 1.0, "mode": 1.1,
         "high": 1.4},
        {"name": "detour", "kind": "access", "field": "detour_factor", "distribution": "uniform",
         "low": 1.2, "high": 1.4},
        {"name": "fractions", "kind": "fractions", "distribution": "choice", "values": [15, 20, 25]},
        {"name": "Q1 incidence", "kind": "incidence", "group_by": "imd_quintile", "group": 1,
         "distribution": "uniform", "low": 1.0, "high": 1.3},
    ],
    "conclusion": [{"name": "rural lose more than the most deprived",
                    "expression": '"Centralised".rural_mean_min - "Status quo".rural_mean_min > '
                                  '"Centralised".q1_mean_min - "Status quo".q1_mean_min'}],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("draws", nargs="?", type=int, default=200)
    ap.add_argument("--osm-nodes", type=int, nargs="*", default=[2_000_000, 5_000_000])
    args = ap.parse_args()
    os.environ.setdefault("ACCESS_APP_CACHE", "/tmp/access-app-bench-sweep")
    sp = spec.parse_spec({**SPEC, "draws": args.draws}, source="bench_sweep")
    t0 = time.perf_counter()
    ds = pipeline.load_default_dataset()
    G = pipeline.load_default_network()
    inputs = run.prepare_sweep(sp, ds, G, scenarios.default_scenarios(ds.sites))
    print(f"England default: {len(ds.areas):,} areas x {len(ds.sites)} sites, {inputs.n_nodes:,} nodes, "
          f"{len(inputs.u):,} edges, 4 scenarios; set-up {time.perf_counter() - t0:.1f} s")

    sample = draws.make_draws(sp)[:10]
    with run._one_blas_thread():  # noqa: SLF001 - as the sync path and the workers run
        t_route = t_all = 0.0
        for d in sample:
            a = time.perf_counter()
            tasks.travel_minutes(inputs, sp, d.values)
            b = time.perf_counter()
            tasks.evaluate_draw(inputs, sp, d)
            c = time.perf_counter()
            t_route += b - a
            t_all += c - b
    route_s, draw_s = t_route / len(sample), t_all / len(sample)
    print(f"one draw in this process: {draw_s:.3f} s, of which network search {route_s:.3f} s "
          f"({route_s / draw_s:.0%}) and assignment + measures {draw_s - route_s:.3f} s")
    print(f"sent once per worker: {len(pickle.dumps(inputs)) / 1e6:.1f} MB; per task: "
          f"{len(pickle.dumps(sample[0])):,} bytes")

    rates = {}
    reference = None
    for label, kwargs in (("1 process (sync)", {"executor": "sync"}),
                          ("LocalCluster, 1 worker", {"workers": 1}),
                          ("LocalCluster, 2 workers", {"workers": 2})):
        out = run.run_sweep(inputs, sp, **kwargs)
        rates[label] = len(out.parameters) / out.seconds
        print(f"{label:<26} {args.draws} draws in {out.seconds:6.1f} s = {rates[label]:.2f} draws/s "
              f"({len(out.failures)} failed)")
        if reference is None:
            reference = out.results
        else:
            same = np.array_equal(reference.drop(columns="case").to_numpy(dtype=object),
                                  out.results.drop(columns="case").to_numpy(dtype=object))
            print(f"{'':<26} identical to the single process: {same}")
    eff = rates["LocalCluster, 2 workers"] / (2 * rates["LocalCluster, 1 worker"])
    print(f"scaling efficiency 2 vs 1 worker: {eff:.0%} (2 cores shared with other jobs)")
    from access_app.core.sweep import results

    share = results.conclusion_table(out)["share"].iloc[0]
    print(f"conclusion 'rural lose more than the most deprived' holds in {share:.1%} of draws")

    rest = draw_s - route_s
    print("\nprojection for a full-OSM England network (search time ~ nodes, from bench_scale):")
    for n in args.osm_nodes:
        per = len(ds.sites) * SCALE_SEARCH_S * n / SCALE_NODES + rest
        hours = 1000 * per / 3600
        print(f"  {n:>10,} nodes: {per:6.1f} s per draw; 1,000 draws ~ {hours:5.2f} h on one core, "
              f"{hours / (2 * eff):5.2f} h on 2 workers at the efficiency measured here; with a free core "
              f"per worker (not measured here): {hours / 8:5.2f} h on 8, {hours / 32:5.2f} h on 32")

if __name__ == "__main__":
    main()
