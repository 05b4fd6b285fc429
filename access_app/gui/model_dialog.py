"""The "Speeds and access legs" dialog: the speed model and routing parameters as a form.

It edits a :class:`~access_app.core.model_settings.ModelSettings` (the same object a model TOML
file holds, ``access-app-cli run --model FILE``); values are checked by the core's own
classes, so a bad value shows the core's message and the dialog stays open.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from access_app.core.errors import AccessAppError
from access_app.core.model_settings import ModelSettings
from access_app.core.routing import RoutingParams
from access_app.core.speeds import SpeedModel


def _spin(value: float, lo: float, hi: float, step: float, decimals: int = 2,
          tip: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class ModelDialog(QDialog):
    """Edit speeds per road class (urban, rural), congestion and the access legs."""

    def __init__(self, model: ModelSettings | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Speeds and access legs")
        self.setObjectName("modelDialog")
        m = model or ModelSettings()
        self._base = m
        sm, rp = m.speed_model, m.routing_params
        speeds = QGroupBox("Car speeds by road class (km/h)")
        self.table = QTableWidget(len(sm.speeds_kmh), 3)
        self.table.setObjectName("speedTable")
        self.table.setHorizontalHeaderLabels(["Road class", "Urban", "Rural"])
        for row, (cls, (urban, rural)) in enumerate(sm.speeds_kmh.items()):
            name = QTableWidgetItem(cls)
            name.setFlags(name.flags() & ~name.flags().ItemIsEditable)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(f"{urban:g}"))
            self.table.setItem(row, 2, QTableWidgetItem(f"{rural:g}"))
        self.table.resizeColumnsToContents()
        self.congestion = _spin(sm.congestion_factor, 0.5, 3.0, 0.05,
                                tip="Multiplies every travel time (1.25 = a quarter longer)")
        self.maxspeed = QCheckBox("An OSM maxspeed caps the class speed")
        self.maxspeed.setChecked(sm.use_maxspeed)
        lay_s = QFormLayout(speeds)
        lay_s.addRow(self.table)
        lay_s.addRow("Congestion factor", self.congestion)
        lay_s.addRow(self.maxspeed)

        legs = QGroupBox("Access legs (point to road)")
        self.detour = _spin(rp.detour_factor, 1.0, 3.0, 0.05,
                            tip="Straight-line distance x this factor = the leg's length")
        self.urban_kmh = _spin(rp.access_speed_urban_kmh, 1, 120, 1, 1,
                               tip="Speed of the leg for urban areas and sites")
        self.rural_kmh = _spin(rp.access_speed_rural_kmh, 1, 120, 1, 1,
                               tip="Speed of the leg for rural areas")
        self.k_nearest = QSpinBox()
        self.k_nearest.setRange(1, 32)
        self.k_nearest.setValue(rp.k_nearest)
        self.k_nearest.setToolTip("Each point joins the best of its k nearest road nodes")
        self.max_snap_km = _spin(rp.max_snap_m / 1000, 0.1, 200, 1, 1,
                                 tip="Points farther than this from any road are unreachable")
        lay_l = QFormLayout(legs)
        lay_l.addRow("Detour factor", self.detour)
        lay_l.addRow("Urban speed (km/h)", self.urban_kmh)
        lay_l.addRow("Rural speed (km/h)", self.rural_kmh)
        lay_l.addRow("Candidate nodes", self.k_nearest)
        lay_l.addRow("Farthest join (km)", self.max_snap_km)

        self.message = QLabel()
        self.message.setObjectName("modelMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        note = QLabel("Sources of the defaults: docs/model.md. Changing them recomputes "
                      "the road network's travel times and the matrix.")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self._defaults)
        lay = QVBoxLayout(self)
        for w in (speeds, legs, note, self.message, buttons):
            lay.addWidget(w)
        self._result: ModelSettings | None = None

    def _defaults(self) -> None:
        fresh = ModelDialog(ModelSettings(), parent=None)
        for row in range(self.table.rowCount()):
            for col in (1, 2):
                item = fresh.table.item(row, col)
                self.table.setItem(row, col, QTableWidgetItem(item.text() if item else ""))
        for name in ("congestion", "detour", "urban_kmh", "rural_kmh", "max_snap_km"):
            getattr(self, name).setValue(getattr(fresh, name).value())
        self.k_nearest.setValue(fresh.k_nearest.value())
        self.maxspeed.setChecked(fresh.maxspeed.isChecked())
        fresh.deleteLater()

    def _build(self) -> ModelSettings:
        speeds: dict[str, tuple[float, float]] = {}
        for row in range(self.table.rowCount()):
            cls = self.table.item(row, 0).text()
            cells: list[Any] = []
            for col in (1, 2):
                item = self.table.item(row, col)
                text = item.text().strip() if item else ""
                try:
                    cells.append(float(text))
                except ValueError as exc:
                    raise AccessAppError(
                        f"Speed for road class {cls!r} ({'urban' if col == 1 else 'rural'}) is "
                        f"{text!r}, not a number of km/h.") from exc
            speeds[cls] = (cells[0], cells[1])
        sm = SpeedModel(speeds_kmh=speeds, fallback_kmh=self._base.speed_model.fallback_kmh,
                        use_maxspeed=self.maxspeed.isChecked(),
                        congestion_factor=self.congestion.value())
        rp = replace(RoutingParams(**{**self._base.routing_params.__dict__}),
                     detour_factor=self.detour.value(),
                     access_speed_urban_kmh=self.urban_kmh.value(),
                     access_speed_rural_kmh=self.rural_kmh.value(),
                     k_nearest=self.k_nearest.value(),
                     max_snap_m=self.max_snap_km.value() * 1000)
        return replace(self._base, speed_model=sm, routing_params=rp,
                       source="edited in the app (Speeds and access legs)")

    def accept(self) -> None:
        """Check the values with the core's classes; close only if they are valid."""
        try:
            self._result = self._build()
        except (AccessAppError, ValueError) as exc:
            self.message.setText(str(exc))
            return
        super().accept()

    def model(self) -> ModelSettings:
        """Return the settings the user accepted."""
        if self._result is None:
            raise AccessAppError("The dialog was not accepted.")
        return self._result
