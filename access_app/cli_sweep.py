"""``access-app-cli sweep``: sensitivity and uncertainty sweeps from a TOML definition.

::

    access-app-cli sweep --spec sweep.toml --out sweep_results            # local Dask cluster, 2 workers
    access-app-cli sweep --spec sweep.toml --out DIR --workers 4
    access-app-cli sweep --spec sweep.toml --out DIR --scheduler tcp://10.0.0.5:8786
    access-app-cli sweep --spec sweep.toml --out DIR --sync                 # one process, no Dask

Writes ``draws.csv``, ``summary.csv``, ``conclusions.csv``, ``tornado.csv``, ``failures.csv``,
``sweep.xlsx``, ``tornado.png`` and ``intervals.png`` to ``--out``; progress goes to stderr
and the conclusion shares and headline intervals to stdout. A bad spec exits with code 2
and one line naming the file and the key.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

COMMAND = "sweep"

HEADLINES = ("mean_min", "p90_min", "within_45_share", "q1_mean_min", "q5_mean_min", "rural_mean_min",
             "concentration_index")


def add_parser(subparsers: Any) -> None:
    """Add the ``sweep`` subcommand to ``access-app-cli``."""
    from .cli import _data_options

    p = subparsers.add_parser(
        "sweep", help="re-run the analysis under many assumptions (Monte Carlo or one at a time)",
        description="Run a sensitivity or uncertainty sweep defined in a TOML file (see docs/sweeps.md): "
                    "the distribution of every headline measure per scenario and of the differences "
                    "between scenarios, the share of draws in which each stated conclusion holds, and a "
                    "tornado chart. Runs on a local Dask cluster unless --scheduler or --sync is given.")
    p.add_argument("--spec", type=Path, required=True, metavar="TOML", help="sweep definition")
    p.add_argument("--out", type=Path, default=Path("sweep_results"), metavar="DIR",
                   help="output folder (created if needed; default ./sweep_results)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="address of an existing Dask scheduler (e.g. tcp://10.0.0.5:8786); its workers "
                            "need access-app installed")
    where.add_argument("--workers", type=int, metavar="N",
                       help="worker processes of the local Dask cluster (default 2)")
    where.add_argument("--sync", action="store_true", help="run every draw in this process, without Dask")
    p.add_argument("--network", type=Path, metavar="FILE",
                   help="road network file (overrides network_file of the spec; default: embedded DfT)")
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="cache folder for networks and matrices")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _data_options(p)


def run(args: argparse.Namespace) -> int:
    """Run the sweep described by ``args`` and return the exit code."""
    from .cli import EXIT_BAD_INPUT, EXIT_OK, _load_dataset, _StderrProgress
    from .core import pipeline, scenarios
    from .core.errors import DataError
    from .core.progress import scaled
    from .core.sweep import results
    from .core.sweep import run as sweep_run
    from .core.sweep.spec import load_spec

    if args.workers is not None and args.workers < 1:
        raise DataError(f"--workers {args.workers}: give at least 1 worker (or --sync for none).")
    start = time.perf_counter()
    progress = _StderrProgress(args.quiet)
    spec = load_spec(args.spec)  # a bad spec fails before anything slow
    progress(0.0, f"Read {args.spec}: {spec.mode.replace('_', '-')}, {len(spec.parameters)} parameters")
    dataset = _load_dataset(args)
    if spec.scenario_file is not None:
        available = scenarios.load_scenarios(spec.scenario_file, sites=dataset.sites)
    else:
        available = scenarios.default_scenarios(dataset.sites)
    sweep_run.select_scenarios(spec, available)
    network_path = args.network or spec.network_file
    if network_path is None:
        graph = pipeline.load_default_network(cache_dir=args.cache_dir, progress=scaled(progress, 0.0, 0.05))
    else:
        graph = pipeline.load_network_file(network_path, areas=dataset.areas,
                                           progress=scaled(progress, 0.0, 0.05))
    inputs = sweep_run.prepare_sweep(spec, dataset, graph, available, cache_dir=args.cache_dir,
                                     progress=scaled(progress, 0.05, 0.1))
    executor = "sync" if args.sync else "dask"
    outcome = sweep_run.run_sweep(inputs, spec, executor=executor, scheduler=args.scheduler,
                                  workers=args.workers, progress=scaled(progress, 0.1, 0.95))
    files = results.write_outputs(outcome, args.out)
    progress(1.0, f"Wrote {len(files)} files to {args.out}")
    print(format_sweep(outcome))
    print(f"\n{len(outcome.parameters)} draws on {outcome.where} in {outcome.seconds:.1f} s "
          f"({len(outcome.parameters) / max(outcome.seconds, 1e-9):.2f} draws/s); "
          f"total {time.perf_counter() - start:.1f} s. Files in {args.out}.")
    if len(outcome.failures):
        print(f"{len(outcome.failures)} draws failed; see {args.out / 'failures.csv'}.")
    if len(outcome.failures) == len(outcome.parameters):
        first = outcome.failures.iloc[0]
        print(f"access-app-cli: error: every draw failed (first: {first['parameters']}: {first['error']})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def format_sweep(outcome: Any) -> str:
    """Return the conclusion shares and the headline intervals as plain text."""
    from .core.sweep import results
    from .core.sweep.tasks import MEASURE_LABELS

    lines = []
    conc = results.conclusion_table(outcome)
    for _, c in conc.iterrows():
        lines.append(f"Conclusion {c['conclusion']!r}: holds in {c['holds']} of {c['draws']} draws "
                     f"({c['share'] * 100:.1f}%)")
    if lines:
        lines.append("")
    s = results.summary_table(outcome, measures=HEADLINES)
    oat = outcome.spec.mode == "one_at_a_time"
    keys, heads = (("base", "min", "max"), ("base", "lowest", "highest")) if oat else (
        ("median", "p5", "p95"), ("median", "5%", "95%"))
    width = max(len(f"{r['scenario']}: {MEASURE_LABELS[r['measure']]}") for _, r in s.iterrows()) + 2
    lines.append(f"{'':<{width}}" + "".join(f"{h:>10}" for h in heads))
    for _, r in s.iterrows():
        pct = r["measure"].endswith("share")
        scale = 100.0 if pct else 1.0
        lab = f"{r['scenario']}: {MEASURE_LABELS[r['measure']]}"
        nums = "".join(f"{r[k] * scale:>10.2f}" for k in keys)
        lines.append(f"{lab:<{width}}{nums}"
                     + ("  %" if pct else ""))
    return "\n".join(lines)
