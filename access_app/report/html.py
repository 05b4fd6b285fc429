"""The board report as one self-contained HTML page (no Qt).

The page needs nothing outside itself: CSS is inline, figures are PNG data URIs, and it
contains no web address at all, so it opens the same offline, on a locked-down
workstation or as an e-mail attachment. :func:`board_report_html` returns the page; the
PDF is printed from the same file (:mod:`access_app.report.pdf`).

Sections, in order (their ids are :data:`SECTIONS`): scenarios and assumptions, key
findings, reach, maps, equity tables, burden per course, capacity, methods and
caveats, data attribution, reproducibility.

Every comparison table uses the **common base**: the areas that reach a site in every
scenario, so each column describes the same people; the demand with no site in a
scenario is a column of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from .. import __version__
from ..core.progress import CancelFn, ProgressFn, check_cancelled, report
from ..core.tables import EquityReport
from .common import common_group_table, common_mask
from .context import ReportContext
from .formatting import esc
from .sections import (
    burden_section,
    capacity_section,
    equity_section,
    findings_section,
    map_section,
    methods_section,
    reach_section,
    reproducibility_section,
    scenarios_section,
    sweep_section,
)

SECTIONS: tuple[tuple[str, str], ...] = (
    ("scenarios", "Scenarios and assumptions"),
    ("findings", "Key findings"),
    ("reach", "Reach: share within x minutes"),
    ("maps", "Maps"),
    ("equity", "Equity tables"),
    ("burden", "Burden per course"),
    ("capacity", "Capacity and workforce"),
    ("sweep", "Do the conclusions hold? Sensitivity sweep"),
    ("methods", "Methods and caveats"),
    ("attribution", "Data attribution"),
    ("reproducibility", "Reproducibility"),
)
"""Section ids and titles, in page order."""

OPTIONAL_SECTIONS: frozenset[str] = frozenset({"sweep"})
"""Sections shown only when there is something to show (a sweep of these scenarios)."""


CSS = """
@page { size: A4; margin: 14mm 13mm 16mm 13mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 9.5pt; color: #1a1a1a;
       line-height: 1.35; max-width: 184mm; margin: 0 auto; padding: 0; }
@media screen { body { padding: 8mm 4mm; } }
h1 { font-size: 18pt; margin: 0 0 2mm 0; color: #003d6b; }
h2 { font-size: 13pt; color: #003d6b; border-bottom: 1.5px solid #003d6b; padding-bottom: 1mm;
     margin: 7mm 0 3mm 0; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm 0; break-after: avoid; }
p.lead { font-size: 10.5pt; color: #333; margin-top: 0; }
section.page { break-before: page; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm 0; font-size: 8pt;
        break-inside: auto; table-layout: fixed; }
th { overflow-wrap: break-word; }
td { overflow-wrap: break-word; }
col.label { width: 34mm; } col.wide { width: 88mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border-bottom: 0.5px solid #c8c8c8; padding: 1.1mm 1.6mm; vertical-align: top; }
th { background: #e8eef4; text-align: left; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.up { color: #a50f15; } td.down { color: #08519c; }
ul.findings li { margin-bottom: 1.4mm; }
figure { margin: 2mm 0 4mm 0; break-inside: avoid; text-align: center; }
figure img { max-width: 100%; }
figcaption { font-size: 8.5pt; color: #444; text-align: left; margin-top: 1mm; }
.note { font-size: 8.5pt; color: #444; }
.box { background: #f5f7f9; border-left: 3px solid #003d6b; padding: 2mm 3mm; margin: 2mm 0; }
dl.kv { display: grid; grid-template-columns: 45mm 1fr; gap: 0.8mm 3mm; font-size: 8.5pt; margin: 0; }
dl.kv dt { font-weight: 600; } dl.kv dd { margin: 0; word-break: break-word; }
"""


# ------------------------------------------------------------------ small formatters


# ------------------------------------------------------------------ common-base tables


# ------------------------------------------------------------------ sections


def board_report_html(
    report_: EquityReport,
    dataset: object,
    *,
    context: ReportContext | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> str:
    """Return the board report as one self-contained HTML page.

    Parameters
    ----------
    report_
        The equity report (its burden and capacity tables are shown when present).
    dataset
        A :class:`~access_app.core.pipeline.Dataset` (areas and sites for the maps,
        boundaries, network note, attribution).
    context
        Titles, metadata and reproducibility details.
    progress, cancelled
        Progress and cancellation hooks.
    """
    ctx = context or ReportContext()
    if not ctx.network_note:
        ctx = _replace(ctx, network_note=str(getattr(dataset, "network_note", "")))
    if not ctx.attribution:
        ctx = _replace(ctx, attribution=str(getattr(dataset, "attribution", "")))
    builders: list[tuple[str, Callable[[], str]]] = [
        ("scenarios", lambda: scenarios_section(report_)),
        ("findings", lambda: findings_section(report_)),
        ("reach", lambda: reach_section(report_)),
        ("maps", lambda: map_section(report_, dataset, ctx)),
        ("equity", lambda: equity_section(report_)),
        ("burden", lambda: burden_section(report_)),
        ("capacity", lambda: capacity_section(report_)),
        *([("sweep", lambda: sweep_section(ctx.sweep))] if ctx.sweep is not None else []),
        ("methods", lambda: methods_section(report_, ctx)),
        ("attribution", lambda: f"<p>{esc(ctx.attribution)}</p>"),
        ("reproducibility", lambda: reproducibility_section(ctx)),
    ]
    titles = dict(SECTIONS)
    page_breaks = {"reach", "equity", "methods"}
    body = []
    for i, (sid, build) in enumerate(builders):
        check_cancelled(cancelled)
        report(progress, i / len(builders), f"Writing the report: {titles[sid]}")
        cls = ' class="page"' if sid in page_breaks else ""
        body.append(f'<section id="{sid}"{cls}><h2>{esc(titles[sid])}</h2>{build()}</section>')
    created = (ctx.created or datetime.now(UTC)).strftime("%d %B %Y")
    head = (
        f'<h1>{esc(ctx.title)}</h1><p class="lead">{len(report_.scenarios)} scenarios compared with '
        f"<b>{esc(report_.baseline)}</b>. Prepared {created} with access-app {__version__}.</p>"
    )
    report(progress, 1.0, "Report page ready")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(ctx.title)}</title><style>{CSS}</style></head><body>"
        + head
        + "".join(body)
        + "</body></html>\n"
    )


def _replace(ctx: ReportContext, **changes: object) -> ReportContext:
    from dataclasses import replace

    return replace(ctx, **changes)  # type: ignore[arg-type]


__all__ = ["SECTIONS", "ReportContext", "board_report_html", "common_group_table", "common_mask"]
