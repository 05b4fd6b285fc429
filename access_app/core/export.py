"""Write an :class:`~access_app.core.tables.EquityReport` to Excel, CSV and GeoPackage.

Every file is written atomically (:mod:`access_app.core.atomic`): an interrupted export
never leaves a half-written file where a good one was.

Files written by :func:`write_all`:

``equity_report.xlsx``
    Summary (scenarios side by side), one sheet per breakdown, sites, changes against the
    baseline, index changes, site changes and a metadata sheet.
``<table>.csv``
    One tidy CSV per table (UTF-8 with a byte-order mark so Excel reads accents right).
``area_results.csv`` / ``area_results.gpkg``
    One row per area and scenario; the GeoPackage holds the area points in EPSG:27700.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from . import schema
from .atomic import atomic_write, atomic_write_text
from .errors import ExportError
from .progress import CancelFn, ProgressFn, check_cancelled, report
from .tables import IMD_QUINTILE, EquityReport

log = logging.getLogger(__name__)

WORKBOOK_NAME = "equity_report.xlsx"
AREAS_CSV = "area_results.csv"
AREAS_GPKG = "area_results.gpkg"
AREAS_LAYER = "area_results"
ATTRIBUTION_TXT = "ATTRIBUTION.txt"

SHEET_NAMES: dict[str, str] = {
    IMD_QUINTILE: "IMD quintile",
    "imd_decile": "IMD decile",
    "urban_rural": "Urban-rural",
    "ruc_class": "RUC class",
    "network": "Network",
    "region": "Region",
    "icb": "ICB",
}

LABELS: dict[str, str] = {
    "scenario": "Scenario",
    "baseline": "Baseline",
    "service": "Service",
    "rule": "Assignment rule",
    "open_sites": "Open sites",
    "demand_column": "Demand column",
    "fractions": "Fractions per course",
    "unreachable_areas": "Unreachable areas",
    "areas": "Areas",
    "demand": "Demand",
    "reachable_demand": "Reachable demand",
    "unreachable_demand": "Unreachable demand",
    "demand_share": "Share of demand",
    "mean_min": "Mean minutes",
    "median_min": "Median minutes",
    "p90_min": "90th percentile minutes",
    "max_min": "Maximum minutes",
    "hours_per_course": "Hours of travel per course (mean)",
    "gini": "Gini",
    "theil_t": "Theil T",
    "theil_between_imd_quintile": "Theil T between IMD quintiles",
    "theil_within_imd_quintile": "Theil T within IMD quintiles",
    "theil_between_network": "Theil T between networks",
    "theil_within_network": "Theil T within networks",
    "atkinson_bad": "Atkinson index (bad)",
    "atkinson_ede_min": "Atkinson equally distributed equivalent (minutes)",
    "kolm_pollak_ede_min": "Kolm-Pollak equally distributed equivalent (minutes)",
    "kolm_pollak_index_min": "Kolm-Pollak index (minutes)",
    "concentration_index": "Concentration index by IMD rank (negative = deprived travel further)",
    "q1_mean_min": "Mean minutes, most deprived quintile",
    "q5_mean_min": "Mean minutes, least deprived quintile",
    "q1_q5_ratio": "Ratio most / least deprived quintile",
    "q1_q5_gap_min": "Gap most - least deprived quintile (minutes)",
    "group_by": "Breakdown",
    "group": "Group",
    "site_id": "Site id",
    "site_name": "Site",
    "network": "Network",
    "linacs": "Linacs",
    "open": "Open",
    "hub": "Hub",
    "demand_per_linac": "Demand per linac",
    "compared_demand": "Demand reachable in both",
    "mean_min_before": "Mean minutes, baseline",
    "mean_min_after": "Mean minutes, scenario",
    "change_mean_min": "Change in mean minutes",
    "demand_longer": "Demand whose journey grows",
    "demand_shorter": "Demand whose journey shrinks",
    "demand_longer_15": "Demand whose journey grows > 15 min",
    "demand_longer_30": "Demand whose journey grows > 30 min",
    "newly_unreachable_demand": "Demand newly unreachable",
    "newly_reachable_demand": "Demand newly reachable",
    "measure": "Measure",
    "baseline_value": "Baseline value",
    "value": "Scenario value",
    "change": "Change",
    "demand_before": "Demand, baseline",
    "demand_after": "Demand, scenario",
    "demand_change": "Change in demand",
    "demand_per_linac_before": "Demand per linac, baseline",
    "demand_per_linac_after": "Demand per linac, scenario",
}

_INDEX_COLS = {
    "gini",
    "theil_t",
    "theil_between_imd_quintile",
    "theil_within_imd_quintile",
    "theil_between_network",
    "theil_within_network",
    "atkinson_bad",
    "concentration_index",
    "q1_q5_ratio",
}

FMT_MINUTES = "0.0"
FMT_SHARE = "0.0%"
FMT_COUNT = "#,##0"
FMT_DEMAND_FINE = "#,##0.00"
FMT_INDEX = "0.0000"


def label(column: str) -> str:
    """Return the human-readable header of a table column."""
    if column in LABELS:
        return LABELS[column]
    for prefix, text in (("within_", "within"), ("pushed_past_", "pushed past")):
        if column.startswith(prefix):
            minutes = column[len(prefix) :].split("_")[0]
            kind = "share" if column.endswith("_share") else "demand"
            what = "Share" if kind == "share" else "Demand"
            return f"{what} {text} {minutes} min"
    return column.replace("_", " ").capitalize()


def number_format(column: str, *, fine_demand: bool = False) -> str | None:
    """Return the Excel number format for a column (``None`` = general)."""
    if column.endswith("_share"):
        return FMT_SHARE
    if column in _INDEX_COLS:
        return FMT_INDEX
    if column.endswith("_min") or column in ("minutes", "hours_per_course", "baseline_minutes"):
        return FMT_MINUTES
    if "demand" in column:
        return FMT_DEMAND_FINE if fine_demand else FMT_COUNT
    if column in ("areas", "open_sites", "unreachable_areas", "linacs"):
        return FMT_COUNT
    return None


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.bool_ | bool):
        return "yes" if bool(value) else "no"
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    return value


def _fine_demand(report_: EquityReport) -> bool:
    return any(s.incidence_per_100k is not None for s in report_.scenarios)


def _write_table(ws: Any, frame: pd.DataFrame, *, fine_demand: bool) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    headers = [label(c) for c in frame.columns]
    ws.append(headers)
    for values in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in values])
    bold = Font(bold=True)
    for j, col in enumerate(frame.columns, start=1):
        head = ws.cell(row=1, column=j)
        head.font = bold
        head.alignment = Alignment(wrap_text=True, vertical="top")
        fmt = number_format(str(col), fine_demand=fine_demand)
        if fmt:
            for row in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                row[0].number_format = fmt
        longest = max([len(str(v)) for v in frame[col].head(200).tolist()] + [8])
        width = min(max(longest + 2, min(len(headers[j - 1]), 24) + 2), 60)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"


def _write_summary(ws: Any, summary: pd.DataFrame, *, fine_demand: bool) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    names = summary["scenario"].tolist()
    ws.append(["Measure", *names])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col in summary.columns:
        if col == "scenario":
            continue
        ws.append([label(col), *(_cell(v) for v in summary[col].tolist())])
        fmt = number_format(col, fine_demand=fine_demand)
        if fmt:
            for cell in ws[ws.max_row][1:]:
                cell.number_format = fmt
    ws.column_dimensions["A"].width = 60
    for j in range(2, len(names) + 2):
        # wide enough for the scenario name and its text rows (service, rule), at most 40
        texts = [str(names[j - 2])] + [str(c.value) for c in ws[get_column_letter(j)]
                                        if isinstance(c.value, str)]
        ws.column_dimensions[get_column_letter(j)].width = max(16, min(max(map(len, texts)) + 3, 40))
    ws.freeze_panes = "B2"


def _metadata_rows(report_: EquityReport, metadata: Mapping[str, str]) -> list[list[Any]]:
    from access_app import __version__

    opts = report_.options
    rows: list[list[Any]] = [
        ["Item", "Value"],
        ["Software", f"access-app {__version__}"],
        ["Created (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")],
        ["Baseline scenario", report_.baseline],
        ["Thresholds (minutes)", ", ".join(map(str, opts.thresholds))],
        ["Atkinson aversion (epsilon)", opts.atkinson_epsilon],
        ["Kolm-Pollak kappa (per minute)", _cell(report_.kappa)],
        ["Kolm-Pollak aversion used to calibrate kappa", opts.kolm_pollak_aversion],
        ["Travel cost per mile (GBP)", opts.burden.cost_per_mile],
        ["Parking per visit (GBP)", opts.burden.parking_per_visit],
        ["CO2e per car km (kg)", opts.burden.co2e_kg_per_km],
        ["Fractions per linac a year", opts.capacity.fractions_per_linac_year],
        ["Staff per linac", "not set" if opts.capacity.staff_per_linac is None
         else opts.capacity.staff_per_linac],
        ["Road distances", "along the fastest routes" if report_.distances_known else "not computed"],
        [
            "Conventions",
            "Statistics exclude unreachable areas (reported separately); 'within 45' means "
            "<= 45 minutes; shares are of reachable demand; hours per course = fractions x 2 x "
            "mean one-way minutes / 60; IMD quintile = (decile + 1) // 2, 1 = most deprived.",
        ],
    ]
    rows += [[str(k), str(v)] for k, v in metadata.items()]
    rows.append([])
    rows.append(["Scenario", "Definition", "Open sites", "Hubs"])
    for sc in report_.scenarios:
        hubs = "; ".join(f"{net}: {', '.join(ids)}" for net, ids in sc.hubs.items())
        rows.append([sc.name, sc.describe(), ", ".join(sc.open_sites), hubs])
    return rows


def write_excel(
    report_: EquityReport, path: str | Path, *, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write the equity report as an Excel workbook, atomically.

    Parameters
    ----------
    report_
        The tables to write.
    path
        Destination ``.xlsx``.
    metadata
        Extra ``label -> text`` rows for the metadata sheet (data sources, attribution,
        network and speed model...).

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    fine = _fine_demand(report_)
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    _write_summary(ws, report_.summary, fine_demand=fine)
    for group_by in report_.group_bys:
        if group_by == "site":
            continue
        sheet = wb.create_sheet(SHEET_NAMES.get(group_by, group_by)[:31])
        _write_table(sheet, report_.breakdown(group_by).drop(columns="group_by"), fine_demand=fine)
    for title, frame in (
        ("Sites", report_.sites),
        ("Changes", report_.changes),
        ("Index changes", report_.index_changes),
        ("Site changes", report_.site_changes),
        ("Burden per course", report_.burden),
        ("Burden changes", report_.burden_changes),
        ("Capacity", report_.capacity),
        ("Capacity summary", report_.capacity_summary),
    ):
        _write_table(wb.create_sheet(title), frame, fine_demand=fine)
    meta = wb.create_sheet("Metadata")
    for row in _metadata_rows(report_, metadata or {}):
        meta.append([_cell(v) for v in row])
    for cell in meta[1]:
        cell.font = Font(bold=True)
    for row in meta.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    meta.column_dimensions["A"].width = 34
    meta.column_dimensions["B"].width = 100
    meta.column_dimensions["C"].width = 40
    meta.column_dimensions["D"].width = 40
    meta.freeze_panes = "A2"
    return atomic_write(path, lambda tmp: wb.save(tmp))


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write one table as UTF-8 CSV with a byte-order mark, atomically."""

    def _write(tmp: Path) -> None:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")

    return atomic_write(path, _write)


