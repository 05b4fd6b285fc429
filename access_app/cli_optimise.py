"""``access-app-cli optimise``: suggest hubs per network (or nationally) with equity built in.

Examples::

    access-app-cli optimise --p 2 --out hubs                       # p-median, 2 hubs per network
    access-app-cli optimise --p 2 --objective kolm-pollak --pareto imd1_mean --out hubs
    access-app-cli optimise --p 2 --min-share 80 --max-gap 5 --out hubs
    access-app-cli optimise --national --p 20 --capacity 600000 --out hubs
    access-app-cli optimise --config optimise.toml --out hubs      # the same options in [optimise]

Writes ``optimise_options.csv`` (ranked options with their measures), ``optimise_pareto.csv``
(the efficiency-equity front), ``optimise_networks.csv`` (method, proof and gap per network),
``optimise.xlsx`` (the same tables) and ``optimised_scenarios.toml`` (the chosen options as
scenarios for ``run --scenarios``). Bad or infeasible input: exit 2 with a one-line message.
"""

from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path
from typing import Any

COMMAND = "optimise"

OBJECTIVE_NAMES = {
    "median": "median",
    "p-median": "median",
    "coverage": "coverage",
    "mclp": "coverage",
    "centre": "centre",
    "center": "centre",
    "p-centre": "centre",
    "kolm-pollak": "kolm_pollak",
    "kolm_pollak": "kolm_pollak",
    "atkinson": "atkinson",
    "group-mean": "group_mean",
    "group_mean": "group_mean",
}

#: Keys of the ``[optimise]`` TOML table (the long option names with underscores).
CONFIG_KEYS = (
    "objective",
    "p",
    "p_network",
    "national",
    "coverage_minutes",
    "kappa",
    "aversion",
    "epsilon",
    "group",
    "max_minutes",
    "min_share",
    "share_groups",
    "within_minutes",
    "max_gap",
    "capacity",
    "must_open",
    "never",
    "candidates",
    "demand",
    "incidence",
    "top",
    "pareto",
    "method",
    "time_limit",
    "nearest_k",
    "save_ranks",
)

