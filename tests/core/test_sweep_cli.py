"""``access-app-cli sweep`` on the embedded England data (a small one-at-a-time spec)."""

from __future__ import annotations

import pandas as pd
import pytest

from access_app.cli import main

SPEC = """
mode = "one_at_a_time"
scenarios = ["Status quo", "Centralised"]
[tornado]
scenario = "Centralised"
[[conclusion]]
name = "slower"
expression = '"Centralised".mean_min > "Status quo".mean_min'
[[parameter]]
kind = "speed"
road_class = "motorway"
distribution = "uniform"
low = 0.8
high = 1.1
[[parameter]]
kind = "fractions"
distribution = "uniform"
low = 15
high = 25
"""


@pytest.mark.slow
def test_sweep_command_writes_the_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ACCESS_APP_CACHE", str(tmp_path / "cache"))
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", "--spec", str(spec), "--out", str(out), "--sync"]) == 0
    captured = capsys.readouterr()
    assert "Conclusion 'slower': holds in 5 of 5 draws (100.0%)" in captured.out
    assert "Evaluated 5 of 5 draws" in captured.err
    line = next(x for x in captured.out.splitlines() if x.startswith("Status quo: mean minutes"))
    base, low, high = (float(v) for v in line.split()[-3:])
    assert base == pytest.approx(20.8, abs=0.05)
    assert low < base < high  # motorway x1.1 is quicker, x0.8 slower
    t = pd.read_csv(out / "tornado.csv", encoding="utf-8-sig")
    assert t["parameter"].tolist() == ["speed motorway", "fractions"]
    assert t.loc[1, "swing"] == 0.0 and t.loc[0, "measure_low"] > t.loc[0, "base"] > t.loc[0, "measure_high"]
    d = pd.read_csv(out / "draws.csv", encoding="utf-8-sig")
    base = d[(d["case"] == "base") & (d["scenario"] == "Status quo")]
    assert base["mean_min"].iloc[0] == pytest.approx(20.8, abs=0.05)  # the README's England number
    assert (out / "tornado.png").stat().st_size > 1000


def test_bad_spec_exits_2_with_one_line(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.replace("low = 0.8", "low = 1.8"), encoding="utf-8")
    assert main(["sweep", "--spec", str(spec), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("access-app-cli: error: ")
    assert str(spec) in err[0] and "low = 1.8 must be below high = 1.1" in err[0]


def test_unknown_scenario_exits_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ACCESS_APP_CACHE", str(tmp_path / "cache"))
    spec = tmp_path / "s.toml"
    spec.write_text(SPEC.replace('"Status quo", "Centralised"]', '"Status quo", "Nope"]'), encoding="utf-8")
    assert main(["sweep", "--spec", str(spec), "--out", str(tmp_path / "o"), "--sync"]) == 2
    assert "scenarios ['Nope'] are not defined" in capsys.readouterr().err
