"""The headless run: every step in order, for the command line."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import (
    distance,
    limits,
    repair,
    routing,
    scenarios,
    tables,
)
from .. import schema as S
from ..matrix import TravelTimeMatrix
from ..network import RoadNetwork
from ..progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from ..scenarios import Scenario
from ..speeds import SpeedModel
from .analysis import compute_distances, compute_matrix, evaluate, metadata, write_exports
from .data import (
    Dataset,
    _warn_unreachable_sites,
    check_scenarios,
    load_default_dataset,
    unreachable_sites,
)
from .roads import (
    EMBEDDED_FERRIES,
    check_extent,
    load_default_network,
    load_network_file,
    with_ferry_areas,
)

log = logging.getLogger(__name__)




@dataclass(frozen=True)
class RunResult:
    """What :func:`run` produced."""

    report: tables.EquityReport
    files: list[Path]
    matrix: TravelTimeMatrix
    road_network: RoadNetwork | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    distances: distance.DistanceMatrix | None = None


def run(
    out_dir: Path,
    *,
    dataset: Dataset | None = None,
    network_path: Path | None = None,
    scenario_path: Path | None = None,
    matrix_path: Path | None = None,
    baseline: str | None = None,
    cache_dir: Path | None = None,
    speed_model: SpeedModel | None = None,
    routing_params: routing.RoutingParams | None = None,
    model_source: str | None = None,
    options: tables.ReportOptions | None = None,
    exports: bool = True,
    repair_tolerance_m: float | None = repair.DEFAULT_TOLERANCE_M,
    ferry_links: pd.DataFrame | str | None = EMBEDDED_FERRIES,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> RunResult:
    """Run the whole analysis and write every export to ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder for the workbook, CSV tables and per-area files (created if needed).
    dataset
        Loaded data; the embedded default when ``None``.
    network_path
        Road network file; the embedded DfT network when ``None``.
    scenario_path
        TOML scenario file; the default scenarios when ``None``.
    matrix_path
        A travel-time matrix made elsewhere (CSV or Parquet, see
        :func:`access_app.core.matrix_io.read_matrix`); routing is then skipped.
    baseline
        Scenario to compare against (the first when ``None``).
    cache_dir
        Cache folder for networks and matrices.
    speed_model, routing_params
        The model (:mod:`access_app.core.model_settings`); when both are None and the
        scenario file has a ``[model]`` table, that is used; otherwise the defaults.
    model_source
        Where ``speed_model``/``routing_params`` came from, for the metadata.
    options
        Report options (thresholds, burden and capacity assumptions).
    exports
        Write the workbook, CSVs and per-area files (``False``: compute only, as the
        board report does).
    repair_tolerance_m
        Junction repair of road line networks (the default one and line files); ``None``
        or 0 turns it off.
    ferry_links
        Sea and air links (see :func:`load_default_network`); ``None`` for none.
    progress, cancelled
        Progress callback and cancel check.
    """
    # An unwritable output folder is found now, not after all the routing.
    limits.check_output_folder(out_dir)
    dataset = dataset or load_default_dataset()
    # Check the scenario file before the slow steps, so a typo fails at once
    # (and a file that is not TOML is reported as the scenario file it was given as).
    if scenario_path is not None:
        scenario_list = scenarios.load_scenarios(scenario_path, sites=dataset.sites)
    else:
        scenario_list = scenarios.default_scenarios(dataset.sites)
    if speed_model is None and routing_params is None and scenario_path is not None:
        from ..model_settings import read_model_table

        in_file = read_model_table(scenario_path)
        if in_file is not None:
            speed_model, routing_params = in_file.speed_model, in_file.routing_params
            model_source = in_file.source
    speed_model = speed_model if speed_model is not None else SpeedModel()
    routing_params = routing_params if routing_params is not None else routing.RoutingParams()
    check_scenarios(dataset, scenario_list)
    if matrix_path is not None:
        from .. import matrix_io

        matrix = matrix_io.read_matrix(matrix_path, area_ids=dataset.areas[S.AREA_ID].astype(str).to_numpy(),
                                       site_ids=dataset.sites[S.SITE_ID].astype(str).to_numpy(),
                                       progress=scaled(progress, 0.0, 0.7), cancelled=cancelled)
        meta = {**metadata(dataset, None, scenario_list),
                "Travel times": f"imported from {matrix_path}",
                "Routing": "none: travel times imported"}
        return _finish(out_dir, dataset, matrix, scenario_list, baseline, meta, progress, cancelled,
                       options=options, exports=exports)
    report(progress, 0.0, "Loading the road network")
    if network_path is None:
        road_network = load_default_network(cache_dir=cache_dir, speed_model=speed_model,
                                            repair_tolerance_m=repair_tolerance_m,
                                            ferry_links=ferry_links,
                                            progress=scaled(progress, 0.0, 0.3), cancelled=cancelled)
    else:
        road_network = load_network_file(network_path, areas=dataset.areas, speed_model=speed_model,
                                         repair_tolerance_m=repair_tolerance_m,
                                         ferry_links=ferry_links,
                                         progress=scaled(progress, 0.0, 0.3), cancelled=cancelled)
    check_extent(dataset, road_network)
    check_cancelled(cancelled)
    far = unreachable_sites(road_network, dataset.sites, params=routing_params)
    if far and scenario_path is None:
        # The default hubs must be sites the roads reach: choose them again without these.
        scenario_list = scenarios.default_scenarios(dataset.sites, unreachable=far)
    _warn_unreachable_sites(dataset.sites, far, scenario_list)
    matrix = compute_matrix(dataset, road_network, cache_dir=cache_dir, params=routing_params,
                            progress=scaled(progress, 0.3, 0.7), cancelled=cancelled)
    dataset = with_ferry_areas(dataset, road_network)
    distances = compute_distances(dataset, road_network, cache_dir=cache_dir, params=routing_params,
                                  progress=scaled(progress, 0.7, 0.72), cancelled=cancelled)
    meta = metadata(dataset, road_network, scenario_list, params=routing_params,
                    speed_model=speed_model, model_source=model_source,
                    network_label=str(network_path) if network_path else None)
    return _finish(out_dir, dataset, matrix, scenario_list, baseline, meta, progress, cancelled,
                   distances=distances, road_network=road_network, options=options, exports=exports)


def _finish(out_dir: str | Path, dataset: Dataset, matrix: TravelTimeMatrix,
            scenario_list: Sequence[Scenario], baseline: str | None, meta: dict[str, str],
            progress: ProgressFn | None, cancelled: CancelFn | None, *,
            distances: distance.DistanceMatrix | None = None,
            road_network: RoadNetwork | None = None,
            options: tables.ReportOptions | None = None,
            exports: bool = True) -> RunResult:
    """Evaluate the scenarios on ``matrix`` and write every export (the end of :func:`run`).

    ``distances`` is None for an imported matrix (no network: km, cost and CO2e unknown).
    """
    report(progress, 0.72, f"Evaluating {len(scenario_list)} scenarios")
    result = evaluate(dataset, matrix, scenario_list, baseline=baseline, distances=distances,
                      options=options)
    check_cancelled(cancelled)
    files: list[Path] = []
    if exports:
        files = write_exports(result, Path(out_dir), areas=dataset.areas, metadata=meta,
                              progress=scaled(progress, 0.75, 1.0), cancelled=cancelled)
    report(progress, 1.0, f"Wrote {len(files)} files to {out_dir}" if exports else "Analysis ready")
    return RunResult(report=result, files=files, matrix=matrix, road_network=road_network,
                     metadata=meta, distances=distances)
