"""The analysis from inputs to tables, as the CLI and the GUI both run it.

Steps, each a function with progress and cancel hooks:

1. :func:`load_default_dataset` / :func:`load_dataset`: areas, sites, boundaries, networks.
2. :func:`load_default_network` / :func:`load_network_file`: the road network (cached on disk).
3. :func:`compute_matrix`: the areas x sites travel-time matrix (cached on disk), and
   :func:`compute_distances`: road km along the same fastest routes (cached on disk).
4. :func:`evaluate`: apply scenarios and build the equity tables.

:func:`run` chains them for the headless command and writes every export.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import __version__
from . import (
    defaults,
    distance,
    ferries,
    filetypes,
    io,
    limits,
    network,
    odn,
    repair,
    routing,
    scenarios,
    tables,
)
from . import export as export_mod
from . import schema as S
from .errors import DataError, ScenarioError
from .matrix import TravelTimeMatrix
from .network import RoadNetwork
from .postcodes import CodePointOpen
from .progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from .scenarios import Scenario, ScenarioResult
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
    limits.metric_crs(crs)
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
        sources["site networks"] = str(site_networks_path)
        sites = _apply_network_table(sites, "site networks", site_networks_path,
                                     what=f"sites ({sources['sites']})")
    area_table = (("area networks", area_networks_path) if area_networks_path is not None else
                  ("ICB networks", icb_networks_path) if icb_networks_path is not None else None)
    if area_table is not None:
        sources[area_table[0]] = str(area_table[1])
        areas = _apply_network_table(areas, area_table[0], area_table[1],
                                     what=f"areas ({sources['areas']})")
    if any(k in sources for k in ("site networks", "area networks", "ICB networks")):
        note = "Networks: from " + "; ".join(
            f"{k} table {v}" for k, v in sources.items() if "networks" in k
        )
    _check_networks(areas, sites)
    _check_sites_near_areas(areas, sites, sites_source=sources.get("sites", "sites"),
                            areas_source=sources.get("areas", "areas"))
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


def with_network_source(dataset: Dataset, networks: odn.NetworkSource) -> Dataset:
    """Return ``dataset`` with every area and site placed in the ODNs or the 9 regions again.

    ``"odn"``: the 11 Radiotherapy ODNs (known sites by the embedded membership table, other
    sites and the areas by location and ICB); ``"regions"``: the 9 English regions as a
    labelled proxy. Network tables the user loaded are applied again on top.
    """
    _check_network_source(networks)
    drop = [S.NETWORK, "network_confidence", "network_source"]
    areas = dataset.areas.drop(columns=[c for c in drop if c in dataset.areas.columns])
    sites = dataset.sites.drop(columns=[c for c in drop if c in dataset.sites.columns])
    areas, sites, note, warnings = _fill_networks(
        areas, sites, networks=networks, boundaries=dataset.boundaries or
        defaults.load_default_boundaries(), user_areas=True, user_sites=True)
    out = replace(dataset, areas=areas, sites=sites, network_note=note)
    for kind in ("areas", "sites"):
        table = _reapply_network_tables(out, kind, getattr(out, kind))
        out = replace(out, **{kind: table})
    for w in warnings:
        log.warning("%s", w)
    return out


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
    odn_names = set(icb_table[S.NETWORK])
    # Areas with networks of their own (not ODN names) leave the sites' networks to the
    # user: ODNs by location would share no name with them.
    own_area_networks = (user_areas and not no_network(areas)
                         and not set(areas[S.NETWORK].dropna().astype(str)) <= odn_names)
    if user_sites and not no_network(sites):
        sites = sites.copy()
        sites[S.NETWORK_CONFIDENCE] = odn.USER_CONFIDENCE
        sites[S.NETWORK_SOURCE] = "sites file"
    elif user_sites and not own_area_networks:
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
    site_names = set(sites[S.NETWORK].dropna().astype(str)) if S.NETWORK in sites.columns else set()
    if user_areas and no_network(areas) and site_names & odn_names:
        areas, n_located = odn.areas_by_icb(areas, reference=reference, icb_table=icb_table,
                                            outline=outline)
        if n_located:
            warnings.append(f"{n_located} areas had no network or ICB and were placed in the ODN "
                            "of the ICB they lie in.")
    if site_names and not site_names <= odn_names:
        note = "Networks: from the sites file's network column"
    elif own_area_networks:
        note = "Networks: from the areas file's network column"
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


#: A site further than this from every area centroid is not among the areas (metres).
SITE_AREA_GAP_M = 20_000.0


def _check_sites_near_areas(areas: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, *, sites_source: str,
                            areas_source: str) -> None:
    """Refuse sites that all lie far from every area (a Scottish sites file with English areas)."""
    from scipy.spatial import cKDTree

    if len(areas) == 0 or len(sites) == 0:
        return
    tree = cKDTree(np.column_stack([areas.geometry.x.to_numpy(), areas.geometry.y.to_numpy()]))
    gap, _ = tree.query(np.column_stack([sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()]))
    if (gap > SITE_AREA_GAP_M).all():
        i = int(np.argmin(gap))
        raise DataError(
            f"{sites_source}: none of its {len(sites)} sites lies within {SITE_AREA_GAP_M / 1000:.0f} km "
            f"of any of the {len(areas):,} areas of {areas_source} (nearest: {sites[S.SITE_ID].iloc[i]}, "
            f"{gap[i] / 1000:.0f} km away), so no site lies in England or in any network of these areas. "
            "Load sites inside the areas' region, or areas that cover the sites."
        )
    far = np.flatnonzero(gap > SITE_AREA_GAP_M)
    if far.size:
        log.warning("%s: %d sites lie more than %.0f km from every area: %s", sites_source, far.size,
                    SITE_AREA_GAP_M / 1000,
                    ", ".join(f"{sites[S.SITE_ID].iloc[j]} ({gap[j] / 1000:.0f} km)" for j in far[:5]))


#: Network tables by their name in ``Dataset.sources``: what each table is keyed by.
_NETWORK_TABLE_KEYS = {"site networks": S.SITE_ID, "area networks": S.AREA_ID,
                       "ICB networks": S.ICB}


def _apply_network_table(frame: gpd.GeoDataFrame, source: str, path: str | Path, *,
                         what: str) -> gpd.GeoDataFrame:
    """Apply the network table at ``path`` (``source`` names its kind) to ``frame``.

    Sites placed by a user's table get the user's confidence and the table as their source.
    """
    key = _NETWORK_TABLE_KEYS[source]
    out = io.apply_networks(frame, io.read_network_table(path, key=key), key_column=key, what=what)
    if source == "site networks":
        out[S.NETWORK_CONFIDENCE] = odn.USER_CONFIDENCE
        out[S.NETWORK_SOURCE] = f"table {path}"
    return out


def _reapply_network_tables(dataset: Dataset, kind: str, table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Apply to a newly loaded table the network tables the dataset was loaded with."""
    for source in (("site networks",) if kind == "sites" else ("area networks", "ICB networks")):
        if source in dataset.sources:
            return _apply_network_table(table, source, dataset.sources[source], what=kind)
    return table


