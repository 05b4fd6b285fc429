"""The road-network steps: cache folder, network (embedded, file or download), repair, ferries."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .. import (
    defaults,
    ferries,
    filetypes,
    io,
    network,
    repair,
)
from .. import schema as S
from ..errors import DataError
from ..network import RoadNetwork
from ..progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from ..speeds import SpeedModel
from .data import Dataset

log = logging.getLogger(__name__)

#: Ferry links argument meaning "the embedded table" (``geodata/ferries.csv``).
EMBEDDED_FERRIES = "embedded"

OSM_SUFFIXES = filetypes.suffixes("osm")
SAVED_SUFFIXES = filetypes.suffixes("saved_network")
LINE_SUFFIXES = filetypes.suffixes("road_lines")
#: Column names tried, in order, for the road number or name of a line file.
ROAD_COLUMNS = ("road", "Road", "ref", "roadNumber", "road_number", "name1", "name")
#: Column names tried for a road class (OS Open Roads ``class``, OSM ``highway``).
CLASS_COLUMNS = ("class", "highway", "road_class", "roadClassification", "function")
#: Per-area column naming the ferry, plane or helicopter routes an area's journeys depend on.
VIA_FERRY = "via_ferry"




def user_cache_dir() -> Path:
    """Return the folder for cached networks, matrices and map pages (created if needed).

    ``ACCESS_APP_CACHE`` overrides it; otherwise ``%LOCALAPPDATA%/access-app/cache`` on
    Windows and ``$XDG_CACHE_HOME/access-app`` (``~/.cache/access-app``) elsewhere.
    """
    env = os.environ.get("ACCESS_APP_CACHE")
    if env:
        folder = Path(env)
    elif sys.platform == "win32":
        folder = Path(os.environ.get("LOCALAPPDATA", Path.home())) / "access-app" / "cache"
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "access-app"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def configure_osmnx_for_app(*, cache_dir: Path | None = None) -> None:
    """Point osmnx's download cache at the user cache folder; call once at start-up.

    osmnx would otherwise cache in ``./cache`` of whatever folder the app starts in.
    Host names are resolved by the system (no DNS-over-HTTPS), as firewalls expect.
    """
    folder = (cache_dir or user_cache_dir()) / "osmnx"
    network.configure_osmnx(network.OsmnxSettings(cache_folder=str(folder), doh_url_template=None))


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def repair_for_graph(
    lines: gpd.GeoDataFrame,
    *,
    tolerance_m: float | None,
    road_col: str | None,
    source: str,
    cancelled: CancelFn | None = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """Repair the junctions of road lines (unless ``tolerance_m`` is ``None`` or 0).

    Returns the lines (in EPSG:27700 when repaired) and the source name with what was done.
    """
    if not tolerance_m:
        return lines, source
    metric = lines if (lines.crs is not None and lines.crs.is_projected) else lines.to_crs(S.BNG)
    fixed, rep = repair.repair_lines(metric, tolerance_m=tolerance_m, road_col=road_col,
                                     cancelled=cancelled)
    log.info("%s: %s", source, rep.summary())
    return fixed, (f"{source} (junctions repaired within {tolerance_m:g} m: {len(rep.merged):,} "
                   f"merged, {len(rep.split):,} T-junctions split)")


def ferry_table(ferry_links: pd.DataFrame | str | None) -> pd.DataFrame | None:
    """Return the ferry links to add: the embedded table, a given table, or ``None``."""
    if ferry_links is None:
        return None
    if isinstance(ferry_links, str):
        return ferries.select_links(ferries.read_ferries(
            None if ferry_links == EMBEDDED_FERRIES else ferry_links))
    return ferry_links


def add_ferries(
    road_network: RoadNetwork,
    ferry_links: pd.DataFrame | None,
    *,
    lines: gpd.GeoDataFrame | None,
    build_island: object,
) -> RoadNetwork:
    """Add sea and air links (and their islands' roads) to a road network before routing.

    The one place where ferries join the network (:func:`access_app.core.ferries.add_ferry_links`);
    ``None`` or an empty table returns ``road_network`` unchanged. The result's routing
    arrays are built anew, with the land mass of every node
    (:attr:`access_app.core.network.GraphArrays.land`).
    """
    if ferry_links is None or len(ferry_links) == 0:
        return road_network
    joined, rep = ferries.add_ferry_links(road_network.graph, ferry_links, lines=lines,
                                          build_island=build_island)
    if len(rep):
        joined.graph["source"] = f"{road_network.source}; ferry links: {', '.join(rep['route'])}"
    return RoadNetwork.from_graph(joined)


def _table_digest(frame: pd.DataFrame | None) -> str:
    if frame is None or len(frame) == 0:
        return "none"
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]


def load_default_network(
    *,
    cache_dir: Path | None = None,
    speed_model: SpeedModel | None = None,
    repair_tolerance_m: float | None = repair.DEFAULT_TOLERANCE_M,
    ferry_links: pd.DataFrame | str | None = EMBEDDED_FERRIES,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> RoadNetwork:
    """Return the DfT major road network 2013, routable.

    The graph is built from ``geodata/roads_dft2013.parquet`` once and cached in
    ``cache_dir`` (default :func:`user_cache_dir`), keyed by the file, the speed model,
    the junction repair tolerance (:func:`access_app.core.repair.repair_lines`; ``None`` or
    0 = no repair) and the ferry links (``"embedded"``: ``geodata/ferries.csv``; a table
    from :func:`access_app.core.ferries.read_ferries`; ``None``: none).
    """
    speed_model = speed_model or SpeedModel()
    links = ferry_table(ferry_links)
    path = defaults.default_roads_path()
    recipe = (f"{_file_digest(path)}|{speed_model.fingerprint()}|repair={repair_tolerance_m or 0:g}"
              f"|ferries={_table_digest(links)}")
    key = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    folder = (cache_dir or user_cache_dir()) / "networks"
    cached = folder / f"dft2013-{key}.npz"
    if cached.is_file():
        report(progress, 0.0, "Opening the cached road network")
        try:
            net = network.load_network(cached)
            report(progress, 1.0, "Road network ready")
            return net
        except Exception as exc:  # a damaged cache is rebuilt, never fatal
            log.warning("cached network %s unreadable (%s); rebuilding", cached, exc)
    lines = gpd.read_parquet(path)
    report(progress, 0.0, "Repairing junctions")
    lines, source = repair_for_graph(lines, tolerance_m=repair_tolerance_m, road_col="road",
                                     source="DfT major road network 2013", cancelled=cancelled)
    lines = lines if lines.crs is not None else lines.set_crs(S.BNG)
    build = functools.partial(network.graph_from_lines, road_col="road", urban_col="urban",
                              speed_model=speed_model, source=source)
    net = build(lines, progress=scaled(progress, 0.05, 0.85), cancelled=cancelled)
    net = add_ferries(net, links, lines=lines.to_crs(S.BNG), build_island=build)
    check_cancelled(cancelled)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        network.save_network(net, cached)
    except OSError as exc:
        log.warning("could not cache the road network in %s: %s", folder, exc)
    report(progress, 1.0, "Road network ready")
    return net


def load_network_file(
    path: str | Path,
    *,
    areas: gpd.GeoDataFrame | None = None,
    speed_model: SpeedModel | None = None,
    repair_tolerance_m: float | None = repair.DEFAULT_TOLERANCE_M,
    ferry_links: pd.DataFrame | str | None = EMBEDDED_FERRIES,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> RoadNetwork:
    """Load a road network from any supported source, chosen by the file name.

    Parameters
    ----------
    path
        An OpenStreetMap extract (``.osm``, ``.osm.xml``, ``.osm.bz2``, ``.osm.pbf``), a
        saved network (``.graphml``, or our ``.npz`` cache) or a road line file
        (Shapefile or zip, GeoPackage, FlatGeobuf, GeoJSON, GeoParquet). A line file's
        road number comes from the first of :data:`ROAD_COLUMNS` present and its class,
        if any, from :data:`CLASS_COLUMNS`; without an ``urban`` column, links are
        classified urban or rural from ``areas``.
    areas
        Area centroids with ``urban_rural``, used to pick urban or rural speeds.
    speed_model
        Speeds; the default UK model if ``None``.
    repair_tolerance_m
        For road line files: merge end points and split T-junctions within this distance
        (:func:`access_app.core.repair.repair_lines`); ``None`` or 0 joins lines only at
        shared end points.
    ferry_links
        For road line files: sea and air links to add (see :func:`load_default_network`);
        links whose mainland port lies outside the network are skipped. OSM extracts and
        saved networks are used as they are.
    progress, cancelled
        Progress callback and cancel check.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"Road network file {p} does not exist: check the path.")
    kind = filetypes.kind_of(p, among=("network",))
    if kind == "osm":
        return network.graph_from_osm_file(p, speed_model=speed_model, areas=areas, progress=progress,
                                           cancelled=cancelled)
    if kind == "saved_network":
        report(progress, 0.0, f"Opening {p.name}")
        net = network.load_network(p)
        report(progress, 1.0, "Road network ready")
        return net
    if kind == "road_lines":
        lines = network.read_lines(p)
        road_col = next((c for c in ROAD_COLUMNS if c in lines.columns), None)
        class_col = next((c for c in CLASS_COLUMNS if c in lines.columns), None)
        label_col = road_col if road_col is not None else class_col
        if label_col is None:
            raise DataError(
                f"{p}: no road number or class column (looked for "
                f"{', '.join(ROAD_COLUMNS + CLASS_COLUMNS)}). Rename the column that holds it."
            )
        urban_col = "urban" if "urban" in lines.columns else None
        lines, source = repair_for_graph(lines, tolerance_m=repair_tolerance_m, road_col=label_col,
                                         source=p.name, cancelled=cancelled)
        build = functools.partial(
            network.graph_from_lines, road_col=label_col, class_col=class_col, urban_col=urban_col,
            areas=areas if urban_col is None else None, speed_model=speed_model, source=source,
        )
        net = build(lines, progress=progress, cancelled=cancelled)
        return add_ferries(net, ferry_table(ferry_links), lines=lines.to_crs(S.BNG), build_island=build)
    raise DataError(
        f"{p}: a road network must be an OSM extract ({', '.join(OSM_SUFFIXES)}), a saved network "
        f"({', '.join(SAVED_SUFFIXES)}) or a road line file ({', '.join(LINE_SUFFIXES)})."
    )


