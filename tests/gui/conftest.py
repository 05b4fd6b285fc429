"""Fixtures for the GUI tests: a QApplication fit for QtWebEngine, and the real window.

QtWebEngine must be imported (and OpenGL contexts shared) before the QApplication exists,
so this happens when the module is imported, before pytest-qt creates ``qapp``. The
default data, network and matrix are computed once per session in a temporary cache and
handed to each window, so every test drives a real window without paying for start-up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6 import QtWebEngineWidgets  # noqa: E402,F401 - must precede the QApplication
from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

MAP_TIMEOUT_MS = 120_000


@pytest.fixture(scope="session")
def gui_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a session cache folder for networks and matrices (never the user's)."""
    return tmp_path_factory.mktemp("access-app-cache")


@pytest.fixture(scope="session")
def default_data(gui_cache: Path) -> tuple[Any, Any, Any]:
    """Return the embedded dataset, its road graph and the travel-time matrix."""
    from access_app.core import pipeline

    ds = pipeline.load_default_dataset()
    graph = pipeline.load_default_network(cache_dir=gui_cache)
    matrix = pipeline.compute_matrix(ds, graph, cache_dir=gui_cache)
    return ds, graph, matrix


def open_window(qtbot: Any, settings_dir: Path, cache: Path, data: Any | None) -> Any:
    """Create and show the main window; with ``data``, hand it the computed defaults."""
    from access_app.gui.main_window import DEFAULT_NETWORK_LABEL, MainWindow

    win = MainWindow(settings_dir=settings_dir, cache_dir=cache, start=data is None,
                     show_errors=True)
    win.resize(1400, 900)
    win.show()
    with qtbot.waitSignal(win.maps_ready, timeout=MAP_TIMEOUT_MS):
        if data is not None:
            win._on_data(*data, network=DEFAULT_NETWORK_LABEL)
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


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, gui_cache: Path, default_data: Any) -> Any:
    """Return a shown main window on the default data with its first map loaded."""
    win = open_window(qtbot, tmp_path / "config", gui_cache, default_data)
    yield win
    close_window(win)


def run_js(qtbot: Any, view: Any, script: str, timeout: int = 10_000) -> Any:
    """Run JavaScript in a map view and return its result (JSON-decoded if a string)."""
    box: dict[str, Any] = {}
    view.page().runJavaScript(script, 0, lambda r: box.setdefault("r", r))
    qtbot.waitUntil(lambda: "r" in box, timeout=timeout)
    r = box["r"]
    if isinstance(r, str) and r[:1] in "[{":
        return json.loads(r)
    return r
