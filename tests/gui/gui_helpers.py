"""Helpers shared by the GUI tests: open and close the real window, run map JavaScript."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAP_TIMEOUT_MS = 120_000


def open_window(qtbot: Any, settings_dir: Path, cache: Path, data: Any | None) -> Any:
    """Create and show the main window; with ``data``, hand it the computed defaults."""
    from access_app.gui.main_window import DEFAULT_NETWORK_LABEL, MainWindow

    win = MainWindow(settings_dir=settings_dir, cache_dir=cache, start=data is None,
                     show_errors=True, confirm_close=False)
    win.resize(1400, 900)
    win.show()
    # The maps show the results as soon as the scenarios are applied; the tables follow.
    with qtbot.waitSignals([win.maps_ready, win.analysis_updated], timeout=MAP_TIMEOUT_MS):
        if data is not None:
            win.use_data(*data, network=DEFAULT_NETWORK_LABEL)
    return win


def close_window(win: Any) -> None:
    """Close the window (saving its settings) and delete it with its web pages."""
    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    if not shiboken6.isValid(win):
        return
    win.close()
    win.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def run_js(qtbot: Any, view: Any, script: str, timeout: int = 10_000) -> Any:
    """Run JavaScript in a map view and return its result (JSON-decoded if a string)."""
    box: dict[str, Any] = {}
    view.page().runJavaScript(script, 0, lambda r: box.setdefault("r", r))
    qtbot.waitUntil(lambda: "r" in box, timeout=timeout)
    r = box["r"]
    if isinstance(r, str) and r[:1] in "[{":
        return json.loads(r)
    return r
