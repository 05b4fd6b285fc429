"""Start-up on the embedded England data, and settings that survive a restart."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import MAP_TIMEOUT_MS, close_window, open_window, run_js

from access_app.core import schema
from access_app.gui.settings import Settings, load_settings, save_settings


def test_starts_on_default_data_with_first_map(qtbot, tmp_path, gui_cache, default_data):
    ds, _graph, matrix = default_data
    win = open_window(qtbot, tmp_path / "cfg", gui_cache, None)  # the real start-up path
    assert len(win.state.areas) == 32_844
    assert len(win.state.sites) == 67
    assert win.state.names() == ["Status quo", "Status quo (all sites)", "Networked",
                                 "Centralised"]
    # Status quo: every main centre, nearest open site. Independent check with numpy.
    mains = (ds.sites[schema.SITE_TYPE] == "main").to_numpy()
    best = matrix.minutes[:, mains].min(axis=1)
    pop = ds.areas[schema.POPULATION].to_numpy()
    ok = np.isfinite(best)
    summary = win.report.summary.set_index("scenario")
    assert summary.at["Status quo", "open_sites"] == 51
    assert summary.at["Status quo", "mean_min"] == pytest.approx(
        np.average(best[ok], weights=pop[ok]), rel=1e-12)
    assert summary.at["Status quo", "within_45_share"] == pytest.approx(
        pop[ok & (best <= 45)].sum() / pop[ok].sum(), rel=1e-12)
    # The map page is the maps package's, with the view hooks the panes rely on.
    view = win.main_pane.view
    assert view.loaded and view.path.suffix == ".html"
    assert run_js(qtbot, view, "typeof window.accessSetView") == "function"
    # The network label (the rebuilt ODNs, with the low-confidence count) and the attribution
    # are visible in the window.
    assert win.data_panel.network_note.text() == win.state.dataset.network_note
    assert "11 Radiotherapy ODNs" in win.data_panel.network_note.text()
    assert "11 of 67 sites low confidence" in win.data_panel.network_note.text()
    assert "Open Government Licence" in win.attribution_label.toolTip()
    assert "OpenStreetMap" in win.attribution_label.toolTip()
    # Headline numbers above the map come from the same summary.
    assert f"{summary.at['Status quo', 'mean_min']:.1f} min" in win.main_pane.headline.text()
    assert win.equity.table("summary").shape[1] == 1 + 4
    # The reach chart at 45 minutes agrees with the table.
    from access_app.gui.charts import reach_curve

    x, share = reach_curve(win.results["Status quo"])
    assert share[x == 45][0] == pytest.approx(summary.at["Status quo", "within_45_share"])
    close_window(win)


def test_settings_remember_window_and_choices(qtbot, tmp_path, gui_cache, default_data):
    cfg = tmp_path / "cfg"
    win = open_window(qtbot, cfg, gui_cache, default_data)
    win.resize(1100, 560)
    win.data_dock.hide()
    win.set_current("Networked")
    close_window(win)
    saved = load_settings(cfg)
    assert saved.current_scenario == "Networked"
    assert saved.window_geometry
    from access_app.gui.main_window import MainWindow

    win2 = MainWindow(settings_dir=cfg, cache_dir=gui_cache, start=False,
                      confirm_close=False)
    # The offscreen screen is 800 px wide, so only the height survives unclamped.
    assert win2.height() == 560
    win2.show()
    assert win2.data_dock.isHidden() and not win2.scenario_dock.isHidden()
    with qtbot.waitSignal(win2.analysis_updated, timeout=MAP_TIMEOUT_MS):
        win2.use_data(*default_data, network="test")
    assert win2.state.current == "Networked"
    assert win2.current_combo.currentText() == "Networked"
    close_window(win2)


def test_settings_file_is_typed_and_forgiving(tmp_path):
    save_settings(Settings(current_scenario="A", last_dirs={"areas": "/x"}), tmp_path)
    assert load_settings(tmp_path) == Settings(current_scenario="A", last_dirs={"areas": "/x"})
    (tmp_path / "settings.json").write_text('{"current_scenario": 5, "use_web_tiles": true}')
    assert load_settings(tmp_path) == Settings(use_web_tiles=True)
    (tmp_path / "settings.json").write_text("not json")
    assert load_settings(tmp_path) == Settings()


@pytest.mark.slow
def test_screenshot_command_renders_the_comparison(qtbot, tmp_path, gui_cache, default_data):
    """Run ``access-app --screenshot`` as a user would (own process: it quits its app)."""
    import os
    import subprocess
    import sys

    from PySide6.QtGui import QImage

    env = dict(os.environ, ACCESS_APP_CACHE=str(gui_cache))
    cmd = [sys.executable, "-m", "access_app.gui.app", "--screenshot"]
    shot = tmp_path / "shots" / "compare.png"
    done = subprocess.run([*cmd, str(shot), "--scenario", "Networked", "--compare",
                           "Centralised", "--size", "1200x800"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "access-app: saved" in done.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1200, 800)
    # A scenario that does not exist is refused with the list of names, exit code 2.
    bad = subprocess.run([*cmd, str(tmp_path / "x.png"), "--scenario", "Nope"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2
    assert "no scenario 'Nope'; choose one of: Status quo" in bad.stderr
    assert not (tmp_path / "x.png").exists()


def test_reopening_shows_the_cached_page_while_the_scenarios_are_applied(qtbot, tmp_path,
                                                                         gui_cache):
    from pathlib import Path

    from access_app.gui.main_window import MainWindow

    first = open_window(qtbot, tmp_path / "a", gui_cache, None)
    page = first.main_pane.view.path
    close_window(first)
    assert page is not None and page.parent == gui_cache / "maps"

    # A new planner on the same machine (no settings): the page drawn before is opened as
    # soon as the data is in, before the scenarios are applied, and kept.
    win = MainWindow(settings_dir=tmp_path / "b", cache_dir=gui_cache, confirm_close=False)
    opened: list[tuple[Path, bool]] = []
    show_file = win.main_pane.view.show_file

    def spy(path, **kw):
        opened.append((Path(path), bool(win.session.results)))
        show_file(path, **kw)

    win.main_pane.view.show_file = spy
    ready: list[bool] = []
    win.maps_ready.connect(lambda: ready.append(bool(win.session.results)))
    win.show()
    with qtbot.waitSignals([win.maps_ready, win.analysis_updated], timeout=MAP_TIMEOUT_MS):
        pass
    assert opened == [(page, False)]
    assert ready and all(ready)  # maps_ready waits for the results
    assert "map:main" not in win.timings  # nothing was drawn
    assert win.main_pane.view.path == page and win.main_pane.view.loaded
    close_window(win)


def test_charts_are_made_and_drawn_when_the_equity_tab_is_shown(qtbot, window):
    import sys

    from access_app.gui.main_window import TAB_EQUITY

    assert window.equity._charts is None  # not made while the map is shown
    window.tabs.setCurrentIndex(TAB_EQUITY)
    charts = window.equity.charts
    assert charts is window.equity._charts and "matplotlib" in sys.modules
    # Drawn from the results kept while hidden: one reach curve per scenario.
    assert [ln.get_label() for ln in charts.reach.ax.lines[:4]] == window.state.names()
    # A chart on a hidden tab is redrawn when it is shown, not before.
    window.set_current("Networked")
    window.apply(lambda: window.state.set_site_open(
        window.state.scenario("Networked").open_sites[0], False))
    qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS).wait()
    assert charts.deciles._stale_hidden
    charts.setCurrentWidget(charts.deciles.parentWidget())
    qtbot.waitUntil(lambda: not charts.deciles._stale_hidden, timeout=5000)
