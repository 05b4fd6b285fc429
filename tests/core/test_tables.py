"""Equity tables on the synthetic six-area world, checked against hand-worked numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_tables_fixtures import make_areas, make_matrix, make_sites

from access_app.core import equity
from access_app.core.errors import ScenarioError
from access_app.core.scenarios import Scenario, assign_all, default_scenarios
from access_app.core.tables import ReportOptions, build_report, group_stats, imd_quintile

S4_ONLY = Scenario("S4 only", open_sites=("S4",))


@pytest.fixture(scope="module")
def report():
    areas, sites = make_areas(), make_sites()
    scs = [*default_scenarios(sites), S4_ONLY]
    results = assign_all(areas, sites, make_matrix(), scs)
    return build_report(results, areas, sites)


def _row(frame, **where):
    mask = np.ones(len(frame), dtype=bool)
    for k, v in where.items():
        mask &= (frame[k] == v).to_numpy()
    assert mask.sum() == 1, where
    return frame[mask].iloc[0]


def test_imd_quintile_from_decile():
    q = imd_quintile(pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None]))
    assert q.tolist()[:10] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert q.isna().tolist()[-1]


def test_summary_status_quo(report):
    row = _row(report.summary, scenario="Status quo")
    # minutes 10 25 35 20 30 40, demand 100 200 300 100 200 100
    assert row["demand"] == 1000
    assert row["unreachable_demand"] == 0
    assert row["mean_min"] == pytest.approx(28.5)
    assert row["median_min"] == 30.0
    assert row["p90_min"] == 37.5  # cumulative weight hits 900 exactly at 35; next is 40
    assert row["max_min"] == 40.0
    assert row["within_30_demand"] == 600 and row["within_30_share"] == pytest.approx(0.6)
    assert row["within_45_share"] == 1.0
    assert row["hours_per_course"] == pytest.approx(20 * 2 * 28.5 / 60)
    assert row["concentration_index"] == pytest.approx(0.1)  # worked in docs/measures.md
    assert row["q1_mean_min"] == pytest.approx(20.0)
    assert row["q5_mean_min"] == pytest.approx(100 / 3)
    assert row["q1_q5_ratio"] == pytest.approx(0.6)
    assert row["q1_q5_gap_min"] == pytest.approx(-40 / 3)
    x = np.array([10, 25, 35, 20, 30, 40.0])
    w = np.array([100, 200, 300, 100, 200, 100.0])
    pairs = (w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum()
    assert row["gini"] == pytest.approx(pairs / (2 * 1000**2 * 28.5))
    assert row["theil_between_network"] + row["theil_within_network"] == pytest.approx(row["theil_t"])
    kappa = 0.5 * np.dot(w, x) / np.dot(w, x * x)
    assert report.kappa == pytest.approx(kappa)
    assert row["kolm_pollak_ede_min"] == pytest.approx(np.log(np.dot(w, np.exp(kappa * x)) / 1000) / kappa)
    assert row["atkinson_bad"] == pytest.approx(np.sqrt(np.dot(w, x * x) / 1000) / 28.5 - 1)


def test_unreachable_demand_kept_apart(report):
    row = _row(report.summary, scenario="S4 only")
    # minutes 60 70 45 15 (A5 unreachable) 35
    assert row["unreachable_demand"] == 200 and row["unreachable_areas"] == 1
    assert row["reachable_demand"] == 800
    assert row["mean_min"] == pytest.approx(38500 / 800)
    assert row["within_45_demand"] == 500  # 45 counts as within 45
    assert row["within_45_share"] == pytest.approx(500 / 800)
    site = _row(report.groups, scenario="S4 only", group_by="site", group="(unreachable)")
    assert site["demand"] == 200 and np.isnan(site["mean_min"])


def test_breakdown_by_quintile(report):
    q = report.breakdown("imd_quintile")
    q1 = _row(q, scenario="Status quo", group=1)
    assert (q1["areas"], q1["demand"], q1["mean_min"], q1["median_min"]) == (2, 300, 20.0, 25.0)
    q5 = _row(q, scenario="Status quo", group=5)
    assert q5["median_min"] == 30.0 and q5["within_30_share"] == pytest.approx(2 / 3)
    assert q5["demand_share"] == pytest.approx(0.3)
    assert set(report.group_bys) == {
        "imd_decile",
        "imd_quintile",
        "urban_rural",
        "ruc_class",
        "network",
        "region",
        "icb",
        "site",
    }
    rural = _row(report.breakdown("urban_rural"), scenario="Networked", group="Rural")
    assert rural["mean_min"] == pytest.approx((300 * 50 + 200 * 30 + 100 * 55) / 600)


def test_group_stats_missing_groups_and_empty():
    st = group_stats(
        np.array([5.0, np.nan, 7.0]),
        np.array([1.0, 2.0, 3.0]),
        np.array([0, 0, 2]),
        3,
        thresholds=(6,),
    )
    assert st["demand"].tolist() == [3.0, 0.0, 3.0]
    assert st["unreachable_demand"].tolist() == [2.0, 0.0, 0.0]
    assert np.isnan(st["mean_min"][1]) and st["mean_min"][2] == 7.0
    assert st["within_6_share"].tolist()[::2] == [1.0, 0.0]


def test_missing_group_label():
    areas, sites = make_areas(), make_sites()
    areas.loc[0, "icb"] = None
    res = assign_all(areas, sites, make_matrix(), default_scenarios(sites)[:1])
    icb = build_report(res, areas, sites).breakdown("icb")
    assert icb["group"].tolist() == ["I1", "I2", "I3", "(missing)"]


def test_changes_against_baseline(report):
    ch = report.changes
    net = _row(ch, scenario="Networked", group_by="all")
    # A3 35 -> 50 and A6 40 -> 55: +15 each (not more than 15)
    assert net["change_mean_min"] == pytest.approx(6.0)
    assert net["demand_longer"] == 400
    assert net["demand_longer_15"] == 0
    assert net["pushed_past_45_demand"] == 400 and net["pushed_past_60_demand"] == 0
    s4 = _row(ch, scenario="S4 only", group_by="all")
    assert s4["newly_unreachable_demand"] == 200 and s4["compared_demand"] == 800
    assert (s4["mean_min_before"], s4["mean_min_after"]) == pytest.approx((28.125, 48.125))
    assert (s4["demand_longer"], s4["demand_longer_15"], s4["demand_longer_30"]) == (600, 300, 300)
    assert s4["demand_shorter"] == 200
    assert (s4["pushed_past_45_demand"], s4["pushed_past_60_demand"]) == (300, 200)
    urban = _row(ch, scenario="S4 only", group_by="urban_rural", group="Urban")
    assert urban["demand_longer"] == 300  # A1 and A2 longer, A4 shorter
    assert "Status quo" not in set(ch["scenario"])


def test_index_and_site_changes(report):
    ic = _row(report.index_changes, scenario="Networked", measure="mean_min")
    assert (ic["baseline_value"], ic["value"], ic["change"]) == pytest.approx((28.5, 34.5, 6.0))
    sc = _row(report.site_changes, scenario="Centralised", site_id="S1")
    assert (sc["demand_before"], sc["demand_after"]) == (200, 600)
    assert (sc["demand_per_linac_before"], sc["demand_per_linac_after"]) == (50, 150)
    site = _row(report.sites, scenario="Centralised", site_id="S3")
    assert bool(site["hub"]) and site["demand"] == 400 and site["areas"] == 3


def test_per_area_table(report):
    t = report.areas
    assert len(t) == 6 * 5
    a3 = _row(t, scenario="Networked", area_id="A3")
    assert (a3["site_id"], a3["site_name"], a3["minutes"]) == ("S1", "Site One", 50.0)
    assert (a3["baseline_minutes"], a3["change_min"]) == (35.0, 15.0)
    assert (a3["imd_decile"], a3["imd_quintile"], a3["urban_rural"]) == (4, 2, "Rural")
    assert a3["hours_per_course"] == pytest.approx(20 * 2 * 50 / 60)
    a5 = _row(t, scenario="S4 only", area_id="A5")
    assert pd.isna(a5["site_id"]) and np.isnan(a5["minutes"])
    assert a5["unreachable_reason"] == "no road route to any open site"


def test_baseline_choice_and_options():
    areas, sites = make_areas(), make_sites()
    res = assign_all(areas, sites, make_matrix(), default_scenarios(sites))
    rep = build_report(
        res,
        areas,
        sites,
        baseline="Networked",
        options=ReportOptions(thresholds=(20,), kolm_pollak_kappa=0.1),
    )
    assert rep.kappa == 0.1
    assert "within_20_share" in rep.summary.columns and "within_45_share" not in rep.summary
    assert set(rep.changes["scenario"]) == {"Status quo", "Status quo (all sites)", "Centralised"}
    with pytest.raises(ScenarioError, match="Baseline 'Nope'"):
        build_report(res, areas, sites, baseline="Nope")
    with pytest.raises(ScenarioError, match="other areas"):
        build_report(res, areas.iloc[:5], sites)


def test_progress_and_cancel():
    areas, sites = make_areas(), make_sites()
    res = assign_all(areas, sites, make_matrix(), default_scenarios(sites))
    seen = []
    build_report(res, areas, sites, progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)
    from access_app.core.errors import Cancelled

    with pytest.raises(Cancelled):
        build_report(res, areas, sites, cancelled=lambda: True)


def test_theil_decomposition_matches_equity_module(report):
    row = _row(report.summary, scenario="Centralised")
    x = np.array([10, 30, 50, 20, 30, 55.0])
    w = np.array([100, 200, 300, 100, 200, 100.0])
    dec = equity.theil_decomposition(x, [1, 1, 2, 3, 5, 5], w)
    assert row["theil_between_imd_quintile"] == pytest.approx(dec.between)
    assert row["theil_within_imd_quintile"] == pytest.approx(dec.within)


def test_summary_long(report):
    long = report.summary_long
    assert list(long.columns) == ["scenario", "measure", "value"]
    row = _row(long, scenario="Networked", measure="mean_min")
    assert row["value"] == pytest.approx(34.5)
    assert len(long) == 5 * (len(report.summary.columns) - 4)  # 4 text columns


def test_report_is_consistent_on_england_sized_data():
    # the timing of this case is in benchmarks/bench_scenarios.py
    import geopandas as gpd
    from shapely import points

    from access_app.core.matrix import TravelTimeMatrix

    rng = np.random.default_rng(2)
    n, k = 32_844, 67
    nets = np.array([f"R{i}" for i in range(9)])
    rank = rng.permutation(n) + 1
    areas = gpd.GeoDataFrame(
        {
            "area_id": [f"E{i:08d}" for i in range(n)],
            "population": rng.integers(1000, 3000, n).astype(float),
            "imd_rank": rank,
            "imd_decile": (rank - 1) * 10 // n + 1,
            "urban_rural": rng.choice(["Urban", "Rural"], n),
            "ruc_class": rng.choice(["A1", "C1", "D1", "E1"], n),
            "network": nets[rng.integers(0, 9, n)],
            "icb": rng.choice([f"I{i}" for i in range(42)], n),
        },
        geometry=points(rng.uniform(0, 1e5, n), rng.uniform(0, 1e5, n)),
        crs="EPSG:27700",
    )
    areas["region"] = areas["network"]
    sites = pd.DataFrame(
        {
            "site_id": [f"S{i:02d}" for i in range(k)],
            "network": nets[np.arange(k) % 9],
            "linacs": rng.integers(1, 10, k),
            "site_type": ["main"] * 51 + ["satellite"] * 16,
        }
    )
    matrix = TravelTimeMatrix(
        minutes=rng.uniform(5, 200, (n, k)).round(1),
        area_ids=areas.area_id.to_numpy(),
        site_ids=sites.site_id.to_numpy(),
        area_snap_m=np.zeros(n),
        site_snap_m=np.zeros(k),
    )
    rep = build_report(assign_all(areas, sites, matrix, default_scenarios(sites)), areas, sites)
    total = rep.summary.set_index("scenario")["demand"]
    for g in rep.group_bys:
        sums = rep.breakdown(g).groupby("scenario")["demand"].sum()
        np.testing.assert_allclose(sums[total.index], total)
    site_sums = rep.sites.groupby("scenario")["demand"].sum()
    np.testing.assert_allclose(site_sums[total.index], total)
