"""Scenario editing, saving and reopening; side-by-side panes in step."""

from __future__ import annotations

import pytest
from gui_helpers import MAP_TIMEOUT_MS, close_window, run_js
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from access_app.core.scenarios import load_scenarios
from access_app.gui.main_window import TAB_COMPARE, MainWindow
from access_app.gui.models import SitesModel


@pytest.mark.slow
def test_create_edit_save_and_reopen_restores_scenarios(qtbot, window, tmp_path, gui_cache,
                                                        default_data):
    panel = window.scenario_panel
    # A rename onto another scenario's name is refused with a message; nothing changes.
    before = list(window.state.scenarios)
    with qtbot.waitSignal(window.task_failed, timeout=10_000):
        window.apply(lambda: window.session.rename("Status quo", "Networked"))
    assert "already exists" in window.error_dialog.text()
    window.error_dialog.accept()
    assert window.state.scenarios == before and panel.list.count() == 4
    # Edits apply to the state at once; only the last recomputation is awaited (each
    # new one cancels the one before).
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert window.state.current == "New scenario"
    assert panel.current_name() == "New scenario"
    panel.rule.setCurrentIndex(panel.rule.findData("hub_per_network"))
    edited = window.state.scenario("New scenario")
    assert edited.rule == "hub_per_network"
    assert len(edited.hubs) == 11  # one hub per ODN, chosen by the core
    # Tick a second hub for Yorkshire in the sites table.
    model = window.data_panel.model
    hub_col = [c for c, _ in SitesModel.COLUMNS].index("hub")
    cell = model.index(model.row_of("leeds-st-james"), hub_col)
    assert model.flags(cell) & Qt.ItemFlag.ItemIsUserCheckable
    extra = "hull-castle-hill-queens-centre"
    model.setData(model.index(model.row_of(extra), hub_col), Qt.CheckState.Checked.value,
                  Qt.ItemDataRole.CheckStateRole)
    yorkshire = window.state.scenario("New scenario").hubs["Yorkshire and Humber"]
    assert yorkshire == ("leeds-st-james", extra)
    panel.fractions.setValue(25)
    panel.fractions.editingFinished.emit()
    panel.incidence.setValue(2.5)
    panel.incidence.editingFinished.emit()
    window.apply(lambda: window.session.rename("New scenario", "Anal cancer: hubs"))
    window.apply(lambda: window.session.duplicate("Networked"))
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        window.session.delete("Status quo (all sites)")
    sc = window.state.scenario("Anal cancer: hubs")
    assert (sc.fractions, sc.incidence_per_100k) == (25, 2.5)
    summary = window.report.summary.set_index("scenario")
    assert summary.index.tolist() == ["Status quo", "Networked", "Centralised",
                                      "Anal cancer: hubs", "Networked (copy)"]
    assert summary.at["Anal cancer: hubs", "demand"] == pytest.approx(
        window.state.areas["population"].sum() * 2.5 / 100_000)
    saved = list(window.state.scenarios)
    assert window.windowTitle() == "Access App — default scenarios*"  # unsaved changes
    path = tmp_path / "project.toml"
    assert window.scenario_files.save_to(path)
    assert window.windowTitle() == "Access App — project.toml"
    assert load_scenarios(path) == saved

    # Reopening the file (after changing things) restores it exactly.
    window.session.delete("Networked (copy)")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        window.dropEvent(drop)  # dropping the .toml file on the window opens it
    assert window.state.scenarios == saved
    assert window.windowTitle() == "Access App — project.toml"
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == [
        s.name for s in saved]

    # The file is remembered as the project and reopened by the next session.
    cfg = tmp_path / "config"
    close_window(window)
    win2 = MainWindow(settings_dir=cfg, cache_dir=gui_cache, start=False,
                      confirm_close=False)
    with qtbot.waitSignal(win2.analysis_updated, timeout=MAP_TIMEOUT_MS):
        win2.use_data(*default_data, network="test")
    assert win2.state.scenarios == saved
    assert win2.state.scenario_file == str(path)
    close_window(win2)


def test_side_by_side_panes_stay_in_sync(qtbot, window):
    with qtbot.waitSignal(window.maps_ready, timeout=MAP_TIMEOUT_MS):
        window.tabs.setCurrentIndex(TAB_COMPARE)
    left, right, diff = (p.view for p in window.compare.panes())
    assert window.compare.left.title.text() == "Status quo"
    assert window.compare.right.title.text() == "Centralised"
    assert "Centralised minus Status quo" in window.compare.diff.title.text()
    assert window.compare.model.frame().columns.tolist() == [
        "measure", "Status quo", "Centralised", "change"]
    # A user pan/zoom in the right pane (Leaflet's own setView, which logs the view).
    with qtbot.waitSignal(right.view_changed, timeout=10_000):
        run_js(qtbot, right, "window.accessMap.setView([53.4, -2.2], 9, {animate: false}); 1")

    def followed(view) -> bool:
        got = run_js(qtbot, view, "JSON.stringify(window.accessGetView())")
        # Leaflet rounds centres to whole pixels: 360 / (256 * 2**9) = 0.0027 degrees
        # of longitude at zoom 9.
        return abs(got[0] - 53.4) < 0.003 and abs(got[1] + 2.2) < 0.003 and got[2] == 9

    qtbot.waitUntil(lambda: followed(left) and followed(diff), timeout=10_000)
    # Following panes do not echo (no view message from them), so nothing loops.
    assert not any(m.startswith("access-app:view:53.4") for m in left.console_messages)
    # Choosing another scenario reloads the pane at the same view.
    with qtbot.waitSignal(window.maps_ready, timeout=MAP_TIMEOUT_MS):
        window.set_compare("Networked")
    assert window.compare.right.title.text() == "Networked"
    qtbot.waitUntil(lambda: followed(right), timeout=10_000)