def download_network(
    place: str,
    *,
    areas: gpd.GeoDataFrame | None = None,
    speed_model: SpeedModel | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> RoadNetwork:
    """Download the roads of ``place`` with osmnx (needs the internet) as a routable graph."""
    return network.graph_from_download(place, areas=areas, speed_model=speed_model,
                                       progress=progress, cancelled=cancelled)


def check_extent(dataset: Dataset, road_network: RoadNetwork) -> None:
    """Refuse areas or sites that lie well outside the road network (names the file)."""
    graph_crs = road_network.crs
    bounds = road_network.bounds
    io.check_within_extent(dataset.areas.to_crs(graph_crs), bounds, id_column=S.AREA_ID,
                           what=f"areas ({dataset.sources.get('areas', 'areas')})", margin_m=20_000,
                           tolerate_share=0.01)
    io.check_within_extent(dataset.sites.to_crs(graph_crs), bounds, id_column=S.SITE_ID,
                           what=f"sites ({dataset.sources.get('sites', 'sites')})", margin_m=20_000)


def with_ferry_areas(dataset: Dataset, road_network: RoadNetwork) -> Dataset:
    """Return the dataset with ``via_ferry`` on its areas: the sea or air routes they depend on.

    ``""`` for areas on the main road network; unchanged when the network has no ferry links.
    """
    if road_network.arrays.land is None:
        return dataset
    areas = dataset.areas.copy()
    areas[VIA_FERRY] = ferries.ferry_areas(road_network, areas).to_numpy(dtype=object)
    return replace(dataset, areas=areas)
