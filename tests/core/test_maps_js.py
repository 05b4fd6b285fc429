"""The page's JavaScript: syntax of every inline script and the view-sync guard.

Runs the scripts with Node.js when it is installed (skipped otherwise); no browser or Qt.
"""

import json
import re
import shutil
import subprocess

import pytest
from test_maps_html import make_areas, make_sites

from access_app import maps
from access_app.maps.layers import RUNTIME_JS

NODE = shutil.which("node") or shutil.which("nodejs")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def run_node(code, tmp_path):
    script = tmp_path / "run.js"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_inline_script_parses(tmp_path):
    m = maps.travel_time_map(make_areas(), make_sites(), attribution="OGL", hubs=["a"])
    page = maps.map_html(m, standalone=False)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) >= 3
    checks = "".join(
        f"new Function({json.dumps(s)});\n" for s in scripts  # throws SyntaxError if bad
    )
    assert run_node(checks + "console.log('ok');", tmp_path).strip() == "ok"


FAKE_MAP = """
var window = globalThis;
var handlers = {};
var view = {lat: 52.5, lng: -1.5, zoom: 7};
var map = {
  on: function (ev, fn) { (handlers[ev] = handlers[ev] || []).push(fn); },
  getCenter: function () { return {lat: view.lat, lng: view.lng}; },
  getZoom: function () { return view.zoom; },
  // Leaflet fires moveend synchronously inside setView when animate is false
  setView: function (ll, z, opts) {
    if (!opts || opts.animate !== false) { throw new Error("expected animate: false"); }
    view = {lat: ll[0], lng: ll[1], zoom: z};
    (handlers.moveend || []).forEach(function (fn) { fn(); });
  }
};
"""


def test_view_sync_reports_user_moves_and_not_programmatic_ones(tmp_path):
    code = FAKE_MAP + RUNTIME_JS + """
accessApp.viewSync(map);
if (window.accessMap !== map) { throw new Error("accessMap not exposed"); }
map.setView([51.0000001, 0.0000001], 9.25, {animate: false});   // like a user pan/zoom
window.accessSetView(53.25, -2.5, 8);                           // from the other pane
console.log("view " + JSON.stringify(window.accessGetView()));
map.setView([50, -4], 6, {animate: false});
"""
    out = run_node(code, tmp_path).splitlines()
    assert out == [
        "access-app:view:51.000000,0.000000,9.25",
        "view [53.25,-2.5,8]",
        "access-app:view:50.000000,-4.000000,6",
    ]


FAKE_LEAFLET = """
var window = globalThis;
var markers = [];
var L = {
  canvas: function (o) { return {kind: "canvas", o: o}; },
  featureGroup: function () {
    var g = {layers: [], addLayer: function (l) { this.layers.push(l); },
             bindTooltip: function (fn) { this.tip = fn; }};
    return g;
  },
  circleMarker: function (ll, o) { var m = {ll: ll, o: o, options: o}; markers.push(m); return m; }
};
var panes = {};
var map = {getPane: function (n) { return panes[n]; },
           createPane: function (n) { panes[n] = {style: {}}; return panes[n]; },
           getZoom: function () { return 6.75; }, on: function () {}};
"""


def test_area_tooltips_show_escaped_text_and_formatted_values(tmp_path):
    areas = make_areas()
    m = maps.travel_time_map(areas, make_sites(), attribution="OGL")
    page = maps.map_html(m, standalone=False)
    data = re.search(r'id="access_areas_[0-9a-f]+_data">(.*?)</script>', page, re.S).group(1)
    code = FAKE_LEAFLET + RUNTIME_JS + f"""
var d = {data};
var g = accessApp.areaLayer(map, d, ["c0", "c1", "c2", "c3", "c4"], "grey");
console.log(JSON.stringify(markers.map(function (m) {{ return m.o.fillColor; }})));
console.log(JSON.stringify(markers[0].ll) + " r=" + markers[0].o.radius);
g.layers.forEach(function (m) {{ console.log(g.tip(m)); }});
"""
    out = run_node(code, tmp_path).splitlines()
    assert out[0] == '["c0","c0","c1","c2","grey"]'
    assert out[1].endswith(" r=2")
    tip = '<div class="access-tip">{}</div>'.format
    assert out[2] == tip(
        "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b> (E01000000)<br>Population: 1,500<br>"
        "IMD decile: 1 (most deprived)<br>Assigned site: Site A<br>Travel time: 10.0 min")
    assert out[3] == tip(
        "<b>&lt;b&gt;x&lt;/b&gt;</b> (E01000001)<br>Population: 1,600<br>"
        "IMD decile: 10 (least deprived)<br>Assigned site: &lt;b&gt;x&lt;/b&gt;<br>"
        "Travel time: 30.0 min")
    assert out[5] == tip(
        "<b>Rutland 001A</b> (E01000003)<br>Population: 1,800<br>IMD decile: 3<br>"
        "Assigned site: none<br>Travel time: 45.1 min")
    assert out[6] == tip(
        "<b>Skye &amp; Co</b> (E01000004)<br>Population: n/a<br>IMD decile: n/a<br>"
        "Assigned site: Site A<br>Travel time: unreachable")


