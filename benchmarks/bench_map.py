"""Measure map building, HTML size, page load, drawing and restyling for 32,844 LSOAs.

Run from the repository root::

    .venv/bin/python benchmarks/bench_map.py [--no-qt] [--out DIR]

(``ACCESS_APP_SHARED_GEODATA`` points to the shared open data if it is not ``../shared``.)

Data: the real LSOA population-weighted centroids, IMD deciles and the 67 NHS radiotherapy
sites from ``../shared/geodata``; the approximate area shapes, roads and places of the
embedded data (``maps.default_context()``). Travel times are a stand-in (straight-line
distance to the nearest site x 1.3 detour at 50 km/h), since only the map is measured.

Pages compared, all measured in this process: ``points`` (areas as dots, no context: the
baseline) and ``shapes`` (approximate polygons, roads, place labels, context layers).
Load time: a ``QWebEngineView`` (offscreen) loads the cached in-app page; the time to
``loadFinished`` includes parsing the data and creating the canvas layers; "drawn" adds the
wait for the second animation frame after it (first paint of the canvas). Restyle: the
Python payload (:func:`maps.restyle_payload`) plus ``accessRestyle`` in the loaded page,
against rebuilding the map and reloading the page.
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
GEODATA = Path(os.environ.get("ACCESS_APP_SHARED_GEODATA", REPO.parent / "shared" / "geodata"))

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


def _load_once(path: Path, *, keep: bool = False) -> tuple[float, object]:
    from PySide6.QtCore import QEventLoop, QTimer, QUrl
    from PySide6.QtWebEngineCore import QWebEngineSettings
    from PySide6.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView()
    view.settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
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
    drawn = _frame_ms(view.page(), None, None, None)
    info = _run_js(
        view.page(),
        "JSON.stringify({layerBuildMs: Math.round(window.accessBuildMs), "
        "syncApi: typeof window.accessSetView, zoom: window.accessMap.getZoom()})",
    )
    frames = [_frame_ms(view.page(), lat, lng, z) for lat, lng, z in _MOVES]
    info = (f"{info}; first paint {drawn} ms after loadFinished; view change to next "
            f"painted frame (ms): {frames}")
    if keep:
        return ms, view
    view.close()
    view.deleteLater()
    return ms, info


#: Views visited after loading: London zoom 10 (radius change), a pan, England again.
_MOVES = ((51.5, -0.12, 10), (53.48, -2.24, 10), (52.8, -1.6, 6.75))


def _frame_ms(page, lat: float | None, lng: float | None, zoom: float | None) -> float | None:
    """Time from a silent setView (or now) to the second animation frame after it."""
    from PySide6.QtCore import QEventLoop, QTimer

    move = f"accessSetView({lat}, {lng}, {zoom});" if lat is not None else ""
    _run_js(
        page,
        "window.__benchMs = null; var __t0 = performance.now();"
        f"{move}"
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


def restyle_vs_rebuild(path: Path, areas: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                       rebuild) -> None:
    """Print the time of a restyle in the loaded page against a rebuild and reload."""
    import json

    ms_load, view = _load_once(path, keep=True)
    times = []
    for k in range(3):
        t = time.perf_counter()
        frame = areas.assign(minutes=areas["minutes"] * (1.2 + 0.3 * k))
        payload = maps.restyle_payload(frame, sites, kind="travel", title=f"run {k}",
                                       approximate=True)
        text = json.dumps(payload, allow_nan=False)
        t_py = time.perf_counter() - t
        js_ms = _run_js(view.page(), f"accessRestyle({text})")
        total = time.perf_counter() - t
        times.append(total)
        print(f"  restyle {k}: payload {t_py * 1000:.0f} ms ({len(text) / 1e6:.2f} MB), "
              f"in page {js_ms:.0f} ms, round trip {total * 1000:.0f} ms")
    view.close()
    view.deleteLater()
    t = time.perf_counter()
    rebuilt = rebuild()
    t_build = time.perf_counter() - t
    ms, _ = _load_once(rebuilt)
    total = t_build + ms / 1000
    print(f"  rebuild: build + write {t_build:.2f} s, load {ms / 1000:.2f} s, total "
          f"{total:.2f} s; restyle median {np.median(times):.2f} s = "
          f"{np.median(times) / total:.3f} of a rebuild")


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
    t = time.perf_counter()
    ctx = maps.default_context()
    print(f"default context (read shapes, roads, places): {time.perf_counter() - t:.2f} s")

    def travel(context, name):
        m = maps.travel_time_map(areas, sites, boundaries=boundaries, attribution=attribution,
                                 context=context)
        return maps.save_map(m, out / f"{name}.html", standalone=False), m

    sizes: dict[str, float] = {}
    for name, context in (("points", None), ("shapes", ctx), ("shapes_again", ctx)):
        t = time.perf_counter()
        cached, m = travel(context, name)
        t_all = time.perf_counter() - t
        export = maps.save_map(m, out / f"{name}_standalone.html", standalone=True)
        sizes[name] = cached.stat().st_size / 1e6
        print(f"travel_time_map [{name}]: build + write {t_all:.2f} s, in-app page "
              f"{sizes[name]:.2f} MB, standalone {export.stat().st_size / 1e6:.2f} MB")
    print(f"  shapes page / points page size: {sizes['shapes'] / sizes['points']:.2f}")
    t = time.perf_counter()
    site = str(sites["site_id"].iloc[0])
    xy_a = np.column_stack([areas.geometry.x, areas.geometry.y])
    s0 = sites.geometry.iloc[0]
    minutes = np.hypot(xy_a[:, 0] - s0.x, xy_a[:, 1] - s0.y) * 1.3 / 1000 / 50 * 60
    m = maps.drive_time_map(areas, minutes, site, sites=sites, boundaries=boundaries,
                            attribution=attribution, context=ctx)
    maps.save_map(m, out / "drive_time.html", standalone=False)
    print(f"drive_time_map (with band outlines): build + write {time.perf_counter() - t:.2f} s")
    if not args.no_qt:
        for name in ("points", "shapes"):
            print(f"QWebEngineView (offscreen) load of the {name} page:")
            ms = qt_load_ms(out / f"{name}.html")
            print(f"  median {np.median(ms):.0f} ms over {len(ms)} runs")
        print("Restyle in the loaded shapes page against a rebuild:")
        restyle_vs_rebuild(out / "shapes.html", areas, sites,
                           lambda: travel(ctx, "rebuilt")[0])
    print(f"files in {out}")


if __name__ == "__main__":
    main()
