"""Qt item models over pandas tables: read-only frames and the editable sites table.

Every text is shown as plain text: display roles are never interpreted as HTML by item
views, and tooltips (which Qt would render as rich text) are escaped first, so a site
called ``<script>`` or ``<b>`` shows exactly those characters and runs nothing.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from access_app.core.export import label as export_label
from access_app.core.export import number_format

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def plain_tooltip(text: str) -> str:
    """Return ``text`` as a tooltip string that Qt shows literally (escaped rich text)."""
    return "<qt>" + html.escape(str(text)).replace("\n", "<br>") + "</qt>"


def format_value(value: Any, excel_format: str | None = None) -> str:
    """Format one cell for display: thousands separators, 1-3 decimals, blanks for NaN.

    ``excel_format`` is the number format the Excel export uses for the column
    (:func:`access_app.core.export.number_format`), so the window and the workbook agree.
    """
    if value is None or value is pd.NA:
        return ""
    if excel_format and isinstance(value, int | float | np.number) and not isinstance(
        value, bool | np.bool_
    ):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "unreachable"
        if excel_format.endswith("%"):
            return f"{v * 100:.1f}%"
        if excel_format.startswith("#,##0"):
            decimals = len(excel_format.split(".")[1]) if "." in excel_format else 0
            return f"{v:,.{decimals}f}"
        if excel_format.startswith("0."):
            return f"{v:.{len(excel_format) - 2}f}"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "unreachable" if v > 0 else "-inf"
        if v.is_integer() and abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 100:
            return f"{v:,.1f}"
        if abs(v) >= 1:
            return f"{v:.2f}"
        return f"{v:.3f}"
    return str(value)


def _sort_key(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("-inf")
    if isinstance(value, int | float):
        return float(value)
    return str(value)


class DataFrameModel(QAbstractTableModel):
    """Show a :class:`pandas.DataFrame` read-only, sortable through a proxy on ``SORT_ROLE``."""

    def __init__(self, frame: pd.DataFrame | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._frame = pd.DataFrame()
        self._values = np.empty((0, 0), dtype=object)
        self._formats: list[str | None] = []
        self._row_formats: list[str | None] | None = None
        if frame is not None:
            self.set_frame(frame)

    def set_frame(self, frame: pd.DataFrame, *, show_index: bool = False,
                  row_formats: list[str | None] | None = None) -> None:
        """Replace the table (geometry columns are dropped).

        Numbers are formatted by column, as in the Excel export; ``row_formats`` formats
        them by row instead (for tables with one measure per row).
        """
        self.beginResetModel()
        frame = frame.drop(columns=[c for c in frame.columns if c == "geometry"], errors="ignore")
        if show_index:
            frame = frame.reset_index()
        self._frame = frame
        self._values = frame.to_numpy(dtype=object)  # fast cell access for the views
        self._formats = [number_format(str(c)) for c in frame.columns]
        self._row_formats = row_formats
        self.endResetModel()

    def frame(self) -> pd.DataFrame:
        """Return the table shown."""
        return self._frame

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802, D102
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802, D102
        return 0 if parent.isValid() else len(self._frame.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid():
            return None
        value = self._values[index.row(), index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            fmt = (self._row_formats[index.row()] if self._row_formats is not None
                   else self._formats[index.column()])
            return format_value(value, fmt)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(str(value))
        if role == SORT_ROLE:
            return _sort_key(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if isinstance(value, int | float | np.number) and not isinstance(value, bool):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802, D102
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and section < len(self._frame.columns):
            name = self._frame.columns[section]
            label = " ".join(map(str, name)) if isinstance(name, tuple) else export_label(str(name))
            if role == Qt.ItemDataRole.DisplayRole:
                return label
            if role == Qt.ItemDataRole.ToolTipRole:
                return plain_tooltip(f"{label} (click to sort)")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


def sortable(model: QAbstractTableModel, parent: Any = None) -> QSortFilterProxyModel:
    """Wrap ``model`` in a proxy that sorts numbers as numbers and filters on all columns."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    return proxy


