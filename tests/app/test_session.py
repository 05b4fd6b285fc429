"""The Qt-free session: the user's verbs, their events and the results, without a window."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from access_app.app.session import (
    EVENT_DATA,
    EVENT_RESULTS,
    EVENT_SAVED,
    EVENT_SCENARIOS,
    EVENT_SELECTION,
    Session,
)
from access_app.core import pipeline, schema
from access_app.core.errors import DataError, ScenarioError


def _events(session: Session) -> list[frozenset[str]]:
    seen: list[frozenset[str]] = []
    session.subscribe(seen.append)
    return seen


def test_session_imports_no_qt() -> None:
    code = ("import sys, access_app.app.session\n"
            "print(','.join(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_default_scenarios_and_selection(session: Session) -> None:
    assert session.names() == ["Status quo", "Status quo (all sites)", "Networked", "Centralised"]
    assert session.current == "Status quo" and session.baseline == "Status quo"
    assert session.compare == "Centralised"
    assert session.is_evaluated()
    assert not session.has_unsaved_changes()
    # The session's report is the pipeline's, computed by the same steps.
    ds = session.dataset
    rep = pipeline.evaluate(ds, session.matrix, session.ordered_for_report(), baseline="Status quo")
    assert rep.summary["mean_min"].tolist() == session.report.summary["mean_min"].tolist()


def test_closing_a_site_changes_only_that_scenario(session: Session) -> None:
    seen = _events(session)
    before = session.result("Status quo")
    site = session.scenario("Status quo").open_sites[0]
    session.set_site_open(site, False)
    assert site not in session.scenario("Status quo").open_sites
    assert seen[-1] >= {EVENT_SCENARIOS, EVENT_SAVED}
    assert session.has_unsaved_changes()
    assert not session.is_evaluated()
    assert "Networked" in session.results and "Status quo" not in session.results
    session.evaluate()
    after = session.result("Status quo")
    moved = (before.site_ids == site) & before.reachable
    assert moved.any()
    assert (after.site_ids[moved] != site).all()
    assert (after.minutes[moved] >= before.minutes[moved] - 1e-9).all()
    assert EVENT_RESULTS in seen[-1]


def test_stale_evaluation_is_not_kept(session: Session) -> None:
    task = session.plan_evaluate()
    session.set_site_open(session.scenario("Status quo").open_sites[0], False)
    ev = task(lambda f, m: None, lambda: False)
    old = session.report
    assert session.commit_evaluation(ev) is False
    assert session.report is old and not session.is_evaluated()
    assert "Networked" in session.results  # still-valid results are kept for reuse


def test_hubs_follow_network_moves(session: Session) -> None:
    sc = session.scenario("Centralised")
    net, (hub,) = next(iter(sc.hubs.items()))
    other = next(n for n in session.networks() if n != net)
    session.set_site_network(hub, other)
    assert session.site_network(hub) == other
    assert hub in session.scenario("Centralised").hubs[other]
    assert net not in session.scenario("Centralised").hubs


def test_set_hub_refuses_non_hub_rule(session: Session) -> None:
    site = session.scenario("Status quo").open_sites[0]
    with pytest.raises(ScenarioError, match="has no hubs"):
        session.set_hub(site, True, name="Status quo")


def test_rule_change_picks_default_hubs(session: Session) -> None:
    sc = session.set_rule("Networked", "hub_per_network")
    assert sc.hubs == session.scenario("Centralised").hubs
    back = session.set_rule("Networked", "nearest")
    assert back.hubs == {} and back.open_sites == sc.open_sites


def test_scenario_verbs_keep_names_unique(session: Session) -> None:
    seen = _events(session)
    copy = session.duplicate("Networked")
    assert copy.name == "Networked (copy)" and session.current == copy.name
    again = session.duplicate("Networked")
    assert again.name == "Networked (copy) (2)"
    with pytest.raises(ScenarioError, match="already exists"):
        session.rename(again.name, "Centralised")
    session.rename(again.name, "Two hubs")
    assert "Two hubs" in session.names() and session.current == "Two hubs"
    session.set_baseline("Two hubs")
    session.delete("Two hubs")
    assert session.baseline == "Status quo"
    assert EVENT_SELECTION in seen[-1]
    with pytest.raises(ScenarioError, match="at least one"):
        for name in list(session.names()):
            session.delete(name)


def test_open_scenarios_replace_or_add(session: Session, tmp_path: Path) -> None:
    path = session.save_scenarios(tmp_path / "s.toml")
    assert not session.has_unsaved_changes()
    added = session.open_scenarios(path, mode="add")
    assert [s.name for s in added][:2] == ["Status quo (2)", "Status quo (all sites) (2)"]
    assert len(session.names()) == 8 and session.has_unsaved_changes()
    session.open_scenarios(path, mode="replace")
    assert len(session.names()) == 4 and not session.has_unsaved_changes()
    assert session.scenario_file == str(path)


def test_load_sites_that_break_scenarios_gets_defaults(session: Session, tmp_path: Path) -> None:
    sites = session.sites.iloc[:10].copy()
    sites[schema.SITE_ID] = [f"x{i}" for i in range(10)]
    sites[schema.SITE_TYPE] = "main"
    path = pipeline.write_sites_csv(sites, tmp_path / "sites.csv")
    notes = session.load(table=("sites", path, None))
    assert len(session.sites) == 10
    assert any("default scenarios" in n for n in notes)
    assert set(session.scenario("Status quo").open_sites) == {f"x{i}" for i in range(10)}


def test_load_sites_without_main_centres_keeps_old_data(session: Session, tmp_path: Path) -> None:
    before = session.sites
    sites = session.sites.iloc[:3].copy()
    sites[schema.SITE_ID] = ["a", "b", "c"]
    sites[schema.SITE_TYPE] = "satellite"
    path = pipeline.write_sites_csv(sites, tmp_path / "sat.csv")
    with pytest.raises(ScenarioError, match="main"):
        session.load(table=("sites", path, None))
    assert session.sites is before


def test_add_site_by_location_routes_and_opens_it(session: Session) -> None:
    n = len(session.sites)
    sid = session.add_site({"site_name": "New Centre", "network": session.networks()[0],
                            "linacs": 2, "site_type": "main", "postcode": ""},
                           location=(52.65, -0.72))
    assert sid == "new-centre" and len(session.sites) == n + 1
    assert sid in session.scenario(session.current).open_sites
    assert sid in session.matrix.site_ids
    row = session.sites[session.sites[schema.SITE_ID] == sid].iloc[0]
    assert pd.isna(row[schema.REGION])  # a network is not a region
    sid2 = session.add_site({"site_name": "New Centre", "linacs": 1}, location=(52.6, -0.7))
    assert sid2 == "new-centre-2"


def test_add_site_by_postcode_needs_postcodes(session: Session) -> None:
    with pytest.raises(DataError, match="Code-Point Open"):
        session.plan_add_site({"site_name": "X", "postcode": "LE15 6NR"})


def test_export_writes_metadata_with_network(session: Session, tmp_path: Path) -> None:
    files = session.export(tmp_path / "out")
    names = {f.name for f in files}
    assert "equity_report.xlsx" in names and "summary.csv" in names
    meta = session.metadata()
    assert meta["Road network source"].startswith("DfT major road network 2013")


def test_headline_and_map_frame(session: Session) -> None:
    text = session.headline("Centralised")
    assert "open sites" in text and "within 45 min" in text
    frame = session.map_frame("Centralised", against="Status quo")
    assert {"minutes", "change"} <= set(frame.columns)
    assert len(frame) == len(session.areas)


def test_new_session_loads_default_data(app_cache: Path, default_data: Any) -> None:
    s = Session(cache_dir=app_cache)
    seen = _events(s)
    s.load()
    assert len(s.areas) == 32_844 and s.matrix is not None
    assert EVENT_DATA in seen[0] and EVENT_SCENARIOS in seen[0]
    assert s.network_label.startswith("DfT")
    with pytest.raises(DataError, match="Nothing to load"):
        s.load()
    # the Isle of Wight reaches the mainland by sea: the map tooltips' column comes through
    frame = s.map_frame(s.current)
    wight = s.areas["la_name"].eq("Isle of Wight").to_numpy()
    assert wight.sum() == 89 and (frame.loc[wight, "via_ferry"] != "").all()
    assert (frame.loc[~s.areas["la_name"].isin(["Isle of Wight", "Isles of Scilly"]).to_numpy(),
                      "via_ferry"] == "").all()


def test_loaded_sites_without_networks_get_their_odn(session: Session, tmp_path: Path) -> None:
    """A sites file without a network column is filled in the session's table step, as the CLI does."""
    sites = session.sites.drop(columns=[schema.NETWORK, schema.NETWORK_CONFIDENCE,
                                        schema.NETWORK_SOURCE], errors="ignore")
    path = pipeline.write_sites_csv(sites, tmp_path / "sites.csv")
    notes = session.load(table=("sites", path, None))
    from access_app.core import defaults

    assert session.sites[schema.NETWORK].tolist() == defaults.load_default_sites()[schema.NETWORK].tolist()
    assert any("took its ODN from the embedded membership table" in n for n in notes)


