"""Run sensitivity sweeps from the window, to see whether the conclusions hold.

The planner picks a sweep file (TOML, ``docs/sweeps.md``) or writes the example one, and
where the draws run: a local Dask cluster of N worker processes, an existing Dask
scheduler, or this process. The session's sweep task runs on a worker with progress and
Cancel in the status bar. The dialog then shows the median and 5-95% interval of every
headline measure per scenario and per difference from the baseline, the share of draws in
which each conclusion holds, how many draws failed, and the tornado chart; "Save
results…" writes every table, the workbook and the charts to a folder. The window shows
the intervals on the headline numbers and as bands on the reach curves.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
)

from access_app.core.errors import AccessAppError, Cancelled
from access_app.core.progress import CancelFn, ProgressFn, report

from .charts import ChartCanvas
from .models import DataFrameModel

if TYPE_CHECKING:
    from .main_window import MainWindow

EXAMPLE_NAME = "example_sweep.toml"


def example_text() -> str:
    """Return the example sweep definition shipped in ``resources/sweeps``."""
    from access_app.resources import resource_text

    return resource_text("sweeps", EXAMPLE_NAME)


def write_example(folder: Path) -> Path:
    """Write the example sweep file into ``folder`` under a name not yet taken; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EXAMPLE_NAME
    n = 2
    while path.exists():
        path = folder / f"example_sweep-{n}.toml"
        n += 1
    path.write_text(example_text(), encoding="utf-8")
    return path


def format_value(measure: str, value: float) -> str:
    """Return ``value`` of ``measure`` as shown in the tables ("" when missing)."""
    if value is None or not math.isfinite(float(value)):
        return ""
    if measure.endswith("_share"):
        return f"{value:.1%}"
    if measure.endswith("_demand"):
        return f"{value:,.0f}"
    if measure in ("gini", "concentration_index"):
        return f"{value:.3f}"
    return f"{value:.1f}"


def summary_frame(summary: pd.DataFrame) -> pd.DataFrame:
    """Return the interval table as shown: scenario, measure, median, 5%, 95%, draws."""
    from access_app.core.sweep.tasks import MEASURE_LABELS

    rows = []
    for r in summary.itertuples(index=False):
        m = str(r.measure)
        rows.append({"Scenario": str(r.scenario), "Measure": MEASURE_LABELS.get(m, m),
                     "Median": format_value(m, r.median), "5%": format_value(m, r.p5),
                     "95%": format_value(m, r.p95), "Draws": int(r.n)})
    return pd.DataFrame(rows, columns=["Scenario", "Measure", "Median", "5%", "95%", "Draws"])