def area_results_geodataframe(report_: EquityReport, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the per-area results with each area's point, in EPSG:27700."""
    if not isinstance(areas, gpd.GeoDataFrame) or areas.crs is None:
        raise ExportError("The areas table has no geometry or CRS; cannot write a GeoPackage.")
    pts = areas.to_crs(schema.BNG) if areas.crs != schema.BNG else areas
    geom = pts.set_index(pts[schema.AREA_ID].astype(str)).geometry
    table = report_.areas
    try:
        geometry = geom.loc[table[schema.AREA_ID].to_numpy()].to_numpy()
    except KeyError as exc:
        raise ExportError(f"Areas missing from the areas table: {exc}.") from exc
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None else str(v))
    return gpd.GeoDataFrame(out, geometry=geometry, crs=schema.BNG)


def write_geopackage(report_: EquityReport, path: str | Path, *, areas: gpd.GeoDataFrame) -> Path:
    """Write per-area results as GeoPackage points (layer ``area_results``), atomically."""
    gdf = area_results_geodataframe(report_, areas)

    def _write(tmp: Path) -> None:
        gdf.to_file(tmp, driver="GPKG", layer=AREAS_LAYER, engine="pyogrio")

    return atomic_write(path, _write)


def _bind_csv(frame: pd.DataFrame, path: Path) -> Callable[[], Path]:
    return lambda: write_csv(frame, path)