def with_table(
    dataset: Dataset,
    kind: str,
    path: str | Path,
    *,
    mapping: io.ColumnMapping | None = None,
    postcodes: CodePointOpen | None = None,
    allow_unknown_postcodes: bool = False,
) -> Dataset:
    """Return ``dataset`` with its areas or sites replaced by the file at ``path``.

    The same loader and checks as :func:`load_dataset` run: a table without networks gets
    them as on the command line (:func:`fill_networks`, ODNs by location, or regions when
    the dataset uses the region proxy), the network tables the dataset was loaded with are
    applied to the new table too, and the other table (with any sites added or edited in
    the app) is kept as it is.
    """
    if kind not in ("areas", "sites"):
        raise DataError(f"Only areas or sites can be loaded from a table, not {kind!r}.")
    crs = dataset.areas.crs or S.BNG
    loader = io.load_areas if kind == "areas" else io.load_sites
    table = loader(path, mapping=mapping, crs=crs, postcodes=postcodes,
                   allow_unknown_postcodes=allow_unknown_postcodes)
    networks: odn.NetworkSource = (
        "regions" if dataset.network_note == S.NETWORK_PROXY_LABEL else "odn")
    areas, sites, note, warnings = fill_networks(
        table if kind == "areas" else dataset.areas, table if kind == "sites" else dataset.sites,
        networks=networks, boundaries=dataset.boundaries or None, user_areas=kind == "areas",
        user_sites=kind == "sites")
    table = _reapply_network_tables(dataset, kind, areas if kind == "areas" else sites)
    if kind == "sites" and "site networks" in dataset.sources:
        table[S.NETWORK_CONFIDENCE] = odn.USER_CONFIDENCE
        table[S.NETWORK_SOURCE] = f"table {dataset.sources['site networks']}"
    if any("networks" in k for k in dataset.sources):
        note = dataset.network_note  # the user's network tables still decide
    areas = table if kind == "areas" else dataset.areas
    sites = table if kind == "sites" else dataset.sites
    _check_networks(areas, sites)
    sources = dict(dataset.sources)
    sources[kind] = str(path)
    _check_sites_near_areas(areas, sites, sites_source=sources.get("sites", "sites"),
                            areas_source=sources.get("areas", "areas"))
    for text in warnings:
        log.warning("%s", text)
    return replace(dataset, areas=areas, sites=sites, sources=sources, network_note=note,
                   warnings=tuple(warnings))


