"""Files that used to end in a traceback now give exit code 2 and one line naming file and problem.

Issue 9, class 2: Latin-1 and deeply nested TOML, control characters in names, damaged
postcode zips, truncated gzip CSVs, network tables without a key column, unknown CRSs,
damaged ``.npz`` networks and empty GraphML files.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from bad_input_support import SITES_CSV, error_line, run_cli, small_files, write

SCENARIO = '[[scenario]]\nname = "Café"\nrule = "nearest"\nopen_sites = ["oak", "upp"]\n'


def _run_with(tmp_path: Path, *extra: object) -> list[object]:
    areas, sites = small_files(tmp_path)
    return ["run", "--population", areas, "--sites", sites, "--out", tmp_path / "out", "-q",
            "--cache-dir", tmp_path / "cache", *extra]


def test_latin1_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = write(tmp_path / "latin1.toml", SCENARIO.encode("latin-1"))
    line = error_line(run_cli(capsys, *_run_with(tmp_path, "--scenarios", toml)))
    assert f"Scenario file {toml}" in line and "not UTF-8" in line and "line 2" in line


def test_deeply_nested_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = write(tmp_path / "deep.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    line = error_line(run_cli(capsys, *_run_with(tmp_path, "--scenarios", toml)))
    assert str(toml) in line and "nested too deeply" in line


def test_control_character_in_site_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sites = write(tmp_path / "sites.csv", SITES_CSV.replace("Oakham", "Oak\x07ham"))
    line = error_line(run_cli(capsys, "check", "--sites", sites))
    assert str(sites) in line and "'site_name'" in line and "U+0007" in line


def test_control_character_in_scenario_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = write(tmp_path / "ctrl.toml", SCENARIO.replace("Café", "Ca\\u0001fe"))
    line = error_line(run_cli(capsys, *_run_with(tmp_path, "--scenarios", toml)))
    assert str(toml) in line and "name" in line and "U+0001" in line
    assert not (tmp_path / "out" / "equity_report.xlsx").exists()


def test_check_finds_scenario_problems_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = write(tmp_path / "ctrl.toml", SCENARIO.replace("Café", "Ca\\u0001fe"))
    areas, sites = small_files(tmp_path)
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites,
                               "--scenarios", toml))
    assert str(toml) in line and "U+0001" in line


def _postcode_sites(tmp_path: Path) -> Path:
    return write(tmp_path / "pc_sites.csv", "site_id,postcode\noak,LE15 6NT\n")


def test_postcode_zip_with_non_utf8_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    zpath = tmp_path / "codepo.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("Data/CSV/le.csv", b"LE15 6NT,10,\xff\xfe486000,308800\n")
    line = error_line(run_cli(capsys, "check", "--sites", _postcode_sites(tmp_path),
                               "--postcodes", zpath))
    assert str(zpath) in line and "Data/CSV/le.csv" in line and "not UTF-8" in line


def test_postcode_zip_with_corrupt_member(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    zpath = tmp_path / "codepo.zip"
    body = "".join(f"LE15 {i:03d}X,10,486000,308800\n" for i in range(3000)).encode()
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Data/CSV/le.csv", body)
    raw = bytearray(zpath.read_bytes())
    start = raw.index(b"Data/CSV/le.csv") + len("Data/CSV/le.csv")  # compressed data follows
    for i in range(start + 40, start + 400):
        raw[i] ^= 0x5A
    zpath.write_bytes(bytes(raw))
    line = error_line(run_cli(capsys, "check", "--sites", _postcode_sites(tmp_path),
                               "--postcodes", zpath))
    assert str(zpath) in line and "cannot be read" in line


def test_truncated_gzip_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = gzip.compress(("site_id,easting,northing\n" + "".join(
        f"s{i},486000,{300000 + i}\n" for i in range(3000))).encode())
    path = write(tmp_path / "sites.csv.gz", data[: len(data) // 2])
    line = error_line(run_cli(capsys, "check", "--sites", path))
    assert str(path) in line and "truncated" in line


def test_network_table_with_only_a_network_column(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    areas, sites = small_files(tmp_path)
    table = write(tmp_path / "nets.csv", "network\nRutland\n")
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites,
                               "--site-networks", table))
    assert str(table) in line and "site_id" in line and "network" in line


@pytest.mark.parametrize("crs", ["EPSG:99999", "not a crs"])
def test_unknown_crs(tmp_path: Path, capsys: pytest.CaptureFixture[str], crs: str) -> None:
    areas, sites = small_files(tmp_path)
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites,
                               "--crs", crs))
    assert f"--crs {crs!r}" in line and "EPSG:27700" in line


def _bad_npz(path: Path, kind: str) -> Path:
    arrays: dict[str, np.ndarray] = {"format": np.array("access-app-network/1"),
                                     "graph_json": np.array("{}"),
                                     "node_ids": np.array([1, 2]), "x": np.array([486000.0, 486600.0]),
                                     "y": np.array([308800.0, 299800.0]), "u": np.array([0, 1]),
                                     "v": np.array([1, 0]), "k": np.array([0, 0]),
                                     "length": np.array([9000.0, 9000.0]),
                                     "travel_time": np.array([600.0, 600.0]),
                                     "dropped_xy": np.zeros((0, 2))}
    if kind == "missing":
        del arrays["travel_time"], arrays["u"]
    elif kind == "inconsistent":
        arrays["v"] = np.array([1, 7])  # node 7 does not exist
    elif kind == "lengths":
        arrays["x"] = np.array([486000.0])
    np.savez(path, **arrays)  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize(("kind", "expected"), [("missing", "lacks the arrays u, travel_time"),
                                                 ("inconsistent", "inconsistent"),
                                                 ("lengths", "inconsistent")])
def test_damaged_npz_network(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
                             expected: str) -> None:
    npz = _bad_npz(tmp_path / "net.npz", kind)
    line = error_line(run_cli(capsys, *_run_with(tmp_path, "--network", npz)))
    assert str(npz) in line and expected in line


def test_empty_graphml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import osmnx as ox

    path = tmp_path / "empty.graphml"
    ox.save_graphml(nx.MultiDiGraph(crs="EPSG:27700"), path)
    line = error_line(run_cli(capsys, *_run_with(tmp_path, "--network", path)))
    assert str(path) in line and "empty" in line
