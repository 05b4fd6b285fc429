"""The board report's sections, each an HTML string built from the report's tables."""

from __future__ import annotations

import math
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from .. import __version__
from ..core import findings, schema
from ..core.tables import IMD_QUINTILE, EquityReport
from . import figures
from .common import common_group_table, common_mask, scenario_areas
from .context import ReportContext
from .formatting import (
    esc,
    figure_html,
    fmt_num,
    fmt_people,
    group_label,
    num_class,
    table_html,
)


def scenarios_section(report_: EquityReport) -> str:
    """Return the scenarios and assumptions section."""
    rows = []
    summ = report_.summary.set_index("scenario")
    for sc in report_.scenarios:
        r = summ.loc[sc.name]
        role = " (baseline)" if sc.name == report_.baseline else ""
        rows.append(
            [
                (f"<b>{esc(sc.name)}</b>{role}", ""),
                (esc(sc.describe()), ""),
                (str(int(r["open_sites"])), "num"),
                (fmt_people(float(r["unreachable_demand"])), "num"),
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
        table_html(
            ["Scenario", "What it does", "Open sites", "No site (people)"], rows, numeric_from=2, wide=(1,)
        )
        + '<h3>Assumptions</h3><dl class="kv">'
        + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in assumptions)
        + "</dl>"
    )


def findings_section(report_: EquityReport) -> str:
    """Return the key findings, written from the numbers."""
    found = findings.report_findings(report_)
    if not found:
        return "<p>Only one scenario: there is nothing to compare.</p>"
    parts = []
    for name, sentences in found.items():
        items = "".join(f"<li>{esc(s)}</li>" for s in sentences)
        parts.append(f'<h3>{esc(name)} against {esc(report_.baseline)}</h3><ul class="findings">{items}</ul>')
    parts.append(
        '<p class="note">Sentences are generated from the tables below; the words for sizes '
        "follow fixed thresholds (a change of up to 1 minute is \u201cabout the same\u201d, up to "
        "5 \u201cslightly\u201d, from 15 \u201cmuch\u201d).</p>"
    )
    return "".join(parts)


def reach_section(report_: EquityReport) -> str:
    """Return the reach section: the share of demand within each number of minutes."""
    common = common_mask(report_)
    curves = {}
    for sc in report_.scenarios:
        s = scenario_areas(report_, sc.name)
        curves[sc.name] = (
            s["minutes"].to_numpy(dtype=float)[common],
            s["demand"].to_numpy(dtype=float)[common],
        )
    demand = float(sum(curves[report_.baseline][1])) if report_.baseline in curves else 0.0
    png = figures.reach_curves(curves)
    return figure_html(
        png,
        "Share of people within x minutes, per scenario",
        f"Share of the same {demand:,.0f} people (those who reach a site in every scenario) "
        "within each one-way car time. Vertical lines: 45 (NRAG guideline), 60 and 90 minutes.",
    )


def map_section(report_: EquityReport, dataset: object, ctx: ReportContext) -> str:
    """Return the maps of the baseline, the mapped scenario and the change."""
    areas = getattr(dataset, "areas", None)
    if areas is None or len(areas) == 0:
        return "<p>No area locations: maps are not drawn.</p>"
    pts = areas.to_crs(schema.BNG)
    geom = pts.geometry if (pts.geometry.geom_type == "Point").all() else pts.geometry.centroid
    xy = pd.DataFrame(
        {"x": geom.x.to_numpy(), "y": geom.y.to_numpy()}, index=pts[schema.AREA_ID].astype(str).to_numpy()
    )
    base = scenario_areas(report_, report_.baseline)
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

    target = ctx.map_scenario or largest_increase(report_)
    by = {s.name: s for s in report_.scenarios}
    parts = []
    base_sc = by[report_.baseline]
    base_min = base["minutes"].to_numpy(dtype=float)
    if target is not None and target in by and target != report_.baseline:
        sc = by[target]
        s = scenario_areas(report_, target)
        parts.append(
            figure_html(
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
                f"assigned site, under the baseline <b>{esc(report_.baseline)}</b> (left) and "
                f"<b>{esc(target)}</b> (right). White circles: open sites; magenta rings: hubs; "
                "grey: no reachable site.",
            )
        )
        parts.append(
            figure_html(
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
                f"Change in one-way minutes, <b>{esc(target)}</b> minus <b>{esc(report_.baseline)}</b>: "
                "red longer, blue shorter, light grey within \u00b15 minutes; dark grey where either "
                "scenario has no site.",
            )
        )
    else:
        parts.append(
            figure_html(
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
                f"<b>{esc(report_.baseline)}</b>: car minutes from each area to its assigned site.",
            )
        )
    return "".join(parts)


