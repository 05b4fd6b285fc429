"""Sweeps from the session: a small Monte Carlo sweep of the example spec on the default data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from access_app.app.session import EVENT_SWEEP, Session
from access_app.core.errors import DataError, ScenarioError
from access_app.core.sweep import results, spec
from access_app.resources import resource_path


def small_spec(folder: Path, draws: int = 6) -> Path:
    """Write the example spec with ``draws`` draws to ``folder``; return its path."""
    text = resource_path("sweeps", "example_sweep.toml").read_text(encoding="utf-8")
    assert "draws = 200\n" in text
    path = folder / "sweep.toml"
    path.write_text(text.replace("draws = 200\n", f"draws = {draws}\n"), encoding="utf-8")
    return path


def test_example_spec_is_valid() -> None:
    sp = spec.load_spec(resource_path("sweeps", "example_sweep.toml"))
    kinds = {p.kind for p in sp.parameters}
    assert {"speed", "access", "fractions", "network"} <= kinds
    assert sp.mode == "monte_carlo" and sp.draws == 200 and len(sp.conclusions) == 3


@pytest.mark.slow
def test_sweep_intervals_bracket_the_base_and_show_in_the_headline(session: Any, tmp_path: Path) -> None:
    events: list[frozenset[str]] = []
    session.subscribe(events.append)
    assert session.interval("Status quo") is None
    before = session.headline("Status quo")
    assert "5–95%" not in before
    task = session.plan_sweep(small_spec(tmp_path), executor="sync")
    seen: list[float] = []
    run = task(lambda f, _m: seen.append(f), lambda: False)
    assert seen[-1] == pytest.approx(1.0)
    assert len(run.parameters) == 6 and run.failures.empty
    session.commit_sweep(run)
    assert session.sweep is run and any(EVENT_SWEEP in e for e in events)

    base = float(session.report.summary.set_index("scenario").loc["Status quo", "mean_min"])
    lo, hi = session.interval("Status quo")
    sq = run.results[run.results["scenario"] == "Status quo"]["mean_min"].to_numpy()
    assert (lo, hi) == pytest.approx(tuple(np.quantile(sq, [0.05, 0.95])), abs=1e-12)
    # the seed is fixed: these six draws fall on both sides of the default model's mean
    assert lo < base < hi
    text = session.headline("Status quo")
    m = re.search(r"mean ([0-9.]+) min \(5–95%: ([0-9.]+)–([0-9.]+)\)", text)
    assert m is not None, text
    assert (float(m[2]), float(m[3])) == (round(lo, 1), round(hi, 1))
    assert text.replace(m[0], f"mean {m[1]} min") == before
    # a scenario the sweep did not compare has no interval
    assert session.interval("Status quo (all sites)") is None
    bands = session.sweep_bands()
    assert set(bands["scenario"]) == {"Status quo", "Networked", "Centralised"}
    assert (bands["p5"] <= bands["p95"]).all()
    pd_bands = results.reach_bands(run)
    assert len(bands) == len(pd_bands)


@pytest.mark.slow
def test_an_edited_scenario_loses_its_interval(session: Any, tmp_path: Path) -> None:
    run = session.plan_sweep(small_spec(tmp_path, draws=2), executor="sync")(lambda *_: None, lambda: False)
    session.commit_sweep(run)
    assert session.interval("Centralised") is not None
    session.set_rule("Centralised", "nearest")
    assert session.interval("Centralised") is None
    assert "Centralised" not in set(session.sweep_bands()["scenario"])
    assert session.interval("Status quo") is not None


def test_refuses_imported_travel_times(session: Any, tmp_path: Path) -> None:
    imported = Session(cache_dir=session.cache_dir)
    imported.use(session.dataset, None, session.matrix)
    with pytest.raises(DataError, match="imported"):
        imported.plan_sweep(small_spec(tmp_path), executor="sync")


def test_refuses_before_data_and_a_bad_spec(session: Any, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="load the data"):
        Session().plan_sweep(small_spec(tmp_path), executor="sync")
    bad = tmp_path / "bad.toml"
    bad.write_text(small_spec(tmp_path).read_text(encoding="utf-8").replace("low = 0.85\nhigh = 1.05",
                                                                             "low = 1.2\nhigh = 1.05"),
                   encoding="utf-8")
    with pytest.raises(ScenarioError, match="must be below"):
        session.plan_sweep(bad, executor="sync")


@pytest.mark.slow
def test_board_report_carries_a_current_sweep(session: Any, tmp_path: Path) -> None:
    run = session.plan_sweep(small_spec(tmp_path, draws=4), executor="sync")(
        lambda f, m: None, lambda: False)
    session.commit_sweep(run)
    assert session.sweep_is_current()
    files = session.plan_board_report(tmp_path / "with", pdf=False)(lambda f, m: None,
                                                                     lambda: False)
    html = files[0].read_text(encoding="utf-8")
    assert 'id="sweep"' in html and "Do the conclusions hold?" in html
    held = results.conclusion_table(run)
    first = held.iloc[0]
    assert f"{int(first['holds'])} of {int(first['draws'])}" in html
    # Once a swept scenario changes, the sweep no longer describes it and is left out.
    session.set_site_open(session.scenario("Networked").open_sites[0], False, name="Networked")
    session.evaluate()
    assert not session.sweep_is_current()
    files = session.plan_board_report(tmp_path / "without", pdf=False)(lambda f, m: None,
                                                                        lambda: False)
    assert 'id="sweep"' not in files[0].read_text(encoding="utf-8")
