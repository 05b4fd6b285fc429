"""Side by side: two scenario maps with synchronised views, their difference, a table."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QSplitter, QTableView, QVBoxLayout, QWidget

from access_app.core.export import number_format

from ..mapview import MapView
from ..models import DataFrameModel, sortable
from .map_pane import MapPane

#: Summary measures shown in the comparison table: (column, label).
COMPARE_MEASURES: tuple[tuple[str, str], ...] = (
    ("open_sites", "Open sites"),
    ("mean_min", "Mean minutes"),
    ("median_min", "Median minutes"),
    ("p90_min", "90th percentile minutes"),
    ("max_min", "Longest journey (minutes)"),
    ("within_30_share", "Share within 30 min"),
    ("within_45_share", "Share within 45 min"),
    ("within_60_share", "Share within 60 min"),
    ("within_90_share", "Share within 90 min"),
    ("unreachable_demand", "Demand with no site"),
    ("hours_per_course", "Hours per course"),
    ("gini", "Gini"),
    ("concentration_index", "Concentration index (vs IMD)"),
    ("q1_mean_min", "Mean minutes, most deprived quintile"),
    ("q5_mean_min", "Mean minutes, least deprived quintile"),
)


def _fmt(value: float, excel_format: str | None, *, change: bool = False) -> str:
    if pd.isna(value):
        return ""
    sign = "+" if change and value > 0 else ""
    if excel_format and excel_format.endswith("%"):
        return f"{sign}{value * 100:.1f}" + (" pp" if change else "%")
    if excel_format and excel_format.startswith("#,##0"):
        return f"{sign}{value:,.0f}"
    if excel_format and excel_format.startswith("0.0000"):
        return f"{sign}{value:.4f}"
    if excel_format and excel_format.startswith("0."):
        return f"{sign}{value:.1f}"
    return f"{sign}{value:,.0f}" if float(value).is_integer() else f"{sign}{value:.2f}"


def comparison_table(summary: pd.DataFrame, left: str, right: str) -> pd.DataFrame:
    """Return measure / left / right / change rows (formatted text) for two scenarios.

    Numbers are formatted as in the Excel export (shares in %, changes of shares in
    percentage points); "change" is right minus left.
    """
    rows = summary.set_index("scenario")
    right_col = right if right != left else f"{right} "
    if left not in rows.index or right not in rows.index:
        return pd.DataFrame(columns=["measure", left, right_col, "change"])
    out = []
    for col, label in COMPARE_MEASURES:
        if col not in rows.columns:
            continue
        a, b = rows.at[left, col], rows.at[right, col]
        fmt = number_format(col)
        try:
            change = float(b) - float(a)
        except (TypeError, ValueError):
            change = float("nan")
        out.append({"measure": label, left: _fmt(float(a), fmt), right_col: _fmt(float(b), fmt),
                    "change": _fmt(change, fmt, change=True)})
    return pd.DataFrame(out, columns=["measure", left, right_col, "change"])


class ComparePanel(QWidget):
    """Left and right scenario maps, the difference map, and the comparison table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.left = MapPane("", name="leftPane")
        self.right = MapPane("", name="rightPane")
        self.diff = MapPane("", name="diffPane")
        self.maps = QSplitter(Qt.Orientation.Horizontal)
        for pane in (self.left, self.right, self.diff):
            pane.view.compact = True
            self.maps.addWidget(pane)
        self.model = DataFrameModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("compareTable")
        self.table.setModel(sortable(self.model, self))
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("Headline measures of the two scenarios and the change "
                              "(right minus left)")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.maps)
        split.addWidget(self.table)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setSizes([700, 180])
        self.splitter = split
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)
        self._syncing = False
        for pane in self.panes():
            pane.view.view_changed.connect(
                lambda lat, lng, z, src=pane.view: self._sync(src, lat, lng, z))

    def showEvent(self, event: object) -> None:  # noqa: N802
        """Share the width equally between the three maps each time the tab is shown."""
        super().showEvent(event)  # type: ignore[arg-type]
        width = max(3, self.maps.width())
        self.maps.setSizes([width // 3] * 3)

    def panes(self) -> tuple[MapPane, MapPane, MapPane]:
        """Return the left, right and difference panes."""
        return self.left, self.right, self.diff

    def _sync(self, source: MapView, lat: float, lng: float, zoom: float) -> None:
        for pane in self.panes():
            if pane.view is not source:
                pane.view.set_view(lat, lng, zoom)

    def set_table(self, summary: pd.DataFrame, left: str, right: str) -> None:
        """Show the comparison of ``left`` and ``right``."""
        self.model.set_frame(comparison_table(summary, left, right))
        self.table.resizeColumnsToContents()
        for col in range(1, self.model.columnCount()):
            self.table.setColumnWidth(col, max(self.table.columnWidth(col), 140))
