"""The "Suggest hubs…" dialog: choose hubs per network with equity built in.

The planner picks an objective, the number of hubs per network and any constraints; the
session's optimiser task runs on a worker with progress and Cancel; the ranked options
appear in a table with the Pareto front of efficiency against equity. Selecting an option
previews it on the map as a scenario; "Use as scenario" keeps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from access_app.core import schema
from access_app.core.errors import AccessAppError

from .charts import COLOURS, ChartCanvas
from .models import DataFrameModel

if TYPE_CHECKING:
    from .main_window import MainWindow

#: Columns of the options table, with their headers.
COLUMNS = {"network": "Network", "rank": "Rank", "hub_names": "Hubs", "objective": "Objective",
           "mean_min": "Mean min", "p90_min": "90th pct", "worst_min": "Worst",
           "within_45_share": "Within 45", "imd1_mean_min": "Q1 mean", "imd5_mean_min": "Q5 mean",
           "gap_q1_q5_min": "Q1-Q5 gap", "rural_within_45_share": "Rural within 45",
           "demand_longer": "Longer journey", "method": "Method",
           "proven_optimal": "Proven optimal"}


def measure_key(pareto: str) -> str:
    """Return the key in an option's measures of a Pareto measure ("imd1_mean"...)."""
    group, _, kind = pareto.rpartition("_")
    return f"{group}_mean_min" if kind == "mean" else f"{group}_within_45_share"


def _optional(label: str, value: float, lo: float, hi: float, step: float,
              tip: str, decimals: int = 0) -> tuple[QCheckBox, QDoubleSpinBox]:
    box = QCheckBox(label)
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setDecimals(decimals)
    spin.setSingleStep(step)
    spin.setValue(value)
    spin.setEnabled(False)
    spin.setToolTip(tip)
    box.setToolTip(tip)
    box.toggled.connect(spin.setEnabled)
    return box, spin


