"""Small dialogs the menus open on the main window: rename, speeds and access legs, About."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from access_app.core import schema
from access_app.core.defaults import ATTRIBUTION

from .dialogs import about_text

if TYPE_CHECKING:
    from .main_window import MainWindow


def rename_dialog(win: MainWindow) -> None:
    """Ask for a new name of the current scenario and rename it."""
    old = win.session.current
    new, ok = QInputDialog.getText(win, "Rename scenario", "New name:", text=old)
    if ok:
        win.apply(lambda: win.session.rename(old, new))


def model_dialog(win: MainWindow) -> None:
    """Edit the speed model and routing parameters; rebuild travel times when accepted."""
    from .model_dialog import ModelDialog

    dlg = ModelDialog(win.session.model, parent=win)
    win.model_dlg = dlg

    def accepted() -> None:
        win.session.model = dlg.model()
        win.loading.reload_network()

    dlg.accepted.connect(accepted)
    dlg.open()


def hubs_dialog(win: MainWindow) -> None:
    """Open the "Suggest hubs" dialog (one per window, kept between uses)."""
    from .hubs_dialog import HubsDialog

    if getattr(win, "hubs_dlg", None) is None:
        win.hubs_dlg = HubsDialog(win)
    win.hubs_dlg.show()
    win.hubs_dlg.raise_()


def sweep_dialog(win: MainWindow) -> None:
    """Open the "Sensitivity sweep" dialog (one per window, kept between uses)."""
    from .sweep_dialog import SweepDialog

    if getattr(win, "sweep_dlg", None) is None:
        win.sweep_dlg = SweepDialog(win)
    win.sweep_dlg.show()
    win.sweep_dlg.raise_()


def about(win: MainWindow) -> None:
    """Show the About box with the data attribution and the network label."""
    ds = win.session.dataset
    text = about_text(ds.attribution if ds else ATTRIBUTION,
                      ds.network_note if ds else schema.NETWORK_PROXY_LABEL)
    box = QMessageBox(QMessageBox.Icon.Information, "About Access App", text,
                      QMessageBox.StandardButton.Ok, win)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.open()
    win.about_box = box
