"""Start-up, export and end-to-end times of ``access-app-cli``, against an earlier commit.

Run from the repository root: ``.venv/bin/python benchmarks/bench_cli.py [--baseline REF]``.

Measures, for this tree and for a baseline commit checked out with ``git worktree add``
into a temporary folder (default: the merge-base with ``main``, or ``HEAD~1`` when this
branch is ``main`` itself), in the same run and on the same machine:

- ``access-app-cli --help`` in a fresh process (wall time, best of ``--repeat``);
- the time a warm ``run`` spends importing modules (sum of the top-level rows of
  ``python -X importtime``), and whether it imports osmnx;
- each export on the England default (workbook, the seven tidy CSVs, ``area_results.csv``,
  ``area_results.gpkg``, and ``write_all`` as a whole), best of ``--repeat`` in one process;
- a warm ``access-app-cli run --out DIR`` (cache built by a first run), best of ``--repeat``.

Both trees use separate cache folders, each warmed first. It prints one table with both
columns and the ratio this/baseline. Targets (issue 8): ``--help`` < 0.5 s, warm run < 4 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_EXPORTS = r"""
import json, sys, tempfile, time
from pathlib import Path
from access_app.core import export, pipeline

cache = Path(sys.argv[1]); repeat = int(sys.argv[2])
dataset = pipeline.load_default_dataset()
graph = pipeline.load_default_network(cache_dir=cache)
matrix = pipeline.compute_matrix(dataset, graph, cache_dir=cache)
from access_app.core import scenarios
rep = pipeline.evaluate(dataset, matrix, scenarios.default_scenarios(dataset.sites))
meta = pipeline.metadata(dataset, graph, scenarios.default_scenarios(dataset.sites))
out = Path(tempfile.mkdtemp(prefix="bench-cli-"))

def best(fn):
    times = []
    for i in range(repeat):
        t = time.perf_counter(); fn(i); times.append(time.perf_counter() - t)
    return min(times)

res = {}
res["workbook"] = best(lambda i: export.write_excel(rep, out / f"w{i}.xlsx", metadata=meta))
tables = rep.tables()
res["7 tidy CSVs"] = best(lambda i: [export.write_csv(f, out / f"{n}{i}.csv") for n, f in tables.items()])
res["area_results.csv"] = best(lambda i: export.write_csv(rep.areas, out / f"a{i}.csv"))
res["area_results.gpkg"] = best(
    lambda i: export.write_geopackage(rep, out / f"a{i}.gpkg", areas=dataset.areas))
res["write_all"] = best(lambda i: export.write_all(rep, out / f"all{i}", areas=dataset.areas, metadata=meta))
print(json.dumps(res))
"""

def _import_seconds(stderr: str) -> tuple[float, bool]:
    """Return the seconds spent importing (top-level ``-X importtime`` rows) and if osmnx was one."""
    total_us = 0
    osmnx = False
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        name = parts[2].rstrip()
        if name.strip() == "osmnx":
            osmnx = True
        if name.startswith(" ") and not name.startswith("  ") and parts[1].strip().isdigit():
            total_us += int(parts[1])
    return total_us / 1e6, osmnx


def _env(tree: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env["ACCESS_APP_CACHE"] = str(cache)
    return env


def _wall(cmd: list[str], env: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times)


def measure(tree: Path, *, repeat: int) -> dict[str, float]:
    """Return the timings of one source tree (see the module docstring)."""
    cache = Path(tempfile.mkdtemp(prefix="bench-cli-cache-"))
    env = _env(tree, cache)
    py = sys.executable
    out = Path(tempfile.mkdtemp(prefix="bench-cli-out-"))
    run = [py, "-m", "access_app.cli", "run", "--out", str(out), "-q", "--cache-dir", str(cache)]
    subprocess.run(run, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm
    res: dict[str, float] = {}
    res["--help (fresh process)"] = _wall([py, "-m", "access_app.cli", "--help"], env, repeat)
    traced = subprocess.run([py, "-X", "importtime", *run[1:]], env=env, check=True, capture_output=True,
                            text=True)
    seconds, osmnx = _import_seconds(traced.stderr)
    res["imports during run"] = seconds
    res["osmnx imported (1 = yes)"] = float(osmnx)
    exports = subprocess.run([py, "-c", _EXPORTS, str(cache), str(repeat)], env=env, check=True,
                             capture_output=True, text=True)
    res.update(json.loads(exports.stdout.strip().splitlines()[-1]))
    res["warm run, end to end"] = _wall(run, env, repeat)
    return res


def _baseline_ref(ref: str | None) -> str:
    if ref:
        return ref
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    base = subprocess.run(["git", "-C", str(REPO), "merge-base", "HEAD", "main"], capture_output=True,
                          text=True).stdout.strip()
    return base if base and base != head else "HEAD~1"


def main(argv: list[str] | None = None) -> int:
    """Measure this tree and the baseline, and print both with ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REF", help="commit to compare with (default: merge-base "
                        "with main, or HEAD~1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the best is kept")
    parser.add_argument("--no-baseline", action="store_true", help="measure this tree only")
    args = parser.parse_args(argv)
    print(f"measuring {REPO} ...", file=sys.stderr, flush=True)
    current = measure(REPO, repeat=args.repeat)
    baseline: dict[str, float] = {}
    ref = ""
    if not args.no_baseline:
        ref = _baseline_ref(args.baseline)
        sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", ref], capture_output=True,
                             text=True, check=True).stdout.strip()
        tmp = Path(tempfile.mkdtemp(prefix="bench-cli-base-")) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tmp), ref], check=True,
                       capture_output=True)
        try:
            print(f"measuring baseline {ref} ({sha}) in {tmp} ...", file=sys.stderr, flush=True)
            baseline = measure(tmp, repeat=args.repeat)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp)],
                           capture_output=True)
        ref = f"{ref} ({sha})"
    width = max(map(len, current)) + 2
    print(f"{'step':<{width}}{'this tree':>11}{'baseline':>11}{'ratio':>8}")
    for step, value in current.items():
        base = baseline.get(step)
        cells = f"{value:>10.2f}s"
        cells += f"{base:>10.2f}s{value / base:>8.2f}" if base else f"{'':>11}{'':>8}"
        print(f"{step:<{width}}{cells}")
    if ref:
        print(f"baseline: {ref}; ratio = this tree / baseline (below 1 = faster)")
    print("targets: --help < 0.5 s; warm run < 4 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
