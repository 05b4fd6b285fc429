"""Fixtures for the GUI tests: a QApplication fit for QtWebEngine, and the real window.

QtWebEngine must be imported (and OpenGL contexts shared) before the QApplication exists,
so this happens when the module is imported, before pytest-qt creates ``qapp``. The
default data, network and matrix are computed once per session in a temporary cache and
handed to each window, so every test drives a real window without paying for start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6 import QtWebEngineWidgets  # noqa: E402,F401 - must precede the QApplication
from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

from gui_helpers import close_window, open_window  # noqa: E402


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


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, gui_cache: Path, default_data: Any) -> Any:
    """Return a shown main window on the default data with its first map loaded."""
    win = open_window(qtbot, tmp_path / "config", gui_cache, default_data)
    yield win
    close_window(win)