class HubsDialog(QDialog):
    """Suggest hubs with the optimiser and turn an option into a scenario."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        from access_app.core import optimise as opt

        self.win = win
        self.opt = opt
        self.result: Any = None
        self.frame = pd.DataFrame()
        self.setWindowTitle("Suggest hubs")
        self.setObjectName("hubsDialog")
        self.resize(1100, 700)

        self.objective = QComboBox()
        for kind in opt.OBJECTIVES:
            label = opt.Objective(kind=kind).label(kappa=0.0).split(" (kappa")[0]
            self.objective.addItem(label, kind)
        self.objective.setToolTip("What the choice of hubs optimises; the equity objectives "
                                  "(Kolm-Pollak, Atkinson, a group's mean) trade some mean "
                                  "time for fairness")
        self.p = QSpinBox()
        self.p.setRange(1, 10)
        self.p.setValue(2)
        self.p.setToolTip("Hubs in each network (or nationally)")
        self.national = QCheckBox("Choose hubs nationally (not per network)")
        self.candidates = QComboBox()
        self.candidates.addItem("Main centres", "main")
        self.candidates.addItem("Every site", "all")
        self.pareto = QComboBox()
        self.pareto.addItem("Most deprived quintile's mean minutes", "imd1_mean")
        self.pareto.addItem("Rural share within 45 minutes", "rural_within")
        self.max_on, self.max_minutes = _optional(
            "Nobody beyond (min)", 90, 10, 600, 5, "Every reachable area within this many minutes")
        self.share_on, self.share = _optional(
            "Within 45 min in every IMD quintile and rural (%)", 80, 0, 100, 5,
            "At least this share of each IMD quintile's and of rural demand within 45 minutes")
        self.gap_on, self.gap = _optional(
            "Most vs least deprived gap at most (min)", 5, 0, 120, 1,
            "The mean minutes of IMD quintiles 1 and 5 differ by at most this")
        self.cap_on, self.capacity = _optional(
            "Demand per linac at most", 50_000, 1, 10_000_000, 1000,
            "Capacity: areas then go to a hub with room, not always the nearest")
        form = QFormLayout()
        form.addRow("Objective", self.objective)
        form.addRow("Hubs per network", self.p)
        form.addRow(self.national)
        form.addRow("Candidates", self.candidates)
        form.addRow("Pareto front against", self.pareto)
        for box, spin in ((self.max_on, self.max_minutes), (self.share_on, self.share),
                          (self.gap_on, self.gap), (self.cap_on, self.capacity)):
            form.addRow(box, spin)
        self.run_button = QPushButton("&Suggest")
        self.run_button.setObjectName("suggestButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.message = QLabel()
        self.message.setObjectName("hubsMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        left = QWidget()
        lay_l = QVBoxLayout(left)
        lay_l.addLayout(form)
        lay_l.addWidget(self.run_button)
        lay_l.addWidget(self.message, 1)

        self.model = DataFrameModel(parent=self)
        self.table = QTableView()
        self.table.setObjectName("hubsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("Ranked options per network; select one to preview it on the map")
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.preview())
        self.chart = ChartCanvas(self)
        self.preview_button = QPushButton("&Preview on map")
        self.preview_button.clicked.connect(self.preview)
        self.use_button = QPushButton("&Use as scenario")
        self.use_button.setObjectName("useAsScenario")
        self.use_button.clicked.connect(self.use)
        for b in (self.preview_button, self.use_button):
            b.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.use_button)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.chart)
        right.setSizes([380, 260])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([360, 740])
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)

    # ----------------------------------------------------------------- run

    def settings(self) -> dict[str, Any]:
        """Return the optimiser options chosen in the form (checked by the core)."""
        opt = self.opt
        objective = opt.Objective(kind=str(self.objective.currentData()))
        constraints = opt.Constraints(
            max_minutes=self.max_minutes.value() if self.max_on.isChecked() else None,
            min_share_within=self.share.value() / 100 if self.share_on.isChecked() else None,
            max_gap_minutes=self.gap.value() if self.gap_on.isChecked() else None,
            capacity_per_linac=self.capacity.value() if self.cap_on.isChecked() else None)
        return {"p": self.p.value(), "objective": objective, "constraints": constraints,
                "national": self.national.isChecked(),
                "candidates": str(self.candidates.currentData()),
                "pareto": str(self.pareto.currentData())}

    def run(self) -> None:
        """Start the optimiser on a worker (progress and Cancel in the status bar)."""
        try:
            task = self.win.session.plan_optimise(**self.settings())
        except AccessAppError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Working… (Esc or Cancel in the status bar stops it)")
        self.run_button.setEnabled(False)

        def failed(err: Any) -> None:
            self.run_button.setEnabled(True)
            self.message.setText(str(getattr(err, "exception", err)))
            self.win.report_error(err) if not isinstance(
                getattr(err, "exception", None), AccessAppError) else None

        self.win.run_task("optimise", task, label="Suggesting hubs", on_finished=self.show_result,
                          on_error=failed)

    def show_result(self, result: Any) -> None:
        """Show the ranked options and the Pareto chart of ``result``."""
        self.run_button.setEnabled(True)
        self.result = result
        sites = self.win.session.sites
        names = dict(zip(sites[schema.SITE_ID].astype(str), sites[schema.SITE_NAME].astype(str),
                         strict=False))
        frame = self.opt.report.options_frame(result, site_names=names)
        self.frame = frame
        shown = frame[[c for c in COLUMNS if c in frame.columns]].rename(columns=COLUMNS)
        self.model.set_frame(shown)
        self.table.resizeColumnsToContents()
        proof = "proven optimal" if result.proven_optimal else "not proven optimal"
        methods = sorted({b.method for b in result.blocks.values()})
        self.message.setText(f"{len(result.blocks)} networks, {', '.join(methods)}, {proof}, "
                             f"{result.runtime:.1f} s. Select an option to preview it.")
        self._plot(result)
        for b in (self.preview_button, self.use_button):
            b.setEnabled(True)

    def _plot(self, result: Any) -> None:
        fig = self.chart.figure
        fig.clear()
        ax = fig.add_subplot(111)
        measure = measure_key(result.pareto_measure or "imd1_mean")
        for i, block in enumerate(result.blocks.values()):
            pts = [(o.measures.get("mean_min"), o.measures.get(measure)) for o in block.pareto]
            pts = [(x, y) for x, y in pts if x is not None and y is not None]
            if pts:
                xs, ys = zip(*pts, strict=True)
                ax.plot(xs, ys, "o-", ms=3, lw=1, color=COLOURS[i % len(COLOURS)],
                        label=block.network)
        ax.set_xlabel("Mean minutes (efficiency)")
        ax.set_ylabel(self.pareto.currentText())
        ax.set_title("Pareto front per network: no option is better on both")
        if ax.lines:
            ax.legend(fontsize=7, ncol=2)
        self.chart.draw()

    # ------------------------------------------------------------- choose

    def chosen(self) -> dict[str, Any]:
        """Return network -> option for the selected row (the best of other networks)."""
        rows = self.table.selectionModel().selectedRows()
        if self.result is None or not rows:
            return {}
        row = self.frame.iloc[rows[0].row()]
        block = self.result.blocks[row["network"]]
        option = next(o for o in block.options if o.rank == int(row["rank"]))
        return {row["network"]: option}

    def preview(self) -> None:
        """Show the selected option (every other network at its best) on the map."""
        if self.result is None:
            return
        self.win.apply(lambda: self.win.session.preview_option(self.result, self.chosen()))

    def use(self) -> None:
        """Keep the previewed option as a named scenario."""
        if self.result is None:
            return
        s = self.win.session
        self.preview()
        label = self.objective.currentText().split(" (")[0]
        self.win.apply(lambda: s.keep_preview(as_name=f"Suggested: {label}, {self.p.value()} "
                                                     "per network"))
        self.message.setText(f"Added scenario {s.current!r}: it runs through maps, side by "
                             "side, tables and exports like any other.")
