"""Hub optimisation on the England default: ours against PySAL spopt, and a national capacitated run.

Run: ``.venv/bin/python benchmarks/bench_optimise.py [--spopt all|subset|none]``. Prints
seconds and ratios measured in this run:

1. every network x p = 1, 2, 3 x four objectives (p-median, maximal coverage within 45
   minutes, p-centre, Kolm-Pollak EDE), main centres as candidates, no capacity, through
   :func:`access_app.core.optimise.optimise` (method "auto": exhaustive enumeration here);
   pairs (network, p) with fewer main centres than p are left out, as there is nothing to choose;
2. the same p-median problems through HiGHS (method "milp"), to show the two agree;
3. the same p-median problems through spopt ``PMedian.from_cost_matrix`` with PuLP's bundled
   CBC (``--spopt subset``, the default: only the networks with fewer than 3,000 areas, since
   CBC is slow on the rest; ``all`` for every problem), with the optimum compared;
4. national p-median with capacity: p = 20 of the 51 main centres, demand = population,
   600,000 people per linac (the 20 centres with most linacs hold 159 linacs, so at least
   354,000 per linac are needed), with the method, the time and the gap reported.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from access_app.core import pipeline  # noqa: E402
from access_app.core.optimise import Constraints, Objective, from_session_data, optimise  # noqa: E402

OBJECTIVES = ("median", "coverage", "centre", "kolm_pollak")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spopt", choices=("all", "subset", "none"), default="subset")
    parser.add_argument("--capacity", type=float, default=600_000.0)
    args = parser.parse_args()
    os.environ.setdefault("ACCESS_APP_CACHE", "/tmp/access-app-bench-cache")
    t0 = time.perf_counter()
    data = pipeline.load_default_dataset()
    graph = pipeline.load_default_network()
    matrix = pipeline.compute_matrix(data, graph)
    problem = from_session_data(data.areas, data.sites, matrix)
    print(
        f"data and matrix: {time.perf_counter() - t0:.1f} s ({matrix.minutes.shape[0]:,} areas x "
        f"{matrix.minutes.shape[1]} sites; {int(problem.candidate_mask.sum())} main centres)"
    )

    nets = problem.networks()
    n_cand = {n: int(problem.restrict(n).cols.size) for n in nets}
    problems = [(n, p) for n in nets for p in (1, 2, 3) if p <= n_cand[n]]
    print(
        f"{len(nets)} networks, {len(problems)} (network, p) problems, candidates per network: "
        + ", ".join(f"{n} {c}" for n, c in n_cand.items())
    )

    # 1. all objectives, auto method
    start = time.perf_counter()
    results: dict[tuple[str, int, str], float] = {}
    methods = set()
    for kind in OBJECTIVES:
        for p in (1, 2, 3):
            nets_p = {n: p for n, q in problems if q == p}
            sub = problem
            res = optimise(sub, p=p, objective=Objective(kind), top_k=1, cap_p=True)
            for n in nets_p:
                b = res.blocks[n]
                results[(n, p, kind)] = b.objective
                methods.add(b.method)
    ours_all = time.perf_counter() - start
    print(
        f"\n1. ours, 4 objectives x all problems ({4 * len(problems)} problems, method {sorted(methods)}): "
        f"{ours_all:.2f} s (target < 10 s)"
    )

    # 2. p-median through the MILP
    start = time.perf_counter()
    worst = 0.0
    for p in (1, 2, 3):
        res = optimise(problem, p=p, top_k=1, method="milp", cap_p=True)
        for n, q in problems:
            if q == p:
                worst = max(worst, abs(res.blocks[n].objective - results[(n, p, "median")]))
    milp_time = time.perf_counter() - start
    start = time.perf_counter()
    for p in (1, 2, 3):
        optimise(problem, p=p, top_k=1, method="enumeration", cap_p=True)
    enum_time = time.perf_counter() - start
    print(
        f"2. p-median, {len(problems)} problems: enumeration {enum_time:.2f} s, HiGHS MILP {milp_time:.2f} s "
        f"(ratio {milp_time / enum_time:.0f}x); largest difference in mean minutes {worst:.2e}"
    )

    # 3. spopt
    if args.spopt != "none":
        import pulp
        from spopt.locate import PMedian

        warnings.filterwarnings("ignore", category=DeprecationWarning)
        chosen = [(n, p) for n, p in problems if args.spopt == "all" or problem.restrict(n).rows.size < 3000]
        ours_t = spopt_t = 0.0
        worst = 0.0
        for n, p in chosen:
            sub = problem.restrict(n)
            cost, w = sub.cost, sub.demand
            keep = np.isfinite(cost).any(axis=1) & (w > 0)
            cost, w = cost[keep], w[keep]
            s = time.perf_counter()
            ours = optimise(problem, p={m: (p if m == n else 1) for m in nets}, top_k=1).blocks[n].objective
            ours_t += time.perf_counter() - s
            s = time.perf_counter()
            model = PMedian.from_cost_matrix(cost, w, p_facilities=p).solve(pulp.PULP_CBC_CMD(msg=False))
            spopt_t += time.perf_counter() - s
            worst = max(worst, abs(pulp.value(model.problem.objective) / w.sum() - ours))
        print(
            f"3. p-median on {len(chosen)} problems ({args.spopt}: "
            f"{', '.join(sorted({n for n, _ in chosen}))}): ours {ours_t:.2f} s (every network solved each "
            f"call), spopt+CBC {spopt_t:.1f} s, ratio {spopt_t / ours_t:.0f}x; largest difference in mean "
            f"minutes {worst:.2e}"
        )

    # 4. national capacitated p-median
    start = time.perf_counter()
    res = optimise(
        problem,
        p=20,
        national=True,
        constraints=Constraints(capacity_per_linac=args.capacity),
        time_limit=50.0,
    )
    b = res.blocks["England"]
    total = time.perf_counter() - start
    print(
        f"4. national p-median with capacity ({args.capacity:,.0f} per linac), p = 20 of "
        f"{int(problem.candidate_mask.sum())}: {total:.1f} s (target < 60 s), method {b.method}, mean "
        f"{b.objective:.2f} min, proven optimal {b.proven_optimal}, relative gap {b.gap:.3f}, "
        f"most demand per "
        f"linac {b.best.measures['max_demand_per_linac']:,.0f}"
    )
    print(f"   note: {b.note}")


if __name__ == "__main__":
    main()
