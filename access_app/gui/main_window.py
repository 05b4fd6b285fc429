"""The main window: data and scenario docks, map, side-by-side and equity tabs.

The window is thin. It keeps an :class:`~access_app.gui.state.AppState`, runs the core
functions (the same ones the command line runs) on worker threads through a
:class:`~access_app.gui.workers.TaskRunner`, and shows what comes back: the equity
report in tables and charts, and folium maps (built by :mod:`access_app.maps`) in web
views.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QToolBar,
)

from access_app.core import export as export_mod
from access_app.core import filetypes, io, scenarios, schema, tables
from access_app.core.defaults import ATTRIBUTION
from access_app.core.errors import AccessAppError, DataError, ScenarioError
from access_app.core.progress import report
from access_app.core.scenarios import HUB_RULES, Scenario, ScenarioResult

from . import jobs
from .dialogs import AddSiteDialog, ColumnMappingDialog, about_text, error_box, is_cancelled
from .panels.compare_panel import ComparePanel
from .panels.data_panel import DataPanel
from .panels.equity_panel import EquityPanel
from .panels.map_pane import MapPane
from .panels.scenario_panel import ScenarioPanel
from .settings import Settings, load_settings, save_settings
from .state import AppState
from .workers import TaskError, TaskRunner

log = logging.getLogger(__name__)

#: Files dropped on the window that are networks by their name alone (line files may be areas).
NETWORK_SUFFIXES = filetypes.suffixes("osm", "saved_network")
LAYERS = (("travel", "Travel time"), ("change", "Change vs baseline"),
          ("catchment", "Catchments"))
TAB_MAP, TAB_COMPARE, TAB_EQUITY = 0, 1, 2
DEFAULT_NETWORK_LABEL = "DfT major road network 2013 (embedded default)"


def headline(summary: pd.DataFrame, name: str) -> str:
    """Return the one-line headline numbers of scenario ``name`` from the summary table."""
    rows = summary[summary["scenario"] == name]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    beyond60 = float(r["demand"]) - float(r["within_60_demand"])
    text = (f"{int(r['open_sites'])} open sites · mean {r['mean_min']:.1f} min · "
            f"{r['within_45_share']:.1%} within 45 min · {beyond60:,.0f} beyond 60 min · "
            f"longest {r['max_min']:.0f} min")
    if float(r.get("unreachable_demand", 0) or 0) > 0:
        text += f" · {float(r['unreachable_demand']):,.0f} with no site"
    return text


def app_icon() -> QIcon:
    """Return the application icon (empty if the resource is missing)."""
    from ..resources import resource_path

    try:
        return QIcon(str(resource_path("icons", "access-app.svg")))
    except FileNotFoundError:
        return QIcon()


def slug(text: str) -> str:
    """Return a lower-case id made of letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "site"


