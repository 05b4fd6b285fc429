"""``access-app-cli optimise`` and ``matrix`` end to end on the embedded England data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from access_app import cli
from access_app.core import defaults, scenarios


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def test_optimise_writes_options_front_and_scenarios(
    tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "opt.toml"
    conf.write_text(
        '[optimise]\np = 1\nobjective = "median"\npareto = "imd1_mean"\n'
        'p_network = {"North Central and East London" = 2}\ntop = 3\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = cli.main(["optimise", "--config", str(conf), "--out", str(out), "--cache-dir", str(cache), "-q"])
    assert code == cli.EXIT_OK
    printed = capsys.readouterr().out
    assert "least mean travel time (p-median)" in printed
    opts = pd.read_csv(out / "optimise_options.csv", encoding="utf-8-sig")
    assert set(opts["network"]) == set(defaults.load_default_sites()["network"])
    assert (opts.groupby("network")["rank"].max() <= 3).all()
    london = opts[(opts["network"] == "North Central and East London") & (opts["rank"] == 1)].iloc[0]
    assert london["p"] == 2 and len(london["hubs"].split("; ")) == 2
    # ranked by the objective within each network
    for _, g in opts.groupby("network"):
        assert g.sort_values("rank")["objective"].is_monotonic_increasing
    front = pd.read_csv(out / "optimise_pareto.csv", encoding="utf-8-sig")
    assert {"mean_min", "imd1_mean_min"} <= set(front.columns)
    wb = load_workbook(out / "optimise.xlsx", read_only=True)
    assert wb.sheetnames == ["Settings", "Options", "Pareto front", "Networks"]
    loaded = scenarios.load_scenarios(out / "optimised_scenarios.toml", sites=defaults.load_default_sites())
    assert loaded[0].rule == "hub_per_network"
    assert len(loaded[0].hubs["North Central and East London"]) == 2


def test_optimise_infeasible_exits_2(tmp_path: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        [
            "optimise",
            "--p",
            "1",
            "--max-minutes",
            "20",
            "--out",
            str(tmp_path),
            "--cache-dir",
            str(cache),
            "-q",
        ]
    )
    assert code == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert (
        "the condition 'nobody beyond 20 minutes' cannot be met with 1 hubs; the best any choice reaches"
        in err[0]
    )
    code = cli.main(
        ["optimise", "--p-network", "Atlantis=2", "--out", str(tmp_path), "--cache-dir", str(cache), "-q"]
    )
    assert code == cli.EXIT_BAD_INPUT


def test_matrix_export_then_run_from_it(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "m.parquet"
    assert cli.main(["matrix", "--out", str(path), "--cache-dir", str(cache), "-q"]) == cli.EXIT_OK
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["area_id", "site_id", "minutes"]
    assert len(frame) == 32_844 * 67
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    assert cli.main(["run", "--out", str(out_a), "--cache-dir", str(cache), "-q"]) == cli.EXIT_OK
    assert cli.main(["run", "--matrix", str(path), "--out", str(out_b), "-q"]) == cli.EXIT_OK
    a = pd.read_csv(out_a / "summary.csv", encoding="utf-8-sig")
    b = pd.read_csv(out_b / "summary.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(a, b)
