"""Remembering the window between sessions: geometry, dock layout and the user's choices."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray

from .settings import save_settings

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


def restore(win: MainWindow) -> None:
    """Give ``win`` the geometry and dock layout of the last session (or a default size)."""
    s = win.settings
    if s.window_geometry:
        win.restoreGeometry(QByteArray.fromHex(s.window_geometry.encode()))
    else:
        win.resize(1500, 920)
    if s.window_state:
        win.restoreState(QByteArray.fromHex(s.window_state.encode()))
    win._size_docks = not s.window_state


def save(win: MainWindow) -> None:
    """Write ``win``'s geometry, dock layout and choices to the settings file."""
    if not win.remember:
        return
    s = win.session
    win.settings = replace(
        win.settings, window_geometry=bytes(win.saveGeometry().toHex()).decode(),
        window_state=bytes(win.saveState().toHex()).decode(), current_scenario=s.current,
        compare_scenario=s.compare, map_layer=win.maps.layer(),
        last_map_page=win.maps.page_to_reopen(),
        last_scenario_file=s.scenario_file or win.settings.last_scenario_file)
    try:
        save_settings(win.settings, win.settings_dir)
    except OSError as exc:
        log.warning("could not save settings: %s", exc)
