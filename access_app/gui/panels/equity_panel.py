"""The equity panel: the report's tables in sortable views, and the charts.

The charts (matplotlib) are made the first time the panel is shown or asked for, and
drawn from the latest results only when visible: a planner on the map tab does not wait
for charts nobody sees, and matplotlib is not imported at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from access_app.core.export import label, number_format
from access_app.core.scenarios import ScenarioResult
from access_app.core.tables import EquityReport

from ..models import DataFrameModel, sortable

if TYPE_CHECKING:
    from ..charts import ChartsWidget

#: Tabs: (title, breakdown name or table attribute, tooltip).
TABLE_TABS: tuple[tuple[str, str, str], ...] = (
    ("Overall", "summary", "Headline measures of every scenario (one column per scenario)"),
    ("IMD quintile", "group:imd_quintile", "By deprivation quintile (1 = most deprived fifth)"),
    ("IMD decile", "group:imd_decile", "By deprivation decile (1 = most deprived tenth)"),
    ("Urban/rural", "group:urban_rural", "By ONS 2011 rural-urban class (urban A-C, rural D-E)"),
    ("Network", "group:network", "By network"),
    ("Site", "sites", "Demand and journeys per site"),
    ("Changes vs baseline", "changes", "Change against the baseline, overall and by group"),
    ("Index changes", "index_changes", "Change of every headline measure against the baseline"),
    ("Site changes", "site_changes", "Change of demand per site against the baseline"),
    ("Burden per course", "burden", "Hours, miles, cost and CO2e per course of treatment, "
                                    "overall and by group (docs/measures.md)"),
    ("Burden changes", "burden_changes", "Change of the burden per course against the baseline"),
    ("Capacity", "capacity", "Courses and fractions a year per open site against its linacs' "
                             "throughput: utilisation, over capacity, extra linacs, staff"),
)


def summary_by_measure(summary: pd.DataFrame) -> tuple[pd.DataFrame, list[str | None]]:
    """Return the summary with one row per measure and one column per scenario.

    Also returns the Excel-style number format of each row (by measure).
    """
    if summary.empty:
        return summary, []
    t = summary.set_index("scenario").T
    keys = [str(k) for k in t.index]
    t.index = [label(k) for k in keys]
    t.index.name = "measure"
    t.columns = [str(c) for c in t.columns]
    return t.reset_index(), [number_format(k) for k in keys]


class EquityPanel(QWidget):
    """Tabs of tables over charts; every table sorts by clicking its header."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit()
        self.filter.setObjectName("equityFilter")
        self.filter.setPlaceholderText("Filter rows of the table shown…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only rows that contain this text (e.g. a scenario name)")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("equityTables")
        self.models: dict[str, DataFrameModel] = {}
        self.views: dict[str, QTableView] = {}
        self.proxies = {}
        for title, key, tip in TABLE_TABS:
            model = DataFrameModel(parent=self)
            proxy = sortable(model, self)
            view = QTableView()
            view.setObjectName(f"table_{key.replace(':', '_')}")
            view.setModel(proxy)
            view.setSortingEnabled(True)
            view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            view.setAlternatingRowColors(True)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.verticalHeader().setVisible(False)
            view.horizontalHeader().setResizeContentsPrecision(40)
            view.setToolTip(tip + ". Click a header to sort.")
            self.filter.textChanged.connect(proxy.setFilterFixedString)
            self.tabs.addTab(view, title)
            self.tabs.setTabToolTip(self.tabs.count() - 1, tip)
            self.models[key], self.views[key], self.proxies[key] = model, view, proxy
        self._charts: ChartsWidget | None = None
        self._plot_args: tuple[tuple[Any, ...], dict[str, Any]] | None = None
        self._attribution = ""
        self.chart_holder = QWidget()
        self.chart_holder.setObjectName("chartHolder")
        QVBoxLayout(self.chart_holder).setContentsMargins(0, 0, 0, 0)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.filter)
        tl.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.chart_holder)
        self.splitter.setSizes([400, 400])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)

    @property
    def charts(self) -> ChartsWidget:
        """Return the charts, making them (and drawing the latest results) on first use."""
        if self._charts is None:
            from ..charts import ChartsWidget

            self._charts = ChartsWidget(self.chart_holder)
            self._charts.setObjectName("charts")
            self._charts.set_attribution(self._attribution)
            layout = self.chart_holder.layout()
            assert layout is not None
            layout.addWidget(self._charts)
            if self._plot_args is not None:
                args, kwargs = self._plot_args
                self._charts.plot(*args, **kwargs)
        return self._charts

    def plot(self, results: Sequence[ScenarioResult], *, imd_decile: np.ndarray | None,
             baseline: ScenarioResult | None, bands: pd.DataFrame | None = None) -> None:
        """Show ``results`` in the charts (see :meth:`ChartsWidget.plot`).

        Until the charts exist (the panel has not been shown) the results are kept and
        drawn when they are made.
        """
        self._plot_args = ((list(results),),
                           {"imd_decile": imd_decile, "baseline": baseline, "bands": bands})
        if self._charts is not None:
            self._charts.plot(results, imd_decile=imd_decile, baseline=baseline, bands=bands)

    def set_attribution(self, text: str) -> None:
        """Set the footer every saved chart carries."""
        self._attribution = text
        if self._charts is not None:
            self._charts.set_attribution(text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Make the charts the first time the panel is shown."""
        super().showEvent(event)
        _ = self.charts

    def set_report(self, report: EquityReport, *, network_label: str = "Network") -> None:
        """Show every table of ``report``."""
        for _title, key, _tip in TABLE_TABS:
            row_formats = None
            if key == "summary":
                frame, row_formats = summary_by_measure(report.summary)
            elif key.startswith("group:"):
                frame = report.breakdown(key.split(":", 1)[1]).drop(columns="group_by")
            else:
                frame = getattr(report, key)
            same_columns = list(frame.columns) == list(self.models[key].frame().columns)
            self.models[key].set_frame(frame, row_formats=row_formats)
            view = self.views[key]
            if same_columns and key != "summary":
                continue  # keep the widths the user may have set
            view.resizeColumnsToContents()
            for col in range(self.models[key].columnCount()):
                if view.columnWidth(col) > 240:
                    view.setColumnWidth(col, 240)
        idx = [k for _, k, _ in TABLE_TABS].index("group:network")
        self.tabs.setTabText(idx, network_label)

    def table(self, key: str) -> pd.DataFrame:
        """Return the table shown under ``key`` (e.g. ``"summary"``, ``"group:network"``)."""
        return self.models[key].frame()
