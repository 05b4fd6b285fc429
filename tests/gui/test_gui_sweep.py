"""Sensitivity sweep from the window: example file, a tiny run, tables, tornado, bands, headline."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import MAP_TIMEOUT_MS
from matplotlib.collections import PolyCollection
from PySide6.QtCore import Qt

from access_app.core.sweep import spec
from access_app.core.sweep.tasks import MEASURES
from access_app.gui import window_dialogs


@pytest.mark.slow
def test_run_a_sweep_from_the_dialog(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    window.state.scenario_file = ""
    if window.state.current != "Status quo":
        window.apply(lambda: window.state.set_current("Status quo"))
    action = next(a for a in window.actions() if a.text() == "Sensitivity s&weep…")
    action.trigger()
    dlg = window.sweep_dlg
    qtbot.waitUntil(dlg.isVisible, timeout=5_000)
    assert dlg.workers.value() == 2 and dlg.local.isChecked()

    qtbot.mouseClick(dlg.example_button, Qt.MouseButton.LeftButton)
    path = Path(dlg.spec_path.text())
    assert path == tmp_path / "home" / "example_sweep.toml"
    assert spec.load_spec(path).draws == 200
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("draws = 200\n", "draws = 3\n"), encoding="utf-8")

    dlg.sync.setChecked(True)
    assert dlg.executor_options() == {"executor": "sync", "scheduler": None, "workers": None}
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.run_result is not None, timeout=MAP_TIMEOUT_MS * 4)
    run = dlg.run_result
    assert window.state.sweep is run and len(run.parameters) == 3

    # 3 scenarios and 2 differences from the baseline, every measure
    assert dlg.summary_model.rowCount() == len(MEASURES) * 5
    frame = dlg.summary_model.frame()
    row = frame[(frame["Scenario"] == "Status quo") & (frame["Measure"] == "mean minutes")].iloc[0]
    lo, hi = window.state.interval("Status quo")
    assert (row["5%"], row["95%"]) == (f"{lo:.1f}", f"{hi:.1f}")
    assert dlg.conclusions_model.rowCount() == 3
    assert dlg.conclusions_model.frame()["Holds in"].str.endswith("of 3 draws").all()
    assert dlg.failures.text() == "All 3 draws completed"
    bars = [p for p in dlg.tornado.ax.patches]
    assert len(bars) == 2 * len(run.spec.parameters)

    reach = window.equity.charts.reach.ax
    assert sum(isinstance(c, PolyCollection) for c in reach.collections) == 3
    assert "5–95%" in window.main_pane.headline.text()
    assert f"(5–95%: {lo:.1f}–{hi:.1f})" in window.main_pane.headline.text()

    out = tmp_path / "out"
    dlg.save(out)
    qtbot.waitUntil(lambda: bool(dlg.saved), timeout=MAP_TIMEOUT_MS)
    assert {"summary.csv", "conclusions.csv", "tornado.png", "sweep.xlsx"} <= {p.name for p in out.iterdir()}
    dlg.close()


def test_sweep_needs_a_file_and_a_scheduler_address(qtbot, window):
    window_dialogs.sweep_dialog(window)
    dlg = window.sweep_dlg
    dlg.spec_path.setText("")
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    assert "Choose a sweep file" in dlg.message.text()
    dlg.spec_path.setText("/nonexistent/sweep.toml")
    dlg.remote.setChecked(True)
    assert dlg.scheduler.isEnabled() and not dlg.workers.isEnabled()
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    assert "address of the Dask scheduler" in dlg.message.text()
    dlg.sync.setChecked(True)
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in dlg.message.text() and dlg.run_button.isEnabled()
    dlg.close()


@pytest.mark.slow
def test_cancel_stops_a_running_sweep(qtbot, window, tmp_path):
    window_dialogs.sweep_dialog(window)
    dlg = window.sweep_dlg
    path = dlg.write_example(tmp_path)
    assert path == tmp_path / "example_sweep.toml"
    dlg.sync.setChecked(True)
    before = window.state.sweep
    qtbot.mouseClick(dlg.run_button, Qt.MouseButton.LeftButton)
    assert not dlg.run_button.isEnabled()
    qtbot.waitUntil(lambda: "Evaluated" in window.status_label.text(), timeout=MAP_TIMEOUT_MS)
    window.cancel_tasks()
    qtbot.waitUntil(dlg.run_button.isEnabled, timeout=MAP_TIMEOUT_MS)
    assert dlg.message.text() == "Sweep cancelled."
    assert window.state.sweep is before and dlg.run_result is None
    dlg.close()
