"""The board-ready workbook: labels, rounding to the precision shown, print set-up, changes."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_tables_fixtures import make_areas, make_matrix, make_sites

from access_app.core import export
from access_app.core.export.labels import digits, group_label
from access_app.core.scenarios import RULE_LABELS, Scenario, assign_all, default_scenarios
from access_app.core.tables import build_report


@pytest.fixture(scope="module")
def report():
    areas, sites = make_areas(), make_sites()
    scs = [*default_scenarios(sites), Scenario("S4 only", open_sites=("S4",))]
    return build_report(assign_all(areas, sites, make_matrix(), scs), areas, sites)


@pytest.fixture(scope="module")
def workbook(report, tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "r.xlsx"
    export.write_excel(report, path, metadata={"Source": "fixture"})
    return load_workbook(path)


def test_group_labels_say_which_end_is_most_deprived():
    assert [group_label("imd_quintile", g) for g in range(1, 6)] == [
        "1 (most deprived)", "2", "3", "4", "5 (least deprived)"]
    assert group_label("imd_decile", 10) == "10 (least deprived)"
    assert group_label("imd_decile", "1") == "1 (most deprived)"
    assert group_label("imd_decile", 5) == "5"  # the middle of ten is not an end
    assert group_label("imd_quintile", "(missing)") == "(missing)"
    assert group_label("network", 1) == 1


def test_imd_sheets_and_changes_use_labels(workbook, report):
    q = workbook["IMD quintile"]
    groups = [r[1] for r in q.iter_rows(min_row=2, values_only=True) if r[0] == "Status quo"]
    present = sorted(int(g) for g in report.breakdown("imd_quintile")["group"].astype(str).unique())
    expected = {1: "1 (most deprived)", 5: "5 (least deprived)"}
    assert groups == [expected.get(g, str(g)) for g in present]
    d = workbook["IMD decile"]
    deciles = {r[1] for r in d.iter_rows(min_row=2, values_only=True)}
    assert "1 (most deprived)" in deciles and not any(str(g) in ("1", "10") for g in deciles)
    ch = workbook["Changes"]
    header = [c.value for c in ch[1]]
    rows = list(ch.iter_rows(min_row=2, values_only=True))
    breakdowns = {r[header.index("Breakdown")] for r in rows}
    assert {"All areas", "IMD quintile", "IMD decile"} <= breakdowns and "imd_quintile" not in breakdowns
    q1 = [r for r in rows if r[header.index("Breakdown")] == "IMD quintile"]
    assert {r[header.index("Group")] for r in q1} >= {"1 (most deprived)"}


def test_rules_are_shown_as_words(workbook, report):
    ws = workbook["Summary"]
    rule = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Assignment rule")
    n = len(report.summary)
    assert list(rule[1 : n + 1]) == [RULE_LABELS[c] for c in report.summary["rule"]]
    assert not any(v in RULE_LABELS for v in rule if isinstance(v, str))


def test_summary_numbers_are_rounded_as_shown_and_changes_are_exact(workbook, report):
    ws = workbook["Summary"]
    heads = [c.value for c in ws[1]]
    names = list(report.summary["scenario"])
    assert heads[len(names) + 1 :] == [f"Change: {n}" for n in names[1:]]
    by_label = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    base = report.summary.iloc[0]
    checked = 0
    for column in report.summary.columns:
        fmt = export.number_format(column)
        places = digits(fmt)
        if places is None or not pd.api.types.is_numeric_dtype(report.summary[column]):
            continue
        row = by_label[export.label(column)]
        for j, name in enumerate(names, start=1):
            raw = float(report.summary.iloc[j - 1][column])
            assert row[j].value == round(raw, places), (column, name)
            assert row[j].number_format == fmt
            if j > 1:
                cell = row[len(names) + j - 1]
                assert cell.value == round(raw - float(base[column]), places), (column, name)
                assert cell.number_format.startswith("+")
            checked += 1
    assert checked > 100
    gini = by_label["Gini"][1].value
    assert gini == round(float(base["gini"]), 4) and len(str(gini).split(".")[1]) <= 4


def test_csv_keeps_full_precision(report, tmp_path):
    path = export.write_csv(report.summary, tmp_path / "summary.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["gini"]) for r in rows] == report.summary["gini"].tolist()
    assert [r["rule"] for r in rows] == report.summary["rule"].tolist()  # codes, not labels


def test_every_sheet_prints_landscape_fitted_with_titles(workbook):
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.print_title_cols is not None and ws.print_title_cols.startswith("$A:$"), ws.title
        assert ws.freeze_panes is not None, ws.title
        assert "&P" in ws.oddFooter.right.text
    assert workbook["Summary"].freeze_panes == "B2"
    assert workbook["Summary"].print_title_cols == "$A:$A"
    assert workbook["IMD quintile"].print_title_cols == "$A:$B"
    assert workbook["Changes"].freeze_panes == "E2"  # scenario, baseline, breakdown, group


def test_column_widths_fit_the_content(workbook):
    ws = workbook["Sites"]
    header = [c.value for c in ws[1]]
    col = header.index("Site")
    letter = ws.cell(row=1, column=col + 1).column_letter
    longest = max(len(str(r[col])) for r in ws.iter_rows(min_row=2, values_only=True))
    assert ws.column_dimensions[letter].width >= longest
    summary = workbook["Summary"]
    assert summary.column_dimensions["A"].width >= len("Hours of travel per course (mean)")


def test_index_changes_are_formatted_by_measure(workbook):
    ws = workbook["Index changes"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    gini = next(r for r in rows if r[header.index("Measure")].value == "Gini")
    assert gini[header.index("Scenario value")].number_format == "0.0000"
    assert gini[header.index("Change")].number_format.startswith("+0.0000")
    mean = [r for r in rows if r[header.index("Measure")].value == "Mean minutes"]
    assert not mean or mean[0][header.index("Change")].number_format.startswith("+0.0")
