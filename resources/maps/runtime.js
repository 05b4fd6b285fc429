// Run-time helpers of Access App maps (window.accessApp): layers, tooltips, view sync,
// legend, search, themes and the cheap restyle path. Loaded by access_app.maps.layers and
// inlined into every map page. No network access; Leaflet is the only dependency.
window.accessApp = window.accessApp || (function () {
  "use strict";
  // Shared state of the page: the area layer, sites, legend, title, themes (for restyle).
  var S = {areas: null, sites: null, legend: null, title: null, themes: null};
  // Zoom levels from which context layers appear.
  var ZOOM = {motorways: 7, aRoads: 9, places: 8, siteLabels: 9, strokes: 10};

  function pane(map, name, z, inert) {
    if (!map.getPane(name)) {
      var el = map.createPane(name);
      el.style.zIndex = String(z);
      if (inert) { el.style.pointerEvents = "none"; }  // let the mouse reach the areas
    }
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
    if (d.ur) { rows.push("Urban/rural: " + (d.ur[i] === null ? "n/a" : d.urs[d.ur[i]])); }
    if (d.site) { rows.push("Assigned site: " + (d.site[i] === null ? "none" : d.sites[d.site[i]])); }
    if (d.ferry && d.ferry[i] !== null) { rows.push("By sea or air: " + d.ferries[d.ferry[i]]); }
    if (d.base) { rows.push("Baseline: " + fmtMin(d.base[i])); }
    if (d.min) { rows.push((d.minLabel || "Travel time") + ": " + fmtMin(d.min[i])); }
    if (d.chg) { rows.push("Change: " + fmtChange(d.chg[i])); }
    if (d.label) { rows.push(d.labels[d.label[i]]); }
    return '<div class="access-tip">' + rows.join("<br>") + "</div>";
  }

  // Packed geometry (access_app.maps.shapes.pack_polygons / pack_lines): quantised
  // lat/lng deltas from the previous vertex over the whole array.
  function unpackPolygons(s) {
    var k = s.s, xy = s.xy, n = s.g.length, out = new Array(n);
    var lat = 0, lng = 0, v = 0, ri = 0, pi = 0;
    for (var a = 0; a < n; a++) {
      var np = s.g[a];
      if (!np) { out[a] = null; continue; }
      var polys = new Array(np);
      for (var p = 0; p < np; p++, pi++) {
        var nr = s.p[pi], rings = new Array(nr);
        for (var r = 0; r < nr; r++, ri++) {
          var nv = s.r[ri], ring = new Array(nv);
          for (var j = 0; j < nv; j++, v += 2) {
            lat += xy[v]; lng += xy[v + 1];
            ring[j] = L.latLng(lat / k, lng / k);
          }
          rings[r] = ring;
        }
        polys[p] = rings;
      }
      out[a] = np === 1 ? polys[0] : polys;
    }
    return out;
  }
  function unpackLines(s) {
    var k = s.s, xy = s.xy, n = s.g.length, out = new Array(n);
    var lat = 0, lng = 0, v = 0, li = 0;
    for (var a = 0; a < n; a++) {
      var parts = new Array(s.g[a]);
      for (var p = 0; p < parts.length; p++, li++) {
        var nv = s.r[li], line = new Array(nv);
        for (var j = 0; j < nv; j++, v += 2) {
          lat += xy[v]; lng += xy[v + 1];
          line[j] = L.latLng(lat / k, lng / k);
        }
        parts[p] = line;
      }
      out[a] = parts;
    }
    return out;
  }

  function colourOf(cls, colours, noValue) { return cls < 0 ? noValue : colours[cls]; }

  // Areas with shapes: one canvas that draws every polygon itself from typed arrays of
  // Web Mercator coordinates (no Leaflet object per area), batched by colour, culled to
  // the view and thinned to whole pixels; hover finds the area under the mouse through a
  // grid index and a point-in-polygon test. Leaflet's L.Canvas supplies the container,
  // panning, zoom animation and click forwarding.
  function mercX(lng) { return (lng + 180) / 360; }
  function mercY(lat) {
    var s = Math.sin(Math.max(-85.05, Math.min(85.05, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  function packedToMerc(s, d) {
    // Flatten packed polygons: xy (Mercator 0..1), ring starts, area -> ring range, bbox.
    var n = s.g.length, k = s.s, nv = s.xy.length / 2;
    var xy = new Float64Array(2 * nv), ringStart = new Int32Array(s.r.length + 1);
    var areaRing = new Int32Array(n + 1), bbox = new Float64Array(4 * n);
    var lat = 0, lng = 0, v, r, ri = 0, pi = 0, off = 0;
    for (v = 0; v < nv; v++) {
      lat += s.xy[2 * v]; lng += s.xy[2 * v + 1];
      xy[2 * v] = mercX(lng / k); xy[2 * v + 1] = mercY(lat / k);
    }
    for (r = 0; r < s.r.length; r++) { ringStart[r] = off; off += s.r[r]; }
    ringStart[s.r.length] = off;
    for (var a = 0; a < n; a++) {
      areaRing[a] = ri;
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var p = 0; p < s.g[a]; p++, pi++) {
        for (var q = 0; q < s.p[pi]; q++, ri++) {
          for (v = ringStart[ri]; v < ringStart[ri + 1]; v++) {
            var x = xy[2 * v], y = xy[2 * v + 1];
            if (x < x0) { x0 = x; } if (x > x1) { x1 = x; }
            if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
          }
        }
      }
      if (s.g[a] === 0) {  // no shape: a dot at the centroid
        x0 = x1 = mercX(d.lng[a]); y0 = y1 = mercY(d.lat[a]);
      }
      bbox[4 * a] = x0; bbox[4 * a + 1] = y0; bbox[4 * a + 2] = x1; bbox[4 * a + 3] = y1;
    }
    areaRing[n] = ri;
    return {xy: xy, ringStart: ringStart, areaRing: areaRing, bbox: bbox, n: n};
  }
  function gridIndex(g, cells) {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, a;
    for (a = 0; a < g.n; a++) {
      x0 = Math.min(x0, g.bbox[4 * a]); y0 = Math.min(y0, g.bbox[4 * a + 1]);
      x1 = Math.max(x1, g.bbox[4 * a + 2]); y1 = Math.max(y1, g.bbox[4 * a + 3]);
    }
    var cw = (x1 - x0) / cells || 1, ch = (y1 - y0) / cells || 1, grid = new Array(cells * cells);
    for (a = 0; a < g.n; a++) {
      var i0 = Math.max(0, Math.floor((g.bbox[4 * a] - x0) / cw));
      var i1 = Math.min(cells - 1, Math.floor((g.bbox[4 * a + 2] - x0) / cw));
      var j0 = Math.max(0, Math.floor((g.bbox[4 * a + 1] - y0) / ch));
      var j1 = Math.min(cells - 1, Math.floor((g.bbox[4 * a + 3] - y0) / ch));
      for (var j = j0; j <= j1; j++) {
        for (var i = i0; i <= i1; i++) { (grid[j * cells + i] = grid[j * cells + i] || []).push(a); }
      }
    }
    return {x0: x0, y0: y0, cw: cw, ch: ch, cells: cells, grid: grid};
  }
  function inArea(g, a, x, y) {
    var inside = false;
    for (var r = g.areaRing[a]; r < g.areaRing[a + 1]; r++) {
      var s = g.ringStart[r], e = g.ringStart[r + 1];
      for (var i = s, j = e - 1; i < e; j = i++) {
        var xi = g.xy[2 * i], yi = g.xy[2 * i + 1], xj = g.xy[2 * j], yj = g.xy[2 * j + 1];
        if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
      }
    }
    return inside;
  }
  function hitArea(g, idx, x, y, tol) {
    var i = Math.floor((x - idx.x0) / idx.cw), j = Math.floor((y - idx.y0) / idx.ch);
    if (i < 0 || j < 0 || i >= idx.cells || j >= idx.cells) { return -1; }
    var list = idx.grid[j * idx.cells + i] || [];
    var best = -1, bestD = tol * tol;
    for (var k = list.length - 1; k >= 0; k--) {
      var a = list[k];
      if (g.areaRing[a] === g.areaRing[a + 1]) {  // a dot
        var dx = g.bbox[4 * a] - x, dy = g.bbox[4 * a + 1] - y;
        if (dx * dx + dy * dy <= bestD) { best = a; bestD = dx * dx + dy * dy; }
        continue;
      }
      var b = 4 * a;
      if (x < g.bbox[b] || x > g.bbox[b + 2] || y < g.bbox[b + 1] || y > g.bbox[b + 3]) { continue; }
      if (inArea(g, a, x, y)) { return a; }
    }
    return best;
  }
  var AreaCanvas = null;  // made on first use, so the runtime loads without Leaflet
  function areaCanvasClass() { return AreaCanvas || (AreaCanvas = L.Canvas.extend({
    initialize: function (d, colours, noValue, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._d = d;
      this._colours = colours;
      this._noValue = noValue;
      this._g = packedToMerc(d.shape, d);
      this._idx = gridIndex(this._g, 128);
    },
    onAdd: function () {
      L.Canvas.prototype.onAdd.call(this);
      this._updatePaths();
    },
    _updatePaths: function () { this._redraw(); },
    _redraw: function () {
      this._redrawRequest = null;
      if (!this._map || !this._ctx) { return; }
      var t0 = performance.now();
      var ctx = this._ctx, map = this._map, g = this._g, d = this._d;
      var b = this._bounds, zoom = map.getZoom(), scale = 256 * Math.pow(2, zoom);
      var origin = map.getPixelOrigin();
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this._container.width, this._container.height);
      ctx.restore();
      // view bounds in Mercator units
      var vx0 = (b.min.x + origin.x) / scale, vy0 = (b.min.y + origin.y) / scale;
      var vx1 = (b.max.x + origin.x) / scale, vy1 = (b.max.y + origin.y) / scale;
      var ox = origin.x, oy = origin.y, stroked = zoom >= ZOOM.strokes;
      var byColour = {}, a, c;
      for (a = 0; a < g.n; a++) {
        var bb = 4 * a;
        if (g.bbox[bb + 2] < vx0 || g.bbox[bb] > vx1 || g.bbox[bb + 3] < vy0 || g.bbox[bb + 1] > vy1) { continue; }
        c = colourOf(d.cls[a], this._colours, this._noValue);
        (byColour[c] = byColour[c] || []).push(a);
      }
      var rDot = areaRadius(zoom);
      // One SVG path string per colour, parsed natively by Path2D: far fewer calls into
      // the canvas than moveTo/lineTo per vertex.
      for (c in byColour) {
        var list = byColour[c], parts = [];
        for (var k = 0; k < list.length; k++) {
          a = list[k];
          if (g.areaRing[a] === g.areaRing[a + 1]) {
            var cx = Math.round(g.bbox[4 * a] * scale - ox), cy = Math.round(g.bbox[4 * a + 1] * scale - oy);
            parts.push("M" + (cx - rDot) + " " + cy + "a" + rDot + " " + rDot + " 0 1 0 " +
                       (2 * rDot) + " 0a" + rDot + " " + rDot + " 0 1 0 " + (-2 * rDot) + " 0");
            continue;
          }
          for (var r = g.areaRing[a]; r < g.areaRing[a + 1]; r++) {
            var s = g.ringStart[r], e = g.ringStart[r + 1];
            var px = Math.round(g.xy[2 * s] * scale - ox), py = Math.round(g.xy[2 * s + 1] * scale - oy);
            var seg = "M" + px + " " + py;
            for (var v = s + 1; v < e; v++) {
              var qx = Math.round(g.xy[2 * v] * scale - ox), qy = Math.round(g.xy[2 * v + 1] * scale - oy);
              if (qx === px && qy === py) { continue; }  // same pixel
              seg += "L" + qx + " " + qy;
              px = qx; py = qy;
            }
            parts.push(seg + "Z");
          }
        }
        var path = new Path2D(parts.join(""));
        ctx.fillStyle = c;
        ctx.fill(path, "evenodd");
        // below the stroke zoom the outline takes the fill colour: it closes the hairline
        // seams between neighbours and keeps sub-pixel urban areas visible
        ctx.lineWidth = stroked ? 0.5 : 0.8;
        ctx.strokeStyle = stroked ? "rgba(255,255,255,0.7)" : c;
        ctx.stroke(path);
      }
      this.drawMs = performance.now() - t0;
      window.accessDrawMs = this.drawMs;
    },
    hit: function (latlng) {
      var zoom = this._map.getZoom(), scale = 256 * Math.pow(2, zoom);
      return hitArea(this._g, this._idx, mercX(latlng.lng), mercY(latlng.lat),
                     (areaRadius(zoom) + 1) / scale);
    },
    _onMouseMove: function (e) {
      if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) { return; }
      var ll = this._map.mouseEventToLatLng(e);
      var a = this.hit(ll);
      if (a < 0) { this._handleMouseOut(e); }
      else {
        if (!this._tip) {
          this._tip = L.tooltip({direction: "top", offset: [0, -8], className: "access-area-tip"});
        }
        this._tip.setLatLng(ll).setContent(areaTip(this._d, a));
        if (!this._map.hasLayer(this._tip)) { this._map.openTooltip(this._tip); }
        this._hovered = a;
      }
      this._map._fireDOMEvent(e, e.type);
    },
    _handleMouseOut: function () {
      if (this._tip && this._map && this._map.hasLayer(this._tip)) { this._map.closeTooltip(this._tip); }
      this._hovered = -1;
    },
    _handleMouseHover: function () {},
    _onClick: function (e) { this._map._fireDOMEvent(e, e.type); },
    getBounds: function () {
      var g = this._g, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var a = 0; a < g.n; a++) {
        x0 = Math.min(x0, g.bbox[4 * a]); y0 = Math.min(y0, g.bbox[4 * a + 1]);
        x1 = Math.max(x1, g.bbox[4 * a + 2]); y1 = Math.max(y1, g.bbox[4 * a + 3]);
      }
      var un = function (x, y) {
        var n = Math.PI - 2 * Math.PI * y;
        return L.latLng(180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n))), x * 360 - 180);
      };
      return L.latLngBounds(un(x0, y1), un(x1, y0));
    }
  })); }

  // Areas: the AreaCanvas when shapes are known (d.shape), else circle markers at the
  // centroids on one canvas renderer with one shared tooltip.
  function areaLayer(map, d, colours, noValue) {
    var t0 = (window.performance ? performance.now() : 0);
    if (d.shape) {
      var Cls = areaCanvasClass();
      var layer = new Cls(d, colours, noValue,
                                 {padding: 0.3, pane: pane(map, "accessAreas", 400)});
      S.areas = {kind: "shapes", layer: layer, d: d, colours: colours, noValue: noValue};
      window.accessBuildMs = (window.accessBuildMs || 0) + (performance.now() - t0);
      return layer;
    }
    var renderer = L.canvas({padding: 0.5, pane: pane(map, "accessAreas", 400)});
    var group = L.featureGroup();
    var r = areaRadius(map.getZoom());
    var n = d.lat.length;
    var markers = [];
    for (var i = 0; i < n; i++) {
      var mk = L.circleMarker([d.lat[i], d.lng[i]], {
        renderer: renderer, radius: r, stroke: false,
        fillColor: colourOf(d.cls[i], colours, noValue), fillOpacity: 0.9
      });
      mk._accessIndex = i;
      markers.push(mk);
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
        for (var k = 0; k < markers.length; k++) { markers[k].options.radius = nr; markers[k]._radius = nr; }
      }
    });
    S.areas = {kind: "points", group: group, d: d, renderer: renderer, colours: colours,
               noValue: noValue, layers: markers};
    window.accessBuildMs = (window.accessBuildMs || 0) +
      ((window.performance ? performance.now() : 0) - t0);
    return group;
  }
  // Colour of every area as drawn now (tests and benchmarks).
  function areaColours() {
    var a = S.areas, out = [];
    for (var i = 0; i < a.d.cls.length; i++) { out.push(colourOf(a.d.cls[i], a.colours, a.noValue)); }
    return out;
  }

  // Recolour every area in place (no page rebuild): cls per area (-1 = no value).
  function recolour(cls, colours, noValue) {
    var a = S.areas;
    if (!a) { return 0; }
    var t0 = performance.now();
    a.d.cls = cls;
    a.colours = colours;
    a.noValue = noValue;
    if (a.kind === "shapes") {
      a.layer._colours = colours;
      a.layer._noValue = noValue;
      a.layer._redraw();
      return performance.now() - t0;
    }
    var layers = a.layers;
    for (var k = 0; k < layers.length; k++) {
      var lyr = layers[k];
      lyr.options.fillColor = colourOf(cls[lyr._accessIndex], colours, noValue);
    }
    if (a.renderer._map) {
      a.renderer._redrawBounds = null;
      a.renderer._redraw();
    }
    return performance.now() - t0;
  }

  function siteLayer(map, d) {
    var renderer = L.svg({pane: pane(map, "accessSites", 450)});
    var group = L.featureGroup();
    var marks = [];
    for (var i = 0; i < d.lat.length; i++) {
      var s = d.style[d.role[i]];
      var ll = [d.lat[i], d.lng[i]];
      var ring = L.circleMarker(ll, {renderer: renderer, radius: d.r[i] + (s.ring || 4),
        color: s.ringColor || "#e7298a", weight: 2, fill: false, interactive: false,
        opacity: s.ring ? 1 : 0});
      group.addLayer(ring);
      // An open site's fill shows the share of its linac capacity used, when known.
      var fill = (d.fill && d.fill[i]) || s.fill;
      var mk = L.circleMarker(ll, {renderer: renderer, radius: d.r[i], color: s.color,
        weight: s.weight, dashArray: s.dash, fillColor: fill, fillOpacity: s.fillOpacity});
      mk.bindTooltip(d.tip[i], {direction: "top"});
      if (d.popup && d.popup[i]) { mk.bindPopup(d.popup[i], {maxWidth: 320}); }
      group.addLayer(mk);
      marks.push({ring: ring, mk: mk, i: i});
    }
    S.sites = {group: group, d: d, marks: marks, map: map};
    if (d.label) { siteLabels(map, d, group); }
    return group;
  }
  // Words for a site's role in its tooltip (as access_app.maps.builders._ROLE_TEXT).
  var ROLE_TEXT = {open: "open", closed: "closed in this scenario", hub: "hub (open)"};
  function setSiteRoles(roles) {
    var s = S.sites;
    if (!s) { return; }
    for (var k = 0; k < s.marks.length; k++) {
      var m = s.marks[k];
      var role = roles[s.d.idx ? s.d.idx[m.i] : m.i];
      if (!role) { continue; }
      var st = s.d.style[role];
      s.d.role[m.i] = role;
      // The tooltip's last line names the role: keep it true after a restyle.
      var tip = m.mk.getTooltip && m.mk.getTooltip();
      if (tip && typeof tip.getContent() === "string") {
        tip.setContent(tip.getContent().replace(/Role: [^<]*<\/div>$/,
                                                "Role: " + ROLE_TEXT[role] + "</div>"));
      }
      var fill = (role !== "closed" && s.d.fill && s.d.fill[m.i]) || st.fill;
      m.mk.setStyle({color: st.color, weight: st.weight, dashArray: st.dash,
                     fillColor: fill, fillOpacity: st.fillOpacity});
      m.ring.setStyle({opacity: st.ring ? 1 : 0, color: st.ringColor || "#e7298a"});
      m.ring.setRadius(m.mk.getRadius() + (st.ring || 4));
      if (role !== "closed" && m.mk.bringToFront) { m.ring.bringToFront(); m.mk.bringToFront(); }
    }
  }

  // Layers shown only from a zoom level (while their overlay is switched on).
  function byZoom(map, group, children) {
    function update() {
      if (!map.hasLayer(group)) { return; }
      var z = map.getZoom();
      for (var k = 0; k < children.length; k++) {
        var on = z >= children[k][0], has = group.hasLayer(children[k][1]);
        if (on && !has) { group.addLayer(children[k][1]); }
        if (!on && has) { group.removeLayer(children[k][1]); }
      }
    }
    map.on("zoomend", update);
    group.on("add", update);
    return group;
  }
  function siteLabels(map, d, parent) {
    var labels = L.layerGroup();
    for (var i = 0; i < d.lat.length; i++) {
      labels.addLayer(L.tooltip({permanent: true, direction: "right", offset: [d.r[i] + 2, 0],
        className: "access-label access-site-label", interactive: false})
        .setLatLng([d.lat[i], d.lng[i]]).setContent(d.label[i]));
    }
    byZoom(map, parent, [[ZOOM.siteLabels, labels]]);
    S.siteLabels = labels;
    return labels;
  }
  // Roads and place names are drawn straight onto their own canvases (Leaflet's L.Canvas
  // gives the container, panning and zoom animation): no Leaflet object per road or label.
  var ContextCanvas = null;
  function contextCanvasClass() {
    return ContextCanvas || (ContextCanvas = L.Canvas.extend({
      onAdd: function () { L.Canvas.prototype.onAdd.call(this); this._updatePaths(); },
      _updatePaths: function () { this._redraw(); },
      _redraw: function () {
        this._redrawRequest = null;
        if (!this._map || !this._ctx) { return; }
        var ctx = this._ctx, map = this._map, z = map.getZoom();
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, this._container.width, this._container.height);
        ctx.restore();
        var scale = 256 * Math.pow(2, z), o = map.getPixelOrigin(), b = this._bounds;
        var view = [(b.min.x + o.x) / scale, (b.min.y + o.y) / scale,
                    (b.max.x + o.x) / scale, (b.max.y + o.y) / scale];
        this.options.paint(ctx, z, scale, o, view);
      },
      _onMouseMove: function () {}, _onClick: function () {}, _handleMouseOut: function () {}
    }));
  }
  function roadLayer(map, d) {
    var lines = unpackLines(d), n = lines.length;
    // Mercator copies and bounding boxes, once
    var xy = [], bbox = new Float64Array(4 * n);
    for (var i = 0; i < n; i++) {
      var parts = [], x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var p = 0; p < lines[i].length; p++) {
        var ln = lines[i][p], arr = new Float64Array(2 * ln.length);
        for (var j = 0; j < ln.length; j++) {
          var x = mercX(ln[j].lng !== undefined ? ln[j].lng : ln[j][1]);
          var y = mercY(ln[j].lat !== undefined ? ln[j].lat : ln[j][0]);
          arr[2 * j] = x; arr[2 * j + 1] = y;
          x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
        }
        parts.push(arr);
      }
      xy.push(parts);
      bbox[4 * i] = x0; bbox[4 * i + 1] = y0; bbox[4 * i + 2] = x1; bbox[4 * i + 3] = y1;
    }
    var styles = [[ZOOM.motorways, "#2b5797", 2, 0.85], [ZOOM.aRoads, "#9a6a3a", 1.2, 0.75]];
    function paint(ctx, z, scale, o, v) {
      for (var kind = 1; kind >= 0; kind--) {  // A roads under motorways
        var st = styles[kind];
        if (z < st[0]) { continue; }
        var svg = [];
        for (var i = 0; i < n; i++) {
          if (d.k[i] !== kind) { continue; }
          var b = 4 * i;
          if (bbox[b + 2] < v[0] || bbox[b] > v[2] || bbox[b + 3] < v[1] || bbox[b + 1] > v[3]) { continue; }
          for (var p = 0; p < xy[i].length; p++) {
            var arr = xy[i][p], px = Math.round(arr[0] * scale - o.x), py = Math.round(arr[1] * scale - o.y);
            var seg = "M" + px + " " + py;
            for (var j = 2; j < arr.length; j += 2) {
              var qx = Math.round(arr[j] * scale - o.x), qy = Math.round(arr[j + 1] * scale - o.y);
              if (qx === px && qy === py) { continue; }
              seg += "L" + qx + " " + qy; px = qx; py = qy;
            }
            svg.push(seg);
          }
        }
        if (!svg.length) { continue; }
        ctx.globalAlpha = st[3];
        ctx.strokeStyle = st[1];
        ctx.lineWidth = st[2];
        ctx.lineJoin = "round";
        ctx.stroke(new Path2D(svg.join("")));
        ctx.globalAlpha = 1;
      }
    }
    var Cls = contextCanvasClass();
    return new Cls({padding: 0.3, pane: pane(map, "accessRoads", 420, true), paint: paint});
  }
  function placeLayer(map, d) {
    var tmp = document.createElement("div"), items = [];
    for (var i = 0; i < d.lat.length; i++) {
      if (d.kind[i] !== "lad") { continue; }
      tmp.innerHTML = d.name[i];
      items.push({x: mercX(d.lng[i]), y: mercY(d.lat[i]), text: tmp.textContent});
    }
    function paint(ctx, z, scale, o, v) {
      if (z < ZOOM.places) { return; }
      ctx.font = "500 11px system-ui, 'Segoe UI', Arial, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.fillStyle = "#333";
      var placed = [];
      for (var k = 0; k < items.length; k++) {
        var it = items[k];
        if (it.x < v[0] || it.x > v[2] || it.y < v[1] || it.y > v[3]) { continue; }
        var x = Math.round(it.x * scale - o.x), y = Math.round(it.y * scale - o.y);
        var w = ctx.measureText(it.text).width / 2 + 2, h = 8;
        var clash = false;  // skip labels that would overlap one already drawn
        for (var q = 0; q < placed.length && !clash; q++) {
          var r = placed[q];
          clash = x - w < r[2] && x + w > r[0] && y - h < r[3] && y + h > r[1];
        }
        if (clash) { continue; }
        placed.push([x - w, y - h, x + w, y + h]);
        ctx.strokeText(it.text, x, y);
        ctx.fillText(it.text, x, y);
      }
    }
    S.places = d;
    var Cls = contextCanvasClass();
    return new Cls({padding: 0.1, pane: pane(map, "accessLabels", 440, true), paint: paint});
  }
  function basemapLayer(map, geojson, style) {
    var renderer = L.canvas({pane: pane(map, "accessBasemap", 250, true)});
    return L.geoJSON(geojson, {style: style, interactive: false, renderer: renderer});
  }
  function outlineLayer(map, geojson, style) {
    var renderer = L.canvas({pane: pane(map, "accessOutlines", 430, true)});
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
    c.addTo(map);
    if (className.indexOf("access-title") >= 0) { S.title = c; }
    return c;
  }

  // Legend: a box with a header that folds it away; the body is replaced on restyle.
  function legend(map, html, position, footer) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "access-box access-legend");
      var head = L.DomUtil.create("button", "access-legend-head", div);
      head.type = "button";
      head.setAttribute("aria-expanded", "true");
      head.innerHTML = '<span>Legend</span><span class="access-fold">\u25be</span>';
      var body = L.DomUtil.create("div", "access-legend-body", div);
      body.innerHTML = html;
      if (footer) {  // kept on restyle (e.g. the road key)
        L.DomUtil.create("div", "access-legend-foot", body.parentNode).innerHTML = footer;
      }
      L.DomEvent.on(head, "click", function () { setFolded(!c.folded); });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      c.body = body;
      c.head = head;
      c.div = div;
      return div;
    };
    function setFolded(f) {
      c.folded = !!f;
      L.DomUtil[f ? "addClass" : "removeClass"](c.div, "folded");
      c.head.setAttribute("aria-expanded", f ? "false" : "true");
      c.head.lastChild.textContent = f ? "\u25b8" : "\u25be";
    }
    c.setFolded = setFolded;
    c.folded = false;
    c.addTo(map);
    S.legend = c;
    return c;
  }

  // Initial view: fit the bounds; if the pane has room beside them for the legend column
  // (at most a quarter-zoom step smaller), keep that room on the right and show the
  // legend open, else fit without it and fold the legend (its button sits over the sea
  // in the top-right corner). The same rule is checked in tests/core/test_maps_layout.py.
  var LEGEND_COLUMN = 250;
  function initialFit(map, bounds) {
    var room = [LEGEND_COLUMN, 0], size = map.getSize(), open = false;
    // A pane not laid out yet (hidden tab: 0 px) or too narrow keeps the whole width.
    if (size.x > LEGEND_COLUMN + 100 && size.y > 0) {
      var z0 = map.getBoundsZoom(bounds, false);
      var z1 = map.getBoundsZoom(bounds, false, L.point(room));
      open = z0 - z1 <= 0.25;
    }
    map.fitBounds(bounds, open ? {animate: false, paddingBottomRight: room} : {animate: false});
    if (S.legend && S.legend.setFolded) { S.legend.setFolded(!open); }
    if (S.search && S.search.setFolded) { S.search.setFolded(!open); }
    return open;
  }

  // Search box: sites, local authorities and postcode districts (full postcodes are
  // matched to their district). Pure JS over the embedded tables.
  var POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)(\s*[0-9][A-Z]{2})?$/;
  function searchIndex(places, sites) {
    var items = [];
    var tmp = document.createElement("div");
    function plain(html) { tmp.innerHTML = html; return tmp.textContent; }
    if (sites) {
      for (var i = 0; i < sites.lat.length; i++) {
        var nm = sites.name ? sites.name[i] : "";
        items.push({text: plain(nm), html: nm, kind: "site", lat: sites.lat[i],
                    lng: sites.lng[i], zoom: 12});
      }
    }
    if (places) {
      for (var k = 0; k < places.lat.length; k++) {
        var isLad = places.kind[k] === "lad";
        items.push({text: plain(places.name[k]), html: places.name[k],
                    kind: isLad ? "local authority" : "postcode district",
                    lat: places.lat[k], lng: places.lng[k], zoom: isLad ? 10 : 12});
      }
    }
    return items;
  }
  function searchFind(items, query, limit) {
    var q = String(query || "").trim();
    if (!q) { return []; }
    var up = q.toUpperCase(), low = q.toLowerCase();
    var pc = POSTCODE.exec(up.replace(/\s+/g, " "));
    var exact = [], starts = [], inside = [];
    for (var i = 0; i < items.length; i++) {
      var it = items[i];
      if (it.kind === "postcode district") {
        if (pc && it.text === pc[1]) { exact.push(it); }
        continue;
      }
      var t = it.text.toLowerCase();
      if (t === low) { exact.push(it); }
      else if (t.indexOf(low) === 0) { starts.push(it); }
      else if (t.indexOf(low) > 0) { inside.push(it); }
    }
    return exact.concat(starts, inside).slice(0, limit || 8);
  }
  function search(map, places, sites) {
    var items = searchIndex(places, sites);
    var marker = null;
    function go(it) {
      map.setView([it.lat, it.lng], Math.max(map.getZoom(), it.zoom), {animate: false});
      if (marker) { map.removeLayer(marker); }
      marker = L.circleMarker([it.lat, it.lng], {radius: 14, color: "#e7298a", weight: 3,
        fill: false, interactive: false, pane: pane(map, "accessSites", 450)}).addTo(map);
    }
    var c = L.control({position: "topright"});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "access-box access-search");
      var btn = L.DomUtil.create("button", "access-search-open", div);
      btn.type = "button";
      btn.textContent = "Find";
      btn.title = "Find a site, place or postcode";
      var input = L.DomUtil.create("input", "", div);
      input.type = "search";
      input.placeholder = "Find a site, place or postcode";
      input.setAttribute("aria-label", "Find a site, place or postcode");
      var list = L.DomUtil.create("ul", "access-search-list", div);
      var found = [];
      function show() {
        found = searchFind(items, input.value, 8);
        list.innerHTML = "";
        for (var k = 0; k < found.length; k++) {
          var li = L.DomUtil.create("li", "", list);
          li.innerHTML = found[k].html + ' <span class="kind">' + found[k].kind + "</span>";
          li._item = found[k];
        }
        if (input.value && !found.length) {
          L.DomUtil.create("li", "none", list).textContent = "nothing found";
        }
      }
      L.DomEvent.on(input, "input", show);
      L.DomEvent.on(input, "keydown", function (e) {
        if (e.key === "Enter" && found.length) { go(found[0]); list.innerHTML = ""; }
        if (e.key === "Escape") { input.value = ""; list.innerHTML = ""; }
      });
      L.DomEvent.on(list, "click", function (e) {
        var li = e.target.closest ? e.target.closest("li") : e.target;
        if (li && li._item) { go(li._item); list.innerHTML = ""; }
      });
      L.DomEvent.on(btn, "click", function () { c.setFolded(false); input.focus(); });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      c.div = div;
      return div;
    };
    // Folded to a small "Find" button in small panes (where the box would cover land).
    c.setFolded = function (f) {
      L.DomUtil[f ? "addClass" : "removeClass"](c.div, "folded");
    };
    c.addTo(map);
    c.go = go;
    c.find = function (q) { return searchFind(items, q, 8); };
    S.search = c;
    return c;
  }

  // Themes: alternative colourings of the same area layer (travel time, IMD decile,
  // urban/rural, density), chosen as base layers in the layer control.
  function layers(map, themes, overlays) {
    var base = {};
    S.themes = themes;
    var first = null;
    for (var i = 0; i < themes.length; i++) {
      var g = L.layerGroup();
      g._accessTheme = i;
      base[themes[i].name] = g;
      if (i === 0) { first = g; g.addTo(map); }
    }
    var over = {};
    for (var k = 0; k < overlays.length; k++) { over[overlays[k][0]] = overlays[k][1]; }
    map.on("baselayerchange", function (e) {
      if (e.layer && e.layer._accessTheme !== undefined) { showTheme(e.layer._accessTheme); }
    });
    var ctl = L.control.layers(themes.length > 1 ? base : {}, over, {collapsed: true,
      position: "topleft"}).addTo(map);
    S.layerControl = ctl;
    S.themeLayers = base;
    return first;
  }
  function showTheme(i) {
    var t = S.themes[i];
    recolour(t.cls, t.colours, t.noValue);
    if (S.legend && S.legend.body) { S.legend.body.innerHTML = t.legend; }
    S.themeIndex = i;
  }

  // The GUI's cheap update path: recolour areas, update tooltips, legend, title and site
  // roles from a payload built by access_app.maps.restyle_payload (no page reload).
  function restyle(p) {
    var t0 = performance.now();
    var a = S.areas;
    if (!a) { throw new Error("restyle: the page has no area layer"); }
    if (p.n !== a.d.cls.length) {
      throw new Error("restyle: payload has " + p.n + " areas, the page " + a.d.cls.length);
    }
    var fields = ["min", "base", "chg", "site", "sites", "minLabel"];
    for (var f = 0; f < fields.length; f++) {
      var key = fields[f];
      if (Object.prototype.hasOwnProperty.call(p.fields, key)) { a.d[key] = p.fields[key]; }
      else { delete a.d[key]; }
    }
    if (S.themes && S.themes.length) {
      var name0 = S.themes[0].name;
      S.themes[0] = {name: name0, cls: p.cls, colours: p.colours, noValue: p.noValue,
                     legend: p.legend};
      var map = window.accessMap;
      if (S.themeIndex && S.themeLayers && map) {  // back to the main colouring
        for (var nm in S.themeLayers) {
          if (nm !== name0 && map.hasLayer(S.themeLayers[nm])) { map.removeLayer(S.themeLayers[nm]); }
        }
        map.addLayer(S.themeLayers[name0]);
      }
      S.themeIndex = 0;
    }
    recolour(p.cls, p.colours, p.noValue);
    if (S.legend && S.legend.body) { S.legend.body.innerHTML = p.legend; }
    if (S.title && S.title.getContainer && p.title !== undefined) {
      S.title.getContainer().innerHTML = p.title;
    }
    if (p.roles) { setSiteRoles(p.roles); }
    if (p.popups && S.sites) {
      for (var k = 0; k < S.sites.marks.length; k++) {
        var m = S.sites.marks[k], html = p.popups[S.sites.d.idx ? S.sites.d.idx[m.i] : m.i];
        if (html) { m.mk.bindPopup(html, {maxWidth: 320}); } else { m.mk.unbindPopup(); }
      }
    }
    return performance.now() - t0;
  }

  // A ring around one site (the drive-time map's chosen site).
  function highlight(map, ll) {
    return L.circleMarker(ll, {radius: 13, color: "#e7298a", weight: 3, fill: false,
      interactive: false, pane: pane(map, "accessSites", 450)}).addTo(map);
  }
  function scale(map) { return L.control.scale({position: "bottomright"}).addTo(map); }

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
    window.accessRestyle = restyle;
  }
  return {readJson: readJson, areaLayer: areaLayer, siteLayer: siteLayer,
          basemapLayer: basemapLayer, outlineLayer: outlineLayer, roadLayer: roadLayer,
          placeLayer: placeLayer, control: control, legend: legend, search: search,
          searchIndex: searchIndex, searchFind: searchFind, layers: layers,
          showTheme: showTheme, restyle: restyle, recolour: recolour,
          initialFit: initialFit, scale: scale, viewSync: viewSync, highlight: highlight,
          unpackPolygons: unpackPolygons, unpackLines: unpackLines, state: S, ZOOM: ZOOM,
          areaColours: areaColours, packedToMerc: packedToMerc, gridIndex: gridIndex,
          hitArea: hitArea, mercX: mercX, mercY: mercY,
          LEGEND_COLUMN: LEGEND_COLUMN};
})();
