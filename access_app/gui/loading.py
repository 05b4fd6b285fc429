"""Loading files, road networks and new sites: dialogs in front of the session's verbs.

Every load runs the session's ``plan_load`` task on a worker and commits the result on
the GUI thread; a task that fails (a bad file, sites that no scenario can use) shows a
dialog and leaves what was loaded before untouched.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu

from access_app.app.session import Loaded, NetworkChoice
from access_app.core import filetypes, io
from access_app.core.errors import AccessAppError
from access_app.core.progress import report

from .dialogs import AddSiteDialog, ColumnMappingDialog

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from .main_window import MainWindow


def _import_builders(progress: Any, cancelled: Any) -> None:
    """Import the page builders (folium, about 0.35 s), before a page has to be drawn."""
    from access_app.maps import builders  # noqa: F401


def _read_context(progress: Any, cancelled: Any) -> Any:
    """Read the default map context: shapes, roads, places (about 0.2 s)."""
    from access_app import maps

    return maps.default_context()


def _pack_shapes(progress: Any, cancelled: Any) -> Any:
    """Pack the default areas' shapes for pages (about 0.15 s)."""
    from access_app import maps
    from access_app.core import defaults

    return maps.default_context().packed_shapes(defaults.load_default_areas())


def _pack_roads(progress: Any, cancelled: Any) -> Any:
    """Pack the roads and the place table for pages (about 0.15 s)."""
    from access_app import maps

    ctx = maps.default_context()
    return ctx.packed_roads(), ctx.place_table()


#: Work that makes the next page quicker to draw, done in short steps while the window is
#: idle (after the first map, never beside a task the user is waiting for).
PREPARE_MAPS = (("Importing the map builders", _import_builders),
                ("Reading the map shapes", _read_context),
                ("Packing the area shapes", _pack_shapes),
                ("Packing the roads and places", _pack_roads))


def guess_kind(path: Path) -> str | None:
    """Return what a dropped file is when its name says so, else ``None`` (then ask).

    Scenario files and OSM or saved networks are known by their endings (the file-type
    registry); tables by words in their names ("site", "lsoa", "road"...).
    """
    name = path.name.lower()
    if filetypes.kind_of(path, among=("scenarios",)):
        return "scenarios"
    if filetypes.kind_of(path, among=("osm", "saved_network")):
        return "network"
    if "codepo" in name or "code-point" in name or "codepoint" in name:
        return "postcodes"
    if "site" in name or "centre" in name:
        return "sites"
    if "lsoa" in name or "area" in name:
        return "areas"
    if "road" in name and filetypes.kind_of(path, among=("road_lines",)):
        return "network"
    return None


