"""Exports from the window: tables through the session, maps and charts from the views.

The tables (workbook, CSV, GeoPackage, attribution) are written by the session's export
task on a worker; the map page is drawn on the same worker; PNG images of the map are
grabbed from the map pane, which is shown first when another tab is visible (a hidden web
view grabs as a blank image).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from access_app.core.errors import AccessAppError, DataError

from .map_controller import TAB_MAP

if TYPE_CHECKING:
    from .main_window import MainWindow

#: How often and how long to wait for the map pane to paint before grabbing it.
GRAB_RETRY_MS, GRAB_TRIES = 100, 30


def _blank(image: QImage) -> bool:
    """Return True if ``image`` is one colour (a web view that has not painted yet)."""
    if image.isNull() or image.width() < 4 or image.height() < 4:
        return True
    small = image.scaled(24, 24)
    first = small.pixel(0, 0)
    return all(small.pixel(x, y) == first for x in range(24) for y in range(24))


class ExportController(QObject):
    """Write the exports a planner asks for from the window."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win

    def export_dialog(self) -> None:
        """Ask for a folder and write every export there."""
        folder = QFileDialog.getExistingDirectory(self.win, "Export to folder",
                                                  self.win.settings.dir_for("export"))
        if folder:
            self.win.settings = self.win.settings.with_dir("export", folder)
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        """Write tables (Excel, CSV, GeoPackage), the map (HTML, PNG) and charts."""
        s = self.win.session
        if s.report is None:
            self.win.report_error(DataError("Nothing to export yet: wait for the results."))
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            charts = self.save_charts(folder)
        except OSError as exc:
            self.win.report_error(exc)
            return
        key = self.win.maps.current_main_key()
        extra = [self.win.maps.map_task(key, standalone=folder / "map_current.html")] if key else []
        try:
            task = s.plan_export(folder, extra=extra)
        except AccessAppError as exc:
            self.win.report_error(exc)
            return

        def written(files: list[Path]) -> None:
            def with_png(png: Path | None) -> None:
                allf = charts + list(files) + ([png] if png else [])
                self.win.status(f"Exported {len(allf)} files to {folder}")
                self.win.exported.emit(allf)

            self.grab_map(folder / "map_current.png", with_png)

        self.win.run_task("export", task, label=f"Exporting to {folder}", on_finished=written)

    def save_charts(self, folder: Path) -> list[Path]:
        """Save every chart as PNG and SVG in ``folder``."""
        out = []
        for name, canvas in self.win.equity.charts.canvases().items():
            for ext in ("png", "svg"):
                out.append(canvas.save(folder / f"chart_{name}.{ext}"))
        return out

    def grab_map(self, path: Path, then: Callable[[Path | None], None]) -> None:
        """Save the main map as PNG, showing the map tab first if needed; then call ``then``.

        ``then`` receives the path, or ``None`` if the map could not be drawn or saved
        (the error is shown). The tab that was visible is shown again afterwards.
        """
        win = self.win
        before = win.tabs.currentIndex()
        view = win.main_pane.view
        tries = {"n": 0}

        def finish(result: Path | None) -> None:
            if win.tabs.currentIndex() != before:
                win.tabs.setCurrentIndex(before)
            then(result)

        def attempt() -> None:
            tries["n"] += 1
            image = view.grab().toImage()
            if _blank(image) and tries["n"] < GRAB_TRIES:
                QTimer.singleShot(GRAB_RETRY_MS, attempt)
                return
            if _blank(image):
                win.report_error(DataError("The map did not draw in time; try the PNG export "
                                           "again from the Map tab."))
                finish(None)
            elif not image.save(str(path)):
                win.report_error(OSError(f"Could not write {path}: check the folder is "
                                         "writable."))
                finish(None)
            else:
                finish(path)

        def when_ready() -> None:
            if tries.get("ready"):
                return
            tries["ready"] = 1
            win.maps_ready.disconnect(when_ready)
            QTimer.singleShot(0, attempt)

        if before != TAB_MAP:
            win.maps_ready.connect(when_ready)
            win.tabs.setCurrentIndex(TAB_MAP)  # may report the maps ready at once
            if not tries.get("ready") and win.maps.wanted and all(
                    win.maps.loaded.get(p) == k for p, k in win.maps.wanted.items()):
                when_ready()
        elif view.loaded:
            QTimer.singleShot(0, attempt)
        else:
            win.maps_ready.connect(when_ready)

    def export_map_dialog(self, kind: str) -> None:
        """Save the main map as standalone HTML or PNG."""
        suffix = {"html": "Web page (*.html)", "png": "PNG image (*.png)"}[kind]
        start = str(Path(self.win.settings.dir_for("export")) / f"map.{kind}")
        path, _ = QFileDialog.getSaveFileName(self.win, "Export map", start, suffix)
        if path:
            self.export_map(Path(path), kind)

    def export_map(self, path: Path, kind: str) -> None:
        """Save the main map at ``path`` as ``"html"`` (offline page) or ``"png"``."""
        if kind == "png":
            def saved(p: Path | None) -> None:
                if p is not None:
                    self.win.status(f"Saved the map to {p}")
                    self.win.exported.emit([p])

            self.grab_map(path, saved)
            return
        key = self.win.maps.current_main_key()
        if key is None:
            self.win.report_error(DataError("No map yet: wait for the results."))
            return
        self.win.run_task("export", self.win.maps.map_task(key, standalone=path),
                          label="Exporting the map",
                          on_finished=lambda p: self.win.status(f"Saved the map to {p}"))

    def board_report_dialog(self) -> None:
        """Ask for a folder and write the board report (HTML and PDF) there."""
        folder = QFileDialog.getExistingDirectory(self.win, "Write the board report to folder",
                                                  self.win.settings.dir_for("export"))
        if folder:
            self.win.settings = self.win.settings.with_dir("export", folder)
            self.board_report(Path(folder))

    def board_report(self, folder: Path, *, pdf: bool = True) -> None:
        """Write ``board_report.html`` (and ``.pdf``) to ``folder`` on a worker."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            task = self.win.session.plan_board_report(folder, pdf=pdf)
        except (AccessAppError, OSError) as exc:
            self.win.report_error(exc)
            return

        def done(files: list[Path]) -> None:
            self.win.status(f"Wrote the board report: {', '.join(p.name for p in files)} in "
                            f"{folder}")
            self.win.exported.emit(list(files))

        self.win.run_task("export", task, label="Writing the board report", on_finished=done)

    def export_matrix_dialog(self) -> None:
        """Ask for a file and write the full travel-time matrix there (CSV or Parquet)."""
        start = str(Path(self.win.settings.dir_for("export")) / "travel_times.csv")
        path, _ = QFileDialog.getSaveFileName(self.win, "Export travel-time matrix", start,
                                              "CSV (*.csv);;Parquet (*.parquet)")
        if path:
            self.export_matrix(Path(path))

    def export_matrix(self, path: Path) -> None:
        """Write the full matrix to ``path`` on a worker (one row per area and site)."""
        s = self.win.session

        def task(progress: Any, cancelled: Any) -> Path:
            return s.export_matrix(path)

        self.win.run_task("export", task, label=f"Writing {path.name}",
                          on_finished=lambda p: (self.win.status(f"Saved the travel times to {p}"),
                                                 self.win.exported.emit([p])))

    def export_charts_dialog(self) -> None:
        """Save the charts as PNG and SVG into a folder."""
        folder = QFileDialog.getExistingDirectory(self.win, "Save charts to folder",
                                                  self.win.settings.dir_for("export"))
        if folder:
            try:
                files = self.save_charts(Path(folder))
            except OSError as exc:
                self.win.report_error(exc)
                return
            self.win.status(f"Saved {len(files)} chart files to {folder}")
