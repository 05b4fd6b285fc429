"""Map elements written as compact JSON plus a small JavaScript runtime.

Each element is a :class:`~access_app.maps.offline.RawMacroElement`: its HTML/JS is built
here with explicit escaping and written without a Jinja pass. Text that may come from a
user's file (area, site, network names, titles, attribution) goes through :func:`esc`
before it reaches the page, so ``<script>`` in a site name shows as text. Data is embedded
in ``<script type="application/json">`` blocks (``<``, ``>`` and ``&`` written as JSON
unicode escapes) and read with ``JSON.parse``.

Areas are drawn by one canvas renderer from column arrays (no per-area folium object);
one shared tooltip on the layer group builds its text on hover.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from folium.map import Layer

from .classify import LegendClass
from .offline import RawMacroElement

#: Leaflet panes used by the layers, with their z-index (tiles 200, overlays 400).
PANES = {"accessBasemap": 250, "accessAreas": 400, "accessSites": 450}


def esc(text: object) -> str:
    """Return ``text`` as HTML-escaped text, with braces as entities too.

    ``html.escape`` (quotes included) makes the text inert in HTML and attributes; braces
    are escaped as ``&#123;``/``&#125;`` so no template engine can read them either.
    """
    s = html.escape(str(text), quote=True)
    return s.replace("{", "&#123;").replace("}", "&#125;")


def json_for_script(obj: Any) -> str:
    """Return ``obj`` as JSON that is safe inside a ``<script>`` element."""
    return (
        json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


RUNTIME_CSS = """
.access-box { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 system-ui, "Segoe UI", Arial,
  sans-serif; color: #222; }
.access-title { font-weight: 600; font-size: 14px; max-width: 360px; }
.access-legend { max-width: 240px; }
.access-legend h4 { margin: 2px 0 4px; font-size: 12px; font-weight: 600; }
.access-legend .row { display: flex; align-items: center; margin: 2px 0; }
.access-legend .sw { width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
  flex: none; border: 1px solid rgba(0,0,0,0.25); }
.access-legend svg { flex: none; margin-right: 6px; }
.access-legend .note { color: #555; font-size: 11px; margin-top: 4px; }
.access-tip { font: 12px/1.4 system-ui, "Segoe UI", Arial, sans-serif; }
.access-tip b { font-weight: 600; }
.leaflet-container { background: #dfe6ea; }
.leaflet-control-attribution { max-width: 55vw; font-size: 10px; line-height: 1.3; }
"""

RUNTIME_JS = r"""
window.accessApp = window.accessApp || (function () {
  "use strict";
  function pane(map, name, z) {
    if (!map.getPane(name)) { map.createPane(name).style.zIndex = String(z); }
    return name;
  }
  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }
  function fmtInt(x) {
    return Math.round(x).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  function fmtMin(x) { return x === null ? "unreachable" : x.toFixed(1) + " min"; }
  function fmtChange(x) {
    if (x === null) { return "n/a"; }
    return (x > 0 ? "+" : (x < 0 ? "\u2212" : "\u00b1")) + Math.abs(x).toFixed(1) + " min";
  }
  function areaRadius(zoom) { return zoom <= 7 ? 2 : (zoom <= 9 ? 3 : (zoom <= 11 ? 4.5 : 6)); }
  function areaTip(d, i) {
    var rows = ["<b>" + d.name[i] + "</b>"];
    if (d.id) { rows[0] += " (" + d.id[i] + ")"; }
    if (d.pop) { rows.push("Population: " + (d.pop[i] === null ? "n/a" : fmtInt(d.pop[i]))); }
    if (d.imd) {
      var q = d.imd[i];
      rows.push("IMD decile: " + (q === null ? "n/a" : q +
        (q === 1 ? " (most deprived)" : (q === 10 ? " (least deprived)" : ""))));
    }
    if (d.site) { rows.push("Assigned site: " + (d.site[i] === null ? "none" : d.sites[d.site[i]])); }
    if (d.base) { rows.push("Baseline: " + fmtMin(d.base[i])); }
    if (d.min) { rows.push("Travel time: " + fmtMin(d.min[i])); }
    if (d.chg) { rows.push("Change: " + fmtChange(d.chg[i])); }
    if (d.label) { rows.push(d.labels[d.label[i]]); }
    return '<div class="access-tip">' + rows.join("<br>") + "</div>";
  }
  function areaLayer(map, d, colours, noValue) {
    var t0 = (window.performance ? performance.now() : 0);
    var renderer = L.canvas({padding: 0.5, pane: pane(map, "accessAreas", 400)});
    var group = L.featureGroup();
    var r = areaRadius(map.getZoom());
    var n = d.lat.length;
    for (var i = 0; i < n; i++) {
      var c = d.cls[i];
      var mk = L.circleMarker([d.lat[i], d.lng[i]], {
        renderer: renderer, radius: r, stroke: false,
        fillColor: c < 0 ? noValue : colours[c], fillOpacity: 0.9
      });
      mk._accessIndex = i;
      group.addLayer(mk);
    }
    group.bindTooltip(function (layer) { return areaTip(d, layer._accessIndex); },
                      {direction: "top", offset: [0, -3]});
    // Set the new radius on "zoom", before the renderer re-projects every path on
    // "zoomend"; calling setRadius instead would re-project each marker a second time.
    map.on("zoom", function () {
      var nr = areaRadius(map.getZoom());
      if (nr !== r) {
        r = nr;
        group.eachLayer(function (m) { m.options.radius = nr; m._radius = nr; });
      }
    });
    window.accessBuildMs = (window.accessBuildMs || 0) +
      ((window.performance ? performance.now() : 0) - t0);
    return group;
  }
  function siteLayer(map, d) {
    var renderer = L.svg({pane: pane(map, "accessSites", 450)});
    var group = L.featureGroup();
    for (var i = 0; i < d.lat.length; i++) {
      var s = d.style[d.role[i]];
      var ll = [d.lat[i], d.lng[i]];
      if (s.ring) {
        group.addLayer(L.circleMarker(ll, {renderer: renderer, radius: d.r[i] + s.ring,
          color: s.ringColor, weight: 2, fill: false, interactive: false}));
      }
      var mk = L.circleMarker(ll, {renderer: renderer, radius: d.r[i], color: s.color,
        weight: s.weight, dashArray: s.dash, fillColor: s.fill, fillOpacity: s.fillOpacity});
      mk.bindTooltip(d.tip[i], {direction: "top"});
      group.addLayer(mk);
    }
    return group;
  }
  function basemapLayer(map, geojson, style) {
    var renderer = L.canvas({pane: pane(map, "accessBasemap", 250)});
    return L.geoJSON(geojson, {style: style, interactive: false, renderer: renderer});
  }
  function control(map, html, position, className) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "access-box " + className);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return c.addTo(map);
  }
  function viewSync(map) {
    var quiet = 0;
    window.accessMap = map;
    map.on("moveend", function () {
      if (quiet > 0) { return; }
      var c = map.getCenter();
      console.log("access-app:view:" + c.lat.toFixed(6) + "," + c.lng.toFixed(6) + "," +
                  map.getZoom());
    });
    window.accessSetView = function (lat, lng, zoom) {
      quiet += 1;
      try { map.setView([lat, lng], zoom, {animate: false}); } finally { quiet -= 1; }
    };
    window.accessGetView = function () {
      var c = map.getCenter();
      return [c.lat, c.lng, map.getZoom()];
    };
  }
  return {readJson: readJson, areaLayer: areaLayer, siteLayer: siteLayer,
          basemapLayer: basemapLayer, control: control, viewSync: viewSync};
})();
"""


class Runtime(RawMacroElement):
    """Add the shared CSS and JavaScript runtime to the page's head."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "AccessRuntime"

    def header_html(self) -> str:
        """Return the runtime's ``<style>`` and ``<script>``."""
        return f"<style>{RUNTIME_CSS}</style>\n<script>{RUNTIME_JS}</script>\n"


class _JsonLayer(Layer, RawMacroElement):
    """A Leaflet layer built by the runtime from one embedded JSON block."""

    def __init__(self, data: Mapping[str, Any], *, name: str, show: bool = True) -> None:
        Layer.__init__(self, name=esc(name), overlay=True, control=True, show=show)
        self._data = data

    def body_html(self) -> str:
        """Return the JSON data block."""
        return (
            f'<script type="application/json" id="{self.get_name()}_data">'
            f"{json_for_script(self._data)}</script>\n"
        )

    def layer_js(self) -> str:
        """Return the JS statement that defines ``var <name>`` as a Leaflet layer."""
        raise NotImplementedError

    def script_js(self) -> str:
        """Return the JS that builds the layer and adds it to the map if shown."""
        js = self.layer_js()
        if self.show:
            js += f"{self.get_name()}.addTo({self._parent.get_name()});\n"
        return js

    def render(self, **kwargs: Any) -> None:
        """Render the fragments once (folium's ``Layer.render`` would add ``addTo`` anew)."""
        RawMacroElement.render(self, **kwargs)

    def _data_expr(self) -> str:
        return f'accessApp.readJson("{self.get_name()}_data")'


class AreaPointsLayer(_JsonLayer):
    """Draw areas as canvas circle markers coloured by class, with a shared tooltip.

    ``data`` holds column arrays: ``lat``, ``lng``, ``cls`` (class index, -1 = no value),
    ``name`` (escaped) and optionally ``id``, ``pop``, ``imd``, ``site`` (index into
    ``sites``), ``min``, ``base``, ``chg`` (minutes, ``null`` = unreachable), ``label``
    (index into ``labels``).
    """

    def __init__(
        self, data: Mapping[str, Any], *, colours: Sequence[str], no_value: str,
        name: str, show: bool = True,
    ) -> None:
        super().__init__(data, name=name, show=show)
        self._name = "AccessAreas"
        self._colours = list(colours)
        self._no_value = no_value

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (
            f"var {self.get_name()} = accessApp.areaLayer({self._parent.get_name()}, "
            f"{self._data_expr()}, {json_for_script(self._colours)}, "
            f"{json_for_script(self._no_value)});\n"
        )


class SiteLayer(_JsonLayer):
    """Draw sites as SVG circle markers above the areas, each with its own tooltip.

    ``data`` holds ``lat``, ``lng``, ``r`` (radius px), ``role`` (key of ``style``),
    ``tip`` (escaped tooltip HTML) and ``style`` (role -> Leaflet path options plus
    ``ring``/``ringColor`` for an outer ring).
    """

    def __init__(self, data: Mapping[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(data, name=name, show=show)
        self._name = "AccessSites"

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (
            f"var {self.get_name()} = accessApp.siteLayer({self._parent.get_name()}, "
            f"{self._data_expr()});\n"
        )


class BasemapLayer(_JsonLayer):
    """Draw boundary polygons/lines as a plain, non-interactive basemap."""

    def __init__(
        self, geojson: Mapping[str, Any], *, style: Mapping[str, Any], name: str,
        show: bool = True,
    ) -> None:
        super().__init__(geojson, name=name, show=show)
        self._name = "AccessBasemap"
        self._style = dict(style)

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (
            f"var {self.get_name()} = accessApp.basemapLayer({self._parent.get_name()}, "
            f"{self._data_expr()}, {json_for_script(self._style)});\n"
        )


class HtmlControl(RawMacroElement):
    """Show a box of ready-made (already escaped) HTML as a Leaflet control."""

    def __init__(self, html_text: str, *, position: str, class_name: str) -> None:
        super().__init__()
        self._name = "AccessControl"
        self._html = html_text
        self._position = position
        self._class = class_name

    def script_js(self) -> str:
        """Return the JS that adds the control."""
        return (
            f"var {self.get_name()} = accessApp.control({self._parent.get_name()}, "
            f"{json_for_script(self._html)}, {json_for_script(self._position)}, "
            f"{json_for_script(self._class)});\n"
        )


class Attribution(RawMacroElement):
    """Put a data attribution in Leaflet's attribution control (prefix without a web link)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "AccessAttribution"
        self._text = text

    def script_js(self) -> str:
        """Return the JS that sets the attribution."""
        m = self._parent.get_name()
        return (
            f"{m}.attributionControl.setPrefix('Leaflet');\n"
            f"{m}.attributionControl.addAttribution({json_for_script(attribution_html(self._text))});\n"
        )


class ViewSync(RawMacroElement):
    """Expose the map as ``window.accessMap`` and report/accept views for synced panes."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "AccessViewSync"

    def script_js(self) -> str:
        """Return the JS that installs the view hooks."""
        return f"accessApp.viewSync({self._parent.get_name()});\n"


class FitBoundsRaw(RawMacroElement):
    """Fit the map to bounds ``[[south, west], [north, east]]`` without animation."""

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "AccessFitBounds"
        self._bounds = [[float(v) for v in corner] for corner in bounds]

    def script_js(self) -> str:
        """Return the JS that fits the view."""
        return (
            f"{self._parent.get_name()}.fitBounds({json_for_script(self._bounds)}, "
            "{animate: false});\n"
        )


def attribution_html(text: str) -> str:
    """Return the attribution as escaped HTML, one source per line."""
    lines = [ln.strip(" -\u2022") for ln in str(text).splitlines()]
    return "<br>".join(esc(ln) for ln in lines if ln.strip())


def legend_html(
    title: str, entries: Sequence[LegendClass], *, note: str = "",
    sites: Sequence[tuple[str, Mapping[str, Any]]] = (), sites_note: str = "",
) -> str:
    """Return the legend box HTML (all text escaped).

    Parameters
    ----------
    title
        Heading of the colour classes.
    entries
        Colour classes in display order.
    note
        Small print under the classes (e.g. how class limits are counted).
    sites
        ``(label, style)`` pairs for the site symbols, style as in :class:`SiteLayer`.
    sites_note
        Small print under the site symbols.
    """
    parts = [f"<h4>{esc(title)}</h4>"]
    for e in entries:
        parts.append(
            f'<div class="row"><span class="sw" style="background:{esc(e.colour)}"></span>'
            f"{esc(e.label)}</div>"
        )
    if note:
        parts.append(f'<div class="note">{esc(note)}</div>')
    if sites:
        parts.append("<h4>Sites</h4>")
        for label, st in sites:
            parts.append(f'<div class="row">{_site_symbol_svg(st)}{esc(label)}</div>')
        if sites_note:
            parts.append(f'<div class="note">{esc(sites_note)}</div>')
    return "".join(parts)


def _site_symbol_svg(st: Mapping[str, Any]) -> str:
    r = 5
    ring = st.get("ring", 0)
    size = 2 * (r + (ring or 0) + 2)
    c = size / 2
    dash = f' stroke-dasharray="{esc(st["dash"])}"' if st.get("dash") else ""
    out = [f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}">']
    if ring:
        out.append(
            f'<circle cx="{c}" cy="{c}" r="{r + ring}" fill="none" '
            f'stroke="{esc(st["ringColor"])}" stroke-width="2"/>'
        )
    out.append(
        f'<circle cx="{c}" cy="{c}" r="{r}" fill="{esc(st["fill"])}" '
        f'fill-opacity="{float(st["fillOpacity"])}" stroke="{esc(st["color"])}" '
        f'stroke-width="{float(st["weight"])}"{dash}/>'
    )
    out.append("</svg>")
    return "".join(out)
