"""Side by side fits a planner's screen: panels fold away, each map gets a third."""

from __future__ import annotations

from gui_helpers import MAP_TIMEOUT_MS

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