def with_sites_added(dataset: Dataset, rows: gpd.GeoDataFrame) -> Dataset:
    """Return ``dataset`` with canonical site ``rows`` appended (ids must be new)."""
    ids = set(dataset.sites[S.SITE_ID].astype(str))
    clash = [s for s in rows[S.SITE_ID].astype(str) if s in ids]
    if clash:
        raise DataError(f"A site with id {clash[0]!r} already exists; choose another id.")
    sites = gpd.GeoDataFrame(
        pd.concat([dataset.sites, rows.to_crs(dataset.sites.crs)], ignore_index=True),
        geometry="geometry", crs=dataset.sites.crs)
    return replace(dataset, sites=sites)


def write_sites_csv(sites: gpd.GeoDataFrame, path: Path) -> Path:
    """Write the sites as CSV with easting/northing (BNG), ready to be loaded again."""
    bng = sites.to_crs(S.BNG)
    table = pd.DataFrame(bng.drop(columns="geometry"))
    table["easting"] = bng.geometry.x.round(1)
    table["northing"] = bng.geometry.y.round(1)
    return export_mod.write_csv(table, path)


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


OSM_SUFFIXES = filetypes.suffixes("osm")
SAVED_SUFFIXES = filetypes.suffixes("saved_network")
LINE_SUFFIXES = filetypes.suffixes("road_lines")
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
        from .model_settings import read_model_table

        in_file = read_model_table(scenario_path)
        if in_file is not None:
            speed_model, routing_params = in_file.speed_model, in_file.routing_params
            model_source = in_file.source
    speed_model = speed_model if speed_model is not None else SpeedModel()
    routing_params = routing_params if routing_params is not None else routing.RoutingParams()
    check_scenarios(dataset, scenario_list)
    if matrix_path is not None:
        from . import matrix_io

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


