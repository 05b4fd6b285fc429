// Run-time helpers of Access App maps (window.accessApp): layers, tooltips, view sync,
// legend, search, themes and the cheap restyle path. Loaded by access_app.maps.layers and
// inlined into every map page. No network access; Leaflet is the only dependency.
window.accessApp = window.accessApp || (function () {
  "use strict";
  // Shared state of the page: the area layer, sites, legend, title, themes (for restyle).
  var S = {areas: null, sites: null, legend: null, title: null, themes: null};
  // Zoom levels from which context layers appear.
  var ZOOM = {motorways: 7, aRoads: 9, places: 8, siteLabels: 9, strokes: 10};

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
    if (d.ur) { rows.push("Urban/rural: " + (d.ur[i] === null ? "n/a" : d.urs[d.ur[i]])); }
    if (d.site) { rows.push("Assigned site: " + (d.site[i] === null ? "none" : d.sites[d.site[i]])); }
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
  // Outline of an area polygon: thin white from the stroke zoom, else its fill colour.
  function edge(o, stroked) {
    o.weight = stroked ? 0.5 : 0.8;
    o.color = stroked ? "#ffffff" : o.fillColor;
    o.opacity = stroked ? 0.7 : 1;
  }

  // Areas: polygons where a shape is known (d.shape), circle markers at the centroid
  // otherwise; all on one canvas renderer with one shared tooltip.
  function areaLayer(map, d, colours, noValue) {
    var t0 = (window.performance ? performance.now() : 0);
    var renderer = L.canvas({padding: 0.5, pane: pane(map, "accessAreas", 400)});
    var group = L.featureGroup();
    var r = areaRadius(map.getZoom());
    var n = d.lat.length;
    var shapes = d.shape ? unpackPolygons(d.shape) : null;
    var stroked = map.getZoom() >= ZOOM.strokes;
    var markers = [], polygons = [];
    for (var i = 0; i < n; i++) {
      var fill = colourOf(d.cls[i], colours, noValue);
      var lyr;
      if (shapes && shapes[i]) {
        // Below the stroke zoom the outline takes the fill colour, closing the hairline
        // seams between neighbours and keeping sub-pixel urban areas visible.
        lyr = L.polygon(shapes[i], {renderer: renderer, stroke: true,
          weight: stroked ? 0.5 : 0.8, color: stroked ? "#ffffff" : fill,
          opacity: stroked ? 0.7 : 1, fillColor: fill, fillOpacity: 1, smoothFactor: 1});
        lyr._accessPoly = true;
        polygons.push(lyr);
      } else {
        lyr = L.circleMarker([d.lat[i], d.lng[i]], {
          renderer: renderer, radius: r, stroke: false, fillColor: fill, fillOpacity: 0.9
        });
        markers.push(lyr);
      }
      lyr._accessIndex = i;
      group.addLayer(lyr);
    }
    group.bindTooltip(function (layer) { return areaTip(d, layer._accessIndex); },
                      {direction: "top", offset: [0, -3], sticky: !!shapes});
    // Set the new radius on "zoom", before the renderer re-projects every path on
    // "zoomend"; calling setRadius instead would re-project each marker a second time.
    map.on("zoom", function () {
      var z = map.getZoom();
      var nr = areaRadius(z);
      if (nr !== r) {
        r = nr;
        for (var k = 0; k < markers.length; k++) { markers[k].options.radius = nr; markers[k]._radius = nr; }
      }
      var st = z >= ZOOM.strokes;
      if (st !== stroked) {
        stroked = st;
        for (var q = 0; q < polygons.length; q++) { edge(polygons[q].options, st); }
      }
    });
    S.areas = {group: group, d: d, renderer: renderer, colours: colours, noValue: noValue,
               stroked: function () { return stroked; },
               layers: group.getLayers ? group.getLayers() : group.layers};
    window.accessBuildMs = (window.accessBuildMs || 0) +
      ((window.performance ? performance.now() : 0) - t0);
    return group;
  }

  // Recolour every area in place (no page rebuild): cls per area (-1 = no value).
  function recolour(cls, colours, noValue) {
    var a = S.areas;
    if (!a) { return 0; }
    var t0 = performance.now();
    var layers = a.layers;
    for (var k = 0; k < layers.length; k++) {
      var lyr = layers[k];
      lyr.options.fillColor = colourOf(cls[lyr._accessIndex], colours, noValue);
      if (lyr._accessPoly) { edge(lyr.options, a.stroked()); }
    }
    a.d.cls = cls;
    a.colours = colours;
    a.noValue = noValue;
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
      var mk = L.circleMarker(ll, {renderer: renderer, radius: d.r[i], color: s.color,
        weight: s.weight, dashArray: s.dash, fillColor: s.fill, fillOpacity: s.fillOpacity});
      mk.bindTooltip(d.tip[i], {direction: "top"});
      if (d.popup && d.popup[i]) { mk.bindPopup(d.popup[i], {maxWidth: 320}); }
      group.addLayer(mk);
      marks.push({ring: ring, mk: mk, i: i});
    }
    S.sites = {group: group, d: d, marks: marks, map: map};
    if (d.label) { siteLabels(map, d, group); }
    return group;
  }
  function setSiteRoles(roles) {
    var s = S.sites;
    if (!s) { return; }
    for (var k = 0; k < s.marks.length; k++) {
      var m = s.marks[k];
      var role = roles[s.d.idx ? s.d.idx[m.i] : m.i];
      if (!role) { continue; }
      var st = s.d.style[role];
      s.d.role[m.i] = role;
      m.mk.setStyle({color: st.color, weight: st.weight, dashArray: st.dash,
                     fillColor: st.fill, fillOpacity: st.fillOpacity});
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
  function roadLayer(map, d) {
    var renderer = L.canvas({pane: pane(map, "accessRoads", 420), padding: 0.3});
    var lines = unpackLines(d);
    var mw = L.layerGroup(), ar = L.layerGroup();
    for (var i = 0; i < lines.length; i++) {
      var motor = d.k[i] === 0;
      var pl = L.polyline(lines[i], {renderer: renderer, interactive: false,
        color: motor ? "#2b5797" : "#9a6a3a", weight: motor ? 2 : 1.2,
        opacity: motor ? 0.85 : 0.75, smoothFactor: 1.5});
      (motor ? mw : ar).addLayer(pl);
    }
    return byZoom(map, L.layerGroup(), [[ZOOM.motorways, mw], [ZOOM.aRoads, ar]]);
  }
  function placeLayer(map, d) {
    var labels = L.layerGroup();
    for (var i = 0; i < d.lat.length; i++) {
      if (d.kind[i] !== "lad") { continue; }
      labels.addLayer(L.tooltip({permanent: true, direction: "center",
        className: "access-label access-place-label", interactive: false})
        .setLatLng([d.lat[i], d.lng[i]]).setContent(d.name[i]));
    }
    S.places = d;
    return byZoom(map, L.layerGroup(), [[ZOOM.places, labels]]);
  }
  function basemapLayer(map, geojson, style) {
    var renderer = L.canvas({pane: pane(map, "accessBasemap", 250)});
    return L.geoJSON(geojson, {style: style, interactive: false, renderer: renderer});
  }
  function outlineLayer(map, geojson, style) {
    var renderer = L.canvas({pane: pane(map, "accessOutlines", 430)});
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
  function legend(map, html, position) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var div = L.DomUtil.create("div", "access-box access-legend");
      var head = L.DomUtil.create("button", "access-legend-head", div);
      head.type = "button";
      head.setAttribute("aria-expanded", "true");
      head.innerHTML = '<span>Legend</span><span class="access-fold">\u25be</span>';
      var body = L.DomUtil.create("div", "access-legend-body", div);
      body.innerHTML = html;
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
    var room = [LEGEND_COLUMN, 0];
    var z0 = map.getBoundsZoom(bounds, false);
    var z1 = map.getBoundsZoom(bounds, false, L.point(room));
    var open = z0 - z1 <= 0.25;
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
          initialFit: initialFit, scale: scale, viewSync: viewSync,
          unpackPolygons: unpackPolygons, unpackLines: unpackLines, state: S, ZOOM: ZOOM,
          LEGEND_COLUMN: LEGEND_COLUMN};
})();
