"""Make the map screenshots of ``docs/screenshots/`` from the app's own maps and data.

Builds the maps with :mod:`access_app.maps` on the embedded England data, the embedded
road network and its real travel-time matrix (cached), loads each page in an offscreen
``QWebEngineView`` at 1920x1080, sets the view and saves a PNG. Run from the repository
root (``QT_QPA_PLATFORM=offscreen`` is set here)::

    python tools/map_screenshots.py [--out docs/screenshots]

- ``map_zoomed.png``: Status quo travel time, zoomed on Cornwall and Devon (area shapes,
  roads, site and place labels);
- ``change_legend.png``: the change when the Royal Cornwall Hospital (Truro) closes,
  at the initial view, legend open beside England;
- ``drive_time.png``: drive-time bands around the Northern Centre for Cancer Care, North
  Cumbria (Carlisle), with band outlines.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

from access_app import maps  # noqa: E402
from access_app.core import pipeline, scenarios  # noqa: E402

TRURO = "truro-royal-cornwall"


def _wait(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(page: Path, png: Path, *, js: str = "", size: tuple[int, int] = (1920, 1080)) -> None:
    """Load ``page``, run ``js`` and save the view as ``png``."""
    from PySide6.QtCore import QEventLoop, QTimer, QUrl
    from PySide6.QtWebEngineCore import QWebEngineSettings
    from PySide6.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView()
    view.settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
    view.resize(*size)
    view.show()
    loop = QEventLoop()
    view.loadFinished.connect(lambda ok: loop.quit())
    QTimer.singleShot(120_000, loop.quit)
    view.load(QUrl.fromLocalFile(str(page)))
    loop.exec()
    if js:
        done = QEventLoop()
        view.page().runJavaScript(js, 0, lambda _r: done.quit())
        QTimer.singleShot(20_000, done.quit)
        done.exec()
    _wait(1500)
    view.grab().save(str(png))
    view.close()
    view.deleteLater()
    print(f"wrote {png}")


def main(argv: list[str] | None = None) -> int:
    """Build the maps and write the screenshots; return the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = ap.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 - keeps Qt alive
    t0 = time.perf_counter()
    ds = pipeline.load_default_dataset()
    graph = pipeline.load_default_network()
    matrix = pipeline.compute_matrix(ds, graph)
    ctx = maps.default_context()
    base_sc = scenarios.default_scenarios(ds.sites)[0]
    closed = dataclasses.replace(
        base_sc, name="Truro closed",
        open_sites=tuple(s for s in base_sc.open_sites if s != TRURO))
    base = scenarios.assign(ds.areas, ds.sites, matrix, base_sc)
    res = scenarios.assign(ds.areas, ds.sites, matrix, closed)
    print(f"data, network, matrix and scenarios in {time.perf_counter() - t0:.1f} s")
    tmp = Path(tempfile.mkdtemp(prefix="map_shots_"))
    common = {"attribution": ds.attribution, "boundaries": ds.boundaries, "context": ctx}

    frame = maps.scenario_areas(ds.areas, ds.sites, base)
    opened, hubs = maps.site_roles(base_sc)
    m = maps.travel_time_map(frame, ds.sites, open_sites=opened, hubs=hubs,
                             title="Status quo: car travel time", **common)
    page = maps.save_map(m, tmp / "travel.html", standalone=False)
    shoot(page, args.out / "map_zoomed.png", js="accessSetView(50.42, -4.55, 9.75); 1")

    change = maps.change_areas(ds.areas, ds.sites, res, base)
    opened, hubs = maps.site_roles(closed)
    m = maps.change_map(change, ds.sites, open_sites=opened, hubs=hubs,
                        title="Truro closed: change against Status quo", **common)
    page = maps.save_map(m, tmp / "change.html", standalone=False)
    shoot(page, args.out / "change_legend.png")

    site = "carlisle-nccc-north-cumbria"
    m = maps.drive_time_map(ds.areas, matrix.column(site), site, sites=ds.sites, **common)
    page = maps.save_map(m, tmp / "drive.html", standalone=False)
    shoot(page, args.out / "drive_time.png", js="accessSetView(54.6, -2.85, 9); 1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
