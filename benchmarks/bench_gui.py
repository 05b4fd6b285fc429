"""Time the desktop app as a planner uses it, in a real window (run under Xvfb).

Measures, at 1920x1080 with the Data and Scenarios panels open:

- start-up: process start to the first map drawn (imports, data, network and matrix from
  the warm cache, scenarios, first map page loaded);
- a scenario switch: choosing another scenario until its map is drawn;
- switching a site off: until the tables are updated, and until the map is drawn;
- opening side by side: until the three panes are drawn, and the panes' widths.

Run::

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python benchmarks/bench_gui.py

The first run in a fresh cache builds the network and matrix; the figures printed are for
the warm cache (the script runs the start-up once to warm it unless ``--cold``), with one
settings folder shared by the runs, as for a planner who opens the app again.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T_PROCESS = time.perf_counter()

TARGETS = {"first_map_s": 2.5, "switch_s": 0.5, "site_off_tables_s": 1.0, "site_off_map_s": 1.0}


def _measure(settings_dir: Path, *, seed: bool = False) -> dict[str, float]:
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    from access_app.gui.app import make_application, prepare_environment

    prepare_environment(headless=False)
    app = make_application()
    from PySide6.QtCore import QEventLoop, QTimer

    from access_app.gui.main_window import TAB_COMPARE, MainWindow

    def wait(signal: object, timeout_s: float = 120.0) -> float:
        t0 = time.perf_counter()
        loop = QEventLoop()
        signal.connect(loop.quit)  # type: ignore[attr-defined]
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)  # type: ignore[attr-defined]
        return time.perf_counter() - t0

    out: dict[str, float] = {}
    t_import = time.perf_counter() - T_PROCESS
    win = MainWindow(settings_dir=settings_dir, confirm_close=False, show_errors=False)
    win.resize(1920, 1050)
    win.show()
    wait(win.maps_ready)
    out["import_s"] = t_import
    out["first_map_s"] = time.perf_counter() - T_PROCESS
    if seed:
        wait(win.analysis_updated, 30.0) if not win.session.is_evaluated() else None
        win.close()
        app.processEvents()
        return out
    s = win.session
    other = "Networked" if s.current != "Networked" else "Status quo"
    t0 = time.perf_counter()
    win.set_current(other)
    wait(win.maps_ready)
    out["switch_s"] = time.perf_counter() - t0
    site = s.scenario(s.current).open_sites[0]
    t0 = time.perf_counter()
    seen: dict[str, float] = {}
    loop = QEventLoop()

    def mark(what: str) -> None:
        seen.setdefault(what, time.perf_counter() - t0)
        if len(seen) == 2:
            loop.quit()

    win.maps_ready.connect(lambda: mark("map"))
    win.analysis_updated.connect(lambda: mark("tables"))
    QTimer.singleShot(120_000, loop.quit)
    win.apply(lambda: s.set_site_open(site, False))
    loop.exec()
    out["site_off_map_s"] = seen.get("map", float("nan"))
    out["site_off_tables_s"] = seen.get("tables", float("nan"))
    t0 = time.perf_counter()
    win.tabs.setCurrentIndex(TAB_COMPARE)
    wait(win.maps_ready)
    out["side_by_side_s"] = time.perf_counter() - t0
    out["pane_width_px"] = float(min(p.width() for p in win.compare.panes()))
    out["window_width_px"] = float(win.width())
    out["headline_lines"] = float(max(
        p.headline.heightForWidth(p.headline.width()) // max(1, p.headline.fontMetrics().lineSpacing())
        for p in win.compare.panes()))
    win.close()
    app.processEvents()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--settings", default="", help=argparse.SUPPRESS)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--returning", action="store_true",
                        help="start with the settings of a planner who opened the app before "
                             "and closed it on the first map (the window then reopens that map's "
                             "cached page while the data loads)")
    parser.add_argument("--cold", action="store_true", help="do not warm the cache first")
    parser.add_argument("--runs", type=int, default=3, help="measured runs (default 3)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(Path(args.settings), seed=args.seed)))
        return 0
    if not os.environ.get("DISPLAY"):
        print("bench_gui: no DISPLAY; run under xvfb-run -s '-screen 0 1920x1080x24'",
              file=sys.stderr)
        return 2
    runs = []
    seeded = tempfile.mkdtemp(prefix="bench-gui-seed-")
    if args.returning:  # a first session that opens the app and closes it on the first map
        subprocess.run([sys.executable, __file__, "--child", "--seed", "--settings", seeded],
                       capture_output=True, text=True, timeout=600, check=True)
    for i in range(args.runs + (0 if args.cold else 1)):
        settings = tempfile.mkdtemp(prefix="bench-gui-settings-")
        if args.returning:
            shutil.copytree(seeded, settings, dirs_exist_ok=True)
        proc = subprocess.run([sys.executable, __file__, "--child", "--settings", settings],
                              capture_output=True, text=True, timeout=600)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode or not lines:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        if i == 0 and not args.cold:
            continue  # the warm-up run fills the cache
        runs.append(json.loads(lines[-1]))
    print(f"{'measure':<22}{'median':>10}{'min':>10}{'max':>10}{'target':>10}")
    for key in runs[0]:
        vals = sorted(r[key] for r in runs)
        med = vals[len(vals) // 2]
        target = TARGETS.get(key)
        flag = "" if target is None else ("  ok" if med <= target else "  over")
        print(f"{key:<22}{med:>10.2f}{vals[0]:>10.2f}{vals[-1]:>10.2f}"
              f"{'' if target is None else f'{target:>10.2f}'}{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
