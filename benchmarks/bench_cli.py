"""Start-up, export and end-to-end times of ``access-app-cli``, against an earlier commit.

Run from the repository root: ``.venv/bin/python benchmarks/bench_cli.py [--baseline REF]``.

Measures, for this tree and for a baseline commit checked out with ``git worktree add``
into a temporary folder (default: the merge-base with ``main``, or ``HEAD~1`` when this
branch is ``main`` itself), in the same run and on the same machine:

- ``access-app-cli --help`` in a fresh process (wall time, best of ``--repeat``);
- the time a warm ``run`` spends importing modules (sum of the top-level rows of
  ``python -X importtime``), and whether it imports osmnx;
- each export on the England default (workbook, the seven tidy CSVs, ``area_results.csv``,
  ``area_results.gpkg``, and ``write_all`` as a whole);
- a warm ``access-app-cli run --out DIR`` (cache built by a first run).

Both trees use separate cache folders, each warmed first. Every step runs ``--repeat``
times in rounds that alternate between the trees (so a change in the load of a shared
machine hits both) and the best time is kept. It prints one table with both columns and
the ratio this/baseline. Targets (issue 8): ``--help`` < 0.5 s, warm run < 4 s.
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


def _wall(cmd: list[str], env: dict[str, str], repeat: int, cwd: Path) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=cwd)
        times.append(time.perf_counter() - t)
    return min(times)


class Tree:
    """One source tree to time, with its own warm cache and output folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cache = Path(tempfile.mkdtemp(prefix="bench-cli-cache-"))
        self.out = Path(tempfile.mkdtemp(prefix="bench-cli-out-"))
        self.env = _env(path, self.cache)
        self.run_cmd = [sys.executable, "-m", "access_app.cli", "run", "--out", str(self.out), "-q",
                        "--cache-dir", str(self.cache)]
        self.best: dict[str, float] = {}

    def _call(self, cmd: list[str]) -> subprocess.CompletedProcess[str]:
        # cwd = the tree: ``python -m``/``-c`` put the working folder first on sys.path.
        return subprocess.run(cmd, env=self.env, cwd=self.path, check=True, capture_output=True, text=True)

    def warm(self) -> None:
        """Run once so the network and matrix caches exist."""
        self._call(self.run_cmd)

    def _keep(self, step: str, seconds: float) -> None:
        self.best[step] = min(seconds, self.best.get(step, float("inf")))

    def measure_round(self) -> None:
        """Time every step once and keep the best of the rounds so far."""
        py = sys.executable
        self._keep("--help (fresh process)", _wall([py, "-m", "access_app.cli", "--help"], self.env, 1,
                                                  self.path))
        traced = self._call([py, "-X", "importtime", *self.run_cmd[1:]])
        seconds, osmnx = _import_seconds(traced.stderr)
        self._keep("imports during run", seconds)
        self.best["osmnx imported (1 = yes)"] = float(osmnx)
        exports = self._call([py, "-c", _EXPORTS, str(self.cache), "1"])
        for step, value in json.loads(exports.stdout.strip().splitlines()[-1]).items():
            self._keep(step, value)
        self._keep("warm run, end to end", _wall(self.run_cmd, self.env, 1, self.path))


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
    trees = [Tree(REPO)]
    ref = ""
    tmp: Path | None = None
    if not args.no_baseline:
        ref = _baseline_ref(args.baseline)
        sha = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", ref], capture_output=True,
                             text=True, check=True).stdout.strip()
        tmp = Path(tempfile.mkdtemp(prefix="bench-cli-base-")) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tmp), ref], check=True,
                       capture_output=True)
        trees.append(Tree(tmp))
        ref = f"{ref} ({sha})"
    try:
        for tree in trees:
            print(f"warming {tree.path} ...", file=sys.stderr, flush=True)
            tree.warm()
        # Rounds alternate between the trees, so a change in the machine's load hits both.
        for i in range(args.repeat):
            for tree in trees:
                print(f"round {i + 1}/{args.repeat}: {tree.path}", file=sys.stderr, flush=True)
                tree.measure_round()
    finally:
        if tmp is not None:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tmp)],
                           capture_output=True)
    current = trees[0].best
    baseline = trees[1].best if len(trees) > 1 else {}
    width = max(map(len, current)) + 2
    print(f"{'step':<{width}}{'this tree':>11}{'baseline':>11}{'ratio':>8}")
    for step, value in current.items():
        base = baseline.get(step)
        cells = f"{value:>10.2f}s"
        if base is None:
            cells += f"{'':>11}{'':>8}"
        else:
            cells += f"{base:>10.2f}s" + (f"{value / base:>8.2f}" if base > 0 else f"{'':>8}")
        print(f"{step:<{width}}{cells}")
    if ref:
        print(f"baseline: {ref}; ratio = this tree / baseline (below 1 = faster)")
    print("targets: --help < 0.5 s; warm run < 4 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
