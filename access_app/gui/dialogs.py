"""Dialogs: error reports with details, the column-mapping dialog, About."""

from __future__ import annotations

import html
from dataclasses import fields, replace
from typing import Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from access_app.core.errors import (
    AccessAppError,
    Cancelled,
    DataError,
    ExportError,
    NetworkError,
    ScenarioError,
)
from access_app.core.io import ColumnMapping

from .models import DataFrameModel
from .workers import TaskError

_TITLES: list[tuple[type[BaseException], str, str]] = [
    (DataError, "Problem with the data",
     "Check the file and the column mapping, then load it again."),
    (NetworkError, "Problem with the road network",
     "Check the network file (or the internet connection for a download) and try again."),
    (ScenarioError, "Problem with the scenario", "Edit the scenario and try again."),
    (ExportError, "Export failed",
     "Choose another folder, close the file if it is open in another program, and try again."),
    (AccessAppError, "Cannot continue", "Correct the input and try again."),
]


def describe_error(exc: BaseException) -> tuple[str, str, str]:
    """Return (title, message, what to do) for an exception raised by a task."""
    for cls, title, todo in _TITLES:
        if isinstance(exc, cls):
            return title, str(exc), todo
    if isinstance(exc, MemoryError):
        return ("Out of memory", "The computer ran out of memory.",
                "Close other programs or use a smaller area, then try again.")
    if isinstance(exc, OSError):
        return ("File problem", str(exc),
                "Check that the file exists and that you may read or write it.")
    return (
        "Unexpected error",
        f"{type(exc).__name__}: {exc}",
        "This is a fault in Access App. The data loaded before is unchanged; please report "
        "the details below.",
    )


def error_box(parent: QWidget | None, err: TaskError | BaseException) -> QMessageBox:
    """Build (not show) a message box for ``err``: message, what to do, and Details."""
    if isinstance(err, TaskError):
        exc, details, label = err.exception, err.details, err.label
    else:
        import traceback

        exc, label = err, ""
        details = "".join(traceback.format_exception(err))
    title, message, todo = describe_error(exc)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText((f"{label} failed.\n\n" if label else "") + message)
    box.setInformativeText(todo)
    box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setObjectName("errorDialog")
    return box


def is_cancelled(err: TaskError | BaseException) -> bool:
    """Return True when ``err`` only says that the user cancelled."""
    exc = err.exception if isinstance(err, TaskError) else err
    return isinstance(exc, Cancelled)


# Labels and whether the field is required, per kind of file.
_FIELD_LABELS: dict[str, str] = {
    "id": "Identifier",
    "name": "Name",
    "population": "Population",
    "imd_rank": "IMD rank (1 = most deprived)",
    "imd_decile": "IMD decile (1..10)",
    "ruc_class": "Rural-urban class (A1..E2)",
    "urban_rural": "Urban / Rural",
    "network": "Network",
    "region": "Region",
    "icb": "ICB",
    "pop60plus": "Population aged 60+",
    "linacs": "Linacs",
    "site_type": "Type (main/satellite)",
    "trust": "Trust",
    "postcode": "Postcode",
    "lon": "Longitude (WGS84)",
    "lat": "Latitude (WGS84)",
    "easting": "Easting (BNG)",
    "northing": "Northing (BNG)",
}
FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    "areas": ("id", "name", "population", "imd_rank", "imd_decile", "ruc_class", "urban_rural",
              "network", "region", "icb", "pop60plus", "postcode", "lon", "lat", "easting",
              "northing"),
    "sites": ("id", "name", "network", "linacs", "site_type", "trust", "region", "postcode",
              "lon", "lat", "easting", "northing"),
}
REQUIRED: dict[str, tuple[str, ...]] = {"areas": ("id", "population"), "sites": ("id",)}
_NUMERIC = ("population", "imd_rank", "imd_decile", "pop60plus", "linacs", "lon", "lat",
            "easting", "northing")
_NONE = "(none)"


