"""``access-app-cli report``: the board report (HTML and PDF) for a scenario file.

Runs the same analysis as ``run`` (without the workbook and CSVs) and writes
``board_report.html`` (self-contained, works offline) and ``board_report.pdf`` to
``--out``. Burden and capacity assumptions are options.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

COMMAND = "report"


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``report`` subcommand to ``access-app-cli``."""
    from .cli import _data_options

    p = subparsers.add_parser(
        "report",
        help="write the board report (self-contained HTML and PDF)",
        description="Compute the scenarios and write a board report: scenarios and assumptions, key "
        "findings, reach curves, maps, equity, burden and capacity tables, methods, "
        "attribution and a reproducibility block, as board_report.html and board_report.pdf.",
    )
    p.add_argument(
        "--scenarios", type=Path, metavar="TOML", help="scenario file (default: the default scenarios)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("report"),
        metavar="DIR",
        help="output folder (created if needed; default ./report)",
    )
    p.add_argument(
        "--baseline", metavar="NAME", help="scenario the others are compared with (default: the first)"
    )
    p.add_argument(
        "--map-scenario",
        metavar="NAME",
        help="scenario mapped against the baseline (default: the largest mean increase)",
    )
    p.add_argument(
        "--network", type=Path, metavar="FILE", help="road network file (default: embedded DfT 2013)"
    )
    p.add_argument("--cache-dir", type=Path, metavar="DIR", help="cache folder for networks and matrices")
    p.add_argument(
        "--model",
        type=Path,
        metavar="TOML",
        help="model settings: car speeds and routing parameters (see 'access-app-cli model'); "
        "default: a [model] table in --scenarios, else the built-in model",
    )
    p.add_argument(
        "--cost-per-mile",
        type=float,
        default=0.45,
        metavar="GBP",
        help="patients' car cost per mile (default 0.45, the HMRC approved mileage rate)",
    )
    p.add_argument(
        "--parking", type=float, default=0.0, metavar="GBP", help="parking charge per visit (default 0)"
    )
    p.add_argument(
        "--co2e-per-km",
        type=float,
        default=0.16984,
        metavar="KG",
        help="kg CO2e per car km (default 0.16984, UK government conversion factors 2024, "
        "average petrol car)",
    )
    p.add_argument(
        "--fractions-per-linac",
        type=float,
        default=8000.0,
        metavar="N",
        help="fractions one linac delivers a year (default 8000, NRAG 2007 planning figure)",
    )
    p.add_argument("--staff-per-linac", type=float, metavar="N", help="staff per linac (no default)")
    p.add_argument(
        "--courses-per-100k",
        type=float,
        metavar="RATE",
        help="courses a year per 100,000 demand, for scenarios without an incidence rate",
    )
    p.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _data_options(p)


def run(args: argparse.Namespace) -> int:
    """Run ``access-app-cli report`` and return the exit code."""
    from . import cli_model
    from .cli import EXIT_OK, _load_dataset, _StderrProgress
    from .core import pipeline, tables
    from .core.burden import BurdenOptions
    from .core.capacity import CapacityOptions
    from .core.progress import scaled
    from .report import write_board_report

    progress = _StderrProgress(args.quiet)
    progress(0.0, "Loading areas and sites")
    model = cli_model.load(args.model)
    dataset = _load_dataset(args)
    options = tables.ReportOptions(
        burden=BurdenOptions(
            cost_per_mile=args.cost_per_mile, parking_per_visit=args.parking, co2e_kg_per_km=args.co2e_per_km
        ),
        capacity=CapacityOptions(
            fractions_per_linac_year=args.fractions_per_linac,
            staff_per_linac=args.staff_per_linac,
            courses_per_100k=args.courses_per_100k,
        ),
    )
    result = pipeline.run(
        args.out,
        dataset=dataset,
        network_path=args.network,
        scenario_path=args.scenarios,
        baseline=args.baseline,
        cache_dir=args.cache_dir,
        options=options,
        exports=False,
        progress=scaled(progress, 0.0, 0.6),
        **({} if model is None else {"speed_model": model.speed_model,
                                     "routing_params": model.routing_params,
                                     "model_source": model.source}),
    )
    files = write_board_report(
        result.report,
        dataset,
        out_dir=args.out,
        scenario_path=args.scenarios,
        progress=scaled(progress, 0.6, 1.0),
        metadata=result.metadata,
        command=shlex.join(["access-app-cli", *sys.argv[1:]]),
        map_scenario=args.map_scenario,
        pdf=not args.no_pdf,
    )
    for f in files:
        print(f"Wrote {f}")
    return EXIT_OK
