"""Road networks from line datasets, OpenStreetMap files, downloads and saved files.

Every builder returns a :class:`RoadNetwork`: an osmnx-style
:class:`networkx.MultiDiGraph` in British National Grid (``EPSG:27700``) together with the
routing arrays built from it once (:func:`build_arrays`). Nodes carry ``x``/``y``
(metres), every edge carries ``length`` (m), ``travel_time`` (s), ``highway`` (OSM-style
class) and ``urban`` (bool), and ``G.graph["crs"]`` is set. Only the largest strongly
connected component is kept; what was dropped is reported in ``G.graph["dropped"]``
(counts), the coordinates of the dropped nodes are kept in ``G.graph["dropped_nodes_xy"]``
(``(n, 2)`` float array) and the gap between each dropped node's component and the kept
network in ``G.graph["dropped_nodes_gap_m"]``, so routing can tell an area on a road
island (Isle of Wight, 6.3 km of sea from the DfT mainland network) from one beside a
fragment that only misses a join in the data (most DfT fragments are under 30 m from the
main network).

Modules
-------
- :mod:`.road_network`: :class:`RoadNetwork` (graph + arrays, explicitly owned).
- :mod:`.arrays`: :class:`GraphArrays` and :func:`build_arrays`.
- :mod:`.lines`: :func:`graph_from_lines` from a road line dataset (the DfT major roads
  link network 2013, OS Open Roads, any Shapefile/GeoPackage/FlatGeobuf) and
  :func:`read_lines`.
- :mod:`.urban`: :func:`classify_urban_links` from area centroids.
- :mod:`.osm`: :func:`graph_from_osm_file` (``.osm``/``.osm.xml``/``.osm.bz2`` through
  osmnx, ``.osm.pbf`` through pyosmium) and :func:`graph_from_download` (osmnx download by
  place name, polygon or bounding box); :func:`configure_osmnx` is the only function that
  writes ``osmnx.settings``.
- :mod:`.pbf`: reading ``.osm.pbf`` road ways with pyosmium; the OSM road classes.
- :mod:`.components`: :func:`keep_largest_component`.
- :mod:`.travel_times`: :func:`set_travel_times` from the speed model.
- :mod:`.store`: :func:`save_network` / :func:`load_network` (GraphML for interchange,
  ``.npz`` for fast reopening); :mod:`.npz` is the ``.npz`` format.
"""

from .arrays import GraphArrays, build_arrays
from .components import keep_largest_component
from .lines import OS_OPEN_ROADS_CLASSES, graph_from_lines, highway_class, read_lines
from .osm import (
    OsmnxSettings,
    configure_osmnx,
    current_osmnx_settings,
    graph_from_download,
    graph_from_osm_file,
)
from .road_network import RoadNetwork, as_road_network
from .store import load_network, save_network
from .travel_times import set_travel_times
from .urban import classify_urban_links

__all__ = [
    "OS_OPEN_ROADS_CLASSES",
    "GraphArrays",
    "OsmnxSettings",
    "RoadNetwork",
    "as_road_network",
    "build_arrays",
    "classify_urban_links",
    "configure_osmnx",
    "current_osmnx_settings",
    "graph_from_download",
    "graph_from_lines",
    "graph_from_osm_file",
    "highway_class",
    "keep_largest_component",
    "load_network",
    "read_lines",
    "save_network",
    "set_travel_times",
]
