"""The analysis steps: travel times, road distances, scenarios and tables, exports and their metadata."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ... import __version__
from .. import (
    distance,
    routing,
    scenarios,
    tables,
)
from .. import export as export_mod
from .. import schema as S
from ..errors import DataError
from ..matrix import TravelTimeMatrix
from ..network import RoadNetwork
from ..progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from ..scenarios import Scenario, ScenarioResult
from ..speeds import SpeedModel
from .data import Dataset
from .roads import user_cache_dir

log = logging.getLogger(__name__)




def compute_matrix(
    dataset: Dataset,
    road_network: RoadNetwork,
    *,
    cache_dir: Path | None = None,
    params: routing.RoutingParams | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> TravelTimeMatrix:
    """Return car minutes from every area to every site of ``dataset`` over ``road_network``.

    Matrices are cached under ``cache_dir/matrices`` and reused when network, speeds,
    routing parameters and points are unchanged.
    """
    folder = (cache_dir or user_cache_dir()) / "matrices"
    return routing.travel_time_matrix(road_network, dataset.areas, dataset.sites,
                                      params=params or routing.RoutingParams(), cache_dir=folder,
                                      progress=progress, cancelled=cancelled)


def compute_distances(
    dataset: Dataset,
    road_network: RoadNetwork,
    *,
    cache_dir: Path | None = None,
    params: routing.RoutingParams | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> distance.DistanceMatrix:
    """Return road km along the fastest route from every area to every site.

    Same network, points, routing parameters and cache folder as :func:`compute_matrix`
    (pass the same ``params``); cached as ``km_<key>.npz`` under ``cache_dir/matrices``.
    """
    folder = (cache_dir or user_cache_dir()) / "matrices"
    return distance.distance_matrix(road_network, dataset.areas, dataset.sites,
                                    params=params or routing.RoutingParams(), cache_dir=folder,
                                    progress=progress, cancelled=cancelled)


def evaluate(
    dataset: Dataset,
    matrix: TravelTimeMatrix,
    scenario_list: Sequence[Scenario],
    *,
    baseline: str | None = None,
    distances: distance.DistanceMatrix | None = None,
    options: tables.ReportOptions | None = None,
) -> tables.EquityReport:
    """Apply every scenario and build the equity tables against ``baseline``.

    ``baseline`` names a scenario; the first one is the baseline when ``None``.
    ``distances`` (from :func:`compute_distances`) gives the burden tables their km, cost
    and emissions; ``options`` the thresholds and the burden and capacity assumptions.
    """
    if not scenario_list:
        raise DataError("No scenarios to evaluate: define at least one.")
    names = [s.name for s in scenario_list]
    if baseline is not None and baseline not in names:
        raise DataError(f"Baseline scenario {baseline!r} is not among: {', '.join(names)}.")
    _, rep = evaluate_scenarios(dataset, matrix, scenario_list, baseline=baseline or names[0],
                                distances=distances, options=options)
    return rep


def evaluate_scenarios(
    dataset: Dataset,
    matrix: TravelTimeMatrix,
    scenario_list: Sequence[Scenario],
    *,
    baseline: str,
    cached: Mapping[str, ScenarioResult] | None = None,
    distances: distance.DistanceMatrix | None = None,
    options: tables.ReportOptions | None = None,
    table_cache: tables.TableCache | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> tuple[dict[str, ScenarioResult], tables.EquityReport]:
    """Apply every scenario (reusing ``cached`` results that still match) and build the tables.

    The step behind :func:`evaluate`, with progress, cancel and reuse for interactive use.
    ``distances`` (from :func:`compute_distances`, for the same areas and sites as
    ``matrix``) gives the burden tables their km, cost and emissions (``NaN`` without it);
    ``options`` the thresholds and the burden and capacity assumptions (defaults if None);
    ``table_cache`` lets unchanged scenarios reuse their tables (:class:`tables.TableCache`).
    """
    if not scenario_list:
        raise DataError("No scenarios to evaluate: define at least one.")
    names = [s.name for s in scenario_list]
    if baseline not in names:
        raise DataError(f"Baseline scenario {baseline!r} is not among: {', '.join(names)}.")
    cached = cached or {}
    results: dict[str, ScenarioResult] = {}
    n = len(scenario_list) + 1
    for i, sc in enumerate(scenario_list):
        report(progress, i / n, f"Applying {sc.name}")
        hit = cached.get(sc.name)
        results[sc.name] = hit if hit is not None and hit.scenario == sc else scenarios.assign(
            dataset.areas, dataset.sites, matrix, sc)
        check_cancelled(cancelled)
    rep = tables.build_report([results[s.name] for s in scenario_list], dataset.areas,
                              dataset.sites, baseline=baseline, distances=distances, options=options,
                              cache=table_cache, progress=scaled(progress, (n - 1) / n, 1.0),
                              cancelled=cancelled)
    return results, rep


def headline(summary: pd.DataFrame, name: str) -> str:
    """Return the one-line headline numbers of scenario ``name`` from the summary table."""
    rows = summary[summary["scenario"] == name]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    beyond60 = float(r["demand"]) - float(r["within_60_demand"])
    text = (f"{int(r['open_sites'])} open sites · mean {r['mean_min']:.1f} min · "
            f"{r['within_45_share']:.1%} within 45 min · {beyond60:,.0f} beyond 60 min · "
            f"longest {r['max_min']:.0f} min")
    if float(r.get("unreachable_demand", 0) or 0) > 0:
        text += f" · {float(r['unreachable_demand']):,.0f} with no site"
    return text


def write_exports(
    report_: tables.EquityReport,
    out_dir: Path,
    *,
    areas: gpd.GeoDataFrame,
    metadata: Mapping[str, str],
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> list[Path]:
    """Write the workbook, CSV tables, per-area files and attribution to ``out_dir``."""
    return export_mod.write_all(report_, Path(out_dir), areas=areas, metadata=metadata,
                                progress=progress, cancelled=cancelled)


def metadata(
    dataset: Dataset,
    road_network: RoadNetwork | None,
    scenario_list: Sequence[Scenario],
    *,
    params: routing.RoutingParams | None = None,
    speed_model: SpeedModel | None = None,
    network_label: str | None = None,
    model_source: str | None = None,
) -> dict[str, str]:
    """Describe data, network, speed model and software for the exports' metadata sheet.

    Parameters
    ----------
    dataset, road_network, scenario_list
        What was analysed.
    params
        The routing parameters the matrix was computed with (the defaults if None).
    speed_model
        The speed model the network was built with; if None, the fingerprint the network
        records is used.
    network_label
        Where the road network came from (a file, a download), if not the default.
    model_source
        Where the model settings came from (a file), if not the defaults.
    """
    meta = {
        "Software": f"access-app {__version__}",
        "Created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "Attribution": dataset.attribution,
        "Networks": dataset.network_note,
    }
    for what, frame in (("sites", dataset.sites), ("areas", dataset.areas)):
        if S.NETWORK_CONFIDENCE in frame.columns:
            counts = frame[S.NETWORK_CONFIDENCE].fillna("none").astype(str).value_counts()
            meta[f"Network confidence ({what})"] = ", ".join(
                f"{int(n):,} {level}" for level, n in counts.items())
    meta.update({f"Source: {k}": v for k, v in dataset.sources.items()})
    meta["Areas"] = f"{len(dataset.areas):,} areas, population {dataset.areas[S.POPULATION].sum():,.0f}"
    meta["Sites"] = f"{len(dataset.sites):,} sites"
    if network_label:
        meta["Road network source"] = network_label
    if road_network is not None:
        meta["Road network"] = road_network.describe()
    if road_network is not None and road_network.speed_model and (
            speed_model is None or road_network.speed_model != speed_model.fingerprint()):
        # a saved network keeps the travel times it was built with
        meta["Speed model"] = road_network.speed_model
        if speed_model is not None:
            meta["Speed model"] += " (saved with the network; the chosen speeds were not applied)"
    elif speed_model is not None:
        meta["Speed model"] = speed_model.fingerprint()
    meta["Routing"] = repr(params if params is not None else routing.RoutingParams())
    if model_source:
        meta["Model settings"] = model_source
    for s in scenario_list:
        meta[f"Scenario: {s.name}"] = describe_scenario(s)
    return meta


def describe_scenario(scenario: Scenario) -> str:
    """Return a one-line description of a scenario for metadata and logs."""
    d = scenarios.scenario_to_dict(scenario)
    parts = [f"{k}={v}" for k, v in d.items() if k not in {"name"} and v not in (None, "", [], {})]
    return "; ".join(parts)
