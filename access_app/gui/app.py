"""Entry point of the desktop application (``access-app``).

``access-app`` opens the window on the embedded England data. ``access-app --screenshot
PATH [--scenario NAME] [--compare NAME]`` renders the window once the maps have loaded,
saves it as PNG and exits (used for the README and in tests).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line of ``access-app``."""
    p = argparse.ArgumentParser(
        prog="access-app",
        description="Car travel time and equity of access to radiotherapy in England.")
    p.add_argument("--screenshot", type=Path, metavar="PATH",
                   help="save a PNG of the window once the maps have loaded, then exit")
    p.add_argument("--scenario", metavar="NAME", help="scenario to show on the main map")
    p.add_argument("--compare", metavar="NAME",
                   help="open the side-by-side view comparing --scenario with NAME")
    p.add_argument("--tab", choices=("map", "compare", "equity"),
                   help="tab to open (default: map, or compare with --compare)")
    p.add_argument("--size", default="1600x1000", metavar="WxH",
                   help="window size for --screenshot (default 1600x1000)")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="give up on --screenshot after this many seconds (default 600)")
    p.add_argument("--settings-dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    return p.parse_args(argv)


def prepare_environment(*, headless: bool) -> None:
    """Set Qt's platform and Chromium's flags where the defaults cannot work.

    ``headless`` (``--screenshot`` without a display) renders offscreen without a GPU.
    Chromium refuses its sandbox to the root user, so it is switched off for root.
    """
    on_linux = sys.platform.startswith("linux")
    no_display = on_linux and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and no_display:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    if on_linux and hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def make_application(argv: Sequence[str] | None = None) -> object:
    """Return the QApplication, creating it with what QtWebEngine needs."""
    from PySide6 import QtWebEngineWidgets  # noqa: F401 - must precede QApplication
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName("Access App")
    app.setOrganizationName("access-app")
    app.setApplicationDisplayName("Access App")
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desktop application; return the exit code."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s")
    t0 = time.perf_counter()
    prepare_environment(headless=args.screenshot is not None)
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))):
        # Nothing failed: a headless machine (a server, CI, the README's first command run
        # over ssh) simply has no screen. Say so and leave successfully; the headless
        # analysis is access-app-cli.
        print("access-app: no display found, so the window cannot open. Run it on a desktop "
              "session, render it to a file with --screenshot PATH, or use access-app-cli run.",
              file=sys.stderr)
        return 0
    app = make_application()
    from PySide6.QtCore import QTimer

    from .main_window import TAB_COMPARE, TAB_EQUITY, TAB_MAP, MainWindow

    shot = args.screenshot
    window = MainWindow(settings_dir=args.settings_dir, show_errors=shot is None,
                        remember=shot is None, confirm_close=shot is None)
    if shot is not None:
        w, _, h = args.size.partition("x")
        window.resize(int(w), int(h))
    window.show()
    status = {"code": 1}
    tab = args.tab or ("compare" if args.compare else "map")

    def choose() -> None:
        window.data_loaded.disconnect(choose)
        names = window.state.names()
        for wanted in (args.scenario, args.compare):
            if wanted and wanted not in names:
                print(f"access-app: no scenario {wanted!r}; choose one of: {', '.join(names)}",
                      file=sys.stderr)
                if shot is not None:
                    status["code"] = 2
                    window.close()
                    app.quit()
                return
        if args.scenario:
            window.set_current(args.scenario)
        if args.compare:
            window.set_compare(args.compare)
        if shot is not None and tab in ("compare", "equity"):  # wide views get the window
            window.data_dock.hide()
            window.scenario_dock.hide()
        window.tabs.setCurrentIndex({"map": TAB_MAP, "compare": TAB_COMPARE,
                                     "equity": TAB_EQUITY}[tab])

    if args.scenario or args.compare or args.tab or shot is not None:
        window.data_loaded.connect(choose)
    if shot is None:
        rc = int(app.exec())
        _delete(window)
        return rc

    def maps_drawn() -> bool:
        wanted = window.maps.wanted
        return bool(wanted) and all(window.maps.loaded.get(p) == k for p, k in wanted.items())

    def all_ready() -> bool:
        # The tables (and the headlines above the maps) arrive after the maps.
        return window.session.is_evaluated() and (tab == "equity" or maps_drawn())

    def save() -> None:
        shot.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(shot))
        print(f"access-app: saved {shot} ({time.perf_counter() - t0:.1f} s after start)"
              if ok else f"access-app: could not write {shot}", file=sys.stderr)
        status["code"] = 0 if ok else 1
        window.close()
        app.quit()

    def on_ready() -> None:
        if status.get("saving") or not all_ready():
            return
        status["saving"] = 1
        # Leaflet draws the canvas in the frames after the page reports it has loaded.
        QTimer.singleShot(1500, save)

    def on_failed(err: object) -> None:
        print(f"access-app: {getattr(err, 'exception', err)}", file=sys.stderr)

    window.maps_ready.connect(on_ready)
    window.analysis_updated.connect(on_ready)
    window.task_failed.connect(on_failed)
    QTimer.singleShot(int(args.timeout * 1000), lambda: (print(
        "access-app: timed out waiting for the maps", file=sys.stderr), app.exit(1)))
    rc = int(app.exec())
    _delete(window)
    return status["code"] if rc == 0 else rc


def _delete(window: object) -> None:
    """Destroy the window (and its web pages) before the web engine profile goes away."""
    import shiboken6

    if shiboken6.isValid(window):
        shiboken6.delete(window)


if __name__ == "__main__":
    raise SystemExit(main())
