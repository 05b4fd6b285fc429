"""Road networks from OpenStreetMap: local extracts and downloads through osmnx.

``.osm``/``.osm.xml``/``.osm.bz2`` are read by osmnx and ``.osm.pbf`` through pyosmium
(:mod:`access_app.core.network.pbf`). :func:`configure_osmnx` is the only function that
writes ``osmnx.settings``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
from shapely.geometry.base import BaseGeometry

from .. import schema
from ..errors import NetworkError
from ..progress import CancelFn, ProgressFn, check_cancelled, report
from ..speeds import SpeedModel
from .components import keep_largest_component
from .road_network import RoadNetwork
from .travel_times import set_travel_times
from .urban import classify_urban_links

log = logging.getLogger(__name__)


def _finish_osm_graph(
    G: nx.MultiDiGraph,
    *,
    classes: tuple[str, ...],
    speed_model: SpeedModel,
    areas: gpd.GeoDataFrame | None,
    source: str,
    progress: ProgressFn | None,
    cancelled: CancelFn | None,
) -> RoadNetwork:
    """Filter, simplify and project an unsimplified osmnx graph, then set travel times."""
    import osmnx as ox

    keep = set(classes)

    def _ok(hw: object) -> bool:
        vals = hw if isinstance(hw, list) else [hw]
        return any(v in keep for v in vals)

    bad = [(u, v, k) for u, v, k, hw in G.edges(keys=True, data="highway") if not _ok(hw)]
    G.remove_edges_from(bad)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if G.number_of_edges() == 0:
        raise NetworkError(f"{source}: no roads of the classes {', '.join(sorted(keep))}")
    check_cancelled(cancelled)
    report(progress, 0.5, "Simplifying the network")
    G = ox.simplify_graph(G)
    G = ox.project_graph(G, to_crs=schema.BNG)
    G.graph["crs"] = schema.BNG
    G.graph["source"] = source
    check_cancelled(cancelled)
    if areas is not None:
        report(progress, 0.7, "Classifying urban and rural roads")
        edges = ox.graph_to_gdfs(G, nodes=False, fill_edge_geometry=True)
        flags = classify_urban_links(edges, areas)
        for (u, v, k), flag in zip(edges.index, flags.to_numpy(), strict=True):
            G.edges[u, v, k]["urban"] = bool(flag)
    report(progress, 0.8, "Setting speeds and travel times")
    set_travel_times(G, speed_model)
    H = keep_largest_component(G)
    H.graph["speed_model"] = speed_model.fingerprint()
    log.info(
        "%s: %d nodes, %d edges kept; dropped %d nodes",
        source, H.number_of_nodes(), H.number_of_edges(), H.graph["dropped"]["nodes"],
    )
    report(progress, 1.0, f"Network ready: {H.number_of_nodes():,} nodes")
    return RoadNetwork.from_graph(H)


def graph_from_osm_file(
    path: str | Path,
    *,
    classes: tuple[str, ...] | None = None,
    speed_model: SpeedModel | None = None,
    areas: gpd.GeoDataFrame | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> RoadNetwork:
    """Build a car network from a local OpenStreetMap extract.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.xml`` or ``.osm.bz2`` (read by osmnx) or ``.osm.pbf`` (read with
        pyosmium, then handed to osmnx as XML so one-way and simplification rules match).
    classes
        ``highway`` classes to keep; every car class
        (:data:`access_app.core.pbf.DRIVE_CLASSES`) if None.
    speed_model
        Speeds; defaults if None. ``maxspeed`` tags cap class speeds.
    areas
        Optional area centroids with ``urban_rural`` to classify roads as urban; without
        them, roads with a limit of 40 mph or less and residential streets are urban.
    progress, cancelled
        Progress callback and cancel check.
    """
    import tempfile

    import osmnx as ox

    from . import pbf

    path = Path(path)
    classes = tuple(classes or pbf.DRIVE_CLASSES)
    speed_model = speed_model or SpeedModel()
    if not path.exists():
        raise NetworkError(f"OSM file {path} does not exist")
    name = path.name.lower()
    report(progress, 0.0, f"Reading {path.name}")
    try:
        if name.endswith(".pbf"):
            data = pbf.read_pbf_elements(path, classes=classes)
            if not any(el["type"] == "way" for el in data["elements"]):
                raise NetworkError(
                    f"{path.name}: no roads of the classes {', '.join(sorted(classes))}"
                )
            with tempfile.TemporaryDirectory() as tmp:
                xml = pbf.write_osm_xml(data, Path(tmp) / "roads.osm")
                G = ox.graph_from_xml(xml, simplify=False, retain_all=True)
        elif name.endswith((".osm", ".xml", ".osm.bz2", ".xml.bz2")):
            G = ox.graph_from_xml(path, simplify=False, retain_all=True)
        else:
            raise NetworkError(
                f"{path.name}: unknown OSM file type; use .osm, .osm.xml, .osm.bz2 or .osm.pbf"
            )
    except NetworkError:
        raise
    except Exception as exc:  # osmnx/xml raise many types
        raise NetworkError(f"cannot read OSM file {path}: {exc}") from exc
    check_cancelled(cancelled)
    return _finish_osm_graph(
        G, classes=classes, speed_model=speed_model, areas=areas, source=str(path),
        progress=progress, cancelled=cancelled,
    )


@dataclass(frozen=True)
class OsmnxSettings:
    """The osmnx settings this application controls.

    Attributes
    ----------
    overpass_url
        Overpass API endpoint (e.g. a local or company mirror).
    use_cache, cache_folder
        osmnx's HTTP response cache.
    requests_timeout
        Seconds before a request fails.
    overpass_rate_limit
        Ask the server's ``/status`` for a pause before each query.
    doh_url_template
        DNS-over-HTTPS template osmnx uses to resolve the Overpass host; None resolves
        by name (needed behind firewalls and for local servers).
    """

    overpass_url: str = "https://overpass-api.de/api"
    use_cache: bool = True
    cache_folder: str = "./cache"
    requests_timeout: float = 180.0
    overpass_rate_limit: bool = True
    doh_url_template: str | None = "https://8.8.8.8/resolve?name={hostname}"


def current_osmnx_settings() -> OsmnxSettings:
    """Return the osmnx settings now in force."""
    import osmnx as ox

    s = ox.settings
    return OsmnxSettings(
        overpass_url=str(s.overpass_url),
        use_cache=bool(s.use_cache),
        cache_folder=str(s.cache_folder),
        requests_timeout=float(s.requests_timeout),
        overpass_rate_limit=bool(s.overpass_rate_limit),
        doh_url_template=s.doh_url_template,
    )


def configure_osmnx(settings: OsmnxSettings) -> OsmnxSettings:
    """Apply ``settings`` to ``osmnx.settings`` and return the previous ones.

    This is the only function that writes osmnx's global settings; call it once at
    start-up (and again with the returned value to restore them, as the tests do).
    """
    import osmnx as ox

    previous = current_osmnx_settings()
    ox.settings.overpass_url = settings.overpass_url
    ox.settings.use_cache = settings.use_cache
    ox.settings.cache_folder = settings.cache_folder
    ox.settings.requests_timeout = settings.requests_timeout
    ox.settings.overpass_rate_limit = settings.overpass_rate_limit
    ox.settings.doh_url_template = settings.doh_url_template
    return previous


def graph_from_download(
    query: str | BaseGeometry | tuple[float, float, float, float],
    *,
    classes: tuple[str, ...] | None = None,
    speed_model: SpeedModel | None = None,
    areas: gpd.GeoDataFrame | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> RoadNetwork:
    """Download a car network with osmnx by place name, polygon or bounding box.

    Parameters
    ----------
    query
        A place name (geocoded by Nominatim), a shapely Polygon/MultiPolygon in WGS84
        longitude/latitude, or a bounding box ``(west, south, east, north)`` in degrees.
    classes
        ``highway`` classes to download; motorway to tertiary
        (:data:`access_app.core.pbf.REGIONAL_CLASSES`) if None, which suits regional work.
    speed_model, areas, progress, cancelled
        As for :func:`graph_from_osm_file`.

    Raises
    ------
    NetworkError
        If the download fails (no internet, server error, nothing found).
    """
    import osmnx as ox

    from . import pbf

    classes = tuple(classes or pbf.REGIONAL_CLASSES)
    speed_model = speed_model or SpeedModel()
    filt = pbf.highway_filter(classes)
    report(progress, 0.0, "Downloading roads from OpenStreetMap (Overpass)")
    kwargs: dict[str, Any] = {"custom_filter": filt, "simplify": False, "retain_all": True}
    try:
        if isinstance(query, str):
            G = ox.graph_from_place(query, **kwargs)
        elif isinstance(query, BaseGeometry):
            G = ox.graph_from_polygon(query, **kwargs)
        elif isinstance(query, tuple) and len(query) == 4:
            west, south, east, north = (float(q) for q in query)
            G = ox.graph_from_bbox((west, south, east, north), **kwargs)
        else:
            raise NetworkError(
                "download query must be a place name, a polygon or (west, south, east, north)"
            )
    except NetworkError:
        raise
    except Exception as exc:  # requests/osmnx raise many types
        raise NetworkError(
            f"downloading the road network failed: {exc}. Check the internet connection "
            "or the Overpass URL in the settings, or load a local OSM extract instead."
        ) from exc
    check_cancelled(cancelled)
    return _finish_osm_graph(
        G, classes=classes, speed_model=speed_model, areas=areas,
        source=f"OpenStreetMap download ({query if isinstance(query, str) else 'area'})",
        progress=progress, cancelled=cancelled,
    )
