"""Write an :class:`~access_app.core.tables.EquityReport` to Excel, CSV and GeoPackage.

Files written by :func:`write_all` into the output folder:

``equity_report.xlsx``
    The board-ready workbook (:mod:`.workbook`): summary with changes against the baseline,
    one sheet per breakdown, sites, changes, index changes, site changes and metadata;
    labels instead of codes, rounded numbers, print set-up on every sheet.
``<table>.csv``
    One tidy CSV per table (UTF-8 with a byte-order mark so Excel reads accents right),
    full precision (:mod:`.tabular`).
``area_results.csv`` / ``area_results.gpkg``
    One row per area and scenario; the GeoPackage holds the area points in EPSG:27700.
``ATTRIBUTION.txt``
    The metadata, for the files that cannot carry it.
``export_manifest.json``
    Written last: run id and every file with its SHA-256, so a reader can tell a complete
    set (:mod:`.exportset`).

The set is staged and swapped in so that the folder holds either the previous complete
set or the new one, whatever stops the export; user text that a spreadsheet would run as a
formula is neutralised in every spreadsheet-bound file (:mod:`.safety`).
"""

from __future__ import annotations

from .exportset import (
    AREAS_CSV,
    AREAS_GPKG,
    ATTRIBUTION_TXT,
    MANIFEST_NAME,
    WORKBOOK_NAME,
    read_manifest,
    recover_folder,
    verify_manifest,
    write_all,
)
from .labels import LABELS, SHEET_NAMES, group_label, label, number_format, rule_label
from .safety import neutralise_frame, neutralise_text
from .tabular import AREAS_LAYER, area_results_geodataframe, write_csv, write_geopackage
from .workbook import build_workbook, write_excel

__all__ = [
    "AREAS_CSV",
    "AREAS_GPKG",
    "AREAS_LAYER",
    "ATTRIBUTION_TXT",
    "LABELS",
    "MANIFEST_NAME",
    "SHEET_NAMES",
    "WORKBOOK_NAME",
    "area_results_geodataframe",
    "build_workbook",
    "group_label",
    "label",
    "neutralise_frame",
    "neutralise_text",
    "number_format",
    "read_manifest",
    "recover_folder",
    "rule_label",
    "verify_manifest",
    "write_all",
    "write_csv",
    "write_excel",
    "write_geopackage",
]
