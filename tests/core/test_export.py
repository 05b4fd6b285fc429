"""Excel, CSV and GeoPackage exports: real numbers, formats and atomic writes."""

from __future__ import annotations

import csv

import geopandas as gpd
import numpy as np
import pytest
from openpyxl import load_workbook
from test_tables_fixtures import make_areas, make_matrix, make_sites

from access_app import __version__
from access_app.core import atomic, export
from access_app.core.errors import Cancelled, ExportError
from access_app.core.scenarios import Scenario, assign_all, default_scenarios
from access_app.core.tables import build_report

META = {"Attribution": "Contains OS data (c) Crown copyright", "Speed model": "UK defaults"}


@pytest.fixture(scope="module")
def areas():
    return make_areas()


@pytest.fixture(scope="module")
def report(areas):
    sites = make_sites()
    scs = [*default_scenarios(sites), Scenario("S4 only", open_sites=("S4",))]
    return build_report(assign_all(areas, sites, make_matrix(), scs), areas, sites)


@pytest.fixture(scope="module")
def written(report, areas, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    seen = []
    files = export.write_all(
        report, out, areas=areas, metadata=META, progress=lambda f, m: seen.append((f, m))
    )
    return out, files, seen


def test_write_all_lists_every_file(written):
    out, files, seen = written
    names = sorted(p.name for p in files)
    assert names == sorted(
        [
            "equity_report.xlsx",
            "summary.csv",
            "summary_long.csv",
            "groups.csv",
            "sites.csv",
            "changes.csv",
            "index_changes.csv",
            "site_changes.csv",
            "burden.csv",
            "burden_changes.csv",
            "capacity.csv",
            "capacity_summary.csv",
            "area_results.csv",
            "area_results.gpkg",
            "ATTRIBUTION.txt",
            "export_manifest.json",
        ]
    )
    assert files[-1].name == "export_manifest.json"  # written last
    assert sorted(p.name for p in out.iterdir()) == names  # no temporary files or staging
    assert seen[-1][0] == 1.0


def test_workbook_summary_side_by_side(written):
    out, _, _ = written
    wb = load_workbook(out / "equity_report.xlsx")
    assert wb.sheetnames == [
        "Summary",
        "IMD decile",
        "IMD quintile",
        "Urban-rural",
        "RUC class",
        "Network",
        "Region",
        "ICB",
        "Sites",
        "Changes",
        "Index changes",
        "Site changes",
        "Burden per course",
        "Burden changes",
        "Capacity",
        "Capacity summary",
        "Metadata",
    ]
    ws = wb["Summary"]
    assert [c.value for c in ws[1]] == [
        "Measure",
        "Status quo",
        "Status quo (all sites)",
        "Networked",
        "Centralised",
        "S4 only",
        "Change: Status quo (all sites)",
        "Change: Networked",
        "Change: Centralised",
        "Change: S4 only",
    ]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    mean = rows["Mean minutes"]
    assert [c.value for c in mean[1:4]] == [28.5, 27.5, 34.5]
    assert mean[1].number_format == "0.0"
    share = rows["Share within 45 min"]
    assert share[3].value == pytest.approx(0.6) and share[3].number_format == "0.0%"
    assert rows["Unreachable demand"][5].value == 200
    assert rows["Unreachable demand"][5].number_format == "#,##0"
    assert rows["Gini"][1].number_format == "0.0000"
    assert ws.freeze_panes == "B2"


def test_workbook_breakdowns_changes_and_metadata(written):
    out, _, _ = written
    wb = load_workbook(out / "equity_report.xlsx")
    q = wb["IMD quintile"]
    header = [c.value for c in q[1]]
    assert header[:3] == ["Scenario", "Group", "Share of demand"]
    first = [c.value for c in q[2]]
    assert first[0:2] == ["Status quo", "1 (most deprived)"]
    assert first[header.index("Mean minutes")] == 20.0
    assert q.freeze_panes == "C2"  # scenario and group stay in view
    assert q.column_dimensions["A"].width >= 12
    ch = wb["Changes"]
    header = [c.value for c in ch[1]]
    net = next(r for r in ch.iter_rows(min_row=2, values_only=True) if r[0] == "Networked")
    assert net[header.index("Demand pushed past 45 min")] == 400
    assert net[header.index("Change in mean minutes")] == pytest.approx(6.0)
    sites = wb["Sites"]
    header = [c.value for c in sites[1]]
    s3 = next(r for r in sites.iter_rows(min_row=2, values_only=True) if r[1] == "S3")
    assert s3[header.index("Demand per linac")] == 200
    meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(values_only=True) if r and r[0]}
    assert meta["Software"] == f"access-app {__version__}"
    assert meta["Attribution"] == META["Attribution"]
    assert meta["Speed model"] == "UK defaults"
    assert "nearest hub of the area's own network" in meta["Centralised"]
    assert meta["Baseline scenario"] == "Status quo"