class MainWindow(QMainWindow):
    """The Access App window.

    Parameters
    ----------
    settings_dir
        Folder of ``settings.json`` (default: the user config folder).
    cache_dir
        Cache folder for networks and matrices (default :func:`pipeline.user_cache_dir`).
    start
        Load the embedded England data and compute the default scenarios at once.
    show_errors
        Show error dialogs (off for ``--screenshot``, which prints errors instead).
    remember
        Read and write the settings file (off for ``--screenshot``, so screenshots do not
        depend on, or change, the user's layout).
    confirm_close
        Ask to save changed scenarios before the window closes (off for ``--screenshot``
        and in tests that close windows without a user to answer).

    Signals
    -------
    data_loaded()
        Data, network and matrix are in place.
    analysis_updated()
        Results, tables and charts show the current scenarios.
    maps_ready()
        Every map of the visible tab shows the current scenarios.
    exported(list)
        Files written by an export.
    """

    data_loaded = Signal()
    analysis_updated = Signal()
    maps_ready = Signal()
    exported = Signal(list)
    task_failed = Signal(object)

    def __init__(
        self,
        *,
        settings_dir: Path | None = None,
        cache_dir: Path | None = None,
        start: bool = True,
        show_errors: bool = True,
        remember: bool = True,
        confirm_close: bool = True,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Access App — radiotherapy travel time and equity")
        self.setAcceptDrops(True)
        self.setWindowIcon(app_icon())
        self.settings_dir = settings_dir
        self.remember = remember
        self.settings: Settings = load_settings(settings_dir) if remember else Settings()
        self.cache_dir = cache_dir
        self.show_errors = show_errors
        self.confirm_close = confirm_close
        self.state = AppState()
        self.report: tables.EquityReport | None = None
        self.results: dict[str, ScenarioResult] = {}
        self.network_label = ""
        self.tasks = TaskRunner(self)
        self.timings: dict[str, float] = {}
        self._t0: dict[str, float] = {}
        self._map_dir = Path(tempfile.mkdtemp(prefix="access-app-maps-"))
        self._map_counter = 0
        self._wanted: dict[str, Any] = {}
        self._loaded: dict[str, Any] = {}
        self._building: dict[str, Any] = {}
        self._closing = False
        self.last_error: TaskError | BaseException | None = None
        self._saved_scenarios: list[Scenario] = []

        self._build_ui()
        self._build_actions()
        self._restore_window()
        for pane in self._panes().values():
            pane.view.show_message("Loading the England data and travel times…")
        if start:
            QTimer.singleShot(0, self.load_default)

    # ================================================================== UI

    def _build_ui(self) -> None:
        self.main_pane = MapPane("", name="mainPane")
        self.compare = ComparePanel()
        self.equity = EquityPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("centralTabs")
        self.tabs.addTab(self.main_pane, "Map")
        self.tabs.addTab(self.compare, "Side by side")
        self.tabs.addTab(self.equity, "Equity")
        self.tabs.setTabToolTip(TAB_MAP, "Travel time of the current scenario (Ctrl+1)")
        self.tabs.setTabToolTip(TAB_COMPARE, "Two scenarios side by side and their difference "
                                             "(Ctrl+2)")
        self.tabs.setTabToolTip(TAB_EQUITY, "Equity tables and charts (Ctrl+3)")
        self.tabs.currentChanged.connect(lambda _i: self.update_maps())
        self.setCentralWidget(self.tabs)

        self.data_panel = DataPanel()
        self.data_dock = QDockWidget("Data", self)
        self.data_dock.setObjectName("dataDock")
        self.data_dock.setWidget(self.data_panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.data_dock)
        self.scenario_panel = ScenarioPanel()
        self.scenario_dock = QDockWidget("Scenarios", self)
        self.scenario_dock.setObjectName("scenarioDock")
        self.scenario_dock.setWidget(self.scenario_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.scenario_dock)

        dp, sp = self.data_panel, self.scenario_panel
        dp.load_requested.connect(self.request_load)
        dp.add_site_requested.connect(lambda: self.add_site_dialog(None))
        dp.pick_on_map_toggled.connect(self._on_pick_toggled)
        dp.model.open_toggled.connect(self.set_site_open)
        dp.model.hub_toggled.connect(self.set_hub)
        dp.model.network_edited.connect(self.set_site_network)
        sp.selected.connect(self.set_current)
        sp.new_requested.connect(self.new_scenario)
        sp.duplicate_requested.connect(self.duplicate_scenario)
        sp.rename_requested.connect(self.rename_scenario)
        sp.delete_requested.connect(self.delete_scenario)
        sp.edited.connect(self.edit_scenario)
        self.main_pane.view.clicked.connect(self._on_map_clicked)
        for key, pane in self._panes().items():
            pane.view.map_loaded.connect(lambda ok, k=key: self._on_map_loaded(k, ok))

        bar = self.statusBar()
        self.status_label = QLabel("Starting…")
        self.status_label.setObjectName("statusLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("progressBar")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setToolTip("Progress of the running task")
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Stop the running task (Esc)")
        self.cancel_button.clicked.connect(self.cancel_tasks)
        self.cancel_button.hide()
        self.attribution_label = QLabel()
        self.attribution_label.setObjectName("attributionLabel")
        self.attribution_label.setStyleSheet("color: #555; font-size: 8pt;")
        self.attribution_label.setMaximumWidth(520)
        bar.addWidget(self.status_label, 1)
        bar.addPermanentWidget(self.attribution_label)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        self.tasks.busy_changed.connect(self._on_busy)
        self.tasks.progress.connect(self._on_progress)
        self._set_attribution(ATTRIBUTION, schema.NETWORK_PROXY_LABEL)

        tb = QToolBar("Scenarios")
        tb.setObjectName("scenarioToolbar")
        self.addToolBar(tb)
        self.current_combo = QComboBox()
        self.current_combo.setObjectName("currentCombo")
        self.current_combo.setToolTip("Scenario shown on the map and on the left side by side")
        self.current_combo.setMinimumContentsLength(18)
        self.current_combo.activated.connect(
            lambda _i: self.set_current(self.current_combo.currentText()))
        self.compare_combo = QComboBox()
        self.compare_combo.setObjectName("compareCombo")
        self.compare_combo.setToolTip("Scenario shown on the right side by side")
        self.compare_combo.setMinimumContentsLength(18)
        self.compare_combo.activated.connect(
            lambda _i: self.set_compare(self.compare_combo.currentText()))
        self.baseline_combo = QComboBox()
        self.baseline_combo.setObjectName("baselineCombo")
        self.baseline_combo.setToolTip("Scenario that changes are measured against")
        self.baseline_combo.setMinimumContentsLength(14)
        self.baseline_combo.activated.connect(
            lambda _i: self.set_baseline(self.baseline_combo.currentText()))
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("layerCombo")
        self.layer_combo.setToolTip("What the main map shows")
        for key, label in LAYERS:
            self.layer_combo.addItem(label, key)
        idx = max(0, [k for k, _ in LAYERS].index(self.settings.map_layer)
                  if self.settings.map_layer in dict(LAYERS) else 0)
        self.layer_combo.setCurrentIndex(idx)
        self.layer_combo.currentIndexChanged.connect(lambda _i: self.update_maps())
        for label, w in (("Scenario ", self.current_combo), ("  Compare with ", self.compare_combo),
                         ("  Baseline ", self.baseline_combo), ("  Map ", self.layer_combo)):
            tb.addWidget(QLabel(label))
            tb.addWidget(w)
        self.toolbar = tb

    def _build_actions(self) -> None:
        def act(text: str, slot: Callable[..., Any], shortcut: Any = None, tip: str = "",
                name: str = "") -> QAction:
            a = QAction(text, self)
            if shortcut is not None:
                a.setShortcut(QKeySequence(shortcut))
            a.setToolTip(tip or text)
            a.setStatusTip(tip or text)
            a.setObjectName(name or f"action_{slug(text)}")
            a.triggered.connect(lambda _c=False: slot())
            self.addAction(a)
            return a

        file_menu = self.menuBar().addMenu("&File")
        self.open_scenarios_action = act(
            "&Open scenarios…", self.open_scenarios_dialog, QKeySequence.StandardKey.Open,
            "Open a scenario file (.toml)")
        file_menu.addAction(self.open_scenarios_action)
        self.save_action = act("&Save scenarios", self.save_scenarios,
                               QKeySequence.StandardKey.Save, "Save the scenarios (.toml)")
        file_menu.addAction(self.save_action)
        file_menu.addAction(act("Save scenarios &as…", self.save_scenarios_as, "Ctrl+Shift+S",
                                "Save the scenarios to a new file"))
        file_menu.addSeparator()
        for kind, text, key in (("areas", "Open &areas…", "Ctrl+Shift+A"),
                                ("sites", "Open s&ites…", "Ctrl+Shift+I"),
                                ("network", "Open road &network…", "Ctrl+Shift+N"),
                                ("download", "&Download road network…", None),
                                ("postcodes", "Choose &postcode file…", None)):
            file_menu.addAction(act(text, lambda k=kind: self.request_load(k), key))
        file_menu.addAction(act("Save si&tes as CSV…", self.save_sites_dialog, None,
                                "Save the sites, with those added or edited, to open again"))
        file_menu.addSeparator()
        self.export_action = act("&Export tables, map and charts…", self.export_dialog,
                                 "Ctrl+E", "Write Excel, CSV, GeoPackage, map HTML/PNG, charts")
        file_menu.addAction(self.export_action)
        file_menu.addAction(act("Export map as &HTML…", lambda: self.export_map_dialog("html")))
        file_menu.addAction(act("Export map as P&NG…", lambda: self.export_map_dialog("png")))
        file_menu.addAction(act("Export &charts…", self.export_charts_dialog))
        file_menu.addSeparator()
        file_menu.addAction(act("&Quit", self.close, QKeySequence.StandardKey.Quit))

        sc_menu = self.menuBar().addMenu("&Scenario")
        sc_menu.addAction(act("&New scenario", self.new_scenario, QKeySequence.StandardKey.New))
        sc_menu.addAction(act("&Duplicate scenario",
                              lambda: self.duplicate_scenario(self.state.current), "Ctrl+D"))
        sc_menu.addAction(act("&Rename scenario…", self.rename_dialog, "F2"))
        sc_menu.addAction(act("De&lete scenario",
                              lambda: self.delete_scenario(self.state.current)))
        sc_menu.addSeparator()
        self.recompute_action = act("Re&compute", self.recompute_all, "F5",
                                    "Recompute travel times and every scenario")
        sc_menu.addAction(self.recompute_action)
        sc_menu.addAction(act("Cancel running task", self.cancel_tasks, "Esc"))

        view_menu = self.menuBar().addMenu("&View")
        for i, (text, key) in enumerate((("&Map", "Ctrl+1"), ("&Side by side", "Ctrl+2"),
                                         ("&Equity", "Ctrl+3"))):
            view_menu.addAction(act(text, lambda i=i: self.tabs.setCurrentIndex(i), key))
        view_menu.addSeparator()
        view_menu.addAction(self.data_dock.toggleViewAction())
        view_menu.addAction(self.scenario_dock.toggleViewAction())
        self.tiles_action = QAction("Web map &tiles (needs internet)", self)
        self.tiles_action.setCheckable(True)
        self.tiles_action.setChecked(self.settings.use_web_tiles)
        self.tiles_action.setToolTip("Add OpenStreetMap tiles under the offline basemap")
        self.tiles_action.toggled.connect(self._on_tiles_toggled)
        view_menu.addAction(self.tiles_action)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(act("&About Access App", self.about))

    def _panes(self) -> dict[str, MapPane]:
        return {"main": self.main_pane, "left": self.compare.left, "right": self.compare.right,
                "diff": self.compare.diff}

    def _restore_window(self) -> None:
        s = self.settings
        if s.window_geometry:
            self.restoreGeometry(QByteArray.fromHex(s.window_geometry.encode()))
        else:
            self.resize(1500, 920)
        if s.window_state:
            self.restoreState(QByteArray.fromHex(s.window_state.encode()))
        self._size_docks = not s.window_state

    def showEvent(self, event: Any) -> None:  # noqa: N802
        """Give the docks a sensible width the first time the window is shown."""
        super().showEvent(event)
        if self._size_docks:
            self._size_docks = False
            QTimer.singleShot(0, lambda: self.resizeDocks(
                [self.data_dock, self.scenario_dock], [360, 270], Qt.Orientation.Horizontal))

    def _set_attribution(self, attribution: str, network_note: str) -> None:
        short = attribution if len(attribution) < 90 else attribution[:87] + "…"
        self.attribution_label.setText(short)
        self.attribution_label.setToolTip(f"{attribution}\n\n{network_note}")

    # ============================================================ tasks

    def _start(self, slot: str, fn: Callable[..., Any], *, label: str,
               on_finished: Callable[[Any], None], show_progress: bool = True,
               on_error: Callable[[TaskError], None] | None = None) -> None:
        self._t0[slot] = time.perf_counter()

        def done(result: Any) -> None:
            self.timings[slot] = time.perf_counter() - self._t0.get(slot, 0.0)
            on_finished(result)

        self.tasks.start(slot, fn, label=label, on_finished=done,
                         on_error=on_error or self.report_error, show_progress=show_progress)

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.progress.setValue(0)

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.status_label.setText(message)

    def cancel_tasks(self) -> None:
        """Stop every task that shows progress (the Cancel button)."""
        if self.tasks.running():
            self.tasks.cancel_visible()
            self.status_label.setText("Cancelling…")

    def report_error(self, err: TaskError | BaseException) -> None:
        """Show an error dialog (or a status message for a cancelled task)."""
        self.last_error = err
        self.task_failed.emit(err)
        if is_cancelled(err):
            label = err.label if isinstance(err, TaskError) else ""
            self.status_label.setText(f"Cancelled: {label}" if label else "Cancelled")
            return
        exc = err.exception if isinstance(err, TaskError) else err
        self.status_label.setText(f"Error: {str(exc).splitlines()[0][:160]}")
        if self.show_errors and not self._closing:
            box = error_box(self, err)
            box.open()
            self.error_dialog = box

    # ========================================================= loading

    def load_default(self) -> None:
        """Load the embedded England data, its road network and travel times (worker)."""
        self._start("data", jobs.load_default_job(cache_dir=self.cache_dir),
                    label="Loading the England data and travel times",
                    on_finished=lambda r: self.use_data(*r, network=DEFAULT_NETWORK_LABEL))

    def use_data(self, dataset: Any, graph: Any, matrix: Any, *, network: str) -> None:
        """Show ``dataset`` with its road ``graph`` and travel-time ``matrix``; recompute.

        Called when loading finishes; tests call it to hand over data computed once.
        """
        first = self.state.dataset is None
        self.state.set_dataset(dataset, matrix=matrix, graph=graph)
        self.network_label = network
        self._set_attribution(dataset.attribution, dataset.network_note)
        if first or not self.state.scenarios:
            self._initial_scenarios()
        else:
            self._check_scenarios_against_sites()
        self.refresh_views()
        self.status_label.setText(f"{len(dataset.areas):,} areas, {len(dataset.sites):,} sites, "
                                  f"{len(self.state.scenarios)} scenarios")
        lost = matrix.unreachable if matrix is not None else None
        warning = ""
        if lost is not None and len(lost):
            n_areas = int((lost["kind"] == "area").sum())
            n_sites = int((lost["kind"] == "site").sum())
            warning = (f"{n_areas:,} of {len(dataset.areas):,} areas and {n_sites:,} of "
                       f"{len(dataset.sites):,} sites cannot be reached over this road network "
                       "(shown grey on the map).")
        self.data_panel.set_reach_warning(warning)
        self.data_loaded.emit()
        self.recompute()

    def _initial_scenarios(self) -> None:
        path = self.settings.last_scenario_file
        saved = path if path and Path(path).is_file() else None
        start = scenarios.editing.initial_scenarios(self.state.sites, saved)
        if start.source == "saved":
            self.state.scenario_file = path
        elif saved is not None:
            self.status_label.setText(f"Could not reopen {path}; using the defaults")
        self.state.set_scenarios(start.scenarios, keep_selection=False)
        self._saved_scenarios = list(self.state.scenarios)
        names = self.state.names()
        if self.settings.current_scenario in names:
            self.state.current = self.settings.current_scenario
        if self.settings.compare_scenario in names:
            self.state.compare = self.settings.compare_scenario
        if self.state.compare == self.state.current and len(names) > 1:
            self.state.compare = next(n for n in names if n != self.state.current)
        if "Centralised" in names and not self.settings.compare_scenario:
            self.state.compare = "Centralised"

    def _check_scenarios_against_sites(self) -> None:
        if scenarios.editing.check_scenarios_against_sites(self.state.scenarios, self.state.sites):
            self.state.set_scenarios(scenarios.default_scenarios(self.state.sites),
                                     keep_selection=False)
            self.status_label.setText(
                "The new sites do not match the scenarios' site ids; default scenarios made "
                "for the new sites")

    def request_load(self, kind: str) -> None:
        """Ask for a file (or place name) of ``kind`` and load it."""
        if kind == "download":
            place, ok = QInputDialog.getText(
                self, "Download road network",
                "Place name for OpenStreetMap (e.g. 'Rutland, England'):")
            if ok and place.strip():
                self.download_network(place.strip())
            return
        filters = {k: filetypes.dialog_filter(k) for k in ("areas", "sites", "network", "postcodes")}
        path, _ = QFileDialog.getOpenFileName(self, f"Open {kind}", self.settings.dir_for(kind),
                                              filters[kind])
        if path:
            self.settings = self.settings.with_dir(kind, Path(path).parent)
            self.open_path(Path(path), kind)

    def open_path(self, path: Path, kind: str) -> None:
        """Load ``path`` as ``kind`` ("areas", "sites", "network", "scenarios", "postcodes")."""
        if kind in ("areas", "sites"):
            self.preview_file(path, kind)
        elif kind == "network":
            self.load_network(path)
        elif kind == "scenarios":
            self.open_scenarios(path)
        elif kind == "postcodes":
            self.settings = replace(self.settings, postcodes_file=str(path))
            self.status_label.setText(f"Postcodes will be looked up in {path}")

    def preview_file(self, path: Path, kind: str) -> None:
        """Read the first rows of ``path`` (worker), then show the column-mapping dialog."""
        def task(progress: Any, cancelled: Any) -> pd.DataFrame:
            report(progress, 0.0, f"Reading {path.name}")
            return io.read_preview(path, n=20)

        self._start("load", task, label=f"Reading {path.name}",
                    on_finished=lambda df: self.show_mapping_dialog(path, kind, df))

    def show_mapping_dialog(self, path: Path, kind: str, preview: pd.DataFrame) -> None:
        """Open the column-mapping dialog; loading starts when the user accepts it."""
        mapping = io.detect_columns(preview, kind=kind)  # type: ignore[arg-type]
        dlg = ColumnMappingDialog(preview, mapping, kind=kind, source=path.name, parent=self)
        self.mapping_dialog = dlg
        dlg.accepted.connect(lambda: self.load_table(path, kind, dlg.mapping()))
        dlg.open()

    def _postcodes(self) -> Any:
        path = self.settings.postcodes_file
        if path and Path(path).is_file():
            from access_app.core.postcodes import CodePointOpen

            return CodePointOpen(Path(path))
        return None

    def load_table(self, path: Path, kind: str, mapping: io.ColumnMapping) -> None:
        """Load areas or sites with ``mapping`` (worker); keep the old data on error."""
        if self.state.dataset is None:
            self.report_error(DataError("Wait until the default data has loaded, then try again."))
            return
        task = jobs.load_table_job(path, kind, mapping, base=self.state.dataset,
                                   graph=self.state.graph, postcodes=self._postcodes(),
                                   cache_dir=self.cache_dir)
        self._start("load", task, label=f"Loading {kind} from {path.name}",
                    on_finished=lambda r: self.use_data(*r, network=self.network_label))

    def load_network(self, path: Path) -> None:
        """Load a road network file and recompute travel times (worker)."""
        task = jobs.network_job(self.state.dataset, path=path, cache_dir=self.cache_dir)
        self._start("load", task, label=f"Loading the road network {path.name}",
                    on_finished=lambda r: self.use_data(*r, network=str(path)))

    def download_network(self, place: str) -> None:
        """Download a place's roads with osmnx and recompute travel times (worker)."""
        task = jobs.network_job(self.state.dataset, place=place, cache_dir=self.cache_dir)
        self._start("load", task, label=f"Downloading the roads of {place}",
                    on_finished=lambda r: self.use_data(*r, network=f"OpenStreetMap: {place}"))

    def recompute_all(self) -> None:
        """Recompute the travel-time matrix from the current network, then every scenario."""
        if self.state.dataset is None or self.state.graph is None:
            self.load_default()
            return
        task = jobs.network_job(self.state.dataset, graph=self.state.graph,
                                cache_dir=self.cache_dir)
        self._start("matrix", task, label="Computing travel times",
                    on_finished=lambda r: self.use_data(*r, network=self.network_label))

    # ======================================================= scenarios

    def open_scenarios_dialog(self) -> None:
        """Ask for a scenario TOML file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open scenarios",
                                              self.settings.dir_for("scenarios"),
                                              "Scenarios (*.toml);;All files (*)")
        if path:
            self.settings = self.settings.with_dir("scenarios", Path(path).parent)
            self.open_scenarios(Path(path))

    def open_scenarios(self, path: Path) -> bool:
        """Replace the scenarios by those in ``path``; keep the old ones on error."""
        try:
            loaded = scenarios.load_scenarios(path, sites=self.state.sites
                                              if self.state.dataset is not None else None)
        except ScenarioError as exc:
            self.report_error(exc)
            return False
        self.state.set_scenarios(loaded, keep_selection=False)
        self._saved_scenarios = list(loaded)
        self.state.scenario_file = str(path)
        self.settings = replace(self.settings, last_scenario_file=str(path))
        self.status_label.setText(f"Opened {len(loaded)} scenarios from {path}")
        self.refresh_views()
        self.recompute()
        return True

    def save_scenarios(self) -> bool:
        """Save the scenarios to the current file (or ask for one)."""
        if not self.state.scenario_file:
            return self.save_scenarios_as()
        return self.save_scenarios_to(Path(self.state.scenario_file))

    def save_scenarios_as(self) -> bool:
        """Ask for a file name and save the scenarios there."""
        start = self.state.scenario_file or str(Path(self.settings.dir_for("scenarios"))
                                                / "scenarios.toml")
        path, _ = QFileDialog.getSaveFileName(self, "Save scenarios", start,
                                              "Scenarios (*.toml)")
        if not path:
            return False
        if not path.lower().endswith(".toml"):
            path += ".toml"
        self.settings = self.settings.with_dir("scenarios", Path(path).parent)
        return self.save_scenarios_to(Path(path))

    def save_scenarios_to(self, path: Path) -> bool:
        """Write the scenarios to ``path`` (TOML) and remember it as the project file."""
        try:
            scenarios.save_scenarios(self.state.scenarios, path)
        except (ScenarioError, OSError) as exc:
            self.report_error(exc)
            return False
        self.state.scenario_file = str(path)
        self.settings = replace(self.settings, last_scenario_file=str(path))
        self._saved_scenarios = list(self.state.scenarios)
        self.status_label.setText(f"Saved {len(self.state.scenarios)} scenarios to {path}")
        self.refresh_views()
        return True

    def save_sites_dialog(self) -> None:
        """Ask for a CSV file and save the sites (with any added or edited) there."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Save sites", str(Path(self.settings.dir_for("sites")) / "sites.csv"),
            "CSV (*.csv)")
        if path:
            self.settings = self.settings.with_dir("sites", Path(path).parent)
            self.save_sites_to(Path(path))

    def save_sites_to(self, path: Path) -> bool:
        """Write the sites as CSV with easting/northing, ready to be opened again."""
        if self.state.dataset is None:
            return False
        sites = self.state.sites.to_crs(schema.BNG)
        table = pd.DataFrame(sites.drop(columns="geometry"))
        table["easting"] = sites.geometry.x.round(1)
        table["northing"] = sites.geometry.y.round(1)
        try:
            export_mod.write_csv(table, path)
        except (OSError, AccessAppError) as exc:
            self.report_error(exc)
            return False
        self.status_label.setText(f"Saved {len(table)} sites to {path}")
        return True

    def _apply(self, change: Callable[[], Any], *, recompute: bool = True) -> bool:
        try:
            change()
        except ScenarioError as exc:
            self.report_error(exc)
            self.refresh_views()
            return False
        self.refresh_views()
        if recompute:
            self.recompute()
        return True

    def set_current(self, name: str) -> None:
        """Show scenario ``name`` on the main map and in the editor."""
        if not name or name == self.state.current:
            return
        self.state.current = name
        if self.state.compare == name:
            others = [n for n in self.state.names() if n != name]
            self.state.compare = others[0] if others else name
        self.refresh_views()
        self.refresh_results_views()
        self.update_maps()

    def set_compare(self, name: str) -> None:
        """Show scenario ``name`` on the right of the side-by-side view."""
        if name and name != self.state.compare:
            self.state.compare = name
            self.refresh_results_views()
            self.update_maps()

    def set_baseline(self, name: str) -> None:
        """Measure changes against scenario ``name``."""
        if name and name != self.state.baseline:
            self.state.baseline = name
            self.recompute()

    def new_scenario(self) -> None:
        """Create a scenario with every site open and show it."""
        def change() -> None:
            sc = self.state.new_scenario()
            self.state.current = sc.name

        self._apply(change)

    def duplicate_scenario(self, name: str) -> None:
        """Copy scenario ``name`` and show the copy."""
        def change() -> None:
            sc = self.state.duplicate(name)
            self.state.current = sc.name

        self._apply(change)

    def rename_dialog(self) -> None:
        """Ask for a new name of the current scenario."""
        old = self.state.current
        new, ok = QInputDialog.getText(self, "Rename scenario", "New name:", text=old)
        if ok:
            self.rename_scenario(old, new)

    def rename_scenario(self, old: str, new: str) -> None:
        """Rename a scenario (the results are kept)."""
        self._apply(lambda: self.state.rename(old, new))

    def delete_scenario(self, name: str) -> None:
        """Delete a scenario."""
        self._apply(lambda: self.state.delete(name))

    def edit_scenario(self, name: str, scenario: Scenario) -> None:
        """Replace scenario ``name`` by the edited ``scenario`` and recompute."""
        self._apply(lambda: self.state.update(name, scenario))

    def set_site_open(self, site_id: str, is_open: bool) -> None:
        """Open or close a site in the current scenario and recompute."""
        self._apply(lambda: self.state.set_site_open(self.state.current, site_id, is_open))

    def set_hub(self, site_id: str, is_hub: bool) -> None:
        """Make a site a hub of the current scenario (or not) and recompute."""
        self._apply(lambda: self.state.set_hub(self.state.current, site_id, is_hub))

    def set_site_network(self, site_id: str, network: str) -> None:
        """Move a site to another network and recompute every scenario."""
        self._apply(lambda: self.state.set_site_network(site_id, network))

    # ======================================================= adding sites

    def _on_pick_toggled(self, on: bool) -> None:
        if on:
            self.tabs.setCurrentIndex(TAB_MAP)
            self.status_label.setText("Click the map where the new site is (Esc to stop)")
            self.main_pane.view.setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.main_pane.view.unsetCursor()

    def _on_map_clicked(self, lat: float, lng: float) -> None:
        if self.data_panel.pick_button.isChecked():
            self.data_panel.pick_button.setChecked(False)
            self.add_site_dialog((lat, lng))

    def add_site_dialog(self, location: tuple[float, float] | None) -> None:
        """Ask for the new site's details; add it when the dialog is accepted."""
        if not self.state.ready():
            self.report_error(DataError("Wait until travel times are computed, then add sites."))
            return
        dlg = AddSiteDialog(self.state.networks(), location=location, parent=self)
        self.add_site_dlg = dlg
        dlg.accepted.connect(lambda: self.add_site(dlg.values(), location=location))
        dlg.open()

    def add_site(self, values: dict[str, Any], *, location: tuple[float, float] | None) -> None:
        """Place a new site (by postcode or WGS84 point), route to it and open it (worker)."""
        ds = self.state.dataset
        postcodes = self._postcodes()
        if location is None and postcodes is None:
            self.report_error(DataError(
                "Choose the OS Code-Point Open zip first (File > Choose postcode file…) to place "
                "sites by postcode, or add the site by clicking the map."))
            return
        site_id = io.unique_site_id(values["site_name"], ds.sites[schema.SITE_ID].astype(str))
        task = jobs.add_site_job(values, site_id=site_id, location=location, dataset=ds,
                                 graph=self.state.graph, postcodes=postcodes,
                                 cache_dir=self.cache_dir)

        def done(r: tuple[Any, Any, str]) -> None:
            new, matrix, sid = r
            self.state.set_dataset(new, matrix=matrix)
            self.state.set_site_open(self.state.current, sid, True)
            self.status_label.setText(f"Added {values['site_name']} and opened it in "
                                      f"{self.state.current}")
            self.refresh_views()
            self.recompute()

        self._start("load", task, label=f"Adding {values['site_name']}", on_finished=done)

    # ========================================================= analysis

    def recompute(self) -> None:
        """Apply every scenario to the cached matrix and rebuild the tables (worker)."""
        if not self.state.ready():
            return
        scs = self.state.ordered_for_report()
        task = jobs.evaluate_job(self.state.areas, self.state.sites, self.state.matrix, scs,
                                 baseline=self.state.baseline or scs[0].name,
                                 cached=self.state.cached_results())
        self._start("analysis", task, label="Applying the scenarios",
                    on_finished=self._on_analysis)

    def _on_analysis(self, r: tuple[dict[str, ScenarioResult], Any]) -> None:
        results, rep = r
        self.results = results
        self.state.store_results(results)
        self.report = rep
        proxy = self.state.dataset.network_note == schema.NETWORK_PROXY_LABEL
        self.equity.set_report(rep, network_label="Network (region proxy)" if proxy
                               else "Network")
        self.equity.charts.set_attribution(self.state.dataset.attribution)
        self.refresh_results_views()
        self.status_label.setText(
            f"{len(results)} scenarios applied to {len(self.state.areas):,} areas "
            f"in {self.timings.get('analysis', 0):.2f} s")
        self.analysis_updated.emit()
        self.update_maps()

    def refresh_results_views(self) -> None:
        """Update charts, headline numbers and the comparison table from the results."""
        rep = self.report
        if rep is None or not self.results:
            return
        cur, cmp_, base = self.state.current, self.state.compare, rep.baseline
        order = [n for n in self.state.names() if n in self.results]
        areas = self.state.areas
        deciles = (areas[schema.IMD_DECILE].to_numpy(dtype=float)
                   if schema.IMD_DECILE in areas.columns else None)
        self.equity.charts.plot([self.results[n] for n in order], imd_decile=deciles,
                                baseline=self.results.get(base))
        self.compare.set_table(rep.summary, cur, cmp_)

    def refresh_views(self) -> None:
        """Show the state: combos, scenario list, sites table, sources."""
        st = self.state
        project = Path(st.scenario_file).name if st.scenario_file else "default scenarios"
        changed = "*" if self.has_unsaved_scenarios() else ""
        self.setWindowTitle(f"Access App — {project}{changed}")
        names = st.names()
        for combo, value in ((self.current_combo, st.current), (self.compare_combo, st.compare),
                             (self.baseline_combo, st.baseline)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentText(value)
            combo.blockSignals(False)
        if st.dataset is None:
            return
        self.scenario_panel.show_scenarios(st.scenarios, st.current, areas=st.areas,
                                           sites=st.sites)
        try:
            sc = st.scenario(st.current)
        except ScenarioError:
            sc = None
        self.data_panel.model.set_data(
            st.sites, open_sites=sc.open_sites if sc else (), hubs=sc.hub_sites if sc else (),
            hub_editable=bool(sc and sc.rule in HUB_RULES))
        self.data_panel.resize_columns()
        n_open = len(sc.open_sites) if sc else 0
        self.data_panel.sites_summary.setText(
            f"{len(st.sites)} sites; {n_open} open in '{st.current}'")
        self.data_panel.set_sources(st.dataset.sources, network=self.network_label,
                                    network_note=st.dataset.network_note)
        self.data_panel.model.network_note = st.dataset.network_note
        self.data_panel.network_delegate.networks = st.networks()

    # ============================================================= maps

    def _map_layer(self) -> str:
        return str(self.layer_combo.currentData() or "travel")

    def _wanted_maps(self) -> dict[str, tuple[Any, ...]]:
        st = self.state
        tiles = self.tiles_action.isChecked()
        key_base = (id(st.dataset), id(st.matrix), tiles)
        try:
            cur, cmp_ = st.scenario(st.current), st.scenario(st.compare)
            base = st.scenario(self.report.baseline if self.report else st.baseline)
        except ScenarioError:
            return {}
        tab = self.tabs.currentIndex()
        if tab == TAB_MAP:
            layer = self._map_layer()
            return {"main": (layer, cur, base if layer == "change" else None, *key_base)}
        if tab == TAB_COMPARE:
            return {"left": ("travel", cur, None, *key_base),
                    "right": ("travel", cmp_, None, *key_base),
                    "diff": ("diff", cmp_, cur, *key_base)}
        return {}

    def update_maps(self) -> None:
        """Rebuild the maps of the visible tab that do not show the current results."""
        if self.report is None or not self.results:
            return
        self._set_pane_titles()
        wanted = self._wanted_maps()
        self._wanted = wanted
        for pane, key in wanted.items():
            if self._loaded.get(pane) == key or self._building.get(pane) == key:
                continue
            self._build_map(pane, key)
        self._check_maps_ready()

    def _set_pane_titles(self) -> None:
        rep, st = self.report, self.state
        if rep is None:
            return
        layer = dict(LAYERS)[self._map_layer()]
        if self._map_layer() == "change":
            layer = f"change in travel time against {rep.baseline}"
        self.main_pane.set_text(f"{st.current} — {layer}", headline(rep.summary, st.current))
        self.compare.left.set_text(st.current, headline(rep.summary, st.current))
        self.compare.right.set_text(st.compare, headline(rep.summary, st.compare))
        self.compare.diff.set_text(f"Difference: {st.compare} minus {st.current}",
                                   "Warm colours: longer journeys under "
                                   f"{st.compare}; cool colours: shorter")

    def map_frame(self, name: str, *, against: str | None = None) -> gpd.GeoDataFrame:
        """Return the areas with the result columns the map builders read.

        ``minutes`` and ``site_name`` of scenario ``name``; with ``against``, also
        ``baseline_minutes`` and ``change`` (``name`` minus ``against``).
        """
        from access_app import maps

        ds = self.state.dataset
        if against is None:
            return maps.scenario_areas(ds.areas, ds.sites, self.results[name])
        return maps.change_areas(ds.areas, ds.sites, self.results[name], self.results[against])

    def _map_job(self, key: tuple[Any, ...], *,
                 standalone: Path | None = None) -> Callable[[Any, Any], Any]:
        """Return a task that builds the map for ``key`` and writes it to a file.

        With ``standalone``, the map is written there with Leaflet inlined (for export).
        """
        layer, sc, other, tiles = key[0], key[1], key[2], key[-1]
        if layer in ("change", "diff"):
            frame = self.map_frame(sc.name, against=other.name)
            title = (f"{sc.name}: change against {other.name}" if layer == "change"
                     else f"{sc.name} minus {other.name}")
        else:
            frame = self.map_frame(sc.name)
            title = (f"{sc.name}: car travel time" if layer == "travel"
                     else f"{sc.name}: catchments")
        self._map_counter += 1
        path = standalone or self._map_dir / f"map-{self._map_counter}.html"
        return jobs.map_job("change" if layer == "diff" else layer, frame, self.state.dataset,
                            sc, title=title, tiles=tiles, path=path,
                            standalone=standalone is not None)

    def _build_map(self, pane: str, key: tuple[Any, ...]) -> None:
        self._building[pane] = key
        self._t0[f"mapload:{pane}"] = time.perf_counter()

        def done(path: Path) -> None:
            self._building.pop(pane, None)
            view = self._panes()[pane].view
            view.pending_key = key
            # A pane shown for the first time opens where the main map is.
            start = view.current_view or (self.main_pane.view.current_view
                                          if pane != "main" else None)
            view.show_file(path, view=start)

        def failed(err: TaskError) -> None:
            self._building.pop(pane, None)
            self.report_error(err)

        self._start(f"map:{pane}", self._map_job(key), label="Drawing the map",
                    on_finished=done, on_error=failed)

    def _on_map_loaded(self, pane: str, ok: bool) -> None:
        view = self._panes()[pane].view
        key = getattr(view, "pending_key", None)
        if ok and key is not None:
            self._loaded[pane] = key
            self.timings[f"mapload:{pane}"] = (time.perf_counter()
                                                - self._t0.get(f"mapload:{pane}", 0.0))
        self._check_maps_ready()

    def _check_maps_ready(self) -> None:
        if self._wanted and all(self._loaded.get(p) == k for p, k in self._wanted.items()):
            self.maps_ready.emit()

    def _on_tiles_toggled(self, on: bool) -> None:
        self.settings = replace(self.settings, use_web_tiles=on)
        self.update_maps()

    # ============================================================ export

    def export_dialog(self) -> None:
        """Ask for a folder and write every export there."""
        folder = QFileDialog.getExistingDirectory(self, "Export to folder",
                                                  self.settings.dir_for("export"))
        if folder:
            self.settings = self.settings.with_dir("export", folder)
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        """Write tables (Excel, CSV, GeoPackage), the map (HTML, PNG) and charts (worker)."""
        if self.report is None:
            self.report_error(DataError("Nothing to export yet: wait for the results."))
            return
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        try:
            written += self.save_charts(folder)
            if self.main_pane.view.loaded:
                png = folder / "map_current.png"
                if not self.main_pane.view.grab().save(str(png)):
                    raise OSError(f"Could not write {png}")
                written.append(png)
        except OSError as exc:
            self.report_error(exc)
            return
        key = self._loaded.get("main") or self._wanted_maps().get("main")
        map_task = self._map_job(key, standalone=folder / "map_current.html") if key else None
        task = jobs.export_job(self.report, self.state.dataset, self.state.graph,
                               list(self.state.scenarios), folder, map_task=map_task)

        def done(files: list[Path]) -> None:
            allf = written + list(files)
            self.status_label.setText(f"Exported {len(allf)} files to {folder}")
            self.exported.emit(allf)

        self._start("export", task, label=f"Exporting to {folder}", on_finished=done)

    def save_charts(self, folder: Path) -> list[Path]:
        """Save every chart as PNG and SVG in ``folder``."""
        out = []
        for name, canvas in self.equity.charts.canvases().items():
            for ext in ("png", "svg"):
                out.append(canvas.save(folder / f"chart_{name}.{ext}"))
        return out

    def export_map_dialog(self, kind: str) -> None:
        """Save the main map as standalone HTML or PNG."""
        suffix = {"html": "Web page (*.html)", "png": "PNG image (*.png)"}[kind]
        path, _ = QFileDialog.getSaveFileName(
            self, "Export map", str(Path(self.settings.dir_for("export")) / f"map.{kind}"), suffix)
        if not path:
            return
        if kind == "png":
            if not self.main_pane.view.grab().save(path):
                self.report_error(OSError(f"Could not write {path}"))
            else:
                self.status_label.setText(f"Saved the map to {path}")
            return
        key = self._loaded.get("main")
        if key is None:
            return
        task = self._map_job(key, standalone=Path(path))
        self._start("export", task, label="Exporting the map",
                    on_finished=lambda p: self.status_label.setText(f"Saved the map to {p}"))

    def export_charts_dialog(self) -> None:
        """Save the charts as PNG and SVG into a folder."""
        folder = QFileDialog.getExistingDirectory(self, "Save charts to folder",
                                                  self.settings.dir_for("export"))
        if folder:
            try:
                files = self.save_charts(Path(folder))
            except OSError as exc:
                self.report_error(exc)
                return
            self.status_label.setText(f"Saved {len(files)} chart files to {folder}")

    # ============================================================ misc

    def about(self) -> None:
        """Show the About box with the data attribution and the network label."""
        ds = self.state.dataset
        text = about_text(ds.attribution if ds else ATTRIBUTION,
                          ds.network_note if ds else schema.NETWORK_PROXY_LABEL)
        box = QMessageBox(QMessageBox.Icon.Information, "About Access App", text,
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()
        self.about_box = box

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Accept dragged local files."""
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Load dropped files: scenarios and networks by suffix, others after asking."""
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            kind = self.guess_kind(path)
            if kind is None:
                menu = QMenu(self)
                for k, text in (("areas", "Load as areas"), ("sites", "Load as sites"),
                                ("network", "Load as road network")):
                    menu.addAction(text).setData(k)
                chosen = menu.exec(self.mapToGlobal(event.position().toPoint()))
                kind = chosen.data() if chosen is not None else None
            if kind:
                self.open_path(path, kind)
        event.acceptProposedAction()

    @staticmethod
    def guess_kind(path: Path) -> str | None:
        """Return the kind of a dropped file when its name says it, else ``None``."""
        name = path.name.lower()
        if filetypes.FILE_TYPES["scenarios"].matches(path):
            return "scenarios"
        if name.endswith(NETWORK_SUFFIXES):
            return "network"
        if "codepo" in name or "code-point" in name or "codepoint" in name:
            return "postcodes"
        if "site" in name or "centre" in name:
            return "sites"
        if "lsoa" in name or "area" in name:
            return "areas"
        return None

    def save_window_settings(self) -> None:
        """Write geometry, dock layout and choices to the settings file."""
        if not self.remember:
            return
        self.settings = replace(
            self.settings,
            window_geometry=bytes(self.saveGeometry().toHex()).decode(),
            window_state=bytes(self.saveState().toHex()).decode(),
            current_scenario=self.state.current,
            compare_scenario=self.state.compare,
            last_scenario_file=self.state.scenario_file or self.settings.last_scenario_file,
            map_layer=self._map_layer(),
        )
        try:
            save_settings(self.settings, self.settings_dir)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)

    def has_unsaved_scenarios(self) -> bool:
        """Return True if the scenarios differ from those last opened or saved."""
        return self.state.scenarios != self._saved_scenarios

    def _may_close(self) -> bool:
        """Ask to save changed scenarios; return False if the user cancels closing."""
        if not (self.confirm_close and self.has_unsaved_scenarios()):
            return True
        choice = QMessageBox.question(
            self, "Unsaved scenarios",
            "The scenarios have changed since they were last saved.\n"
            "Save them before closing?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if choice == QMessageBox.StandardButton.Save:
            return self.save_scenarios()
        return choice == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Offer to save changed scenarios, then save settings, stop workers, remove map pages."""
        if not self._closing and not self._may_close():
            event.ignore()
            return
        self._closing = True
        self.save_window_settings()
        self.tasks.shutdown(10000)
        for pane in self._panes().values():
            pane.view.stop()
        shutil.rmtree(self._map_dir, ignore_errors=True)
        super().closeEvent(event)

