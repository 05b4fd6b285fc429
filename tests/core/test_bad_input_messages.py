"""Messages that used to mislead now say what is wrong, naming the file.

Issue 9, class 5: sites outside the areas' region, a UTF-8 BOM in TOML, GraphML with NaN
lengths, numpy's pickle advice, an unwritable output folder found only after routing, a
geographic CRS, and ``check`` missing what ``run`` would hit.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from bad_input_support import SITES_CSV, error_line, run_cli, small_files, write

SCENARIO = '[[scenario]]\nname = "Both"\nrule = "nearest"\nopen_sites = ["oak", "upp"]\n'
SCOTTISH_SITES = ("site_id,site_name,lon,lat,site_type,linacs\n"
                  "glasgow,Beatson,-4.30,55.88,main,11\nedinburgh,Western General,-3.23,55.96,main,9\n")


def test_sites_all_in_scotland(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sites = write(tmp_path / "scotland.csv", SCOTTISH_SITES)
    for command in ("check", "run"):
        extra = ["--out", tmp_path / "out", "-q"] if command == "run" else []
        line = error_line(run_cli(capsys, command, "--sites", sites, *extra))
        assert str(sites) in line and "no site lies in England or in any network" in line
        assert "hubs = {}" not in line


def test_sites_without_networks_for_the_default_scenarios(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    areas, _ = small_files(tmp_path)
    sites = write(tmp_path / "sites.csv", "\n".join(
        ",".join(r.split(",")[:4]) for r in SITES_CSV.splitlines()) + "\n")
    line = error_line(run_cli(capsys, "check", "--population", areas, "--sites", sites))
    assert "no site has a network" in line and "Centralised" in line and "--site-networks" in line
    assert "hubs = {}" not in line


def test_utf8_bom_in_scenario_file_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    areas, sites = small_files(tmp_path)
    toml = write(tmp_path / "bom.toml", ("\ufeff" + SCENARIO).encode("utf-8"))
    code, out, err = run_cli(capsys, "check", "--population", areas, "--sites", sites,
                             "--scenarios", toml)
    assert code == 0, err
    assert "Scenarios: Both" in out


def test_graphml_with_nan_lengths_names_the_file(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import osmnx as ox

    G = nx.MultiDiGraph(crs="EPSG:27700")
    G.add_node(1, x=486000.0, y=308800.0)
    G.add_node(2, x=486600.0, y=299800.0)
    G.add_edge(1, 2, length=float("nan"), highway="primary", osmid=1)
    G.add_edge(2, 1, length=float("nan"), highway="primary", osmid=2)
    path = tmp_path / "nan.graphml"
    ox.save_graphml(G, path)
    areas, sites = small_files(tmp_path)
    line = error_line(run_cli(capsys, "run", "--population", areas, "--sites", sites, "--network", path,
                              "--out", tmp_path / "out", "-q"))
    assert str(path) in line and "length" in line and "nan" in line


@pytest.mark.parametrize("kind", ["object array", "pickle file"])
def test_numpy_pickle_advice_never_reaches_the_user(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    kind: str) -> None:
    import pickle

    path = tmp_path / "net.npz"
    if kind == "object array":
        np.savez(path, format=np.array("access-app-network/1"),
                 graph_json=np.array([{"crs": "EPSG:27700"}], dtype=object))
    else:
        path.write_bytes(pickle.dumps({"nodes": [1, 2]}))
    areas, sites = small_files(tmp_path)
    line = error_line(run_cli(capsys, "run", "--population", areas, "--sites", sites, "--network", path,
                              "--out", tmp_path / "out", "-q"))
    assert str(path) in line
    assert "unsafely" not in line and "allow_pickle" not in line


@pytest.mark.parametrize("where", ["file", "under a file"])
def test_unwritable_out_is_found_before_any_routing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    where: str) -> None:
    blocker = write(tmp_path / "results.txt", "not a folder")
    out = blocker if where == "file" else blocker / "results"
    _, sites = small_files(tmp_path)
    # Neither the areas nor the network file exists: had the run got as far as loading or
    # routing, it would say so.
    line = error_line(run_cli(capsys, "run", "--population", tmp_path / "missing.csv", "--sites", sites,
                              "--network", tmp_path / "missing.gpkg", "--out", out, "-q"))
    assert str(out) in line and "Output folder" in line
    assert "missing" not in line


@pytest.mark.parametrize("own_data", [True, False])
def test_geographic_crs_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   own_data: bool) -> None:
    areas, sites = small_files(tmp_path)
    data = ["--population", areas, "--sites", sites] if own_data else []
    line = error_line(run_cli(capsys, "check", *data, "--crs", "EPSG:4326"))
    assert "'EPSG:4326' is a geographic CRS" in line and "metric" in line and "EPSG:27700" in line


def test_check_and_run_find_a_missing_network_column_before_routing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    areas, sites = small_files(tmp_path)
    no_net = write(tmp_path / "no_net.csv", "\n".join(
        ",".join(c for i, c in enumerate(r.split(",")) if i != 4)
        for r in areas.read_text().splitlines()) + "\n")
    check = error_line(run_cli(capsys, "check", "--population", no_net, "--sites", sites))
    # The network file does not exist: had the run got as far as the network, it would say so.
    run = error_line(run_cli(capsys, "run", "--population", no_net, "--sites", sites, "--network",
                             tmp_path / "missing.gpkg", "--out", tmp_path / "out", "-q"))
    for line in (check, run):
        assert "'Networked'" in line and "needs a 'network' column in the areas" in line
        assert str(no_net) in line
