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
def gui_cache(analysis_cache: Path) -> Path:
    """Return the shared session cache (tests/conftest.py) under the name these tests use."""
    return analysis_cache


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, gui_cache: Path, default_data: Any) -> Any:
    """Return a shown main window on the default data with its first map loaded."""
    win = open_window(qtbot, tmp_path / "config", gui_cache, default_data)
    yield win
    close_window(win)