def largest_increase(report_: EquityReport) -> str | None:
    """Return the scenario whose mean journey rises most against the baseline (``None``: none)."""
    ch = report_.changes
    if ch is None or ch.empty:
        return None
    overall = ch[ch["group_by"] == "all"]
    if overall.empty:
        return None
    return str(overall.loc[overall["change_mean_min"].astype(float).idxmax(), "scenario"])


def equity_section(report_: EquityReport) -> str:
    """Return the equity tables on the common base."""
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
            row = [(esc(group_label(group_by, r["group"])), ""), (fmt_people(float(r["demand"])), "num")]
            b = float(r[f"{base}|mean"])
            for n in names:
                v = float(r[f"{n}|mean"])
                if n == base:
                    row.append((fmt_num(v), "num"))
                else:
                    d = v - b
                    row.append((f"{fmt_num(v)} ({fmt_num(d, signed=True)})", num_class(d)))
            rows.append(row)
        parts.append(f"<h3>{esc(title)}: mean one-way minutes</h3>" + table_html(header, rows))
        rows45 = [
            [(esc(group_label(group_by, r["group"])), "")]
            + [(fmt_num(float(r[f"{n}|within45"]), 0, pct=True), "num") for n in names]
            for _, r in t.iterrows()
        ]
        parts.append(f"<h3>{esc(title)}: share within 45 minutes</h3>"
                     + table_html(["Group", *names], rows45))
        none = t[[f"{n}|no_site" for n in names]].to_numpy(dtype=float)
        if (none != none[:, :1]).any():
            nrows = [
                [(esc(group_label(group_by, r["group"])), "")]
                + [(fmt_people(float(r[f"{n}|no_site"])), "num") for n in names]
                for _, r in t.iterrows()
            ]
            parts.append(
                '<p class="note">People with no reachable site in each scenario (not in the tables '
                "above):</p>" + table_html(["Group", *[f"{n}: no site" for n in names]], nrows)
            )
        elif none[:, 0].sum() > 0:
            where = ", ".join(
                f"{esc(group_label(group_by, g))} {v:,.0f}"
                for g, v in zip(t["group"], none[:, 0], strict=True)
                if v > 0
            )
            parts.append(
                f'<p class="note">No reachable site in any scenario (not in the tables above): {where}.</p>'
            )
    parts.append(
        '<p class="note">Means are demand-weighted one-way car minutes over the people who reach a site '
        "in every scenario, so every column describes the same people; changes are against "
        f"{esc(base)}. IMD quintile 1 is the most deprived fifth of areas in England.</p>"
    )
    return "".join(parts)


