"""The work the window hands to worker threads, as plain functions of their inputs.

Each ``*_job`` function takes a snapshot of what the task needs and returns a task
function ``task(progress, cancelled) -> result`` for :class:`~access_app.gui.workers.TaskRunner`.
Tasks call the same core functions as the command line and never touch widgets or the
window's state; the window applies their results on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from access_app.core import export as export_mod
from access_app.core import io, pipeline, scenarios, schema, tables
from access_app.core.errors import DataError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from access_app.core.scenarios import Scenario, ScenarioResult

Task = Callable[[ProgressFn, CancelFn], Any]
Loaded = tuple[pipeline.Dataset, Any, TravelTimeMatrix | None]


def own_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a shallow copy of ``gdf`` whose CRS object belongs to the calling thread.

    Called on worker threads: PROJ objects are tied to the thread context they were made
    in, and two map builds may project the same shared frame at once. The copy's CRS is
    parsed afresh from the original's definition text, without touching the original.
    """
    if gdf.crs is None:
        return gdf
    return gdf.set_crs(gdf.crs.srs, allow_override=True)


def load_default_job(*, cache_dir: Path | None) -> Task:
    """Return a task loading the embedded data, its road network and the travel times."""

    def task(progress: ProgressFn, cancelled: CancelFn) -> Loaded:
        report(progress, 0.0, "Loading the England data")
        ds = pipeline.load_default_dataset()
        check_cancelled(cancelled)
        graph = pipeline.load_default_network(
            cache_dir=cache_dir, progress=scaled(progress, 0.05, 0.35), cancelled=cancelled)
        ds = pipeline.with_ferry_areas(ds, graph)  # via_ferry for tables and map tooltips
        check_cancelled(cancelled)
        matrix = pipeline.compute_matrix(ds, graph, cache_dir=cache_dir,
                                         progress=scaled(progress, 0.35, 1.0),
                                         cancelled=cancelled)
        return ds, graph, matrix

    return task


def load_table_job(path: Path, kind: str, mapping: io.ColumnMapping, *,
                   base: pipeline.Dataset, graph: Any, postcodes: Any,
                   cache_dir: Path | None) -> Task:
    """Return a task loading areas or sites with ``mapping`` into a copy of ``base``."""

    def task(progress: ProgressFn, cancelled: CancelFn) -> Loaded:
        report(progress, 0.0, f"Loading {kind} from {path.name}")
        loader = io.load_areas if kind == "areas" else io.load_sites
        table = loader(path, mapping=mapping, postcodes=postcodes)
        check_cancelled(cancelled)
        sources = dict(base.sources)
        sources[kind] = str(path)
        # A sites (or areas) file without networks gets them as on the command line.
        areas, sites, note, warnings = pipeline.fill_networks(
            table if kind == "areas" else base.areas, table if kind == "sites" else base.sites,
            networks="regions" if base.network_note == schema.NETWORK_PROXY_LABEL else "odn",
            boundaries=base.boundaries or None, user_areas=kind == "areas",
            user_sites=kind == "sites")
        ds = replace(base, areas=areas, sites=sites, sources=sources, network_note=note,
                     warnings=tuple(warnings))
        matrix = None
        if graph is not None:
            matrix = pipeline.compute_matrix(ds, graph, cache_dir=cache_dir,
                                             progress=scaled(progress, 0.1, 1.0),
                                             cancelled=cancelled)
        return ds, graph, matrix

    return task


def network_job(dataset: pipeline.Dataset, *, cache_dir: Path | None,
                path: Path | None = None, place: str | None = None,
                graph: Any = None) -> Task:
    """Return a task that gets a road network and computes the travel times over it.

    The network is read from ``path``, downloaded for ``place`` with osmnx, or ``graph``
    as given (to recompute the matrix only).
    """

    def task(progress: ProgressFn, cancelled: CancelFn) -> Loaded:
        g = graph
        if path is not None:
            g = pipeline.load_network_file(path, areas=dataset.areas,
                                           progress=scaled(progress, 0.0, 0.4),
                                           cancelled=cancelled)
        elif place is not None:
            from access_app.core import network

            g = network.graph_from_download(place, areas=dataset.areas,
                                            progress=scaled(progress, 0.0, 0.4),
                                            cancelled=cancelled)
        check_cancelled(cancelled)
        matrix = pipeline.compute_matrix(dataset, g, cache_dir=cache_dir,
                                         progress=scaled(progress, 0.4, 1.0),
                                         cancelled=cancelled)
        return dataset, g, matrix

    return task


