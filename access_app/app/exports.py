"""The session's export verbs: tables, the board report, and the metadata they carry."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from access_app.core import pipeline
from access_app.core.errors import DataError
from access_app.core.progress import CancelFn, ProgressFn, scaled

from .events import Task, never, nothing, own_crs
from .parts import SessionLike


class ExportVerbs:
    """Write the results: every table, the board report, the metadata of a run.

    A part of :class:`~access_app.app.session.Session`; its methods use the session's
    data, scenarios and results.
    """

    def metadata(self: SessionLike) -> dict[str, str]:
        """Describe data, network, model and scenarios for the exports."""
        if self.dataset is None:
            raise DataError("Nothing is loaded yet.")
        source = getattr(self.model, "source", None)
        return pipeline.metadata(self.dataset, self.network, self.ordered_for_report(),
                                 params=getattr(self.model, "routing_params", None),
                                 speed_model=getattr(self.model, "speed_model", None),
                                 model_source=None if source in (None, "defaults") else source,
                                 network_label=self.network_label)

    def plan_export(self: SessionLike, folder: Path, *, extra: Sequence[Task] = ()) -> Task:
        """Return a task writing every table export to ``folder``, then the ``extra`` tasks.

        ``extra`` tasks (e.g. the map page) return a path each; they run after the tables.
        """
        if self.report is None or self.dataset is None:
            raise DataError("Nothing to export yet: wait for the results.")
        rep, areas, meta = self.report, self.dataset.areas, self.metadata()

        def task(progress: ProgressFn, cancelled: CancelFn) -> list[Path]:
            files = pipeline.write_exports(rep, folder, areas=own_crs(areas), metadata=meta,
                                           progress=scaled(progress, 0.0, 0.8),
                                           cancelled=cancelled)
            for i, more in enumerate(extra):
                lo = 0.8 + 0.2 * i / len(extra)
                files.append(more(scaled(progress, lo, lo + 0.2 / len(extra)) or nothing,
                                  cancelled))
            return files

        return task

    def plan_board_report(self: SessionLike, folder: Path, *, pdf: bool = True) -> Task:
        """Return a task writing the board report (self-contained HTML and its PDF) to ``folder``.

        The report presents the current results: scenarios and assumptions, key findings
        written from the numbers, reach curves, maps of the baseline, the current scenario
        and the change, equity, burden and capacity tables, methods, attribution and a
        reproducibility block (:func:`access_app.report.write_board_report`).
        """
        if self.report is None or self.dataset is None:
            raise DataError("Nothing to report yet: wait for the results.")
        from access_app.report import write_board_report

        rep, dataset, meta = self.report, self.dataset, self.metadata()
        scenario_file = self.scenario_file or None
        current = self.current or None
        sweep = self.sweep if self.sweep_is_current() else None

        def task(progress: ProgressFn, cancelled: CancelFn) -> list[Path]:
            return write_board_report(rep, dataset, out_dir=folder, scenario_path=scenario_file,
                                      metadata=meta, command="Access App (desktop)",
                                      map_scenario=current, pdf=pdf, sweep=sweep,
                                      progress=progress, cancelled=cancelled)

        return task

    def export(self: SessionLike, folder: str | Path, *, progress: ProgressFn | None = None) -> list[Path]:
        """Write every table export to ``folder`` at once; return the files."""
        return self.plan_export(Path(folder))(progress or nothing, never)
