"""The data steps: the areas, sites and boundaries, and which network each belongs to."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import (
    defaults,
    io,
    limits,
    odn,
    routing,
    scenarios,
)
from .. import export as export_mod
from .. import schema as S
from ..errors import DataError, ScenarioError
from ..network import RoadNetwork
from ..postcodes import CodePointOpen
from ..scenarios import Scenario

log = logging.getLogger(__name__)

#: A site further than this from every area centroid is not among the areas (metres).
SITE_AREA_GAP_M = 20_000.0

#: Network tables by their name in ``Dataset.sources``: what each table is keyed by.
_NETWORK_TABLE_KEYS = {"site networks": S.SITE_ID, "area networks": S.AREA_ID,
                       "ICB networks": S.ICB}




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