def conclusions_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Return the conclusion shares as shown: conclusion, holds in (k of n), share."""
    rows = [{"Conclusion": str(r.conclusion), "Holds in": f"{int(r.holds)} of {int(r.draws)} draws",
             "Share": "" if not r.draws else f"{float(r.share):.0%}"} for r in table.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["Conclusion", "Holds in", "Share"])


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float | int | np.floating) else str(value)


class SweepDialog(QDialog):
    """Run a sensitivity sweep of the loaded scenarios and show what holds."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.run_result: Any = None
        self.saved: list[Path] = []
        self.setWindowTitle("Sensitivity sweep")
        self.setObjectName("sweepDialog")
        self.resize(1000, 720)

        self.spec_path = QLineEdit()
        self.spec_path.setObjectName("sweepSpec")
        self.spec_path.setPlaceholderText("A sweep file (.toml): choose one or write the example")
        self.spec_path.setToolTip("Parameters with ranges, scenarios, draws, seed and conclusions "
                                  "(docs/sweeps.md)")
        browse = QPushButton("&Choose…")
        browse.clicked.connect(self.choose_spec)
        self.example_button = QPushButton("Write &example")
        self.example_button.setObjectName("sweepExample")
        self.example_button.setToolTip("Write an example sweep file for the default scenarios next "
                                       "to your scenario file (or in your home folder), to edit")
        self.example_button.clicked.connect(lambda: self.write_example())

        self.local = QRadioButton("Local Dask cluster, worker processes:")
        self.local.setChecked(True)
        self.workers = QSpinBox()
        self.workers.setRange(1, 256)
        self.workers.setValue(2)
        self.workers.setToolTip("Worker processes of the local cluster, one thread each")
        self.remote = QRadioButton("Existing Dask scheduler:")
        self.scheduler = QLineEdit()
        self.scheduler.setObjectName("sweepScheduler")
        self.scheduler.setPlaceholderText("tcp://10.0.0.5:8786")
        self.scheduler.setToolTip("Address of a running Dask scheduler whose workers have "
                                  "access-app installed (the same version)")
        self.sync = QRadioButton("One process (no Dask)")
        self.executor_group = QButtonGroup(self)
        for b in (self.local, self.remote, self.sync):
            self.executor_group.addButton(b)
            b.toggled.connect(self._enable_fields)
        self._enable_fields()

        grid = QGridLayout()
        grid.addWidget(QLabel("Sweep file"), 0, 0)
        grid.addWidget(self.spec_path, 0, 1)
        grid.addWidget(browse, 0, 2)
        grid.addWidget(self.example_button, 0, 3)
        grid.addWidget(self.local, 1, 0, 1, 1)
        grid.addWidget(self.workers, 1, 1, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.remote, 2, 0)
        grid.addWidget(self.scheduler, 2, 1)
        grid.addWidget(self.sync, 3, 0, 1, 2)

        self.run_button = QPushButton("&Run sweep")
        self.run_button.setObjectName("sweepRun")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.save_button = QPushButton("&Save results…")
        self.save_button.setObjectName("sweepSave")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(lambda: self.save())
        self.message = QLabel()
        self.message.setObjectName("sweepMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.failures = QLabel()
        self.failures.setObjectName("sweepFailures")
        self.failures.setTextFormat(Qt.TextFormat.PlainText)

        self.summary_model = DataFrameModel(parent=self)
        self.summary = self._table(self.summary_model, "sweepSummary",
                                   "Median and 5-95% of the draws per scenario and measure, and of each "
                                   "scenario minus the baseline (computed draw by draw)")
        self.conclusions_model = DataFrameModel(parent=self)
        self.conclusions = self._table(self.conclusions_model, "sweepConclusions",
                                       "Share of the completed draws in which each conclusion holds")
        self.tornado = ChartCanvas(self)
        self.tornado.setToolTip("Which assumption moves the chosen measure most")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.conclusions, "Conclusions")
        self.tabs.addTab(self.summary, "Intervals")
        self.tabs.addTab(self.tornado, "Tornado")

        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.failures, 1)
        buttons.addWidget(self.save_button)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addLayout(buttons)
        lay.addWidget(self.message)
        lay.addWidget(self.tabs, 1)

    @staticmethod
    def _table(model: DataFrameModel, name: str, tip: str) -> QTableView:
        view = QTableView()
        view.setObjectName(name)
        view.setModel(model)
        view.verticalHeader().setVisible(False)
        view.setToolTip(tip)
        return view

    def _enable_fields(self) -> None:
        self.workers.setEnabled(self.local.isChecked())
        self.scheduler.setEnabled(self.remote.isChecked())

    # ---------------------------------------------------------------- spec

    def example_folder(self) -> Path:
        """Return where the example is written: beside the scenario file, else the home folder."""
        scenario_file = self.win.session.scenario_file
        return Path(scenario_file).parent if scenario_file else Path.home()

    def write_example(self, folder: Path | None = None) -> Path | None:
        """Write the example sweep file and choose it; return its path (``None`` on failure)."""
        try:
            path = write_example(folder or self.example_folder())
        except OSError as exc:
            self.message.setText(f"Could not write the example sweep file: {exc}")
            return None
        self.spec_path.setText(str(path))
        self.message.setText(f"Wrote {path}. Edit its ranges (each needs a source you can cite), "
                             "then Run sweep.")
        return path

    def choose_spec(self) -> None:
        """Ask for a sweep file."""
        start = self.spec_path.text() or str(self.example_folder())
        path, _ = QFileDialog.getOpenFileName(self, "Choose a sweep file", start, "Sweep files (*.toml)")
        if path:
            self.spec_path.setText(path)

    def executor_options(self) -> dict[str, Any]:
        """Return ``executor``, ``scheduler`` and ``workers`` for the session's sweep task."""
        if self.sync.isChecked():
            return {"executor": "sync", "scheduler": None, "workers": None}
        if self.remote.isChecked():
            return {"executor": "dask", "scheduler": self.scheduler.text().strip() or None, "workers": None}
        return {"executor": "dask", "scheduler": None, "workers": self.workers.value()}

    # ----------------------------------------------------------------- run

    def run(self) -> None:
        """Start the sweep on a worker (progress and Cancel in the status bar)."""
        path = self.spec_path.text().strip()
        options = self.executor_options()
        if not path:
            self.message.setText("Choose a sweep file first, or write the example.")
            return
        if self.remote.isChecked() and not options["scheduler"]:
            self.message.setText("Enter the address of the Dask scheduler (e.g. tcp://10.0.0.5:8786).")
            return
        try:
            task = self.win.session.plan_sweep(path, **options)
        except AccessAppError as exc:
            self.message.setText(str(exc))
            return
        where = ("this process" if options["executor"] == "sync" else options["scheduler"]
                 or f"a local Dask cluster of {options['workers']} workers")
        self.message.setText(f"Running on {where}… (Esc or Cancel in the status bar stops it)")
        self.run_button.setEnabled(False)

        def failed(err: Any) -> None:
            self.run_button.setEnabled(True)
            exc = getattr(err, "exception", err)
            self.message.setText("Sweep cancelled." if isinstance(exc, Cancelled) else str(exc))
            if not isinstance(exc, AccessAppError):
                self.win.report_error(err)

        def done(run: Any) -> None:
            self.win.session.commit_sweep(run)
            self.show_result(run)

        self.win.run_task("sweep", task, label="Sensitivity sweep", on_finished=done, on_error=failed)

    def show_result(self, run: Any) -> None:
        """Show the intervals, conclusion shares, failures and the tornado chart of ``run``."""
        from access_app.core.sweep import results

        self.run_button.setEnabled(True)
        self.run_result = run
        self.summary_model.set_frame(summary_frame(results.summary_table(run)))
        self.conclusions_model.set_frame(conclusions_frame(results.conclusion_table(run)))
        for view in (self.summary, self.conclusions):
            view.resizeColumnsToContents()
        n, failed = len(run.parameters), len(run.failures)
        self.failures.setText(f"{failed} of {n} draws failed" if failed else f"All {n} draws completed")
        self.failures.setToolTip("\n".join(f"draw {r.draw}: {r.error} ({r.parameters})"
                                           for r in run.failures.head(20).itertuples(index=False)))
        mode = "one at a time" if run.spec.mode == "one_at_a_time" else "Monte Carlo"
        self.message.setText(f"{n} draws ({mode}, seed {run.spec.seed}) on {run.where} in "
                             f"{run.seconds:.1f} s. The headline numbers and the reach chart now show "
                             "the 5-95% intervals.")
        self.plot_tornado(results.tornado_table(run))
        self.save_button.setEnabled(True)

    def plot_tornado(self, table: pd.DataFrame, *, top: int = 12) -> None:
        """Draw the tornado chart: the measure at each parameter's low and high against the base."""
        from access_app.core.sweep.tasks import MEASURE_LABELS

        fig = self.tornado.figure
        fig.clear()
        ax = fig.add_subplot(111)
        self.tornado.ax = ax
        t = table.dropna(subset=["swing"]).head(top).iloc[::-1]
        base = float(table["base"].iloc[0]) if len(table) else 0.0
        ypos = np.arange(len(t))
        ax.barh(ypos, t["measure_low"] - base, left=base, color="#4c78a8", label="parameter low")
        ax.barh(ypos, t["measure_high"] - base, left=base, color="#f58518", label="parameter high")
        ax.axvline(base, color="black", lw=0.8)
        pairs = zip(t["parameter"], t["value_low"], t["value_high"], strict=True)
        ax.set_yticks(ypos, [f"{p} ({_short(lo)} / {_short(hi)})" for p, lo, hi in pairs], fontsize=8)
        measure = str(table.attrs.get("measure", ""))
        what = MEASURE_LABELS.get(measure, measure)
        scenario = table.attrs.get("scenario", "")
        ax.set_xlabel(f"{scenario} minus {table.attrs.get('baseline', '')}: {what}"
                      if table.attrs.get("difference") else f"{scenario}: {what}")
        ax.set_title("Which assumption moves the result most")
        if len(t):
            ax.legend(loc="lower right", fontsize=8)
        self.tornado.draw_idle()

    # ---------------------------------------------------------------- save

    def save(self, folder: str | Path | None = None) -> None:
        """Write every table, the workbook and the charts of the sweep to ``folder`` (asked if None)."""
        if self.run_result is None:
            return
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Save the sweep results in",
                                                      str(self.example_folder()))
            if not folder:
                return
        run, out = self.run_result, Path(folder)

        def task(progress: ProgressFn, cancelled: CancelFn) -> list[Path]:
            from access_app.core.sweep import results

            report(progress, 0.0, f"Writing the sweep results to {out}")
            files = results.write_outputs(run, out)
            report(progress, 1.0, f"Wrote {len(files)} sweep files to {out}")
            return files

        def done(files: list[Path]) -> None:
            self.saved = files
            self.message.setText(f"Wrote {len(files)} files to {out}: " + ", ".join(f.name for f in files))

        self.win.run_task("sweep-save", task, label="Saving the sweep results", on_finished=done)


__all__ = ["SweepDialog", "conclusions_frame", "format_value", "summary_frame", "write_example"]
