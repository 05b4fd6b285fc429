"""The scenario editor: list of scenarios and the fields of the selected one."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from access_app.core import schema
from access_app.core.errors import ScenarioError
from access_app.core.scenarios import HUB_RULES, RULE_LABELS, RULES, Scenario
from access_app.core.scenarios.editing import set_rule

from ..models import plain_tooltip


class ScenarioPanel(QWidget):
    """List, create, duplicate, rename and delete scenarios; edit the selected one.

    The panel never changes the state itself: it emits what the user asked for and the
    window applies it, then calls :meth:`show_scenarios` again.

    Signals
    -------
    selected(name)
    new_requested()
    duplicate_requested(name)
    rename_requested(old, new)
    delete_requested(name)
    edited(name, scenario)
        The fields of scenario ``name`` were changed into ``scenario``.
    open_group_requested(which)
        Open every site (``"all"``) or only the main centres (``"main"``).
    """

    selected = Signal(str)
    new_requested = Signal()
    duplicate_requested = Signal(str)
    rename_requested = Signal(str, str)
    delete_requested = Signal(str)
    edited = Signal(str, object)
    open_group_requested = Signal(str)
    hubs_requested = Signal()
    sweep_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scenario: Scenario | None = None
        self._sites = pd.DataFrame()
        self._loading = False

        self.list = QListWidget()
        self.list.setObjectName("scenarioList")
        self.list.setToolTip("Scenarios; double-click to rename. The selected one is shown on "
                             "the map and edited below.")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list.currentTextChanged.connect(self._on_select)
        self.list.itemChanged.connect(self._on_item_renamed)

        buttons = QHBoxLayout()
        self.new_button = self._button("New", "Create a scenario with every site open (Ctrl+N)",
                                       self.new_requested.emit)
        self.dup_button = self._button("Duplicate", "Copy the selected scenario",
                                       lambda: self.duplicate_requested.emit(self.current_name()))
        self.rename_button = self._button("Rename", "Rename the selected scenario (F2)",
                                          self._start_rename)
        self.delete_button = self._button("Delete", "Delete the selected scenario",
                                          lambda: self.delete_requested.emit(self.current_name()))
        for b in (self.new_button, self.dup_button, self.rename_button, self.delete_button):
            buttons.addWidget(b)

        self.service = QLineEdit()
        self.service.setObjectName("scenarioService")
        self.service.setToolTip("The service or cancer group this scenario is about")
        self.service.editingFinished.connect(self._emit_edit)
        self.rule = QComboBox()
        self.rule.setObjectName("scenarioRule")
        for r in RULES:
            self.rule.addItem(RULE_LABELS[r], r)
        self.rule.setToolTip(
            "How areas are assigned: nearest open site; nearest open site in their own network; "
            "the hub of their own network; the nearest hub anywhere")
        self.rule.currentIndexChanged.connect(self._emit_edit)
        for combo in (self.rule,):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
        self.demand = QComboBox()
        self.demand.setObjectName("scenarioDemand")
        self.demand.setToolTip("Column of the areas table that weights each area")
        self.demand.currentIndexChanged.connect(self._emit_edit)
        self.demand.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.demand.setMinimumContentsLength(10)
        self.incidence = QDoubleSpinBox()
        self.incidence.setObjectName("scenarioIncidence")
        self.incidence.setRange(0.0, 100000.0)
        self.incidence.setDecimals(2)
        self.incidence.setSpecialValueText("none")
        self.incidence.setToolTip(
            "Optional incidence rate per 100,000: demand becomes expected cases a year")
        self.incidence.editingFinished.connect(self._emit_edit)
        self.fractions = QSpinBox()
        self.fractions.setObjectName("scenarioFractions")
        self.fractions.setRange(1, 60)
        self.fractions.setToolTip("Daily visits per course: time per course = fractions x 2 x "
                                  "one-way minutes")
        self.fractions.editingFinished.connect(self._emit_edit)
        self.description = QLineEdit()
        self.description.setObjectName("scenarioDescription")
        self.description.setToolTip("Free text shown in exports")
        self.description.editingFinished.connect(self._emit_edit)
        self.open_label = QLabel()
        self.open_label.setTextFormat(Qt.TextFormat.PlainText)
        self.open_label.setWordWrap(True)
        self.open_label.setToolTip("Switch sites on and off in the Sites table (Data panel)")
        self.hubs_label = QLabel()
        self.hubs_label.setTextFormat(Qt.TextFormat.PlainText)
        self.hubs_label.setWordWrap(True)
        self.hubs_label.setToolTip("Mark hubs in the Sites table (Data panel), column 'Hub'")
        open_buttons = QHBoxLayout()
        self.open_all = self._button("Open all", "Open every site in this scenario",
                                     lambda: self._set_open("all"))
        self.open_main = self._button("Main only", "Open only the main centres",
                                      lambda: self._set_open("main"))
        open_buttons.addWidget(self.open_all)
        open_buttons.addWidget(self.open_main)
        self.message = QLabel()
        self.message.setObjectName("scenarioMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setStyleSheet("color: #b00020;")

        box = QGroupBox("Selected scenario")
        form = QFormLayout(box)
        form.addRow("Service", self.service)
        form.addRow("Rule", self.rule)
        form.addRow("Demand", self.demand)
        form.addRow("Incidence / 100k", self.incidence)
        form.addRow("Fractions", self.fractions)
        form.addRow("Description", self.description)
        form.addRow("Open sites", self.open_label)
        form.addRow("", open_buttons)
        form.addRow("Hubs", self.hubs_label)

        self.list.setMaximumHeight(220)
        tools = QHBoxLayout()
        self.hubs_button = self._button("Suggest hubs…", "Choose hubs per network with the "
                                        "optimiser, equity built in (Ctrl+H)",
                                        self.hubs_requested.emit)
        self.sweep_button = self._button("Sensitivity…", "Do the conclusions hold? Re-run the "
                                         "analysis with other assumptions (a sweep on Dask)",
                                         self.sweep_requested.emit)
        tools.addWidget(self.hubs_button)
        tools.addWidget(self.sweep_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list)
        lay.addLayout(buttons)
        lay.addLayout(tools)
        lay.addWidget(box)
        lay.addWidget(self.message)
        lay.addStretch(1)

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        b = QPushButton(text)
        b.setToolTip(tip)
        b.setObjectName(f"scenario{text.replace(' ', '')}Button")
        b.clicked.connect(slot)
        return b

    # ------------------------------------------------------------- display

    def current_name(self) -> str:
        """Return the selected scenario name ('' if none)."""
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def show_scenarios(self, scenarios: list[Scenario], current: str, *,
                       areas: pd.DataFrame, sites: pd.DataFrame) -> None:
        """Show the list of ``scenarios`` with ``current`` selected and its fields."""
        self._loading = True
        try:
            self._sites = sites
            self.list.clear()
            for sc in scenarios:
                item = QListWidgetItem(sc.name)
                item.setData(Qt.ItemDataRole.UserRole, sc.name)
                item.setToolTip(plain_tooltip(sc.describe()))
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.list.addItem(item)
                if sc.name == current:
                    self.list.setCurrentItem(item)
            numeric = [c for c in areas.columns
                       if c != "geometry" and pd.api.types.is_numeric_dtype(areas[c])
                       and c not in (schema.IMD_RANK, schema.IMD_DECILE)]
            self.demand.clear()
            for c in numeric or [schema.POPULATION]:
                self.demand.addItem(c)
            self.delete_button.setEnabled(len(scenarios) > 1)
            sc = next((s for s in scenarios if s.name == current), None)
            self._show_fields(sc)
        finally:
            self._loading = False

    def _show_fields(self, sc: Scenario | None) -> None:
        self._scenario = sc
        self.message.clear()
        widgets = (self.service, self.rule, self.demand, self.incidence, self.fractions,
                   self.description, self.open_all, self.open_main)
        for w in widgets:
            w.setEnabled(sc is not None)
        if sc is None:
            return
        self.service.setText(sc.service)
        self.rule.setCurrentIndex(RULES.index(sc.rule))
        if self.demand.findText(sc.demand) < 0:
            self.demand.addItem(sc.demand)
        self.demand.setCurrentText(sc.demand)
        self.incidence.setValue(sc.incidence_per_100k or 0.0)
        self.fractions.setValue(sc.fractions)
        self.description.setText(sc.description)
        self.open_label.setText(f"{len(sc.open_sites)} of {len(self._sites)} sites open")
        if sc.rule in HUB_RULES:
            names = self._site_names()
            full = "\n".join(f"{net}: {', '.join(names.get(s, s) for s in ids)}"
                              for net, ids in sc.hubs.items())
            self.hubs_label.setText(f"{len(sc.hub_sites)} hubs in {len(sc.hubs)} networks "
                                    "(hover for the list)" if sc.hubs else "none")
            self.hubs_label.setToolTip(plain_tooltip(
                (full or "No hubs") + "\n\nMark hubs in the Sites table, column 'Hub'."))
        else:
            self.hubs_label.setText("not used by this rule")
            self.hubs_label.setToolTip("Hubs are used by the hub rules only")

    def _site_names(self) -> dict[str, str]:
        if self._sites.empty:
            return {}
        return dict(zip(self._sites[schema.SITE_ID].astype(str),
                        self._sites[schema.SITE_NAME].astype(str), strict=False))

    # ------------------------------------------------------------- actions

    def _on_select(self, _text: str) -> None:
        if not self._loading and self.current_name():
            self.selected.emit(self.current_name())

    def _start_rename(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _on_item_renamed(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        old = item.data(Qt.ItemDataRole.UserRole)
        new = item.text().strip()
        if new and new != old:
            self.rename_requested.emit(old, new)
        elif new != old:
            self._loading = True
            item.setText(old)
            self._loading = False

    def _set_open(self, which: str) -> None:
        if self._scenario is not None:
            self.open_group_requested.emit(which)

    def _emit_edit(self, *_: object) -> None:
        sc = self._scenario
        if self._loading or sc is None:
            return
        rule = self.rule.currentData()
        incidence = self.incidence.value() or None

        def build() -> Scenario:
            ruled = set_rule(sc, rule, sites=self._sites)
            return replace(
                ruled, service=self.service.text().strip() or sc.service,
                demand=self.demand.currentText() or sc.demand,
                incidence_per_100k=incidence, fractions=self.fractions.value(),
                description=self.description.text(),
            )

        self._try_emit(sc.name, build)

    def _try_emit(self, name: str, build: object) -> None:
        try:
            new = build()  # type: ignore[operator]
        except ScenarioError as exc:
            self.message.setText(str(exc))
            return
        if new == self._scenario:
            return
        self.message.clear()
        self.edited.emit(name, new)
