"""Canonical column names used throughout the core.

Loaders rename the user's columns to these names, so every later step (network snapping,
scenarios, equity tables, maps) reads the same columns whatever the source file called them.

Areas (one row per small area, point geometry = population-weighted centroid, metric CRS):
    ``area_id``, ``area_name``, ``population`` (required, >= 0),
    optional ``imd_rank`` (1 = most deprived), ``imd_decile`` (1..10), ``ruc_class`` (A1..E2),
    ``urban_rural`` ("Urban"/"Rural"), ``network``, ``region``, ``icb``, ``pop60plus``.
Sites (one row per treatment site, point geometry):
    ``site_id``, ``site_name``, optional ``network``, ``linacs``, ``site_type``
    ("main"/"satellite"), ``postcode``, ``trust``, ``region``.
"""

from __future__ import annotations

AREA_ID = "area_id"
AREA_NAME = "area_name"
POPULATION = "population"
IMD_RANK = "imd_rank"
IMD_DECILE = "imd_decile"
RUC_CLASS = "ruc_class"
URBAN_RURAL = "urban_rural"
NETWORK = "network"
REGION = "region"
ICB = "icb"
POP60 = "pop60plus"

SITE_ID = "site_id"
SITE_NAME = "site_name"
LINACS = "linacs"
SITE_TYPE = "site_type"
POSTCODE = "postcode"
TRUST = "trust"

#: Metric CRS for Great Britain (British National Grid).
BNG = "EPSG:27700"
#: Longitude/latitude.
WGS84 = "EPSG:4326"

#: Label shown wherever the default region-as-network proxy is used.
NETWORK_PROXY_LABEL = (
    "Networks: the 9 English regions (ONS 2021) stand in for the 11 Radiotherapy ODNs "
    "(no public file assigns areas or centres to ODNs)"
)

#: How sure a site's or area's network membership is: "high", "medium" or "low"
#: (``geodata/networks`` README: high = a source names it; medium = inferred from a sourced
#: footprint; low = inferred by elimination).
NETWORK_CONFIDENCE = "network_confidence"
#: Where a network membership comes from (a web page, or "location: ICB ...").
NETWORK_SOURCE = "network_source"
