"""The child process of :func:`access_app.report.pdf.html_to_pdf`: print one HTML file to PDF.

Run as ``python -m access_app.report.pdf_child IN.html OUT.pdf``; it makes an offscreen
``QApplication``, loads the file in a ``QWebEnginePage``, prints it (A4 portrait, the
page's own CSS margins) and exits 0 when the PDF is written. Nothing imports this module,
so Qt stays out of the import graph of the core and the session.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _main(argv: list[str]) -> int:
    """Load ``argv[0]`` (HTML file), print it to ``argv[1]`` and exit; the child's entry."""
    from PySide6.QtCore import QMarginsF, QTimer, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWidgets import QApplication

    src, dst = Path(argv[0]), Path(argv[1])
    app = QApplication.instance() or QApplication(["access-app-pdf"])
    page = QWebEnginePage()
    status = {"code": 1}
    tmp = dst.with_name(dst.name + f".{os.getpid()}.tmp")

    def finished(path: str, ok: bool) -> None:
        if ok and tmp.is_file():
            os.chmod(tmp, 0o644)  # Chromium writes 0600; the report is meant to be shared
            os.replace(tmp, dst)
            status["code"] = 0
        app.quit()

    def loaded(ok: bool) -> None:
        if not ok:
            print(f"could not load {src}", file=sys.stderr)
            app.quit()
            return
        layout = QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
        # let images decode and layout settle before printing
        QTimer.singleShot(300, lambda: page.printToPdf(str(tmp), layout))

    page.pdfPrintingFinished.connect(finished)
    page.loadFinished.connect(loaded)
    page.load(QUrl.fromLocalFile(str(src)))
    app.exec()
    return status["code"]


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
