"""Headline comparisons on a common base; areas without a site counted per scenario."""

from __future__ import annotations

import pytest
from burden_fixture import AREAS, SITES, results

from access_app.cli import format_summary
from access_app.core import tables


def test_common_base_uses_the_same_people():
    rep = tables.build_report(results(), AREAS, SITES)
    s = rep.summary.set_index("scenario")
    # own bases: Both a1 10 + a2 20 -> 17.5; One a1 10, a2 40 -> 32.5; Two only a2 -> 20
    assert s.loc["Both", "mean_min"] == pytest.approx(17.5)
    assert s.loc["One", "mean_min"] == pytest.approx(32.5)
    assert s.loc["Two", "mean_min"] == pytest.approx(20.0)
    # common base: a2 only (a1 has no site under Two, a3 none anywhere)
    assert s["common_demand"].tolist() == [300.0, 300.0, 300.0]
    assert s.loc["Both", "common_mean_min"] == pytest.approx(20.0)
    assert s.loc["One", "common_mean_min"] == pytest.approx(40.0)
    assert s.loc["Two", "common_mean_min"] == pytest.approx(20.0)
    assert s.loc["One", "common_within_30_share"] == 0.0
    assert s.loc["Two", "common_within_30_share"] == 1.0
    # quintile 5 is a2 (decile 10), quintile 1 is a1, which is not on the common base
    assert s.loc["One", "common_q5_mean_min"] == pytest.approx(40.0)
    assert s["common_q1_mean_min"].isna().all()
    # no site: a3 (50) in every scenario, plus a1 (100) under Two
    assert s["unreachable_demand"].tolist() == [50.0, 50.0, 150.0]
    assert s["unreachable_areas"].tolist() == [1, 1, 2]


def test_cli_summary_prints_common_base_and_no_site_per_scenario():
    text = format_summary(tables.build_report(results(), AREAS, SITES))
    lines = {line.split()[0]: line for line in text.splitlines() if line[:4] in ("Both", "One ", "Two ")}
    assert lines["Both"].split()[2] == "20.0" and lines["One"].split()[2] == "40.0"
    assert lines["Both"].split()[-1] == "50" and lines["Two"].split()[-1] == "150"
    assert "same 300 demand" in text
