"""The window protects the user's work: bad sites keep the old ones, Ctrl+O asks to add or
replace, the map PNG is never blank, and speed edits are checked before they apply."""

from __future__ import annotations

import pytest
from gui_helpers import MAP_TIMEOUT_MS
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from access_app.core import pipeline, schema
from access_app.gui import window_dialogs
from access_app.gui.export_controller import _blank
from access_app.gui.main_window import TAB_EQUITY


def test_sites_that_break_the_scenarios_show_a_dialog_and_keep_the_old_sites(
        qtbot, window, tmp_path):
    before = window.state.sites
    sites = before.iloc[:3].copy()
    sites[schema.SITE_ID] = ["a", "b", "c"]
    sites[schema.SITE_TYPE] = "satellite"  # no main centre: no default scenario can be made
    path = pipeline.write_sites_csv(sites, tmp_path / "satellites.csv")
    with qtbot.waitSignal(window.task_failed, timeout=60_000):
        window.loading.load_table(path, "sites", None)
    assert "main" in window.error_dialog.text()
    window.error_dialog.accept()
    assert window.state.sites is before and len(window.state.sites) == 67


def test_open_scenarios_asks_to_add_or_replace(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "mine.toml"
    assert window.scenario_files.save_to(path)
    window.confirm_close = True
    # Add: the file's scenarios join the current ones, renamed where taken.
    window.scenario_files.open(path)
    box = window.scenario_files.question
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    add = next(b for b in box.buttons() if "Add" in b.text())
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        add.click()
    assert len(window.state.names()) == 8 and "Status quo (2)" in window.state.names()
    assert window.has_unsaved_scenarios()
    # Replace with unsaved changes asks to save first; Cancel keeps everything.
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a[1]) or QMessageBox.StandardButton.Cancel))
    window.scenario_files.open(path)
    box = window.scenario_files.question
    qtbot.waitUntil(box.isVisible, timeout=5_000)
    next(b for b in box.buttons() if "Replace" in b.text()).click()
    assert asked == ["Unsaved scenarios"] and len(window.state.names()) == 8
    window.confirm_close = False


def test_map_png_from_the_equity_tab_is_not_blank(qtbot, window, tmp_path):
    window.tabs.setCurrentIndex(TAB_EQUITY)
    out = tmp_path / "map.png"
    with qtbot.waitSignal(window.exported, timeout=MAP_TIMEOUT_MS):
        window.exports.export_map(out, "png")
    image = QImage(str(out))
    assert not image.isNull() and not _blank(image)
    assert window.tabs.currentIndex() == TAB_EQUITY  # the user's tab comes back


@pytest.mark.slow
def test_speed_dialog_checks_values_then_recomputes(qtbot, window):
    before = window.report.summary.set_index("scenario").loc["Status quo", "mean_min"]
    window_dialogs.model_dialog(window)
    dlg = window.model_dlg
    qtbot.waitUntil(dlg.isVisible, timeout=5_000)
    dlg.table.item(0, 1).setText("fast")
    dlg.accept()
    assert dlg.isVisible() and "not a number" in dlg.message.text()
    dlg.table.item(0, 1).setText(dlg.table.item(0, 2).text())
    dlg.congestion.setValue(1.5)
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        dlg.accept()
    after = window.report.summary.set_index("scenario").loc["Status quo", "mean_min"]
    assert window.state.model.speed_model.congestion_factor == 1.5
    assert after > before * 1.2  # road time x 1.5; the access legs are unchanged
    meta = window.state.metadata()
    assert "edited in the app" in " ".join(meta.values())




@pytest.mark.slow
def test_board_report_from_the_window(qtbot, window, tmp_path):
    out = tmp_path / "board"
    with qtbot.waitSignal(window.exported, timeout=240_000) as written:
        window.exports.board_report(out)
    names = sorted(p.name for p in written.args[0])
    assert names == ["board_report.html", "board_report.pdf"]
    html = (out / "board_report.html").read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    assert window.state.current in html
    assert "OS data © Crown copyright" in html  # the data attribution travels with the paper
    assert (out / "board_report.pdf").read_bytes()[:4] == b"%PDF"
    # Distances reach the burden tables: miles per course are known, not blank.
    burden = window.report.burden
    assert burden["miles_per_course"].notna().any()


def test_equity_tab_shows_burden_and_capacity(qtbot, window):
    burden = window.equity.table("burden")
    assert len(burden) and "miles_per_course" in burden.columns
    assert set(window.state.names()) <= set(burden["scenario"])
    capacity = window.equity.table("capacity")
    assert {"site_id", "utilisation", "linacs"} <= set(capacity.columns)
