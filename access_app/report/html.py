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

import base64
import html
import math
import platform
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from .. import __version__
from ..core import findings, schema
from ..core.progress import CancelFn, ProgressFn, check_cancelled, report
from ..core.tables import IMD_QUINTILE, EquityReport
from . import figures

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

IMD_LABELS = {1: "1 (most deprived)", 2: "2", 3: "3", 4: "4", 5: "5 (least deprived)"}

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


@dataclass(frozen=True)
class ReportContext:
    """What the report says about its inputs, apart from the tables.

    Attributes
    ----------
    title
        Heading of the page.
    metadata
        ``label -> text`` from :func:`access_app.core.pipeline.metadata` (road network,
        speed model, routing, sources).
    network_note
        How areas and sites were assigned to networks (with confidence, when known).
    attribution
        Data attribution text.
    scenario_file, scenario_sha256
        The scenario file and its SHA-256 (``None``: the default scenarios).
    command
        The command line that made the report.
    created
        Time stamp (UTC); now when ``None``.
    validation_note
        What is known of the travel times' accuracy (shown under Methods).
    map_scenario
        Scenario mapped against the baseline; the one with the largest mean increase
        when ``None``.
    sweep
        A sensitivity sweep (:class:`access_app.core.sweep.run.SweepRun`) of these
        scenarios, whose conclusions and intervals get their own section; ``None``: none.
    """

    title: str = "Radiotherapy travel and equity: scenario comparison"
    metadata: Mapping[str, str] = field(default_factory=dict)
    network_note: str = ""
    attribution: str = ""
    scenario_file: str | None = None
    scenario_sha256: str | None = None
    command: str = ""
    created: datetime | None = None
    validation_note: str = ""
    map_scenario: str | None = None
    sweep: object = None


# ------------------------------------------------------------------ small formatters


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(v: object, digits: int = 1, *, signed: bool = False, pct: bool = False, money: bool = False) -> str:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _e(v) if v is not None else "unknown"
    if math.isnan(x):
        return "unknown"
    if math.isinf(x):
        return "no linac" if x > 0 else "-"
    if pct:
        return f"{x * 100:+.{digits}f} pts" if signed else f"{x * 100:.{digits}f}%"
    if money:
        return f"{'+' if signed and x > 0 else ('-' if x < 0 else '')}£{abs(x):,.{digits}f}"
    return f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"


