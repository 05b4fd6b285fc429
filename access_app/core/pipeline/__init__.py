"""The analysis from inputs to tables, as the CLI and the GUI both run it.

Steps, each a function with progress and cancel hooks:

1. :func:`load_default_dataset` / :func:`load_dataset`: areas, sites, boundaries, networks.
2. :func:`load_default_network` / :func:`load_network_file`: the road network (cached on disk).
3. :func:`compute_matrix`: the areas x sites travel-time matrix (cached on disk), and
   :func:`compute_distances`: road km along the same fastest routes (cached on disk).
4. :func:`evaluate`: apply scenarios and build the equity tables.

:func:`run` chains them for the headless command and writes every export.

The steps live in :mod:`.data`, :mod:`.roads`, :mod:`.analysis` and :mod:`.run`; every
name is importable from here.
"""

from __future__ import annotations

from .analysis import (
    compute_distances,
    compute_matrix,
    describe_scenario,
    evaluate,
    evaluate_scenarios,
    headline,
    metadata,
    write_exports,
)
from .data import (
    SITE_AREA_GAP_M,
    Dataset,
    check_scenarios,
    fill_networks,
    load_dataset,
    load_default_dataset,
    unreachable_sites,
    with_network_source,
    with_sites_added,
    with_table,
    write_sites_csv,
)
from .roads import (
    CLASS_COLUMNS,
    EMBEDDED_FERRIES,
    LINE_SUFFIXES,
    OSM_SUFFIXES,
    ROAD_COLUMNS,
    SAVED_SUFFIXES,
    VIA_FERRY,
    add_ferries,
    check_extent,
    configure_osmnx_for_app,
    download_network,
    ferry_table,
    load_default_network,
    load_network_file,
    repair_for_graph,
    user_cache_dir,
    with_ferry_areas,
)
from .run import RunResult, run

__all__ = [
    "CLASS_COLUMNS",
    "EMBEDDED_FERRIES",
    "LINE_SUFFIXES",
    "OSM_SUFFIXES",
    "ROAD_COLUMNS",
    "SAVED_SUFFIXES",
    "SITE_AREA_GAP_M",
    "VIA_FERRY",
    "Dataset",
    "RunResult",
    "add_ferries",
    "check_extent",
    "check_scenarios",
    "compute_distances",
    "compute_matrix",
    "configure_osmnx_for_app",
    "describe_scenario",
    "download_network",
    "evaluate",
    "evaluate_scenarios",
    "ferry_table",
    "fill_networks",
    "headline",
    "load_dataset",
    "load_default_dataset",
    "load_default_network",
    "load_network_file",
    "metadata",
    "repair_for_graph",
    "run",
    "unreachable_sites",
    "user_cache_dir",
    "with_ferry_areas",
    "with_network_source",
    "with_sites_added",
    "with_table",
    "write_exports",
    "write_sites_csv",
]
