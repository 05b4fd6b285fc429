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