def _cls(v: float) -> str:
    if not isinstance(v, float | int) or not math.isfinite(v) or abs(v) < 1e-9:
        return "num"
    return "num up" if v > 0 else "num down"


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[tuple[str, str]]],
    *,
    numeric_from: int = 1,
    wide: Sequence[int] = (),
) -> str:
    """Return an HTML table; each cell is ``(text, css class)`` and already escaped.

    The first column is a label column (34 mm); columns in ``wide`` get 88 mm; the rest
    share what is left, so no table is wider than the page.
    """
    cols = "".join(
        '<col class="label">' if i == 0 else ('<col class="wide">' if i in wide else "<col>")
        for i in range(len(header))
    )
    th = "".join(
        f'<th class="{"num" if i >= numeric_from else ""}">{_e(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join("<tr>" + "".join(f'<td class="{c}">{t}</td>' for t, c in r) + "</tr>" for r in rows)
    return f"<table><colgroup>{cols}</colgroup><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _img(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _people(v: float) -> str:
    return "unknown" if not math.isfinite(v) else f"{v:,.0f}"


def _group_label(group_by: str, g: object) -> str:
    if group_by == IMD_QUINTILE:
        try:
            return IMD_LABELS.get(int(g), str(g))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return str(g)
    return str(g)


# ------------------------------------------------------------------ common-base tables


def common_mask(report_: EquityReport) -> np.ndarray:
    """Return, per area (row order of one scenario), whether it reaches a site in every scenario."""
    a = report_.areas
    ok = np.ones(int((a["scenario"] == report_.scenarios[0].name).sum()), dtype=bool)
    for sc in report_.scenarios:
        ok &= np.isfinite(a.loc[a["scenario"] == sc.name, "minutes"].to_numpy(dtype=float))
    return ok


def _scenario_areas(report_: EquityReport, name: str) -> pd.DataFrame:
    a = report_.areas
    return a[a["scenario"] == name].reset_index(drop=True)


def common_group_table(report_: EquityReport, group_by: str) -> pd.DataFrame:
    """Return mean minutes and share within 45 per group and scenario on the common base.

    Columns: ``group``, ``demand`` (common base, the baseline's weights), then per
    scenario ``<name>|mean``, ``<name>|within45``, ``<name>|no_site`` (demand of the
    group with no site in that scenario).
    """
    common = common_mask(report_)
    base = _scenario_areas(report_, report_.baseline)
    if group_by not in base.columns:
        return pd.DataFrame()
    keys = base[group_by].astype(object).where(base[group_by].notna(), "(missing)")
    out = (
        pd.DataFrame({"group": keys, "demand": np.where(common, base["demand"], 0.0)})
        .groupby("group", sort=True)["demand"]
        .sum()
        .to_frame()
    )
    for sc in report_.scenarios:
        s = _scenario_areas(report_, sc.name)
        w = s["demand"].to_numpy(dtype=float)
        m = s["minutes"].to_numpy(dtype=float)
        frame = (
            pd.DataFrame(
                {
                    "group": keys,
                    "wm": np.where(common, w * np.nan_to_num(m, posinf=0.0), 0.0),
                    "w": np.where(common, w, 0.0),
                    "w45": np.where(common & (m <= 45), w, 0.0),
                    "none": np.where(~np.isfinite(m), w, 0.0),
                }
            )
            .groupby("group", sort=True)
            .sum()
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{sc.name}|mean"] = frame["wm"] / frame["w"].where(frame["w"] > 0)
            out[f"{sc.name}|within45"] = frame["w45"] / frame["w"].where(frame["w"] > 0)
        out[f"{sc.name}|no_site"] = frame["none"]
    return out.reset_index()


# ------------------------------------------------------------------ sections


def _scenarios_section(report_: EquityReport) -> str:
    rows = []
    summ = report_.summary.set_index("scenario")
    for sc in report_.scenarios:
        r = summ.loc[sc.name]
        role = " (baseline)" if sc.name == report_.baseline else ""
        rows.append(
            [
                (f"<b>{_e(sc.name)}</b>{role}", ""),
                (_e(sc.describe()), ""),
                (str(int(r["open_sites"])), "num"),
                (_people(float(r["unreachable_demand"])), "num"),
            ]
        )
    o = report_.options
    cap = o.capacity
    staff = "not set (no workforce figures)" if cap.staff_per_linac is None else f"{cap.staff_per_linac:g}"
    assumptions = [
        (
            "Travel cost",
            f"£{o.burden.cost_per_mile:.2f} per mile (default: HMRC approved mileage allowance, "
            "45p per mile for the first 10,000 miles)",
        ),
        ("Parking", f"£{o.burden.parking_per_visit:.2f} per visit"),
        (
            "Emissions",
            f"{o.burden.co2e_kg_per_km:g} kg CO2e per car km (default: UK government GHG "
            "conversion factors 2024, average petrol car)",
        ),
        (
            "Linac throughput",
            f"{cap.fractions_per_linac_year:,.0f} fractions per linac a year (default: "
            "NRAG 2007 planning figure, lower end)",
        ),
        ("Staff per linac", staff),
        (
            "Course rate",
            "courses column " + repr(cap.courses_column)
            if cap.courses_column
            else (
                f"{cap.courses_per_100k:g} courses per 100,000 a year"
                if cap.courses_per_100k is not None
                else "the scenario's incidence rate, where given"
            ),
        ),
        ("Thresholds", ", ".join(f"{t} min" for t in o.thresholds)),
    ]
    return (
        _table(
            ["Scenario", "What it does", "Open sites", "No site (people)"], rows, numeric_from=2, wide=(1,)
        )
        + '<h3>Assumptions</h3><dl class="kv">'
        + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in assumptions)
        + "</dl>"
    )


def _findings_section(report_: EquityReport) -> str:
    found = findings.report_findings(report_)
    if not found:
        return "<p>Only one scenario: there is nothing to compare.</p>"
    parts = []
    for name, sentences in found.items():
        items = "".join(f"<li>{_e(s)}</li>" for s in sentences)
        parts.append(f'<h3>{_e(name)} against {_e(report_.baseline)}</h3><ul class="findings">{items}</ul>')
    parts.append(
        '<p class="note">Sentences are generated from the tables below; the words for sizes '
        "follow fixed thresholds (a change of up to 1 minute is \u201cabout the same\u201d, up to "
        "5 \u201cslightly\u201d, from 15 \u201cmuch\u201d).</p>"
    )
    return "".join(parts)


def _reach_section(report_: EquityReport) -> str:
    common = common_mask(report_)
    curves = {}
    for sc in report_.scenarios:
        s = _scenario_areas(report_, sc.name)
        curves[sc.name] = (
            s["minutes"].to_numpy(dtype=float)[common],
            s["demand"].to_numpy(dtype=float)[common],
        )
    demand = float(sum(curves[report_.baseline][1])) if report_.baseline in curves else 0.0
    png = figures.reach_curves(curves)
    return _img(
        png,
        "Share of people within x minutes, per scenario",
        f"Share of the same {demand:,.0f} people (those who reach a site in every scenario) "
        "within each one-way car time. Vertical lines: 45 (NRAG guideline), 60 and 90 minutes.",
    )


def _map_section(report_: EquityReport, dataset: object, ctx: ReportContext) -> str:
    areas = getattr(dataset, "areas", None)
    if areas is None or len(areas) == 0:
        return "<p>No area locations: maps are not drawn.</p>"
    pts = areas.to_crs(schema.BNG)
    geom = pts.geometry if (pts.geometry.geom_type == "Point").all() else pts.geometry.centroid
    xy = pd.DataFrame(
        {"x": geom.x.to_numpy(), "y": geom.y.to_numpy()}, index=pts[schema.AREA_ID].astype(str).to_numpy()
    )
    base = _scenario_areas(report_, report_.baseline)
    pos = xy.reindex(base[schema.AREA_ID].astype(str).to_numpy())
    x, y = pos["x"].to_numpy(), pos["y"].to_numpy()
    bounds = getattr(dataset, "boundaries", {}) or {}
    outline = [
        b.to_crs(schema.BNG) for k in ("england", "regions") if (b := bounds.get(k)) is not None and len(b)
    ]
    sites = getattr(dataset, "sites", None)
    site_xy = {}
    if sites is not None and len(sites):
        sp = sites.to_crs(schema.BNG)
        site_xy = dict(
            zip(sp[schema.SITE_ID].astype(str), zip(sp.geometry.x, sp.geometry.y, strict=True), strict=True)
        )

    def marks(ids: Sequence[str]) -> np.ndarray:
        pts_ = [site_xy[s] for s in ids if s in site_xy]
        return np.array(pts_, dtype=float).reshape(-1, 2)

    target = ctx.map_scenario or _largest_increase(report_)
    by = {s.name: s for s in report_.scenarios}
    parts = []
    base_sc = by[report_.baseline]
    base_min = base["minutes"].to_numpy(dtype=float)
    if target is not None and target in by and target != report_.baseline:
        sc = by[target]
        s = _scenario_areas(report_, target)
        parts.append(
            _img(
                figures.area_maps(
                    x,
                    y,
                    [
                        (report_.baseline, base_min, marks(base_sc.open_sites), marks(base_sc.hub_sites)),
                        (
                            target,
                            s["minutes"].to_numpy(dtype=float),
                            marks(sc.open_sites),
                            marks(sc.hub_sites),
                        ),
                    ],
                    kind="minutes",
                    boundaries=outline,
                ),
                f"Maps of travel time under {report_.baseline} and {target}",
                "One-way car minutes from each area (dots at population-weighted centroids) to its "
                f"assigned site, under the baseline <b>{_e(report_.baseline)}</b> (left) and "
                f"<b>{_e(target)}</b> (right). White circles: open sites; magenta rings: hubs; "
                "grey: no reachable site.",
            )
        )
        parts.append(
            _img(
                figures.area_map(
                    x,
                    y,
                    s["change_min"].to_numpy(dtype=float),
                    kind="change",
                    title=f"Change: {target} against {report_.baseline}",
                    boundaries=outline,
                    sites_xy=marks(sc.open_sites),
                ),
                f"Map of the change in travel time, {target} against {report_.baseline}",
                f"Change in one-way minutes, <b>{_e(target)}</b> minus <b>{_e(report_.baseline)}</b>: "
                "red longer, blue shorter, light grey within \u00b15 minutes; dark grey where either "
                "scenario has no site.",
            )
        )
    else:
        parts.append(
            _img(
                figures.area_map(
                    x,
                    y,
                    base_min,
                    kind="minutes",
                    title=f"{report_.baseline}: one-way minutes",
                    boundaries=outline,
                    sites_xy=marks(base_sc.open_sites),
                    hubs_xy=marks(base_sc.hub_sites),
                ),
                f"Map of travel time under {report_.baseline}",
                f"<b>{_e(report_.baseline)}</b>: car minutes from each area to its assigned site.",
            )
        )
    return "".join(parts)


def _largest_increase(report_: EquityReport) -> str | None:
    ch = report_.changes
    if ch is None or ch.empty:
        return None
    overall = ch[ch["group_by"] == "all"]
    if overall.empty:
        return None
    return str(overall.loc[overall["change_mean_min"].astype(float).idxmax(), "scenario"])


def _equity_section(report_: EquityReport) -> str:
    parts = []
    names = [s.name for s in report_.scenarios]
    base = report_.baseline
    titles = {
        IMD_QUINTILE: "By IMD quintile (deprivation, IMD 2019)",
        schema.URBAN_RURAL: "By urban/rural class",
        schema.NETWORK: "By network",
    }
    for group_by, title in titles.items():
        t = common_group_table(report_, group_by)
        if t.empty:
            continue
        header = ["Group", "People"] + [
            f"{n}: mean min" if n == base else f"{n}: mean (change)" for n in names
        ]
        rows = []
        for _, r in t.iterrows():
            row = [(_e(_group_label(group_by, r["group"])), ""), (_people(float(r["demand"])), "num")]
            b = float(r[f"{base}|mean"])
            for n in names:
                v = float(r[f"{n}|mean"])
                if n == base:
                    row.append((_num(v), "num"))
                else:
                    d = v - b
                    row.append((f"{_num(v)} ({_num(d, signed=True)})", _cls(d)))
            rows.append(row)
        parts.append(f"<h3>{_e(title)}: mean one-way minutes</h3>" + _table(header, rows))
        rows45 = [
            [(_e(_group_label(group_by, r["group"])), "")]
            + [(_num(float(r[f"{n}|within45"]), 0, pct=True), "num") for n in names]
            for _, r in t.iterrows()
        ]
        parts.append(f"<h3>{_e(title)}: share within 45 minutes</h3>" + _table(["Group", *names], rows45))
        none = t[[f"{n}|no_site" for n in names]].to_numpy(dtype=float)
        if (none != none[:, :1]).any():
            nrows = [
                [(_e(_group_label(group_by, r["group"])), "")]
                + [(_people(float(r[f"{n}|no_site"])), "num") for n in names]
                for _, r in t.iterrows()
            ]
            parts.append(
                '<p class="note">People with no reachable site in each scenario (not in the tables '
                "above):</p>" + _table(["Group", *[f"{n}: no site" for n in names]], nrows)
            )
        elif none[:, 0].sum() > 0:
            where = ", ".join(
                f"{_e(_group_label(group_by, g))} {v:,.0f}"
                for g, v in zip(t["group"], none[:, 0], strict=True)
                if v > 0
            )
            parts.append(
                f'<p class="note">No reachable site in any scenario (not in the tables above): {where}.</p>'
            )
    parts.append(
        '<p class="note">Means are demand-weighted one-way car minutes over the people who reach a site '
        "in every scenario, so every column describes the same people; changes are against "
        f"{_e(base)}. IMD quintile 1 is the most deprived fifth of areas in England.</p>"
    )
    return "".join(parts)


def _burden_section(report_: EquityReport) -> str:
    b = report_.burden
    if b is None or b.empty:
        return "<p>No burden figures.</p>"
    overall = b[b["group_by"] == "all"].set_index("scenario")
    ch = report_.burden_changes
    ch_all = ch[ch["group_by"] == "all"].set_index("scenario") if ch is not None and not ch.empty else None
    rows = []
    for sc in report_.scenarios:
        r = overall.loc[sc.name]
        row = [
            (_e(sc.name), ""),
            (str(sc.fractions), "num"),
            (_num(r["hours_per_course"]), "num"),
            (_num(r["miles_per_course"], 0), "num"),
            (_num(r["cost_per_course"], 0, money=True), "num"),
            (_num(r["co2e_kg_per_course"], 0), "num"),
        ]
        if ch_all is not None and sc.name in ch_all.index:
            c = ch_all.loc[sc.name]
            row += [
                (_num(c["hours_per_course_change"], signed=True), _cls(float(c["hours_per_course_change"]))),
                (
                    _num(c["miles_per_course_change"], 0, signed=True),
                    _cls(float(c["miles_per_course_change"])),
                ),
                (
                    _num(c["cost_per_course_change"], 0, signed=True, money=True),
                    _cls(float(c["cost_per_course_change"])),
                ),
            ]
        else:
            row += [("baseline" if sc.name == report_.baseline else "", "num"), ("", "num"), ("", "num")]
        rows.append(row)
    header = [
        "Scenario",
        "Fractions",
        "Hours",
        "Miles",
        "Cost",
        "kg CO2e",
        "Hours change",
        "Miles change",
        "Cost change",
    ]
    parts = [
        "<p>Per patient and course (every fraction a return car journey), demand-weighted means over "
        "the people who reach a site.</p>",
        _table(header, rows),
    ]
    if not report_.distances_known:
        parts.append(
            '<p class="note">No road distances were computed for this run: miles, cost and emissions '
            "are unknown.</p>"
        )
    if ch is not None and not ch.empty:
        for group_by, title in (
            (IMD_QUINTILE, "Change in cost per course by IMD quintile"),
            (schema.URBAN_RURAL, "Change in cost per course by urban/rural class"),
        ):
            part = ch[ch["group_by"] == group_by]
            if part.empty:
                continue
            groups = list(dict.fromkeys(part["group"].tolist()))
            others = [s.name for s in report_.scenarios if s.name != report_.baseline]
            grows = []
            for g in groups:
                row = [(_e(_group_label(group_by, g)), "")]
                for n in others:
                    hit = part[(part["scenario"] == n) & (part["group"].astype(object) == g)]
                    v = float(hit["cost_per_course_change"].iloc[0]) if len(hit) else math.nan
                    h = float(hit["hours_per_course_change"].iloc[0]) if len(hit) else math.nan
                    row.append((f"{_num(v, 0, signed=True, money=True)} ({_num(h, signed=True)} h)", _cls(v)))
                grows.append(row)
            parts.append(f"<h3>{_e(title)}</h3>" + _table(["Group", *others], grows))
    totals = overall[["co2e_t_per_year", "cost_per_year", "courses_per_year"]]
    if np.isfinite(totals.to_numpy(dtype=float)).any():
        trows = [
            [
                (_e(n), ""),
                (_num(r["courses_per_year"], 0), "num"),
                (_num(r["cost_per_year"], 0, money=True), "num"),
                (_num(r["co2e_t_per_year"], 1), "num"),
            ]
            for n, r in totals.iterrows()
        ]
        parts.append(
            "<h3>A year of courses</h3>"
            + _table(["Scenario", "Courses a year", "Patients' travel cost", "Tonnes CO2e"], trows)
        )
    return "".join(parts)


def _capacity_section(report_: EquityReport) -> str:
    cs = report_.capacity_summary
    if cs is None or cs.empty:
        return "<p>No capacity figures.</p>"
    staff = "extra_staff" in cs.columns
    rows = []
    for _, r in cs.iterrows():
        basis = str(r["course_basis"])
        basis = "unknown (no course rate)" if basis.startswith("unknown") else basis
        row = [
            (_e(r["scenario"]), ""),
            (_e(basis), ""),
            (_num(r["courses_per_year"], 0), "num"),
            (_num(r["fractions_per_year"], 0), "num"),
            (str(int(r["open_sites"])), "num"),
            (str(int(r["sites_over_capacity"])), "num"),
            (str(int(r["sites_unknown_linacs"])), "num"),
            (_num(r["extra_linacs"], 0), "num"),
        ]
        if staff:
            row.append((_num(r["extra_staff"], 0), "num"))
        rows.append(row)
    header = [
        "Scenario",
        "Courses from",
        "Courses a year",
        "Fractions a year",
        "Open sites",
        "Over capacity",
        "Linacs unknown",
        "Extra linacs",
    ] + (["Extra staff"] if staff else [])
    parts = [_table(header, rows, numeric_from=2)]
    cap = report_.capacity
    if (
        cap is not None
        and not cap.empty
        and np.isfinite(cap["fractions_per_year"].to_numpy(dtype=float)).any()
    ):
        top = cap[cap["utilisation"].astype(float) > 0].copy()
        top["_u"] = top["utilisation"].astype(float).replace(np.inf, 1e9)
        top = top.sort_values("_u", ascending=False).groupby("scenario", sort=False).head(5)
        srows = [
            [
                (_e(r["scenario"]), ""),
                (_e(r[schema.SITE_NAME] or r[schema.SITE_ID]), ""),
                (_num(r[schema.LINACS], 0), "num"),
                (_num(r["fractions_per_year"], 0), "num"),
                (_num(r["utilisation"], 1, pct=True), "num"),
                (_num(r["extra_linacs"], 0), "num"),
            ]
            for _, r in top.iterrows()
        ]
        if srows:
            parts.append(
                "<h3>Busiest sites for this service (up to 5 per scenario)</h3>"
                + _table(
                    ["Scenario", "Site", "Linacs", "Fractions a year", "Utilisation", "Extra linacs"],
                    srows,
                    numeric_from=2,
                )
            )
    if cs["course_basis"].astype(str).str.startswith("unknown").any():
        parts.append(
            '<p class="note">Courses are unknown where a scenario has no incidence rate: set '
            "<code>incidence_per_100k</code> in the scenario file or a course rate "
            "(<code>--courses-per-100k</code>) to judge capacity.</p>"
        )
    parts.append(
        '<p class="note">Utilisation is of the service in each scenario: for one less common cancer it is '
        "the share of a site's linac time that service would take, not the site's whole load. Sites "
        "whose linac count is unknown are shown as unknown, never as zero.</p>"
    )
    return "".join(parts)


def _sweep_section(run: object) -> str:
    """Return the sweep's conclusions (share of draws) and 5-95% intervals of the mean."""
    from access_app.core.sweep import results as sweep_results

    spec = getattr(run, "spec", None)
    n = int(getattr(spec, "draws", 0) or 0)
    mode = getattr(spec, "mode", "")
    conc = sweep_results.conclusion_table(run)  # type: ignore[arg-type]
    rows = [[(_e(r["conclusion"]), ""), (f"{int(r['holds'])} of {int(r['draws'])}", "num"),
             (_num(100 * float(r["share"]), 0) + "%", "num")] for _, r in conc.iterrows()]
    summary = sweep_results.summary_table(run, measures=("mean_min",))  # type: ignore[arg-type]
    irows = [[(_e(r["scenario"]), ""), (_num(r["median"]), "num"),
              (f"{_num(r['p5'])} to {_num(r['p95'])}", "num")] for _, r in summary.iterrows()]
    intro = (f"<p>The analysis was run again {n} times ({_e(mode)}) with the assumptions drawn "
             "from the ranges in the sweep file (road speeds, access legs, fractions, incidence, "
             "ferry times, uncertain network membership). A conclusion a board can rely on "
             "holds in (nearly) every draw.</p>")
    return (intro + _table(["Conclusion", "Draws where it holds", "Share"], rows)
            + "<h3>Mean one-way minutes: median and 5-95% of draws</h3>"
            + _table(["Scenario (or difference)", "Median", "5-95%"], irows))


def _methods_section(report_: EquityReport, ctx: ReportContext) -> str:
    meta = dict(ctx.metadata)
    road = meta.get("Road network", "not recorded")
    age = ""
    for year in ("2013", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025"):
        if year in road:
            age = f" The road data date from {year}; roads built or changed since are not in it."
            break
    items = [
        ("Road network", road + "." + age),
        ("Speed model", _speed_text(meta.get("Speed model", ""))),
        (
            "Access legs",
            "Each area and site joins the network at the best of its nearest nodes; the leg is "
            "straight-line distance x detour factor at an urban or rural access speed ("
            + meta.get("Routing", "default routing parameters")
            + ").",
        ),
        (
            "Distances",
            "Road km along the fastest route (the same route as the minutes), access legs included."
            if report_.distances_known
            else "Not computed for this run.",
        ),
        (
            "Validation",
            ctx.validation_note
            or (
                "The strategic network has no minor roads; access legs stand in for them, so short rural "
                "trips "
                "can be overstated and fast motorway trips understated. Check travel times against full road "
                "detail (a local OpenStreetMap extract) before relying on small differences."
            ),
        ),
        ("Networks", ctx.network_note or "not recorded"),
        (
            "Common base",
            "Scenario comparisons use the people who reach a site in every scenario; people with "
            "no reachable site in a scenario are counted on their own, never averaged in.",
        ),
        (
            "Sources",
            "; ".join(
                f"{k.removeprefix('Source: ')}: {v}" for k, v in meta.items() if k.startswith("Source: ")
            )
            or "not recorded",
        ),
    ]
    return '<dl class="kv">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items) + "</dl>"


def _speed_text(raw: str) -> str:
    """Return the speed model as "motorway 80/100, ... km/h (urban/rural)" when it is a class table."""
    import ast

    try:
        table = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        return raw or "not recorded"
    if isinstance(table, tuple) and table and isinstance(table[0], list):
        try:
            table = dict(table[0])
        except (TypeError, ValueError):
            return raw
    if isinstance(table, dict) and all(isinstance(v, tuple | list) and len(v) == 2 for v in table.values()):
        parts = [f"{k.replace('_', ' ')} {v[0]:g}/{v[1]:g}" for k, v in table.items()]
        return "Car speeds by road class, km/h urban/rural: " + ", ".join(parts) + "."
    return raw


def _reproducibility_section(ctx: ReportContext) -> str:
    created = (ctx.created or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    items = [
        ("Software", f"access-app {__version__}"),
        ("Python", f"{sys.version.split()[0]} on {platform.system()} {platform.machine()}"),
        ("Created", created),
        ("Scenario file", ctx.scenario_file or "the default scenarios (no file)"),
        ("Scenario file SHA-256", ctx.scenario_sha256 or "-"),
        ("Command", ctx.command or "-"),
    ]
    return (
        '<dl class="kv">'
        + "".join(f"<dt>{_e(k)}</dt><dd><code>{_e(v)}</code></dd>" for k, v in items)
        + "</dl>"
    )


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
        ("scenarios", lambda: _scenarios_section(report_)),
        ("findings", lambda: _findings_section(report_)),
        ("reach", lambda: _reach_section(report_)),
        ("maps", lambda: _map_section(report_, dataset, ctx)),
        ("equity", lambda: _equity_section(report_)),
        ("burden", lambda: _burden_section(report_)),
        ("capacity", lambda: _capacity_section(report_)),
        *([("sweep", lambda: _sweep_section(ctx.sweep))] if ctx.sweep is not None else []),
        ("methods", lambda: _methods_section(report_, ctx)),
        ("attribution", lambda: f"<p>{_e(ctx.attribution)}</p>"),
        ("reproducibility", lambda: _reproducibility_section(ctx)),
    ]
    titles = dict(SECTIONS)
    page_breaks = {"reach", "equity", "methods"}
    body = []
    for i, (sid, build) in enumerate(builders):
        check_cancelled(cancelled)
        report(progress, i / len(builders), f"Writing the report: {titles[sid]}")
        cls = ' class="page"' if sid in page_breaks else ""
        body.append(f'<section id="{sid}"{cls}><h2>{_e(titles[sid])}</h2>{build()}</section>')
    created = (ctx.created or datetime.now(UTC)).strftime("%d %B %Y")
    head = (
        f'<h1>{_e(ctx.title)}</h1><p class="lead">{len(report_.scenarios)} scenarios compared with '
        f"<b>{_e(report_.baseline)}</b>. Prepared {created} with access-app {__version__}.</p>"
    )
    report(progress, 1.0, "Report page ready")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(ctx.title)}</title><style>{CSS}</style></head><body>"
        + head
        + "".join(body)
        + "</body></html>\n"
    )


def _replace(ctx: ReportContext, **changes: object) -> ReportContext:
    from dataclasses import replace

    return replace(ctx, **changes)  # type: ignore[arg-type]


__all__ = ["SECTIONS", "ReportContext", "board_report_html", "common_group_table", "common_mask"]
