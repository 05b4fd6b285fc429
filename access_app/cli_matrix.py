"""``access-app-cli matrix``: write the full areas x sites travel-time matrix.

One row per (area, site) pair: ``area_id``, ``site_id``, ``minutes`` (empty where
unreachable), as CSV (UTF-8 with BOM) or Parquet by the suffix of ``--out``, so the routing
and the optimiser can be checked independently. ``run --matrix FILE`` reads such a file (or
one made by r5py, OpenTripPlanner, TRACC ...) instead of routing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

COMMAND = "matrix"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``matrix`` subcommand to ``access-app-cli``."""
    from .cli import _data_options

    p = subparsers.add_parser(
        COMMAND,
        help="write the full travel-time matrix (CSV or Parquet)",
        description="Compute car travel times from every area to every site and "
        "write them as a long table: area_id, site_id, minutes (empty = "
        "unreachable). The suffix of --out chooses CSV or Parquet.",
    )
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="matrix.csv or matrix.parquet")
    p.add_argument(
        "--network",
        type=Path,
        metavar="FILE",
        help="road network file (default: the embedded DfT major road network 2013)",
    )
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="cache folder for networks and matrices")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _data_options(p)


def run(args: argparse.Namespace) -> int:
    """Compute the matrix for the loaded data and write it; return the exit code."""
    from .cli import EXIT_OK, _load_dataset, _StderrProgress
    from .core import matrix_io, pipeline
    from .core.errors import DataError
    from .core.progress import scaled

    if Path(args.out).suffix.lower() not in matrix_io.SUFFIXES:
        raise DataError(f"--out {args.out}: use a .csv or .parquet file name.")
    start = time.perf_counter()
    progress = _StderrProgress(args.quiet)
    progress(0.0, "Loading areas and sites")
    dataset = _load_dataset(args)
    if args.network is None:
        graph = pipeline.load_default_network(cache_dir=args.cache_dir, progress=scaled(progress, 0.0, 0.4))
    else:
        graph = pipeline.load_network_file(
            args.network, areas=dataset.areas, progress=scaled(progress, 0.0, 0.4)
        )
    matrix = pipeline.compute_matrix(
        dataset, graph, cache_dir=args.cache_dir, progress=scaled(progress, 0.4, 0.9)
    )
    progress(0.9, f"Writing {args.out}")
    matrix_io.write_matrix(matrix, args.out)
    n = matrix.minutes.size
    print(
        f"Wrote {n:,} pairs ({matrix.minutes.shape[0]:,} areas x {matrix.minutes.shape[1]:,} sites) to "
        f"{args.out} in {time.perf_counter() - start:.1f} s"
    )
    return EXIT_OK
