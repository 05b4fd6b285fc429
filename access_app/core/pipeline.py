"""The analysis from inputs to tables, as the CLI and the GUI both run it.

Steps, each a function with progress and cancel hooks:

1. :func:`load_default_dataset` / :func:`load_dataset`: areas, sites, boundaries, networks.
2. :func:`load_default_network` / :func:`load_network_file`: the road graph (cached on disk).
3. :func:`compute_matrix`: the areas x sites travel-time matrix (cached on disk).
4. :func:`evaluate`: apply scenarios and build the equity tables.

:func:`run` chains them for the headless command and writes every export.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd

from .. import __version__
from . import defaults, ferries, graphstore, io, network, odn, repair, routing, scenarios, tables
from . import export as export_mod
from . import schema as S
from .errors import DataError
from .matrix import TravelTimeMatrix
from .postcodes import CodePointOpen
from .progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from .scenarios import Scenario
from .speeds import SpeedModel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dataset:
    """Everything loaded for one analysis, apart from the road network.

    Attributes
    ----------
    areas, sites
        Canonical columns (:mod:`access_app.core.schema`), EPSG:27700 points.
    boundaries
        ``"england"``, ``"regions"``, ``"icbs"`` in EPSG:4326 for map context (may be empty).
    network_note
        How areas and sites were assigned to networks.
    attribution
        Text every map and export must carry.
    sources
        Where each input came from.
    warnings
        Things the user should know about the loaded data (e.g. sites placed in a network
        by their location).
    """

    areas: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    boundaries: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    network_note: str = S.NETWORK_PROXY_LABEL
    attribution: str = defaults.ATTRIBUTION
    sources: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


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


def load_default_dataset(*, networks: odn.NetworkSource = "odn") -> Dataset:
    """Return the embedded England data: 32,844 LSOAs, 67 sites, boundaries.

    Parameters
    ----------
    networks
        ``"odn"``: the 11 Radiotherapy ODNs rebuilt from public sources (sites by the
        embedded membership table, areas by their ICB); ``"regions"``: the 9 English regions
        as a labelled proxy.
    """
    _check_network_source(networks)
    areas = defaults.load_default_areas()
    sites = defaults.load_default_sites()
    boundaries = defaults.load_default_boundaries()
    if networks == "regions":
        areas, _ = odn.regions_as_networks(areas, reference=areas, id_column=S.AREA_ID)
        sites, _ = odn.regions_as_networks(sites, reference=areas, id_column=S.SITE_ID)
        note = S.NETWORK_PROXY_LABEL
    else:
        note = odn.odn_label(sites)
    return Dataset(
        areas=areas,
        sites=sites,
        boundaries=boundaries,
        network_note=note,
        sources={"areas": "embedded default (geodata/areas.parquet)",
                 "sites": "embedded default (geodata/sites.csv)"},
    )


def _check_network_source(networks: str) -> None:
    if networks not in odn.NETWORK_SOURCES:
        raise DataError(f"Unknown network membership {networks!r}: use one of "
                        f"{', '.join(odn.NETWORK_SOURCES)}.")


def load_dataset(
    *,
    areas_path: str | Path | None = None,
    sites_path: str | Path | None = None,
    area_mapping: io.ColumnMapping | None = None,
    site_mapping: io.ColumnMapping | None = None,
    postcodes_path: str | Path | None = None,
    allow_unknown_postcodes: bool = False,
    site_networks_path: str | Path | None = None,
    area_networks_path: str | Path | None = None,
    icb_networks_path: str | Path | None = None,
    crs: str = S.BNG,
    networks: odn.NetworkSource = "odn",
) -> Dataset:
    """Load the user's areas and/or sites, filling the rest from the embedded default.

    Parameters
    ----------
    areas_path, sites_path
        Files to load; ``None`` keeps the embedded default for that part.
    area_mapping, site_mapping
        Column mappings; detected from common names when ``None``.
    postcodes_path
        OS Code-Point Open zip for files located by postcode.
    allow_unknown_postcodes
        Drop rows with unknown postcodes instead of refusing the file.
    site_networks_path, area_networks_path, icb_networks_path
        Tables that assign sites, areas or ICBs to networks (replacing the region proxy).
    crs
        Metric CRS of the analysis.
    networks
        Membership for whatever the user's files and tables leave open: ``"odn"`` (the 11
        Radiotherapy ODNs; a sites file without a network column gets each site's ODN from
        the embedded table when its id is known, else from the ICB it lies in) or
        ``"regions"`` (the 9 English regions as a labelled proxy).

    Returns
    -------
    Dataset
        Checked data; networks assigned.
    """
    _check_network_source(networks)
    postcodes = CodePointOpen(Path(postcodes_path)) if postcodes_path else None
    base = (load_default_dataset(networks=networks) if (areas_path is None or sites_path is None)
            else None)
    sources: dict[str, str] = dict(base.sources) if base else {}
    if areas_path is not None:
        areas = io.load_areas(areas_path, mapping=area_mapping, crs=crs, postcodes=postcodes,
                              allow_unknown_postcodes=allow_unknown_postcodes)
        sources["areas"] = str(areas_path)
    else:
        assert base is not None
        areas = base.areas.to_crs(crs)
    if sites_path is not None:
        sites = io.load_sites(sites_path, mapping=site_mapping, crs=crs, postcodes=postcodes,
                              allow_unknown_postcodes=allow_unknown_postcodes)
        sources["sites"] = str(sites_path)
    else:
        assert base is not None
        sites = base.sites.to_crs(crs)
    boundaries = base.boundaries if base else defaults.load_default_boundaries()
    areas, sites, note, warnings = _fill_networks(
        areas, sites, networks=networks, boundaries=boundaries,
        user_areas=areas_path is not None, user_sites=sites_path is not None,
    )
    if site_networks_path is not None:
        table = io.read_network_table(site_networks_path, key=S.SITE_ID)
        sites = io.apply_networks(sites, table, key_column=S.SITE_ID, what=f"sites ({sources['sites']})")
        sites[S.NETWORK_CONFIDENCE] = odn.USER_CONFIDENCE
        sites[S.NETWORK_SOURCE] = f"table {site_networks_path}"
        sources["site networks"] = str(site_networks_path)
    if area_networks_path is not None:
        table = io.read_network_table(area_networks_path, key=S.AREA_ID)
        areas = io.apply_networks(areas, table, key_column=S.AREA_ID, what=f"areas ({sources['areas']})")
        sources["area networks"] = str(area_networks_path)
    elif icb_networks_path is not None:
        table = io.read_network_table(icb_networks_path, key=S.ICB)
        areas = io.apply_networks(areas, table, key_column=S.ICB, what=f"areas ({sources['areas']})")
        sources["ICB networks"] = str(icb_networks_path)
    if any(k in sources for k in ("site networks", "area networks", "ICB networks")):
        note = "Networks: from " + "; ".join(
            f"{k} table {v}" for k, v in sources.items() if "networks" in k
        )
    _check_networks(areas, sites)
    return Dataset(areas=areas, sites=sites, boundaries=boundaries, network_note=note,
                   sources=sources, warnings=tuple(warnings))


def fill_networks(
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    networks: odn.NetworkSource = "odn",
    boundaries: dict[str, gpd.GeoDataFrame] | None = None,
    user_areas: bool = False,
    user_sites: bool = False,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str, list[str]]:
    """Give a user's sites and areas without a network one, as :func:`load_dataset` does.

    Returns the areas, the sites, the network label and the warnings (e.g. the sites placed
    by location), for callers that load one table at a time (the desktop app).
    """
    _check_network_source(networks)
    return _fill_networks(areas, sites, networks=networks,
                          boundaries=boundaries or defaults.load_default_boundaries(),
                          user_areas=user_areas, user_sites=user_sites)


def _fill_networks(
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    networks: odn.NetworkSource,
    boundaries: dict[str, gpd.GeoDataFrame],
    user_areas: bool,
    user_sites: bool,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, str, list[str]]:
    """Give the user's sites and areas that have no network one (ODN by location, or region)."""
    warnings: list[str] = []
    reference = defaults.load_default_areas() if (user_areas or user_sites) else areas
    outline = boundaries.get("england")

    def no_network(frame: gpd.GeoDataFrame) -> bool:
        return S.NETWORK not in frame.columns or bool(frame[S.NETWORK].isna().all())

    if networks == "regions":
        for kind, user in (("areas", user_areas), ("sites", user_sites)):
            frame = areas if kind == "areas" else sites
            if user and no_network(frame):
                id_col = S.AREA_ID if kind == "areas" else S.SITE_ID
                frame, located = odn.regions_as_networks(frame, reference=reference,
                                                         id_column=id_col, outline=outline)
                if located:
                    warnings.append(f"{len(located)} {kind} had no region and were placed in the "
                                    f"region they lie in: {', '.join(located[:20])}"
                                    + (" ..." if len(located) > 20 else ""))
                lost = frame.loc[frame[S.NETWORK].isna(), id_col].astype(str).tolist()
                if lost:
                    warnings.append(f"{len(lost)} {kind} lie in no English region: "
                                    f"{', '.join(lost[:20])}" + (" ..." if len(lost) > 20 else ""))
                if kind == "areas":
                    areas = frame
                else:
                    sites = frame
        return areas, sites, S.NETWORK_PROXY_LABEL, warnings
    icb_table = defaults.load_icb_networks()
    if user_sites and not no_network(sites):
        sites = sites.copy()
        sites[S.NETWORK_CONFIDENCE] = odn.USER_CONFIDENCE
        sites[S.NETWORK_SOURCE] = "sites file"
    elif user_sites:
        known = defaults.load_default_sites()
        by_id = int(sites[S.SITE_ID].astype(str).isin(set(known[S.SITE_ID].astype(str))).sum())
        sites, located = odn.sites_by_location(sites, reference=reference, icb_table=icb_table,
                                               outline=outline, known=known)
        if by_id:
            warnings.append(f"{by_id} sites had no network: each took its ODN from the embedded "
                            "membership table by site_id (with its network_confidence).")
        if located:
            warnings.append(
                f"{len(located)} sites had no network column value and are not in the embedded "
                f"membership table: each was placed in the ODN of the ICB it lies in: "
                f"{', '.join(located)}. Load a site-to-network table to change this."
            )
        unplaced = sites.loc[sites[S.NETWORK].isna(), S.SITE_ID].astype(str).tolist()
        if unplaced:
            warnings.append(f"{len(unplaced)} sites have no network and lie in no English ICB: "
                            f"{', '.join(unplaced)}")
    odn_names = set(icb_table[S.NETWORK])
    site_names = set(sites[S.NETWORK].dropna().astype(str)) if S.NETWORK in sites.columns else set()
    if user_areas and no_network(areas) and site_names & odn_names:
        areas, n_located = odn.areas_by_icb(areas, reference=reference, icb_table=icb_table,
                                            outline=outline)
        if n_located:
            warnings.append(f"{n_located} areas had no network or ICB and were placed in the ODN "
                            "of the ICB they lie in.")
    if site_names and not site_names <= odn_names:
        note = "Networks: from the sites file's network column"
    else:
        note = odn.odn_label(sites)
    return areas, sites, note, warnings


