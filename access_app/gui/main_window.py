"""The main window: data and scenario docks, map, side-by-side and equity tabs.

The window is wiring. What the user has loaded and chosen lives in one Qt-free
:class:`~access_app.app.session.Session`; the window passes user actions to its verbs,
runs its long tasks on worker threads and mirrors it when it says something changed.
Loading, maps, exports, scenario files and menus live in their own modules
(:mod:`.loading`, :mod:`.map_controller`, :mod:`.export_controller`,
:mod:`.scenario_files`, :mod:`.actions`).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QIcon
from PySide6.QtWidgets import QMainWindow, QMessageBox

from access_app.app import session as sess
from access_app.core.errors import AccessAppError

from . import mirror, window_dialogs, window_state
from .actions import build_menus
from .dialogs import error_box, is_cancelled
from .export_controller import ExportController
from .layout import build_layout
from .loading import LoadingController
from .map_controller import LAYERS, TAB_COMPARE, TAB_EQUITY, TAB_MAP, MapController
from .scenario_files import ScenarioFiles
from .settings import Settings, load_settings
from .workers import TaskError, TaskRunner

log = logging.getLogger(__name__)

DEFAULT_NETWORK_LABEL = sess.DEFAULT_NETWORK_LABEL
#: Seconds between two updates of the progress bar and status line while a task runs.
PROGRESS_INTERVAL_S = 0.25
__all__ = ["DEFAULT_NETWORK_LABEL", "LAYERS", "TAB_COMPARE", "TAB_EQUITY", "TAB_MAP", "MainWindow"]


def app_icon() -> QIcon:
    """Return the application icon (empty if the resource is missing)."""
    from ..resources import resource_path

    try:
        return QIcon(str(resource_path("icons", "access-app.svg")))
    except FileNotFoundError:
        return QIcon()


class MainWindow(QMainWindow):
    """The Access App window, a view of one :class:`~access_app.app.session.Session`.

    Parameters
    ----------
    settings_dir
        Folder of ``settings.json`` (default: the user config folder).
    cache_dir
        Cache folder for networks and matrices (default: the user cache folder).
    start
        Load the embedded England data and compute the default scenarios at once.
    show_errors
        Show error dialogs (off for ``--screenshot``, which prints errors instead).
    remember
        Read and write the settings file (off for ``--screenshot``).
    confirm_close
        Ask before losing unsaved scenarios (off where no user can answer).

    Signals
    -------
    data_loaded(), analysis_updated(), maps_ready(), exported(list), task_failed(object)
        Data in place; tables show the current scenarios; every map of the visible tab
        shows them; files written by an export; a task failed or was cancelled.
    """

    data_loaded = Signal()
    analysis_updated = Signal()
    maps_ready = Signal()
    exported = Signal(list)
    task_failed = Signal(object)

    def __init__(self, *, settings_dir: Path | None = None, cache_dir: Path | None = None,
                 start: bool = True, show_errors: bool = True, remember: bool = True,
                 confirm_close: bool = True) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("Access App — radiotherapy travel time and equity")
        self.setAcceptDrops(True)
        self.setWindowIcon(app_icon())
        self.settings_dir, self.remember, self.show_errors = settings_dir, remember, show_errors
        self.settings: Settings = load_settings(settings_dir) if remember else Settings()
        self.session = sess.Session(cache_dir=cache_dir, postcodes_file=self.settings.postcodes_file)
        self.tasks = TaskRunner(self)
        self.timings: dict[str, float] = {}
        self._closing = False
        self.last_error: TaskError | BaseException | None = None
        self.error_dialog: QMessageBox | None = None
        self._folded: list[Any] = []
        self._pending_progress: tuple[float, str] | None = None
        self._progress_at = 0.0
        self._progress_timer = QTimer(self)
        self._progress_timer.setSingleShot(True)
        self._progress_timer.timeout.connect(self._show_progress)

        self.maps = MapController(self)
        self.loading = LoadingController(self)
        self.exports = ExportController(self)
        self.scenario_files = ScenarioFiles(self)
        self.scenario_files.ask = confirm_close
        build_layout(self)
        self.actions_by_name = build_menus(self)
        self.maps.connect_panes()
        self._connect()
        window_state.restore(self)
        for pane in self.maps.panes().values():
            pane.view.show_message("Loading the England data and travel times…")
        self._unsubscribe = self.session.subscribe(self._on_session)
        if start:
            self.loading.load_default()  # on a worker while the window is built and shown
            self.maps.preload(self.settings.last_map_page)

    # ------------------------------------------------------------ wiring

    @property
    def state(self) -> sess.Session:
        """Return the session (the name the tests and scripts know it by)."""
        return self.session

    @property
    def report(self) -> Any:
        """Return the session's equity report (``None`` before results)."""
        return self.session.report

    @property
    def results(self) -> dict[str, Any]:
        """Return the session's results that match the scenarios as they are."""
        return self.session.results

    @property
    def closing(self) -> bool:
        """Return True once the window is closing (late callbacks do nothing then)."""
        return self._closing

    @property
    def confirm_close(self) -> bool:
        """Return whether unsaved scenarios are protected by questions."""
        return self.scenario_files.ask

    @confirm_close.setter
    def confirm_close(self, value: bool) -> None:
        self.scenario_files.ask = value

    def _connect(self) -> None:
        dp, sp, s = self.data_panel, self.scenario_panel, self.session
        dp.load_requested.connect(self.loading.request)
        dp.add_site_requested.connect(lambda: self.loading.add_site_dialog(None))
        dp.pick_on_map_toggled.connect(self.loading.on_pick_toggled)
        dp.model.open_toggled.connect(lambda sid, on: self.apply(lambda: s.set_site_open(sid, on)))
        dp.model.hub_toggled.connect(lambda sid, on: self.apply(lambda: s.set_hub(sid, on)))
        dp.model.network_edited.connect(
            lambda sid, net: self.apply(lambda: s.set_site_network(sid, net)))
        sp.selected.connect(lambda name: self.apply(lambda: s.set_current(name)))
        sp.new_requested.connect(lambda: self.apply(s.new_scenario))
        sp.duplicate_requested.connect(lambda name: self.apply(lambda: s.duplicate(name)))
        sp.rename_requested.connect(lambda old, new: self.apply(lambda: s.rename(old, new)))
        sp.delete_requested.connect(lambda name: self.apply(lambda: s.delete(name)))
        sp.edited.connect(lambda name, sc: self.apply(lambda: s.update_scenario(name, sc)))
        sp.open_group_requested.connect(lambda which: self.apply(lambda: s.open_group(which)))
        sp.hubs_requested.connect(lambda: window_dialogs.hubs_dialog(self))
        sp.sweep_requested.connect(lambda: window_dialogs.sweep_dialog(self))
        self.main_pane.view.clicked.connect(self.loading.on_map_clicked)
        dp.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.apply(lambda: s.select_site(
                dp.model.site_id(dp.proxy.mapToSource(cur).row())) if cur.isValid() else None))
        self.tabs.currentChanged.connect(self._on_tab)
        self.layer_combo.currentIndexChanged.connect(lambda _i: self.maps.update())
        self.current_combo.activated.connect(
            lambda _i: self.apply(lambda: s.set_current(self.current_combo.currentText())))
        self.compare_combo.activated.connect(
            lambda _i: self.apply(lambda: s.set_compare(self.compare_combo.currentText())))
        self.baseline_combo.activated.connect(
            lambda _i: self.apply(lambda: s.set_baseline(self.baseline_combo.currentText())))
        self.tasks.busy_changed.connect(self._on_busy)
        self.tasks.progress.connect(self._on_progress)
        self.cancel_button.clicked.connect(self.cancel_tasks)

    def _on_session(self, events: frozenset[str]) -> None:
        """Mirror the session: refresh what changed, recompute what is out of date."""
        if self._closing:
            return
        if events == {sess.EVENT_SITE}:  # a site was selected: only a drive-time map follows
            self.maps.update()
            return
        if sess.EVENT_DATA in events and self.session.dataset is not None:
            ds = self.session.dataset
            self.set_attribution(ds.attribution, ds.network_note)
        if sess.EVENT_ASSIGNED in events:  # first, so the maps are not kept waiting
            self.maps.update()
        if events & {sess.EVENT_DATA, sess.EVENT_SCENARIOS, sess.EVENT_SELECTION,
                     sess.EVENT_SAVED}:
            mirror.refresh_views(self)
        if events & {sess.EVENT_DATA, sess.EVENT_SCENARIOS} and not self.session.is_evaluated():
            self.recompute()
        if sess.EVENT_SWEEP in events:
            mirror.refresh_results(self)
        if sess.EVENT_RESULTS in events:
            mirror.show_results(self)
        elif sess.EVENT_SELECTION in events:
            mirror.refresh_results(self)
            self.maps.update()

    def _on_tab(self, index: int) -> None:
        """Fold the side panels away while comparing, and bring them back afterwards.

        Each map then gets a third of the window; the panels that were open come back on
        the other tabs. Then the visible tab's maps are drawn.
        """
        fold = self.actions_by_name["fold"].isChecked()
        docks = (self.data_dock, self.scenario_dock)
        if index == TAB_COMPARE and fold:
            self._folded = [d for d in docks if d.isVisible()]
            for d in self._folded:
                d.hide()
        elif index != TAB_COMPARE:
            for d in self._folded:
                d.show()
            self._folded = []
        self.maps.update()

    def apply(self, change: Callable[[], Any]) -> bool:
        """Run a session verb; show its error (the session is left as it was) and refresh."""
        try:
            change()
        except AccessAppError as exc:
            self.report_error(exc)
            mirror.refresh_views(self)
            return False
        return True

    # ------------------------------------------------------------- tasks

    def run_task(self, slot: str, fn: Callable[..., Any], *, label: str,
                 on_finished: Callable[[Any], None], show_progress: bool = True,
                 on_error: Callable[[TaskError], None] | None = None) -> None:
        """Run ``fn(progress, cancelled)`` on a worker in ``slot`` (replacing its old task)."""
        t0 = time.perf_counter()

        def done(result: Any) -> None:
            self.timings[slot] = time.perf_counter() - t0
            try:
                on_finished(result)
            except AccessAppError as exc:
                self.report_error(exc)

        self.tasks.start(slot, fn, label=label, on_finished=done,
                         on_error=on_error or self.report_error, show_progress=show_progress)

    def recompute(self) -> None:
        """Apply the changed scenarios (the maps follow at once), then rebuild the tables.

        Both run on workers: first the assignment, whose results the maps show, then the
        equity tables, which take longer.
        """
        s = self.session
        if not s.ready():
            return
        try:
            assign = s.plan_assign()
        except AccessAppError as exc:
            self.report_error(exc)
            return

        def tables() -> None:
            try:
                task = s.plan_evaluate()
            except AccessAppError as exc:
                self.report_error(exc)
                return
            self.run_task("analysis", task, label="Building the equity tables",
                          on_finished=s.commit_evaluation)

        def assigned(results: dict[str, Any]) -> None:
            if s.commit_assignments(results):
                self.maps.after_page_loads(tables)  # the maps first, on two cores

        self.tasks.cancel("analysis")
        self.run_task("assign", assign, label="Applying the scenarios", on_finished=assigned)

    def cancel_tasks(self) -> None:
        """Stop every task that shows progress (the Cancel button, Esc)."""
        if self.tasks.running():
            self.tasks.cancel_visible()
            self.status("Cancelling…")

    def _on_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self._progress_timer.stop()
            self._pending_progress = None
            self.progress.setValue(0)

    def _on_progress(self, fraction: float, message: str) -> None:
        """Show a task's progress, at most once per :data:`PROGRESS_INTERVAL_S`.

        Every repaint of the window composites the map views in software on machines
        without a GPU (about 40 ms at 1920x1080): a task reporting ten steps in half a
        second would spend more time repainting than computing.
        """
        self._pending_progress = (fraction, message)
        if self._progress_timer.isActive():
            return
        wait = PROGRESS_INTERVAL_S - (time.monotonic() - self._progress_at)
        if wait <= 0:
            self._show_progress()
        else:
            self._progress_timer.start(int(wait * 1000) + 1)

    def _show_progress(self) -> None:
        if self._pending_progress is None:
            return
        fraction, message = self._pending_progress
        self._pending_progress = None
        self._progress_at = time.monotonic()
        self.progress.setValue(int(fraction * 1000))
        if message:
            self.status(message)

    def status(self, text: str) -> None:
        """Show ``text`` in the status bar."""
        self.status_label.setText(text)

    def report_error(self, err: TaskError | BaseException) -> None:
        """Show an error dialog (or a status message for a cancelled task)."""
        self.last_error = err
        self.task_failed.emit(err)
        if is_cancelled(err):
            label = err.label if isinstance(err, TaskError) else ""
            self.status(f"Cancelled: {label}" if label else "Cancelled")
            return
        exc = err.exception if isinstance(err, TaskError) else err
        self.status(f"Error: {str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__}")
        if self.show_errors and not self._closing:
            box = error_box(self, err)
            box.open()
            self.error_dialog = box

    # ------------------------------------------------------------- views

    def use_data(self, dataset: Any, graph: Any, matrix: Any, *, network: str = "") -> None:
        """Show data computed elsewhere (tests hand over the defaults computed once)."""
        choice = sess.NetworkChoice() if network in ("", DEFAULT_NETWORK_LABEL) else (
            sess.NetworkChoice(path=Path(network)))
        first = not self.session.scenarios
        notes = self.session.use(dataset, graph, matrix, network_choice=choice,
                                 scenario_file=self.settings.last_scenario_file or None)
        if first:
            self.session.restore_selection(current=self.settings.current_scenario,
                                           compare=self.settings.compare_scenario)
        self.data_panel.set_reach_warning(self.session.unreachable_note())
        self.status(" ".join(notes) or f"{len(dataset.areas):,} areas, {len(dataset.sites):,} "
                                       f"sites, {len(self.session.scenarios)} scenarios")
        self.data_loaded.emit()

    def set_current(self, name: str) -> None:
        """Show scenario ``name`` on the main map and in the editor."""
        self.apply(lambda: self.session.set_current(name))

    def set_compare(self, name: str) -> None:
        """Show scenario ``name`` on the right of the side-by-side view."""
        self.apply(lambda: self.session.set_compare(name))

    def set_attribution(self, attribution: str, network_note: str) -> None:
        """Show the data attribution (and the network note) in the status bar."""
        short = attribution if len(attribution) < 90 else attribution[:87] + "…"
        self.attribution_label.setText(short)
        self.attribution_label.setToolTip(f"{attribution}\n\n{network_note}")

    # -------------------------------------------------------------- misc

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Accept dragged local files."""
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Load dropped files (see :meth:`LoadingController.drop`)."""
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls()]
        self.loading.drop(paths, self.mapToGlobal(event.position().toPoint()))
        event.acceptProposedAction()

    def has_unsaved_scenarios(self) -> bool:
        """Return True if the scenarios differ from those last opened or saved."""
        return self.session.has_unsaved_changes()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        """Give the docks a sensible width the first time the window is shown."""
        super().showEvent(event)
        if self._size_docks:
            self._size_docks = False
            QTimer.singleShot(0, lambda: self.resizeDocks(
                [self.data_dock, self.scenario_dock], [360, 270], Qt.Orientation.Horizontal))

    def save_window_settings(self) -> None:
        """Write geometry, dock layout and choices to the settings file."""
        window_state.save(self)

    def _may_close(self) -> bool:
        return self.scenario_files.may_discard("Close the window")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Offer to save changed scenarios, then save settings, stop workers, remove pages."""
        if not self._closing and not self._may_close():
            event.ignore()
            return
        self._closing = True
        self._unsubscribe()
        self.save_window_settings()
        self.tasks.shutdown(10000)
        self.maps.stop()
        shutil.rmtree(self.maps.map_dir, ignore_errors=True)
        super().closeEvent(event)
