"""Write the board-ready Excel workbook of an :class:`~access_app.core.tables.EquityReport`.

What a board reader gets:

- **Summary**: one column per scenario, one row per measure, then one change column per
  scenario against the baseline (signed formats: ``+2.1``, ``-0.4%``).
- One sheet per breakdown (IMD quintile and decile, urban/rural, RUC class, network,
  region, ICB), then sites, changes, index changes and site changes, burden per course and
  its changes, capacity and the capacity summary, and the metadata.
- Labels, not codes: IMD groups read ``1 (most deprived)`` ... ``5 (least deprived)``
  (deciles ``1 (most deprived)`` ... ``10 (least deprived)``), assignment rules read as in
  :data:`~access_app.core.scenarios.RULE_LABELS`, breakdowns by their sheet name.
- Numbers rounded to the precision their format shows (minutes to 0.1, shares to 0.1%,
  people to 1, indices to 0.0001); the tidy CSVs keep full precision.
- Print set-up on every sheet: landscape A4, fitted to the page width, header row and
  label columns repeated on every page, page numbers in the footer, frozen panes,
  column widths from the content.
- User text that a spreadsheet would run as a formula (a name starting with ``=``,
  ``+``, ``-``, ``@``, tab or carriage return) is written as a quoted string cell, never
  as a formula (:mod:`access_app.core.export.safety`).

The workbook is built with openpyxl's write-only mode (rows streamed to the file, no
per-cell object tree), so widths and print settings are fixed before the rows go in.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..atomic import atomic_write
from ..tables import EquityReport
from .labels import (
    SHEET_NAMES,
    change_format,
    digits,
    group_label,
    grouping_label,
    label,
    number_format,
    rule_label,
)
from .safety import is_risky

_KEY_COLUMNS = frozenset(
    {"scenario", "baseline", "group_by", "group", "site_id", "site_name", "network", "measure"}
)
"""Columns that say what a row is about: kept on screen (frozen) and repeated in print."""

_MAX_WIDTH = 48
_HEADER_WRAP = 10
_LINE_HEIGHT = 15.0  # points per line of 11 pt Calibri, Excel's default row height


def _lines(text: str, width: float) -> int:
    """Return how many lines ``text`` takes when wrapped at word boundaries in ``width`` characters."""
    # A column width counts "0" digits; running text averages a little narrower.
    chars = max(int(width * 1.2) - 1, 1)
    lines, used = 1, 0
    for word in str(text).split():
        n = len(word)
        if used and used + 1 + n <= chars:
            used += 1 + n
        elif not used and n <= chars:
            used = n
        else:
            lines += 1 if used else 0
            lines += (n - 1) // chars  # a word longer than the line is broken
            used = (n - 1) % chars + 1
    return lines


def _row_height(texts: Sequence[tuple[Any, float]]) -> float | None:
    """Return the height a row of wrapped texts needs, or ``None`` when one line is enough."""
    lines = max([_lines(str(t), w) for t, w in texts if isinstance(t, str)] + [1])
    return _LINE_HEIGHT * lines if lines > 1 else None


def plain_value(value: Any, *, fmt: str | None = None) -> Any:
    """Return a cell value openpyxl can write, rounded to what ``fmt`` shows.

    ``None``, ``pd.NA``, NaN and infinities become empty cells; booleans become "yes" /
    "no"; numpy scalars become Python numbers.
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.bool_ | bool):
        return "yes" if bool(value) else "no"
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            return None
        places = digits(fmt)
        if places is None:
            return v
        v = round(v, places)
        return int(v) if places == 0 else v
    return value


