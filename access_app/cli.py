"""Headless command line: ``access-app-cli``.

The same core calls as the desktop app, for batch runs and reproducible board papers::

    access-app-cli run --out results                 # default scenarios, England data
    access-app-cli run --scenarios mine.toml --out results
    access-app-cli scenarios --out mine.toml         # write the defaults to edit
    access-app-cli check --population areas.csv      # validate files without routing

Progress goes to stderr, a short summary table to stdout. Exit codes: 0 success,
2 bad input or an export that could not be written (one line naming the file and the
problem), 130 interrupted (Ctrl-C), 143 stopped by SIGTERM; see docs/reliability.md.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__, cli_model

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as shells report it


class _Terminated(KeyboardInterrupt):
    """Raised by the SIGTERM handler so a stop cleans up exactly like Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated

log = logging.getLogger("access_app")


def _subcommands() -> list:  # noqa: ANN202 - modules with add_parser(sub) and run(args)
    from . import cli_matrix, cli_model, cli_optimise, cli_report, cli_sweep

    return [cli_matrix, cli_model, cli_optimise, cli_sweep, cli_report]


def _data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (each defaults to the embedded England data)")
    g.add_argument("--population", type=Path, metavar="FILE",
                   help="areas file: GeoPackage, GeoJSON, Shapefile (or .zip), FlatGeobuf, Parquet or "
                        "CSV with an id, a population and lon/lat, easting/northing or postcode columns "
                        "(common names such as lsoa11cd, pop, 'IMD Decile', RUC11CD are detected)")
    g.add_argument("--sites", type=Path, metavar="FILE",
                   help="sites file, same formats: an id or name, a location, optionally network, "
                        "linacs, site_type (main/satellite)")
    g.add_argument("--postcodes", type=Path, metavar="ZIP",
                   help="OS Code-Point Open zip, to geocode files that give only postcodes")
    g.add_argument("--allow-unknown-postcodes", action="store_true",
                   help="drop rows whose postcode is not in Code-Point Open instead of stopping")
    g.add_argument("--networks", choices=("odn", "regions"), default="odn",
                   help="network membership where no table is given: 'odn' (default) the 11 "
                        "Radiotherapy ODNs rebuilt from public sources, with a confidence per site; "
                        "'regions' the 9 English regions as a labelled proxy")
    g.add_argument("--site-networks", type=Path, metavar="CSV",
                   help="table site_id,network replacing the default ODN membership of sites")
    nets = g.add_mutually_exclusive_group()
    nets.add_argument("--area-networks", type=Path, metavar="CSV",
                      help="table area_id,network assigning each area to a network")
    nets.add_argument("--icb-networks", type=Path, metavar="CSV",
                      help="table icb,network assigning areas to networks through their ICB code")
    g.add_argument("--crs", default="EPSG:27700",
                   help="metric CRS for distance work (default EPSG:27700, British National Grid)")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``access-app-cli``."""
    from .core import filetypes  # standard library only: keeps --help fast

    parser = argparse.ArgumentParser(
        prog="access-app-cli",
        description="Car travel time to radiotherapy services and its equity: who travels further "
                    "if a service is centralised or kept at every centre of a network. "
                    "Runs headless on the embedded England data unless files are given.",
        epilog="Exit codes: 0 success, 2 bad input or an export that could not be written "
               "(the previous export set is kept), 130 interrupted (Ctrl-C), 143 stopped by "
               "SIGTERM; an interrupted run leaves the previous export set whole. "
               "Networks default to the 11 Radiotherapy ODNs rebuilt from public sources "
               "(--networks regions: the 9 English regions as a proxy).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="compute travel times, apply scenarios, write all exports",
                         description="Compute car travel times from every area to every site, apply "
                                     "the scenarios and write the Excel workbook, CSV tables and "
                                     "per-area CSV/GeoPackage to --out.")
    run.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                     help="output folder (created if needed; default ./results)")
    run.add_argument("--scenarios", type=Path, metavar="TOML",
                     help="scenario file (see 'access-app-cli scenarios'); default: Status quo, "
                          "Status quo (all sites), Networked, Centralised")
    run.add_argument("--baseline", metavar="NAME",
                     help="scenario the others are compared with (default: the first)")
    run.add_argument("--network", type=Path, metavar="FILE",
                     help=f"road network: road lines ({filetypes.describe('road_lines')}), OSM extract "
                          f"({filetypes.describe('osm')}) or a saved network "
                          f"({filetypes.describe('saved_network')}); default: "
                          "DfT major road network 2013 (embedded)")
    run.add_argument("--repair-tolerance", type=float, default=None, metavar="M",
                     help="road line networks (the default one and line files): merge end points "
                          "closer than M metres and split lines where an end point meets their "
                          "side (default 15; 0 joins lines only where end points coincide)")
    fg = run.add_argument_group("sea and air links (Isle of Wight, Isles of Scilly)")
    fg.add_argument("--ferries", type=Path, metavar="CSV",
                    help="ferry, plane and helicopter links replacing the embedded table (columns "
                         "route, from/to easting,northing or lat,lon, crossing_min, headway_min, "
                         "check_in_min, carries_cars, runs_in_winter, enabled); time = crossing + "
                         "half the headway + check-in")
    fg.add_argument("--no-ferries", action="store_true", help="road links only: islands unreachable")
    fg.add_argument("--ferries-cars-only", action="store_true",
                    help="switch off links that carry no cars (passenger boats, planes, helicopters)")
    fg.add_argument("--ferries-winter", action="store_true",
                    help="switch off links that do not run in winter")
    fg.add_argument("--no-ferry", action="append", default=[], metavar="ROUTE",
                    help="switch off one route by its id (repeatable)")
    run.add_argument("--matrix", type=Path, metavar="FILE",
                     help="travel times made elsewhere (CSV/Parquet: area id, site id, minutes; e.g. "
                          "public transport from r5py or OTP) instead of routing; see 'matrix --out'")
    run.add_argument("--cache-dir", type=Path, metavar="DIR",
                     help="where networks and travel-time matrices are cached "
                          "(default: the user cache folder, or ACCESS_APP_CACHE)")
    run.add_argument("--model", type=Path, metavar="TOML",
                     help="model settings: car speeds and routing parameters (see 'access-app-cli "
                          "model'); default: a [model] table in --scenarios, else the built-in model")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _data_options(run)

    sc = sub.add_parser("scenarios", help="write the default scenarios to a TOML file to edit",
                        description="Write the default scenarios for the given (or embedded) sites "
                                    "as a human-readable TOML file that 'run --scenarios' reads.")
    sc.add_argument("--out", type=Path, required=True, metavar="TOML", help="file to write")
    sc.add_argument("--sites", type=Path, metavar="FILE", help="sites file (default: embedded)")
    sc.add_argument("--postcodes", type=Path, metavar="ZIP", help="Code-Point Open zip for postcodes")

    chk = sub.add_parser("check", help="load and validate input files without routing",
                         description="Load and check areas, sites and network tables; print what "
                                     "was found, and build the scenarios against the sites as 'run' "
                                     "would. Exit code 2 with a message if anything is wrong.")
    chk.add_argument("--scenarios", type=Path, metavar="TOML",
                     help="scenario file to check against the sites (default: the default scenarios)")
    _data_options(chk)
    for module in _subcommands():
        module.add_parser(sub)
    return parser


class _StderrProgress:
    """Print progress as one updating line on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = ""

    def __call__(self, fraction: float, message: str) -> None:
        if self.quiet:
            return
        line = f"[{fraction * 100:5.1f}%] {message}"
        if line != self.last:
            print(line, file=sys.stderr, flush=True)
            self.last = line


