"""The widgets of the main window: tabs with map panes, docks, toolbar and status bar.

:func:`build_layout` creates them and sets them as attributes of the window; it connects
nothing (see ``MainWindow._connect``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QToolBar,
)

from access_app.core import schema
from access_app.core.defaults import ATTRIBUTION

from .map_controller import LAYERS, TAB_COMPARE, TAB_EQUITY, TAB_MAP
from .panels.compare_panel import ComparePanel
from .panels.data_panel import DataPanel
from .panels.equity_panel import EquityPanel
from .panels.map_pane import MapPane
from .panels.scenario_panel import ScenarioPanel

if TYPE_CHECKING:
    from .main_window import MainWindow


def _combo(name: str, tip: str, width: int) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setToolTip(tip)
    combo.setMinimumContentsLength(width)
    return combo


def build_layout(win: MainWindow) -> None:
    """Create the central tabs, the Data and Scenarios docks, the toolbar and status bar."""
    win.main_pane = MapPane("", name="mainPane")
    win.compare = ComparePanel()
    win.equity = EquityPanel()
    tabs = QTabWidget()
    tabs.setObjectName("centralTabs")
    tabs.addTab(win.main_pane, "Map")
    tabs.addTab(win.compare, "Side by side")
    tabs.addTab(win.equity, "Equity")
    tabs.setTabToolTip(TAB_MAP, "Travel time of the current scenario (Ctrl+1)")
    tabs.setTabToolTip(TAB_COMPARE, "Two scenarios side by side and their difference (Ctrl+2)")
    tabs.setTabToolTip(TAB_EQUITY, "Equity tables and charts (Ctrl+3)")
    win.tabs = tabs
    win.setCentralWidget(tabs)

    win.data_panel = DataPanel()
    win.data_dock = QDockWidget("Data", win)
    win.data_dock.setObjectName("dataDock")
    win.data_dock.setWidget(win.data_panel)
    win.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, win.data_dock)
    win.scenario_panel = ScenarioPanel()
    win.scenario_dock = QDockWidget("Scenarios", win)
    win.scenario_dock.setObjectName("scenarioDock")
    win.scenario_dock.setWidget(win.scenario_panel)
    win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, win.scenario_dock)

    bar = win.statusBar()
    win.status_label = QLabel("Starting…")
    win.status_label.setObjectName("statusLabel")
    win.progress = QProgressBar()
    win.progress.setObjectName("progressBar")
    win.progress.setRange(0, 1000)
    win.progress.setMaximumWidth(220)
    win.progress.setToolTip("Progress of the running task")
    win.progress.hide()
    win.cancel_button = QPushButton("Cancel")
    win.cancel_button.setObjectName("cancelButton")
    win.cancel_button.setToolTip("Stop the running task (Esc)")
    win.cancel_button.hide()
    win.attribution_label = QLabel()
    win.attribution_label.setObjectName("attributionLabel")
    win.attribution_label.setStyleSheet("color: #555; font-size: 8pt;")
    win.attribution_label.setMaximumWidth(520)
    bar.addWidget(win.status_label, 1)
    bar.addPermanentWidget(win.attribution_label)
    bar.addPermanentWidget(win.progress)
    bar.addPermanentWidget(win.cancel_button)
    win.set_attribution(ATTRIBUTION, schema.NETWORK_PROXY_LABEL)

    tb = QToolBar("Scenarios")
    tb.setObjectName("scenarioToolbar")
    win.addToolBar(tb)
    win.current_combo = _combo("currentCombo", "Scenario shown on the map and on the left "
                                               "side by side", 18)
    win.compare_combo = _combo("compareCombo", "Scenario shown on the right side by side", 18)
    win.baseline_combo = _combo("baselineCombo", "Scenario that changes are measured against", 14)
    win.layer_combo = _combo("layerCombo", "What the main map shows", 10)
    for key, label in LAYERS:
        win.layer_combo.addItem(label, key)
    keys = [k for k, _ in LAYERS]
    win.layer_combo.setCurrentIndex(keys.index(win.settings.map_layer)
                                    if win.settings.map_layer in keys else 0)
    for label, w in (("Scenario ", win.current_combo), ("  Compare with ", win.compare_combo),
                     ("  Baseline ", win.baseline_combo), ("  Map ", win.layer_combo)):
        tb.addWidget(QLabel(label))
        tb.addWidget(w)
    win.toolbar = tb
