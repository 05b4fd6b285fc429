"""Print a self-contained HTML file to PDF with QtWebEngine, in a child process.

Why QtWebEngine: PySide6 with QtWebEngine is already a dependency (the map panes), so
the PDF needs nothing new; it is Chromium's own print engine, so the PDF matches what a
browser shows (CSS ``@page`` size and margins, page breaks, tables and images); and it
runs offscreen (``QT_QPA_PLATFORM=offscreen``, Chromium with ``--no-sandbox
--disable-gpu``). WeasyPrint would add Pango/Cairo system libraries and render CSS
differently from the HTML the reader sees.

Why a child process: a ``QWebEnginePage`` must live on the thread of a
``QApplication``. The CLI has none and the desktop app would call this from a worker
thread, so :func:`html_to_pdf` starts ``python -m access_app.report.pdf_child IN OUT``,
which makes its own offscreen application, loads the file, prints it and exits. A failure or a
hang there cannot take the caller down (a timeout stops it).

Qt is imported only by :mod:`access_app.report.pdf_child`, which nothing imports (it runs
as ``-m``), so this module and :mod:`access_app.report` carry no Qt import: the Qt-free
session (:mod:`access_app.app`) may call :func:`access_app.report.write_board_report`
without breaking the import contracts.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ..core.errors import Cancelled, ExportError

log = logging.getLogger(__name__)

TIMEOUT_S = 120.0


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    for flag in ("--no-sandbox", "--disable-gpu"):
        if flag not in flags:
            flags = f"{flags} {flag}".strip()
    env["QTWEBENGINE_CHROMIUM_FLAGS"] = flags
    env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    return env


def html_to_pdf(
    html_path: str | Path,
    pdf_path: str | Path,
    *,
    timeout_s: float = TIMEOUT_S,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4 portrait) with QtWebEngine in a child process.

    Raises
    ------
    ExportError
        If the child fails, times out or writes no PDF.
    Cancelled
        If ``cancelled()`` turns true while printing.
    """
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    cmd = [sys.executable, "-m", "access_app.report.pdf_child", str(html_path), str(pdf_path)]
    proc = subprocess.Popen(cmd, env=_child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    start = time.monotonic()
    try:
        while proc.poll() is None:
            if cancelled is not None and cancelled():
                proc.kill()
                raise Cancelled("PDF printing was cancelled")
            if time.monotonic() - start > timeout_s:
                proc.kill()
                raise ExportError(
                    f"Printing {html_path.name} to PDF took over {timeout_s:.0f} s and was stopped; "
                    "the HTML report is complete, print it from a browser instead."
                )
            time.sleep(0.1)
    finally:
        if proc.poll() is None:
            proc.kill()
    _, err = proc.communicate()
    if proc.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = " ".join((err or "").strip().splitlines()[-3:])
        raise ExportError(
            f"Could not print {html_path.name} to PDF with QtWebEngine (exit {proc.returncode}: "
            f"{tail or 'no message'}). The HTML report is complete; print it from a browser."
        )
    return pdf_path
