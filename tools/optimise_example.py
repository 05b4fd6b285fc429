"""The worked example of docs/optimise.md: two hubs per network, three objectives, on the England default.

Run: ``.venv/bin/python tools/optimise_example.py``. For every network chooses two hubs
among its main centres (all of them where it has fewer) by least mean minutes (p-median),
least mean minutes of the most deprived IMD quintile, and least Kolm-Pollak EDE; turns each
choice into a scenario and evaluates it with the app's own tables against the status quo,
printing the numbers the document quotes.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from access_app.core import pipeline, scenarios  # noqa: E402
from access_app.core.optimise import Objective, from_session_data, optimise, option_scenario  # noqa: E402


def main() -> None:
    data = pipeline.load_default_dataset()
    matrix = pipeline.compute_matrix(data, pipeline.load_default_network())
    problem = from_session_data(data.areas, data.sites, matrix)
    runs = {
        "Least mean (p-median)": Objective("median"),
        "Least Q1 mean": Objective("group_mean", group="imd1"),
        "Least Kolm-Pollak EDE": Objective("kolm_pollak"),
    }
    chosen = [scenarios.default_scenarios(data.sites)[0]]
    per_net: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, objective in runs.items():
        res = optimise(problem, p=2, objective=objective, top_k=1, pareto="imd1_mean", cap_p=True)
        chosen.append(option_scenario(res, name=name))
        per_net[name] = {n: b.best.hubs for n, b in res.blocks.items()}
        if name.startswith("Least mean"):
            print("Pareto fronts (mean minutes, Q1 mean minutes) with 2 hubs per network:")
            for n, b in res.blocks.items():
                pts = "; ".join(f"{o.measures['mean_min']:.1f}/{o.measures['imd1_mean_min']:.1f} "
                                f"({', '.join(o.hubs)})" for o in b.pareto)
                print(f"  {n}: {pts}")
            print(f"kappa {res.kappa:.5f} per minute; all proven optimal: {res.proven_optimal}; "
                  f"{res.runtime:.2f} s")
    print("\nNetworks where the choices differ:")
    for n in per_net["Least mean (p-median)"]:
        hubs = {k: v[n] for k, v in per_net.items()}
        if len(set(hubs.values())) > 1:
            print(f"  {n}: " + " | ".join(f"{k}: {', '.join(v)}" for k, v in hubs.items()))
    report = pipeline.evaluate(data, matrix, chosen, baseline="Status quo")
    s = report.summary.set_index("scenario")
    ch = report.changes
    longer = ch[ch["group_by"] == "all"].set_index("scenario")["demand_longer"]
    print("\n| scenario | hubs | mean min | 90th pct | within 45 min | Q1 mean | Q5 mean | longer journey |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in s.iterrows():
        lj = "baseline" if name == "Status quo" else f"{longer.get(name, float('nan')):,.0f}"
        print(f"| {name} | {int(r['open_sites'])} | {r['mean_min']:.1f} | {r['p90_min']:.1f} | "
              f"{100 * r['within_45_share']:.1f}% | {r['q1_mean_min']:.1f} | {r['q5_mean_min']:.1f} | {lj} |")


if __name__ == "__main__":
    main()
