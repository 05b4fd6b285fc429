"""Suggest hubs: the optimiser from the window, its options previewed and kept as scenarios."""

from __future__ import annotations

from gui_helpers import MAP_TIMEOUT_MS
from PySide6.QtCore import Qt

from access_app.gui import window_dialogs


def test_suggest_preview_and_keep_hubs(qtbot, window):
    window_dialogs.hubs_dialog(window)
    dlg = window.hubs_dlg
    qtbot.waitUntil(dlg.isVisible, timeout=5_000)
    dlg.p.setValue(1)
    dlg.objective.setCurrentIndex(dlg.objective.findData("median"))
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.result is not None, timeout=MAP_TIMEOUT_MS)
    n_networks = len(window.state.networks())
    assert len(dlg.result.blocks) >= n_networks - 1
    assert dlg.model.rowCount() >= len(dlg.result.blocks)
    assert "proven optimal" in dlg.message.text()
    # The best p-median hub of a network is never worse than the Centralised scenario's
    # hub (most linacs) on that network's mean minutes.
    assert dlg.chart.figure.axes and dlg.chart.figure.axes[0].lines
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        dlg.table.selectRow(0)
    assert window.state.current == "Suggested hubs (preview)"
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        qtbot.mouseClick(dlg.use_button, Qt.MouseButton.LeftButton)
    kept = window.state.current
    assert kept.startswith("Suggested: least mean travel time")
    assert kept in window.state.names() and "Suggested hubs (preview)" not in window.state.names()
    summary = window.report.summary.set_index("scenario")
    assert summary.loc[kept, "mean_min"] <= summary.loc["Centralised", "mean_min"] + 1e-9
    dlg.close()


def test_impossible_constraint_is_named(qtbot, window):
    window_dialogs.hubs_dialog(window)
    dlg = window.hubs_dlg
    dlg.p.setValue(1)
    dlg.max_on.setChecked(True)
    dlg.max_minutes.setValue(10)  # nobody beyond 10 minutes with one hub per network
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.run_button.isEnabled(), timeout=MAP_TIMEOUT_MS)
    text = dlg.message.text().lower()
    assert "10" in text and ("beyond" in text or "minutes" in text)
    dlg.close()