def test_change_tooltip_signs(tmp_path):
    areas = make_areas().iloc[:3]
    areas["change"] = [-12.34, 0.0, 7.0]
    m = maps.change_map(areas, make_sites(), attribution="OGL")
    page = maps.map_html(m, standalone=False)
    data = re.search(r'id="access_areas_[0-9a-f]+_data">(.*?)</script>', page, re.S).group(1)
    code = FAKE_LEAFLET + RUNTIME_JS + f"""
var d = {data};
var g = accessApp.areaLayer(map, d, ["c0","c1","c2","c3","c4","c5","c6"], "grey");
g.layers.forEach(function (m) {{ console.log(g.tip(m).split("<br>").pop()); }});
"""
    out = run_node(code, tmp_path).splitlines()
    assert out == ["Change: \u221212.4 min</div>", "Change: \u00b10.0 min</div>",
                   "Change: +7.0 min</div>"]


def test_restyle_recolours_areas_and_updates_tooltips(tmp_path):
    areas = make_areas()
    m = maps.travel_time_map(areas, make_sites(), attribution="OGL")
    page = maps.map_html(m, standalone=False)
    data = re.search(r'id="access_areas_[0-9a-f]+_data">(.*?)</script>', page, re.S).group(1)
    changed = areas.assign(minutes=[95.0, 50.0, 20.0, float("nan"), 31.0],
                           site_name=["<b>x</b>", "Site A", None, "Site A", "Site A"])
    payload = maps.restyle_payload(changed, make_sites(), kind="travel")
    code = FAKE_LEAFLET + RUNTIME_JS + f"""
var d = {data};
var g = accessApp.areaLayer(map, d, ["c0", "c1", "c2", "c3", "c4"], "grey");
var p = {json.dumps(payload)};
p.colours = ["k0", "k1", "k2", "k3", "k4"];
accessApp.restyle(p);
console.log(JSON.stringify(markers.map(function (m) {{ return m.o.fillColor; }})));
console.log(g.tip(g.layers[0]).split("<br>").slice(-2).join(" | "));
try {{ accessApp.restyle({{n: 2, cls: [0, 1], fields: {{}}}}); }}
catch (e) {{ console.log(e.message); }}
"""
    out = run_node(code, tmp_path).splitlines()
    # 95 -> over 90; 50 -> 45-60; 20 -> up to 30; NaN -> unreachable; 31 -> 30-45
    assert out[0] == '["k4","k2","k0","#8c8c8c","k1"]'  # no-value colour from the payload
    assert out[1] == "Assigned site: &lt;b&gt;x&lt;/b&gt; | Travel time: 95.0 min</div>"
    assert out[2] == "restyle: payload has 2 areas, the page 5"


def test_search_finds_sites_places_and_postcodes(tmp_path):
    code = """
var window = globalThis;
var document = {createElement: function () {
  return {set innerHTML(v) { this.textContent = v.replace(/<[^>]*>/g, "")
                                           .replace(/&amp;/g, "&"); }};
}};
""" + RUNTIME_JS + """
var places = {lat: [50.4, 50.26, 51.5], lng: [-4.8, -5.05, -0.1],
              name: ["Cornwall", "TR1", "City of London"], kind: ["lad", "district", "lad"]};
var sites = {lat: [50.27], lng: [-5.09], name: ["Royal Cornwall Hospital &amp; Co"]};
var items = accessApp.searchIndex(places, sites);
function show(q) {
  console.log(q + " => " + JSON.stringify(accessApp.searchFind(items, q).map(
    function (it) { return it.kind + ":" + it.text + "@" + it.zoom; })));
}
show("cornwall"); show("tr1 3lq"); show("TR1"); show("TR13"); show("london"); show("  ");
"""
    out = run_node(code, tmp_path).splitlines()
    assert out == [
        'cornwall => ["local authority:Cornwall@10","site:Royal Cornwall Hospital & Co@12"]',
        'tr1 3lq => ["postcode district:TR1@12"]',
        'TR1 => ["postcode district:TR1@12"]',
        "TR13 => []",
        'london => ["local authority:City of London@10"]',
        "   => []",
    ]


def test_page_role_words_match_the_python_tooltips() -> None:
    """A restyled site tooltip says the same role words as a freshly built page."""
    from access_app.maps import builders
    from access_app.resources import resource_text

    js = resource_text("maps", "runtime.js")
    for role, words in builders._ROLE_TEXT.items():
        assert f'{role}: "{words}"' in js


def test_open_sites_show_their_linac_capacity_use() -> None:
    """Utilisation colours an open site's fill (none for closed sites) and is in its tooltip."""
    import geopandas as gpd
    from shapely.geometry import Point

    from access_app.maps import builders

    sites = gpd.GeoDataFrame(
        {"site_id": ["a", "b", "c", "d"], "site_name": ["A", "B", "C", "D"],
         "linacs": [2.0, 4.0, 3.0, 1.0], "utilisation": [0.5, 0.95, 1.3, 0.7]},
        geometry=[Point(-1, 52), Point(-1.1, 52), Point(-1.2, 52), Point(-1.3, 52)],
        crs="EPSG:4326")
    data = builders._site_data(sites, ["a", "b", "c"], [])
    fill = dict(zip([data["name"][k] for k in range(4)], data["fill"], strict=True))
    assert fill == {"A": "#1a9850", "B": "#fdae61", "C": "#d73027", "D": None}  # D is closed
    tip = dict(zip(data["name"], data["tip"], strict=True))
    assert "Linac capacity used: 130%" in tip["C"] and "capacity" not in tip["D"]
    assert builders.utilisation_colour(float("nan")) is None
    assert builders.has_capacity(sites) and not builders.has_capacity(sites.drop(columns="utilisation"))
    assert "Linac capacity used" in builders._legend_extra(False, capacity=True)
