"""The board report: one self-contained HTML page and a PDF of the same content.

:func:`write_board_report` is what the CLI (``access-app-cli report``) and the desktop app
call. The HTML is built without Qt (:mod:`access_app.report.html`, figures with
matplotlib's Agg backend in :mod:`access_app.report.figures`); the PDF is printed from
that file by QtWebEngine in a child process (:mod:`access_app.report.pdf`, where the
choice is explained). See ``docs/report.md``.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from ..core import atomic
from ..core.errors import ExportError
from ..core.progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from ..core.tables import EquityReport
from .html import OPTIONAL_SECTIONS, SECTIONS, ReportContext, board_report_html

log = logging.getLogger(__name__)

HTML_NAME = "board_report.html"
PDF_NAME = "board_report.pdf"


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_board_report(
    report_: EquityReport,
    dataset: object,
    *,
    out_dir: str | Path,
    scenario_path: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    metadata: dict[str, str] | None = None,
    command: str = "",
    map_scenario: str | None = None,
    validation_note: str = "",
    pdf: bool = True,
    sweep: object = None,
) -> list[Path]:
    """Write ``board_report.html`` and ``board_report.pdf`` to ``out_dir``.

    Parameters
    ----------
    report_
        The equity report to present.
    dataset
        The :class:`~access_app.core.pipeline.Dataset` it was computed from.
    out_dir
        Folder for the files (created if needed).
    scenario_path
        The scenario file, for its checksum in the reproducibility block.
    progress, cancelled
        Progress and cancellation hooks.
    metadata
        ``label -> text`` from :func:`access_app.core.pipeline.metadata`.
    command
        The command line that made it (shown in the reproducibility block).
    map_scenario
        Scenario to map against the baseline (default: the largest mean increase).
    validation_note
        What is known of the travel times' accuracy.
    pdf
        Also print the PDF.
    sweep
        A sensitivity sweep of these scenarios (``SweepRun``) to report on, or ``None``.

    Returns
    -------
    list of Path
        The files written (HTML first).

    Raises
    ------
    ExportError
        If a file cannot be written or the PDF cannot be printed (the HTML is then
        already complete).
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create the report folder {out}: {exc}. Choose another folder.") from exc
    sha = None
    if scenario_path is not None:
        try:
            sha = file_sha256(scenario_path)
        except OSError as exc:
            raise ExportError(f"Cannot read the scenario file {scenario_path}: {exc}.") from exc
    ctx = ReportContext(
        metadata=dict(metadata or {}),
        scenario_file=str(scenario_path) if scenario_path is not None else None,
        scenario_sha256=sha,
        command=command,
        map_scenario=map_scenario,
        validation_note=validation_note,
        sweep=sweep,
    )
    page = board_report_html(
        report_, dataset, context=ctx, progress=scaled(progress, 0.0, 0.7), cancelled=cancelled
    )
    check_cancelled(cancelled)
    html_path = atomic.atomic_write_text(out / HTML_NAME, page)
    files = [html_path]
    if pdf:
        from .pdf import html_to_pdf

        report(progress, 0.75, "Printing the report to PDF")
        files.append(html_to_pdf(html_path, out / PDF_NAME, cancelled=cancelled))
    report(progress, 1.0, f"Board report written to {out}")
    return files


__all__ = ["HTML_NAME", "OPTIONAL_SECTIONS", "PDF_NAME", "SECTIONS", "file_sha256",
           "write_board_report"]