def _load_dataset(args: argparse.Namespace):  # noqa: ANN202 - returns pipeline.Dataset
    from .core import pipeline

    # Parts not given (or all of them) come from the embedded default.
    return pipeline.load_dataset(
        areas_path=args.population, sites_path=args.sites, postcodes_path=args.postcodes,
        allow_unknown_postcodes=args.allow_unknown_postcodes, site_networks_path=args.site_networks,
        area_networks_path=args.area_networks, icb_networks_path=args.icb_networks, crs=args.crs,
        networks=args.networks,
    )


def format_summary(report) -> str:  # noqa: ANN001 - tables.EquityReport, imported lazily
    """Return the headline numbers of every scenario as a plain-text table.

    One row per scenario: open sites, mean/median/90th percentile minutes, share within
    45 minutes and the mean minutes in the most (Q1) and least (Q5) deprived IMD quintiles
    over the *common base* (the areas that reach a site in every scenario, so every row
    describes the same people); the concentration index (over the scenario's own reachable
    areas); people whose journey grows against the baseline; and the demand left with no
    site in that scenario, shown on its own.
    """
    s = report.summary.set_index("scenario")
    changes = report.changes
    overall = changes[changes["group_by"] == "all"].set_index("scenario") if len(changes) else None
    header = (f"{'Scenario':<26}{'Sites':>6}{'Mean':>7}{'Median':>8}{'P90':>7}{'<=45 min':>10}"
              f"{'Q1 mean':>9}{'Q5 mean':>9}{'Conc.idx':>10}{'Longer journey':>16}{'No site':>12}")
    rows = [header, "-" * len(header)]
    for name, r in s.iterrows():
        longer = "baseline" if name == report.baseline else (
            f"{overall.loc[name, 'demand_longer']:,.0f}" if overall is not None and name in overall.index
            else "")
        rows.append(
            f"{str(name)[:25]:<26}{int(r['open_sites']):>6}{r['common_mean_min']:>7.1f}"
            f"{r['common_median_min']:>8.1f}{r['common_p90_min']:>7.1f}"
            f"{r['common_within_45_share'] * 100:>9.1f}%"
            f"{r['common_q1_mean_min']:>9.1f}{r['common_q5_mean_min']:>9.1f}{r['concentration_index']:>10.3f}"
            f"{longer:>16}"
            f"{r['unreachable_demand']:>12,.0f}"
        )
    common = float(s["common_demand"].iloc[0]) if len(s) else 0.0
    rows.append("")
    rows.append("Minutes: one-way car travel time, weighted by demand. Q1 = most deprived IMD quintile.")
    rows.append(f"Mean, median, P90, <=45 min and Q1/Q5 means are over the same {common:,.0f} demand that "
                "reaches a site in every scenario;")
    rows.append("'No site': demand with no reachable site in that scenario, left out of its averages.")
    return "\n".join(rows)


