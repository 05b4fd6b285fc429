"""The board report is complete: every section, images embedded, no web address, a real PDF."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from burden_fixture import AREAS, DISTANCES, SITES, results
from shapely.geometry import Point

from access_app.cli import build_parser, main
from access_app.core import tables
from access_app.core.burden import BurdenOptions
from access_app.core.capacity import CapacityOptions
from access_app.core.pipeline import Dataset
from access_app.report import HTML_NAME, OPTIONAL_SECTIONS, PDF_NAME, SECTIONS, write_board_report
from access_app.report.html import board_report_html

BNG = "EPSG:27700"


@pytest.fixture(scope="module")
def dataset():
    areas = gpd.GeoDataFrame(
        AREAS.copy(),
        geometry=[Point(400_000, 300_000), Point(420_000, 310_000), Point(460_000, 90_000)],
        crs=BNG,
    )
    sites = gpd.GeoDataFrame(
        SITES.copy(), geometry=[Point(401_000, 301_000), Point(425_000, 312_000)], crs=BNG
    )
    sites.loc[1, "site_name"] = "<script>alert(1)</script>"
    return Dataset(
        areas=areas,
        sites=sites,
        network_note="Networks: test fixture (confidence: high)",
        attribution="Contains test data",
    )


@pytest.fixture(scope="module")
def report_():
    opts = tables.ReportOptions(
        burden=BurdenOptions(parking_per_visit=2.0),
        capacity=CapacityOptions(fractions_per_linac_year=15, courses_per_100k=1000, staff_per_linac=5),
    )
    return tables.build_report(results(), AREAS, SITES, distances=DISTANCES, options=opts)


@pytest.fixture(scope="module")
def written(report_, dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("board")
    scen = out / "scenarios.toml"
    scen.write_text("format_version = 1\n", encoding="utf-8")
    seen = []
    files = write_board_report(
        report_,
        dataset,
        out_dir=out,
        scenario_path=scen,
        progress=lambda f, m: seen.append(f),
        metadata={"Road network": "Toy 2013"},
        command="access-app-cli report --out x",
        map_scenario="One",
    )
    return out, files, seen


def test_files_written_and_progress_reaches_one(written):
    out, files, seen = written
    assert [f.name for f in files] == [HTML_NAME, PDF_NAME]
    assert seen and seen[-1] == 1.0 and all(a <= b + 1e-9 for a, b in zip(seen, seen[1:], strict=False))


def test_every_section_present_in_order(written):
    page = (written[0] / HTML_NAME).read_text(encoding="utf-8")
    shown = [(sid, title) for sid, title in SECTIONS if sid not in OPTIONAL_SECTIONS]
    positions = [page.index(f'<section id="{sid}"') for sid, _ in shown]
    assert positions == sorted(positions)
    for _, title in shown:
        assert f">{title}</h2>" in page.replace("&amp;", "&")
    assert '<section id="sweep"' not in page  # shown only with a sweep (tests/app)


def test_self_contained_no_external_reference(written):
    page = (written[0] / HTML_NAME).read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "//" not in re.sub(r"base64,[^\"]+", "", page)
    srcs = re.findall(r'src="([^"]*)"', page)
    assert len(srcs) >= 3  # reach curves, the two maps side by side, the change map
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "<link" not in page and "url(" not in page and "<script" not in page


def test_content_numbers_labels_and_reproducibility(written):
    page = (written[0] / HTML_NAME).read_text(encoding="utf-8")
    assert "1 (most deprived)" in page and "Under One, journeys are much longer than under Both" in page
    assert "Networks: test fixture (confidence: high)" in page and "Contains test data" in page
    import hashlib

    sha = hashlib.sha256(b"format_version = 1\n").hexdigest()
    assert sha in page and "access-app-cli report --out x" in page
    assert "The road data date from 2013" in page
    assert "Site one" in page  # busiest-site table
    assert "£0.45 per mile" in page and "15 fractions per linac a year" in page


def test_pdf_is_a_real_multi_page_pdf(written):
    data = (written[0] / PDF_NAME).read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages > 1


def test_html_names_are_escaped(dataset):
    sites = SITES.assign(site_name=["<script>alert(1)</script>", "Two & co"])
    opts = tables.ReportOptions(capacity=CapacityOptions(courses_per_100k=1000))
    rep = tables.build_report(results(), AREAS, sites, distances=DISTANCES, options=opts)
    page = board_report_html(rep, dataset)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page


def test_cli_has_the_report_command(tmp_path):
    args = build_parser().parse_args(
        ["report", "--out", str(tmp_path), "--cost-per-mile", "0.3", "--staff-per-linac", "4"]
    )
    assert args.command == "report" and args.cost_per_mile == 0.3 and args.staff_per_linac == 4


def test_report_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    sub = build_parser()._subparsers._group_actions[0].choices["report"]  # type: ignore[union-attr]
    for action in sub._actions:
        for flag in action.option_strings:
            assert flag in text
        assert action.help


@pytest.mark.slow
def test_cli_report_on_the_england_default(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "board"
    proc = subprocess.run(
        [sys.executable, "-m", "access_app.cli", "report", "--out", str(out), "--cache-dir",
         str(tmp_path / "cache"), "--courses-per-100k", "2.5"],
        capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    page = (out / HTML_NAME).read_text(encoding="utf-8")
    assert "https://" not in page and "http://" not in page
    for sid, _ in SECTIONS:
        assert (f'<section id="{sid}"' in page) == (sid not in OPTIONAL_SECTIONS)
    assert "Under Centralised, journeys are much longer than under Status quo" in page
    # the busiest sites table names the busiest Centralised hub (on the 11 ODNs, St Luke's at
    # the Royal Surrey; Kent Oncology Centre on the 9-region proxy)
    assert "5 (least deprived)" in page and "Royal Surrey County Hospital" in page
    data = (out / PDF_NAME).read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page(?!s)", data)) >= 6
