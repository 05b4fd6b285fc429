"""Values that used to give silent nonsense (exit 0) are refused or warned about by name.

Issue 9, class 4: zero total population, populations that overflow, absurd fractions and
incidence rates, and a main site so far from any road that it would become an unreachable hub.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bad_input_support import (
    AREAS_CSV,
    GRID_X,
    GRID_Y,
    SITES_CSV,
    error_line,
    grid_roads,
    run_cli,
    small_files,
    write,
)

from access_app.core import limits
from access_app.core.errors import DataError

SCENARIO = '[[scenario]]\nname = "Both"\nrule = "nearest"\nopen_sites = ["oak", "upp"]\n'


def _areas_with(tmp_path: Path, populations: list[str]) -> Path:
    rows = AREAS_CSV.splitlines()
    body = [",".join([r.split(",")[0], p, *r.split(",")[2:]]) for r, p in zip(rows[1:], populations,
                                                                          strict=True)]
    return write(tmp_path / "pop.csv", "\n".join([rows[0], *body]) + "\n")


def test_zero_total_population(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    areas = _areas_with(tmp_path, ["0", "0", "0", "0"])
    sites = small_files(tmp_path)[1]
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites))
    assert str(areas) in line and "'population'" in line and "zero for every area" in line


def test_population_that_overflows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    areas = _areas_with(tmp_path, ["1e308", "1e308", "1", "1"])
    sites = small_files(tmp_path)[1]
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites))
    assert str(areas) in line and "above 100,000,000 people" in line and "a1=1e+308" in line


def test_population_total_above_the_limit() -> None:
    # Each value is allowed for one area, but 101 of them add up past the total limit.
    values = np.full(101, limits.MAX_AREA_POPULATION)
    ids = pd.Series([f"a{i}" for i in range(101)])
    with pytest.raises(DataError, match=r"areas.csv: column 'pop' adds up to 1.01e\+10 people"):
        limits.check_population(values, ids, path="areas.csv", column="pop")
    limits.check_population(values[:100], ids[:100], path="areas.csv", column="pop")


@pytest.mark.parametrize(("setting", "expected"), [
    ("fractions = 100000000000000000000000000000.0", "must be a whole number of visits"),
    ("fractions = 100000000000000000", "at most 100"),
    ("fractions = 101", "at most 100"),
    ("fractions = 0", "at least 1"),
    ("incidence_per_100k = 1e300", "at most 100,000"),
    ("incidence_per_100k = nan", "positive number"),
])
def test_absurd_scenario_values(tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str,
                                expected: str) -> None:
    areas, sites = small_files(tmp_path)
    toml = write(tmp_path / "s.toml", SCENARIO + setting + "\n")
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites,
                              "--scenarios", toml))
    assert str(toml) in line and "'Both'" in line and expected in line


def test_sensible_values_are_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    areas, sites = small_files(tmp_path)
    toml = write(tmp_path / "s.toml", SCENARIO + "fractions = 100\nincidence_per_100k = 100000\n")
    code, out, err = run_cli(capsys, "check", "--population", areas, "--sites", sites,
                             "--scenarios", toml)
    assert code == 0, err
    assert "Scenarios: Both" in out


# A main site 15 km east and 15 km north of the grid's north-east corner: inside the
# network's extent plus its 20 km margin, but sqrt(15^2 + 15^2) = 21.2 km from any road.
FAR_X, FAR_Y = GRID_X[-1] + 15_000, GRID_Y[-1] + 15_000
FAR_KM = math.hypot(15, 15)
FAR_SITES = SITES_CSV + f"far,Far Centre,{FAR_X:.0f},{FAR_Y:.0f},Rutland,main,5\n"


def _far_run(tmp_path: Path, *extra: object) -> list[object]:
    areas, _ = small_files(tmp_path)
    sites = write(tmp_path / "sites.csv", FAR_SITES)
    roads = grid_roads(tmp_path / "roads.gpkg")
    return ["run", "--population", areas, "--sites", sites, "--network", roads, "--out",
            tmp_path / "out", "-q", "--cache-dir", tmp_path / "cache", *extra]


def test_default_hub_skips_a_site_far_from_any_road(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    code, _, err = run_cli(capsys, *_far_run(tmp_path))
    assert code == 0, err
    warned = [r.getMessage() for r in caplog.records if "far" in r.getMessage()]
    assert any(f"{FAR_KM:.1f} km" in m and "not chosen as a hub" in m for m in warned), warned
    results = pd.read_csv(tmp_path / "out" / "area_results.csv")
    central = results[results["scenario"] == "Centralised"]
    # 'far' has the most linacs but cannot be reached: the next main site (oak, 2 linacs) is hub.
    assert central["site_id"].eq("oak").all()
    assert central["minutes"].notna().all()


def test_user_hub_far_from_any_road_is_named_with_its_distance(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    toml = write(tmp_path / "hub.toml", '[[scenario]]\nname = "Far hub"\nrule = "hub_per_network"\n'
                                        '[scenario.hubs]\nRutland = ["far"]\n')
    code, _, err = run_cli(capsys, *_far_run(tmp_path, "--scenarios", toml))
    assert code == 0, err
    assert any("far" in r.getMessage() and f"{FAR_KM:.1f} km" in r.getMessage()
               for r in caplog.records if r.levelname == "WARNING")
    results = pd.read_csv(tmp_path / "out" / "area_results.csv")
    assert results["minutes"].isna().all()
    reasons = set(results["unreachable_reason"])
    assert len(reasons) == 1
    (reason,) = reasons
    assert "far" in reason and f"{FAR_KM:.1f} km" in reason and "nearest road" in reason


def test_files_above_the_row_limit_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_TABLE_ROWS", 3)  # the real limit is 5,000,000 rows
    areas, sites = small_files(tmp_path)
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites))
    assert str(areas) in line and "4 rows is more than the 3 this app reads" in line


def test_pop60plus_that_overflows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = AREAS_CSV.splitlines()
    text = "\n".join([rows[0] + ",pop60plus", *(r + ",1e308" for r in rows[1:])]) + "\n"
    areas = write(tmp_path / "pop60.csv", text)
    sites = small_files(tmp_path)[1]
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites))
    assert str(areas) in line and "'pop60plus'" in line and "above 100,000,000 people" in line
