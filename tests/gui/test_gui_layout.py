"""Side by side fits a planner's screen: panels fold away, each map gets a third."""

from __future__ import annotations

from gui_helpers import MAP_TIMEOUT_MS, run_js

from access_app.gui.main_window import TAB_COMPARE, TAB_MAP


def test_side_by_side_folds_the_panels_and_shares_the_width(qtbot, window):
    window.resize(1920, 1050)
    window.data_dock.show()
    window.scenario_dock.show()
    qtbot.waitUntil(lambda: window.width() == 1920, timeout=5_000)
    with qtbot.waitSignal(window.maps_ready, timeout=MAP_TIMEOUT_MS):
        window.tabs.setCurrentIndex(TAB_COMPARE)
    assert not window.data_dock.isVisible() and not window.scenario_dock.isVisible()
    qtbot.waitUntil(lambda: min(p.width() for p in window.compare.panes()) > 1920 / 3 - 40,
                    timeout=5_000)
    for pane in window.compare.panes():
        lines = pane.headline.heightForWidth(pane.headline.width())
        assert lines <= 2 * pane.headline.fontMetrics().lineSpacing() + 2, pane.headline.text()
    window.tabs.setCurrentIndex(TAB_MAP)
    assert window.data_dock.isVisible() and window.scenario_dock.isVisible()
    # With folding switched off the panels stay where the planner put them.
    window.actions_by_name["fold"].setChecked(False)
    window.tabs.setCurrentIndex(TAB_COMPARE)
    assert window.data_dock.isVisible()
    window.tabs.setCurrentIndex(TAB_MAP)


def test_drive_time_bands_follow_the_selected_site(qtbot, window):
    from access_app.gui.map_controller import LAYERS

    combo = window.layer_combo
    with qtbot.waitSignal(window.maps_ready, timeout=MAP_TIMEOUT_MS):
        combo.setCurrentIndex([k for k, _ in LAYERS].index("drivetime"))
    first = window.state.drive_time_site()
    assert window.main_pane.title.text().endswith(window.maps._site_name(first))
    panel = window.data_panel
    other = panel.model.site_id(5)
    with qtbot.waitSignal(window.maps_ready, timeout=MAP_TIMEOUT_MS):
        panel.table.selectRow(panel.proxy.mapFromSource(panel.model.index(5, 0)).row())
    assert window.state.selected_site == other
    assert window.maps._site_name(other) in window.main_pane.title.text()
    legend = run_js(qtbot, window.main_pane.view,
                    "document.querySelector('.access-legend').textContent")
    assert "45" in legend and "90" in legend
    combo.setCurrentIndex(0)


def test_reopening_shows_the_cached_map_page_without_drawing_it(qtbot, tmp_path, gui_cache,
                                                                 default_data):
    from gui_helpers import close_window, open_window

    from access_app.gui.main_window import MainWindow
    from access_app.gui.settings import load_settings

    cfg = tmp_path / "config"
    first = open_window(qtbot, cfg, gui_cache, default_data)
    page = first.maps.page_cache_path(first.maps.loaded["main"])
    assert page is not None and page.is_file() and page.parent == gui_cache / "maps"
    close_window(first)
    assert load_settings(cfg).last_map_page == str(page)
    # The next session opens that page at once; the same data and scenario keep it.
    again = MainWindow(settings_dir=cfg, cache_dir=gui_cache, start=False, confirm_close=False)
    assert again.maps.preload(load_settings(cfg).last_map_page)
    again.show()
    with qtbot.waitSignals([again.maps_ready, again.analysis_updated], timeout=MAP_TIMEOUT_MS):
        again.use_data(*default_data)
    assert again.main_pane.view.path == page
    assert "map:main" not in again.timings  # no worker drew it
    close_window(again)