def burden_section(report_: EquityReport) -> str:
    """Return the burden per course of treatment and its changes."""
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
            (esc(sc.name), ""),
            (str(sc.fractions), "num"),
            (fmt_num(r["hours_per_course"]), "num"),
            (fmt_num(r["miles_per_course"], 0), "num"),
            (fmt_num(r["cost_per_course"], 0, money=True), "num"),
            (fmt_num(r["co2e_kg_per_course"], 0), "num"),
        ]
        if ch_all is not None and sc.name in ch_all.index:
            c = ch_all.loc[sc.name]
            row += [
                (fmt_num(c["hours_per_course_change"], signed=True),
                 num_class(float(c["hours_per_course_change"]))),
                (
                    fmt_num(c["miles_per_course_change"], 0, signed=True),
                    num_class(float(c["miles_per_course_change"])),
                ),
                (
                    fmt_num(c["cost_per_course_change"], 0, signed=True, money=True),
                    num_class(float(c["cost_per_course_change"])),
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
        table_html(header, rows),
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
                row = [(esc(group_label(group_by, g)), "")]
                for n in others:
                    hit = part[(part["scenario"] == n) & (part["group"].astype(object) == g)]
                    v = float(hit["cost_per_course_change"].iloc[0]) if len(hit) else math.nan
                    h = float(hit["hours_per_course_change"].iloc[0]) if len(hit) else math.nan
                    text = f"{fmt_num(v, 0, signed=True, money=True)} ({fmt_num(h, signed=True)} h)"
                    row.append((text, num_class(v)))
                grows.append(row)
            parts.append(f"<h3>{esc(title)}</h3>" + table_html(["Group", *others], grows))
    totals = overall[["co2e_t_per_year", "cost_per_year", "courses_per_year"]]
    if np.isfinite(totals.to_numpy(dtype=float)).any():
        trows = [
            [
                (esc(n), ""),
                (fmt_num(r["courses_per_year"], 0), "num"),
                (fmt_num(r["cost_per_year"], 0, money=True), "num"),
                (fmt_num(r["co2e_t_per_year"], 1), "num"),
            ]
            for n, r in totals.iterrows()
        ]
        parts.append(
            "<h3>A year of courses</h3>"
            + table_html(["Scenario", "Courses a year", "Patients' travel cost", "Tonnes CO2e"], trows)
        )
    return "".join(parts)


def capacity_section(report_: EquityReport) -> str:
    """Return the linac capacity and workforce section."""
    cs = report_.capacity_summary
    if cs is None or cs.empty:
        return "<p>No capacity figures.</p>"
    staff = "extra_staff" in cs.columns
    rows = []
    for _, r in cs.iterrows():
        basis = str(r["course_basis"])
        basis = "unknown (no course rate)" if basis.startswith("unknown") else basis
        row = [
            (esc(r["scenario"]), ""),
            (esc(basis), ""),
            (fmt_num(r["courses_per_year"], 0), "num"),
            (fmt_num(r["fractions_per_year"], 0), "num"),
            (str(int(r["open_sites"])), "num"),
            (str(int(r["sites_over_capacity"])), "num"),
            (str(int(r["sites_unknown_linacs"])), "num"),
            (fmt_num(r["extra_linacs"], 0), "num"),
        ]
        if staff:
            row.append((fmt_num(r["extra_staff"], 0), "num"))
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
    parts = [table_html(header, rows, numeric_from=2)]
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
                (esc(r["scenario"]), ""),
                (esc(r[schema.SITE_NAME] or r[schema.SITE_ID]), ""),
                (fmt_num(r[schema.LINACS], 0), "num"),
                (fmt_num(r["fractions_per_year"], 0), "num"),
                (fmt_num(r["utilisation"], 1, pct=True), "num"),
                (fmt_num(r["extra_linacs"], 0), "num"),
            ]
            for _, r in top.iterrows()
        ]
        if srows:
            parts.append(
                "<h3>Busiest sites for this service (up to 5 per scenario)</h3>"
                + table_html(
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


def sweep_section(run: object) -> str:
    """Return the sweep's conclusions (share of draws) and 5-95% intervals of the mean."""
    from access_app.core.sweep import results as sweep_results

    spec = getattr(run, "spec", None)
    n = int(getattr(spec, "draws", 0) or 0)
    mode = getattr(spec, "mode", "")
    conc = sweep_results.conclusion_table(run)  # type: ignore[arg-type]
    rows = [[(esc(r["conclusion"]), ""), (f"{int(r['holds'])} of {int(r['draws'])}", "num"),
             (fmt_num(100 * float(r["share"]), 0) + "%", "num")] for _, r in conc.iterrows()]
    summary = sweep_results.summary_table(run, measures=("mean_min",))  # type: ignore[arg-type]
    irows = [[(esc(r["scenario"]), ""), (fmt_num(r["median"]), "num"),
              (f"{fmt_num(r['p5'])} to {fmt_num(r['p95'])}", "num")] for _, r in summary.iterrows()]
    intro = (f"<p>The analysis was run again {n} times ({esc(mode)}) with the assumptions drawn "
             "from the ranges in the sweep file (road speeds, access legs, fractions, incidence, "
             "ferry times, uncertain network membership). A conclusion a board can rely on "
             "holds in (nearly) every draw.</p>")
    return (intro + table_html(["Conclusion", "Draws where it holds", "Share"], rows)
            + "<h3>Mean one-way minutes: median and 5-95% of draws</h3>"
            + table_html(["Scenario (or difference)", "Median", "5-95%"], irows))


def methods_section(report_: EquityReport, ctx: ReportContext) -> str:
    """Return the methods and caveats section."""
    meta = dict(ctx.metadata)
    road = meta.get("Road network", "not recorded")
    age = ""
    for year in ("2013", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025"):
        if year in road:
            age = f" The road data date from {year}; roads built or changed since are not in it."
            break
    items = [
        ("Road network", road + "." + age),
        ("Speed model", speed_text(meta.get("Speed model", ""))),
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
    return '<dl class="kv">' + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def speed_text(raw: str) -> str:
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


def reproducibility_section(ctx: ReportContext) -> str:
    """Return the reproducibility block: versions, inputs, command, time."""
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
        + "".join(f"<dt>{esc(k)}</dt><dd><code>{esc(v)}</code></dd>" for k, v in items)
        + "</dl>"
    )
