"""Measure map building, HTML size and page load time for all 32,844 England LSOAs.

Run from the repository root::

    .venv/bin/python benchmarks/bench_map.py [--no-qt] [--out DIR]

Data: the real LSOA population-weighted centroids, IMD deciles and the 67 NHS radiotherapy
sites from ``../shared/geodata``. Travel times are a stand-in (straight-line distance to the
nearest site x 1.3 detour at 50 km/h), since only the map is measured here.
Load time: a ``QWebEngineView`` (offscreen) loads the cached in-app page; the time to
``loadFinished`` includes parsing the data and creating the 32,844 canvas markers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
GEODATA = REPO.parent / "shared" / "geodata"

from access_app import maps  # noqa: E402


def load_inputs() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    df = pd.read_csv(GEODATA / "population" / "england_lsoa11_combined.csv.gz")
    areas = gpd.GeoDataFrame(
        {
            "area_id": df["lsoa11cd"], "area_name": df["lsoa11nm"],
            "population": df["pop_mid2019"], "imd_decile": df["imd2019_decile"],
        },
        geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326",
    ).to_crs("EPSG:27700")
    s = pd.read_csv(GEODATA / "sites" / "england_radiotherapy_sites.csv")
    sites = gpd.GeoDataFrame(
        {
            "site_id": s["site_id"], "site_name": s["site_name"], "linacs": s["linacs"],
            "network": s["ons_region21"], "site_type": s["site_type"],
            "trust": s["trust_name"],
        },
        geometry=gpd.points_from_xy(s["lon"], s["lat"]), crs="EPSG:4326",
    ).to_crs("EPSG:27700")
    xy_a = np.column_stack([areas.geometry.x, areas.geometry.y])
    xy_s = np.column_stack([sites.geometry.x, sites.geometry.y])
    dist, idx = cKDTree(xy_s).query(xy_a)
    areas["site_name"] = sites["site_name"].to_numpy()[idx]
    areas["minutes"] = dist * 1.3 / 1000 / 50 * 60
    b = GEODATA / "boundaries"
    boundaries = {
        "england": gpd.read_file(b / "england_outline.geojson"),
        "regions": gpd.read_file(b / "regions21_england.geojson"),
        "icbs": gpd.read_file(b / "icb22.geojson"),
    }
    return areas, sites, boundaries


def _run_js(page, expr: str) -> object:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    box: list[object] = []
    page.runJavaScript(expr, 0, lambda r: (box.append(r), loop.quit()))
    QTimer.singleShot(10_000, loop.quit)
    loop.exec()
    return box[0] if box else None


def _load_once(path: Path) -> tuple[float, object]:
    from PySide6.QtCore import QEventLoop, QTimer, QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView()
    view.resize(1000, 800)
    view.show()
    loop = QEventLoop()
    ok_box: list[bool] = []
    view.loadFinished.connect(lambda ok: (ok_box.append(ok), loop.quit()))
    QTimer.singleShot(120_000, loop.quit)
    t0 = time.perf_counter()
    view.load(QUrl.fromLocalFile(str(path)))
    loop.exec()
    ms = (time.perf_counter() - t0) * 1000
    if not ok_box or not ok_box[0]:
        raise RuntimeError(f"page {path} did not load")
    info = _run_js(
        view.page(),
        "JSON.stringify({markerBuildMs: Math.round(window.accessBuildMs), "
        "syncApi: typeof window.accessSetView, zoom: window.accessMap.getZoom()})",
    )
    frames = [_frame_ms(view.page(), lat, lng, z) for lat, lng, z in _MOVES]
    info = f"{info}; view change to next painted frame (ms): {frames}"
    view.close()
    view.deleteLater()
    return ms, info


#: Views visited after loading: London zoom 10 (radius change), a pan, England again.
_MOVES = ((51.5, -0.12, 10), (53.48, -2.24, 10), (52.8, -1.6, 6.75))


def _frame_ms(page, lat: float, lng: float, zoom: float) -> float | None:
    """Time from a silent setView to the second animation frame after it (canvas redrawn)."""
    from PySide6.QtCore import QEventLoop, QTimer

    _run_js(
        page,
        "window.__benchMs = null; var __t0 = performance.now();"
        f"accessSetView({lat}, {lng}, {zoom});"
        "requestAnimationFrame(function () { requestAnimationFrame(function () {"
        "  window.__benchMs = performance.now() - __t0; }); }); 1",
    )
    for _ in range(100):
        got = _run_js(page, "window.__benchMs")
        if isinstance(got, (int, float)):
            return round(float(got))
        loop = QEventLoop()
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    return None


def qt_load_ms(path: Path, *, runs: int = 3) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication([])
    out = []
    for _ in range(runs):
        ms, info = _load_once(path)
        print(f"  loadFinished after {ms:7.0f} ms; page: {info}")
        out.append(ms)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-qt", action="store_true", help="skip the QWebEngineView load")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_map_"))
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    areas, sites, boundaries = load_inputs()
    print(f"inputs: {len(areas)} areas, {len(sites)} sites ({time.perf_counter() - t0:.1f} s)")
    attribution = "Contains public sector information licensed under the OGL v3.0."

    for name, build in (
        ("travel_time_map", lambda: maps.travel_time_map(
            areas, sites, boundaries=boundaries, attribution=attribution)),
        ("change_map", lambda: maps.change_map(
            areas.assign(change=areas["minutes"] * 0.2 - 5), sites, boundaries=boundaries,
            attribution=attribution)),
    ):
        t = time.perf_counter()
        m = build()
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        cached = maps.save_map(m, out / f"{name}.html", standalone=False)
        t_file = time.perf_counter() - t
        t = time.perf_counter()
        export = maps.save_map(m, out / f"{name}_standalone.html", standalone=True)
        t_export = time.perf_counter() - t
        print(
            f"{name}: build {t_build:.2f} s, write in-app {t_file:.2f} s "
            f"({cached.stat().st_size / 1e6:.2f} MB), write standalone {t_export:.2f} s "
            f"({export.stat().st_size / 1e6:.2f} MB)"
        )
    if not args.no_qt:
        print("QWebEngineView (offscreen) load of travel_time_map.html:")
        ms = qt_load_ms(out / "travel_time_map.html")
        print(f"  median {np.median(ms):.0f} ms over {len(ms)} runs")
    print(f"files in {out}")


if __name__ == "__main__":
    main()