def add_site_job(values: Mapping[str, Any], *, site_id: str,
                 location: tuple[float, float] | None, dataset: pipeline.Dataset, graph: Any,
                 postcodes: Any, cache_dir: Path | None) -> Task:
    """Return a task placing a new site (postcode or WGS84 point) and routing to it."""

    def task(progress: ProgressFn, cancelled: CancelFn) -> tuple[pipeline.Dataset,
                                                                 TravelTimeMatrix, str]:
        report(progress, 0.0, f"Placing {values['site_name']}")
        if location is None:
            found = postcodes.geocode([values["postcode"]])
            if found.unknown:
                raise DataError(f"Postcode {values['postcode']!r} is not in Code-Point Open; "
                                "check it or add the site by clicking the map.")
            xy = found.coordinates.iloc[0]
            geom = gpd.points_from_xy([xy["easting"]], [xy["northing"]], crs=schema.BNG)
        else:
            geom = gpd.points_from_xy([location[1]], [location[0]], crs=schema.WGS84)
        sites = own_crs(dataset.sites)
        row = gpd.GeoDataFrame(
            {schema.SITE_ID: [site_id], schema.SITE_NAME: [values["site_name"]],
             schema.NETWORK: [values["network"] or None],
             schema.LINACS: [float(values["linacs"])], schema.SITE_TYPE: [values["site_type"]],
             schema.POSTCODE: [values["postcode"]], schema.TRUST: [""],
             schema.REGION: [values["network"] or None]},
            geometry=geom).to_crs(sites.crs)
        merged = gpd.GeoDataFrame(pd.concat([sites, row], ignore_index=True),
                                  geometry="geometry", crs=sites.crs)
        new = replace(dataset, sites=merged)
        matrix = pipeline.compute_matrix(new, graph, cache_dir=cache_dir,
                                         progress=scaled(progress, 0.05, 1.0),
                                         cancelled=cancelled)
        return new, matrix, site_id

    return task


def evaluate_job(areas: pd.DataFrame, sites: pd.DataFrame, matrix: TravelTimeMatrix,
                 scenario_list: Sequence[Scenario], *, baseline: str,
                 cached: Mapping[str, ScenarioResult]) -> Task:
    """Return a task applying every scenario (reusing ``cached`` results) and the tables."""

    def task(progress: ProgressFn, cancelled: CancelFn) -> tuple[dict[str, ScenarioResult],
                                                                 tables.EquityReport]:
        results: dict[str, ScenarioResult] = {}
        n = len(scenario_list) + 1
        for i, sc in enumerate(scenario_list):
            report(progress, i / n, f"Applying {sc.name}")
            res = cached.get(sc.name)
            results[sc.name] = res if res is not None else scenarios.assign(
                areas, sites, matrix, sc)
            check_cancelled(cancelled)
        rep = tables.build_report([results[s.name] for s in scenario_list], areas, sites,
                                  baseline=baseline, progress=scaled(progress, (n - 1) / n, 1.0),
                                  cancelled=cancelled)
        return results, rep

    return task


def map_job(layer: str, frame: gpd.GeoDataFrame, dataset: pipeline.Dataset, scenario: Scenario,
            *, title: str, tiles: bool, path: Path, standalone: bool = False) -> Task:
    """Return a task drawing one map and writing it to ``path``.

    ``layer`` is ``"travel"``, ``"catchment"``, or ``"change"`` (``frame`` then has the
    ``change`` column); ``standalone`` inlines Leaflet for an export that works offline.
    """
    from access_app import maps

    open_sites, hubs = maps.site_roles(scenario)
    builder = {"change": maps.change_map, "catchment": maps.catchment_map}.get(
        layer, maps.travel_time_map)

    def task(progress: ProgressFn, cancelled: CancelFn) -> Path:
        boundaries = {k: own_crs(v) for k, v in dataset.boundaries.items()}
        m = builder(own_crs(frame), own_crs(dataset.sites), attribution=dataset.attribution,
                    boundaries=boundaries, title=title, tiles=tiles, open_sites=open_sites,
                    hubs=hubs, progress=progress, cancelled=cancelled)
        check_cancelled(cancelled)
        maps.save_map(m, path, standalone=standalone)
        return path

    return task


def export_job(report_: tables.EquityReport, dataset: pipeline.Dataset, graph: Any,
               scenario_list: Sequence[Scenario], folder: Path, *,
               map_task: Task | None) -> Task:
    """Return a task writing the workbook, CSV, GeoPackage, attribution note and map page."""

    def task(progress: ProgressFn, cancelled: CancelFn) -> list[Path]:
        meta = pipeline.metadata(dataset, graph, scenario_list)
        files = export_mod.write_all(report_, folder, areas=own_crs(dataset.areas),
                                     metadata=meta, progress=scaled(progress, 0.0, 0.8),
                                     cancelled=cancelled)
        if map_task is not None:
            files.append(map_task(scaled(progress, 0.8, 1.0), cancelled))
        return files

    return task