class LoadingController(QObject):
    """Open areas, sites, networks and postcode files; add sites; recompute travel times."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.mapping_dialog: ColumnMappingDialog | None = None
        self.add_site_dlg: AddSiteDialog | None = None

    # ------------------------------------------------------------ start-up

    def load_default(self) -> None:
        """Load the embedded England data, its network and travel times (worker)."""
        s = self.win.session
        task = s.plan_load(scenario_file=self.win.settings.last_scenario_file or None)

        def done(loaded: Loaded) -> None:
            self._commit(loaded)
            st = self.win.settings
            s.restore_selection(current=st.current_scenario, compare=st.compare_scenario)

        self.win.run_task("data", task, label="Loading the England data and travel times",
                          on_finished=done)

        def warm() -> None:
            # After the first map (often a page drawn in an earlier session): prepare what
            # later pages need, one short step at a time while nothing else runs.
            self.win.maps_ready.disconnect(warm)
            for label, step in PREPARE_MAPS:
                self.win.tasks.start_when_idle(
                    f"prepare:{step.__name__}", step, label=label,
                    on_error=lambda err: log.warning("map data not prepared: %s", err))

        self.win.maps_ready.connect(warm)

    def _commit(self, loaded: Loaded) -> None:
        s = self.win.session
        notes = s.commit_load(loaded)
        self.win.data_panel.set_reach_warning(s.unreachable_note())
        self.win.status(" ".join(notes) or f"{len(s.areas):,} areas, {len(s.sites):,} sites, "
                                             f"{len(s.scenarios)} scenarios")
        self.win.data_loaded.emit()

    # -------------------------------------------------------------- files

    def request(self, kind: str) -> None:
        """Ask for a file (or a place name) of ``kind`` and load it."""
        if kind == "download":
            place, ok = QInputDialog.getText(
                self.win, "Download road network",
                "Place name for OpenStreetMap (e.g. 'Rutland, England'):")
            if ok and place.strip():
                self.load_network(NetworkChoice(place=place.strip()))
            return
        path, _ = QFileDialog.getOpenFileName(self.win, f"Open {kind}",
                                              self.win.settings.dir_for(kind),
                                              filetypes.dialog_filter(kind))
        if path:
            self.win.settings = self.win.settings.with_dir(kind, Path(path).parent)
            self.open_path(Path(path), kind)

    def open_path(self, path: Path, kind: str) -> None:
        """Load ``path`` as ``kind`` ("areas", "sites", "network", "scenarios", "postcodes")."""
        if kind in ("areas", "sites"):
            self.preview_file(path, kind)
        elif kind == "network":
            self.load_network(NetworkChoice(path=path))
        elif kind == "scenarios":
            self.win.scenario_files.open(path)
        elif kind == "postcodes":
            try:
                self.win.session.set_postcodes_file(path)
            except AccessAppError as exc:
                self.win.report_error(exc)
                return
            from dataclasses import replace

            self.win.settings = replace(self.win.settings, postcodes_file=str(path))
            self.win.status(f"Postcodes will be looked up in {path}")

    def preview_file(self, path: Path, kind: str) -> None:
        """Read the first rows of ``path`` (worker), then show the column-mapping dialog."""
        def task(progress: Any, cancelled: Any) -> pd.DataFrame:
            report(progress, 0.0, f"Reading {path.name}")
            return io.read_preview(path, n=20)

        self.win.run_task("load", task, label=f"Reading {path.name}",
                          on_finished=lambda df: self.show_mapping_dialog(path, kind, df))

    def show_mapping_dialog(self, path: Path, kind: str, preview: pd.DataFrame) -> None:
        """Open the column-mapping dialog; loading starts when the user accepts it."""
        mapping = io.detect_columns(preview, kind=kind)  # type: ignore[arg-type]
        dlg = ColumnMappingDialog(preview, mapping, kind=kind, source=path.name, parent=self.win)
        self.mapping_dialog = dlg
        dlg.accepted.connect(lambda: self.load_table(path, kind, dlg.mapping()))
        dlg.open()

    def load_table(self, path: Path, kind: str, mapping: io.ColumnMapping) -> None:
        """Load areas or sites with ``mapping`` (worker); keep the old data on error."""
        try:
            task = self.win.session.plan_load(table=(kind, path, mapping))
        except AccessAppError as exc:
            self.win.report_error(exc)
            return
        self.win.run_task("load", task, label=f"Loading {kind} from {path.name}",
                          on_finished=self._commit)

    def load_network(self, choice: NetworkChoice) -> None:
        """Load or download a road network and recompute travel times (worker)."""
        if choice.matrix_path is not None:
            label = f"Importing travel times from {choice.matrix_path.name}"
        elif choice.place:
            label = f"Downloading the roads of {choice.place}"
        else:
            label = f"Loading the road network {Path(str(choice.path or 'default')).name}"
        try:
            task = self.win.session.plan_load(network=choice)
        except AccessAppError as exc:
            self.win.report_error(exc)
            return
        self.win.run_task("load", task, label=label, on_finished=self._commit)

    def import_matrix_dialog(self) -> None:
        """Ask for a travel-time table made elsewhere and use it instead of routing."""
        path, _ = QFileDialog.getOpenFileName(
            self.win, "Import travel times", self.win.settings.dir_for("matrix"),
            "Travel-time tables (*.csv *.csv.gz *.parquet);;All files (*)")
        if path:
            self.win.settings = self.win.settings.with_dir("matrix", Path(path).parent)
            self.load_network(NetworkChoice(matrix_path=Path(path)))

    def set_networks(self, source: str) -> None:
        """Place areas and sites in the 11 ODNs or the 9 regions (a labelled proxy)."""
        try:
            task = self.win.session.plan_networks(source)
        except AccessAppError as exc:
            self.win.report_error(exc)
            return
        label = "the 9 regions" if source == "regions" else "the 11 ODNs"
        self.win.run_task("load", task, label=f"Placing areas and sites in {label}",
                          on_finished=self._commit)

    def recompute_all(self) -> None:
        """Recompute the travel-time matrix over the current network, then every scenario."""
        s = self.win.session
        if s.dataset is None or (s.network is None and s.network_choice.matrix_path is None):
            self.load_default()
            return
        if s.network is None:  # imported travel times: read the file again
            self.load_network(s.network_choice)
            return
        self.win.run_task("matrix", s.plan_load(reroute=True), label="Computing travel times",
                          on_finished=self._commit)

    def reload_network(self) -> None:
        """Build the road network again (new speeds), then the matrix and every scenario."""
        s = self.win.session
        if s.dataset is None:
            self.load_default()
            return
        self.load_network(s.network_choice)

    def save_sites_dialog(self) -> None:
        """Ask for a CSV file and save the sites (with any added or edited) there."""
        path, _ = QFileDialog.getSaveFileName(
            self.win, "Save sites", str(Path(self.win.settings.dir_for("sites")) / "sites.csv"),
            "CSV (*.csv)")
        if path:
            self.win.settings = self.win.settings.with_dir("sites", Path(path).parent)
            self.save_sites_to(Path(path))

    def save_sites_to(self, path: Path) -> bool:
        """Write the sites as CSV with easting/northing, ready to be opened again."""
        try:
            self.win.session.save_sites(path)
        except (OSError, AccessAppError) as exc:
            self.win.report_error(exc)
            return False
        self.win.status(f"Saved {len(self.win.session.sites)} sites to {path}")
        return True

    # ---------------------------------------------------------- new sites

    def on_pick_toggled(self, on: bool) -> None:
        """Start or stop choosing a new site's place on the map."""
        from .map_controller import TAB_MAP

        view = self.win.main_pane.view
        if on:
            self.win.tabs.setCurrentIndex(TAB_MAP)
            self.win.status("Click the map where the new site is (Esc to stop)")
            view.setCursor(Qt.CursorShape.CrossCursor)
        else:
            view.unsetCursor()

    def on_map_clicked(self, lat: float, lng: float) -> None:
        """Add a site where the map was clicked, if the user is choosing a place."""
        if self.win.data_panel.pick_button.isChecked():
            self.win.data_panel.pick_button.setChecked(False)
            self.add_site_dialog((lat, lng))

    def add_site_dialog(self, location: tuple[float, float] | None) -> None:
        """Ask for the new site's details; add it when the dialog is accepted."""
        if not self.win.session.ready():
            self.win.report_error(AccessAppError(
                "Wait until travel times are computed, then add sites."))
            return
        dlg = AddSiteDialog(self.win.session.networks(), location=location, parent=self.win)
        self.add_site_dlg = dlg
        dlg.accepted.connect(lambda: self.add_site(dlg.values(), location=location))
        dlg.open()

    def add_site(self, values: dict[str, Any], *, location: tuple[float, float] | None) -> None:
        """Place a new site (postcode or WGS84 point), route to it and open it (worker)."""
        s = self.win.session
        try:
            task = s.plan_add_site(values, location=location)
        except AccessAppError as exc:
            self.win.report_error(exc)
            return

        def done(loaded: Loaded) -> None:
            s.commit_add_site(loaded)
            self.win.status(f"Added {values['site_name']} and opened it in {s.current}")

        self.win.run_task("load", task, label=f"Adding {values['site_name']}", on_finished=done)

    # ------------------------------------------------------- drag and drop

    def drop(self, paths: list[Path], where: Any) -> None:
        """Load dropped files: kinds known from the name at once, others after asking."""
        for path in paths:
            kind = guess_kind(path)
            if kind is None:
                menu = QMenu(self.win)
                for k, text in (("areas", "Load as areas"), ("sites", "Load as sites"),
                                ("network", "Load as road network")):
                    menu.addAction(text).setData(k)
                chosen = menu.exec(where)
                kind = chosen.data() if chosen is not None else None
            if kind:
                self.open_path(path, kind)