def with_ferry_areas(dataset: Dataset, road_network: RoadNetwork) -> Dataset:
    """Return the dataset with ``via_ferry`` on its areas: the sea or air routes they depend on.

    ``""`` for areas on the main road network; unchanged when the network has no ferry links.
    """
    if road_network.arrays.land is None:
        return dataset
    areas = dataset.areas.copy()
    areas[VIA_FERRY] = ferries.ferry_areas(road_network, areas).to_numpy(dtype=object)
    return replace(dataset, areas=areas)


#: Per-area column naming the ferry, plane or helicopter routes an area's journeys depend on.
VIA_FERRY = "via_ferry"


def check_scenarios(dataset: Dataset, scenario_list: Sequence[Scenario]) -> None:
    """Refuse scenarios that cannot be applied to the data, before any routing.

    Checks what :func:`evaluate` would otherwise find only after the travel-time matrix:
    unknown open sites and hubs, a demand column that is missing or not numeric, and a
    ``network`` column that the network rules need.

    Raises
    ------
    ScenarioError
        Naming the scenario, the column or the sites.
    """
    areas, sites = dataset.areas, dataset.sites
    where = dataset.sources.get("areas", "the areas")
    for s in scenario_list:
        s.check_sites(sites[S.SITE_ID].astype(str))
        scenarios.area_demand(areas, s)
        rule = scenarios.get_rule(s.rule)
        if rule.needs_area_network and S.NETWORK not in areas.columns:
            raise ScenarioError(
                f"Scenario {s.name!r}: rule {s.rule!r} needs a 'network' column in the areas "
                f"({where}); add one, load --area-networks or --icb-networks, or use rule 'nearest'."
            )
        if rule.needs_site_network and S.NETWORK not in sites.columns:
            raise ScenarioError(
                f"Scenario {s.name!r}: rule {s.rule!r} needs a 'network' column in the sites "
                f"({dataset.sources.get('sites', 'the sites')}); add one or load --site-networks."
            )


def unreachable_sites(
    road_network: RoadNetwork,
    sites: gpd.GeoDataFrame,
    *,
    params: routing.RoutingParams | None = None,
) -> dict[str, str]:
    """Return ``site_id -> reason`` for sites no road reaches (too far from it, or on an island).

    The reasons are those routing gives (``"21.2 km from the nearest road node, beyond the
    20 km limit"``), found before the travel-time matrix is built.
    """
    if len(sites) == 0:
        return {}
    arrays = road_network.arrays
    pts = sites.to_crs(road_network.crs).geometry
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    snap = routing.snap_points(arrays, xy, np.zeros(len(xy), dtype=bool),
                               params=params or routing.RoutingParams())
    ids = sites[S.SITE_ID].astype(str).to_numpy()
    return {ids[i]: str(snap.reason[i]) for i in np.flatnonzero(snap.reason != "")}


def _warn_unreachable_sites(sites: gpd.GeoDataFrame, far: dict[str, str],
                            scenario_list: Sequence[Scenario]) -> None:
    """Log, naming each site and its distance, the open sites no area can reach."""
    names = dict(zip(sites[S.SITE_ID].astype(str), sites[S.SITE_NAME].astype(str), strict=False))
    for site, why in far.items():
        used = [s.name for s in scenario_list if site in s.open_sites]
        if used:
            log.warning("Site %s (%s) is %s: no area can reach it, though it is open in %s.", site,
                        names.get(site, site), why, ", ".join(repr(u) for u in used))


__all__ = [
    "Dataset",
    "RunResult",
    "compute_distances",
    "compute_matrix",
    "configure_osmnx_for_app",
    "describe_scenario",
    "check_extent",
    "download_network",
    "evaluate",
    "evaluate_scenarios",
    "fill_networks",
    "headline",
    "with_ferry_areas",
    "with_sites_added",
    "with_table",
    "write_exports",
    "write_sites_csv",
    "load_dataset",
    "load_default_dataset",
    "load_default_network",
    "load_network_file",
    "metadata",
    "run",
    "user_cache_dir",
]