DEFAULTS: dict[str, Any] = {
    "objective": "median",
    "p": 2,
    "national": False,
    "coverage_minutes": 45.0,
    "aversion": 0.5,
    "epsilon": 1.0,
    "group": "imd1",
    "within_minutes": 45.0,
    "candidates": "main",
    "demand": "population",
    "top": 5,
    "pareto": "imd1_mean",
    "method": "auto",
    "time_limit": 60.0,
    "save_ranks": "1",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``optimise`` subcommand to ``access-app-cli``."""
    from .cli import _data_options

    p = subparsers.add_parser(
        COMMAND,
        help="suggest hubs per network with equity objectives and constraints",
        description="Choose p hubs in every network (or nationally) that minimise mean travel time "
        "(p-median), maximise demand within T minutes, minimise the worst journey or an "
        "inequality-averse burden, under equity and capacity constraints; rank the options, "
        "give the efficiency-equity Pareto front and save the chosen options as scenarios.",
        epilog="Every option can also be given in a TOML file: --config FILE with a table [optimise] "
        "whose keys are the long option names with underscores (p_network = {London = 3}). "
        "Options on the command line win.",
    )
    p.add_argument("--out", type=Path, default=Path("results"), metavar="DIR", help="output folder")
    p.add_argument("--config", type=Path, metavar="TOML", help="[optimise] table with any of these options")
    g = p.add_argument_group("what to choose")
    g.add_argument("--objective", choices=sorted(OBJECTIVE_NAMES), help="default median (least mean minutes)")
    g.add_argument("--p", type=int, help="hubs per network (or nationally with --national); default 2")
    g.add_argument("--p-network", action="append", metavar="NAME=N", help="hubs for one network (repeatable)")
    g.add_argument(
        "--national", action="store_true", default=None, help="choose p hubs for the whole country"
    )
    g.add_argument(
        "--candidates",
        metavar="main|all|IDS|FILE",
        help="candidate sites: main centres (default), all, comma-separated ids or a file of ids",
    )
    g.add_argument("--coverage-minutes", type=float, metavar="T", help="T of the coverage objective (45)")
    g.add_argument("--kappa", type=float, help="Kolm-Pollak aversion per minute (default: calibrated)")
    g.add_argument("--aversion", type=float, help="aversion used to calibrate kappa (0.5)")
    g.add_argument("--epsilon", type=float, help="Atkinson aversion (1)")
    g.add_argument("--group", help="group of the group-mean objective: imd1 (default) .. imd5, rural, urban")
    g.add_argument("--demand", help="areas column that weights demand (population)")
    g.add_argument("--incidence", type=float, metavar="PER_100K", help="demand = column x rate / 100,000")
    c = p.add_argument_group("constraints")
    c.add_argument("--max-minutes", type=float, metavar="X", help="nobody beyond X minutes")
    c.add_argument(
        "--min-share",
        type=float,
        metavar="PCT",
        help="at least PCT%% within --within-minutes in every IMD quintile and for rural areas",
    )
    c.add_argument("--share-groups", metavar="LIST", help="groups of --min-share (default imd1..imd5,rural)")
    c.add_argument("--within-minutes", type=float, metavar="MIN", help="threshold of --min-share (45)")
    c.add_argument("--max-gap", type=float, metavar="G", help="Q1 and Q5 mean minutes differ by at most G")
    c.add_argument("--capacity", type=float, metavar="C", help="at most C demand per linac at a hub")
    c.add_argument("--must-open", action="append", metavar="IDS", help="sites that must be hubs")
    c.add_argument("--never", action="append", metavar="IDS", help="sites that must not be hubs")
    s = p.add_argument_group("method and output")
    s.add_argument("--method", choices=("auto", "enumeration", "milp"), help="default auto")
    s.add_argument("--time-limit", type=float, metavar="S", help="seconds per HiGHS call (60)")
    s.add_argument("--nearest-k", type=int, metavar="K", help="MILP: allocate among each area's K nearest")
    s.add_argument("--top", type=int, metavar="K", help="ranked options per network (5)")
    s.add_argument("--pareto", metavar="MEASURE", help="imd1_mean (default), rural_within, ... or none")
    s.add_argument("--save-ranks", metavar="LIST", help="ranks saved as scenarios (default 1)")
    s.add_argument(
        "--matrix", type=Path, metavar="FILE", help="travel times made elsewhere instead of routing"
    )
    s.add_argument("--network", type=Path, metavar="FILE", help="road network file (default: embedded DfT)")
    s.add_argument("--cache-dir", type=Path, metavar="DIR", help="cache folder for networks and matrices")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    _data_options(p)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    from .core.errors import ScenarioError

    conf: dict[str, Any] = {}
    if args.config is not None:
        try:
            with open(args.config, "rb") as fh:
                doc = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ScenarioError(f"Optimiser settings file {args.config} does not exist.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(f"{args.config} is not valid TOML: {exc}.") from exc
        conf = doc.get("optimise", doc)
        unknown = sorted(set(conf) - set(CONFIG_KEYS))
        if unknown:
            raise ScenarioError(f"{args.config}: unknown keys {unknown}; allowed: {', '.join(CONFIG_KEYS)}.")
    out = dict(DEFAULTS)
    out.update(conf)
    for key in CONFIG_KEYS:
        value = getattr(args, key, None)
        if value is not None:
            out[key] = value
    return out


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [s.strip() for item in items for s in str(item).split(",") if s.strip()]


def _candidates(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value)
    if text in ("main", "all"):
        return text
    path = Path(text)
    if path.is_file():
        lines = [line.split(",")[0].strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
        return [s for s in lines if s and s.lower() not in ("site_id", "id")]
    return _ids(text)


def _p_value(conf: dict[str, Any], networks: list[str]) -> Any:
    from .core.errors import ScenarioError

    base = int(conf["p"])
    extra = conf.get("p_network")
    if not extra:
        return base
    pairs: dict[str, int] = {}
    if isinstance(extra, dict):
        pairs = {str(k): int(v) for k, v in extra.items()}
    else:
        for item in extra:
            name, sep, n = str(item).rpartition("=")
            if not sep or not n.strip().isdigit():
                raise ScenarioError(f"--p-network {item!r}: write NAME=N, e.g. 'London=3'.")
            pairs[name.strip()] = int(n)
    unknown = sorted(set(pairs) - set(networks))
    if unknown:
        raise ScenarioError(f"--p-network names {unknown}, which are not networks ({', '.join(networks)}).")
    return {n: pairs.get(n, base) for n in networks}


def run(args: argparse.Namespace) -> int:
    """Load data and matrix, optimise, write the outputs; return the exit code."""
    from .cli import EXIT_OK, _load_dataset, _StderrProgress
    from .core import matrix_io, pipeline
    from .core import optimise as opt
    from .core import schema as S
    from .core.errors import ScenarioError
    from .core.progress import scaled

    conf = _settings(args)
    start = time.perf_counter()
    progress = _StderrProgress(args.quiet)
    kind = OBJECTIVE_NAMES.get(str(conf["objective"]).lower())
    if kind is None:
        raise ScenarioError(
            f"objective {conf['objective']!r}: use one of {', '.join(sorted(OBJECTIVE_NAMES))}."
        )
    objective = opt.Objective(
        kind=kind,
        coverage_minutes=float(conf["coverage_minutes"]),
        kappa=conf.get("kappa"),
        aversion=float(conf["aversion"]),
        epsilon=float(conf["epsilon"]),
        group=str(conf["group"]),
    )
    share = conf.get("min_share")
    if share is not None and not 0 <= float(share) <= 100:
        raise ScenarioError(f"--min-share {share}: give a percentage between 0 and 100.")
    groups = _ids(conf.get("share_groups")) or list(opt.Constraints().share_groups)
    constraints = opt.Constraints(
        max_minutes=conf.get("max_minutes"),
        min_share_within=None if share is None else float(share) / 100.0,
        share_groups=tuple(groups),
        within_minutes=float(conf["within_minutes"]),
        max_gap_minutes=conf.get("max_gap"),
        capacity_per_linac=conf.get("capacity"),
        must_open=tuple(_ids(conf.get("must_open"))),
        never=tuple(_ids(conf.get("never"))),
    )
    pareto = None if str(conf.get("pareto")).lower() in ("none", "") else str(conf["pareto"])
    ranks = [int(r) for r in _ids(conf.get("save_ranks"))] or [1]
    progress(0.0, "Loading areas and sites")
    dataset = _load_dataset(args)
    if args.matrix is not None:
        matrix = matrix_io.read_matrix(
            args.matrix,
            area_ids=dataset.areas[S.AREA_ID].astype(str).to_numpy(),
            site_ids=dataset.sites[S.SITE_ID].astype(str).to_numpy(),
            progress=scaled(progress, 0.0, 0.3),
        )
    else:
        if args.network is None:
            graph = pipeline.load_default_network(
                cache_dir=args.cache_dir, progress=scaled(progress, 0.0, 0.2)
            )
        else:
            graph = pipeline.load_network_file(
                args.network, areas=dataset.areas, progress=scaled(progress, 0.0, 0.2)
            )
        matrix = pipeline.compute_matrix(
            dataset, graph, cache_dir=args.cache_dir, progress=scaled(progress, 0.2, 0.3)
        )
    problem = opt.from_session_data(
        dataset.areas,
        dataset.sites,
        matrix,
        demand=str(conf["demand"]),
        incidence_per_100k=conf.get("incidence"),
        candidates=_candidates(conf["candidates"]),
        use_networks=not conf["national"],
    )
    p_value = int(conf["p"]) if conf["national"] else _p_value(conf, problem.networks())
    result = opt.optimise(
        problem,
        p=p_value,
        objective=objective,
        constraints=constraints,
        national=bool(conf["national"]),
        top_k=int(conf["top"]),
        pareto=pareto,
        method=str(conf["method"]),
        time_limit=float(conf["time_limit"]),
        nearest_k=conf.get("nearest_k"),
        cap_p=True,
        progress=scaled(progress, 0.3, 0.95),
    )
    names = (
        dict(zip(dataset.sites[S.SITE_ID].astype(str), dataset.sites[S.SITE_NAME].astype(str), strict=False))
        if S.SITE_NAME in dataset.sites.columns
        else {}
    )
    files = opt.report.write_outputs(result, args.out, site_names=names, save_ranks=ranks)
    print(format_result(result))
    print(f"\n{dataset.network_note}")
    print(f"Wrote {len(files)} files to {args.out} in {time.perf_counter() - start:.1f} s")
    return EXIT_OK


def format_result(result: Any) -> str:
    """Return one line per network: best hubs, objective, mean, Q1 mean, method, proof and gap."""
    header = (
        f"{'Network':<26}{'Objective':>10}{'Mean':>7}{'Q1 mean':>9}{'<=45':>7}  "
        f"{'Method':<16}{'Proof':<12}Hubs"
    )
    rows = [result.objective.label(result.kappa), header, "-" * len(header)]
    for b in result.blocks.values():
        m = b.best.measures
        proof = "optimal" if b.proven_optimal else (f"gap {b.gap:.1%}" if b.gap == b.gap else "not proven")
        rows.append(
            f"{b.network[:25]:<26}{b.objective:>10.3f}{m.get('mean_min', float('nan')):>7.1f}"
            f"{m.get('imd1_mean_min', float('nan')):>9.1f}"
            f"{100 * m.get('within_45_share', float('nan')):>6.1f}%"
            f"  {b.method:<16}{proof:<12}{', '.join(b.best.hubs)}"
        )
        if b.note:
            rows.append(f"{'':<26}note: {b.note}")
    return "\n".join(rows)
