"""Loading a large population file: time and peak memory against a target.

Run: ``.venv/bin/python benchmarks/bench_load.py [rows]`` (default 1,000,000).

Writes a synthetic areas CSV with :mod:`make_population` (census-style columns, populations
with thousands separators, longitude/latitude) and measures, each in a fresh Python process
so that one measurement's memory does not inflate the next:

- ``read-c``: ``pandas.read_csv`` with the C parser, as the loader read CSVs before (baseline);
- ``read``: :func:`access_app.core.io.read_table` (the CSV as strings, Arrow's parser);
- ``load``: :func:`access_app.core.io.load_areas` (columns detected, numbers parsed, ids,
  deciles and populations checked, points projected to British National Grid);
- ``check``: ``access-app-cli check --population FILE`` (load, embedded sites and boundaries,
  network and scenario checks).

Wall time and the process's peak resident set size (``resource.getrusage(...).ru_maxrss``,
which includes the interpreter and the imported libraries) are printed for each, with the
ratio to the target: ``load`` and ``check`` of 1,000,000 rows in under 60 s and 3 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_population import make_population  # noqa: E402

TARGET_S = 60.0
TARGET_MB = 3_000.0

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
kind, path = sys.argv[1], sys.argv[2]
if kind == "read-c":
    import pandas as pd
    t0 = time.perf_counter()
    n = len(pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""]))
elif kind == "read":
    from access_app.core import io
    t0 = time.perf_counter()
    n = len(io.read_table(path))
elif kind == "load":
    from access_app.core import io
    t0 = time.perf_counter()
    n = len(io.load_areas(path))
else:
    from access_app import cli
    t0 = time.perf_counter()
    assert cli.main(["check", "--population", path]) == 0
    n = -1
print(json.dumps({{"s": time.perf_counter() - t0, "peak_mb":
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": n}}))
"""


def measure(kind: str, path: Path) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; return seconds and peak MB."""
    code = _CHILD.format(root=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, kind, str(path)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(rows: int = 1_000_000) -> None:
    """Write the file, measure each step and print the numbers against the target."""
    with tempfile.TemporaryDirectory() as tmp:
        path = make_population(Path(tmp) / "population.csv", rows)
        print(f"{rows:,} rows, {path.stat().st_size / 1e6:.0f} MB CSV")
        print(f"{'step':<7}{'seconds':>9}{'peak MB':>10}{'s / target':>12}{'MB / target':>13}")
        times: dict[str, float] = {}
        for kind in ("read-c", "read", "load", "check"):
            m = measure(kind, path)
            times[kind] = m["s"]
            print(f"{kind:<7}{m['s']:>9.1f}{m['peak_mb']:>10.0f}{m['s'] / TARGET_S:>12.2f}"
                  f"{m['peak_mb'] / TARGET_MB:>13.2f}")
        print(f"read_table / C parser: {times['read'] / times['read-c']:.2f}")
        print(f"target for load and check: < {TARGET_S:.0f} s and < {TARGET_MB:,.0f} MB peak "
              "(ratios below 1 meet it)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