def mapping_problems(preview: pd.DataFrame, mapping: ColumnMapping, *, kind: str) -> list[str]:
    """List what is wrong with ``mapping`` judged on the preview rows (empty = looks fine).

    Only the rows shown are checked; loading the whole file checks every row again.
    """
    problems: list[str] = []
    used = mapping.used()
    for name in REQUIRED[kind]:
        if name not in used and not (kind == "sites" and name == "id" and "name" in used):
            problems.append(f"Choose the column that holds the {_FIELD_LABELS[name].lower()}.")
    has_geom = (
        hasattr(preview, "geometry")
        and getattr(preview, "_geometry_column_name", None) in preview.columns
        and preview.geometry.notna().any()
    )
    located = ({"lon", "lat"} <= used.keys() or {"easting", "northing"} <= used.keys()
               or "postcode" in used)
    if not has_geom and not located:
        problems.append("The file has no geometry: choose longitude/latitude, easting/northing "
                        "or a postcode column.")
    for name, col in used.items():
        if col not in preview.columns:
            problems.append(f"Column '{col}' is not in the file.")
            continue
        values = preview[col]
        if name in _NUMERIC:
            text = values.astype("string").str.replace(",", "", regex=False).str.strip()
            nums = pd.to_numeric(text, errors="coerce")
            bad = nums.isna() & text.notna() & (text != "")
            if bad.any():
                examples = ", ".join(repr(str(v)) for v in values[bad].head(3))
                problems.append(f"{_FIELD_LABELS[name]}: column '{col}' holds text that is not a "
                                f"number ({examples}).")
            elif name == "imd_decile" and (~nums.dropna().isin(range(1, 11))).any():
                problems.append(f"{_FIELD_LABELS[name]}: column '{col}' has values outside 1..10.")
            elif name in ("population", "pop60plus", "linacs") and (nums < 0).any():
                problems.append(f"{_FIELD_LABELS[name]}: column '{col}' has negative values.")
        if name == "site_type":
            st = values.astype("string").str.strip().str.lower()
            if (~st.isin(["main", "satellite"])).any():
                problems.append(f"Type: column '{col}' must say 'main' or 'satellite'.")
    return problems


class ColumnMappingDialog(QDialog):
    """Preview the first rows of a file and choose which column holds each field.

    Problems found in the preview are listed live; required fields must be chosen
    before OK is enabled.
    """

    def __init__(
        self,
        preview: pd.DataFrame,
        mapping: ColumnMapping,
        *,
        kind: str,
        source: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Columns of {kind}: {source}")
        self.setObjectName("columnMappingDialog")
        self.kind = kind
        self.preview = preview
        self._mapping = mapping
        columns = [str(c) for c in preview.columns
                   if c != getattr(preview, "_geometry_column_name", None)]

        table = QTableView()
        table.setObjectName("previewTable")
        self.preview_model = DataFrameModel(pd.DataFrame(preview).drop(
            columns=[c for c in preview.columns if c == "geometry"], errors="ignore"), self)
        table.setModel(self.preview_model)
        table.setToolTip("The first rows of the file, as read")
        table.resizeColumnsToContents()

        form_box = QGroupBox("Which column holds each field")
        form = QFormLayout(form_box)
        self.combos: dict[str, QComboBox] = {}
        for name in FIELDS_BY_KIND[kind]:
            combo = QComboBox()
            combo.setObjectName(f"map_{name}")
            combo.addItem(_NONE)
            combo.addItems(columns)
            current = getattr(mapping, name)
            if current in columns:
                combo.setCurrentText(current)
            req = name in REQUIRED[kind]
            combo.setToolTip(f"Column of the file that holds the {_FIELD_LABELS[name].lower()}"
                             + (" (required)" if req else " (optional)"))
            combo.currentTextChanged.connect(self._update)
            form.addRow(_FIELD_LABELS[name] + (" *" if req else ""), combo)
            self.combos[name] = combo

        self.problems_label = QLabel()
        self.problems_label.setObjectName("mappingProblems")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.RichText)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Load")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(
            "Load the whole file with this mapping (every row is checked)")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(form_box, 1)
        top.addWidget(table, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.problems_label)
        lay.addWidget(self.buttons)
        self.resize(1000, 560)
        self._update()

    def mapping(self) -> ColumnMapping:
        """Return the mapping chosen in the dialog."""
        values: dict[str, Any] = {}
        for f in fields(ColumnMapping):
            combo = self.combos.get(f.name)
            if combo is not None:
                text = combo.currentText()
                values[f.name] = None if text == _NONE else text
        return replace(self._mapping, **values)

    def problems(self) -> list[str]:
        """Return the problems currently listed."""
        return mapping_problems(self.preview, self.mapping(), kind=self.kind)

    def _update(self, *_: Any) -> None:
        problems = self.problems()
        missing_required = any(p.startswith("Choose the column") for p in problems)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not missing_required)
        if problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            self.problems_label.setText(
                f"<b style='color:#b00020'>Problems in the first {len(self.preview)} rows:</b>"
                f"<ul>{items}</ul>"
            )
        else:
            self.problems_label.setText(
                f"No problems in the first {len(self.preview)} rows. Loading checks every row."
            )