def _ferry_links(args: argparse.Namespace):  # noqa: ANN202 - a DataFrame or None
    from .core import ferries

    if args.no_ferries:
        return None
    table = ferries.read_ferries(args.ferries)
    return ferries.select_links(table, cars_only=args.ferries_cars_only, winter=args.ferries_winter,
                                disabled=tuple(args.no_ferry))


def _cmd_run(args: argparse.Namespace) -> int:
    from .core import limits, pipeline
    from .core.errors import DataError

    limits.check_output_folder(args.out)  # before any loading or routing
    start = time.perf_counter()
    progress = _StderrProgress(args.quiet)
    progress(0.0, "Loading areas and sites")
    model = cli_model.load(args.model)
    dataset = _load_dataset(args)
    from .core.repair import DEFAULT_TOLERANCE_M

    tolerance = DEFAULT_TOLERANCE_M if args.repair_tolerance is None else args.repair_tolerance
    if tolerance < 0:
        raise DataError(f"--repair-tolerance must be 0 or more metres, got {tolerance:g}.")
    result = pipeline.run(args.out, dataset=dataset, network_path=args.network,
                          scenario_path=args.scenarios, matrix_path=args.matrix,
                          baseline=args.baseline, cache_dir=args.cache_dir,
                          repair_tolerance_m=tolerance, ferry_links=_ferry_links(args),
                          progress=progress,
                          **({} if model is None else {"speed_model": model.speed_model,
                                                       "routing_params": model.routing_params,
                                                       "model_source": model.source}))
    for warning in dataset.warnings:
        print(f"access-app-cli: warning: {warning}", file=sys.stderr)
    print(format_summary(result.report))
    print(f"\n{dataset.network_note}")
    print(f"Wrote {len(result.files)} files to {args.out} in {time.perf_counter() - start:.1f} s")
    return EXIT_OK


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from .core import defaults, io, scenarios
    from .core.postcodes import CodePointOpen

    if args.sites:
        sites = io.load_sites(args.sites, postcodes=CodePointOpen(args.postcodes) if args.postcodes else None)
    else:
        sites = defaults.load_default_sites()
    path = scenarios.save_scenarios(scenarios.default_scenarios(sites), args.out)
    print(f"Wrote {path}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .core import pipeline, scenarios
    from .core import schema as S

    dataset = _load_dataset(args)
    # The same scenario construction as 'run', so check finds what run would hit.
    if args.scenarios is not None:
        scenario_list = scenarios.load_scenarios(args.scenarios, sites=dataset.sites)
    else:
        scenario_list = scenarios.default_scenarios(dataset.sites)
    pipeline.check_scenarios(dataset, scenario_list)
    a, s = dataset.areas, dataset.sites
    print(f"Areas: {len(a):,} from {dataset.sources.get('areas')}; population {a[S.POPULATION].sum():,.0f}")
    optional = [c for c in (S.IMD_DECILE, S.IMD_RANK, S.URBAN_RURAL, S.RUC_CLASS, S.NETWORK) if c in a]
    print(f"  columns: {', '.join(optional) or 'none of the optional ones'}")
    print(f"Sites: {len(s):,} from {dataset.sources.get('sites')}")
    print(dataset.network_note)
    for warning in dataset.warnings:
        print(f"Warning: {warning}")
    print(f"Scenarios: {', '.join(sc.name for sc in scenario_list)}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``access-app-cli`` and return its exit code."""
    from .core.errors import AccessAppError, Cancelled

    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    before = set(logging.getLogger().handlers)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    for handler in set(logging.getLogger().handlers) - before:
        # Libraries that set their own loggers to INFO (dask.distributed does) would
        # otherwise print through this handler: its level applies to every record.
        handler.setLevel(level)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    commands = {"run": _cmd_run, "scenarios": _cmd_scenarios, "check": _cmd_check}
    commands.update({m.COMMAND: m.run for m in _subcommands()})
    previous = _install_sigterm()
    try:
        if (args.command in ("run", "matrix", "optimise", "sweep", "report")
                and getattr(args, "network", None)):
            # Only a network file may go through osmnx; the default run never imports it.
            from .core.pipeline import configure_osmnx_for_app

            configure_osmnx_for_app(cache_dir=args.cache_dir)
        return commands[args.command](args)
    except Cancelled:
        print("access-app-cli: stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except _Terminated:
        print("access-app-cli: terminated (SIGTERM); previous exports are unchanged.", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("access-app-cli: interrupted; previous exports are unchanged.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except AccessAppError as exc:
        message = " ".join(str(exc).split())
        print(f"access-app-cli: error: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _install_sigterm() -> signal.Handlers | object | None:
    """Treat SIGTERM like Ctrl-C (clean up, exit 143); return the handler it replaces."""
    try:
        return signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # not the main thread (embedded use): leave signals alone
        return None


if __name__ == "__main__":
    raise SystemExit(main())