class SitesModel(QAbstractTableModel):
    """The sites of the loaded data, with per-scenario "Open" and "Hub" check boxes.

    The model only shows; edits are announced by signals and the window applies them to
    the application state, then calls :meth:`set_data` again.

    Signals
    -------
    open_toggled(site_id, open)
    hub_toggled(site_id, hub)
    network_edited(site_id, network)
    """

    open_toggled = Signal(str, bool)
    hub_toggled = Signal(str, bool)
    network_edited = Signal(str, str)

    COLUMNS = (
        ("open", "Open"),
        ("hub", "Hub"),
        ("site_name", "Site"),
        ("network", "Network"),
        ("network_confidence", "Confidence"),
        ("linacs", "Linacs"),
        ("site_type", "Type"),
        ("postcode", "Postcode"),
        ("trust", "Trust"),
        ("site_id", "ID"),
    )
    TIPS = {
        "open": "Tick to open the site in the current scenario",
        "hub": "Tick to make the site a hub of its network (only for the hub rules)",
        "network": "Double-click to move the site to another network",
        "network_confidence": "How sure the site's network membership is: high (a source names "
                              "it), medium (inferred from a sourced footprint), low (by elimination)",
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sites = pd.DataFrame(columns=[c for c, _ in self.COLUMNS[2:]])
        self._ids: list[str] = []
        self._columns: dict[str, np.ndarray] = {}
        self._open: set[str] = set()
        self._hubs: set[str] = set()
        self._editable = True
        self._hub_editable = True
        self.network_note = ""

    def set_data(
        self,
        sites: pd.DataFrame,
        *,
        open_sites: Iterable[str],
        hubs: Iterable[str],
        editable: bool = True,
        hub_editable: bool = True,
    ) -> None:
        """Show ``sites`` with the given open and hub site ids ticked.

        ``hub_editable`` is False when the scenario's rule has no hubs.
        """
        self.beginResetModel()
        self._sites = sites.drop(columns="geometry", errors="ignore").reset_index(drop=True)
        self._ids = self._sites["site_id"].astype(str).tolist()
        self._columns = {c: self._sites[c].to_numpy(dtype=object) for c in self._sites.columns}
        self._open = {str(s) for s in open_sites}
        self._hubs = {str(s) for s in hubs}
        self._editable = editable
        self._hub_editable = hub_editable
        self.endResetModel()

    def site_id(self, row: int) -> str:
        """Return the ``site_id`` of ``row``."""
        return self._ids[row]

    def row_of(self, site_id: str) -> int:
        """Return the row of ``site_id`` or -1."""
        try:
            return self._ids.index(site_id)
        except ValueError:
            return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802, D102
        return 0 if parent.isValid() else len(self._sites)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802, D102
        return 0 if parent.isValid() else len(self.COLUMNS)

    def _value(self, row: int, key: str) -> Any:
        col = self._columns.get(key)
        return None if col is None else col[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: D102
        if not index.isValid():
            return None
        key = self.COLUMNS[index.column()][0]
        sid = self.site_id(index.row())
        if key in ("open", "hub"):
            on = sid in (self._open if key == "open" else self._hubs)
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
            if role == SORT_ROLE:
                return int(on)
            if role == Qt.ItemDataRole.ToolTipRole:
                return plain_tooltip(self.TIPS[key])
            return None
        value = self._value(index.row(), key)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return format_value(value)
        if role == SORT_ROLE:
            return _sort_key(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            name = self._value(index.row(), "site_name")
            tip = f"{name} ({sid})"
            if key in self.TIPS:
                tip += "\n" + self.TIPS[key]
            return plain_tooltip(tip)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:  # noqa: D102
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        key = self.COLUMNS[index.column()][0]
        if self._editable and (key == "open" or (key == "hub" and self._hub_editable)):
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if self._editable and key == "network":
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(  # noqa: N802, D102
        self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        key = self.COLUMNS[index.column()][0]
        sid = self.site_id(index.row())
        if key in ("open", "hub") and role == Qt.ItemDataRole.CheckStateRole:
            on = Qt.CheckState(value) == Qt.CheckState.Checked
            target = self._open if key == "open" else self._hubs
            (target.add if on else target.discard)(sid)
            self.dataChanged.emit(index, index)
            (self.open_toggled if key == "open" else self.hub_toggled).emit(sid, on)
            return True
        if key == "network" and role == Qt.ItemDataRole.EditRole:
            text = str(value).strip()
            if not text or text == str(self._value(index.row(), "network")):
                return False
            self.network_edited.emit(sid, text)
            return True
        return False

    def headerData(  # noqa: N802, D102
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        key, label = self.COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return label
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self.TIPS.get(key, f"{label} (click to sort)")
            if key == "network" and self.network_note:
                tip += "\n" + self.network_note
            return plain_tooltip(tip)
        return None