class _Cells:
    """Make write-only cells with shared style objects (one font/alignment per sheet)."""

    def __init__(self, ws: Any) -> None:
        from openpyxl.styles import Alignment, Font

        self.ws = ws
        self.bold = Font(bold=True)
        self.top_wrap = Alignment(wrap_text=True, vertical="top")

    def make(self, value: Any, *, fmt: str | None = None, header: bool = False, wrap: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell

        value = plain_value(value, fmt=fmt)
        risky = isinstance(value, str) and is_risky(value)
        if not (fmt or header or wrap or risky):
            return value
        cell = WriteOnlyCell(self.ws, value=value)
        if risky:
            # Text, never a formula: openpyxl would otherwise store "=..." as a formula.
            cell.data_type = "s"
            cell.quotePrefix = True
        if fmt and isinstance(value, int | float):
            cell.number_format = fmt
        if header:
            cell.font = self.bold
        if header or wrap:
            cell.alignment = self.top_wrap
        return cell

    def number_cell(self, fmt: str | None) -> Any:
        """Return a reusable cell carrying number format ``fmt`` (``None`` when there is none)."""
        from openpyxl.cell import WriteOnlyCell

        if fmt is None:
            return None
        cell = WriteOnlyCell(self.ws)
        cell.number_format = fmt
        return cell

    def fast(self, value: Any, fmt: str | None, proto: Any) -> Any:
        """Return what to append for one cell of a table row, reusing ``proto`` for numbers.

        A write-only sheet writes a row out when it is appended, so the column's one
        formatted cell can carry the next row's number: no cell object or style lookup per
        number.
        """
        v = plain_value(value, fmt=fmt)
        if proto is not None and isinstance(v, int | float) and not isinstance(v, bool):
            proto.value = v
            return proto
        if isinstance(v, str) and is_risky(v):
            return self.make(v)
        return v


def _print_setup(ws: Any, *, label_columns: int, header_rows: int = 1) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (ECMA-376 paper size code)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_title_rows = f"1:{header_rows}"
    if label_columns:
        ws.print_title_cols = f"A:{get_column_letter(label_columns)}"
    ws.oddHeader.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    ws.freeze_panes = f"{get_column_letter(label_columns + 1)}{header_rows + 1}"


def _width(texts: Sequence[Any], header: str) -> float:
    longest = max([len(str(t)) for t in texts if t is not None] + [6])
    # Headers wrap (about _HEADER_WRAP characters a line) but no word is broken.
    head = max([min(len(header), _HEADER_WRAP), *(len(w) for w in header.split())])
    return float(min(max(longest, head) + 2, _MAX_WIDTH))


def _shown(value: Any, fmt: str | None) -> str:
    """Return roughly the text Excel shows for a value (for column widths)."""
    v = plain_value(value, fmt=fmt)
    if isinstance(v, float) and fmt:
        places = digits(fmt) or 0
        if "%" in fmt:
            return f"{v * 100:,.{max(places - 2, 0)}f}%"
        return f"{v:,.{places}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return "" if v is None else str(v)


def _display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the table as a reader sees it: rule, breakdown and IMD group labels."""
    out = frame.copy()
    if "rule" in out:
        out["rule"] = out["rule"].map(rule_label)
    if "group" in out and "group_by" in out:
        out["group"] = [group_label(str(g), v) for g, v in zip(out["group_by"], out["group"], strict=True)]
        out["group_by"] = out["group_by"].map(grouping_label)
    return out


def _label_columns(columns: Sequence[str]) -> int:
    n = 0
    for col in columns:
        if col not in _KEY_COLUMNS:
            break
        n += 1
    return n


def _write_table(
    wb: Any,
    title: str,
    frame: pd.DataFrame,
    *,
    fine_demand: bool,
    group_by: str | None = None,
    row_format: Callable[[int, str], str | None] | None = None,
) -> None:
    """Append one sheet holding ``frame`` with labels, formats, widths and print set-up."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title[:31])
    cells = _Cells(ws)
    shown = _display_frame(frame)
    if group_by is not None and "group" in shown:
        shown["group"] = shown["group"].map(lambda v: group_label(group_by, v))
    columns = [str(c) for c in frame.columns]
    formats = {c: number_format(c, fine_demand=fine_demand) for c in columns}
    headers = [label(c) for c in columns]
    sample = shown.head(300)
    widths = []
    for j, col in enumerate(columns, start=1):
        texts = [_shown(v, formats[col]) for v in sample[col].tolist()]
        widths.append(_width(texts, headers[j - 1]))
        ws.column_dimensions[get_column_letter(j)].width = widths[-1]
    keys = _label_columns(columns)
    _print_setup(ws, label_columns=keys)
    head_height = _row_height(list(zip(headers, widths, strict=True)))
    if head_height:
        ws.row_dimensions[1].height = head_height
    ws.append([cells.make(h, header=True) for h in headers])
    fmts = [formats[c] for c in columns]
    protos = [cells.number_cell(f) for f in fmts]
    for pos, values in enumerate(shown.itertuples(index=False, name=None)):
        if row_format is None:
            ws.append([cells.fast(v, f, p) for v, f, p in zip(values, fmts, protos, strict=True)])
        else:
            row_fmts = [row_format(pos, c) or f for c, f in zip(columns, fmts, strict=True)]
            ws.append([cells.make(v, fmt=f) for v, f in zip(values, row_fmts, strict=True)])


def _write_summary(wb: Any, summary: pd.DataFrame, *, baseline: str, fine_demand: bool) -> None:
    """Write the Summary sheet: scenarios side by side, then their change against the baseline."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet("Summary")
    cells = _Cells(ws)
    names = [str(n) for n in summary["scenario"].tolist()]
    base_row = summary.index[summary["scenario"].astype(str) == baseline]
    base = summary.loc[base_row[0]] if len(base_row) else None
    others = [i for i, n in enumerate(names) if n != baseline] if base is not None else []
    change_heads = [f"Change: {names[i]}" for i in others]
    measures = [c for c in summary.columns if c != "scenario"]
    rows: list[list[Any]] = []
    raw_texts: list[list[str]] = []
    texts_per_col: list[list[str]] = [[] for _ in range(1 + len(names) + len(others))]
    for col in measures:
        fmt = number_format(str(col), fine_demand=fine_demand)
        values = summary[col].map(rule_label).tolist() if col == "rule" else summary[col].tolist()
        row: list[Any] = [cells.make(label(str(col)), wrap=True)]
        row += [cells.make(v, fmt=fmt, wrap=isinstance(v, str)) for v in values]
        texts_per_col[0].append(label(str(col)))
        raw_texts.append([v if isinstance(v, str) else "" for v in values])
        for j, v in enumerate(values, start=1):
            texts_per_col[j].append(_shown(v, fmt))
        numeric = fmt is not None or pd.api.types.is_numeric_dtype(summary[col])
        for k, i in enumerate(others, start=1 + len(names)):
            if numeric and base is not None and col != "fractions":
                delta = _difference(values[i], base[col])
                cfmt = change_format(fmt) if fmt else None
                row.append(cells.make(delta, fmt=cfmt))
                texts_per_col[k].append(_shown(delta, cfmt))
            else:
                row.append(None)
        rows.append(row)
    heads = ["Measure", *names, *change_heads]
    widths = [float(min(max(map(len, texts_per_col[0])) + 2, 60))]
    for j in range(2, len(heads) + 1):
        longest = max([len(t) for t in texts_per_col[j - 1] if len(t) <= 24] + [10])
        head = max([min(len(heads[j - 1]), 14), *(len(w) for w in heads[j - 1].split())])
        floor = 18 if j <= len(names) + 1 else 12  # scenario columns hold the text rows too
        widths.append(float(min(max(longest, head, floor) + 2, 28)))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    _print_setup(ws, label_columns=1)
    for i, texts in enumerate([heads, *([str(label(str(c))), *vals] for c, vals in
                                         zip(measures, raw_texts, strict=True))], start=1):
        height = _row_height(list(zip(texts, widths, strict=False)))
        if height:
            ws.row_dimensions[i].height = height
    ws.append([cells.make(h, header=True) for h in heads])
    for row in rows:
        ws.append(row)


def _difference(value: Any, base: Any) -> float | None:
    try:
        v, b = float(value), float(base)
    except (TypeError, ValueError):
        return None
    if math.isnan(v) or math.isnan(b):
        return None
    return v - b


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
        ["Kolm-Pollak kappa (per minute)", plain_value(report_.kappa)],
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
            "mean one-way minutes / 60; IMD quintile = (decile + 1) // 2, 1 = most deprived. "
            "Numbers in this workbook are rounded to the precision shown; the CSV files keep "
            "full precision.",
        ],
    ]
    rows += [[str(k), str(v)] for k, v in metadata.items()]
    rows.append([])
    rows.append(["Scenario", "Definition", "Open sites", "Hubs"])
    for sc in report_.scenarios:
        hubs = "; ".join(f"{net}: {', '.join(ids)}" for net, ids in sc.hubs.items())
        rows.append([sc.name, sc.describe(), ", ".join(sc.open_sites), hubs])
    return rows


def _write_metadata(wb: Any, report_: EquityReport, metadata: Mapping[str, str]) -> None:
    ws = wb.create_sheet("Metadata")
    cells = _Cells(ws)
    widths = (34.0, 90.0, 40.0, 40.0)
    for letter, width in zip("ABCD", widths, strict=True):
        ws.column_dimensions[letter].width = width
    _print_setup(ws, label_columns=1)
    rows = _metadata_rows(report_, metadata)
    for i, row in enumerate(rows, start=1):
        # Set before the rows go in: a write-only sheet writes each row as it is appended.
        height = _row_height([(str(v), w) for v, w in zip(row, widths, strict=False) if v is not None])
        if height:
            ws.row_dimensions[i].height = height
    for i, row in enumerate(rows):
        heading = i == 0 or (len(row) == 4 and row[0] == "Scenario" and row[1] == "Definition")
        ws.append([cells.make(v, header=heading, wrap=True) for v in row])


def _fine_demand(report_: EquityReport) -> bool:
    return any(s.incidence_per_100k is not None for s in report_.scenarios)


def build_workbook(report_: EquityReport, *, metadata: Mapping[str, str] | None = None) -> Any:
    """Return the equity report as an unsaved write-only openpyxl ``Workbook``."""
    from openpyxl import Workbook

    fine = _fine_demand(report_)
    wb = Workbook(write_only=True)
    _write_summary(wb, report_.summary, baseline=report_.baseline, fine_demand=fine)
    for group_by in report_.group_bys:
        if group_by == "site":
            continue
        frame = report_.breakdown(group_by).drop(columns="group_by")
        _write_table(wb, SHEET_NAMES.get(group_by, group_by), frame, fine_demand=fine, group_by=group_by)
    _write_table(wb, "Sites", report_.sites, fine_demand=fine)
    _write_table(wb, "Changes", report_.changes, fine_demand=fine)
    index_changes = report_.index_changes.copy()
    codes = [str(m) for m in index_changes.get("measure", pd.Series(dtype=object)).tolist()]
    if "measure" in index_changes:
        index_changes["measure"] = [label(m) for m in codes]
    _write_table(wb, "Index changes", index_changes, fine_demand=fine, row_format=_index_format_for(codes))
    _write_table(wb, "Site changes", report_.site_changes, fine_demand=fine)
    _write_table(wb, "Burden per course", report_.burden, fine_demand=fine)
    _write_table(wb, "Burden changes", report_.burden_changes, fine_demand=fine)
    _write_table(wb, "Capacity", report_.capacity, fine_demand=fine)
    _write_table(wb, "Capacity summary", report_.capacity_summary, fine_demand=fine)
    _write_metadata(wb, report_, metadata or {})
    return wb


def _index_format_for(codes: Sequence[str]) -> Callable[[int, str], str | None]:
    """Return the formats of the index-changes value columns, by the measure of each row."""

    def fmt(pos: int, column: str) -> str | None:
        base = number_format(str(codes[pos])) or "0.0000"
        if column in ("baseline_value", "value"):
            return base
        return change_format(base) if column == "change" else None

    return fmt


def write_excel(
    report_: EquityReport, path: str | Path, *, metadata: Mapping[str, str] | None = None
) -> Path:
    """Write the equity report as a board-ready Excel workbook, atomically.

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
    wb = build_workbook(report_, metadata=metadata)
    try:
        return atomic_write(path, lambda tmp: wb.save(tmp))
    except BaseException:
        _discard_workbook(wb)
        raise


def _discard_workbook(wb: Any) -> None:
    """Close the sheet streams of a workbook whose save failed and remove their temporary files."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()
        with contextlib.suppress(Exception):
            if writer is not None:
                writer.cleanup()


__all__ = ["build_workbook", "plain_value", "write_excel"]