def write_all(
    report_: EquityReport,
    out_dir: str | Path,
    *,
    areas: gpd.GeoDataFrame,
    metadata: Mapping[str, str],
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> list[Path]:
    """Write the workbook, one CSV per table, per-area CSV and GeoPackage, and a metadata note.

    CSV and GeoPackage files cannot carry a note of their own, so ``ATTRIBUTION.txt``
    beside them holds the metadata rows (sources, attribution, network, speed model,
    scenarios, software version).

    Parameters
    ----------
    report_
        The tables.
    out_dir
        Folder to write into (created if needed). Existing files of the same names are
        replaced only once their new version is complete.
    areas
        The areas GeoDataFrame the report was built from (for the GeoPackage points).
    metadata
        ``label -> text`` rows for the metadata sheet: data sources, attribution, network
        and speed model.
    progress, cancelled
        Optional hooks; cancelling stops between files (files already written stay).

    Returns
    -------
    list of Path
        Every file written, in order.
    """
    out = Path(out_dir)
    steps: list[tuple[str, Callable[[], Path]]] = [
        ("workbook", lambda: write_excel(report_, out / WORKBOOK_NAME, metadata=metadata)),
    ]
    for name, frame in report_.tables().items():
        steps.append((f"{name}.csv", _bind_csv(frame, out / f"{name}.csv")))
    steps.append((AREAS_CSV, lambda: write_csv(report_.areas, out / AREAS_CSV)))
    steps.append((AREAS_GPKG, lambda: write_geopackage(report_, out / AREAS_GPKG, areas=areas)))
    note = "".join(f"{k}: {v}\n" for k, v in metadata.items())
    steps.append((ATTRIBUTION_TXT, lambda: atomic_write_text(out / ATTRIBUTION_TXT, note)))
    written: list[Path] = []
    for i, (what, step) in enumerate(steps):
        check_cancelled(cancelled)
        report(progress, i / len(steps), f"Writing {what}")
        written.append(step())
    report(progress, 1.0, f"Wrote {len(written)} files to {out}")
    return written


__all__ = [
    "AREAS_CSV",
    "AREAS_GPKG",
    "AREAS_LAYER",
    "ATTRIBUTION_TXT",
    "WORKBOOK_NAME",
    "area_results_geodataframe",
    "label",
    "number_format",
    "write_all",
    "write_csv",
    "write_excel",
    "write_geopackage",
]