def _check_networks(areas: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> None:
    """Refuse areas and sites whose networks cannot meet (both given, no name shared)."""
    if S.NETWORK not in areas.columns or S.NETWORK not in sites.columns:
        return
    a = set(areas[S.NETWORK].dropna().astype(str))
    s = set(sites[S.NETWORK].dropna().astype(str))
    if a and s and not (a & s):
        raise DataError(
            "No network name is shared by areas and sites (areas: "
            f"{', '.join(sorted(a)[:5])}; sites: {', '.join(sorted(s)[:5])}). Load network tables "
            "that use the same names."
        )


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


#: Ferry links argument meaning "the embedded table" (``geodata/ferries.csv``).
EMBEDDED_FERRIES = "embedded"


def ferry_table(ferry_links: pd.DataFrame | str | None) -> pd.DataFrame | None:
    """Return the ferry links to add: the embedded table, a given table, or ``None``."""
    if ferry_links is None:
        return None
    if isinstance(ferry_links, str):
        return ferries.select_links(ferries.read_ferries(
            None if ferry_links == EMBEDDED_FERRIES else ferry_links))
    return ferry_links


def add_ferries(
    graph: nx.MultiDiGraph,
    ferry_links: pd.DataFrame | None,
    *,
    lines: gpd.GeoDataFrame | None,
    build_island: object,
) -> nx.MultiDiGraph:
    """Add sea and air links (and their islands' roads) to a road graph before routing.

    The one place where ferries join the network (:func:`access_app.core.ferries.add_ferry_links`);
    ``None`` or an empty table returns ``graph`` unchanged.
    """
    if ferry_links is None or len(ferry_links) == 0:
        return graph
    joined, rep = ferries.add_ferry_links(graph, ferry_links, lines=lines, build_island=build_island)
    if len(rep):
        joined.graph["source"] = (f"{graph.graph.get('source', 'road network')}; ferry links: "
                                  f"{', '.join(rep['route'])}")
    return joined


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
) -> nx.MultiDiGraph:
    """Return the DfT major road network 2013 as a routable graph.

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
            G = network.load_network(cached)
            report(progress, 1.0, "Road network ready")
            return G
        except Exception as exc:  # a damaged cache is rebuilt, never fatal
            log.warning("cached network %s unreadable (%s); rebuilding", cached, exc)
    lines = gpd.read_parquet(path)
    report(progress, 0.0, "Repairing junctions")
    lines, source = repair_for_graph(lines, tolerance_m=repair_tolerance_m, road_col="road",
                                     source="DfT major road network 2013", cancelled=cancelled)
    lines = lines if lines.crs is not None else lines.set_crs(S.BNG)
    build = functools.partial(network.graph_from_lines, road_col="road", urban_col="urban",
                              speed_model=speed_model, source=source)
    G = build(lines, progress=scaled(progress, 0.05, 0.85), cancelled=cancelled)
    G = add_ferries(G, links, lines=lines.to_crs(S.BNG), build_island=build)
    check_cancelled(cancelled)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        network.save_network(G, cached)
    except OSError as exc:
        log.warning("could not cache the road network in %s: %s", folder, exc)
    report(progress, 1.0, "Road network ready")
    return G


OSM_SUFFIXES = (".osm", ".osm.xml", ".osm.bz2", ".osm.pbf", ".pbf")
SAVED_SUFFIXES = (".npz", ".graphml")
LINE_SUFFIXES = (".shp", ".zip", ".gpkg", ".fgb", ".geojson", ".json", ".parquet")
#: Column names tried, in order, for the road number or name of a line file.
ROAD_COLUMNS = ("road", "Road", "ref", "roadNumber", "road_number", "name1", "name")
#: Column names tried for a road class (OS Open Roads ``class``, OSM ``highway``).
CLASS_COLUMNS = ("class", "highway", "road_class", "roadClassification", "function")


def load_network_file(
    path: str | Path,
    *,
    areas: gpd.GeoDataFrame | None = None,
    speed_model: SpeedModel | None = None,
    repair_tolerance_m: float | None = repair.DEFAULT_TOLERANCE_M,
    ferry_links: pd.DataFrame | str | None = EMBEDDED_FERRIES,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> nx.MultiDiGraph:
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
    name = p.name.lower()
    if not p.exists():
        raise DataError(f"Road network file {p} does not exist: check the path.")
    if name.endswith(OSM_SUFFIXES):
        return network.graph_from_osm_file(p, speed_model=speed_model, areas=areas, progress=progress,
                                           cancelled=cancelled)
    if name.endswith(SAVED_SUFFIXES):
        report(progress, 0.0, f"Opening {p.name}")
        G = network.load_network(p)
        report(progress, 1.0, "Road network ready")
        return G
    if name.endswith(LINE_SUFFIXES):
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
        G = build(lines, progress=progress, cancelled=cancelled)
        return add_ferries(G, ferry_table(ferry_links), lines=lines.to_crs(S.BNG), build_island=build)
    raise DataError(
        f"{p}: a road network must be an OSM extract ({', '.join(OSM_SUFFIXES)}), a saved network "
        f"({', '.join(SAVED_SUFFIXES)}) or a road line file ({', '.join(LINE_SUFFIXES)})."
    )


def compute_matrix(
    dataset: Dataset,
    graph: nx.MultiDiGraph,
    *,
    cache_dir: Path | None = None,
    params: routing.RoutingParams | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> TravelTimeMatrix:
    """Return car minutes from every area to every site of ``dataset`` over ``graph``.

    Matrices are cached under ``cache_dir/matrices`` and reused when network, speeds,
    routing parameters and points are unchanged.
    """
    folder = (cache_dir or user_cache_dir()) / "matrices"
    return routing.travel_time_matrix(graph, dataset.areas, dataset.sites,
                                      params=params or routing.RoutingParams(), cache_dir=folder,
                                      progress=progress, cancelled=cancelled)


def evaluate(
    dataset: Dataset,
    matrix: TravelTimeMatrix,
    scenario_list: Sequence[Scenario],
    *,
    baseline: str | None = None,
) -> tables.EquityReport:
    """Apply every scenario and build the equity tables against ``baseline``.

    ``baseline`` names a scenario; the first one is the baseline when ``None``.
    """
    if not scenario_list:
        raise DataError("No scenarios to evaluate: define at least one.")
    names = [s.name for s in scenario_list]
    if baseline is not None and baseline not in names:
        raise DataError(f"Baseline scenario {baseline!r} is not among: {', '.join(names)}.")
    results = [scenarios.assign(dataset.areas, dataset.sites, matrix, s) for s in scenario_list]
    return tables.build_report(results, dataset.areas, dataset.sites, baseline=baseline or names[0])


def metadata(
    dataset: Dataset,
    graph: nx.MultiDiGraph | None,
    scenario_list: Sequence[Scenario],
    *,
    params: routing.RoutingParams | None = None,
) -> dict[str, str]:
    """Describe data, network, speed model and software for the exports' metadata sheet."""
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
    if graph is not None:
        meta["Road network"] = (
            f"{graph.graph.get('source', 'road network')}: {graph.number_of_nodes():,} nodes, "
            f"{graph.number_of_edges():,} edges"
        )
        meta["Speed model"] = str(graph.graph.get("speed_model", ""))
    meta["Routing"] = repr(params or routing.RoutingParams())
    for s in scenario_list:
        meta[f"Scenario: {s.name}"] = describe_scenario(s)
    return meta


