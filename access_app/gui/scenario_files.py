"""Opening and saving scenario files from the window, protecting unsaved work.

Opening a file while the scenarios have unsaved changes asks whether to add the file's
scenarios to the current ones or to replace them (and, before replacing, whether to save
the current ones). Closing the window with unsaved changes asks to save, discard or cancel.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMessageBox

from access_app.core import filetypes
from access_app.core.errors import AccessAppError

if TYPE_CHECKING:
    from .main_window import MainWindow

Btn = QMessageBox.StandardButton


class ScenarioFiles(QObject):
    """Open, save and protect the session's scenario file."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.ask = True
        self.question: QMessageBox | None = None

    def open_dialog(self) -> None:
        """Ask for a scenario TOML file and open it."""
        path, _ = QFileDialog.getOpenFileName(self.win, "Open scenarios",
                                              self.win.settings.dir_for("scenarios"),
                                              filetypes.dialog_filter("scenarios"))
        if path:
            self.win.settings = self.win.settings.with_dir("scenarios", Path(path).parent)
            self.open(Path(path))

    def open(self, path: Path, *, mode: str | None = None) -> bool:
        """Open ``path``: add to or replace the scenarios (asked when ``mode`` is None).

        The file is read and checked first, so a bad file changes nothing. When there are
        scenarios already, a question offers to add the file's scenarios to them or to
        replace them (replacing unsaved scenarios asks to save them first).
        """
        try:
            self.win.session.read_scenarios(path)
        except (AccessAppError, OSError) as exc:
            self.win.report_error(exc)
            return False
        if mode is not None or not self.ask or not self.win.session.scenarios:
            return self._open_as(path, mode or "replace")
        box = QMessageBox(QMessageBox.Icon.Question, "Open scenarios",
                          f"Open the scenarios of {path.name}:\n\n"
                          "Add them to the current scenarios, or replace the current ones?",
                          parent=self.win)
        box.setObjectName("openScenariosQuestion")
        add = box.addButton("&Add to current", QMessageBox.ButtonRole.AcceptRole)
        rep = box.addButton("&Replace", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(Btn.Cancel)
        box.setDefaultButton(add)

        def answered(button: object) -> None:
            if button is add:
                self._open_as(path, "add")
            elif button is rep and self.may_discard("Replace the scenarios"):
                self._open_as(path, "replace")

        box.buttonClicked.connect(answered)
        self.question = box
        box.open()
        return True

    def _open_as(self, path: Path, mode: str) -> bool:
        try:
            opened = self.win.session.open_scenarios(path, mode=mode)
        except (AccessAppError, OSError) as exc:
            self.win.report_error(exc)
            return False
        if mode == "replace":
            self.win.settings = replace(self.win.settings, last_scenario_file=str(path))
        verb = "Opened" if mode == "replace" else "Added"
        self.win.status(f"{verb} {len(opened)} scenarios from {path}")
        return True

    def save(self) -> bool:
        """Save the scenarios to the current file (or ask for one)."""
        s = self.win.session
        if not s.scenario_file:
            return self.save_as()
        return self.save_to(Path(s.scenario_file))

    def save_as(self) -> bool:
        """Ask for a file name and save the scenarios there."""
        s = self.win.session
        start = s.scenario_file or str(Path(self.win.settings.dir_for("scenarios"))
                                       / "scenarios.toml")
        path, _ = QFileDialog.getSaveFileName(self.win, "Save scenarios", start,
                                              "Scenarios (*.toml)")
        if not path:
            return False
        if not path.lower().endswith(".toml"):
            path += ".toml"
        self.win.settings = self.win.settings.with_dir("scenarios", Path(path).parent)
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the scenarios to ``path`` (TOML) and remember it as the project file."""
        try:
            self.win.session.save_scenarios(path)
        except (AccessAppError, OSError) as exc:
            self.win.report_error(exc)
            return False
        self.win.settings = replace(self.win.settings, last_scenario_file=str(path))
        self.win.status(f"Saved {len(self.win.session.scenarios)} scenarios to {path}")
        return True

    def may_discard(self, doing: str) -> bool:
        """Ask to save unsaved scenarios before ``doing``; False if the user cancels."""
        if not (self.ask and self.win.session.has_unsaved_changes()):
            return True
        choice = QMessageBox.question(
            self.win, "Unsaved scenarios",
            f"The scenarios have changed since they were last saved.\n"
            f"Save them before you {doing.lower()}?",
            Btn.Save | Btn.Discard | Btn.Cancel, Btn.Save)
        if choice == Btn.Save:
            return self.save()
        return choice == Btn.Discard
