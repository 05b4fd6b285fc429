"""The data panel: what is loaded (areas, sites, road network) and the sites table."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from access_app.core import schema

from ..models import SitesModel, sortable


class NetworkDelegate(QStyledItemDelegate):
    """Edit a site's network with a combo box of the known networks (new names allowed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.networks: list[str] = []

    def createEditor(self, parent: QWidget, option: object, index: object) -> QWidget:  # noqa: N802
        """Return an editable combo box listing the networks."""
        combo = QComboBox(parent)
        combo.setEditable(True)
        combo.addItems(self.networks)
        combo.setToolTip("Choose the site's network, or type a new one")
        return combo

    def setEditorData(self, editor: QWidget, index: object) -> None:  # noqa: N802
        """Show the site's current network."""
        editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: object, index: object) -> None:  # noqa: N802
        """Pass the chosen network to the model (which announces the edit)."""
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class DataPanel(QWidget):
    """Buttons to load inputs, what each came from, and the editable sites table.

    Signals
    -------
    load_requested(kind)
        ``"areas"``, ``"sites"``, ``"network"``, ``"download"`` or ``"postcodes"``.
    add_site_requested()
        Add a site by postcode.
    pick_on_map_toggled(bool)
        Add a site by clicking the map.
    """

    load_requested = Signal(str)
    add_site_requested = Signal()
    pick_on_map_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        inputs = QGroupBox("Inputs")
        grid = QGridLayout(inputs)
        self.source_labels: dict[str, QLabel] = {}
        rows = (
            ("areas", "Areas", "Load population areas (GeoPackage, GeoJSON, Shapefile, CSV...)"),
            ("sites", "Sites", "Load treatment sites (with coordinates or postcodes)"),
            ("network", "Road network",
             "Load a road network: road line file, OSM extract (.osm.pbf), or a saved network"),
        )
        for r, (kind, label, tip) in enumerate(rows):
            name = QLabel(f"<b>{label}</b>")
            src = QLabel("not loaded")
            src.setObjectName(f"{kind}Source")
            src.setTextFormat(Qt.TextFormat.PlainText)
            src.setWordWrap(True)
            button = QPushButton("Open…")
            button.setObjectName(f"load_{kind}")
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, k=kind: self.load_requested.emit(k))
            grid.addWidget(name, r, 0)
            grid.addWidget(src, r, 1)
            grid.addWidget(button, r, 2)
            self.source_labels[kind] = src
        self.download_button = QPushButton("Download…")
        self.download_button.setObjectName("load_download")
        self.download_button.setToolTip(
            "Download the drivable roads of a place from OpenStreetMap with osmnx (needs "
            "internet)")
        self.download_button.clicked.connect(lambda: self.load_requested.emit("download"))
        grid.addWidget(self.download_button, 3, 2)
        self.network_note = QLabel(schema.NETWORK_PROXY_LABEL)
        self.network_note.setObjectName("networkNote")
        self.network_note.setTextFormat(Qt.TextFormat.PlainText)
        self.network_note.setWordWrap(True)
        self.network_note.setStyleSheet("color: #8a4b00;")
        self.network_note.setToolTip("How areas and sites were assigned to networks")
        grid.addWidget(self.network_note, 4, 0, 1, 3)
        self.reach_warning = QLabel()
        self.reach_warning.setObjectName("reachWarning")
        self.reach_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.reach_warning.setWordWrap(True)
        self.reach_warning.setStyleSheet("color: #b00020;")
        self.reach_warning.setToolTip("Areas or sites too far from any road of the network, or "
                                      "on an island of it; see area_results for the reasons")
        self.reach_warning.hide()
        grid.addWidget(self.reach_warning, 5, 0, 1, 3)
        grid.setColumnStretch(1, 1)

        sites_box = QGroupBox("Sites")
        self.filter = QLineEdit()
        self.filter.setObjectName("sitesFilter")
        self.filter.setPlaceholderText("Filter sites…")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only sites whose row contains this text")
        self.model = SitesModel(self)
        self.proxy = sortable(self.model, self)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setObjectName("sitesTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setResizeContentsPrecision(40)
        self._sized = False
        self.network_delegate = NetworkDelegate(self.table)
        self.table.setItemDelegateForColumn(
            [c for c, _ in SitesModel.COLUMNS].index("network"), self.network_delegate)
        self.table.setToolTip("Tick 'Open' to switch a site on in the current scenario, 'Hub' to "
                              "make it its network's hub; double-click a network to edit it")
        add = QPushButton("Add by postcode…")
        add.setObjectName("addSiteButton")
        add.setToolTip("Add a site located by its postcode (needs the Code-Point Open zip)")
        add.clicked.connect(self.add_site_requested.emit)
        self.pick_button = QPushButton("Add by clicking the map")
        self.pick_button.setObjectName("pickSiteButton")
        self.pick_button.setCheckable(True)
        self.pick_button.setToolTip("Then click the main map where the new site is")
        self.pick_button.toggled.connect(self.pick_on_map_toggled.emit)
        self.sites_summary = QLabel()
        self.sites_summary.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.pick_button)
        sl = QVBoxLayout(sites_box)
        sl.addWidget(self.filter)
        sl.addWidget(self.table, 1)
        sl.addWidget(self.sites_summary)
        sl.addLayout(buttons)

        lay = QVBoxLayout(self)
        lay.addWidget(inputs)
        lay.addWidget(sites_box, 1)

    def set_sources(self, sources: dict[str, str], *, network: str, network_note: str) -> None:
        """Show where areas, sites and the road network came from."""
        for kind in ("areas", "sites"):
            self.source_labels[kind].setText(sources.get(kind, "not loaded"))
            self.source_labels[kind].setToolTip(sources.get(kind, ""))
        self.source_labels["network"].setText(network or "not loaded")
        self.source_labels["network"].setToolTip(network)
        self.network_note.setText(network_note)

    def set_reach_warning(self, text: str) -> None:
        """Show (or hide, for ``""``) the warning about unreachable areas and sites."""
        self.reach_warning.setText(text)
        self.reach_warning.setVisible(bool(text))

    def resize_columns(self) -> None:
        """Fit the columns to their contents once (names capped at a readable width)."""
        if self._sized:
            return
        self._sized = self.model.rowCount() > 0
        self.table.resizeColumnsToContents()
        for col in range(self.model.columnCount()):
            if self.table.columnWidth(col) > 260:
                self.table.setColumnWidth(col, 260)