def describe_scenario(scenario: Scenario) -> str:
    """Return a one-line description of a scenario for metadata and logs."""
    d = scenarios.scenario_to_dict(scenario)
    parts = [f"{k}={v}" for k, v in d.items() if k not in {"name"} and v not in (None, "", [], {})]
    return "; ".join(parts)


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` produced."""

    report: tables.EquityReport
    files: list[Path]
    matrix: TravelTimeMatrix


def run(
    out_dir: Path,
    *,
    dataset: Dataset | None = None,
    network_path: Path | None = None,
    scenario_path: Path | None = None,
    baseline: str | None = None,
    cache_dir: Path | None = None,
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
    baseline
        Scenario to compare against (the first when ``None``).
    cache_dir
        Cache folder for networks and matrices.
    repair_tolerance_m
        Junction repair of road line networks (the default one and line files); ``None``
        or 0 turns it off.
    ferry_links
        Sea and air links (see :func:`load_default_network`); ``None`` for none.
    progress, cancelled
        Progress callback and cancel check.
    """
    dataset = dataset or load_default_dataset()
    # Check the scenario file before the slow steps, so a typo fails at once.
    if scenario_path is not None:
        scenario_list = scenarios.load_scenarios(scenario_path, sites=dataset.sites)
    else:
        scenario_list = scenarios.default_scenarios(dataset.sites)
    report(progress, 0.0, "Loading the road network")
    if network_path is None:
        graph = load_default_network(cache_dir=cache_dir, repair_tolerance_m=repair_tolerance_m,
                                     ferry_links=ferry_links, progress=scaled(progress, 0.0, 0.3),
                                     cancelled=cancelled)
    else:
        graph = load_network_file(network_path, areas=dataset.areas,
                                  repair_tolerance_m=repair_tolerance_m, ferry_links=ferry_links,
                                  progress=scaled(progress, 0.0, 0.3), cancelled=cancelled)
    graph_crs = graph.graph.get("crs", S.BNG)
    bounds = _graph_bounds(graph)
    io.check_within_extent(dataset.areas.to_crs(graph_crs), bounds, id_column=S.AREA_ID,
                           what=f"areas ({dataset.sources.get('areas', 'areas')})", margin_m=20_000,
                           tolerate_share=0.01)
    io.check_within_extent(dataset.sites.to_crs(graph_crs), bounds, id_column=S.SITE_ID,
                           what=f"sites ({dataset.sources.get('sites', 'sites')})", margin_m=20_000)
    check_cancelled(cancelled)
    matrix = compute_matrix(dataset, graph, cache_dir=cache_dir, progress=scaled(progress, 0.3, 0.7),
                            cancelled=cancelled)
    dataset = with_ferry_areas(dataset, graph)
    report(progress, 0.72, f"Evaluating {len(scenario_list)} scenarios")
    result = evaluate(dataset, matrix, scenario_list, baseline=baseline)
    check_cancelled(cancelled)
    meta = metadata(dataset, graph, scenario_list)
    files = export_mod.write_all(result, Path(out_dir), areas=dataset.areas, metadata=meta,
                                 progress=scaled(progress, 0.75, 1.0), cancelled=cancelled)
    report(progress, 1.0, f"Wrote {len(files)} files to {out_dir}")
    return RunResult(report=result, files=files, matrix=matrix)


def with_ferry_areas(dataset: Dataset, graph: nx.MultiDiGraph) -> Dataset:
    """Return the dataset with ``via_ferry`` on its areas: the sea or air routes they depend on.

    ``""`` for areas on the main road network; unchanged when the graph has no ferry links.
    """
    if not graph.graph.get("has_land"):
        return dataset
    areas = dataset.areas.copy()
    areas[VIA_FERRY] = ferries.ferry_areas(graph, areas).to_numpy(dtype=object)
    return replace(dataset, areas=areas)


#: Per-area column naming the ferry, plane or helicopter routes an area's journeys depend on.
VIA_FERRY = "via_ferry"


def _graph_bounds(graph: nx.MultiDiGraph) -> tuple[float, float, float, float]:
    # The routing arrays are built (and kept on the graph) for the matrix anyway.
    arrays = graphstore.arrays_of(graph)
    return (float(arrays.x.min()), float(arrays.y.min()), float(arrays.x.max()), float(arrays.y.max()))


__all__ = [
    "Dataset",
    "RunResult",
    "compute_matrix",
    "configure_osmnx_for_app",
    "describe_scenario",
    "evaluate",
    "fill_networks",
    "load_dataset",
    "load_default_dataset",
    "load_default_network",
    "load_network_file",
    "metadata",
    "run",
    "user_cache_dir",
]
