// Run-time helpers of Access App maps (window.accessApp): layers, tooltips, view sync.
// Loaded by access_app.maps.layers and inlined into every map page.
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
    if (d.ferry && d.ferry[i] !== null) { rows.push("By sea or air: " + d.ferries[d.ferry[i]]); }
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