def about_text(attribution: str, network_note: str) -> str:
    """Return the About box text (plain text)."""
    from access_app import __version__

    return (
        f"Access App {__version__}\n\n"
        "Car travel time and equity of access to radiotherapy services in England: "
        "centralised versus networked scenarios.\n\n"
        f"{network_note}\n\nData attribution:\n{attribution}"
    )


class AddSiteDialog(QDialog):
    """Ask for a new site's name, network, linacs, type and postcode (or show its point)."""

    def __init__(
        self,
        networks: list[str],
        *,
        location: tuple[float, float] | None = None,
        default_network: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QLineEdit, QSpinBox

        self.setWindowTitle("Add a site")
        self.setObjectName("addSiteDialog")
        self.location = location
        self.name = QLineEdit()
        self.name.setObjectName("siteName")
        self.name.setToolTip("Name shown in tables, tooltips and exports")
        self.postcode = QLineEdit()
        self.postcode.setObjectName("sitePostcode")
        self.postcode.setToolTip("Postcode of the site (looked up in OS Code-Point Open)")
        self.network = QComboBox()
        self.network.setObjectName("siteNetwork")
        self.network.setEditable(True)
        self.network.addItems(networks)
        if default_network:
            self.network.setCurrentText(default_network)
        self.network.setToolTip("Network the site belongs to (type a new name to add one)")
        self.linacs = QSpinBox()
        self.linacs.setObjectName("siteLinacs")
        self.linacs.setRange(1, 20)
        self.linacs.setValue(2)
        self.linacs.setToolTip("Number of linear accelerators (sizes the map marker)")
        self.site_type = QComboBox()
        self.site_type.setObjectName("siteType")
        self.site_type.addItems(["main", "satellite"])
        self.site_type.setToolTip("Main centre or satellite unit")
        form = QFormLayout()
        form.addRow("Name *", self.name)
        if location is None:
            form.addRow("Postcode *", self.postcode)
        else:
            where = QLabel(f"{location[0]:.5f}° N, {location[1]:.5f}° E (clicked on the map)")
            form.addRow("Location", where)
        form.addRow("Network", self.network)
        form.addRow("Linacs", self.linacs)
        form.addRow("Type", self.site_type)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add site")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.name.textChanged.connect(self._check)
        self.postcode.textChanged.connect(self._check)
        self._check()

    def _check(self, *_: Any) -> None:
        ok = bool(self.name.text().strip()) and (
            self.location is not None or bool(self.postcode.text().strip())
        )
        self.ok.setEnabled(ok)

    def values(self) -> dict[str, Any]:
        """Return name, postcode, network, linacs and site_type as entered."""
        return {
            "site_name": self.name.text().strip(),
            "postcode": self.postcode.text().strip().upper(),
            "network": self.network.currentText().strip(),
            "linacs": int(self.linacs.value()),
            "site_type": self.site_type.currentText(),
        }
