"""The headless command: help, one-line errors with exit code 2, and a full run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from access_app import cli


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "access_app.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    for command in ("run", "scenarios", "check"):
        with pytest.raises(SystemExit) as exc:
            cli.main([command, "--help"])
        assert exc.value.code == 0
        text = capsys.readouterr().out
        sub = parser._subparsers._group_actions[0].choices[command]  # type: ignore[union-attr]
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in text
            assert action.help, f"{command} {action.option_strings} has no help"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "does not exist"),
        ("area_id,population,lon,lat\na,many,-1.5,52.6\n", "'population' has 1 values that are not numbers"),
        ("area_id,population,lon,lat\na,1,-1.5,52.6\na,2,-1.5,52.6\n", "duplicate ids: a"),
        ("", "is empty"),
    ],
)
def test_bad_population_file_gives_one_line_and_exit_2(tmp_path: Path, content: str | None,
                                                       expected: str) -> None:
    path = tmp_path / "areas.csv"
    if content is not None:
        path.write_text(content)
    proc = _run("check", "--population", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("access-app-cli: error: ")
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in proc.stderr


def test_check_reports_the_default_data() -> None:
    proc = _run("check")
    assert proc.returncode == 0, proc.stderr
    assert "Areas: 32,844" in proc.stdout and "population 56,286,961" in proc.stdout
    assert "Sites: 67" in proc.stdout
    assert "11 Radiotherapy ODNs" in proc.stdout and "11 of 67 sites low confidence" in proc.stdout
    regions = _run("check", "--networks", "regions")
    assert regions.returncode == 0, regions.stderr
    assert "9 English regions" in regions.stdout


def test_check_and_run_accept_the_shared_sites_file_without_networks(
        tmp_path: Path, shared_geodata: Path) -> None:
    sites = shared_geodata / "sites" / "england_radiotherapy_sites.csv"
    proc = _run("check", "--sites", str(sites))
    assert proc.returncode == 0, proc.stderr
    assert "67 sites had no network" in proc.stdout
    assert "Centralised" in proc.stdout


def test_check_reports_the_scenario_problem_run_would_hit(tmp_path: Path) -> None:
    # Sites outside England get no network, so the default hub scenarios cannot be built:
    # check says so, as run.
    path = tmp_path / "sites.csv"
    path.write_text("site_id,easting,northing\ncardiff,318000,176000\nswansea,265000,193000\n")
    outcomes = [_run(*cmd, "--sites", str(path)) for cmd in
                (("check",), ("run", "-q", "--out", str(tmp_path / "o"),
                              "--cache-dir", str(tmp_path / "cache")))]
    for proc in outcomes:
        assert proc.returncode == 2, proc.stderr
        assert "no site has a network" in proc.stderr and "Traceback" not in proc.stderr
        assert "hubs = {}" not in proc.stderr
    assert outcomes[0].stderr.splitlines()[-1] == outcomes[1].stderr.splitlines()[-1]


def test_bad_scenario_file_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[scenario]]\nname = "X"\nrule = "teleport"\n')
    proc = _run("run", "--scenarios", str(bad), "--out", str(tmp_path / "out"), "-q",
                "--cache-dir", str(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "bad.toml" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_run_writes_every_export_for_the_default(tmp_path: Path) -> None:
    import openpyxl
    import pandas as pd

    out = tmp_path / "results"
    proc = _run("run", "--out", str(out), "--cache-dir", str(tmp_path / "cache"))
    assert proc.returncode == 0, proc.stderr
    assert "[100.0%]" in proc.stderr  # progress on stderr
    lines = proc.stdout.splitlines()
    for name in ("Status quo", "Networked", "Centralised"):
        assert any(line.startswith(name) for line in lines)
    assert "11 Radiotherapy ODNs" in proc.stdout
    names = {p.name for p in out.iterdir()}
    assert {"equity_report.xlsx", "summary.csv", "area_results.csv", "area_results.gpkg",
            "ATTRIBUTION.txt"} <= names
    note = (out / "ATTRIBUTION.txt").read_text(encoding="utf-8")
    assert "Open Government Licence" in note and "11 Radiotherapy ODNs" in note
    assert "Network confidence (sites): 41 medium, 15 high, 11 low" in note
    sites_csv = pd.read_csv(out / "sites.csv", encoding="utf-8-sig")
    assert "network_confidence" in sites_csv.columns
    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    assert summary["areas"].eq(32_844).all()
    status_quo = summary.set_index("scenario").loc["Status quo"]
    assert status_quo["demand"] == 56_286_961
    # Centralising on one hub per network lengthens the mean journey.
    assert summary.set_index("scenario").loc["Centralised", "mean_min"] > status_quo["mean_min"]
    wb = openpyxl.load_workbook(out / "equity_report.xlsx", read_only=True)
    assert "Metadata" in wb.sheetnames or any("meta" in s.lower() for s in wb.sheetnames)
    per_area = pd.read_csv(out / "area_results.csv", encoding="utf-8-sig", usecols=["scenario"])
    assert len(per_area) == 32_844 * len(summary)
    assert not any(p.name.startswith(".") for p in out.iterdir())  # no temp files left