def test_matrix_export_and_import_round_trip(session: Session, tmp_path: Path) -> None:
    from access_app.app.session import NetworkChoice

    path = session.export_matrix(tmp_path / "times.parquet")
    before = session.matrix.minutes.copy()
    mean_before = session.report.summary.set_index("scenario").loc["Networked", "mean_min"]
    session.load(network=NetworkChoice(matrix_path=path))
    assert session.network is None and session.network_label.startswith("Travel times imported")
    finite = np.isfinite(before)
    assert np.allclose(session.matrix.minutes[finite], before[finite], atol=1e-6)
    assert np.isinf(session.matrix.minutes[~finite]).all()
    rep = session.evaluate()
    mean_after = rep.summary.set_index("scenario").loc["Networked", "mean_min"]
    assert mean_after == pytest.approx(mean_before, abs=1e-6)
    with pytest.raises(DataError, match="imported"):
        session.plan_add_site({"site_name": "X"}, location=(52.6, -0.7))


def test_table_cache_gives_the_same_report_as_building_afresh(session: Session) -> None:
    from pandas.testing import assert_frame_equal

    from access_app.core import tables

    site = session.scenario("Networked").open_sites[3]
    session.set_site_open(site, False, name="Networked")
    hits_before = session._tables.hits
    cached = session.evaluate()
    assert session._tables.hits > hits_before  # the unchanged scenarios were reused
    fresh = tables.build_report([session.result(n.name) for n in session.ordered_for_report()],
                                session.areas, session.sites, baseline=session.baseline,
                                distances=session.distances)
    for name in ("summary", "groups", "sites", "changes", "index_changes", "site_changes",
                 "burden", "capacity"):
        assert_frame_equal(getattr(cached, name), getattr(fresh, name), check_exact=True,
                           obj=name)


def test_networks_switch_between_odns_and_regions(session: Session) -> None:
    assert len(session.networks()) == 11
    minutes = session.matrix.minutes
    notes = session.commit_load(session.plan_networks("regions")(lambda f, m: None, lambda: False))
    assert len(session.networks()) == 9 and "London" in session.networks()
    assert session.dataset.network_note.startswith("Networks: the 9 English regions")
    assert session.matrix.minutes is minutes  # travel times do not change
    assert any("default scenarios" in n for n in notes)
    assert len(session.scenario("Centralised").hubs) == 9
    session.evaluate()
    session.commit_load(session.plan_networks("odn")(lambda f, m: None, lambda: False))
    assert len(session.networks()) == 11
    assert len(session.scenario("Centralised").hubs) == 11
