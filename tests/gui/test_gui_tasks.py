"""Long work: cancelling a run, and exports that open in other programs."""

from __future__ import annotations

import re

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from gui_helpers import MAP_TIMEOUT_MS, close_window
from PySide6.QtCore import Qt

from access_app.core.defaults import ATTRIBUTION
from access_app.gui.main_window import MainWindow


def test_cancel_stops_a_long_run_and_keeps_the_window_usable(qtbot, tmp_path):
    fresh = tmp_path / "empty-cache"  # nothing cached: the road network must be built
    win = MainWindow(settings_dir=tmp_path / "cfg", cache_dir=fresh, start=False,
                      confirm_close=False)
    win.show()
    # Wait until the network build reports progress, then press Cancel.
    with qtbot.waitSignal(win.tasks.progress, timeout=60_000,
                          check_params_cb=lambda f, _m: f > 0.05):
        win.loading.load_default()
    assert win.cancel_button.isVisible() and win.progress.isVisible()
    with qtbot.waitSignal(win.task_failed, timeout=60_000) as failed:
        qtbot.mouseClick(win.cancel_button, Qt.MouseButton.LeftButton)
    assert failed.args[0].cancelled
    assert win.state.dataset is None and win.report is None
    assert not (fresh / "matrices").exists() or not any((fresh / "matrices").iterdir())
    assert win.status_label.text().startswith("Cancelled")
    assert not win.cancel_button.isVisible() and not win.progress.isVisible()
    assert getattr(win, "error_dialog", None) is None  # a cancel is not an error
    # The window is still usable: the same run can be started again and finishes.
    with qtbot.waitSignal(win.analysis_updated, timeout=MAP_TIMEOUT_MS):
        win.loading.load_default()
    assert len(win.state.areas) == 32_844
    close_window(win)


def test_export_writes_files_that_open(qtbot, window, tmp_path):
    out = tmp_path / "export"
    with qtbot.waitSignal(window.exported, timeout=MAP_TIMEOUT_MS) as done:
        window.exports.export_to(out)
    files = {p.name for p in done.args[0]}
    assert {"equity_report.xlsx", "summary.csv", "area_results.csv", "area_results.gpkg",
            "map_current.html", "map_current.png", "chart_reach.png", "chart_reach.svg",
            "chart_by_imd_decile.png", "chart_change.svg", "ATTRIBUTION.txt"} <= files
    book = openpyxl.load_workbook(out / "equity_report.xlsx", read_only=True)
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for c in row if c is not None]
    assert any(ATTRIBUTION in c for c in cells)
    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    assert summary["scenario"].tolist() == window.state.names()
    assert len(gpd.read_file(out / "area_results.gpkg")) == 32_844 * 4
    html = (out / "map_current.html").read_text(encoding="utf-8")
    assert "Open Government Licence" in html
    # Works offline: no script, style sheet or image is fetched from the web.
    assert not re.search(r"<(script|img)[^>]*src=[\"']https?:", html)
    assert not re.search(r"<link[^>]*href=[\"']https?:", html)
    assert "L.map" in html or "leaflet" in html.lower()
    assert (out / "map_current.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Open Government Licence" in (out / "chart_reach.svg").read_text(encoding="utf-8")
    assert ATTRIBUTION in (out / "ATTRIBUTION.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_loading_a_road_network_file_recomputes_everything(qtbot, window, shared_geodata):
    pbf = shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf"
    graph_before = window.state.graph
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        window.loading.open_path(pbf, "network")
    assert window.state.graph is not graph_before
    assert window.data_panel.source_labels["network"].text() == str(pbf)
    # Rutland's roads reach only the areas in and around Rutland.
    unreachable = window.report.summary.set_index("scenario").at["Status quo",
                                                                  "unreachable_areas"]
    assert 30_000 < unreachable < 32_844
    warning = window.data_panel.reach_warning
    assert warning.isVisible()
    assert warning.text().startswith(f"{unreachable:,} of 32,844 areas")


def test_progress_is_shown_a_few_times_a_second_not_at_every_step(qtbot, window, monkeypatch):
    from access_app.gui import main_window as mw

    clock = [window._progress_at + 10.0]  # a clock the test moves: 40 reports 10 ms apart
    monkeypatch.setattr(mw.time, "monotonic", lambda: clock[0])
    shown: list[str] = []
    status = window.status
    monkeypatch.setattr(window, "status", lambda text: (shown.append(text), status(text)))
    for i in range(40):
        window._on_progress(i / 40, f"step {i}")
        clock[0] += 0.01
    # The first report is shown at once, the next ones every PROGRESS_INTERVAL_S; the
    # latest waits for its turn and is shown then.
    assert shown == ["step 0"]
    assert window._progress_timer.isActive()
    qtbot.waitUntil(lambda: not window._progress_timer.isActive(), timeout=5000)
    assert shown == ["step 0", "step 39"]
    assert window.progress.value() == int(39 / 40 * 1000)
    window._on_progress(0.5, "late")  # within the interval: waits for its turn...
    assert window._progress_timer.isActive()
    window._on_busy(False)  # ...and a task that ends drops it
    assert not window._progress_timer.isActive() and "late" not in shown
