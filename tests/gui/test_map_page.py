"""A map page in a real QtWebEngine view: control boxes, legend rule, restyle, search.

Checks the browser against the Python model of the page (:mod:`access_app.maps.layout`)
that ``tests/core/test_maps_layout.py`` uses to prove no control covers land.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from test_maps_planner import areas_with_rurality, make_context, make_sites  # noqa: E402

from access_app import maps  # noqa: E402
from access_app.core import defaults  # noqa: E402
from access_app.maps import layout  # noqa: E402
from access_app.maps.builders import _bounds  # noqa: E402

RECTS = """JSON.stringify((function () {
  var out = {};
  var get = function (sel) { var e = document.querySelector(sel);
    if (!e) { return null; } var r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  out.zoom = get(".leaflet-control-zoom"); out.layers = get(".leaflet-control-layers");
  out.title = get(".access-title"); out.search = get(".access-search");
  out.legend = get(".access-legend"); out.scale = get(".leaflet-control-scale");
  out.view = [accessMap.getZoom(), accessApp.state.legend.folded];
  return out; })())"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    england = defaults.load_default_boundaries()["england"]
    m = maps.travel_time_map(areas_with_rurality(), make_sites(), attribution="OGL",
                             boundaries={"england": england},
                             context=make_context(approximate=True))
    path = tmp_path_factory.mktemp("map") / "page.html"
    maps.save_map(m, path, standalone=False)
    bounds = _bounds(areas_with_rurality().iloc[:0], make_sites().iloc[:0],
                     {"england": england})
    return path, bounds


def _load(qtbot, path, w, h):
    view = QWebEngineView()
    view.settings().setAttribute(
        QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
    qtbot.addWidget(view)
    view.resize(w, h)
    view.show()
    with qtbot.waitSignal(view.loadFinished, timeout=60_000) as sig:
        view.load(QUrl.fromLocalFile(str(path)))
    assert sig.args == [True]
    return view


def _js(qtbot, view, expr):
    box = []
    view.page().runJavaScript(expr, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=20_000)
    return box[0]


@pytest.mark.parametrize("size", [(1400, 950), (640, 900)])
def test_controls_sit_where_the_layout_model_says(qtbot, page_file, size):
    path, bounds = page_file
    view = _load(qtbot, path, *size)
    got = json.loads(_js(qtbot, view, RECTS))
    model = layout.initial_view(bounds, *size)
    assert got["view"] == [model.zoom, not model.legend_open]
    boxes = layout.control_boxes(model, title_lines=2)
    for name in ("zoom", "layers", "title", "search"):
        assert got[name] == pytest.approx(list(boxes[name]), abs=3), name
    sx0, sy0, sx1, sy1 = boxes["scale"]  # the bar's length follows the scale: inside
    assert sx0 - 1 <= got["scale"][0] and got["scale"][2] <= sx1 + 1
    assert got["scale"][1] == pytest.approx(sy0, abs=3)
    legend = got["legend"]
    x0, y0, x1, y1 = boxes["legend"]
    assert legend[0] >= x0 - 3 and legend[1] == pytest.approx(y0, abs=3)
    assert legend[2] == pytest.approx(x1, abs=3) and legend[3] <= y1 + 1


def test_restyle_and_search_in_the_browser(qtbot, page_file):
    path, _ = page_file
    view = _load(qtbot, path, 1000, 800)
    areas = areas_with_rurality().assign(minutes=[95.0, 50.0, 20.0, float("nan"), 31.0])
    payload = maps.restyle_payload(areas, make_sites(), kind="travel", title="Scenario B",
                                   open_sites=["b"], approximate=True)
    ms = _js(qtbot, view, f"accessRestyle({json.dumps(payload)})")
    assert isinstance(ms, (int, float)) and ms >= 0
    fills = json.loads(_js(qtbot, view, "JSON.stringify(accessApp.areaColours())"))
    c = maps.classify.TRAVEL_TIME_COLOURS
    assert fills == [c[4], c[2], c[0], maps.classify.NO_VALUE_COLOUR, c[1]]
    title = _js(qtbot, view, "document.querySelector('.access-title').textContent")
    assert title == "Scenario B"
    roles = json.loads(_js(qtbot, view, "JSON.stringify(accessApp.state.sites.d.role)"))
    assert sorted(roles) == ["closed", "closed", "open"]
    # hover: the area under a point is found (area 2's centroid lies in its own square only)
    lat, lng = areas.to_crs(4326).geometry.iloc[2].y, areas.to_crs(4326).geometry.iloc[2].x
    hit = _js(qtbot, view, f"accessApp.state.areas.layer.hit(L.latLng({lat}, {lng}))")
    assert hit == 2
    assert _js(qtbot, view, "accessApp.state.areas.layer.hit(L.latLng(54.0, -2.0))") == -1
    found = json.loads(_js(qtbot, view, "JSON.stringify(accessApp.state.search.find('hack')"
                                        ".map(function (i) { return i.text; }))"))
    assert found == ["Hackney <b>"]
    _js(qtbot, view, "accessApp.state.search.go(accessApp.state.search.find('E8 2AA')[0]); 1")
    lat, lng, zoom = json.loads(_js(qtbot, view, "JSON.stringify(accessGetView())"))
    assert (lat, lng) == pytest.approx((51.543, -0.065), abs=1e-3) and zoom >= 12


PAINTED = """(function (pane) {
  var c = document.querySelector('.leaflet-' + pane + '-pane canvas');
  var px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
  for (var i = 3; i < px.length; i += 4) { if (px[i] > 0) { n++; } }
  return n; })"""


def test_roads_and_place_names_appear_by_zoom(qtbot, page_file):
    path, _ = page_file
    view = _load(qtbot, path, 1000, 800)

    def painted(pane, zoom):
        # setView without animation fires moveend at once; the canvases redraw in it
        _js(qtbot, view, f"accessSetView(51.53, -0.06, {zoom}); 1")
        return _js(qtbot, view, f"{PAINTED}({pane!r})")

    assert painted("accessRoads", 6) == 0          # no road below zoom 7
    assert painted("accessRoads", 8) > 0           # the M25 from zoom 7
    assert painted("accessLabels", 7) == 0         # place names from zoom 8
    assert painted("accessLabels", 9) > 0
    assert painted("accessAreas", 9) > 0


def test_page_keys_change_with_the_areas_geometry():
    import geopandas as gpd
    from shapely.geometry import Point, box

    from access_app.gui.map_controller import _geometry_bytes

    pts = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(0, 0), Point(1, 1)], crs=4326)
    moved = pts.set_geometry([Point(0, 0), Point(1, 2)], crs=4326)
    polys = pts.set_geometry([box(0, 0, 1, 1), box(1, 1, 2, 2)], crs=4326)
    other = pts.set_geometry([box(0, 0, 1, 1), box(1, 1, 2, 3)], crs=4326)
    keys = {_geometry_bytes(t) for t in (pts, moved, polys, other)}
    assert len(keys) == 4
    assert _geometry_bytes(pts) == _geometry_bytes(pts.copy())
    assert _geometry_bytes(pts.drop(columns="geometry").pipe(lambda d: d)) == b""