def test_csv_tables_have_bom_and_real_numbers(written, report):
    out, _, _ = written
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["scenario"] for r in rows][:2] == ["Status quo", "Status quo (all sites)"]
    assert float(rows[0]["mean_min"]) == 28.5
    with (out / "area_results.csv").open(encoding="utf-8-sig", newline="") as fh:
        area_rows = list(csv.DictReader(fh))
    assert len(area_rows) == len(report.areas) == 30


def test_geopackage_points(written):
    out, _, _ = written
    gdf = gpd.read_file(out / "area_results.gpkg", layer="area_results")
    assert gdf.crs.to_epsg() == 27700
    assert len(gdf) == 30 and (gdf.geom_type == "Point").all()
    row = gdf[(gdf.area_id == "A3") & (gdf.scenario == "Networked")].iloc[0]
    assert row.minutes == 50.0 and row.change_min == 15.0
    assert row.geometry.x == 402000.0


def test_failed_write_keeps_previous_file(tmp_path):
    target = tmp_path / "summary.csv"
    target.write_text("good old file", encoding="utf-8")

    def half_then_fail(tmp):
        tmp.write_text("half a fi", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(ExportError, match="disk full.*previous file is unchanged"):
        atomic.atomic_write(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "good old file"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"]


def test_failed_workbook_keeps_previous_workbook(report, tmp_path, monkeypatch):
    path = export.write_excel(report, tmp_path / "r.xlsx", metadata=META)
    before = path.read_bytes()
    import openpyxl.workbook.workbook as wbmod

    def broken_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"PK\x03\x04 truncated")
        raise RuntimeError("interrupted")

    monkeypatch.setattr(wbmod.Workbook, "save", broken_save)
    with pytest.raises(ExportError, match="interrupted"):
        export.write_excel(report, path, metadata=META)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_cancel_stops_between_files(report, areas, tmp_path):
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        export.write_all(report, tmp_path, areas=areas, metadata=META, cancelled=cancelled)
    assert len(calls) == 3  # stopped before the third file
    # Nothing of the unfinished set reaches the folder (no old set here: it stays empty).
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_cancel_inside_writer_passes_through_and_cleans(tmp_path):
    def cancelled_writer(tmp):
        tmp.write_text("x")
        raise Cancelled("stop")

    with pytest.raises(Cancelled):
        atomic.atomic_write(tmp_path / "a.csv", cancelled_writer)
    assert not list(tmp_path.iterdir())


def test_geopackage_needs_geometry(report, areas, tmp_path):
    with pytest.raises(ExportError, match="no geometry"):
        export.write_geopackage(report, tmp_path / "a.gpkg", areas=areas.drop(columns="geometry"))


def test_incidence_demand_uses_decimal_format(areas, tmp_path):
    sites = make_sites()
    sc = Scenario("Rare", open_sites=("S1", "S3"), incidence_per_100k=2.0)
    rep = build_report(assign_all(areas, sites, make_matrix(), [sc]), areas, sites)
    path = export.write_excel(rep, tmp_path / "rare.xlsx")
    ws = load_workbook(path)["Summary"]
    demand = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "Demand")
    assert demand[1].value == pytest.approx(0.02) and demand[1].number_format == "#,##0.00"
    assert np.isclose(rep.summary.loc[0, "demand"], 1000 * 2 / 100_000)


def test_labels():
    assert export.label("within_45_share") == "Share within 45 min"
    assert export.label("pushed_past_60_demand") == "Demand pushed past 60 min"
    assert export.number_format("change_min") == "0.0"
    assert export.number_format("rule") is None


def test_burden_and_capacity_sheets_labelled_and_rounded(tmp_path):
    import burden_fixture as bf

    from access_app.core.capacity import CapacityOptions
    from access_app.core.tables import ReportOptions

    options = ReportOptions(capacity=CapacityOptions(staff_per_linac=4.5, courses_per_100k=2.5))
    rep = build_report(bf.results(), bf.AREAS, bf.SITES, distances=bf.DISTANCES, options=options)
    wb = load_workbook(export.write_excel(rep, tmp_path / "w.xlsx"))
    sheet = wb["Burden per course"]
    header = [c.value for c in sheet[1]]
    assert "Km per course (mean)" in header and "Travel cost per course, GBP (mean)" in header
    col = header.index("Travel cost per course, GBP (mean)")
    costs = [row[col] for row in sheet.iter_rows(min_row=2) if row[col].value is not None]
    assert costs  # the fixture has distances, so costs are known
    for cell in costs:
        assert cell.number_format == "#,##0.00"
        assert cell.value == round(cell.value, 2)
    changes = [c.value for c in wb["Burden changes"][1]]
    assert "Km per course (mean), change" in changes
    cap = wb["Capacity"]
    header = [c.value for c in cap[1]]
    util = header.index("Utilisation of linac capacity")
    assert {r[util].number_format for r in cap.iter_rows(min_row=2) if r[util].value is not None} == {"0.0%"}
    meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(values_only=True) if r and r[0]}
    assert meta["Road distances"] == "along the fastest routes"
    assert meta["Staff per linac"] == 4.5
    assert export.label("co2e_kg_per_course_before") == "kg CO2e per course (mean), baseline"
    assert export.number_format("extra_staff") == "0.0"
