"""Sweep results on the hand-worked fixture: one-at-a-time, conclusion shares, failures, files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sweep_fixture as fx

from access_app.core.errors import Cancelled
from access_app.core.sweep import results, run, spec

OAT = {
    "mode": "one_at_a_time",
    "baseline": "All",
    "tornado": {"scenario": "Central", "measure": "mean_min"},
    "parameter": [
        {"name": "motorway", "kind": "speed", "road_class": "motorway", "distribution": "uniform",
         "low": 0.5, "high": 2.0},
        {"name": "ferry", "kind": "ferry", "distribution": "uniform", "low": 0.5, "high": 1.5},
        {"name": "fractions", "kind": "fractions", "scenarios": ["Central"], "distribution": "uniform",
         "low": 10, "high": 30},
        {"name": "Q1 incidence", "kind": "incidence", "group_by": "imd_quintile", "group": 1,
         "distribution": "uniform", "low": 1.0, "high": 3.0},
        {"name": "s2 network", "kind": "network", "site": "s2", "networks": ["South", "North"]},
    ],
}


def _oat():
    return run.run_sweep(fx.inputs(), spec.parse_spec(OAT, source="oat.toml"), executor="sync")


def test_one_at_a_time_by_hand():
    r = _oat()
    assert r.failures.empty
    res = r.results.set_index(["case", "scenario"])
    mean = res["mean_min"]
    # All: minutes 0, 6, 0, 0, 30 (a1 via the motorway, a4 via the ferry); Central: 36, 30, 20, 0, 30
    assert mean[("base", "All")] == pytest.approx(7.2)
    assert mean[("base", "Central")] == pytest.approx(23.2)
    # motorway x0.5: a1 takes s2 at 10 min, a0 to s3 42 min; x2: a1 3 min, a0 33 min
    assert mean[("motorway low", "All")] == pytest.approx(8.0)
    assert mean[("motorway high", "All")] == pytest.approx(6.6)
    assert mean[("motorway low", "Central")] == pytest.approx(24.4)
    assert mean[("motorway high", "Central")] == pytest.approx(22.6)
    # ferry x0.5 / x1.5: a4 15 / 45 minutes
    assert mean[("ferry low", "All")] == pytest.approx(4.2)
    assert mean[("ferry high", "Central")] == pytest.approx(26.2)
    # fractions change hours per course only: 10 x 2 x 23.2 / 60 and 30 x 2 x 23.2 / 60; All keeps 20
    hours = res["hours_per_course"]
    assert hours[("fractions low", "Central")] == pytest.approx(10 * 2 * 23.2 / 60)
    assert hours[("fractions high", "Central")] == pytest.approx(30 * 2 * 23.2 / 60)
    assert hours[("fractions high", "All")] == pytest.approx(20 * 2 * 7.2 / 60)
    assert mean[("fractions high", "Central")] == pytest.approx(23.2)
    # Q1 (a0) incidence x3: weights 300, 100, 100, 100, 100
    assert mean[("Q1 incidence high", "All")] == pytest.approx(3600 / 700)
    assert mean[("Q1 incidence high", "Central")] == pytest.approx(18800 / 700)
    assert mean[("Q1 incidence low", "Central")] == pytest.approx(23.2)
    # s2 moved to North: a2 can only use s3 (20 min) under Networked
    assert mean[("s2 network high", "Networked")] == pytest.approx(11.2)
    assert mean[("s2 network low", "Networked")] == pytest.approx(7.2)
    # only the speed and ferry cases searched the network again
    rerouted = r.results.groupby("case")["rerouted"].first()
    assert set(rerouted[rerouted].index) == {"motorway low", "motorway high", "ferry low", "ferry high"}

    t = results.tornado_table(r)
    assert t["parameter"].tolist() == ["ferry", "Q1 incidence", "motorway", "fractions", "s2 network"]
    assert t["swing"].tolist() == pytest.approx([6.0, 18800 / 700 - 23.2, 1.8, 0.0, 0.0])
    assert t["base"].tolist() == pytest.approx([23.2] * 5)
    # as a difference from the baseline: Central - All
    d = results.tornado_table(r, difference=True).set_index("parameter")
    assert d.loc["ferry", "measure_low"] == pytest.approx(20.2 - 4.2)
    assert d.loc["ferry", "swing"] == pytest.approx(0.0)  # the ferry moves both scenarios alike

    # reach curve, base case: All = 0, 6, 0, 0, 30 minutes; Central = 36, 30, 20, 0, 30
    reach = results.reach_bands(r).set_index(["scenario", "minutes"])["base"]
    assert [reach[("All", t)] for t in (0, 10, 20, 30, 40)] == pytest.approx([0.6, 0.8, 0.8, 1.0, 1.0])
    assert [reach[("Central", t)] for t in (0, 10, 20, 30, 40)] == pytest.approx([0.2, 0.2, 0.4, 0.8, 1.0])
    band = results.reach_bands(r).set_index(["scenario", "minutes"])
    assert band.loc[("All", 10), "p5"] <= band.loc[("All", 10), "median"] <= band.loc[("All", 10), "p95"]
    s = results.summary_table(r, measures=["mean_min"]).set_index(["kind", "scenario"])
    assert s.loc[("scenario", "All"), "base"] == pytest.approx(7.2)
    assert s.loc[("difference", "Central - All"), "base"] == pytest.approx(16.0)
    assert s.loc[("scenario", "All"), "n"] == 11


def test_conclusion_share_on_a_known_case():
    mc = {
        "draws": 60, "seed": 7, "baseline": "All",
        "parameter": [{"name": "motorway", "kind": "speed", "road_class": "motorway",
                       "distribution": "uniform", "low": 0.5, "high": 2.0}],
        "conclusion": [
            # a1's nearest is s0 over the motorway (360 s / m) unless s2 (600 s) is quicker:
            # All's mean is below 7.2 minutes exactly when the motorway is faster than built
            {"name": "faster", "expression": '"All".mean_min < 7.2'},
            {"name": "always", "expression": '"Central".mean_min - "All".mean_min > 10'},
            {"name": "never", "expression": '"All".rural_mean_min < "All".urban_mean_min'},
        ],
    }
    r = run.run_sweep(fx.inputs(), spec.parse_spec(mc, source="mc.toml"), executor="sync")
    c = results.conclusion_table(r).set_index("conclusion")
    m = r.parameters["motorway"].to_numpy()
    expected = float(np.mean(m > 1.0))
    assert 0.4 < expected < 0.9  # uniform on [0.5, 2]: 2/3 expected
    assert c.loc["faster", "share"] == pytest.approx(expected)
    assert c.loc["faster", "holds"] == int((m > 1.0).sum()) and c.loc["faster", "draws"] == 60
    assert c.loc["always", "share"] == 1.0
    assert c.loc["never", "share"] == 0.0
    holds = results.conclusion_holds(r, '"All".mean_min < 7.2')
    assert (holds.to_numpy() == (m > 1.0)).all()
    # Monte Carlo tornado: motorway low fifth (slow) raises Central's mean, high fifth lowers it
    t = results.tornado_table(r, scenario="Central")
    assert t.loc[0, "measure_low"] > t.loc[0, "base"] > t.loc[0, "measure_high"]


FAILING = {
    "draws": 30, "seed": 3,
    "parameter": [{"name": "motorway", "kind": "speed", "road_class": "motorway", "distribution": "normal",
                   "mean": 1.0, "sd": 1.0}],
}


def check_failures(r):
    m = r.parameters.set_index("draw")["motorway"]
    bad = sorted(m.index[m <= 0])
    assert 0 < len(bad) < len(m)
    assert r.failures["draw"].tolist() == bad
    for _, f in r.failures.iterrows():
        assert f["parameters"] == f"motorway={m[f['draw']]:.6g}"
        assert "ScenarioError" in f["error"] and "'motorway'" in f["error"] and "positive" in f["error"]
    assert sorted(r.results["draw"].unique()) == sorted(set(m.index) - set(bad))
    assert len(r.results) == 3 * (len(m) - len(bad))


def test_a_failing_task_is_reported_with_its_parameters_and_the_rest_complete():
    r = run.run_sweep(fx.inputs(), spec.parse_spec(FAILING, source="f.toml"), executor="sync")
    check_failures(r)
    s = results.summary_table(r, measures=["mean_min"])
    assert (s["n"] == 30 - len(r.failures)).all()


def test_cancel_stops_the_sync_run():
    calls = []
    with pytest.raises(Cancelled):
        run.run_sweep(fx.inputs(), spec.parse_spec(FAILING, source="f.toml"), executor="sync",
                      progress=lambda f, m: calls.append(f), cancelled=lambda: len(calls) >= 3)
    assert len(calls) == 3


def test_write_outputs(tmp_path):
    oat = {**OAT, "conclusion": [{"name": "c", "expression": '"Central".mean_min > "All".mean_min'}]}
    r = run.run_sweep(fx.inputs(), spec.parse_spec(oat, source="oat.toml"), executor="sync")
    files = results.write_outputs(r, tmp_path)
    names = sorted(p.name for p in files)
    assert names == sorted(["draws.csv", "failures.csv", "summary.csv", "conclusions.csv", "tornado.csv",
                            "reach.csv", "sweep.xlsx", "tornado.png", "intervals.png", "reach.png"])
    assert (tmp_path / "tornado.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    d = pd.read_csv(tmp_path / "draws.csv", encoding="utf-8-sig")
    assert len(d) == 11 * 3 and {"motorway", "ferry", "mean_min", "case"} <= set(d.columns)
    c = pd.read_csv(tmp_path / "conclusions.csv", encoding="utf-8-sig")
    assert c["share"].tolist() == [1.0]
    sheets = pd.read_excel(tmp_path / "sweep.xlsx", sheet_name=None)
    assert set(sheets) == {"About", "Summary", "Conclusions", "Tornado", "Reach", "Draws", "Failures"}
    svg = results.plot_tornado(results.tornado_table(r), tmp_path / "t.svg")
    assert b"<svg" in svg.read_bytes()[:500]
