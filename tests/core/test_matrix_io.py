"""Full-matrix export and the import of a matrix made elsewhere, with its checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from access_app import cli
from access_app.core import matrix_io, scenarios
from access_app.core.errors import DataError
from access_app.core.matrix import TravelTimeMatrix

AREAS = np.array(["E1", "E2", "E3"])
SITES = np.array(["s1", "s2"])


def _matrix() -> TravelTimeMatrix:
    minutes = np.array([[10.5, 20.25], [np.inf, np.inf], [7.0, 3.125]])
    return TravelTimeMatrix(
        minutes=minutes, area_ids=AREAS, site_ids=SITES, area_snap_m=np.zeros(3), site_snap_m=np.zeros(2)
    )


@pytest.mark.parametrize("name", ["m.csv", "m.parquet"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    path = matrix_io.write_matrix(_matrix(), tmp_path / name)
    if name.endswith(".csv"):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfarea_id,site_id,minutes\r\n") or raw.startswith(
            b"\xef\xbb\xbfarea_id,site_id,minutes\n"
        )
        assert "E2,s1,\n" in raw.decode("utf-8-sig").replace("\r\n", "\n")
    back = matrix_io.read_matrix(path, area_ids=AREAS, site_ids=SITES)
    assert np.array_equal(back.minutes, _matrix().minutes)
    assert back.unreachable["id"].tolist() == ["E2"]
    assert back.unreachable["reason"].tolist() == [matrix_io.EMPTY_REASON]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_flexible_names_order_and_seconds(tmp_path: Path) -> None:
    # r5py-style columns, rows in any order, area ids in another order than the loaded areas
    path = tmp_path / "pt.csv"
    path.write_text(
        "from_id,to_id,travel_time\nE3,s2,600\nE1,s1,60\nE1,s2,NaN\nE2,s1,\nE2,s2,\nE3,s1,120\n",
        encoding="utf-8",
    )
    m = matrix_io.read_matrix(path, area_ids=["E1", "E2", "E3"], site_ids=["s1", "s2"], seconds=True)
    assert m.minutes.tolist() == [[1.0, np.inf], [np.inf, np.inf], [2.0, 10.0]]
    # the imported matrix drives scenarios unchanged
    areas = pd.DataFrame({"area_id": ["E1", "E2", "E3"], "population": [1.0, 2.0, 3.0]})
    sites = pd.DataFrame({"site_id": ["s1", "s2"]})
    res = scenarios.assign(areas, sites, m, scenarios.Scenario(name="All", open_sites=("s1", "s2")))
    assert res.minutes[[0, 2]].tolist() == [1.0, 2.0]
    assert res.reason[1] == matrix_io.EMPTY_REASON


def _write(tmp_path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path = tmp_path / "m.csv"
    path.write_text(
        "area_id,site_id,minutes\n" + "".join(f"{a},{s},{v}\n" for a, s, v in rows), encoding="utf-8"
    )
    return path


FULL = [
    ("E1", "s1", "1"),
    ("E1", "s2", "2"),
    ("E2", "s1", "3"),
    ("E2", "s2", "4"),
    ("E3", "s1", "5"),
    ("E3", "s2", "6"),
]


def test_unknown_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, [*FULL, ("E9", "s1", "1"), ("E1", "s7", "2")])
    with pytest.raises(
        DataError,
        match=r"1 area ids not among the loaded areas \(E9\); 1 site ids not among "
        r"the loaded sites \(s7\)",
    ):
        matrix_io.read_matrix(path, area_ids=AREAS, site_ids=SITES)


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "negative or infinite"), ("inf", "negative or infinite"), ("abc", "not numbers")],
)
def test_bad_values(tmp_path: Path, value: str, message: str) -> None:
    rows = list(FULL)
    rows[3] = ("E2", "s2", value)
    with pytest.raises(DataError, match=f"{message}.*E2 -> s2"):
        matrix_io.read_matrix(_write(tmp_path, rows), area_ids=AREAS, site_ids=SITES)


def test_duplicates(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="1 pairs appear more than once .first: E1 -> s1"):
        matrix_io.read_matrix(_write(tmp_path, [*FULL, ("E1", "s1", "9")]), area_ids=AREAS, site_ids=SITES)


def test_missing_coverage_is_reported(tmp_path: Path) -> None:
    rows = [r for r in FULL if r[0] != "E3" and r != ("E1", "s2", "2")]
    path = _write(tmp_path, rows)
    with pytest.raises(DataError) as exc:
        matrix_io.read_matrix(path, area_ids=AREAS, site_ids=SITES)
    text = str(exc.value)
    assert "3 of 6 pairs are missing" in text
    assert "1 areas have no row at all (E3)" in text
    assert "1 other pairs are missing (first: E1 -> s2)" in text
    m = matrix_io.read_matrix(path, area_ids=AREAS, site_ids=SITES, allow_missing=True)
    assert np.isinf(m.minutes[2]).all() and np.isinf(m.minutes[0, 1])


def test_columns_and_format_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("a,b,c\nE1,s1,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="no area id column"):
        matrix_io.read_matrix(path, area_ids=AREAS, site_ids=SITES)
    m = matrix_io.read_matrix(
        path, area_ids=["E1"], site_ids=["s1"], area_column="a", site_column="b", minutes_column="c"
    )
    assert m.minutes.tolist() == [[1.0]]
    with pytest.raises(DataError, match="does not exist"):
        matrix_io.read_matrix(tmp_path / "none.csv", area_ids=AREAS, site_ids=SITES)
    with pytest.raises(DataError, match="CSV"):
        matrix_io.write_matrix(_matrix(), tmp_path / "m.xlsx")


def test_cli_rejects_a_bad_matrix_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, FULL)  # ids of no loaded area
    code = cli.main(["run", "--matrix", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert code == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("access-app-cli: error: ") and "not among the loaded areas" in err
